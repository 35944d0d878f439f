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

use super::{
    attr::{total_size, NLA_HDRLEN},
    bindings,
    error::emsgsize,
    header::{self, Header},
};
use core::ffi::CStr;
use kernel::prelude::*;

/// The size of `struct nlmsghdr`, aligned (`NLMSG_HDRLEN`).
pub(crate) const NLMSG_HDRLEN: usize =
    nlmsg_align(core::mem::size_of::<bindings::nlmsghdr>() as u32) as usize;

/// Rounds `len` up to the message alignment (`NLMSG_ALIGN`).
pub(crate) const fn nlmsg_align(len: u32) -> u32 {
    (len + 3) & !3
}

/// Ends the message headed by `nlh`: writes its length, that of its
/// headers (padded to alignment, as `nlmsg_put()` reserved them) and of the
/// `written` bytes a [`Writer`] appended since. This is `nlmsg_end()`,
/// done here rather than by an out-of-line call for every message.
///
/// # Safety
///
/// `nlh` must head the last message of an `sk_buff` we write, followed by
/// exactly `written` bytes.
pub(crate) unsafe fn end_message(nlh: *mut bindings::nlmsghdr, written: usize) {
    // An `sk_buff`'s length is a `u32`: so is what one holds.
    let written = written as u32;
    // SAFETY: guaranteed by the caller.
    unsafe { (*nlh).nlmsg_len = nlmsg_align((*nlh).nlmsg_len) + written };
}

/// The attributes of a message being written into an `sk_buff`.
///
/// Both owned messages ([`Msg`], through `Deref`) and the entries of a
/// multipart reply (written into a buffer of many) are built through a
/// `Writer`.
///
/// # Invariants
///
/// `skb` is a valid `sk_buff` holding a message under construction at its
/// tail, written by nobody else while the `Writer` is reachable. `written`
/// is the number of bytes this `Writer` appended to it, so the tail is
/// `written` bytes past where it was when the `Writer` was made.
pub struct Writer {
    skb: *mut bindings::sk_buff,
    written: usize,
}

impl Writer {
    /// # Safety
    ///
    /// `skb` must satisfy the type invariants for as long as the `Writer`
    /// is used.
    pub(crate) unsafe fn new(skb: *mut bindings::sk_buff) -> Self {
        // INVARIANT: guaranteed by the caller; nothing written yet.
        Self { skb, written: 0 }
    }

    /// The bytes appended so far. Lengths of nests and messages are
    /// computed from it, rather than by out-of-line calls to C's inline
    /// `skb_tail_pointer()` users for every nest and dump entry.
    pub(crate) fn written(&self) -> usize {
        self.written
    }

    /// Appends an attribute with a raw payload.
    pub fn put_bytes(&mut self, ty: u16, payload: &[u8]) -> Result {
        let len = i32::try_from(payload.len()).map_err(|_| emsgsize())?;
        // SAFETY: by the type invariants `skb` is valid; `payload` is `len`
        // readable bytes. `nla_put` fails with -EMSGSIZE when out of room,
        // its only error, leaving the message unchanged.
        let ret = unsafe { bindings::nla_put(self.skb, ty.into(), len, payload.as_ptr().cast()) };
        // Checked here rather than by `to_result()`, an out-of-line call
        // for every attribute of a dump.
        if ret != 0 {
            return Err(emsgsize());
        }
        // INVARIANT: `nla_put` appended the aligned attribute.
        self.written += total_size(payload.len());
        Ok(())
    }

