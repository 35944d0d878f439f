// SPDX-License-Identifier: GPL-2.0

//! KUnit suites, run by the module loader at insmod.

use crate::{
    attr_set, kunit_expect, kunit_expect_eq, kunit_suite,
    netlink::{
        attr::{
            Binary, Buf, Flag, Nested, NulStr, S64Range, Set, Str, U32Range, NLA_HDRLEN, S32, U16,
            U32, U64, U8,
        },
        extack::{ExtAck, OwnedExtAck},
        policy::Policy,
    },
    policy::{
        genl::{EchoRequest, NoAttrs},
        nfnl::EchoRequest as NfEchoRequest,
    },
    uapi::{
        genl::{attr::MSG, MSG_MAX_LEN},
        nfnl,
    },
};
use kernel::prelude::*;

mod classifier;
mod matcher;
mod matching;
mod roundtrip;
mod rules;
mod txn;

/// Builds a stream holding one `MSG` of `len` bytes of 'x', NUL-terminated
/// when `nul`.
fn msg_stream(len: usize, nul: bool) -> Result<Buf> {
    let mut payload = KVec::new();
    for _ in 0..len {
        payload.push(b'x', GFP_KERNEL)?;
    }
    if nul {
        payload.push(0, GFP_KERNEL)?;
    }
    let mut buf = Buf::new();
    buf.put(MSG, &payload)?;
    Ok(buf)
}

fn parses(buf: &Buf) -> bool {
    buf.parse::<EchoRequest>(ExtAck::NONE).is_ok()
}

fn well_formed_stream_parses() {
    let mut buf = Buf::new();
    kunit_expect!(buf.put(MSG, b"hello\0").is_ok());
    let parsed = buf.parse::<EchoRequest>(ExtAck::NONE);
    kunit_expect!(parsed.is_ok());
    if let Ok(p) = parsed {
        let got = p.attrs().msg().get().map(|s| s.to_bytes());
        kunit_expect_eq!(got, Some(&b"hello"[..]));
    }
}

fn empty_stream_has_no_attributes() {
    let buf = Buf::new();
    let parsed = buf.parse::<EchoRequest>(ExtAck::NONE);
    kunit_expect!(parsed.is_ok());
    if let Ok(p) = parsed {
        kunit_expect!(!p.attrs().msg().is_present());
    }
}

fn truncated_stream_is_rejected() {
    let Ok(mut buf) = msg_stream(8, true) else {
        return kunit_expect!(false);
    };
    // Cut the payload short: the header now claims more than is there.
    buf.truncate(NLA_HDRLEN + 4);
    kunit_expect!(!parses(&buf));
}

fn header_shorter_than_itself_is_rejected() {
    for nla_len in 0..NLA_HDRLEN as u16 {
        let mut buf = Buf::new();
        kunit_expect!(buf.put_header(MSG, nla_len).is_ok());
        kunit_expect!(buf.put_raw(b"abcd").is_ok());
        kunit_expect!(!parses(&buf));
    }
}

fn string_without_nul_is_rejected() {
    let Ok(buf) = msg_stream(5, false) else {
        return kunit_expect!(false);
    };
    kunit_expect!(!parses(&buf));
}

fn string_length_limit_is_exact() {
    let max = MSG_MAX_LEN as usize;
    for (len, ok) in [
        (0, true),
        (1, true),
        (max, true),
        (max + 1, false),
        (max + 100, false),
    ] {
        let Ok(buf) = msg_stream(len, true) else {
            return kunit_expect!(false);
        };
        kunit_expect_eq!((len, parses(&buf)), (len, ok));
    }
}

fn unknown_attribute_is_rejected() {
    let mut buf = Buf::new();
    kunit_expect!(buf.put(MSG, b"ok\0").is_ok());
    kunit_expect!(buf.put(MSG + 1, &7u32.to_ne_bytes()).is_ok());
    kunit_expect!(!parses(&buf));
    // Type 0 is never valid either.
    let mut buf = Buf::new();
    kunit_expect!(buf.put(0, b"ok\0").is_ok());
    kunit_expect!(!parses(&buf));
}

