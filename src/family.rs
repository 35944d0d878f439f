// SPDX-License-Identifier: GPL-2.0

//! The generic netlink family "nlrs".

use crate::{
    attrs::EchoAttrs,
    netlink::genl::{DoOp, DoRequest, Family, Group, McGroup, OpFlags, SplitOp},
    uapi::genl::{attr, cmd, FAMILY_NAME, FAMILY_VERSION, MCGRP_EVENTS},
};
use core::ffi::CStr;
use kernel::prelude::*;

/// The "events" multicast group.
pub(crate) const EVENTS: Group = Group(0);

/// The family.
pub(crate) struct NlrsFamily;

impl Family for NlrsFamily {
    const NAME: &'static CStr = FAMILY_NAME;
    const VERSION: u8 = FAMILY_VERSION;
    const OPS: &'static [SplitOp] = &[SplitOp::doit::<Echo>()];
    const MCGRPS: &'static [McGroup] = &[McGroup::new(MCGRP_EVENTS)];
}

/// `ECHO`: replies with the request's `MSG` and tells the "events" group.
pub(crate) struct Echo;

impl DoOp for Echo {
    type Family = NlrsFamily;
    type Attrs = EchoAttrs;
    const CMD: u8 = cmd::ECHO;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let text = req.attrs().msg().required()?;
        let mut reply = req.reply(cmd::ECHO)?;
        reply.put_str(attr::MSG, text)?;
        req.send_reply(reply)?;
        // The requester got its answer; a notification that cannot be built
        // is lost for the listeners only, as with rtnl_notify().
        let _ = req.notify(EVENTS, cmd::ECHO_NTF, |m| m.put_str(attr::MSG, text));
        Ok(())
    }
}
