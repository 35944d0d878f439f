//! `nlrsctl nf echo TEXT`, `nf apply FILE` and `checkpoint`: the
//! nfnetlink plane.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::alert::{Alert, Source};
use crate::cli::{RULE_KEYS, RULE_KEY_KEYS};
use crate::error::{annotate, AppError, ErrorReport};
use crate::json;
use crate::nfnl::{NfMsg, NfnlHandle, Subsys, NFGENMSG_LEN};
use crate::nl::consts::{NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST};
use crate::nl::{MsgBuilder, ParseError};
use crate::output::Out;
use crate::proto::{genl_attr_name, nfnl_attr_name};
use crate::rule::Rule;
use crate::uapi::genl::{attr as gattr, counters};
use crate::uapi::nfnl::{attr, msg};

use super::REQUEST_TIMEOUT;

pub fn echo(out: &Out, text: &[u8], subsys: u8) -> Result<(), AppError> {
    let mut h = NfnlHandle::open()?;
    let mut ss = h.subsys_open(subsys);
    let mut req = ss.fill_hdr(
        msg::ECHO,
        NLM_F_REQUEST | NLM_F_ACK,
        libc::AF_UNSPEC as u8,
        0,
    );
    req.put_str(attr::MSG, text);
    let (replies, warning) = ss
        .query(&mut req, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, NFGENMSG_LEN, nfnl_attr_name))?;
    out.warning(warning.as_deref());

    let reply = replies
        .iter()
        .find(|m| m.msg_type == msg::ECHO)
        .ok_or(ParseError::Missing("an ECHO message"))?;
    let text = reply
        .attrs()
        .find(attr::MSG)?
        .ok_or(ParseError::Missing("the MSG attribute"))?
        .str_bytes();

    if out.json {
        out.line(&json::to_string(&NfEchoJson {
            msg: text,
            res_id: reply.nfgen.res_id,
        }))
    } else {
        out.line_bytes(text)
    }
}

/// One line of a batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchLine {
    /// `add WORDS`: a new rule only.
    Add(Rule),
    /// `replace WORDS`: add or replace.
    Replace(Rule),
    /// `del id N | name NAME`.
    Del(Rule),
}

/// Parses a batch file: `(line number, change)` per change, or the first
/// bad line's number and what is wrong with it.
pub fn parse_batch(text: &str) -> Result<Vec<(usize, BatchLine)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        let Some((verb, args)) = words.split_first() else {
            continue;
        };
        if verb.starts_with('#') {
            continue;
        }
        let change = match verb.as_str() {
            "add" => BatchLine::Add(Rule::from_words(args, RULE_KEYS).map_err(|e| (n, e))?),
            "replace" => BatchLine::Replace(Rule::from_words(args, RULE_KEYS).map_err(|e| (n, e))?),
            "del" | "delete" => {
                let key = Rule::from_words(args, RULE_KEY_KEYS).map_err(|e| (n, e))?;
                if key.id.is_none() && key.name.is_none() {
                    return Err((n, "del needs id N or name NAME".to_owned()));
                }
                BatchLine::Del(key)
            }
            other => return Err((n, format!("unknown change '{other}' (add, replace, del)"))),
        };
        out.push((n, change));
    }
    Ok(out)
}

/// The nfnetlink message of one batch line.
pub fn batch_msg(ss: &Subsys<'_>, change: &BatchLine) -> MsgBuilder {
    let (ty, flags, rule) = match change {
        BatchLine::Add(r) => (msg::RULE_NEW, NLM_F_CREATE | NLM_F_EXCL, r),
        BatchLine::Replace(r) => (msg::RULE_NEW, NLM_F_CREATE | NLM_F_REPLACE, r),
        BatchLine::Del(r) => (msg::RULE_DEL, 0, r),
    };
    let mut m = ss.fill_hdr(ty, NLM_F_REQUEST | flags, libc::AF_UNSPEC as u8, 0);
    rule.encode(&mut m);
    m
}

/// `nf apply FILE`: the file's changes as one batch.
pub fn apply(out: &Out, file: &str, subsys: u8) -> Result<(), AppError> {
    let text = if file == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(file)
    }
    .map_err(|e| AppError::Input(format!("{file}: {e}")))?;
    let changes =
        parse_batch(&text).map_err(|(n, e)| AppError::Input(format!("{file}:{n}: {e}")))?;
    let mut h = NfnlHandle::open()?;
    let mut ss = h.subsys_open(subsys);
    let mut msgs: Vec<MsgBuilder> = changes.iter().map(|(_, c)| batch_msg(&ss, c)).collect();
    let errors = ss.batch(&mut msgs, REQUEST_TIMEOUT)?;
    let Some(first) = errors.first().map(|(i, _)| *i) else {
        return if out.json {
            out.line(&json::to_string(&Applied {
                applied: changes.len(),
            }))
        } else {
            out.line(&format!("applied {} changes", changes.len()))
        };
    };
    for (i, k) in &errors {
        let e = AppError::Nl(annotate(
            crate::nl::Error::Kernel(k.clone()),
            &msgs[*i],
            NFGENMSG_LEN,
            genl_attr_name,
        ));
        let line = changes[*i].0;
        if out.json {
            out.diag(&json::to_string(&LineError {
                line,
                error: ErrorReport { error: e.to_json() },
            }));
        } else {
            out.diag(&format!("{file}:{line}: {}", e.text()));
        }
    }
    let _ = first;
    Err(AppError::Input(format!(
        "{} of {} changes refused; nothing applied",
        errors.len(),
        changes.len()
    )))
}

