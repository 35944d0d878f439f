// SPDX-License-Identifier: GPL-2.0

//! The rule set of one network namespace: rules by id and by name, a cap on
//! their number and a generation that changes with every change.
//!
//! Changes are made in transactions that commit or abort whole: memory is
//! reserved before anything is modified, and a commit publishes a
//! classifier compiled from the new rule set to the data path, in one
//! step. No netlink here: the logic is tested directly (see `tests.rs`).

use crate::{
    classifier::{Classifier, Table},
    counter::Count,
    datapath::{Acct, Entry},
    model::{Config, Match, Name, RuleInfo, RuleView, Threshold},
    netlink::{
        compat::{cursor_front_mut, cursor_lower_bound_mut},
        rcu::{self, RcuBox},
    },
};
use kernel::{
    alloc::{flags::GFP_KERNEL_ACCOUNT, KVVec},
    prelude::*,
    rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation},
    sync::Arc,
};

/// A rule of the set.
pub(crate) struct Rule {
    pub(crate) id: u32,
    pub(crate) name: Option<Name>,
    pub(crate) matcher: Match,
    pub(crate) threshold: Option<Threshold>,
    /// What the data path counts for the rule.
    pub(crate) acct: Arc<Acct>,
    /// The counts at the last checkpoint that reset the rule.
    pub(crate) base: Count,
}

impl Rule {
    /// The rule's counters since it was added or last reset.
    pub(crate) fn counters(&self) -> Count {
        self.acct.counter.sum().since(self.base)
    }

    /// The rule as reported now.
    pub(crate) fn info(&self) -> RuleInfo {
        self.view().to_info()
    }

    /// The rule as reported now, borrowed: what a dump writes.
    pub(crate) fn view(&self) -> RuleView<'_> {
        RuleView {
            id: self.id,
            name: self.name.as_ref(),
            matcher: &self.matcher,
            threshold: self.threshold.as_ref(),
            counters: self.counters(),
        }
    }

    /// The rule's entry for the data path.
    fn entry(&self) -> Entry {
        Entry {
            id: self.id,
            matcher: self.matcher,
            threshold: self.threshold,
            acct: self.acct.clone(),
        }
    }
}

/// A committed change, for notifications.
#[derive(Clone, Copy)]
pub(crate) enum Change {
    /// A rule was added; as it was then.
    New(RuleInfo),
    /// A rule was replaced; as it was then.
    Replaced(RuleInfo),
    /// A rule was deleted; with its final counters.
    Deleted(RuleInfo),
}

/// How to undo one change of an open transaction, and what it commits.
enum Undo {
    /// A rule was added; as it was then.
    Added(RuleInfo),
    /// A rule was replaced; as it became, and what it was.
    Replaced(RuleInfo, Saved),
    /// A rule was removed: its id, and its nodes, for putting back.
    Removed(u32, RBTreeNode<u32, Rule>, Option<RBTreeNode<Name, u32>>),
}

impl Undo {
    /// The id of the rule the change was made to.
    fn id(&self) -> u32 {
        match self {
            Undo::Added(info) | Undo::Replaced(info, _) => info.id,
            Undo::Removed(id, ..) => *id,
        }
    }
}

