# SPDX-License-Identifier: GPL-2.0
"""Per-network-namespace state: STATS_GET counters."""

import errno
import json
import subprocess

import nl
import uapi
from util import NLRSCTL, expect_error, nlrsctl


def stats():
    return json.loads(nlrsctl("-j", "stats")[1])


def test_stats_count_requests_and_rejects():
    before = stats()
    nlrsctl("echo", "counted")
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        # Rejected by the handler (missing MSG): counted as a reject.
        expect_error(lambda: s.request(fid, nl.genl_header(uapi.GENL_CMD_ECHO)), errno.EINVAL)
        # Rejected by the core's policy check: never reaches a handler.
        expect_error(lambda: s.request(fid, nl.genl_header(uapi.GENL_CMD_ECHO)
                                       + nl.attr(uapi.GENL_ATTR_MSG, b"no nul")), errno.EINVAL)
    after = stats()
    # The first STATS_GET, the echo and the rejected echo; not this one.
    assert after["requests"] - before["requests"] == 3, (before, after)
    assert after["rejects"] - before["rejects"] == 1, (before, after)


def test_stats_count_notifications_only_with_listeners():
    before = stats()
    nlrsctl("echo", "nobody listens")
    mid = stats()
    assert mid["notifications_sent"] == before["notifications_sent"], (before, mid)
    fid, groups = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as listener:
        listener.join(groups["events"])
        nlrsctl("echo", "someone listens")
    after = stats()
    assert after["notifications_sent"] - mid["notifications_sent"] == 1, (mid, after)
    assert after["notifications_dropped"] == before["notifications_dropped"]


def test_stats_are_per_namespace():
    before = stats()
    script = f"{NLRSCTL} echo a >/dev/null && {NLRSCTL} echo b >/dev/null && {NLRSCTL} -j stats"
    for _ in range(2):
        p = subprocess.run(["unshare", "--net", "sh", "-c", script],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        # A new namespace starts from zero: the two echoes (a request is
        # counted once it returns, so this STATS_GET is not yet).
        inner = json.loads(p.stdout)
        assert inner == {"requests": 2, "rejects": 0, "notifications_sent": 0,
                         "notifications_dropped": 0, "rules": 0, "listeners": 0, "hook_packets": 0,
                         "hook_bytes": 0, "alerts": 0}, inner
    after = stats()
    # Only this namespace's first STATS_GET shows here.
    assert after["requests"] - before["requests"] == 1, (before, after)


def test_stats_get_rejects_any_attribute():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        # Type 0, attributes of the family (its replies' own among them)
        # and one it does not have.
        for ty in (0, uapi.GENL_ATTR_MSG, uapi.GENL_ATTR_STATS_REQUESTS,
                   uapi.GENL_ATTR_STATS_NTF_DROPPED, 99):
            e = expect_error(lambda: s.request(fid, nl.genl_header(uapi.GENL_CMD_STATS_GET)
                                               + nl.attr_u32(ty, 1)), errno.EINVAL)
            assert e.msg and e.offset == 20, (ty, e)
