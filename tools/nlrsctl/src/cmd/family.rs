//! `nlrsctl family [NAME]`: what nlctrl knows about a family.

use serde::Serialize;

use crate::error::AppError;
use crate::genl::{FamilyInfo, GenlSocket, OP_FLAGS};
use crate::json;
use crate::output::Out;
use crate::proto::{family_name, genl_cmd_name};

use super::resolve;

fn op_name(fam: &FamilyInfo, id: u32) -> Option<&'static str> {
    if fam.name == family_name() {
        genl_cmd_name(id)
    } else {
        None
    }
}

fn flag_names(flags: u32) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = OP_FLAGS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    let known = OP_FLAGS.iter().fold(0, |a, (bit, _)| a | bit);
    if flags & !known != 0 {
        v.push("other");
    }
    v
}

/// The family as one JSON object.
pub fn to_json(fam: &FamilyInfo) -> String {
    json::to_string(&FamilyJson {
        name: &fam.name,
        id: fam.id,
        version: fam.version,
        hdrsize: fam.hdrsize,
        maxattr: fam.maxattr,
        ops: fam
            .ops
            .iter()
            .map(|op| OpJson {
                id: op.id,
                name: op_name(fam, op.id),
                flags: op.flags,
                flag_names: flag_names(op.flags),
            })
            .collect(),
        mcast_groups: fam
            .groups
            .iter()
            .map(|g| GroupJson {
                name: &g.name,
                id: g.id,
            })
            .collect(),
    })
}

/// `{"name":...,"id":N,"version":N,"hdrsize":N,"maxattr":N,"ops":[...],
/// "mcast_groups":[...]}`.
#[derive(Serialize)]
struct FamilyJson<'a> {
    name: &'a str,
    id: u16,
    version: u32,
    hdrsize: u32,
    maxattr: u32,
    ops: Vec<OpJson>,
    mcast_groups: Vec<GroupJson<'a>>,
}

/// `{"id":N,"name":...,"flags":N,"flag_names":[...]}`.
#[derive(Serialize)]
struct OpJson {
    id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'static str>,
    flags: u32,
    flag_names: Vec<&'static str>,
}

/// `{"name":...,"id":N}`.
#[derive(Serialize)]
struct GroupJson<'a> {
    name: &'a str,
    id: u32,
}

/// The family as text lines.
pub fn to_text(fam: &FamilyInfo) -> Vec<String> {
    let mut l = vec![
        format!("name: {}", fam.name),
        format!("id: {}", fam.id),
        format!("version: {}", fam.version),
        format!("hdrsize: {}", fam.hdrsize),
        format!("maxattr: {}", fam.maxattr),
    ];
    if fam.ops.is_empty() {
        l.push("ops: none".to_owned());
    } else {
        l.push("ops:".to_owned());
        for op in &fam.ops {
            l.push(format!(
                "  {} {} flags={}",
                op.id,
                op_name(fam, op.id).unwrap_or("-"),
                flag_names(op.flags).join(",")
            ));
        }
    }
    if fam.groups.is_empty() {
        l.push("mcast groups: none".to_owned());
    } else {
        l.push("mcast groups:".to_owned());
        for g in &fam.groups {
            l.push(format!("  {} {}", g.id, g.name));
        }
    }
    l
}

pub fn run(out: &Out, name: &str) -> Result<(), AppError> {
    let mut gs = GenlSocket::open()?;
    let fam = resolve(&mut gs, name)?;
    if out.json {
        out.line(&to_json(&fam))
    } else {
        for line in to_text(&fam) {
            out.line(&line)?;
        }
        Ok(())
    }
}
