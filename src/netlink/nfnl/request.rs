// SPDX-License-Identifier: GPL-2.0

//! One nfnetlink message and what a handler can answer with.

use super::super::{
    attr::Set,
    bindings,
    error::emsgsize,
    extack::ExtAck,
    msg::{self, End, Msg, Writer},
    netns::{self, NetRef},
};
use super::{
    batch::{self, Batch},
    ops::{CbKind, Op},
    subsystem::Subsystem,
};
use kernel::{error::to_result, prelude::*};

/// One message to an [`Op`], with its validated attributes.
///
/// # Invariants
///
/// `skb` and `info` are the valid arguments of the running callback, which
/// runs in the context `O::KIND` names.
pub struct Request<'a, O: Op> {
    skb: *mut bindings::sk_buff,
    info: *const bindings::nfnl_info,
    attrs: <O::Attrs as Set>::View<'a>,
}

impl<'a, O: Op> Request<'a, O> {
    /// # Safety
    ///
    /// `skb` and `info` must be valid for `'a`, the duration of the call, in
    /// the context `O::KIND` names.
    pub(super) unsafe fn new(
        skb: *mut bindings::sk_buff,
        info: *const bindings::nfnl_info,
        attrs: <O::Attrs as Set>::View<'a>,
    ) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { skb, info, attrs }
    }

    fn info(&self) -> &bindings::nfnl_info {
        // SAFETY: valid for the call by the type invariants.
        unsafe { &*self.info }
    }

    fn nlh(&self) -> &bindings::nlmsghdr {
        // SAFETY: `info->nlh` is the request's header, valid for the call.
        unsafe { &*self.info().nlh }
    }

    fn gfp() -> bindings::gfp_t {
        match O::KIND {
            CbKind::Mutex | CbKind::Batch => bindings::RNL_GFP_KERNEL,
            CbKind::Rcu => bindings::RNL_GFP_ATOMIC,
        }
    }

    /// The subsystem's state in the message's namespace.
    pub fn state(&self) -> &'a <O::Subsystem as Subsystem>::State {
        // SAFETY: `O` is an op of `O::Subsystem`, which only runs while its
        // registration, which holds its state's, exists; the message's
        // namespace is alive for the call.
        unsafe { netns::get(self.info().net) }
    }

    /// The message's namespace.
    pub fn net(&self) -> NetRef<'a> {
        // SAFETY: the message's namespace is alive for the call.
        unsafe { NetRef::from_raw(self.info().net) }
    }

    /// The message's `nlmsg_flags`.
    pub fn flags(&self) -> u16 {
        self.nlh().nlmsg_flags
    }

    /// Switches the netfilter hooks of the namespace's state on or off; a
    /// no-op if they already are. Sleeps: not for [`CbKind::Rcu`].
    pub fn set_hooks(&self, on: bool) -> Result {
        if O::KIND == CbKind::Rcu {
            return Err(EINVAL);
        }
        // SAFETY: as for `state`; may sleep in this context.
        unsafe { netns::set_hooks::<<O::Subsystem as Subsystem>::State>(self.info().net, on) }
    }

    /// Calls `f` with the data the running batch holds locked and the
    /// message's attributes. `EINVAL` outside batch callbacks.
    pub fn with_locked<R>(
        &mut self,
        f: impl FnOnce(&mut <O::Subsystem as Batch>::Locked, &<O::Attrs as Set>::View<'a>) -> R,
    ) -> Result<R>
    where
        O::Subsystem: Batch,
    {
        if O::KIND != CbKind::Batch {
            return Err(EINVAL);
        }
        // SAFETY: a batch callback of `O::Subsystem` for the message's
        // namespace; `&mut self` keeps this the only reference while `f`
        // runs.
        let locked = unsafe { batch::locked::<O::Subsystem>(self.info().net) };
        Ok(f(locked, &self.attrs))
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
        // SAFETY: `skb` is valid for the call.
        unsafe { bindings::rnl_helper_netlink_portid(self.skb) }
    }

    /// The subsystem id the message was addressed to.
    pub fn subsys_id(&self) -> u8 {
        (self.nlh().nlmsg_type >> 8) as u8
    }

    /// The `nfgenmsg` header: address family, version and resource id.
    pub fn nfgen(&self) -> (u8, u8, u16) {
        // SAFETY: nfnetlink checked that the message holds an `nfgenmsg`
        // before calling; `info->nfmsg` points at it.
        let nfmsg = unsafe { &*self.info().nfmsg };
        // SAFETY: as above.
        let res_id = unsafe { bindings::rnl_helper_nfgenmsg_res_id(nfmsg) };
        (nfmsg.nfgen_family, nfmsg.version, res_id)
    }

    /// Starts a reply of message type `msg_type` to the sender, behind an
    /// `nfgenmsg` header (`AF_UNSPEC`, `NFNETLINK_V0`, the request's resource
    /// id).
    pub fn reply(&self, msg_type: u8) -> Result<Msg> {
        let skb = msg::alloc(bindings::RNL_NLMSG_DEFAULT_SIZE, Self::gfp())?;
        let ty = (u16::from(self.subsys_id()) << 8) | u16::from(msg_type);
        let (_, _, res_id) = self.nfgen();
        // SAFETY: `skb` is fresh and has room for the headers.
        let nlh = unsafe {
            bindings::rnl_helper_nfnl_msg_put(
                skb,
                self.portid(),
                self.nlh().nlmsg_seq,
                ty.into(),
                0,
                bindings::AF_UNSPEC as u8,
                bindings::NFNETLINK_V0 as u8,
                res_id,
            )
        };
        if nlh.is_null() {
            // SAFETY: `skb` is ours and holds no message.
            unsafe { msg::free(skb) };
            return Err(emsgsize());
        }
        // SAFETY: `skb` is ours and holds one message whose header is `nlh`.
        Ok(unsafe { Msg::from_raw(skb, End::Nl(nlh)) })
    }

    /// Sends a reply started with [`Request::reply`] (`nfnetlink_unicast`).
    pub fn send_reply(&self, msg: Msg) -> Result {
        let skb = msg.finish();
        // SAFETY: `skb` holds a finished message and is consumed;
        // `info->net` is the request's namespace, alive for the call.
        to_result(unsafe { bindings::nfnetlink_unicast(skb, self.info().net, self.portid()) })
    }
}

