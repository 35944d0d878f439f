// SPDX-License-Identifier: GPL-2.0

//! Per-CPU counters.
//!
//! C header: [`include/linux/percpu.h`](srctree/include/linux/percpu.h)
//!
//! A [`PerCpuCounters<N>`] keeps `N` `u64` counters in every CPU's copy of
//! one per-CPU allocation, as `nft_counter` keeps its packets and bytes.
//! Adding touches only the running CPU's copy, without atomics or shared
//! cache lines, from any context; reading sums every possible CPU's copy.
//! Counters only grow (modulo 2^64): a reader that wants what was added
//! since its last read subtracts that read.
//!
//! # Examples
//!
//! ```ignore
//! let c = PerCpuCounters::<2>::new()?;
//! c.add([1, 1500]);
//! assert_eq!(c.sum(), [1, 1500]);
//! ```

use super::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;

/// Bits in a word of a CPU mask.
const BITS_PER_LONG: usize = usize::BITS as usize;

/// `N` `u64` counters per CPU.
///
/// # Invariants
///
/// `pcpu` is a zeroed-at-allocation per-CPU `[u64; N]` from
/// `__alloc_percpu_gfp()`, owned by this value.
pub struct PerCpuCounters<const N: usize> {
    pcpu: NonNull<[u64; N]>,
}

// SAFETY: each CPU only writes its own copy, with per-CPU operations that
// are safe from any context; reads are plain loads of whole `u64`s.
unsafe impl<const N: usize> Send for PerCpuCounters<N> {}
// SAFETY: as above.
unsafe impl<const N: usize> Sync for PerCpuCounters<N> {}

impl<const N: usize> PerCpuCounters<N> {
    /// Zeroed counters, charged to the caller's memory cgroup
    /// (`GFP_KERNEL_ACCOUNT`). Sleeps.
    pub fn new() -> Result<Self> {
        const { assert!(N > 0, "no counters to keep") };
        // SAFETY: no preconditions; the result is null or a zeroed per-CPU
        // allocation of the given size and alignment that we own.
        let pcpu = unsafe {
            bindings::rnl_helper_alloc_percpu(
                core::mem::size_of::<[u64; N]>(),
                core::mem::align_of::<[u64; N]>(),
                bindings::RNL_GFP_KERNEL_ACCOUNT,
            )
        };
        // INVARIANT: non-null results are ours, of `[u64; N]`.
        Ok(Self {
            pcpu: NonNull::new(pcpu.cast()).ok_or(ENOMEM)?,
        })
    }

    /// Adds `deltas[i]` to counter `i` of the running CPU, all in one call
    /// (`this_cpu_add()` each). Any context.
    #[inline]
    pub fn add(&self, deltas: [u64; N]) {
        // SAFETY: `pcpu` is a live per-CPU allocation of `N` `u64`s (type
        // invariant) and `deltas` holds `N` values.
        unsafe {
            bindings::rnl_helper_this_cpu_add_u64(
                self.pcpu.as_ptr().cast(),
                deltas.as_ptr(),
                N as u32,
            )
        }
    }

    /// Each counter summed over every possible CPU. What is added while it
    /// runs may or may not be in it; it is in the next read.
    ///
    /// This is `for_each_possible_cpu()` and `per_cpu_ptr()` (SMP: the
    /// allocation's address plus the CPU's `__per_cpu_offset`), done here
    /// rather than by an out-of-line call per counter set, as a dump of
    /// many sets would make.
    pub fn sum(&self) -> [u64; N] {
        let mut sum = [0u64; N];
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
                    return sum;
                }
                // SAFETY: `cpu` is possible, so it has an offset; the array
                // is set at boot and only read afterwards.
                let offset = unsafe {
                    *core::ptr::addr_of!(bindings::__per_cpu_offset)
                        .cast::<usize>()
                        .add(cpu)
                };
                let copy = self
                    .pcpu
                    .as_ptr()
                    .cast::<u8>()
                    .wrapping_add(offset)
                    .cast::<u64>();
                for (k, s) in sum.iter_mut().enumerate() {
                    // SAFETY: `copy` is `cpu`'s copy of the live per-CPU
                    // allocation of `N` `u64`s (type invariant), and `k < N`.
                    // Its CPU may be adding to it: each counter is read
                    // whole, as `READ_ONCE()` does.
                    let v = unsafe { core::ptr::read_volatile(copy.add(k)) };
                    *s = s.wrapping_add(v);
                }
            }
        }
        sum
    }
}

impl<const N: usize> Drop for PerCpuCounters<N> {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant); `free_percpu()` may run in any
        // context, RCU callbacks included.
        unsafe { bindings::free_percpu(self.pcpu.as_ptr().cast()) }
    }
}
