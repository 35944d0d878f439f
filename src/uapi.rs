// SPDX-License-Identifier: GPL-2.0
// Do not edit directly, auto-generated from:
//	Documentation/netlink/specs/nlrs.yaml
//	Documentation/netlink/specs/nlrs_nfnl.yaml
// by tools/ynl-gen-rust/ynl_gen_rust.py --mode uapi (make regen).

//! The wire protocol: names and numbers of every operation, attribute,
//! constant and multicast group of the specs above.
//!
//! It has no dependencies, so the kernel module and a userspace tool
//! both build it and cannot disagree.

/// Per-network-namespace packet accounting: rules that count matching packets
/// at the netfilter LOCAL_IN and LOCAL_OUT hooks, with threshold alerts. Rule
/// changes need CAP_NET_ADMIN in the user namespace that owns the request's
/// network namespace (uns-admin-perm). The same rules have an nfnetlink plane,
/// described by nlrs_nfnl.yaml.
pub mod genl {
    use core::ffi::CStr;

    /// Family name, as resolved through `CTRL_CMD_GETFAMILY`.
    pub const FAMILY_NAME: &CStr = c"nlrs";
    /// Family version, in `genlmsghdr::version`.
    pub const FAMILY_VERSION: u8 = 1;

    /// Longest msg accepted, not counting the terminating NUL: with it, a 4 KiB
    /// payload.
    pub const MSG_MAX_LEN: u32 = 4095;
    /// Longest rule-name accepted, not counting the terminating NUL.
    pub const RULE_NAME_MAX_LEN: u32 = 31;
    /// Longest threshold interval accepted, one hour.
    pub const INTERVAL_MS_MAX: u32 = 3_600_000;

    /// Commands (`genlmsghdr::cmd`).
    pub mod cmd {
        /// Echo msg back to the sender; notify the events group.
        pub const ECHO: u8 = 1;
        /// Sent to the events group for each echo.
        pub const ECHO_NTF: u8 = 2;
        /// The request's network namespace's counters.
        pub const STATS_GET: u8 = 3;
        /// Add a rule; replies with the rule as stored. Fails with EEXIST on a
        /// taken id or name unless rule-replace is given.
        pub const RULE_NEW: u8 = 4;
        /// Delete the rule named by rule-id or rule-name.
        pub const RULE_DEL: u8 = 5;
        /// One rule by rule-id or rule-name; as a dump, every rule by id.
        pub const RULE_GET: u8 = 6;
        /// Delete every rule; replies with the number deleted.
        pub const RULE_FLUSH: u8 = 7;
        /// A rule was added, or replaced (rule-replace set); carries the rule.
        pub const RULE_NEW_NTF: u8 = 8;
        /// A rule was deleted; carries the rule.
        pub const RULE_DEL_NTF: u8 = 9;
        /// The rules were flushed.
        pub const RULE_FLUSH_NTF: u8 = 10;
        /// A rule saw more than its threshold within its interval. At most one
        /// per rule and interval.
        pub const ALERT_NTF: u8 = 11;
        /// Each one's name in the spec.
        pub const NAMES: &[(u8, &str)] = &[
            (ECHO, "echo"),
            (ECHO_NTF, "echo-ntf"),
            (STATS_GET, "stats-get"),
            (RULE_NEW, "rule-new"),
            (RULE_DEL, "rule-del"),
            (RULE_GET, "rule-get"),
            (RULE_FLUSH, "rule-flush"),
            (RULE_NEW_NTF, "rule-new-ntf"),
            (RULE_DEL_NTF, "rule-del-ntf"),
            (RULE_FLUSH_NTF, "rule-flush-ntf"),
            (ALERT_NTF, "alert-ntf"),
        ];
    }

