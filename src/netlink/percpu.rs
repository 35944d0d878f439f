// SPDX-License-Identifier: GPL-2.0

//! Per-CPU packet and byte counters.
//!
//! C header: [`include/linux/percpu.h`](srctree/include/linux/percpu.h)
//!
//! A [`PacketCounter`] is what `nft_counter` keeps: a packet and a byte
//! count per CPU. Adding touches only the running CPU's copy, without
//! atomics or shared cache lines, from any context; reading sums every
//! possible CPU's copy. Counts only grow: a reader that wants the traffic
//! since its last read subtracts that read, so no packet is counted twice
//! or lost between two reads.
//!
//! # Examples
//!
//! ```ignore
//! let c = PacketCounter::new()?;
//! c.add(1500);
//! assert_eq!(c.sum(), Count { packets: 1, bytes: 1500 });
//! ```

use super::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;

/// Packets and bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Count {
    /// Packets.
    pub packets: u64,
    /// Bytes of those packets.
    pub bytes: u64,
}

impl Count {
    /// What was counted since `earlier`, a previous read of the same
    /// counter.
    pub fn since(self, earlier: Count) -> Count {
        Count {
            packets: self.packets.wrapping_sub(earlier.packets),
            bytes: self.bytes.wrapping_sub(earlier.bytes),
        }
    }
}

/// A packet and a byte count per CPU.
///
/// # Invariants
///
/// `pcpu` is a per-CPU `struct nlrs_pcpu_count` from
/// `nlrs_helper_pcpu_count_alloc()`, owned by this value.
pub struct PacketCounter {
    pcpu: NonNull<bindings::nlrs_pcpu_count>,
}

// SAFETY: each CPU only writes its own copy, with per-CPU operations that
// are safe from any context; reads are plain loads of whole `u64`s.
unsafe impl Send for PacketCounter {}
// SAFETY: as above.
unsafe impl Sync for PacketCounter {}

impl PacketCounter {
    /// A zeroed counter, charged to the caller's memory cgroup
    /// (`GFP_KERNEL_ACCOUNT`). Sleeps.
    pub fn new() -> Result<Self> {
        // SAFETY: no preconditions; the result is null or a zeroed per-CPU
        // allocation we own.
        let pcpu = unsafe { bindings::nlrs_helper_pcpu_count_alloc() };
        // INVARIANT: non-null results are ours.
        Ok(Self {
            pcpu: NonNull::new(pcpu).ok_or(ENOMEM)?,
        })
    }

    /// Counts one packet of `bytes` bytes on the running CPU.
    #[inline]
    pub fn add(&self, bytes: u32) {
        // SAFETY: `pcpu` is a live per-CPU allocation (type invariant).
        unsafe { bindings::nlrs_helper_pcpu_count_add(self.pcpu.as_ptr(), bytes) }
    }

    /// The sum over every possible CPU. Counts added while it runs may or
    /// may not be in it; they are in the next read.
    pub fn sum(&self) -> Count {
        let mut c = Count::default();
        // SAFETY: `pcpu` is a live per-CPU allocation (type invariant).
        unsafe {
            bindings::nlrs_helper_pcpu_count_sum(self.pcpu.as_ptr(), &mut c.packets, &mut c.bytes)
        };
        c
    }
}

impl Drop for PacketCounter {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant); `free_percpu()` may run in any
        // context, RCU callbacks included.
        unsafe { bindings::nlrs_helper_pcpu_count_free(self.pcpu.as_ptr()) }
    }
}
