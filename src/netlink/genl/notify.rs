// SPDX-License-Identifier: GPL-2.0

//! Notifications sent outside requests: from another plane's commit, or
//! from a packet path.

use super::super::{
    bindings,
    error::emsgsize,
    msg::{self, End, Msg, Writer},
    netns::NetRef,
};
use super::family::{Family, Group};
use core::sync::atomic::Ordering;
use kernel::{error::to_result, prelude::*};

/// Sends a notification with command `cmd` to `group` of family `F` in
/// `net`, built by `build`, if `F` is registered (it publishes itself
/// through [`Family::REGISTERED`]) and the group has listeners. Never
/// sleeps: the message is allocated atomically, so this runs in any
/// context. Returns whether it went to at least one listener.
pub fn notify_in<F: Family>(
    net: NetRef<'_>,
    group: Group,
    cmd: u8,
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result<bool> {
    let Some(reg) = F::REGISTERED else {
        return Ok(false);
    };
    if group.0 as usize >= F::MCGRPS.len() {
        return Err(EINVAL);
    }
    // SAFETY: paired with the unlock below; nothing in between sleeps.
    unsafe { bindings::rnl_helper_rcu_read_lock() };
    let ret = send(reg.family.load(Ordering::Acquire), net, group, cmd, build);
    // SAFETY: paired with the lock above.
    unsafe { bindings::rnl_helper_rcu_read_unlock() };
    ret
}

/// The body of [`notify_in`], under `rcu_read_lock()`.
fn send(
    family: *mut bindings::genl_family,
    net: NetRef<'_>,
    group: Group,
    cmd: u8,
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result<bool> {
    if family.is_null() {
        return Ok(false);
    }
    // SAFETY: `family` is registered: it was published after registration
    // and is unpublished, with a grace period, before unregistering, and
    // we are in a read-side section. `net` is alive.
    if !unsafe { bindings::rnl_helper_genl_has_listeners(family, net.as_ptr(), group.0) } {
        return Ok(false);
    }
    let skb = msg::alloc(
        bindings::RNL_GENL_HDRLEN + bindings::RNL_NLMSG_DEFAULT_SIZE,
        bindings::RNL_GFP_ATOMIC,
    )?;
    // SAFETY: `skb` is fresh with room for the headers; `family` as above.
    let hdr = unsafe { bindings::genlmsg_put(skb, 0, 0, family, 0, cmd) };
    if hdr.is_null() {
        // SAFETY: ours, holding no message.
        unsafe { msg::free(skb) };
        return Err(emsgsize());
    }
    // SAFETY: `skb` is ours and holds one message whose user header is `hdr`.
    let mut m = unsafe { Msg::from_raw(skb, End::Genl(hdr)) };
    build(&mut m)?;
    // SAFETY: `family` is registered (as above) and `net` alive.
    unsafe { multicast(family, net.as_ptr(), m, group, bindings::RNL_GFP_ATOMIC) }
}

/// Sends `msg` to `group` of `family` in `net`; returns whether it went to
/// at least one listener (`ESRCH`, no listener, is not an error).
///
/// # Safety
///
/// `family` must be registered and `net` alive for the call.
pub(super) unsafe fn multicast(
    family: *const bindings::genl_family,
    net: *mut bindings::net,
    msg: Msg,
    group: Group,
    gfp: bindings::gfp_t,
) -> Result<bool> {
    let skb = msg.finish();
    // SAFETY: guaranteed by the caller; `skb` holds a finished message and
    // is consumed.
    let ret =
        unsafe { bindings::rnl_helper_genlmsg_multicast_netns(family, net, skb, 0, group.0, gfp) };
    match ret {
        0 => Ok(true),
        r if r == ESRCH.to_errno() => Ok(false),
        r => to_result(r).map(|()| true),
    }
}
