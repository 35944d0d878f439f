#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The protocol knowledge of the coverage-guided fuzzer, read from the YNL
specs (Documentation/netlink/specs/nlrs.yaml and nlrs_nfnl.yaml): the
attribute sets, each request's policy as the kernel gets it, typed
attributes that pass it (nests included) and near-valid ones that miss it
by one deviation, their wire form, and the kernel's validation of them.

Policies are derived as tools/ynl-gen-rust derives src/policy.rs: an
operation's request attributes, NLA_UNSPEC for the others up to the
highest (strict validation refuses them), the read-only attributes of a
loosely parsed (nfnetlink) request refused by name, and sets of the same
shape shared between the planes. validate() is lib/nlattr.c's
__nla_validate_parse() and validate_nla() for the kinds nlrs uses, strict
(generic netlink) or liberal (nfnetlink).

    python3 spec.py --self-test    # check against src/policy.rs and itself
    python3 spec.py [SEED]         # print a few generated requests
"""

import os
import random
import re
import struct
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SPECS = {"genl": os.path.join(ROOT, "Documentation/netlink/specs/nlrs.yaml"),
         "nfnl": os.path.join(ROOT, "Documentation/netlink/specs/nlrs_nfnl.yaml")}
# libyaml's loader where PyYAML has it: the pure-Python one is slow under
# emulation.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

EINVAL, ERANGE = 22, 34
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff
# lib/nlattr.c: nests deeper than this are refused.
MAX_POLICY_RECURSION_DEPTH = 10

INT_LEN = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
INT_FMT = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}

# The kernel's extack messages for policy violations (lib/nlattr.c).
POLICY_FAIL = "Attribute failed policy validation"
BAD_LEN = "invalid attribute length"
UNSUPPORTED = "Unsupported attribute"
UNKNOWN = "Unknown attribute type"
LEFTOVER = "bytes leftover after parsing attributes"
OUT_OF_RANGE = "integer out of range"
BIN_RANGE = "binary attribute size out of range"
NESTED_MISSING = "NLA_F_NESTED is missing"
NESTED_UNEXPECTED = "NLA_F_NESTED not expected"
TOO_DEEP = "allowed policy recursion depth exceeded"


def align(n):
    return (n + 3) & ~3


def ident(name):
    """A spec name as the kernel's code (and its extack messages) spell it."""
    return name.replace("-", "_")


# -- the specs ---------------------------------------------------------------

class AttrSpec:
    """One attribute of a set: its number, type and checks (constants
    resolved); `nested` is the nested set's name."""

    def __init__(self, set_name, y, value, consts):
        self.set_name, self.name, self.value = set_name, y["name"], value
        self.type = y["type"]
        self.checks = {k: consts.get(v, v) for k, v in y.get("checks", {}).items()}
        self.nested = y.get("nested-attributes")
        self.big_endian = y.get("byte-order") == "big-endian"

    def __repr__(self):
        return f"{self.set_name}.{self.name}={self.value}"


class OpSpec:
    """One operation: its number (genl command; nfnetlink message type,
    subsystem byte included), set, request attributes per mode, flags."""

    def __init__(self, y):
        self.name, self.value = y["name"], y["value"]
        self.set_name = y.get("attribute-set")
        self.flags = tuple(y.get("flags", ()))
        self.request = {}
        for mode in ("do", "dump"):
            if mode in y:
                req = y[mode].get("request") or {}
                self.request[mode] = list(req.get("attributes", []))
        self.kernel_only = "event" in y or "notify" in y

    def __repr__(self):
        return f"op {self.name} ({self.value:#x})"


