//! The JSON shapes of `-j` output not pinned elsewhere, member by member.

use std::collections::BTreeMap;

use crate::alert::{Alert, Source};
use crate::cmd::echo::EchoJson;
use crate::cmd::nf::{Applied, Checkpointed, LineError, NfEchoJson};
use crate::cmd::policy::{AttrPolicy, DumpJson, OpJson};
use crate::cmd::rule::{Flushed, RuleCounters};
use crate::cmd::stats::Counters;
use crate::error::{AppError, ErrorReport};
use crate::json::to_string;
use crate::output::{Message, Warning};

#[test]
fn echo_shapes() {
    assert_eq!(
        to_string(&EchoJson { msg: b"a\"\xff" }),
        r#"{"msg":"a\"�"}"#
    );
    assert_eq!(
        to_string(&NfEchoJson {
            msg: b"hi",
            res_id: 10
        }),
        r#"{"msg":"hi","res_id":10}"#
    );
    assert_eq!(
        to_string(&Warning {
            warning: Message { message: "w" }
        }),
        r#"{"warning":{"message":"w"}}"#
    );
}

#[test]
fn counter_shapes() {
    let stats = [("requests", 2), ("rules", 1)];
    assert_eq!(to_string(&Counters(&stats)), r#"{"requests":2,"rules":1}"#);
    let cp = [Checkpointed {
        id: 1,
        packets: 2,
        bytes: 3,
    }];
    assert_eq!(to_string(&cp), r#"[{"id":1,"packets":2,"bytes":3}]"#);
    let rc = [
        RuleCounters {
            id: 1,
            name: Some("web"),
            packets: 2,
            bytes: 3,
        },
        RuleCounters {
            id: 4,
            name: None,
            packets: 0,
            bytes: 0,
        },
    ];
    assert_eq!(
        to_string(&rc),
        r#"[{"id":1,"name":"web","packets":2,"bytes":3},{"id":4,"packets":0,"bytes":0}]"#
    );
    assert_eq!(to_string(&Flushed { flushed: 3 }), r#"{"flushed":3}"#);
}

#[test]
fn batch_shapes() {
    assert_eq!(to_string(&Applied { applied: 2 }), r#"{"applied":2}"#);
    let e = AppError::Input("bad".to_owned());
    assert_eq!(
        to_string(&LineError {
            line: 3,
            error: ErrorReport { error: e.to_json() }
        }),
        format!(r#"{{"line":3,"error":{}}}"#, e.json())
    );
}

#[test]
fn alert_shapes() {
    let a = Alert {
        rule: 7,
        packets: 11,
        threshold: Some((10, 1000)),
    };
    assert_eq!(
        a.json(Source::Group("alerts")),
        r#"{"group":"alerts","event":"alert","rule":7,"packets":11,"threshold":{"packets":10,"interval_ms":1000}}"#
    );
    let a = Alert {
        threshold: None,
        ..a
    };
    assert_eq!(
        a.json(Source::Plane("nfnetlink")),
        r#"{"plane":"nfnetlink","event":"alert","rule":7,"packets":11}"#
    );
}

#[test]
fn policy_shape() {
    let mut attrs = BTreeMap::new();
    attrs.insert(
        1u16,
        AttrPolicy {
            kind: "string".to_owned(),
            fields: vec![("max_length", 256)],
        },
    );
    let mut policies = BTreeMap::new();
    policies.insert(0u32, attrs);
    let dump = DumpJson {
        ops: vec![
            OpJson {
                cmd: 1,
                name: Some("echo"),
                do_policy: Some(0),
                dump_policy: None,
            },
            OpJson {
                cmd: 9,
                name: None,
                do_policy: None,
                dump_policy: Some(0),
            },
        ],
        policies: &policies,
    };
    assert_eq!(
        to_string(&dump),
        r#"{"ops":[{"cmd":1,"name":"echo","do":0},{"cmd":9,"dump":0}],"policies":{"0":{"1":{"type":"string","max_length":256}}}}"#
    );
}
