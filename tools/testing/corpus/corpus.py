# SPDX-License-Identifier: GPL-2.0
"""The bad-input corpus: malformed and hostile messages for both planes of
nlrs, each with the answer the kernel must give.

Cases are generated from Documentation/netlink/specs/nlrs.yaml (the
family's request policies) and from the rules of lib/nlattr.c, the
generic netlink core and nfnetlink, so a new attribute gets its cases
without anyone writing them. Each case is one datagram (one or more
messages, every request with NLM_F_ACK) and the list of answers expected
for it, in order: an error ACK with its errno and, where the kernel gives
them, its extack message and offset, or a reply. No case may change the
rule set, the counters or the listeners; the runner (test_corpus.py)
checks that after every case.

    python3 corpus.py            # print the cases: name, expected answers
"""

import os
import struct
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import uapi  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SPEC = os.path.join(ROOT, "Documentation/netlink/specs/nlrs.yaml")
# libyaml's loader where PyYAML has it: the pure-Python one takes seconds
# under emulation.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# errno values (x86_64).
ENOENT, EINVAL, ERANGE, EOPNOTSUPP, EEXIST, ERESTART = 2, 22, 34, 95, 17, 85

NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_ROOT, NLM_F_MATCH, NLM_F_DUMP = 0x100, 0x200, 0x300
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND = 0x100, 0x200, 0x400, 0x800
REQ = NLM_F_REQUEST | NLM_F_ACK
NLA_F_NESTED = 0x8000
NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 0x10, 0x11
NFNL_SUBSYS_COUNT = uapi.NFNL_SUBSYS_COUNT

POLICY_FAIL = "Attribute failed policy validation"
BAD_LEN = "invalid attribute length"
UNSUPPORTED = "Unsupported attribute"
OUT_OF_RANGE = "integer out of range"
BIN_RANGE = "binary attribute size out of range"
UNKNOWN = "Unknown attribute type"
LEFTOVER = "bytes leftover after parsing attributes"

INT_LEN = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
INT_FMT = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}
INT_MAX = {k: (1 << (8 * v)) - 1 for k, v in INT_LEN.items()}


def align(n):
    return (n + 3) & ~3


class Attr:
    """An attribute to encode: a leaf (payload) or a nest (children). `bad`
    marks the one whose offset the kernel must report; `nla_len` overrides
    the header's length field."""

    def __init__(self, ty, payload=b"", children=None, nla_len=None, bad=False, nested_flag=None):
        self.ty, self.payload, self.children = ty, payload, children
        self.nla_len, self.bad = nla_len, bad
        self.nested_flag = (children is not None) if nested_flag is None else nested_flag

    def encode(self, at, marks):
        """The attribute's bytes; `at` is its offset in the message."""
        if self.bad:
            marks.append(at)
        body = self.payload
        if self.children is not None:
            body = b""
            for c in self.children:
                body += c.encode(at + 4 + len(body), marks)
        n = 4 + len(body) if self.nla_len is None else self.nla_len
        ty = self.ty | (NLA_F_NESTED if self.nested_flag else 0)
        out = struct.pack("=HH", n & 0xffff, ty) + body
        return out + bytes(align(len(out)) - len(out))


def message(ty, header, attrs=(), flags=REQ, nlmsg_len=None, seq=0, trailer=b""):
    """One netlink message; returns (bytes, offset of the bad attribute)."""
    marks = []
    body = header
    for a in attrs:
        body += a.encode(16 + len(body), marks)
    body += trailer
    n = 16 + len(body) if nlmsg_len is None else nlmsg_len
    data = struct.pack("=IHHII", n & 0xffffffff, ty, flags, seq, 0) + body
    return data + bytes(align(len(data)) - len(data)), (marks[0] if marks else None)


class Err:
    """An expected error ACK (errno 0: a plain ACK)."""

    def __init__(self, errno, msg=None, offs=None, miss=None):
        self.errno, self.msg, self.offs, self.miss = errno, msg, offs, miss

    def __repr__(self):
        extra = "".join(f" {k}={v!r}" for k, v in (("msg", self.msg), ("offs", self.offs),
                                                  ("miss", self.miss)) if v is not None)
        return f"error {self.errno}{extra}"


class Reply:
    """An expected data message (a reply), of nlmsg_type `ty`."""

    def __init__(self, ty):
        self.ty = ty

    def __repr__(self):
        return f"reply type {self.ty:#x}"


class Case:
    def __init__(self, name, proto, data, expect):
        self.name, self.proto, self.data, self.expect = name, proto, data, expect

    def __repr__(self):
        return f"{self.name}: {self.expect}"


