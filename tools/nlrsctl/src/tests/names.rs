//! Names of commands and attributes come from the specs, through the
//! `NAMES` and `PATHS` tables the generator writes into `uapi.rs`.

use crate::proto::{genl_attr_name, genl_cmd_name, nfnl_attr_name};
use crate::uapi::genl::{attr as a, cmd, rule_match as m, threshold as t};
use crate::uapi::nfnl;

#[test]
fn names_follow_the_uapi_constants() {
    for (path, name) in [
        (&[a::MSG][..], "msg"),
        (&[a::RULE_ID], "rule-id"),
        (&[a::RULE_NAME], "rule-name"),
        (&[a::RULE_REPLACE], "rule-replace"),
        (&[a::RULE_COUNT], "rule-count"),
        (&[a::RULE_MATCH, m::PROTO], "rule-match.proto"),
        (&[a::RULE_MATCH, m::SRC_PLEN], "rule-match.src-plen"),
        (&[a::RULE_MATCH, m::DPORT_HI], "rule-match.dport-hi"),
        (
            &[a::RULE_THRESHOLD, t::INTERVAL_MS],
            "rule-threshold.interval-ms",
        ),
        (&[a::STATS_LISTENERS], "stats-listeners"),
    ] {
        assert_eq!(genl_attr_name(path), Some(name), "{path:?}");
    }
    assert_eq!(genl_attr_name(&[99]), None);
    assert_eq!(genl_attr_name(&[a::MSG, 1]), None);
    assert_eq!(nfnl_attr_name(&[nfnl::attr::MSG]), Some("msg"));
    assert_eq!(
        nfnl_attr_name(&[nfnl::attr::RULE_MATCH, m::DST4]),
        Some("rule-match.dst4")
    );
    assert_eq!(genl_cmd_name(cmd::ECHO.into()), Some("echo"));
    assert_eq!(
        genl_cmd_name(cmd::RULE_FLUSH_NTF.into()),
        Some("rule-flush-ntf")
    );
    assert_eq!(genl_cmd_name(200), None);
}
