//! nfnetlink (`NETLINK_NETFILTER`) on top of the [`nl`](crate::nl) codec.
//!
//! Shaped like libnfnetlink: an [`NfnlHandle`] owns the socket
//! (`nfnl_open`), a [`Subsys`] borrows it for one subsystem id
//! (`nfnl_subsys_open`), [`Subsys::fill_hdr`] starts a message
//! (`nfnl_fill_hdr`) and [`Subsys::query`] sends it and collects the
//! replies up to the ACK (`nfnl_query`).

use std::time::Duration;

use crate::nl::consts::{NETLINK_NETFILTER, NLMSG_HDRLEN};
use crate::nl::{Attrs, MsgBuilder, OwnedMsg, ParseError, Result, Socket};

/// Size of `struct nfgenmsg`.
pub const NFGENMSG_LEN: usize = 4;
/// `nfgenmsg::version`.
pub const NFNETLINK_V0: u8 = 0;

/// `nlmsg_type` of message `msg` of subsystem `subsys`.
pub const fn msg_type(subsys: u8, msg: u8) -> u16 {
    ((subsys as u16) << 8) | msg as u16
}

/// Subsystem id of an `nlmsg_type` (`NFNL_SUBSYS_ID`).
pub const fn subsys_of(ty: u16) -> u8 {
    (ty >> 8) as u8
}

/// Message type within the subsystem (`NFNL_MSG_TYPE`).
pub const fn msg_of(ty: u16) -> u8 {
    (ty & 0xff) as u8
}

/// `struct nfgenmsg`; `res_id` is kept in host order here and is big-endian
/// on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfgenMsg {
    pub family: u8,
    pub version: u8,
    pub res_id: u16,
}

impl NfgenMsg {
    pub fn to_bytes(self) -> [u8; NFGENMSG_LEN] {
        let r = self.res_id.to_be_bytes();
        [self.family, self.version, r[0], r[1]]
    }

    pub fn parse(b: &[u8]) -> std::result::Result<Self, ParseError> {
        if b.len() < NFGENMSG_LEN {
            return Err(ParseError::TruncatedHeader {
                what: "nfgenmsg",
                offset: NLMSG_HDRLEN,
                remaining: b.len(),
            });
        }
        Ok(NfgenMsg {
            family: b[0],
            version: b[1],
            res_id: u16::from_be_bytes([b[2], b[3]]),
        })
    }
}

/// A received nfnetlink message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfMsg {
    pub subsys: u8,
    pub msg_type: u8,
    pub nfgen: NfgenMsg,
    pub attrs: Vec<u8>,
}

impl NfMsg {
    pub fn parse(ty: u16, payload: &[u8]) -> std::result::Result<Self, ParseError> {
        let nfgen = NfgenMsg::parse(payload)?;
        Ok(NfMsg {
            subsys: subsys_of(ty),
            msg_type: msg_of(ty),
            nfgen,
            attrs: payload[NFGENMSG_LEN..].to_vec(),
        })
    }

    pub fn attrs(&self) -> Attrs<'_> {
        Attrs::new(&self.attrs)
    }
}

impl TryFrom<&OwnedMsg> for NfMsg {
    type Error = ParseError;
    fn try_from(m: &OwnedMsg) -> std::result::Result<Self, ParseError> {
        NfMsg::parse(m.hdr.ty, &m.payload)
    }
}

/// An open nfnetlink socket.
pub struct NfnlHandle {
    sock: Socket,
}

impl NfnlHandle {
    pub fn open() -> Result<Self> {
        Ok(NfnlHandle {
            sock: Socket::open(NETLINK_NETFILTER)?,
        })
    }

    /// A handle on subsystem `id`.
    pub fn subsys_open(&mut self, id: u8) -> Subsys<'_> {
        Subsys { nfnlh: self, id }
    }
}

/// A subsystem of an open [`NfnlHandle`].
pub struct Subsys<'a> {
    nfnlh: &'a mut NfnlHandle,
    id: u8,
}

/// Starts message `msg` of subsystem `subsys` with `flags` and an nfgenmsg
/// of `family` / `NFNETLINK_V0` / `res_id`.
pub fn fill_hdr(subsys: u8, msg: u8, flags: u16, family: u8, res_id: u16) -> MsgBuilder {
    let mut b = MsgBuilder::new(msg_type(subsys, msg), flags);
    b.push_header(
        &NfgenMsg {
            family,
            version: NFNETLINK_V0,
            res_id,
        }
        .to_bytes(),
    );
    b
}

impl Subsys<'_> {
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Starts message `msg` of this subsystem (see [`fill_hdr`]).
    pub fn fill_hdr(&self, msg: u8, flags: u16, family: u8, res_id: u16) -> MsgBuilder {
        fill_hdr(self.id, msg, flags, family, res_id)
    }

    /// Sends `msg` and returns this subsystem's replies, plus the success
    /// ACK's warning if any.
    pub fn query(
        &mut self,
        msg: &mut MsgBuilder,
        timeout: Duration,
    ) -> Result<(Vec<NfMsg>, Option<String>)> {
        let ex = self.nfnlh.sock.request(msg, timeout)?;
        let mut out = Vec::new();
        for m in ex.replies.iter().filter(|m| subsys_of(m.hdr.ty) == self.id) {
            out.push(NfMsg::try_from(m)?);
        }
        Ok((out, ex.warning))
    }
}