def read_spec():
    """The spec as YAML gives it."""
    with open(SPEC) as f:
        return yaml.load(f, Loader=SAFE_LOADER)


def load_spec():
    spec = read_spec()
    consts = {d["name"]: d["value"] for d in spec.get("definitions", []) if d["type"] == "const"}
    sets = {}
    for s in spec["attribute-sets"]:
        value, attrs = 1, {}
        for a in s["attributes"]:
            value = a.get("value", value)
            a = dict(a, value=value)
            a["checks"] = {k: consts.get(v, v) for k, v in a.get("checks", {}).items()}
            attrs[a["name"]] = a
            value += 1
        sets[s["name"]] = attrs
    return spec, sets


def valid_payload(a):
    """A payload the policy accepts (the corpus mutates one at a time)."""
    t, c = a["type"], a["checks"]
    if t in INT_LEN:
        return struct.pack(INT_FMT[t], max(c.get("min", 0), 1 if t != "u8" else 6))
    if t == "string":
        return b"corpus\0"
    if t == "binary":
        return bytes(c.get("exact-len", 4))
    return b""


class Corpus:
    def __init__(self, fid, subsys):
        self.fid, self.subsys = fid, subsys
        self.spec, self.sets = load_spec()
        self.ops = {o["name"]: o for o in self.spec["operations"]["list"]}
        self.cases = []

    # -- building blocks -------------------------------------------------

    def genl(self, cmd, attrs=(), flags=REQ, reserved=0, version=uapi.GENL_FAMILY_VERSION, **kw):
        return message(self.fid, struct.pack("=BBH", cmd, version, reserved), attrs, flags, **kw)

    def nfnl(self, msg, attrs=(), flags=REQ, res_id=0, subsys=None, **kw):
        sub = self.subsys if subsys is None else subsys
        return message((sub << 8) | msg, struct.pack("=BBH", 0, 0, res_id), attrs, flags, **kw)

    def batch(self, *msgs, begin=True, end=True, res_id=None, genid=None):
        """BEGIN (no ACK), the messages, END (no ACK): answers come only
        for messages that ask (NLM_F_ACK) or fail."""
        res = self.subsys if res_id is None else res_id
        out = b""
        if begin:
            attrs = ([Attr(uapi.NFNL_BATCH_ATTRS_GENID, struct.pack(">I", genid))]
                     if genid is not None else [])
            out += message(NFNL_MSG_BATCH_BEGIN, struct.pack("=BBH", 0, 0, socket_htons(res)),
                           attrs, NLM_F_REQUEST)[0]
        for m in msgs:
            out += m
        if end:
            out += message(NFNL_MSG_BATCH_END, struct.pack("=BBH", 0, 0, socket_htons(res)),
                           (), NLM_F_REQUEST)[0]
        return out

    def add(self, name, proto, data, *expect):
        self.cases.append(Case(name, proto, data, list(expect)))

    def op_attrs(self, op):
        """(set name, [attribute specs]) of a genl op's do request."""
        o = self.ops[op]
        names = (o.get("do", {}).get("request") or {}).get("attributes", [])
        return o["attribute-set"], [self.sets[o["attribute-set"]][n] for n in names]

    # -- the generators --------------------------------------------------

    def attribute_cases(self, label, build, attrs, strict, in_batch=(), prefix=()):
        """For each attribute (nests recursively): every length and value
        the policy refuses. `build(list of Attr)` makes the datagram and
        the bad offset; `prefix` wraps the attribute in its nests. In a
        batch, `in_batch` lists the answers that follow the refused
        message's."""
        for a in attrs:
            path = "/".join([p.name for p in prefix] + [a["name"]]) if prefix else a["name"]
            for variant, attr, err in self.mutations(a, strict):
                data, offs = build(wrap(prefix, attr))
                errno, msg = err
                if label.startswith("nfnl batch"):
                    # nfnetlink parses batch messages without an extack.
                    self.add(f"{label} {path} {variant}", "nfnl", data, Err(errno), *in_batch)
                else:
                    self.add(f"{label} {path} {variant}", "genl" if strict else "nfnl", data,
                             Err(errno, msg, offs if msg not in (None, LEFTOVER) else None))
            if a["type"] == "nest" and a.get("nested-attributes"):
                nested = list(self.sets[a["nested-attributes"]].values())
                self.attribute_cases(label, build, nested, strict, in_batch,
                                     prefix + (Nest(a),))

    def mutations(self, a, strict):
        """(variant, Attr, (errno, extack)) the policy of `a` refuses."""
        t, c, ty = a["type"], a["checks"], a["value"]
        out = []
        if t in INT_LEN:
            n = INT_LEN[t]
            if strict:
                out += [("short", Attr(ty, bytes(n - 1), bad=True), (EINVAL, BAD_LEN)),
                        ("long", Attr(ty, bytes(n + 1), bad=True), (EINVAL, BAD_LEN))]
            else:
                out += [("short", Attr(ty, bytes(n - 1), bad=True), (ERANGE, POLICY_FAIL))]
            if "min" in c and c["min"] > 0:
                out.append(("below min", Attr(ty, struct.pack(INT_FMT[t], c["min"] - 1), bad=True),
                            (ERANGE, OUT_OF_RANGE)))
            if "max" in c and c["max"] < INT_MAX[t]:
                out.append(("above max", Attr(ty, struct.pack(INT_FMT[t], c["max"] + 1), bad=True),
                            (ERANGE, OUT_OF_RANGE)))
        elif t == "string":
            out += [("unterminated", Attr(ty, b"abc", bad=True), (EINVAL, POLICY_FAIL)),
                    ("empty", Attr(ty, b"", bad=True), (EINVAL, POLICY_FAIL))]
            if "max-len" in c:
                out.append(("too long", Attr(ty, b"x" * (c["max-len"] + 1) + b"\0", bad=True),
                            (EINVAL, POLICY_FAIL)))
        elif t == "binary" and "exact-len" in c:
            n = c["exact-len"]
            # NLA_POLICY_EXACT_LEN(n): a length range of n..n.
            out += [("short", Attr(ty, bytes(n - 1), bad=True), (ERANGE, BIN_RANGE)),
                    ("long", Attr(ty, bytes(n + 1), bad=True), (ERANGE, BIN_RANGE))]
        elif t == "flag":
            out.append(("with payload", Attr(ty, b"\1", bad=True), (ERANGE, POLICY_FAIL)))
        elif t == "nest":
            out.append(("shorter than a header", Attr(ty, b"\0\0", nested_flag=True, bad=True),
                        (ERANGE, POLICY_FAIL)))
            if strict:
                out.append(("without NLA_F_NESTED", Attr(ty, children=[], nested_flag=False, bad=True),
                            (EINVAL, "NLA_F_NESTED is missing")))
        if strict and t != "nest":
            out.append(("with NLA_F_NESTED", Attr(ty, valid_payload(a), nested_flag=True, bad=True),
                        (EINVAL, "NLA_F_NESTED not expected")))
        # Headers that lie about the length: the parse stops, the rest is
        # left over.
        for n in (0, 1, 2, 3):
            out.append((f"nla_len {n}", Attr(ty, valid_payload(a), nla_len=n), (EINVAL, LEFTOVER)))
        out.append(("nla_len 0xffff", Attr(ty, valid_payload(a), nla_len=0xffff), (EINVAL, LEFTOVER)))
        if not strict:
            # nfnetlink parses liberally: what lies is ignored, not refused.
            out = [(v, a2, e) for v, a2, e in out if e[1] != LEFTOVER]
        return out


