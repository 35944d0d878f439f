// SPDX-License-Identifier: GPL-2.0

//! Netfilter hooks of per-namespace state.
//!
//! C header: [`include/linux/netfilter.h`](srctree/include/linux/netfilter.h)
//!
//! A [`NetState`] type that implements [`Hook`] lists the hook points it
//! wants in [`NetState::HOOKS`]. While they are on, [`Hook::hook`] sees
//! every packet at those points, with the state of the packet's namespace,
//! and reads its headers through [`Packet`] ([`IpHeader`] for the IP
//! header's facts).
//!
//! # Switching
//!
//! The hooks are off in a new namespace: a namespace with nothing to look
//! for pays nothing per packet. The state holds a [`HookSwitch`] and the
//! hooks are on exactly while what it says it needs them for, its demand,
//! is there:
//!
//! - a subsystem with batches names its demand once, in
//!   [`Batch::hooks_wanted`], and the layer keeps the hooks so itself: it
//!   switches them on after the batch callback whose staged change wants
//!   them, before the commit can publish anything (a failure fails that
//!   message, so the batch aborts and nothing changes), and off after a
//!   commit or an abort that leaves no demand (switching off cannot fail);
//! - a change made at once (a generic netlink request, an nfnetlink
//!   callback outside batches) calls [`HookSwitch::set`] with the demand
//!   as it will be, before it publishes that change, and undoes the change
//!   if switching on fails.
//!
//! The layer switches them off for good before the state is dropped
//! (namespace exit, module unload), so a hook never sees a state being
//! torn down.
//!
//! [`Batch::hooks_wanted`]: super::nfnl::Batch::hooks_wanted
//!
//! # Examples
//!
//! ```ignore
//! #[pin_data]
//! struct Counted {
//!     hooks: HookSwitch,
//!     packets: AtomicU64,
//! }
//!
//! impl NetState for Counted {
//!     const ID: &'static Id = &COUNTED;
//!     const HOOKS: &'static [HookOp<Self>] =
//!         &[HookOp::new(Family::Ipv4, Point::LocalIn, 0)];
//!     fn new() -> impl PinInit<Self, Error> { ... }
//! }
//!
//! impl Hook for Counted {
//!     fn switch(&self) -> &HookSwitch {
//!         &self.hooks
//!     }
//!
//!     fn hook(&self, pkt: &Packet<'_>) -> Verdict {
//!         self.packets.fetch_add(1, Relaxed);
//!         Verdict::Accept
//!     }
//! }
//!
//! // A request that starts counting:
//! req.state().hooks.set(true)?;
//! ```

use super::{
    bindings,
    netns::{NetRef, NetState},
    rcu::ReadSection,
};
use core::{ffi::c_void, marker::PhantomData};
use kernel::{ffi::c_uint, prelude::*, sync::Arc};

mod header;
mod switch;

pub use header::IpHeader;
pub use switch::HookSwitch;
pub(crate) use switch::NetHooks;

/// The L3 protocol family of a hook (`NFPROTO_*`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Family {
    /// IPv4 (`NFPROTO_IPV4`).
    Ipv4 = bindings::NFPROTO_IPV4 as u8,
    /// IPv6 (`NFPROTO_IPV6`).
    Ipv6 = bindings::NFPROTO_IPV6 as u8,
}

/// Where in the stack a hook runs (`enum nf_inet_hooks`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum Point {
    /// Packets for this host, after routing (`NF_INET_LOCAL_IN`).
    LocalIn = bindings::nf_inet_hooks_NF_INET_LOCAL_IN,
    /// Packets this host sends, before routing (`NF_INET_LOCAL_OUT`).
    LocalOut = bindings::nf_inet_hooks_NF_INET_LOCAL_OUT,
}

/// What happens to a packet after a hook.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum Verdict {
    /// Let it continue (`NF_ACCEPT`).
    Accept = bindings::NF_ACCEPT,
    /// Drop it (`NF_DROP`).
    Drop = bindings::NF_DROP,
}

