use super::{nest, nla};
use crate::cli::{parse, Command};
use crate::cmd::monitor::render;
use crate::cmd::rule::Action;
use crate::genl::{self, GenlMsg};
use crate::nl::Attrs;
use crate::rule::{Prefix, Rule};
use crate::uapi::genl::{attr, cmd, counters, rule_match as m, threshold};
use std::ffi::OsString;

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

const ALL: &[&str] = &["id", "name", "proto", "src", "dst", "dport", "threshold"];

#[test]
fn words_parse_into_a_rule() {
    let r = Rule::from_words(
        &words("name web proto tcp src 10.0.0.0/8 dst 2001:db8::1 dport 80-443 threshold 100/1000"),
        ALL,
    )
    .unwrap();
    assert_eq!(r.name.as_deref(), Some("web"));
    assert_eq!(r.proto, Some(6));
    assert_eq!(r.src.unwrap().to_string(), "10.0.0.0/8");
    // No length: the whole address.
    assert_eq!(r.dst.unwrap().to_string(), "2001:db8::1/128");
    assert_eq!(r.dport, Some((80, Some(443))));
    assert_eq!(r.threshold, Some((100, 1000)));
    assert_eq!(r.id, None);
}

#[test]
fn bad_words_are_usage_errors() {
    for (w, msg) in [
        ("bogus 1", "unknown keyword 'bogus'"),
        ("name", "name needs a value"),
        ("proto xyz", "proto: 'xyz'"),
        ("proto 256", "proto: '256'"),
        ("src 10.0.0", "src: '10.0.0' is not an IPv4 or IPv6 address"),
        ("dst ::1/x", "dst: 'x' is not a prefix length"),
        ("dport 70000", "dport: '70000'"),
        ("threshold 100", "threshold: '100' is not PACKETS/MS"),
        ("id -1", "id: '-1'"),
    ] {
        let e = Rule::from_words(&words(w), ALL).unwrap_err();
        assert!(e.starts_with(msg), "{w}: {e}");
    }
    // Keys outside the allowed set are refused.
    assert!(Rule::from_words(&words("proto tcp"), &["id", "name"]).is_err());
}

#[test]
fn encode_writes_the_match_nest() {
    let r = Rule::from_words(&words("id 7 proto udp dst 10.1.0.0/16 dport 53"), ALL).unwrap();
    let mut b = genl::request(0x20, cmd::RULE_NEW, 1);
    r.encode(&mut b);
    let bytes = b.bytes()[16 + 4..].to_vec();
    let expect = [
        nla(attr::RULE_ID, &7u32.to_ne_bytes()),
        nest(
            attr::RULE_MATCH,
            &[
                nla(m::PROTO, &[17]),
                nla(m::DST4, &[10, 1, 0, 0]),
                nla(m::DST_PLEN, &[16]),
                nla(m::DPORT_LO, &53u16.to_ne_bytes()),
            ],
        ),
    ]
    .concat();
    assert_eq!(bytes, expect);
}

fn kernel_rule() -> Vec<u8> {
    [
        nla(attr::RULE_ID, &3u32.to_ne_bytes()),
        nla(attr::RULE_NAME, b"dns\0"),
        nest(
            attr::RULE_MATCH,
            &[
                nla(m::PROTO, &[17]),
                nla(
                    m::SRC6,
                    &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                ),
                nla(m::SRC_PLEN, &[32]),
                nla(m::DPORT_LO, &53u16.to_ne_bytes()),
                nla(m::DPORT_HI, &53u16.to_ne_bytes()),
            ],
        ),
        nest(
            attr::RULE_THRESHOLD,
            &[
                nla(threshold::PACKETS, &10u64.to_ne_bytes()),
                nla(threshold::INTERVAL_MS, &500u32.to_ne_bytes()),
            ],
        ),
        nest(
            attr::RULE_COUNTERS,
            &[
                nla(counters::PACKETS, &4u64.to_ne_bytes()),
                nla(counters::BYTES, &400u64.to_ne_bytes()),
            ],
        ),
    ]
    .concat()
}