class Spec:
    """One YNL spec, as the fuzzer needs it."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            y = yaml.load(f, Loader=SAFE_LOADER)
        self.path, self.name = path, y["name"]
        self.protocol = y.get("protocol", "genetlink")
        # nfnetlink parses its requests liberally; generic netlink strictly.
        self.loose = self.protocol == "netlink-raw"
        self.consts = {d["name"]: d["value"] for d in y.get("definitions", [])
                       if d.get("type") == "const"}
        self.sets = {}
        for s in y["attribute-sets"]:
            value, attrs = 1, {}
            for a in s["attributes"]:
                value = a.get("value", value)
                attrs[a["name"]] = AttrSpec(s["name"], a, value, self.consts)
                value += 1
            self.sets[s["name"]] = attrs
        self.ops = {}
        value = 1
        for o in y["operations"]["list"]:
            value = o.get("value", value)
            self.ops[o["name"]] = OpSpec(dict(o, value=value))
            value += 1
        self.groups = [g["name"] for g in y.get("mcast-groups", {}).get("list", [])]

    def attr(self, set_name, value):
        """The attribute of `set_name` numbered `value`, or None."""
        for a in self.sets[set_name].values():
            if a.value == value:
                return a
        return None

    def requests(self):
        """(op, mode, attribute names) of every request the spec defines."""
        for op in self.ops.values():
            for mode, names in op.request.items():
                yield op, mode, names

    def read_only(self):
        """(set, attribute) of what no request of the spec takes, as the
        generator's read_only: a nest a request takes takes all of its set.

        Derived here again rather than imported from tools/ynl-gen-rust: an
        oracle that shared the generator's code could not catch its
        mistakes; the self-test holds the policies built on it to the
        generator's output, src/policy.rs."""
        taken = set()

        def take(set_name, names):
            for n in names:
                if (set_name, n) in taken:
                    continue
                taken.add((set_name, n))
                a = self.sets[set_name][n]
                if a.type == "nest":
                    take(a.nested, list(self.sets[a.nested]))
        for op, _, names in self.requests():
            take(op.set_name, names)
        return {(s, n) for s, attrs in self.sets.items() for n in attrs if (s, n) not in taken}

    def rejected(self, set_name, names):
        """The read-only attributes below the highest of `names`, which a
        loosely parsed request of those names refuses by name."""
        attrs = self.sets[set_name]
        top = max((attrs[n].value for n in names), default=0)
        ro = self.read_only()
        return [n for n, a in attrs.items()
                if n not in names and a.value < top and (set_name, n) in ro]

    def shape(self, set_name, names):
        """What makes two requests' policies one (the generator's
        set_shape): each attribute's number, type, checks, nested shape."""
        out = []
        for n in names:
            a = self.sets[set_name][n]
            nested = self.shape(a.nested, list(self.sets[a.nested])) if a.type == "nest" else None
            out.append((a.value, a.type, tuple(sorted(a.checks.items())), nested))
        return tuple(out)


# -- policies ----------------------------------------------------------------

class Entry:
    """One slot of a policy array. kind: "int" (size, lo, hi), "nul-string"
    (hi: the longest string), "binary" (lo..hi bytes), "flag", "nest"
    (nested: a Policy), "reject" (msg), "unspec" (not taken)."""

    def __init__(self, kind, attr=None, size=0, lo=0, hi=0, nested=None, msg=None):
        self.kind, self.attr, self.size, self.lo, self.hi = kind, attr, size, lo, hi
        self.nested, self.msg = nested, msg

    def key(self):
        """Comparable form, nests included."""
        nested = self.nested.key() if self.nested else None
        return (self.kind, self.size, self.lo, self.hi, nested)

    def __repr__(self):
        return f"Entry{self.key()}"


class Policy:
    """A policy array: maxtype and its slots (types not in `entries` up to
    maxtype are NLA_UNSPEC)."""

    def __init__(self, name, maxtype, entries):
        self.name, self.maxtype, self.entries = name, maxtype, entries

    def entry(self, ty):
        """The slot of type `ty`, or None beyond the array (and for 0)."""
        if ty == 0 or ty > self.maxtype:
            return None
        return self.entries.get(ty, Entry("unspec"))

    def key(self):
        return (self.maxtype, tuple(sorted((t, e.key()) for t, e in self.entries.items())))

    def __repr__(self):
        return f"Policy({self.name}, max {self.maxtype}, {self.entries})"


def entry_of(spec, a):
    """The policy slot the generator makes of attribute `a`."""
    c = a.checks
    if a.type in INT_LEN:
        size = INT_LEN[a.type]
        return Entry("int", a, size, c.get("min", 0), c.get("max", (1 << (8 * size)) - 1))
    if a.type == "string":
        return Entry("nul-string", a, hi=c.get("max-len", 0))
    if a.type == "binary":
        exact = c.get("exact-len")
        lo = c.get("min-len", exact or 0)
        return Entry("binary", a, lo=lo, hi=c.get("max-len", exact or 0))
    if a.type == "flag":
        return Entry("flag", a)
    if a.type == "nest":
        return Entry("nest", a, nested=set_policy(spec, a.nested, list(spec.sets[a.nested])))
    raise ValueError(f"{a}: type {a.type} has no policy here")


def set_policy(spec, set_name, names, rejects=()):
    """The policy of `names` of `set_name`, with `rejects` refused by name.
    A set with no attribute still has one NLA_UNSPEC slot (table_len() in
    src/netlink/policy.rs: generic netlink skips validating maxattr 0)."""
    attrs = spec.sets[set_name]
    entries = {attrs[n].value: entry_of(spec, attrs[n]) for n in names}
    for n in rejects:
        entries[attrs[n].value] = Entry("reject", attrs[n], msg=f"{ident(n)} is read-only")
    return Policy(set_name, max(entries, default=0) or 1, entries)


