// SPDX-License-Identifier: GPL-2.0

//! Notifications of the "nlrs" family: the family's type, which every
//! operation and notification names, where it publishes itself once
//! registered, and the counted sending of notifications to its groups.
//!
//! The family's declaration, which lists the operations, is in
//! [`crate::family`]; keeping the type here lets operations and the data
//! path notify without depending on that list.

use crate::{
    codec::put_rule,
    netlink::{
        genl::{notify_in, DoOp, DoRequest, Registered},
        msg::Writer,
        netns::NetRef,
    },
    pernet::PerNet,
    policy::genl::Groups,
    rules::Change,
    uapi::genl::{attr, cmd},
};
use kernel::prelude::*;

/// The generic netlink family "nlrs" (declared in [`crate::family`]).
pub(crate) struct NlrsFamily;

/// Sends a notification to `group` and counts it. The requester already
/// has its answer: a notification that cannot be built or sent is lost for
/// the listeners only, as with `rtnl_notify()`, and counted as dropped.
pub(crate) fn notify<O: DoOp<Family = NlrsFamily>>(
    req: &DoRequest<'_, O>,
    group: Groups,
    cmd: u8,
    build: impl FnOnce(&mut Writer) -> Result,
) {
    let sent = req.notify(group, cmd, build);
    req.state().stats.notification(&sent);
}

/// [`notify`] with room for `size` bytes of attributes.
pub(crate) fn notify_sized<O: DoOp<Family = NlrsFamily>>(
    req: &DoRequest<'_, O>,
    group: Groups,
    cmd: u8,
    size: usize,
    build: impl FnOnce(&mut Writer) -> Result,
) {
    let sent = req.notify_sized(group, cmd, size, build);
    req.state().stats.notification(&sent);
}

/// Where the family publishes itself for [`notify_change`], which runs in
/// nfnetlink batches too.
pub(crate) static REGISTERED: Registered = Registered::new();

/// Tells the "config" group of `net` about one committed rule change, and
/// counts the notification in `state`.
pub(crate) fn notify_change(net: NetRef<'_>, state: &PerNet, c: Change) {
    let (cmd, info, replaced) = match c {
        Change::New(i) => (cmd::RULE_NEW_NTF, i, false),
        Change::Replaced(i) => (cmd::RULE_NEW_NTF, i, true),
        Change::Deleted(i) => (cmd::RULE_DEL_NTF, i, false),
    };
    let sent = notify_in::<NlrsFamily>(net, Groups::Config, cmd, |w| {
        put_rule(w, info.view())?;
        if replaced {
            w.put_flag(attr::RULE_REPLACE)?;
        }
        Ok(())
    });
    state.stats.notification(&sent);
}
