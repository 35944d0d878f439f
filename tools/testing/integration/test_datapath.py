# SPDX-License-Identifier: GPL-2.0
"""The data path: each rule counts exactly the packets it matches, over
loopback and over a veth pair between two namespaces."""

import json
import socket

import traffic
import util
from util import new_netns, nlrsctl_in

SIZE = 100
UDP4 = 20 + 8 + SIZE
UDP6 = 40 + 8 + SIZE


def send(ns, addr, count, port):
    with new_netns(ns):
        assert traffic.exchange(addr, count, SIZE, port=port) == count


def counters(ns):
    """Rule name -> (packets, bytes)."""
    rules = json.loads(nlrsctl_in(ns, "-j", "rule", "show"))
    return {r["name"]: (r["counters"]["packets"], r["counters"]["bytes"]) for r in rules}


def test_rules_count_exactly_what_they_match_over_loopback():
    ns = "nlrs-dp"
    with util.named_netns(ns):
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
            nlrsctl_in(ns, "rule", "add", "name", name, *words.split())
        assert all(c == (0, 0) for c in counters(ns).values())
        send(ns, "127.0.0.1", 6, 9000)
        # Each datagram is seen twice: LOCAL_OUT, then LOCAL_IN.
        v4 = (12, 12 * UDP4)
        c = counters(ns)
        assert c == {"udp9000": v4, "udp9001": (0, 0), "tcp9000": (0, 0),
                     "udp-range": v4, "udp-any": v4, "lo4": v4, "lo6": (0, 0),
                     "all": v4}, c
        send(ns, "::1", 6, 9000)
        v6 = (12, 12 * UDP6)
        both = (24, 12 * UDP4 + 12 * UDP6)
        c = counters(ns)
        assert c == {"udp9000": both, "udp9001": (0, 0), "tcp9000": (0, 0),
                     "udp-range": both, "udp-any": both, "lo4": v4, "lo6": v6,
                     "all": both}, c
        # Replacing a rule keeps its counters and applies the new match.
        nlrsctl_in(ns, "rule", "replace", "name", "udp9000", "proto", "udp", "dport", "9001")
        send(ns, "127.0.0.1", 3, 9000)
        c = counters(ns)
        assert c["udp9000"] == both, c
        assert c["all"] == (30, 18 * UDP4 + 12 * UDP6), c
        # A deleted rule's entry is gone from the data path: a new rule with
        # its name starts from zero.
        nlrsctl_in(ns, "rule", "del", "name", "udp-any")
        nlrsctl_in(ns, "rule", "add", "name", "udp-any", "proto", "udp")
        assert counters(ns)["udp-any"] == (0, 0)


def test_rules_count_over_veth_between_namespaces():
    a, b = "nlrs-dpa", "nlrs-dpb"
    with util.named_netns(a, b):
        util.sh(f"ip link add nlrs-va netns {a} type veth peer name nlrs-vb netns {b}")
        util.sh(f"ip -n {a} addr add 10.77.0.1/24 dev nlrs-va")
        util.sh(f"ip -n {b} addr add 10.77.0.2/24 dev nlrs-vb")
        util.sh(f"ip -n {a} link set nlrs-va up")
        util.sh(f"ip -n {b} link set nlrs-vb up")
        nlrsctl_in(a, "rule", "add", "name", "out", "dst", "10.77.0.2/32", "proto", "udp",
            "dport", "9100")
        nlrsctl_in(b, "rule", "add", "name", "in", "src", "10.77.0.0/24", "proto", "udp",
            "dport", "9100")
        nlrsctl_in(b, "rule", "add", "name", "other", "proto", "udp", "dport", "9101")
        n = 25
        # A socket belongs to the namespace it was made in.
        with new_netns(b):
            rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with new_netns(a):
            tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with rx, tx:
            rx.bind(("0.0.0.0", 9100))
            rx.settimeout(10)
            for _ in range(n):
                tx.sendto(b"n" * SIZE, ("10.77.0.2", 9100))
                assert len(rx.recv(65536)) == SIZE
        # Sent by a (LOCAL_OUT only), received by b (LOCAL_IN only).
        assert counters(a) == {"out": (n, n * UDP4)}, counters(a)
        assert counters(b) == {"in": (n, n * UDP4), "other": (0, 0)}, counters(b)
