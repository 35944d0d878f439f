// SPDX-License-Identifier: GPL-2.0

//! Read-copy update: read-side critical sections, and values published to
//! readers that a writer replaces whole.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)
//!
//! A [`Pointer`] holds one boxed value ([`RcuBox`]) that readers borrow
//! inside a read-side critical section ([`ReadSection`]), without locks,
//! atomics beyond one load, or allocation, from any context. A writer
//! builds a new value aside and swaps it in ([`Pointer::replace`]); the old
//! one is dropped by `call_rcu()`, after every reader that could still see
//! it is done. This is `rcu_replace_pointer()` plus `kfree_rcu()`, for a
//! value of any type.
//!
//! # Examples
//!
//! ```ignore
//! let table: Pointer<Ports> = Pointer::new();
//! table.replace(Some(RcuBox::new(Ports::from(&config)?, GFP_KERNEL)?));
//! rcu::read(|s| table.get(s).is_some_and(|p| p.contains(80)));
//! ```

use super::bindings;
use core::{
    marker::PhantomData,
    ops::{Deref, DerefMut},
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{alloc::Flags, prelude::*, types::Opaque};

/// Proof that the holder runs inside an RCU read-side critical section for
/// as long as `'a`: netfilter hooks, for instance, are called under
/// `rcu_read_lock()`. Readers given one need not take the lock again.
pub struct ReadSection<'a>(PhantomData<&'a ()>);

impl ReadSection<'_> {
    /// # Safety
    ///
    /// The caller must be inside an RCU read-side critical section that
    /// lasts as long as the returned value's lifetime.
    pub(crate) unsafe fn assume() -> Self {
        Self(PhantomData)
    }
}

/// Runs `f` inside an RCU read-side critical section (`rcu_read_lock()` to
/// `rcu_read_unlock()`), which it must not sleep in.
pub fn read<R>(f: impl FnOnce(&ReadSection<'_>) -> R) -> R {
    // SAFETY: FFI call without preconditions; paired below.
    unsafe { bindings::rnl_helper_rcu_read_lock() };
    // SAFETY: inside the section just entered, until the unlock below;
    // `f` cannot keep the token past its call.
    let r = f(&unsafe { ReadSection::assume() });
    // SAFETY: paired with the lock above.
    unsafe { bindings::rnl_helper_rcu_read_unlock() };
    r
}

/// Waits until every callback queued with `call_rcu()` so far has run
/// (`rcu_barrier()`). Sleeps.
pub fn barrier() {
    // SAFETY: no preconditions beyond process context, which sleeping
    // callers are in.
    unsafe { bindings::rcu_barrier() }
}

/// A value boxed for publishing through a [`Pointer`], with room for the
/// RCU callback that drops it once it is replaced. The writer fills it
/// through `DerefMut` while it is still its own.
#[repr(C)]
pub struct RcuBox<T> {
    rcu: Opaque<bindings::callback_head>,
    value: T,
}

impl<T> RcuBox<T> {
    /// Boxes `value`, unpublished.
    pub fn new(value: T, flags: Flags) -> Result<KBox<Self>> {
        Ok(KBox::new(
            Self {
                rcu: Opaque::uninit(),
                value,
            },
            flags,
        )?)
    }
}

// SAFETY: the box owns its value; `rcu` is only handed to `call_rcu()`
// once, by the pointer that gave the box up, and is never read in Rust.
unsafe impl<T: Send> Send for RcuBox<T> {}
// SAFETY: `&RcuBox` gives access to `&T` only.
unsafe impl<T: Sync> Sync for RcuBox<T> {}

impl<T> Deref for RcuBox<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for RcuBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// An owned value that readers borrow under RCU and a writer replaces
/// whole: a `__rcu` pointer of C.
///
/// `T`'s destructor runs in an RCU callback, in softirq context: it must
/// not sleep (`kvfree()`, `free_percpu()` and dropping an `Arc` are fine).
///
/// # Invariants
///
/// `ptr` is null or a box leaked from a `KBox<RcuBox<T>>` that the pointer
/// owns; a box it gave up is dropped only after a grace period.
pub struct Pointer<T: Send + Sync> {
    ptr: AtomicPtr<RcuBox<T>>,
}

impl<T: Send + Sync> Pointer<T> {
    /// An empty pointer.
    pub const fn new() -> Self {
        // INVARIANT: null.
        Self {
            ptr: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The value published now, if any, for as long as the read-side
    /// critical section `_section` lasts.
    pub fn get<'a>(&'a self, _section: &'a ReadSection<'_>) -> Option<&'a T> {
        // Acquire pairs with the release in `replace`: the value is seen
        // initialised (`rcu_dereference()`).
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: a non-null `p` is a box the pointer owned when loaded
        // (type invariant); it is dropped no earlier than a grace period
        // after it is replaced, and `_section` lasts as long as the borrow.
        (!p.is_null()).then(|| unsafe { &(*p).value })
    }

    /// Publishes `new` (nothing when `None`): readers from now on see it.
    /// The value it replaces is dropped once every reader that could see
    /// it is done. Writers may race; each old value is dropped once.
    pub fn replace(&self, new: Option<KBox<RcuBox<T>>>) {
        let new = new.map_or(ptr::null_mut(), KBox::into_raw);
        // INVARIANT: the pointer owns `new` from now on. Release orders
        // its initialisation before any reader can reach it
        // (`rcu_assign_pointer()`).
        let old = self.ptr.swap(new, Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: `old` was owned by the pointer and is no longer
            // reachable through it; only readers that loaded it before the
            // swap can see it, and `drop_box` runs after they are done.
            unsafe { bindings::call_rcu((*old).rcu.get(), Some(drop_box::<T>)) };
        }
    }
}

impl<T: Send + Sync> Default for Pointer<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync> Drop for Pointer<T> {
    fn drop(&mut self) {
        // Readers may still hold the value: it goes after a grace period
        // like any replaced one. The module's exit waits for such drops
        // (`rcu_barrier()`, see `netns`).
        self.replace(None);
    }
}

// SAFETY: the pointer owns its value, which is `Send`; it is dropped on
// whichever CPU runs the RCU callback.
unsafe impl<T: Send + Sync> Send for Pointer<T> {}
// SAFETY: `&Pointer` gives readers `&T` only (`T: Sync`), and `replace`
// is an atomic swap.
unsafe impl<T: Send + Sync> Sync for Pointer<T> {}

/// Drops a replaced box after the grace period that followed.
///
/// # Safety
///
/// Only `call_rcu()` calls this, with the `rcu` field of a box leaked from
/// a `KBox<RcuBox<T>>` and unreachable since before the grace period
/// began.
unsafe extern "C" fn drop_box<T>(head: *mut bindings::callback_head) {
    // `rcu` is the first field of the `repr(C)` box.
    let b = head.cast::<RcuBox<T>>();
    // SAFETY: no reader can see the box any more, and nobody else owns it.
    drop(unsafe { KBox::from_raw(b) });
}
