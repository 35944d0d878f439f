// SPDX-License-Identifier: GPL-2.0

//! The classifier: which committed rules a packet matches, in a time that
//! grows with the number of distinct rule shapes, not with the number of
//! rules.
//!
//! This is tuple-space search (Srinivasan, Suri and Varghese, SIGCOMM
//! 1999; Open vSwitch's classifier is one). A rule's *tuple* is its shape:
//! which fields it matches and how (the family, whether it names a
//! protocol, its host-length prefixes, whether its port is exact or a
//! range). All rules of a tuple hash the same bits of a packet, so a packet
//! finds its candidates by one hash probe of its masked key per tuple.
//! Rules with the same tuple and key form a *group*. At most one field of
//! a tuple is searched instead of hashed, and a group's rules differ in it
//! alone:
//!
//! - a port range: the group is sorted by lowest port and searched as an
//!   implicit interval tree (each entry keeps the highest port of its
//!   subtree);
//! - a network prefix shorter than a host's, destination first: prefixes
//!   nest or are disjoint, so the group is sorted by first address with
//!   each prefix's nearest enclosing one, and a binary search finds the
//!   innermost prefix that can hold the address and the chain around it.
//!
//! Prefixes of mixed lengths thus cost one probe and a logarithmic search,
//! not one probe per length; every other group matches whole.
//!
//! The classifier is compiled: made whole from the rule set when a
//! transaction commits, then published to the hook under RCU in place of
//! the old one ([`crate::netlink::rcu::Pointer`]). Lookups are lock- and
//! allocation-free reads of flat arrays. Building takes no allocation:
//! [`Classifier::reserve`] makes room before the transaction changes
//! anything, so a commit cannot fail. A build from scratch sorts every
//! rule; a transaction that changed few rules merges them into the old
//! classifier's sorted entries instead ([`Classifier::build_from`]), in
//! time linear in the rules.

use crate::{
    datapath::Entry,
    matching::FlowKey,
    model::{Match, Prefix, L3},
    netlink::rcu::{Pointer, ReadSection},
};
use core::cmp::Ordering;
use kernel::{
    alloc::{
        flags::{GFP_KERNEL_ACCOUNT, GFP_NOWAIT},
        KVVec,
    },
    prelude::*,
};

/// A namespace's classifier as the hook reads it: replaced whole by each
/// commit.
pub(crate) type Table = Pointer<Classifier>;

/// Calls `f` on every entry of the classifier published in `table` that
/// matches `key`, inside the RCU read-side critical section `rcu`.
/// Allocation- and lock-free.
pub(crate) fn for_each_match(
    table: &Table,
    rcu: &ReadSection<'_>,
    key: &FlowKey,
    f: impl FnMut(&Entry),
) {
    if let Some(c) = table.get(rcu) {
        c.for_each_match(key, f);
    }
}

/// A rule's shape, packed: the family (bits 19-20), whether the protocol
/// counts (bit 18), the port (bits 16-17: none, exact, range), the hashed
/// destination and source prefix lengths plus one, 0 for none (bits 8-15
/// and 0-7), and which field, if any, is searched by intervals instead of
/// hashed (bits 21-22: none, a port range, a destination or a source
/// prefix).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub(crate) struct Tuple(u32);

/// How a tuple matches the destination port.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Port {
    None = 0,
    Exact = 1,
    Range = 2,
}

/// The field a tuple's groups search by intervals: its rules differ in
/// it, and every other field they compare is equal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Search {
    /// None: every rule of a group matches the same packets.
    None = 0,
    /// The port range: an interval tree over the group.
    Port = 1,
    /// The destination prefix, of any length short of a host's: the
    /// prefixes of a group nest or are disjoint, and are searched as a
    /// sorted list with their nesting.
    Dst = 2,
    /// The source prefix, likewise.
    Src = 3,
}

/// The bits of a packet or rule that a tuple compares.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    proto: u8,
    port: u16,
    src: u128,
    dst: u128,
}

/// Whether `p` is a prefix of fewer bits than its family's addresses.
fn is_net(p: &Option<Prefix>, l3: L3) -> bool {
    let bits = if l3 == L3::V6 { 128 } else { 32 };
    p.is_some_and(|p| p.len < bits)
}

