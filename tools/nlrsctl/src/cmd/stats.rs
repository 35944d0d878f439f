//! `nlrsctl stats`: the family's counters in this network namespace.

use crate::error::AppError;
use crate::json;
use crate::nl::{Attrs, ParseError};
use crate::output::Out;
use crate::uapi::genl::{attr, cmd};

use super::nlrs_do;

/// The counters, in the order they are printed.
pub const FIELDS: &[(u16, &str)] = &[
    (attr::STATS_REQUESTS, "requests"),
    (attr::STATS_REJECTS, "rejects"),
    (attr::STATS_NTF_SENT, "notifications_sent"),
    (attr::STATS_NTF_DROPPED, "notifications_dropped"),
];

/// Reads the counters of a STATS_GET reply, each required, then the
/// number of rules.
pub fn parse(attrs: Attrs<'_>) -> Result<Vec<(&'static str, u64)>, ParseError> {
    let mut out = FIELDS
        .iter()
        .map(|&(ty, name)| {
            let a = attrs
                .clone()
                .find(ty)?
                .ok_or(ParseError::Missing("a STATS attribute"))?;
            Ok((name, a.u64()?))
        })
        .collect::<Result<Vec<_>, ParseError>>()?;
    let rules = attrs
        .clone()
        .find(attr::RULE_COUNT)?
        .ok_or(ParseError::Missing("the RULE_COUNT attribute"))?;
    out.push(("rules", rules.u32()?.into()));
    let listeners = attrs
        .clone()
        .find(attr::STATS_LISTENERS)?
        .ok_or(ParseError::Missing("the STATS_LISTENERS attribute"))?;
    out.push(("listeners", listeners.u32()?.into()));
    for (ty, name) in [
        (attr::STATS_HOOK_PACKETS, "hook_packets"),
        (attr::STATS_HOOK_BYTES, "hook_bytes"),
        (attr::STATS_ALERTS, "alerts"),
    ] {
        let a = attrs.clone().find(ty)?.ok_or(ParseError::Missing(
            "a STATS_HOOK or STATS_ALERTS attribute",
        ))?;
        out.push((name, a.u64()?));
    }
    Ok(out)
}

pub fn run(out: &Out) -> Result<(), AppError> {
    let reply = nlrs_do(out, cmd::STATS_GET, |_| {})?;
    let counters = parse(reply.attrs())?;

    if out.json {
        out.line(&json::to_string(&Counters(&counters)))
    } else {
        for (name, v) in &counters {
            out.line(&format!("{name}: {v}"))?;
        }
        Ok(())
    }
}

/// The counters as one JSON object, `{"NAME":N,...}` in their order.
pub(crate) struct Counters<'a>(pub(crate) &'a [(&'static str, u64)]);

impl serde::Serialize for Counters<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}
