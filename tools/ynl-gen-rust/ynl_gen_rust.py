#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generates Rust (and Python) code from YNL specs, the way the kernel's
ynl-gen-c.py generates C: the specs are loaded with the kernel's own YNL
library (nlspec.py), so definitions, checks and nested sets mean what they
mean to YNL.

Each spec is given as MODULE=PATH and becomes a module of that name in each
output. Modes:

  uapi    numbers and names, with the specs' docs as rustdoc: family name
          and version, commands (nfnetlink: message types and subsystem id),
          attribute sets, definitions, multicast groups. No dependencies, so
          a kernel module and a userspace tool can both build it.
  kernel  the kernel side: an attr_set! per nested set and per operation
          request, as ynl-gen-c's per-op policies (an attribute a request
          does not list is NLA_UNSPEC, which strict validation refuses; a
          loosely parsed nfnetlink request refuses, by name, each read-only
          attribute in its range instead). Sets of the same shape, in any
          module, are one. Then the operations' flags and the groups.
  python  the numbers as Python constants (MODULE_PATH_NAME), and per
          message type what the kernel may send in it, for tests that hold
          every received message against the spec.

Usage: ynl_gen_rust.py --ynl-lib DIR --schema-dir DIR --mode MODE
                       [-o FILE] MODULE=SPEC...