fn rejection_names_the_attribute() {
    let Ok(buf) = msg_stream(5, false) else {
        return kunit_expect!(false);
    };
    let mut ext = OwnedExtAck::new();
    kunit_expect_eq!(buf.parse::<EchoRequest>(ext.get()).err(), Some(EINVAL));
    kunit_expect!(ext.get().msg().is_some());
    kunit_expect!(ext.get().bad_attr_type() == Some(MSG));
}

fn missing_required_attribute_reports_miss_type() {
    let buf = Buf::new();
    let mut ext = OwnedExtAck::new();
    let res = match buf.parse::<EchoRequest>(ext.get()) {
        Ok(p) => p.attrs().msg().required().map(|_| ()),
        Err(e) => Err(e),
    };
    kunit_expect_eq!(res.err(), Some(EINVAL));
    kunit_expect_eq!(ext.get().missing_type(), Some(MSG));
    let text = ext.get().msg().map(|m| m.to_bytes());
    kunit_expect_eq!(text, Some(&b"missing attribute msg"[..]));
}

kunit_suite!(
    nlrs_attr,
    "nlrs_attr",
    [
        well_formed_stream_parses,
        empty_stream_has_no_attributes,
        truncated_stream_is_rejected,
        header_shorter_than_itself_is_rejected,
        string_without_nul_is_rejected,
        string_length_limit_is_exact,
        unknown_attribute_is_rejected,
        rejection_names_the_attribute,
        missing_required_attribute_reports_miss_type,
    ]
);

fn policy_tables_match_declarations() {
    for (policy, max) in [
        (EchoRequest::POLICY, MSG_MAX_LEN as u16),
        (NfEchoRequest::POLICY, nfnl::ECHO_MAX_LEN as u16),
    ] {
        kunit_expect_eq!(policy.len(), usize::from(MSG) + 1);
        kunit_expect_eq!(policy[0].kind(), Policy::UNSPEC.kind());
        kunit_expect_eq!(
            policy[usize::from(MSG)].kind(),
            Policy::nul_string(0).kind()
        );
        kunit_expect_eq!(policy[usize::from(MSG)].len(), max);
    }
    kunit_expect_eq!(EchoRequest::name(MSG), Some("msg"));
    kunit_expect_eq!(EchoRequest::name(MSG + 1), None);
}

fn set_without_attributes_rejects_every_attribute() {
    // Two all-UNSPEC slots: maxattr 1, so the core validates (it skips
    // parsing for maxattr 0) and rejects whatever is sent.
    kunit_expect_eq!(NoAttrs::POLICY.len(), 2);
    kunit_expect!(NoAttrs::POLICY
        .iter()
        .all(|p| p.kind() == Policy::UNSPEC.kind()));
    kunit_expect!(Buf::new().parse::<NoAttrs>(ExtAck::NONE).is_ok());
    for ty in [0u16, 1, 2, 300] {
        let mut buf = Buf::new();
        kunit_expect!(buf.put(ty, &1u32.to_ne_bytes()).is_ok());
        kunit_expect_eq!(
            (ty, buf.parse::<NoAttrs>(ExtAck::NONE).is_err()),
            (ty, true)
        );
    }
}

kunit_suite!(
    nlrs_policy,
    "nlrs_policy",
    [
        policy_tables_match_declarations,
        set_without_attributes_rejects_every_attribute
    ]
);

attr_set! {
    /// Every attribute kind the layer offers, for the tests below.
    struct KindAttrs {
        /// An 8-bit integer.
        byte: U8 = 1,
        /// A 16-bit integer.
        short: U16 = 2,
        /// A 32-bit integer.
        word: U32 = 3,
        /// A 64-bit integer.
        quad: U64 = 4,
        /// A flag.
        flag: Flag = 5,
        /// 2 to 6 bytes.
        blob: Binary<2, 6> = 6,
        /// A signed 32-bit integer.
        signed: S32 = 7,
        /// A signed 64-bit integer from -5 to 5.
        small: S64Range<-5, 5> = 8,
        /// A string, NUL optional, up to 4 bytes.
        text: Str<4> = 9,
        /// A NUL-terminated string of up to 40 bytes.
        label: NulStr<40> = 10,
        /// A string, NUL optional, up to 40 bytes.
        long_text: Str<40> = 11,
    }
}

