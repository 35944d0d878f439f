// SPDX-License-Identifier: GPL-2.0

//! Attribute kinds: the policy of an attribute and the Rust type handlers
//! read it as.

use super::super::{
    extack::ExtAck,
    policy::{Policy, RangeS, RangeU},
};
use super::{Attr, Set, Table};
use core::{ffi::CStr, marker::PhantomData};

/// An attribute kind: its policy and the Rust type of its value.
///
/// The policy guarantees that [`Kind::value`] succeeds on an attribute that
/// passed validation.
pub trait Kind {
    /// The value as handlers see it.
    type Value<'a>;
    /// The validation policy.
    const POLICY: Policy;
    /// Reads the value; `None` if the payload does not hold one. `extack`
    /// is the request's, for kinds whose values report errors themselves.
    fn value<'a>(attr: &'a Attr, extack: ExtAck<'a>) -> Option<Self::Value<'a>>;
}

/// A NUL-terminated string of at most `MAX` bytes before the NUL.
pub struct NulStr<const MAX: u16>;

impl<const MAX: u16> Kind for NulStr<MAX> {
    type Value<'a> = &'a CStr;
    const POLICY: Policy = Policy::nul_string(MAX);
    fn value<'a>(attr: &'a Attr, _: ExtAck<'a>) -> Option<&'a CStr> {
        let p = attr.payload();
        let end = str_len(p);
        if end == p.len() {
            return None;
        }
        // SAFETY: `p[end]` is the first NUL of `p`, so `p[..=end]` ends with
        // its only NUL.
        Some(unsafe { CStr::from_bytes_with_nul_unchecked(&p[..=end]) })
    }
}

/// The bytes of `p` before its first NUL, or `p.len()` if none.
///
/// Scans a word at a time: on x86_64 the kernel's `strlen()` and
/// `strnlen()` are the generic byte loops, which dominate the cost of a
/// 4 KiB string.
fn str_len(p: &[u8]) -> usize {
    const W: usize = core::mem::size_of::<usize>();
    const ONES: usize = usize::from_ne_bytes([0x01; W]);
    const HIGHS: usize = usize::from_ne_bytes([0x80; W]);
    let mut at = 0;
    for chunk in p.chunks_exact(W) {
        let mut bytes = [0; W];
        bytes.copy_from_slice(chunk);
        let w = usize::from_ne_bytes(bytes);
        // Non-zero exactly when a byte of `w` is zero.
        if w.wrapping_sub(ONES) & !w & HIGHS != 0 {
            break;
        }
        at += W;
    }
    at + p[at..].iter().position(|&b| b == 0).unwrap_or(p.len() - at)
}

/// A string of at most `MAX` bytes, NUL-terminated or not (`NLA_STRING`);
/// the value is the bytes before the first NUL, if any.
pub struct Str<const MAX: u16>;

impl<const MAX: u16> Kind for Str<MAX> {
    type Value<'a> = &'a [u8];
    const POLICY: Policy = Policy::string(MAX);
    fn value<'a>(attr: &'a Attr, _: ExtAck<'a>) -> Option<&'a [u8]> {
        let p = attr.payload();
        Some(&p[..str_len(p)])
    }
}

/// Binary data of `MIN..=MAX` bytes.
pub struct Binary<const MIN: u16, const MAX: u16>;

impl<const MIN: u16, const MAX: u16> Kind for Binary<MIN, MAX> {
    type Value<'a> = &'a [u8];
    const POLICY: Policy = Policy::binary(MIN, MAX);
    fn value<'a>(attr: &'a Attr, _: ExtAck<'a>) -> Option<&'a [u8]> {
        Some(attr.payload())
    }
}

/// A flag: present or absent.
pub struct Flag;

impl Kind for Flag {
    type Value<'a> = ();
    const POLICY: Policy = Policy::FLAG;
    fn value(_: &Attr, _: ExtAck<'_>) -> Option<()> {
        Some(())
    }
}