/// A packet at a hook.
///
/// # Invariants
///
/// `skb` is the valid packet of the running hook call, which owns it, and
/// `view` what `rnl_helper_skb_view()` said of it: its `linear` bytes from
/// `network` on are readable and unchanged for the call.
pub struct Packet<'a> {
    skb: *mut bindings::sk_buff,
    view: bindings::rnl_skb_view,
    net: *mut bindings::net,
    family: Family,
    point: Point,
    rcu: ReadSection<'a>,
    _p: PhantomData<&'a bindings::sk_buff>,
}

impl<'a> Packet<'a> {
    /// Its length from the network header on (`skb->len`).
    pub fn len(&self) -> u32 {
        self.view.len
    }

    /// Whether it has no bytes at all (never, for IP packets).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `buf.len()` bytes of the packet from `offset`, counted from its
    /// network header, or `None` if it is shorter. The bytes stay in place
    /// when they are in the linear part of the packet, read without a
    /// call, and are copied to `buf` when not (`skb_header_pointer()`);
    /// nothing is allocated.
    pub fn read<'b>(&'b self, offset: u32, buf: &'b mut [u8]) -> Option<&'b [u8]> {
        let end = usize::try_from(offset).ok()?.checked_add(buf.len())?;
        if end <= self.view.linear as usize {
            // SAFETY: the `linear` bytes from `network` are readable and
            // unchanged for the call (type invariants), which `&self`
            // does not outlive; `offset + buf.len()` is within them.
            return Some(unsafe {
                core::slice::from_raw_parts(
                    self.view.network.cast::<u8>().add(offset as usize),
                    buf.len(),
                )
            });
        }
        let off = i32::try_from(offset).ok()?;
        let len = i32::try_from(buf.len()).ok()?;
        // SAFETY: `skb` is valid for the call (type invariants) and `buf` is
        // valid for writes of `len` bytes.
        let p = unsafe {
            bindings::rnl_helper_skb_network_header_pointer(
                self.skb,
                off,
                len,
                buf.as_mut_ptr().cast(),
            )
        };
        if p.is_null() {
            return None;
        }
        // SAFETY: `skb_header_pointer()` returned `len` readable bytes:
        // either `buf` or the packet's own linear data, which nothing
        // changes while the hook runs and which outlives `&self`.
        Some(unsafe { core::slice::from_raw_parts(p.cast::<u8>(), buf.len()) })
    }

    /// The offset of its network header from its start (`skb->data`,
    /// `skb_network_offset()`), for C helpers that count from there.
    pub(crate) fn network_offset(&self) -> u32 {
        // At the points of `Point`, the network header is set and within
        // the packet, never before its start.
        u32::try_from(self.view.network_offset).unwrap_or(0)
    }

    /// The packet, for the layer's own parsers.
    pub(crate) fn as_ptr(&self) -> *mut bindings::sk_buff {
        self.skb
    }

    /// The RCU read-side critical section hooks run in, for readers of
    /// RCU-protected data ([`Pointer::get`]).
    ///
    /// [`Pointer::get`]: super::rcu::Pointer::get
    pub fn rcu(&self) -> &ReadSection<'a> {
        &self.rcu
    }

    /// The namespace it is in.
    pub fn net(&self) -> NetRef<'a> {
        // SAFETY: the namespace of a hooked packet is alive for the call.
        unsafe { NetRef::from_raw(self.net) }
    }

    /// Its L3 family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The hook point it is at.
    pub fn point(&self) -> Point {
        self.point
    }
}

/// Netfilter hooks of a per-namespace state type.
pub trait Hook: NetState {
    /// The switch of this state's hooks: a field of the state, which the
    /// layer connects to the namespace's hooks when it creates the state.
    /// Must be the same field every time.
    fn switch(&self) -> &HookSwitch;

