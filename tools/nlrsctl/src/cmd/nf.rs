//! `nlrsctl nf echo TEXT`: nfnetlink ECHO.

use crate::error::{annotate, AppError};
use crate::json;
use crate::nfnl::{NfnlHandle, NFGENMSG_LEN};
use crate::nl::consts::{NLM_F_ACK, NLM_F_REQUEST};
use crate::nl::ParseError;
use crate::output::Out;
use crate::proto::nfnl_attr_name;
use crate::uapi::nfnl::{attr, msg};

use super::REQUEST_TIMEOUT;

pub fn echo(out: &Out, text: &[u8], subsys: u8) -> Result<(), AppError> {
    let mut h = NfnlHandle::open()?;
    let mut ss = h.subsys_open(subsys);
    let mut req = ss.fill_hdr(
        msg::ECHO,
        NLM_F_REQUEST | NLM_F_ACK,
        libc::AF_UNSPEC as u8,
        0,
    );
    req.put_str(attr::MSG, text);
    let (replies, warning) = ss
        .query(&mut req, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, NFGENMSG_LEN, nfnl_attr_name))?;
    out.warning(warning.as_deref());

    let reply = replies
        .iter()
        .find(|m| m.msg_type == msg::ECHO)
        .ok_or(ParseError::Missing("an ECHO message"))?;
    let text = reply
        .attrs()
        .find(attr::MSG)?
        .ok_or(ParseError::Missing("the MSG attribute"))?
        .str_bytes();

    if out.json {
        out.line(
            &json::Obj::new()
                .raw("msg", &json::bytes(text))
                .num("res_id", reply.nfgen.res_id)
                .finish(),
        )
    } else {
        out.line_bytes(text)
    }
}
