// SPDX-License-Identifier: GPL-2.0

//! A hash table that packet paths read under RCU while one writer at a
//! time changes it.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)
//!
//! [`RcuHash`] is a fixed array of singly linked chains of boxed values.
//! Readers walk a chain without locks or allocation ([`RcuHash::for_each`]),
//! from any context, while a writer links ([`RcuHash::link`]) or unlinks
//! ([`RcuHash::unlink`]) nodes under the table's mutex. An unlinked node is
//! freed by `call_rcu()`, after every reader that could still see it is
//! done; a reader never sees a freed node. This is `hlist_add_head_rcu()` /
//! `hlist_del_rcu()` / `kfree_rcu()` without the back pointers, which only
//! the writer would use.
//!
//! # Examples
//!
//! ```ignore
//! let node = Node::new(Entry { port: 80 }, GFP_KERNEL)?;
//! let link = table.link(bucket_of(80), node);
//! table.for_each(bucket_of(80), |e| if e.port == 80 { hits += 1 });
//! table.unlink(link)?;
//! ```

use super::bindings;
use core::{
    marker::PhantomData,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    alloc::{Flags, KVVec},
    new_mutex,
    prelude::*,
    sync::Mutex,
    types::Opaque,
};

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

/// A value that can be linked into an [`RcuHash`], boxed with its link.
///
/// # Invariants
///
/// `next` is only written by the writer of the table the node is linked
/// into, and points to a node of the same chain or is null.
#[repr(C)]
pub struct Node<T> {
    next: AtomicPtr<Node<T>>,
    rcu: Opaque<bindings::callback_head>,
    value: T,
}

// SAFETY: the node owns its value, which is `Send`; `rcu` is only handed
// to `call_rcu()` once, by the table's writer, when the node is unlinked.
unsafe impl<T: Send + Sync> Send for Node<T> {}
// SAFETY: `&Node` gives access to `&T` only.
unsafe impl<T: Send + Sync> Sync for Node<T> {}

impl<T: Send + Sync> Node<T> {
    /// Boxes `value`, unlinked.
    pub fn new(value: T, flags: Flags) -> Result<KBox<Self>> {
        Ok(KBox::new(
            Self {
                next: AtomicPtr::new(ptr::null_mut()),
                rcu: Opaque::uninit(),
                value,
            },
            flags,
        )?)
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }
}

/// The handle of a linked node: what [`RcuHash::unlink`] takes back.
/// Dropping it leaves the node linked, and freed with the table. It gives
/// no access to the node, so it is harmless once the table is gone.
///
/// # Invariants
///
/// When made, `node` was linked into chain `bucket` of the table at
/// `table`.
pub struct Linked<T> {
    node: NonNull<Node<T>>,
    bucket: usize,
    table: *const RcuHash<T>,
}

// SAFETY: the handle only names a node; the node's value is `Send + Sync`
// and only the table's writer uses the handle's pointers.
unsafe impl<T: Send + Sync> Send for Linked<T> {}
// SAFETY: as above; `&Linked` gives access to nothing but `&T`.
unsafe impl<T: Send + Sync> Sync for Linked<T> {}

/// Chains of `T` read under RCU.
///
/// # Invariants
///
/// Every non-null pointer reachable from `heads` is a node leaked from a
/// `KBox` and owned by the table; writers hold `writer`.
#[pin_data(PinnedDrop)]
pub struct RcuHash<T> {
    heads: KVVec<AtomicPtr<Node<T>>>,
    #[pin]
    writer: Mutex<()>,
}

// SAFETY: the table owns its nodes, whose values are `Send + Sync`.
unsafe impl<T: Send + Sync> Send for RcuHash<T> {}
// SAFETY: readers only get `&T`; writers are serialised by `writer`.
unsafe impl<T: Send + Sync> Sync for RcuHash<T> {}