#[test]
fn kernel_rule_decodes_and_prints() {
    let bytes = kernel_rule();
    let r = Rule::decode(Attrs::new(&bytes)).unwrap();
    assert_eq!(
        r.src,
        Some(Prefix {
            addr: "2001:db8::".parse().unwrap(),
            len: 32
        })
    );
    assert_eq!(
        r.text(),
        "id 3 name dns proto udp src 2001:db8::/32 dport 53 threshold 10/500 packets 4 bytes 400"
    );
    assert_eq!(
        r.json(),
        r#"{"id":3,"name":"dns","match":{"proto":17,"src":"2001:db8::/32","dport_lo":53,"dport_hi":53},"threshold":{"packets":10,"interval_ms":500},"counters":{"packets":4,"bytes":400}}"#
    );
}

#[test]
fn rule_without_id_is_malformed() {
    let bytes = nla(attr::RULE_NAME, b"x\0");
    assert!(Rule::decode(Attrs::new(&bytes)).is_err());
}

fn ntf(c: u8, attrs: &[u8]) -> GenlMsg {
    let mut p = vec![c, 1, 0, 0];
    p.extend_from_slice(attrs);
    GenlMsg::parse(0x22, &p).unwrap()
}

#[test]
fn config_notifications_render() {
    let rule = kernel_rule();
    let m = ntf(cmd::RULE_NEW_NTF, &rule);
    assert!(render(&m, "config", false)
        .unwrap()
        .starts_with("rule-new id 3 name dns"));
    let mut replaced = rule.clone();
    replaced.extend(nla(attr::RULE_REPLACE, &[]));
    let m = ntf(cmd::RULE_NEW_NTF, &replaced);
    assert!(render(&m, "config", false)
        .unwrap()
        .starts_with("rule-replace id 3"));
    let m = ntf(cmd::RULE_DEL_NTF, &rule);
    assert!(render(&m, "config", true)
        .unwrap()
        .starts_with(r#"{"group":"config","event":"rule-del","rule":{"id":3,"#));
    let m = ntf(
        cmd::RULE_FLUSH_NTF,
        &nla(attr::RULE_COUNT, &5u32.to_ne_bytes()),
    );
    assert_eq!(render(&m, "config", false).unwrap(), "rule-flush count=5");
    assert_eq!(
        render(&m, "config", true).unwrap(),
        r#"{"group":"config","event":"rule-flush","count":5}"#
    );
}

fn cli(args: &str) -> Result<Command, String> {
    parse(args.split_whitespace().map(OsString::from))
        .map(|c| c.cmd)
        .map_err(|e| e.msg)
}

#[test]
fn rule_command_lines() {
    assert!(matches!(
        cli("rule add name a proto tcp"),
        Ok(Command::Rule(Action::New { replace: false, .. }))
    ));
    assert!(matches!(
        cli("rule replace id 4"),
        Ok(Command::Rule(Action::New { replace: true, .. }))
    ));
    assert!(matches!(
        cli("rule show"),
        Ok(Command::Rule(Action::Show(None)))
    ));
    assert!(matches!(
        cli("rule show id 2"),
        Ok(Command::Rule(Action::Show(Some(_))))
    ));
    assert!(matches!(
        cli("rule del name a"),
        Ok(Command::Rule(Action::Del(_)))
    ));
    assert!(matches!(
        cli("rule flush"),
        Ok(Command::Rule(Action::Flush))
    ));
    assert_eq!(
        cli("rule del").unwrap_err(),
        "rule del needs id N or name NAME"
    );
    assert!(cli("rule del proto tcp").is_err());
    assert!(cli("rule flush now").is_err());
    assert!(cli("rule frob")
        .unwrap_err()
        .contains("unknown rule command"));
    assert!(cli("rule").is_err());
}
