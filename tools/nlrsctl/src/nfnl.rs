//! nfnetlink (`NETLINK_NETFILTER`) on top of the [`nl`](crate::nl) codec.
//!
//! Shaped like libnfnetlink: an [`NfnlHandle`] owns the socket
//! (`nfnl_open`), a [`Subsys`] borrows it for one subsystem id
//! (`nfnl_subsys_open`), [`Subsys::fill_hdr`] starts a message
//! (`nfnl_fill_hdr`) and [`Subsys::query`] sends it and collects the
//! replies up to the ACK (`nfnl_query`).

use std::time::{Duration, Instant};

use crate::nl::ack::parse_ack;
use crate::nl::consts::{NETLINK_NETFILTER, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_REQUEST};
use crate::nl::{
    Attrs, Error, KernelError, Messages, MsgBuilder, OwnedMsg, ParseError, Result, Socket,
};

/// `NFNL_MSG_BATCH_BEGIN`: starts a batch; `res_id` names the subsystem.
pub const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
/// `NFNL_MSG_BATCH_END`: ends (and commits) a batch.
pub const NFNL_MSG_BATCH_END: u16 = 0x11;

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

    /// Makes room for multi-part replies sent all at once (`CHECKPOINT`):
    /// 32 MiB of receive buffer.
    pub fn grow_rcvbuf(&self) {
        self.sock.set_rcvbuf(32 << 20);
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

impl Subsys<'_> {
    /// Waits up to `timeout` (forever if `None`) for the next datagram and
    /// returns this subsystem's messages in it.
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Vec<NfMsg>> {
        let sock = &mut self.nfnlh.sock;
        sock.set_recv_timeout(timeout)?;
        let dg = sock.recv()?;
        let mut out = Vec::new();
        for m in Messages::new(dg.bytes) {
            let m = m?;
            if subsys_of(m.hdr.ty) == self.id {
                out.push(NfMsg::parse(m.hdr.ty, m.payload)?);
            }
        }
        Ok(out)
    }
}

/// How a batch went: every message the kernel refused, by index into the
/// messages given, with its error. Empty when the batch was applied.
pub type BatchErrors = Vec<(usize, KernelError)>;

impl Subsys<'_> {
    /// Sends `msgs` as one nfnetlink batch (`BATCH_BEGIN`, the messages,
    /// `BATCH_END`, in one datagram, as nft sends them) and collects the
    /// outcome. Only `BATCH_END` asks for an ACK, which comes when the batch
    /// was committed; a refused message gets its own error and the batch is
    /// aborted. The kernel handles the batch within the `sendto()` and
    /// queues every answer before it returns, so once an error is read the
    /// rest are already there.
    pub fn batch(&mut self, msgs: &mut [MsgBuilder], timeout: Duration) -> Result<BatchErrors> {
        let id = self.id;
        let sock = &mut self.nfnlh.sock;
        let portid = sock.portid();
        let hdr = NfgenMsg {
            family: 0,
            version: NFNETLINK_V0,
            res_id: id.into(),
        }
        .to_bytes();
        let mut begin = MsgBuilder::new(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST);
        begin.push_header(&hdr);
        let mut end = MsgBuilder::new(NFNL_MSG_BATCH_END, NLM_F_REQUEST | NLM_F_ACK);
        end.push_header(&hdr);
        let begin_seq = sock.next_seq();
        begin.set_seq_pid(begin_seq, portid);
        let mut bytes = begin.bytes().to_vec();
        let first = begin_seq.wrapping_add(1);
        for (i, m) in msgs.iter_mut().enumerate() {
            m.set_flags((m.flags() | NLM_F_REQUEST) & !NLM_F_ACK);
            m.set_seq_pid(first.wrapping_add(i as u32), portid);
            bytes.extend_from_slice(m.bytes());
        }
        let end_seq = first.wrapping_add(msgs.len() as u32);
        end.set_seq_pid(end_seq, portid);
        bytes.extend_from_slice(end.bytes());
        sock.set_seq(end_seq);
        // One datagram: room for it to go out, and for every error to come
        // back.
        let room = i32::try_from(bytes.len() * 2).unwrap_or(i32::MAX);
        sock.set_sndbuf(room);
        sock.set_rcvbuf(room.max(1 << 20));
        sock.send(&bytes)?;

        let deadline = Instant::now() + timeout;
        let mut errors = Vec::new();
        loop {
            let left = if errors.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::from_millis(50)
            };
            if left.is_zero() {
                return Err(Error::Timeout);
            }
            sock.set_recv_timeout(Some(left))?;
            let dg = match sock.recv() {
                Ok(dg) => dg,
                Err(Error::Timeout) if !errors.is_empty() => return Ok(errors),
                Err(e) => return Err(e),
            };
            for m in Messages::new(dg.bytes) {
                let m = m?;
                if m.hdr.ty != NLMSG_ERROR {
                    continue;
                }
                let result = parse_ack(m.hdr.flags, m.payload)?.result;
                let seq = m.hdr.seq;
                if seq == end_seq || seq == begin_seq {
                    // The commit's ack, or the batch refused as a whole.
                    return match result {
                        Err(k) => Err(Error::Kernel(k)),
                        Ok(_) if seq == end_seq && errors.is_empty() => Ok(errors),
                        Ok(_) => continue,
                    };
                }
                let i = seq.wrapping_sub(first) as usize;
                if let (Err(k), true) = (result, i < msgs.len()) {
                    errors.push((i, k));
                }
            }
        }
    }
}
