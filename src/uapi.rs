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
        /// Add a rule (`CAP_NET_ADMIN`); replies with the rule as stored.
        /// Fails with `EEXIST` on a taken id or name unless `RULE_REPLACE`
        /// is given.
        pub const RULE_NEW: u8 = 4;
        /// Delete the rule named by `RULE_ID` or `RULE_NAME` (`CAP_NET_ADMIN`).
        pub const RULE_DEL: u8 = 5;
        /// One rule by `RULE_ID` or `RULE_NAME`; as a dump, every rule by id.
        pub const RULE_GET: u8 = 6;
        /// Delete every rule (`CAP_NET_ADMIN`); replies with `RULE_COUNT`.
        pub const RULE_FLUSH: u8 = 7;
        /// "config" notification: a rule was added (or replaced, with
        /// `RULE_REPLACE` set); carries the rule.
        pub const RULE_NEW_NTF: u8 = 8;
        /// "config" notification: a rule was deleted; carries the rule.
        pub const RULE_DEL_NTF: u8 = 9;
        /// "config" notification: the rules were flushed; carries
        /// `RULE_COUNT`.
        pub const RULE_FLUSH_NTF: u8 = 10;
        /// "alerts" notification: a rule saw more than its threshold within
        /// its interval; carries `RULE_ID`, `RULE_THRESHOLD` and
        /// `ALERT_PACKETS`. At most one per rule and interval.
        pub const ALERT_NTF: u8 = 11;
    }

    /// Attribute types of the family's single attribute set.
    pub mod attr {
        /// NUL-terminated string, at most [`MSG_MAX_LEN`] bytes before the NUL.
        pub const MSG: u16 = 1;
        /// u64: requests the family's handlers handled in this namespace,
        /// each counted when its handler returns (a `STATS_GET` reply does
        /// not include itself); a dump counts once, when it ends.
        pub const STATS_REQUESTS: u16 = 2;
        /// u64: of those, requests a handler rejected (policy rejections by
        /// the generic netlink core never reach a handler and are not
        /// counted).
        pub const STATS_REJECTS: u16 = 3;
        /// u64: notifications sent to at least one listener.
        pub const STATS_NTF_SENT: u16 = 4;
        /// u64: notifications that could not be built or delivered.
        pub const STATS_NTF_DROPPED: u16 = 5;
        /// u32: rule id, 1 or more; assigned by the kernel when a new rule
        /// has none.
        pub const RULE_ID: u16 = 6;
        /// NUL-terminated string: rule name, unique in the namespace, at most
        /// [`RULE_NAME_MAX_LEN`] bytes before the NUL.
        pub const RULE_NAME: u16 = 7;
        /// Nested, [`rule_match`](super::rule_match) attributes: which packets the rule counts.
        /// Absent or empty matches every packet.
        pub const RULE_MATCH: u16 = 8;
        /// Nested, [`threshold`](super::threshold) attributes: when the rule raises an alert.
        pub const RULE_THRESHOLD: u16 = 9;
        /// Nested, [`counters`](super::counters) attributes; in replies only.
        pub const RULE_COUNTERS: u16 = 10;
        /// Flag: `RULE_NEW` may replace the rule with the same id or name;
        /// in `RULE_NEW_NTF`, the rule replaced an existing one.
        pub const RULE_REPLACE: u16 = 11;
        /// u32: number of rules flushed (`RULE_FLUSH`), or in the namespace
        /// (`STATS_GET`).
        pub const RULE_COUNT: u16 = 12;
        /// u64: packets the netfilter hooks saw in this namespace (local
        /// IPv4 and IPv6 traffic, in and out), counted while it has rules.
        pub const STATS_HOOK_PACKETS: u16 = 13;
        /// u64: bytes of those packets, from the network header on.
        pub const STATS_HOOK_BYTES: u16 = 14;
        /// u64: threshold alerts the data path raised in this namespace.
        pub const STATS_ALERTS: u16 = 15;
        /// Flag: a `CHECKPOINT` (nfnetlink) also resets the counters it
        /// reports, atomically with reading them.
        pub const CHECKPOINT_RESET: u16 = 16;
        /// u64: in an alert, the packets the rule had seen in its current
        /// interval when the alert was raised.
        pub const ALERT_PACKETS: u16 = 17;
        /// u32: nfnetlink alert listeners bound in this namespace.
        pub const STATS_LISTENERS: u16 = 18;
        /// Highest attribute type.
        pub const MAX: u16 = STATS_LISTENERS;

        /// Longest `MSG` accepted, not counting the terminating NUL: with it,
        /// a 4 KiB payload.
        pub const MSG_MAX_LEN: u16 = 4095;
        /// Longest `RULE_NAME` accepted, not counting the terminating NUL.
        pub const RULE_NAME_MAX_LEN: u16 = 31;
    }

    /// Attributes nested in `RULE_MATCH`. Every one is optional; a rule
    /// matches a packet when every given one does.
    pub mod rule_match {
        /// u8: L4 protocol number (`IPPROTO_*`); 0 or absent for any.
        pub const PROTO: u16 = 1;
        /// 4 bytes: IPv4 source prefix, network byte order.
        pub const SRC4: u16 = 2;
        /// 16 bytes: IPv6 source prefix, network byte order.
        pub const SRC6: u16 = 3;
        /// u8: source prefix length, at most 32 (IPv4) or 128 (IPv6);
        /// the full address when absent.
        pub const SRC_PLEN: u16 = 4;
        /// 4 bytes: IPv4 destination prefix, network byte order.
        pub const DST4: u16 = 5;
        /// 16 bytes: IPv6 destination prefix, network byte order.
        pub const DST6: u16 = 6;
        /// u8: destination prefix length, as `SRC_PLEN`.
        pub const DST_PLEN: u16 = 7;
        /// u16: lowest destination port; needs a `PROTO` with ports (TCP,
        /// UDP, UDP-Lite, SCTP).
        pub const DPORT_LO: u16 = 8;
        /// u16: highest destination port, at least `DPORT_LO`; `DPORT_LO`
        /// alone matches one port.
        pub const DPORT_HI: u16 = 9;
        /// Highest attribute type.
        pub const MAX: u16 = DPORT_HI;
    }

    /// Attributes nested in `RULE_THRESHOLD`; both required.
    pub mod threshold {
        /// u64: alert when more than this many packets match within
        /// `INTERVAL_MS`; at least 1.
        pub const PACKETS: u16 = 1;
        /// u32: the interval in milliseconds, 1 to [`INTERVAL_MS_MAX`].
        pub const INTERVAL_MS: u16 = 2;
        /// Highest attribute type.
        pub const MAX: u16 = INTERVAL_MS;
        /// Longest interval accepted: one hour.
        pub const INTERVAL_MS_MAX: u32 = 3_600_000;
    }

    /// Attributes nested in `RULE_COUNTERS` (replies only).
    pub mod counters {
        /// u64: packets the rule matched.
        pub const PACKETS: u16 = 1;
        /// u64: bytes of those packets, from the network header on.
        pub const BYTES: u16 = 2;
        /// Highest attribute type.
        pub const MAX: u16 = BYTES;
    }

    /// Multicast group carrying `ECHO_NTF`.
    pub const MCGRP_EVENTS: &CStr = c"events";
    /// Multicast group for threshold alerts; joining needs `CAP_NET_ADMIN`
    /// in the network namespace's user namespace.
    pub const MCGRP_ALERTS: &CStr = c"alerts";
    /// Multicast group carrying every rule change (`RULE_*_NTF`).
    pub const MCGRP_CONFIG: &CStr = c"config";

    /// Rules per network namespace when the `max_rules` module parameter is
    /// not given.
    pub const DEFAULT_MAX_RULES: u32 = 65536;
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

    /// Message types (low byte of `nlmsg_type`; the high byte is the
    /// subsystem). Messages other than `ECHO` use the family's attribute
    /// types ([`genl::attr`](super::genl::attr)).
    pub mod msg {
        /// Echo `MSG` back behind an `nfgenmsg` header.
        pub const ECHO: u8 = 0;
        /// Add or replace a rule, in a batch only (`CAP_NET_ADMIN`):
        /// `RULE_NEW` attributes. `NLM_F_CREATE` creates a rule that does
        /// not exist, `NLM_F_REPLACE` (or `RULE_REPLACE`) replaces one that
        /// does, `NLM_F_EXCL` refuses one that does.
        pub const RULE_NEW: u8 = 1;
        /// Delete a rule by `RULE_ID` or `RULE_NAME`, in a batch only.
        pub const RULE_DEL: u8 = 2;
        /// Every rule's counters as one snapshot: a multi-part reply of one
        /// message per rule (`RULE_ID`, `RULE_COUNTERS`), then
        /// `NLMSG_DONE`. With `CHECKPOINT_RESET`, the counters restart from
        /// what this snapshot read (`CAP_NET_ADMIN`).
        pub const CHECKPOINT: u8 = 3;
        /// Bind the sender's socket as an alert listener: it gets an
        /// `ALERT` for each threshold alert in its namespace until it
        /// unbinds or closes. At most [`MAX_LISTENERS`](super::MAX_LISTENERS)
        /// per namespace (`ENOSPC`).
        pub const LISTEN: u8 = 4;
        /// Unbind the sender's socket (`ENOENT` if it was not bound).
        pub const UNLISTEN: u8 = 5;
        /// Sent by the kernel to each listener: the `ALERT_NTF` attributes.
        pub const ALERT: u8 = 6;
        /// Number of message types.
        pub const COUNT: u8 = 7;
    }

    /// Alert listeners per network namespace.
    pub const MAX_LISTENERS: usize = 16;

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
