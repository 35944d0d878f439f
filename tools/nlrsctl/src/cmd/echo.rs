//! `nlrsctl echo TEXT`: generic netlink ECHO.

use crate::error::{annotate, AppError};
use crate::genl::{self, GenlSocket, GENL_HDRLEN};
use crate::json;
use crate::nl::ParseError;
use crate::output::Out;
use crate::proto::{family_name, genl_attr_name};
use crate::uapi::genl::{attr, cmd, FAMILY_VERSION};

use super::{resolve, REQUEST_TIMEOUT};

pub fn run(out: &Out, text: &[u8]) -> Result<(), AppError> {
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, family_name())?;

    let mut req = genl::request(fam.id, cmd::ECHO, FAMILY_VERSION);
    req.put_str(attr::MSG, text);
    let (replies, warning) = gs
        .request(&mut req, fam.id, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, GENL_HDRLEN, genl_attr_name))?;
    out.warning(warning.as_deref());

    let reply = replies
        .iter()
        .find(|m| m.hdr.cmd == cmd::ECHO)
        .ok_or(ParseError::Missing("an ECHO message"))?;
    let msg = reply
        .attrs()
        .find(attr::MSG)?
        .ok_or(ParseError::Missing("the MSG attribute"))?;

    if out.json {
        out.line(
            &json::Obj::new()
                .raw("msg", &json::bytes(msg.str_bytes()))
                .finish(),
        )
    } else {
        out.line_bytes(msg.str_bytes())
    }
}
