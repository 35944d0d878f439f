// SPDX-License-Identifier: GPL-2.0

//! A "do" request and what a handler can answer with.

use super::super::{
    attr::Set,
    bindings,
    error::emsgsize,
    extack::ExtAck,
    msg::{self, End, Msg, Writer},
    netns::{self, NetRef},
};
use super::{
    family::{Family, Group},
    ops::DoOp,
};
use kernel::{error::to_result, prelude::*};

/// One request to a [`DoOp`], with its validated attributes.
///
/// # Invariants
///
/// `info` is the valid argument of the running `doit` call.
pub struct DoRequest<'a, O: DoOp> {
    info: *mut bindings::genl_info,
    attrs: <O::Attrs as Set>::View<'a>,
}

impl<'a, O: DoOp> DoRequest<'a, O> {
    /// # Safety
    ///
    /// `info` must be valid for `'a`, the duration of the call.
    pub(super) unsafe fn new(
        info: *mut bindings::genl_info,
        attrs: <O::Attrs as Set>::View<'a>,
    ) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { info, attrs }
    }

    fn info(&self) -> &bindings::genl_info {
        // SAFETY: valid for the call by the type invariants.
        unsafe { &*self.info }
    }

    /// The validated attributes.
    pub fn attrs(&self) -> &<O::Attrs as Set>::View<'a> {
        &self.attrs
    }

    /// The request's extack, for error messages.
    pub fn extack(&self) -> ExtAck<'a> {
        // SAFETY: `info->extack` is valid (or null) for the call, and only
        // this thread handles the request.
        unsafe { ExtAck::from_raw(self.info().extack) }
    }

    /// The sender's port id.
    pub fn portid(&self) -> u32 {
        self.info().snd_portid
    }

    /// The family's state in the request's network namespace.
    pub fn state(&self) -> &'a <O::Family as Family>::State {
        // SAFETY: `O` is an op of `O::Family` (`SplitOp<F>` admits no
        // other), so it only runs while `Registration<O::Family>` is
        // registered, and that registration keeps the state registered in
        // every namespace until after the family is gone. The request's
        // namespace is alive for the call.
        unsafe { netns::get(self.raw_net()) }
    }

    /// The request's network namespace.
    pub fn net(&self) -> NetRef<'a> {
        // SAFETY: the request's namespace is alive for the call.
        unsafe { NetRef::from_raw(self.raw_net()) }
    }

    /// Switches the netfilter hooks of the request's namespace's state
    /// ([`NetState::HOOKS`](super::super::netns::NetState::HOOKS)) on or
    /// off; a no-op if they already are. Sleeps.
    pub fn set_hooks(&self, on: bool) -> Result {
        // SAFETY: as for `state`: the family's registration keeps its state
        // registered, and the request's namespace is alive for the call.
        unsafe { netns::set_hooks::<<O::Family as Family>::State>(self.raw_net(), on) }
    }

    fn raw_net(&self) -> *mut bindings::net {
        super::info_net(self.info())
    }

    fn new_msg(&self, portid: u32, seq: u32, cmd: u8, size: usize) -> Result<Msg> {
        let skb = msg::alloc(bindings::RNL_GENL_HDRLEN + size, bindings::RNL_GFP_KERNEL)?;
        // SAFETY: `skb` is fresh and has room for the headers; `info->family`
        // is the registered family for the call.
        let hdr = unsafe { bindings::genlmsg_put(skb, portid, seq, self.info().family, 0, cmd) };
        if hdr.is_null() {
            // SAFETY: `skb` is ours and holds no message.
            unsafe { msg::free(skb) };
            return Err(emsgsize());
        }
        // SAFETY: `skb` is ours and holds one message whose user header is `hdr`.
        Ok(unsafe { Msg::from_raw(skb, End::Genl(hdr)) })
    }

    /// Starts a reply with command `cmd`, addressed to the sender, with room
    /// for a default-size payload.
    pub fn reply(&self, cmd: u8) -> Result<Msg> {
        self.reply_sized(cmd, bindings::RNL_NLMSG_DEFAULT_SIZE)
    }

    /// Starts a reply with room for `size` bytes of attributes.
    pub fn reply_sized(&self, cmd: u8, size: usize) -> Result<Msg> {
        let info = self.info();
        self.new_msg(info.snd_portid, info.snd_seq, cmd, size)
    }

    /// Sends a reply started with [`DoRequest::reply`].
    pub fn send_reply(&self, msg: Msg) -> Result {
        let skb = msg.finish();
        // SAFETY: `skb` holds a finished message; `genlmsg_reply` consumes it.
        to_result(unsafe { bindings::rnl_helper_genlmsg_reply(skb, self.info) })
    }

    /// Sends a notification with command `cmd` to `group` in the request's
    /// network namespace, built by `build`. Nothing is built when nobody
    /// listens. Returns whether it was sent to at least one listener.
    pub fn notify(
        &self,
        group: Group,
        cmd: u8,
        build: impl FnOnce(&mut Writer) -> Result,
    ) -> Result<bool> {
        self.notify_sized(group, cmd, bindings::RNL_NLMSG_DEFAULT_SIZE, build)
    }

    /// Like [`DoRequest::notify`], with room for `size` bytes of attributes.
    pub fn notify_sized(
        &self,
        group: Group,
        cmd: u8,
        size: usize,
        build: impl FnOnce(&mut Writer) -> Result,
    ) -> Result<bool> {
        let groups = <O::Family as Family>::MCGRPS.len();
        if group.0 as usize >= groups {
            return Err(EINVAL);
        }
        let net = self.raw_net();
        // SAFETY: `info->family` is registered and `net` is the request's
        // namespace, alive for the call.
        if !unsafe { bindings::rnl_helper_genl_has_listeners(self.info().family, net, group.0) } {
            return Ok(false);
        }
        let mut msg = self.new_msg(0, 0, cmd, size)?;
        build(&mut msg)?;
        // SAFETY: as above.
        unsafe {
            super::notify::multicast(
                self.info().family,
                net,
                msg,
                group,
                bindings::RNL_GFP_KERNEL,
            )
        }
    }
}