impl Tuple {
    /// The shape of `m`.
    pub(crate) fn of(m: &Match) -> Self {
        let l3 = match m.l3 {
            L3::Any => 0,
            L3::V4 => 1,
            L3::V6 => 2,
        };
        let port = match m.dport {
            None => Port::None,
            Some((lo, hi)) if lo == hi => Port::Exact,
            Some(_) => Port::Range,
        };
        // One field at most is searched: a port range, else a network
        // (hosts hash best), the destination first.
        let search = match port {
            Port::Range => Search::Port,
            _ if is_net(&m.dst, m.l3) => Search::Dst,
            _ if is_net(&m.src, m.l3) => Search::Src,
            _ => Search::None,
        };
        let len = |p: Option<Prefix>, searched: bool| match p {
            Some(p) if !searched => u32::from(p.len) + 1,
            _ => 0,
        };
        Self(
            (search as u32) << 21
                | l3 << 19
                | u32::from(m.proto != 0) << 18
                | (port as u32) << 16
                | len(m.dst, search == Search::Dst) << 8
                | len(m.src, search == Search::Src),
        )
    }

    fn l3(self) -> L3 {
        match (self.0 >> 19) & 3 {
            1 => L3::V4,
            2 => L3::V6,
            _ => L3::Any,
        }
    }

    fn proto(self) -> bool {
        self.0 & (1 << 18) != 0
    }

    fn port(self) -> Port {
        match (self.0 >> 16) & 3 {
            1 => Port::Exact,
            2 => Port::Range,
            _ => Port::None,
        }
    }

    fn search(self) -> Search {
        match (self.0 >> 21) & 3 {
            1 => Search::Port,
            2 => Search::Dst,
            3 => Search::Src,
            _ => Search::None,
        }
    }

    /// The number of leading address bits hashed, of the source (`shift`
    /// 0) or destination (8), if any.
    fn len(self, shift: u32) -> Option<u32> {
        ((self.0 >> shift) & 0xff).checked_sub(1)
    }

    /// What the tuple hashes of a packet with `key`, whose addresses are
    /// `src` and `dst` as numbers; `None` if no rule of the tuple can match
    /// it (another family, or no port to compare).
    fn packet_key(self, key: &FlowKey, src: u128, dst: u128) -> Option<Key> {
        if self.l3() != L3::Any && self.l3() != key.l3 {
            return None;
        }
        let port = match self.port() {
            Port::Exact => key.dport?,
            // A ranged rule matches no packet without a port.
            Port::Range => {
                key.dport?;
                0
            }
            Port::None => 0,
        };
        Some(Key {
            proto: if self.proto() { key.proto } else { 0 },
            port,
            src: masked(src, self.len(0)),
            dst: masked(dst, self.len(8)),
        })
    }

    /// What the tuple hashes of its rule `m`: the bits the packets it
    /// matches have, in the fields it hashes.
    fn rule_key(self, m: &Match) -> Key {
        let addr = |p: Option<Prefix>, shift| match (p, self.len(shift)) {
            (Some(p), Some(_)) => u128::from_be_bytes(p.addr),
            _ => 0,
        };
        Key {
            proto: m.proto,
            port: match m.dport {
                Some((lo, hi)) if lo == hi => lo,
                _ => 0,
            },
            src: addr(m.src, 0),
            dst: addr(m.dst, 8),
        }
    }

    /// The searched interval of the tuple's rule `m`, as numbers: its port
    /// range, or the first and last address of its prefix.
    fn interval(self, m: &Match) -> (u128, u128) {
        let net = |p: Option<Prefix>| {
            p.map_or((0, 0), |p| {
                let first = u128::from_be_bytes(p.addr);
                let host = (!0u128).checked_shr(u32::from(p.len)).unwrap_or(0);
                (first, first | host)
            })
        };
        match self.search() {
            Search::Port => m.dport.map_or((0, 0), |(lo, hi)| (lo.into(), hi.into())),
            Search::Dst => net(m.dst),
            Search::Src => net(m.src),
            Search::None => (0, 0),
        }
    }

    /// The value in the searched field of a packet with `key` and
    /// addresses `src` and `dst`: its port or address.
    fn point(self, key: &FlowKey, src: u128, dst: u128) -> Option<u128> {
        match self.search() {
            Search::Port => key.dport.map(u128::from),
            Search::Dst => Some(dst),
            Search::Src => Some(src),
            Search::None => None,
        }
    }
}

