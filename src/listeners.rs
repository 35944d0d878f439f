// SPDX-License-Identifier: GPL-2.0

//! The nfnetlink alert listeners of one namespace: port ids, colo-style,
//! forgotten when their socket is released.

use crate::uapi::nfnl;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Alert listeners per network namespace.
pub(crate) const MAX_LISTENERS: usize = nfnl::MAX_LISTENERS as usize;

/// Why a bind was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Full;

/// Bound port ids; 0 is a free slot (the kernel's own port, never a
/// listener). Changes are serialised by the nfnetlink subsystem lock, or
/// only clear slots (socket release); the data path reads without locks.
pub(crate) struct Listeners {
    ports: [AtomicU32; MAX_LISTENERS],
}

impl Listeners {
    /// No listener.
    pub(crate) const fn new() -> Self {
        Self {
            ports: [const { AtomicU32::new(0) }; MAX_LISTENERS],
        }
    }

    /// Binds `portid`; returns whether it was new.
    pub(crate) fn bind(&self, portid: u32) -> Result<bool, Full> {
        if portid == 0 || self.ports.iter().any(|p| p.load(Relaxed) == portid) {
            return Ok(false);
        }
        for p in &self.ports {
            if p.compare_exchange(0, portid, Relaxed, Relaxed).is_ok() {
                return Ok(true);
            }
        }
        Err(Full)
    }

    /// Unbinds `portid`; returns whether it was bound.
    pub(crate) fn unbind(&self, portid: u32) -> bool {
        let mut found = false;
        for p in &self.ports {
            if portid != 0 && p.compare_exchange(portid, 0, Relaxed, Relaxed).is_ok() {
                found = true;
            }
        }
        found
    }

    /// Calls `f` on every bound port id.
    pub(crate) fn for_each(&self, mut f: impl FnMut(u32)) {
        for p in &self.ports {
            let port = p.load(Relaxed);
            if port != 0 {
                f(port);
            }
        }
    }

    /// How many are bound.
    pub(crate) fn count(&self) -> u32 {
        let mut n = 0;
        self.for_each(|_| n += 1);
        n
    }
}