fn parse_one(ty: u16, payload: &[u8]) -> bool {
    let mut buf = Buf::new();
    buf.put(ty, payload).is_ok() && buf.parse::<KindAttrs>(ExtAck::NONE).is_ok()
}

fn integers_round_trip() {
    let mut buf = Buf::new();
    kunit_expect!(buf.put(1, &[0xab]).is_ok());
    kunit_expect!(buf.put(2, &0xbeefu16.to_ne_bytes()).is_ok());
    kunit_expect!(buf.put(3, &0xdead_beefu32.to_ne_bytes()).is_ok());
    kunit_expect!(buf.put(4, &u64::MAX.to_ne_bytes()).is_ok());
    let parsed = buf.parse::<KindAttrs>(ExtAck::NONE);
    kunit_expect!(parsed.is_ok());
    if let Ok(p) = parsed {
        let a = p.attrs();
        kunit_expect_eq!(a.byte().get(), Some(0xab));
        kunit_expect_eq!(a.short().get(), Some(0xbeef));
        kunit_expect_eq!(a.word().get(), Some(0xdead_beef));
        kunit_expect_eq!(a.quad().get(), Some(u64::MAX));
        kunit_expect!(!a.flag().is_present());
        kunit_expect!(!a.blob().is_present());
    }
}

fn integers_of_the_wrong_size_are_rejected() {
    // Strict validation wants the exact size of each integer type.
    kunit_expect!(!parse_one(1, &[1, 2]));
    kunit_expect!(!parse_one(2, &[1]));
    kunit_expect!(!parse_one(3, &[1, 2, 3]));
    kunit_expect!(!parse_one(3, &[1, 2, 3, 4, 5, 6, 7, 8]));
    kunit_expect!(!parse_one(4, &[1, 2, 3, 4]));
}

fn flag_takes_no_payload() {
    kunit_expect!(parse_one(5, &[]));
    kunit_expect!(!parse_one(5, &[1]));
    let mut buf = Buf::new();
    kunit_expect!(buf.put(5, &[]).is_ok());
    if let Ok(p) = buf.parse::<KindAttrs>(ExtAck::NONE) {
        kunit_expect!(p.attrs().flag().is_present());
    } else {
        kunit_expect!(false);
    }
}

fn binary_length_bounds_are_exact() {
    for (len, ok) in [(0, false), (1, false), (2, true), (6, true), (7, false)] {
        kunit_expect_eq!((len, parse_one(6, &[0x5a; 8][..len])), (len, ok));
    }
    let mut buf = Buf::new();
    kunit_expect!(buf.put(6, b"abc").is_ok());
    if let Ok(p) = buf.parse::<KindAttrs>(ExtAck::NONE) {
        kunit_expect_eq!(p.attrs().blob().get(), Some(&b"abc"[..]));
    } else {
        kunit_expect!(false);
    }
}

fn duplicate_attribute_keeps_the_last() {
    let mut buf = Buf::new();
    kunit_expect!(buf.put(3, &1u32.to_ne_bytes()).is_ok());
    kunit_expect!(buf.put(3, &2u32.to_ne_bytes()).is_ok());
    if let Ok(p) = buf.parse::<KindAttrs>(ExtAck::NONE) {
        kunit_expect_eq!(p.attrs().word().get(), Some(2));
    } else {
        kunit_expect!(false);
    }
}

