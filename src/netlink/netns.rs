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
//! [`NetState::HOOKS`], the namespace's copy of its netfilter hook entries
//! and whether they are on ([`hook`](super::hook)), which the layer
//! connects to the state's [`HookSwitch`](super::hook::HookSwitch) once the
//! state is made. They are switched off for good in `pre_exit`:
//! unregistering does not wait for hooks running on other CPUs, but the
//! kernel waits for an RCU grace period between `pre_exit` and `exit`, so
//! no hook runs any more when `exit` drops the state.

use super::{
    bindings,
    compat::{init_pinned, pin_init_from_closure},
    hook::{HookOp, NetHooks},
};
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{error::to_result, ffi::c_int, prelude::*, sync::Arc, types::Opaque};

/// Where a state type is registered: the kernel's id for it and the
/// `pernet_operations` behind it, kept in a `static` of the module so that
/// every [`Registration`] of the type shares them.
///
/// # Invariants
///
/// `users` is `Id::BUSY` while one thread registers or unregisters `ops`,
/// 0 while they are not registered, and the number of live
/// [`Registration`]s of the type while they are. `id` and `ops` are only
/// written while `users` is `Id::BUSY`, by the thread that set it.
pub struct Id {
    id: UnsafeCell<u32>,
    users: AtomicUsize,
    ops: Opaque<bindings::pernet_operations>,
}

// SAFETY: by the type invariant, `id` and `ops` are written by one thread
// at a time, before the registration that publishes them, and only read
// by others afterwards.
unsafe impl Sync for Id {}

impl Id {
    const BUSY: usize = usize::MAX;

    /// An id not yet assigned.
    pub const fn new() -> Self {
        Self {
            id: UnsafeCell::new(0),
            users: AtomicUsize::new(0),
            ops: Opaque::uninit(),
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

/// A live network namespace, borrowed for `'a`: what the layer's
/// namespace-wide operations (notifications) take.
///
/// # Invariants
///
/// `net` is a namespace alive for `'a`.
#[derive(Clone, Copy)]
pub struct NetRef<'a> {
    net: *mut bindings::net,
    _p: PhantomData<&'a bindings::net>,
}

impl NetRef<'_> {
    /// # Safety
    ///
    /// `net` must be a namespace alive for the chosen lifetime.
    pub(crate) unsafe fn from_raw(net: *mut bindings::net) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            net,
            _p: PhantomData,
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::net {
        self.net
    }
}

/// State kept in every network namespace.
pub trait NetState: Sized + Send + Sync + 'static {
    /// Where the kernel stores the type's id: a `static` of the module.
    const ID: &'static Id;

    /// Netfilter hook points of the type (it then implements
    /// [`Hook`](super::hook::Hook)); off in a new namespace, switched by
    /// the state's [`HookSwitch`](super::hook::HookSwitch).
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
/// `hooks` is present exactly when `T::HOOKS` are not empty: `T::HOOKS`
/// in the namespace whose storage holds the slot, each with `state` as its
/// private data.
#[pin_data]
struct Slot<T> {
    hooks: Option<Arc<NetHooks>>,
    #[pin]
    state: T,
}

/// A hold on the registration of per-namespace state of type `T`.
///
/// The first hold registers `T`, creating it in every namespace; the last
/// one dropped unregisters it, dropping every namespace's `T`. A generic
/// netlink family and an nfnetlink subsystem that share a state type each
/// hold it, so either can reach the state for as long as it is registered.
///
/// # Invariants
///
/// Unless `T` is stateless, `T::ID.users` counts this hold: `T` is
/// registered while it exists, so every live namespace has a `T`.
pub struct Registration<T: NetState> {
    _p: PhantomData<T>,
}

impl<T: NetState> Registration<T> {
    /// Holds the registration of `T`, registering it if this is the first
    /// hold. Fails with `EBUSY` while another thread registers or
    /// unregisters `T`.
    pub fn new() -> impl PinInit<Self, Error> {
        const {
            assert!(
                core::mem::align_of::<Slot<T>>() <= 8,
                "net_generic() storage is only 8-byte aligned"
            )
        };
        // SAFETY: the closure initialises the whole (field-less but for a
        // marker) value on success and nothing on failure.
        unsafe {
            pin_init_from_closure(|slot: *mut Self| {
                Self::hold()?;
                // INVARIANT: the hold was counted above.
                slot.write(Self { _p: PhantomData });
                Ok(())
            })
        }
    }

    fn hold() -> Result {
        if is_stateless::<T>() {
            return Ok(());
        }
        let users = &T::ID.users;
        let mut cur = users.load(Ordering::Acquire);
        loop {
            if cur == Id::BUSY {
                return Err(EBUSY);
            }
            let next = if cur == 0 { Id::BUSY } else { cur + 1 };
            match users.compare_exchange(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) if cur == 0 => break,
                Ok(_) => return Ok(()),
                Err(now) => cur = now,
            }
        }
        // SAFETY: `users` is `BUSY`, set by this thread: nobody else
        // touches `ops` or `id` until it changes.
        let ret = unsafe { Self::register() };
        users.store(usize::from(ret.is_ok()), Ordering::Release);
        ret
    }

    /// # Safety
    ///
    /// The caller must have set `T::ID.users` to `BUSY` from 0.
    unsafe fn register() -> Result {
        let ops = T::ID.ops.get();
        // SAFETY: not registered, and nobody else uses `ops` (caller); it
        // is a `'static`, valid for writes, that never moves.
        unsafe {
            ops.write(core::mem::zeroed());
            (*ops).init = Some(init_callback::<T>);
            (*ops).pre_exit = Some(pre_exit_callback::<T>);
            (*ops).exit = Some(exit_callback::<T>);
            (*ops).id = T::ID.id.get();
            (*ops).size = core::mem::size_of::<Slot<T>>();
        }
        // SAFETY: `ops` is initialised and `'static`; the last hold
        // unregisters it. The kernel writes the id before calling `init`.
        to_result(unsafe { bindings::register_pernet_subsys(ops) })
    }
}

