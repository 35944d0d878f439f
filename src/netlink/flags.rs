// SPDX-License-Identifier: GPL-2.0

//! The flags of a request's netlink header (`nlmsg_flags`).
//!
//! C header: [`include/uapi/linux/netlink.h`](srctree/include/uapi/linux/netlink.h)

use super::bindings;

/// A request's `nlmsg_flags`.
///
/// # Examples
///
/// ```ignore
/// let flags = req.flags();
/// if flags.contains(NlFlags::CREATE) && !flags.contains(NlFlags::EXCL) {
///     // Create, or change what exists.
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NlFlags(u16);

impl NlFlags {
    /// `NLM_F_REQUEST`: a request.
    pub const REQUEST: Self = Self(bindings::NLM_F_REQUEST as u16);
    /// `NLM_F_ACK`: the sender wants an acknowledgement.
    pub const ACK: Self = Self(bindings::NLM_F_ACK as u16);
    /// `NLM_F_REPLACE`: replace what exists.
    pub const REPLACE: Self = Self(bindings::NLM_F_REPLACE as u16);
    /// `NLM_F_EXCL`: do not touch what exists.
    pub const EXCL: Self = Self(bindings::NLM_F_EXCL as u16);
    /// `NLM_F_CREATE`: create what does not exist.
    pub const CREATE: Self = Self(bindings::NLM_F_CREATE as u16);
    /// `NLM_F_APPEND`: add to the end.
    pub const APPEND: Self = Self(bindings::NLM_F_APPEND as u16);

    /// The flags of a header.
    pub(crate) const fn from_raw(flags: u16) -> Self {
        Self(flags)
    }

    /// Every flag of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw `nlmsg_flags`.
    pub const fn bits(self) -> u16 {
        self.0
    }
}