class Protocol:
    """Both specs, and each request's policy as the module registers it."""

    def __init__(self, paths=None):
        paths = paths or SPECS
        self.genl = Spec(paths["genl"])
        self.nfnl = Spec(paths["nfnl"])
        self.specs = {"genl": self.genl, "nfnl": self.nfnl}
        self._policies = {}
        # Read-only attributes refused by the loose plane's requests, by
        # request shape: the genl request of the same shape is the same
        # Rust set, so it refuses them too.
        self._rejects = {}
        for op, _, names in self.nfnl.requests():
            rej = self.nfnl.rejected(op.set_name, names)
            if rej:
                self._rejects[self.nfnl.shape(op.set_name, names)] = rej

    def spec(self, plane):
        return self.specs[plane]

    def op(self, plane, name):
        return self.specs[plane].ops[name]

    def op_by_value(self, plane, value):
        """The request operation numbered `value` (genl: command; nfnl: the
        message type's low byte), or None."""
        for op in self.specs[plane].ops.values():
            if plane == "genl" and op.value == value:
                return op
            # nfnetlink's own (batch) messages are of subsystem 0.
            if plane == "nfnl" and op.value >> 8 and op.value & 0xff == value:
                return op
        return None

    def policy(self, plane, op_name, mode="do"):
        """The policy of `op_name`'s `mode` request on `plane`."""
        k = (plane, op_name, mode)
        if k not in self._policies:
            spec = self.specs[plane]
            op = spec.ops[op_name]
            if mode not in op.request:
                raise KeyError(f"{plane} {op_name} has no {mode} request")
            names = op.request[mode]
            rej = self._rejects.get(spec.shape(op.set_name, names), []) if names else []
            self._policies[k] = set_policy(spec, op.set_name, names, rej)
        return self._policies[k]

    def batch_policy(self):
        """nfnetlink's own policy of BATCH_BEGIN (nfnl_batch_policy)."""
        return Policy("batch-attrs", 1, {1: Entry("int", self.nfnl.sets["batch-attrs"]["genid"],
                                                  4, 0, 0xffffffff)})


# -- the wire ----------------------------------------------------------------

class Attr:
    """An attribute to send: a leaf (payload) or a nest (children). `nested`
    sets NLA_F_NESTED (by default on nests); `nla_len` overrides the
    header's length; `spec` is the AttrSpec it was made from, if any."""

    def __init__(self, ty, payload=b"", children=None, nested=None, nla_len=None, spec=None):
        self.ty, self.payload, self.children = ty, payload, children
        self.nested = (children is not None) if nested is None else nested
        self.nla_len, self.spec = nla_len, spec

    def body(self):
        if self.children is None:
            return self.payload
        return b"".join(c.encode() for c in self.children)

    def encode(self):
        body = self.body()
        n = 4 + len(body) if self.nla_len is None else self.nla_len
        ty = (self.ty | (NLA_F_NESTED if self.nested else 0)) & 0xffff
        out = struct.pack("=HH", n & 0xffff, ty) + body
        return out + bytes(align(len(out)) - len(out))

    def copy(self):
        kids = None if self.children is None else [c.copy() for c in self.children]
        return Attr(self.ty, self.payload, kids, self.nested, self.nla_len, self.spec)

    def __repr__(self):
        name = self.spec.name if self.spec else self.ty
        if self.children is not None:
            return f"{name}{{{', '.join(map(repr, self.children))}}}"
        return f"{name}={self.payload.hex() or '-'}"


class Raw:
    """Bytes that are no attribute (trailing garbage), in an attribute list."""

    ty, children, spec, nested, nla_len = None, None, None, False, None

    def __init__(self, data):
        self.payload = data

    def encode(self):
        return self.payload

    def copy(self):
        return Raw(self.payload)

    def __repr__(self):
        return f"raw={self.payload.hex()}"


def encode(attrs):
    return b"".join(a.encode() for a in attrs)


def nlmsg(ty, flags, payload, seq=0, portid=0, nlmsg_len=None):
    """One netlink message, padded; nlmsg_len overrides the length field."""
    n = 16 + len(payload) if nlmsg_len is None else nlmsg_len
    out = struct.pack("=IHHII", n & 0xffffffff, ty, flags, seq, portid) + payload
    return out + bytes(align(len(out)) - len(out))


