// SPDX-License-Identifier: GPL-2.0

//! The validated attributes of a request: one attribute ([`Attr`]) and the
//! attributes of a request or nest by type ([`Table`]).
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)

use super::super::{bindings, extack::ExtAck};
use super::{Field, Kind};
use kernel::types::Opaque;

/// Size of `struct nlattr`, and the alignment of attributes.
pub const NLA_HDRLEN: usize = 4;

/// Rounds `len` up to the attribute alignment (`NLA_ALIGN`).
pub const fn align(len: usize) -> usize {
    (len + NLA_HDRLEN - 1) & !(NLA_HDRLEN - 1)
}

/// Room an attribute with a payload of `payload` bytes takes in a message
/// (`nla_total_size()`), for sizing replies and notifications.
///
/// # Examples
///
/// ```ignore
/// use crate::rnl::attr::total_size;
///
/// assert_eq!(total_size(0), 4);
/// assert_eq!(total_size(5), 12);
/// ```
pub const fn total_size(payload: usize) -> usize {
    align(NLA_HDRLEN + payload)
}

/// One attribute: header and payload.
///
/// # Invariants
///
/// The header and `nla_len` bytes from its start are readable and do not
/// change while a reference to the `Attr` exists, and `nla_len >=
/// NLA_HDRLEN`.
#[repr(transparent)]
pub struct Attr(Opaque<bindings::nlattr>);

impl Attr {
    /// Wraps a pointer to a validated attribute.
    ///
    /// # Safety
    ///
    /// `ptr` must satisfy the type invariants for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::nlattr) -> &'a Self {
        // SAFETY: `Attr` is a transparent wrapper; the caller guarantees the
        // invariants.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_ptr(&self) -> *const bindings::nlattr {
        self.0.get()
    }

    fn header(&self) -> bindings::nlattr {
        // SAFETY: by the type invariants the header is readable and does not
        // change; `nlattr` is plain data.
        unsafe { self.0.get().read_unaligned() }
    }

    /// The attribute type, without the nested and byte-order flags.
    pub fn kind(&self) -> u16 {
        self.header().nla_type & bindings::NLA_TYPE_MASK as u16
    }

    /// The payload, after the header.
    pub fn payload(&self) -> &[u8] {
        let len = usize::from(self.header().nla_len) - NLA_HDRLEN;
        // SAFETY: by the type invariants `nla_len >= NLA_HDRLEN` bytes are
        // readable from the header, so `len` bytes are after it.
        unsafe { core::slice::from_raw_parts(self.as_ptr().cast::<u8>().add(NLA_HDRLEN), len) }
    }
}

/// Where a [`Table`] finds its attributes.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// An array indexed by type, as `nla_parse()` fills it.
    Array(&'a [*mut bindings::nlattr]),
    /// The validated stream inside a nested attribute, searched in place.
    Nest(&'a Attr),
}

/// The validated attributes of one request or nest, by type.
///
/// # Invariants
///
/// With `Source::Array`, every non-null entry points to an attribute
/// satisfying the [`Attr`] invariants for `'a`, and entry `t` has type `t`.
/// With `Source::Nest`, the nest's payload is an attribute stream that the
/// kernel validated, alive and unchanged for `'a`.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    src: Source<'a>,
    extack: ExtAck<'a>,
}

impl<'a> Table<'a> {
    /// Wraps the attribute array the kernel parsed a request into.
    ///
    /// # Safety
    ///
    /// `tb` must point to `len` entries satisfying the type invariants for
    /// `'a`.
    pub(crate) unsafe fn from_raw(
        tb: *const *mut bindings::nlattr,
        len: usize,
        extack: ExtAck<'a>,
    ) -> Self {
        let tb = if tb.is_null() {
            &[][..]
        } else {
            // SAFETY: guaranteed by the caller.
            unsafe { core::slice::from_raw_parts(tb, len) }
        };
        // INVARIANT: guaranteed by the caller.
        Self {
            src: Source::Array(tb),
            extack,
        }
    }

    /// The contents of a validated nested attribute.
    pub(super) fn nested(attr: &'a Attr, extack: ExtAck<'a>) -> Self {
        // INVARIANT: the payload of a validated nested attribute is a
        // validated attribute stream, alive as long as the attribute.
        Self {
            src: Source::Nest(attr),
            extack,
        }
    }

    /// The attribute of type `ty`, if present (the last one, if repeated, as
    /// `nla_parse()` keeps).
    pub fn attr(&self, ty: u16) -> Option<&'a Attr> {
        match self.src {
            Source::Array(tb) => {
                let p = *tb.get(usize::from(ty))?;
                if p.is_null() {
                    None
                } else {
                    // SAFETY: by the type invariants non-null entries are
                    // valid for `'a`.
                    Some(unsafe { Attr::from_raw(p) })
                }
            }
            Source::Nest(nest) => {
                let mut rest = nest.payload();
                let mut found = None;
                while rest.len() >= NLA_HDRLEN {
                    let len = usize::from(u16::from_ne_bytes([rest[0], rest[1]]));
                    if len < NLA_HDRLEN || len > rest.len() {
                        break;
                    }
                    let kind =
                        u16::from_ne_bytes([rest[2], rest[3]]) & bindings::NLA_TYPE_MASK as u16;
                    if kind == ty {
                        // SAFETY: the header and `len >= NLA_HDRLEN` bytes are
                        // within the stream, which lives unchanged for `'a`.
                        found = Some(unsafe { Attr::from_raw(rest.as_ptr().cast()) });
                    }
                    rest = &rest[align(len).min(rest.len())..];
                }
                found
            }
        }
    }

    /// The attribute of type `ty` read as kind `K`, as a [`Field`].
    pub fn field<K: Kind>(&self, ty: u16, name: &'static str) -> Field<'a, K::Value<'a>> {
        let attr = self.attr(ty);
        let nest = match self.src {
            Source::Nest(nest) => Some(nest),
            Source::Array(_) => None,
        };
        Field::new(
            attr.and_then(|a| K::value(a, self.extack)),
            attr,
            nest,
            ty,
            name,
            self.extack,
        )
    }

    /// The request's extack.
    pub fn extack(&self) -> ExtAck<'a> {
        self.extack
    }
}
