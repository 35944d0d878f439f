//! `nlrsctl echo TEXT`: generic netlink ECHO.

use serde::Serialize;

use crate::error::AppError;
use crate::json;
use crate::nl::ParseError;
use crate::output::Out;
use crate::uapi::genl::{attr, cmd};

use super::nlrs_do;

pub fn run(out: &Out, text: &[u8]) -> Result<(), AppError> {
    let reply = nlrs_do(out, cmd::ECHO, |req| {
        req.put_str(attr::MSG, text);
    })?;
    let msg = reply
        .attrs()
        .find(attr::MSG)?
        .ok_or(ParseError::Missing("the MSG attribute"))?;

    if out.json {
        out.line(&json::to_string(&EchoJson {
            msg: msg.str_bytes(),
        }))
    } else {
        out.line_bytes(msg.str_bytes())
    }
}

/// `{"msg":...}`: the text the kernel echoed.
#[derive(Serialize)]
pub(crate) struct EchoJson<'a> {
    #[serde(serialize_with = "json::lossy")]
    pub(crate) msg: &'a [u8],
}