class Nest:
    def __init__(self, a):
        self.name, self.ty = a["name"], a["value"]


def wrap(prefix, attr):
    for p in reversed(prefix):
        attr = Attr(p.ty, children=[attr])
    return [attr]


def socket_htons(v):
    return ((v & 0xff) << 8) | (v >> 8)


def build(fid, subsys):
    """Every case, for family id `fid` and nfnetlink subsystem `subsys`."""
    c = Corpus(fid, subsys)
    cmd = {o["name"]: o["value"] for o in c.spec["operations"]["list"]}
    echo = lambda *a, **kw: c.genl(cmd["echo"], list(a), **kw)[0]
    msg_attr = Attr(uapi.GENL_ATTR_MSG, b"hi\0")
    echo_hdr = struct.pack("=BBH", cmd["echo"], uapi.GENL_FAMILY_VERSION, 0)

    # -- generic netlink: headers and flags --------------------------------
    for n in (0, 8, 15):
        c.add(f"genl nlmsg_len {n}", "genl", echo(msg_attr, nlmsg_len=n))
    n = len(echo(msg_attr))
    for extra in (1, 100, 0xffffffff - n):
        c.add(f"genl nlmsg_len datagram+{extra}", "genl", echo(msg_attr, nlmsg_len=n + extra))
    for k in range(4):
        data = struct.pack("=IHHII", 16 + k, c.fid, REQ, 0, 0) + echo_hdr[:k]
        c.add(f"genl header truncated to {k} bytes", "genl", data + bytes(align(len(data)) - len(data)),
              Err(EINVAL))
    for r in (1, 0x100, 0xffff):
        c.add(f"genl reserved {r:#x}", "genl", echo(msg_attr, reserved=r),
              Err(EINVAL, "genlmsghdr.reserved field is not 0"))
    for name, f in (("ROOT", NLM_F_ROOT), ("MATCH", NLM_F_MATCH), ("CREATE", NLM_F_CREATE),
                    ("APPEND", NLM_F_APPEND), ("0x20", 0x20), ("0x8000", 0x8000)):
        c.add(f"genl echo with NLM_F_{name}", "genl", echo(msg_attr, flags=REQ | f),
              Err(EINVAL, "ambiguous or reserved bits set in nlmsg_flags"))
    for name, f in (("CREATE", NLM_F_CREATE), ("EXCL", NLM_F_EXCL), ("REPLACE", NLM_F_REPLACE)):
        c.add(f"genl rule-new with NLM_F_{name}", "genl",
              c.genl(cmd["rule-new"], [Attr(uapi.GENL_ATTR_RULE_ID, struct.pack("=I", 500))],
                     flags=REQ | f)[0],
              Err(EINVAL, "ambiguous or reserved bits set in nlmsg_flags"))
    known = {o["value"] for o in c.spec["operations"]["list"] if "do" in o or "dump" in o}
    # The notification commands (kernel to user only) and numbers no
    # command has.
    ntf = (uapi.GENL_CMD_ECHO_NTF, uapi.GENL_CMD_RULE_NEW_NTF, uapi.GENL_CMD_RULE_DEL_NTF,
           uapi.GENL_CMD_RULE_FLUSH_NTF, uapi.GENL_CMD_ALERT_NTF)
    for k in (0, *ntf, 12, 13, 64, 128, 200, 255):
        assert k not in known
        c.add(f"genl unknown command {k}", "genl", c.genl(k)[0], Err(EOPNOTSUPP))
    for o in c.spec["operations"]["list"]:
        if "do" in o and "dump" not in o:
            c.add(f"genl {o['name']} as a dump", "genl",
                  c.genl(o["value"], flags=REQ | NLM_F_DUMP)[0], Err(EOPNOTSUPP))
    c.add("genl rule-new without NLM_F_REQUEST", "genl",
          c.genl(cmd["rule-new"], [Attr(uapi.GENL_ATTR_RULE_ID, struct.pack("=I", 501))],
                 flags=NLM_F_ACK)[0], Err(0))
    for t in (1, 2, 3, 4, 15):
        c.add(f"genl control type {t}", "genl", message(t, echo_hdr, (), REQ)[0], Err(0))
    for fid in (0x7fff, 0xfff0, 0xffff):
        if fid != c.fid:
            c.add(f"genl family id {fid:#x}", "genl", message(fid, echo_hdr, (), REQ)[0],
                  Err(ENOENT))
    c.add("genl version 0", "genl", echo(msg_attr, version=0), Reply(c.fid), Err(0))
    c.add("genl version 255", "genl", echo(msg_attr, version=255), Reply(c.fid), Err(0))

    # -- generic netlink: attributes, from the spec's request policies ----
    for op in ("echo", "rule-new", "rule-del", "rule-get"):
        set_name, attrs = c.op_attrs(op)
        c.attribute_cases(f"genl {op}", lambda at, op=op: c.genl(cmd[op], at), attrs, strict=True)
        maxattr = max(a["value"] for a in c.sets[set_name].values())
        for ty in (0, maxattr + 1, 0x7fff):
            data, offs = c.genl(cmd[op], [Attr(ty, b"\0\0\0\0", bad=True)])
            c.add(f"genl {op} attribute type {ty}", "genl", data, Err(EINVAL, UNKNOWN, offs))
        # Types of the set the op does not take: below its policy's
        # maximum they are NLA_UNSPEC slots, above it unknown.
        op_max = max(a["value"] for a in attrs)
        for other in c.sets[set_name].values():
            # rule-counters (NLA_UNSPEC, below rule-new's maximum) has cases
            # of its own below.
            if other in attrs or other["name"] == "rule-counters":
                continue
            data, offs = c.genl(cmd[op], [Attr(other["value"], valid_payload(other), bad=True,
                                               nested_flag=other["type"] == "nest")])
            msg = UNSUPPORTED if other["value"] < op_max else UNKNOWN
            c.add(f"genl {op} with {other['name']}", "genl", data, Err(EINVAL, msg, offs))
        data, _ = c.genl(cmd[op], [], trailer=b"\0\0")
        c.add(f"genl {op} 2 bytes of trailing garbage", "genl", data, Err(EINVAL, LEFTOVER))
    for op in ("stats-get", "rule-flush"):
        for ty, msg in ((uapi.GENL_ATTR_MSG, UNSUPPORTED), (uapi.GENL_ATTR_RULE_ID, UNKNOWN)):
            data, offs = c.genl(cmd[op], [Attr(ty, b"hi\0\0", bad=True)])
            c.add(f"genl {op} with attribute {ty}", "genl", data, Err(EINVAL, msg, offs))
    rule_id, rule_name = uapi.GENL_ATTR_RULE_ID, uapi.GENL_ATTR_RULE_NAME
    data, offs = c.genl(cmd["rule-get"], [Attr(rule_id, struct.pack("=I", 1), bad=True)],
                        flags=REQ | NLM_F_DUMP)
    c.add("genl rule-get dump with rule-id", "genl", data, Err(EINVAL, UNKNOWN, offs))
    match, thr = uapi.GENL_ATTR_RULE_MATCH, uapi.GENL_ATTR_RULE_THRESHOLD
    # Nests of a type past the match set's last, each in the one before:
    # the outermost is already unknown.
    past_match = max(a["value"] for a in c.sets["rule-match"].values()) + 1
    for depth in (2, 32, 64):
        inner = Attr(uapi.GENL_RULE_MATCH_PROTO, b"\6")
        for _ in range(depth):
            inner = Attr(past_match, children=[inner])
        data, offs = c.genl(cmd["rule-new"], [Attr(match, children=[inner])])
        c.add(f"genl rule-new nested {depth} deep", "genl", data, Err(EINVAL, UNKNOWN, 16 + 4 + 4))

    # -- generic netlink: what the handlers refuse -------------------------
    # The rule-match nest's attributes.
    proto, dport_lo, dport_hi = (uapi.GENL_RULE_MATCH_PROTO, uapi.GENL_RULE_MATCH_DPORT_LO,
                                 uapi.GENL_RULE_MATCH_DPORT_HI)
    src4, src6, src_plen = (uapi.GENL_RULE_MATCH_SRC4, uapi.GENL_RULE_MATCH_SRC6,
                            uapi.GENL_RULE_MATCH_SRC_PLEN)
    dst4, dst6, dst_plen = (uapi.GENL_RULE_MATCH_DST4, uapi.GENL_RULE_MATCH_DST6,
                            uapi.GENL_RULE_MATCH_DST_PLEN)
    u32 = lambda v: struct.pack("=I", v)
    rn = lambda *a: c.genl(cmd["rule-new"], list(a))
    def handler(name, data_offs, errno, msg, miss=None):
        data, offs = data_offs
        c.add(f"genl {name}", "genl", data, Err(errno, msg, offs, miss))
    handler("echo without msg", c.genl(cmd["echo"]), EINVAL, "missing attribute msg",
            miss=uapi.GENL_ATTR_MSG)
    handler("rule-del without a key", c.genl(cmd["rule-del"]), EINVAL,
            "missing attribute rule_id or rule_name", miss=rule_id)
    handler("rule-get without a key", c.genl(cmd["rule-get"]), EINVAL,
            "missing attribute rule_id or rule_name", miss=rule_id)
    handler("rule-new threshold without packets",
            rn(Attr(thr, children=[Attr(uapi.GENL_THRESHOLD_INTERVAL_MS, u32(1000))])), EINVAL,
            "missing attribute packets", miss=uapi.GENL_THRESHOLD_PACKETS)
    handler("rule-new threshold without interval",
            rn(Attr(thr, children=[Attr(uapi.GENL_THRESHOLD_PACKETS, struct.pack("=Q", 5))])), EINVAL,
            "missing attribute interval_ms", miss=uapi.GENL_THRESHOLD_INTERVAL_MS)
    handler("rule-new dport-hi alone",
            rn(Attr(match, children=[Attr(proto, b"\6"), Attr(dport_hi, b"\x50\0")])),
            EINVAL, "missing attribute dport_lo", miss=dport_lo)
    handler("rule-new empty name", rn(Attr(rule_name, b"\0", bad=True)), EINVAL,
            "rule_name: must not be empty")
    for op in ("rule-del", "rule-get"):
        handler(f"{op} empty name", c.genl(cmd[op], [Attr(rule_name, b"\0", bad=True)]), EINVAL,
                "rule_name: must not be empty")
        handler(f"{op} unknown id", c.genl(cmd[op], [Attr(rule_id, u32(999999), bad=True)]), ENOENT,
                "rule_id: no such rule")
        handler(f"{op} unknown name", c.genl(cmd[op], [Attr(rule_name, b"nosuchrule\0", bad=True)]),
                ENOENT, "rule_name: no such rule")
        handler(f"{op} id and name of different rules",
                c.genl(cmd[op], [Attr(rule_id, u32(1)), Attr(rule_name, b"base2\0", bad=True)]), ENOENT,
                "rule_name: names rule 2, not rule 1")
        handler(f"{op} duplicate ids, the last unknown",
                c.genl(cmd[op], [Attr(rule_id, u32(1)), Attr(rule_id, u32(999998), bad=True)]), ENOENT,
                "rule_id: no such rule")
    m = lambda *a: rn(Attr(match, children=list(a)))
    handler("rule-new src4 and src6", m(Attr(src4, bytes(4)), Attr(src6, bytes(16), bad=True)),
            EINVAL, "src6: only one of src4 and src6")
    handler("rule-new dst4 and dst6", m(Attr(dst4, bytes(4)), Attr(dst6, bytes(16), bad=True)),
            EINVAL, "dst6: only one of dst4 and dst6")
    handler("rule-new src-plen alone", m(Attr(src_plen, b"\x08", bad=True)), EINVAL,
            "src_plen: needs src4 or src6")
    handler("rule-new dst-plen alone", m(Attr(dst_plen, b"\x08", bad=True)), EINVAL,
            "dst_plen: needs dst4 or dst6")
    handler("rule-new src-plen 33 on IPv4", m(Attr(src4, bytes(4)), Attr(src_plen, b"\x21", bad=True)),
            EINVAL, "src_plen: longer than the address")
    handler("rule-new dst-plen 33 on IPv4", m(Attr(dst4, bytes(4)), Attr(dst_plen, b"\x21", bad=True)),
            EINVAL, "dst_plen: longer than the address")
    handler("rule-new src4 host bits",
            m(Attr(src4, bytes([10, 0, 0, 1]), bad=True), Attr(src_plen, b"\x08")),
            EINVAL, "src4: bits set beyond the prefix length")
    handler("rule-new dst6 host bits",
            m(Attr(dst6, bytes(15) + b"\1", bad=True), Attr(dst_plen, b"\x40")),
            EINVAL, "dst6: bits set beyond the prefix length")
    handler("rule-new mixed families", m(Attr(src4, bytes(4)), Attr(dst6, bytes(16), bad=True)),
            EINVAL, "dst6: address family differs from the source prefix")
    handler("rule-new dport-hi below dport-lo",
            m(Attr(proto, b"\6"), Attr(dport_lo, struct.pack("=H", 90)),
              Attr(dport_hi, struct.pack("=H", 80), bad=True)),
            EINVAL, "dport_hi: lower than dport_lo")
    for p in (0, 1, 58, 255):
        handler(f"rule-new ports with proto {p}",
                m(Attr(proto, bytes([p])), Attr(dport_lo, struct.pack("=H", 80), bad=True)),
                EINVAL, "dport_lo: needs proto TCP (6), UDP (17), SCTP (132) or UDP-Lite (136)")
    handler("rule-new counters", rn(Attr(uapi.GENL_ATTR_RULE_COUNTERS, b"", bad=True)), EINVAL,
            "rule_counters is read-only")
    handler("rule-new counters as a nest",
            rn(Attr(uapi.GENL_ATTR_RULE_COUNTERS, children=[], bad=True)), EINVAL,
            "NLA_F_NESTED not expected")
    handler("rule-new taken id", rn(Attr(rule_id, u32(1), bad=True)), EEXIST,
            "rule_id: rule exists; set rule_replace to replace it")
    handler("rule-new taken name", rn(Attr(rule_name, b"base1\0", bad=True)), EEXIST,
            "rule_name: used by rule 1; set rule_replace to replace it")
    handler("rule-new replace with another rule's name",
            rn(Attr(rule_id, u32(2)), Attr(rule_name, b"base1\0", bad=True),
               Attr(uapi.GENL_ATTR_RULE_REPLACE)), EEXIST,
            "rule_name: used by rule 1")

    # -- several messages in one datagram ----------------------------------
    good = c.genl(cmd["echo"], [msg_attr], seq=1)[0]
    bad, offs = c.genl(cmd["echo"], [Attr(uapi.GENL_ATTR_MSG, b"abc", bad=True)], seq=2)
    c.add("genl good then bad", "genl", good + bad, Reply(c.fid), Err(0), Err(EINVAL, POLICY_FAIL, offs))
    c.add("genl bad then good", "genl", bad + good, Err(EINVAL, POLICY_FAIL, offs), Reply(c.fid), Err(0))
    c.add("genl bad, bad, bad", "genl", bad + c.genl(200)[0] + c.genl(cmd["rule-del"])[0],
          Err(EINVAL, POLICY_FAIL, offs), Err(EOPNOTSUPP),
          Err(EINVAL, "missing attribute rule_id or rule_name", miss=rule_id))
    c.add("genl good then a truncated message", "genl", good + good[:10], Reply(c.fid), Err(0))
    c.add("genl bad then one that lies about its length", "genl",
          bad + c.genl(cmd["echo"], [msg_attr], nlmsg_len=4096)[0], Err(EINVAL, POLICY_FAIL, offs))

    # -- nfnetlink: headers, types, mutex callbacks ----------------------------
    nf_echo = uapi.NFNL_MSG_ECHO
    nf_msg_attr = Attr(uapi.NFNL_ATTR_MSG, b"hi\0")
    nf_rule_id, nf_rule_name = uapi.NFNL_ATTR_RULE_ID, uapi.NFNL_ATTR_RULE_NAME
    nf_rule_new, nf_rule_del = uapi.NFNL_MSG_RULE_NEW, uapi.NFNL_MSG_RULE_DEL
    for k in range(4):
        data = struct.pack("=IHHII", 16 + k, (c.subsys << 8) | nf_echo, REQ, 0, 0) + bytes(k)
        # nfnetlink skips (and ACKs) a message too short for nfgenmsg.
        c.add(f"nfnl nfgenmsg truncated to {k} bytes", "nfnl",
              data + bytes(align(len(data)) - len(data)), Err(0))
    for t in (7, 8, 100, 255):
        assert t > uapi.NFNL_MSG_ALERT, t  # past the last message type
        c.add(f"nfnl unknown message type {t}", "nfnl", c.nfnl(t)[0], Err(EINVAL))
    c.add("nfnl ALERT is kernel-to-user only", "nfnl", c.nfnl(uapi.NFNL_MSG_ALERT)[0], Err(EINVAL))
    for t, name in ((nf_rule_new, "RULE_NEW"), (nf_rule_del, "RULE_DEL")):
        c.add(f"nfnl {name} outside a batch", "nfnl",
              c.nfnl(t, [Attr(nf_rule_id, u32(600))])[0], Err(EINVAL))
    for sub in (NFNL_SUBSYS_COUNT, 0x20, 0xff):
        c.add(f"nfnl subsystem {sub}", "nfnl", c.nfnl(nf_echo, [nf_msg_attr], subsys=sub)[0],
              Err(EINVAL))
    nf_msg = [c.sets["nlrs"]["msg"]]
    c.attribute_cases("nfnl echo", lambda at: c.nfnl(nf_echo, at), nf_msg, strict=False)
    handler_nf = lambda name, d, errno, msg, miss=None: c.add(name, "nfnl", d[0],
                                                              Err(errno, msg, d[1], miss))
    handler_nf("nfnl echo without msg", c.nfnl(nf_echo), EINVAL, "missing attribute msg",
               miss=uapi.NFNL_ATTR_MSG)
    handler_nf("nfnl UNLISTEN of a non-listener", c.nfnl(uapi.NFNL_MSG_UNLISTEN), ENOENT,
               "this socket is not a listener")
    c.add("nfnl echo with unknown attribute types (ignored)", "nfnl",
          c.nfnl(nf_echo, [Attr(0, b"\0" * 4), Attr(200, b"\0" * 4), nf_msg_attr])[0],
          Reply((c.subsys << 8) | nf_echo), Err(0))
    c.add("nfnl CHECKPOINT reset flag with payload", "nfnl",
          c.nfnl(uapi.NFNL_MSG_CHECKPOINT,
                 [Attr(uapi.NFNL_ATTR_CHECKPOINT_RESET, b"\1\0\0\0", bad=True)])[0],
          Err(ERANGE, POLICY_FAIL, 20))
    # nfnetlink parses loosely, so the policy refuses read-only attributes
    # by name rather than leave them to be ignored.
    c.add("nfnl CHECKPOINT with counters", "nfnl",
          c.nfnl(uapi.NFNL_MSG_CHECKPOINT,
                 [Attr(uapi.NFNL_ATTR_RULE_COUNTERS, b"", bad=True)])[0],
          Err(EINVAL, "rule_counters is read-only", 20))

    # -- nfnetlink: batches ---------------------------------------------------
    ok_new = lambda rid, flags=REQ | NLM_F_CREATE: c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(rid))],
                                                          flags=flags & ~NLM_F_ACK)[0]
    fail = c.nfnl(nf_rule_del, [Attr(nf_rule_id, u32(999997))])[0]  # RULE_DEL of no rule: ENOENT
    fail_err = Err(ENOENT, "rule_id: no such rule")
    rule_new_set, rule_new_attrs = c.op_attrs("rule-new")
    # Each refused message is followed by one that fails anyway, so even a
    # message wrongly accepted could not change the rule set.
    c.attribute_cases("nfnl batch rule-new",
                      lambda at: (c.batch(c.nfnl(nf_rule_new, at, flags=REQ | NLM_F_CREATE)[0], fail),
                                  None),
                      rule_new_attrs, strict=False, in_batch=(fail_err,))
    _, key_attrs = c.op_attrs("rule-del")
    c.attribute_cases("nfnl batch rule-del",
                      lambda at: (c.batch(c.nfnl(nf_rule_del, at)[0], fail), None),
                      key_attrs, strict=False, in_batch=(fail_err,))
    # A second BEGIN fails the batch and discards its answers.
    c.add("nfnl batch BEGIN twice", "nfnl", c.batch(end=False) + c.batch(ok_new(610), fail))
    # END alone is a message of subsystem 0, which does not exist.
    c.add("nfnl batch END alone", "nfnl", c.batch(begin=False), Err(EINVAL))
    c.add("nfnl batch without END", "nfnl", c.batch(ok_new(611), fail, end=False), fail_err)
    c.add("nfnl batch without END, nothing failing", "nfnl", c.batch(ok_new(612), end=False))
    for res in (NFNL_SUBSYS_COUNT, 0xffff):
        c.add(f"nfnl batch for subsystem {res}", "nfnl", c.batch(ok_new(613), res_id=res),
              Err(EINVAL))
    c.add("nfnl batch for a subsystem without batches (ACCT)", "nfnl",
          c.batch(ok_new(614), res_id=7), Err(EOPNOTSUPP))
    c.add("nfnl batch with a stale generation", "nfnl", c.batch(ok_new(615), genid=0x7ffffff0),
          Err(ERESTART))
    c.add("nfnl batch bad message in the middle", "nfnl",
          c.batch(ok_new(616), fail, ok_new(617)), fail_err)
    c.add("nfnl batch message of another subsystem", "nfnl",
          c.batch(ok_new(618), c.nfnl(nf_echo, [nf_msg_attr], subsys=7)[0]), Err(EINVAL))
    c.add("nfnl batch ECHO is not a batch message", "nfnl",
          c.batch(ok_new(619), c.nfnl(nf_echo, [nf_msg_attr])[0]), Err(EINVAL))
    c.add("nfnl batch message without NLM_F_REQUEST", "nfnl",
          c.batch(ok_new(620), c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(621))], flags=NLM_F_ACK)[0]),
          Err(EINVAL))
    c.add("nfnl batch control message inside", "nfnl",
          c.batch(ok_new(622), message(3, b"\0\0\0\0", (), REQ)[0]), Err(EINVAL))
    c.add("nfnl batch truncated message inside", "nfnl",
          c.batch(ok_new(623),
                  c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(624))], nlmsg_len=18)[0][:20]))
    c.add("nfnl batch replace of a missing rule", "nfnl",
          c.batch(c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(625))], flags=REQ | NLM_F_REPLACE)[0]),
          Err(ENOENT, "rule_id: no such rule; NLM_F_CREATE creates it"))
    c.add("nfnl batch create of a taken id", "nfnl",
          c.batch(c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(1))],
                         flags=REQ | NLM_F_CREATE | NLM_F_EXCL)[0]),
          Err(EEXIST, "rule_id: rule exists; set rule_replace to replace it"))
    c.add("nfnl batch rule-new with counters", "nfnl",
          c.batch(c.nfnl(nf_rule_new, [Attr(nf_rule_id, u32(627)),
                                       Attr(uapi.NFNL_ATTR_RULE_COUNTERS, b"")],
                         flags=REQ | NLM_F_CREATE)[0]),
          Err(EINVAL))
    c.add("nfnl batch two bad messages", "nfnl",
          c.batch(fail, ok_new(626),
                  c.nfnl(nf_rule_new, [Attr(nf_rule_name, b"\0")], flags=REQ | NLM_F_CREATE)[0]),
          fail_err, Err(EINVAL, "rule_name: must not be empty"))
    return c.cases


if __name__ == "__main__":
    cases = build(0x1234, uapi.NFNL_SUBSYS_ID)
    for case in cases:
        print(case)
    print(f"{len(cases)} cases", file=sys.stderr)
