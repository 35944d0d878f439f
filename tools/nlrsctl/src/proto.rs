//! Names of the nlrs protocol numbers, for output and error messages: the
//! specs' own, through the tables [`uapi`](crate::uapi) is generated with.

use crate::genl::ctrl;
use crate::uapi::{genl, nfnl};

/// The generic netlink family name ("nlrs").
pub fn family_name() -> &'static str {
    genl::FAMILY_NAME.to_str().expect("uapi names are ASCII")
}

/// The multicast group carrying notifications ("events").
pub fn events_group() -> &'static str {
    genl::MCGRP_EVENTS.to_str().expect("uapi names are ASCII")
}

/// Name of a generic netlink command (also used for op ids), as the spec
/// names it.
pub fn genl_cmd_name(cmd: u32) -> Option<&'static str> {
    genl::cmd::NAMES
        .iter()
        .find(|&&(c, _)| u32::from(c) == cmd)
        .map(|&(_, name)| name)
}

/// The spec's name of the attribute at `path` (types from the outermost
/// attribute in; nested ones as `outer.inner`) in the set whose `PATHS`
/// table is `paths`.
fn path_name(
    paths: &'static [(&'static [u16], &'static str)],
    path: &[u16],
) -> Option<&'static str> {
    paths
        .iter()
        .find(|&&(p, _)| p == path)
        .map(|&(_, name)| name)
}

/// Name of a generic netlink attribute, given its path of types from the
/// outermost attribute in.
pub fn genl_attr_name(path: &[u16]) -> Option<&'static str> {
    path_name(genl::attr::PATHS, path)
}

/// Name of an nlctrl attribute (for errors resolving a family).
pub fn ctrl_attr_name(path: &[u16]) -> Option<&'static str> {
    match path {
        [ctrl::ATTR_FAMILY_ID] => Some("family-id"),
        [ctrl::ATTR_FAMILY_NAME] => Some("family-name"),
        _ => None,
    }
}

/// Name of an nfnetlink attribute, given its path of types.
pub fn nfnl_attr_name(path: &[u16]) -> Option<&'static str> {
    path_name(nfnl::attr::PATHS, path)
}

/// Names an attribute path with `namer`, falling back to the numeric types
/// joined by dots (e.g. `"3.1"`).
pub fn attr_path_name(path: &[u16], namer: fn(&[u16]) -> Option<&'static str>) -> String {
    match namer(path) {
        Some(n) => n.to_owned(),
        None => path
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("."),
    }
}