def genl_payload(cmd, attrs=(), version=1, reserved=0):
    return struct.pack("=BBH", cmd, version, reserved) + encode(attrs)


def nfnl_payload(attrs=(), family=0, version=0, res_id=0):
    """nfgenmsg (res_id in network byte order) and the attributes."""
    return struct.pack("=BB", family, version) + struct.pack(">H", res_id) + encode(attrs)


# -- validation (lib/nlattr.c) -----------------------------------------------

class Refusal(Exception):
    """What validation refused: errno, extack message (None: none), the
    offending attribute's offset in the stream (None: none)."""

    def __init__(self, errno, msg=None, offset=None):
        super().__init__(f"errno {errno}: {msg} at {offset}")
        self.errno, self.msg, self.offset = errno, msg, offset


class Parsed:
    """A validated attribute: its payload, offset, and (nests) the table
    of its contents."""

    def __init__(self, ty, payload, offset, table=None):
        self.ty, self.payload, self.offset, self.table = ty, payload, offset, table

    def __repr__(self):
        return f"Parsed({self.ty}, {self.payload.hex()}, @{self.offset})"


def attrs_of(data):
    """(offset, nla_len, raw type, payload) of each attribute, as
    nla_for_each_attr walks them; then what is left over (rem > 0)."""
    out, off, rem = [], 0, len(data)
    while rem >= 4:
        n, ty = struct.unpack_from("=HH", data, off)
        if n < 4 or n > rem:
            break
        out.append((off, n, ty, data[off + 4:off + n]))
        off += align(n)
        rem -= align(n)
    return out, max(rem, 0)


def validate(policy, data, strict, base=0, depth=0, warn=None):
    """The table {type: Parsed} of `data` (the last of a type wins) under
    `policy`, or raises Refusal. `base` is the stream's offset for the
    reported offsets. A liberal parse that leaves bytes over, at any depth,
    appends LEFTOVER to the list `warn`: the kernel's extack message then,
    which a later error of its own replaces."""
    if depth >= MAX_POLICY_RECURSION_DEPTH:
        raise Refusal(EINVAL, TOO_DEEP)
    table = {}
    found, rem = attrs_of(data)
    for off, n, raw, payload in found:
        ty = raw & NLA_TYPE_MASK
        e = policy.entry(ty)
        if e is None:
            if strict:
                raise Refusal(EINVAL, UNKNOWN, base + off)
            continue
        p = validate_one(e, raw, payload, strict, base + off, depth, warn)
        table[ty] = p
    if rem > 0 and strict:
        raise Refusal(EINVAL, LEFTOVER)
    if rem > 0 and warn is not None:
        warn.append(LEFTOVER)
    return table


def validate_one(e, raw, payload, strict, at, depth, warn=None):
    """validate_nla() of one attribute; returns its Parsed."""
    n = len(payload)
    ty = raw & NLA_TYPE_MASK
    if e.kind == "int" and n != e.size and strict:
        raise Refusal(EINVAL, BAD_LEN, at)
    if strict:
        if e.kind == "nest" and not raw & NLA_F_NESTED:
            raise Refusal(EINVAL, NESTED_MISSING, at)
        if e.kind not in ("nest", "unspec") and raw & NLA_F_NESTED:
            raise Refusal(EINVAL, NESTED_UNEXPECTED, at)
    fail = Refusal(ERANGE, POLICY_FAIL, at)
    if e.kind == "reject":
        raise Refusal(EINVAL, e.msg, at)
    if e.kind == "flag":
        if n > 0:
            raise fail
    elif e.kind == "nul-string":
        minlen = min(n, e.hi + 1) if e.hi else n
        if not minlen or 0 not in payload[:minlen]:
            raise Refusal(EINVAL, POLICY_FAIL, at)
        length = n - 1 if payload[-1] == 0 else n
        if e.hi and length > e.hi:
            raise fail
    elif e.kind == "binary":
        if e.lo:
            # NLA_POLICY_RANGE(NLA_BINARY, lo, hi): the length's range.
            if not e.lo <= n <= e.hi:
                raise Refusal(ERANGE, BIN_RANGE, at)
        elif e.hi and n > e.hi:
            raise fail
    elif e.kind == "nest":
        if n == 0:
            return Parsed(ty, payload, at, {})
        if n < 4:
            raise fail
        return Parsed(ty, payload, at, validate(e.nested, payload, strict, at + 4, depth + 1,
                                                warn))
    elif e.kind == "unspec":
        if strict:
            raise Refusal(EINVAL, UNSUPPORTED, at)
    elif e.kind == "int":
        if n < e.size:
            raise fail
        v = int.from_bytes(payload[:e.size], "little")
        if not e.lo <= v <= e.hi:
            raise Refusal(ERANGE, OUT_OF_RANGE, at)
    return Parsed(ty, payload, at)


