// SPDX-License-Identifier: GPL-2.0

//! The nfnetlink subsystem.

use crate::{
    attrs::NfEchoAttrs,
    netlink::nfnl::{callbacks, Callback, CbKind, Op, Request, Subsystem},
    uapi::nfnl::{attr, msg, SUBSYS_NAME},
};
use core::ffi::CStr;
use kernel::prelude::*;

/// The subsystem.
pub(crate) struct NlrsSubsys;

impl Subsystem for NlrsSubsys {
    const NAME: &'static CStr = SUBSYS_NAME;
    const CALLBACKS: &'static [crate::netlink::nfnl::RawCallback] =
        &callbacks::<{ msg::COUNT as usize }>(&[Callback::op::<Echo>()]);
}

/// `ECHO`: replies with the message's `MSG` behind an `nfgenmsg` header.
pub(crate) struct Echo;

impl Op for Echo {
    type Subsystem = NlrsSubsys;
    type Attrs = NfEchoAttrs;
    const MSG: u8 = msg::ECHO;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        let text = req.attrs().msg().required()?;
        let mut reply = req.reply(msg::ECHO)?;
        reply.put_str(attr::MSG, text)?;
        req.send_reply(reply)
    }
}
