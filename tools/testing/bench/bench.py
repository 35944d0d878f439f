#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmarks, in one boot of the benchmark kernel (run by bench.sh,
which "make bench" calls; nlrs.ko is not loaded yet).

    bench.py BUILD_DIR OUT_JSON [RULES]

BUILD_DIR holds nlrs.ko, samples/c_genl_twin.ko and nlbench, built for
this kernel. Each figure is the median of REPS repetitions after a
warm-up, with the spread (lowest and highest repetition); the targets of
a comparison are measured in turn within each repetition, so a drift of
the machine affects them alike. The tight loops run in nlbench (C), so
the figures are the kernel's, not an interpreter's.

Prints a table of ratios (nlrs / reference) with the figures behind them
and writes the same as JSON to OUT_JSON.
"""

import json
import os
import platform
import re
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

NLRSCTL = os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl")
REPS = 7
PORT = 9500
FLOOR_CMD = 200  # no such command: the core answers EOPNOTSUPP
ALERTS_GROUP = "alerts"
SO_SNDBUFFORCE = 32


class Bench:
    def __init__(self, build, rules):
        self.build, self.rules = build, rules
        self.exe = os.path.join(build, "nlbench")
        self.rows = []

    # -- plumbing ---------------------------------------------------------

    def nlbench(self, *args):
        p = subprocess.run([self.exe, *map(str, args)], capture_output=True, text=True,
                           check=True, timeout=1200)
        return [float(v) for v in p.stdout.split()]

    def load(self, **params):
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
            target=None, note=None):
        """One line of the table. mine and ref are (median, low, high);
        the ratio is nlrs / reference. target is (op, value) on the ratio,
        or on the figure itself when there is no reference."""
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
                          "met": met, "note": note})

    @staticmethod
    def spread(values):
        values = sorted(values)
        return statistics.median(values), values[0], values[-1]

    @staticmethod
    def samples(targets, warmup=True):
        """{name: [value of each round]}: REPS rounds, each calling every
        target in turn, starting with a different one each time."""
        if warmup:
            for fn in targets.values():
                fn()
        got = {name: [] for name in targets}
        order = list(targets.items())
        for i in range(REPS):
            # Each round starts with the next target: none always goes first.
            for name, fn in order[i % len(order):] + order[:i % len(order)]:
                got[name].append(fn())
        return got

    def rounds(self, targets, warmup=True):
        """{name: (median, low, high)} of the samples of each target."""
        return {name: self.spread(v) for name, v in self.samples(targets, warmup).items()}

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
                     "C twin", target=("<=", 1.02))
            self.row("echo", f"ECHO round trip, {label}", "us", us(r["nlrs"]), us(r["floor"]),
                     "dispatch floor", target=("<=", 1.15))

    def tool(self):
        """Process time of one echo: nlrsctl against the kernel's YNL
        cli.py, both started afresh each time, as an operator runs them."""
        spec = os.path.join(ROOT, "Documentation/netlink/specs/nlrs.yaml")
        cli = ["/usr/bin/python3", os.path.join(ksrc.ynl(), "cli.py"), "--spec", spec,
               "--schema", ksrc.genetlink_schema(), "--do", "echo", "--json", '{"msg": "hello"}']
        ctl = [NLRSCTL, "echo", "hello"]

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
        for _ in range(min(REPS, 5)):
            for name, cmd in (("nlrsctl", ctl), ("cli.py", cli)):
                w, c = run(cmd)
                walls[name].append(w * 1e3)
                cpus[name].append(c * 1e3)
        for what, d in (("wall", walls), ("CPU", cpus)):
            mine, ref = self.spread(d["nlrsctl"]), self.spread(d["cli.py"])
            self.row("tool", f"one echo, process {what} time", "ms", mine, ref,
                     "ynl cli.py", target=("<=", 1 / 20))

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

        r = self.rounds({"nlrs": lambda: rate(nlrs), "twin": lambda: rate(twin)})
        self.row("dump", f"dump of {self.rules} rules", "entries/s", r["nlrs"], r["twin"],
                 "C twin", better="higher", target=(">=", 0.98))

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

    def hook(self, count=50000, rounds=31):
        """Per-packet cost of the hooks: UDP datagrams over loopback, each
        through LOCAL_OUT and LOCAL_IN, in three network namespaces of one
        boot: one without hooks (the baseline), one with nlrs's rules and
        one with an nftables rule doing the same match and count. Hooks
        are per namespace, so the three are measured in turn, over and
        over (nlbench udpns: one process, ROUNDS rounds of COUNT datagrams
        in each), without changing anything between them; a setting's cost
        is its time per datagram less the baseline's of the same round."""
        spaces = {"base": "nlrs-bench-base", "nlrs": "nlrs-bench-nlrs", "nft": "nlrs-bench-nft"}

        def inside(ns, *cmd, **kw):
            return subprocess.run(["ip", "netns", "exec", spaces[ns], *cmd], check=True,
                                  capture_output=True, text=True, timeout=1200, **kw).stdout

        def per_packet(ns):
            return float(inside(ns, self.exe, "udp", str(PORT), str(count)).split()[0]) / count

        def exact_rules(first, last):
            # Exact UDP ports other than PORT, each in its (proto, port) chain.
            return "".join(f"add id {i} proto udp dport {i}\n" for i in range(first, last + 1)
                           if i != PORT)

        # No module at all, once, for scale.
        self.unload()
        per_packet_none = None
        for ns in spaces.values():
            subprocess.run(["ip", "netns", "add", ns], check=True)
            subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        try:
            per_packet("base")
            per_packet_none = self.spread([1 / per_packet("base") for _ in range(3)])
            self.load()
            inside("nft", "nft", "-f", "-", input=f"""table inet nlrs_bench {{
                chain out {{ type filter hook output priority 0; udp dport {PORT} counter; }}
                chain in {{ type filter hook input priority 0; udp dport {PORT} counter; }}
            }}""")
            inside("nlrs", NLRSCTL, "rule", "add", "id", str(PORT), "proto", "udp", "dport",
                   str(PORT))
            costs = {}
            for name, more in (("1 rule", None), ("100 rules", (1, 99)),
                               ("10,000 rules", (100, 10000))):
                if more:
                    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
                        f.write(exact_rules(*more))
                    inside("nlrs", NLRSCTL, "nf", "apply", f.name)
                    os.unlink(f.name)
                out = subprocess.run([self.exe, "udpns", str(PORT), str(count), str(rounds),
                                      *spaces.values()], check=True, capture_output=True,
                                     text=True, timeout=1200).stdout
                # Paired by round: each setting against the baseline beside it.
                r = [[float(v) / count for v in line.split()] for line in out.splitlines()]
                assert len(r) == rounds, out
                costs[name] = self.spread([(n - b) * 1e9 for b, n, _ in r])
                costs.setdefault("nft", []).extend((t - b) * 1e9 for b, _, t in r)
            counted = [int(v) for v in re.findall(r"counter packets (\d+)",
                                                   inside("nft", "nft", "list", "ruleset"))]
            assert len(counted) == 2 and min(counted) > 0, counted
            hook_packets = json.loads(inside("nlrs", NLRSCTL, "--json", "stats"))["hook_packets"]
            assert hook_packets > 0, hook_packets
        finally:
            for ns in spaces.values():
                subprocess.run(["ip", "netns", "del", ns])
        costs["nft"] = self.spread(costs["nft"])

        self.row("hook", "no module: datagrams per second", "pkt/s", per_packet_none,
                 note="each passes LOCAL_OUT and LOCAL_IN")
        for name in ("1 rule", "100 rules", "10,000 rules", "nft"):
            self.row("hook", f"hook cost per datagram, {name}", "ns", costs[name])
        self.row("hook", "hook cost, 10,000 rules / 1 rule", "ns", costs["10,000 rules"],
                 costs["1 rule"], "1 rule", target=("<=", 1.2))
        self.row("hook", "hook cost, 1 rule / nftables counter rule", "ns",
                 costs["1 rule"], costs["nft"], "nft", target=("<=", 1.0))
        self.row("hook", "hook cost, 10,000 rules / nftables counter rule", "ns",
                 costs["10,000 rules"], costs["nft"], "nft", target=("<=", 1.0))

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
                     (rate,) * 3, better="higher",
                     note=f"{raised} raised, {got:.0f} of {expected} delivered, "
                          f"{expected - got:.0f} dropped ({enobufs:.0f} ENOBUFS reports)")
        self.ctl("rule", "flush")

    # -- output -----------------------------------------------------------

    def table(self):
        def fmt(m, unit):
            if m is None:
                return "-"
            if unit in ("pkt/s", "entries/s", "events/s"):
                return f"{m[0]:,.0f} [{m[1]:,.0f}-{m[2]:,.0f}]"
            if m[1] == m[2]:
                return f"{m[0]:,.1f}"
            return f"{m[0]:,.1f} [{m[1]:,.1f}-{m[2]:,.1f}]"

        lines = [f"{'figure':50} {'unit':9} {'nlrs':>30} {'reference':>30} {'ratio':>6} target"]
        for r in self.rows:
            ratio = f"{r['ratio']:.3f}" if r["ratio"] is not None else "-"
            met = {True: "met", False: "NOT met", None: ""}[r["met"]]
            ref = fmt(r["ref"], r["unit"])
            lines.append(f"{r['figure'][:50]:50} {r['unit']:9} {fmt(r['nlrs'], r['unit']):>30} "
                         f"{ref:>30} {ratio:>6} {r['target'] or ''} {met}")
            if r["reference"]:
                lines[-1] += f" (vs {r['reference']})"
            if r["note"]:
                lines.append(f"{'':60}{r['note']}")
        return "\n".join(lines)


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), "?")
    return {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": model,
            "reps": REPS}


def main():
    build, out = sys.argv[1], sys.argv[2]
    rules = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    b = Bench(build, rules)
    t0 = time.time()
    b.load(max_rules=rules)
    subprocess.run(["insmod", os.path.join(build, "samples/c_genl_twin.ko"), f"rules={rules}"],
                   check=True)
    try:
        for section in sys.argv[4].split(",") if len(sys.argv) > 4 else \
                ("echo", "tool", "memory", "dump", "batch", "hook", "fanout"):
            print(f"bench: {section}", file=sys.stderr, flush=True)
            getattr(b, section)()
    except BaseException:
        print(b.table())
        raise
    b.unload("c_genl_twin", "nlrs")
    report = {"machine": machine(), "rules": rules, "seconds": round(time.time() - t0),
              "rows": b.rows}
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"nlrs benchmarks: {report['machine']}, {report['seconds']} s")
    print(b.table())
    print(json.dumps(report))


if __name__ == "__main__":
    main()
