// SPDX-License-Identifier: GPL-2.0

//! Packet and byte counters: what the hook counts for a namespace and for
//! each rule.
//!
//! A [`PacketCounter`] is what `nft_counter` keeps: a packet and a byte
//! count per CPU ([`PerCpuCounters`]). Counting touches only the running
//! CPU's copy, from any context; reading sums every possible CPU's copy.
//! Counts only grow: a reader that wants the traffic since its last read
//! subtracts that read ([`Count::since`]), so no packet is counted twice or
//! lost between two reads.

use crate::netlink::percpu::PerCpuCounters;
use kernel::prelude::*;

/// Packets and bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Count {
    /// Packets.
    pub(crate) packets: u64,
    /// Bytes of those packets.
    pub(crate) bytes: u64,
}

impl Count {
    /// What was counted since `earlier`, a previous read of the same
    /// counter.
    pub(crate) fn since(self, earlier: Count) -> Count {
        Count {
            packets: self.packets.wrapping_sub(earlier.packets),
            bytes: self.bytes.wrapping_sub(earlier.bytes),
        }
    }
}

/// Index of the packet count in the per-CPU counters.
const PACKETS: usize = 0;
/// Index of the byte count.
const BYTES: usize = 1;

/// A packet and a byte count per CPU.
pub(crate) struct PacketCounter(PerCpuCounters<2>);

impl PacketCounter {
    /// A zeroed counter, charged to the caller's memory cgroup. Sleeps.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(PerCpuCounters::new()?))
    }

    /// Counts one packet of `bytes` bytes on the running CPU.
    #[inline]
    pub(crate) fn add(&self, bytes: u32) {
        let mut deltas = [0; 2];
        deltas[PACKETS] = 1;
        deltas[BYTES] = u64::from(bytes);
        self.0.add(deltas);
    }

    /// The sum over every possible CPU. Packets counted while it runs may
    /// or may not be in it; they are in the next read.
    pub(crate) fn sum(&self) -> Count {
        let sum = self.0.sum();
        Count {
            packets: sum[PACKETS],
            bytes: sum[BYTES],
        }
    }
}
