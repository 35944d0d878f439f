//! Decoding of `NLMSG_ERROR` messages (ACKs and errors) with their extended
//! ACK TLVs.
//!
//! Payload layout (`struct nlmsgerr` then TLVs):
//!
//! ```text
//! | error: i32 | request nlmsghdr | request payload (unless NLM_F_CAPPED) | TLVs (if NLM_F_ACK_TLVS) |
//! ```

use super::attr::Attrs;
use super::consts::*;
use super::error::{KernelError, ParseError};
use super::msg::NlMsgHdr;

/// A decoded `NLMSG_ERROR` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The request this answers.
    pub request: Option<NlMsgHdr>,
    /// `Ok(warning)` for a success ACK (with an optional extack message,
    /// which the kernel uses for warnings); `Err` for an error.
    pub result: Result<Option<String>, KernelError>,
}

/// Decodes the payload of an `NLMSG_ERROR` message whose header has `flags`.
pub fn parse_ack(flags: u16, payload: &[u8]) -> Result<Ack, ParseError> {
    if payload.len() < 4 {
        return Err(ParseError::TruncatedHeader {
            what: "nlmsgerr",
            offset: NLMSG_HDRLEN,
            remaining: payload.len(),
        });
    }
    let error = i32::from_ne_bytes(payload[0..4].try_into().unwrap());
    let request = NlMsgHdr::parse(&payload[4..]).ok();

    let mut err = KernelError {
        errno: error.checked_neg().unwrap_or(i32::MAX),
        ..KernelError::default()
    };

    if flags & NLM_F_ACK_TLVS != 0 {
        let req = request.ok_or(ParseError::TruncatedHeader {
            what: "nlmsgerr",
            offset: NLMSG_HDRLEN + 4,
            remaining: payload.len() - 4,
        })?;
        let echoed = if flags & NLM_F_CAPPED != 0 {
            NLMSG_HDRLEN
        } else {
            nlmsg_align(req.len as usize)
        };
        let tlv_start = 4 + echoed;
        if tlv_start > payload.len() {
            return Err(ParseError::Overrun {
                what: "echoed request",
                offset: NLMSG_HDRLEN + 4,
                len: echoed,
                remaining: payload.len() - 4,
            });
        }
        for a in Attrs::new(&payload[tlv_start..]) {
            let a = a?;
            match a.ty {
                NLMSGERR_ATTR_MSG => err.msg = Some(a.string()),
                NLMSGERR_ATTR_OFFS => err.offset = Some(a.u32()?),
                NLMSGERR_ATTR_MISS_TYPE => err.miss_type = Some(a.u32()? as u16),
                NLMSGERR_ATTR_MISS_NEST => err.miss_nest = Some(a.u32()?),
                // Cookies and the violated policy are not reported.
                NLMSGERR_ATTR_COOKIE | NLMSGERR_ATTR_POLICY => {}
                _ => {}
            }
        }
    }

    let result = if error == 0 { Ok(err.msg) } else { Err(err) };
    Ok(Ack { request, result })
}