/// A replaced rule's previous configuration.
struct Saved {
    name: Option<Name>,
    matcher: Match,
    threshold: Option<Threshold>,
    /// The index node of `name`, when the replacement renamed the rule.
    name_node: Option<RBTreeNode<Name, u32>>,
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
/// Changes form a transaction: each is checked and made at once, so later
/// changes and reads see it, and recorded, so [`RuleSet::abort`] can undo
/// them all. Only [`RuleSet::commit`] shows them to the data path. Every
/// allocation a change needs is made before it changes anything, and
/// neither commit nor abort allocates, so both always succeed.
///
/// # Invariants
///
/// `by_name` maps exactly the names of the rules in `by_id` to their ids;
/// `count` is the number of rules; `generation` is never 0. `undo` records
/// every change since the last commit or abort, in order (`None` only
/// while a commit or abort takes them), and `saved`
/// holds `next_id` and `generation` as they were before the first one.
/// `next` is an empty classifier with room for `count` rules whenever
/// `undo` records a change.
pub(crate) struct RuleSet {
    by_id: RBTree<u32, Rule>,
    by_name: RBTree<Name, u32>,
    count: u32,
    max: u32,
    next_id: u32,
    generation: u32,
    /// kvmalloc'ed: a batch may change every rule of the set, more than
    /// kmalloc can hold in one piece.
    undo: KVVec<Option<Undo>>,
    saved: Option<(u32, u32)>,
    /// What the next commit compiles the rules into and publishes.
    next: Option<KBox<RcuBox<Classifier>>>,
}

impl RuleSet {
    /// An empty set holding at most `max` rules.
    pub(crate) fn new(max: u32) -> Self {
        // INVARIANT: empty maps agree; generation starts at 1; no changes.
        Self {
            by_id: RBTree::new(),
            by_name: RBTree::new(),
            count: 0,
            max,
            next_id: 1,
            generation: 1,
            undo: KVVec::new(),
            saved: None,
            next: None,
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

    /// Makes room to record `n` more changes, leaving the set with at
    /// most `rules` rules, and to compile those; the first step of every
    /// change.
    fn reserve(&mut self, n: usize, rules: u32) -> Result<(), RuleError> {
        self.undo
            .reserve(n, GFP_KERNEL_ACCOUNT)
            .map_err(|_| RuleError::NoMemory)?;
        if self.next.is_none() {
            self.next = Some(
                RcuBox::new(Classifier::new(), GFP_KERNEL_ACCOUNT)
                    .map_err(|_| RuleError::NoMemory)?,
            );
        }
        if let Some(next) = self.next.as_mut() {
            next.reserve(rules as usize, self.undo.len() + n)
                .map_err(|_| RuleError::NoMemory)?;
        }
        // Before the transaction's first change touches them.
        if self.saved.is_none() {
            self.saved = Some((self.next_id, self.generation));
        }
        Ok(())
    }

    /// Records a change, with room reserved for it.
    fn record(&mut self, u: Undo) {
        // Cannot fail: `reserve()` made room first.
        let _ = self.undo.push(Some(u), GFP_KERNEL_ACCOUNT);
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

    /// What `insert(cfg, replace)` would do, without doing it.
    fn target(&self, cfg: &Config, replace: bool) -> Result<Option<u32>, RuleError> {
        let by_id = cfg.id.filter(|id| self.by_id.get(id).is_some());
        let by_name = cfg.name.and_then(|n| self.by_name.get(&n).copied());
        // A name belongs to one rule: it may only stay with its own.
        if let Some(owner) = by_name {
            if cfg.id.is_some_and(|id| id != owner) {
                return Err(RuleError::NameExists(owner));
            }
        }
        match by_id.or(by_name) {
            Some(_) if !replace && by_id.is_some() => Err(RuleError::IdExists),
            Some(id) if !replace => Err(RuleError::NameExists(id)),
            target => Ok(target),
        }
    }

    /// Adds the rule `cfg`, or replaces the rule with its id or name if
    /// `replace` is set.
    pub(crate) fn insert(&mut self, cfg: Config, replace: bool) -> Result<Inserted, RuleError> {
        match self.target(&cfg, replace)? {
            Some(id) => self.replace(id, cfg).map(|()| Inserted::Replaced(id)),
            None => self.add(cfg).map(Inserted::New),
        }
    }

    /// Like [`RuleSet::insert`], with the create/replace semantics of
    /// rtnetlink: without `create`, only an existing rule may be replaced
    /// (`NotFound` otherwise); with `exclusive`, an existing rule is an
    /// error even when replacing is asked for.
    pub(crate) fn insert_flags(
        &mut self,
        cfg: Config,
        create: bool,
        exclusive: bool,
        replace: bool,
    ) -> Result<Inserted, RuleError> {
        let target = self.target(&cfg, replace && !exclusive)?;
        if target.is_none() && !create {
            return Err(RuleError::NotFound);
        }
        self.insert(cfg, replace && !exclusive)
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
        // Allocate everything before touching the maps.
        self.reserve(1, self.count + 1)?;
        let rule = Rule {
            id,
            name: cfg.name,
            matcher: cfg.matcher,
            threshold: cfg.threshold,
            acct: Acct::new().map_err(|_| RuleError::NoMemory)?,
            base: Count::default(),
        };
        let info = rule.info();
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
        self.record(Undo::Added(info));
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
        self.reserve(1, self.count)?;
        let rule = self.by_id.get(&id).ok_or(RuleError::NotFound)?;
        let old_name = rule.name;
        let renamed = cfg.name != old_name;
        let name_res = Self::reserve_name(cfg.name.filter(|_| renamed))?;
        let name_node = match (renamed, old_name) {
            (true, Some(old)) => self.by_name.remove_node(&old),
            _ => None,
        };
        if let (Some(n), Some(r)) = (cfg.name, name_res) {
            self.by_name.insert(r.into_node(n, id));
        }
        let rule = self.by_id.get_mut(&id).ok_or(RuleError::NotFound)?;
        let saved = Saved {
            name: rule.name,
            matcher: rule.matcher,
            threshold: rule.threshold,
            name_node,
        };
        // INVARIANT: the name index follows the rule's new name. The
        // counters stay: the rule keeps counting the traffic it counted.
        rule.name = cfg.name;
        rule.matcher = cfg.matcher;
        rule.threshold = cfg.threshold;
        let info = rule.info();
        self.record(Undo::Replaced(info, saved));
        Ok(())
    }

    /// Removes the rule named by `key`; returns its id.
    pub(crate) fn remove(&mut self, key: Key) -> Result<u32, RuleError> {
        let id = self.id_of(key).ok_or(RuleError::NotFound)?;
        self.reserve(1, self.count)?;
        let name = self.by_id.get(&id).ok_or(RuleError::NotFound)?.name;
        let node = self.by_id.remove_node(&id).ok_or(RuleError::NotFound)?;
        self.take_out(id, node, name);
        Ok(id)
    }

    /// Records the removal of rule `id`, named `name`, whose node is
    /// already out of `by_id`, with room for the record reserved.
    fn take_out(&mut self, id: u32, node: RBTreeNode<u32, Rule>, name: Option<Name>) {
        let name_node = name.and_then(|n| self.by_name.remove_node(&n));
        // INVARIANT: the rule and its name went together.
        self.count -= 1;
        self.record(Undo::Removed(id, node, name_node));
    }

    /// Removes every rule; returns how many there were.
    pub(crate) fn flush(&mut self) -> Result<u32, RuleError> {
        let n = self.count;
        self.reserve(n as usize, 0)?;
        while let Some(c) = cursor_front_mut(&mut self.by_id) {
            let (id, name) = (*c.current().0, c.current().1.name);
            let (_, node) = c.remove_current();
            self.take_out(id, node, name);
        }
        Ok(n)
    }

    /// Calls `f` on each rule with an id of `from` or more, in id order,
    /// until it fails; returns its error.
    pub(crate) fn for_each_from<E>(
        &mut self,
        from: u32,
        mut f: impl FnMut(&Rule) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cursor = cursor_lower_bound_mut(&mut self.by_id, &from);
        while let Some(c) = cursor {
            f(c.current().1)?;
            cursor = c.move_next();
        }
        Ok(())
    }

    /// Calls `f` on each rule, in id order.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut Rule)) {
        for (_, r) in self.by_id.iter_mut() {
            f(r);
        }
    }

    /// Makes the changes since the last commit or abort final: publishes
    /// the rule set as it now stands to the data path in `table`, in one
    /// step, then reports each change, in order, to `f`.
    pub(crate) fn commit(&mut self, table: &Table, mut f: impl FnMut(Change)) {
        if let Some(mut next) = self.next.take() {
            // Cannot fail: `next` is empty with room for `count` rules and
            // the changes `undo` records (type invariant).
            if self.compile(table, &mut next).is_ok() {
                next.release_scratch();
                table.replace(Some(next));
            }
        }
        let mut undo = core::mem::replace(&mut self.undo, KVVec::new());
        for u in undo.as_mut_slice().iter_mut().filter_map(Option::take) {
            f(match u {
                Undo::Added(info) => Change::New(info),
                Undo::Replaced(info, _) => Change::Replaced(info),
                // Out of the data path: its counters are final.
                Undo::Removed(_, node, _) => Change::Deleted(node.to_key_value().1.info()),
            });
        }
        self.saved = None;
    }

    /// Compiles the rule set into `next`, the empty classifier that
    /// replaces the one in `table`, which every commit fills from the rules
    /// as they were then: merging the changed rules into that one when
    /// they are few, building anew otherwise.
    fn compile(&self, table: &Table, next: &mut Classifier) -> Result {
        let changed = self.undo.iter().flatten().map(Undo::id);
        let current = |id| self.by_id.get(&id).map(Rule::entry);
        // Never sleeps: the classifiers were given room beforehand.
        rcu::read(|s| match table.get(s) {
            // A merge costs a pass over the rules plus the changes' sort;
            // past an eighth of the rules (of 64 at least), a build's sort
            // costs less.
            Some(old) if self.undo.len() <= old.len().max(64) / 8 => {
                next.build_from(old, changed, current)
            }
            _ => next.build(self.by_id.values().map(Rule::entry)),
        })
    }

    /// Undoes every change since the last commit or abort, newest first.
    pub(crate) fn abort(&mut self) {
        let mut undo = core::mem::replace(&mut self.undo, KVVec::new());
        for u in undo
            .as_mut_slice()
            .iter_mut()
            .rev()
            .filter_map(Option::take)
        {
            match u {
                Undo::Added(info) => {
                    if let Some(rule) = self.by_id.remove(&info.id) {
                        if let Some(n) = rule.name {
                            self.by_name.remove(&n);
                        }
                        self.count -= 1;
                    }
                }
                Undo::Replaced(info, saved) => {
                    let Some(rule) = self.by_id.get_mut(&info.id) else {
                        continue;
                    };
                    if rule.name != saved.name {
                        if let Some(n) = rule.name {
                            self.by_name.remove(&n);
                        }
                        if let Some(node) = saved.name_node {
                            self.by_name.insert(node);
                        }
                    }
                    rule.name = saved.name;
                    rule.matcher = saved.matcher;
                    rule.threshold = saved.threshold;
                }
                Undo::Removed(_, node, name_node) => {
                    self.by_id.insert(node);
                    if let Some(n) = name_node {
                        self.by_name.insert(n);
                    }
                    self.count += 1;
                }
            }
        }
        // The data path never saw the changes: nothing to compile.
        self.next = None;
        // INVARIANT: every change undone, in reverse order; a transaction
        // that reserved but changed nothing restores the same values.
        if let Some((next_id, generation)) = self.saved.take() {
            self.next_id = next_id;
            self.generation = generation;
        }
    }
}
