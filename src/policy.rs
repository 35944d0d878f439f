// SPDX-License-Identifier: GPL-2.0
// Do not edit directly, auto-generated from:
//	Documentation/netlink/specs/nlrs.yaml
//	Documentation/netlink/specs/nlrs_nfnl.yaml
// by tools/ynl-gen-rust/ynl_gen_rust.py --mode kernel (make regen).

//! The kernel side of the specs: what each request may carry (the
//! policy the kernel validates against, and the typed view handlers
//! read), who may send it, and the multicast groups.

/// The requests of nlrs.yaml.
// Not every operation's set or alias is named by its handler.
#[allow(dead_code)]
pub(crate) mod genl {
    use crate::{
        attr_set, genl_groups,
        netlink::{
            attr::{
                Binary, Flag, Nested, NulStr, Reject, RejectMessage, U32Range, U64Range, U8Range,
                U16, U8,
            },
            genl::{McGroup, OpFlags},
        },
        uapi,
    };
    use core::ffi::CStr;

    /// Refuses `rule-counters` in a request: it is read-only.
    pub(crate) struct RuleCountersReadOnly;

    impl RejectMessage for RuleCountersReadOnly {
        const MESSAGE: &'static CStr = c"rule_counters is read-only";
    }

    attr_set! {
        /// Attributes of the `echo` request.
        pub(crate) struct EchoRequest {
            /// Text to echo, at most msg-max-len bytes.
            msg: NulStr<{ uapi::genl::MSG_MAX_LEN as u16 }> = uapi::genl::attr::MSG,
        }
    }

    attr_set! {
        /// A request that takes no attributes.
        pub(crate) struct NoAttrs {}
    }

    attr_set! {
        /// Attributes nested in `rule-match`.
        ///
        /// What a rule counts. Every attribute is optional; a packet matches when
        /// every given one does.
        pub(crate) struct RuleMatchAttrs {
            /// L4 protocol (IPPROTO_*); 0 for any.
            proto: U8 = uapi::genl::rule_match::PROTO,
            /// IPv4 source prefix, network byte order.
            src4: Binary<4, 4> = uapi::genl::rule_match::SRC4,
            /// IPv6 source prefix, network byte order.
            src6: Binary<16, 16> = uapi::genl::rule_match::SRC6,
            /// Source prefix length, at most 32 (IPv4) or 128 (IPv6); the full
            /// address when absent.
            src_plen: U8Range<0, 128> = uapi::genl::rule_match::SRC_PLEN,
            /// IPv4 destination prefix, network byte order.
            dst4: Binary<4, 4> = uapi::genl::rule_match::DST4,
            /// IPv6 destination prefix, network byte order.
            dst6: Binary<16, 16> = uapi::genl::rule_match::DST6,
            /// Destination prefix length, as src-plen.
            dst_plen: U8Range<0, 128> = uapi::genl::rule_match::DST_PLEN,
            /// Lowest destination port; needs a proto with ports (TCP, UDP,
            /// UDP-Lite, SCTP).
            dport_lo: U16 = uapi::genl::rule_match::DPORT_LO,
            /// Highest destination port, at least dport-lo; dport-lo alone matches
            /// one port.
            dport_hi: U16 = uapi::genl::rule_match::DPORT_HI,
        }
    }

    attr_set! {
        /// Attributes nested in `threshold`.
        ///
        /// When a rule alerts; both attributes are required.
        pub(crate) struct ThresholdAttrs {
            /// Alert when more than this many packets match in one interval.
            packets: U64Range<1, { u64::MAX }> = uapi::genl::threshold::PACKETS,
            /// The interval in milliseconds.
            interval_ms: U32Range<1, { uapi::genl::INTERVAL_MS_MAX }> = uapi::genl::threshold::INTERVAL_MS,
        }
    }

    attr_set! {
        /// Attributes of the `rule-new` request.
        pub(crate) struct RuleNewRequest {
            /// Rule id, 1 or more; assigned by the kernel when a new rule has none.
            rule_id: U32Range<1, { u32::MAX }> = uapi::genl::attr::RULE_ID,
            /// Rule name, unique in the namespace, at most rule-name-max-len bytes.
            rule_name: NulStr<{ uapi::genl::RULE_NAME_MAX_LEN as u16 }> = uapi::genl::attr::RULE_NAME,
            /// Which packets the rule counts; absent or empty matches all.
            rule_match: Nested<RuleMatchAttrs> = uapi::genl::attr::RULE_MATCH,
            /// When the rule raises an alert.
            rule_threshold: Nested<ThresholdAttrs> = uapi::genl::attr::RULE_THRESHOLD,
            /// `rule-counters` is the kernel's to report.
            rule_counters: Reject<RuleCountersReadOnly> = uapi::genl::attr::RULE_COUNTERS,
            /// In rule-new, replace the rule with the same id or name; in
            /// rule-new-ntf, the rule replaced an existing one.
            rule_replace: Flag = uapi::genl::attr::RULE_REPLACE,
        }
    }

