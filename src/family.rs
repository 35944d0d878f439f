// SPDX-License-Identifier: GPL-2.0

//! The generic netlink family "nlrs".

use crate::{
    netlink::{
        attr::total_size,
        genl::{notify_in, DoOp, DoRequest, Family, Group, McGroup, OpFlags, Registered, SplitOp},
        msg::Writer,
        netns::NetRef,
    },
    pernet::PerNet,
    policy::genl::{EchoRequest, NoAttrs, CONFIG, ECHO_FLAGS, EVENTS, MCGRPS, STATS_GET_FLAGS},
    rule_ops::{put_rule, RuleDel, RuleDump, RuleFlush, RuleGet, RuleNew},
    rules::Change,
    uapi::genl::{attr, cmd, FAMILY_NAME, FAMILY_VERSION},
};
use core::ffi::CStr;
use kernel::prelude::*;

/// The family.
pub(crate) struct NlrsFamily;

impl Family for NlrsFamily {
    const NAME: &'static CStr = FAMILY_NAME;
    const VERSION: u8 = FAMILY_VERSION;
    type State = PerNet;
    const OPS: &'static [SplitOp<Self>] = &[
        SplitOp::doit::<Echo>(),
        SplitOp::doit::<StatsGet>(),
        SplitOp::doit::<RuleNew>(),
        SplitOp::doit::<RuleDel>(),
        SplitOp::doit::<RuleGet>(),
        SplitOp::dumpit::<RuleDump>(),
        SplitOp::doit::<RuleFlush>(),
    ];
    const MCGRPS: &'static [McGroup] = MCGRPS;

    fn request_done(state: &PerNet, result: &Result) {
        state.stats.request(result);
    }

    const REGISTERED: Option<&'static Registered> = Some(&REGISTERED);
}

/// Sends a notification to `group` and counts it. The requester already
/// has its answer: a notification that cannot be built or sent is lost for
/// the listeners only, as with `rtnl_notify()`, and counted as dropped.
pub(crate) fn notify<O: DoOp<Family = NlrsFamily>>(
    req: &DoRequest<'_, O>,
    group: Group,
    cmd: u8,
    build: impl FnOnce(&mut Writer) -> Result,
) {
    let sent = req.notify(group, cmd, build);
    req.state().stats.notification(&sent);
}

/// [`notify`] with room for `size` bytes of attributes.
fn notify_sized<O: DoOp<Family = NlrsFamily>>(
    req: &DoRequest<'_, O>,
    group: Group,
    cmd: u8,
    size: usize,
    build: impl FnOnce(&mut Writer) -> Result,
) {
    let sent = req.notify_sized(group, cmd, size, build);
    req.state().stats.notification(&sent);
}

/// Where the family publishes itself for [`notify_change`], which runs in
/// nfnetlink batches too.
static REGISTERED: Registered = Registered::new();

/// Tells the "config" group of `net` about one committed rule change, and
/// counts the notification in `state`.
pub(crate) fn notify_change(net: NetRef<'_>, state: &PerNet, c: Change) {
    let (cmd, info, replaced) = match c {
        Change::New(i) => (cmd::RULE_NEW_NTF, i, false),
        Change::Replaced(i) => (cmd::RULE_NEW_NTF, i, true),
        Change::Deleted(i) => (cmd::RULE_DEL_NTF, i, false),
    };
    let sent = notify_in::<NlrsFamily>(net, CONFIG, cmd, |w| {
        put_rule(w, &info)?;
        if replaced {
            w.put_flag(attr::RULE_REPLACE)?;
        }
        Ok(())
    });
    state.stats.notification(&sent);
}

/// `ECHO`: replies with the request's `MSG` and tells the "events" group.
pub(crate) struct Echo;

impl DoOp for Echo {
    type Family = NlrsFamily;
    type Attrs = EchoRequest;
    const CMD: u8 = cmd::ECHO;
    const FLAGS: OpFlags = ECHO_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let text = req.attrs().msg().required()?;
        // Up to 4 KiB: more than a default-size message holds.
        let size = total_size(text.to_bytes_with_nul().len());
        let mut reply = req.reply_sized(cmd::ECHO, size)?;
        reply.put_str(attr::MSG, text)?;
        req.send_reply(reply)?;
        notify_sized(req, EVENTS, cmd::ECHO_NTF, size, |m| {
            m.put_str(attr::MSG, text)
        });
        Ok(())
    }
}

/// `STATS_GET`: the counters of the request's network namespace.
pub(crate) struct StatsGet;

impl DoOp for StatsGet {
    type Family = NlrsFamily;
    type Attrs = NoAttrs;
    const CMD: u8 = cmd::STATS_GET;
    const FLAGS: OpFlags = STATS_GET_FLAGS;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        // Counted once it returns, like every request.
        let s = req.state().stats.snapshot();
        let rules = req.state().rules.lock().len();
        let mut reply = req.reply(cmd::STATS_GET)?;
        reply.put_u64(attr::STATS_REQUESTS, s.requests)?;
        reply.put_u64(attr::STATS_REJECTS, s.rejects)?;
        reply.put_u64(attr::STATS_NTF_SENT, s.ntf_sent)?;
        reply.put_u64(attr::STATS_NTF_DROPPED, s.ntf_dropped)?;
        reply.put_u32(attr::RULE_COUNT, rules)?;
        reply.put_u64(attr::STATS_HOOK_PACKETS, s.hook_packets)?;
        reply.put_u64(attr::STATS_HOOK_BYTES, s.hook_bytes)?;
        reply.put_u64(attr::STATS_ALERTS, s.alerts)?;
        reply.put_u32(attr::STATS_LISTENERS, req.state().listeners.count())?;
        req.send_reply(reply)
    }
}
