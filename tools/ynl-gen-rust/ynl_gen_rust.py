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
          does not list is NLA_UNSPEC, which strict validation refuses);
          requests of the same shape, in any module, share one set. Then
          the operations' flags and the multicast groups.
  python  the numbers as Python constants (MODULE_PATH_NAME), and per
          message type what the kernel may send in it, for tests that hold
          every received message against the spec.

Usage: ynl_gen_rust.py --ynl-lib DIR --schema-dir DIR --mode MODE
                       [-o FILE] MODULE=SPEC...
"""

import argparse
import os
import sys
import textwrap

# nfnetlink (NETLINK_NETFILTER) and its batch messages, which belong to
# nfnetlink itself rather than to a subsystem.
NETLINK_NETFILTER = 12
NFNL_MSG_BATCH = (0x10, 0x11)

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
        self.ops = [op for op in self.spec.msgs.values()
                    if not (self.nfnl and op.req_value in NFNL_MSG_BATCH)]
        self.subsys = None
        if self.nfnl:
            ids = {v >> 8 for op in self.ops
                   for v in (op.req_value, op.rsp_value) if v is not None}
            if len(ids) != 1:
                raise GenError(f"{path}: message types of more than one "
                               f"nfnetlink subsystem: {sorted(ids)}")
            self.subsys = ids.pop()
        # The set most operations use is the family's own: `attr`.
        uses = {}
        for op in self.spec.msgs.values():
            if op.attr_set is not None:
                uses[op.attr_set.name] = uses.get(op.attr_set.name, 0) + 1
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
                if mode in op.yaml and not (self.nfnl and op.req_value in NFNL_MSG_BATCH):
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
                attrs = src.yaml["do"]["reply"].get("attributes", [])
                out[op.rsp_value] = (op.name, attrs)
        return out


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
    for fam in fams:
        out += uapi_module(fam)
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def uapi_module(fam):
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
    o += ["    }", ""]

    for name, aset in spec.attr_sets.items():
        mod = fam.set_module(name)
        o.append(f"    /// Attribute types of the `{name}` set.")
        o.append(f"    pub mod {mod} {{")
        for aname, a in aset.attrs.items():
            o += doc_lines(a.yaml.get("doc"), 8)
            o.append(f"        pub const {upper(aname)}: u16 = {a.value};")
        o += ["        /// Highest attribute type.",
              f"        pub const MAX: u16 = {max(a.value for a in aset.attrs.values())};",
              "    }", ""]

    for g in spec.mcast_groups.values():
        o += doc_lines(g.yaml.get("doc") or f'Multicast group "{g.name}".', 4)
        o.append(f'    pub const MCGRP_{upper(g.name)}: &CStr = c"{g.name}";')
    if spec.mcast_groups:
        o.append("")
    while o[-1] == "":
        o.pop()
    return o + ["}", ""]


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

class Shapes:
    """Attribute sets generated so far, by shape: requests of the same shape
    (in any module) share one set."""

    def __init__(self):
        self.by_shape = {}

    def find(self, shape):
        return self.by_shape.get(shape)

    def add(self, shape, module, name):
        self.by_shape.setdefault(shape, (module, name))


class KernelGen:
    def __init__(self, fams):
        self.fams = fams
        self.shapes = Shapes()
        self.kinds = set()

    def kind(self, fam, aset, attr):
        """(Rust kind, shape) of one attribute of a request."""
        checks = attr.yaml.get("checks", {})
        t = attr.type
        uapi = f"uapi::{fam.module}"

        def bound(key, rust_type, default):
            if key not in checks:
                return default, default
            v = checks[key]
            if isinstance(v, int):
                return rust_int(v), v
            val = fam.const_value(v)
            expr = f"{uapi}::{upper(v)}"
            if const_type(val) != rust_type:
                expr = f"{expr} as {rust_type}"
            return f"{{ {expr} }}", val

        if t == "string":
            self.kinds.add("Str" if checks.get("unterminated-ok") else "NulStr")
            k = "Str" if checks.get("unterminated-ok") else "NulStr"
            e, v = bound("max-len", "u16", 0)
            return f"{k}<{e}>", (k, v)
        if t == "binary":
            self.kinds.add("Binary")
            if "exact-len" in checks:
                e, v = bound("exact-len", "u16", 0)
                return f"Binary<{e}, {e}>", ("Binary", v, v)
            lo, lov = bound("min-len", "u16", 0)
            hi, hiv = bound("max-len", "u16", 0)
            if "min-len" in checks and "max-len" not in checks:
                hi, hiv = "{ u16::MAX }", 0xffff
            return f"Binary<{lo}, {hi}>", ("Binary", lov, hiv)
        if t == "flag":
            self.kinds.add("Flag")
            return "Flag", ("Flag",)
        if t == "nest":
            nested = attr.yaml["nested-attributes"]
            name = self.nested_set(fam, nested)
            self.kinds.add("Nested")
            return f"Nested<{name}>", ("Nested", self.set_shape(fam, nested))
        if t in INT_KIND:
            if attr.byte_order == "big-endian":
                raise GenError(f"{fam.path}: {attr.name}: big-endian requests are not supported")
            rt = RUST_INT[t]
            if "min" not in checks and "max" not in checks:
                self.kinds.add(INT_KIND[t])
                return INT_KIND[t], (INT_KIND[t],)
            lo, lov = bound("min", rt, "0" if rt.startswith("u") else f"{{ {rt}::MIN }}")
            hi, hiv = bound("max", rt, f"{{ {rt}::MAX }}")
            k = INT_KIND[t] + "Range"
            self.kinds.add(k)
            return f"{k}<{lo}, {hi}>", (k, lov, hiv)
        raise GenError(f"{fam.path}: {aset.name}.{attr.name}: type {t} is not supported")

    def set_shape(self, fam, set_name, names=None):
        aset = fam.spec.attr_sets[set_name]
        names = list(aset.attrs) if names is None else names
        fields = []
        for n in names:
            if n not in aset.attrs:
                raise GenError(f"{fam.path}: {set_name} has no attribute {n}")
            a = aset.attrs[n]
            fields.append((ident(n), a.value, self.kind(fam, aset, a)[1]))
        return tuple(sorted(fields, key=lambda f: f[1]))

    def fields(self, fam, set_name, names):
        aset = fam.spec.attr_sets[set_name]
        mod = fam.set_module(set_name)
        rows = []
        for n in names:
            a = aset.attrs[n]
            rows.append((a.value, a.yaml.get("doc"), ident(n), self.kind(fam, aset, a)[0],
                         f"uapi::{fam.module}::{mod}::{upper(n)}"))
        return sorted(rows)

    def nested_set(self, fam, set_name):
        shape = ("set", self.set_shape(fam, set_name))
        found = self.shapes.find(shape)
        name = f"{camel(set_name)}Attrs"
        if found is None:
            self.shapes.add(shape, fam.module, name)
            self.pending.append(self.attr_set(
                fam, name, f"Attributes nested in `{set_name}`.", set_name,
                list(fam.spec.attr_sets[set_name].attrs)))
        elif found[0] != fam.module:
            self.uses.add(found)
        return found[1] if found else name

    def attr_set(self, fam, name, doc, set_name, names):
        rows = self.fields(fam, set_name, names)
        o = ["attr_set! {"] + doc_lines(doc, 4)
        if not rows:
            return o + [f"    pub(crate) struct {name} {{}}", "}", ""]
        o.append(f"    pub(crate) struct {name} {{")
        for _, adoc, field, kind, ty in rows:
            o += doc_lines(adoc, 8)
            o.append(f"        {field}: {kind} = {ty},")
        return o + ["    }", "}", ""]

    def module(self, fam):
        self.pending, self.uses, aliases = [], set(), []
        flags = []
        for op, mode, names in fam.requests():
            opname = camel(op.name) + ("Dump" if mode == "dump" and "do" in op.yaml else "")
            name = f"{opname}Request" if names else "NoAttrs"
            shape = ("req", self.set_shape(fam, op.attr_set.name, names))
            found = self.shapes.find(shape)
            what = f"the `{op.name}`" + (" dump" if mode == "dump" else "")
            if found is None:
                self.shapes.add(shape, fam.module, name)
                self.pending.append(self.attr_set(
                    fam, name, f"Attributes of {what} request." if names else
                    "A request that takes no attributes.", op.attr_set.name, names))
            elif found[1] == name and (found[0] != fam.module or name == "NoAttrs"):
                if found[0] != fam.module:
                    self.uses.add(found)
            else:
                where = found[1] if found[0] == fam.module else f"super::{found[0]}::{found[1]}"
                name = f"{opname}Request"
                aliases += [f"/// Attributes of {what} request: those of [`{found[1]}`].",
                            f"pub(crate) type {name} = {where};",
                            f"/// A validated [`{name}`].",
                            f"pub(crate) type {name}View<'a> = {where}View<'a>;", ""]
            if mode == "do" or "do" not in op.yaml:
                flags.append(op)
        o = []
        for mod, name in sorted(self.uses):
            o.append(f"pub(crate) use super::{mod}::{{{name}, {name}View}};")
        if self.uses:
            o.append("")
        for block in self.pending:
            o += block
        o += aliases
        if fam.proto == "genetlink":
            o += self.op_flags(fam, flags)
            o += self.groups(fam)
        return o

    def op_flags(self, fam, ops):
        o = []
        for op in ops:
            f = op.yaml.get("flags", [])
            expr = " | ".join(f"OpFlags::{upper(x)}" for x in f) or "OpFlags::NONE"
            o += [f"/// Who may send `{op.name}`.",
                  f"pub(crate) const {upper(op.name)}_FLAGS: OpFlags = {expr};"]
        self.kinds.add("OpFlags")
        return o + [""]

    def groups(self, fam):
        groups = list(fam.spec.mcast_groups.values())
        if not groups:
            return []
        o = []
        for i, g in enumerate(groups):
            o += [f'/// The "{g.name}" multicast group.',
                  f"pub(crate) const {upper(g.name)}: Group = Group({i});"]
        o += ["/// The multicast groups, in the order of their [`Group`]s.",
              "pub(crate) const MCGRPS: &[McGroup] = &["]
        for g in groups:
            ctor = "admin" if "admin-perm" in g.yaml.get("flags", []) else "new"
            o.append(f"    McGroup::{ctor}(uapi::{fam.module}::MCGRP_{upper(g.name)}),")
        self.kinds.update(("Group", "McGroup"))
        return o + ["];", ""]


def gen_kernel(fams):
    gen = KernelGen(fams)
    bodies = [(fam, gen.module(fam)) for fam in fams]
    attr_kinds = sorted(k for k in gen.kinds if k not in ("OpFlags", "Group", "McGroup"))
    genl = sorted(k for k in gen.kinds if k in ("OpFlags", "Group", "McGroup"))
    out = header(fams, "kernel", "//")
    out += ["", "//! The kernel side of the specs: what each request may carry (the",
            "//! policy the kernel validates against, and the typed view handlers",
            "//! read), who may send it, and the multicast groups.", ""]
    for fam, body in bodies:
        out += ["// Not every operation's set is named by the code that handles it."]
        out += doc_lines(f"The requests of {os.path.basename(fam.path)}.", 0)
        out += ["#[allow(dead_code, unused_imports)]",
                f"pub(crate) mod {fam.module} {{"]
        imports = ["attr_set"] if any(l.startswith("attr_set!") for l in body) else []
        layer = []
        used = [k for k in attr_kinds if any(k + "<" in l or f": {k} =" in l or
                                             f"for {k}" in l for l in body)]
        if used:
            layer.append("attr::{" + ", ".join(used) + "}")
        g = [k for k in genl if any(k in l for l in body)]
        if g:
            layer.append("genl::{" + ", ".join(g) + "}")
        if layer:
            imports.append("netlink::{" + ", ".join(layer) + "}")
        if any("uapi::" in l for l in body):
            imports.append("uapi")
        if imports:
            out.append("    use crate::{" + ", ".join(imports) + "};")
        out.append("")
        out += [("    " + l) if l else "" for l in body]
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
            out.append(f"{p}_SET_{upper(name)} = {{")
            for an, a in fam.spec.attr_sets[name].attrs.items():
                nested = (f"{p}_SET_{upper(a.yaml['nested-attributes'])}"
                          if a.type == "nest" else "None")
                out.append(f"    {a.value}: ({an!r}, {py_type(a)!r}, {nested}),")
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


def py_type(a):
    checks = a.yaml.get("checks", {})
    if a.type == "binary" and "exact-len" in checks:
        return f"binary{checks['exact-len']}"
    return a.type


def check_shared(fams):
    """Sets of the same name in two specs give their shared attributes the
    same number and type: the planes share the kernel's parsers."""
    errors = []
    for i, a in enumerate(fams):
        for b in fams[i + 1:]:
            for name in a.spec.attr_sets.keys() & b.spec.attr_sets.keys():
                sa, sb = a.spec.attr_sets[name], b.spec.attr_sets[name]
                for an in sa.attrs.keys() & sb.attrs.keys():
                    x, y = sa.attrs[an], sb.attrs[an]
                    if (x.value, x.type) != (y.value, y.type):
                        errors.append(f"{name}.{an}: {a.path} has {x.type} {x.value}, "
                                      f"{b.path} has {y.type} {y.value}")
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
