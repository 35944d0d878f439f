//! The commands, one file each.

pub mod echo;
pub mod family;
pub mod monitor;
pub mod nf;
pub mod policy;
pub mod stats;

use std::time::Duration;

use crate::error::{annotate, AppError};
use crate::genl::{self, getfamily_request, FamilyInfo, GenlMsg, GenlSocket, GENL_HDRLEN};
use crate::nl::{MsgBuilder, ParseError};
use crate::output::Out;
use crate::proto::{ctrl_attr_name, family_name, genl_attr_name};
use crate::uapi::genl::FAMILY_VERSION;

/// How long a request may wait for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves family `name`, failing with [`AppError::FamilyNotFound`].
pub fn resolve(gs: &mut GenlSocket, name: &str) -> Result<FamilyInfo, AppError> {
    gs.resolve(name, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &getfamily_request(name), GENL_HDRLEN, ctrl_attr_name))?
        .ok_or_else(|| AppError::FamilyNotFound(name.to_owned()))
}

/// Sends command `cmd` to the nlrs family, with attributes `fill` adds, and
/// returns the reply of the same command. Kernel errors come back with the
/// offending attribute named; an extack warning on success is printed.
pub fn nlrs_do(
    out: &Out,
    cmd: u8,
    fill: impl FnOnce(&mut MsgBuilder),
) -> Result<GenlMsg, AppError> {
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, family_name())?;
    let mut req = genl::request(fam.id, cmd, FAMILY_VERSION);
    fill(&mut req);
    let (replies, warning) = gs
        .request(&mut req, fam.id, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, GENL_HDRLEN, genl_attr_name))?;
    out.warning(warning.as_deref());
    Ok(replies
        .into_iter()
        .find(|m| m.hdr.cmd == cmd)
        .ok_or(ParseError::Missing("a reply of the request's command"))?)
}
