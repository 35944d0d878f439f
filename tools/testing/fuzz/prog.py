#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The coverage-guided fuzzer's programs: sequences of calls across both
planes, several sockets, credentials and network namespaces, in a JSON
form that can be stored, mutated, spliced, minimized and replayed.

A program is {"v": 1, "calls": [call, ...]}; a call is one of

    {"c": "socket", "s": 0, "proto": "genl"|"nfnl", "net": NET, "cred": CRED}
    {"c": "genl", "s": 0, "op": NAME|CMD, "flags": F, "attrs": ATTRS}
    {"c": "nfnl", "s": 1, "op": NAME|MSG, "flags": F, "attrs": ATTRS}
    {"c": "batch", "s": 1, "begin": {"flags": F, "genid": GENID, "res": "subsys"|N},
     "msgs": [{"op": NAME|MSG, "flags": F, "attrs": ATTRS}, ...], "end": {"flags": F}|null,
     "tail": HEX}
    {"c": "raw", "s": 0, "hex": HEX}          (bytes of a byte-level mutation)
    {"c": "dump", "s": 0, "what": "rules"|"checkpoint"|"checkpoint-reset", "parts": N}
                                              (read N datagrams, then close the socket)
    {"c": "join", "s": 0, "group": "events"|"alerts"|"config"}
    {"c": "close", "s": 0}
    {"c": "netns", "net": "n1"}  {"c": "netns-del", "net": "n1"}
    {"c": "traffic", "net": NET, "l3": "v4"|"v6", "dport": P, "size": N, "count": K}