    /// Attribute types of the `nlrs` set.
    pub mod attr {
        /// Text to echo, at most msg-max-len bytes.
        pub const MSG: u16 = 1;
        /// Requests the family's handlers handled in this namespace, each
        /// counted when its handler returns (a stats-get reply does not include
        /// itself); a dump counts once, when it ends.
        pub const STATS_REQUESTS: u16 = 2;
        /// Of those, requests a handler rejected (policy rejections by the
        /// generic netlink core never reach a handler and are not counted).
        pub const STATS_REJECTS: u16 = 3;
        /// Notifications sent to at least one listener.
        pub const STATS_NTF_SENT: u16 = 4;
        /// Notifications that could not be built or delivered.
        pub const STATS_NTF_DROPPED: u16 = 5;
        /// Rule id, 1 or more; assigned by the kernel when a new rule has none.
        pub const RULE_ID: u16 = 6;
        /// Rule name, unique in the namespace, at most rule-name-max-len bytes.
        pub const RULE_NAME: u16 = 7;
        /// Which packets the rule counts; absent or empty matches all.
        pub const RULE_MATCH: u16 = 8;
        /// When the rule raises an alert.
        pub const RULE_THRESHOLD: u16 = 9;
        /// The rule's counters; in replies only (read-only).
        pub const RULE_COUNTERS: u16 = 10;
        /// In rule-new, replace the rule with the same id or name; in
        /// rule-new-ntf, the rule replaced an existing one.
        pub const RULE_REPLACE: u16 = 11;
        /// Rules flushed (rule-flush) or in the namespace (stats-get).
        pub const RULE_COUNT: u16 = 12;
        /// Packets the netfilter hooks saw in this namespace (local IPv4 and
        /// IPv6 traffic, in and out), counted while it has rules.
        pub const STATS_HOOK_PACKETS: u16 = 13;
        /// Bytes of those packets, from the network header on.
        pub const STATS_HOOK_BYTES: u16 = 14;
        /// Threshold alerts raised in this namespace.
        pub const STATS_ALERTS: u16 = 15;
        /// Reserved for the nfnetlink plane's checkpoint (nlrs_nfnl.yaml); no
        /// operation of the family takes it.
        pub const CHECKPOINT_RESET: u16 = 16;
        /// Packets the rule had seen in its interval when it alerted.
        pub const ALERT_PACKETS: u16 = 17;
        /// nfnetlink alert listeners bound in this namespace.
        pub const STATS_LISTENERS: u16 = 18;
        /// Highest attribute type.
        pub const MAX: u16 = 18;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] = &[
            (&[MSG], "msg"),
            (&[STATS_REQUESTS], "stats-requests"),
            (&[STATS_REJECTS], "stats-rejects"),
            (&[STATS_NTF_SENT], "stats-ntf-sent"),
            (&[STATS_NTF_DROPPED], "stats-ntf-dropped"),
            (&[RULE_ID], "rule-id"),
            (&[RULE_NAME], "rule-name"),
            (&[RULE_MATCH], "rule-match"),
            (&[RULE_MATCH, super::rule_match::PROTO], "rule-match.proto"),
            (&[RULE_MATCH, super::rule_match::SRC4], "rule-match.src4"),
            (&[RULE_MATCH, super::rule_match::SRC6], "rule-match.src6"),
            (
                &[RULE_MATCH, super::rule_match::SRC_PLEN],
                "rule-match.src-plen",
            ),
            (&[RULE_MATCH, super::rule_match::DST4], "rule-match.dst4"),
            (&[RULE_MATCH, super::rule_match::DST6], "rule-match.dst6"),
            (
                &[RULE_MATCH, super::rule_match::DST_PLEN],
                "rule-match.dst-plen",
            ),
            (
                &[RULE_MATCH, super::rule_match::DPORT_LO],
                "rule-match.dport-lo",
            ),
            (
                &[RULE_MATCH, super::rule_match::DPORT_HI],
                "rule-match.dport-hi",
            ),
            (&[RULE_THRESHOLD], "rule-threshold"),
            (
                &[RULE_THRESHOLD, super::threshold::PACKETS],
                "rule-threshold.packets",
            ),
            (
                &[RULE_THRESHOLD, super::threshold::INTERVAL_MS],
                "rule-threshold.interval-ms",
            ),
            (&[RULE_COUNTERS], "rule-counters"),
            (
                &[RULE_COUNTERS, super::counters::PACKETS],
                "rule-counters.packets",
            ),
            (
                &[RULE_COUNTERS, super::counters::BYTES],
                "rule-counters.bytes",
            ),
            (&[RULE_REPLACE], "rule-replace"),
            (&[RULE_COUNT], "rule-count"),
            (&[STATS_HOOK_PACKETS], "stats-hook-packets"),
            (&[STATS_HOOK_BYTES], "stats-hook-bytes"),
            (&[STATS_ALERTS], "stats-alerts"),
            (&[CHECKPOINT_RESET], "checkpoint-reset"),
            (&[ALERT_PACKETS], "alert-packets"),
            (&[STATS_LISTENERS], "stats-listeners"),
        ];
    }

    /// Attribute types of the `rule-match` set.
    ///
    /// What a rule counts. Every attribute is optional; a packet matches when
    /// every given one does.
    pub mod rule_match {
        /// L4 protocol (IPPROTO_*); 0 for any.
        pub const PROTO: u16 = 1;
        /// IPv4 source prefix, network byte order.
        pub const SRC4: u16 = 2;
        /// IPv6 source prefix, network byte order.
        pub const SRC6: u16 = 3;
        /// Source prefix length, at most 32 (IPv4) or 128 (IPv6); the full
        /// address when absent.
        pub const SRC_PLEN: u16 = 4;
        /// IPv4 destination prefix, network byte order.
        pub const DST4: u16 = 5;
        /// IPv6 destination prefix, network byte order.
        pub const DST6: u16 = 6;
        /// Destination prefix length, as src-plen.
        pub const DST_PLEN: u16 = 7;
        /// Lowest destination port; needs a proto with ports (TCP, UDP,
        /// UDP-Lite, SCTP).
        pub const DPORT_LO: u16 = 8;
        /// Highest destination port, at least dport-lo; dport-lo alone matches
        /// one port.
        pub const DPORT_HI: u16 = 9;
        /// Highest attribute type.
        pub const MAX: u16 = 9;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] = &[
            (&[PROTO], "proto"),
            (&[SRC4], "src4"),
            (&[SRC6], "src6"),
            (&[SRC_PLEN], "src-plen"),
            (&[DST4], "dst4"),
            (&[DST6], "dst6"),
            (&[DST_PLEN], "dst-plen"),
            (&[DPORT_LO], "dport-lo"),
            (&[DPORT_HI], "dport-hi"),
        ];
    }

    /// Attribute types of the `threshold` set.
    ///
    /// When a rule alerts; both attributes are required.
    pub mod threshold {
        /// Alert when more than this many packets match in one interval.
        pub const PACKETS: u16 = 1;
        /// The interval in milliseconds.
        pub const INTERVAL_MS: u16 = 2;
        /// Highest attribute type.
        pub const MAX: u16 = 2;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] =
            &[(&[PACKETS], "packets"), (&[INTERVAL_MS], "interval-ms")];
    }

    /// Attribute types of the `counters` set.
    pub mod counters {
        /// Packets the rule matched.
        pub const PACKETS: u16 = 1;
        /// Bytes of those packets, from the network header on.
        pub const BYTES: u16 = 2;
        /// Highest attribute type.
        pub const MAX: u16 = 2;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] = &[(&[PACKETS], "packets"), (&[BYTES], "bytes")];
    }

    /// Multicast group "events".
    pub const MCGRP_EVENTS: &CStr = c"events";
    /// Multicast group "alerts".
    pub const MCGRP_ALERTS: &CStr = c"alerts";
    /// Multicast group "config".
    pub const MCGRP_CONFIG: &CStr = c"config";
}

