//! The commands, one file each.

pub mod echo;
pub mod family;
pub mod monitor;
pub mod nf;
pub mod policy;
pub mod stats;

use std::time::Duration;

use crate::error::{annotate, AppError};
use crate::genl::{getfamily_request, FamilyInfo, GenlSocket, GENL_HDRLEN};
use crate::proto::ctrl_attr_name;

/// How long a request may wait for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves family `name`, failing with [`AppError::FamilyNotFound`].
pub fn resolve(gs: &mut GenlSocket, name: &str) -> Result<FamilyInfo, AppError> {
    gs.resolve(name, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &getfamily_request(name), GENL_HDRLEN, ctrl_attr_name))?
        .ok_or_else(|| AppError::FamilyNotFound(name.to_owned()))
}
