// SPDX-License-Identifier: GPL-2.0

//! KUnit: which packets a rule's match selects.

use crate::{
    kunit_expect, kunit_expect_eq, kunit_suite,
    matching::FlowKey,
    model::{Match, Prefix, L3},
};

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut out = [0; 16];
    out[..4].copy_from_slice(&a);
    out
}

fn v6(head: &[u8]) -> [u8; 16] {
    let mut out = [0; 16];
    out[..head.len()].copy_from_slice(head);
    out
}

fn udp4(src: [u8; 4], dst: [u8; 4], dport: u16) -> FlowKey {
    FlowKey {
        l3: L3::V4,
        proto: 17,
        src: v4(src),
        dst: v4(dst),
        dport: Some(dport),
    }
}

fn prefix(addr: &[u8], len: u8) -> Option<Prefix> {
    Prefix::new(addr, Some(len)).ok()
}

fn prefixes_contain_exactly_their_bits() {
    let cases: [(&[u8], u8, [u8; 16], bool); 10] = [
        (&[10, 0, 0, 0], 8, v4([10, 255, 1, 2]), true),
        (&[10, 0, 0, 0], 8, v4([11, 0, 0, 0]), false),
        (&[10, 0, 0, 128], 25, v4([10, 0, 0, 200]), true),
        (&[10, 0, 0, 128], 25, v4([10, 0, 0, 127]), false),
        (&[10, 1, 2, 3], 32, v4([10, 1, 2, 3]), true),
        (&[10, 1, 2, 3], 32, v4([10, 1, 2, 4]), false),
        (&[0, 0, 0, 0], 0, v4([192, 168, 1, 1]), true),
        (
            &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            32,
            v6(&[0x20, 0x01, 0x0d, 0xb8, 0xff]),
            true,
        ),
        (
            &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            32,
            v6(&[0x20, 0x01, 0x0d, 0xb9]),
            false,
        ),
        (
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            128,
            v6(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            true,
        ),
    ];
    for (i, (addr, len, probe, want)) in cases.iter().enumerate() {
        let got = prefix(addr, *len).map(|p| p.contains(probe));
        kunit_expect_eq!((i, got), (i, Some(*want)));
    }
}

fn empty_match_takes_every_packet() {
    let any = Match::default();
    kunit_expect!(any.matches(&udp4([1, 2, 3, 4], [5, 6, 7, 8], 53)));
    let mut icmp6 = udp4([0; 4], [0; 4], 0);
    icmp6.l3 = L3::V6;
    icmp6.proto = 58;
    icmp6.dport = None;
    kunit_expect!(any.matches(&icmp6));
}

fn protocol_and_family_must_agree() {
    let tcp = Match {
        proto: 6,
        ..Match::default()
    };
    let pkt = udp4([1, 1, 1, 1], [2, 2, 2, 2], 80);
    kunit_expect!(!tcp.matches(&pkt));
    kunit_expect!(tcp.matches(&FlowKey { proto: 6, ..pkt }));
    let v6_only = Match {
        l3: L3::V6,
        src: prefix(&[0; 16], 0),
        ..Match::default()
    };
    kunit_expect!(!v6_only.matches(&pkt));
    kunit_expect!(v6_only.matches(&FlowKey { l3: L3::V6, ..pkt }));
}

fn prefixes_select_source_and_destination() {
    let m = Match {
        l3: L3::V4,
        src: prefix(&[192, 168, 0, 0], 16),
        dst: prefix(&[10, 0, 0, 0], 8),
        ..Match::default()
    };
    kunit_expect!(m.matches(&udp4([192, 168, 7, 7], [10, 9, 9, 9], 1)));
    kunit_expect!(!m.matches(&udp4([192, 169, 7, 7], [10, 9, 9, 9], 1)));
    kunit_expect!(!m.matches(&udp4([192, 168, 7, 7], [11, 9, 9, 9], 1)));
    // Swapped direction is another flow.
    kunit_expect!(!m.matches(&udp4([10, 9, 9, 9], [192, 168, 7, 7], 1)));
}

fn port_ranges_are_inclusive_and_need_a_port() {
    let m = Match {
        proto: 17,
        dport: Some((1000, 2000)),
        ..Match::default()
    };
    for (port, want) in [
        (999, false),
        (1000, true),
        (1500, true),
        (2000, true),
        (2001, false),
    ] {
        kunit_expect_eq!((port, m.matches(&udp4([0; 4], [0; 4], port))), (port, want));
    }
    // A later fragment has no port to match.
    let frag = FlowKey {
        dport: None,
        ..udp4([0; 4], [0; 4], 1500)
    };
    kunit_expect!(!m.matches(&frag));
}

kunit_suite!(
    nlrs_matcher,
    "nlrs_matcher",
    [
        prefixes_contain_exactly_their_bits,
        empty_match_takes_every_packet,
        protocol_and_family_must_agree,
        prefixes_select_source_and_destination,
        port_ranges_are_inclusive_and_need_a_port,
    ]
);