/// The first `len` bits of the address `addr`; 0 for `None`.
fn masked(addr: u128, len: Option<u32>) -> u128 {
    match len {
        None | Some(0) => 0,
        Some(len) => addr & (!0u128 << (128 - len.min(128))),
    }
}

impl Key {
    /// The hash of the key in tuple `t`.
    fn hash(&self, t: Tuple) -> u32 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = u64::from(t.0) << 24 | u64::from(self.proto) << 16 | u64::from(self.port);
        for w in [
            self.src as u64,
            (self.src >> 64) as u64,
            self.dst as u64,
            (self.dst >> 64) as u64,
        ] {
            h = (h ^ w).wrapping_mul(K).rotate_left(31);
        }
        (h ^ (h >> 32)) as u32
    }
}

/// A group of the hash table: `len` entries from `first`, all of tuple
/// `tuple` and one key, whose hash is `hash`; empty when `len` is 0.
#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u32,
    tuple: Tuple,
    first: u32,
    len: u32,
}

/// The committed rules, compiled for the hook.
///
/// # Invariants
///
/// `entries` holds the rules grouped by (tuple, key), each group
/// contiguous and sorted by [`order`]. In a group searched by port range,
/// `aux[i]` is the highest port of the implicit subtree `entries[i]` roots
/// ([`subtree_max`]); in one searched by prefix, the index within the
/// group of the entry's nearest enclosing prefix, or `NO_PARENT`
/// ([`nest`]). `tuples` are the distinct tuples of `entries`. `slots` has
/// a power-of-two length of at least twice the groups (so at least one is
/// empty) and holds each group once, at or after (cyclically) its hash's
/// slot with no empty slot between. Capacities are at least `room`
/// entries. `ids`, a build's scratch, has room for twice `changes` ids.
pub(crate) struct Classifier {
    entries: KVVec<Entry>,
    aux: KVVec<u32>,
    tuples: KVVec<Tuple>,
    slots: KVVec<Slot>,
    room: usize,
    ids: KVVec<u32>,
    changes: usize,
}

/// No enclosing prefix, in `Classifier::aux`.
const NO_PARENT: u32 = u32::MAX;

