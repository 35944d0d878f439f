// SPDX-License-Identifier: GPL-2.0

//! One nfnetlink message and what a handler can answer with.

use super::ops::{CbKind, Op};
use crate::netlink::{
    attr::Set,
    bindings,
    error::emsgsize,
    extack::ExtAck,
    msg::{self, End, Msg},
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
            CbKind::Mutex => bindings::NLRS_GFP_KERNEL,
            CbKind::Rcu => bindings::NLRS_GFP_ATOMIC,
        }
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
        unsafe { bindings::nlrs_helper_netlink_portid(self.skb) }
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
        let res_id = unsafe { bindings::nlrs_helper_nfgenmsg_res_id(nfmsg) };
        (nfmsg.nfgen_family, nfmsg.version, res_id)
    }

    /// Starts a reply of message type `msg_type` to the sender, behind an
    /// `nfgenmsg` header (`AF_UNSPEC`, `NFNETLINK_V0`, the request's resource
    /// id).
    pub fn reply(&self, msg_type: u8) -> Result<Msg> {
        let skb = msg::alloc(bindings::NLRS_NLMSG_DEFAULT_SIZE, Self::gfp())?;
        let ty = (u16::from(self.subsys_id()) << 8) | u16::from(msg_type);
        let (_, _, res_id) = self.nfgen();
        // SAFETY: `skb` is fresh and has room for the headers.
        let nlh = unsafe {
            bindings::nlrs_helper_nfnl_msg_put(
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
