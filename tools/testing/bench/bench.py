#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmarks, in one boot of the benchmark kernel (run by bench.sh,
which "make bench" calls; nlrs.ko is not loaded yet).

    bench.py BUILD_DIR OUT_JSON [RULES] [SECTIONS] [--clock wall|icount]
             [--counts N,...] [--shapes SHAPE,...]
    bench.py --merge OUT_JSON WALL_JSON ICOUNT_JSON [ICOUNT_JSON...]

BUILD_DIR holds nlrs.ko, samples/c_genl_twin.ko and nlbench, built for
this kernel. Each figure is the median of the repetitions after a
warm-up (under icount, mostly their best: see Bench.spread), with the
spread (lowest and highest repetition); the targets of a comparison are
measured in turn within each repetition, so a drift of the machine
affects them alike. The tight loops run in nlbench (C), so
the figures are the kernel's, not an interpreter's.

--clock says how the guest's clock runs: "wall" (real time) or "icount"
(QEMU's -icount shift=0,sleep=off, where 1 ns of guest time is one
instruction executed: every time is then an instruction count, and fewer
repetitions are taken). --counts are the rule counts of the hook section
(1, 1,000, 10,000 and 100,000, capped at RULES, RULES the top one);
--shapes its rule shapes (ports, ranges, hosts, prefixes, mix).