/// The nfnetlink plane of nlrs: the same rules as the generic netlink family
/// "nlrs" (nlrs.yaml), changed in atomic batches, with counter checkpoints and
/// alerts sent to listening sockets. Every message carries an nfgenmsg header.
/// The message types are those of the default subsystem id, 5
/// (NFNL_SUBSYS_OSF); the module parameter nfnl_subsys moves them. The
/// attributes reuse the family's numbers (nlrs.yaml), which the generator
/// checks. nfnetlink requires CAP_NET_ADMIN for every message.
pub mod nfnl {
    /// The nfnetlink subsystem id the spec's message types are built on
    /// (the high byte of `nlmsg_type`).
    pub const SUBSYS_ID: u8 = 5;

    /// Longest msg an echo accepts, not counting the terminating NUL.
    pub const ECHO_MAX_LEN: u32 = 255;
    /// Longest rule-name accepted, not counting the terminating NUL.
    pub const RULE_NAME_MAX_LEN: u32 = 31;
    /// Longest threshold interval accepted, one hour.
    pub const INTERVAL_MS_MAX: u32 = 3_600_000;
    /// Alert listeners per network namespace; one more gets ENOSPC.
    pub const MAX_LISTENERS: u32 = 16;
    /// nfnetlink subsystem slots (NFNL_SUBSYS_COUNT). Every id below it belongs
    /// to an in-tree subsystem, so none is truly free; the module takes one
    /// whose in-tree user is rarely loaded.
    pub const SUBSYS_COUNT: u32 = 13;

    /// Message types: the low byte of `nlmsg_type`, under [`SUBSYS_ID`].
    pub mod msg {
        /// Echo msg back behind an nfgenmsg header.
        pub const ECHO: u8 = 0;
        /// In a batch only: add or replace a rule. NLM_F_CREATE creates a rule
        /// that does not exist, NLM_F_REPLACE (or rule-replace) replaces one
        /// that does, NLM_F_EXCL refuses one that does.
        pub const RULE_NEW: u8 = 1;
        /// In a batch only, delete the rule named by rule-id or rule-name.
        pub const RULE_DEL: u8 = 2;
        /// Every rule's counters as one snapshot: one message per rule, then
        /// NLMSG_DONE. With checkpoint-reset the counters restart from what the
        /// snapshot read.
        pub const CHECKPOINT: u8 = 3;
        /// Bind the sender's socket as an alert listener: it gets an alert for
        /// each threshold alert in its namespace until it unbinds or closes. At
        /// most max-listeners per namespace (ENOSPC).
        pub const LISTEN: u8 = 4;
        /// Unbind the sender's socket (ENOENT if it was not bound).
        pub const UNLISTEN: u8 = 5;
        /// Sent by the kernel to each listener when a rule alerts.
        pub const ALERT: u8 = 6;
        /// Number of message types.
        pub const COUNT: u8 = 7;
        /// Each one's name in the spec.
        pub const NAMES: &[(u8, &str)] = &[
            (ECHO, "echo"),
            (RULE_NEW, "rule-new"),
            (RULE_DEL, "rule-del"),
            (CHECKPOINT, "checkpoint"),
            (LISTEN, "listen"),
            (UNLISTEN, "unlisten"),
            (ALERT, "alert"),
        ];
    }

