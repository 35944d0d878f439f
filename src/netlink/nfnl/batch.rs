// SPDX-License-Identifier: GPL-2.0

//! nfnetlink batches: all-or-nothing groups of changes.
//!
//! A batch is a `NFNL_MSG_BATCH_BEGIN` message whose `res_id` names the
//! subsystem, the subsystem's messages, and `NFNL_MSG_BATCH_END`. nfnetlink
//! calls `valid_genid` first, then each message's callback (of
//! [`CbKind::Batch`](super::CbKind::Batch)), then `commit` if the batch
//! ended and every message succeeded, and `abort` otherwise; every message
//! that failed gets its own error ACK.
//!
//! A subsystem that takes batches implements [`Batch`]: its per-namespace
//! state keeps what batches change in a [`BatchLock`]. The layer takes the
//! lock in `valid_genid` and holds it across the batch's callbacks until
//! `commit` or `abort` returns, as `nf_tables` holds its `commit_mutex`, so
//! no other batch or lock holder sees a half-applied batch. Callbacks stage
//! their changes ([`Request::with_locked`](super::Request::with_locked)); [`Batch::commit`]
//! makes them final and cannot fail; [`Batch::abort`] undoes them.

use super::super::{bindings, netns};
use super::subsystem::Subsystem;
use core::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
};
use kernel::{ffi::c_int, prelude::*, types::Opaque};

/// Error messages of one batch, kept until nfnetlink sends them.
///
/// nfnetlink copies each failed message's extack by value and sends the
/// copies after the batch, but a formatted message (`NL_SET_ERR_MSG_FMT`)
/// points into the `_msg_buf` of the original, a local it reuses for every
/// message: the text would be lost. The layer moves formatted messages
/// here, where they stay until a later batch of the namespace reuses the
/// slot; past [`MSG_SLOTS`] formatted errors in one batch, the rest keep
/// only their errno and attribute.
struct MsgRing {
    slots: [[u8; MSG_LEN]; MSG_SLOTS],
    used: usize,
}

/// Formatted messages kept per batch.
const MSG_SLOTS: usize = 16;
/// The size of a formatted message (`NETLINK_MAX_FMTMSG_LEN`).
const MSG_LEN: usize = 80;

/// Data behind a mutex that a batch holds from its start to its commit or
/// abort; [`BatchLock::lock`] takes it outside batches.
///
/// # Invariants
///
/// `mutex` is initialised; `data` and `msgs` are only accessed by the
/// holder of `mutex` (and `msgs`' text by nfnetlink when it sends the
/// errors).
#[pin_data(PinnedDrop)]
pub struct BatchLock<T> {
    #[pin]
    mutex: Opaque<bindings::mutex>,
    data: UnsafeCell<T>,
    msgs: UnsafeCell<MsgRing>,
}

// SAFETY: the data moves with the lock; `T: Send` allows that.
unsafe impl<T: Send> Send for BatchLock<T> {}
// SAFETY: the mutex serialises every access to the data.
unsafe impl<T: Send> Sync for BatchLock<T> {}

impl<T> BatchLock<T> {
    /// `data`, behind an unlocked mutex.
    pub fn new(data: T) -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `mutex_init()` initialises the pinned mutex in place.
            mutex <- Opaque::ffi_init(|m| unsafe { bindings::rnl_helper_mutex_init(m) }),
            data: UnsafeCell::new(data),
            msgs: UnsafeCell::new(MsgRing {
                slots: [[0; MSG_LEN]; MSG_SLOTS],
                used: 0,
            }),
        })
    }

    /// Takes the lock; sleeps until it is free.
    pub fn lock(&self) -> BatchGuard<'_, T> {
        // SAFETY: the mutex is initialised (type invariant).
        unsafe { bindings::rnl_helper_mutex_lock(self.mutex.get()) };
        // INVARIANT: we hold the mutex until the guard drops.
        BatchGuard { lock: self }
    }

    /// # Safety
    ///
    /// The caller must hold the mutex for `'a`, with no other reference to
    /// the data alive.
    unsafe fn data_mut<'a>(&'a self) -> &'a mut T {
        // SAFETY: guaranteed by the caller.
        unsafe { &mut *self.data.get() }
    }
}

#[pinned_drop]
impl<T> PinnedDrop for BatchLock<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: nobody holds an unlocked-and-dropped mutex: holders
        // borrow the lock, and batches end before a namespace's state goes.
        unsafe { bindings::rnl_helper_mutex_destroy(self.mutex.get()) };
    }
}

/// Access to the data of a [`BatchLock`] while holding it.
///
/// # Invariants
///
/// The guard's thread holds `lock.mutex`.
pub struct BatchGuard<'a, T> {
    lock: &'a BatchLock<T>,
}

impl<T> Deref for BatchGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: we hold the mutex (type invariant).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for BatchGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: we hold the mutex (type invariant), and `&mut self` makes
        // this the only reference through the guard.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for BatchGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: we hold the mutex (type invariant).
        unsafe { bindings::mutex_unlock(self.lock.mutex.get()) };
    }
}

