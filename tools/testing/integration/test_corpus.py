# SPDX-License-Identifier: GPL-2.0
"""The bad-input corpus (tools/testing/corpus/corpus.py) against both
planes: every case gets exactly the answers it expects (errno, extack
message, offset, missing type) and leaves the rule set, its counters and
the listeners exactly as they were."""

import errno
import os
import sys

import nl
import uapi
from util import nlrsctl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "corpus"))
import corpus  # noqa: E402

STATS_RULE_COUNT, STATS_LISTENERS = uapi.GENL_ATTR_RULE_COUNT, uapi.GENL_ATTR_STATS_LISTENERS


def answers(sock):
    """Every message queued on `sock` (the kernel answers synchronously);
    none may have been lost."""
    msgs, lost = nl.drain(sock)
    if lost:
        raise OSError(errno.ENOBUFS, f"{lost} answers lost")
    return [("error", *nl.decode_error(body)) if ty == nl.NLMSG_ERROR else ("reply", ty)
            for ty, _, body in msgs]


def matches(want, got):
    if isinstance(want, corpus.Reply):
        return got == ("reply", want.ty)
    if got[0] != "error" or got[1] != want.errno:
        return False
    _, _, msg, offs, miss = got
    return ((want.msg is None or msg == want.msg)
            and (want.offs is None or offs == want.offs)
            and (want.miss is None or miss == want.miss))


def state(fid):
    """The rule set (every dumped rule, counters included) and the
    namespace's rule and listener counts."""
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        rules = s.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_GET),
                          flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)
        (stats,) = s.request(fid, nl.genl_header(uapi.GENL_CMD_STATS_GET))
    a = nl.parse_attrs(stats[1][4:])
    return [body for _, body in rules], a[STATS_RULE_COUNT], a[STATS_LISTENERS]


def test_bad_input_corpus():
    # About 400 cases, each followed by a dump of the state: 7 to 9 s here,
    # for a corpus that has to be whole to mean anything.
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "1", "name", "base1", "proto", "sctp", "dport", "9")
    nlrsctl("rule", "add", "id", "2", "name", "base2", "proto", "sctp", "dst", "192.0.2.0/24",
            "threshold", "5/1000")
    fid, _ = nl.resolve("nlrs")
    subsys = nl.nlrs_subsys()
    cases = corpus.build(fid, subsys)
    assert len(cases) >= 300, len(cases)
    assert len({c.name for c in cases}) == len(cases), "case names repeat"
    assert len({c.data for c in cases}) == len(cases), "cases repeat"
    before = state(fid)
    assert len(before[0]) == 2
    socks = {"genl": nl.Socket(nl.NETLINK_GENERIC), "nfnl": nl.Socket(nl.NETLINK_NETFILTER)}
    for s in socks.values():
        s.sock.setblocking(False)
    failures = []
    try:
        for case in cases:
            s = socks[case.proto].sock
            try:
                s.send(case.data)
            except OSError as e:
                # The socket layer refuses what it cannot even queue.
                got = [("sendmsg", e.errno)]
            else:
                got = answers(s)
            if len(got) != len(case.expect) or not all(map(matches, case.expect, got)):
                failures.append(f"{case.name}: wanted {case.expect}, got {got}")
            after = state(fid)
            if after != before:
                failures.append(f"{case.name}: changed the state")
                before = after
    finally:
        for s in socks.values():
            s.close()
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)
    print(f"corpus: {len(cases)} cases, "
          f"{sum(c.proto == 'genl' for c in cases)} generic netlink, "
          f"{sum(c.proto == 'nfnl' for c in cases)} nfnetlink", file=sys.stderr)
    assert errno.EINVAL == corpus.EINVAL and errno.ERESTART == corpus.ERESTART
