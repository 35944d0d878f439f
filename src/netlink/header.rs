// SPDX-License-Identifier: GPL-2.0

//! Message headers: the netlink header and the family header behind it.
//!
//! C headers: [`include/net/netlink.h`](srctree/include/net/netlink.h),
//! [`include/uapi/linux/genetlink.h`](srctree/include/uapi/linux/genetlink.h),
//! [`include/uapi/linux/netfilter/nfnetlink.h`](srctree/include/uapi/linux/netfilter/nfnetlink.h)
//!
//! Every message the layer writes is a `struct nlmsghdr` followed by a fixed
//! header of its protocol: a `struct genlmsghdr` for generic netlink, a
//! `struct nfgenmsg` for nfnetlink. What differs, that header and the
//! `nlmsg_type` it goes with, is a [`Header`]; [`put`] writes both, for
//! replies, notifications and multipart entries alike.

use super::{bindings, error::emsgsize, msg::NLMSG_HDRLEN};
use kernel::prelude::*;

/// The fixed header of a protocol and the message type it goes with.
pub(crate) trait Header {
    /// The header as C lays it out, written right after the netlink header.
    type Raw;

    /// The message's `nlmsg_type`.
    fn nlmsg_type(&self) -> u16;

    /// The header's contents.
    fn raw(&self) -> Self::Raw;
}

/// Starts a message at the tail of `skb`: its netlink header, addressed to
/// `portid` with sequence number `seq` and flags `flags` (`nlmsg_put()`),
/// then `header`. Returns the netlink header, never null. Fails with
/// `EMSGSIZE`, leaving `skb` as it was, when there is no room.
///
/// # Safety
///
/// `skb` must be a valid `sk_buff` that only the caller writes, for the call.
pub(crate) unsafe fn put<H: Header>(
    skb: *mut bindings::sk_buff,
    header: &H,
    portid: u32,
    seq: u32,
    flags: u16,
) -> Result<*mut bindings::nlmsghdr> {
    let len = core::mem::size_of::<H::Raw>() as i32;
    let ty = header.nlmsg_type().into();
    // SAFETY: guaranteed by the caller. `nlmsg_put` fails (null), changing
    // nothing, when the buffer has no room for the headers.
    let nlh = unsafe { bindings::rnl_helper_nlmsg_put(skb, portid, seq, ty, len, flags.into()) };
    if nlh.is_null() {
        return Err(emsgsize());
    }
    // SAFETY: `nlmsg_put` reserved `len` bytes after the aligned netlink
    // header (`nlmsg_data()`) for us to fill.
    unsafe {
        nlh.cast::<u8>()
            .add(NLMSG_HDRLEN)
            .cast::<H::Raw>()
            .write_unaligned(header.raw())
    };
    Ok(nlh)
}

/// The header of a generic netlink message, as `genlmsg_put()` writes it:
/// the family's id as the type, then the command and the family's version.
/// The layer's families have no user header (`hdrsize` is 0).
#[derive(Clone, Copy)]
pub(crate) struct Genl {
    id: u16,
    cmd: u8,
    version: u8,
}

impl Genl {
    /// The header of command `cmd` of `family`.
    ///
    /// # Safety
    ///
    /// `family` must be a registered family, valid for the call.
    pub(crate) unsafe fn new(family: *const bindings::genl_family, cmd: u8) -> Self {
        // SAFETY: guaranteed by the caller; the core writes `id` only when
        // registering, and nobody writes `version` after.
        let (id, version) = unsafe { ((*family).id, (*family).version) };
        Self {
            // Family ids are at most `GENL_MAX_ID` (1023), versions a `u8`
            // (`Family::VERSION`): as the core puts them into the header.
            id: id as u16,
            cmd,
            version: version as u8,
        }
    }
}

impl Header for Genl {
    type Raw = bindings::genlmsghdr;

    fn nlmsg_type(&self) -> u16 {
        self.id
    }

    fn raw(&self) -> Self::Raw {
        bindings::genlmsghdr {
            cmd: self.cmd,
            version: self.version,
            reserved: 0,
        }
    }
}

/// The `nlmsg_type` of message type `msg` of nfnetlink subsystem `subsys`:
/// the subsystem in the high byte (`NFNL_SUBSYS_ID()`), the type in the low.
pub(crate) const fn nfnl_type(subsys: u8, msg: u8) -> u16 {
    ((subsys as u16) << 8) | msg as u16
}

/// The subsystem of an nfnetlink `nlmsg_type` (`NFNL_SUBSYS_ID()`): the
/// inverse of [`nfnl_type`].
pub(crate) const fn nfnl_subsys(nlmsg_type: u16) -> u8 {
    (nlmsg_type >> 8) as u8
}

/// The header of an nfnetlink message the layer sends, as `nfnl_msg_put()`
/// writes it: `AF_UNSPEC`, `NFNETLINK_V0` and a resource id.
#[derive(Clone, Copy)]
pub(crate) struct Nfgen {
    /// The subsystem id.
    pub(crate) subsys: u8,
    /// The message type within the subsystem.
    pub(crate) msg: u8,
    /// The resource id, host byte order.
    pub(crate) res_id: u16,
}

impl Header for Nfgen {
    type Raw = bindings::nfgenmsg;

    fn nlmsg_type(&self) -> u16 {
        nfnl_type(self.subsys, self.msg)
    }

    fn raw(&self) -> Self::Raw {
        bindings::nfgenmsg {
            nfgen_family: bindings::AF_UNSPEC as u8,
            version: bindings::NFNETLINK_V0 as u8,
            res_id: self.res_id.to_be(),
        }
    }
}

/// The `NLMSG_DONE` message that ends a multipart reply, with its `int`
/// status 0, as `netlink_dump_done()` writes it.
pub(crate) struct Done;

impl Header for Done {
    type Raw = i32;

    fn nlmsg_type(&self) -> u16 {
        bindings::NLMSG_DONE as u16
    }

    fn raw(&self) -> i32 {
        0
    }
}

/// No family header, type 0: a bare netlink message, for building
/// attributes in tests.
#[cfg(CONFIG_KUNIT)]
pub(crate) struct Bare;

#[cfg(CONFIG_KUNIT)]
impl Header for Bare {
    type Raw = ();

    fn nlmsg_type(&self) -> u16 {
        0
    }

    fn raw(&self) {}
}
