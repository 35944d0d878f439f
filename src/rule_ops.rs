// SPDX-License-Identifier: GPL-2.0

//! The rule operations of the "nlrs" family: `RULE_NEW`, `RULE_DEL`,
//! `RULE_GET` (do and dump) and `RULE_FLUSH`, and their "config"
//! notifications.
//!
//! Each change is made, replied to and notified under the namespace's rule
//! mutex, so "config" listeners see changes in the order they happened. The
//! reply is allocated before the change, so a failed allocation changes
//! nothing.

use crate::{
    counter::Count,
    family::{notify, notify_change, NlrsFamily},
    netlink::{
        attr::Field,
        genl::{DoOp, DoRequest, Dump, DumpOp, OpFlags},
        msg::Writer,
    },
    pernet::PerNet,
    policy::genl::{
        NoAttrs, RuleDelRequest, RuleDelRequestView, RuleGetRequest, RuleMatchAttrsView,
        RuleNewRequest, RuleNewRequestView, ThresholdAttrsView, CONFIG, RULE_DEL_FLAGS,
        RULE_FLUSH_FLAGS, RULE_GET_FLAGS, RULE_NEW_FLAGS,
    },
    rules::{
        has_ports, Change, Config, Key, Match, Name, Prefix, PrefixError, RuleError, RuleInfo,
        RuleSet, Threshold, L3,
    },
    uapi::genl::{attr, cmd, counters, rule_match, threshold},
};
use core::{ffi::CStr, num::NonZeroU32};
use kernel::prelude::*;

/// Writes `rule` as `RULE_*` attributes.
pub(crate) fn put_rule(w: &mut Writer, rule: &RuleInfo) -> Result {
    w.put_u32(attr::RULE_ID, rule.id)?;
    if let Some(name) = &rule.name {
        w.put_bytes(attr::RULE_NAME, name.as_bytes_with_nul())?;
    }
    w.put_nested(attr::RULE_MATCH, |w| put_match(w, &rule.matcher))?;
    if let Some(t) = &rule.threshold {
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

/// `RULE_NEW`: adds or replaces a rule; replies with it as stored.
pub(crate) struct RuleNew;

impl DoOp for RuleNew {
    type Family = NlrsFamily;
    type Attrs = RuleNewRequest;
    const CMD: u8 = cmd::RULE_NEW;
    const FLAGS: OpFlags = RULE_NEW_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let a = req.attrs();
        let cfg = parse_config(a)?;
        let replace = a.rule_replace().is_present();
        let mut reply = req.reply(cmd::RULE_NEW)?;
        let mut rules = req.state().rules.lock();
        let id = rules
            .insert(cfg, replace)
            .map_err(|e| insert_error(a, e, replace || cfg.id.is_some()))?
            .id();
        commit(req, &mut rules)?;
        let rule = rules.get(Key::Id(id)).ok_or(ENOENT)?;
        // Cannot run out of room: a rule takes under 200 bytes of the
        // reply's NLMSG_DEFAULT_SIZE.
        put_rule(&mut reply, &rule.info())?;
        req.send_reply(reply)
    }
}

/// Commits the request's changes to `rules` and tells the "config" group
/// about each (see [`commit_with`]).
fn commit<O: DoOp<Family = NlrsFamily>>(req: &DoRequest<'_, O>, rules: &mut RuleSet) -> Result {
    let state = req.state();
    commit_with(state, rules, |c| notify_change(req.net(), state, c))
}

/// Commits the changes to `rules` of a request of this plane, reporting
/// each to `f`: first makes the namespace's hooks what the rules now need
/// ([`PerNet::hooks_wanted`]), then shows the changes to the data path. If
/// the hooks cannot be switched on, the changes are undone instead.
fn commit_with(state: &PerNet, rules: &mut RuleSet, f: impl FnMut(Change)) -> Result {
    if let Err(e) = state.hooks.set(PerNet::hooks_wanted(rules)) {
        rules.abort();
        return Err(e);
    }
    rules.commit(&state.table, f);
    Ok(())
}

/// `RULE_DEL`: deletes one rule.
pub(crate) struct RuleDel;

impl DoOp for RuleDel {
    type Family = NlrsFamily;
    type Attrs = RuleDelRequest;
    const CMD: u8 = cmd::RULE_DEL;
    const FLAGS: OpFlags = RULE_DEL_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let mut rules = req.state().rules.lock();
        let id = resolve(&rules, req.attrs())?;
        rules.remove(Key::Id(id)).map_err(|_| ENOMEM)?;
        commit(req, &mut rules)
    }
}

