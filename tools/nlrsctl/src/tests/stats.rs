use super::nla;
use crate::cmd::stats;
use crate::nl::Attrs;
use crate::uapi::genl::attr;

fn reply(skip: Option<u16>) -> Vec<u8> {
    let mut b = Vec::new();
    for (ty, v) in [
        (attr::STATS_REQUESTS, 7u64),
        (attr::STATS_REJECTS, 2),
        (attr::STATS_NTF_SENT, 3),
        (attr::STATS_NTF_DROPPED, 0),
    ] {
        if Some(ty) != skip {
            b.extend(nla(ty, &v.to_ne_bytes()));
        }
    }
    for (ty, v) in [(attr::RULE_COUNT, 12u32), (attr::STATS_LISTENERS, 2)] {
        if skip != Some(ty) {
            b.extend(nla(ty, &v.to_ne_bytes()));
        }
    }
    for (ty, v) in [
        (attr::STATS_HOOK_PACKETS, 40u64),
        (attr::STATS_HOOK_BYTES, 4000),
        (attr::STATS_ALERTS, 5),
    ] {
        if Some(ty) != skip {
            b.extend(nla(ty, &v.to_ne_bytes()));
        }
    }
    b
}

#[test]
fn stats_reply_parses_in_order() {
    let bytes = reply(None);
    let got = stats::parse(Attrs::new(&bytes)).unwrap();
    assert_eq!(
        got,
        vec![
            ("requests", 7),
            ("rejects", 2),
            ("notifications_sent", 3),
            ("notifications_dropped", 0),
            ("rules", 12),
            ("listeners", 2),
            ("hook_packets", 40),
            ("hook_bytes", 4000),
            ("alerts", 5)
        ]
    );
}

#[test]
fn stats_reply_missing_a_counter_is_an_error() {
    let bytes = reply(Some(attr::STATS_NTF_SENT));
    assert!(stats::parse(Attrs::new(&bytes)).is_err());
}

#[test]
fn stats_counter_of_the_wrong_size_is_an_error() {
    let mut bytes = reply(Some(attr::STATS_REJECTS));
    bytes.extend(nla(attr::STATS_REJECTS, &2u32.to_ne_bytes()));
    assert!(stats::parse(Attrs::new(&bytes)).is_err());
}

#[test]
fn stats_reply_without_the_rule_count_is_an_error() {
    let bytes = reply(Some(attr::RULE_COUNT));
    assert!(stats::parse(Attrs::new(&bytes)).is_err());
}

#[test]
fn stats_reply_without_hook_counters_is_an_error() {
    for ty in [attr::STATS_HOOK_PACKETS, attr::STATS_HOOK_BYTES] {
        let bytes = reply(Some(ty));
        assert!(stats::parse(Attrs::new(&bytes)).is_err());
    }
}
