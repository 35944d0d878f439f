//! `struct nlmsghdr`, a message builder and an iterator over the messages
//! of a received datagram.

use super::consts::*;
use super::error::ParseError;

/// `struct nlmsghdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlMsgHdr {
    pub len: u32,
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

impl NlMsgHdr {
    /// Decodes the header at the start of `b` (which must hold 16 bytes).
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        if b.len() < NLMSG_HDRLEN {
            return Err(ParseError::TruncatedHeader {
                what: "nlmsghdr",
                offset: 0,
                remaining: b.len(),
            });
        }
        Ok(NlMsgHdr {
            len: u32::from_ne_bytes(b[0..4].try_into().unwrap()),
            ty: u16::from_ne_bytes(b[4..6].try_into().unwrap()),
            flags: u16::from_ne_bytes(b[6..8].try_into().unwrap()),
            seq: u32::from_ne_bytes(b[8..12].try_into().unwrap()),
            pid: u32::from_ne_bytes(b[12..16].try_into().unwrap()),
        })
    }

    /// Encodes the header into 16 bytes.
    pub fn to_bytes(self) -> [u8; NLMSG_HDRLEN] {
        let mut b = [0u8; NLMSG_HDRLEN];
        b[0..4].copy_from_slice(&self.len.to_ne_bytes());
        b[4..6].copy_from_slice(&self.ty.to_ne_bytes());
        b[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        b[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        b[12..16].copy_from_slice(&self.pid.to_ne_bytes());
        b
    }
}

/// Position of an open nested attribute, returned by
/// [`MsgBuilder::nest_start`] and consumed by [`MsgBuilder::nest_end`].
#[must_use]
#[derive(Debug)]
pub struct Nest(usize);

/// Builds one netlink message: header, family header, attributes.
///
/// Lengths are kept up to date as data is appended, so [`MsgBuilder::bytes`]
/// is always a complete message.
#[derive(Debug, Clone)]
pub struct MsgBuilder {
    buf: Vec<u8>,
}

impl MsgBuilder {
    /// Starts a message of type `ty` with `flags`; seq and pid are filled in
    /// by the socket when it is sent.
    pub fn new(ty: u16, flags: u16) -> Self {
        let hdr = NlMsgHdr {
            len: NLMSG_HDRLEN as u32,
            ty,
            flags,
            seq: 0,
            pid: 0,
        };
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&hdr.to_bytes());
        MsgBuilder { buf }
    }

    fn pad(&mut self) {
        let aligned = nlmsg_align(self.buf.len());
        self.buf.resize(aligned, 0);
    }

    fn update_len(&mut self) {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
    }

    /// Appends a family header (e.g. `genlmsghdr`), padded to alignment.
    pub fn push_header(&mut self, hdr: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(hdr);
        self.pad();
        self.update_len();
        self
    }

    /// Appends an attribute with a raw payload, padded to `NLA_ALIGN`.
    /// `nla_len` counts the header and the unpadded payload.
    pub fn put(&mut self, ty: u16, payload: &[u8]) -> &mut Self {
        let len = NLA_HDRLEN + payload.len();
        assert!(len <= u16::MAX as usize, "attribute too large");
        self.buf.extend_from_slice(&(len as u16).to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
        self.update_len();
        self
    }

    /// Appends a NUL-terminated string attribute.
    pub fn put_str(&mut self, ty: u16, s: &[u8]) -> &mut Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s);
        v.push(0);
        self.put(ty, &v)
    }

    pub fn put_u8(&mut self, ty: u16, v: u8) -> &mut Self {
        self.put(ty, &[v])
    }

    pub fn put_u16(&mut self, ty: u16, v: u16) -> &mut Self {
        self.put(ty, &v.to_ne_bytes())
    }

    pub fn put_u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.put(ty, &v.to_ne_bytes())
    }

    pub fn put_u64(&mut self, ty: u16, v: u64) -> &mut Self {
        self.put(ty, &v.to_ne_bytes())
    }

    /// Opens a nested attribute (type gets `NLA_F_NESTED`); attributes put
    /// until the matching [`MsgBuilder::nest_end`] go inside it.
    pub fn nest_start(&mut self, ty: u16) -> Nest {
        let start = self.buf.len();
        self.put(ty | NLA_F_NESTED, &[]);
        Nest(start)
    }

    /// Closes a nested attribute: its `nla_len` covers all of its content.
    pub fn nest_end(&mut self, nest: Nest) -> &mut Self {
        let len = self.buf.len() - nest.0;
        assert!(len <= u16::MAX as usize, "nested attribute too large");
        self.buf[nest.0..nest.0 + 2].copy_from_slice(&(len as u16).to_ne_bytes());
        self
    }

    /// Sets `nlmsg_seq` and `nlmsg_pid`.
    pub fn set_seq_pid(&mut self, seq: u32, pid: u32) {
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.buf[12..16].copy_from_slice(&pid.to_ne_bytes());
    }

    /// The message so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Replaces the message's `nlmsg_flags`.
    pub fn set_flags(&mut self, flags: u16) {
        self.buf[6..8].copy_from_slice(&flags.to_ne_bytes());
    }

    /// The message's `nlmsg_flags`.
    pub fn flags(&self) -> u16 {
        u16::from_ne_bytes([self.buf[6], self.buf[7]])
    }
}

/// One message of a received datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlMsg<'a> {
    pub hdr: NlMsgHdr,
    /// Everything after the `nlmsghdr`, up to `nlmsg_len`.
    pub payload: &'a [u8],
}

/// An owned copy of a message, kept after the receive buffer is reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedMsg {
    pub hdr: NlMsgHdr,
    pub payload: Vec<u8>,
}

impl NlMsg<'_> {
    pub fn to_owned(&self) -> OwnedMsg {
        OwnedMsg {
            hdr: self.hdr,
            payload: self.payload.to_vec(),
        }
    }
}

/// Iterates over the messages packed in one datagram. A malformed length
/// yields one `Err` and ends the iteration.
pub struct Messages<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Messages<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Messages {
            buf,
            pos: 0,
            failed: false,
        }
    }

    fn fail(&mut self, e: ParseError) -> Option<Result<NlMsg<'a>, ParseError>> {
        self.failed = true;
        Some(Err(e))
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<NlMsg<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let offset = self.pos;
        let hdr = match NlMsgHdr::parse(rest) {
            Ok(h) => h,
            Err(_) => {
                return self.fail(ParseError::TruncatedHeader {
                    what: "nlmsghdr",
                    offset,
                    remaining: rest.len(),
                })
            }
        };
        let len = hdr.len as usize;
        if len < NLMSG_HDRLEN {
            return self.fail(ParseError::ShortLength {
                what: "message",
                offset,
                len,
            });
        }
        if len > rest.len() {
            return self.fail(ParseError::Overrun {
                what: "message",
                offset,
                len,
                remaining: rest.len(),
            });
        }
        self.pos += nlmsg_align(len).min(rest.len());
        Some(Ok(NlMsg {
            hdr,
            payload: &rest[NLMSG_HDRLEN..len],
        }))
    }
}
