// SPDX-License-Identifier: GPL-2.0

//! Attribute validation policies.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)
//!
//! A [`Policy`] is one `struct nla_policy` entry. Attribute sets built with
//! [`attr_set!`](crate::attr_set) turn their declarations into the
//! `nla_policy` array the kernel validates requests against, so a handler only
//! ever sees attributes that passed it.

use super::bindings;

/// The validation rule for one attribute type: a `struct nla_policy`.
///
/// An all-zero entry is `NLA_UNSPEC`, which strict validation rejects; slots
/// of an attribute set that declare nothing are left that way.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Policy(bindings::nla_policy);

impl Policy {
    const fn with(ty: u32, len: u16) -> Self {
        // SAFETY: `nla_policy` is plain data; all zeroes is `NLA_UNSPEC` with
        // no validation, a valid value.
        let mut p: bindings::nla_policy = unsafe { core::mem::zeroed() };
        p.type_ = ty as u8;
        p.len = len;
        Self(p)
    }

    /// Rejects the attribute (unused slot): `NLA_UNSPEC` under strict validation.
    pub const UNSPEC: Self = Self::with(bindings::NLA_UNSPEC, 0);

    /// A string terminated by NUL, at most `max_len` bytes before the NUL
    /// (`NLA_NUL_STRING`).
    pub const fn nul_string(max_len: u16) -> Self {
        Self::with(bindings::NLA_NUL_STRING, max_len)
    }

    /// A string, NUL optional, at most `max_len` bytes (`NLA_STRING`).
    pub const fn string(max_len: u16) -> Self {
        Self::with(bindings::NLA_STRING, max_len)
    }

    /// A flag: present or absent, no payload (`NLA_FLAG`).
    pub const FLAG: Self = Self::with(bindings::NLA_FLAG, 0);
    /// An 8-bit unsigned integer.
    pub const U8: Self = Self::with(bindings::NLA_U8, 0);
    /// A 16-bit unsigned integer.
    pub const U16: Self = Self::with(bindings::NLA_U16, 0);
    /// A 32-bit unsigned integer.
    pub const U32: Self = Self::with(bindings::NLA_U32, 0);
    /// A 64-bit unsigned integer.
    pub const U64: Self = Self::with(bindings::NLA_U64, 0);
    /// A 32-bit signed integer.
    pub const S32: Self = Self::with(bindings::NLA_S32, 0);
    /// A 64-bit signed integer.
    pub const S64: Self = Self::with(bindings::NLA_S64, 0);

    /// Binary data of `min_len..=max_len` bytes.
    ///
    /// With a lower bound this is the kernel's `NLA_POLICY_RANGE(NLA_BINARY,
    /// min, max)` (`NLA_POLICY_EXACT_LEN` when they are equal): both bounds
    /// are checked (`ERANGE`, "binary attribute size out of range") and
    /// `CTRL_CMD_GETPOLICY` reports both. Bounds beyond the policy's `s16`
    /// range fall back to `NLA_BINARY` with `len` as the maximum and
    /// `NLA_VALIDATE_MIN`. Without a lower bound, `len` alone bounds it.
    pub const fn binary(min_len: u16, max_len: u16) -> Self {
        assert!(min_len <= max_len, "empty length range");
        if min_len == 0 {
            return Self::with(bindings::NLA_BINARY, max_len);
        }
        if max_len <= i16::MAX as u16 {
            let mut p = Self::with(bindings::NLA_BINARY, 0);
            p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE as u8;
            p.0.__bindgen_anon_1.__bindgen_anon_1 =
                bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 {
                    min: min_len as i16,
                    max: max_len as i16,
                };
            return p;
        }
        let mut p = Self::with(bindings::NLA_BINARY, max_len);
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MIN as u8;
        p.0.__bindgen_anon_1.__bindgen_anon_1 = bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 {
            min: min_len as i16,
            max: 0,
        };
        p
    }

    /// Restricts an integer attribute to `min..=max` (`NLA_VALIDATE_RANGE`).
    ///
    /// The bounds are `s16` in `struct nla_policy`; wider ranges need a range
    /// pointer, which this layer does not offer yet.
    pub const fn range(self, min: i16, max: i16) -> Self {
        let mut p = self;
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE as u8;
        p.0.__bindgen_anon_1.__bindgen_anon_1 =
            bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 { min, max };
        p
    }

