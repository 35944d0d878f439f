//! Generic netlink on top of the [`nl`](crate::nl) codec: `genlmsghdr`,
//! family resolution through nlctrl, and request helpers.

use std::time::Duration;

use crate::nl::consts::{
    NETLINK_GENERIC, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use crate::nl::{Attrs, Error, MsgBuilder, OwnedMsg, ParseError, Result, Socket};

/// Size of `struct genlmsghdr`.
pub const GENL_HDRLEN: usize = 4;

/// The controller family (nlctrl), `<linux/genetlink.h>`.
pub mod ctrl {
    pub const GENL_ID_CTRL: u16 = 0x10;
    pub const VERSION: u8 = 1;
    pub const CMD_GETFAMILY: u8 = 3;

    pub const ATTR_FAMILY_ID: u16 = 1;
    pub const ATTR_FAMILY_NAME: u16 = 2;
    pub const ATTR_VERSION: u16 = 3;
    pub const ATTR_HDRSIZE: u16 = 4;
    pub const ATTR_MAXATTR: u16 = 5;
    pub const ATTR_OPS: u16 = 6;
    pub const ATTR_MCAST_GROUPS: u16 = 7;

    pub const ATTR_OP_ID: u16 = 1;
    pub const ATTR_OP_FLAGS: u16 = 2;

    pub const ATTR_MCAST_GRP_NAME: u16 = 1;
    pub const ATTR_MCAST_GRP_ID: u16 = 2;
}

/// Operation flags reported in `CTRL_ATTR_OP_FLAGS`.
pub const OP_FLAGS: &[(u32, &str)] = &[
    (0x01, "admin-perm"),
    (0x02, "do"),
    (0x04, "dump"),
    (0x08, "has-policy"),
    (0x10, "uns-admin-perm"),
];

/// `struct genlmsghdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenlHdr {
    pub cmd: u8,
    pub version: u8,
}

impl GenlHdr {
    pub fn to_bytes(self) -> [u8; GENL_HDRLEN] {
        [self.cmd, self.version, 0, 0]
    }

    pub fn parse(b: &[u8]) -> std::result::Result<Self, ParseError> {
        if b.len() < GENL_HDRLEN {
            return Err(ParseError::TruncatedHeader {
                what: "genlmsghdr",
                offset: NLMSG_HDRLEN,
                remaining: b.len(),
            });
        }
        Ok(GenlHdr {
            cmd: b[0],
            version: b[1],
        })
    }
}

/// A generic netlink message: header and attribute bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenlMsg {
    /// `nlmsg_type`, i.e. the family id.
    pub family: u16,
    pub hdr: GenlHdr,
    pub attrs: Vec<u8>,
}

impl GenlMsg {
    /// Splits a netlink message payload into `genlmsghdr` and attributes.
    pub fn parse(family: u16, payload: &[u8]) -> std::result::Result<Self, ParseError> {
        let hdr = GenlHdr::parse(payload)?;
        Ok(GenlMsg {
            family,
            hdr,
            attrs: payload[GENL_HDRLEN..].to_vec(),
        })
    }

    pub fn attrs(&self) -> Attrs<'_> {
        Attrs::new(&self.attrs)
    }
}

impl TryFrom<&OwnedMsg> for GenlMsg {
    type Error = ParseError;
    fn try_from(m: &OwnedMsg) -> std::result::Result<Self, ParseError> {
        GenlMsg::parse(m.hdr.ty, &m.payload)
    }
}

/// Starts a request `cmd` of family `family` with `NLM_F_REQUEST | NLM_F_ACK`.
pub fn request(family: u16, cmd: u8, version: u8) -> MsgBuilder {
    let mut b = MsgBuilder::new(family, NLM_F_REQUEST | NLM_F_ACK);
    b.push_header(&GenlHdr { cmd, version }.to_bytes());
    b
}

/// An operation of a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpInfo {
    pub id: u32,
    pub flags: u32,
}

/// A multicast group of a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McastGroup {
    pub name: String,
    pub id: u32,
}

/// What `CTRL_CMD_GETFAMILY` tells about a family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyInfo {
    pub name: String,
    pub id: u16,
    pub version: u32,
    pub hdrsize: u32,
    pub maxattr: u32,
    pub ops: Vec<OpInfo>,
    pub groups: Vec<McastGroup>,
}

