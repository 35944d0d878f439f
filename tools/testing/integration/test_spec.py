# SPDX-License-Identifier: GPL-2.0
"""Documentation/netlink/specs/nlrs.yaml against the running kernel: the
operations, their capabilities and flags, their request policies (CTRL_CMD_GETPOLICY)
and the multicast groups (CTRL_CMD_GETFAMILY) must be exactly what the
spec says, so the two cannot drift apart."""

import json
import os
import struct
import sys

import nl
import uapi
from util import nlrsctl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "corpus"))
import corpus  # noqa: E402

CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_OPS = 6
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
GENL_CMD_CAP_DO = 0x2
GENL_CMD_CAP_DUMP = 0x4
GENL_CMD_CAP_HASPOL = 0x8
# The spec's operation flags, as the kernel reports them among the caps.
OP_FLAGS = {"admin-perm": 0x1, "uns-admin-perm": 0x10}

# YNL attribute types and the netlink_attribute_type the kernel reports.
KINDS = {"u8": "u8", "u16": "u16", "u32": "u32", "u64": "u64", "s32": "s32",
         "s64": "s64", "flag": "flag", "binary": "binary", "nest": "nested",
         "string": "nul-string"}
UNSIGNED_MAX = {"u8": 0xff, "u16": 0xffff, "u32": 0xffffffff, "u64": 0xffffffffffffffff}


def load_spec():
    """The spec, and its attribute sets with values and resolved checks."""
    return corpus.load_spec()


def expected_policy(sets, set_name, names):
    """What GETPOLICY should report for attributes `names` of a set:
    {type: (kind, fields, nested set name or None)}."""
    out = {}
    for name in names:
        a = sets[set_name][name]
        kind = KINDS[a["type"]]
        checks = a["checks"]
        fields = {}
        if a["type"] in UNSIGNED_MAX:
            fields["min_value"] = checks.get("min", 0)
            fields["max_value"] = checks.get("max", UNSIGNED_MAX[a["type"]])
        if "max-len" in checks:
            fields["max_length"] = checks["max-len"]
        if "exact-len" in checks:
            fields["min_length"] = fields["max_length"] = checks["exact-len"]
        out[a["value"]] = (kind, fields, a.get("nested-attributes"))
    return out


def compare_policy(sets, dump, idx, set_name, names, where, seen):
    got = dump["policies"].get(str(idx), {}) if idx is not None else {}
    want = expected_policy(sets, set_name, names)
    assert sorted(int(t) for t in got) == sorted(want), \
        f"{where}: kernel accepts types {sorted(int(t) for t in got)}, spec lists {sorted(want)}"
    for ty, (kind, fields, nested) in want.items():
        k = got[str(ty)]
        assert k["type"] == kind, f"{where}, type {ty}: kernel {k['type']}, spec {kind}"
        for f, v in fields.items():
            assert k.get(f) == v, f"{where}, type {ty}: kernel {f}={k.get(f)}, spec {v}"
        if nested:
            sub = k["policy"]
            if sub not in seen:
                seen.add(sub)
                compare_policy(sets, dump, sub, nested, list(sets[nested]),
                               f"{where} > {nested}", seen)


def test_request_policies_match_the_spec():
    spec, sets = load_spec()
    dump = json.loads(nlrsctl("-j", "policy")[1])
    kernel_ops = {o["cmd"]: o for o in dump["ops"]}
    spec_ops = {o["value"]: o for o in spec["operations"]["list"] if "do" in o or "dump" in o}
    assert sorted(kernel_ops) == sorted(spec_ops), (sorted(kernel_ops), sorted(spec_ops))
    checked = 0
    for cmd, op in spec_ops.items():
        for mode in ("do", "dump"):
            if mode not in op:
                continue
            names = (op[mode].get("request") or {}).get("attributes", [])
            compare_policy(sets, dump, kernel_ops[cmd].get(mode), op["attribute-set"],
                           names, f"{op['name']} {mode}", set())
            checked += 1
    assert checked == 7, checked


def family_ops_and_groups():
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        answers = s.request(nl.GENL_ID_CTRL, nl.genl_header(CTRL_CMD_GETFAMILY, 1)
                            + nl.attr_str(nl.CTRL_ATTR_FAMILY_NAME, "nlrs"))
    attrs = nl.parse_attrs(answers[0][1][4:])
    ops = {}
    for o in nl.parse_attrs(attrs[CTRL_ATTR_OPS]).values():
        oa = nl.parse_attrs(o)
        ops[struct.unpack("=I", oa[CTRL_ATTR_OP_ID])[0]] = \
            struct.unpack("=I", oa[CTRL_ATTR_OP_FLAGS])[0]
    groups = [nl.parse_attrs(g)[nl.CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()
              for g in nl.parse_attrs(attrs[nl.CTRL_ATTR_MCAST_GROUPS]).values()]
    return ops, groups


def test_operations_and_groups_match_the_spec():
    spec, _ = load_spec()
    ops, groups = family_ops_and_groups()
    want = {}
    for op in spec["operations"]["list"]:
        caps = 0
        for mode, cap in (("do", GENL_CMD_CAP_DO), ("dump", GENL_CMD_CAP_DUMP)):
            if mode in op:
                # Every operation has a policy: an empty one rejects any
                # attribute.
                caps |= cap | GENL_CMD_CAP_HASPOL
        if caps:
            want[op["value"]] = caps | sum(OP_FLAGS[f] for f in op.get("flags", []))
    mask = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP | GENL_CMD_CAP_HASPOL | sum(OP_FLAGS.values())
    assert {k: v & mask for k, v in ops.items()} == want, (ops, want)
    assert groups == [g["name"] for g in spec["mcast-groups"]["list"]], groups


def test_received_messages_are_held_against_the_spec():
    # nl.py refuses what the spec does not list for a message: an attribute
    # of another reply, one of another nested set, a u64 of four bytes.
    fid, _ = nl.resolve(uapi.GENL_FAMILY_NAME)

    def sent(cmd, *attrs):
        nl.check_sent(nl.NETLINK_GENERIC, fid, nl.genl_header(cmd) + b"".join(attrs))

    sent(uapi.GENL_CMD_ECHO, nl.attr_str(uapi.GENL_ATTR_MSG, "listed"))
    sent(uapi.GENL_CMD_RULE_GET, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 1),
         nl.nest(uapi.GENL_ATTR_RULE_COUNTERS, nl.attr_u64(uapi.GENL_COUNTERS_PACKETS, 1)))
    for cmd, attrs in (
            (uapi.GENL_CMD_ECHO, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 1)),
            (uapi.GENL_CMD_RULE_GET,
             nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u64(uapi.GENL_THRESHOLD_PACKETS + 99, 1))),
            (uapi.GENL_CMD_RULE_GET,
             nl.nest(uapi.GENL_ATTR_RULE_COUNTERS, nl.attr_u32(uapi.GENL_COUNTERS_PACKETS, 1)))):
        try:
            sent(cmd, attrs)
        except nl.SpecViolation:
            continue
        raise AssertionError(f"command {cmd} with {attrs.hex()} passed the check")
