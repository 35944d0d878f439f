// SPDX-License-Identifier: GPL-2.0

//! Outgoing messages: one netlink message in its own `sk_buff`.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)
//!
//! A [`Msg`] is created by a request (a reply) or a family (a notification)
//! with its netlink and family headers already written. Attributes are added
//! with the `put_*` methods of [`Writer`], which fail with `EMSGSIZE` when
//! the buffer is full; dump entries are written through the same
//! [`Writer`]. Sending consumes the message; dropping an unsent one frees it, so no
//! error path can leak it.

use super::{bindings, error::emsgsize};
use core::ffi::c_void;
use kernel::{error::to_result, prelude::*, str::CStr};

/// How the message's length gets written when it is finished.
#[derive(Clone, Copy)]
pub(crate) enum End {
    /// `genlmsg_end()` with the user header `genlmsg_put()` returned.
    Genl(*mut c_void),
    /// `nlmsg_end()` with the netlink header.
    Nl(*mut bindings::nlmsghdr),
}

/// The attributes of a message being written into an `sk_buff`.
///
/// Both owned messages ([`Msg`], through `Deref`) and entries of a dump
/// (written into the dump's `sk_buff`) are built through a `Writer`.
///
/// # Invariants
///
/// `skb` is a valid `sk_buff` holding a message under construction at its
/// tail, written by nobody else while the `Writer` is reachable.
pub struct Writer {
    skb: *mut bindings::sk_buff,
}

impl Writer {
    /// # Safety
    ///
    /// `skb` must satisfy the type invariants for as long as the `Writer`
    /// is used.
    pub(crate) unsafe fn new(skb: *mut bindings::sk_buff) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { skb }
    }

    /// Appends an attribute with a raw payload.
    pub fn put_bytes(&mut self, ty: u16, payload: &[u8]) -> Result {
        let len = i32::try_from(payload.len()).map_err(|_| emsgsize())?;
        // SAFETY: by the type invariants `skb` is valid; `payload` is `len`
        // readable bytes. `nla_put` fails with -EMSGSIZE when out of room,
        // leaving the message unchanged.
        to_result(unsafe { bindings::nla_put(self.skb, ty.into(), len, payload.as_ptr().cast()) })
    }

    /// Appends a NUL-terminated string attribute.
    pub fn put_str(&mut self, ty: u16, s: &CStr) -> Result {
        self.put_bytes(ty, s.as_bytes_with_nul())
    }

    /// Appends a flag attribute (no payload).
    pub fn put_flag(&mut self, ty: u16) -> Result {
        self.put_bytes(ty, &[])
    }

    /// Appends an 8-bit attribute.
    pub fn put_u8(&mut self, ty: u16, v: u8) -> Result {
        self.put_bytes(ty, &[v])
    }

    /// Appends a 16-bit attribute, host byte order.
    pub fn put_u16(&mut self, ty: u16, v: u16) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Appends a 32-bit attribute, host byte order.
    pub fn put_u32(&mut self, ty: u16, v: u32) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Appends a signed 32-bit attribute, host byte order.
    pub fn put_s32(&mut self, ty: u16, v: i32) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Appends a 64-bit attribute, host byte order. The payload is 8 bytes at
    /// 4-byte alignment, as userspace parsers of u64 attributes accept.
    pub fn put_u64(&mut self, ty: u16, v: u64) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Appends a nested attribute whose contents `f` writes. If `f` fails the
    /// nest is removed again, so the message stays well-formed.
    pub fn put_nested(&mut self, ty: u16, f: impl FnOnce(&mut Self) -> Result) -> Result {
        // SAFETY: by the type invariants `skb` is valid.
        let start = unsafe { bindings::nlrs_helper_nla_nest_start(self.skb, ty.into()) };
        if start.is_null() {
            return Err(emsgsize());
        }
        match f(self) {
            Ok(()) => {
                // SAFETY: `start` was returned by `nla_nest_start` on this
                // skb and nothing was trimmed before it since.
                unsafe { bindings::nlrs_helper_nla_nest_end(self.skb, start) };
                Ok(())
            }
            Err(e) => {
                // SAFETY: as above.
                unsafe { bindings::nlrs_helper_nla_nest_cancel(self.skb, start) };
                Err(e)
            }
        }
    }
}

