// SPDX-License-Identifier: GPL-2.0

//! What the service keeps in each network namespace.

use crate::{
    netlink::{
        hook::{Family, Hook, HookOp, Packet, Point, Verdict},
        netns,
    },
    rules::RuleSet,
    stats::NetStats,
};
use kernel::{new_mutex, prelude::*, sync::Mutex};

static PER_NET: netns::Id = netns::Id::new();

/// The state of one network namespace: created with it, dropped (rules
/// and all) with it.
#[pin_data]
pub(crate) struct PerNet {
    /// Request and notification counters.
    pub(crate) stats: NetStats,
    /// The rules. Changes and dumps take the mutex; the data path will read
    /// a published copy instead.
    #[pin]
    pub(crate) rules: Mutex<RuleSet>,
}

/// Where the hooks run: after conntrack and the filter table on the way
/// in (`NF_IP_PRI_FILTER + 1`), so only packets they let through count.
const PRIORITY: i32 = 1;

impl netns::NetState for PerNet {
    const ID: &'static netns::Id = &PER_NET;
    /// Local traffic of both families, in and out. On while the namespace
    /// has rules.
    const HOOKS: &'static [HookOp<Self>] = &[
        HookOp::new(Family::Ipv4, Point::LocalIn, PRIORITY),
        HookOp::new(Family::Ipv4, Point::LocalOut, PRIORITY),
        HookOp::new(Family::Ipv6, Point::LocalIn, PRIORITY),
        HookOp::new(Family::Ipv6, Point::LocalOut, PRIORITY),
    ];

    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            stats: NetStats::new(),
            rules <- new_mutex!(RuleSet::new(crate::MAX_RULES.get()), "nlrs_rules"),
        })
    }
}

impl Hook for PerNet {
    /// Counts every packet; rules' own counters come with the matcher.
    fn hook(&self, pkt: &Packet<'_>) -> Verdict {
        self.stats.packet(pkt.len());
        Verdict::Accept
    }
}
