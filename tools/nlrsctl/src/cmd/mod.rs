//! The commands, one file each.

pub mod echo;
pub mod family;
pub mod monitor;
pub mod nf;
pub mod policy;
pub mod rule;
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
/// returns its replies. Kernel errors come back with the offending attribute
/// named; an extack warning on success is printed.
pub fn nlrs_request(
    out: &Out,
    cmd: u8,
    fill: impl FnOnce(&mut MsgBuilder),
) -> Result<Vec<GenlMsg>, AppError> {
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, family_name())?;
    let mut req = genl::request(fam.id, cmd, FAMILY_VERSION);
    fill(&mut req);
    let (replies, warning) = gs
        .request(&mut req, fam.id, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, GENL_HDRLEN, genl_attr_name))?;
    out.warning(warning.as_deref());
    Ok(replies)
}

/// As [`nlrs_request`], for a command answered with a reply of the same
/// command, which is returned.
pub fn nlrs_do(
    out: &Out,
    cmd: u8,
    fill: impl FnOnce(&mut MsgBuilder),
) -> Result<GenlMsg, AppError> {
    Ok(nlrs_request(out, cmd, fill)?
        .into_iter()
        .find(|m| m.hdr.cmd == cmd)
        .ok_or(ParseError::Missing("a reply of the request's command"))?)
}

/// Dumps command `cmd` of the nlrs family and returns every entry. A dump
/// that raced a change (`NLM_F_DUMP_INTR`) is retried a few times, then
/// returned with a warning, as iproute2 does.
pub fn nlrs_dump(out: &Out, cmd: u8) -> Result<Vec<GenlMsg>, AppError> {
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, family_name())?;
    for attempt in 0.. {
        let mut req = genl::request(fam.id, cmd, FAMILY_VERSION);
        let (msgs, interrupted) = gs
            .dump(&mut req, fam.id, REQUEST_TIMEOUT)
            .map_err(|e| annotate(e, &req, GENL_HDRLEN, genl_attr_name))?;
        if !interrupted {
            return Ok(msgs);
        }
        if attempt == 2 {
            out.diag("Warning: the dump was interrupted by changes and may be inconsistent");
            return Ok(msgs);
        }
    }
    unreachable!("the loop returns")
}