Prints a table of ratios (nlrs / reference) with the figures behind them
and writes the same as JSON to OUT_JSON. --merge, on the host, joins a
wall-clock run and one or more icount runs into one table, every figure
in both clocks, and with two icount runs or more prints how far they are
apart.
"""

import argparse
import contextlib
import ctypes
import ipaddress
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, os.path.dirname(HERE))
import ksrc  # noqa: E402
import nl  # noqa: E402
import uapi  # noqa: E402

# The tool section times nlrsctl as built in the repository; the others
# run the copy guest.sh puts on a tmpfs (NLRSCTL), which starts faster.
NLRSCTL_REPO = os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl")
NLRSCTL = os.environ.get("NLRSCTL", NLRSCTL_REPO)
PORT = 9500
FLOOR_CMD = 200  # no such command: the core answers EOPNOTSUPP
ALERTS_GROUP = "alerts"
SO_SNDBUFFORCE = 32
SECTIONS = ("echo", "tool", "memory", "dump", "batch", "hook", "load", "fanout")

# How much each clock repeats. Under icount a figure is an instruction
# count, which moves little from one repetition to the next.
CLOCKS = {
    "wall": {"reps": 7, "hook_rounds": 21, "hook_round_s": 0.25, "hook_min": 64,
             "hook_max": 40000, "load_reps": 3},
    "icount": {"reps": 3, "hook_rounds": 5, "hook_round_s": 0.04, "hook_min": 16,
               "hook_max": 8192, "load_reps": 2},
}
# Under icount, a guest nanosecond is an instruction.
ICOUNT_UNITS = {"ns": "instr", "us": "k instr", "ms": "M instr", "s": "G instr",
                "pkt/s": "pkt/G instr", "entries/s": "entries/G instr",
                "events/s": "events/G instr"}

HOOK_COUNTS = (1, 1000, 10000, 100000)
SHAPES = ("ports", "ranges", "hosts", "prefixes", "mix")
LOAD_SHAPES = ("hosts", "prefixes")
NFT_TABLE = "nlrs_bench"

# -- the rule shapes ---------------------------------------------------------
#
# Each shape is an endless, fixed sequence of rules; a configuration of N
# rules is its first N. The first rule matches the benchmark's datagram
# (UDP, 127.0.0.1 to 127.0.0.1:PORT) and no other does. A rule is given
# twice: as nlrsctl words, and as what an nftables user writes for it, an
# element of a named set with per-element counters (or, for a few, a rule
# of the chain with a counter).

PROTOS = ("udp", "tcp", "sctp", "udplite")

# Named sets: their definition and the statement of the chain that looks
# a packet up in them. Exact keys are hashed; ranges and prefixes are
# intervals (rbtree). Ranges of several protocols go in a set per
# protocol: a concatenation with intervals (pipapo) takes minutes to fill
# with 100,000 elements (each insertion is linear in the set's size).
NFT_SETS = {
    "ports": ("type inet_proto . inet_service; counter;", "meta l4proto . th dport @ports"),
    "ranges_udp": ("type inet_service; flags interval; counter;", "udp dport @ranges_udp"),
    "ranges_tcp": ("type inet_service; flags interval; counter;", "tcp dport @ranges_tcp"),
    "ranges_sctp": ("type inet_service; flags interval; counter;", "sctp dport @ranges_sctp"),
    "ranges_udplite": ("type inet_service; flags interval; counter;",
                       "udplite dport @ranges_udplite"),
    "dhosts": ("type ipv4_addr; counter;", "ip daddr @dhosts"),
    "shosts": ("type ipv4_addr; counter;", "ip saddr @shosts"),
    "nets": ("type ipv4_addr; flags interval; counter;", "ip daddr @nets"),
    "combos": ("type ipv4_addr . inet_proto . inet_service; counter;",
               "ip saddr . meta l4proto . th dport @combos"),
}


def ipv4(a):
    return str(ipaddress.IPv4Address(a))


def scatter(i, n, mult):
    """The i-th of a permutation of range(n): consecutive rules land far
    apart in the key space."""
    assert math.gcd(mult, n) == 1
    return i * mult % n


def gen_ports(skip=("udp", PORT)):
    """Exact ports of every protocol with ports, in turn."""
    i = 0
    while True:
        proto, port = PROTOS[i % 4], 1 + scatter(i // 4, 65535, 40009)
        i += 1
        if (proto, port) != skip:
            yield f"proto {proto} dport {port}", "ports", f"{proto} . {port}"


def gen_ranges():
    """Ranges of two ports, 2k-(2k+1), of every protocol in turn; not
    the one of PORT in UDP."""
    i = 0
    while True:
        proto, k = PROTOS[i % 4], 1 + scatter(i // 4, 32767, 10007)
        i += 1
        if (proto, k) != ("udp", PORT // 2):
            yield f"proto {proto} dport {2 * k}-{2 * k + 1}", f"ranges_{proto}", \
                f"{2 * k}-{2 * k + 1}"


def gen_hosts(key, net, bits, mult):
    """/32 hosts of net (bits host bits), src or dst by key."""
    i = 1
    while True:
        a = ipv4(net + scatter(i, 1 << bits, mult))
        i += 1
        yield f"{key} {a}/32", f"{key[0]}hosts", a


def gen_prefixes(most):
    """Disjoint prefixes of mixed lengths, none holding 127.0.0.1: first
    a /8 to a /15, one each, then /16 to /32 in turn, each length in /8s
    of its own from 11.0.0.0 on, scattered there. most is the largest
    count asked for, which sizes the regions."""
    for length in range(8, 16):
        a = ipv4((length - 7) << 24)
        yield f"dst {a}/{length}", "nets", f"{a}/{length}"
    per = -(-most // 17)
    base, slots, first = {}, {}, 11
    for length in range(16, 33):
        size = 1 << (32 - length)
        n8 = -(-per * size // (1 << 24))
        base[length], slots[length] = first << 24, n8 * (1 << 24) // size
        first += n8
    assert first <= 127, "too many prefixes for the regions below 127/8"
    i = 0
    while True:
        length, c = 16 + i % 17, i // 17
        i += 1
        a = ipv4(base[length] + scatter(c, slots[length], 1000003) * (1 << (32 - length)))
        yield f"dst {a}/{length}", "nets", f"{a}/{length}"


def gen_combos():
    """UDP and TCP from a /32 host to a service port (PORT among them)."""
    services = (53, 123, 443, PORT, 8080, 5353, 161, 514)
    i = 0
    while True:
        a = ipv4((172 << 24 | 16 << 16) + scatter(i, 1 << 20, 2654435761 % (1 << 20) | 1))
        proto, port = ("udp", "tcp")[i % 2], services[i % len(services)]
        i += 1
        yield f"proto {proto} src {a}/32 dport {port}", "combos", f"{a} . {proto} . {port}"


# The mix, after its first rule: a few protocol-only rules and wildcards
# (no protocol), none of which the datagram matches, each an nft rule with
# a counter; then, of every 20 rules, 6 exact ports, 3 port ranges, 3
# source and 3 destination hosts, 3 prefixes, 2 host-protocol-port rules.
MIX_FIXED = (("proto tcp", "meta l4proto tcp counter"),
             ("proto icmp", "meta l4proto icmp counter"),
             ("proto sctp", "meta l4proto sctp counter"),
             ("proto 47", "meta l4proto gre counter"),
             ("dst ::/0", "ip6 daddr ::/0 counter"),
             ("src 128.0.0.0/1", "ip saddr 128.0.0.0/1 counter"))
MIX_PATTERN = ("ports", "ranges", "dhosts", "shosts", "nets", "ports", "combos", "ports",
               "dhosts", "shosts", "ranges", "nets", "ports", "dhosts", "combos", "ports",
               "shosts", "nets", "ranges", "ports")

# The rule of each shape that matches, and where nft keeps its counter.
MATCHING = {
    "ports": ("proto udp dport 9500", "ports", "udp . 9500"),
    "ranges": ("proto udp dport 9500-9501", "ranges_udp", "9500-9501"),
    "hosts": ("dst 127.0.0.1/32", "dhosts", "127.0.0.1"),
    "prefixes": ("dst 127.0.0.0/8", "nets", "127.0.0.0/8"),
    "mix": ("proto udp dport 9500", "ports", "udp . 9500"),
}


def shape_rules(shape, n, most=100000):
    """The first n rules of a shape: [(nlrsctl words, nft set or None,
    element or nft rule)]."""
    gens = {
        "ports": gen_ports(),
        "ranges": gen_ranges(),
        "hosts": gen_hosts("dst", 10 << 24, 24, 2654435761 % (1 << 24) | 1),
        "prefixes": gen_prefixes(max(most, n)),
    }
    out = [MATCHING[shape]]
    if shape == "mix":
        out += [(words, None, rule) for words, rule in MIX_FIXED][:max(0, n - 1)]
        parts = {"ports": gen_ports(), "ranges": gen_ranges(),
                 "dhosts": gen_hosts("dst", 10 << 24, 24, 2654435761 % (1 << 24) | 1),
                 "shosts": gen_hosts("src", 100 << 24 | 64 << 16, 22, 40503),
                 "nets": gen_prefixes(max(most, n)), "combos": gen_combos()}
        i = 0
        while len(out) < n:
            out.append(next(parts[MIX_PATTERN[i % len(MIX_PATTERN)]]))
            i += 1
    else:
        g = gens[shape]
        while len(out) < n:
            out.append(next(g))
    return out[:n]


PROTO_NUMBERS = {"udp": 17, "tcp": 6, "sctp": 132, "udplite": 136}
NFNL_SUBSYS_NFTABLES = 10
NFT_MSG_GETSETELEM = 13
NFPROTO_INET = 1
NFTA_LIST_ELEM = 1
NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET, NFTA_SET_ELEM_LIST_ELEMENTS = 1, 2, 3
NFTA_SET_ELEM_KEY, NFTA_SET_ELEM_EXPR, NFTA_SET_ELEM_EXPRESSIONS = 1, 7, 11
NFTA_DATA_VALUE = 1
NFTA_EXPR_NAME, NFTA_EXPR_DATA = 1, 2
NFTA_COUNTER_PACKETS = 2
CLONE_NEWNET = 0x40000000


def nft_key(elem):
    """The key of an element as the kernel holds it: each field of a
    concatenation in 4-byte registers; of a range or a prefix, its start."""
    fields = elem.split(" . ")
    out = b""
    for f in fields:
        f = f.split("-")[0].split("/")[0]
        if f in PROTO_NUMBERS:
            v = bytes([PROTO_NUMBERS[f]])
        elif "." in f:
            v = ipaddress.IPv4Address(f).packed
        else:
            v = int(f).to_bytes(2, "big")
        out += v + b"\0" * (-len(v) % 4 if len(fields) > 1 else 0)
    return out


@contextlib.contextmanager
def netns(name):
    """In network namespace name (/run/netns/name), then back."""
    libc = ctypes.CDLL(None, use_errno=True)
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns {name}")
        yield
    finally:
        if libc.setns(here, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(here)
        os.close(there)


def nft_elem_packets(ns, nset, elem):
    """The packets counted by element elem of set nset in namespace ns,
    asked of the kernel (NFT_MSG_GETSETELEM): nft 1.0.6's "get element"
    shows no counter for an interval, and a listing of 100,000 elements
    takes minutes under TCG."""
    with netns(ns):
        sock = nl.Socket(nl.NETLINK_NETFILTER)
    with sock:
        answers = sock.request(
            NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSETELEM,
            nl.nfgen_header(NFPROTO_INET)
            + nl.attr_str(NFTA_SET_ELEM_LIST_TABLE, NFT_TABLE)
            + nl.attr_str(NFTA_SET_ELEM_LIST_SET, nset)
            + nl.nest(NFTA_SET_ELEM_LIST_ELEMENTS, nl.nest(
                NFTA_LIST_ELEM, nl.nest(NFTA_SET_ELEM_KEY,
                                        nl.attr(NFTA_DATA_VALUE, nft_key(elem))))))
    assert len(answers) == 1, answers
    el = nl.parse_attrs(nl.parse_attrs(nl.parse_attrs(answers[0][1][4:])[
        NFTA_SET_ELEM_LIST_ELEMENTS])[NFTA_LIST_ELEM])
    expr = el.get(NFTA_SET_ELEM_EXPR) or nl.parse_attrs(el[NFTA_SET_ELEM_EXPRESSIONS])[
        NFTA_LIST_ELEM]
    expr = nl.parse_attrs(expr)
    assert expr[NFTA_EXPR_NAME].rstrip(b"\0") == b"counter", expr
    return int.from_bytes(nl.parse_attrs(expr[NFTA_EXPR_DATA])[NFTA_COUNTER_PACKETS], "big")


def nft_elem_str(val):
    """An element as nft -j lists it, in the words nft -f reads."""
    if isinstance(val, dict):
        if "concat" in val:
            return " . ".join(nft_elem_str(v) for v in val["concat"])
        if "range" in val:
            return "-".join(nft_elem_str(v) for v in val["range"])
        if "prefix" in val:
            return f"{val['prefix']['addr']}/{val['prefix']['len']}"
        if "elem" in val:
            return nft_elem_str(val["elem"]["val"])
    return str(val)


class Bench:
    def __init__(self, build, rules, clock="wall", counts=None, shapes=SHAPES):
        self.build, self.rules, self.clock = build, rules, clock
        self.exe = os.path.join(build, "nlbench")
        self.rows = []
        self.conf = CLOCKS[clock]
        self.reps = self.conf["reps"]
        self.counts = counts or [c for c in HOOK_COUNTS if c < rules] + [rules]
        assert all(0 < c <= rules for c in self.counts), self.counts
        self.shapes = shapes
        # Rust no slower than C where the C helpers inline into it (7.3's
        # benchmark kernel), within 2 % where they are calls (6.12).
        self.echo_target = 1.0 if os.uname().release.startswith("7.") else 1.02

    # -- plumbing ---------------------------------------------------------

    def nlbench(self, *args):
        p = subprocess.run([self.exe, *map(str, args)], capture_output=True, text=True,
                           check=True, timeout=1200)
        return [float(v) for v in p.stdout.split()]

    def insmod(self, **params):
        self.unload()
        subprocess.run(["insmod", os.path.join(self.build, "nlrs.ko"),
                        *(f"{k}={v}" for k, v in params.items())], check=True)

    @staticmethod
    def unload(*modules):
        for m in modules or ("nlrs",):
            if os.path.exists(f"/sys/module/{m}"):
                subprocess.run(["rmmod", m], check=True)

    @staticmethod
    def ctl(*args, **kw):
        return subprocess.run([NLRSCTL, *args], check=True, capture_output=True, text=True,
                              timeout=1200, **kw)

    def apply(self, lines):
        with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
            f.write("".join(lines))
        try:
            self.ctl("nf", "apply", f.name)
        finally:
            os.unlink(f.name)

    @staticmethod
    def stats():
        return json.loads(Bench.ctl("--json", "stats").stdout)

    def row(self, section, figure, unit, mine, ref=None, ref_name=None, better="lower",
            target=None, note=None, detail=None, waits=False):
        """One line of the table. mine and ref are (median, low, high);
        the ratio is nlrs / reference. target is (op, value) on the ratio,
        or on the figure itself when there is no reference. waits: the
        figure includes waiting on the host (its I/O, or a timer while the
        guest idles), which icount does not make repeatable (its clock
        jumps over idle time), or is CPU time of a few scheduler ticks."""
        ratio = mine[0] / ref[0] if ref else None
        value = ratio if ref else mine[0]
        met = None
        if target:
            op, limit = target
            met = value <= limit if op == "<=" else value >= limit
        self.rows.append({"section": section, "figure": figure, "unit": unit,
                          "nlrs": list(mine), "reference": ref_name,
                          "ref": list(ref) if ref else None, "ratio": ratio,
                          "better": better,
                          "target": f"{target[0]} {target[1]}" if target else None,
                          "met": met, "note": note, "detail": detail, "waits": waits})

    def spread(self, values, better=None):
        """(figure, lowest, highest) of the values: the figure is their
        median, or under icount, for repetitions of one measurement
        (better: "lower" or "higher", as rounds() gives), their best.
        Instructions only add up there: a repetition can only gain some
        from background work that lands in it (a timer, an RCU callback),
        which 3 repetitions are too few for a median to outvote. A
        difference of two measurements (the hook's) keeps the median."""
        values = sorted(values)
        figure = statistics.median(values)
        if better and self.clock == "icount":
            figure = values[0] if better == "lower" else values[-1]
        return figure, values[0], values[-1]

    def samples(self, targets, warmup=True, reps=None):
        """{name: [value of each round]}: reps rounds (self.reps by
        default), each calling every target in turn, starting with a
        different one each time."""
        if warmup:
            for fn in targets.values():
                fn()
        got = {name: [] for name in targets}
        order = list(targets.items())
        for i in range(reps or self.reps):
            # Each round starts with the next target: none always goes first.
            for name, fn in order[i % len(order):] + order[:i % len(order)]:
                got[name].append(fn())
        return got

    def rounds(self, targets, warmup=True, reps=None, better="lower"):
        """{name: (figure, low, high)} of the samples of each target
        (spread()); better: whether lower or higher values are better."""
        return {name: self.spread(v, better)
                for name, v in self.samples(targets, warmup, reps).items()}

    # -- the figures ------------------------------------------------------

    def echo(self):
        nlrs, _ = nl.resolve("nlrs")
        twin, _ = nl.resolve("nlrs_c")
        for size, label, rounds in ((15, "16 B", 20000), (uapi.GENL_MSG_MAX_LEN, "4 KiB", 10000)):
            r = self.rounds({
                "nlrs": lambda: self.nlbench("echo", nlrs, uapi.GENL_CMD_ECHO, size, rounds)[0],
                "twin": lambda: self.nlbench("echo", twin, uapi.GENL_CMD_ECHO, size, rounds)[0],
                "floor": lambda: self.nlbench("echo", nlrs, FLOOR_CMD, size, rounds)[0],
            })
            us = lambda m: tuple(v * 1e6 for v in m)  # noqa: E731
            self.row("echo", f"ECHO round trip, {label}", "us", us(r["nlrs"]), us(r["twin"]),
                     "C twin", target=("<=", self.echo_target))
            self.row("echo", f"ECHO round trip, {label}", "us", us(r["nlrs"]), us(r["floor"]),
                     "dispatch floor", target=("<=", 1.15))

    def tool(self):
        """Process time of one echo: nlrsctl against the kernel's YNL
        cli.py, both started afresh each time, as an operator runs them."""
        spec = os.path.join(ROOT, "Documentation/netlink/specs/nlrs.yaml")
        cli = ["/usr/bin/python3", os.path.join(ksrc.ynl(), "cli.py"), "--spec", spec,
               "--schema", ksrc.genetlink_schema(), "--do", "echo", "--json", '{"msg": "hello"}']
        ctl = [NLRSCTL_REPO, "echo", "hello"]

        def run(cmd):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert p.returncode == 0 and "hello" in p.stdout, (cmd, p.stdout, p.stderr)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return wall, cpu

        walls, cpus = {"nlrsctl": [], "cli.py": []}, {"nlrsctl": [], "cli.py": []}
        run(ctl), run(cli)
        for _ in range(min(self.reps, 5)):
            for name, cmd in (("nlrsctl", ctl), ("cli.py", cli)):
                w, c = run(cmd)
                walls[name].append(w * 1e3)
                cpus[name].append(c * 1e3)
        for what, d in (("wall", walls), ("CPU", cpus)):
            mine, ref = self.spread(d["nlrsctl"]), self.spread(d["cli.py"])
            self.row("tool", f"one echo, process {what} time", "ms", mine, ref,
                     "ynl cli.py", target=("<=", 1 / 20), waits=True)

    def memory(self):
        """Kernel memory of RULES rules: unreclaimable slab, per-CPU and
        vmalloc memory before and after inserting them in one batch."""
        def meminfo():
            subprocess.run(["sync"])
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")
            time.sleep(1)
            out = {}
            with open("/proc/meminfo") as f:
                for line in f:
                    k, v = line.split(":")
                    out[k] = int(v.split()[0]) * 1024
            return out["SUnreclaim"] + out["Percpu"] + out["VmallocUsed"], out

        def slabs():
            """{cache: (active objects, object size)} from /proc/slabinfo."""
            out = {}
            with open("/proc/slabinfo") as f:
                for line in f.readlines()[2:]:
                    v = line.split()
                    out[v[0]] = (int(v[1]), int(v[3]))
            return out

        self.ctl("rule", "flush")
        before, b = meminfo()
        s0 = slabs()
        t0 = time.perf_counter()
        self.apply(self.twin_rules())
        took = time.perf_counter() - t0
        after, a = meminfo()
        s1 = slabs()
        # The caches that gained about one object per rule or more: where
        # a rule's memory goes.
        grew = sorted(((s1[k][0] - s0.get(k, (0, 0))[0]) / self.rules, s1[k][1], k)
                      for k in s1 if s1[k][0] - s0.get(k, (0, 0))[0] >= self.rules // 2)
        assert self.stats()["rules"] == self.rules
        per_rule = (after - before) / self.rules
        parts = {k: (a[k] - b[k]) / self.rules for k in ("SUnreclaim", "Percpu", "VmallocUsed")}
        self.row("memory", f"kernel memory per rule ({self.rules} rules)", "B",
                 (per_rule,) * 3, target=("<=", 256),
                 note=", ".join(f"{k} {v:.0f} B" for k, v in parts.items()) + "; per rule: "
                 + ", ".join(f"{n:.2f} x {k} ({size} B)" for n, size, k in reversed(grew)))
        self.row("memory", f"batch of {self.rules} rules (nlrsctl nf apply)", "s",
                 (took,) * 3, note="one run, for scale")

    def twin_rules(self):
        """The rules the twin was loaded with, as nlrsctl batch lines."""
        return [f"add id {i} name r{i} proto udp dport {i % 65536}\n"
                for i in range(1, self.rules + 1)]

    def dump(self):
        if self.stats()["rules"] != self.rules:  # without the memory section
            self.ctl("rule", "flush")
            self.apply(self.twin_rules())
        nlrs, _ = nl.resolve("nlrs")
        twin, _ = nl.resolve("nlrs_c")
        n_r, _, bytes_r = self.nlbench("dump", nlrs, uapi.GENL_CMD_RULE_GET)
        n_c, _, bytes_c = self.nlbench("dump", twin, uapi.GENL_CMD_RULE_GET)
        assert n_r == n_c == self.rules, (n_r, n_c)
        assert bytes_r == bytes_c, (bytes_r, bytes_c)

        def rate(fid):
            n, took, _ = self.nlbench("dump", fid, uapi.GENL_CMD_RULE_GET)
            return n / took

        r = self.rounds({"nlrs": lambda: rate(nlrs), "twin": lambda: rate(twin)},
                        better="higher")
        self.row("dump", f"dump of {self.rules} rules", "entries/s", r["nlrs"], r["twin"],
                 "C twin", better="higher", target=(">=", 1.0))

    def batch(self, count=10000):
        """count RULE_NEW as one nfnetlink batch against count generic
        netlink requests, one at a time with an ACK each; the same Python
        client builds both."""
        nlrs, _ = nl.resolve("nlrs")

        def rule_attrs(i):
            # For both planes: they share the attribute numbers.
            return (nl.attr_u32(uapi.GENL_ATTR_RULE_ID, i)
                    + nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 17),
                              nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, i),
                              nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_HI, i)))

        def single():
            self.ctl("rule", "flush")
            with nl.Socket(nl.NETLINK_GENERIC) as s:
                t0 = time.perf_counter()
                for i in range(1, count + 1):
                    s.request(nlrs, nl.genl_header(uapi.GENL_CMD_RULE_NEW) + rule_attrs(i))
                took = time.perf_counter() - t0
            assert self.stats()["rules"] == count
            return took

        def batched():
            self.ctl("rule", "flush")
            subsys = uapi.NFNL_SUBSYS_ID
            hdr = lambda res: nl.nfgen_header(res_id=res)  # noqa: E731
            with nl.Socket(nl.NETLINK_NETFILTER) as s:
                # The whole batch is one datagram: past wmem_max, as root.
                s.sock.setsockopt(nl.socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
                data = nl.nfnl_batch(subsys, b"".join(
                    s.message(nl.nfnl_type(uapi.NFNL_MSG_RULE_NEW),
                              nl.NLM_F_REQUEST | nl.NLM_F_CREATE, hdr(0) + rule_attrs(i))
                    for i in range(1, count + 1)))
                t0 = time.perf_counter()
                s.send_raw(data)
                # Processed in the sender's context: an ACKed echo after it
                # returns once the batch is committed (or has failed).
                s.request(nl.nfnl_type(uapi.NFNL_MSG_ECHO),
                          hdr(0) + nl.attr_str(uapi.NFNL_ATTR_MSG, "x"))
                took = time.perf_counter() - t0
            assert self.stats()["rules"] == count, "the batch failed"
            return took

        r = self.rounds({"batch": lambda: batched() * 1e3, "single": lambda: single() * 1e3},
                        warmup=False)
        self.row("batch", f"{count} RULE_NEW", "ms", r["batch"], r["single"],
                 "single genl requests", target=("<=", 1 / 5))
        self.ctl("rule", "flush")

    # -- the hook -----------------------------------------------------------

    SPACES = ("nlrs-bench-base", "nlrs-bench-nlrs", "nlrs-bench-nft")

    @staticmethod
    def inside(ns, *cmd, **kw):
        """cmd's output, run in network namespace ns (None: this one)."""
        return subprocess.run(["ip", "netns", "exec", ns, *cmd] if ns else list(cmd),
                              check=True, capture_output=True, text=True, timeout=3600,
                              **kw).stdout

    @staticmethod
    def write_tmp(text, suffix):
        with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
            f.write(text)
        return f.name

    @staticmethod
    def nlrs_batch(rules, first_id):
        """nlrsctl nf apply lines adding rules, ids from first_id on."""
        return "".join(f"add id {first_id + i} {words}\n" for i, (words, _, _) in enumerate(rules))

    @staticmethod
    def nft_table():
        return (f"add table inet {NFT_TABLE}\n"
                f"add chain inet {NFT_TABLE} out {{ type filter hook output priority 0; }}\n"
                f"add chain inet {NFT_TABLE} in {{ type filter hook input priority 0; }}\n")

    @staticmethod
    def nft_delta(rules, have):
        """nft -f lines adding rules to the table: the sets they need that
        are not in have (which gains them), their elements, and for each
        new set or rule its statement in both chains."""
        lines, elems, stmts = [], {}, []
        for _, nset, what in rules:
            if nset is None:
                stmts.append(what)
                continue
            if nset not in have:
                have.add(nset)
                lines.append(f"add set inet {NFT_TABLE} {nset} {{ {NFT_SETS[nset][0]} }}")
                stmts.append(NFT_SETS[nset][1])
            elems.setdefault(nset, []).append(what)
        for nset, values in elems.items():
            lines.append(f"add element inet {NFT_TABLE} {nset} {{ {', '.join(values)} }}")
        for stmt in stmts:
            for chain in ("out", "in"):
                lines.append(f"add rule inet {NFT_TABLE} {chain} {stmt}")
        return "\n".join(lines) + "\n"

    def nlrs_counted(self, ns, n):
        """Packets of rule 1, the matching one, in ns, which has n rules;
        asserts that no other rule counted any."""
        got = json.loads(self.inside(ns, NLRSCTL, "--json", "counters"))
        assert len(got) == n, (len(got), n)
        hits = sorted(r["id"] for r in got if r["packets"] and r["id"] != 1)
        assert not hits, f"rules that do not match counted packets: {hits[:10]}"
        return next(r["packets"] for r in got if r["id"] == 1)

    def nft_counted(self, ns, shape, rules):
        """Packets of the matching element of shape's rules in ns; asserts
        that no counter of the chains counted any, nor any element but
        that one: every element up to 1,000 rules (listing them), beyond
        that a few, the first and the last rules' (a listing of 100,000
        takes minutes under TCG)."""
        match_set, match_elem = MATCHING[shape][1:]
        sets = {nset for _, nset, _ in rules if nset}
        others = []
        # (-t list table would fetch every element too.)
        chains = json.loads(self.inside(ns, "nft", "-j", "-t", "list", "ruleset"))
        for item in chains["nftables"]:
            for expr in item.get("rule", {}).get("expr", []):
                if "counter" in expr and expr["counter"]["packets"]:
                    others.append((item["rule"]["chain"], expr["counter"]["packets"]))
        if len(rules) <= 1000:
            for nset in sorted(sets):
                listing = json.loads(self.inside(ns, "nft", "-j", "list", "set", "inet",
                                                 NFT_TABLE, nset))
                for item in listing["nftables"]:
                    for e in item.get("set", {}).get("elem", []):
                        if e["elem"]["counter"]["packets"] and \
                                (nset, nft_elem_str(e)) != (match_set, match_elem):
                            others.append((nset, nft_elem_str(e), e["elem"]["counter"]))
        else:
            for _, nset, elem in [r for r in rules[1:4] + rules[-3:] if r[1]]:
                packets = nft_elem_packets(ns, nset, elem)
                if packets:
                    others.append((nset, elem, packets))
        assert not others, f"nft elements or rules that do not match counted: {others[:10]}"
        return nft_elem_packets(ns, match_set, match_elem)

    def udpns(self, count, rounds):
        """nlbench udpns in the three namespaces: per round, the seconds
        per datagram of each."""
        out = subprocess.run([self.exe, "udpns", str(PORT), str(count), str(rounds),
                              *self.SPACES], check=True, capture_output=True, text=True,
                             timeout=3600).stdout
        r = [[float(v) / count for v in line.split()] for line in out.splitlines()]
        assert len(r) == rounds and all(len(x) == 3 for x in r), out
        return r

    def hook(self):
        """Per-packet cost of the hooks: UDP datagrams over loopback, each
        through LOCAL_OUT and LOCAL_IN, in three network namespaces of one
        boot: one without hooks (the baseline), one with nlrs's rules and
        one with nftables doing the same accounting the way its users do,
        with named sets of per-element counters. Hooks are per namespace,
        so the three are measured in turn, over and over (nlbench udpns:
        one process, rounds of the same number of datagrams in each),
        without changing anything between them; a setting's cost is its
        time per datagram less the baseline's of the same round.

        For each rule shape, the rules grow through the counts; in each
        configuration the datagram matches one rule, the shape's first,
        and none of the others. Each round is sized from a first short
        one, so that the slowest namespace takes about hook_round_s."""
        base, mine, theirs = self.SPACES
        rounds = self.conf["hook_rounds"]

        def per_packet():
            return float(self.inside(base, self.exe, "udp", str(PORT), "20000").split()[0]) / 20000

        # No module at all, once, for scale.
        self.unload()
        for ns in self.SPACES:
            subprocess.run(["ip", "netns", "add", ns], check=True)
            subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        costs, top = {}, max(self.counts)
        try:
            per_packet()
            none = self.spread([1 / per_packet() for _ in range(3)])
            self.insmod(max_rules=self.rules)
            for shape in self.shapes:
                rules = shape_rules(shape, top, self.rules)
                self.inside(mine, NLRSCTL, "rule", "flush")
                subprocess.run(["ip", "netns", "exec", theirs, "nft", "delete", "table", "inet",
                                NFT_TABLE], capture_output=True)
                self.inside(theirs, "nft", "-f", "-", input=self.nft_table())
                # What the matching rule and element had counted: the
                # check after each configuration covers the new rules.
                sets, done, before = set(), 0, (0, 0)
                for n in self.counts:
                    t0 = time.perf_counter()
                    for ns, text, cmd in (
                            (mine, self.nlrs_batch(rules[done:n], done + 1),
                             (NLRSCTL, "nf", "apply")),
                            (theirs, self.nft_delta(rules[done:n], sets), ("nft", "-f"))):
                        name = self.write_tmp(text, ".rules")
                        try:
                            self.inside(ns, *cmd, name)
                        finally:
                            os.unlink(name)
                    loaded = time.perf_counter() - t0
                    done = n
                    least = self.conf["hook_min"]
                    probe = self.udpns(least, 1)[0]
                    count = int(self.conf["hook_round_s"] / max(probe)) // least * least
                    count = max(least, min(self.conf["hook_max"], count))
                    t1 = time.perf_counter()
                    r = self.udpns(count, rounds)
                    t2 = time.perf_counter()
                    after = (self.nlrs_counted(mine, n),
                             self.nft_counted(theirs, shape, rules[:n]))
                    assert after[0] > before[0], ("nlrs: the matching rule did not count",
                                                  shape, n, before, after)
                    assert after[1] > before[1], ("nft: the matching element did not count",
                                                  shape, n, before, after)
                    before = after
                    costs[shape, n] = {
                        "nlrs": self.spread([(m - b) * 1e9 for b, m, _ in r]),
                        "nft": self.spread([(t - b) * 1e9 for b, _, t in r]),
                        "base": self.spread([b * 1e9 for b, _, _ in r]),
                        "datagrams": count,
                    }
                    c = costs[shape, n]
                    print(f"bench: hook {shape} {n}: nlrs {c['nlrs'][0]:,.0f}, nft "
                          f"{c['nft'][0]:,.0f}, base {c['base'][0]:,.0f} ns per datagram "
                          f"({count} x {rounds}; s: load {loaded:.1f}, rounds {t2 - t1:.1f}, "
                          f"check {time.perf_counter() - t2:.1f})",
                          file=sys.stderr, flush=True)
        finally:
            for ns in self.SPACES:
                subprocess.run(["ip", "netns", "del", ns])

        self.row("hook", "no module: datagrams per second", "pkt/s", none,
                 note="each passes LOCAL_OUT and LOCAL_IN")
        for shape in self.shapes:
            for n in self.counts:
                c = costs[shape, n]
                self.row("hook", f"hook cost, {shape}, {n:,} rule{'s' if n > 1 else ''}", "ns",
                         c["nlrs"], c["nft"], "nft sets",
                         target=("<=", 1.0) if n >= 10000 else None,
                         detail={"datagrams": c["datagrams"], "rounds": rounds,
                                 "baseline_ns": c["base"]})
            if 1 in self.counts and top > 1:
                nft = costs[shape, top]["nft"][0] / costs[shape, 1]["nft"][0]
                self.row("hook", f"hook cost, {shape}, {top:,} rules / 1 rule", "ns",
                         costs[shape, top]["nlrs"], costs[shape, 1]["nlrs"], "1 rule",
                         target=("<=", 1.2), note=f"nft: {nft:.3f}")

    # -- loading --------------------------------------------------------------

    def load(self):
        """Time to load RULES rules of a shape as one nlrs batch (nlrsctl
        nf apply FILE) against nft -f FILE making the table, its set and
        chains and adding RULES elements; each process's whole run, in
        turn, in this namespace, from nothing."""
        self.ctl("rule", "flush")

        def nft_flush():
            subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], capture_output=True)

        for shape in LOAD_SHAPES:
            rules = shape_rules(shape, self.rules, self.rules)
            batch = self.write_tmp(self.nlrs_batch(rules, 1), ".batch")
            ruleset = self.write_tmp(self.nft_table() + self.nft_delta(rules, set()), ".nft")

            def run(cmd):
                """(elapsed, CPU time) of cmd's process, in ms."""
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True, timeout=3600)
                took = time.perf_counter() - t0
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                return took * 1e3, 1e3 * (after.ru_utime - before.ru_utime
                                          + after.ru_stime - before.ru_stime)

            def nlrs():
                self.ctl("rule", "flush")
                took = run([NLRSCTL, "nf", "apply", batch])
                assert self.stats()["rules"] == self.rules
                return took

            def nft():
                nft_flush()
                return run(["nft", "-f", ruleset])

            try:
                got = self.samples({"nlrs": nlrs, "nft": nft}, warmup=False,
                                   reps=self.conf["load_reps"])
            finally:
                os.unlink(batch)
                os.unlink(ruleset)
                self.ctl("rule", "flush")
                nft_flush()
            nset = MATCHING[shape][1]
            for i, what in enumerate(("elapsed", "CPU time")):
                mine = self.spread([v[i] for v in got["nlrs"]])
                ref = self.spread([v[i] for v in got["nft"]])
                self.row("load", f"load {self.rules:,} rules, {shape}, {what}", "ms", mine, ref,
                         "nft -f", target=("<=", 2.0), waits=what == "elapsed",
                         note=None if i else f"nft: set {nset} {{ {NFT_SETS[nset][0]} }}; "
                         "CPU time: user and system, the kernel's work in the process's "
                         "system calls")

    def fanout(self, datagrams=20000, rules=50):
        """Alerts to 1, 8 and 64 listeners of the "alerts" group: rules
        with a threshold of 1 packet per 1 ms window all match the
        datagrams, so each window raises one alert per rule. The listeners
        read as fast as they can, with the default receive buffer."""
        _, groups = nl.resolve("nlrs")
        self.ctl("rule", "flush")
        self.apply([f"add id {i} proto udp dport {PORT} threshold 1/1\n"
                    for i in range(1, rules + 1)])
        for n in (1, 8, 64):
            s0 = self.stats()
            lis = subprocess.Popen([self.exe, "listen", str(groups[ALERTS_GROUP]), str(n),
                                    "2000"], stdout=subprocess.PIPE, text=True)
            assert lis.stdout.readline().strip() == "ready"
            self.nlbench("udp", PORT, datagrams)
            got, enobufs, span = (float(v) for v in lis.stdout.read().split())
            lis.wait()
            s1 = self.stats()
            raised = s1["alerts"] - s0["alerts"]
            expected = raised * n
            rate = got / span if span else 0
            self.row("fanout", f"alerts to {n} listener{'s' if n > 1 else ''}", "events/s",
                     (rate,) * 3, better="higher", waits=True,
                     note=f"{raised} raised, {got:.0f} of {expected} delivered, "
                          f"{expected - got:.0f} dropped ({enobufs:.0f} ENOBUFS reports)")
        self.ctl("rule", "flush")

    # -- output -----------------------------------------------------------

    def table(self):
        return table({self.clock: self.rows})


