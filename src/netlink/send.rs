// SPDX-License-Identifier: GPL-2.0

//! Sending finished messages: the kernel's unicast and multicast calls,
//! each wrapped once for the whole layer.
//!
//! C headers: [`include/net/genetlink.h`](srctree/include/net/genetlink.h),
//! [`include/linux/netfilter/nfnetlink.h`](srctree/include/linux/netfilter/nfnetlink.h)

use super::{bindings, msg::Msg};
use kernel::{error::to_result, prelude::*};

/// Sends `msg` to the sender of the generic netlink request `info`
/// (`genlmsg_reply()`).
///
/// # Safety
///
/// `info` must be the valid `genl_info` of a running request.
pub(crate) unsafe fn genl_reply(msg: Msg, info: *mut bindings::genl_info) -> Result {
    let skb = msg.finish();
    // SAFETY: guaranteed by the caller; `skb` holds a finished message and
    // is consumed.
    to_result(unsafe { bindings::rnl_helper_genlmsg_reply(skb, info) })
}

/// Sends `msg` to multicast group `group` of `family` in `net`
/// (`genlmsg_multicast_netns()`). Returns whether it went to at least one
/// listener: `ESRCH`, no listener, is not an error.
///
/// # Safety
///
/// `family` must be registered and `net` alive for the call.
pub(crate) unsafe fn genl_multicast(
    msg: Msg,
    family: *const bindings::genl_family,
    net: *mut bindings::net,
    group: u32,
    gfp: bindings::gfp_t,
) -> Result<bool> {
    let skb = msg.finish();
    // SAFETY: guaranteed by the caller; `skb` holds a finished message and
    // is consumed.
    let ret =
        unsafe { bindings::rnl_helper_genlmsg_multicast_netns(family, net, skb, 0, group, gfp) };
    match ret {
        0 => Ok(true),
        r if r == ESRCH.to_errno() => Ok(false),
        r => to_result(r).map(|()| true),
    }
}

/// Sends the finished messages in `skb` to port `portid` of the nfnetlink
/// socket of `net` (`nfnetlink_unicast()`).
///
/// # Safety
///
/// `skb` must be a valid `sk_buff` the caller owns and gives up, holding
/// finished messages; `net` must be alive for the call.
pub(crate) unsafe fn nfnl_unicast(
    skb: *mut bindings::sk_buff,
    net: *mut bindings::net,
    portid: u32,
) -> Result {
    // SAFETY: guaranteed by the caller; `skb` is consumed.
    to_result(unsafe { bindings::nfnetlink_unicast(skb, net, portid) })
}
