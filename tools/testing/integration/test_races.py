# SPDX-License-Identifier: GPL-2.0
"""Races: 8 clients changing, reading, dumping and batching rules on both
planes at once while packets flow and alert listeners come and go; then
the rule set must be consistent. And rmmod while a dump is half-read, with
listeners bound and with traffic: it waits for the dump's reference (fails
cleanly, then succeeds) and never leaves anything behind."""

import json
import os
import random
import socket
import subprocess
import sys
import time

import nl
import uapi
import traffic
import util
from test_corpus import answers
from util import collect, nlrsctl, spawn
CLIENTS = 8


def worker(seed, seconds):
    rng = random.Random(seed)
    fid, _ = nl.resolve("nlrs")
    g = nl.Socket(nl.NETLINK_GENERIC)
    f = nl.Socket(nl.NETLINK_NETFILTER)
    g.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sub = nl.nlrs_subsys()
    ops = done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rid = nl.attr_u32(uapi.GENL_ATTR_RULE_ID, rng.randrange(1, 64))
        op = rng.randrange(9)
        try:
            if op == 0:
                m = nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 17),
                            nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, rng.choice([9800, 9801])))
                thr = nl.nest(uapi.GENL_ATTR_RULE_THRESHOLD,
                              nl.attr_u64(uapi.GENL_THRESHOLD_PACKETS, 5),
                              nl.attr_u32(uapi.GENL_THRESHOLD_INTERVAL_MS, 50))
                g.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_NEW) + rid + m + thr
                          + (nl.attr(uapi.GENL_ATTR_RULE_REPLACE, b"") if rng.random() < 0.5 else b""))
            elif op == 1:
                g.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_DEL) + rid)
            elif op == 2:
                g.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_GET) + rid)
            elif op == 3:
                g.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_GET),
                          flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)
            elif op == 4 and rng.random() < 0.05:
                g.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_FLUSH))
            elif op == 5:
                msgs = b""
                for _ in range(rng.randrange(1, 6)):
                    r = nl.attr_u32(uapi.NFNL_ATTR_RULE_ID, rng.randrange(1, 64))
                    if rng.random() < 0.6:
                        msgs += nl.message(nl.nfnl_type(uapi.NFNL_MSG_RULE_NEW, sub),
                                           nl.NLM_F_REQUEST | nl.NLM_F_CREATE | nl.NLM_F_REPLACE,
                                           nl.nfgen_header() + r)
                    else:
                        msgs += nl.message(nl.nfnl_type(uapi.NFNL_MSG_RULE_DEL, sub),
                                           nl.NLM_F_REQUEST, nl.nfgen_header() + r)
                f.sock.send(nl.nfnl_batch(sub, msgs, nl.NLM_F_REQUEST | nl.NLM_F_ACK))
                # The batch ran in send(): its answers are queued already.
                f.sock.setblocking(False)
                answers(f.sock)
                f.sock.settimeout(10)
            elif op == 6:
                f.request(nl.nfnl_type(uapi.NFNL_MSG_CHECKPOINT, sub), nl.nfgen_header()
                          + (nl.attr(uapi.NFNL_ATTR_CHECKPOINT_RESET, b"") if rng.random() < 0.3
                             else b""))
            elif op == 7:
                g.request(fid, nl.genl_header(uapi.GENL_CMD_STATS_GET))
            else:
                f.request(nl.nfnl_type(uapi.NFNL_MSG_LISTEN, sub), nl.nfgen_header())
                f.request(nl.nfnl_type(uapi.NFNL_MSG_UNLISTEN, sub), nl.nfgen_header())
            done += 1
        except nl.NetlinkError:
            done += 1
        except OSError:
            # A reply lost to a full buffer: start over on fresh sockets.
            g.close()
            f.close()
            g, f = nl.Socket(nl.NETLINK_GENERIC), nl.Socket(nl.NETLINK_NETFILTER)
        ops += 1
    g.close()
    f.close()
    return ops


