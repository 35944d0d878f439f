# SPDX-License-Identifier: GPL-2.0
"""The family through C: nlrs-ynl-client, on the user-space library the
kernel's ynl-gen-c generates from the YNL spec and the kernel's libynl
(tools/testing/ynl-c/, built on the host before the guests boot). What it
does is checked with nlrsctl. Each test runs in a network namespace of its
own, whose rules go with it."""

import json
import os
import shutil
import subprocess

import uapi
import util
from util import new_netns, nlrsctl

BUILT = os.path.join(util.ROOT, "out/ynl-c/nlrs-ynl-client")
# Run from a tmpfs, as nlrsctl is (guest.sh): an exec from the repository's
# mount reads the whole binary through 9p again, over a second under TCG.
CLIENT = "/run/nlrs-ynl-c/nlrs-ynl-client"


def client(*args, check=True):
    """Runs nlrs-ynl-client; returns (status, stdout, stderr)."""
    if not os.path.exists(CLIENT):
        if not os.path.exists(BUILT):
            raise AssertionError(f"no {BUILT}: the ynl-c stage did not build it (make ynl-c)")
        os.makedirs(os.path.dirname(CLIENT), exist_ok=True)
        shutil.copy(BUILT, CLIENT + ".tmp")
        os.rename(CLIENT + ".tmp", CLIENT)
    p = subprocess.run([CLIENT, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"nlrs-ynl-client {' '.join(args)[:200]} -> {p.returncode}: "
                             f"{p.stderr.strip()}")
    return p.returncode, p.stdout, p.stderr


def rule(line):
    """A rule line of the client ("rule KEY=VALUE..."), as a dict, numbers
    as ints."""
    words = line.split()
    assert words and words[0] == "rule", line
    fields = dict(w.split("=", 1) for w in words[1:])
    return {k: int(v) if v.isdigit() else v for k, v in fields.items()}


def dump():
    return [rule(line) for line in client("rule-dump")[1].splitlines()]


def stats():
    """The client's stats: {attribute name: value}."""
    return {k: int(v) for k, v in (line.split() for line in client("stats")[1].splitlines())}


def test_echo_round_trip():
    with new_netns():
        assert client("echo", "hello from ynl-gen-c")[1] == "hello from ynl-gen-c\n"
        text = "x" * uapi.GENL_MSG_MAX_LEN
        assert client("echo", text)[1] == text + "\n"
        rc, out, err = client("echo", text + "x", check=False)
    assert rc == 1 and out == "", (rc, out)
    # libynl names the attribute the kernel's extack points at.
    assert err.startswith("nlrs-ynl-client: echo: EINVAL: Kernel error: "), err
    assert "bad attribute: .msg" in err, err


def test_rule_new_shows_in_dump_and_nlrsctl():
    with new_netns():
        _, out, _ = client("rule-new", "71", "cweb", "proto", "6", "dport", "80", "443",
                           "threshold", "100", "1000")
        made = {"rule-id": 71, "rule-name": "cweb", "match.proto": 6, "match.dport-lo": 80,
                "match.dport-hi": 443, "threshold.packets": 100,
                "threshold.interval-ms": 1000, "counters.packets": 0, "counters.bytes": 0}
        assert len(out.splitlines()) == 1 and rule(out) == made, out
        # nlrsctl reads back what the C client made...
        r = json.loads(nlrsctl("-j", "rule", "show", "id", "71")[1])
        assert r == {"id": 71, "name": "cweb",
                     "match": {"proto": 6, "dport_lo": 80, "dport_hi": 443},
                     "threshold": {"packets": 100, "interval_ms": 1000},
                     "counters": {"packets": 0, "bytes": 0}}, r
        # ...and the C client's dump what nlrsctl makes, in id order; a
        # rule without an id gets one from the kernel.
        nlrsctl("rule", "add", "id", "72", "name", "ctl", "proto", "udp", "dst", "10.0.0.0/8")
        _, out, _ = client("rule-new", "-", "auto")
        auto = rule(out)
        assert auto["rule-id"] not in (0, 71, 72) and auto["rule-name"] == "auto", auto
        rules = dump()
        assert [(r["rule-id"], r["rule-name"]) for r in rules] == sorted(
            [(71, "cweb"), (72, "ctl"), (auto["rule-id"], "auto")]), rules
        by_id = {r["rule-id"]: r for r in rules}
        assert by_id[71] == made and by_id[auto["rule-id"]] == auto, rules
        assert auto == {"rule-id": auto["rule-id"], "rule-name": "auto",
                        "counters.packets": 0, "counters.bytes": 0}, auto
        ctl = by_id[72]
        assert ctl == {"rule-id": 72, "rule-name": "ctl", "match.proto": 17,
                       "match.dst4": "10.0.0.0", "match.dst-plen": 8,
                       "counters.packets": 0, "counters.bytes": 0}, ctl
        assert [r["id"] for r in json.loads(nlrsctl("-j", "rule", "show")[1])] == [
            r["rule-id"] for r in rules]


def test_stats_count_the_rules():
    names = {"stats-rejects": "rejects", "stats-ntf-sent": "notifications_sent",
             "stats-ntf-dropped": "notifications_dropped", "rule-count": "rules",
             "stats-alerts": "alerts", "stats-listeners": "listeners"}
    with new_netns():
        assert stats()["rule-count"] == 0
        client("rule-new", "1", "one", "proto", "6")
        client("rule-new", "2", "two", "proto", "17", "dport", "53", "53")
        # The handler turns a taken id down: a reject.
        rc, _, err = client("rule-new", "2", "again", check=False)
        assert rc == 1 and ": rule-new: EEXIST: Kernel error: " in err, (rc, err)
        got = stats()
        ctl = json.loads(nlrsctl("-j", "stats")[1])
    _, aset, types = uapi.GENL_REPLIES[uapi.GENL_CMD_STATS_GET]
    assert sorted(got) == sorted(aset[t][0] for t in types), got
    assert got["rule-count"] == 2 and got["stats-rejects"] == 1, got
    assert got["stats-requests"] >= 4, got
    # nlrsctl, right after, sees the same, and the client's request counted.
    assert {k: got[k] for k in names} == {k: ctl[v] for k, v in names.items()}, (got, ctl)
    assert ctl["requests"] > got["stats-requests"], (got, ctl)


def test_invalid_requests_fail_with_extack():
    longest = uapi.GENL_RULE_NAME_MAX_LEN
    with new_netns():
        assert client("rule-new", "5", "n" * longest)[0] == 0
        # A name longer than the spec allows: the policy's EINVAL.
        rc, out, err = client("rule-new", "6", "n" * (longest + 1), check=False)
        assert rc == 1 and out == "", (rc, out)
        assert err.startswith("nlrs-ynl-client: rule-new: EINVAL: Kernel error: "), err
        assert "bad attribute: .rule-name" in err, err
        # rule-id 0: below the policy's minimum.
        rc, out, err = client("rule-new", "0", "zero", check=False)
        assert rc == 1 and out == "", (rc, out)
        assert err.startswith("nlrs-ynl-client: rule-new: ERANGE: Kernel error: "), err
        assert "bad attribute: .rule-id" in err, err
        # A port range the handler refuses, inside the nest.
        rc, out, err = client("rule-new", "7", "ports", "proto", "6", "dport", "90", "80",
                              check=False)
        assert rc == 1 and out == "", (rc, out)
        assert err.startswith("nlrs-ynl-client: rule-new: EINVAL: Kernel error: "), err
        assert "bad attribute: .rule-match.dport-hi" in err, err
        # A bad command line sends nothing.
        rc, _, err = client("rule-new", "8", "big", "proto", "256", check=False)
        assert rc == 2 and "proto: not a number from 0 to 255" in err, (rc, err)
        # Nothing but the first rule was made.
        assert [(r["rule-id"], r["rule-name"]) for r in dump()] == [(5, "n" * longest)]
        assert [r["id"] for r in json.loads(nlrsctl("-j", "rule", "show")[1])] == [5]