/// A subsystem that takes part in nfnetlink batches.
pub trait Batch: Subsystem {
    /// What batches change, kept in each namespace's state.
    type Locked: Send + 'static;

    /// The namespace state's lock around what batches change.
    fn lock(state: &Self::State) -> &BatchLock<Self::Locked>;

    /// Whether a batch that expects generation `genid` (0: any) may start.
    /// A refusal fails the batch with `ERESTART`.
    fn valid_genid(_locked: &Self::Locked, _genid: u32) -> bool {
        true
    }

    /// Whether the netfilter hooks of the subsystem's state must be on with
    /// `locked` as it stands, staged changes included; `None` (the
    /// default) for a subsystem that does not switch them by its batches.
    ///
    /// The layer keeps the hooks so around batches (see
    /// [`hook`](super::super::hook)): on after each callback whose change
    /// makes this `Some(true)`, before `commit` can publish anything, and
    /// off after a `commit` or `abort` that leaves it `Some(false)`.
    fn hooks_wanted(_locked: &Self::Locked) -> Option<bool> {
        None
    }

    /// Makes the staged changes final. Cannot fail: the callbacks
    /// reserved what it needs.
    fn commit(txn: &Txn<'_, Self>, locked: &mut Self::Locked);

    /// Undoes the staged changes.
    fn abort(txn: &Txn<'_, Self>, locked: &mut Self::Locked);
}

/// The batch being committed or aborted.
///
/// # Invariants
///
/// `net` is the batch's namespace, alive for `'a`, and `S` is registered.
pub struct Txn<'a, S: Batch> {
    net: *mut bindings::net,
    state: &'a S::State,
}

impl<'a, S: Batch> Txn<'a, S> {
    /// The subsystem's state in the batch's namespace.
    pub fn state(&self) -> &'a S::State {
        self.state
    }

    /// The batch's namespace.
    pub fn net(&self) -> netns::NetRef<'a> {
        // SAFETY: alive for `'a` (type invariant).
        unsafe { netns::NetRef::from_raw(self.net) }
    }
}

/// The batch callbacks of a subsystem, as `struct nfnetlink_subsystem`
/// holds them, and the layer's own for its batch messages.
#[derive(Clone, Copy)]
pub struct BatchFns {
    pub(crate) keep_msg: unsafe fn(*mut bindings::net, *mut bindings::netlink_ext_ack),
    pub(crate) commit: unsafe extern "C" fn(*mut bindings::net, *mut bindings::sk_buff) -> c_int,
    pub(crate) abort: unsafe extern "C" fn(
        *mut bindings::net,
        *mut bindings::sk_buff,
        bindings::nfnl_abort_action,
    ) -> c_int,
    pub(crate) valid_genid: unsafe extern "C" fn(*mut bindings::net, u32) -> bool,
}

impl BatchFns {
    /// The callbacks of `S`.
    pub const fn of<S: Batch>() -> Self {
        Self {
            keep_msg: keep_msg::<S>,
            commit: commit_callback::<S>,
            abort: abort_callback::<S>,
            valid_genid: valid_genid_callback::<S>,
        }
    }
}

/// The lock of `S`'s state in `net`.
///
/// # Safety
///
/// `S` must be registered (its registration holds its state's) and `net`
/// alive for `'a`.
unsafe fn lock_of<'a, S: Batch>(
    net: *mut bindings::net,
) -> (&'a S::State, &'a BatchLock<S::Locked>) {
    // SAFETY: guaranteed by the caller.
    let state = unsafe { netns::get::<S::State>(net) };
    (state, S::lock(state))
}

/// # Safety
///
/// Only nfnetlink calls this, at the start of a batch for `S` in the live
/// namespace `net`; it calls `commit` or `abort` afterwards when this
/// returns `true`.
unsafe extern "C" fn valid_genid_callback<S: Batch>(net: *mut bindings::net, genid: u32) -> bool {
    // SAFETY: `S` is registered while nfnetlink calls it; `net` is alive.
    let (_, lock) = unsafe { lock_of::<S>(net) };
    // SAFETY: the mutex is initialised. Taken here, it is released by
    // `commit` or `abort`, which nfnetlink calls when this returns true,
    // on the same thread.
    unsafe { bindings::rnl_helper_mutex_lock(lock.mutex.get()) };
    // SAFETY: we hold the mutex: the new batch's messages start over.
    unsafe { (*lock.msgs.get()).used = 0 };
    // SAFETY: we hold the mutex; no other reference to the data exists.
    let ok = S::valid_genid(unsafe { lock.data_mut() }, genid);
    if !ok {
        // SAFETY: taken above; nfnetlink calls neither commit nor abort.
        unsafe { bindings::mutex_unlock(lock.mutex.get()) };
    }
    ok
}

