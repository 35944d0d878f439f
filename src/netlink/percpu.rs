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

/// Bits in a word of a CPU mask.
const BITS_PER_LONG: usize = usize::BITS as usize;

/// A packet and a byte count per CPU.
///
/// # Invariants
///
/// `pcpu` is a per-CPU `struct rnl_pcpu_count` from
/// `rnl_helper_pcpu_count_alloc()`, owned by this value.
pub struct PacketCounter {
    pcpu: NonNull<bindings::rnl_pcpu_count>,
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
        let pcpu = unsafe { bindings::rnl_helper_pcpu_count_alloc() };
        // INVARIANT: non-null results are ours.
        Ok(Self {
            pcpu: NonNull::new(pcpu).ok_or(ENOMEM)?,
        })
    }

    /// Counts one packet of `bytes` bytes on the running CPU.
    #[inline]
    pub fn add(&self, bytes: u32) {
        // SAFETY: `pcpu` is a live per-CPU allocation (type invariant).
        unsafe { bindings::rnl_helper_pcpu_count_add(self.pcpu.as_ptr(), bytes) }
    }

    /// The sum over every possible CPU. Counts added while it runs may or
    /// may not be in it; they are in the next read.
    ///
    /// This is `for_each_possible_cpu()` and `per_cpu_ptr()` (SMP: the
    /// allocation's address plus the CPU's `__per_cpu_offset`), done here
    /// rather than by an out-of-line call for every rule of a dump.
    pub fn sum(&self) -> Count {
        let mut c = Count::default();
        // SAFETY: the possible mask and `nr_cpu_ids` are set at boot and
        // only read afterwards.
        let (mask, nr) = unsafe {
            (
                &*core::ptr::addr_of!(bindings::__cpu_possible_mask),
                bindings::nr_cpu_ids as usize,
            )
        };
        for (i, &word) in mask.bits.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let cpu = i * BITS_PER_LONG + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if cpu >= nr {
                    return c;
                }
                // SAFETY: `cpu` is possible, so it has an offset; the array
                // is set at boot and only read afterwards.
                let offset = unsafe {
                    *core::ptr::addr_of!(bindings::__per_cpu_offset)
                        .cast::<usize>()
                        .add(cpu)
                };
                let p = self
                    .pcpu
                    .as_ptr()
                    .cast::<u8>()
                    .wrapping_add(offset)
                    .cast::<bindings::rnl_pcpu_count>();
                // SAFETY: `p` is `cpu`'s copy of the live per-CPU allocation
                // (type invariant). Its CPU may be adding to it: each field
                // is read whole, as `READ_ONCE()` does.
                let (packets, bytes) = unsafe {
                    (
                        core::ptr::read_volatile(core::ptr::addr_of!((*p).packets)),
                        core::ptr::read_volatile(core::ptr::addr_of!((*p).bytes)),
                    )
                };
                c.packets = c.packets.wrapping_add(packets);
                c.bytes = c.bytes.wrapping_add(bytes);
            }
        }
        c
    }
}

impl Drop for PacketCounter {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant); `free_percpu()` may run in any
        // context, RCU callbacks included.
        unsafe { bindings::rnl_helper_pcpu_count_free(self.pcpu.as_ptr()) }
    }
}