impl Classifier {
    /// An empty classifier, which matches nothing.
    pub(crate) fn new() -> Self {
        // INVARIANT: no entries, tuples, slots or ids; room for none.
        Self {
            entries: KVVec::new(),
            aux: KVVec::new(),
            tuples: KVVec::new(),
            slots: KVVec::new(),
            room: 0,
            ids: KVVec::new(),
            changes: 0,
        }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The number of distinct tuples: the hash probes a packet makes, at
    /// most.
    pub(crate) fn tuples(&self) -> usize {
        self.tuples.len()
    }

    /// Makes room to [`Classifier::build`] from up to `n` entries, or to
    /// [`Classifier::build_from`] with up to `changes` changed rules,
    /// before the build. Sleeps. Fails with `EBUSY` once built.
    pub(crate) fn reserve(&mut self, n: usize, changes: usize) -> Result {
        if !self.entries.is_empty() || !self.slots.is_empty() {
            return Err(EBUSY);
        }
        if changes > self.changes {
            let ids = changes.checked_mul(2).ok_or(ENOMEM)?;
            self.ids.reserve(ids, GFP_KERNEL_ACCOUNT)?;
            // INVARIANT: `ids` is still empty, with room for `ids`.
            self.changes = changes;
        }
        if n <= self.room {
            return Ok(());
        }
        // A transaction reserves one more rule at each change: grow by an
        // eighth, so that a large batch reallocates a logarithmic number
        // of times and the classifier it publishes wastes little.
        let room = n.saturating_add((n / 8).max(16));
        let slots = room.checked_mul(2).ok_or(ENOMEM)?.next_power_of_two();
        let f = GFP_KERNEL_ACCOUNT;
        let entries = KVVec::with_capacity(room, f)?;
        let aux = KVVec::with_capacity(room, f)?;
        let tuples = KVVec::with_capacity(room, f)?;
        let slots = KVVec::with_capacity(slots, f)?;
        // INVARIANT: still empty, with room for `room` entries (slots for
        // twice as many).
        (self.entries, self.aux, self.tuples, self.slots) = (entries, aux, tuples, slots);
        self.room = room;
        Ok(())
    }

    /// Compiles `entries` into the empty classifier. Allocates nothing if
    /// [`Classifier::reserve`] made room for as many entries. Fails with
    /// `EBUSY` if the classifier was built already, or `ENOSPC` if it had
    /// no room: then it is left partly built, for dropping.
    pub(crate) fn build(&mut self, entries: impl Iterator<Item = Entry>) -> Result {
        if !self.entries.is_empty() || !self.slots.is_empty() {
            return Err(EBUSY);
        }
        for e in entries {
            self.push(e)?;
        }
        heapsort_by(self.entries.as_mut_slice(), |a, b| order(a).cmp(&order(b)));
        self.finish()
    }

    /// Compiles into the empty classifier what [`Classifier::build`] would
    /// from the rules, given `old`, the classifier built from them before
    /// the rules with the ids of `changed` changed: `current` gives one of
    /// those as it now stands, `None` if it is gone. Takes time linear in
    /// the rules plus the changes' sort, where a build sorts every rule.
    /// Allocates nothing if [`Classifier::reserve`] made room for as many
    /// entries and changes. Fails as `build` does, or with `ENOSPC` if
    /// there are more changes than reserved.
    pub(crate) fn build_from(
        &mut self,
        old: &Classifier,
        changed: impl Iterator<Item = u32>,
        current: impl Fn(u32) -> Option<Entry>,
    ) -> Result {
        if !self.entries.is_empty() || !self.slots.is_empty() {
            return Err(EBUSY);
        }
        // The changed ids, sorted and once each, then those of the rules
        // they are now, sorted by `order`; out of `self` while it fills.
        let mut ids = core::mem::replace(&mut self.ids, KVVec::new());
        let r = self.merge(old, &mut ids, changed, current);
        self.ids = ids;
        r
    }

    /// [`Classifier::build_from`], with its scratch `ids`.
    fn merge(
        &mut self,
        old: &Classifier,
        ids: &mut KVVec<u32>,
        changed: impl Iterator<Item = u32>,
        current: impl Fn(u32) -> Option<Entry>,
    ) -> Result {
        for id in changed {
            if ids.len() >= self.changes {
                return Err(ENOSPC);
            }
            // Cannot fail: within the capacity `reserve` made.
            ids.push(id, GFP_NOWAIT)?;
        }
        heapsort_by(ids.as_mut_slice(), u32::cmp);
        let mut gone = 0;
        for i in 0..ids.len() {
            if i == 0 || ids[i] != ids[gone - 1] {
                ids[gone] = ids[i];
                gone += 1;
            }
        }
        let first = ids.len();
        for i in 0..gone {
            let id = ids[i];
            if current(id).is_some() {
                // Within capacity: twice the reserved changes.
                ids.push(id, GFP_NOWAIT)?;
            }
        }
        let (head, fresh) = ids.as_mut_slice().split_at_mut(first);
        let gone = &head[..gone];
        let key = |id: &u32| current(*id).map(|e| order(&e));
        heapsort_by(fresh, |a, b| key(a).cmp(&key(b)));
        // Merged with the old entries of the rules that did not change:
        // each changed rule goes where a binary search of the old ones
        // puts it, and the old ones between are copied without a compare.
        let olds = old.entries.as_slice();
        let mut from = 0;
        for f in fresh.iter().filter_map(|&id| current(id)) {
            let k = order(&f);
            let at = from + olds[from..].partition_point(|e| order(e) < k);
            self.keep(&olds[from..at], gone)?;
            self.push(f)?;
            from = at;
        }
        self.keep(&olds[from..], gone)?;
        self.finish()
    }

    /// Frees the room for changes that [`Classifier::reserve`] made, once
    /// built. Sleeps.
    pub(crate) fn release_scratch(&mut self) {
        // INVARIANT: empty, with room for none.
        self.ids = KVVec::new();
        self.changes = 0;
    }

    /// Appends the entries of `olds` whose ids are not in `gone`, sorted.
    fn keep(&mut self, olds: &[Entry], gone: &[u32]) -> Result {
        for e in olds.iter().filter(|e| gone.binary_search(&e.id).is_err()) {
            self.push(e.clone())?;
        }
        Ok(())
    }

    /// Appends an entry, within the room [`Classifier::reserve`] made.
    fn push(&mut self, e: Entry) -> Result {
        if self.entries.len() == self.room {
            return Err(ENOSPC);
        }
        // Cannot fail: within the capacity `reserve` made.
        Ok(self.entries.push(e, GFP_NOWAIT)?)
    }

    /// Groups the sorted entries and fills what their searches and the
    /// hash table need.
    fn finish(&mut self) -> Result {
        let n = self.entries.len();
        let slots = (n * 2).next_power_of_two().max(2);
        // Within capacity: `room` >= n entries, slots for twice as many.
        self.slots.extend_with(slots, Slot::default(), GFP_NOWAIT)?;
        self.aux.extend_with(n, 0, GFP_NOWAIT)?;
        let mut first = 0;
        while first < n {
            let t = Tuple::of(&self.entries[first].matcher);
            let key = t.rule_key(&self.entries[first].matcher);
            let len = self.entries[first..]
                .iter()
                .position(|e| Tuple::of(&e.matcher) != t || t.rule_key(&e.matcher) != key)
                .unwrap_or(n - first);
            if self.tuples.last() != Some(&t) {
                self.tuples.push(t, GFP_NOWAIT)?;
            }
            let (group, aux) = (
                &self.entries[first..first + len],
                &mut self.aux[first..first + len],
            );
            match t.search() {
                Search::Port => {
                    subtree_max(group, aux);
                }
                Search::Dst | Search::Src => nest(t, group, aux),
                Search::None => (),
            }
            self.insert(key.hash(t), t, first, len);
            first += len;
        }
        // INVARIANT: entries sorted into groups, with what their searches
        // need in `aux`; tuples distinct (they sort first); each group in
        // `slots`, which has twice their number.
        Ok(())
    }

    /// Puts a group in the first empty slot from its hash's on.
    fn insert(&mut self, hash: u32, tuple: Tuple, first: usize, len: usize) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].len != 0 {
            i = (i + 1) & mask;
        }
        // Entries fit `u32`: the rule count is a `u32`.
        self.slots[i] = Slot {
            hash,
            tuple,
            first: first as u32,
            len: len as u32,
        };
    }

    /// Calls `f` on every entry that matches a packet with `key`, each
    /// once. Takes no lock and allocates nothing.
    pub(crate) fn for_each_match(&self, key: &FlowKey, mut f: impl FnMut(&Entry)) {
        let mask = self.slots.len().wrapping_sub(1);
        let (src, dst) = (u128::from_be_bytes(key.src), u128::from_be_bytes(key.dst));
        for &t in self.tuples.iter() {
            let Some(k) = t.packet_key(key, src, dst) else {
                continue;
            };
            let hash = k.hash(t);
            let mut i = hash as usize & mask;
            // Ends at an empty slot: there is one (type invariant).
            while let Some(s) = self.slots.get(i).filter(|s| s.len != 0) {
                i = (i + 1) & mask;
                if s.hash != hash || s.tuple != t {
                    continue;
                }
                let range = s.first as usize..(s.first + s.len) as usize;
                let group = self.entries.get(range.clone()).unwrap_or(&[]);
                let head = group.first().map(|e| &e.matcher);
                if head.is_some_and(|m| t.rule_key(m) == k) {
                    let aux = self.aux.get(range).unwrap_or(&[]);
                    match (t.search(), t.point(key, src, dst)) {
                        (Search::None, _) => group.iter().for_each(&mut f),
                        (Search::Port, Some(port)) => stab(group, aux, port, &mut f),
                        (_, Some(addr)) => enclosing(t, group, aux, addr, &mut f),
                        (_, None) => (),
                    }
                    break;
                }
            }
        }
    }
}