    /// Restricts an unsigned integer attribute to `range` (`NLA_VALIDATE_RANGE_PTR`),
    /// for bounds wider than `s16`.
    pub const fn range_unsigned(self, range: &'static RangeU) -> Self {
        let mut p = self;
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.0.__bindgen_anon_1.range = &range.0;
        p
    }

    /// An attribute that must not be sent (`NLA_REJECT`), e.g. a read-only
    /// one a reply carries; `message` is the extack text the sender gets.
    pub const fn reject(message: &'static core::ffi::CStr) -> Self {
        let mut p = Self::with(bindings::NLA_REJECT, 0);
        p.0.__bindgen_anon_1.reject_message = message.as_ptr().cast();
        p
    }

    /// Restricts a signed integer attribute to `range`
    /// (`NLA_VALIDATE_RANGE_PTR`), for bounds wider than `s16`.
    pub const fn range_signed(self, range: &'static RangeS) -> Self {
        let mut p = self;
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.0.__bindgen_anon_1.range_signed = &range.0;
        p
    }

    /// A nested attribute whose contents follow `policy` (`NLA_NESTED`); the
    /// kernel validates them, strictly, together with the outer set.
    pub const fn nested(policy: &'static [Policy]) -> Self {
        assert!(policy.len() > 0 && policy.len() <= u16::MAX as usize);
        let mut p = Self::with(bindings::NLA_NESTED, (policy.len() - 1) as u16);
        p.0.__bindgen_anon_1.nested_policy = policy.as_ptr().cast();
        p
    }

    /// The `NLA_*` type of this entry.
    pub const fn kind(&self) -> u8 {
        self.0.type_
    }

    /// The `len` field: the maximum string or binary length, for tests.
    #[cfg(CONFIG_KUNIT)]
    pub const fn len(&self) -> u16 {
        self.0.len
    }
}

/// An unsigned range for [`Policy::range_unsigned`]: a
/// `struct netlink_range_validation`.
#[repr(transparent)]
pub struct RangeU(bindings::netlink_range_validation);

// SAFETY: plain integers, never written after construction.
unsafe impl Sync for RangeU {}

impl RangeU {
    /// The range `min..=max`.
    pub const fn new(min: u64, max: u64) -> Self {
        assert!(min <= max, "empty range");
        Self(bindings::netlink_range_validation { min, max })
    }
}

/// A signed range for [`Policy::range_signed`]: a
/// `struct netlink_range_validation_signed`.
#[repr(transparent)]
pub struct RangeS(bindings::netlink_range_validation_signed);

// SAFETY: plain integers, never written after construction.
unsafe impl Sync for RangeS {}

impl RangeS {
    /// The range `min..=max`.
    pub const fn new(min: i64, max: i64) -> Self {
        assert!(min <= max, "empty range");
        Self(bindings::netlink_range_validation_signed { min, max })
    }
}

/// Builds the `nla_policy` array of an attribute set: entry `t` holds the
/// policy of attribute type `t`; types not listed are [`Policy::UNSPEC`].
///
/// `N` is the highest attribute type plus one. Used by
/// [`attr_set!`](crate::attr_set); a type listed twice or out of range fails
/// the build.
pub const fn table<const N: usize>(entries: &[(u16, Policy)]) -> [Policy; N] {
    let mut t = [Policy::UNSPEC; N];
    let mut i = 0;
    while i < entries.len() {
        let (ty, p) = entries[i];
        assert!((ty as usize) < N, "attribute type above the set's maximum");
        assert!(ty != 0, "attribute type 0 is reserved");
        assert!(t[ty as usize].kind() == 0, "attribute type declared twice");
        t[ty as usize] = p;
        i += 1;
    }
    t
}

/// The length of the policy array of a set whose highest type is `max`.
///
/// Never less than two: the generic netlink core does not parse, and so
/// does not validate, the attributes of an op whose `maxattr` is 0. With one
/// `NLA_UNSPEC` slot, strict validation rejects every attribute sent to a
/// set that has none.
pub const fn table_len(max: u16) -> usize {
    if max == 0 {
        2
    } else {
        max as usize + 1
    }
}

/// The `maxattr` the C tables get for a policy array.
pub(crate) const fn maxattr(p: &'static [Policy]) -> u16 {
    (p.len() - 1) as u16
}

/// Pointer to the first entry of a policy array, for the C tables.
pub(crate) const fn as_ptr(p: &'static [Policy]) -> *const bindings::nla_policy {
    p.as_ptr().cast()
}
