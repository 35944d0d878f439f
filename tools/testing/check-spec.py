#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks Documentation/netlink/specs/nlrs.yaml on the host: it validates
against the kernel's genetlink schema (the YNL protocol level it claims),
and every command, attribute and group number it implies is the one
src/uapi.rs defines. The in-guest test test_ynl.py compares it with what
the running kernel reports (CTRL_CMD_GETPOLICY, CTRL_CMD_GETFAMILY)."""

import os
import re
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "corpus"))
sys.path.insert(0, HERE)
import ksrc  # noqa: E402
from corpus import load_spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
UAPI = os.path.join(ROOT, "src/uapi.rs")


def uapi_modules():
    """{module path: {CONST: value}} of src/uapi.rs's u8/u16 constants."""
    mods, stack = {}, []
    for line in open(UAPI):
        if m := re.match(r"\s*pub mod (\w+) \{", line):
            stack.append(m.group(1))
        elif re.match(r"\s*\}\s*$", line) and stack:
            stack.pop()
        elif m := re.match(r"\s*pub const (\w+): u(?:8|16|32) = ([\d_]+);", line):
            mods.setdefault("::".join(stack), {})[m.group(1)] = int(m.group(2))
    return mods


def const_name(name):
    return name.upper().replace("-", "_")


def main():
    failures = []
    spec, attr_sets = load_spec()
    schema = ksrc.genetlink_schema()
    jsonschema.validate(spec, yaml.safe_load(open(schema)))
    print(f"schema: valid against {schema}")

    uapi = uapi_modules()
    consts = {const_name(d["name"]): d["value"] for d in spec.get("definitions", [])
              if d["type"] == "const"}
    sets = {"nlrs": "genl::attr", "rule-match": "genl::rule_match",
            "threshold": "genl::threshold", "counters": "genl::counters"}
    assert set(sets) == {s["name"] for s in spec["attribute-sets"]}, "attribute sets differ"
    for s in spec["attribute-sets"]:
        want = {}
        for k, v in uapi[sets[s["name"]]].items():
            if k in consts and consts[k] != v:
                failures.append(f"const {k}: spec {consts[k]} != uapi {v}")
            elif k != "MAX" and k not in consts:
                want[k] = v
        got = {const_name(name): a["value"] for name, a in attr_sets[s["name"]].items()}
        if got != want:
            failures.append(f"attribute set {s['name']}: spec {got} != uapi {want}")
    want = uapi["genl::cmd"]
    got = {const_name(o["name"]): o["value"] for o in spec["operations"]["list"]}
    if got != want:
        failures.append(f"operations: spec {got} != uapi {want}")
    groups = [g["name"] for g in spec["mcast-groups"]["list"]]
    rs = open(os.path.join(ROOT, "src/uapi.rs")).read()
    want = re.findall(r'pub const MCGRP_\w+: &CStr = c"(\w+)";', rs)
    if sorted(groups) != sorted(want):
        failures.append(f"groups: spec {groups} != uapi {want}")
    for f in failures:
        print("check-spec:", f)
    if failures:
        sys.exit(1)
    print(f"uapi: {len(got)} operations, {sum(len(s['attributes']) for s in spec['attribute-sets'])}"
          f" attributes in {len(sets)} sets and {len(groups)} groups agree")


if __name__ == "__main__":
    main()
