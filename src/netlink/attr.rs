// SPDX-License-Identifier: GPL-2.0

//! Attributes: typed access to validated `struct nlattr`s.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)
//!
//! An attribute set is declared once with [`attr_set!`](crate::attr_set):
//! each attribute gets a name, a type number and a [`Kind`]. The declaration
//! yields the `nla_policy` array the kernel validates against and a view type
//! whose accessors return [`Field`]s of the kind's Rust type.
//!
//! # Examples
//!
//! ```ignore
//! attr_set! {
//!     /// Attributes of an echo request.
//!     pub struct EchoAttrs {
//!         /// Text to echo.
//!         msg: NulStr<255> = 1,
//!     }
//! }
//!
//! fn handle(attrs: &EchoAttrsView<'_>) -> Result {
//!     let msg: &CStr = attrs.msg().required()?;
//!     pr_info!("{}\n", msg);
//!     Ok(())
//! }
//! ```

use super::{bindings, error::emsgsize, extack::ExtAck, policy::Policy};
use core::{ffi::CStr, marker::PhantomData, ptr};
use kernel::{alloc::KVec, error::to_result, prelude::*, types::Opaque};

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
/// use crate::netlink::attr::total_size;
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
    Policy::U16.range_unsigned(&super::policy::RangeU::new(MIN as u64, MAX as u64))
);
range_kind!(
    /// A 32-bit unsigned integer in `MIN..=MAX`, host byte order.
    U32Range,
    U32,
    u32,
    Policy::U32.range_unsigned(&super::policy::RangeU::new(MIN as u64, MAX as u64))
);
range_kind!(
    /// A 64-bit unsigned integer in `MIN..=MAX`, host byte order.
    U64Range,
    U64,
    u64,
    Policy::U64.range_unsigned(&super::policy::RangeU::new(MIN, MAX))
);

range_kind!(
    /// A 32-bit signed integer in `MIN..=MAX`, host byte order.
    S32Range,
    S32,
    i32,
    Policy::S32.range_signed(&super::policy::RangeS::new(MIN as i64, MAX as i64))
);
range_kind!(
    /// A 64-bit signed integer in `MIN..=MAX`, host byte order.
    S64Range,
    S64,
    i64,
    Policy::S64.range_signed(&super::policy::RangeS::new(MIN, MAX))
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
    fn nested(attr: &'a Attr, extack: ExtAck<'a>) -> Self {
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
        Field {
            value: attr.and_then(|a| K::value(a, self.extack)),
            attr,
            nest: match self.src {
                Source::Nest(nest) => Some(nest),
                Source::Array(_) => None,
            },
            ty,
            name,
            extack: self.extack,
        }
    }

    /// The request's extack.
    pub fn extack(&self) -> ExtAck<'a> {
        self.extack
    }
}

/// The value of one attribute of a request, or its absence.
pub struct Field<'a, V> {
    value: Option<V>,
    attr: Option<&'a Attr>,
    nest: Option<&'a Attr>,
    ty: u16,
    name: &'static str,
    extack: ExtAck<'a>,
}

impl<'a, V> Field<'a, V> {
    /// The value, if the attribute was given.
    pub fn get(self) -> Option<V> {
        self.value
    }

    /// The value, if the attribute was given, keeping the field (to report
    /// an error against it afterwards).
    pub fn value(&self) -> Option<V>
    where
        V: Copy,
    {
        self.value
    }

    /// Whether the attribute was given.
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }

    /// The value, or `EINVAL` with the attribute reported missing
    /// (`NLMSGERR_ATTR_MISS_TYPE` and a message naming it).
    pub fn required(self) -> Result<V> {
        match self.value {
            Some(v) => Ok(v),
            None => {
                self.extack.set_missing(self.ty, self.name, self.nest);
                Err(EINVAL)
            }
        }
    }

    /// The attribute itself, if given, e.g. to point an extack at it.
    pub fn attr(&self) -> Option<&'a Attr> {
        self.attr
    }

    /// The attribute's name, as declared.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Rejects the request because of this attribute: sets `msg`, prefixed
    /// with the attribute's name, and points the extack at the attribute
    /// (or reports it missing if absent). Returns `EINVAL` to return.
    pub fn invalid(&self, msg: &str) -> Error {
        self.error(EINVAL, format_args!("{msg}"))
    }

    /// As [`Field::invalid`], with error `err` and a formatted message.
    pub fn error(&self, err: Error, msg: core::fmt::Arguments<'_>) -> Error {
        match self.attr {
            Some(a) => self
                .extack
                .set_attr_msg_fmt(a, format_args!("{}: {}", self.name, msg)),
            None => self.extack.set_missing(self.ty, self.name, self.nest),
        }
        err
    }
}

