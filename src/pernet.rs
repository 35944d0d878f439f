// SPDX-License-Identifier: GPL-2.0

//! What the service keeps in each network namespace.

use crate::{
    classifier::Table,
    listeners::Listeners,
    netlink::{
        hook::{Family, HookOp, HookSwitch, Point},
        netns,
        nfnl::BatchLock,
    },
    rules::RuleSet,
    stats::NetStats,
};
use kernel::prelude::*;

static PER_NET: netns::Id = netns::Id::new();

/// The state of one network namespace: created with it, dropped (rules
/// and all) with it.
#[pin_data]
pub(crate) struct PerNet {
    /// The switch of the namespace's hooks: on while it has rules
    /// ([`PerNet::hooks_wanted`]).
    pub(crate) hooks: HookSwitch,
    /// Request and notification counters.
    pub(crate) stats: NetStats,
    /// The rules. Changes, reads and dumps take the mutex; the data path
    /// reads `table` instead.
    #[pin]
    pub(crate) rules: BatchLock<RuleSet>,
    /// nfnetlink alert listeners.
    pub(crate) listeners: Listeners,
    /// The committed rules, compiled for the hook. Replaced only by commits
    /// under `rules`.
    pub(crate) table: Table,
}

/// Where the hooks run: after conntrack and the filter table on the way
/// in (`NF_IP_PRI_FILTER + 1`), so only packets they let through count.
const PRIORITY: i32 = 1;

impl netns::NetState for PerNet {
    const ID: &'static netns::Id = &PER_NET;
    /// Local traffic of both families, in and out, to the hook in
    /// [`crate::hook`]. On while the namespace has rules.
    const HOOKS: &'static [HookOp<Self>] = &[
        HookOp::new(Family::Ipv4, Point::LocalIn, PRIORITY),
        HookOp::new(Family::Ipv4, Point::LocalOut, PRIORITY),
        HookOp::new(Family::Ipv6, Point::LocalIn, PRIORITY),
        HookOp::new(Family::Ipv6, Point::LocalOut, PRIORITY),
    ];

    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            hooks: HookSwitch::new(),
            stats: NetStats::new()?,
            rules <- BatchLock::new(RuleSet::new(crate::params::MAX_RULES.get())),
            listeners: Listeners::new(),
            table: Table::new(),
        })
    }
}

impl PerNet {
    /// Whether the namespace needs its hooks, with `rules` as they stand
    /// (staged changes included): while it has rules. The one place that
    /// says so; both planes switch by it.
    pub(crate) fn hooks_wanted(rules: &RuleSet) -> bool {
        rules.len() > 0
    }
}