    /// Appends a NUL-terminated string attribute.
    pub fn put_str(&mut self, ty: u16, s: &CStr) -> Result {
        self.put_bytes(ty, s.to_bytes_with_nul())
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
        let ty = i32::from(ty) | bindings::NLA_F_NESTED as i32;
        // SAFETY: by the type invariants `skb` is valid. This is
        // `nla_nest_start()`: an empty attribute whose length is set at the
        // end; `nla_reserve` fails (null) when out of room.
        let start = unsafe { bindings::nla_reserve(self.skb, ty, 0) };
        if start.is_null() {
            return Err(emsgsize());
        }
        // INVARIANT: `nla_reserve` appended the attribute's header.
        self.written += NLA_HDRLEN;
        let header_end = self.written;
        let result = f(self).and_then(|()| {
            u16::try_from(NLA_HDRLEN + self.written - header_end).map_err(|_| emsgsize())
        });
        match result {
            Ok(len) => {
                // SAFETY: `start` is the nest's header in the message, which
                // nobody trimmed since (type invariants): all that `f`
                // appended after it, `written - header_end` bytes, is its
                // content. This is `nla_nest_end()`.
                unsafe { (*start).nla_len = len };
                Ok(())
            }
            Err(e) => {
                // SAFETY: as above; trims the message back to `start`.
                unsafe { bindings::rnl_helper_nla_nest_cancel(self.skb, start) };
                // INVARIANT: the nest and its content are gone.
                self.written = header_end - NLA_HDRLEN;
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
/// `w.skb` is owned by this object and holds one message, headed by `nlh`,
/// whose headers are followed by what `w` wrote.
pub struct Msg {
    w: Writer,
    nlh: *mut bindings::nlmsghdr,
}

impl Msg {
    /// Allocates a message with room for `payload` bytes after the netlink
    /// header and starts it with `header`, addressed to `portid` with
    /// sequence number `seq`: what every reply and notification of the
    /// layer begins with (`genlmsg_new()` and `genlmsg_put()`, or
    /// `nlmsg_new()` and `nfnl_msg_put()`).
    pub(crate) fn new<H: Header>(
        header: &H,
        portid: u32,
        seq: u32,
        payload: usize,
        gfp: bindings::gfp_t,
    ) -> Result<Self> {
        let skb = alloc(payload, gfp)?;
        // SAFETY: `skb` is fresh and ours.
        match unsafe { header::put(skb, header, portid, seq, 0) } {
            // INVARIANT: `skb` is ours and holds one message, headed by
            // `nlh`, with nothing written after its headers yet.
            Ok(nlh) => Ok(Self {
                // SAFETY: `skb` is valid and, owned by the new object, only
                // written through it.
                w: unsafe { Writer::new(skb) },
                nlh,
            }),
            Err(e) => {
                // SAFETY: `skb` is ours and holds no message.
                unsafe { free(skb) };
                Err(e)
            }
        }
    }

    /// Finishes the message (writes its length) and gives up the `sk_buff`.
    pub(crate) fn finish(self) -> *mut bindings::sk_buff {
        let skb = self.w.skb;
        // SAFETY: by the type invariants `nlh` heads the message of `skb`,
        // which only `w` wrote since its headers.
        unsafe { end_message(self.nlh, self.w.written) };
        core::mem::forget(self);
        skb
    }
}

#[cfg(CONFIG_KUNIT)]
impl Msg {
    /// A bare netlink message (no family header, type 0) with room for
    /// `payload` bytes of attributes, never sent: for building attributes
    /// and reading them back in tests.
    pub fn standalone(payload: usize) -> Result<Self> {
        Self::new(&header::Bare, 0, 0, payload, bindings::RNL_GFP_KERNEL)
    }

    /// The attributes written so far. The message's length is left as it
    /// is, for sending.
    pub fn attrs_written(&self) -> &[u8] {
        // SAFETY: `nlh` heads the only message of the `sk_buff` we own. Its
        // headers, padded to alignment as `nlmsg_put()` reserved them, are
        // followed by the `written` bytes of `w` (type invariants), which
        // stay valid and unchanged while `self` is borrowed; its length is
        // only written when it is finished.
        unsafe {
            let headers = nlmsg_align((*self.nlh).nlmsg_len) as usize;
            core::slice::from_raw_parts(self.nlh.cast::<u8>().add(headers), self.w.written)
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
        unsafe { free(self.w.skb) };
    }
}

/// Allocates an `sk_buff` for a message of `payload` bytes after the netlink
/// header.
pub(crate) fn alloc(payload: usize, gfp: bindings::gfp_t) -> Result<*mut bindings::sk_buff> {
    // `nlmsg_new()`: room for the netlink header and `payload`, aligned.
    let size = nlmsg_align(
        (NLMSG_HDRLEN + payload)
            .try_into()
            .map_err(|_| emsgsize())?,
    );
    // SAFETY: FFI call without preconditions; this is `alloc_skb()` (no
    // flags, any node).
    let skb = unsafe { bindings::__alloc_skb(size, gfp, 0, bindings::NUMA_NO_NODE) };
    if skb.is_null() {
        Err(ENOMEM)
    } else {
        Ok(skb)
    }
}

/// Frees an `sk_buff` that has not been sent.
///
/// # Safety
///
/// `skb` must be valid and owned by the caller, who gives it up.
pub(crate) unsafe fn free(skb: *mut bindings::sk_buff) {
    // SAFETY: guaranteed by the caller.
    unsafe { bindings::rnl_helper_nlmsg_free(skb) };
}