/// # Safety
///
/// Only nfnetlink calls this, after `valid_genid` returned true on this
/// thread for the same batch.
unsafe extern "C" fn commit_callback<S: Batch>(
    net: *mut bindings::net,
    _skb: *mut bindings::sk_buff,
) -> c_int {
    // SAFETY: as in `valid_genid_callback`.
    let (state, lock) = unsafe { lock_of::<S>(net) };
    // INVARIANT: `net` is the batch's namespace, alive for the call, and
    // `S` is registered while nfnetlink calls it.
    let txn = Txn { net, state };
    // SAFETY: `valid_genid` took the mutex for this batch.
    let locked = unsafe { lock.data_mut() };
    S::commit(&txn, locked);
    // SAFETY: as in `valid_genid_callback`.
    unsafe { hooks_after_batch::<S>(net, locked) };
    // SAFETY: as above; the batch is over.
    unsafe { bindings::mutex_unlock(lock.mutex.get()) };
    0
}

/// # Safety
///
/// As for [`commit_callback`].
unsafe extern "C" fn abort_callback<S: Batch>(
    net: *mut bindings::net,
    _skb: *mut bindings::sk_buff,
    _action: bindings::nfnl_abort_action,
) -> c_int {
    // SAFETY: as in `valid_genid_callback`.
    let (state, lock) = unsafe { lock_of::<S>(net) };
    // INVARIANT: as in `commit_callback`.
    let txn = Txn { net, state };
    // SAFETY: `valid_genid` took the mutex for this batch.
    let locked = unsafe { lock.data_mut() };
    S::abort(&txn, locked);
    // SAFETY: as in `valid_genid_callback`.
    unsafe { hooks_after_batch::<S>(net, locked) };
    // SAFETY: as above; the batch is over.
    unsafe { bindings::mutex_unlock(lock.mutex.get()) };
    0
}

/// The data of `S`'s batch lock in `net`, held by the running batch.
///
/// # Safety
///
/// Only a batch callback of `S` may call this, for its batch's namespace,
/// with no other reference to the data alive for `'a`.
pub(super) unsafe fn locked<'a, S: Batch>(net: *mut bindings::net) -> &'a mut S::Locked {
    // SAFETY: batch callbacks run between `valid_genid`, which took the
    // lock on this thread, and `commit`/`abort`; the caller guarantees
    // exclusivity.
    unsafe { lock_of::<S>(net).1.data_mut() }
}

/// Switches the hooks of `S`'s state in `net` on if the batch's change to
/// `locked` wants them ([`Batch::hooks_wanted`]), before its commit can
/// publish it. On failure nothing changed: the caller fails the message, so
/// the batch aborts.
///
/// # Safety
///
/// `S` must be registered (its registration holds its state's) and `net`
/// alive for the call.
pub(super) unsafe fn hooks_after_change<S: Batch>(
    net: *mut bindings::net,
    locked: &S::Locked,
) -> Result {
    if S::hooks_wanted(locked) != Some(true) {
        return Ok(());
    }
    // SAFETY: guaranteed by the caller.
    match unsafe { netns::hooks::<S::State>(net) } {
        Some(hooks) => hooks.set(true),
        None => Ok(()),
    }
}

/// Switches the hooks of `S`'s state in `net` off if `locked`, committed or
/// aborted, no longer wants them. Cannot fail.
///
/// # Safety
///
/// As for [`hooks_after_change`].
unsafe fn hooks_after_batch<S: Batch>(net: *mut bindings::net, locked: &S::Locked) {
    if S::hooks_wanted(locked) != Some(false) {
        return;
    }
    // SAFETY: guaranteed by the caller.
    if let Some(hooks) = unsafe { netns::hooks::<S::State>(net) } {
        // Switching off cannot fail.
        let _ = hooks.set(false);
    }
}

/// Moves a formatted message of `extack` to the batch's message ring, so
/// that it is still there when nfnetlink sends the error (see [`MsgRing`]).
///
/// # Safety
///
/// Only a batch callback of `S` may call this, for its batch's namespace,
/// with the message's extack, valid and used by this thread only.
pub(super) unsafe fn keep_msg<S: Batch>(
    net: *mut bindings::net,
    extack: *mut bindings::netlink_ext_ack,
) {
    if extack.is_null() {
        return;
    }
    // SAFETY: valid and ours (caller).
    let e = unsafe { &mut *extack };
    if !core::ptr::eq(e._msg, e._msg_buf.as_ptr()) {
        // A static message, or none: it survives the copy.
        return;
    }
    // SAFETY: `S` is registered and `net` alive during its batch callback.
    let (_, lock) = unsafe { lock_of::<S>(net) };
    // SAFETY: the batch holds the mutex (caller: a batch callback).
    let ring = unsafe { &mut *lock.msgs.get() };
    if ring.used == MSG_SLOTS {
        e._msg = core::ptr::null();
        return;
    }
    let slot = &mut ring.slots[ring.used];
    ring.used += 1;
    let n = e._msg_buf.len().min(MSG_LEN);
    for (d, s) in slot.iter_mut().zip(&e._msg_buf[..n]) {
        *d = *s as u8;
    }
    slot[MSG_LEN - 1] = 0;
    e._msg = slot.as_ptr().cast();
}