def fmt(m, unit):
    if m is None:
        return "-"
    # At least 3 significant digits, whole numbers from 100 up.
    big = max(abs(v) for v in m)
    digits = 0 if unit in ("pkt/s", "entries/s", "events/s") or big >= 100 else \
        1 if big >= 10 else 2 if big >= 1 else 3
    if m[1] == m[2]:
        return f"{m[0]:,.{digits}f}"
    return f"{m[0]:,.{digits}f} [{m[1]:,.{digits}f}-{m[2]:,.{digits}f}]"


def row_key(r):
    return r["section"], r["figure"], r["reference"]


def table(runs):
    """The rows of one run per clock ({clock: rows}), each figure once per
    clock, the wall clock's first."""
    order, rows = [], {}
    for clock, rs in runs.items():
        for r in rs:
            if row_key(r) not in rows:
                order.append(row_key(r))
                rows[row_key(r)] = {}
            rows[row_key(r)][clock] = r
    lines = [f"{'figure':48} {'clock':6} {'unit':15} {'nlrs':>28} {'reference':>28} "
             f"{'ratio':>6} target"]
    for key in order:
        notes = []
        for i, clock in enumerate(c for c in ("wall", "icount") if c in rows[key]):
            r = rows[key][clock]
            unit = ICOUNT_UNITS.get(r["unit"], r["unit"]) if clock == "icount" else r["unit"]
            ratio = f"{r['ratio']:.3f}" if r["ratio"] is not None else "-"
            met = {True: "met", False: "NOT met", None: ""}[r["met"]]
            line = (f"{'' if i else r['figure'][:48]:48} {clock:6} {unit:15} "
                    f"{fmt(r['nlrs'], r['unit']):>28} {fmt(r['ref'], r['unit']):>28} "
                    f"{ratio:>6} {r['target'] or ''} {met}")
            if r["reference"] and not i:
                line += f" (vs {r['reference']})"
            lines.append(line.rstrip())
            if r["note"] and r["note"] not in notes:
                notes.append(r["note"])
                lines.append(f"{'':56}{'' if not i else clock + ': '}{r['note']}")
    return "\n".join(lines)