/// A declared attribute set: its policy and its typed view.
///
/// Implemented by [`attr_set!`](crate::attr_set); not meant to be implemented
/// by hand.
pub trait Set: Sized + 'static {
    /// Highest attribute type.
    const MAX: u16;
    /// The `nla_policy` array, [`table_len(MAX)`](super::policy::table_len)
    /// entries.
    const POLICY: &'static [Policy];
    /// Attribute names by type, for messages and tests.
    const NAMES: &'static [(u16, &'static str)];
    /// The typed view of a validated instance.
    type View<'a>;
    /// Wraps a validated table.
    fn view(table: Table<'_>) -> Self::View<'_>;

    /// The name of attribute type `ty`.
    fn name(ty: u16) -> Option<&'static str> {
        Self::NAMES.iter().find(|(t, _)| *t == ty).map(|(_, n)| *n)
    }
}

/// The highest of a list of attribute types; used by [`attr_set!`](crate::attr_set).
pub const fn max_type(types: &[u16]) -> u16 {
    let mut m = 0;
    let mut i = 0;
    while i < types.len() {
        if types[i] > m {
            m = types[i];
        }
        i += 1;
    }
    m
}

/// Declares an attribute set: its policy and a typed view of it.
///
/// Each line names an attribute, its [`Kind`] and its type number; the
/// generated view has one accessor per attribute returning a [`Field`], and a
/// constant per attribute (its name in upper case) holding the number.
#[macro_export]
macro_rules! attr_set {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ty = $ty:expr ),* $(,)?
        }
    ) => {
        ::kernel::macros::paste! {
            $(#[$meta])*
            ///
            /// The set's policy; [`Self::View`](crate::netlink::attr::Set::View)
            /// reads a validated instance.
            $vis struct $name;

            #[doc = concat!("A validated instance of [`", stringify!($name), "`].")]
            $vis struct [<$name View>]<'a>($crate::netlink::attr::Table<'a>);

            #[allow(dead_code)]
            impl $name {
                $(
                    #[doc = concat!("Type number of `", stringify!($field), "`.")]
                    $vis const [<$field:upper>]: u16 = $ty;
                )*
            }

            #[allow(dead_code)]
            impl<'a> [<$name View>]<'a> {
                $(
                    $(#[$fmeta])*
                    $vis fn $field(&self) -> $crate::netlink::attr::Field<'a,
                        <$kind as $crate::netlink::attr::Kind>::Value<'a>> {
                        self.0.field::<$kind>($ty, stringify!($field))
                    }
                )*

                /// The request's extack, to report errors against.
                $vis fn extack(&self) -> $crate::netlink::extack::ExtAck<'a> {
                    self.0.extack()
                }
            }

            const [<__ $name:upper _MAX>]: u16 =
                $crate::netlink::attr::max_type(&[$($ty),*]);

            impl $crate::netlink::attr::Set for $name {
                const MAX: u16 = [<__ $name:upper _MAX>];
                const POLICY: &'static [$crate::netlink::policy::Policy] =
                    &$crate::netlink::policy::table::<
                        { $crate::netlink::policy::table_len([<__ $name:upper _MAX>]) }
                    >(&[$(($ty, <$kind as $crate::netlink::attr::Kind>::POLICY)),*]);
                const NAMES: &'static [(u16, &'static str)] =
                    &[$(($ty, stringify!($field))),*];
                type View<'a> = [<$name View>]<'a>;
                fn view(table: $crate::netlink::attr::Table<'_>) -> Self::View<'_> {
                    [<$name View>](table)
                }
            }
        }
    };
}

/// An attribute stream in memory, built attribute by attribute.
///
/// Used to parse attributes outside a request (nested payloads, tests). The
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
                super::policy::maxattr(S::POLICY).into(),
                self.words.as_ptr().cast(),
                len,
                super::policy::as_ptr(S::POLICY),
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
