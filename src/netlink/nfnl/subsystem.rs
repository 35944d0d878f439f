// SPDX-License-Identifier: GPL-2.0

//! Subsystem declaration and registration.

use super::super::{bindings, init::try_ffi_init, netns};
use super::{batch::BatchFns, ops::RawCallback};
use core::ffi::CStr;
use core::marker::PhantomData;
use kernel::{error::to_result, prelude::*, types::Opaque};

/// An nfnetlink subsystem.
pub trait Subsystem: Sized + 'static {
    /// The subsystem's name, for diagnostics.
    const NAME: &'static CStr;
    /// The callback table, built with [`callbacks`](super::callbacks):
    /// entry `t` handles message type `t`.
    const CALLBACKS: &'static [RawCallback];
    /// The per-namespace state the callbacks reach
    /// ([`Context::state`](super::super::request::Context::state));
    /// registered for as long as the subsystem is.
    type State: netns::NetState;
    /// The batch callbacks, `BatchFns::of::<Self>()` for a subsystem that
    /// implements [`Batch`](super::Batch); `None` refuses batches
    /// (`EOPNOTSUPP`).
    const BATCH: Option<BatchFns> = None;
}

/// A registered nfnetlink subsystem; unregistered when dropped.
///
/// # Invariants
///
/// `subsys` is registered with nfnetlink from the end of
/// [`Registration::new`] until drop. `state` holds `S::State` registered
/// until after that (fields drop after `PinnedDrop::drop`).
#[pin_data(PinnedDrop)]
pub struct Registration<S: Subsystem> {
    #[pin]
    state: netns::Registration<S::State>,
    #[pin]
    subsys: Opaque<bindings::nfnetlink_subsystem>,
    _p: PhantomData<S>,
}

// SAFETY: the registration only hands the subsystem to the kernel, which
// synchronises its own use.
unsafe impl<S: Subsystem> Send for Registration<S> {}
// SAFETY: `&Registration` offers no access to mutable state.
unsafe impl<S: Subsystem> Sync for Registration<S> {}

impl<S: Subsystem> Registration<S> {
    /// Registers subsystem `S` under `id`, owned by `module`.
    ///
    /// Fails with `EINVAL` if `id` is 0 (`NFNL_SUBSYS_NONE`, whose message
    /// types 0..15 are netlink control types nfnetlink never dispatches) or
    /// not below `NFNL_SUBSYS_COUNT` (which nfnetlink itself does not
    /// check), and with `EBUSY` if another subsystem holds it; all are
    /// logged.
    pub fn new(module: &'static ThisModule, id: u8) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- netns::Registration::new(),
            subsys <- try_ffi_init(|slot: *mut bindings::nfnetlink_subsystem| {
                if id == 0 || u32::from(id) >= bindings::NFNL_SUBSYS_COUNT {
                    pr_err!(
                        "{:?}: nfnetlink subsystem id {} out of range (1..{})\n",
                        S::NAME,
                        id,
                        bindings::NFNL_SUBSYS_COUNT - 1
                    );
                    return Err(EINVAL);
                }
                let cb_count = u8::try_from(S::CALLBACKS.len()).map_err(|_| EINVAL)?;
                // SAFETY: `slot` is valid for writes and pinned; all-zero is a
                // valid `nfnetlink_subsystem` to start from.
                unsafe { slot.write(core::mem::zeroed()) };
                // SAFETY: `slot` was initialised above and is not shared yet.
                let ss = unsafe { &mut *slot };
                // The bytes' address, not `CStr::as_ptr()`: 7.3's clippy
                // rejects that for the kernel's unsigned `char`.
                ss.name = S::NAME.to_bytes_with_nul().as_ptr().cast();
                ss.subsys_id = id;
                ss.cb_count = cb_count;
                ss.cb = S::CALLBACKS.as_ptr().cast();
                ss.owner = module.as_ptr().cast();
                if let Some(b) = S::BATCH {
                    ss.commit = Some(b.commit);
                    ss.abort = Some(b.abort);
                    ss.valid_genid = Some(b.valid_genid);
                }
                // SAFETY: the subsystem is initialised and pinned, `id` is in
                // range, every callback's `attr_count` is at most
                // `NFNL_MAX_ATTR_COUNT` (checked when the table was built), and
                // the table is `'static`. `drop` unregisters it.
                let ret = unsafe { bindings::nfnetlink_subsys_register(slot) };
                if ret == EBUSY.to_errno() {
                    pr_err!("{:?}: nfnetlink subsystem id {} is taken\n", S::NAME, id);
                }
                to_result(ret)
            }),
            _p: PhantomData,
        })
    }
}

#[pinned_drop]
impl<S: Subsystem> PinnedDrop for Registration<S> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: the subsystem is registered (type invariant). Unregistering
        // waits (`synchronize_rcu()`) for callbacks still running against it.
        unsafe { bindings::nfnetlink_subsys_unregister(self.subsys.get()) };
    }
}
