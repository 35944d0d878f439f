// SPDX-License-Identifier: GPL-2.0

//! Knowing when a netlink socket goes away.
//!
//! C header: [`include/linux/netlink.h`](srctree/include/linux/netlink.h)
//!
//! A service that remembers port ids (listeners bound to kernel
//! notifications, as `nfnetlink_queue` and `nfnetlink_log` do) must forget
//! a port when its socket is released, or it would later send to a stale
//! port id, maybe one a new socket has taken. [`ReleaseNotifier`] registers
//! a netlink notifier (`netlink_register_notifier()`) and calls
//! [`OnRelease::released`] with the namespace state of each released
//! socket of one protocol.

use super::{bindings, init::try_ffi_init, netns, protocol::Protocol};
use core::{ffi::c_void, marker::PhantomData};
use kernel::{
    error::to_result,
    ffi::{c_int, c_ulong},
    prelude::*,
    types::Opaque,
};

/// What to do when a socket of [`OnRelease::PROTOCOL`] is released.
pub trait OnRelease: 'static {
    /// The per-namespace state that remembers port ids.
    type State: netns::NetState;
    /// The netlink protocol whose sockets matter.
    const PROTOCOL: Protocol;

    /// Socket `portid` of `state`'s namespace was released. Runs in
    /// process context, from the releasing task; may sleep.
    fn released(state: &Self::State, portid: u32);
}

/// A registered release notifier; unregistered when dropped.
///
/// # Invariants
///
/// `nb` is registered from the end of [`ReleaseNotifier::new`] until drop,
/// and `state` holds `T::State` registered until after that.
#[pin_data(PinnedDrop)]
pub struct ReleaseNotifier<T: OnRelease> {
    #[pin]
    state: netns::Registration<T::State>,
    #[pin]
    nb: Opaque<bindings::notifier_block>,
    _p: PhantomData<T>,
}

// SAFETY: the kernel synchronises its use of the notifier block.
unsafe impl<T: OnRelease> Send for ReleaseNotifier<T> {}
// SAFETY: `&ReleaseNotifier` gives access to nothing.
unsafe impl<T: OnRelease> Sync for ReleaseNotifier<T> {}

impl<T: OnRelease> ReleaseNotifier<T> {
    /// Registers the notifier, and `T::State` if not registered yet.
    pub fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- netns::Registration::new(),
            nb <- try_ffi_init(|nb: *mut bindings::notifier_block| {
                // SAFETY: `nb` is valid for writes and pinned; all-zero is an
                // empty notifier block, completed below.
                unsafe {
                    nb.write(core::mem::zeroed());
                    (*nb).notifier_call = Some(release_callback::<T>);
                }
                // SAFETY: `nb` is initialised and pinned; `drop` unregisters
                // it.
                to_result(unsafe { bindings::netlink_register_notifier(nb) })
            }),
            _p: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: OnRelease> PinnedDrop for ReleaseNotifier<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered (type invariant). Unregistering a blocking
        // notifier waits for running callbacks.
        unsafe { bindings::netlink_unregister_notifier(self.nb.get()) };
    }
}

/// # Safety
///
/// Only the netlink notifier chain calls this, with a valid `struct
/// netlink_notify` for `NETLINK_URELEASE`, while the notifier is
/// registered.
unsafe extern "C" fn release_callback<T: OnRelease>(
    _nb: *mut bindings::notifier_block,
    event: c_ulong,
    ptr: *mut c_void,
) -> c_int {
    if event != bindings::NETLINK_URELEASE as c_ulong {
        return bindings::NOTIFY_DONE as c_int;
    }
    // SAFETY: for `NETLINK_URELEASE`, `ptr` is a `netlink_notify` valid for
    // the call.
    let n = unsafe { &*ptr.cast::<bindings::netlink_notify>() };
    if n.protocol == T::PROTOCOL.as_raw() {
        // SAFETY: the registration holds `T::State` registered while the
        // notifier is, and the socket's namespace is alive while it is
        // being released.
        let state = unsafe { netns::get::<T::State>(n.net) };
        T::released(state, n.portid);
    }
    bindings::NOTIFY_DONE as c_int
}
