// SPDX-License-Identifier: GPL-2.0

//! Messages the kernel starts, outside any request.

use super::super::{
    bindings,
    header::Nfgen,
    msg::{Msg, Writer},
    netns::NetRef,
    send,
};
use kernel::prelude::*;

/// Sends message `msg_type` of subsystem `subsys` to port `portid` of
/// `net`, built by `build`, behind an `nfgenmsg` header (`AF_UNSPEC`,
/// `NFNETLINK_V0`, resource id 0): a notification the kernel starts, as
/// `nfnetlink_log` and `nfnetlink_queue` send theirs. Never sleeps: the
/// message is allocated atomically. Fails with `ECONNREFUSED` when the
/// port has no socket, and `EAGAIN` when its receive buffer is full.
pub fn unicast_in(
    net: NetRef<'_>,
    subsys: u8,
    msg_type: u8,
    portid: u32,
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result {
    let header = Nfgen {
        subsys,
        msg: msg_type,
        res_id: 0,
    };
    let mut msg = Msg::new(
        &header,
        0,
        0,
        bindings::RNL_NLMSG_DEFAULT_SIZE,
        bindings::RNL_GFP_ATOMIC,
    )?;
    build(&mut msg)?;
    // SAFETY: the message is finished, ours and given up; `net` is alive
    // for the call.
    unsafe { send::nfnl_unicast(msg.finish(), net.as_ptr(), portid) }
}
