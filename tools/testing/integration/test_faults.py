# SPDX-License-Identifier: GPL-2.0
"""Allocation failures (failslab with fail-nth) in every operation of both
planes: the n-th slab allocation of the request fails, for n = 1, 2, ...
until the request completes without reaching it. Each failure must end in
a clean error (or a dropped message), leave the rule set, counters and
listeners exactly as they were, and leak nothing (the run's closing
kmemleak scan).

Every step runs in this one process: the request, the check of the state
and the undo of a request that took effect are netlink messages on its
own sockets, with no process started per step."""

import contextlib
import errno
import os
import sys

import nl
import uapi
from test_corpus import answers, state

FAILSLAB = "/sys/kernel/debug/failslab"
CLEAN = {errno.ENOMEM, errno.ENOBUFS, errno.EMSGSIZE, errno.EAGAIN}
MAX_POINTS = 400
FAIL = None


@contextlib.contextmanager
def knobs(**values):
    """Sets failslab's knobs for the body; puts back what they were."""
    def path(name):
        return os.path.join(FAILSLAB, name.replace("_", "-"))
    saved = {}
    try:
        for name, value in values.items():
            with open(path(name)) as f:
                saved[name] = f.read().strip()
            with open(path(name), "w") as f:
                f.write(str(value))
        yield
    finally:
        for name, value in saved.items():
            with open(path(name), "w") as f:
                f.write(value)


class FailNth:
    """This thread's /proc/thread-self/fail-nth, opened once: opening a
    file allocates, so it must not happen while a failure is armed."""

    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        """Makes the n-th fault-injectable call of this thread fail (0:
        none); returns what was left of the previous count (0: reached)."""
        left = int(os.pread(self.fd, 32, 0).strip() or 0)
        os.pwrite(self.fd, str(n).encode(), 0)
        return left

    def close(self):
        os.close(self.fd)


def sweep(name, proto, data, undo=None):
    """Injects a failure at every allocation point of one request in turn;
    returns (points reached, outcomes by errno). `undo` restores the state
    after a request that took effect."""
    fid, _ = nl.resolve("nlrs")
    base = state(fid)
    outcomes = {}
    for n in range(1, MAX_POINTS + 1):
        s = nl.Socket(nl.NETLINK_NETFILTER if proto == "nfnl" else nl.NETLINK_GENERIC)
        s.sock.setblocking(False)
        try:
            FAIL.arm(n)
            try:
                s.sock.send(data)
                got = answers(s.sock)
                # A dump goes on in recvmsg: keep the point armed there.
                while got and got[-1][0] == "reply":
                    more = answers(s.sock)
                    if not more:
                        break
                    got += more
            except OSError as e:
                # The request, or its ACK, could not be queued.
                got = [("socket", e.errno)]
            left = FAIL.arm(0)
        finally:
            s.close()
        refused = [g[1] for g in got if g[0] == "error" and g[1]]
        lost = [g[1] for g in got if g[0] == "socket"]
        for e in refused + lost:
            assert e in CLEAN, f"{name}, failure {n}: errno {e} ({got})"
        key = errno.errorcode.get((refused + lost + [0])[0], "ok")
        outcomes[key] = outcomes.get(key, 0) + 1
        now = state(fid)
        if refused:
            # An error ACK means the request did nothing.
            assert now == base, f"{name}, failure {n} ({key}): the state changed"
        elif now != base:
            assert undo, f"{name}, failure {n}: changed the state and cannot undo"
            undo()
            assert state(fid) == base, f"{name}: undo did not restore the state"
        if left != 0:
            # Point n was never reached: the request ran without a failure.
            assert not refused and not lost, f"{name}: failed with no failure injected: {got}"
            return n - 1, outcomes
    raise AssertionError(f"{name}: more than {MAX_POINTS} allocation points")


def genl_do(fid, cmd, *attrs):
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        s.request(fid, nl.genl_header(cmd) + b"".join(attrs))


# What every sweep starts from: a plain rule and one with a threshold.
BASE = [
    (nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 1), nl.attr_str(uapi.GENL_ATTR_RULE_NAME, "base1"),
     nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 17),
             nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, 9))),
    (nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 2), nl.attr_str(uapi.GENL_ATTR_RULE_NAME, "base2"),
     nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 132)),
     nl.nest(uapi.GENL_ATTR_RULE_THRESHOLD, nl.attr_u64(uapi.GENL_THRESHOLD_PACKETS, 5),
             nl.attr_u32(uapi.GENL_THRESHOLD_INTERVAL_MS, 1000))),
]


