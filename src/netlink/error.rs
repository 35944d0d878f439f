// SPDX-License-Identifier: GPL-2.0

//! Error codes netlink uses that `kernel::error::code` lacks on Linux 6.12.

use super::bindings;
use kernel::error::Error;

/// `EMSGSIZE`: the message has no room for what was put in it.
pub fn emsgsize() -> Error {
    Error::from_errno(-(bindings::EMSGSIZE as i32))
}

/// `ENOTCONN`: the sender is not the peer a request needs.
pub fn enotconn() -> Error {
    Error::from_errno(-(bindings::ENOTCONN as i32))
}