NET is "fuzz" (the program's namespace), "n1"/"n2" (made by a netns call)
or "own" (the user namespace agent's own); CRED is "root", "nobody",
"userns" (root of a user namespace, in "fuzz") or "own" (root of another
user namespace, in the network namespace it made: "own").
ATTRS is a list of [type, HEX] or [type, [ATTRS]], with an optional third
element {"N": bool (NLA_F_NESTED), "len": nla_len}; ["raw", HEX] is bytes
that are no attribute. GENID is "none", "current", "next", "stale" or a
number, resolved against the model's generation when the call runs.

    python3 prog.py --self-test
    python3 prog.py [SEED]        # print a generated program
"""

import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzz  # noqa: E402
import model as M  # noqa: E402
import spec as S  # noqa: E402

NETS = ["fuzz", "n1", "n2"]
CREDS = ["root", "root", "root", "nobody", "userns", "own"]
GROUPS = ["events", "alerts", "config"]
SLOTS = 6
# Thresholds' windows as long as this make alerts exact: a program never
# outlives one.
LONG_MS = 3600000
FLAG_BITS = [M.NLM_F_ACK, M.NLM_F_ECHO, M.NLM_F_REPLACE, M.NLM_F_EXCL, M.NLM_F_CREATE,
             M.NLM_F_MULTI, 0x10, 0x20]


# -- attributes: JSON <-> spec.Attr ------------------------------------------

def attrs_to_json(attrs):
    out = []
    for a in attrs:
        if isinstance(a, S.Raw):
            out.append(["raw", a.payload.hex()])
            continue
        body = attrs_to_json(a.children) if a.children is not None else a.payload.hex()
        extra = {}
        if a.nested != (a.children is not None):
            extra["N"] = a.nested
        if a.nla_len is not None:
            extra["len"] = a.nla_len
        out.append([a.ty, body, extra] if extra else [a.ty, body])
    return out


def attrs_from_json(items, policy=None):
    """spec.Attr trees of ATTRS; `policy` reattaches each one's AttrSpec
    (the generator's near() needs it to find nests)."""
    out = []
    for it in items:
        if it[0] == "raw":
            out.append(S.Raw(bytes.fromhex(it[1])))
            continue
        ty, body = it[0], it[1]
        extra = it[2] if len(it) > 2 else {}
        e = policy.entries.get(ty) if policy is not None else None
        spec = e.attr if e is not None else None
        if isinstance(body, list):
            sub = e.nested if e is not None and e.kind == "nest" else None
            a = S.Attr(ty, children=attrs_from_json(body, sub), spec=spec)
        else:
            a = S.Attr(ty, bytes.fromhex(body), spec=spec)
        if "N" in extra:
            a.nested = extra["N"]
        a.nla_len = extra.get("len")
        out.append(a)
    return out


# -- encoding ----------------------------------------------------------------

class Ctx:
    """What encoding needs of the running system: the family id, the
    subsystem, the protocol, and each namespace's generation (genid)."""

    def __init__(self, proto, fid, subsys, generation=lambda net: 1):
        self.proto, self.fid, self.subsys, self.generation = proto, fid, subsys, generation
        self.seq = 0

    def next_seq(self):
        self.seq += 1
        return self.seq


def op_value(proto, plane, op):
    if isinstance(op, int):
        return op
    return proto.op(plane, op).value & (0xff if plane == "nfnl" else 0xffff)


def genl_msg(ctx, call):
    cmd = op_value(ctx.proto, "genl", call["op"])
    ver, res = call.get("hdr", [1, 0])
    return S.nlmsg(call.get("fid", ctx.fid), call["flags"],
                   S.genl_payload(cmd & 0xff, attrs_from_json(call["attrs"]), ver, res),
                   ctx.next_seq())


def nfnl_msg(ctx, m, subsys=None):
    msg = op_value(ctx.proto, "nfnl", m["op"])
    sub = ctx.subsys if subsys is None else subsys
    return S.nlmsg(((sub << 8) | msg) & 0xffff, m["flags"],
                   S.nfnl_payload(attrs_from_json(m["attrs"]), res_id=m.get("res", 0)),
                   ctx.next_seq())


def genid_value(ctx, net, g):
    if g == "none":
        return None
    cur = ctx.generation(net)
    return {"current": cur, "next": cur + 1, "stale": cur - 1}.get(g, g) & 0xffffffff


def batch_bytes(ctx, call, net):
    b = call["begin"]
    res = ctx.subsys if b.get("res", "subsys") == "subsys" else b["res"]
    gid = genid_value(ctx, net, b.get("genid", "none"))
    battrs = [S.Attr(1, struct.pack(">I", gid))] if gid is not None else []
    out = S.nlmsg(M.NFNL_MSG_BATCH_BEGIN, b["flags"], S.nfnl_payload(battrs, res_id=res & 0xffff),
                  ctx.next_seq())
    for m in call["msgs"]:
        out += nfnl_msg(ctx, m)
    if call.get("end") is not None:
        out += S.nlmsg(M.NFNL_MSG_BATCH_END, call["end"]["flags"],
                       S.nfnl_payload(res_id=res & 0xffff), ctx.next_seq())
    return out + bytes.fromhex(call.get("tail", ""))


def encode(ctx, call, net="fuzz"):
    """The datagram a message-carrying call sends, or None."""
    c = call["c"]
    if c == "genl":
        return genl_msg(ctx, call)
    if c == "nfnl":
        return nfnl_msg(ctx, call)
    if c == "batch":
        return batch_bytes(ctx, call, net)
    if c == "raw":
        return bytes.fromhex(call["hex"])
    if c == "dump":
        if call["what"] == "rules":
            return genl_msg(ctx, {"op": "rule-get", "flags": M.NLM_F_REQUEST | M.NLM_F_DUMP,
                                  "attrs": []})
        attrs = [[16, ""]] if call["what"] == "checkpoint-reset" else []
        return nfnl_msg(ctx, {"op": "checkpoint", "flags": M.NLM_F_REQUEST, "attrs": attrs})
    return None


# -- generation --------------------------------------------------------------

class Gen:
    """Programs from the specs (spec.Generator) and the rule model
    (model.RuleGen), and their typed and byte-level mutations."""

    def __init__(self, proto, rng):
        self.proto, self.rng = proto, rng
        self.sg = S.Generator(proto, rng)
        self.rg = M.RuleGen(proto, rng)
        self.genl_ops = [op.name for op in proto.genl.ops.values() if op.request]
        self.nfnl_ops = [op.name for op in proto.nfnl.ops.values()
                         if op.request and op.value >> 8]
        # {size: [values]}: what the module compared with (KCOV trace-cmp,
        # executor.comparisons()); substitute() tries them.
        self.consts = {}
        self.substituted = False

    def add_consts(self, consts):
        """Adds (size, value) pairs; returns how many were new."""
        n = 0
        for size, v in consts:
            if v not in self.consts.setdefault(size, []):
                self.consts[size].append(v)
                n += 1
        return n

    def substitute(self, attrs_json):
        """A copy of `attrs_json` with one integer-sized payload (1, 2, 4 or
        8 bytes, in a nest or not) replaced by a constant the module
        compared with, of that size, in host or network byte order; None
        when that changes nothing."""
        r = self.rng
        attrs = json.loads(json.dumps(attrs_json))
        leaves = []

        def walk(items):
            for a in items:
                if isinstance(a[1], list):
                    walk(a[1])
                elif len(a[1]) // 2 in self.consts:
                    leaves.append(a)
        walk(attrs)
        if not leaves:
            return None
        leaf = r.choice(leaves)
        size = len(leaf[1]) // 2
        v = r.choice(self.consts[size]).to_bytes(size, r.choice(["little", "big"])).hex()
        if v == leaf[1]:
            return None
        leaf[1] = v
        self.substituted = True
        return attrs

    def slot(self):
        return self.rng.randrange(SLOTS)

    def rule_attrs(self, plane):
        """rule-new attributes: a valid rule (mostly), a semantic near-miss,
        or a policy near-miss."""
        r = self.rng
        x = r.random()
        if x < 0.7:
            cfg = self.rg.config()
            if cfg.threshold is not None and r.random() < 0.9:
                cfg.threshold = (cfg.threshold[0], LONG_MS)
            return self.rg.attrs(cfg, replace=r.random() < 0.2)
        if x < 0.85:
            cfg = self.rg.config()
            cfg.threshold = None
            return self.rg.near(cfg)[0]
        policy = self.proto.policy(plane, "rule-new")
        return self.sg.near(policy, self.sg.attrs(policy))[0]

    def key_attrs(self, plane):
        """rule-del/rule-get attributes: an id, a name, both, or near-valid."""
        r = self.rng
        c = M.Client(self.proto, 0, 0)
        x = r.random()
        ident = r.choice(self.rg.IDS) if x < 0.8 else None
        name = r.choice(self.rg.NAMES) if x > 0.5 else None
        attrs = c.rule(ident, name)
        if r.random() < 0.1:
            policy = self.proto.policy(plane, "rule-del")
            attrs = self.sg.near(policy, attrs)[0]
        return attrs

    def op_attrs(self, plane, op):
        r = self.rng
        if op == "rule-new":
            return self.rule_attrs(plane)
        if op in ("rule-del", "rule-get"):
            return self.key_attrs(plane)
        spec = self.proto.spec(plane).ops[op]
        mode = "do" if "do" in spec.request else "dump"
        policy = self.proto.policy(plane, op, mode)
        attrs = self.sg.attrs(policy, 0.8)
        if r.random() < 0.1:
            attrs = self.sg.near(policy, attrs)[0]
        return attrs

    def flags(self, base):
        r = self.rng
        f = base
        if r.random() < 0.7:
            f |= M.NLM_F_ACK
        if r.random() < 0.05:
            f ^= r.choice(FLAG_BITS + [M.NLM_F_REQUEST])
        return f

    def genl(self):
        r = self.rng
        op = r.choice(self.genl_ops + ["rule-new"] * 4 + ["rule-del", "rule-get"])
        flags = self.flags(M.NLM_F_REQUEST)
        if op == "rule-get" and r.random() < 0.3:
            flags |= M.NLM_F_DUMP
        return {"c": "genl", "s": r.choice([0, 0, 0, self.slot()]), "op": op, "flags": flags,
                "attrs": attrs_to_json(self.op_attrs("genl", op))}

    def nfnl(self):
        r = self.rng
        op = r.choice(self.nfnl_ops)
        return {"c": "nfnl", "s": r.choice([1, 1, 1, self.slot()]), "op": op,
                "flags": self.flags(M.NLM_F_REQUEST),
                "attrs": attrs_to_json(self.op_attrs("nfnl", op))}

    def batch_msg(self):
        r = self.rng
        op = r.choice(["rule-new"] * 3 + ["rule-del"] + ([r.choice(self.nfnl_ops)]
                                                        if r.random() < 0.1 else []))
        f = M.NLM_F_REQUEST
        if op == "rule-new":
            f |= r.choice([M.NLM_F_CREATE, M.NLM_F_CREATE | M.NLM_F_EXCL,
                           M.NLM_F_CREATE | M.NLM_F_REPLACE, M.NLM_F_REPLACE, 0,
                           M.NLM_F_EXCL | M.NLM_F_REPLACE])
        if r.random() < 0.3:
            f |= M.NLM_F_ACK
        return {"op": op, "flags": f, "attrs": attrs_to_json(self.op_attrs("nfnl", op))}

    def batch(self, k=None):
        r = self.rng
        if k is None:
            k = r.choice([1, 1, 2, 2, 3, 4, 8]) if r.random() < 0.97 else r.randint(64, 160)
        begin = {"flags": M.NLM_F_REQUEST | (M.NLM_F_ACK if r.random() < 0.2 else 0),
                 "genid": r.choice(["none", "none", "current", "current", "stale", "next"])}
        if r.random() < 0.05:
            begin["res"] = r.choice([0, 10, 12, 13, 0x0500, 0xffff])
        call = {"c": "batch", "s": r.choice([1, 1, 1, self.slot()]), "begin": begin,
                "msgs": [self.batch_msg() for _ in range(k)],
                "end": {"flags": M.NLM_F_REQUEST | (M.NLM_F_ACK if r.random() < 0.3 else 0)}}
        x = r.random()
        if x < 0.05:
            call["end"] = None
        elif x < 0.08:
            call["tail"] = r.choice(["00000000", "1000000010000100"])
        return call

    def socket(self):
        r = self.rng
        cred = r.choice(CREDS)
        net = "own" if cred == "own" else (r.choice(NETS) if cred == "root" else "fuzz")
        return {"c": "socket", "s": self.slot(), "proto": r.choice(["genl", "nfnl"]),
                "net": net, "cred": cred}

    def call(self):
        r = self.rng
        kind = r.choices(["genl", "nfnl", "batch", "socket", "dump", "join", "close", "netns",
                          "netns-del", "traffic"],
                         [30, 12, 25, 6, 5, 4, 2, 3, 2, 8])[0]
        if kind == "genl":
            return self.genl()
        if kind == "nfnl":
            return self.nfnl()
        if kind == "batch":
            return self.batch()
        if kind == "socket":
            return self.socket()
        if kind == "dump":
            return {"c": "dump", "s": self.slot(), "parts": r.choice([0, 1, 1, 2]),
                    "what": r.choice(["rules", "rules", "checkpoint", "checkpoint-reset"])}
        if kind == "join":
            return {"c": "join", "s": r.choice([0, self.slot()]), "group": r.choice(GROUPS)}
        if kind == "close":
            return {"c": "close", "s": self.slot()}
        if kind == "netns":
            return {"c": "netns", "net": r.choice(NETS[1:])}
        if kind == "netns-del":
            return {"c": "netns-del", "net": r.choice(NETS[1:])}
        return {"c": "traffic", "net": r.choice(["fuzz"] * 4 + NETS[1:] + ["own"]),
                "l3": r.choice(["v4", "v6"]), "dport": r.choice([53, 80, 9300, 0xffff, 1]),
                "size": r.choice([1, 64, 1000]), "count": r.choice([1, 2, 5])}

    def program(self, n=None):
        r = self.rng
        calls = [{"c": "socket", "s": 0, "proto": "genl", "net": "fuzz", "cred": "root"},
                 {"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz", "cred": "root"}]
        for _ in range(n if n is not None else r.randint(2, 12)):
            calls.append(self.call())
        return {"v": 1, "calls": calls}

    # -- mutation --

    def mutate_attrs(self, call, plane, op, attrs_json):
        r = self.rng
        try:
            spec = self.proto.spec(plane).ops[op]
            mode = "do" if "do" in spec.request else "dump"
            policy = self.proto.policy(plane, op, mode)
        except (KeyError, TypeError):
            return self.op_attrs(plane, "rule-new") if r.random() < 0.5 else []
        attrs = attrs_from_json(attrs_json, policy)
        x = r.random()
        if x < 0.4:
            try:
                return self.sg.near(policy, attrs)[0]
            except (KeyError, AttributeError, TypeError):
                # near() takes a valid list; this one is mutated already.
                return self.sg.near(policy, self.sg.attrs(policy))[0]
        if x < 0.6 and attrs:
            del attrs[r.randrange(len(attrs))]
            return attrs
        if x < 0.8:
            extra = self.sg.attrs(policy, 0.3)
            return attrs + extra
        return self.op_attrs(plane, op)

    def mutate_call(self, call):
        r = self.rng
        call = json.loads(json.dumps(call))
        c = call["c"]
        if "s" in call and r.random() < 0.1:
            call["s"] = self.slot()
            return call
        if c in ("genl", "nfnl"):
            plane = c
            x = r.random()
            if x < 0.2:
                call["flags"] ^= r.choice(FLAG_BITS)
            elif x < 0.3:
                ops = self.genl_ops if plane == "genl" else self.nfnl_ops
                call["op"] = r.choice(ops + [r.randrange(256)])
            elif x < 0.35 and plane == "genl":
                call["hdr"] = [r.choice([0, 1, 2, 255]), r.choice([0, 0, 1])]
            elif x < 0.5 and (sub := self.substitute(call["attrs"])) is not None:
                call["attrs"] = sub
            else:
                call["attrs"] = attrs_to_json(self.mutate_attrs(call, plane, call["op"],
                                                                call["attrs"]))
            return call
        if c == "batch":
            x = r.random()
            msgs = call["msgs"]
            if x < 0.15:
                call["begin"]["genid"] = r.choice(["none", "current", "stale", "next",
                                                   r.randrange(1 << 32)])
            elif x < 0.2:
                call["begin"]["flags"] ^= r.choice(FLAG_BITS)
            elif x < 0.25:
                call["begin"]["res"] = r.choice([0, 10, 13, r.randrange(1 << 16)])
            elif x < 0.3:
                call["end"] = None if call.get("end") else {"flags": M.NLM_F_REQUEST}
            elif x < 0.35:
                call["tail"] = r.choice(["", "00000000",
                                         "1400000010000100000000000000000000000000"])
            elif x < 0.5:
                msgs.append(self.batch_msg())
            elif x < 0.6 and msgs:
                del msgs[r.randrange(len(msgs))]
            elif x < 0.65 and msgs:
                msgs.insert(r.randrange(len(msgs) + 1), dict(r.choice(msgs)))
            elif msgs:
                i = r.randrange(len(msgs))
                m = msgs[i]
                y = r.random()
                if y < 0.3:
                    m["flags"] ^= r.choice(FLAG_BITS + [M.NLM_F_REQUEST])
                elif y < 0.5 and (sub := self.substitute(m["attrs"])) is not None:
                    m["attrs"] = sub
                else:
                    m["attrs"] = attrs_to_json(self.mutate_attrs(m, "nfnl", m["op"], m["attrs"]))
            return call
        if c == "traffic":
            k = r.choice(["l3", "dport", "size", "count", "net"])
            call[k] = {"l3": lambda: r.choice(["v4", "v6"]),
                       "dport": lambda: r.randrange(1, 1 << 16),
                       "size": lambda: r.choice([0, 1, 8, 1400]),
                       "count": lambda: r.randint(1, 8),
                       "net": lambda: r.choice(NETS + ["own"])}[k]()
            return call
        return self.call()

    def to_raw(self, ctx, call):
        """A byte-level mutation of the datagram of `call`, as a raw call."""
        data = encode(ctx, call)
        if data is None:
            return call
        ctx.seq = 0
        data = fuzz.mutate(self.rng, data, [(None, data)])
        return {"c": "raw", "s": call.get("s", 0), "hex": data.hex()}

    def mutate(self, prog, ctx=None):
        """One to three typed mutations of a copy of `prog` (or byte-level
        ones, with `ctx` to encode)."""
        r = self.rng
        calls = json.loads(json.dumps(prog["calls"]))
        for _ in range(r.choice([1, 1, 2, 3])):
            x = r.random()
            i = r.randrange(len(calls)) if calls else 0
            if x < 0.15 or not calls:
                calls.insert(r.randrange(len(calls) + 1), self.call())
            elif x < 0.22 and len(calls) > 1:
                del calls[i]
            elif x < 0.27:
                calls.insert(r.randrange(len(calls) + 1), json.loads(json.dumps(calls[i])))
            elif x < 0.32 and len(calls) > 1:
                j = r.randrange(len(calls))
                calls[i], calls[j] = calls[j], calls[i]
            elif x < 0.4 and ctx is not None and calls[i]["c"] in ("genl", "nfnl", "batch"):
                calls[i] = self.to_raw(ctx, calls[i])
            elif x < 0.45 and calls[i]["c"] == "raw":
                data = bytes.fromhex(calls[i]["hex"])
                calls[i]["hex"] = fuzz.mutate(r, data, [(None, data)]).hex()
            else:
                calls[i] = self.mutate_call(calls[i])
        return {"v": 1, "calls": calls[:64]}

    def splice(self, a, b):
        r = self.rng
        i = r.randint(0, len(a["calls"]))
        j = r.randint(0, len(b["calls"]))
        return {"v": 1, "calls": json.loads(json.dumps(a["calls"][:i] + b["calls"][j:]))[:64]}


# -- minimization ------------------------------------------------------------

def ddmin(items, keep):
    """Delta debugging: a small sublist of `items` for which keep() holds
    (keep(items) must)."""
    n = 2
    while len(items) >= 2:
        size = max(1, len(items) // n)
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        reduced = False
        for k in range(len(chunks)):
            rest = [x for j, c in enumerate(chunks) if j != k for x in c]
            if rest and keep(rest):
                items, n, reduced = rest, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    return items


def minimize(prog, keep, budget=200):
    """A smaller program for which keep(program) still holds: calls first
    (delta debugging), then each call's attributes and batch messages.
    `budget` bounds the runs of keep()."""
    runs = [0]

    def k(p):
        if runs[0] >= budget:
            return False
        runs[0] += 1
        return keep(p)

    calls = ddmin(list(prog["calls"]), lambda cs: k({"v": 1, "calls": cs}))
    cur = {"v": 1, "calls": calls}
    for i in range(len(cur["calls"])):
        c = cur["calls"][i]
        if c["c"] == "batch" and len(c["msgs"]) > 1:
            msgs = ddmin(c["msgs"], lambda ms: k(with_call(cur, i, dict(c, msgs=ms))))
            cur = with_call(cur, i, dict(c, msgs=msgs))
        c = cur["calls"][i]
        if c["c"] in ("genl", "nfnl") and len(c["attrs"]) > 1:
            attrs = ddmin(c["attrs"], lambda a: k(with_call(cur, i, dict(c, attrs=a))))
            cur = with_call(cur, i, dict(c, attrs=attrs))
    return cur


def with_call(prog, i, call):
    calls = list(prog["calls"])
    calls[i] = call
    return {"v": 1, "calls": calls}


def sha(prog):
    import hashlib
    return hashlib.sha1(json.dumps(prog, sort_keys=True).encode()).hexdigest()[:12]


# -- self-test ---------------------------------------------------------------

class Shadow:
    """Runs a program against the model alone (the host's stand-in for the
    executor): returns (answers per call, models decided, unknown)."""

    def __init__(self, proto, fid=0x1c, subsys=5, kernel="6.12"):
        self.proto, self.fid, self.subsys, self.kernel = proto, fid, subsys, kernel

    def run(self, prog, trace=False):
        """(model, calls decided, calls unknown, with `trace` the datagrams
        as "cred slot hex" lines)."""
        m = M.Model(self.proto, self.fid, self.subsys, self.kernel)
        ctx = Ctx(self.proto, self.fid, self.subsys,
                  lambda net: m.nets[net].rules.generation)
        socks, decided, unknown, sent, cred_of = {}, 0, 0, [], {}
        names = {"fuzz": "init"}
        creds = {"root": M.Cred(), "nobody": M.Cred("nobody"),
                 "userns": M.Cred("userns-root", "uA"), "own": M.Cred("userns-root", "uB")}
        for call in prog["calls"]:
            c = call["c"]
            if c == "socket":
                net = names.get(call["net"], call["net"])
                if call["cred"] != "root":
                    # As the executor: the agents' sockets are in theirs.
                    net = "own" if call["cred"] == "own" else "init"
                if net == "own" and "own" not in m.nets:
                    m.add_net("own", owner="uB")
                if net in m.nets:
                    socks[call["s"]] = m.socket(call["proto"], net, creds[call["cred"]])
                    cred_of[call["s"]] = call["cred"]
            elif c == "netns" and call["net"] not in m.nets:
                m.add_net(call["net"])
            elif c == "netns-del" and call["net"] in m.nets:
                for s in [s for s, v in socks.items() if v.net.name == call["net"]]:
                    m.close(socks.pop(s))
                m.del_net(call["net"])
            elif c == "close" and call["s"] in socks:
                m.close(socks.pop(call["s"]))
            elif c == "join" and call["s"] in socks:
                m.join(socks[call["s"]], call["group"])
            elif "s" in call and call["s"] in socks:
                s = socks[call["s"]]
                data = encode(ctx, call, s.net.name)
                sent.append(f"{cred_of[call['s']]} {call['s']} {data.hex()}")
                try:
                    (m.genl if s.proto == "genl" else m.nfnl)(s, data)
                    decided += 1
                except M.Unknown:
                    unknown += 1
        return (m, decided, unknown, sent) if trace else (m, decided, unknown)


def self_test():
    proto = S.Protocol()
    rng = random.Random(1)
    g = Gen(proto, rng)
    sh = Shadow(proto)
    # Generation is deterministic per seed, and the JSON form round-trips.
    p1 = Gen(proto, random.Random(7)).program()
    assert p1 == Gen(proto, random.Random(7)).program()
    assert json.loads(json.dumps(p1)) == p1
    # Attributes round-trip through JSON, flags and lengths included.
    c = M.Client(proto, 0, 0)
    rule = c.rule(7, b"x", 17, (53, 60), threshold=(3, 100))
    rule[0].nla_len = 3
    rule[2].nested = False
    back = attrs_from_json(attrs_to_json(rule))
    assert S.encode(back) == S.encode(rule)
    assert attrs_to_json(back) == attrs_to_json(rule)
    # A constant the module compared with replaces one payload of its size,
    # nested or not, in either byte order; others stay as they were.
    g2 = Gen(proto, random.Random(2))
    assert g2.add_consts({(4, 0x1c0ffee), (2, 53)}) == 2 and g2.add_consts({(2, 53)}) == 0
    seen = set()
    assert g2.substitute([[1, "01"], [2, [[3, "010203"]]]]) is None
    g3 = Gen(proto, random.Random(2))
    g3.add_consts({(2, 1)})
    assert g3.substitute([[3, "0100"]]) in (None, [[3, "0001"]])
    for _ in range(40):
        out = g2.substitute([[1, "01000000"], [2, [[3, "0100"], [4, "01"]]]])
        flat = [out[0][1], out[1][1][0][1], out[1][1][1][1]]
        assert flat[2] == "01" and (flat[0] == "01000000") != (flat[1] == "0100"), flat
        seen.add(flat[0] if flat[1] == "0100" else flat[1])
    assert seen == {"eeffc001", "01c0ffee", "3500", "0035"}, seen

    # Generated programs: the model decides most of them, and they make
    # rules on both planes, including batches that apply.
    decided = unknown = rules = 0
    kinds = set()
    for _ in range(300):
        p = g.program()
        kinds |= {c["c"] for c in p["calls"]}
        m, d, u = sh.run(p)
        decided, unknown = decided + d, unknown + u
        rules += sum(len(n.rules.rules) for n in m.nets.values())
    assert decided > 20 * unknown, (decided, unknown)
    assert rules > 100, rules
    assert kinds >= {"genl", "nfnl", "batch", "socket", "dump", "join", "close", "netns",
                     "netns-del", "traffic"}, kinds

    # A batch of valid rules applies whole; with a stale genid nothing.
    ctx = Ctx(proto, 0x1c, 5)
    bat = g.batch(k=3)
    bat.update(s=1, end={"flags": M.NLM_F_REQUEST})
    bat.pop("tail", None)
    bat["begin"] = {"flags": M.NLM_F_REQUEST, "genid": "none"}
    for msg in bat["msgs"]:
        msg["op"], msg["flags"] = "rule-new", M.NLM_F_REQUEST | M.NLM_F_CREATE
        msg["attrs"] = attrs_to_json(g.rg.attrs(M.Config(match=M.Match(17))))
    base = {"v": 1, "calls": [{"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz",
                               "cred": "root"}, bat]}
    m, d, u = sh.run(base)
    assert len(m.dump()) == 3 and d == 1, m.dump()
    stale = json.loads(json.dumps(base))
    stale["calls"][1]["begin"]["genid"] = "next"
    assert sh.run(stale)[0].dump() == []
    nobody = json.loads(json.dumps(base))
    nobody["calls"][0]["cred"] = "nobody"
    assert sh.run(nobody)[0].dump() == []
    # Root of a user namespace changes its own namespace's rules only.
    own = json.loads(json.dumps(base))
    own["calls"][0].update(cred="own", net="own")
    mo = sh.run(own)[0]
    assert len(mo.dump("own")) == 3 and mo.dump() == []
    assert encode(ctx, bat)[4:6] == struct.pack("=H", M.NFNL_MSG_BATCH_BEGIN)

    # Mutations keep programs well-formed and change them; splicing joins.
    changed = 0
    for _ in range(500):
        p = g.program()
        q = g.mutate(p, Ctx(proto, 0x1c, 5))
        assert json.loads(json.dumps(q)) == q and len(q["calls"]) <= 64
        changed += q != p
        sh.run(q)
        s = g.splice(p, q)
        sh.run(s)
    assert changed > 450, changed
    raw = g.to_raw(Ctx(proto, 0x1c, 5), g.genl())
    assert raw["c"] == "raw" and len(bytes.fromhex(raw["hex"])) >= 16

    # Minimization: of a long program whose model ends with rule 7 named
    # "web", what is left is the socket and the one request that makes it.
    target = {"c": "genl", "s": 0, "op": "rule-new", "flags": M.NLM_F_REQUEST | M.NLM_F_ACK,
              "attrs": attrs_to_json(c.rule(7, b"web", 6, (80, 80)) + [S.Attr(99, b"zz")][:0])}
    target["attrs"].append(attrs_to_json([S.Attr(c.a["rule-replace"])])[0])
    noise = [g.call() for _ in range(30)]
    noise = [n for n in noise if n["c"] not in ("close", "socket", "dump", "netns-del")
             and n.get("s") != 0]
    long = {"v": 1, "calls": g.program(0)["calls"] + noise[:10] + [target] + noise[10:]}

    def has_web(p):
        rs = sh.run(p)[0].nets["init"].rules.rules
        return 7 in rs and rs[7].name == b"web"
    assert has_web(long)
    small = minimize(long, has_web)
    assert has_web(small)
    assert [x["c"] for x in small["calls"]] == ["socket", "genl"], small
    # rule-replace is not needed, so it went; the id and name stayed.
    kept = {a[0] for a in small["calls"][1]["attrs"]}
    assert c.a["rule-id"] in kept and c.a["rule-name"] in kept and \
        c.a["rule-replace"] not in kept, kept
    assert ddmin(list(range(20)), lambda xs: 3 in xs and 17 in xs) == [3, 17]
    print(f"prog.py: {decided} generated calls decided by the model, {unknown} not; "
          f"{rules} rules made; {changed}/500 mutations changed their program; "
          f"minimized {len(long['calls'])} calls to {len(small['calls'])}")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(json.dumps(Gen(S.Protocol(), random.Random(seed)).program(), indent=1))


if __name__ == "__main__":
    main()
