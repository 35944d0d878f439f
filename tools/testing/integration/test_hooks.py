# SPDX-License-Identifier: GPL-2.0
"""Netfilter hooks: on while a namespace has rules, counting its local
traffic exactly; off without rules; gone cleanly with the namespace and the
module."""

import json
import os
import time

import traffic
import util
from util import nlrsctl, nlrsctl_in

NS = "nlrs-hooks"
SIZE = 100
UDP4 = 20 + 8 + SIZE
UDP6 = 40 + 8 + SIZE


def stats():
    return json.loads(nlrsctl_in(NS, "-j", "stats"))


def send(addr, count=3):
    """count datagrams over loopback: each passes LOCAL_OUT, then LOCAL_IN."""
    with util.new_netns(NS):
        assert traffic.exchange(addr, count, SIZE) == count


def seen(before, after):
    return (after["hook_packets"] - before["hook_packets"],
            after["hook_bytes"] - before["hook_bytes"])


def with_ns(fn):
    with util.named_netns(NS):
        fn()


def test_hooks_count_local_traffic_only_with_rules():
    def body():
        s0 = stats()
        send("127.0.0.1", count=6)
        s1 = stats()
        # No rule, no hook: nothing seen.
        assert seen(s0, s1) == (0, 0), (s0, s1)
        nlrsctl_in(NS, "rule", "add", "name", "all")
        s2 = stats()
        send("127.0.0.1", count=6)
        s3 = stats()
        # Each datagram passes LOCAL_OUT then LOCAL_IN.
        assert seen(s2, s3) == (12, 12 * UDP4), (s2, s3)
        send("::1", count=6)
        s4 = stats()
        assert seen(s3, s4) == (12, 12 * UDP6), (s3, s4)
        nlrsctl_in(NS, "rule", "flush")
        s5 = stats()
        send("127.0.0.1", count=6)
        assert seen(s5, stats()) == (0, 0)
        # The last rule deleted switches them off too.
        nlrsctl_in(NS, "rule", "add", "id", "9")
        nlrsctl_in(NS, "rule", "del", "id", "9")
        s6 = stats()
        send("127.0.0.1", count=6)
        assert seen(s6, stats()) == (0, 0)
    with_ns(body)


def test_hooks_are_per_namespace():
    def body():
        nlrsctl_in(NS, "rule", "add")
        host_before = json.loads(nlrsctl("-j", "stats")[1])
        s0 = stats()
        send("127.0.0.1", count=4)
        # The namespace's own traffic, not the host's, and only here.
        assert seen(s0, stats()) == (8, 8 * UDP4)
        host_after = json.loads(nlrsctl("-j", "stats")[1])
        assert seen(host_before, host_after) == (0, 0), (host_before, host_after)
    with_ns(body)


def test_namespace_deleted_with_hooks_on():
    def body():
        nlrsctl_in(NS, "rule", "add")
        send("127.0.0.1", count=1)
    # ip netns del runs with the hooks on and traffic just seen; the
    # teardown's kmemleak and log checks cover what it leaves.
    with_ns(body)


def test_rmmod_with_hooks_active_and_traffic():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "name", "live")
    flood, _ = util.spawn(traffic.exchange, "127.0.0.1", 0, SIZE, 3600)
    try:
        while json.loads(nlrsctl("-j", "stats")[1])["hook_packets"] == 0:
            time.sleep(0.1)
        # Unloading unregisters the hooks of every namespace first.
        util.unload()
        util.load()
        assert json.loads(nlrsctl("-j", "stats")[1])["hook_packets"] == 0
        # The traffic went on throughout.
        assert os.waitpid(flood, os.WNOHANG) == (0, 0), "the traffic stopped"
    finally:
        util.stop(flood)
