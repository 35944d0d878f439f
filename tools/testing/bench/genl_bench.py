#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink figures, in the guest with nlrs.ko loaded: the ECHO
round trip of nlrs, of its C twin (samples/c_genl_twin.ko) and of the
dispatch floor (an unknown command, answered by the core with an error
ACK), and the rate of a dump of RULES rules from nlrs and from the twin.

    genl_bench.py [RULES] [ROUNDS]

Each figure is the median of REPS repetitions of ROUNDS operations after
a warm-up, with the spread (lowest to highest repetition). The client is
the same Python code for every target, so the ratios compare the kernel
sides; the absolute times include the client. Prints a table and a JSON
line.
"""

import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import nl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TWIN = os.path.join(ROOT, "samples/c_genl_twin.ko")
NLRSCTL = os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl")
REPS = 5


def echo_rounds(fid, cmd, payload, rounds):
    """Seconds per round trip of `rounds` requests on one socket."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nl.NETLINK_GENERIC)
    s.bind((0, 0))
    msg = nl.genl_header(cmd) + payload
    req = struct.pack("=IHHII", 16 + len(msg), fid, nl.NLM_F_REQUEST, 0, 0) + msg
    start = time.perf_counter()
    for _ in range(rounds):
        s.send(req)
        s.recv(65536)
    took = time.perf_counter() - start
    s.close()
    return took / rounds


def dump_rate(fid, cmd):
    """Entries per second of one dump."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nl.NETLINK_GENERIC)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((0, 0))
    req = struct.pack("=IHHII", 20, fid, nl.NLM_F_REQUEST | nl.NLM_F_DUMP, 1, 0) + nl.genl_header(cmd)
    entries = 0
    start = time.perf_counter()
    s.send(req)
    done = False
    while not done:
        data = s.recv(1 << 16)
        off = 0
        while off < len(data):
            n, ty = struct.unpack_from("=IH", data, off)
            if ty == nl.NLMSG_DONE:
                done = True
                break
            entries += 1
            off += (n + 3) & ~3
    took = time.perf_counter() - start
    s.close()
    return entries, entries / took


def measure(fn, *args):
    fn(*args)  # warm-up
    runs = sorted(fn(*args) for _ in range(REPS))
    return statistics.median(runs), runs[0], runs[-1]


def main():
    rules = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    # Enough room for the rules, then the twin with the same rules.
    subprocess.run(["rmmod", "nlrs"])
    subprocess.run(["insmod", os.path.join(ROOT, "nlrs.ko"), f"max_rules={rules}"], check=True)
    subprocess.run(["insmod", TWIN, f"rules={rules}"], check=True)
    try:
        nlrs, _ = nl.resolve("nlrs")
        twin, _ = nl.resolve("nlrs_c")
        subprocess.run([NLRSCTL, "rule", "flush"], check=True, capture_output=True)
        with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
            for i in range(1, rules + 1):
                f.write(f"add id {i} name r{i} proto udp dport {i % 65536}\n")
        subprocess.run([NLRSCTL, "nf", "apply", f.name], check=True, capture_output=True)
        os.unlink(f.name)

        msg = nl.attr_str(nl.NLRS_A_MSG, "x" * 15)
        rows = []
        floor = measure(echo_rounds, nlrs, 200, b"", rounds)
        c_echo = measure(echo_rounds, twin, 1, msg, rounds)
        r_echo = measure(echo_rounds, nlrs, 1, msg, rounds)
        rows.append(("ECHO round trip, 16 B (us)", r_echo, c_echo, "C twin", 1e6))
        rows.append(("ECHO round trip vs floor (us)", r_echo, floor, "floor", 1e6))
        n_r, _ = dump_rate(nlrs, 6)
        n_c, _ = dump_rate(twin, 6)
        assert n_r == n_c == rules, (n_r, n_c, rules)
        r_dump = measure(lambda: dump_rate(nlrs, 6)[1])
        c_dump = measure(lambda: dump_rate(twin, 6)[1])
        rows.append((f"dump of {rules} rules (entries/s)", r_dump, c_dump, "C twin", 1))
    finally:
        subprocess.run([NLRSCTL, "rule", "flush"], capture_output=True)
        subprocess.run(["rmmod", "c_genl_twin"])

    out = []
    print(f"{'figure':34} {'nlrs':>22} {'reference':>22} {'ratio':>6}")
    for name, mine, ref, ref_name, scale in rows:
        fmt = lambda m: f"{m[0] * scale:.1f} [{m[1] * scale:.1f}-{m[2] * scale:.1f}]"
        ratio = mine[0] / ref[0]
        print(f"{name:34} {fmt(mine):>22} {fmt(ref):>22} {ratio:6.3f}  ({ref_name})")
        out.append({"figure": name, "reference": ref_name, "nlrs": [v * scale for v in mine],
                    "ref": [v * scale for v in ref], "ratio": ratio})
    print(json.dumps({"rules": rules, "rounds": rounds, "reps": REPS, "rows": out}))


if __name__ == "__main__":
    main()
