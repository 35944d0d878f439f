//! `nlrsctl monitor [GROUP...]`: print multicast notifications.

use std::time::{Duration, Instant};

use std::borrow::Cow;

use serde::Serialize;

use crate::alert::{Alert, Source};
use crate::error::AppError;
use crate::genl::{GenlMsg, GenlSocket};
use crate::json;
use crate::nl::{self, Messages, ParseError};
use crate::output::Out;
use crate::proto::family_name;
use crate::rule::{Rule, RuleJson};
use crate::uapi::genl::{attr, cmd};

use super::resolve;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A notification in JSON: `{"group":...,"event":...}` and the members
/// of its kind of event.
#[derive(Serialize)]
struct Event<'a> {
    group: &'a str,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cmd: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attrs: Option<Vec<RawAttr>>,
}

impl<'a> Event<'a> {
    fn new(group: &'a str, event: &'a str) -> Self {
        Event {
            group,
            event,
            msg: None,
            rule: None,
            count: None,
            cmd: None,
            attrs: None,
        }
    }
}

/// An attribute of an unknown notification: `{"type":N,"hex":"..."}`.
#[derive(Serialize)]
struct RawAttr {
    #[serde(rename = "type")]
    ty: u16,
    hex: String,
}

/// One notification as a line of output.
pub fn render(m: &GenlMsg, group: &str, as_json: bool) -> Result<String, ParseError> {
    let attrs = m.attrs().collect_all()?;
    if m.hdr.cmd == cmd::ECHO_NTF {
        let msg = attrs
            .iter()
            .find(|a| a.ty == attr::MSG)
            .map(|a| a.str_bytes());
        return Ok(if as_json {
            json::to_string(&Event {
                msg: msg.map(String::from_utf8_lossy),
                ..Event::new(group, "echo")
            })
        } else {
            match msg {
                Some(b) => format!("echo msg={}", String::from_utf8_lossy(b)),
                None => "echo".to_owned(),
            }
        });
    }
    let rule_event = match m.hdr.cmd {
        cmd::RULE_NEW_NTF if attrs.iter().any(|a| a.ty == attr::RULE_REPLACE) => {
            Some("rule-replace")
        }
        cmd::RULE_NEW_NTF => Some("rule-new"),
        cmd::RULE_DEL_NTF => Some("rule-del"),
        _ => None,
    };
    if let Some(event) = rule_event {
        let rule = Rule::decode(m.attrs())?;
        return Ok(if as_json {
            json::to_string(&Event {
                rule: Some(rule.to_json()),
                ..Event::new(group, event)
            })
        } else {
            format!("{event} {}", rule.text())
        });
    }
    if m.hdr.cmd == cmd::ALERT_NTF {
        let a = Alert::decode(m.attrs())?;
        return Ok(if as_json {
            a.json(Source::Group(group))
        } else {
            a.text()
        });
    }
    if m.hdr.cmd == cmd::RULE_FLUSH_NTF {
        let n = m
            .attrs()
            .find(attr::RULE_COUNT)?
            .ok_or(ParseError::Missing("the RULE_COUNT attribute"))?
            .u32()?;
        return Ok(if as_json {
            json::to_string(&Event {
                count: Some(n),
                ..Event::new(group, "rule-flush")
            })
        } else {
            format!("rule-flush count={n}")
        });
    }
    Ok(if as_json {
        json::to_string(&Event {
            cmd: Some(m.hdr.cmd),
            attrs: Some(
                attrs
                    .iter()
                    .map(|a| RawAttr {
                        ty: a.ty,
                        hex: hex(a.payload),
                    })
                    .collect(),
            ),
            ..Event::new(group, "unknown")
        })
    } else {
        let mut s = format!("cmd={}", m.hdr.cmd);
        for a in &attrs {
            s.push_str(&format!(" {}={}", a.ty, hex(a.payload)));
        }
        s
    })
}

pub fn run(
    out: &Out,
    groups: &[String],
    count: Option<u64>,
    timeout: Option<Duration>,
) -> Result<(), AppError> {
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, family_name())?;

    let mut joined: Vec<(u32, &str)> = Vec::new();
    for g in groups {
        let id = fam.group_id(g).ok_or_else(|| AppError::GroupNotFound {
            family: fam.name.clone(),
            group: g.clone(),
            available: fam.groups.iter().map(|g| g.name.clone()).collect(),
        })?;
        joined.push((id, g));
    }
    let sock = gs.socket();
    sock.enable_pktinfo()?;
    for (id, _) in &joined {
        sock.add_membership(*id)?;
    }
    out.diag(&format!("listening on {}", groups.join(",")));

    let mut seen = 0u64;
    loop {
        let left = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(AppError::MonitorTimeout);
                }
                Some(left)
            }
            None => None,
        };
        sock.set_recv_timeout(left)?;
        let dg = match sock.recv() {
            Ok(dg) => dg,
            Err(nl::Error::Timeout) if deadline.is_some() => return Err(AppError::MonitorTimeout),
            Err(nl::Error::Overrun) => {
                out.diag("Warning: the kernel dropped notifications (ENOBUFS)");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let group = match dg.group {
            Some(id) => joined
                .iter()
                .find(|(g, _)| *g == id)
                .map(|(_, n)| n.to_string())
                .unwrap_or_else(|| id.to_string()),
            None if joined.len() == 1 => joined[0].1.to_owned(),
            None => "?".to_owned(),
        };
        for m in Messages::new(dg.bytes) {
            let m = m?;
            if m.hdr.ty != fam.id {
                continue;
            }
            let line =
                GenlMsg::parse(m.hdr.ty, m.payload).and_then(|g| render(&g, &group, out.json));
            match line {
                Ok(line) => out.line(&line)?,
                Err(e) => {
                    out.diag(&format!("Warning: skipping malformed notification: {e}"));
                    continue;
                }
            }
            seen += 1;
            if count.is_some_and(|c| seen >= c) {
                return Ok(());
            }
        }
    }
}