/// Where an entry sorts in a classifier: by tuple, then key, then
/// searched interval (first value up, then last down, so that a prefix
/// comes before the prefixes it holds), so that groups are contiguous and
/// sorted for their search.
fn order(e: &Entry) -> (Tuple, u8, u16, u128, u128, u128, u128) {
    let t = Tuple::of(&e.matcher);
    let key = t.rule_key(&e.matcher);
    let (first, last) = t.interval(&e.matcher);
    (t, key.proto, key.port, key.src, key.dst, first, !last)
}

/// Sorts `v` by `cmp` in place, in constant stack: core's sorts keep
/// scratch buffers of dozens of elements on the stack at each level of
/// their recursion, which a kernel stack cannot spare.
fn heapsort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    /// Moves `v[root]` down the max-heap `v[..end]`.
    fn sift_down<T>(v: &mut [T], cmp: &impl Fn(&T, &T) -> Ordering, mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && cmp(&v[child], &v[child + 1]) == Ordering::Less {
                child += 1;
            }
            if cmp(&v[root], &v[child]) != Ordering::Less {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, &cmp, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, &cmp, 0, end);
    }
}

/// Fills `max` for the port-ranged `group`, sorted by lowest port, as an
/// implicit binary search tree: the root of a range is its middle entry,
/// and `max[i]` the highest port of the subtree it roots. Returns the whole
/// range's.
fn subtree_max(group: &[Entry], max: &mut [u32]) -> u32 {
    if group.is_empty() {
        return 0;
    }
    let mid = group.len() / 2;
    let (left, right) = (
        subtree_max(&group[..mid], &mut max[..mid]),
        subtree_max(&group[mid + 1..], &mut max[mid + 1..]),
    );
    let hi = group[mid].matcher.dport.map_or(0, |(_, hi)| u32::from(hi));
    max[mid] = hi.max(left).max(right);
    max[mid]
}

