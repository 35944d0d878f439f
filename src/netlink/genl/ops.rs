// SPDX-License-Identifier: GPL-2.0

//! Operations: the `genl_split_ops` table and the handlers behind it.

use super::super::{attr::Set, bindings, policy};
use super::{
    dump::{self, DumpOp},
    family::Family,
    request::DoRequest,
};
use core::marker::PhantomData;
use kernel::{error::from_result, ffi::c_int, prelude::*};

/// Permission flags of an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OpFlags(u8);

impl OpFlags {
    /// Anyone may call it.
    pub const NONE: Self = Self(0);
    /// Needs `CAP_NET_ADMIN` in the initial user namespace (`GENL_ADMIN_PERM`).
    pub const ADMIN_PERM: Self = Self(bindings::GENL_ADMIN_PERM as u8);
    /// Needs `CAP_NET_ADMIN` in the user namespace owning the socket's network
    /// namespace (`GENL_UNS_ADMIN_PERM`).
    pub const UNS_ADMIN_PERM: Self = Self(bindings::GENL_UNS_ADMIN_PERM as u8);
}

/// A "do" operation: one request, at most one reply.
pub trait DoOp: Sized + 'static {
    /// The family the operation belongs to.
    type Family: Family;
    /// The request's attribute set, validated by its policy.
    type Attrs: Set;
    /// The command number.
    const CMD: u8;
    /// Permission flags.
    const FLAGS: OpFlags;

    /// Handles one request. An error becomes the request's error ACK, with
    /// whatever was set on the extack.
    fn doit(req: &mut DoRequest<'_, Self>) -> Result;
}

/// One entry of family `F`'s operation table: a `struct genl_split_ops`.
///
/// Only operations of `F` can be entries, so a handler always runs with its
/// own family's registration (and per-namespace state) in place.
#[repr(transparent)]
pub struct SplitOp<F>(bindings::genl_split_ops, PhantomData<F>);

// SAFETY: the table is immutable and only holds pointers to `'static`
// immutable data (policies) and functions.
unsafe impl<F> Sync for SplitOp<F> {}

impl<F: Family> SplitOp<F> {
    /// The table entry for the "do" handler of `O`.
    pub const fn doit<O: DoOp<Family = F>>() -> Self {
        // SAFETY: `genl_split_ops` is plain data; all zeroes is an entry with
        // no handlers, completed below.
        let mut op: bindings::genl_split_ops = unsafe { core::mem::zeroed() };
        op.__bindgen_anon_1.__bindgen_anon_1.doit = Some(doit_callback::<O>);
        op.policy = policy::as_ptr(O::Attrs::POLICY);
        op.maxattr = policy::maxattr(O::Attrs::POLICY) as u32;
        op.cmd = O::CMD;
        op.flags = bindings::GENL_CMD_CAP_DO as u8 | O::FLAGS.0;
        Self(op, PhantomData)
    }

    /// The table entry for the "dump" handlers (`start`, `dumpit`, `done`)
    /// of `O`.
    pub const fn dumpit<O: DumpOp<Family = F>>() -> Self {
        // SAFETY: as in `doit`.
        let mut op: bindings::genl_split_ops = unsafe { core::mem::zeroed() };
        op.__bindgen_anon_1.__bindgen_anon_2 =
            bindings::genl_split_ops__bindgen_ty_1__bindgen_ty_2 {
                start: Some(dump::start_callback::<O>),
                dumpit: Some(dump::dumpit_callback::<O>),
                done: Some(dump::done_callback::<O>),
            };
        op.policy = policy::as_ptr(O::Attrs::POLICY);
        op.maxattr = policy::maxattr(O::Attrs::POLICY) as u32;
        op.cmd = O::CMD;
        op.flags = bindings::GENL_CMD_CAP_DUMP as u8 | O::FLAGS.0;
        Self(op, PhantomData)
    }

    pub(crate) fn maxattr(&self) -> u32 {
        self.0.maxattr
    }
}

/// Called by the generic netlink core for a request of `O::CMD`.
///
/// # Safety
///
/// Only the core calls this, with a valid `info` for the call, after
/// validating the attributes against `O::Attrs`'s policy into `info->attrs`
/// (`O::Attrs::MAX + 1` entries).
unsafe extern "C" fn doit_callback<O: DoOp>(
    _skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    // SAFETY: the core passes a valid `info` for the duration of a call of
    // `O`, with the attributes validated as `DoRequest::new` requires.
    let mut req = unsafe { DoRequest::<O>::new(info) };
    from_result(|| {
        let result = O::doit(&mut req);
        O::Family::request_done(req.state(), &result);
        result.map(|()| 0)
    })
}
