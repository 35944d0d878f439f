// SPDX-License-Identifier: GPL-2.0

//! The netfilter hook: counts every packet for its namespace and for each
//! rule it matches, and raises the rules' threshold alerts. Where it is
//! attached is declared with the namespace's state ([`crate::pernet`]).

use crate::{
    alerts,
    classifier::for_each_match,
    matching::FlowKey,
    netlink::{
        hook::{Hook, HookSwitch, Packet, Verdict},
        time,
    },
    pernet::PerNet,
};

impl Hook for PerNet {
    fn switch(&self) -> &HookSwitch {
        &self.hooks
    }

    /// Counts the packet for the namespace and for every rule it matches.
    fn hook(&self, pkt: &Packet<'_>) -> Verdict {
        let len = pkt.len();
        self.stats.packet(len);
        let Some(key) = FlowKey::of(pkt) else {
            return Verdict::Accept;
        };
        for_each_match(&self.table, pkt.rcu(), &key, |e| {
            e.acct.counter.add(len);
            if let Some(t) = &e.threshold {
                let now = time::monotonic_ms();
                if let Some(n) = e.acct.window.hit(t, now) {
                    alerts::raise(self, pkt.net(), e, n);
                }
            }
        });
        Verdict::Accept
    }
}
