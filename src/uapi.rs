// SPDX-License-Identifier: GPL-2.0

//! The nlrs wire protocol: family name, commands, attributes, groups and
//! nfnetlink message types.
//!
//! This file is the single source of the numbers. It has no dependencies, so
//! the kernel module (`mod uapi;`) and the userspace tool
//! (`#[path = ".../src/uapi.rs"] mod uapi;`) both build it, and the two
//! cannot disagree. Values are append-only: never renumber a released one.

use core::ffi::CStr;

/// The generic netlink family.
pub mod genl {
    use super::CStr;

    /// Family name, as resolved through `CTRL_CMD_GETFAMILY`.
    pub const FAMILY_NAME: &CStr = c"nlrs";
    /// Family version, in `genlmsghdr::version`.
    pub const FAMILY_VERSION: u8 = 1;

    /// Commands (`genlmsghdr::cmd`).
    pub mod cmd {
        /// Echo `MSG` back to the sender; notify the "events" group.
        pub const ECHO: u8 = 1;
        /// Notification sent to the "events" group for each `ECHO`.
        pub const ECHO_NTF: u8 = 2;
        /// The request's network namespace's counters (`STATS_*`).
        pub const STATS_GET: u8 = 3;
    }

    /// Attribute types of the family's single attribute set.
    pub mod attr {
        /// NUL-terminated string, at most [`MSG_MAX_LEN`] bytes before the NUL.
        pub const MSG: u16 = 1;
        /// u64: requests the family's handlers handled in this namespace,
        /// each counted when its handler returns (a `STATS_GET` reply does
        /// not include itself).
        pub const STATS_REQUESTS: u16 = 2;
        /// u64: of those, requests a handler rejected (policy rejections by
        /// the generic netlink core never reach a handler and are not
        /// counted).
        pub const STATS_REJECTS: u16 = 3;
        /// u64: notifications sent to at least one listener.
        pub const STATS_NTF_SENT: u16 = 4;
        /// u64: notifications that could not be built or delivered.
        pub const STATS_NTF_DROPPED: u16 = 5;
        /// Highest attribute type.
        pub const MAX: u16 = STATS_NTF_DROPPED;

        /// Longest `MSG` accepted, not counting the terminating NUL.
        pub const MSG_MAX_LEN: u16 = 255;
    }

    /// Multicast group carrying `ECHO_NTF`.
    pub const MCGRP_EVENTS: &CStr = c"events";
    /// Multicast group for threshold alerts; joining needs `CAP_NET_ADMIN`
    /// in the network namespace's user namespace.
    pub const MCGRP_ALERTS: &CStr = c"alerts";
}

/// The nfnetlink subsystem.
pub mod nfnl {
    /// Subsystem id used when the module parameter is not given:
    /// `NFNL_SUBSYS_OSF`, whose in-tree user (passive OS fingerprinting) is
    /// rarely loaded. Every id below `NFNL_SUBSYS_COUNT` belongs to an in-tree
    /// subsystem, so there is no truly free one.
    pub const DEFAULT_SUBSYS_ID: u8 = 5;
    /// Number of nfnetlink subsystem slots (`NFNL_SUBSYS_COUNT`).
    pub const SUBSYS_COUNT: u8 = 13;
    /// Subsystem name, as nfnetlink reports it.
    pub const SUBSYS_NAME: &super::CStr = c"nlrs";

    /// Message types (low byte of `nlmsg_type`; the high byte is the subsystem).
    pub mod msg {
        /// Echo `MSG` back behind an `nfgenmsg` header.
        pub const ECHO: u8 = 0;
        /// Number of message types.
        pub const COUNT: u8 = 1;
    }

    /// Attribute types.
    pub mod attr {
        /// NUL-terminated string, at most [`MSG_MAX_LEN`] bytes before the NUL.
        pub const MSG: u16 = 1;
        /// Highest attribute type.
        pub const MAX: u16 = MSG;

        /// Longest `MSG` accepted, not counting the terminating NUL.
        pub const MSG_MAX_LEN: u16 = 255;
    }
}
