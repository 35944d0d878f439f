#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A first figure for the data path's per-packet cost, in the guest with
nlrs.ko loaded: UDP datagrams over loopback in a fresh namespace with no
rule (hooks off), 1 rule, and 10,000 exact-port rules plus the one that
matches. Each datagram passes LOCAL_OUT and LOCAL_IN, so it is two hook
calls. Prints the time per datagram (median of several runs) and the
difference per hook call. Figures, not assertions: see tools/testing/bench.

Usage (from the host): tools/testing/vm.sh python3 \\
    /root/.cache/nlrs/mnt/repo/tools/testing/bench/hook_cost.py [COUNT] [RUNS]
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.environ["NLRS_ROOT"]
NS = "nlrs-bench"
PORT = 9500


def nlrsctl():
    # A user namespace cannot execute from the read-only mount: copy it.
    src = os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl")
    dst = os.path.join(tempfile.mkdtemp(), "nlrsctl")
    shutil.copy(src, dst)
    return dst


def run(*cmd):
    p = subprocess.run(["ip", "netns", "exec", NS, *cmd], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {p.stderr.strip()}")


def per_datagram(count):
    """Seconds per datagram, sender and receiver in this process."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", PORT))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"b" * 64
    start = time.perf_counter()
    for _ in range(count):
        tx.sendto(payload, ("127.0.0.1", PORT))
        rx.recv(128)
    took = time.perf_counter() - start
    rx.close()
    tx.close()
    return took / count


def measure(count, runs):
    # Enter the namespace in a child, so each setting is measured the same way.
    code = f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); " \
           f"import hook_cost as h; print(h.per_datagram({count}))"
    out = []
    for _ in range(runs):
        p = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", code],
                           check=True, capture_output=True, text=True, timeout=600)
        out.append(float(p.stdout))
    return statistics.median(out), min(out), max(out)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ctl = nlrsctl()
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        run("ip", "link", "set", "lo", "up")
        rows = []
        rows.append(("no rule (hooks off)",) + measure(count, runs))
        run(ctl, "rule", "add", "id", "1", "proto", "udp", "dport", str(PORT))
        rows.append(("1 rule",) + measure(count, runs))
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            for i in range(10000):
                # Exact ports other than PORT: each in its own chain.
                f.write(f"add id {i + 2} proto tcp dport {i + 1}\n")
        t0 = time.perf_counter()
        run(ctl, "nf", "apply", f.name)
        batch = time.perf_counter() - t0
        os.unlink(f.name)
        rows.append(("10,001 rules",) + measure(count, runs))
        base = rows[0][1]
        print(f"{'setting':<22} {'us/datagram':>12} {'min':>8} {'max':>8} {'us/hook call':>13}")
        for name, med, lo, hi in rows:
            print(f"{name:<22} {med * 1e6:12.2f} {lo * 1e6:8.2f} {hi * 1e6:8.2f} "
                  f"{(med - base) * 1e6 / 2:13.2f}")
        one, many = rows[1][1] - base, rows[2][1] - base
        print(f"hook cost, 10,001 rules / 1 rule: {many / one:.2f}" if one > 0 else
              "hook cost of 1 rule below the noise")
        print(f"10,000-rule batch applied in {batch:.2f} s")
    finally:
        subprocess.run(["ip", "netns", "del", NS])


if __name__ == "__main__":
    main()
