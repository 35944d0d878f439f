// SPDX-License-Identifier: GPL-2.0

//! KUnit: rule-set transactions (commit and abort), what they publish to
//! the data path, and the threshold window.

use crate::listeners::MAX_LISTENERS;
use crate::{
    classifier::{self, Table},
    counter::{Count, PacketCounter},
    datapath::Window,
    kunit_expect, kunit_expect_eq, kunit_suite,
    listeners::{Full, Listeners},
    matching::FlowKey,
    model::{Config, Match, Name, Threshold, L3},
    netlink::rcu,
    rules::{Change, Inserted, Key, RuleError, RuleSet},
};
use core::num::NonZeroU32;
use kernel::prelude::*;

fn cfg(id: Option<u32>, name: &[u8], port: u16) -> Config {
    Config {
        id,
        name: Name::new(name),
        matcher: Match {
            proto: 17,
            dport: Some((port, port)),
            ..Match::default()
        },
        threshold: None,
    }
}

fn key(n: &[u8]) -> Key {
    Key::Name(Name::new(n).unwrap_or(Name::new(b"?").unwrap()))
}

/// Ids of the entries the data path finds for a UDP packet to `port`.
fn found(t: &Table, port: u16) -> KVec<u32> {
    let k = FlowKey {
        l3: L3::V4,
        proto: 17,
        src: [0; 16],
        dst: [0; 16],
        dport: Some(port),
    };
    let mut ids = KVec::with_capacity(8, GFP_KERNEL).unwrap_or_default();
    // Under RCU: nothing in the walk may sleep.
    rcu::read(|s| {
        classifier::for_each_match(t, s, &k, |e| {
            let _ = ids.push(e.id, GFP_ATOMIC);
        })
    });
    ids
}

fn abort_undoes_every_change() {
    let t = Table::new();
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(None, b"a", 1), false).is_ok());
    kunit_expect!(set.insert(cfg(None, b"b", 2), false).is_ok());
    set.commit(&t, |_| ());
    let gen = set.generation();
    // Add, rename by replace, remove, then abort.
    kunit_expect_eq!(set.insert(cfg(None, b"c", 3), false), Ok(Inserted::New(3)));
    kunit_expect_eq!(
        set.insert(cfg(Some(1), b"z", 9), true),
        Ok(Inserted::Replaced(1))
    );
    kunit_expect_eq!(set.remove(key(b"b")), Ok(2));
    kunit_expect_eq!(set.flush(), Ok(2));
    kunit_expect_eq!(set.len(), 0);
    set.abort();
    kunit_expect_eq!(set.len(), 2);
    kunit_expect_eq!(set.generation(), gen);
    kunit_expect!(set
        .get(key(b"a"))
        .is_some_and(|r| r.id == 1 && r.matcher.dport == Some((1, 1))));
    kunit_expect!(set.get(key(b"b")).is_some_and(|r| r.id == 2));
    kunit_expect!(set.get(key(b"z")).is_none());
    kunit_expect!(set.get(key(b"c")).is_none());
    // The data path never saw the aborted changes.
    kunit_expect_eq!(found(&t, 1).as_slice(), &[1][..]);
    kunit_expect_eq!(found(&t, 2).as_slice(), &[2][..]);
    kunit_expect!(found(&t, 9).is_empty());
    // Ids assigned in the aborted transaction are free again.
    kunit_expect_eq!(set.insert(cfg(None, b"c", 3), false), Ok(Inserted::New(3)));
}

fn commit_publishes_and_reports_in_order() {
    let t = Table::new();
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(1), b"a", 80), false).is_ok());
    kunit_expect!(set.insert(cfg(Some(2), b"b", 80), false).is_ok());
    // Staged changes are not in the data path yet.
    kunit_expect!(found(&t, 80).is_empty());
    kunit_expect!(set.insert(cfg(Some(2), b"b", 443), true).is_ok());
    kunit_expect!(set.remove(Key::Id(1)).is_ok());
    let mut seen = KVec::new();
    set.commit(&t, |c| {
        let tag = match c {
            Change::New(i) => (b'n', i.id),
            Change::Replaced(i) => (b'r', i.id),
            Change::Deleted(i) => (b'd', i.id),
        };
        let _ = seen.push(tag, GFP_KERNEL);
    });
    kunit_expect_eq!(
        seen.as_slice(),
        &[(b'n', 1), (b'n', 2), (b'r', 2), (b'd', 1)][..]
    );
    kunit_expect!(found(&t, 80).is_empty());
    kunit_expect_eq!(found(&t, 443).as_slice(), &[2][..]);
    // An abort after a commit has nothing to undo.
    set.abort();
    kunit_expect_eq!(set.len(), 1);
}