def value(e, p):
    """The value a handler reads from a validated attribute (the layer's
    Kind::value): ints from their first bytes, strings up to the NUL."""
    if e.kind == "int":
        return int.from_bytes(p.payload[:e.size], "big" if e.attr and e.attr.big_endian
                              else "little")
    if e.kind == "nul-string":
        return p.payload[:p.payload.index(0)]
    if e.kind == "flag":
        return True
    return p.payload


# -- generation --------------------------------------------------------------

# Rule names the generator draws from, so that requests collide.
NAMES = [b"a", b"b", b"web", b"dns", b"n" * 31]
INTERESTING = [0, 1, 2, 6, 17, 53, 80, 127, 128, 132, 136, 255, 443, 1000, 0x7fff, 0xffff]


class Generator:
    """Typed attributes of each request: valid ones (the policy accepts
    them) and near-valid ones (one deviation, labelled with what strict
    and liberal validation say of it)."""

    def __init__(self, proto, rng):
        self.proto, self.rng = proto, rng

    def int_value(self, e):
        r = self.rng
        choice = r.choice(["lo", "hi", "edge", "interesting", "any"])
        if choice == "lo":
            return e.lo
        if choice == "hi":
            return e.hi
        if choice == "edge":
            return r.choice([min(e.lo + 1, e.hi), max(e.hi - 1, e.lo)])
        if choice == "interesting":
            v = r.choice(INTERESTING)
            if e.lo <= v <= e.hi:
                return v
        return r.randint(e.lo, e.hi)

    def payload(self, e):
        """A payload slot `e` accepts."""
        r = self.rng
        if e.kind == "int":
            v = self.int_value(e)
            if e.attr is not None and e.attr.big_endian:
                return v.to_bytes(e.size, "big")
            return v.to_bytes(e.size, "little")
        if e.kind == "nul-string":
            if r.random() < 0.6:
                s = r.choice(NAMES)[:e.hi or None]
            else:
                s = bytes(r.randrange(0x21, 0x7f) for _ in range(r.randint(0, min(e.hi or 64, 64))))
            return s + b"\0"
        if e.kind == "binary":
            n = r.randint(e.lo, e.hi) if e.hi else r.randint(0, 32)
            return bytes(r.choice([0, 0xff, r.randrange(256)]) for _ in range(n))
        return b""

    def attr(self, ty, e):
        if e.kind == "nest":
            return Attr(ty, children=self.attrs(e.nested), spec=e.attr)
        return Attr(ty, self.payload(e), spec=e.attr)

    def attrs(self, policy, p=0.6):
        """A valid attribute list of `policy`: each slot present with
        probability p, in a random order."""
        out = [self.attr(ty, e) for ty, e in sorted(policy.entries.items())
               if e.kind not in ("reject", "unspec") and self.rng.random() < p]
        self.rng.shuffle(out)
        return out

    def request(self, plane, op_name, mode="do"):
        return self.attrs(self.proto.policy(plane, op_name, mode))

    # The deviations: (name, how to make it, (strict errno, liberal errno)),
    # 0 for accepted.
    def near(self, policy, attrs):
        """`attrs` (a valid list of `policy`) with one deviation; returns
        (attrs, label, {"strict": errno, "liberal": errno}) where errno 0
        means validation accepts it (a handler may still refuse it)."""
        r = self.rng
        attrs = [a.copy() for a in attrs]
        # Pick where: the top level, or inside a nest of it.
        pol, where = policy, attrs
        nests = [a for a in attrs if a.children is not None and a.spec is not None]
        if nests and r.random() < 0.5:
            host = r.choice(nests)
            pol, where = policy.entries[host.ty].nested, host.children
        kinds = ["unknown type", "type 0", "trailing bytes", "nla_len 1", "nla_len 2",
                 "nla_len 3", "nla_len past the end", "duplicate"]
        if where:
            kinds += ["typed"] * 6
        unlisted = [t for t in range(1, pol.maxtype + 1) if t not in pol.entries]
        if unlisted:
            kinds.append("unlisted type")
        rejects = [t for t, e in pol.entries.items() if e.kind == "reject"]
        if rejects:
            kinds.append("read-only")
        kind = r.choice(kinds)
        if kind == "typed":
            a = r.choice(where)
            label, want = self.deviate(pol.entries[a.ty], a)
            return attrs, f"{a.spec.name if a.spec else a.ty}: {label}", want
        if kind == "unknown type":
            where.append(Attr(r.choice([pol.maxtype + 1, 0x3fff, 0x7fff & ~NLA_F_NESTED]),
                              b"\0" * 4))
            return attrs, kind, {"strict": EINVAL, "liberal": 0}
        if kind == "type 0":
            where.append(Attr(0, b"\0" * 4))
            return attrs, kind, {"strict": EINVAL, "liberal": 0}
        if kind == "unlisted type":
            where.append(Attr(r.choice(unlisted), b"\0" * 4))
            return attrs, kind, {"strict": EINVAL, "liberal": 0}
        if kind == "read-only":
            t = r.choice(rejects)
            where.append(Attr(t, children=[], spec=pol.entries[t].attr))
            # A nest flag on a non-nest slot: strict refuses that first,
            # with EINVAL as well.
            return attrs, kind, {"strict": EINVAL, "liberal": EINVAL}
        if kind == "duplicate" and where:
            a = r.choice(where)
            where.append(a.copy())
            return attrs, kind, {"strict": 0, "liberal": 0}
        if kind == "duplicate":
            return attrs, "nothing", {"strict": 0, "liberal": 0}
        # What lies about its length, or trails: the parse stops and the
        # rest is left over (strict refuses it; liberal ignores it).
        if kind == "trailing bytes":
            if not where and pol is not policy:
                # A nest of 2 bytes is shorter than a header.
                where.append(Raw(b"\0\0"))
                return attrs, "nest of 2 bytes", {"strict": ERANGE, "liberal": ERANGE}
            where.append(Raw(b"\0\0"))
        elif kind.startswith("nla_len") and where:
            a = r.choice(where)
            a.nla_len = 0xffff if kind.endswith("end") else int(kind[-1])
            # Everything from it on goes unparsed: what it would have
            # contributed is gone in the liberal plane.
        else:
            return attrs, "nothing", {"strict": 0, "liberal": 0}
        return attrs, kind, {"strict": EINVAL, "liberal": 0}

    def deviate(self, e, a):
        """One typed deviation of attribute `a` of slot `e`, in place;
        returns (label, {"strict": errno, "liberal": errno})."""
        r = self.rng
        if e.kind == "int":
            options = ["short", "long"]
            if e.lo > 0:
                options.append("below min")
            if e.hi < (1 << (8 * e.size)) - 1:
                options.append("above max")
            what = r.choice(options)
            if what == "short":
                a.payload = a.payload[:e.size - 1]
                return what, {"strict": EINVAL, "liberal": ERANGE}
            if what == "long":
                a.payload += b"\0" * r.choice([1, 4])
                return what, {"strict": EINVAL, "liberal": 0}
            v = e.lo - 1 if what == "below min" else e.hi + 1
            a.payload = v.to_bytes(e.size, "little")
            return what, {"strict": ERANGE, "liberal": ERANGE}
        if e.kind == "nul-string":
            what = r.choice(["unterminated", "empty payload", "too long", "NUL inside",
                             "too long after its NUL", "nest flag"])
            if what == "unterminated":
                a.payload = a.payload.rstrip(b"\0") or b"x"
                want = EINVAL
            elif what == "empty payload":
                a.payload = b""
                want = EINVAL
            elif what == "too long":
                a.payload = b"x" * (e.hi + 1) + b"\0"
                want = EINVAL
            elif what == "NUL inside":
                a.payload = b"ab\0cd\0"
                want = 0
            elif what == "too long after its NUL":
                a.payload = b"a\0" + b"x" * e.hi
                want = ERANGE
            else:
                a.nested = True
                return what, {"strict": EINVAL, "liberal": 0}
            return what, {"strict": want, "liberal": want}
        if e.kind == "binary":
            what = r.choice(["short", "long"])
            a.payload = a.payload[:-1] if what == "short" and a.payload else a.payload + b"\0"
            if what == "short" and e.lo == 0:
                return "nothing", {"strict": 0, "liberal": 0}
            return what, {"strict": ERANGE, "liberal": ERANGE}
        if e.kind == "flag":
            what = r.choice(["with payload", "nest flag"])
            if what == "with payload":
                a.payload = b"\1"
                return what, {"strict": ERANGE, "liberal": ERANGE}
            a.nested = True
            return what, {"strict": EINVAL, "liberal": 0}
        if e.kind == "nest":
            what = r.choice(["without NLA_F_NESTED", "shorter than a header", "empty"])
            if what == "without NLA_F_NESTED":
                a.nested = False
                return what, {"strict": EINVAL, "liberal": 0}
            if what == "shorter than a header":
                a.children, a.payload = None, b"\0\0"
                a.nested = True
                return what, {"strict": ERANGE, "liberal": ERANGE}
            a.children = []
            return what, {"strict": 0, "liberal": 0}
        return "nothing", {"strict": 0, "liberal": 0}


