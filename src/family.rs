// SPDX-License-Identifier: GPL-2.0

//! The generic netlink family "nlrs".

use crate::{
    attrs::{EchoAttrs, StatsGetAttrs},
    netlink::genl::{DoOp, DoRequest, Family, Group, McGroup, OpFlags, SplitOp},
    stats::NetStats,
    uapi::genl::{attr, cmd, FAMILY_NAME, FAMILY_VERSION, MCGRP_ALERTS, MCGRP_EVENTS},
};
use core::ffi::CStr;
use kernel::prelude::*;

/// The "events" multicast group.
pub(crate) const EVENTS: Group = Group(0);

/// The family.
pub(crate) struct NlrsFamily;

impl Family for NlrsFamily {
    const NAME: &'static CStr = FAMILY_NAME;
    const VERSION: u8 = FAMILY_VERSION;
    type State = NetStats;
    const OPS: &'static [SplitOp<Self>] = &[SplitOp::doit::<Echo>(), SplitOp::doit::<StatsGet>()];
    /// "events" is [`EVENTS`]; "alerts" (admin only to join) is group 1,
    /// for the data path's threshold alerts.
    const MCGRPS: &'static [McGroup] = &[McGroup::new(MCGRP_EVENTS), McGroup::admin(MCGRP_ALERTS)];

    fn request_done(state: &NetStats, result: &Result) {
        state.request(result);
    }
}

/// `ECHO`: replies with the request's `MSG` and tells the "events" group.
pub(crate) struct Echo;

impl DoOp for Echo {
    type Family = NlrsFamily;
    type Attrs = EchoAttrs;
    const CMD: u8 = cmd::ECHO;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let text = req.attrs().msg().required()?;
        let mut reply = req.reply(cmd::ECHO)?;
        reply.put_str(attr::MSG, text)?;
        req.send_reply(reply)?;
        // The requester got its answer; a notification that cannot be built
        // is lost for the listeners only, as with rtnl_notify(), and counted.
        let sent = req.notify(EVENTS, cmd::ECHO_NTF, |m| m.put_str(attr::MSG, text));
        req.state().notification(&sent);
        Ok(())
    }
}

/// `STATS_GET`: the counters of the request's network namespace.
pub(crate) struct StatsGet;

impl DoOp for StatsGet {
    type Family = NlrsFamily;
    type Attrs = StatsGetAttrs;
    const CMD: u8 = cmd::STATS_GET;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        // Counted once it returns, like every request.
        let s = req.state().snapshot();
        let mut reply = req.reply(cmd::STATS_GET)?;
        reply.put_u64(attr::STATS_REQUESTS, s.requests)?;
        reply.put_u64(attr::STATS_REJECTS, s.rejects)?;
        reply.put_u64(attr::STATS_NTF_SENT, s.ntf_sent)?;
        reply.put_u64(attr::STATS_NTF_DROPPED, s.ntf_dropped)?;
        req.send_reply(reply)
    }
}
