# SPDX-License-Identifier: GPL-2.0
"""Allocation failures (failslab with fail-nth) in every operation of both
planes: the n-th slab allocation of the request fails, for n = 1, 2, ...
until the request completes without reaching it. Each failure must end in
a clean error (or a dropped message), leave the rule set, counters and
listeners exactly as they were, and leak nothing (the run's closing
kmemleak scan).

Every step runs in this one process: the request, the check of the state
and the undo of a request that took effect are netlink messages on its
own sockets, with no process started per step.

The same sweep with page-allocator failures (fail_page_alloc) instead
reaches what kvmalloc, large skbs and slab refills take from the page
allocator; and a sweep over a whole nfnetlink batch of k changes holds every
failure point's outcome to the protocol model's answers and rule set
(tools/testing/fuzz/model.py): nothing happened, the batch got one ENOMEM,
or everything happened as the model says, at most one answer or
notification lost."""

import contextlib
import errno
import os
import socket
import struct
import sys
import time

import nl
import uapi
import util
from test_corpus import answers, state

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fuzz"))
import model as nlmodel  # noqa: E402
import spec as nlspec  # noqa: E402

FAILSLAB = "/sys/kernel/debug/failslab"
FAIL_PAGE_ALLOC = "/sys/kernel/debug/fail_page_alloc"
CLEAN = {errno.ENOMEM, errno.ENOBUFS, errno.EMSGSIZE, errno.EAGAIN}
MAX_POINTS = 400
FAIL = None


@contextlib.contextmanager
def knobs(where=FAILSLAB, **values):
    """Sets the knobs of a fault injector (failslab by default) for the
    body; puts back what they were."""
    def path(name):
        return os.path.join(where, name.replace("_", "-"))
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


# -- the kernel log while failures are armed ---------------------------------

# warn_alloc()'s reports (util.WARN_ALLOC) and the marks of the window in
# which they are expected (util.FAULTS_ARMED, util.FAULTS_DISARMED) are
# util's: the run's closing log check reads them too.


def unexpected_reports(lines, pid=None):
    """The lines util.REPORTS matches, but for the "Call Trace:" of a
    warn_alloc() report of process `pid` (this one by default): what an
    injected failure of a vmalloc() makes it print (a stack, then the
    memory state), which is no kernel report. Returns (those lines, how
    many warn_alloc() reports were accepted)."""
    pid = os.getpid() if pid is None else pid
    comm = open("/proc/self/comm").read().strip()
    bad, accepted, header = [], 0, None
    for i, line in enumerate(lines):
        m = util.WARN_ALLOC.search(line)
        if m:
            header = i if m.group(1) == comm[:15] else None
            continue
        if not util.REPORTS.search(line):
            continue
        if (line.strip() == "Call Trace:" and header is not None
                and i - header <= util.WARN_ALLOC_LINES
                and any(f" PID: {pid} " in x for x in lines[header + 1:i])):
            accepted += 1
            header = None
            continue
        bad.append(line)
    return bad, accepted


# -- page allocation failures ------------------------------------------------

# Rules of the large set: enough that what is sized by the rule count
# passes what kmalloc takes from its slabs (8 KiB), so kvmalloc asks the
# page allocator: the checkpoint's 16-byte counts (513 rules), the undo
# log and the classifier's arrays, the batch's datagram and the dump's skbs.
BIG = 520
# Rules of the batch and the flush swept: past 8 KiB of datagram (about
# 80 bytes a rule), of undo log and of classifier, at a fifth of the large
# set's cost per failure point.
BATCH = 120


def big_rule(c, i):
    """Rule i of the large set (ids from 1000), as rule-new attributes."""
    return c.rule(1000 + i, f"big{i}".encode(), (6, 17, 132)[i % 3], (i, i + 10),
                  src=(bytes([10, i % 256, 0, 0]), 24) if i % 2 else None,
                  threshold=(100 + i, 60000) if i % 5 == 0 else None)


def big_batch(c, sub, n=BIG, flags=nl.NLM_F_REQUEST | nl.NLM_F_CREATE):
    """One batch adding the first n rules of the large set; END asks for
    the ACK."""
    msgs = b"".join(c.nfnl("rule-new", big_rule(c, i), flags) for i in range(n))
    return nl.nfnl_batch(sub, msgs, end_flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK)