def churn(seconds):
    """Alert listeners on both planes that join, read a little and leave."""
    fid, groups = nl.resolve("nlrs")
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        g = nl.Socket(nl.NETLINK_GENERIC)
        g.join(groups["alerts"])
        f = nl.Socket(nl.NETLINK_NETFILTER)
        f.request(nl.nfnl_type(uapi.NFNL_MSG_LISTEN), nl.nfgen_header())
        time.sleep(0.05)
        g.close()
        f.close()
        n += 1
    return n


def test_eight_clients_with_traffic_and_listeners():
    # Long enough for every client to run hundreds of operations of every
    # kind against each other, the traffic and the listeners.
    seconds = float(os.environ.get("NLRS_RACE_SECONDS", "20"))
    nlrsctl("rule", "flush")
    before = json.loads(nlrsctl("-j", "stats")[1])
    flood = [spawn(traffic.exchange, "127.0.0.1", 0, 64, seconds, port) for port in (9800, 9801)]
    children = [spawn(worker, i, seconds) for i in range(CLIENTS)] + [spawn(churn, seconds)]
    results = [collect(pid, r) for pid, r in children]
    sent = sum(collect(pid, r) for pid, r in flood)
    ops, joins = sum(results[:-1]), results[-1]
    # The rule set is consistent: the dump, the counts of both planes and
    # the checkpoint agree, ids and names are unique.
    rules = json.loads(nlrsctl("-j", "rule", "show")[1])
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)), ids
    after = json.loads(nlrsctl("-j", "stats")[1])
    assert after["rules"] == len(rules), (after, len(rules))
    cp = json.loads(nlrsctl("-j", "checkpoint")[1])
    assert [c["id"] for c in cp] == ids
    assert after["listeners"] == 0, after
    assert after["hook_packets"] > before["hook_packets"]
    print(f"races: {CLIENTS} clients, {ops} operations and {joins} listener joins in "
          f"{seconds:.0f} s with {sent} datagrams; {len(rules)} rules left, "
          f"{after['alerts'] - before['alerts']} alerts", file=sys.stderr)
    assert ops > CLIENTS * 20, ops
    nlrsctl("rule", "flush")


def test_rmmod_waits_for_a_dump_and_leaves_nothing():
    nlrsctl("rule", "flush")
    with open("/tmp/nlrs-race-batch", "w") as f:
        f.write("".join(f"add id {i} proto udp dport {i}\n" for i in range(1, 501)))
    nlrsctl("nf", "apply", "/tmp/nlrs-race-batch")
    os.unlink("/tmp/nlrs-race-batch")
    fid, _ = nl.resolve("nlrs")
    listener = nl.Socket(nl.NETLINK_NETFILTER)
    listener.request(nl.nfnl_type(uapi.NFNL_MSG_LISTEN), nl.nfgen_header())
    flood, _ = spawn(traffic.exchange, "127.0.0.1", 0, 64, 3600)
    dump = nl.Socket(nl.NETLINK_GENERIC)
    try:
        dump.send_raw(dump.message(fid, nl.NLM_F_REQUEST | nl.NLM_F_DUMP,
                                   nl.genl_header(uapi.GENL_CMD_RULE_GET)))
        dump.sock.recv(4096)
        # The half-read dump holds the module: rmmod fails, and changes
        # nothing.
        p = subprocess.run(["rmmod", "nlrs"], capture_output=True, text=True)
        assert p.returncode != 0 and "in use" in p.stderr, (p.returncode, p.stderr)
        assert util.loaded()
        assert json.loads(nlrsctl("-j", "stats")[1])["rules"] == 500
    finally:
        dump.close()
    # With the dump gone it unloads, listener bound and traffic flowing.
    util.unload()
    assert os.waitpid(flood, os.WNOHANG) == (0, 0), "the traffic stopped"
    listener.close()
    util.stop(flood)
    util.load()
    assert json.loads(nlrsctl("-j", "stats")[1])["rules"] == 0