/// One rule's counters in a checkpoint; in JSON
/// `{"id":N,"packets":N,"bytes":N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checkpointed {
    pub id: u32,
    pub packets: u64,
    pub bytes: u64,
}

/// Reads the entries of a `CHECKPOINT` reply.
pub fn parse_checkpoint(msgs: &[NfMsg]) -> Result<Vec<Checkpointed>, ParseError> {
    let mut out = Vec::new();
    for m in msgs.iter().filter(|m| m.msg_type == msg::CHECKPOINT) {
        let a = m.attrs();
        let id = a
            .clone()
            .find(gattr::RULE_ID)?
            .ok_or(ParseError::Missing("the RULE_ID attribute"))?
            .u32()?;
        let c = a
            .find(gattr::RULE_COUNTERS)?
            .ok_or(ParseError::Missing("the RULE_COUNTERS attribute"))?
            .nested();
        let get = |ty| -> Result<u64, ParseError> {
            c.clone()
                .find(ty)?
                .ok_or(ParseError::Missing("a RULE_COUNTERS attribute"))?
                .u64()
        };
        out.push(Checkpointed {
            id,
            packets: get(counters::PACKETS)?,
            bytes: get(counters::BYTES)?,
        });
    }
    Ok(out)
}

/// `checkpoint [--reset]`.
pub fn checkpoint(out: &Out, reset: bool, subsys: u8) -> Result<(), AppError> {
    let mut h = NfnlHandle::open()?;
    h.grow_rcvbuf();
    let mut ss = h.subsys_open(subsys);
    let mut req = ss.fill_hdr(
        msg::CHECKPOINT,
        NLM_F_REQUEST | NLM_F_ACK,
        libc::AF_UNSPEC as u8,
        0,
    );
    if reset {
        req.put(gattr::CHECKPOINT_RESET, &[]);
    }
    let (replies, warning) = ss
        .query(&mut req, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, NFGENMSG_LEN, genl_attr_name))?;
    out.warning(warning.as_deref());
    let entries = parse_checkpoint(&replies)?;
    if out.json {
        out.line(&json::to_string(&entries))
    } else {
        entries.iter().try_for_each(|e| {
            out.line(&format!(
                "rule {} packets {} bytes {}",
                e.id, e.packets, e.bytes
            ))
        })
    }
}

/// `nf listen`: binds as an alert listener and prints alerts as they come.
pub fn listen(
    out: &Out,
    subsys: u8,
    count: Option<u64>,
    timeout: Option<Duration>,
) -> Result<(), AppError> {
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut h = NfnlHandle::open()?;
    let mut ss = h.subsys_open(subsys);
    let mut req = ss.fill_hdr(
        msg::LISTEN,
        NLM_F_REQUEST | NLM_F_ACK,
        libc::AF_UNSPEC as u8,
        0,
    );
    ss.query(&mut req, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, NFGENMSG_LEN, nfnl_attr_name))?;
    out.diag("listening for alerts");
    let mut seen = 0u64;
    loop {
        let left = match deadline {
            Some(d) => match d.saturating_duration_since(Instant::now()) {
                l if l.is_zero() => return Err(AppError::MonitorTimeout),
                l => Some(l),
            },
            None => None,
        };
        let msgs = match ss.recv(left) {
            Ok(m) => m,
            Err(crate::nl::Error::Timeout) if deadline.is_some() => {
                return Err(AppError::MonitorTimeout)
            }
            Err(crate::nl::Error::Overrun) => {
                out.diag("Warning: the kernel dropped alerts (ENOBUFS)");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        for m in msgs.iter().filter(|m| m.msg_type == msg::ALERT) {
            let a = Alert::decode(m.attrs())?;
            if out.json {
                out.line(&a.json(Source::Plane("nfnetlink")))?;
            } else {
                out.line(&a.text())?;
            }
            seen += 1;
            if count.is_some_and(|c| seen >= c) {
                return Ok(());
            }
        }
    }
}

/// `{"msg":...,"res_id":N}`: the text the subsystem echoed.
#[derive(Serialize)]
pub(crate) struct NfEchoJson<'a> {
    #[serde(serialize_with = "json::lossy")]
    pub(crate) msg: &'a [u8],
    pub(crate) res_id: u16,
}

/// `{"applied":N}`: a batch took effect.
#[derive(Serialize)]
pub(crate) struct Applied {
    pub(crate) applied: usize,
}

/// `{"line":N,"error":{"error":{...}}}`: a batch line the kernel refused.
#[derive(Serialize)]
pub(crate) struct LineError {
    pub(crate) line: usize,
    pub(crate) error: ErrorReport,
}
