// SPDX-License-Identifier: GPL-2.0

//! The data path's records: what the hook finds of a rule ([`Entry`]) and
//! where it counts ([`Acct`]), shared by every entry of the rule, so a
//! replaced rule keeps counting into the same counters. The classifier
//! ([`crate::classifier`]) finds a packet's entries.

use crate::{
    counter::PacketCounter,
    model::{Match, Threshold},
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::{prelude::*, sync::Arc};

/// What a rule counts, shared by its entries.
pub(crate) struct Acct {
    /// Packets and bytes matched, per CPU.
    pub(crate) counter: PacketCounter,
    /// The threshold window.
    pub(crate) window: Window,
}

impl Acct {
    /// Zeroed counters. Sleeps.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                counter: PacketCounter::new()?,
                window: Window::new(),
            },
            kernel::alloc::flags::GFP_KERNEL_ACCOUNT,
        )?)
    }
}

/// One rule as the hook sees it.
#[derive(Clone)]
pub(crate) struct Entry {
    /// The rule's id.
    pub(crate) id: u32,
    /// What it matches.
    pub(crate) matcher: Match,
    /// When it alerts.
    pub(crate) threshold: Option<Threshold>,
    /// Where it counts.
    pub(crate) acct: Arc<Acct>,
}

/// A rule's threshold state: fixed windows of the rule's interval, each
/// starting with the first packet after the previous one ended.
///
/// Updated by every CPU without locks: a packet racing a window's start
/// may land in either window, but [`Window::hit`] answers `true` once per
/// window at most.
pub(crate) struct Window {
    start_ms: AtomicU64,
    count: AtomicU64,
    alerted: AtomicU64,
}

impl Window {
    /// No window (`start_ms`) or no alert (`alerted`) yet.
    const NONE: u64 = u64::MAX;

    /// No window yet.
    pub(crate) const fn new() -> Self {
        Self {
            start_ms: AtomicU64::new(Self::NONE),
            count: AtomicU64::new(0),
            alerted: AtomicU64::new(Self::NONE),
        }
    }

    /// Counts one packet at `now_ms`. Returns the packets of the current
    /// window when this packet takes them past `t.packets` and the window
    /// has not alerted yet; `None` otherwise.
    pub(crate) fn hit(&self, t: &Threshold, now_ms: u64) -> Option<u64> {
        let start = self.start_ms.load(Relaxed);
        if start == Self::NONE || now_ms.wrapping_sub(start) >= u64::from(t.interval_ms.get()) {
            // One CPU opens the new window.
            if self
                .start_ms
                .compare_exchange(start, now_ms, Relaxed, Relaxed)
                .is_ok()
            {
                self.count.store(0, Relaxed);
            }
        }
        let start = self.start_ms.load(Relaxed);
        let n = self.count.fetch_add(1, Relaxed) + 1;
        (n > t.packets && self.alerted.swap(start, Relaxed) != start).then_some(n)
    }
}