macro_rules! int_kind {
    ($(#[$m:meta])* $name:ident, $t:ty, $policy:expr) => {
        $(#[$m])*
        pub struct $name;

        impl Kind for $name {
            type Value<'a> = $t;
            const POLICY: Policy = $policy;
            fn value(attr: &Attr, _: ExtAck<'_>) -> Option<$t> {
                let bytes = attr.payload().get(..core::mem::size_of::<$t>())?;
                Some(<$t>::from_ne_bytes(bytes.try_into().ok()?))
            }
        }
    };
}

int_kind!(
    /// An 8-bit unsigned integer.
    U8, u8, Policy::U8
);
int_kind!(
    /// A 16-bit unsigned integer, host byte order.
    U16, u16, Policy::U16
);
int_kind!(
    /// A 32-bit unsigned integer, host byte order.
    U32, u32, Policy::U32
);
int_kind!(
    /// A 64-bit unsigned integer, host byte order.
    U64, u64, Policy::U64
);
int_kind!(
    /// A 32-bit signed integer, host byte order.
    S32, i32, Policy::S32
);
int_kind!(
    /// A 64-bit signed integer, host byte order.
    S64, i64, Policy::S64
);

macro_rules! range_kind {
    ($(#[$m:meta])* $name:ident, $base:ident, $t:ty, $policy:expr) => {
        $(#[$m])*
        pub struct $name<const MIN: $t, const MAX: $t>;

        impl<const MIN: $t, const MAX: $t> Kind for $name<MIN, MAX> {
            type Value<'a> = $t;
            const POLICY: Policy = $policy;
            fn value<'a>(attr: &'a Attr, extack: ExtAck<'a>) -> Option<$t> {
                $base::value(attr, extack)
            }
        }
    };
}

range_kind!(
    /// An 8-bit unsigned integer in `MIN..=MAX`.
    U8Range, U8, u8, Policy::U8.range(MIN as i16, MAX as i16)
);
range_kind!(
    /// A 16-bit unsigned integer in `MIN..=MAX`, host byte order.
    U16Range,
    U16,
    u16,
    Policy::U16.range_unsigned(&RangeU::new(MIN as u64, MAX as u64))
);
range_kind!(
    /// A 32-bit unsigned integer in `MIN..=MAX`, host byte order.
    U32Range,
    U32,
    u32,
    Policy::U32.range_unsigned(&RangeU::new(MIN as u64, MAX as u64))
);
range_kind!(
    /// A 64-bit unsigned integer in `MIN..=MAX`, host byte order.
    U64Range,
    U64,
    u64,
    Policy::U64.range_unsigned(&RangeU::new(MIN, MAX))
);

range_kind!(
    /// A 32-bit signed integer in `MIN..=MAX`, host byte order.
    S32Range,
    S32,
    i32,
    Policy::S32.range_signed(&RangeS::new(MIN as i64, MAX as i64))
);
range_kind!(
    /// A 64-bit signed integer in `MIN..=MAX`, host byte order.
    S64Range,
    S64,
    i64,
    Policy::S64.range_signed(&RangeS::new(MIN, MAX))
);

/// An attribute a request must not carry (a read-only one of a reply): the
/// kernel rejects it with `EINVAL` and the message `R::MESSAGE`.
pub struct Reject<R>(PhantomData<R>);

/// The extack message of a [`Reject`] attribute.
pub trait RejectMessage {
    /// The message.
    const MESSAGE: &'static CStr;
}

impl<R: RejectMessage> Kind for Reject<R> {
    type Value<'a> = ();
    const POLICY: Policy = Policy::reject(R::MESSAGE);
    fn value(_: &Attr, _: ExtAck<'_>) -> Option<()> {
        // Validation never lets one through.
        None
    }
}

/// A nested attribute holding attribute set `S`.
pub struct Nested<S>(PhantomData<S>);

impl<S: Set> Kind for Nested<S> {
    type Value<'a> = S::View<'a>;
    const POLICY: Policy = Policy::nested(S::POLICY);
    fn value<'a>(attr: &'a Attr, extack: ExtAck<'a>) -> Option<S::View<'a>> {
        Some(S::view(Table::nested(attr, extack)))
    }
}