"""

import argparse
import functools
import os
import sys
import textwrap

# nfnetlink (NETLINK_NETFILTER): its own messages (the batches') have
# subsystem 0.
NETLINK_NETFILTER = 12

RUST_INT = {"u8": "u8", "u16": "u16", "u32": "u32", "u64": "u64",
            "s8": "i8", "s16": "i16", "s32": "i32", "s64": "i64"}
INT_KIND = {"u8": "U8", "u16": "U16", "u32": "U32", "u64": "U64",
            "s32": "S32", "s64": "S64"}


class GenError(Exception):
    pass


def ident(name):
    return name.replace("-", "_")


def upper(name):
    return ident(name).upper()


def camel(name):
    return "".join(w.capitalize() for w in name.replace("_", "-").split("-"))


def doc_lines(text, indent, prefix="///", width=80):
    if not text:
        return []
    lead = " " * indent + prefix + " "
    out = []
    for para in text.strip().split("\n\n"):
        if out:
            out.append(" " * indent + prefix)
        out += textwrap.wrap(" ".join(para.split()), width,
                             initial_indent=lead, subsequent_indent=lead,
                             break_on_hyphens=False)
    return out


class Family:
    """One spec, as nlspec loaded it, with what the generators need."""

    def __init__(self, module, path, nlspec, schema_dir):
        self.module = module
        self.path = path
        proto = nlspec_proto(path)
        schema = os.path.join(schema_dir, f"{proto}.yaml")
        self.spec = nlspec.SpecFamily(path, schema)
        self.proto = self.spec.proto
        self.consts = {name: c for name, c in self.spec.consts.items()
                       if not isinstance(c, nlspec.SpecStruct)}
        self.nfnl = (self.proto == "netlink-raw"
                     and self.spec.yaml.get("protonum") == NETLINK_NETFILTER)
        # nfnetlink parses a subsystem's messages loosely: an attribute the
        # policy leaves NLA_UNSPEC is ignored, not refused.
        self.loose = self.nfnl
        msg_type = {op.name: op.req_value if op.req_value is not None else op.rsp_value
                    for op in self.spec.msgs.values()}
        self.ops = [op for op in self.spec.msgs.values()
                    if not (self.nfnl and msg_type[op.name] >> 8 == 0)]
        if not self.ops:
            raise GenError(f"{path}: no operation")
        self.subsys = None
        if self.nfnl:
            ids = {msg_type[op.name] >> 8 for op in self.ops}
            if len(ids) != 1:
                raise GenError(f"{path}: message types of more than one "
                               f"nfnetlink subsystem: {sorted(ids)}")
            self.subsys = ids.pop()
        # The set most operations use is the family's own: `attr`.
        uses = {}
        for op in self.ops:
            if op.attr_set is not None:
                uses[op.attr_set.name] = uses.get(op.attr_set.name, 0) + 1
        if not uses:
            raise GenError(f"{path}: no operation has an attribute set")
        self.main_set = max(uses, key=lambda s: (uses[s], s == self.spec.name))

    def set_module(self, name):
        return "attr" if name == self.main_set else ident(name)

    def msg_value(self, v):
        """A message type as the family's code writes it: a generic netlink
        command, or an nfnetlink message type without the subsystem."""
        return v & 0xff if self.nfnl else v

    def const_value(self, v):
        if isinstance(v, int):
            return v
        if v not in self.consts:
            raise GenError(f"{self.path}: unknown constant {v}")
        return self.consts[v]["value"]

    def requests(self):
        """(op, mode, attribute names) of every request, in spec order."""
        for op in self.ops:
            for mode in ("do", "dump"):
                if mode in op.yaml:
                    req = op.yaml[mode].get("request", {})
                    yield op, mode, req.get("attributes", [])

    def replies(self):
        """{message type: (op name, attribute names)} of what the kernel
        sends: do and dump replies, notifications and events."""
        out = {}
        for op in self.ops:
            for mode in ("do", "dump"):
                reply = op.yaml.get(mode, {}).get("reply")
                if reply is not None:
                    attrs = out.get(op.rsp_value, (op.name, []))[1]
                    out[op.rsp_value] = (op.name, list(dict.fromkeys(
                        attrs + reply.get("attributes", []))))
            if "event" in op.yaml:
                out[op.rsp_value] = (op.name, op.yaml["event"].get("attributes", []))
            if "notify" in op.yaml:
                src = self.spec.msgs[op.yaml["notify"]]
                if "reply" not in src.yaml.get("do", {}):
                    raise GenError(f"{self.path}: {op.name} notifies {src.name}, "
                                   "which has no do reply")
                attrs = src.yaml["do"]["reply"].get("attributes", [])
                out[op.rsp_value] = (op.name, attrs)
        return out

    def rejected(self, set_name, names):
        """The read-only attributes of set_name below the highest of names,
        which a request of those names must refuse (in a loose plane)."""
        aset = self.spec.attr_sets[set_name]
        top = max((aset.attrs[n].value for n in names), default=0)
        return [n for n, a in aset.attrs.items()
                if n not in names and a.value < top and (set_name, n) in self.read_only]

    @functools.cached_property
    def read_only(self):
        """(set, attribute) of what no request of the spec takes."""
        taken = set()

        def take(set_name, names):
            for n in names:
                if (set_name, n) in taken:
                    continue
                taken.add((set_name, n))
                a = self.spec.attr_sets[set_name].attrs[n]
                if a.type == "nest":
                    inner = a.yaml["nested-attributes"]
                    take(inner, list(self.spec.attr_sets[inner].attrs))
        for op, _, names in self.requests():
            take(op.attr_set.name, names)
        return {(s, n) for s, aset in self.spec.attr_sets.items() for n in aset.attrs
                if (s, n) not in taken}


def nlspec_proto(path):
    import yaml
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f).get("protocol", "genetlink")


def header(fams, mode, comment):
    lines = [f"{comment} SPDX-License-Identifier: GPL-2.0",
             f"{comment} Do not edit directly, auto-generated from:"]
    lines += [f"{comment}\t{f.path}" for f in fams]
    lines += [f"{comment} by tools/ynl-gen-rust/ynl_gen_rust.py --mode {mode}"
              " (make regen)."]
    return lines


# --- uapi -----------------------------------------------------------------

def const_type(value):
    return "u32" if 0 <= value <= 0xffffffff else "u64" if value >= 0 else "i64"


def gen_uapi(fams):
    out = header(fams, "uapi", "//")
    out += ["", "//! The wire protocol: names and numbers of every operation, attribute,",
            "//! constant and multicast group of the specs above.", "//!",
            "//! It has no dependencies, so the kernel module and a userspace tool",
            "//! both build it and cannot disagree.", ""]
    for i, fam in enumerate(fams):
        out += uapi_module(fam, fams[:i])
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def same_set(fam, name, earlier):
    """The first of earlier families that has set name exactly as fam has
    it (names, numbers, types, nests, docs), or None."""
    def flat(f, n):
        return [(an, a.value, a.type, a.yaml.get("nested-attributes"), a.yaml.get("doc"))
                for an, a in f.spec.attr_sets[n].attrs.items()] + \
            [f.spec.attr_sets[n].yaml.get("doc"), f.set_module(n)]
    return next((e for e in earlier if name in e.spec.attr_sets
                 and flat(e, name) == flat(fam, name)), None)


def uapi_module(fam, earlier):
    spec = fam.spec
    o = doc_lines(spec.yaml.get("doc"), 0)
    o.append(f"pub mod {fam.module} {{")
    if fam.proto == "genetlink" or spec.mcast_groups:
        o.append("    use core::ffi::CStr;")
        o.append("")
    if fam.proto == "genetlink":
        o += ["    /// Family name, as resolved through `CTRL_CMD_GETFAMILY`.",
              f'    pub const FAMILY_NAME: &CStr = c"{spec.name}";',
              "    /// Family version, in `genlmsghdr::version`.",
              f"    pub const FAMILY_VERSION: u8 = {spec.yaml.get('version', 1)};", ""]
    if fam.nfnl:
        o += ["    /// The nfnetlink subsystem id the spec's message types are built on",
              "    /// (the high byte of `nlmsg_type`).",
              f"    pub const SUBSYS_ID: u8 = {fam.subsys};", ""]
    for name, c in fam.consts.items():
        if isinstance(c, dict):
            o += doc_lines(c.get("doc"), 4)
            o.append(f"    pub const {upper(name)}: {const_type(c['value'])} = "
                     f"{rust_int(c['value'])};")
        else:
            o += enum_module(c)
    if fam.consts:
        o.append("")

    if fam.nfnl:
        o += ["    /// Message types: the low byte of `nlmsg_type`, under [`SUBSYS_ID`].",
              "    pub mod msg {"]
    else:
        o += ["    /// Commands (`genlmsghdr::cmd`).", "    pub mod cmd {"]
    for op in fam.ops:
        o += doc_lines(op.yaml.get("doc"), 8)
        o.append(f"        pub const {upper(op.name)}: u8 = "
                 f"{fam.msg_value(op.req_value if op.req_value is not None else op.rsp_value)};")
    if fam.nfnl:
        top = max(fam.msg_value(v) for op in fam.ops for v in (op.req_value, op.rsp_value)
                  if v is not None)
        o += ["        /// Number of message types.", f"        pub const COUNT: u8 = {top + 1};"]
    o += ["        /// Each one's name in the spec.", "        pub const NAMES: &[(u8, &str)] = &["]
    o += [f'            ({upper(op.name)}, "{op.name}"),' for op in fam.ops]
    o += ["        ];", "    }", ""]

    for name, aset in spec.attr_sets.items():
        mod = fam.set_module(name)
        same = same_set(fam, name, earlier)
        if same is not None:
            o += [f"    /// Attribute types of the `{name}` set, as in {same.module}.",
                  f"    pub use super::{same.module}::{mod};", ""]
            continue
        o += doc_lines(f"Attribute types of the `{name}` set.\n\n"
                       f"{aset.yaml.get('doc', '')}", 4)
        o.append(f"    pub mod {mod} {{")
        for aname, a in aset.attrs.items():
            o += doc_lines(a.yaml.get("doc"), 8)
            o.append(f"        pub const {upper(aname)}: u16 = {a.value};")
        o += ["        /// Highest attribute type.",
              f"        pub const MAX: u16 = {max(a.value for a in aset.attrs.values())};"]
        o += attr_paths(fam, name)
        o += ["    }", ""]

    for g in spec.mcast_groups.values():
        o += doc_lines(g.yaml.get("doc") or f'Multicast group "{g.name}".', 4)
        o.append(f'    pub const MCGRP_{upper(g.name)}: &CStr = c"{g.name}";')
    if spec.mcast_groups:
        o.append("")
    while o[-1] == "":
        o.pop()
    return o + ["}", ""]


def attr_paths(fam, set_name):
    """The PATHS table of a set's module: every attribute, nested ones
    included, by its path of types, with its name in the spec (a nested
    one's as outer.inner), for tools that name what an extack points at."""
    rows = []

    def walk(name, types, names):
        mod = "" if name == set_name else f"super::{fam.set_module(name)}::"
        for aname, a in fam.spec.attr_sets[name].attrs.items():
            t, n = types + [f"{mod}{upper(aname)}"], names + [aname]
            rows.append((t, ".".join(n)))
            if a.yaml.get("type") == "nest":
                walk(a.yaml["nested-attributes"], t, n)

    walk(set_name, [], [])
    o = ["        /// Every attribute of the set, nested ones included, by its path of",
         "        /// types, with its name in the spec (a nested one's as `outer.inner`).",
         "        pub const PATHS: &[(&[u16], &str)] = &["]
    for types, n in rows:
        o.append(f'            (&[{", ".join(types)}], "{n}"),')
    return o + ["        ];"]


def enum_module(e):
    o = doc_lines(e.yaml.get("doc") or f"Values of `{e.name}`.", 4)
    o.append(f"    pub mod {ident(e.name)} {{")
    for name, entry in e.entries.items():
        o += doc_lines(entry.doc, 8)
        o.append(f"        pub const {upper(name)}: u32 = {entry.user_value()};")
    return o + ["    }"]


def rust_int(v):
    s = str(abs(v))
    if len(s) > 4:
        s = "{:_}".format(abs(v))
    return ("-" if v < 0 else "") + s


# --- kernel ---------------------------------------------------------------

# Checks each YNL type may carry, as the layer's kinds express them.
CHECKS = {"string": {"max-len", "unterminated-ok"},
          "binary": {"exact-len", "min-len", "max-len"},
          "flag": set(), "nest": set()}
CHECKS.update({t: {"min", "max"} for t in INT_KIND})
INT_RANGE = {"u8": (0, 0xff), "u16": (0, 0xffff), "u32": (0, 0xffffffff),
             "u64": (0, 0xffffffffffffffff), "s32": (-2**31, 2**31 - 1),
             "s64": (-2**63, 2**63 - 1)}


class Def:
    """One attr_set! to emit: a nested set or a request's attributes."""

    def __init__(self, fam, name, doc, set_name, names):
        self.fam, self.name, self.doc = fam, name, doc
        self.set_name, self.names = set_name, names
        # {type: (attribute name, its family)}: read-only attributes a
        # loosely parsed plane's request must refuse by name.
        self.rejects = {}


class KernelGen:
    """Plans every attr_set! of every module, then emits them. A set is
    keyed by its shape (names, types, kinds): one of each shape is emitted,
    in the first module that has it, and the others name it."""

    def __init__(self, fams):
        self.first = fams[0]
        self.defs = {}
        self.refs = {fam.module: [] for fam in fams}
        for fam in fams:
            self.plan(fam)

    def bound(self, fam, attr, key, rust_type, default):
        """(Rust expression, value) of a check, or of default without it."""
        checks = attr.yaml.get("checks", {})
        if key not in checks:
            return default
        v = checks[key]
        val = fam.const_value(v)
        lo, hi = INT_RANGE[{r: t for t, r in RUST_INT.items()}[rust_type]]
        if not lo <= val <= hi:
            raise GenError(f"{fam.path}: {attr.name}: {key} {val} is not a {rust_type}")
        if isinstance(v, int):
            return rust_int(v), val
        expr = f"uapi::{fam.module}::{upper(v)}"
        if const_type(val) != rust_type:
            expr = f"{expr} as {rust_type}"
        return f"{{ {expr} }}", val

    def kind(self, fam, attr):
        """(Rust kind with a {nested} placeholder, shape) of an attribute."""
        t, checks = attr.type, attr.yaml.get("checks", {})
        if t not in CHECKS:
            raise GenError(f"{fam.path}: {attr.name}: type {t} is not supported")
        extra = set(checks) - CHECKS[t]
        if extra:
            raise GenError(f"{fam.path}: {attr.name}: {t} checks {sorted(extra)} "
                           "are not supported")
        if t == "string":
            k = "Str" if checks.get("unterminated-ok") else "NulStr"
            e, v = self.bound(fam, attr, "max-len", "u16", ("0", 0))
            return f"{k}<{e}>", (k, v)
        if t == "binary":
            if "exact-len" in checks:
                e, v = self.bound(fam, attr, "exact-len", "u16", None)
                return f"Binary<{e}, {e}>", ("Binary", v, v)
            lo, lov = self.bound(fam, attr, "min-len", "u16", ("0", 0))
            hi, hiv = self.bound(fam, attr, "max-len", "u16",
                                 ("{ u16::MAX }", 0xffff) if "min-len" in checks else ("0", 0))
            return f"Binary<{lo}, {hi}>", ("Binary", lov, hiv)
        if t == "flag":
            return "Flag", ("Flag",)
        if t == "nest":
            shape = self.set_shape(fam, attr.yaml["nested-attributes"])
            return "Nested<{nested}>", ("Nested", shape)
        if attr.byte_order == "big-endian":
            raise GenError(f"{fam.path}: {attr.name}: big-endian requests are not supported")
        if not checks:
            return INT_KIND[t], (INT_KIND[t],)
        rt = RUST_INT[t]
        lo, lov = self.bound(fam, attr, "min", rt,
                             ("0", 0) if rt[0] == "u" else (f"{{ {rt}::MIN }}", INT_RANGE[t][0]))
        hi, hiv = self.bound(fam, attr, "max", rt, (f"{{ {rt}::MAX }}", INT_RANGE[t][1]))
        return f"{INT_KIND[t]}Range<{lo}, {hi}>", (INT_KIND[t] + "Range", lov, hiv)

    def set_shape(self, fam, set_name, names=None):
        aset = fam.spec.attr_sets[set_name]
        names = list(aset.attrs) if names is None else names
        for n in names:
            if n not in aset.attrs:
                raise GenError(f"{fam.path}: {set_name} has no attribute {n}")
        return tuple(sorted((aset.attrs[n].value, ident(n), self.kind(fam, aset.attrs[n])[1])
                            for n in names))

    def define(self, fam, key, name, doc, set_name, names):
        """The set of shape key, defined here unless another module has it;
        its nested sets first."""
        for n in names:
            a = fam.spec.attr_sets[set_name].attrs[n]
            if a.type == "nest":
                nested = a.yaml["nested-attributes"]
                self.define(fam, ("set", self.set_shape(fam, nested)),
                            f"{camel(nested)}Attrs", f"Attributes nested in `{nested}`.\n\n"
                            f"{fam.spec.attr_sets[nested].yaml.get('doc', '')}",
                            nested, list(fam.spec.attr_sets[nested].attrs))
        if key not in self.defs:
            self.defs[key] = Def(fam, name, doc, set_name, names)
        return self.defs[key]

    def plan(self, fam):
        for op, mode, names in fam.requests():
            what = f"the `{op.name}`" + (" dump" if mode == "dump" else "")
            name = camel(op.name) + ("Dump" if mode == "dump" and "do" in op.yaml else "")
            name = f"{name}Request" if names else "NoAttrs"
            doc = f"Attributes of {what} request." if names else \
                "A request that takes no attributes."
            key = ("req", self.set_shape(fam, op.attr_set.name, names))
            d = self.define(fam, key, name, doc, op.attr_set.name, names)
            if fam.loose:
                for n in fam.rejected(op.attr_set.name, names):
                    d.rejects[op.attr_set.attrs[n].value] = (n, fam)
            if (d.fam is not fam or d.name != name) and \
                    name not in {ref[1] for ref in self.refs[fam.module]}:
                self.refs[fam.module].append((d, name, what))

    def path(self, fam, d):
        return d.name if d.fam is fam else f"super::{d.fam.module}::{d.name}"

    def render(self, d, kinds):
        """The attr_set! of d; adds the layer's kinds it uses to kinds."""
        fam = d.fam
        aset = fam.spec.attr_sets[d.set_name]
        mod = fam.set_module(d.set_name)
        rows = []
        for n in d.names:
            a = aset.attrs[n]
            kind, shape = self.kind(fam, a)
            if shape[0] == "Nested":
                kind = kind.format(nested=self.path(fam, self.defs[("set", shape[1])]))
            kinds.add(shape[0])
            rows.append((a.value, a.yaml.get("doc"), ident(n), kind,
                         f"uapi::{fam.module}::{mod}::{upper(n)}"))
        for value, (n, owner) in d.rejects.items():
            # The set's own family names the attribute, if it has it.
            if aset.attrs.get(n) is not None and aset.attrs[n].value == value:
                owner = fam
            else:
                mod = owner.set_module(d.set_name)
            path = f"uapi::{owner.module}::{mod}::{upper(n)}"
            msg = f"{camel(n)}ReadOnly"
            if fam is not self.first:
                msg = f"super::{self.first.module}::{msg}"
            rows.append((value, f"`{n}` is the kernel's to report.", ident(n),
                         f"Reject<{msg}>", path))
            kinds.add("Reject")
        o = ["attr_set! {"] + doc_lines(d.doc, 4)
        if not rows:
            return o + [f"    pub(crate) struct {d.name} {{}}", "}", ""]
        o.append(f"    pub(crate) struct {d.name} {{")
        for _, adoc, field, kind, ty in sorted(rows):
            o += doc_lines(adoc, 8)
            o.append(f"        {field}: {kind} = {ty},")
        return o + ["    }", "}", ""]

    def module(self, fam):
        """The body of fam's module, and the layer's items it uses."""
        kinds, o = set(), []
        defs = [d for d in self.defs.values() if d.fam is fam]
        rejects = {n for d in self.defs.values() for n, _ in d.rejects.values()}
        for n in sorted(rejects if fam is self.first else ()):
            o += [f"/// Refuses `{n}` in a request: it is read-only.",
                  f"pub(crate) struct {camel(n)}ReadOnly;", "",
                  f"impl RejectMessage for {camel(n)}ReadOnly {{",
                  f'    const MESSAGE: &\'static CStr = c"{ident(n)} is read-only";', "}", ""]
            kinds.update(("RejectMessage", "CStr"))
        for d in defs:
            o += self.render(d, kinds)
        for d, name, what in self.refs[fam.module]:
            where = self.path(fam, d)
            o += [f"/// Attributes of {what} request: those of [`{where}`]." if name != "NoAttrs"
                  else f"/// A request that takes no attributes: [`{where}`].",
                  f"pub(crate) type {name} = {where};",
                  f"/// A validated [`{name}`].",
                  f"pub(crate) type {name}View<'a> = {where}View<'a>;", ""]
        if fam.proto == "genetlink":
            o += self.op_flags(fam)
            o += self.groups(fam)
            kinds.update(("OpFlags", "McGroup", "genl_groups") if fam.spec.mcast_groups
                         else ("OpFlags",))
        return o, kinds

    def op_flags(self, fam):
        o = []
        for op in fam.ops:
            if "do" not in op.yaml and "dump" not in op.yaml:
                continue
            f = op.yaml.get("flags", [])
            expr = " | ".join(f"OpFlags::{upper(x)}" for x in f) or "OpFlags::NONE"
            o += [f"/// Who may send `{op.name}`.",
                  f"pub(crate) const {upper(op.name)}_FLAGS: OpFlags = {expr};"]
        return o + [""]

    def groups(self, fam):
        groups = list(fam.spec.mcast_groups.values())
        if not groups:
            return []
        o = ["genl_groups! {",
             f"    /// The multicast groups of {os.path.basename(fam.path)}, in its order.",
             "    pub(crate) enum Groups {"]
        for g in groups:
            ctor = "admin" if "admin-perm" in g.yaml.get("flags", []) else "new"
            o += [f'        /// The "{g.name}" group.',
                  f"        {camel(g.name)} = McGroup::{ctor}(uapi::{fam.module}::MCGRP_{upper(g.name)}),"]
        return o + ["    }", "}", ""]


def gen_kernel(fams):
    gen = KernelGen(fams)
    out = header(fams, "kernel", "//")
    out += ["", "//! The kernel side of the specs: what each request may carry (the",
            "//! policy the kernel validates against, and the typed view handlers",
            "//! read), who may send it, and the multicast groups.", ""]
    for fam in fams:
        body, kinds = gen.module(fam)
        attr = sorted(k for k in kinds
                      if k not in ("OpFlags", "McGroup", "genl_groups", "CStr"))
        genl = sorted(k for k in kinds if k in ("OpFlags", "McGroup"))
        layer = (["attr::{" + ", ".join(attr) + "}"] if attr else []) + \
            (["genl::{" + ", ".join(genl) + "}"] if genl else [])
        imports = (["attr_set"] if attr else []) + \
            (["genl_groups"] if "genl_groups" in kinds else []) + \
            (["netlink::{" + ", ".join(layer) + "}"] if layer else []) + \
            (["uapi"] if any("uapi::" in line for line in body) else [])
        out += doc_lines(f"The requests of {os.path.basename(fam.path)}.", 0)
        out += ["// Not every operation's set or alias is named by its handler.",
                "#[allow(dead_code)]", f"pub(crate) mod {fam.module} {{"]
        if imports:
            out.append("    use crate::{" + ", ".join(imports) + "};")
        if "CStr" in kinds:
            out.append("    use core::ffi::CStr;")
        out.append("")
        out += [("    " + line) if line else "" for line in body]
        while out[-1] == "":
            out.pop()
        out += ["}", ""]
    return "\n".join(out[:-1]) + "\n"


# --- python ---------------------------------------------------------------

def gen_python(fams):
    out = header(fams, "python", "#")
    out += ['"""The specs\' numbers, and what the kernel may send in each message."""', ""]
    for fam in fams:
        p = fam.module.upper()
        spec = fam.spec
        if fam.proto == "genetlink":
            out += [f'{p}_FAMILY_NAME = "{spec.name}"',
                    f"{p}_FAMILY_VERSION = {spec.yaml.get('version', 1)}"]
        if fam.nfnl:
            out.append(f"{p}_SUBSYS_ID = {fam.subsys}")
        for name, c in fam.consts.items():
            if isinstance(c, dict):
                out.append(f"{p}_{upper(name)} = {c['value']}")
            else:
                for en, entry in c.entries.items():
                    out.append(f"{p}_{upper(c.name)}_{upper(en)} = {entry.user_value()}")
        kind = "MSG" if fam.nfnl else "CMD"
        for op in fam.ops:
            v = op.req_value if op.req_value is not None else op.rsp_value
            out.append(f"{p}_{kind}_{upper(op.name)} = {fam.msg_value(v)}")
        for name, aset in spec.attr_sets.items():
            mod = upper(fam.set_module(name))
            for an, a in aset.attrs.items():
                out.append(f"{p}_{mod}_{upper(an)} = {a.value}")
        for g in spec.mcast_groups.values():
            out.append(f'{p}_MCGRP_{upper(g.name)} = "{g.name}"')
        out += ["", "# {attribute type: (name, type, nested set or None)} of each set."]
        for name in py_set_order(fam):
            same = same_set(fam, name, fams[:fams.index(fam)])
            if same is not None:
                out.append(f"{p}_SET_{upper(name)} = {same.module.upper()}_SET_{upper(name)}")
                continue
            out.append(f"{p}_SET_{upper(name)} = {{")
            for an, a in fam.spec.attr_sets[name].attrs.items():
                nested = (f"{p}_SET_{upper(a.yaml['nested-attributes'])}"
                          if a.type == "nest" else "None")
                out.append(f"    {a.value}: ({an!r}, {py_type(fam, a)!r}, {nested}),")
            out.append("}")
        out += ["", "# {message type: (operation, its set, the attribute types it may carry)}",
                "# of what the kernel sends: replies, notifications and events.",
                f"{p}_REPLIES = {{"]
        for value, (opname, names) in sorted(fam.replies().items()):
            aset = spec.msgs[opname].attr_set
            types = ", ".join(str(aset.attrs[n].value) for n in names)
            out.append(f"    {fam.msg_value(value)}: ({opname!r}, {p}_SET_{upper(aset.name)}, "
                       f"({types}{',' if len(names) == 1 else ''})),")
        out += ["}", ""]
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def py_set_order(fam):
    """The family's attribute sets, each after the sets it nests."""
    order, seen = [], set()

    def visit(name, path):
        if name in path:
            raise GenError(f"{fam.path}: recursive nest {name}")
        if name in seen:
            return
        for a in fam.spec.attr_sets[name].attrs.values():
            if a.type == "nest":
                visit(a.yaml["nested-attributes"], path | {name})
        seen.add(name)
        order.append(name)
    for name in fam.spec.attr_sets:
        visit(name, set())
    return order


def py_type(fam, a):
    """The attribute's type; a binary one of exact length as binaryN."""
    checks = a.yaml.get("checks", {})
    if a.type == "binary" and "exact-len" in checks:
        return f"binary{fam.const_value(checks['exact-len'])}"
    return a.type


def check_shared(fams):
    """What two specs both define, they define alike: constants of the same
    name have the same value, and attributes of the same name in sets of
    the same name the same number, type and nested set. (Their checks may
    differ; requests that share a parser must then share a policy too,
    which the kernel module's build checks.)"""
    def attr(fam, x):
        return (x.value, x.type, x.yaml.get("nested-attributes"))

    errors = []
    for i, a in enumerate(fams):
        for b in fams[i + 1:]:
            for name in a.consts.keys() & b.consts.keys():
                x, y = a.consts[name], b.consts[name]
                if isinstance(x, dict) and isinstance(y, dict) and x["value"] != y["value"]:
                    errors.append(f"{name}: {a.path} has {x['value']}, {b.path} {y['value']}")
            for name in a.spec.attr_sets.keys() & b.spec.attr_sets.keys():
                sa, sb = a.spec.attr_sets[name], b.spec.attr_sets[name]
                for an in sa.attrs.keys() & sb.attrs.keys():
                    x, y = attr(a, sa.attrs[an]), attr(b, sb.attrs[an])
                    if x != y:
                        errors.append(f"{name}.{an}: {a.path} has {x}, {b.path} {y}")
    if errors:
        raise GenError("specs disagree:\n  " + "\n  ".join(errors))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ynl-lib", required=True, help="the kernel's YNL lib/ (nlspec.py)")
    ap.add_argument("--schema-dir", required=True, help="the kernel's Documentation/netlink")
    ap.add_argument("--mode", required=True, choices=("uapi", "kernel", "python"))
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    ap.add_argument("specs", nargs="+", metavar="MODULE=SPEC")
    args = ap.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(args.ynl_lib)))
    from importlib import import_module
    nlspec = import_module(os.path.basename(os.path.normpath(args.ynl_lib)) + ".nlspec")
    try:
        fams = []
        for item in args.specs:
            module, _, path = item.partition("=")
            if not path:
                raise GenError(f"{item}: want MODULE=SPEC")
            fams.append(Family(module, path, nlspec, args.schema_dir))
        check_shared(fams)
        text = {"uapi": gen_uapi, "kernel": gen_kernel, "python": gen_python}[args.mode](fams)
    except (GenError, nlspec.SpecException) as e:
        sys.exit(f"ynl_gen_rust: {e}")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
