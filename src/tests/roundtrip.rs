// SPDX-License-Identifier: GPL-2.0

//! KUnit: what the service writes, read back through the policies.

use crate::{
    attr_set,
    codec::{parse_match, put_rule},
    counter::Count,
    kunit_expect, kunit_expect_eq, kunit_suite,
    model::{Match, Name, Prefix, RuleInfo, Threshold, L3},
    netlink::{
        attr::{Buf, Nested, NulStr, U32, U64},
        error::emsgsize,
        extack::ExtAck,
        msg::Msg,
    },
    policy::genl::{RuleMatchAttrs, ThresholdAttrs},
    uapi::genl::{self, attr, counters},
};
use core::num::NonZeroU32;
use kernel::prelude::*;

attr_set! {
    /// `RULE_COUNTERS` as replies carry it.
    struct CounterAttrs {
        /// Packets.
        packets: U64 = counters::PACKETS,
        /// Bytes.
        bytes: U64 = counters::BYTES,
    }
}

attr_set! {
    /// A rule as replies and notifications carry it.
    struct RuleReplyAttrs {
        /// Id.
        rule_id: U32 = attr::RULE_ID,
        /// Name.
        rule_name: NulStr<{ genl::RULE_NAME_MAX_LEN as u16 }> = attr::RULE_NAME,
        /// Match.
        rule_match: Nested<RuleMatchAttrs> = attr::RULE_MATCH,
        /// Threshold.
        rule_threshold: Nested<ThresholdAttrs> = attr::RULE_THRESHOLD,
        /// Counters.
        rule_counters: Nested<CounterAttrs> = attr::RULE_COUNTERS,
    }
}

fn rule(l3: L3) -> RuleInfo {
    let (addr, len): (&[u8], u8) = match l3 {
        L3::V6 => (
            &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            32,
        ),
        _ => (&[192, 168, 0, 0], 16),
    };
    RuleInfo {
        id: 77,
        name: Name::new(b"round"),
        matcher: Match {
            proto: 6,
            l3,
            src: Prefix::new(addr, Some(len)).ok(),
            dst: None,
            dport: Some((8000, 8080)),
        },
        threshold: Some(Threshold {
            packets: 1 << 40,
            interval_ms: NonZeroU32::MIN.saturating_add(249),
        }),
        counters: Count {
            packets: 3,
            bytes: 4500,
        },
    }
}

/// Writes `r` as a reply would and reads it back: (id, name, match,
/// threshold, counters).
fn round_trip(r: &RuleInfo) -> Result<(u32, KVec<u8>, Match, Threshold, (u64, u64))> {
    let mut msg = Msg::standalone(512)?;
    put_rule(&mut msg, r.view())?;
    let mut buf = Buf::new();
    buf.put_raw(msg.attrs_written())?;
    let parsed = buf.parse::<RuleReplyAttrs>(ExtAck::NONE)?;
    let a = parsed.attrs();
    let mut name = KVec::new();
    name.extend_from_slice(a.rule_name().get().ok_or(EINVAL)?.to_bytes(), GFP_KERNEL)?;
    let m = parse_match(&a.rule_match().get().ok_or(EINVAL)?)?;
    let t = a.rule_threshold().get().ok_or(EINVAL)?;
    let c = a.rule_counters().get().ok_or(EINVAL)?;
    Ok((
        a.rule_id().get().ok_or(EINVAL)?,
        name,
        m,
        Threshold {
            packets: t.packets().get().ok_or(EINVAL)?,
            interval_ms: t
                .interval_ms()
                .get()
                .and_then(NonZeroU32::new)
                .ok_or(EINVAL)?,
        },
        (
            c.packets().get().ok_or(EINVAL)?,
            c.bytes().get().ok_or(EINVAL)?,
        ),
    ))
}

fn rules_round_trip_through_the_policy() {
    for l3 in [L3::V4, L3::V6] {
        let r = rule(l3);
        match round_trip(&r) {
            Ok((id, name, m, t, c)) => {
                kunit_expect_eq!(id, 77);
                kunit_expect_eq!(&name[..], &b"round"[..]);
                kunit_expect_eq!(m, r.matcher);
                kunit_expect_eq!(Some(t), r.threshold);
                kunit_expect_eq!(c, (3, 4500));
            }
            Err(_) => kunit_expect!(false),
        }
    }
}

fn failed_nest_leaves_the_message_as_it_was() {
    let Ok(mut msg) = Msg::standalone(256) else {
        return kunit_expect!(false);
    };
    kunit_expect!(msg.put_u32(attr::RULE_ID, 1).is_ok());
    let before = msg.attrs_written().len();
    let r = msg.put_nested(attr::RULE_MATCH, |w| {
        w.put_u8(1, 6)?;
        Err(EINVAL)
    });
    kunit_expect_eq!(r, Err(EINVAL));
    kunit_expect_eq!(msg.attrs_written().len(), before);
    kunit_expect_eq!(before, 8);
}

fn full_message_is_emsgsize_and_unchanged() {
    let Ok(mut msg) = Msg::standalone(64) else {
        return kunit_expect!(false);
    };
    let big = [0u8; 8192];
    let r = msg.put_bytes(attr::MSG, &big);
    kunit_expect_eq!(r, Err(emsgsize()));
    kunit_expect_eq!(msg.attrs_written().len(), 0);
    // What fits still goes in.
    kunit_expect!(msg.put_u64(attr::STATS_REQUESTS, 1).is_ok());
}

kunit_suite!(
    nlrs_roundtrip,
    "nlrs_roundtrip",
    [
        rules_round_trip_through_the_policy,
        failed_nest_leaves_the_message_as_it_was,
        full_message_is_emsgsize_and_unchanged,
    ]
);