def restore(fid):
    genl_do(fid, uapi.GENL_CMD_RULE_FLUSH)
    for attrs in BASE:
        genl_do(fid, uapi.GENL_CMD_RULE_NEW, *attrs)


def test_every_allocation_failure_is_clean():
    # About 220 injected failures, each checked against the whole state:
    # 5 to 9 s here, for every allocation site of every operation.
    fid, _ = nl.resolve("nlrs")
    sub = nl.nlrs_subsys()
    restore(fid)
    global FAIL
    FAIL = FailNth()

    genl = lambda cmd, *a, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK: nl.message(
        fid, flags, nl.genl_header(cmd) + b"".join(a), seq=1)
    nfnl = lambda t, *a, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK, res=0: nl.message(
        (sub << 8) | t, flags, nl.nfgen_header(res_id=res) + b"".join(a), seq=1)
    rule = nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 50) + nl.attr_str(uapi.GENL_ATTR_RULE_NAME, "faulty") + nl.nest(
        uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 17),
        nl.attr(uapi.GENL_RULE_MATCH_SRC4, bytes([10, 0, 0, 0])), nl.attr_u8(uapi.GENL_RULE_MATCH_SRC_PLEN, 8),
        nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, 53)) + nl.nest(
        uapi.GENL_ATTR_RULE_THRESHOLD, nl.attr_u64(uapi.GENL_THRESHOLD_PACKETS, 10),
        nl.attr_u32(uapi.GENL_THRESHOLD_INTERVAL_MS, 1000))
    del50 = lambda: genl_do(fid, uapi.GENL_CMD_RULE_DEL, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 50))
    undo = lambda: restore(fid)
    batch = nl.nfnl_batch(sub, nfnl(uapi.NFNL_MSG_RULE_NEW, rule,
                                    flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_CREATE)
                          + nfnl(uapi.NFNL_MSG_RULE_DEL, nl.attr_u32(uapi.NFNL_ATTR_RULE_ID, 2)))

    ops = [
        ("genl echo", "genl", genl(uapi.GENL_CMD_ECHO, nl.attr_str(uapi.GENL_ATTR_MSG, "x" * 200)), None),
        ("genl stats-get", "genl", genl(uapi.GENL_CMD_STATS_GET), None),
        ("genl rule-new", "genl", genl(uapi.GENL_CMD_RULE_NEW, rule), del50),
        ("genl rule-new replace", "genl",
         genl(uapi.GENL_CMD_RULE_NEW, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 1),
              nl.attr(uapi.GENL_ATTR_RULE_REPLACE, b""),
              nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 6))), undo),
        ("genl rule-get", "genl", genl(uapi.GENL_CMD_RULE_GET, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 2)), None),
        ("genl rule-get dump", "genl",
         genl(uapi.GENL_CMD_RULE_GET, flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP), None),
        ("genl rule-del", "genl", genl(uapi.GENL_CMD_RULE_DEL, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 2)), undo),
        ("genl rule-flush", "genl", genl(uapi.GENL_CMD_RULE_FLUSH), undo),
        ("nfnl echo", "nfnl", nfnl(uapi.NFNL_MSG_ECHO, nl.attr_str(uapi.NFNL_ATTR_MSG, "fault")), None),
        ("nfnl checkpoint", "nfnl", nfnl(uapi.NFNL_MSG_CHECKPOINT), None),
        ("nfnl checkpoint reset", "nfnl",
         nfnl(uapi.NFNL_MSG_CHECKPOINT, nl.attr(uapi.NFNL_ATTR_CHECKPOINT_RESET, b"")), undo),
        ("nfnl batch", "nfnl", batch, undo),
    ]
    total = 0
    report = []
    # fail-nth fails the n-th call of this thread alone; the global
    # probability stays 0. Sleeping allocations count too, and no stack
    # dump per failure (it would read as a report in the kernel log).
    try:
        with knobs(probability=0, verbose=0, ignore_gfp_wait="N"):
            for name, proto, data, op_undo in ops:
                reached, outcomes = sweep(name, proto, data, op_undo)
                assert reached > 0, f"{name}: no allocation point reached"
                total += reached
                report.append(f"{name}: {reached} points {outcomes}")
    finally:
        FAIL.arm(0)
        FAIL.close()
        genl_do(fid, uapi.GENL_CMD_RULE_FLUSH)
    print(f"failslab: {total} allocation points in {len(ops)} operations", file=sys.stderr)
    for line in report:
        print("  " + line, file=sys.stderr)
