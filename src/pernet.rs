// SPDX-License-Identifier: GPL-2.0

//! What the service keeps in each network namespace.

use crate::{netlink::netns, rules::RuleSet, stats::NetStats};
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

impl netns::NetState for PerNet {
    const ID: &'static netns::Id = &PER_NET;

    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            stats: NetStats::new(),
            rules <- new_mutex!(RuleSet::new(crate::MAX_RULES.get()), "nlrs_rules"),
        })
    }
}