    /// Sees one packet of this state's namespace. Runs in softirq or
    /// process context under `rcu_read_lock()`: it must not sleep.
    fn hook(&self, pkt: &Packet<'_>) -> Verdict;
}

/// One hook point of `T`: a `struct nf_hook_ops`, registered in each
/// namespace whose hooks are on.
pub struct HookOp<T> {
    ops: bindings::nf_hook_ops,
    /// Connects `T`'s switch to its namespace's hooks ([`Hook::switch`]).
    attach: fn(&T, Arc<NetHooks>) -> Result,
}

// SAFETY: the entry is never written after construction; the kernel only
// reads it (registration takes `const struct nf_hook_ops *`), and `attach`
// is a plain function pointer.
unsafe impl<T> Sync for HookOp<T> {}

impl<T: Hook> HookOp<T> {
    /// `T::hook` at `point` of `family`, ordered by `priority` among the
    /// point's hooks (lower first; `NF_IP_PRI_*`).
    pub const fn new(family: Family, point: Point, priority: i32) -> Self {
        // SAFETY: `nf_hook_ops` is plain data; all zeroes is an empty entry
        // (no device, no private data), completed below.
        let mut ops: bindings::nf_hook_ops = unsafe { core::mem::zeroed() };
        ops.hook = Some(hook_callback::<T>);
        ops.pf = family as u8;
        ops.hooknum = point as u32;
        ops.priority = priority;
        Self {
            ops,
            attach: attach_switch::<T>,
        }
    }
}

/// Connects the switch of `state` to `hooks`.
fn attach_switch<T: Hook>(state: &T, hooks: Arc<NetHooks>) -> Result {
    state.switch().attach(hooks)
}

impl<T> HookOp<T> {
    /// The entry, for a namespace whose state is at `state`: netfilter
    /// hands it back to each call (`priv`), so a packet finds the state
    /// without a lookup.
    pub(crate) fn for_state(&self, state: *const T) -> bindings::nf_hook_ops {
        let mut ops = self.ops;
        ops.priv_ = state.cast_mut().cast();
        ops
    }

    /// Connects the switch of `state`, a namespace's state, to that
    /// namespace's `hooks`. Fails if the switch is connected already.
    pub(crate) fn attach(&self, state: &T, hooks: Arc<NetHooks>) -> Result {
        (self.attach)(state, hooks)
    }
}

/// Called by netfilter for each packet at one of `T`'s hook points.
///
/// # Safety
///
/// Only netfilter calls this, for a namespace where `T::HOOKS` are
/// registered (see [`netns`](super::netns)), with a valid `skb` and
/// `state` for the call.
unsafe extern "C" fn hook_callback<T: Hook>(
    state_ptr: *mut c_void,
    skb: *mut bindings::sk_buff,
    state: *const bindings::nf_hook_state,
) -> c_uint {
    // SAFETY: `state` is valid for the call.
    let (net, pf, point) = unsafe { ((*state).net, (*state).pf, u32::from((*state).hook)) };
    let family = if pf == Family::Ipv6 as u8 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let point = if point == Point::LocalOut as u32 {
        Point::LocalOut
    } else {
        Point::LocalIn
    };
    // SAFETY: `priv` is the state of the namespace the hook is registered
    // in (`HookOp::for_state`), which the layer drops only a grace period
    // after unregistering the hooks (`pre_exit`), so after this call.
    let this = unsafe { &*state_ptr.cast::<T>() };
    let mut view = bindings::rnl_skb_view {
        network: core::ptr::null(),
        network_offset: 0,
        len: 0,
        linear: 0,
    };
    // SAFETY: `skb` is the valid packet of this call; `view` is valid for
    // writes.
    unsafe { bindings::rnl_helper_skb_view(skb, &mut view) };
    // INVARIANT: `skb` is the packet of this call, `view` what the helper
    // said of it.
    let pkt = Packet {
        skb,
        view,
        net,
        family,
        point,
        // SAFETY: netfilter runs hooks under `rcu_read_lock()` (`nf_hook()`,
        // `nf_reinject()`): their entries are RCU-protected.
        rcu: unsafe { ReadSection::assume() },
        _p: PhantomData,
    };
    T::hook(this, &pkt) as c_uint
}