impl<T: NetState> Drop for Registration<T> {
    fn drop(&mut self) {
        if is_stateless::<T>() {
            return;
        }
        let users = &T::ID.users;
        // Not the last hold: only count it. The last one sets `BUSY`.
        let mut cur = users.load(Ordering::Acquire);
        loop {
            let next = if cur == 1 { Id::BUSY } else { cur - 1 };
            match users.compare_exchange(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) if cur == 1 => break,
                Ok(_) => return,
                Err(now) => cur = now,
            }
        }
        // SAFETY: registered (this was the last hold of the type
        // invariant), and `users` is `BUSY`: nothing else touches `ops`.
        // This runs `exit` in every namespace, dropping each `T`.
        unsafe { bindings::unregister_pernet_subsys(T::ID.ops.get()) };
        // Nodes the states handed to `call_rcu()` run this module's code
        // when freed: wait for them before the module can go.
        super::rcu::barrier();
        users.store(0, Ordering::Release);
    }
}

/// The storage of `T` in `net`.
///
/// # Safety
///
/// `T` must be registered and `net` alive.
unsafe fn storage<T: NetState>(net: *const bindings::net) -> *mut Slot<T> {
    // SAFETY: guaranteed by the caller; the id was assigned at registration.
    unsafe { bindings::rnl_helper_net_generic(net, T::ID.get()).cast() }
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

/// The hooks of `T` in `net`, if `T` has any.
///
/// # Safety
///
/// A [`Registration<T>`] must exist and `net` must be alive for `'a`.
pub(crate) unsafe fn hooks<'a, T: NetState>(net: *mut bindings::net) -> Option<&'a NetHooks> {
    if T::HOOKS.is_empty() {
        return None;
    }
    // SAFETY: as for `get`.
    let slot = unsafe { &*storage::<T>(net) };
    slot.hooks.as_deref()
}

/// # Safety
///
/// Only the kernel calls this, once per namespace whose `init` succeeded,
/// before the RCU grace period that precedes `exit`.
unsafe extern "C" fn pre_exit_callback<T: NetState>(net: *mut bindings::net) {
    if T::HOOKS.is_empty() {
        return;
    }
    // SAFETY: `init` succeeded for `net` and `exit` has not run.
    let slot = unsafe { &*storage::<T>(net) };
    if let Some(hooks) = &slot.hooks {
        // The state and `net` outlive this: `exit` comes a grace period
        // later.
        hooks.close();
    }
}

/// # Safety
///
/// Only the kernel calls this, for a new namespace, after allocating
/// `size_of::<T>()` zeroed bytes at `net_generic(net, id)`.
unsafe extern "C" fn init_callback<T: NetState>(net: *mut bindings::net) -> c_int {
    // SAFETY: as guaranteed by the kernel.
    kernel::error::from_result(|| unsafe { init::<T>(net) }.map(|()| 0))
}

/// Makes the slot of `T` in the new namespace `net`.
///
/// # Safety
///
/// As for [`init_callback`].
unsafe fn init<T: NetState>(net: *mut bindings::net) -> Result {
    // SAFETY: the kernel allocated the storage for this namespace.
    let slot = unsafe { storage::<T>(net) };
    // The hooks find the state through their private data.
    // SAFETY: a place inside the storage, not read here.
    let state = unsafe { core::ptr::addr_of!((*slot).state) };
    let hooks = match T::HOOKS {
        [] => None,
        all => {
            let mut ops = KVec::with_capacity(all.len(), GFP_KERNEL)?;
            for op in all {
                ops.push(op.for_state(state), GFP_KERNEL)?;
            }
            // SAFETY: `net` is alive until its `pre_exit`, which closes the
            // hooks, and the state they point to is dropped only in
            // `exit`, after it.
            Some(Arc::pin_init(
                unsafe { NetHooks::new(net, ops) },
                GFP_KERNEL,
            )?)
        }
    };
    // INVARIANT: the hooks, if any, are `T::HOOKS` for the state's address.
    let in_slot = hooks.clone();
    let init = try_pin_init!(Slot::<T> {
        hooks: in_slot,
        state <- T::new(),
    }? Error);
    // SAFETY: `slot` is valid, suitably aligned (asserted at registration)
    // and never moves; on failure the kernel frees it without calling exit.
    unsafe { init_pinned(init, slot) }?;
    if let (Some(hooks), [op, ..]) = (hooks, T::HOOKS) {
        // SAFETY: initialised just above.
        let state = unsafe { &(*slot).state };
        if let Err(e) = op.attach(state, hooks) {
            // SAFETY: initialised and not shared yet; the kernel frees the
            // storage without calling exit.
            unsafe { core::ptr::drop_in_place(slot) };
            return Err(e);
        }
    }
    Ok(())
}

/// # Safety
///
/// Only the kernel calls this, once per namespace whose `init` succeeded,
/// after which nothing uses the state.
unsafe extern "C" fn exit_callback<T: NetState>(net: *mut bindings::net) {
    // No hook sees the state any more: `pre_exit` unregistered them for
    // good, and the kernel waited for a grace period since.
    // SAFETY: `init` initialised the storage; the kernel frees it after this.
    unsafe { core::ptr::drop_in_place(storage::<T>(net)) };
}
