# SPDX-License-Identifier: GPL-2.0
"""The nfnetlink plane: rules in atomic batches (a batch with a bad message
applies nothing), NLM_F_CREATE/EXCL/REPLACE, and counter checkpoints whose
resets lose and double-count nothing under traffic."""

import json
import os
import select
import subprocess
import tempfile

import traffic
from util import NLRSCTL, collect, nlrsctl, spawn, stop



def rules():
    return json.loads(nlrsctl("-j", "rule", "show")[1])


def apply(text, check=True):
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
        f.write(text)
    try:
        return nlrsctl("-j", "nf", "apply", f.name, check=check)
    finally:
        os.unlink(f.name)


def config_events(fn, count):
    """Runs fn while monitoring the "config" group; returns the events."""
    mon = subprocess.Popen([NLRSCTL, "-j", "monitor", "config", "--count", str(count),
                            "--timeout", "20"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        assert mon.stderr.readline().startswith("listening on")
        fn()
        out, _ = mon.communicate()
    finally:
        mon.kill()
    return [json.loads(line) for line in out.splitlines()]


def test_batch_applies_every_change_and_notifies_the_other_plane():
    nlrsctl("rule", "flush")
    batch = """# three rules, one replaced, one deleted
add id 1 name web proto tcp dport 80
add id 2 name dns proto udp dport 53
add id 3 name ssh proto tcp dport 22
replace id 2 name dns proto udp dport 5353
del name ssh
"""
    events = config_events(lambda: apply(batch), 5)
    assert [e["event"] for e in events] == ["rule-new", "rule-new", "rule-new",
                                           "rule-replace", "rule-del"], events
    got = {r["name"]: r["match"].get("dport_lo") for r in rules()}
    assert got == {"web": 80, "dns": 5353}, got


def test_batch_with_a_bad_message_applies_nothing():
    nlrsctl("rule", "flush")
    apply("add id 10 name keep proto udp dport 1000\n")
    before = rules()
    # Message 2 of 5 names a port without a protocol; message 5 takes the id
    # message 1 added. Both are reported; nothing is applied, not even the
    # valid messages 1, 3 and 4 (which reuses the id message 3 deletes).
    status, out, err = apply("""add id 11 name a proto udp dport 1
add id 12 name b dport 2
del id 10
add id 10 name c
add id 11 name d
""", check=False)
    assert status == 1, (out, err)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{\"line\"")]
    assert [e["line"] for e in lines] == [2, 5], err
    assert lines[0]["error"]["error"]["name"] == "EINVAL", lines
    assert "dport_lo" in lines[0]["error"]["error"]["message"], lines
    assert lines[0]["error"]["error"]["attribute"] == "rule-match.dport-lo", lines
    assert lines[1]["error"]["error"]["name"] == "EEXIST", lines
    assert rules() == before


def test_create_excl_replace_flags():
    nlrsctl("rule", "flush")
    apply("add id 20 name x proto udp\n")
    # add is NLM_F_CREATE | NLM_F_EXCL: an existing rule is an error.
    status, _, err = apply("add id 20 name x proto tcp\n", check=False)
    assert status == 1 and "EEXIST" in err, err
    # replace is NLM_F_CREATE | NLM_F_REPLACE: it replaces, or creates.
    apply("replace id 20 name x proto tcp\nreplace id 21 name y proto udp\n")
    got = {r["id"]: r["match"]["proto"] for r in rules()}
    assert got == {20: 6, 21: 17}, got
    # Deleting a missing rule fails the whole batch.
    status, _, err = apply("del id 21\ndel id 99\n", check=False)
    assert status == 1 and "ENOENT" in err, err
    assert len(rules()) == 2


def test_batches_need_cap_net_admin():
    nlrsctl("rule", "flush")
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
        f.write("add id 1\n")
    os.chmod(f.name, 0o644)
    try:
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            NLRSCTL, "nf", "apply", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    assert p.returncode == 1 and "EPERM" in p.stderr, p.stderr
    assert rules() == []


def checkpoint(reset):
    args = ["-j", "checkpoint"] + (["--reset"] if reset else [])
    return {e["id"]: (e["packets"], e["bytes"]) for e in json.loads(nlrsctl(*args)[1])}


def test_checkpoint_reset_under_traffic_loses_nothing():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "7", "proto", "udp", "dport", "9300")
    nlrsctl("rule", "add", "id", "8", "proto", "udp", "dport", "9301")
    pid, result = spawn(traffic.exchange, "127.0.0.1", 0, 64, 6, 9300)
    total = [0, 0]
    snapshots = 0
    try:
        # Until the traffic's result is there to read: it has stopped.
        while not select.select([result], [], [], 0)[0]:
            c = checkpoint(reset=True)
            assert c[8] == (0, 0), c
            total[0] += c[7][0]
            total[1] += c[7][1]
            snapshots += 1
    except BaseException:
        stop(pid)
        raise
    sent = collect(pid, result)
    c = checkpoint(reset=True)
    total[0] += c[7][0]
    total[1] += c[7][1]
    assert snapshots >= 3, snapshots
    # Each datagram passes LOCAL_OUT and LOCAL_IN: counted twice, exactly.
    assert total == [2 * sent, 2 * sent * (20 + 8 + 64)], (total, sent)
    # Nothing since the last reset; a checkpoint without reset resets nothing.
    assert checkpoint(reset=False)[7] == (0, 0)
    assert traffic.exchange("127.0.0.1", 2, 64, port=9300) == 2
    assert checkpoint(reset=False)[7] == (4, 4 * 92)
    assert checkpoint(reset=False)[7] == (4, 4 * 92)
    # The genl view shows the same counters.
    assert {r["id"]: r["counters"]["packets"] for r in rules()} == {7: 4, 8: 0}
    nlrsctl("rule", "flush")
