// SPDX-License-Identifier: GPL-2.0

//! The rules' wire codec, shared by both planes: a rule written as `RULE_*`
//! attributes, and a request's attributes read into the rule model, with
//! the errno and extack of each refusal.
//!
//! The generic netlink family and the nfnetlink subsystem carry the same
//! attributes (see the specs), so both use these.

use crate::{
    counter::Count,
    model::{has_ports, Config, Match, Name, Prefix, PrefixError, RuleView, Threshold, L3},
    netlink::{attr::Field, msg::Writer},
    policy::genl::{
        RuleDelRequestView, RuleMatchAttrsView, RuleNewRequestView, ThresholdAttrsView,
    },
    rules::{Key, RuleError, RuleSet},
    uapi::genl::{attr, counters, rule_match, threshold},
};
use core::{ffi::CStr, num::NonZeroU32};
use kernel::prelude::*;

/// Writes `rule` as `RULE_*` attributes.
pub(crate) fn put_rule(w: &mut Writer, rule: RuleView<'_>) -> Result {
    w.put_u32(attr::RULE_ID, rule.id)?;
    if let Some(name) = rule.name {
        w.put_bytes(attr::RULE_NAME, name.as_bytes_with_nul())?;
    }
    w.put_nested(attr::RULE_MATCH, |w| put_match(w, rule.matcher))?;
    if let Some(t) = rule.threshold {
        w.put_nested(attr::RULE_THRESHOLD, |w| {
            w.put_u64(threshold::PACKETS, t.packets)?;
            w.put_u32(threshold::INTERVAL_MS, t.interval_ms.get())
        })?;
    }
    put_counters(w, &rule.counters)
}

/// Writes `c` as a `RULE_COUNTERS` nest.
pub(crate) fn put_counters(w: &mut Writer, c: &Count) -> Result {
    w.put_nested(attr::RULE_COUNTERS, |w| {
        w.put_u64(counters::PACKETS, c.packets)?;
        w.put_u64(counters::BYTES, c.bytes)
    })
}

fn put_match(w: &mut Writer, m: &Match) -> Result {
    if m.proto != 0 {
        w.put_u8(rule_match::PROTO, m.proto)?;
    }
    let (src, dst, bytes) = match m.l3 {
        L3::Any => (rule_match::SRC4, rule_match::DST4, 0),
        L3::V4 => (rule_match::SRC4, rule_match::DST4, 4),
        L3::V6 => (rule_match::SRC6, rule_match::DST6, 16),
    };
    for (p, ty, plen) in [
        (&m.src, src, rule_match::SRC_PLEN),
        (&m.dst, dst, rule_match::DST_PLEN),
    ] {
        if let Some(p) = p {
            w.put_bytes(ty, &p.addr[..bytes])?;
            w.put_u8(plen, p.len)?;
        }
    }
    if let Some((lo, hi)) = m.dport {
        w.put_u16(rule_match::DPORT_LO, lo)?;
        w.put_u16(rule_match::DPORT_HI, hi)?;
    }
    Ok(())
}

/// One prefix of a match from its IPv4, IPv6 and length attributes.
fn prefix(
    v4: Field<'_, &[u8]>,
    v6: Field<'_, &[u8]>,
    plen: Field<'_, u8>,
) -> Result<Option<(L3, Prefix)>> {
    let (l3, addr, addr_field) = match (v4.value(), v6.value()) {
        (Some(_), Some(_)) => {
            return Err(v6.error(
                EINVAL,
                format_args!("only one of {} and {}", v4.name(), v6.name()),
            ))
        }
        (Some(a), None) => (L3::V4, a, &v4),
        (None, Some(a)) => (L3::V6, a, &v6),
        (None, None) if plen.is_present() => {
            return Err(plen.error(EINVAL, format_args!("needs {} or {}", v4.name(), v6.name())))
        }
        (None, None) => return Ok(None),
    };
    match Prefix::new(addr, plen.value()) {
        Ok(p) => Ok(Some((l3, p))),
        Err(PrefixError::TooLong) => Err(plen.invalid("longer than the address")),
        Err(PrefixError::HostBits) => Err(addr_field.invalid("bits set beyond the prefix length")),
    }
}

