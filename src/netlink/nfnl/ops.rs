// SPDX-License-Identifier: GPL-2.0

//! The callback table and the handlers behind it.

use super::super::{attr::Set, bindings, policy};
use super::{request::Request, subsystem::Subsystem};
use kernel::{error::from_result, ffi::c_int, prelude::*};

/// The most attribute types an nfnetlink message may have
/// (`NFNL_MAX_ATTR_COUNT`, private to `net/netfilter/nfnetlink.c`, whose
/// registration WARNs on more).
pub const MAX_ATTR_COUNT: u16 = 32;

/// The context a callback runs in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CbKind {
    /// Under the subsystem's mutex: may sleep.
    Mutex,
    /// Under `rcu_read_lock()`: must not sleep; allocations are atomic.
    Rcu,
    /// Inside a batch only, with the subsystem's [`BatchLock`] held: may
    /// sleep. The subsystem must implement [`Batch`].
    ///
    /// [`BatchLock`]: super::BatchLock
    /// [`Batch`]: super::Batch
    Batch,
}

/// A message type the subsystem handles.
pub trait Op: Sized + 'static {
    /// The subsystem the message type belongs to.
    type Subsystem: Subsystem;
    /// The message's attribute set.
    type Attrs: Set;
    /// The message type (low byte of `nlmsg_type`).
    const MSG: u8;
    /// The context the handler runs in.
    const KIND: CbKind;

    /// Handles one message. An error becomes the message's error ACK.
    fn call(req: &mut Request<'_, Self>) -> Result;
}

/// A callback declaration: a message type and its `struct nfnl_callback`.
#[derive(Clone, Copy)]
pub struct Callback {
    msg: u8,
    raw: RawCallback,
}

/// A `struct nfnl_callback`, as the kernel reads it.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct RawCallback(bindings::nfnl_callback);

// SAFETY: the table is immutable and only points to `'static` immutable data
// and functions.
unsafe impl Sync for RawCallback {}

impl RawCallback {
    const EMPTY: Self = {
        // SAFETY: all zeroes is a callback with no handler, which nfnetlink
        // answers with -EINVAL.
        Self(unsafe { core::mem::zeroed() })
    };
}

impl Callback {
    /// The callback of `O`.
    pub const fn op<O: Op>() -> Self {
        let max = policy::maxattr(O::Attrs::POLICY);
        assert!(
            max <= MAX_ATTR_COUNT,
            "nfnetlink takes at most NFNL_MAX_ATTR_COUNT attributes"
        );
        let mut raw = RawCallback::EMPTY;
        raw.0.call = Some(call_callback::<O>);
        raw.0.policy = policy::as_ptr(O::Attrs::POLICY);
        raw.0.attr_count = max;
        raw.0.type_ = match O::KIND {
            CbKind::Mutex => bindings::nfnl_callback_type_NFNL_CB_MUTEX,
            CbKind::Rcu => bindings::nfnl_callback_type_NFNL_CB_RCU,
            CbKind::Batch => {
                assert!(
                    O::Subsystem::BATCH.is_some(),
                    "batch callbacks need a subsystem with batch support"
                );
                bindings::nfnl_callback_type_NFNL_CB_BATCH
            }
        };
        Self { msg: O::MSG, raw }
    }

    /// A message type the kernel only sends (a notification): requests of it
    /// get `EINVAL`.
    pub const fn notify_only(msg: u8) -> Self {
        Self {
            msg,
            raw: RawCallback::EMPTY,
        }
    }
}

/// Builds a callback table of `N` message types, entry `t` for type `t`;
/// types not declared have no handler. A type declared twice or out of range
/// fails the build.
pub const fn callbacks<const N: usize>(decls: &[Callback]) -> [RawCallback; N] {
    let mut t = [RawCallback::EMPTY; N];
    let mut seen = [false; N];
    let mut i = 0;
    while i < decls.len() {
        let m = decls[i].msg as usize;
        assert!(m < N, "message type above the table size");
        assert!(!seen[m], "message type declared twice");
        seen[m] = true;
        t[m] = decls[i].raw;
        i += 1;
    }
    t
}

/// Called by nfnetlink for a message of `O::MSG`.
///
/// # Safety
///
/// Only nfnetlink calls this, with valid `skb`, `info` and `cda` for the
/// call, `cda` holding `O::Attrs::MAX + 1` entries parsed and validated
/// against `O::Attrs`'s policy, in the context `O::KIND` names.
unsafe extern "C" fn call_callback<O: Op>(
    skb: *mut bindings::sk_buff,
    info: *const bindings::nfnl_info,
    cda: *const *const bindings::nlattr,
) -> c_int {
    // SAFETY: nfnetlink passes the valid arguments of a callback of `O`,
    // in the context `O::KIND` names, `cda` validated as `Request::new`
    // requires.
    let mut req = unsafe { Request::<O>::new(skb, info, cda) };
    from_result(|| {
        let ret = O::call(&mut req);
        if ret.is_err() && O::KIND == CbKind::Batch {
            if let Some(b) = <O::Subsystem as Subsystem>::BATCH {
                // SAFETY: a batch callback of `O::Subsystem` (its `BATCH`
                // are its own functions), with the message's namespace and
                // extack.
                unsafe { (b.keep_msg)((*info).net, (*info).extack) };
            }
        }
        match ret {
            // In a batch, EAGAIN means "replay the batch" to nfnetlink.
            Err(e) if O::KIND == CbKind::Batch && e == EAGAIN => Err(EBUSY),
            r => r.map(|()| 0),
        }
    })
}