def page_sweep(log, name, plane, data, undo):
    """sweep() in a window of the kernel log marked as armed, whose reports
    must all be warn_alloc()'s of this process; returns (points reached,
    outcomes, warn_alloc() reports)."""
    log.read()
    util.KernelLog.mark(f"{util.FAULTS_ARMED} {name}")
    try:
        reached, outcomes = sweep(name, plane, data, undo)
    finally:
        util.KernelLog.mark(f"{util.FAULTS_DISARMED} {name}")
    bad, warned = unexpected_reports(log.read())
    assert not bad, f"{name}: kernel reports under fail_page_alloc:\n" + "\n".join(bad)
    assert reached > 0, f"{name}: no page allocation reached"
    return reached, outcomes, warned


def test_page_alloc_failures_are_clean():
    # fail_page_alloc alone: failslab's cache-filter on, with no cache
    # marked for it (SLAB_FAILSLAB), makes slab allocations stop at its
    # filter before fail-nth counts them (mm/failslab.c), so only the page
    # allocator's calls do. Those come from kvmalloc()'s kmalloc past 8 KiB
    # and its vmalloc() fallback, skbs of more than a page, and slab
    # refills; fail-nth fails one, so a kvmalloc() whose kmalloc() failed
    # falls back to vmalloc(), and only a failure in vmalloc()'s own page
    # tables or page array gets to the module. Such a vmalloc() failure
    # prints warn_alloc()'s report (a stack dump): accepted in the armed
    # windows only, and only for this process (unexpected_reports()).
    fid, _ = nl.resolve("nlrs")
    sub = nl.nlrs_subsys()
    proto = nlspec.Protocol()
    c = nlmodel.Client(proto, fid, sub)
    slabs = "/sys/kernel/slab"
    if os.path.isdir(slabs):
        marked = [d for d in os.listdir(slabs) if not os.path.islink(os.path.join(slabs, d))
                  and open(os.path.join(slabs, d, "failslab")).read().strip() != "0"]
        assert not marked, f"slab caches marked for failslab: {marked}"
    global FAIL
    log = util.KernelLog()
    FAIL = FailNth()
    ops = []
    total = 0
    report = []
    started = time.monotonic()
    try:
        with util.new_netns():
            def flush():
                genl_do(fid, uapi.GENL_CMD_RULE_FLUSH)

            def install(n):
                """Makes the first n rules of the large set the only ones."""
                flush()
                with nl.Socket(nl.NETLINK_NETFILTER) as s:
                    s.send_raw(big_batch(c, sub, n))
                    got = s.recv_msgs()
                assert [(ty, nl.decode_error(body)[0]) for ty, _, _, body in got] \
                    == [(nl.NLMSG_ERROR, 0)], f"installing {n} rules: {got}"

            def seq1(data):
                return data[:8] + struct.pack("=I", 1) + data[12:]
            # (name, plane, request, what makes the rules it starts from,
            # what undoes it)
            ops = [
                (f"nfnl batch adding {BATCH} rules", "nfnl", big_batch(c, sub, BATCH), flush,
                 flush),
                (f"genl rule-flush of {BATCH} rules", "genl", seq1(c.genl("rule-flush")),
                 lambda: install(BATCH), lambda: install(BATCH)),
                (f"genl rule-get dump of {BIG} rules", "genl",
                 seq1(c.genl("rule-get", flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)),
                 lambda: install(BIG), None),
                (f"nfnl checkpoint of {BIG} rules", "nfnl", seq1(c.nfnl("checkpoint")), None,
                 None),
                # The longest echo (4095 bytes) fits kmalloc's slabs; three
                # in one datagram do not.
                ("genl echo, 3 of 4095 bytes in a datagram", "genl",
                 3 * seq1(c.genl("echo", [nlspec.Attr(uapi.GENL_ATTR_MSG,
                                                      b"e" * 4095 + b"\0")])), None, None),
            ]
            with knobs(FAILSLAB, cache_filter="Y"), \
                    knobs(FAIL_PAGE_ALLOC, probability=0, verbose=0, ignore_gfp_wait="N",
                          ignore_gfp_highmem="Y", min_order=0):
                for name, plane, data, prepare, undo in ops:
                    if prepare:
                        prepare()
                    t = time.monotonic()
                    reached, outcomes, warned = page_sweep(log, name, plane, data, undo)
                    total += reached
                    report.append(f"{name}: {reached} points {outcomes}, "
                                  f"{warned} warn_alloc reports, {time.monotonic() - t:.1f} s")
            flush()
    finally:
        FAIL.arm(0)
        FAIL.close()
        log.close()
    print(f"fail_page_alloc: {total} page allocation points in {len(ops)} operations, "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    for line in report:
        print("  " + line, file=sys.stderr)


# -- every failure point of a batch ------------------------------------------

NEW = nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_CREATE | nlmodel.NLM_F_EXCL
REPLACE = nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_REPLACE
DELETE = nl.NLM_F_REQUEST | nl.NLM_F_ACK
# The starting rule set of the batches of more than one change.
START = list(range(1, 9))
# Beyond this many points a batch's sweep is a runaway.
MAX_BATCH_POINTS = 3000
# Failure points run per batch size: every one but for the largest, whose
# ~1235 points at ~0.3 s would take 6 min in the guest: there the first
# HEAD, then every STRIDE-th (a prime, so that the sample goes through the
# phases of the ~19 points of each change), and the end by bisection.
STRIDE = {64: 29}
HEAD = 16


def rule_of(c, id, name, i):
    """A rule-new's attributes: rule `id` named `name`, its match varied by i."""
    proto = (6, 17, 132, 1)[i % 4]
    return c.rule(id, name, proto, (1000 + i, 1000 + i) if proto != 1 else None,
                  src=(bytes([10, i % 256, 0, 0]), 16) if i % 3 == 0 else None,
                  threshold=(5 + i, 1000) if i % 5 == 0 else None)


class Scenario:
    """One batch of k changes on a starting rule set, and what the model
    says of it: its answers, the rules before and after, the notifications
    the "config" group gets (their commands, in order)."""

    def __init__(self, proto, fid, sub, kernel, k, start, refused):
        self.k, self.refused = k, refused
        self.name = f"k={k} {'refused' if refused else 'valid'} on {len(start)} rules"
        c = nlmodel.Client(proto, fid, sub)
        self.setup = [c.genl("rule-new", rule_of(c, id, f"s{id}".encode(), id)) for id in start]
        msgs, cmds = [], []
        left = list(start)
        for i in range(k):
            kind = ("new", "replace", "new", "delete")[i % 4]
            if kind != "new" and not left:
                kind = "new"
            if refused and i == k // 2:
                if i and cmds[0] == uapi.GENL_CMD_RULE_NEW_NTF:
                    # The first change's rule again, which now exists.
                    msgs.append(c.nfnl("rule-new", rule_of(c, self.first, b"again", i), NEW))
                else:
                    msgs.append(c.nfnl("rule-del", c.rule(99999), DELETE))
                cmds.append(None)
                continue
            if kind == "new":
                id = 100 + i
                msgs.append(c.nfnl("rule-new", rule_of(c, id, f"n{id}".encode(), i), NEW))
            elif kind == "replace":
                id = left.pop(0)
                msgs.append(c.nfnl("rule-new", rule_of(c, id, f"r{id}".encode(), i + 1),
                                   REPLACE))
            else:
                id = left.pop()
                msgs.append(c.nfnl("rule-del", c.rule(id), DELETE))
            if i == 0:
                self.first = id
            cmds.append(uapi.GENL_CMD_RULE_DEL_NTF if kind == "delete"
                        else uapi.GENL_CMD_RULE_NEW_NTF)
        self.data = c.batch(*msgs)
        # BEGIN's seq, and the first message's: nfnetlink answers an ENOMEM
        # for the batch to the latter's header (nfnetlink_rcv_batch() acks
        # nlmsg_hdr() of the skb it has pulled past BEGIN) but to BEGIN's
        # when it cannot even clone the skb.
        self.begin_seq = struct.unpack_from("=I", self.data, 8)[0]
        self.first_seq = struct.unpack_from("=I", self.data, 8 + self.begin_len())[0]
        m = nlmodel.Model(proto, fid, sub, kernel)
        g, nf = m.socket("genl"), m.socket("nfnl")
        for data in self.setup:
            assert [a.errno for a in m.genl(g, data)][-1:] == [0], self.name
        self.before = m.dump()
        self.want = [(a.kind, a.seq, a.errno, a.msg, a.offset, a.miss)
                     for a in m.nfnl(nf, self.data)]
        self.after = m.dump()
        # Back from after to before in one batch (one commit): the rules
        # the batch added go, the starting ones are made again as they were.
        back = [c.nfnl("rule-del", c.rule(r[0]), nl.NLM_F_REQUEST)
                for r in self.after if r[0] not in start]
        back += [c.nfnl("rule-new", rule_of(c, id, f"s{id}".encode(), id),
                        nl.NLM_F_REQUEST | nl.NLM_F_CREATE | nl.NLM_F_REPLACE) for id in start]
        self.undo = nl.nfnl_batch(sub, b"".join(back), end_flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK)
        assert [a.errno for a in m.nfnl(nf, self.undo)] == [0] and m.dump() == self.before, \
            (self.name, "undo")
        errors = [w for w in self.want if w[2]]
        # The scenario is what its name says.
        assert [w[0] for w in self.want] == ["error"] * k, (self.name, self.want)
        if refused:
            assert len(errors) == 1 and self.after == self.before, (self.name, self.want)
            self.cmds = []
        else:
            assert not errors and self.after != self.before, (self.name, self.want)
            self.cmds = cmds

    def begin_len(self):
        return nlspec.align(struct.unpack_from("=I", self.data)[0])


def drain(sock):
    """The answers queued on `sock`, as tuples like the model's (kind, seq,
    errno, msg, offset, miss), and how many were lost (nl.drain())."""
    msgs, lost = nl.drain(sock)
    return [("error", seq, *nl.decode_error(body)) if ty == nl.NLMSG_ERROR
            else ("reply" if ty != nl.NLMSG_DONE else "done", seq, ty)
            for ty, seq, body in msgs], lost


def one_lost(want, got):
    """Whether `got` is `want` with exactly one element left out."""
    return len(got) == len(want) - 1 and any(want[:i] + want[i + 1:] == got
                                             for i in range(len(want)))


def classify(sc, sent, got, lost, notes, dropped, rules):
    """Which of the outcomes an allocation failure may have the batch's run
    had (None: none of them): sendmsg failed, and nothing happened; the
    batch failed with one ENOMEM (or lost even that), and nothing
    happened; or everything happened as the model says, at most one answer
    lost (ENOBUFS on the socket) or one notification dropped (counted)."""
    if sent is not None:
        ok = (sent in (errno.ENOMEM, errno.ENOBUFS) and not got and not lost and not notes
              and not dropped and rules == sc.before)
        return "sendmsg" if ok else None
    enomem = (got, lost) == ([], 1) or not lost and len(got) == 1 and got[0][:3] in (
        ("error", sc.begin_seq, errno.ENOMEM), ("error", sc.first_seq, errno.ENOMEM))
    if rules == sc.before and enomem and not notes and not dropped:
        return "enomem"
    if rules != sc.after:
        return None
    if got == sc.want and not lost:
        answers = None
    elif lost == 1 and one_lost(sc.want, got):
        answers = "lost answer"
    else:
        return None
    if notes == sc.cmds and not dropped:
        ntf = None
    elif dropped == 1 and one_lost(sc.cmds, notes):
        ntf = "dropped notification"
    else:
        return None
    if answers and ntf:
        return None
    return answers or ntf or "as modelled"


class BatchSweep:
    """The sockets and readings of one namespace's batch sweeps: the sender
    (nfnetlink), a member of the "config" group, and the kernel's rules and
    notification counters."""

    def __init__(self, proto, fid, groups, kernel):
        self.proto, self.fid, self.kernel = proto, fid, kernel
        self.sock = nl.Socket(nl.NETLINK_NETFILTER)
        self.ctl = nl.Socket(nl.NETLINK_GENERIC)
        self.nfctl = nl.Socket(nl.NETLINK_NETFILTER)
        self.listener = nl.Socket(nl.NETLINK_GENERIC)
        self.listener.join(groups["config"])
        # Room for every notification of a batch: a drop for want of it
        # would read as a lost one.
        for s in (self.sock, self.listener):
            s.sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
            s.sock.setblocking(False)

    def close(self):
        for s in (self.sock, self.ctl, self.nfctl, self.listener):
            s.close()

    def rules(self):
        got = self.ctl.request(self.fid, nl.genl_header(uapi.GENL_CMD_RULE_GET),
                               flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)
        return [nlmodel.decode_rule(self.proto, body[4:]) for _, body in got]

    def ntf(self):
        """(notifications sent, dropped) of the namespace."""
        (stats,) = self.ctl.request(self.fid, nl.genl_header(uapi.GENL_CMD_STATS_GET))
        a = nl.parse_attrs(stats[1][4:])
        return tuple(struct.unpack("=Q", a[t])[0] for t in (uapi.GENL_ATTR_STATS_NTF_SENT,
                                                            uapi.GENL_ATTR_STATS_NTF_DROPPED))

    def notes(self):
        """The commands of the notifications the listener got since last."""
        out = []
        while True:
            try:
                msgs = self.listener.recv_msgs()
            except BlockingIOError:
                return out
            out += [body[0] for ty, _, _, body in msgs if ty == self.fid]

    def restore(self, sc, start=False):
        """The scenario's starting rules, as they were (no traffic: no
        counters to keep): from any state (`start`), a flush and the rules
        in one datagram; else from the batch's after-state, its undo."""
        if start:
            self.ctl.request(self.fid, nl.genl_header(uapi.GENL_CMD_RULE_FLUSH))
            s, data, want = self.ctl, b"".join(sc.setup), [0] * len(sc.setup)
        else:
            s, data, want = self.nfctl, sc.undo, [0]
        if data:
            s.send_raw(data)
            acks = []
            while len(acks) < len(want):
                acks += [nl.decode_error(body)[0] for ty, _, _, body in s.recv_msgs()
                         if ty == nl.NLMSG_ERROR]
            assert acks == want, f"{sc.name}: restoring: {acks}"
        self.notes()
        if start:
            assert self.rules() == sc.before, f"{sc.name}: the starting rules did not come back"
        self.base = self.ntf()

    def run(self, sc, n, fail):
        """The batch with failure point n armed (0: none); returns the
        outcome's class and what fail-nth had left (0: the point was
        reached), or raises with what is wrong with it."""
        base = self.base
        sent = None
        fail.arm(n)
        try:
            self.sock.sock.send(sc.data)
        except OSError as e:
            sent = e.errno
        left = fail.arm(0)
        got, lost = drain(self.sock.sock)
        notes = self.notes()
        rules = self.rules()
        now = self.ntf()
        ds, dd = now[0] - base[0], now[1] - base[1]
        kind = classify(sc, sent, got, lost, notes, dd, rules)
        state = "as before" if rules == sc.before else "as after" if rules == sc.after \
            else f"{rules}"
        where = (f"{sc.name}, failure point {n}: sendmsg {errno.errorcode.get(sent, sent)}, "
                 f"answers {got}, {lost} ENOBUFS, notifications {notes} (+{ds} sent, "
                 f"+{dd} dropped), rules {state}; the model: answers {sc.want}, "
                 f"notifications {sc.cmds}")
        assert ds == len(notes), f"{where}: the sent count is not the notifications'"
        assert kind is not None, f"{where}: none of the outcomes a failure may have"
        if n == 0 or left:
            # Not reached: the batch ran without a failure.
            assert kind == "as modelled", f"{where}: {kind} with no failure injected"
        self.base = now
        if rules != sc.before:
            self.restore(sc)
        return kind, left


def sweep_batch(bs, sc, fail, stride=1):
    """Failure points 1, 2, ... of the scenario's batch until one is not
    reached: all of them, or with `stride`, the first HEAD and then every
    stride-th, the end found by bisection. Returns (points reached, points
    run, outcomes by class)."""
    bs.restore(sc, start=True)
    kind, _ = bs.run(sc, 0, fail)
    assert kind == "as modelled", f"{sc.name}: {kind} without a failure"
    outcomes = {}

    def reached(n):
        kind, left = bs.run(sc, n, fail)
        if not left:
            outcomes[kind] = outcomes.get(kind, 0) + 1
        return not left
    last, n = 0, 1
    while n <= MAX_BATCH_POINTS:
        if not reached(n):
            # The end lies past the last point reached, before n.
            while n - last > 1:
                mid = (last + n) // 2
                last, n = (mid, n) if reached(mid) else (last, mid)
            return last, sum(outcomes.values()), outcomes
        last = n
        n += 1 if n < HEAD else stride
    raise AssertionError(f"{sc.name}: more than {MAX_BATCH_POINTS} failure points")


def test_every_batch_failure_point():
    fid, groups = nl.resolve("nlrs")
    sub = nl.nlrs_subsys()
    proto = nlspec.Protocol()
    kernel = "7.3" if os.uname().release.startswith("7.") else "6.12"
    fail = FailNth()
    started = time.monotonic()
    try:
        with util.new_netns():
            bs = BatchSweep(proto, fid, groups, kernel)
            try:
                # Slab allocations alone (every one, sleeping or not); the
                # page allocator's are test_page_alloc_failures_are_clean's.
                with knobs(FAILSLAB, probability=0, verbose=0, ignore_gfp_wait="N",
                           cache_filter="N"), \
                        knobs(FAIL_PAGE_ALLOC, probability=0, min_order=11):
                    for k in (1, 2, 8, 64):
                        for refused in (False, True):
                            start = [] if k == 1 else START
                            sc = Scenario(proto, fid, sub, kernel, k, start, refused)
                            t = time.monotonic()
                            reached, ran, outcomes = sweep_batch(bs, sc, fail,
                                                                 stride=STRIDE.get(k, 1))
                            took = time.monotonic() - t
                            print(f"  {sc.name}: {reached} points ({ran} run) {outcomes}, "
                                  f"{took:.1f} s, {1000 * took / (ran + 1):.0f} ms a run",
                                  file=sys.stderr)
            finally:
                bs.close()
    finally:
        fail.arm(0)
        fail.close()
    print(f"batch failure points: {time.monotonic() - started:.1f} s", file=sys.stderr)
