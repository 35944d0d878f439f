// SPDX-License-Identifier: GPL-2.0

//! Extended acknowledgement: error messages and offending attributes.
//!
//! C header: [`include/linux/netlink.h`](srctree/include/linux/netlink.h)
//!
//! The kernel copies what is set here into the `NLMSGERR_ATTR_*` TLVs of the
//! error it returns, so userspace learns why a request failed and which
//! attribute caused it.

use super::{attr::Attr, bindings};
use core::{ffi::CStr, fmt, marker::PhantomData, ptr};

/// A request's `struct netlink_ext_ack`, or nothing when the caller has none.
///
/// # Invariants
///
/// `ptr` is null or points to a `netlink_ext_ack` that is valid and used only
/// by the current thread for `'a`.
#[derive(Clone, Copy)]
pub struct ExtAck<'a> {
    ptr: *mut bindings::netlink_ext_ack,
    _p: PhantomData<&'a bindings::netlink_ext_ack>,
}

impl<'a> ExtAck<'a> {
    /// An extack that records nothing.
    pub const NONE: ExtAck<'static> = ExtAck {
        ptr: ptr::null_mut(),
        _p: PhantomData,
    };

    /// Wraps a raw extack pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be null or valid, and used by no other thread, for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::netlink_ext_ack) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            ptr,
            _p: PhantomData,
        }
    }

    /// The raw pointer, possibly null, for C calls that take one.
    // Only `attr::Buf`, a KUnit helper, calls one so far.
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn as_ptr(&self) -> *mut bindings::netlink_ext_ack {
        self.ptr
    }

    fn with(&self, f: impl FnOnce(&mut bindings::netlink_ext_ack)) {
        if !self.ptr.is_null() {
            // SAFETY: by the type invariant the extack is valid and only this
            // thread uses it; no other reference to it is live across `f`.
            f(unsafe { &mut *self.ptr })
        }
    }

    /// Sets the error message (`NL_SET_ERR_MSG`).
    pub fn set_msg(&self, msg: &'static CStr) {
        self.with(|e| e._msg = msg.as_ptr().cast());
    }

    /// Sets the error message and points at the offending attribute
    /// (`NL_SET_ERR_MSG_ATTR`).
    pub fn set_attr_msg(&self, attr: &Attr, msg: &'static CStr) {
        self.with(|e| {
            e._msg = msg.as_ptr().cast();
            e.bad_attr = attr.as_ptr();
        });
    }

    /// Sets a formatted error message (`NL_SET_ERR_MSG_FMT`), truncated to
    /// the extack's buffer.
    pub fn set_msg_fmt(&self, args: fmt::Arguments<'_>) {
        self.with(|e| {
            let mut w = BufWriter {
                buf: &mut e._msg_buf,
                len: 0,
            };
            // Truncation is the documented behaviour, not an error.
            let _ = fmt::write(&mut w, args);
            let end = w.len;
            e._msg_buf[end] = 0;
            e._msg = e._msg_buf.as_ptr();
        });
    }

    /// Sets a formatted error message and points at the offending
    /// attribute (`NL_SET_ERR_MSG_ATTR_FMT`).
    pub fn set_attr_msg_fmt(&self, attr: &Attr, args: fmt::Arguments<'_>) {
        self.set_msg_fmt(args);
        self.with(|e| e.bad_attr = attr.as_ptr());
    }

    /// Reports that required attribute `ty` is missing, inside `nest` if it
    /// belongs to a nested set: sets `NLMSGERR_ATTR_MISS_TYPE` (and
    /// `NLMSGERR_ATTR_MISS_NEST`) as `GENL_REQ_ATTR_CHECK` and
    /// `NL_REQ_ATTR_CHECK` do, and a message naming the attribute.
    pub fn set_missing(&self, ty: u16, name: &str, nest: Option<&Attr>) {
        self.set_msg_fmt(format_args!("missing attribute {name}"));
        self.with(|e| {
            e.miss_type = ty.into();
            e.miss_nest = nest.map_or(ptr::null(), Attr::as_ptr);
        });
    }
}

/// Writes formatted text into a C buffer, keeping one byte for the NUL.
struct BufWriter<'b> {
    buf: &'b mut [kernel::ffi::c_char],
    len: usize,
}

impl fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len + 1 >= self.buf.len() {
                return Err(fmt::Error);
            }
            self.buf[self.len] = b as kernel::ffi::c_char;
            self.len += 1;
        }
        Ok(())
    }
}

/// Reading back what was recorded, for KUnit tests.
#[cfg(CONFIG_KUNIT)]
impl<'a> ExtAck<'a> {
    /// The message set so far, if any.
    pub fn msg(&self) -> Option<&'a CStr> {
        let mut out = None;
        self.with(|e| {
            if !e._msg.is_null() {
                // SAFETY: `_msg` is only ever set to a NUL-terminated string
                // that outlives the extack: a `'static` one or `_msg_buf`.
                out = Some(unsafe { CStr::from_ptr(e._msg.cast()) });
            }
        });
        out
    }

    /// The type of the attribute the error points at, if any.
    pub fn bad_attr_type(&self) -> Option<u16> {
        let mut out = None;
        self.with(|e| {
            if !e.bad_attr.is_null() {
                // SAFETY: `bad_attr` points into the message being parsed,
                // which outlives the extack's use for it.
                out = Some(unsafe { Attr::from_raw(e.bad_attr) }.kind());
            }
        });
        out
    }

    /// The missing attribute type recorded, if any.
    pub fn missing_type(&self) -> Option<u16> {
        let mut out = None;
        self.with(|e| {
            if e.miss_type != 0 {
                out = u16::try_from(e.miss_type).ok();
            }
        });
        out
    }
}

/// An extack of one's own, for KUnit tests to parse into and read back.
#[cfg(CONFIG_KUNIT)]
pub struct OwnedExtAck(kernel::types::Opaque<bindings::netlink_ext_ack>);

#[cfg(CONFIG_KUNIT)]
impl OwnedExtAck {
    /// An empty extack.
    pub fn new() -> Self {
        // SAFETY: all zeroes is an empty `netlink_ext_ack`.
        Self(kernel::types::Opaque::new(unsafe { core::mem::zeroed() }))
    }

    /// A handle to record into.
    pub fn get(&mut self) -> ExtAck<'_> {
        // SAFETY: the extack is valid while borrowed, and the `&mut` borrow
        // keeps other users out.
        unsafe { ExtAck::from_raw(self.0.get()) }
    }
}

#[cfg(CONFIG_KUNIT)]
impl Default for OwnedExtAck {
    fn default() -> Self {
        Self::new()
    }
}
