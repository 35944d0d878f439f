// SPDX-License-Identifier: GPL-2.0

//! What every handler knows of its request, generic netlink or nfnetlink.
//!
//! A generic netlink [`DoRequest`](super::genl::DoRequest) and
//! [`Dump`](super::genl::Dump) and an nfnetlink
//! [`Request`](super::nfnl::Request) dereference to a [`Context`]: the
//! request's validated attributes, its extack, its sender and its network
//! namespace with the state kept there. Each adds only what its protocol
//! has besides.

use super::{
    attr::{Set, Table},
    bindings,
    extack::ExtAck,
    netns::{self, NetRef, NetState},
};
use core::marker::PhantomData;

/// The typed view of the attributes the kernel parsed a request into.
///
/// # Safety
///
/// `tb` must be null or point to the `A::POLICY.len()` entries the kernel
/// parsed the request into and validated against `A`'s policy, each null or
/// an attribute of its index's type, valid for `'a`; `extack` must be
/// valid for `'a`.
pub(crate) unsafe fn attrs<'a, A: Set>(
    tb: *const *mut bindings::nlattr,
    extack: ExtAck<'a>,
) -> A::View<'a> {
    // SAFETY: guaranteed by the caller.
    A::view(unsafe { Table::from_raw(tb, A::POLICY.len(), extack) })
}

/// The part of a request every handler sees: attributes of set `A`, and
/// state `S` kept in the request's network namespace.
///
/// # Invariants
///
/// For `'a`, `net` is alive and a registration of `S` (a family's or a
/// subsystem's) keeps `S` registered in it.
pub struct Context<'a, S: NetState, A: Set> {
    attrs: A::View<'a>,
    extack: ExtAck<'a>,
    net: NetRef<'a>,
    portid: u32,
    seq: u32,
    _state: PhantomData<&'a S>,
}

impl<'a, S: NetState, A: Set> Context<'a, S, A> {
    /// The context of a request from port `portid`, with sequence number
    /// `seq`, in `net`.
    ///
    /// # Safety
    ///
    /// `tb` and `extack` must be the request's, as [`attrs`] requires, and
    /// `net` its namespace, alive, with `S` registered in it, for `'a`.
    pub(crate) unsafe fn new(
        tb: *const *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
        net: *mut bindings::net,
        portid: u32,
        seq: u32,
    ) -> Self {
        // SAFETY: guaranteed by the caller.
        let extack = unsafe { ExtAck::from_raw(extack) };
        // INVARIANT: guaranteed by the caller.
        Self {
            // SAFETY: guaranteed by the caller.
            attrs: unsafe { attrs::<A>(tb, extack) },
            extack,
            // SAFETY: guaranteed by the caller.
            net: unsafe { NetRef::from_raw(net) },
            portid,
            seq,
            _state: PhantomData,
        }
    }

    /// The validated attributes.
    pub fn attrs(&self) -> &A::View<'a> {
        &self.attrs
    }

    /// The request's extack, for error messages.
    pub fn extack(&self) -> ExtAck<'a> {
        self.extack
    }

    /// The sender's port id.
    pub fn portid(&self) -> u32 {
        self.portid
    }

    /// The request's sequence number, which replies carry.
    pub(crate) fn seq(&self) -> u32 {
        self.seq
    }

    /// The request's network namespace.
    pub fn net(&self) -> NetRef<'a> {
        self.net
    }

    /// The state in the request's network namespace.
    pub fn state(&self) -> &'a S {
        // SAFETY: by the type invariants the namespace is alive and `S`
        // registered in it for `'a`.
        unsafe { netns::get(self.net.as_ptr()) }
    }
}