/// The match of a request's `RULE_MATCH`.
pub(crate) fn parse_match(m: &RuleMatchAttrsView<'_>) -> Result<Match> {
    let proto = m.proto().get().unwrap_or(0);
    let src = prefix(m.src4(), m.src6(), m.src_plen())?;
    let dst = prefix(m.dst4(), m.dst6(), m.dst_plen())?;
    let l3 = match (src, dst) {
        (Some((a, _)), Some((b, _))) if a != b => {
            let f = if b == L3::V4 { m.dst4() } else { m.dst6() };
            return Err(f.invalid("address family differs from the source prefix"));
        }
        (Some((l3, _)), _) | (None, Some((l3, _))) => l3,
        (None, None) => L3::Any,
    };
    let dport = match (m.dport_lo().get(), m.dport_hi().get()) {
        (None, None) => None,
        (None, Some(_)) => {
            m.dport_lo().required()?;
            None
        }
        (Some(lo), hi) => {
            let hi = hi.unwrap_or(lo);
            if hi < lo {
                return Err(m.dport_hi().invalid("lower than dport_lo"));
            }
            if !has_ports(proto) {
                let msg = "needs proto TCP (6), UDP (17), SCTP (132) or UDP-Lite (136)";
                return Err(m.dport_lo().invalid(msg));
            }
            Some((lo, hi))
        }
    };
    Ok(Match {
        proto,
        l3,
        src: src.map(|(_, p)| p),
        dst: dst.map(|(_, p)| p),
        dport,
    })
}

fn parse_threshold(t: &ThresholdAttrsView<'_>) -> Result<Threshold> {
    Ok(Threshold {
        packets: t.packets().required()?,
        // The policy's minimum is 1: this refusal is a second line.
        interval_ms: NonZeroU32::new(t.interval_ms().required()?)
            .ok_or_else(|| t.interval_ms().invalid("must be at least 1"))?,
    })
}

/// A rule name attribute's value.
fn name(f: Field<'_, &CStr>) -> Result<Option<Name>> {
    f.value()
        .map(|s| Name::new(s.to_bytes()).ok_or_else(|| f.invalid("must not be empty")))
        .transpose()
}

/// The rule configuration of a `RULE_NEW` request.
pub(crate) fn parse_config(a: &RuleNewRequestView<'_>) -> Result<Config> {
    Ok(Config {
        id: a.rule_id().get(),
        name: name(a.rule_name())?,
        matcher: match a.rule_match().get() {
            Some(m) => parse_match(&m)?,
            None => Match::default(),
        },
        threshold: a
            .rule_threshold()
            .get()
            .map(|t| parse_threshold(&t))
            .transpose()?,
    })
}

/// The id of the rule a `RULE_DEL` or `RULE_GET` (whose requests have the same
/// attributes) names by id, name or both.
pub(crate) fn resolve(rules: &RuleSet, a: &RuleDelRequestView<'_>) -> Result<u32> {
    let by_id = match a.rule_id().get() {
        Some(id) => Some(
            rules
                .get(Key::Id(id))
                .map(|r| r.id)
                .ok_or_else(|| a.rule_id().error(ENOENT, format_args!("no such rule")))?,
        ),
        None => None,
    };
    let by_name = match name(a.rule_name())? {
        Some(n) => Some(
            rules
                .get(Key::Name(n))
                .map(|r| r.id)
                .ok_or_else(|| a.rule_name().error(ENOENT, format_args!("no such rule")))?,
        ),
        None => None,
    };
    match (by_id, by_name) {
        (Some(i), Some(n)) if i != n => Err(a
            .rule_name()
            .error(ENOENT, format_args!("names rule {n}, not rule {i}"))),
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => {
            // MISS_TYPE names the id; the message offers both.
            let missing = a.rule_id().required();
            a.extack()
                .set_msg(c"missing attribute rule_id or rule_name");
            missing
        }
    }
}

/// The errno and extack of a refused `RULE_NEW`. `renaming` is set when
/// replacing would not have helped a taken name (the name is another
/// rule's).
pub(crate) fn insert_error(a: &RuleNewRequestView<'_>, e: RuleError, renaming: bool) -> Error {
    match e {
        RuleError::IdExists => a.rule_id().error(
            EEXIST,
            format_args!("rule exists; set rule_replace to replace it"),
        ),
        RuleError::NameExists(id) if renaming => a
            .rule_name()
            .error(EEXIST, format_args!("used by rule {id}")),
        RuleError::NameExists(id) => a.rule_name().error(
            EEXIST,
            format_args!("used by rule {id}; set rule_replace to replace it"),
        ),
        RuleError::Full(max) => {
            a.extack().set_msg_fmt(format_args!(
                "rule limit reached: {max} rules per network namespace (max_rules)"
            ));
            ENOSPC
        }
        // Only without NLM_F_CREATE (nfnetlink).
        RuleError::NotFound => {
            let msg = format_args!("no such rule; NLM_F_CREATE creates it");
            if a.rule_id().is_present() {
                a.rule_id().error(ENOENT, msg)
            } else if a.rule_name().is_present() {
                a.rule_name().error(ENOENT, msg)
            } else {
                a.extack().set_msg(c"a new rule needs NLM_F_CREATE");
                ENOENT
            }
        }
        RuleError::NoMemory => ENOMEM,
    }
}