/// A netlink message under construction, in an `sk_buff` of its own.
///
/// Attributes are added through [`Writer`], which `Msg` dereferences to.
///
/// # Invariants
///
/// `w.skb` is owned by this object and holds one message whose headers `end`
/// points into.
pub struct Msg {
    w: Writer,
    end: End,
}

impl Msg {
    /// Takes ownership of `skb`, which holds a message started at `end`.
    ///
    /// # Safety
    ///
    /// `skb` must be a valid `sk_buff` the caller owns and gives up, holding
    /// one message whose headers `end` points into.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff, end: End) -> Self {
        // INVARIANT: guaranteed by the caller; owning `skb`, this object is
        // its only writer.
        Self {
            // SAFETY: as above.
            w: unsafe { Writer::new(skb) },
            end,
        }
    }

    /// Finishes the message (writes its length) and gives up the `sk_buff`.
    pub(crate) fn finish(self) -> *mut bindings::sk_buff {
        let skb = self.w.skb;
        // SAFETY: by the type invariants `skb` is valid and `end` points to
        // the headers of its message.
        unsafe {
            match self.end {
                End::Genl(hdr) => bindings::nlrs_helper_genlmsg_end(skb, hdr),
                End::Nl(nlh) => bindings::nlrs_helper_nlmsg_end(skb, nlh),
            }
        }
        core::mem::forget(self);
        skb
    }
}

impl Msg {
    /// A bare netlink message (no family header, type 0) with room for
    /// `payload` bytes of attributes, never sent: for building attributes
    /// and reading them back, e.g. in tests.
    pub fn standalone(payload: usize) -> Result<Self> {
        let skb = alloc(payload, bindings::NLRS_GFP_KERNEL)?;
        // SAFETY: `skb` is fresh, ours, and has room for the header.
        let nlh = unsafe { bindings::nlrs_helper_nlmsg_put(skb, 0, 0, 0, 0, 0) };
        if nlh.is_null() {
            // SAFETY: `skb` is ours and holds no message.
            unsafe { free(skb) };
            return Err(emsgsize());
        }
        // SAFETY: `skb` is ours and holds one message whose header is `nlh`.
        Ok(unsafe { Self::from_raw(skb, End::Nl(nlh)) })
    }

    /// The attributes written so far of a [`Msg::standalone`] message (its
    /// payload, once its length is brought up to date).
    pub fn attrs_written(&mut self) -> Option<&[u8]> {
        let End::Nl(nlh) = self.end else {
            return None;
        };
        let mut len = 0;
        // SAFETY: `nlh` heads the only message of the `sk_buff` we own;
        // ending it writes the length of what was put so far, and later
        // puts simply extend it again. The payload stays valid and
        // unchanged while `self` is borrowed.
        unsafe {
            bindings::nlrs_helper_nlmsg_end(self.w.skb, nlh);
            let data = bindings::nlrs_helper_nlmsg_payload(nlh, &mut len);
            Some(core::slice::from_raw_parts(data.cast(), len))
        }
    }
}

impl core::ops::Deref for Msg {
    type Target = Writer;

    fn deref(&self) -> &Writer {
        &self.w
    }
}

impl core::ops::DerefMut for Msg {
    fn deref_mut(&mut self) -> &mut Writer {
        &mut self.w
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        // SAFETY: by the type invariants this object owns `skb`.
        unsafe { bindings::nlrs_helper_nlmsg_free(self.w.skb) };
    }
}

/// Allocates an `sk_buff` for a message of `payload` bytes after the netlink
/// header.
pub(crate) fn alloc(payload: usize, gfp: bindings::gfp_t) -> Result<*mut bindings::sk_buff> {
    // SAFETY: FFI call without preconditions.
    let skb = unsafe { bindings::nlrs_helper_nlmsg_new(payload, gfp) };
    if skb.is_null() {
        Err(ENOMEM)
    } else {
        Ok(skb)
    }
}

/// Frees an `sk_buff` that holds no message yet.
///
/// # Safety
///
/// `skb` must be valid and owned by the caller, who gives it up.
pub(crate) unsafe fn free(skb: *mut bindings::sk_buff) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::nlrs_helper_nlmsg_free(skb) };
}