    attr_set! {
        /// Attributes of the `rule-del` request.
        pub(crate) struct RuleDelRequest {
            /// Rule id, 1 or more; assigned by the kernel when a new rule has none.
            rule_id: U32Range<1, { u32::MAX }> = uapi::genl::attr::RULE_ID,
            /// Rule name, unique in the namespace, at most rule-name-max-len bytes.
            rule_name: NulStr<{ uapi::genl::RULE_NAME_MAX_LEN as u16 }> = uapi::genl::attr::RULE_NAME,
        }
    }

    /// Attributes of the `rule-get` request: those of [`RuleDelRequest`].
    pub(crate) type RuleGetRequest = RuleDelRequest;
    /// A validated [`RuleGetRequest`].
    pub(crate) type RuleGetRequestView<'a> = RuleDelRequestView<'a>;

    /// Who may send `echo`.
    pub(crate) const ECHO_FLAGS: OpFlags = OpFlags::NONE;
    /// Who may send `stats-get`.
    pub(crate) const STATS_GET_FLAGS: OpFlags = OpFlags::NONE;
    /// Who may send `rule-new`.
    pub(crate) const RULE_NEW_FLAGS: OpFlags = OpFlags::UNS_ADMIN_PERM;
    /// Who may send `rule-del`.
    pub(crate) const RULE_DEL_FLAGS: OpFlags = OpFlags::UNS_ADMIN_PERM;
    /// Who may send `rule-get`.
    pub(crate) const RULE_GET_FLAGS: OpFlags = OpFlags::NONE;
    /// Who may send `rule-flush`.
    pub(crate) const RULE_FLUSH_FLAGS: OpFlags = OpFlags::UNS_ADMIN_PERM;

    genl_groups! {
        /// The multicast groups of nlrs.yaml, in its order.
        pub(crate) enum Groups {
            /// The "events" group.
            Events = McGroup::new(uapi::genl::MCGRP_EVENTS),
            /// The "alerts" group.
            Alerts = McGroup::admin(uapi::genl::MCGRP_ALERTS),
            /// The "config" group.
            Config = McGroup::new(uapi::genl::MCGRP_CONFIG),
        }
    }
}

/// The requests of nlrs_nfnl.yaml.
// Not every operation's set or alias is named by its handler.
#[allow(dead_code)]
pub(crate) mod nfnl {
    use crate::{
        attr_set,
        netlink::attr::{Flag, NulStr, Reject},
        uapi,
    };

    attr_set! {
        /// Attributes of the `echo` request.
        pub(crate) struct EchoRequest {
            /// Text to echo.
            msg: NulStr<{ uapi::nfnl::ECHO_MAX_LEN as u16 }> = uapi::nfnl::attr::MSG,
        }
    }

    attr_set! {
        /// Attributes of the `checkpoint` dump request.
        pub(crate) struct CheckpointRequest {
            /// `rule-counters` is the kernel's to report.
            rule_counters: Reject<super::genl::RuleCountersReadOnly> = uapi::nfnl::attr::RULE_COUNTERS,
            /// In checkpoint, also reset the counters it reports, atomically with
            /// reading them.
            checkpoint_reset: Flag = uapi::nfnl::attr::CHECKPOINT_RESET,
        }
    }

    /// Attributes of the `rule-new` request: those of [`super::genl::RuleNewRequest`].
    pub(crate) type RuleNewRequest = super::genl::RuleNewRequest;
    /// A validated [`RuleNewRequest`].
    pub(crate) type RuleNewRequestView<'a> = super::genl::RuleNewRequestView<'a>;

    /// Attributes of the `rule-del` request: those of [`super::genl::RuleDelRequest`].
    pub(crate) type RuleDelRequest = super::genl::RuleDelRequest;
    /// A validated [`RuleDelRequest`].
    pub(crate) type RuleDelRequestView<'a> = super::genl::RuleDelRequestView<'a>;

    /// A request that takes no attributes: [`super::genl::NoAttrs`].
    pub(crate) type NoAttrs = super::genl::NoAttrs;
    /// A validated [`NoAttrs`].
    pub(crate) type NoAttrsView<'a> = super::genl::NoAttrsView<'a>;
}
