// SPDX-License-Identifier: GPL-2.0

//! The rule set of one network namespace: rules by id and by name, a cap on
//! their number and a generation that changes with every change.
//!
//! Pure bookkeeping: no netlink here, so the logic is tested directly
//! (see `tests.rs`). Every change is all-or-nothing: memory is reserved
//! before anything is modified.

use kernel::{
    alloc::flags::GFP_KERNEL_ACCOUNT,
    prelude::*,
    rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation},
};

/// Room for a rule name and its NUL (`RULE_NAME_MAX_LEN + 1`).
pub(crate) const NAME_SIZE: usize = crate::uapi::genl::attr::RULE_NAME_MAX_LEN as usize + 1;

/// A rule name, NUL-padded; names are compared byte-wise.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Name([u8; NAME_SIZE]);

impl Name {
    /// The name `s`, or `None` if it is empty or too long.
    pub(crate) fn new(s: &[u8]) -> Option<Self> {
        if s.is_empty() || s.len() >= NAME_SIZE || s.contains(&0) {
            return None;
        }
        let mut n = [0; NAME_SIZE];
        n[..s.len()].copy_from_slice(s);
        Some(Self(n))
    }

    /// The name with its terminating NUL.
    pub(crate) fn as_bytes_with_nul(&self) -> &[u8] {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(NAME_SIZE - 1);
        &self.0[..=end]
    }
}

/// An address prefix: the address (IPv4 in the first 4 bytes) and the number
/// of leading bits that count.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Prefix {
    pub(crate) addr: [u8; 16],
    pub(crate) len: u8,
}

/// Why a prefix was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PrefixError {
    /// The length is beyond the address's bits.
    TooLong,
    /// Bits after the prefix length are set.
    HostBits,
}

impl Prefix {
    /// The prefix of `addr` (4 or 16 bytes) of `len` bits, the whole address
    /// when `None`.
    pub(crate) fn new(addr: &[u8], len: Option<u8>) -> Result<Self, PrefixError> {
        let bits = addr.len() * 8;
        let len = len.map_or(bits, usize::from);
        if len > bits || addr.len() > 16 {
            return Err(PrefixError::TooLong);
        }
        let host_bits = addr.iter().enumerate().any(|(i, &b)| {
            let kept = len.saturating_sub(i * 8).min(8);
            let mask = if kept == 0 { 0 } else { 0xffu8 << (8 - kept) };
            b & !mask != 0
        });
        if host_bits {
            return Err(PrefixError::HostBits);
        }
        let mut a = [0; 16];
        a[..addr.len()].copy_from_slice(addr);
        Ok(Self {
            addr: a,
            len: len as u8,
        })
    }
}

/// The L3 family a rule is restricted to by its prefixes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum L3 {
    /// No prefix: IPv4 and IPv6.
    #[default]
    Any,
    /// IPv4 prefixes.
    V4,
    /// IPv6 prefixes.
    V6,
}

/// Which packets a rule counts; every given criterion must hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Match {
    /// L4 protocol, 0 for any.
    pub(crate) proto: u8,
    /// The family of `src` and `dst`.
    pub(crate) l3: L3,
    /// Source prefix.
    pub(crate) src: Option<Prefix>,
    /// Destination prefix.
    pub(crate) dst: Option<Prefix>,
    /// Destination port range, inclusive.
    pub(crate) dport: Option<(u16, u16)>,
}

/// L4 protocols with ports: TCP, UDP, SCTP, UDP-Lite.
pub(crate) fn has_ports(proto: u8) -> bool {
    matches!(proto, 6 | 17 | 132 | 136)
}

/// When a rule raises an alert.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Threshold {
    /// More than this many packets...
    pub(crate) packets: u64,
    /// ...within this many milliseconds.
    pub(crate) interval_ms: u32,
}

/// What a rule counted.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Counters {
    pub(crate) packets: u64,
    pub(crate) bytes: u64,
}

