// SPDX-License-Identifier: GPL-2.0

//! Notifications: to a multicast group, from a request
//! ([`DoRequest::notify`](super::DoRequest::notify)) or from anywhere else,
//! such as another plane's commit or a packet path ([`notify_in`]).

use super::super::{
    bindings,
    header::Genl,
    msg::{Msg, Writer},
    netns::NetRef,
    rcu, send,
};
use super::{family::Family, groups::Groups};
use core::sync::atomic::Ordering;
use kernel::prelude::*;

/// Sends a notification with command `cmd` to `group` of family `F` in
/// `net`, built by `build`, if `F` is registered (it publishes itself
/// through [`Family::REGISTERED`]) and the group has listeners. Never
/// sleeps: the message is allocated atomically, so this runs in any
/// context. Returns whether it went to at least one listener.
pub fn notify_in<F: Family>(
    net: NetRef<'_>,
    group: F::Groups,
    cmd: u8,
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result<bool> {
    let Some(reg) = F::REGISTERED else {
        return Ok(false);
    };
    let group = index_of::<F>(group)?;
    rcu::read(|_| {
        let family = reg.family.load(Ordering::Acquire);
        if family.is_null() {
            return Ok(false);
        }
        // SAFETY: `family` is registered: it was published after
        // registration and is unpublished, with a grace period, before
        // unregistering, and we are in a read-side section. `net` is alive.
        unsafe {
            multicast(
                family,
                net.as_ptr(),
                group,
                cmd,
                bindings::RNL_NLMSG_DEFAULT_SIZE,
                bindings::RNL_GFP_ATOMIC,
                build,
            )
        }
    })
}

/// The index of `group` in `F`'s table. [`genl_groups!`](crate::genl_groups)
/// makes it right by construction; a hand-written [`Groups`] that is not
/// gets `EINVAL` here rather than the core's warning.
pub(super) fn index_of<F: Family>(group: F::Groups) -> Result<u32> {
    let index = group.index();
    if index as usize >= <F::Groups as Groups>::ALL.len() {
        return Err(EINVAL);
    }
    Ok(index)
}

/// Sends a notification with command `cmd` to `group` of `family` in `net`,
/// with room for `size` bytes of attributes that `build` writes, allocated
/// with `gfp`; nothing is built when the group has no listener. Returns
/// whether it went to at least one.
///
/// # Safety
///
/// `family` must be registered and `net` alive for the call.
pub(super) unsafe fn multicast(
    family: *const bindings::genl_family,
    net: *mut bindings::net,
    group: u32,
    cmd: u8,
    size: usize,
    gfp: bindings::gfp_t,
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result<bool> {
    // SAFETY: guaranteed by the caller.
    if !unsafe { bindings::rnl_helper_genl_has_listeners(family, net, group) } {
        return Ok(false);
    }
    // SAFETY: guaranteed by the caller.
    let header = unsafe { Genl::new(family, cmd) };
    let mut msg = Msg::new(&header, 0, 0, bindings::RNL_GENL_HDRLEN + size, gfp)?;
    build(&mut msg)?;
    // SAFETY: guaranteed by the caller.
    unsafe { send::genl_multicast(msg, family, net, group, gfp) }
}
