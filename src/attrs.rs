// SPDX-License-Identifier: GPL-2.0

//! The attribute sets of both planes, each declared once: the policy the
//! kernel validates against and the typed view handlers read come from here.

use crate::{
    attr_set,
    netlink::attr::{
        Binary, Flag, Nested, NulStr, Reject, RejectMessage, U32Range, U64Range, U8Range, U16, U8,
    },
    uapi::{
        genl::{self, attr, rule_match, threshold},
        nfnl,
    },
};
use core::ffi::CStr;

attr_set! {
    /// Attributes of an `ECHO` request (generic netlink).
    pub(crate) struct EchoAttrs {
        /// The text to echo.
        msg: NulStr<{ genl::attr::MSG_MAX_LEN }> = genl::attr::MSG,
    }
}

attr_set! {
    /// Attributes of a request that takes none (`STATS_GET`, `RULE_FLUSH`,
    /// the `RULE_GET` dump).
    pub(crate) struct NoAttrs {}
}

attr_set! {
    /// What a rule matches (`RULE_MATCH`).
    pub(crate) struct MatchAttrs {
        /// L4 protocol.
        proto: U8 = rule_match::PROTO,
        /// IPv4 source prefix.
        src4: Binary<4, 4> = rule_match::SRC4,
        /// IPv6 source prefix.
        src6: Binary<16, 16> = rule_match::SRC6,
        /// Source prefix length.
        src_plen: U8Range<0, 128> = rule_match::SRC_PLEN,
        /// IPv4 destination prefix.
        dst4: Binary<4, 4> = rule_match::DST4,
        /// IPv6 destination prefix.
        dst6: Binary<16, 16> = rule_match::DST6,
        /// Destination prefix length.
        dst_plen: U8Range<0, 128> = rule_match::DST_PLEN,
        /// Lowest destination port.
        dport_lo: U16 = rule_match::DPORT_LO,
        /// Highest destination port.
        dport_hi: U16 = rule_match::DPORT_HI,
    }
}

attr_set! {
    /// When a rule alerts (`RULE_THRESHOLD`).
    pub(crate) struct ThresholdAttrs {
        /// Packets per interval.
        packets: U64Range<1, { u64::MAX }> = threshold::PACKETS,
        /// The interval.
        interval_ms: U32Range<1, { threshold::INTERVAL_MS_MAX }> = threshold::INTERVAL_MS,
    }
}

/// `RULE_COUNTERS` in a request.
pub(crate) struct CountersReadOnly;

impl RejectMessage for CountersReadOnly {
    const MESSAGE: &'static CStr = c"rule_counters is read-only";
}

attr_set! {
    /// Attributes of a `RULE_NEW` request.
    pub(crate) struct RuleNewAttrs {
        /// The rule's id; assigned when absent.
        rule_id: U32Range<1, { u32::MAX }> = attr::RULE_ID,
        /// The rule's name.
        rule_name: NulStr<{ attr::RULE_NAME_MAX_LEN }> = attr::RULE_NAME,
        /// What it matches.
        rule_match: Nested<MatchAttrs> = attr::RULE_MATCH,
        /// When it alerts.
        rule_threshold: Nested<ThresholdAttrs> = attr::RULE_THRESHOLD,
        /// Counters are the kernel's to report.
        rule_counters: Reject<CountersReadOnly> = attr::RULE_COUNTERS,
        /// Replace a rule with the same id or name.
        rule_replace: Flag = attr::RULE_REPLACE,
    }
}

attr_set! {
    /// Attributes naming one rule (`RULE_DEL`, `RULE_GET`): its id or name.
    pub(crate) struct RuleKeyAttrs {
        /// The rule's id.
        rule_id: U32Range<1, { u32::MAX }> = attr::RULE_ID,
        /// The rule's name.
        rule_name: NulStr<{ attr::RULE_NAME_MAX_LEN }> = attr::RULE_NAME,
    }
}

attr_set! {
    /// Attributes of an nfnetlink `CHECKPOINT` message.
    pub(crate) struct CheckpointAttrs {
        /// Reset the counters to the snapshot.
        checkpoint_reset: Flag = attr::CHECKPOINT_RESET,
    }
}

attr_set! {
    /// Attributes of an nfnetlink `ECHO` message.
    pub(crate) struct NfEchoAttrs {
        /// The text to echo.
        msg: NulStr<{ nfnl::attr::MSG_MAX_LEN }> = nfnl::attr::MSG,
    }
}