# -- self-test ---------------------------------------------------------------

def rust_policies(path):
    """{plane: {struct name: Policy}} of src/policy.rs, as the module
    registers them; aliases resolved."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
    import uapi
    text = open(path, encoding="utf-8").read()
    consts = {k: v for k, v in vars(uapi).items() if k.isupper()}
    out = {}
    for plane in ("genl", "nfnl"):
        m = re.search(rf"pub\(crate\) mod {plane} \{{(.*?)\n}}\n", text + "\n", re.S)
        body = m.group(1)
        raw = {}
        for s in re.finditer(r"struct (\w+) \{", body):
            # The body up to the matching brace (kinds hold braces too).
            depth, i = 1, s.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(body[i], 0)
                i += 1
            fields = body[s.end():i - 1]
            raw[s.group(1)] = re.findall(r"^\s*(\w+): (.+?) = uapi::(\w+)::(\w+)::(\w+),$",
                                         fields, re.M)
        aliases = {name: (other or plane, target) for name, other, target in re.findall(
            r"pub\(crate\) type (\w+) = (?:super::(\w+)::)?(\w+);", body)}
        out[plane] = (raw, aliases)

    def const(expr, mod):
        expr = expr.strip()
        if expr.isdigit():
            return int(expr)
        if expr.startswith("{") and "::MAX" in expr:
            return (1 << {"u8": 8, "u16": 16, "u32": 32, "u64": 64}[expr.split("::")[0][2:]]) - 1
        m = re.match(r"\{ uapi::(\w+)::(\w+)(?: as u16)? \}", expr)
        return consts[f"{m.group(1).upper()}_{m.group(2)}"]

    def kind(k, plane):
        m = re.match(r"(U8|U16|U32|U64)(?:Range<(.+), (.+)>)?$", k)
        if m:
            size = INT_LEN[m.group(1).lower()]
            if m.group(2):
                return Entry("int", size=size, lo=const(m.group(2), plane),
                             hi=const(m.group(3), plane))
            return Entry("int", size=size, lo=0, hi=(1 << (8 * size)) - 1)
        m = re.match(r"NulStr<(.+)>$", k)
        if m:
            return Entry("nul-string", hi=const(m.group(1), plane))
        m = re.match(r"Binary<(\d+), (\d+)>$", k)
        if m:
            return Entry("binary", lo=int(m.group(1)), hi=int(m.group(2)))
        if k == "Flag":
            return Entry("flag")
        if k.startswith("Reject<"):
            return Entry("reject")
        m = re.match(r"Nested<(?:super::(\w+)::)?(\w+)>$", k)
        if m:
            return Entry("nest", nested=build(m.group(1) or plane, m.group(2)))
        raise ValueError(f"kind {k}")

    def build(plane, name):
        raw, aliases = out[plane]
        if name in aliases:
            return build(*aliases[name])
        entries = {}
        for _, k, mod, setmod, attr in raw[name]:
            entries[consts[f"{mod.upper()}_{setmod.upper()}_{attr}"]] = kind(k, plane)
        return Policy(name, max(entries, default=0) or 1, entries)

    return build


def camel(name):
    return "".join(w.capitalize() for w in name.split("-"))


def self_test():
    proto = Protocol()
    build = rust_policies(os.path.join(ROOT, "src/policy.rs"))
    checked = 0
    for plane in ("genl", "nfnl"):
        for op, mode, names in proto.spec(plane).requests():
            if plane == "nfnl" and op.name.startswith("batch-"):
                continue
            struct_name = camel(op.name) + "Request" if names else "NoAttrs"
            mine = proto.policy(plane, op.name, mode)
            theirs = build(plane, struct_name)
            assert mine.key() == theirs.key(), (plane, op.name, mode, mine, theirs)
            checked += 1
    assert checked == 13, checked
    # What the integration tests and the corpus say of single cases.
    rn = proto.policy("genl", "rule-new")
    assert rn.maxtype == 11 and rn.entries[10].kind == "reject", rn
    assert proto.policy("genl", "stats-get").maxtype == 1
    cp = proto.policy("nfnl", "checkpoint", "dump")
    assert cp.entries[10].msg == "rule_counters is read-only"
    rd = proto.policy("genl", "rule-del")
    assert 10 not in rd.entries and rd.maxtype == 7

    def refused(policy, attrs, strict):
        try:
            validate(policy, encode(attrs), strict)
        except Refusal as e:
            return (e.errno, e.msg, e.offset)
        return None
    name = lambda s: Attr(7, s)
    # A 32-byte name plus its NUL: no NUL in the first 32 bytes, EINVAL.
    assert refused(rn, [name(b"n" * 32 + b"\0")], True) == (EINVAL, POLICY_FAIL, 0)
    assert refused(rn, [name(b"a\0" + b"x" * 31)], True) == (ERANGE, POLICY_FAIL, 0)
    assert refused(rn, [name(b"ab\0cd\0")], True) is None
    assert refused(rn, [Attr(6, struct.pack("=I", 0))], True) == (ERANGE, OUT_OF_RANGE, 0)
    assert refused(rn, [Attr(6, b"\1\0\0")], False) == (ERANGE, POLICY_FAIL, 0)
    assert refused(rn, [Attr(6, b"\1\0\0\0\0")], False) is None
    assert refused(rn, [Attr(6, b"\1\0\0\0\0")], True) == (EINVAL, BAD_LEN, 0)
    assert refused(rn, [Attr(10, b"")], True) == (EINVAL, "rule_counters is read-only", 0)
    assert refused(rn, [Attr(10, children=[])], True) == (EINVAL, NESTED_UNEXPECTED, 0)
    assert refused(rn, [Attr(2, b"\0" * 8)], True) == (EINVAL, UNSUPPORTED, 0)
    assert refused(rn, [Attr(2, b"\0" * 8)], False) is None
    assert refused(rn, [Attr(12, b"\0" * 4)], True) == (EINVAL, UNKNOWN, 0)
    m = lambda *kids: Attr(8, children=list(kids))
    assert refused(rn, [Attr(6, b"\1\0\0\0"), m(Attr(2, bytes(5)))], True) == \
        (ERANGE, BIN_RANGE, 12)
    assert refused(rn, [m(Attr(4, b"\x81"))], True) == (ERANGE, OUT_OF_RANGE, 4)
    assert refused(rn, [Attr(8, children=[], nested=False)], True) == (EINVAL, NESTED_MISSING, 0)
    assert refused(rn, [Attr(8, children=[], nested=False)], False) is None
    assert refused(rn, [Attr(8, b"\0\0", nested=True)], False) == (ERANGE, POLICY_FAIL, 0)
    deep = Attr(1, b"\6")
    for _ in range(32):
        deep = Attr(10, children=[deep])
    assert refused(rn, [m(deep)], True) == (EINVAL, UNKNOWN, 4)
    # nla_len 1 and 2 are separate cases: both stop the parse.
    for n in (1, 2, 3, 0xffff):
        assert refused(rn, [Attr(6, b"\1\0\0\0", nla_len=n)], True) == (EINVAL, LEFTOVER, None)
        assert refused(rn, [Attr(6, b"\1\0\0\0", nla_len=n)], False) is None
    # The last of two wins.
    t = validate(rn, encode([Attr(6, b"\1\0\0\0"), Attr(6, b"\2\0\0\0")]), True)
    assert value(rn.entries[6], t[6]) == 2

    # The generator: valid lists pass; each near-valid one gets the errno
    # its label says, in both modes, for every request of both planes.
    gen = Generator(proto, random.Random(1))
    cases = 0
    for plane in ("genl", "nfnl"):
        for op, mode, names in proto.spec(plane).requests():
            if op.name.startswith("batch-"):
                continue
            pol = proto.policy(plane, op.name, mode)
            for _ in range(300):
                attrs = gen.attrs(pol)
                for strict in (True, False):
                    assert refused(pol, attrs, strict) is None, (op, attrs)
                bad, label, want = gen.near(pol, attrs)
                for strict, k in ((True, "strict"), (False, "liberal")):
                    got = refused(pol, bad, strict)
                    assert (got[0] if got else 0) == want[k], (op.name, label, k, bad, got)
                cases += 1
    print(f"spec.py: {checked} request policies agree with src/policy.rs; "
          f"{cases} generated and near-valid requests validated as labelled")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    proto = Protocol()
    gen = Generator(proto, random.Random(seed))
    for plane in ("genl", "nfnl"):
        for op, mode, _ in proto.spec(plane).requests():
            attrs = gen.request(plane, op.name, mode)
            bad, label, want = gen.near(proto.policy(plane, op.name, mode), attrs)
            print(f"{plane} {op.name} {mode}: {attrs}")
            print(f"    near-valid ({label}, {want}): {bad}")


if __name__ == "__main__":
    main()
