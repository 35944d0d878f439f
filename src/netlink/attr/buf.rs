// SPDX-License-Identifier: GPL-2.0

//! Attribute streams built in memory and parsed against a set, for KUnit
//! tests: the policies a module declares are checked without a socket.

use super::super::{bindings, error::emsgsize, extack::ExtAck};
use super::{align, Set, Table, NLA_HDRLEN};
use core::{marker::PhantomData, ptr};
use kernel::{alloc::KVec, error::to_result, prelude::*};

/// An attribute stream in memory, built attribute by attribute.
///
/// KUnit tests build requests' attributes with it, malformed ones included,
/// and [`Buf::parse`] them against a set's policy as the kernel would. The
/// storage is `u32`-aligned as the kernel's parser expects.
pub struct Buf {
    words: KVec<u32>,
    len: usize,
}

impl Buf {
    /// An empty stream.
    pub fn new() -> Self {
        Self {
            words: KVec::new(),
            len: 0,
        }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `words` holds at least `len` initialised bytes (`len` never
        // exceeds `4 * words.len()`) and `u8` has no alignment requirement.
        unsafe { core::slice::from_raw_parts(self.words.as_ptr().cast(), self.len) }
    }

    /// Appends raw bytes, then pads with zeroes to the attribute alignment.
    pub fn put_raw(&mut self, bytes: &[u8]) -> Result {
        let new_len = align(self.len + bytes.len());
        while self.words.len() * 4 < new_len {
            self.words.push(0, GFP_KERNEL)?;
        }
        // SAFETY: the loop above made room for `new_len >= len + bytes.len()`
        // bytes; the regions do not overlap.
        unsafe {
            ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.words.as_mut_ptr().cast::<u8>().add(self.len),
                bytes.len(),
            )
        };
        self.len = new_len;
        Ok(())
    }

    /// Appends an attribute header claiming `nla_len` bytes, whatever follows.
    pub fn put_header(&mut self, ty: u16, nla_len: u16) -> Result {
        let mut h = [0u8; NLA_HDRLEN];
        h[..2].copy_from_slice(&nla_len.to_ne_bytes());
        h[2..].copy_from_slice(&ty.to_ne_bytes());
        self.put_raw(&h)
    }

    /// Appends an attribute with `payload`.
    pub fn put(&mut self, ty: u16, payload: &[u8]) -> Result {
        let len = u16::try_from(NLA_HDRLEN + payload.len()).map_err(|_| emsgsize())?;
        self.put_header(ty, len)?;
        self.put_raw(payload)
    }

    /// Appends a nested attribute holding `inner`, with `NLA_F_NESTED` set.
    pub fn put_nested(&mut self, ty: u16, inner: &Buf) -> Result {
        self.put(ty | bindings::NLA_F_NESTED as u16, inner.as_bytes())
    }

    /// Truncates the stream to `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Validates the stream against the policy of `S` (strictly, as generic
    /// netlink does) and parses it into a [`Parsed`] set.
    pub fn parse<'s, S: Set>(&'s self, extack: ExtAck<'s>) -> Result<Parsed<'s, S>> {
        let mut tb = KVec::with_capacity(S::POLICY.len(), GFP_KERNEL)?;
        for _ in 0..S::POLICY.len() {
            tb.push(ptr::null_mut(), GFP_KERNEL)?;
        }
        let len = i32::try_from(self.len).map_err(|_| E2BIG)?;
        // SAFETY: `tb` has as many entries as the policy, whose highest type
        // is `maxattr`; the stream is `len` readable, `u32`-aligned bytes;
        // `extack` is null or valid by its invariants.
        to_result(unsafe {
            bindings::__nla_parse(
                tb.as_mut_ptr(),
                super::super::policy::maxattr(S::POLICY).into(),
                self.words.as_ptr().cast(),
                len,
                super::super::policy::as_ptr(S::POLICY),
                bindings::RNL_NL_VALIDATE_STRICT,
                extack.as_ptr(),
            )
        })?;
        Ok(Parsed {
            tb,
            extack,
            _p: PhantomData,
        })
    }
}

impl Default for Buf {
    fn default() -> Self {
        Self::new()
    }
}

/// An attribute stream parsed and validated against set `S`.
pub struct Parsed<'s, S> {
    tb: KVec<*mut bindings::nlattr>,
    extack: ExtAck<'s>,
    _p: PhantomData<S>,
}

impl<'s, S: Set> Parsed<'s, S> {
    /// The typed view of the parsed attributes.
    pub fn attrs(&self) -> S::View<'_> {
        // SAFETY: `__nla_parse` filled `tb` with null or pointers into the
        // stream, which the `'s` borrow keeps alive and unchanged, to
        // attributes it validated (so `nla_len >= NLA_HDRLEN`), entry `t`
        // holding type `t`.
        S::view(unsafe { Table::from_raw(self.tb.as_ptr(), self.tb.len(), self.extack) })
    }
}
