// SPDX-License-Identifier: GPL-2.0

//! The rule operations of the "nlrs" generic netlink family: `RULE_NEW`,
//! `RULE_DEL`, `RULE_GET` (do and dump) and `RULE_FLUSH`, and their
//! "config" notifications. The attributes are read and written by
//! [`crate::codec`].
//!
//! Each change is made, replied to and notified under the namespace's rule
//! mutex, so "config" listeners see changes in the order they happened. The
//! reply is allocated before the change, so a failed allocation changes
//! nothing.

use crate::{
    codec::{insert_error, parse_config, put_rule, resolve},
    netlink::genl::{DoOp, DoRequest, Dump, DumpOp, OpFlags},
    notify::{notify, notify_change, NlrsFamily},
    pernet::PerNet,
    policy::genl::{
        Groups, NoAttrs, RuleDelRequest, RuleGetRequest, RuleNewRequest, RULE_DEL_FLAGS,
        RULE_FLUSH_FLAGS, RULE_GET_FLAGS, RULE_NEW_FLAGS,
    },
    rules::{Change, Key, RuleSet},
    uapi::genl::{attr, cmd},
};
use kernel::prelude::*;

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
        put_rule(&mut reply, rule.view())?;
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
        put_rule(&mut reply, rule.view())?;
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
            dump.entry(|w| put_rule(w, rule.view()))?;
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
            notify(req, Groups::Config, cmd::RULE_FLUSH_NTF, |w| {
                w.put_u32(attr::RULE_COUNT, n)
            });
        }
        Ok(())
    }
}