/// `RULE_GET`: one rule.
pub(crate) struct RuleGet;

impl DoOp for RuleGet {
    type Family = NlrsFamily;
    type Attrs = RuleGetRequest;
    const CMD: u8 = cmd::RULE_GET;
    const FLAGS: OpFlags = RULE_GET_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let mut reply = req.reply(cmd::RULE_GET)?;
        let rules = req.state().rules.lock();
        let id = resolve(&rules, req.attrs())?;
        let rule = rules.get(Key::Id(id)).ok_or(ENOENT)?.info();
        drop(rules);
        put_rule(&mut reply, &rule)?;
        req.send_reply(reply)
    }
}

/// Where a rule dump got to: the next id to dump.
#[derive(Clone, Copy, Default)]
pub(crate) struct DumpCursor {
    /// The lowest id not dumped yet.
    pub(crate) next: u32,
    /// The rule with the highest possible id was dumped.
    pub(crate) end: bool,
}

impl DumpCursor {
    /// Moves past rule `id`.
    pub(crate) fn dumped(&mut self, id: u32) {
        match id.checked_add(1) {
            Some(n) => self.next = n,
            None => self.end = true,
        }
    }
}

/// `RULE_GET` as a dump: every rule, by id. Resumes at the first id after
/// the last one sent, so rules added or removed meanwhile never cause gaps
/// or duplicates among the others; a change flags the part after it
/// `NLM_F_DUMP_INTR`.
pub(crate) struct RuleDump;

impl DumpOp for RuleDump {
    type Family = NlrsFamily;
    type Attrs = NoAttrs;
    type Cursor = DumpCursor;
    const CMD: u8 = cmd::RULE_GET;
    const FLAGS: OpFlags = RULE_GET_FLAGS;

    fn dumpit(dump: &mut Dump<'_, Self>) -> Result {
        if dump.cursor().end {
            return Ok(());
        }
        let mut rules = dump.state().rules.lock();
        dump.set_generation(rules.generation());
        let from = dump.cursor().next;
        rules.for_each_from(from, |rule| {
            dump.entry(|w| put_rule(w, &rule.info()))?;
            dump.cursor().dumped(rule.id);
            Ok(())
        })
    }

    /// A dump counts as one request, when it ends.
    fn done(state: &PerNet, _cursor: &DumpCursor) {
        state.stats.request(&Ok(()));
    }
}

/// `RULE_FLUSH`: deletes every rule; replies with how many.
pub(crate) struct RuleFlush;

impl DoOp for RuleFlush {
    type Family = NlrsFamily;
    type Attrs = NoAttrs;
    const CMD: u8 = cmd::RULE_FLUSH;
    const FLAGS: OpFlags = RULE_FLUSH_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let mut reply = req.reply(cmd::RULE_FLUSH)?;
        let mut rules = req.state().rules.lock();
        let n = rules.flush().map_err(|_| ENOMEM)?;
        // Cannot fail: no rule is left, so it only switches off. One
        // notification for the flush, not one per rule.
        commit_with(req.state(), &mut rules, |_| ())?;
        reply.put_u32(attr::RULE_COUNT, n)?;
        req.send_reply(reply)?;
        if n > 0 {
            notify(req, CONFIG, cmd::RULE_FLUSH_NTF, |w| {
                w.put_u32(attr::RULE_COUNT, n)
            });
        }
        Ok(())
    }
}
