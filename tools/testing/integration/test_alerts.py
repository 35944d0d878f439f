# SPDX-License-Identifier: GPL-2.0
"""Threshold alerts: one per rule and interval, on both planes (the genl
"alerts" group and nfnetlink listeners); a listener whose socket closes is
forgotten; the listener cap gives ENOSPC."""

import json
import signal
import subprocess
import time

import nl
import traffic
import uapi
from util import NLRSCTL, nlrsctl


def stats():
    return json.loads(nlrsctl("-j", "stats")[1])


def start(*args):
    """Starts an nlrsctl listener; returns once it is listening."""
    p = subprocess.Popen([NLRSCTL, "-j", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    assert "listening" in line, line
    return p


def send(count, port=9400):
    assert traffic.exchange("127.0.0.1", count, 64, port=port) == count


def test_alert_on_both_planes_once_per_interval():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "40", "proto", "udp", "dport", "9400",
            "threshold", "5/60000")
    before = stats()
    # The listeners wait long enough for a second alert, had there been
    # one, to arrive well after the traffic that would raise it.
    genl = start("monitor", "alerts", "--count", "2", "--timeout", "12")
    nf = start("nf", "listen", "--count", "2", "--timeout", "12")
    assert stats()["listeners"] == before["listeners"] + 1
    # 4 datagrams are 8 packets (out and in): past 5 once.
    send(4)
    # More traffic within the interval raises nothing more.
    send(10)
    g_out, g_err = genl.communicate()
    n_out, n_err = nf.communicate()
    # Each got exactly one alert, then timed out waiting for a second.
    assert genl.returncode == 3 and nf.returncode == 3, (g_err, n_err)
    g = [json.loads(line) for line in g_out.splitlines()]
    n = [json.loads(line) for line in n_out.splitlines()]
    assert len(g) == 1 and len(n) == 1, (g, n)
    assert g[0]["group"] == "alerts" and n[0]["plane"] == "nfnetlink"
    for a in (g[0], n[0]):
        assert a["event"] == "alert" and a["rule"] == 40, a
        assert a["packets"] == 6, a
        assert a["threshold"] == {"packets": 5, "interval_ms": 60000}, a
    after = stats()
    assert after["alerts"] - before["alerts"] == 1, (before, after)
    # The listener is gone with its socket.
    assert after["listeners"] == before["listeners"], after
    nlrsctl("rule", "flush")


def test_next_interval_alerts_again():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "41", "proto", "udp", "dport", "9401",
            "threshold", "3/1000")
    nf = start("nf", "listen", "--count", "2", "--timeout", "30")
    send(3, port=9401)
    time.sleep(1.5)
    send(3, port=9401)
    out, err = nf.communicate()
    assert nf.returncode == 0, err
    assert [json.loads(line)["rule"] for line in out.splitlines()] == [41, 41]
    nlrsctl("rule", "flush")


def test_killed_listener_is_dropped():
    before = stats()["listeners"]
    nf = start("nf", "listen")
    assert stats()["listeners"] == before + 1
    nf.send_signal(signal.SIGKILL)
    nf.wait()
    assert stats()["listeners"] == before
    # Alerts after that go nowhere stale: none is counted as dropped.
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "42", "proto", "udp", "dport", "9402",
            "threshold", "1/60000")
    s0 = stats()
    send(2, port=9402)
    s1 = stats()
    assert s1["alerts"] - s0["alerts"] == 1
    assert s1["notifications_dropped"] == s0["notifications_dropped"], (s0, s1)
    nlrsctl("rule", "flush")


def test_listener_cap_and_unlisten():
    LISTEN, UNLISTEN = uapi.NFNL_MSG_LISTEN, uapi.NFNL_MSG_UNLISTEN
    cap = uapi.NFNL_MAX_LISTENERS
    socks = []
    try:
        base = stats()["listeners"]
        for _ in range(cap - base):
            s = nl.Socket(nl.NETLINK_NETFILTER)
            socks.append(s)
            s.request(nl.nfnl_type(LISTEN), nl.nfgen_header())
        s = nl.Socket(nl.NETLINK_NETFILTER)
        socks.append(s)
        try:
            s.request(nl.nfnl_type(LISTEN), nl.nfgen_header())
            raise AssertionError(f"listener {cap + 1} was accepted")
        except nl.NetlinkError as e:
            assert e.errno == 28 and "listener limit reached" in (e.msg or ""), e
        assert stats()["listeners"] == cap
        # Binding twice is one binding; unbinding frees the slot.
        socks[0].request(nl.nfnl_type(LISTEN), nl.nfgen_header())
        socks[0].request(nl.nfnl_type(UNLISTEN), nl.nfgen_header())
        assert stats()["listeners"] == cap - 1
        try:
            socks[0].request(nl.nfnl_type(UNLISTEN), nl.nfgen_header())
            raise AssertionError("unbinding an unbound socket succeeded")
        except nl.NetlinkError as e:
            assert e.errno == 2 and "not a listener" in (e.msg or ""), e
    finally:
        for s in socks:
            s.close()
    assert stats()["listeners"] == 0
