// SPDX-License-Identifier: GPL-2.0

//! The monotonic clock.
//!
//! C header: [`include/linux/timekeeping.h`](srctree/include/linux/timekeeping.h)
//!
//! The kernel crate's clock changed shape between the kernels the layer
//! supports (6.12's `Ktime` is gone in 7.3, whose `Instant` only yields
//! differences); `ktime_get()` is the same on both.

use super::bindings;

/// The monotonic clock (`ktime_get()`) in milliseconds: time since boot,
/// suspend excluded. For any context but NMI, where it may spin on the
/// timekeeper's sequence count: process, softirq (a netfilter hook), hard
/// interrupt.
pub fn monotonic_ms() -> u64 {
    // SAFETY: `ktime_get` takes nothing and has no memory-safety
    // precondition (in NMI context it may spin; see above).
    let ns = unsafe { bindings::ktime_get() };
    // The monotonic clock never goes below zero.
    ns as u64 / bindings::NSEC_PER_MSEC as u64
}
