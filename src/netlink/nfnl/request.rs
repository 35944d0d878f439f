// SPDX-License-Identifier: GPL-2.0

//! One nfnetlink message and what a handler can answer with.

use super::super::{
    attr::Set,
    bindings,
    flags::NlFlags,
    header::{self, Nfgen},
    msg::Msg,
    request::Context,
    send,
};
use super::{
    batch::{self, Batch},
    ops::{CbKind, Op},
    parts::Parts,
    subsystem::Subsystem,
};
use kernel::prelude::*;

/// One message to an [`Op`], with its validated attributes.
///
/// It dereferences to its [`Context`]: [`attrs`](Context::attrs),
/// [`extack`](Context::extack), [`portid`](Context::portid),
/// [`net`](Context::net) and [`state`](Context::state).
///
/// # Invariants
///
/// `info` is the valid argument of the running callback, which runs in the
/// context `O::KIND` names, for the message `ctx` describes.
pub struct Request<'a, O: Op> {
    ctx: Context<'a, <O::Subsystem as Subsystem>::State, O::Attrs>,
    info: *const bindings::nfnl_info,
}

impl<'a, O: Op> Request<'a, O> {
    /// # Safety
    ///
    /// `skb`, `info` and `cda` must be the valid arguments of a callback of
    /// `O`, for `'a`, the duration of the call, in the context `O::KIND`
    /// names: `cda` holding the message's attributes parsed and validated
    /// against `O::Attrs`'s policy.
    pub(super) unsafe fn new(
        skb: *mut bindings::sk_buff,
        info: *const bindings::nfnl_info,
        cda: *const *const bindings::nlattr,
    ) -> Self {
        // SAFETY: valid for the call (caller).
        let i = unsafe { &*info };
        // SAFETY: `info->nlh` is the message's header, valid for the call.
        let seq = unsafe { (*i.nlh).nlmsg_seq };
        // SAFETY: `skb` is valid for the call.
        let portid = unsafe { bindings::rnl_helper_netlink_portid(skb) };
        // INVARIANT: guaranteed by the caller.
        Self {
            // SAFETY: nfnetlink parsed the message into `cda`,
            // `attr_count + 1`, the policy's length, entries, each null or a
            // validated attribute of its index's type inside the message,
            // alive for the call, as are its extack and namespace. `O` is an
            // op of `O::Subsystem`, which only runs while its registration,
            // which holds its state's, exists.
            ctx: unsafe { Context::new(cda.cast(), i.extack, i.net, portid, seq) },
            info,
        }
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

    /// The message's `nlmsg_flags`.
    pub fn flags(&self) -> NlFlags {
        NlFlags::from_raw(self.nlh().nlmsg_flags)
    }

    /// Calls `f` with the data the running batch holds locked and the
    /// message's attributes. `EINVAL` outside batch callbacks. Then
    /// switches the state's hooks on if the change wants them
    /// ([`Batch::hooks_wanted`]); if that fails, so does this, and the
    /// batch aborts.
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
        let locked = unsafe { batch::locked::<O::Subsystem>(self.net().as_ptr()) };
        let r = f(&mut *locked, self.attrs());
        // SAFETY: as for `state`.
        unsafe { batch::hooks_after_change::<O::Subsystem>(self.net().as_ptr(), locked) }?;
        Ok(r)
    }

    /// The subsystem id the message was addressed to.
    pub fn subsys_id(&self) -> u8 {
        header::nfnl_subsys(self.nlh().nlmsg_type)
    }

    /// The `nfgenmsg` header: address family, version and resource id.
    pub fn nfgen(&self) -> (u8, u8, u16) {
        // SAFETY: nfnetlink checked that the message holds an `nfgenmsg`
        // before calling; `info->nfmsg` points at it.
        let nfmsg = unsafe { &*self.info().nfmsg };
        (
            nfmsg.nfgen_family,
            nfmsg.version,
            u16::from_be(nfmsg.res_id),
        )
    }

    /// The header of a reply of message type `msg_type`: `AF_UNSPEC`,
    /// `NFNETLINK_V0`, the request's resource id.
    fn reply_header(&self, msg_type: u8) -> Nfgen {
        let (_, _, res_id) = self.nfgen();
        Nfgen {
            subsys: self.subsys_id(),
            msg: msg_type,
            res_id,
        }
    }

    /// Starts a reply of message type `msg_type` to the sender, behind an
    /// `nfgenmsg` header (`AF_UNSPEC`, `NFNETLINK_V0`, the request's resource
    /// id).
    pub fn reply(&self, msg_type: u8) -> Result<Msg> {
        Msg::new(
            &self.reply_header(msg_type),
            self.portid(),
            self.seq(),
            bindings::RNL_NLMSG_DEFAULT_SIZE,
            Self::gfp(),
        )
    }

    /// Sends a reply started with [`Request::reply`] (`nfnetlink_unicast`).
    pub fn send_reply(&self, msg: Msg) -> Result {
        // SAFETY: the message is finished, ours and given up; the request's
        // namespace is alive for the call.
        unsafe { send::nfnl_unicast(msg.finish(), self.net().as_ptr(), self.portid()) }
    }

    /// Starts a multi-part reply of message type `msg_type`. Only for
    /// contexts that may sleep.
    pub fn reply_parts(&self, msg_type: u8) -> Result<Parts> {
        if O::KIND == CbKind::Rcu {
            return Err(EINVAL);
        }
        // SAFETY: the request's namespace is alive while it is handled,
        // which is as long as a reply to it can be sent.
        unsafe {
            Parts::new(
                self.net().as_ptr(),
                self.portid(),
                self.seq(),
                self.reply_header(msg_type),
            )
        }
    }
}

impl<'a, O: Op> core::ops::Deref for Request<'a, O> {
    type Target = Context<'a, <O::Subsystem as Subsystem>::State, O::Attrs>;

    fn deref(&self) -> &Self::Target {
        &self.ctx
    }
}
