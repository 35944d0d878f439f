// SPDX-License-Identifier: GPL-2.0

//! Per-network-namespace state.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)
//!
//! A [`NetState`] type is created in every network namespace, existing and
//! future, when its [`Registration`] is made, and destroyed with the
//! namespace or when the registration is dropped (`pernet_operations` with
//! `.id` and `.size`: the kernel allocates the storage, `net_generic()`
//! finds it). A generic netlink family names its state as
//! [`Family::State`](super::genl::Family::State); its requests reach the
//! state of their own namespace.
//!
//! Each namespace's storage holds the state and, for a state with
//! [`NetState::HOOKS`], whether its netfilter hooks are on
//! ([`hook`](super::hook)); they are switched off before the state is
//! dropped.

use super::{bindings, hook::HookOp, init::try_ffi_init};
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    error::to_result, ffi::c_int, init::PinInit, new_mutex, prelude::*, sync::Mutex, types::Opaque,
};

/// The id the kernel assigns a registered state type.
///
/// # Invariants
///
/// `id` is written only by `register_pernet_subsys()`, while `busy` keeps
/// any other registration of the type out, before any reader can see it.
pub struct Id {
    id: UnsafeCell<u32>,
    busy: AtomicBool,
}

// SAFETY: by the type invariant, the value is written once, before the
// registration that publishes it, and only read afterwards.
unsafe impl Sync for Id {}

impl Id {
    /// An id not yet assigned.
    pub const fn new() -> Self {
        Self {
            id: UnsafeCell::new(0),
            busy: AtomicBool::new(false),
        }
    }

    fn get(&self) -> u32 {
        // SAFETY: by the type invariant no write races this read.
        unsafe { *self.id.get() }
    }
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

/// State kept in every network namespace.
pub trait NetState: Sized + Send + Sync + 'static {
    /// Where the kernel stores the type's id: a `static` of the module.
    const ID: &'static Id;

    /// Netfilter hook points of the type (it then implements
    /// [`Hook`](super::hook::Hook)); off in a new namespace.
    const HOOKS: &'static [HookOp<Self>] = &[];

    /// Initialises the state of a new namespace.
    fn new() -> impl PinInit<Self, Error>;
}

/// No per-namespace state.
pub struct NoState;

static NO_STATE: Id = Id::new();

impl NetState for NoState {
    const ID: &'static Id = &NO_STATE;
    fn new() -> impl PinInit<Self, Error> {
        try_init!(Self {})
    }
}

/// Whether `T` needs no storage: no data and no hooks.
fn is_stateless<T: NetState>() -> bool {
    core::mem::size_of::<T>() == 0 && T::HOOKS.is_empty()
}

/// What the layer keeps in each namespace for `T`.
///
/// # Invariants
///
/// While `hooks_on` holds `true`, `T::HOOKS` are registered in the
/// namespace whose storage holds the slot.
#[pin_data]
struct Slot<T> {
    #[pin]
    hooks_on: Mutex<bool>,
    #[pin]
    state: T,
}

/// Registered per-namespace state of type `T`; unregistered (every
/// namespace's state dropped) when dropped.
///
/// # Invariants
///
/// Unless `T` is zero-sized, `ops` is registered from the end of
/// [`Registration::new`] until drop, so every namespace has a `T`.
#[pin_data(PinnedDrop)]
pub struct Registration<T: NetState> {
    #[pin]
    ops: Opaque<bindings::pernet_operations>,
    _p: PhantomData<T>,
}

// SAFETY: the kernel synchronises its use of the operations.
unsafe impl<T: NetState> Send for Registration<T> {}
// SAFETY: `&Registration` offers no access to mutable state.
unsafe impl<T: NetState> Sync for Registration<T> {}