/// A reply in several messages: entries flagged `NLM_F_MULTI`, then
/// `NLMSG_DONE`, packed into as many `sk_buff`s as they need and sent
/// together by [`Parts::send`]. Unsent buffers are freed on drop.
///
/// # Invariants
///
/// Every non-null pointer in `skbs` is an `sk_buff` this object owns, each
/// holding whole messages; entries go into the last one. `net` is the
/// request's namespace, alive while the request is handled.
pub struct Parts {
    skbs: KVec<*mut bindings::sk_buff>,
    net: *mut bindings::net,
    portid: u32,
    seq: u32,
    ty: u16,
    res_id: u16,
}

impl<O: Op> Request<'_, O> {
    /// Starts a multi-part reply of message type `msg_type`. Only for
    /// contexts that may sleep.
    pub fn reply_parts(&self, msg_type: u8) -> Result<Parts> {
        if O::KIND == CbKind::Rcu {
            return Err(EINVAL);
        }
        let (_, _, res_id) = self.nfgen();
        // INVARIANT: no buffers yet; the namespace is the request's.
        let mut parts = Parts {
            skbs: KVec::new(),
            net: self.info().net,
            portid: self.portid(),
            seq: self.nlh().nlmsg_seq,
            ty: (u16::from(self.subsys_id()) << 8) | u16::from(msg_type),
            res_id,
        };
        parts.grow()?;
        Ok(parts)
    }
}

impl Parts {
    /// Adds an empty buffer for the next entries.
    fn grow(&mut self) -> Result {
        self.skbs.reserve(1, GFP_KERNEL)?;
        let skb = msg::alloc(bindings::RNL_NLMSG_GOODSIZE, bindings::RNL_GFP_KERNEL)?;
        // INVARIANT: ours; cannot fail with the room reserved above.
        self.skbs.push(skb, GFP_KERNEL)?;
        Ok(())
    }

