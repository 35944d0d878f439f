// SPDX-License-Identifier: GPL-2.0

//! Whether a packet matches a rule: the decision the data path makes for
//! each packet and each candidate rule. Pure logic over a [`FlowKey`],
//! which [`FlowKey::of`] takes from the packet's headers.

use crate::{
    model::{has_ports, Match, Prefix, L3},
    netlink::hook::{Family, IpHeader, Packet},
};

/// What a rule can match on, taken from one packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct FlowKey {
    /// IPv4 or IPv6 ([`L3::Any`] is not a packet's family).
    pub(crate) l3: L3,
    /// L4 protocol (the last IPv6 next header).
    pub(crate) proto: u8,
    /// Source address; IPv4 in the first 4 bytes.
    pub(crate) src: [u8; 16],
    /// Destination address.
    pub(crate) dst: [u8; 16],
    /// Destination port, when the packet carries one (TCP, UDP, SCTP or
    /// UDP-Lite, and not a later fragment).
    pub(crate) dport: Option<u16>,
}

impl FlowKey {
    /// What `pkt`'s IP and transport headers say, or `None` for a packet
    /// too short for what its headers claim ([`IpHeader::parse`]). A packet
    /// of a protocol with ports too short for its destination port has
    /// none. Reads headers that are not in the linear part through
    /// `skb_header_pointer()`; allocates nothing.
    pub(crate) fn of(pkt: &Packet<'_>) -> Option<Self> {
        let ip = IpHeader::parse(pkt)?;
        let mut key = Self {
            l3: match ip.family() {
                Family::Ipv4 => L3::V4,
                Family::Ipv6 => L3::V6,
            },
            proto: ip.protocol(),
            src: [0; 16],
            dst: [0; 16],
            dport: None,
        };
        key.src[..ip.src().len()].copy_from_slice(ip.src());
        key.dst[..ip.dst().len()].copy_from_slice(ip.dst());
        if !ip.is_later_fragment() && has_ports(key.proto) {
            // Every protocol with ports puts the destination port at
            // offset 2 of its header, in network byte order.
            let mut buf = [0; 2];
            key.dport = ip
                .transport_offset()
                .checked_add(2)
                .and_then(|at| pkt.read(at, &mut buf))
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map(u16::from_be_bytes);
        }
        Some(key)
    }
}

impl Prefix {
    /// Whether the first `len` bits of `addr` are the prefix's.
    pub(crate) fn contains(&self, addr: &[u8; 16]) -> bool {
        let len = usize::from(self.len);
        let (bytes, bits) = (len / 8, len % 8);
        if self.addr[..bytes] != addr[..bytes] {
            return false;
        }
        if bits == 0 {
            return true;
        }
        let mask = 0xffu8 << (8 - bits);
        (self.addr[bytes] ^ addr[bytes]) & mask == 0
    }
}

impl Match {
    /// Whether a packet with `key` matches.
    pub(crate) fn matches(&self, key: &FlowKey) -> bool {
        if self.proto != 0 && self.proto != key.proto {
            return false;
        }
        if self.l3 != L3::Any && self.l3 != key.l3 {
            return false;
        }
        if self.src.is_some_and(|p| !p.contains(&key.src)) {
            return false;
        }
        if self.dst.is_some_and(|p| !p.contains(&key.dst)) {
            return false;
        }
        match (self.dport, key.dport) {
            (None, _) => true,
            (Some((lo, hi)), Some(port)) => (lo..=hi).contains(&port),
            (Some(_), None) => false,
        }
    }
}
