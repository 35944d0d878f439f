# SPDX-License-Identifier: GPL-2.0
"""The data path: each rule counts exactly the packets it matches, over
loopback and over a veth pair between two namespaces."""

import json
import os
import subprocess
import sys

import util
from util import NLRSCTL

TRAFFIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "traffic.py")
SIZE = 100
UDP4 = 20 + 8 + SIZE
UDP6 = 40 + 8 + SIZE


def run_in(ns, *cmd, check=True):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True,
                          check=check, timeout=60)


def counters(ns):
    """Rule name -> (packets, bytes)."""
    rules = json.loads(run_in(ns, NLRSCTL, "-j", "rule", "show").stdout)
    return {r["name"]: (r["counters"]["packets"], r["counters"]["bytes"]) for r in rules}


def namespace(name):
    util.sh(f"ip netns add {name}")
    util.sh(f"ip -n {name} link set lo up")


def test_rules_count_exactly_what_they_match_over_loopback():
    ns = "nlrs-dp"
    namespace(ns)
    try:
        rules = {
            "udp9000": "proto udp dport 9000",
            "udp9001": "proto udp dport 9001",
            "tcp9000": "proto tcp dport 9000",
            "udp-range": "proto udp dport 8990-9010",
            "udp-any": "proto udp",
            "lo4": "src 127.0.0.0/8",
            "lo6": "dst ::1/128",
            "all": "",
        }
        for name, words in rules.items():
            run_in(ns, NLRSCTL, "rule", "add", "name", name, *words.split())
        assert all(c == (0, 0) for c in counters(ns).values())
        out = run_in(ns, sys.executable, TRAFFIC, "127.0.0.1", "6", str(SIZE),
                     "--port", "9000").stdout
        assert int(out) == 6
        # Each datagram is seen twice: LOCAL_OUT, then LOCAL_IN.
        v4 = (12, 12 * UDP4)
        c = counters(ns)
        assert c == {"udp9000": v4, "udp9001": (0, 0), "tcp9000": (0, 0),
                     "udp-range": v4, "udp-any": v4, "lo4": v4, "lo6": (0, 0),
                     "all": v4}, c
        run_in(ns, sys.executable, TRAFFIC, "::1", "6", str(SIZE), "--port", "9000")
        v6 = (12, 12 * UDP6)
        both = (24, 12 * UDP4 + 12 * UDP6)
        c = counters(ns)
        assert c == {"udp9000": both, "udp9001": (0, 0), "tcp9000": (0, 0),
                     "udp-range": both, "udp-any": both, "lo4": v4, "lo6": v6,
                     "all": both}, c
        # Replacing a rule keeps its counters and applies the new match.
        run_in(ns, NLRSCTL, "rule", "replace", "name", "udp9000", "proto", "udp",
               "dport", "9001")
        run_in(ns, sys.executable, TRAFFIC, "127.0.0.1", "3", str(SIZE), "--port", "9000")
        c = counters(ns)
        assert c["udp9000"] == both, c
        assert c["all"] == (30, 18 * UDP4 + 12 * UDP6), c
        # A deleted rule's entry is gone from the data path: a new rule with
        # its name starts from zero.
        run_in(ns, NLRSCTL, "rule", "del", "name", "udp-any")
        run_in(ns, NLRSCTL, "rule", "add", "name", "udp-any", "proto", "udp")
        assert counters(ns)["udp-any"] == (0, 0)
    finally:
        util.sh(f"ip netns del {ns}")


def test_rules_count_over_veth_between_namespaces():
    a, b = "nlrs-dpa", "nlrs-dpb"
    namespace(a)
    namespace(b)
    try:
        util.sh(f"ip link add nlrs-va netns {a} type veth peer name nlrs-vb netns {b}")
        util.sh(f"ip -n {a} addr add 10.77.0.1/24 dev nlrs-va")
        util.sh(f"ip -n {b} addr add 10.77.0.2/24 dev nlrs-vb")
        util.sh(f"ip -n {a} link set nlrs-va up")
        util.sh(f"ip -n {b} link set nlrs-vb up")
        run_in(a, NLRSCTL, "rule", "add", "name", "out", "dst", "10.77.0.2/32",
               "proto", "udp", "dport", "9100")
        run_in(b, NLRSCTL, "rule", "add", "name", "in", "src", "10.77.0.0/24",
               "proto", "udp", "dport", "9100")
        run_in(b, NLRSCTL, "rule", "add", "name", "other", "proto", "udp", "dport", "9101")
        n = 25
        rx = subprocess.Popen(["ip", "netns", "exec", b, sys.executable, TRAFFIC, "recv",
                               "9100", str(n), str(SIZE)], stdout=subprocess.PIPE, text=True)
        try:
            assert rx.stdout.readline().strip() == "ready"
            run_in(a, sys.executable, TRAFFIC, "send", "10.77.0.2", "9100", str(n), str(SIZE))
            assert rx.stdout.readline().strip() == str(n)
        finally:
            rx.kill()
            rx.wait(timeout=30)
        # Sent by a (LOCAL_OUT only), received by b (LOCAL_IN only).
        assert counters(a) == {"out": (n, n * UDP4)}, counters(a)
        assert counters(b) == {"in": (n, n * UDP4), "other": (0, 0)}, counters(b)
    finally:
        util.sh(f"ip netns del {a}")
        util.sh(f"ip netns del {b}")
