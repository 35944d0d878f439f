// SPDX-License-Identifier: GPL-2.0

//! Threshold alerts: raised by the data path when a rule's window passes
//! its threshold, sent on the generic netlink "alerts" group and, as
//! nfnetlink `ALERT` messages, to every bound listener.

use crate::{
    datapath::Entry,
    netlink::{genl::notify_in, msg::Writer, netns::NetRef, nfnl::unicast_in},
    notify::NlrsFamily,
    pernet::PerNet,
    policy::genl::Groups,
    uapi::{
        genl::{attr, cmd, threshold},
        nfnl,
    },
};
use kernel::prelude::*;

/// The attributes of an alert of rule `e` at `packets` packets.
fn put_alert(w: &mut Writer, e: &Entry, packets: u64) -> Result {
    w.put_u32(attr::RULE_ID, e.id)?;
    if let Some(t) = &e.threshold {
        w.put_nested(attr::RULE_THRESHOLD, |w| {
            w.put_u64(threshold::PACKETS, t.packets)?;
            w.put_u32(threshold::INTERVAL_MS, t.interval_ms.get())
        })?;
    }
    w.put_u64(attr::ALERT_PACKETS, packets)
}

/// Rule `e` saw `packets` packets in its current window, more than its
/// threshold. Runs in the hook: never sleeps, never blocks on a reader (a
/// full receive buffer loses the alert, counted as a dropped
/// notification).
pub(crate) fn raise(state: &PerNet, net: NetRef<'_>, e: &Entry, packets: u64) {
    state.stats.alert();
    let sent = notify_in::<NlrsFamily>(net, Groups::Alerts, cmd::ALERT_NTF, |w| {
        put_alert(w, e, packets)
    });
    state.stats.notification(&sent);
    let subsys = crate::params::NFNL_SUBSYS.get();
    state.listeners.for_each(|port| {
        let r = unicast_in(net, subsys, nfnl::msg::ALERT, port, |w| {
            put_alert(w, e, packets)
        });
        state.stats.notification(&r.map(|()| true));
    });
}
