//! Generates the names of the nlrs protocol's commands and attributes from
//! the module's `src/uapi.rs`, the protocol's single source: a constant
//! `RULE_MATCH` in `mod attr` is the attribute "rule-match". The names land
//! in `$OUT_DIR/uapi_names.rs`, which `proto.rs` includes.

use std::fmt::Write as _;
use std::path::Path;

/// A `pub const NAME: u8|u16 = N;` of a module of `uapi.rs`.
struct Const {
    /// Module path, e.g. `["genl", "attr"]`.
    module: Vec<String>,
    name: String,
    value: u32,
}

/// Every numeric constant of a nested module, with its module path.
fn parse(src: &str) -> Vec<Const> {
    let mut module: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in src.lines().map(str::trim) {
        if let Some(m) = line
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(" {"))
        {
            module.push(m.to_owned());
        } else if line == "}" {
            module.pop();
        } else if let Some(rest) = line.strip_prefix("pub const ") {
            let Some((name, rest)) = rest.split_once(": ") else {
                continue;
            };
            let Some((ty, value)) = rest.split_once(" = ") else {
                continue;
            };
            if !matches!(ty, "u8" | "u16") || name == "MAX" || name == "COUNT" {
                continue;
            }
            let Ok(value) = value.trim_end_matches(';').replace('_', "").parse() else {
                continue;
            };
            out.push(Const {
                module: module.clone(),
                name: name.to_owned(),
                value,
            });
        }
    }
    out
}

/// The constants of module `m`.
fn in_mod<'a>(consts: &'a [Const], m: &[&str]) -> Vec<&'a Const> {
    consts.iter().filter(|c| c.module == m).collect()
}

/// `RULE_MATCH` -> `rule-match`.
fn wire_name(c: &str) -> String {
    c.to_ascii_lowercase().replace('_', "-")
}

fn main() {
    let uapi = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src/uapi.rs");
    println!("cargo:rerun-if-changed={}", uapi.display());
    let src = std::fs::read_to_string(&uapi).expect("read src/uapi.rs");
    let consts = parse(&src);

    let mut out = String::new();
    for (table, m) in [("GENL_CMDS", &["genl", "cmd"][..])] {
        writeln!(out, "/// Names of `uapi::{}`.", m.join("::")).unwrap();
        writeln!(out, "pub const {table}: &[(u32, &str)] = &[").unwrap();
        for c in in_mod(&consts, m) {
            writeln!(out, "    ({}, {:?}),", c.value, wire_name(&c.name)).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    // Attribute paths: a top-level attribute, or one nested in the
    // attribute the nest's module is named after (`rule_match` in
    // `RULE_MATCH`, `threshold` in `RULE_THRESHOLD`).
    for (table, plane) in [("GENL_ATTRS", "genl"), ("NFNL_ATTRS", "nfnl")] {
        writeln!(
            out,
            "/// Attribute paths of `uapi::{plane}`, and their names."
        )
        .unwrap();
        writeln!(out, "pub const {table}: &[(&[u16], &str)] = &[").unwrap();
        for top in in_mod(&consts, &[plane, "attr"]) {
            let name = wire_name(&top.name);
            writeln!(out, "    (&[{}], {name:?}),", top.value).unwrap();
            let lower = top.name.to_ascii_lowercase();
            let short = lower.strip_prefix("rule_").unwrap_or(&lower);
            let nest = [lower.as_str(), short]
                .into_iter()
                .filter(|m| !matches!(*m, "attr" | "cmd" | "msg"))
                .find(|m| !in_mod(&consts, &["genl", m]).is_empty());
            let nested = nest.map_or(Vec::new(), |m| in_mod(&consts, &["genl", m]));
            for inner in nested {
                writeln!(
                    out,
                    "    (&[{}, {}], \"{name}.{}\"),",
                    top.value,
                    inner.value,
                    wire_name(&inner.name)
                )
                .unwrap();
            }
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("uapi_names.rs");
    std::fs::write(dest, out).expect("write uapi_names.rs");
}