impl<T: Send + Sync> RcuHash<T> {
    /// An empty table of `buckets` chains.
    pub fn new(buckets: usize, flags: Flags) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            heads: {
                let mut v = KVVec::with_capacity(buckets, flags)?;
                for _ in 0..buckets {
                    v.push(AtomicPtr::new(ptr::null_mut()), flags)?;
                }
                v
            },
            writer <- new_mutex!(()),
        }? Error)
    }

    /// The number of chains.
    pub fn buckets(&self) -> usize {
        self.heads.len()
    }

    /// Links `node` at the head of chain `bucket`; readers see it from now
    /// on. Fails with `EINVAL`, returning nothing linked, if `bucket` is out
    /// of range.
    pub fn link(&self, bucket: usize, node: KBox<Node<T>>) -> Result<Linked<T>> {
        let head = self.heads.get(bucket).ok_or(EINVAL)?;
        let _w = self.writer.lock();
        let node = NonNull::from(KBox::leak(node));
        // SAFETY: the node is ours, not yet reachable by anyone.
        unsafe { node.as_ref() }
            .next
            .store(head.load(Ordering::Relaxed), Ordering::Relaxed);
        // INVARIANT: the table owns the leaked node from now on. Release
        // orders its initialisation before readers can reach it
        // (`rcu_assign_pointer()`).
        head.store(node.as_ptr(), Ordering::Release);
        Ok(Linked {
            node,
            bucket,
            table: self,
        })
    }

    /// Unlinks the node of `link`; it is freed once no reader can see it.
    /// Fails, handing `link` back, if it belongs to another table.
    pub fn unlink(&self, link: Linked<T>) -> Result<(), Linked<T>> {
        if !ptr::eq(link.table, self) {
            return Err(link);
        }
        let _w = self.writer.lock();
        let target = link.node.as_ptr();
        let mut prev = &self.heads[link.bucket];
        loop {
            let cur = prev.load(Ordering::Relaxed);
            if cur.is_null() {
                // Not in its chain: impossible by the invariant of
                // `Linked`; leave it rather than free what may be in use.
                return Ok(());
            }
            // SAFETY: `cur` is a node of this table (type invariant), alive
            // while linked, and only the writer, which we are, unlinks.
            let node = unsafe { &*cur };
            if cur == target {
                // Readers on `node` still find its successors.
                prev.store(node.next.load(Ordering::Relaxed), Ordering::Release);
                // SAFETY: unlinked, so only readers that started earlier
                // can see it; `free_node` runs after they are done.
                unsafe { bindings::call_rcu(node.rcu.get(), Some(free_node::<T>)) };
                return Ok(());
            }
            prev = &node.next;
        }
    }

    /// Calls `f` on every value of chain `bucket` (none if out of range).
    /// Takes no lock and allocates nothing; runs in any context. `f` runs
    /// inside an RCU read-side critical section: it must not sleep, as
    /// under a spinlock.
    pub fn for_each(&self, bucket: usize, f: impl FnMut(&T)) {
        self.for_each_in([bucket], f)
    }

    /// Calls `f` on every entry of each chain of `buckets` in turn, in one
    /// RCU read-side critical section, as [`RcuHash::for_each`] does for
    /// one chain.
    pub fn for_each_in(&self, buckets: impl IntoIterator<Item = usize>, f: impl FnMut(&T)) {
        read(|section| self.for_each_within(section, buckets, f))
    }

    /// [`RcuHash::for_each_in`] for a caller already inside an RCU
    /// read-side critical section, `section`: a netfilter hook, say.
    pub fn for_each_within(
        &self,
        _section: &ReadSection<'_>,
        buckets: impl IntoIterator<Item = usize>,
        mut f: impl FnMut(&T),
    ) {
        for head in buckets.into_iter().filter_map(|b| self.heads.get(b)) {
            let mut cur = head.load(Ordering::Acquire);
            while !cur.is_null() {
                // SAFETY: `cur` was reachable from the table inside the
                // read-side section of `_section`, which keeps every node
                // reached alive: unlinked nodes are only freed after a
                // grace period.
                let node = unsafe { &*cur };
                f(&node.value);
                cur = node.next.load(Ordering::Acquire);
            }
        }
    }
}

#[pinned_drop]
impl<T> PinnedDrop for RcuHash<T> {
    fn drop(self: Pin<&mut Self>) {
        // The table is going: nobody reads it any more (its owner
        // guarantees that by dropping it), so the nodes go at once.
        for head in self.heads.iter() {
            let mut cur = head.load(Ordering::Relaxed);
            while !cur.is_null() {
                // SAFETY: the table owns every linked node (type
                // invariant), each leaked from a `KBox` and visited once.
                let node = unsafe { KBox::from_raw(cur) };
                cur = node.next.load(Ordering::Relaxed);
            }
        }
    }
}

/// Frees a node after the grace period that followed its unlinking.
///
/// # Safety
///
/// Only `call_rcu()` calls this, with the `rcu` field of a node leaked from
/// a `KBox` and unlinked before the grace period began.
unsafe extern "C" fn free_node<T>(head: *mut bindings::callback_head) {
    let offset = core::mem::offset_of!(Node<T>, rcu);
    // SAFETY: `head` is the `rcu` field of a `Node<T>` (caller), so
    // stepping back by its offset gives the node.
    let node = unsafe { head.cast::<u8>().sub(offset).cast::<Node<T>>() };
    // SAFETY: no reader can see the node any more, and nobody else owns it.
    drop(unsafe { KBox::from_raw(node) });
}
