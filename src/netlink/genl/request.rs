// SPDX-License-Identifier: GPL-2.0

//! A "do" request and what a handler can answer with.

use super::super::{
    bindings,
    header::Genl,
    msg::{Msg, Writer},
    request::Context,
    send,
};
use super::{family::Family, notify, ops::DoOp};
use kernel::prelude::*;

/// One request to a [`DoOp`], with its validated attributes.
///
/// It dereferences to its [`Context`]: [`attrs`](Context::attrs),
/// [`extack`](Context::extack), [`portid`](Context::portid),
/// [`net`](Context::net) and [`state`](Context::state).
///
/// # Invariants
///
/// `info` is the valid argument of the running `doit` call, whose request
/// `ctx` describes.
pub struct DoRequest<'a, O: DoOp> {
    ctx: Context<'a, <O::Family as Family>::State, O::Attrs>,
    info: *mut bindings::genl_info,
}

impl<'a, O: DoOp> DoRequest<'a, O> {
    /// # Safety
    ///
    /// `info` must be valid for `'a`, the duration of a `doit` call of `O`,
    /// whose attributes the core validated against `O::Attrs`'s policy into
    /// `info->attrs`.
    pub(super) unsafe fn new(info: *mut bindings::genl_info) -> Self {
        // SAFETY: valid for the call (caller).
        let i = unsafe { &*info };
        // INVARIANT: guaranteed by the caller.
        Self {
            // SAFETY: the core parsed and validated the request into
            // `attrs`, `op->maxattr + 1`, the policy's length, entries,
            // alive for the call, as is its extack. `O` is an op of
            // `O::Family` (`SplitOp<F>` admits no other), so it only runs
            // while `Registration<O::Family>` is registered, and that keeps
            // the state registered in every namespace until after the
            // family is gone. The request's namespace is alive for the call.
            ctx: unsafe {
                Context::new(
                    i.attrs,
                    i.extack,
                    super::info_net(i),
                    i.snd_portid,
                    i.snd_seq,
                )
            },
            info,
        }
    }

    fn family(&self) -> *const bindings::genl_family {
        // SAFETY: `info` is valid for the call (type invariants).
        unsafe { (*self.info).family }
    }

    /// Starts a reply with command `cmd`, addressed to the sender, with room
    /// for a default-size payload.
    pub fn reply(&self, cmd: u8) -> Result<Msg> {
        self.reply_sized(cmd, bindings::RNL_NLMSG_DEFAULT_SIZE)
    }

    /// Starts a reply with room for `size` bytes of attributes.
    pub fn reply_sized(&self, cmd: u8, size: usize) -> Result<Msg> {
        // SAFETY: `info->family` is the registered family for the call.
        let header = unsafe { Genl::new(self.family(), cmd) };
        Msg::new(
            &header,
            self.portid(),
            self.seq(),
            bindings::RNL_GENL_HDRLEN + size,
            bindings::RNL_GFP_KERNEL,
        )
    }

    /// Sends a reply started with [`DoRequest::reply`].
    pub fn send_reply(&self, msg: Msg) -> Result {
        // SAFETY: `info` is the running request's (type invariants).
        unsafe { send::genl_reply(msg, self.info) }
    }

    /// Sends a notification with command `cmd` to `group` in the request's
    /// network namespace, built by `build`. Nothing is built when nobody
    /// listens. Returns whether it was sent to at least one listener.
    pub fn notify(
        &self,
        group: <O::Family as Family>::Groups,
        cmd: u8,
        build: impl FnOnce(&mut Writer) -> Result,
    ) -> Result<bool> {
        self.notify_sized(group, cmd, bindings::RNL_NLMSG_DEFAULT_SIZE, build)
    }

    /// Like [`DoRequest::notify`], with room for `size` bytes of attributes.
    pub fn notify_sized(
        &self,
        group: <O::Family as Family>::Groups,
        cmd: u8,
        size: usize,
        build: impl FnOnce(&mut Writer) -> Result,
    ) -> Result<bool> {
        let group = notify::index_of::<O::Family>(group)?;
        // SAFETY: `info->family` is registered and the request's namespace
        // alive for the call.
        unsafe {
            notify::multicast(
                self.family(),
                self.net().as_ptr(),
                group,
                cmd,
                size,
                bindings::RNL_GFP_KERNEL,
                build,
            )
        }
    }
}

impl<'a, O: DoOp> core::ops::Deref for DoRequest<'a, O> {
    type Target = Context<'a, <O::Family as Family>::State, O::Attrs>;

    fn deref(&self) -> &Self::Target {
        &self.ctx
    }
}
