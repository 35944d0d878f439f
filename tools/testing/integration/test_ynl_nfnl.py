# SPDX-License-Identifier: GPL-2.0
"""The kernel's YNL drives the nfnetlink plane from its spec alone
(Documentation/netlink/specs/nlrs_nfnl.yaml): cli.py echoes, dumps a
checkpoint, listens, and commits or refuses whole batches (--multi); its
library receives an alert as the spec's event. The YNL is the newest
supported kernel's, on either kernel (see ksrc.ynl()). Each test runs in a
network namespace of its own, away from other traffic."""

import errno
import json
import os
import sys

import nl
import traffic
import uapi
from util import Skip, new_netns, nlrsctl

TESTING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(TESTING))
SPEC = os.path.join(ROOT, "Documentation/netlink/specs/nlrs_nfnl.yaml")
sys.path.insert(0, TESTING)
import ksrc  # noqa: E402


def cli(*args, check=True):
    """Runs cli.py on the nfnetlink spec; returns (status, stdout, stderr).
    The spec's message types are those of the default subsystem id."""
    if nl.nlrs_subsys() != uapi.NFNL_SUBSYS_ID:
        raise Skip(f"nlrs has nfnetlink subsystem {nl.nlrs_subsys()}, the spec "
                   f"{uapi.NFNL_SUBSYS_ID}")
    p = ksrc.ynl_cli(SPEC, *args)
    if check and p.returncode != 0:
        raise AssertionError(f"cli.py {' '.join(args)} -> {p.returncode}: {p.stdout} {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def batch(*ops):
    """cli.py --multi: ops (name, attributes) between BATCH_BEGIN and
    BATCH_END for the nlrs subsystem, in one send, with NLM_F_CREATE."""
    res = {"res-id": uapi.NFNL_SUBSYS_ID}
    args = ["--multi", "batch-begin", json.dumps(res)]
    for name, attrs in ops:
        args += ["--multi", name, json.dumps(attrs)]
    args += ["--multi", "batch-end", json.dumps(res)]
    return cli(*args, "--create", check=False)


def rules():
    """{id: name} of the rules, by nlrsctl."""
    return {r["id"]: r.get("name") for r in json.loads(nlrsctl("-j", "rule", "show")[1])}


def test_cli_nfnl_echo():
    with new_netns():
        _, out, _ = cli("--do", "echo", "--json", json.dumps({"msg": "hello over nfnetlink"}))
        reply = json.loads(out)
        assert reply["msg"] == "hello over nfnetlink", reply
        # The reply's nfgenmsg, decoded from the spec's fixed header.
        assert reply["res-id"] == 0 and reply["version"] == 0, reply


def test_cli_nfnl_checkpoint_is_a_dump():
    with new_netns():
        nlrsctl("rule", "add", "id", "81", "proto", "udp", "dport", "9481")
        nlrsctl("rule", "add", "id", "82", "proto", "tcp")
        assert traffic.exchange("127.0.0.1", 3, 64, port=9481) == 3
        _, out, _ = cli("--dump", "checkpoint")
        snap = {r["rule-id"]: r["rule-counters"] for r in json.loads(out)}
        assert sorted(snap) == [81, 82], snap
        # 3 datagrams, each out and in.
        assert snap[81]["packets"] == 6 and snap[81]["bytes"] > 0, snap
        assert snap[82] == {"packets": 0, "bytes": 0}, snap
        # With checkpoint-reset the next snapshot starts from this one.
        _, out, _ = cli("--dump", "checkpoint", "--json", json.dumps({"checkpoint-reset": True}))
        assert {r["rule-id"]: r["rule-counters"] for r in json.loads(out)} == snap, out
        after = json.loads(nlrsctl("-j", "checkpoint")[1])
        assert [(r["id"], r["packets"]) for r in after] == [(81, 0), (82, 0)], after


def test_cli_nfnl_batch_commits_and_refuses_as_a_whole():
    with new_netns():
        rc, out, err = batch(("rule-new", {"rule-id": 83, "rule-name": "ynl-a",
                                           "rule-match": {"proto": 17, "dport-lo": 53}}),
                             ("rule-new", {"rule-id": 84, "rule-name": "ynl-b"}))
        assert rc == 0, (out, err)
        assert rules() == {83: "ynl-a", 84: "ynl-b"}
        # A batch with one bad message changes nothing: the new rule is not
        # made and the deletion not done, and cli.py reports the error.
        rc, out, err = batch(("rule-new", {"rule-id": 85, "rule-name": "ynl-c"}),
                             ("rule-del", {"rule-id": 84}),
                             ("rule-del", {"rule-id": 999}))
        assert rc == 1, (out, err)
        assert "no such rule" in out + err, (out, err)
        assert rules() == {83: "ynl-a", 84: "ynl-b"}
        rc, out, err = batch(("rule-del", {"rule-name": "ynl-a"}),
                             ("rule-new", {"rule-id": 86, "rule-name": "ynl-d"}))
        assert rc == 0, (out, err)
        assert rules() == {84: "ynl-b", 86: "ynl-d"}


def test_ynl_nfnl_listen_receives_the_alert_event():
    with new_netns():
        nlrsctl("rule", "add", "id", "87", "proto", "udp", "dport", "9487",
                "threshold", "3/60000")
        # cli.py binds and, closing its socket, is forgotten.
        cli("--do", "listen")
        fam, NlError = ksrc.ynl_family(SPEC)
        # Binding twice is binding once: one alert, not two.
        fam.do("listen", {})
        fam.do("listen", {})
        # 2 datagrams are 4 packets, past 3.
        assert traffic.exchange("127.0.0.1", 2, 64, port=9487) == 2
        alerts = list(fam.poll_ntf(duration=5))
        assert [a["name"] for a in alerts] == ["alert"], alerts
        msg = alerts[0]["msg"]
        assert msg["rule-id"] == 87 and msg["alert-packets"] == 4, msg
        assert msg["rule-threshold"] == {"packets": 3, "interval-ms": 60000}, msg
        fam.do("unlisten", {})
        try:
            fam.do("unlisten", {})
        except NlError as e:
            assert e.error == errno.ENOENT, e
        else:
            raise AssertionError("a second UNLISTEN succeeded")
