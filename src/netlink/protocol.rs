// SPDX-License-Identifier: GPL-2.0

//! Netlink protocols (`NETLINK_*`), as the layer's users name them.
//!
//! C header: [`include/uapi/linux/netlink.h`](srctree/include/uapi/linux/netlink.h)

use super::bindings;

/// A netlink protocol: the third argument of `socket(AF_NETLINK, ...)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protocol {
    /// `NETLINK_GENERIC`: generic netlink families.
    Generic,
    /// `NETLINK_NETFILTER`: nfnetlink subsystems.
    Netfilter,
}

impl Protocol {
    /// The protocol's number.
    pub const fn as_raw(self) -> i32 {
        match self {
            Self::Generic => bindings::NETLINK_GENERIC as i32,
            Self::Netfilter => bindings::NETLINK_NETFILTER as i32,
        }
    }
}
