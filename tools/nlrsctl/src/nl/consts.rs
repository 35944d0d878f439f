//! Netlink constants from `<linux/netlink.h>`, family-agnostic.

/// Alignment of netlink messages and attributes.
pub const ALIGNTO: usize = 4;

/// Rounds `len` up to the netlink message alignment (`NLMSG_ALIGN`).
pub const fn nlmsg_align(len: usize) -> usize {
    (len + ALIGNTO - 1) & !(ALIGNTO - 1)
}

/// Rounds `len` up to the attribute alignment (`NLA_ALIGN`).
pub const fn nla_align(len: usize) -> usize {
    (len + ALIGNTO - 1) & !(ALIGNTO - 1)
}

/// Size of `struct nlmsghdr` (`NLMSG_HDRLEN`).
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nlattr` (`NLA_HDRLEN`).
pub const NLA_HDRLEN: usize = 4;

/// Control message types.
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;

/// `nlmsg_flags` of requests.
pub const NLM_F_REQUEST: u16 = 0x01;
pub const NLM_F_MULTI: u16 = 0x02;
pub const NLM_F_ACK: u16 = 0x04;
pub const NLM_F_DUMP: u16 = 0x300;
/// `NLM_F_REPLACE`, `NLM_F_EXCL`, `NLM_F_CREATE`: what a "new" request may
/// do to an existing object.
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
/// A dump part written after the dumped data changed (`NLM_F_DUMP_INTR`).
pub const NLM_F_DUMP_INTR: u16 = 0x10;

/// `nlmsg_flags` of `NLMSG_ERROR` messages.
/// The request payload is not echoed back.
pub const NLM_F_CAPPED: u16 = 0x100;
/// Extended ACK TLVs follow the (possibly capped) request.
pub const NLM_F_ACK_TLVS: u16 = 0x200;

/// Attribute type flags.
pub const NLA_F_NESTED: u16 = 0x8000;
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// Extended ACK TLV types (`enum nlmsgerr_attrs`).
pub const NLMSGERR_ATTR_MSG: u16 = 1;
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// Netlink protocols (`socket(AF_NETLINK, SOCK_RAW, proto)`).
pub const NETLINK_NETFILTER: i32 = 12;
pub const NETLINK_GENERIC: i32 = 16;

/// Socket options at `SOL_NETLINK`.
pub const SOL_NETLINK: i32 = 270;
pub const NETLINK_ADD_MEMBERSHIP: i32 = 1;
pub const NETLINK_PKTINFO: i32 = 3;
pub const NETLINK_CAP_ACK: i32 = 10;
pub const NETLINK_EXT_ACK: i32 = 11;
