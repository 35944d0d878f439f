// SPDX-License-Identifier: GPL-2.0

//! KUnit: rule matches as requests give them: prefixes, ports, protocols.

use crate::{
    codec::parse_match,
    kunit_expect, kunit_expect_eq, kunit_suite,
    model::{Match, Prefix, PrefixError, L3},
    netlink::{attr::Buf, extack::OwnedExtAck},
    policy::genl::RuleMatchAttrs,
    uapi::genl::rule_match as m,
};
use kernel::prelude::*;

fn prefixes_keep_only_their_bits() {
    kunit_expect!(Prefix::new(&[10, 0, 0, 0], Some(8)).is_ok());
    kunit_expect!(Prefix::new(&[10, 1, 2, 3], None).is_ok_and(|p| p.len == 32));
    kunit_expect_eq!(
        Prefix::new(&[10, 0, 0, 1], Some(24)),
        Err(PrefixError::HostBits)
    );
    kunit_expect_eq!(
        Prefix::new(&[10, 0, 0, 128], Some(25)),
        Ok(Prefix {
            addr: [10, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            len: 25
        })
    );
    kunit_expect_eq!(
        Prefix::new(&[10, 0, 0, 64], Some(25)),
        Err(PrefixError::HostBits)
    );
    kunit_expect_eq!(Prefix::new(&[0; 4], Some(33)), Err(PrefixError::TooLong));
    kunit_expect!(Prefix::new(&[0; 4], Some(0)).is_ok());
    let mut v6 = [0u8; 16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    kunit_expect!(Prefix::new(&v6, Some(16)).is_ok());
    kunit_expect_eq!(Prefix::new(&v6, Some(15)), Err(PrefixError::HostBits));
    kunit_expect!(Prefix::new(&v6, Some(128)).is_ok());
    kunit_expect_eq!(Prefix::new(&v6, Some(129)), Err(PrefixError::TooLong));
}

/// Parses a `RULE_MATCH` payload built by `fill`: the match, or the errno
/// with the extack message and offending attribute type.
fn parse(fill: impl FnOnce(&mut Buf) -> Result) -> Result<Match, (i32, KVec<u8>, Option<u16>)> {
    let fail = |e: Error| (e.to_errno(), KVec::new(), None);
    let mut buf = Buf::new();
    fill(&mut buf).map_err(fail)?;
    let mut ext = OwnedExtAck::new();
    let extack = ext.get();
    let parsed = buf.parse::<RuleMatchAttrs>(extack).map_err(fail)?;
    parse_match(&parsed.attrs()).map_err(|e| {
        let mut msg = KVec::new();
        if let Some(s) = extack.msg() {
            let _ = msg.extend_from_slice(s.to_bytes(), GFP_KERNEL);
        }
        (e.to_errno(), msg, extack.bad_attr_type())
    })
}

fn v4_match_round_trips() {
    let got = parse(|b| {
        b.put(m::PROTO, &[17])?;
        b.put(m::SRC4, &[192, 168, 0, 0])?;
        b.put(m::SRC_PLEN, &[16])?;
        b.put(m::DST4, &[10, 0, 0, 1])?;
        b.put(m::DPORT_LO, &53u16.to_ne_bytes())
    });
    kunit_expect!(got.as_ref().is_ok_and(|x| x.proto == 17 && x.l3 == L3::V4));
    kunit_expect!(got
        .as_ref()
        .is_ok_and(|x| x.src.is_some_and(|p| p.len == 16)));
    kunit_expect!(got
        .as_ref()
        .is_ok_and(|x| x.dst.is_some_and(|p| p.len == 32)));
    // One port alone is a range of one.
    kunit_expect!(got.as_ref().is_ok_and(|x| x.dport == Some((53, 53))));
}

fn empty_match_matches_everything() {
    kunit_expect_eq!(parse(|_| Ok(())).ok(), Some(Match::default()));
}

/// Expects `EINVAL` with a message starting with `msg`, against `attr`.
fn expect_rejected(
    got: Result<Match, (i32, KVec<u8>, Option<u16>)>,
    msg: &[u8],
    attr: Option<u16>,
) {
    match got {
        Ok(_) => kunit_expect!(false),
        Err((errno, text, bad)) => {
            kunit_expect_eq!(errno, EINVAL.to_errno());
            kunit_expect!(text.starts_with(msg));
            kunit_expect_eq!(bad, attr);
        }
    }
}

fn mixed_families_are_rejected() {
    let got = parse(|b| {
        b.put(m::SRC4, &[10, 0, 0, 0])?;
        b.put(m::SRC_PLEN, &[8])?;
        b.put(m::DST6, &[0; 16])
    });
    expect_rejected(got, b"dst6: address family differs", Some(m::DST6));
    let got = parse(|b| {
        b.put(m::SRC4, &[10, 0, 0, 0])?;
        b.put(m::SRC6, &[0; 16])
    });
    expect_rejected(got, b"src6: only one of src4 and src6", Some(m::SRC6));
}

fn prefix_errors_name_the_attribute() {
    let got = parse(|b| {
        b.put(m::DST4, &[10, 0, 0, 1])?;
        b.put(m::DST_PLEN, &[8])
    });
    expect_rejected(got, b"dst4: bits set beyond", Some(m::DST4));
    let got = parse(|b| {
        b.put(m::SRC4, &[10, 0, 0, 0])?;
        b.put(m::SRC_PLEN, &[33])
    });
    expect_rejected(got, b"src_plen: longer than the address", Some(m::SRC_PLEN));
    let got = parse(|b| b.put(m::SRC_PLEN, &[8]));
    expect_rejected(got, b"src_plen: needs src4 or src6", Some(m::SRC_PLEN));
}

fn port_ranges_are_checked() {
    let got = parse(|b| {
        b.put(m::PROTO, &[6])?;
        b.put(m::DPORT_LO, &100u16.to_ne_bytes())?;
        b.put(m::DPORT_HI, &99u16.to_ne_bytes())
    });
    expect_rejected(got, b"dport_hi: lower than dport_lo", Some(m::DPORT_HI));
    // ICMP has no ports; no protocol means any, which may have none.
    for proto in [None, Some(1u8)] {
        let got = parse(|b| {
            if let Some(p) = proto {
                b.put(m::PROTO, &[p])?;
            }
            b.put(m::DPORT_LO, &80u16.to_ne_bytes())
        });
        expect_rejected(got, b"dport_lo: needs proto", Some(m::DPORT_LO));
    }
    let got = parse(|b| {
        b.put(m::PROTO, &[6])?;
        b.put(m::DPORT_HI, &80u16.to_ne_bytes())
    });
    expect_rejected(got, b"missing attribute dport_lo", None);
    let got = parse(|b| {
        b.put(m::PROTO, &[132])?;
        b.put(m::DPORT_LO, &1000u16.to_ne_bytes())?;
        b.put(m::DPORT_HI, &2000u16.to_ne_bytes())
    });
    kunit_expect!(got.is_ok_and(|x| x.dport == Some((1000, 2000))));
}

fn policy_rejects_bad_lengths() {
    // Exact address lengths and prefix lengths up to 128 are the policy's.
    kunit_expect!(parse(|b| b.put(m::SRC4, &[10, 0, 0])).is_err());
    kunit_expect!(parse(|b| b.put(m::SRC6, &[0; 15])).is_err());
    kunit_expect!(parse(|b| b.put(m::SRC6, &[0; 17])).is_err());
    kunit_expect!(parse(|b| {
        b.put(m::SRC6, &[0; 16])?;
        b.put(m::SRC_PLEN, &[129])
    })
    .is_err());
}

kunit_suite!(
    nlrs_match,
    "nlrs_match",
    [
        prefixes_keep_only_their_bits,
        v4_match_round_trips,
        empty_match_matches_everything,
        mixed_families_are_rejected,
        prefix_errors_name_the_attribute,
        port_ranges_are_checked,
        policy_rejects_bad_lengths,
    ]
);
