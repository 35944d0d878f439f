// SPDX-License-Identifier: GPL-2.0

//! Per-network-namespace counters of the family.

use crate::counter::PacketCounter;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// The counters of one network namespace.
pub(crate) struct NetStats {
    requests: AtomicU64,
    rejects: AtomicU64,
    ntf_sent: AtomicU64,
    ntf_dropped: AtomicU64,
    /// Per CPU: every packet of the namespace passes here, on every CPU.
    hook: PacketCounter,
    alerts: AtomicU64,
}

impl NetStats {
    /// All counters at zero. Sleeps.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            requests: AtomicU64::new(0),
            rejects: AtomicU64::new(0),
            ntf_sent: AtomicU64::new(0),
            ntf_dropped: AtomicU64::new(0),
            hook: PacketCounter::new()?,
            alerts: AtomicU64::new(0),
        })
    }
}

/// A copy of the counters, as `STATS_GET` reports them.
pub(crate) struct Snapshot {
    pub(crate) requests: u64,
    pub(crate) rejects: u64,
    pub(crate) ntf_sent: u64,
    pub(crate) ntf_dropped: u64,
    pub(crate) hook_packets: u64,
    pub(crate) hook_bytes: u64,
    pub(crate) alerts: u64,
}

impl NetStats {
    /// Counts a request and whether its handler rejected it.
    pub(crate) fn request(&self, result: &Result) {
        self.requests.fetch_add(1, Relaxed);
        if result.is_err() {
            self.rejects.fetch_add(1, Relaxed);
        }
    }

    /// Counts the outcome of a notification: sent to someone, nobody
    /// listening (not counted), or lost.
    pub(crate) fn notification(&self, result: &Result<bool>) {
        match result {
            Ok(true) => self.ntf_sent.fetch_add(1, Relaxed),
            Ok(false) => 0,
            Err(_) => self.ntf_dropped.fetch_add(1, Relaxed),
        };
    }

    /// Counts a packet of `len` bytes seen by the netfilter hooks.
    pub(crate) fn packet(&self, len: u32) {
        self.hook.add(len);
    }

    /// Counts a threshold alert raised by the data path.
    pub(crate) fn alert(&self) {
        self.alerts.fetch_add(1, Relaxed);
    }

    /// The counters now. Each is read atomically; together they are a
    /// best-effort view, as with any statistics under traffic.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let hook = self.hook.sum();
        Snapshot {
            requests: self.requests.load(Relaxed),
            rejects: self.rejects.load(Relaxed),
            ntf_sent: self.ntf_sent.load(Relaxed),
            ntf_dropped: self.ntf_dropped.load(Relaxed),
            hook_packets: hook.packets,
            hook_bytes: hook.bytes,
            alerts: self.alerts.load(Relaxed),
        }
    }
}
