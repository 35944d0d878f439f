// SPDX-License-Identifier: GPL-2.0

//! The IP header of a hooked packet: what a filter without connection
//! tracking reads first.
//!
//! C headers: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h),
//! [`include/net/ipv6.h`](srctree/include/net/ipv6.h)
//!
//! [`IpHeader::parse`] reads the facts every stateless L3/L4 filter starts
//! from, the way `nft_set_pktinfo_ipv4()` and `nft_set_pktinfo_ipv6()` do:
//! the family, the addresses, the transport protocol (for IPv6, the header
//! after the extension headers, `ipv6_find_hdr()`), where the transport
//! header starts and whether this is a later fragment, which has none.
//! What to make of the transport header (ports, flags, types) is the
//! filter's: it reads those bytes with [`Packet::read`] from
//! [`IpHeader::transport_offset`].
//!
//! # Examples
//!
//! ```ignore
//! let ip = IpHeader::parse(pkt)?;
//! if ip.protocol() == 17 && !ip.is_later_fragment() {
//!     let mut buf = [0; 2];
//!     let dport = pkt.read(ip.transport_offset() + 2, &mut buf);
//! }
//! ```

use super::{super::bindings, Family, Packet};

/// An IPv4 header without options (`struct iphdr`).
const IPV4_LEN: usize = 20;
/// An IPv6 header (`struct ipv6hdr`).
const IPV6_LEN: usize = 40;

/// The facts of a packet's IP header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IpHeader {
    family: Family,
    protocol: u8,
    src: [u8; 16],
    dst: [u8; 16],
    transport_offset: u32,
    later_fragment: bool,
}

impl IpHeader {
    /// Reads the IP header of `pkt`, of the hook's family, through
    /// `skb_header_pointer()` (allocates nothing). `None` for a packet too
    /// short for its IP header, an IPv4 header shorter than 20 bytes
    /// (`ihl` under 5), or IPv6 extension headers that cannot be walked to
    /// the end (`ipv6_find_hdr()` fails).
    pub fn parse(pkt: &Packet<'_>) -> Option<Self> {
        match pkt.family() {
            Family::Ipv4 => Self::parse_v4(pkt),
            Family::Ipv6 => Self::parse_v6(pkt),
        }
    }

    fn parse_v4(pkt: &Packet<'_>) -> Option<Self> {
        let mut buf = [0u8; IPV4_LEN];
        let h = pkt.read(0, &mut buf)?;
        // Version and IHL; the header length in 32-bit words.
        let ihl = h[0] & 0x0f;
        if ihl < 5 {
            return None;
        }
        let frag_off = u16::from_be_bytes([h[6], h[7]]);
        let mut src = [0; 16];
        let mut dst = [0; 16];
        src[..4].copy_from_slice(&h[12..16]);
        dst[..4].copy_from_slice(&h[16..20]);
        Some(Self {
            family: Family::Ipv4,
            protocol: h[9],
            src,
            dst,
            transport_offset: u32::from(ihl) * 4,
            later_fragment: u32::from(frag_off) & bindings::IP_OFFSET != 0,
        })
    }

    fn parse_v6(pkt: &Packet<'_>) -> Option<Self> {
        let mut buf = [0u8; IPV6_LEN];
        let h = pkt.read(0, &mut buf)?;
        let mut src = [0; 16];
        let mut dst = [0; 16];
        src.copy_from_slice(&h[8..24]);
        dst.copy_from_slice(&h[24..40]);
        // 0: the packet's own IPv6 header, not a nested one.
        let mut thoff: u32 = 0;
        let mut frag: u16 = 0;
        // SAFETY: the packet is valid for the call and its network header
        // is set; at the hook points the layer offers (local in and out,
        // after `ip6_rcv_core()` or the output path built it) the IPv6
        // header is in the linear data, where `ipv6_find_hdr()` reads its
        // `nexthdr`, and it reads the rest with `skb_header_pointer()`.
        // `thoff` and `frag` are valid for writes, the flags output may be
        // null. Any target (-1): the last header.
        let proto = unsafe {
            bindings::ipv6_find_hdr(
                pkt.as_ptr(),
                &mut thoff,
                -1,
                &mut frag,
                core::ptr::null_mut(),
            )
        };
        Some(Self {
            family: Family::Ipv6,
            protocol: u8::try_from(proto).ok()?,
            src,
            dst,
            // `ipv6_find_hdr()` counts from `skb->data`.
            transport_offset: thoff.checked_sub(pkt.network_offset())?,
            later_fragment: frag != 0,
        })
    }

    /// IPv4 or IPv6.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The transport protocol (`IPPROTO_*`); for IPv6, the header after
    /// the extension headers.
    pub fn protocol(&self) -> u8 {
        self.protocol
    }

    /// The source address: 4 bytes for IPv4, 16 for IPv6.
    pub fn src(&self) -> &[u8] {
        &self.src[..self.addr_len()]
    }

    /// The destination address, as [`IpHeader::src`].
    pub fn dst(&self) -> &[u8] {
        &self.dst[..self.addr_len()]
    }

    /// Where the transport header starts, from the network header, as
    /// [`Packet::read`] counts. It
    /// may lie past the end of a truncated packet: reads there fail.
    pub fn transport_offset(&self) -> u32 {
        self.transport_offset
    }

    /// Whether this is a fragment other than the first: it carries no
    /// transport header, only more of its payload.
    pub fn is_later_fragment(&self) -> bool {
        self.later_fragment
    }

    fn addr_len(&self) -> usize {
        match self.family {
            Family::Ipv4 => 4,
            Family::Ipv6 => 16,
        }
    }
}
