// SPDX-License-Identifier: GPL-2.0

//! The rule model: names, prefixes, matches and thresholds, a rule as
//! requested ([`Config`]) and as reported ([`RuleInfo`]). Plain data and
//! its validation, with neither netlink nor the data path in it.

use crate::{counter::Count, uapi::genl::RULE_NAME_MAX_LEN};
use core::num::NonZeroU32;

/// Room for a rule name and its NUL (`RULE_NAME_MAX_LEN + 1`).
pub(crate) const NAME_SIZE: usize = RULE_NAME_MAX_LEN as usize + 1;

/// A rule name, NUL-padded; names are compared byte-wise.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Name([u8; NAME_SIZE]);

impl Name {
    /// The name `s`, or `None` if it is empty or too long.
    pub(crate) fn new(s: &[u8]) -> Option<Self> {
        if s.is_empty() || s.len() >= NAME_SIZE || s.contains(&0) {
            return None;
        }
        let mut n = [0; NAME_SIZE];
        n[..s.len()].copy_from_slice(s);
        Some(Self(n))
    }

    /// The name with its terminating NUL.
    pub(crate) fn as_bytes_with_nul(&self) -> &[u8] {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(NAME_SIZE - 1);
        &self.0[..=end]
    }
}

/// An address prefix: the address (IPv4 in the first 4 bytes) and the number
/// of leading bits that count.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Prefix {
    pub(crate) addr: [u8; 16],
    pub(crate) len: u8,
}

/// Why a prefix was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PrefixError {
    /// The length is beyond the address's bits.
    TooLong,
    /// Bits after the prefix length are set.
    HostBits,
}

impl Prefix {
    /// The prefix of `addr` (4 or 16 bytes) of `len` bits, the whole address
    /// when `None`.
    pub(crate) fn new(addr: &[u8], len: Option<u8>) -> Result<Self, PrefixError> {
        let bits = addr.len() * 8;
        let len = len.map_or(bits, usize::from);
        if len > bits || addr.len() > 16 {
            return Err(PrefixError::TooLong);
        }
        let host_bits = addr.iter().enumerate().any(|(i, &b)| {
            let kept = len.saturating_sub(i * 8).min(8);
            let mask = if kept == 0 { 0 } else { 0xffu8 << (8 - kept) };
            b & !mask != 0
        });
        if host_bits {
            return Err(PrefixError::HostBits);
        }
        let mut a = [0; 16];
        a[..addr.len()].copy_from_slice(addr);
        Ok(Self {
            addr: a,
            len: len as u8,
        })
    }
}

/// The L3 family a rule is restricted to by its prefixes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum L3 {
    /// No prefix: IPv4 and IPv6.
    #[default]
    Any,
    /// IPv4 prefixes.
    V4,
    /// IPv6 prefixes.
    V6,
}

/// Which packets a rule counts; every given criterion must hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Match {
    /// L4 protocol, 0 for any.
    pub(crate) proto: u8,
    /// The family of `src` and `dst`.
    pub(crate) l3: L3,
    /// Source prefix.
    pub(crate) src: Option<Prefix>,
    /// Destination prefix.
    pub(crate) dst: Option<Prefix>,
    /// Destination port range, inclusive.
    pub(crate) dport: Option<(u16, u16)>,
}

/// L4 protocols with ports: TCP, UDP, SCTP, UDP-Lite.
pub(crate) fn has_ports(proto: u8) -> bool {
    matches!(proto, 6 | 17 | 132 | 136)
}

/// When a rule raises an alert.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Threshold {
    /// More than this many packets...
    pub(crate) packets: u64,
    /// ...within this many milliseconds.
    /// Never 0 (the policy's minimum is 1), which also lets
    /// `Option<Threshold>` take no more room than a `Threshold`: a rule and
    /// its data path entry each fit a smaller slab.
    pub(crate) interval_ms: NonZeroU32,
}

/// A rule as requested: everything but the counters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    /// Requested id; the set assigns one when `None`.
    pub(crate) id: Option<u32>,
    pub(crate) name: Option<Name>,
    pub(crate) matcher: Match,
    pub(crate) threshold: Option<Threshold>,
}

/// A rule as reported: its configuration and its counters at one moment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuleInfo {
    pub(crate) id: u32,
    pub(crate) name: Option<Name>,
    pub(crate) matcher: Match,
    pub(crate) threshold: Option<Threshold>,
    pub(crate) counters: Count,
}

impl RuleInfo {
    /// The report, borrowed.
    pub(crate) fn view(&self) -> RuleView<'_> {
        RuleView {
            id: self.id,
            name: self.name.as_ref(),
            matcher: &self.matcher,
            threshold: self.threshold.as_ref(),
            counters: self.counters,
        }
    }
}

/// A rule to report, borrowed from where it is kept: written to a message
/// without copying the rule first.
#[derive(Clone, Copy)]
pub(crate) struct RuleView<'a> {
    pub(crate) id: u32,
    pub(crate) name: Option<&'a Name>,
    pub(crate) matcher: &'a Match,
    pub(crate) threshold: Option<&'a Threshold>,
    pub(crate) counters: Count,
}

impl RuleView<'_> {
    /// The report, copied: what outlives the rule set's lock.
    pub(crate) fn to_info(self) -> RuleInfo {
        RuleInfo {
            id: self.id,
            name: self.name.copied(),
            matcher: *self.matcher,
            threshold: self.threshold.copied(),
            counters: self.counters,
        }
    }
}