    fn last(&self) -> *mut bindings::sk_buff {
        self.skbs
            .as_slice()
            .last()
            .copied()
            .unwrap_or(core::ptr::null_mut())
    }

    /// Adds one entry, written by `build`; called again on a fresh buffer
    /// if it did not fit in the current one.
    pub fn entry(&mut self, mut build: impl FnMut(&mut Writer) -> Result) -> Result {
        for fresh in [false, true] {
            if fresh {
                self.grow()?;
            }
            let skb = self.last();
            // SAFETY: `skb` is ours and holds whole messages (type
            // invariants).
            let nlh = unsafe {
                bindings::rnl_helper_nfnl_msg_put(
                    skb,
                    self.portid,
                    self.seq,
                    self.ty.into(),
                    bindings::NLM_F_MULTI as i32,
                    bindings::AF_UNSPEC as u8,
                    bindings::NFNETLINK_V0 as u8,
                    self.res_id,
                )
            };
            if nlh.is_null() {
                continue;
            }
            // SAFETY: `skb` is ours, with this message at its tail.
            let mut w = unsafe { Writer::new(skb) };
            match build(&mut w) {
                Ok(()) => {
                    // SAFETY: `nlh` heads the message just written, followed
                    // by what `w` appended.
                    unsafe { msg::end_message(nlh, w.written()) };
                    return Ok(());
                }
                Err(e) => {
                    // SAFETY: as above; trims the partial message.
                    unsafe { bindings::rnl_helper_nlmsg_cancel(skb, nlh) };
                    if fresh || e.to_errno() != emsgsize().to_errno() {
                        return Err(e);
                    }
                }
            }
        }
        Err(emsgsize())
    }

    /// Ends the reply with `NLMSG_DONE` and sends every buffer, in order,
    /// to the requester. Fails with the first send error; what was not
    /// sent is freed.
    pub fn send(mut self) -> Result {
        // SAFETY: the last buffer is ours (type invariants).
        if !unsafe { bindings::rnl_helper_nlmsg_done(self.last(), self.portid, self.seq) } {
            self.grow()?;
            // SAFETY: as above, on the fresh buffer.
            if !unsafe { bindings::rnl_helper_nlmsg_done(self.last(), self.portid, self.seq) } {
                return Err(emsgsize());
            }
        }
        for slot in self.skbs.as_mut_slice() {
            let skb = core::mem::replace(slot, core::ptr::null_mut());
            // SAFETY: `skb` is ours, holds finished messages, and is
            // consumed; `net` is alive while the request is handled.
            to_result(unsafe { bindings::nfnetlink_unicast(skb, self.net, self.portid) })?;
        }
        Ok(())
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        for &skb in self.skbs.as_slice() {
            if !skb.is_null() {
                // SAFETY: ours and unsent (type invariants).
                unsafe { bindings::rnl_helper_nlmsg_free(skb) };
            }
        }
    }
}

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
    let skb = msg::alloc(bindings::RNL_NLMSG_DEFAULT_SIZE, bindings::RNL_GFP_ATOMIC)?;
    let ty = (u16::from(subsys) << 8) | u16::from(msg_type);
    // SAFETY: `skb` is fresh and has room for the headers.
    let nlh = unsafe {
        bindings::rnl_helper_nfnl_msg_put(
            skb,
            0,
            0,
            ty.into(),
            0,
            bindings::AF_UNSPEC as u8,
            bindings::NFNETLINK_V0 as u8,
            0,
        )
    };
    if nlh.is_null() {
        // SAFETY: `skb` is ours and holds no message.
        unsafe { msg::free(skb) };
        return Err(emsgsize());
    }
    // SAFETY: `skb` is ours and holds one message whose header is `nlh`.
    let mut m = unsafe { Msg::from_raw(skb, End::Nl(nlh)) };
    build(&mut m)?;
    let skb = m.finish();
    // SAFETY: `skb` holds a finished message and is consumed; `net` is
    // alive for the call.
    to_result(unsafe { bindings::nfnetlink_unicast(skb, net.as_ptr(), portid) })
}