fn signed_integers_and_ranges() {
    let mut buf = Buf::new();
    kunit_expect!(buf.put(7, &(-7i32).to_ne_bytes()).is_ok());
    kunit_expect!(buf.put(8, &(-5i64).to_ne_bytes()).is_ok());
    match buf.parse::<KindAttrs>(ExtAck::NONE) {
        Ok(p) => {
            kunit_expect_eq!(p.attrs().signed().get(), Some(-7));
            kunit_expect_eq!(p.attrs().small().get(), Some(-5));
        }
        Err(_) => kunit_expect!(false),
    }
    for (v, ok) in [
        (-6i64, false),
        (-5, true),
        (5, true),
        (6, false),
        (i64::MIN, false),
    ] {
        kunit_expect_eq!((v, parse_one(8, &v.to_ne_bytes())), (v, ok));
    }
    kunit_expect!(!parse_one(7, &[1, 2]));
}

fn strings_may_omit_the_nul() {
    for (payload, want) in [
        (&b"abcd"[..], Some(&b"abcd"[..])),
        (b"abcd\0", Some(b"abcd")),
        (b"ab\0", Some(b"ab")),
        (b"abcde", None),
    ] {
        let mut buf = Buf::new();
        kunit_expect!(buf.put(9, payload).is_ok());
        match buf.parse::<KindAttrs>(ExtAck::NONE) {
            Ok(p) => kunit_expect_eq!(p.attrs().text().get(), want),
            Err(_) => kunit_expect_eq!(None, want),
        }
    }
}

/// Strings end at their first NUL wherever it falls in the word-at-a-time
/// scan, bytes after it included.
fn strings_end_at_their_first_nul() {
    let text = [b'a'; 40];
    for len in 0..=24 {
        let mut payload = [b'b'; 28];
        payload[..len].copy_from_slice(&text[..len]);
        payload[len] = 0;
        for ty in [KindAttrs::LABEL, KindAttrs::LONG_TEXT] {
            let mut buf = Buf::new();
            kunit_expect!(buf.put(ty, &payload[..len + 4]).is_ok());
            let got = buf.parse::<KindAttrs>(ExtAck::NONE).ok().and_then(|p| {
                let a = p.attrs();
                match ty {
                    KindAttrs::LABEL => a.label().get().map(|s| s.to_bytes().len()),
                    _ => a.long_text().get().map(|s| s.len()),
                }
            });
            kunit_expect_eq!((ty, len, got), (ty, len, Some(len)));
        }
    }
    // Without a NUL: the whole payload for `Str`, refused for `NulStr`.
    for len in [7, 8, 9, 16, 40] {
        let mut buf = Buf::new();
        kunit_expect!(buf.put(KindAttrs::LONG_TEXT, &text[..len]).is_ok());
        let got = buf
            .parse::<KindAttrs>(ExtAck::NONE)
            .ok()
            .and_then(|p| p.attrs().long_text().get().map(|s| s.len()));
        kunit_expect_eq!((len, got), (len, Some(len)));
        let mut buf = Buf::new();
        kunit_expect!(buf.put(KindAttrs::LABEL, &text[..len]).is_ok());
        kunit_expect!(buf.parse::<KindAttrs>(ExtAck::NONE).is_err());
    }
}

kunit_suite!(
    nlrs_kinds,
    "nlrs_kinds",
    [
        signed_integers_and_ranges,
        strings_may_omit_the_nul,
        strings_end_at_their_first_nul,
        integers_round_trip,
        integers_of_the_wrong_size_are_rejected,
        flag_takes_no_payload,
        binary_length_bounds_are_exact,
        duplicate_attribute_keeps_the_last,
    ]
);

attr_set! {
    /// A nest for the tests below.
    struct InnerAttrs {
        /// A bounded count, wider than the `s16` bounds of a plain range.
        count: U32Range<1, 100_000> = 1,
        /// A short label.
        label: NulStr<15> = 2,
    }
}

attr_set! {
    /// Holds an [`InnerAttrs`] nest.
    struct OuterAttrs {
        /// The nest.
        inner: Nested<InnerAttrs> = 1,
        /// A plain number beside it.
        plain: U32 = 2,
    }
}