def agreement(reports):
    """How far icount runs are apart: per section, the largest spread
    (highest less lowest, over their mean) of a median across the runs,
    with the figure it is of; figures that wait on the host apart."""
    rows = [{row_key(r): r for r in rep["rows"]} for rep in reports]
    worst = {}
    for key, r in rows[0].items():
        group = r["section"] + (" (waits on the host)" if r.get("waits") else "")
        for which in ("nlrs", "ref"):
            vals = [rs[key][which][0] for rs in rows if key in rs and rs[key][which]]
            mean = sum(vals) / len(vals) if vals else 0
            if len(vals) < len(rows) or not mean:
                continue
            dev = (max(vals) - min(vals)) / abs(mean)
            if dev >= worst.get(group, {"deviation": -1})["deviation"]:
                worst[group] = {"deviation": dev, "figure": r["figure"],
                                "of": which if which == "nlrs" else r["reference"],
                                "values": vals, "waits": bool(r.get("waits"))}
    return worst


def merge(out, paths):
    """Joins the runs of bench.sh (OUT_JSON of each, their clock in them)
    into one table and one JSON."""
    reports = []
    for path in paths:
        with open(path) as f:
            reports.append(json.load(f))
    by_clock = {}
    for rep in reports:
        by_clock.setdefault(rep["machine"]["clock"], []).append(rep)
    first = {clock: reps[0]["rows"] for clock, reps in sorted(
        by_clock.items(), key=lambda kv: kv[0] != "wall")}
    merged = {"machine": reports[0]["machine"], "rules": reports[0]["rules"],
              "runs": reports}
    m = reports[0]["machine"]
    print(f"nlrs benchmarks: kernel {m['kernel']}, {m['cpus']} CPUs ({m['cpu']}), "
          f"{reports[0]['rules']:,} rules; " + ", ".join(
              f"{rep['machine']['clock']} run: {rep['seconds']} s in the guest"
              for rep in reports))
    print("wall: guest real time. icount: QEMU -icount shift=0,sleep=off, where a guest "
          "ns is one instruction")
    print(table(first))
    icount = by_clock.get("icount", [])
    if len(icount) > 1:
        worst = agreement(icount)
        merged["icount_agreement"] = worst
        print(f"\n{len(icount)} icount runs of this build: the largest spread of a median, "
              "per section ((highest - lowest) / mean):")
        for group, w in sorted(worst.items(), key=lambda kv: (kv[1]["waits"], kv[0])):
            vals = " / ".join(f"{v:,.1f}" for v in w["values"])
            print(f"  {group:28} {w['deviation'] * 100:6.2f} %  {w['figure']} ({w['of']}: "
                  f"{vals})")
        det = [w["deviation"] for w in worst.values() if not w["waits"]]
        if det:
            print(f"  largest over the figures that do not wait on the host: "
                  f"{max(det) * 100:.2f} % (target: within 1 %)")
    with open(out, "w") as f:
        json.dump(merged, f, indent=1)