/// A rule as requested: everything but the counters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    /// Requested id; the set assigns one when `None`.
    pub(crate) id: Option<u32>,
    pub(crate) name: Option<Name>,
    pub(crate) matcher: Match,
    pub(crate) threshold: Option<Threshold>,
}

/// A rule of the set.
pub(crate) struct Rule {
    pub(crate) id: u32,
    pub(crate) name: Option<Name>,
    pub(crate) matcher: Match,
    pub(crate) threshold: Option<Threshold>,
    pub(crate) counters: Counters,
}

/// How a rule is named in a request.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    Id(u32),
    Name(Name),
}

/// Why a change was refused; the set is unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RuleError {
    /// The requested id is taken (no replace asked for).
    IdExists,
    /// The requested name is taken by rule `.0`.
    NameExists(u32),
    /// No such rule.
    NotFound,
    /// The set holds its maximum number of rules.
    Full(u32),
    /// Out of memory.
    NoMemory,
}

/// What [`RuleSet::insert`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Inserted {
    /// Added a rule with this id.
    New(u32),
    /// Replaced the rule with this id.
    Replaced(u32),
}

impl Inserted {
    /// The rule's id.
    pub(crate) fn id(self) -> u32 {
        match self {
            Self::New(id) | Self::Replaced(id) => id,
        }
    }
}

/// The rules of one namespace.
///
/// # Invariants
///
/// `by_name` maps exactly the names of the rules in `by_id` to their ids;
/// `count` is the number of rules; `generation` is never 0.
pub(crate) struct RuleSet {
    by_id: RBTree<u32, Rule>,
    by_name: RBTree<Name, u32>,
    count: u32,
    max: u32,
    next_id: u32,
    generation: u32,
}

impl RuleSet {
    /// An empty set holding at most `max` rules.
    pub(crate) fn new(max: u32) -> Self {
        // INVARIANT: empty maps agree; generation starts at 1.
        Self {
            by_id: RBTree::new(),
            by_name: RBTree::new(),
            count: 0,
            max,
            next_id: 1,
            generation: 1,
        }
    }

    /// The number of rules.
    pub(crate) fn len(&self) -> u32 {
        self.count
    }

    /// Changes with every change to the set; never 0.
    pub(crate) fn generation(&self) -> u32 {
        self.generation
    }

    fn changed(&mut self) {
        // INVARIANT: skips 0 on wrap-around.
        self.generation = self.generation.wrapping_add(1).max(1);
    }

    fn id_of(&self, key: Key) -> Option<u32> {
        match key {
            Key::Id(id) => self.by_id.get(&id).map(|r| r.id),
            Key::Name(n) => self.by_name.get(&n).copied(),
        }
    }

    /// The rule named by `key`.
    pub(crate) fn get(&self, key: Key) -> Option<&Rule> {
        self.by_id.get(&self.id_of(key)?)
    }

    /// Adds the rule `cfg`, or replaces the rule with its id or name if
    /// `replace` is set.
    pub(crate) fn insert(&mut self, cfg: Config, replace: bool) -> Result<Inserted, RuleError> {
        let by_id = cfg.id.filter(|id| self.by_id.get(id).is_some());
        let by_name = cfg.name.and_then(|n| self.by_name.get(&n).copied());
        // A name belongs to one rule: it may only stay with its own.
        if let Some(owner) = by_name {
            if cfg.id.is_some_and(|id| id != owner) {
                return Err(RuleError::NameExists(owner));
            }
        }
        let target = by_id.or(by_name);
        match target {
            Some(id) if !replace => match by_id {
                Some(_) => Err(RuleError::IdExists),
                None => Err(RuleError::NameExists(id)),
            },
            Some(id) => self.replace(id, cfg).map(|()| Inserted::Replaced(id)),
            None => self.add(cfg).map(Inserted::New),
        }
    }

