//! nlrsctl: userspace control tool for the nlrs kernel module.
//!
//! Talks to the module's generic netlink family and nfnetlink subsystem
//! over raw `AF_NETLINK` sockets; the protocol numbers come from the
//! module's own `src/uapi.rs`.
//!
//! - `nl`: family-agnostic netlink codec and socket
//! - `genl`: generic netlink and nlctrl family resolution
//! - `nfnl`: nfnetlink
//! - `cli`, `help`: command line; `cmd`: the commands; `rule`: rules
//!   between words, attributes, text and JSON; `alert`: threshold alerts
//! - `output`, `json`, `error`, `errno`, `proto`: reporting and naming

pub mod alert;
pub mod cli;
pub mod cmd;
pub mod errno;
pub mod error;
pub mod genl;
pub mod help;
pub mod json;
pub mod nfnl;
pub mod nl;
pub mod output;
pub mod proto;
pub mod rule;

/// The nlrs wire protocol, shared with the kernel module.
#[path = "../../../src/uapi.rs"]
pub mod uapi;

#[cfg(test)]
mod tests;
