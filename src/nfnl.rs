// SPDX-License-Identifier: GPL-2.0

//! The nfnetlink subsystem: the rules' second plane, with atomic batches
//! and counter checkpoints.
//!
//! nfnetlink itself requires `CAP_NET_ADMIN` (in the namespace's user
//! namespace) for every message. `RULE_NEW` and `RULE_DEL` only come in
//! batches: each message is checked and staged under the namespace's rule
//! lock, which the batch holds throughout; the batch then commits every
//! change or, if any message failed or the batch did not end, none.

use crate::{
    codec::{insert_error, parse_config, put_counters, resolve},
    counter::Count,
    listeners::MAX_LISTENERS,
    netlink::{
        flags::NlFlags,
        nfnl::{
            callbacks, Batch, BatchFns, BatchLock, Callback, CbKind, Op, Request, Subsystem, Txn,
        },
    },
    netlink::{protocol::Protocol, release::OnRelease},
    notify::notify_change,
    pernet::PerNet,
    policy::nfnl::{CheckpointRequest, EchoRequest, NoAttrs, RuleDelRequest, RuleNewRequest},
    rules::{Key, RuleSet},
    uapi::nfnl::{attr, msg},
};
use core::ffi::CStr;
use kernel::{alloc::KVVec, prelude::*};

/// The subsystem.
pub(crate) struct NlrsSubsys;

impl Subsystem for NlrsSubsys {
    const NAME: &'static CStr = c"nlrs";
    const CALLBACKS: &'static [crate::netlink::nfnl::RawCallback] =
        &callbacks::<{ msg::COUNT as usize }>(&[
            Callback::op::<Echo>(),
            Callback::op::<NfRuleNew>(),
            Callback::op::<NfRuleDel>(),
            Callback::op::<Checkpoint>(),
            Callback::op::<Listen>(),
            Callback::op::<Unlisten>(),
            Callback::notify_only(msg::ALERT),
        ]);
    type State = PerNet;
    const BATCH: Option<BatchFns> = Some(BatchFns::of::<Self>());
}

impl Batch for NlrsSubsys {
    type Locked = RuleSet;

    fn lock(state: &PerNet) -> &BatchLock<RuleSet> {
        &state.rules
    }

    /// A batch may name the rule generation it expects
    /// (`NFNL_BATCH_GENID`); 0 takes any.
    fn valid_genid(rules: &RuleSet, genid: u32) -> bool {
        genid == 0 || genid == rules.generation()
    }

    /// The layer keeps the hooks on while the staged rules want them.
    fn hooks_wanted(rules: &RuleSet) -> Option<bool> {
        Some(PerNet::hooks_wanted(rules))
    }

    fn commit(txn: &Txn<'_, Self>, rules: &mut RuleSet) {
        let state = txn.state();
        rules.commit(&state.table, |c| notify_change(txn.net(), state, c));
    }

    fn abort(_txn: &Txn<'_, Self>, rules: &mut RuleSet) {
        rules.abort();
    }
}

/// `ECHO`: replies with the message's `MSG` behind an `nfgenmsg` header.
pub(crate) struct Echo;

impl Op for Echo {
    type Subsystem = NlrsSubsys;
    type Attrs = EchoRequest;
    const MSG: u8 = msg::ECHO;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        let text = req.attrs().msg().required()?;
        let mut reply = req.reply(msg::ECHO)?;
        reply.put_str(attr::MSG, text)?;
        req.send_reply(reply)
    }
}

/// `RULE_NEW` in a batch: stages an added or replaced rule.
pub(crate) struct NfRuleNew;

impl Op for NfRuleNew {
    type Subsystem = NlrsSubsys;
    type Attrs = RuleNewRequest;
    const MSG: u8 = msg::RULE_NEW;
    const KIND: CbKind = CbKind::Batch;

