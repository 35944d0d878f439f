//! `nlrsctl rule add|replace|del|show|flush`.

use serde::Serialize;

use crate::error::AppError;
use crate::json;
use crate::nl::ParseError;
use crate::output::Out;
use crate::rule::Rule;
use crate::uapi::genl::{attr, cmd};

use super::{nlrs_do, nlrs_dump, nlrs_request};

/// What `nlrsctl rule` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `add` (or `replace`, with `RULE_REPLACE`).
    New { rule: Rule, replace: bool },
    /// `del id N | name NAME`.
    Del(Rule),
    /// `show [id N | name NAME]`: one rule, or all of them.
    Show(Option<Rule>),
    /// `flush`.
    Flush,
}

fn print_rules(out: &Out, rules: &[Rule], as_array: bool) -> Result<(), AppError> {
    if out.json {
        if as_array {
            let all: Vec<_> = rules.iter().map(Rule::to_json).collect();
            out.line(&json::to_string(&all))
        } else {
            rules.iter().try_for_each(|r| out.line(&r.json()))
        }
    } else {
        rules.iter().try_for_each(|r| out.line(&r.text()))
    }
}

/// Every rule, by a `RULE_GET` dump.
fn all_rules(out: &Out) -> Result<Vec<Rule>, AppError> {
    Ok(nlrs_dump(out, cmd::RULE_GET)?
        .iter()
        .filter(|m| m.hdr.cmd == cmd::RULE_GET)
        .map(|m| Rule::decode(m.attrs()))
        .collect::<Result<Vec<_>, _>>()?)
}

/// `counters`: every rule's counters.
pub fn counters(out: &Out) -> Result<(), AppError> {
    let rules = all_rules(out)?;
    if out.json {
        let all: Vec<_> = rules
            .iter()
            .map(|r| {
                let (packets, bytes) = r.counters.unwrap_or((0, 0));
                RuleCounters {
                    id: r.id.unwrap_or(0),
                    name: r.name.as_deref(),
                    packets,
                    bytes,
                }
            })
            .collect();
        out.line(&json::to_string(&all))
    } else {
        rules.iter().try_for_each(|r| {
            let (p, b) = r.counters.unwrap_or((0, 0));
            let id = r.id.unwrap_or(0);
            let name = r.name.as_deref().unwrap_or("-");
            out.line(&format!("{id} {name} packets {p} bytes {b}"))
        })
    }
}

pub fn run(out: &Out, action: &Action) -> Result<(), AppError> {
    match action {
        Action::New { rule, replace } => {
            let reply = nlrs_do(out, cmd::RULE_NEW, |req| {
                rule.encode(req);
                if *replace {
                    req.put(attr::RULE_REPLACE, &[]);
                }
            })?;
            print_rules(out, &[Rule::decode(reply.attrs())?], false)
        }
        Action::Del(key) => {
            // RULE_DEL has no reply: the ACK is the answer.
            nlrs_request(out, cmd::RULE_DEL, |req| key.encode(req)).map(drop)
        }
        Action::Show(Some(key)) => {
            let reply = nlrs_do(out, cmd::RULE_GET, |req| key.encode(req))?;
            print_rules(out, &[Rule::decode(reply.attrs())?], false)
        }
        Action::Show(None) => print_rules(out, &all_rules(out)?, true),
        Action::Flush => {
            let reply = nlrs_do(out, cmd::RULE_FLUSH, |_| {})?;
            let n = reply
                .attrs()
                .find(attr::RULE_COUNT)?
                .ok_or(ParseError::Missing("the RULE_COUNT attribute"))?
                .u32()?;
            if out.json {
                out.line(&json::to_string(&Flushed { flushed: n }))
            } else {
                out.line(&format!("flushed {n} rules"))
            }
        }
    }
}

/// A rule's counters: `{"id":N,"name":...,"packets":N,"bytes":N}`.
#[derive(Serialize)]
pub(crate) struct RuleCounters<'a> {
    pub(crate) id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<&'a str>,
    pub(crate) packets: u64,
    pub(crate) bytes: u64,
}

/// `{"flushed":N}`.
#[derive(Serialize)]
pub(crate) struct Flushed {
    pub(crate) flushed: u32,
}
