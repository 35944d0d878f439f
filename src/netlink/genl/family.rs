// SPDX-License-Identifier: GPL-2.0

//! Family declaration and registration.

use super::super::{
    bindings,
    init::try_ffi_init,
    netns::{self, NetState},
};
use super::{groups::Groups, ops::SplitOp};
use core::ffi::CStr;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::{error::to_result, prelude::*, types::Opaque};

/// A multicast group of a family: a `struct genl_multicast_group`.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct McGroup(bindings::genl_multicast_group);

impl McGroup {
    /// A group anyone may join.
    pub const fn new(name: &CStr) -> Self {
        Self::with_flags(name, 0)
    }

    /// A group only `CAP_NET_ADMIN` (in the socket's network namespace's
    /// user namespace) may join.
    pub const fn admin(name: &CStr) -> Self {
        Self::with_flags(name, bindings::RNL_GENL_MCAST_CAP_NET_ADMIN)
    }

    const fn with_flags(name: &CStr, flags: u8) -> Self {
        Self(bindings::genl_multicast_group {
            name: name_array(name),
            flags,
        })
    }
}

/// Copies `name` into a `GENL_NAMSIZ` array; too long a name fails the build.
const fn name_array(name: &CStr) -> [kernel::ffi::c_char; bindings::GENL_NAMSIZ as usize] {
    let bytes = name.to_bytes();
    assert!(
        bytes.len() < bindings::GENL_NAMSIZ as usize,
        "name too long"
    );
    let mut out = [0; bindings::GENL_NAMSIZ as usize];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i] as kernel::ffi::c_char;
        i += 1;
    }
    out
}

/// A generic netlink family.
///
/// Everything is constant, so the kernel's tables are built at compile time.
/// Every operation is strictly validated (`resv_start_op` is 0).
pub trait Family: Sized + 'static {
    /// The family name, at most `GENL_NAMSIZ - 1` bytes.
    const NAME: &'static CStr;
    /// The family version.
    const VERSION: u8;
    /// Whether the family works in every network namespace.
    const NETNSOK: bool = true;
    /// Whether requests run without the global `genl_mutex`.
    const PARALLEL_OPS: bool = true;
    /// State kept in every network namespace ([`NoState`](super::super::netns::NoState)
    /// for none); requests reach their namespace's through
    /// [`Context::state`](super::super::request::Context::state).
    type State: NetState;
    /// The operations, sorted by command, a do before a dump of the same one.
    const OPS: &'static [SplitOp<Self>];
    /// The multicast groups ([`NoGroups`](super::NoGroups) for none),
    /// which notifications name.
    type Groups: Groups;

    /// Called after every handler of the family returns, with its result
    /// and the request's namespace's state (the part of `post_doit` a
    /// service needs, e.g. to count requests). Requests the core rejects
    /// before a handler runs (policy, permissions) never get here.
    fn request_done(_state: &Self::State, _result: &Result) {}

    /// Where the registered family is published for notifications sent
    /// outside requests ([`notify_in`](super::notify_in)); `None` for a
    /// family that only notifies from its requests.
    const REGISTERED: Option<&'static Registered> = None;
}

/// Where a registered family is published for [`notify_in`](super::notify_in):
/// a `static` of the module.
///
/// # Invariants
///
/// `family` is null or a family registered with the core; readers use it
/// under `rcu_read_lock()`, and it is cleared, and a grace period waited
/// for, before the family is unregistered.
pub struct Registered {
    pub(super) family: AtomicPtr<bindings::genl_family>,
}

impl Registered {
    /// Not registered.
    pub const fn new() -> Self {
        Self {
            family: AtomicPtr::new(core::ptr::null_mut()),
        }
    }
}

impl Default for Registered {
    fn default() -> Self {
        Self::new()
    }
}

/// A registered generic netlink family; unregistered when dropped.
///
/// # Invariants
///
/// `family` is registered with the generic netlink core from the end of
/// [`Registration::new`] until drop.
#[pin_data(PinnedDrop)]
pub struct Registration<F: Family> {
    // Initialised first and dropped last: the state outlives the family.
    #[pin]
    family: Opaque<bindings::genl_family>,
    #[pin]
    state: netns::Registration<F::State>,
    _p: PhantomData<F>,
}

// SAFETY: the registration only hands the family to the kernel, which
// synchronises its own use; nothing in it is tied to a thread.
unsafe impl<F: Family> Send for Registration<F> {}
// SAFETY: `&Registration` offers no access to the family's mutable state.
unsafe impl<F: Family> Sync for Registration<F> {}

impl<F: Family> Registration<F> {
    /// Registers family `F`, owned by `module`, after creating its state in
    /// every network namespace.
    pub fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- netns::Registration::new(),
            family <- try_ffi_init(|slot: *mut bindings::genl_family| {
                let maxattr = F::OPS.iter().map(SplitOp::maxattr).max().unwrap_or(0);
                let n_ops = u8::try_from(F::OPS.len()).map_err(|_| EINVAL)?;
                let n_mcgrps = u8::try_from(<F::Groups as Groups>::ALL.len()).map_err(|_| EINVAL)?;
                // SAFETY: `slot` is valid for writes and pinned; all-zero is a
                // valid `genl_family` to start from.
                unsafe { slot.write(core::mem::zeroed()) };
                // SAFETY: `slot` was initialised above and nothing else
                // refers to it yet.
                let fam = unsafe { &mut *slot };
                fam.name = name_array(F::NAME);
                fam.version = F::VERSION.into();
                fam.maxattr = maxattr;
                fam.set_netnsok(F::NETNSOK.into());
                fam.set_parallel_ops(F::PARALLEL_OPS.into());
                fam.resv_start_op = 0;
                fam.split_ops = F::OPS.as_ptr().cast();
                fam.n_split_ops = n_ops;
                fam.mcgrps = <F::Groups as Groups>::ALL.as_ptr().cast();
                fam.n_mcgrps = n_mcgrps;
                fam.module = module.as_ptr().cast();
                // SAFETY: the family is fully initialised and pinned; the op,
                // policy and group arrays are `'static`. It stays registered
                // until `drop` unregisters it.
                to_result(unsafe { bindings::genl_register_family(slot) })?;
                if let Some(r) = F::REGISTERED {
                    // INVARIANT: registered just above; `drop` clears it
                    // before unregistering.
                    r.family.store(slot, Ordering::Release);
                }
                Ok(())
            }),
            _p: PhantomData,
        })
    }

    /// The family id the core assigned.
    pub fn id(&self) -> u16 {
        // SAFETY: the family is registered (type invariant); `id` is only
        // written by the core at registration.
        unsafe { (*self.family.get()).id as u16 }
    }
}

#[pinned_drop]
impl<F: Family> PinnedDrop for Registration<F> {
    fn drop(self: Pin<&mut Self>) {
        if let Some(r) = F::REGISTERED {
            r.family.store(core::ptr::null_mut(), Ordering::Release);
            // Readers found the family under `rcu_read_lock()`.
            // SAFETY: process context, no locks held.
            unsafe { bindings::synchronize_rcu() };
        }
        // SAFETY: the family is registered (type invariant). Unregistering
        // waits for running operations (it takes the generic netlink locks
        // every request holds); dumps hold a reference on the module, so
        // at module unload none is left. A registration dropped while its
        // module stays (a later step of init failing) is the owner's to
        // avoid: register a family with dumps last.
        unsafe { bindings::genl_unregister_family(self.family.get()) };
    }
}
