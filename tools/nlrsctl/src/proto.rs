//! Names of the nlrs protocol numbers (from [`uapi`](crate::uapi)), for
//! output and error messages.

use crate::genl::ctrl;
use crate::uapi::{genl, nfnl};

/// The generic netlink family name ("nlrs").
pub fn family_name() -> &'static str {
    genl::FAMILY_NAME.to_str().expect("uapi names are ASCII")
}

/// The multicast group carrying notifications ("events").
pub fn events_group() -> &'static str {
    genl::MCGRP_EVENTS.to_str().expect("uapi names are ASCII")
}

/// Name of a generic netlink command (also used for op ids).
pub fn genl_cmd_name(cmd: u32) -> Option<&'static str> {
    match cmd {
        c if c == genl::cmd::ECHO as u32 => Some("echo"),
        c if c == genl::cmd::ECHO_NTF as u32 => Some("echo-ntf"),
        c if c == genl::cmd::STATS_GET as u32 => Some("stats-get"),
        c if c == genl::cmd::RULE_NEW as u32 => Some("rule-new"),
        c if c == genl::cmd::RULE_DEL as u32 => Some("rule-del"),
        c if c == genl::cmd::RULE_GET as u32 => Some("rule-get"),
        c if c == genl::cmd::RULE_FLUSH as u32 => Some("rule-flush"),
        c if c == genl::cmd::RULE_NEW_NTF as u32 => Some("rule-new-ntf"),
        c if c == genl::cmd::RULE_DEL_NTF as u32 => Some("rule-del-ntf"),
        c if c == genl::cmd::RULE_FLUSH_NTF as u32 => Some("rule-flush-ntf"),
        _ => None,
    }
}

/// Name of a generic netlink attribute, given its path of types from the
/// outermost attribute in.
pub fn genl_attr_name(path: &[u16]) -> Option<&'static str> {
    use genl::{attr as a, rule_match as m, threshold as t};
    match path {
        [a::MSG] => Some("msg"),
        [a::RULE_ID] => Some("rule-id"),
        [a::RULE_NAME] => Some("rule-name"),
        [a::RULE_MATCH] => Some("rule-match"),
        [a::RULE_THRESHOLD] => Some("rule-threshold"),
        [a::RULE_COUNTERS] => Some("rule-counters"),
        [a::RULE_REPLACE] => Some("rule-replace"),
        [a::RULE_COUNT] => Some("rule-count"),
        [a::RULE_MATCH, m::PROTO] => Some("rule-match.proto"),
        [a::RULE_MATCH, m::SRC4] => Some("rule-match.src4"),
        [a::RULE_MATCH, m::SRC6] => Some("rule-match.src6"),
        [a::RULE_MATCH, m::SRC_PLEN] => Some("rule-match.src-plen"),
        [a::RULE_MATCH, m::DST4] => Some("rule-match.dst4"),
        [a::RULE_MATCH, m::DST6] => Some("rule-match.dst6"),
        [a::RULE_MATCH, m::DST_PLEN] => Some("rule-match.dst-plen"),
        [a::RULE_MATCH, m::DPORT_LO] => Some("rule-match.dport-lo"),
        [a::RULE_MATCH, m::DPORT_HI] => Some("rule-match.dport-hi"),
        [a::RULE_THRESHOLD, t::PACKETS] => Some("rule-threshold.packets"),
        [a::RULE_THRESHOLD, t::INTERVAL_MS] => Some("rule-threshold.interval-ms"),
        _ => None,
    }
}

/// Name of an nlctrl attribute (for errors resolving a family).
pub fn ctrl_attr_name(path: &[u16]) -> Option<&'static str> {
    match path {
        [ctrl::ATTR_FAMILY_ID] => Some("family-id"),
        [ctrl::ATTR_FAMILY_NAME] => Some("family-name"),
        _ => None,
    }
}

/// Name of an nfnetlink attribute, given its path of types.
pub fn nfnl_attr_name(path: &[u16]) -> Option<&'static str> {
    match path {
        [nfnl::attr::MSG] => Some("msg"),
        _ => None,
    }
}

/// Names an attribute path with `namer`, falling back to the numeric types
/// joined by dots (e.g. `"3.1"`).
pub fn attr_path_name(path: &[u16], namer: fn(&[u16]) -> Option<&'static str>) -> String {
    match namer(path) {
        Some(n) => n.to_owned(),
        None => path
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("."),
    }
}