fn replace_keeps_the_counters() {
    let t = Table::new();
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(4), b"w", 53), false).is_ok());
    set.commit(&t, |_| ());
    let k = FlowKey {
        l3: L3::V6,
        proto: 17,
        src: [0; 16],
        dst: [0; 16],
        dport: Some(53),
    };
    rcu::read(|s| classifier::for_each_match(&t, s, &k, |e| e.acct.counter.add(100)));
    kunit_expect!(set.insert(cfg(Some(4), b"w", 54), true).is_ok());
    set.commit(&t, |_| ());
    let c = set.get(Key::Id(4)).map(|r| r.counters());
    kunit_expect_eq!(c.map(|c| (c.packets, c.bytes)), Some((1, 100)));
}

fn create_and_exclusive_flags() {
    let mut set = RuleSet::new(10);
    // Without create, only an existing rule may be replaced.
    kunit_expect_eq!(
        set.insert_flags(cfg(Some(1), b"a", 1), false, false, true),
        Err(RuleError::NotFound)
    );
    kunit_expect_eq!(
        set.insert_flags(cfg(Some(1), b"a", 1), true, false, false),
        Ok(Inserted::New(1))
    );
    // Exclusive refuses an existing rule, replace or not.
    kunit_expect_eq!(
        set.insert_flags(cfg(Some(1), b"a", 2), true, true, true),
        Err(RuleError::IdExists)
    );
    kunit_expect_eq!(
        set.insert_flags(cfg(Some(1), b"a", 2), false, false, true),
        Ok(Inserted::Replaced(1))
    );
    kunit_expect_eq!(
        set.insert_flags(cfg(Some(1), b"a", 2), true, false, false),
        Err(RuleError::IdExists)
    );
}

fn window_alerts_once_per_interval() {
    let w = Window::new();
    let t = Threshold {
        packets: 3,
        interval_ms: NonZeroU32::MIN.saturating_add(99),
    };
    let mut alerts = KVec::new();
    for now in [
        1000, 1001, 1002, 1003, 1004, 1099, 1100, 1101, 1102, 1150, 1160,
    ] {
        if let Some(n) = w.hit(&t, now) {
            let _ = alerts.push((now, n), GFP_KERNEL);
        }
    }
    // The 4th packet of each window passes 3; later ones stay quiet.
    kunit_expect_eq!(alerts.as_slice(), &[(1003, 4), (1150, 4)][..]);
}

fn counters_sum_and_restart_from_a_read() {
    let Ok(c) = PacketCounter::new() else {
        kunit_expect!(false);
        return;
    };
    kunit_expect_eq!(c.sum(), Count::default());
    for len in [60, 1500, 40] {
        c.add(len);
    }
    let read = c.sum();
    kunit_expect_eq!((read.packets, read.bytes), (3, 1600));
    // A reset keeps what was read as the base: later packets are counted
    // once, in the next read.
    c.add(100);
    let next = c.sum().since(read);
    kunit_expect_eq!((next.packets, next.bytes), (1, 100));
    kunit_expect_eq!(read.since(read), Count::default());
}

fn listeners_bind_unbind_and_cap() {
    let l = Listeners::new();
    kunit_expect_eq!(l.bind(0), Ok(false));
    kunit_expect_eq!(l.bind(100), Ok(true));
    kunit_expect_eq!(l.bind(100), Ok(false));
    for p in 1..MAX_LISTENERS as u32 {
        kunit_expect_eq!(l.bind(1000 + p), Ok(true));
    }
    kunit_expect_eq!(l.count(), MAX_LISTENERS as u32);
    kunit_expect_eq!(l.bind(7), Err(Full));
    kunit_expect!(l.unbind(100));
    kunit_expect!(!l.unbind(100));
    kunit_expect_eq!(l.bind(7), Ok(true));
    let mut sum = 0u64;
    l.for_each(|p| sum += u64::from(p));
    kunit_expect_eq!(
        sum,
        7 + (1..MAX_LISTENERS as u64).map(|p| 1000 + p).sum::<u64>()
    );
}

kunit_suite!(
    nlrs_txn,
    "nlrs_txn",
    [
        abort_undoes_every_change,
        commit_publishes_and_reports_in_order,
        replace_keeps_the_counters,
        create_and_exclusive_flags,
        window_alerts_once_per_interval,
        listeners_bind_unbind_and_cap,
        counters_sum_and_restart_from_a_read,
    ]
);