impl<T: NetState> Registration<T> {
    /// Registers `T`: creates it in every existing namespace, and in every
    /// new one from now on. A zero-sized `T` needs nothing registered.
    pub fn new() -> impl PinInit<Self, Error> {
        const {
            assert!(
                core::mem::align_of::<Slot<T>>() <= 8,
                "net_generic() storage is only 8-byte aligned"
            )
        };
        try_pin_init!(Self {
            ops <- try_ffi_init(|slot: *mut bindings::pernet_operations| {
                // SAFETY: `slot` is valid for writes and pinned; all-zero is a
                // valid `pernet_operations` to start from.
                unsafe { slot.write(core::mem::zeroed()) };
                if is_stateless::<T>() {
                    return Ok(());
                }
                // One registration per type at a time: a second would
                // overwrite the id the first one's users read.
                if T::ID.busy.swap(true, Ordering::AcqRel) {
                    return Err(EBUSY);
                }
                // SAFETY: initialised above, not shared yet.
                let ops = unsafe { &mut *slot };
                ops.init = Some(init_callback::<T>);
                ops.exit = Some(exit_callback::<T>);
                ops.id = T::ID.id.get();
                ops.size = core::mem::size_of::<Slot<T>>();
                // SAFETY: `ops` is initialised and pinned; `drop`
                // unregisters it. The id is a `'static` the kernel writes
                // before calling `init`, with `busy` held.
                let ret = kernel::error::to_result(unsafe { bindings::register_pernet_subsys(slot) });
                if ret.is_err() {
                    T::ID.busy.store(false, Ordering::Release);
                }
                ret
            }),
            _p: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: NetState> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        if !is_stateless::<T>() {
            // SAFETY: registered (type invariant). This runs `exit` in every
            // namespace, dropping each `T`.
            unsafe { bindings::unregister_pernet_subsys(self.ops.get()) };
            T::ID.busy.store(false, Ordering::Release);
        }
    }
}

/// The storage of `T` in `net`.
///
/// # Safety
///
/// `T` must be registered and `net` alive.
unsafe fn storage<T: NetState>(net: *const bindings::net) -> *mut Slot<T> {
    // SAFETY: guaranteed by the caller; the id was assigned at registration.
    unsafe { bindings::nlrs_helper_net_generic(net, T::ID.get()).cast() }
}

/// The state of `T` in `net`.
///
/// # Safety
///
/// A [`Registration<T>`] must exist and `net` must be alive for `'a`.
pub(crate) unsafe fn get<'a, T: NetState>(net: *const bindings::net) -> &'a T {
    if is_stateless::<T>() {
        // SAFETY: any aligned non-null pointer is a valid zero-sized `T`.
        return unsafe { core::ptr::NonNull::<T>::dangling().as_ref() };
    }
    // SAFETY: registered and alive per the caller, so `init` ran for `net`
    // and `exit` has not; the storage holds an initialised slot.
    unsafe { &(*storage::<T>(net)).state }
}

/// Switches the netfilter hooks of `T` in `net` on or off.
///
/// # Safety
///
/// A [`Registration<T>`] must exist and `net` must be alive for the call.
pub(crate) unsafe fn set_hooks<T: NetState>(net: *mut bindings::net, on: bool) -> Result {
    if T::HOOKS.is_empty() {
        return Ok(());
    }
    // SAFETY: as for `get`.
    let slot = unsafe { &*storage::<T>(net) };
    let mut hooks_on = slot.hooks_on.lock();
    if *hooks_on == on {
        return Ok(());
    }
    let (ops, n) = (HookOp::as_raw(T::HOOKS), T::HOOKS.len() as u32);
    if on {
        // SAFETY: `ops` is a `'static` array of `n` entries; `net` is
        // alive. They are unregistered before the slot goes (`exit`).
        to_result(unsafe { bindings::nf_register_net_hooks(net, ops, n) })?;
    } else {
        // SAFETY: registered, by the type invariant of `Slot`; this waits
        // for running hooks.
        unsafe { bindings::nf_unregister_net_hooks(net, ops, n) };
    }
    // INVARIANT: the hooks are registered exactly when this says so.
    *hooks_on = on;
    Ok(())
}

/// # Safety
///
/// Only the kernel calls this, for a new namespace, after allocating
/// `size_of::<T>()` zeroed bytes at `net_generic(net, id)`.
unsafe extern "C" fn init_callback<T: NetState>(net: *mut bindings::net) -> c_int {
    // SAFETY: the kernel allocated the storage for this namespace.
    let slot = unsafe { storage::<T>(net) };
    // INVARIANT: the hooks start off.
    let init = try_pin_init!(Slot::<T> {
        hooks_on <- new_mutex!(false, "nlrs_hooks"),
        state <- T::new(),
    }? Error);
    // SAFETY: `slot` is valid, suitably aligned (asserted at registration)
    // and never moves; on failure the kernel frees it without calling exit.
    match unsafe { init.__pinned_init(slot) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Only the kernel calls this, once per namespace whose `init` succeeded,
/// after which nothing uses the state.
unsafe extern "C" fn exit_callback<T: NetState>(net: *mut bindings::net) {
    // No hook may see the state once its drop begins. Switching off cannot
    // fail.
    // SAFETY: `init` succeeded for `net`, and the registration exists while
    // the kernel runs its exit callbacks.
    let _ = unsafe { set_hooks::<T>(net, false) };
    // SAFETY: `init` initialised the storage; the kernel frees it after this.
    unsafe { core::ptr::drop_in_place(storage::<T>(net)) };
}
