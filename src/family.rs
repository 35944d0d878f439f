// SPDX-License-Identifier: GPL-2.0

//! The generic netlink family "nlrs": its declaration (operations and
//! groups) and its `ECHO` and `STATS_GET` operations. The rule operations
//! are in [`crate::rule_ops`].

use crate::{
    netlink::{
        attr::total_size,
        genl::{DoOp, DoRequest, Family, OpFlags, Registered, SplitOp},
    },
    notify::{notify_sized, NlrsFamily, REGISTERED},
    pernet::PerNet,
    policy::genl::{EchoRequest, Groups, NoAttrs, ECHO_FLAGS, STATS_GET_FLAGS},
    rule_ops::{RuleDel, RuleDump, RuleFlush, RuleGet, RuleNew},
    uapi::genl::{attr, cmd, FAMILY_NAME, FAMILY_VERSION},
};
use core::ffi::CStr;
use kernel::prelude::*;

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
    type Groups = Groups;

    fn request_done(state: &PerNet, result: &Result) {
        state.stats.request(result);
    }

    const REGISTERED: Option<&'static Registered> = Some(&REGISTERED);
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
        notify_sized(req, Groups::Events, cmd::ECHO_NTF, size, |m| {
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