/// An outer stream holding one nest built by `fill`.
fn outer_with(fill: impl FnOnce(&mut Buf) -> Result, flagged: bool) -> Result<Buf> {
    let mut inner = Buf::new();
    fill(&mut inner)?;
    let mut outer = Buf::new();
    if flagged {
        outer.put_nested(OuterAttrs::INNER, &inner)?;
    } else {
        outer.put(OuterAttrs::INNER, inner.as_bytes())?;
    }
    outer.put(OuterAttrs::PLAIN, &7u32.to_ne_bytes())?;
    Ok(outer)
}

fn outer_parses(buf: &Result<Buf>) -> bool {
    matches!(buf, Ok(b) if b.parse::<OuterAttrs>(ExtAck::NONE).is_ok())
}

/// The inner count of a parsed outer stream, if everything is there.
fn inner_count(buf: &Result<Buf>) -> Option<u32> {
    let b = buf.as_ref().ok()?;
    let parsed = b.parse::<OuterAttrs>(ExtAck::NONE).ok()?;
    let inner = parsed.attrs().inner().get()?;
    inner.count().get()
}

fn nested_values_read_in_place() {
    let buf = outer_with(
        |b| {
            b.put(InnerAttrs::COUNT, &42u32.to_ne_bytes())?;
            b.put(InnerAttrs::LABEL, b"web\0")
        },
        true,
    );
    let Ok(buf) = buf else {
        return kunit_expect!(false);
    };
    let Ok(parsed) = buf.parse::<OuterAttrs>(ExtAck::NONE) else {
        return kunit_expect!(false);
    };
    let outer = parsed.attrs();
    kunit_expect_eq!(outer.plain().get(), Some(7));
    match outer.inner().get() {
        Some(inner) => {
            kunit_expect_eq!(inner.count().get(), Some(42));
            kunit_expect_eq!(inner.label().get().map(|s| s.to_bytes()), Some(&b"web"[..]));
        }
        None => kunit_expect!(false),
    }
}

fn wide_range_bounds_are_exact() {
    for (v, ok) in [
        (0u32, false),
        (1, true),
        (100_000, true),
        (100_001, false),
        (u32::MAX, false),
    ] {
        let buf = outer_with(|b| b.put(InnerAttrs::COUNT, &v.to_ne_bytes()), true);
        kunit_expect_eq!((v, outer_parses(&buf)), (v, ok));
    }
}

fn nest_without_nested_flag_is_rejected() {
    let fill = |b: &mut Buf| b.put(InnerAttrs::COUNT, &5u32.to_ne_bytes());
    kunit_expect!(outer_parses(&outer_with(fill, true)));
    kunit_expect!(!outer_parses(&outer_with(fill, false)));
}

fn bad_attribute_inside_a_nest_is_rejected() {
    // Unknown type, unterminated string, oversize string.
    kunit_expect!(!outer_parses(&outer_with(
        |b| b.put(3, &1u32.to_ne_bytes()),
        true
    )));
    kunit_expect!(!outer_parses(&outer_with(
        |b| b.put(InnerAttrs::LABEL, b"abc"),
        true
    )));
    kunit_expect!(!outer_parses(&outer_with(
        |b| b.put(InnerAttrs::LABEL, b"0123456789abcdef\0"),
        true
    )));
}

fn repeated_attribute_in_a_nest_keeps_the_last() {
    let buf = outer_with(
        |b| {
            b.put(InnerAttrs::COUNT, &1u32.to_ne_bytes())?;
            b.put(InnerAttrs::COUNT, &2u32.to_ne_bytes())
        },
        true,
    );
    kunit_expect_eq!(inner_count(&buf), Some(2));
}

fn empty_nest_has_no_attributes() {
    let buf = outer_with(|_| Ok(()), true);
    kunit_expect!(outer_parses(&buf));
    kunit_expect_eq!(inner_count(&buf), None);
}

kunit_suite!(
    nlrs_nested,
    "nlrs_nested",
    [
        nested_values_read_in_place,
        wide_range_bounds_are_exact,
        nest_without_nested_flag_is_rejected,
        bad_attribute_inside_a_nest_is_rejected,
        repeated_attribute_in_a_nest_keeps_the_last,
        empty_nest_has_no_attributes,
    ]
);