impl FamilyInfo {
    /// Parses the attributes of a `CTRL_CMD_NEWFAMILY` reply.
    pub fn parse(attrs: &[u8]) -> std::result::Result<Self, ParseError> {
        let mut f = FamilyInfo::default();
        for a in Attrs::new(attrs) {
            let a = a?;
            match a.ty {
                ctrl::ATTR_FAMILY_ID => f.id = a.u16()?,
                ctrl::ATTR_FAMILY_NAME => f.name = a.string(),
                ctrl::ATTR_VERSION => f.version = a.u32()?,
                ctrl::ATTR_HDRSIZE => f.hdrsize = a.u32()?,
                ctrl::ATTR_MAXATTR => f.maxattr = a.u32()?,
                ctrl::ATTR_OPS => {
                    for entry in a.nested() {
                        let mut op = OpInfo { id: 0, flags: 0 };
                        for x in entry?.nested() {
                            let x = x?;
                            match x.ty {
                                ctrl::ATTR_OP_ID => op.id = x.u32()?,
                                ctrl::ATTR_OP_FLAGS => op.flags = x.u32()?,
                                _ => {}
                            }
                        }
                        f.ops.push(op);
                    }
                }
                ctrl::ATTR_MCAST_GROUPS => {
                    for entry in a.nested() {
                        let mut g = McastGroup {
                            name: String::new(),
                            id: 0,
                        };
                        for x in entry?.nested() {
                            let x = x?;
                            match x.ty {
                                ctrl::ATTR_MCAST_GRP_NAME => g.name = x.string(),
                                ctrl::ATTR_MCAST_GRP_ID => g.id = x.u32()?,
                                _ => {}
                            }
                        }
                        f.groups.push(g);
                    }
                }
                _ => {}
            }
        }
        Ok(f)
    }

    /// The id of multicast group `name`.
    pub fn group_id(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.id)
    }
}

/// Builds the `CTRL_CMD_GETFAMILY` request for `name`.
pub fn getfamily_request(name: &str) -> MsgBuilder {
    let mut b = request(ctrl::GENL_ID_CTRL, ctrl::CMD_GETFAMILY, ctrl::VERSION);
    b.put_str(ctrl::ATTR_FAMILY_NAME, name.as_bytes());
    b
}

/// A generic netlink socket.
pub struct GenlSocket {
    sock: Socket,
}

impl GenlSocket {
    pub fn open() -> Result<Self> {
        Ok(GenlSocket {
            sock: Socket::open(NETLINK_GENERIC)?,
        })
    }

    /// The underlying netlink socket (to join groups and receive).
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.sock
    }

    /// Resolves family `name`; `Ok(None)` if the kernel does not know it.
    pub fn resolve(&mut self, name: &str, timeout: Duration) -> Result<Option<FamilyInfo>> {
        let mut req = getfamily_request(name);
        let ex = match self.sock.request(&mut req, timeout) {
            Ok(ex) => ex,
            Err(Error::Kernel(k)) if k.errno == libc::ENOENT => return Ok(None),
            Err(e) => return Err(e),
        };
        for m in &ex.replies {
            if m.hdr.ty != ctrl::GENL_ID_CTRL {
                continue;
            }
            let g = GenlMsg::try_from(m)?;
            return Ok(Some(FamilyInfo::parse(&g.attrs)?));
        }
        Err(Error::Parse(ParseError::Missing(
            "a CTRL_CMD_NEWFAMILY message",
        )))
    }

    /// Sends a request and returns its generic netlink replies of family
    /// `family`, plus the success ACK's warning if any.
    pub fn request(
        &mut self,
        msg: &mut MsgBuilder,
        family: u16,
        timeout: Duration,
    ) -> Result<(Vec<GenlMsg>, Option<String>)> {
        let ex = self.sock.request(msg, timeout)?;
        let mut out = Vec::new();
        for m in ex.replies.iter().filter(|m| m.hdr.ty == family) {
            out.push(GenlMsg::try_from(m)?);
        }
        Ok((out, ex.warning))
    }

    /// Sends a dump request (`NLM_F_DUMP` is added) and returns every
    /// message of family `family` up to `NLMSG_DONE`, and whether any part
    /// was flagged `NLM_F_DUMP_INTR` (the data changed during the dump).
    pub fn dump(
        &mut self,
        msg: &mut MsgBuilder,
        family: u16,
        timeout: Duration,
    ) -> Result<(Vec<GenlMsg>, bool)> {
        msg.set_flags(msg.flags() | NLM_F_DUMP);
        let ex = self.sock.request(msg, timeout)?;
        let mut out = Vec::new();
        let mut interrupted = false;
        for m in ex.replies.iter().filter(|m| m.hdr.ty == family) {
            interrupted |= m.hdr.flags & NLM_F_DUMP_INTR != 0;
            out.push(GenlMsg::try_from(m)?);
        }
        Ok((out, interrupted))
    }
}