    fn call(req: &mut Request<'_, Self>) -> Result {
        let cfg = parse_config(req.attrs())?;
        let flags = req.flags();
        let create = flags.contains(NlFlags::CREATE);
        let exclusive = flags.contains(NlFlags::EXCL);
        let replace = flags.contains(NlFlags::REPLACE) || req.attrs().rule_replace().is_present();
        // The layer switches the hooks on once the rule is staged, before
        // the commit can publish it (`hooks_wanted`).
        req.with_locked(|rules, a| {
            rules
                .insert_flags(cfg, create, exclusive, replace)
                .map(|_| ())
                .map_err(|e| insert_error(a, e, replace || cfg.id.is_some()))
        })?
    }
}

/// `RULE_DEL` in a batch: stages a deletion.
pub(crate) struct NfRuleDel;

impl Op for NfRuleDel {
    type Subsystem = NlrsSubsys;
    type Attrs = RuleDelRequest;
    const MSG: u8 = msg::RULE_DEL;
    const KIND: CbKind = CbKind::Batch;

    fn call(req: &mut Request<'_, Self>) -> Result {
        req.with_locked(|rules, a| {
            let id = resolve(rules, a)?;
            rules.remove(Key::Id(id)).map(|_| ()).map_err(|_| ENOMEM)
        })?
    }
}

/// `CHECKPOINT`: every rule's counters as one snapshot, optionally
/// resetting them to it.
pub(crate) struct Checkpoint;

impl Op for Checkpoint {
    type Subsystem = NlrsSubsys;
    type Attrs = CheckpointRequest;
    const MSG: u8 = msg::CHECKPOINT;
    const KIND: CbKind = CbKind::Mutex;

    /// Holding the rule lock, reads each rule's counters once, sends them
    /// all, and only then, if asked and everything was sent, makes what it
    /// read each rule's new base. Packets counted after the read stay in
    /// the counters, so no packet is lost or counted twice between
    /// checkpoints; a failed send resets nothing.
    fn call(req: &mut Request<'_, Self>) -> Result {
        let reset = req.attrs().checkpoint_reset().is_present();
        let mut rules = req.state().rules.lock();
        // One count per rule: kvmalloc'ed, as the set may be large.
        let mut read = KVVec::with_capacity(rules.len() as usize, GFP_KERNEL)?;
        let mut parts = req.reply_parts(msg::CHECKPOINT)?;
        rules.for_each_from(0, |r| -> Result {
            let total = r.acct.counter.sum();
            read.push(total, GFP_KERNEL)?;
            let c = total.since(r.base);
            parts.entry(|w| {
                w.put_u32(attr::RULE_ID, r.id)?;
                put_counters(w, &c)
            })
        })?;
        parts.send()?;
        if reset {
            // Same rules, same order: the lock is still held.
            let mut totals = read.as_slice().iter();
            rules.for_each_mut(|r| {
                r.base = totals.next().copied().unwrap_or(Count::default());
            });
        }
        Ok(())
    }
}

/// `LISTEN`: binds the sender as an alert listener.
pub(crate) struct Listen;

impl Op for Listen {
    type Subsystem = NlrsSubsys;
    type Attrs = NoAttrs;
    const MSG: u8 = msg::LISTEN;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        match req.state().listeners.bind(req.portid()) {
            Ok(_) => Ok(()),
            Err(_) => {
                req.extack().set_msg_fmt(format_args!(
                    "listener limit reached: {MAX_LISTENERS} per network namespace"
                ));
                Err(ENOSPC)
            }
        }
    }
}

/// `UNLISTEN`: unbinds the sender.
pub(crate) struct Unlisten;

impl Op for Unlisten {
    type Subsystem = NlrsSubsys;
    type Attrs = NoAttrs;
    const MSG: u8 = msg::UNLISTEN;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        if req.state().listeners.unbind(req.portid()) {
            Ok(())
        } else {
            req.extack().set_msg(c"this socket is not a listener");
            Err(ENOENT)
        }
    }
}

/// Forgets a listener when its socket is released, so no alert ever goes
/// to its port id.
pub(crate) struct DropListeners;

impl OnRelease for DropListeners {
    type State = PerNet;
    const PROTOCOL: Protocol = Protocol::Netfilter;

    fn released(state: &PerNet, portid: u32) {
        state.listeners.unbind(portid);
    }
}
