// SPDX-License-Identifier: GPL-2.0

//! The data path: what the netfilter hook reads for each packet.
//!
//! Each committed rule has one [`Entry`] in the namespace's [`Table`], a
//! hash of RCU-read chains. A rule with a protocol and a single destination
//! port sits in the hashed chain of (protocol, port); one with a protocol
//! but no port in its protocol's own chain; every other rule in the
//! wildcard chain. A packet visits at most those three chains, so its cost
//! grows with the number of exact-port rules only as the hashed chains
//! lengthen (4,096 of them); each entry found is still matched in full. Entries share their rule's [`Acct`], so a
//! replaced rule keeps counting into the same counters.

use crate::{
    counter::PacketCounter,
    matching::FlowKey,
    model::{Match, Threshold},
    netlink::rcu::{RcuHash, ReadSection},
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::{prelude::*, sync::Arc};

/// Chains of (protocol, port), hashed: the first chains of the table.
pub(crate) const HASH_BUCKETS: usize = 4096;
/// Then one chain per protocol, for its rules without a port: apart from
/// the hashed ones, so a packet's protocol chain holds no other protocol's
/// or port's rules.
const PROTO_BASE: usize = HASH_BUCKETS;
/// The wildcard chain's index, last.
pub(crate) const WILDCARD: usize = PROTO_BASE + 256;
/// All chains.
pub(crate) const BUCKETS: usize = WILDCARD + 1;

/// The data path's table of one namespace.
pub(crate) type Table = RcuHash<Entry>;

/// What a rule counts, shared by its entries.
pub(crate) struct Acct {
    /// Packets and bytes matched, per CPU.
    pub(crate) counter: PacketCounter,
    /// The threshold window.
    pub(crate) window: Window,
}

impl Acct {
    /// Zeroed counters. Sleeps.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                counter: PacketCounter::new()?,
                window: Window::new(),
            },
            kernel::alloc::flags::GFP_KERNEL_ACCOUNT,
        )?)
    }
}

/// One rule as the hook sees it.
pub(crate) struct Entry {
    /// The rule's id.
    pub(crate) id: u32,
    /// What it matches.
    pub(crate) matcher: Match,
    /// When it alerts.
    pub(crate) threshold: Option<Threshold>,
    /// Where it counts.
    pub(crate) acct: Arc<Acct>,
}

/// The hashed chain of (`proto`, `port`).
fn hash(proto: u8, port: u16) -> usize {
    let k = (u32::from(proto) << 16) | u32::from(port);
    // Fibonacci hashing; HASH_BUCKETS is a power of two.
    const BITS: u32 = HASH_BUCKETS.trailing_zeros();
    (k.wrapping_mul(0x9e37_79b1) >> (32 - BITS)) as usize
}

/// The chain of `proto`'s rules without a port.
fn proto_chain(proto: u8) -> usize {
    PROTO_BASE + usize::from(proto)
}

/// The chain a rule's entry goes to.
pub(crate) fn bucket_of(m: &Match) -> usize {
    match (m.proto, m.dport) {
        (0, _) => WILDCARD,
        (p, Some((lo, hi))) if lo == hi => hash(p, lo),
        (p, None) => proto_chain(p),
        _ => WILDCARD,
    }
}

/// The chains a packet's matching entries can be in, each once.
pub(crate) fn buckets_of(key: &FlowKey) -> [Option<usize>; 3] {
    [
        Some(proto_chain(key.proto)),
        key.dport.map(|p| hash(key.proto, p)),
        Some(WILDCARD),
    ]
}

/// Calls `f` on every entry of `table` that matches `key`, inside the RCU
/// read-side critical section `rcu`. Allocation- and lock-free.
pub(crate) fn for_each_match(
    table: &Table,
    rcu: &ReadSection<'_>,
    key: &FlowKey,
    mut f: impl FnMut(&Entry),
) {
    table.for_each_within(rcu, buckets_of(key).into_iter().flatten(), |e| {
        if e.matcher.matches(key) {
            f(e)
        }
    });
}

/// A rule's threshold state: fixed windows of the rule's interval, each
/// starting with the first packet after the previous one ended.
///
/// Updated by every CPU without locks: a packet racing a window's start
/// may land in either window, but [`Window::hit`] answers `true` once per
/// window at most.
pub(crate) struct Window {
    start_ms: AtomicU64,
    count: AtomicU64,
    alerted: AtomicU64,
}

impl Window {
    /// No window (`start_ms`) or no alert (`alerted`) yet.
    const NONE: u64 = u64::MAX;

    /// No window yet.
    pub(crate) const fn new() -> Self {
        Self {
            start_ms: AtomicU64::new(Self::NONE),
            count: AtomicU64::new(0),
            alerted: AtomicU64::new(Self::NONE),
        }
    }

    /// Counts one packet at `now_ms`. Returns the packets of the current
    /// window when this packet takes them past `t.packets` and the window
    /// has not alerted yet; `None` otherwise.
    pub(crate) fn hit(&self, t: &Threshold, now_ms: u64) -> Option<u64> {
        let start = self.start_ms.load(Relaxed);
        if start == Self::NONE || now_ms.wrapping_sub(start) >= u64::from(t.interval_ms.get()) {
            // One CPU opens the new window.
            if self
                .start_ms
                .compare_exchange(start, now_ms, Relaxed, Relaxed)
                .is_ok()
            {
                self.count.store(0, Relaxed);
            }
        }
        let start = self.start_ms.load(Relaxed);
        let n = self.count.fetch_add(1, Relaxed) + 1;
        (n > t.packets && self.alerted.swap(start, Relaxed) != start).then_some(n)
    }
}
