//! The nfnetlink plane's new commands: batch files, checkpoints, alerts
//! and their command lines.

use std::ffi::OsString;
use std::time::Duration;

use super::{nest, nla};
use crate::alert::Alert;
use crate::cli::{parse, Command};
use crate::cmd::nf::{parse_batch, parse_checkpoint, BatchLine, Checkpointed};
use crate::nfnl::{NfMsg, NfgenMsg};
use crate::nl::Attrs;
use crate::uapi::genl::{attr, counters, threshold};
use crate::uapi::nfnl::msg;

#[test]
fn batch_file_lines() {
    let text = "# comment\n\nadd id 1 proto tcp dport 80\n  replace name x proto udp\ndel name x\n";
    let got = parse_batch(text).unwrap();
    let lines: Vec<usize> = got.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(matches!(&got[0].1, BatchLine::Add(r) if r.id == Some(1)));
    assert!(matches!(&got[1].1, BatchLine::Replace(r) if r.name.as_deref() == Some("x")));
    assert!(matches!(&got[2].1, BatchLine::Del(r) if r.name.as_deref() == Some("x")));
}

#[test]
fn batch_file_errors_name_the_line() {
    assert_eq!(parse_batch("add id 1\nflush\n").unwrap_err().0, 2);
    assert_eq!(parse_batch("del\n").unwrap_err().0, 1);
    assert_eq!(parse_batch("add id 1\nadd proto\n").unwrap_err().0, 2);
    // `del` only takes a key.
    assert_eq!(parse_batch("del id 1 proto tcp\n").unwrap_err().0, 1);
}

fn entry(id: u32, p: u64, b: u64) -> NfMsg {
    let attrs = [
        nla(attr::RULE_ID, &id.to_ne_bytes()),
        nest(
            attr::RULE_COUNTERS,
            &[
                nla(counters::PACKETS, &p.to_ne_bytes()),
                nla(counters::BYTES, &b.to_ne_bytes()),
            ],
        ),
    ]
    .concat();
    NfMsg {
        subsys: 5,
        msg_type: msg::CHECKPOINT,
        nfgen: NfgenMsg {
            family: 0,
            version: 0,
            res_id: 0,
        },
        attrs,
    }
}

#[test]
fn checkpoint_entries() {
    let got = parse_checkpoint(&[entry(1, 10, 1000), entry(9, 0, 0)]).unwrap();
    assert_eq!(
        got,
        vec![
            Checkpointed {
                id: 1,
                packets: 10,
                bytes: 1000
            },
            Checkpointed {
                id: 9,
                packets: 0,
                bytes: 0
            }
        ]
    );
    let mut bad = entry(2, 1, 1);
    bad.attrs.truncate(8);
    assert!(parse_checkpoint(&[bad]).is_err());
}

#[test]
fn alert_decodes_on_both_planes() {
    let b = [
        nla(attr::RULE_ID, &4u32.to_ne_bytes()),
        nest(
            attr::RULE_THRESHOLD,
            &[
                nla(threshold::PACKETS, &5u64.to_ne_bytes()),
                nla(threshold::INTERVAL_MS, &1000u32.to_ne_bytes()),
            ],
        ),
        nla(attr::ALERT_PACKETS, &6u64.to_ne_bytes()),
    ]
    .concat();
    let a = Alert::decode(Attrs::new(&b)).unwrap();
    assert_eq!(
        a,
        Alert {
            rule: 4,
            packets: 6,
            threshold: Some((5, 1000))
        }
    );
    assert_eq!(a.text(), "alert rule 4 packets 6 threshold 5/1000");
    assert!(Alert::decode(Attrs::new(&b[..8])).is_err());
}

fn p(args: &[&str]) -> Command {
    parse(args.iter().map(OsString::from)).unwrap().cmd
}

#[test]
fn new_command_lines() {
    assert_eq!(
        p(&["nf", "apply", "f.batch", "--subsys", "7"]),
        Command::NfApply {
            file: "f.batch".into(),
            subsys: 7
        }
    );
    assert_eq!(
        p(&["checkpoint", "--reset"]),
        Command::Checkpoint {
            reset: true,
            subsys: 5
        }
    );
    assert_eq!(p(&["counters"]), Command::Counters);
    assert_eq!(
        p(&["nf", "listen", "--count", "2", "--timeout", "1.5"]),
        Command::NfListen {
            subsys: 5,
            count: Some(2),
            timeout: Some(Duration::from_millis(1500))
        }
    );
    // --reset belongs to checkpoint only.
    assert!(parse(["counters", "--reset"].iter().map(OsString::from)).is_err());
    assert!(parse(["nf", "apply"].iter().map(OsString::from)).is_err());
}
