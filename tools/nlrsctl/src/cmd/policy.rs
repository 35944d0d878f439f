//! `nlrsctl policy`: the family's attribute policies, as the kernel reports
//! them through `CTRL_CMD_GETPOLICY`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{annotate, AppError};
use crate::genl::{ctrl, GenlHdr, GenlSocket, GENL_HDRLEN};
use crate::json;
use crate::nl::consts::{NLM_F_DUMP, NLM_F_REQUEST};
use crate::nl::{Attrs, MsgBuilder, ParseError};
use crate::output::Out;
use crate::proto::{ctrl_attr_name, family_name, genl_attr_name, genl_cmd_name};

use super::REQUEST_TIMEOUT;

const CMD_GETPOLICY: u8 = 10;
const ATTR_POLICY: u16 = 8;
const ATTR_OP_POLICY: u16 = 9;
const POLICY_DO: u16 = 1;
const POLICY_DUMP: u16 = 2;

/// `NL_POLICY_TYPE_ATTR_*`, with the names printed for them.
const FIELDS: &[(u16, &str)] = &[
    (2, "min_value"),
    (3, "max_value"),
    (4, "min_value"),
    (5, "max_value"),
    (6, "min_length"),
    (7, "max_length"),
    (8, "policy"),
    (9, "max_type"),
    (10, "bitfield32_mask"),
    (12, "mask"),
];
const TYPE_ATTR_TYPE: u16 = 1;

/// `enum netlink_attribute_type`, by value.
const TYPES: &[&str] = &[
    "invalid",
    "flag",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "binary",
    "string",
    "nul-string",
    "nested",
    "nested-array",
    "bitfield32",
    "sint",
    "uint",
];

/// One attribute's policy: its type name and its bounds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttrPolicy {
    /// The policy type ("u32", "string", ...).
    pub kind: String,
    pub fields: Vec<(&'static str, i128)>,
}

/// What the policy dump holds.
#[derive(Debug, Default, PartialEq)]
pub struct PolicyDump {
    /// Per command: the policy index of its do and of its dump.
    pub ops: BTreeMap<u32, (Option<u32>, Option<u32>)>,
    /// Per policy index, per attribute type.
    pub policies: BTreeMap<u32, BTreeMap<u16, AttrPolicy>>,
}

fn value(a: &crate::nl::Attr<'_>, ty: u16) -> Result<i128, ParseError> {
    Ok(match ty {
        2 | 3 => a.u64()? as i64 as i128,
        4 | 5 => a.u64()? as i128,
        _ => a.u32()? as i128,
    })
}

/// Adds one reply message's contents (after the genl header) to `dump`.
pub fn add_reply(dump: &mut PolicyDump, attrs: Attrs<'_>) -> Result<(), ParseError> {
    for a in attrs.collect_all()? {
        match a.ty {
            ATTR_OP_POLICY => {
                for op in a.nested().collect_all()? {
                    let entry = dump.ops.entry(op.ty.into()).or_default();
                    for p in op.nested().collect_all()? {
                        match p.ty {
                            POLICY_DO => entry.0 = Some(p.u32()?),
                            POLICY_DUMP => entry.1 = Some(p.u32()?),
                            _ => {}
                        }
                    }
                }
            }
            ATTR_POLICY => {
                for pol in a.nested().collect_all()? {
                    let attrs = dump.policies.entry(pol.ty.into()).or_default();
                    for at in pol.nested().collect_all()? {
                        let mut ap = AttrPolicy::default();
                        for f in at.nested().collect_all()? {
                            if f.ty == TYPE_ATTR_TYPE {
                                let t = f.u32()? as usize;
                                ap.kind = TYPES.get(t).map_or(t.to_string(), |s| s.to_string());
                            } else if let Some((_, name)) = FIELDS.iter().find(|(t, _)| *t == f.ty)
                            {
                                ap.fields.push((name, value(&f, f.ty)?));
                            }
                        }
                        attrs.insert(at.ty, ap);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn attr_name(policy: u32, top: &[u32], ty: u16) -> String {
    // Names are known for the policies that ops use directly.
    match genl_attr_name(&[ty]) {
        Some(n) if top.contains(&policy) => format!("{n} ({ty})"),
        _ => format!("{ty}"),
    }
}

pub fn run(out: &Out) -> Result<(), AppError> {
    let mut gs = GenlSocket::open()?;
    let mut req = MsgBuilder::new(ctrl::GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP);
    req.push_header(
        &GenlHdr {
            cmd: CMD_GETPOLICY,
            version: ctrl::VERSION,
        }
        .to_bytes(),
    );
    req.put_str(ctrl::ATTR_FAMILY_NAME, family_name().as_bytes());
    let (replies, warning) = gs
        .request(&mut req, ctrl::GENL_ID_CTRL, REQUEST_TIMEOUT)
        .map_err(|e| annotate(e, &req, GENL_HDRLEN, ctrl_attr_name))?;
    out.warning(warning.as_deref());

    let mut dump = PolicyDump::default();
    for g in &replies {
        add_reply(&mut dump, g.attrs())?;
    }
    let top: Vec<u32> = dump
        .ops
        .values()
        .flat_map(|(d, u)| [*d, *u])
        .flatten()
        .collect();

    if out.json {
        let ops = dump
            .ops
            .iter()
            .map(|(&cmd, &(d, u))| OpJson {
                cmd,
                name: genl_cmd_name(cmd),
                do_policy: d,
                dump_policy: u,
            })
            .collect();
        out.line(&json::to_string(&DumpJson {
            ops,
            policies: &dump.policies,
        }))
    } else {
        for (cmd, (d, u)) in &dump.ops {
            let name = genl_cmd_name(*cmd).unwrap_or("?");
            let mut line = format!("op {name} ({cmd}):");
            if let Some(d) = d {
                line += &format!(" do policy {d}");
            }
            if let Some(u) = u {
                line += &format!(" dump policy {u}");
            }
            out.line(&line)?;
        }
        for (idx, attrs) in &dump.policies {
            out.line(&format!("policy {idx}:"))?;
            if attrs.is_empty() {
                out.line("  (no attributes accepted)")?;
            }
            for (ty, ap) in attrs {
                let mut line = format!("  {}: {}", attr_name(*idx, &top, *ty), ap.kind);
                for (name, v) in &ap.fields {
                    line += &format!(" {name}={v}");
                }
                out.line(&line)?;
            }
        }
        Ok(())
    }
}

/// `{"ops":[...],"policies":{"N":{"TYPE":{...}}}}`.
#[derive(Serialize)]
pub(crate) struct DumpJson<'a> {
    pub(crate) ops: Vec<OpJson>,
    pub(crate) policies: &'a BTreeMap<u32, BTreeMap<u16, AttrPolicy>>,
}

/// An operation and the policies it validates against:
/// `{"cmd":N,"name":...,"do":N,"dump":N}`.
#[derive(Serialize)]
pub(crate) struct OpJson {
    pub(crate) cmd: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<&'static str>,
    #[serde(rename = "do", skip_serializing_if = "Option::is_none")]
    pub(crate) do_policy: Option<u32>,
    #[serde(rename = "dump", skip_serializing_if = "Option::is_none")]
    pub(crate) dump_policy: Option<u32>,
}

/// `{"type":...,FIELD:N,...}`: the fields as the kernel gave them.
impl Serialize for AttrPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1 + self.fields.len()))?;
        m.serialize_entry("type", &self.kind)?;
        for (name, v) in &self.fields {
            m.serialize_entry(name, v)?;
        }
        m.end()
    }
}