/// Calls `f` on every entry of the port-ranged `group` (with subtree
/// maxima `max`, see [`subtree_max`]) whose range holds `port`.
fn stab(group: &[Entry], max: &[u32], port: u128, f: &mut impl FnMut(&Entry)) {
    // The ranges left to search; each step pushes at most two, the second
    // of which is searched next, so the stack holds one range per level of
    // the tree plus two: under 36 for the `u32` entries a group can have.
    let mut stack = [(0u32, 0u32); 36];
    stack[0] = (0, group.len() as u32);
    let mut depth = 1;
    while depth > 0 && depth + 2 <= stack.len() {
        depth -= 1;
        let (a, b) = stack[depth];
        if a >= b {
            continue;
        }
        let m = a + (b - a) / 2;
        let mid = m as usize;
        if max.get(mid).map_or(0, |&x| u128::from(x)) < port {
            // Nothing below reaches `port`.
            continue;
        }
        stack[depth] = (a, m);
        depth += 1;
        let (lo, hi) = group[mid].matcher.dport.unwrap_or((1, 0));
        if u128::from(lo) <= port {
            if port <= u128::from(hi) {
                f(&group[mid]);
            }
            // Entries right of `mid` start at or after it: still possible.
            stack[depth] = (m + 1, b);
            depth += 1;
        }
    }
}

/// Fills `parent` for the prefix-searched `group` of tuple `t`, sorted by
/// [`order`]: the index of each entry's nearest enclosing prefix (an equal
/// one sorted before it included), or `NO_PARENT`. Prefixes nest or are
/// disjoint, so the open ones form a stack.
fn nest(t: Tuple, group: &[Entry], parent: &mut [u32]) {
    // The innermost open prefix, and through `parent` the ones around it.
    let mut open = NO_PARENT;
    for (i, e) in group.iter().enumerate() {
        let (first, _) = t.interval(&e.matcher);
        while let Some(o) = group.get(open as usize) {
            if t.interval(&o.matcher).1 >= first {
                break;
            }
            open = parent[open as usize];
        }
        parent[i] = open;
        open = i as u32;
    }
}

/// Calls `f` on every entry of the prefix-searched `group` of tuple `t`
/// (with the nesting `parent`, see [`nest`]) whose prefix holds `addr`:
/// the last prefix starting at or before `addr` and the prefixes around
/// it, from the innermost that holds it out.
fn enclosing(t: Tuple, group: &[Entry], parent: &[u32], addr: u128, f: &mut impl FnMut(&Entry)) {
    let starts_after = |e: &Entry| t.interval(&e.matcher).0 > addr;
    let mut i = match group.partition_point(|e| !starts_after(e)) {
        0 => return,
        n => n - 1,
    };
    // Any prefix holding `addr` holds this one's start: it is this one or
    // around it. Those that end before `addr` hold none of it.
    while let Some(e) = group.get(i) {
        if t.interval(&e.matcher).1 >= addr {
            break;
        }
        i = parent.get(i).map_or(usize::MAX, |&p| p as usize);
    }
    while let Some(e) = group.get(i) {
        f(e);
        i = parent.get(i).map_or(usize::MAX, |&p| p as usize);
    }
}