    /// Attribute types of the `batch-attrs` set.
    pub mod batch_attrs {
        /// In batch-begin (NFNL_BATCH_GENID): the rule generation the batch
        /// expects, or 0 for any. The batch fails with ERESTART if the rules
        /// changed since.
        pub const GENID: u16 = 1;
        /// Highest attribute type.
        pub const MAX: u16 = 1;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] = &[(&[GENID], "genid")];
    }

    /// Attribute types of the `nlrs` set.
    pub mod attr {
        /// Text to echo.
        pub const MSG: u16 = 1;
        /// Rule id, 1 or more; assigned by the kernel when a new rule has none.
        pub const RULE_ID: u16 = 6;
        /// Rule name, unique in the namespace.
        pub const RULE_NAME: u16 = 7;
        /// Which packets the rule counts; absent or empty matches all.
        pub const RULE_MATCH: u16 = 8;
        /// When the rule raises an alert.
        pub const RULE_THRESHOLD: u16 = 9;
        /// The rule's counters; in replies only (read-only).
        pub const RULE_COUNTERS: u16 = 10;
        /// In rule-new, replace the rule with the same id or name.
        pub const RULE_REPLACE: u16 = 11;
        /// In checkpoint, also reset the counters it reports, atomically with
        /// reading them.
        pub const CHECKPOINT_RESET: u16 = 16;
        /// Packets the rule had seen in its interval when it alerted.
        pub const ALERT_PACKETS: u16 = 17;
        /// Highest attribute type.
        pub const MAX: u16 = 17;
        /// Every attribute of the set, nested ones included, by its path of
        /// types, with its name in the spec (a nested one's as `outer.inner`).
        pub const PATHS: &[(&[u16], &str)] = &[
            (&[MSG], "msg"),
            (&[RULE_ID], "rule-id"),
            (&[RULE_NAME], "rule-name"),
            (&[RULE_MATCH], "rule-match"),
            (&[RULE_MATCH, super::rule_match::PROTO], "rule-match.proto"),
            (&[RULE_MATCH, super::rule_match::SRC4], "rule-match.src4"),
            (&[RULE_MATCH, super::rule_match::SRC6], "rule-match.src6"),
            (
                &[RULE_MATCH, super::rule_match::SRC_PLEN],
                "rule-match.src-plen",
            ),
            (&[RULE_MATCH, super::rule_match::DST4], "rule-match.dst4"),
            (&[RULE_MATCH, super::rule_match::DST6], "rule-match.dst6"),
            (
                &[RULE_MATCH, super::rule_match::DST_PLEN],
                "rule-match.dst-plen",
            ),
            (
                &[RULE_MATCH, super::rule_match::DPORT_LO],
                "rule-match.dport-lo",
            ),
            (
                &[RULE_MATCH, super::rule_match::DPORT_HI],
                "rule-match.dport-hi",
            ),
            (&[RULE_THRESHOLD], "rule-threshold"),
            (
                &[RULE_THRESHOLD, super::threshold::PACKETS],
                "rule-threshold.packets",
            ),
            (
                &[RULE_THRESHOLD, super::threshold::INTERVAL_MS],
                "rule-threshold.interval-ms",
            ),
            (&[RULE_COUNTERS], "rule-counters"),
            (
                &[RULE_COUNTERS, super::counters::PACKETS],
                "rule-counters.packets",
            ),
            (
                &[RULE_COUNTERS, super::counters::BYTES],
                "rule-counters.bytes",
            ),
            (&[RULE_REPLACE], "rule-replace"),
            (&[CHECKPOINT_RESET], "checkpoint-reset"),
            (&[ALERT_PACKETS], "alert-packets"),
        ];
    }

    /// Attribute types of the `rule-match` set, as in genl.
    pub use super::genl::rule_match;

    /// Attribute types of the `threshold` set, as in genl.
    pub use super::genl::threshold;

    /// Attribute types of the `counters` set, as in genl.
    pub use super::genl::counters;
}