def machine(clock, reps):
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), "?")
    return {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": model,
            "clock": clock, "reps": reps}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--merge":
        merge(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("rules", nargs="?", type=int, default=100000)
    ap.add_argument("sections", nargs="?", default="")
    ap.add_argument("--clock", choices=CLOCKS, default="wall")
    ap.add_argument("--counts", default="", help="rule counts of the hook section")
    ap.add_argument("--shapes", default="", help="rule shapes of the hook section")
    args = ap.parse_args()
    sections = args.sections.split(",") if args.sections else SECTIONS
    shapes = args.shapes.split(",") if args.shapes else SHAPES
    assert set(sections) <= set(SECTIONS) and set(shapes) <= set(SHAPES), (sections, shapes)
    counts = [int(c) for c in args.counts.split(",")] if args.counts else None
    rules = args.rules
    b = Bench(args.build, rules, args.clock, counts, shapes)
    t0 = time.time()
    b.insmod(max_rules=rules)
    subprocess.run(["insmod", os.path.join(args.build, "samples/c_genl_twin.ko"),
                    f"rules={rules}"], check=True)
    try:
        for section in sections:
            print(f"bench: {section} ({args.clock}) at {time.time() - t0:.0f} s",
                  file=sys.stderr, flush=True)
            getattr(b, section)()
    except BaseException:
        print(b.table())
        raise
    b.unload("c_genl_twin", "nlrs")
    report = {"machine": machine(args.clock, b.reps), "rules": rules,
              "seconds": round(time.time() - t0), "rows": b.rows}
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"nlrs benchmarks, {args.clock} clock: {report['machine']}, {report['seconds']} s")
    print(b.table())


if __name__ == "__main__":
    main()