    fn reserve_name(
        name: Option<Name>,
    ) -> Result<Option<RBTreeNodeReservation<Name, u32>>, RuleError> {
        name.map(|_| RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT))
            .transpose()
            .map_err(|_| RuleError::NoMemory)
    }

    fn add(&mut self, cfg: Config) -> Result<u32, RuleError> {
        if self.count >= self.max {
            return Err(RuleError::Full(self.max));
        }
        let id = match cfg.id {
            Some(id) => id,
            None => self.free_id().ok_or(RuleError::Full(self.max))?,
        };
        let rule = Rule {
            id,
            name: cfg.name,
            matcher: cfg.matcher,
            threshold: cfg.threshold,
            counters: Counters::default(),
        };
        // Allocate everything before touching the maps.
        let node =
            RBTreeNode::new(id, rule, GFP_KERNEL_ACCOUNT).map_err(|_| RuleError::NoMemory)?;
        let name_node = Self::reserve_name(cfg.name)?;
        if let (Some(n), Some(r)) = (cfg.name, name_node) {
            self.by_name.insert(r.into_node(n, id));
        }
        self.by_id.insert(node);
        // INVARIANT: the rule and its name were added together.
        self.count += 1;
        if cfg.id.is_none() {
            self.next_id = id.checked_add(1).unwrap_or(1);
        }
        self.changed();
        Ok(id)
    }

    /// The first free id from `next_id` on, wrapping around past `u32::MAX`.
    fn free_id(&self) -> Option<u32> {
        let mut id = self.next_id;
        for _ in 0..=self.count {
            if self.by_id.get(&id).is_none() {
                return Some(id);
            }
            id = id.checked_add(1).unwrap_or(1);
        }
        None
    }

    fn replace(&mut self, id: u32, cfg: Config) -> Result<(), RuleError> {
        let old_name = self.by_id.get(&id).ok_or(RuleError::NotFound)?.name;
        let new_name = cfg.name.filter(|n| Some(*n) != old_name);
        let name_node = Self::reserve_name(new_name)?;
        if new_name.is_some() || cfg.name.is_none() {
            if let Some(old) = old_name {
                self.by_name.remove(&old);
            }
        }
        if let (Some(n), Some(r)) = (new_name, name_node) {
            self.by_name.insert(r.into_node(n, id));
        }
        let rule = self.by_id.get_mut(&id).ok_or(RuleError::NotFound)?;
        // INVARIANT: the name index was updated to the rule's new name. The
        // counters stay: the rule keeps counting the traffic it counted.
        rule.name = cfg.name;
        rule.matcher = cfg.matcher;
        rule.threshold = cfg.threshold;
        self.changed();
        Ok(())
    }

    /// Removes the rule named by `key` and returns it.
    pub(crate) fn remove(&mut self, key: Key) -> Result<Rule, RuleError> {
        let id = self.id_of(key).ok_or(RuleError::NotFound)?;
        let rule = self.by_id.remove(&id).ok_or(RuleError::NotFound)?;
        if let Some(n) = rule.name {
            self.by_name.remove(&n);
        }
        // INVARIANT: the rule and its name went together.
        self.count -= 1;
        self.changed();
        Ok(rule)
    }

    /// Removes every rule; returns how many there were.
    pub(crate) fn flush(&mut self) -> u32 {
        let n = self.count;
        // INVARIANT: both maps emptied together.
        self.by_id = RBTree::new();
        self.by_name = RBTree::new();
        self.count = 0;
        if n > 0 {
            self.changed();
        }
        n
    }

    /// Calls `f` on each rule with an id of `from` or more, in id order,
    /// until it fails; returns its error.
    pub(crate) fn for_each_from<E>(
        &mut self,
        from: u32,
        mut f: impl FnMut(&Rule) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cursor = self.by_id.cursor_lower_bound(&from);
        while let Some(c) = cursor {
            f(c.current().1)?;
            cursor = c.move_next();
        }
        Ok(())
    }
}
