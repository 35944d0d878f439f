// SPDX-License-Identifier: GPL-2.0

//! Switching a state's netfilter hooks on and off.
//!
//! C header: [`include/linux/netfilter.h`](srctree/include/linux/netfilter.h)
//!
//! Each namespace's storage of a state type with hooks holds the state's
//! hook entries for that namespace and whether they are registered, a
//! [`NetHooks`]. The state reaches them through its [`HookSwitch`], which
//! the layer connects when it creates the state; the layer reaches them
//! through the storage, around batches and when the namespace goes. See
//! [`hook`](super) for when they are switched.

use super::super::bindings;
use core::{
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{error::to_result, new_mutex, prelude::*, sync::Arc, sync::Mutex};

/// Whether a namespace's hooks are registered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not registered.
    Off,
    /// Registered.
    On,
    /// Not registered, and never again: the state is going (`pre_exit`).
    Closed,
}

/// A namespace's copy of a state type's hook entries.
struct NetOps(KVec<bindings::nf_hook_ops>);

// SAFETY: plain data that only the kernel reads once registered; its
// pointers are to code and to the namespace's state, itself `Sync`.
unsafe impl Send for NetOps {}
// SAFETY: as above.
unsafe impl Sync for NetOps {}

/// The hooks of one state type in one namespace.
///
/// # Invariants
///
/// While `mode` is [`Mode::On`], `ops` are registered in `net`; once it is
/// [`Mode::Closed`], they never are again. `net` is alive, and the private
/// data of `ops` valid, until `mode` is [`Mode::Closed`].
#[pin_data]
pub(crate) struct NetHooks {
    #[pin]
    mode: Mutex<Mode>,
    net: *mut bindings::net,
    ops: NetOps,
}

// SAFETY: `net` is only used under `mode`'s mutex and while the namespace
// is alive (type invariant); registering and unregistering may run on any
// thread.
unsafe impl Send for NetHooks {}
// SAFETY: as above; every access goes through the mutex.
unsafe impl Sync for NetHooks {}

impl NetHooks {
    /// The hooks `ops` in `net`, off.
    ///
    /// # Safety
    ///
    /// Once [`NetHooks::set`] may have registered the hooks, `net` must
    /// stay alive, and the private data of `ops` valid for their hook
    /// functions, until [`NetHooks::close`] has returned: the caller calls
    /// it before either goes. Hooks never switched on need no `close`.
    pub(crate) unsafe fn new(
        net: *mut bindings::net,
        ops: KVec<bindings::nf_hook_ops>,
    ) -> impl PinInit<Self, Error> {
        // INVARIANT: off; the caller keeps `net` and the private data
        // alive until `close`.
        try_pin_init!(Self {
            mode <- new_mutex!(Mode::Off, "netlink_hooks"),
            net,
            ops: NetOps(ops),
        }? Error)
    }

    /// Registers the hooks if `on` and they are not, unregisters them if
    /// not `on` and they are. Sleeps.
    pub(crate) fn set(&self, on: bool) -> Result {
        let mut mode = self.mode.lock();
        let (ops, n) = (self.ops.0.as_ptr(), self.ops.0.len() as u32);
        match (*mode, on) {
            (Mode::On, true) | (Mode::Off, false) | (Mode::Closed, false) => (),
            // The namespace or the registration is going.
            (Mode::Closed, true) => return Err(ENODEV),
            (Mode::Off, true) => {
                // SAFETY: `ops` is an array of `n` entries that lives as
                // long as `self`; `net` is alive and the entries' private
                // data valid until `close`, which unregisters them.
                to_result(unsafe { bindings::nf_register_net_hooks(self.net, ops, n) })?;
                // INVARIANT: just registered.
                *mode = Mode::On;
            }
            (Mode::On, false) => {
                // SAFETY: registered (type invariant). Hooks already running
                // on other CPUs may finish after this returns; their
                // private data outlives them (see `close`).
                unsafe { bindings::nf_unregister_net_hooks(self.net, ops, n) };
                // INVARIANT: just unregistered.
                *mode = Mode::Off;
            }
        }
        Ok(())
    }

    /// Unregisters the hooks for good. Hooks running on other CPUs may
    /// still finish: the caller keeps their private data until an RCU grace
    /// period has passed. Sleeps.
    pub(crate) fn close(&self) {
        let mut mode = self.mode.lock();
        if *mode == Mode::On {
            let ops = &self.ops.0;
            // SAFETY: registered (type invariant), in the live `net`.
            unsafe { bindings::nf_unregister_net_hooks(self.net, ops.as_ptr(), ops.len() as u32) };
        }
        // INVARIANT: unregistered, and `set` may no longer register them.
        *mode = Mode::Closed;
    }
}

/// The switch of a per-namespace state's netfilter hooks: a field of the
/// state ([`Hook::switch`](super::Hook::switch)).
///
/// The layer connects it to the state's namespace when it creates the
/// state; until then (a state made outside a namespace, as in tests),
/// switching on fails with `ENODEV` and switching off does nothing.
///
/// # Invariants
///
/// `hooks` is null or comes from [`Arc::into_raw`], a reference this
/// switch owns.
pub struct HookSwitch {
    hooks: AtomicPtr<NetHooks>,
}

impl HookSwitch {
    /// A switch not connected yet.
    pub const fn new() -> Self {
        // INVARIANT: null.
        Self {
            hooks: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Makes the hooks on if `on`, off if not; a no-op if they already
    /// are. Switching on registers them, which may fail (`ENOMEM`;
    /// `ENODEV` while the namespace or the registration is going, or
    /// before the switch is connected), and then nothing changed.
    /// Switching off cannot fail.
    ///
    /// # Context
    ///
    /// Process context: it takes a mutex and may sleep. Never from a hook
    /// (which runs in softirq context, under RCU).
    pub fn set(&self, on: bool) -> Result {
        match self.hooks() {
            Some(hooks) => hooks.set(on),
            None if on => Err(ENODEV),
            None => Ok(()),
        }
    }

    /// Makes the hooks off; a no-op if they are. Sleeps.
    pub fn off(&self) {
        // Switching off cannot fail.
        let _ = self.set(false);
    }

    fn hooks(&self) -> Option<&NetHooks> {
        let p = self.hooks.load(Ordering::Acquire);
        // SAFETY: a reference this switch owns (type invariant), so alive
        // while `self` is; `Arc` contents never move.
        (!p.is_null()).then(|| unsafe { &*p })
    }

    /// Connects the switch to `hooks`. Fails with `EBUSY` if it already
    /// is connected.
    pub(crate) fn attach(&self, hooks: Arc<NetHooks>) -> Result {
        let p = Arc::into_raw(hooks).cast_mut();
        // INVARIANT: on success the switch owns the reference `p` carries.
        match self
            .hooks
            .compare_exchange(ptr::null_mut(), p, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Ok(()),
            Err(_) => {
                // SAFETY: `p` came from `Arc::into_raw` above and was not
                // stored.
                drop(unsafe { Arc::from_raw(p) });
                Err(EBUSY)
            }
        }
    }
}

impl Default for HookSwitch {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for HookSwitch {
    fn drop(&mut self) {
        let p = *self.hooks.get_mut();
        if !p.is_null() {
            // SAFETY: a reference this switch owns (type invariant), given
            // back once.
            drop(unsafe { Arc::from_raw(p) });
        }
    }
}
