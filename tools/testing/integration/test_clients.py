# SPDX-License-Identifier: GPL-2.0
"""Third-party clients drive the "nlrs" family: the kernel's own YNL client
(tools/net/ynl/cli.py, from the spec), iproute2's genl, and pyroute2."""

import glob
import json
import os
import re
import subprocess
import threading

import yaml
from pyroute2.netlink import NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, genlmsg, nla
from pyroute2.netlink.exceptions import NetlinkError as Pyroute2Error
from pyroute2.netlink.generic import GenericNetlinkSocket

import nl
from util import ROOT, nlrsctl, sh

SPEC = os.path.join(ROOT, "Documentation/netlink/specs/nlrs.yaml")
CACHE = os.environ.get("NLRS_CACHE", os.path.expanduser("~/.cache/nlrs"))


def ksrc():
    found = glob.glob(os.path.join(CACHE, "src/linux-source-*/tools/net/ynl/cli.py"))
    assert found, f"no kernel source with tools/net/ynl under {CACHE}"
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(found[0]))))


def ynl(*args, check=True):
    """Runs the kernel's YNL cli.py on the spec, validated against the
    genetlink schema; returns (status, stdout)."""
    k = ksrc()
    p = subprocess.run(["/usr/bin/python3", os.path.join(k, "tools/net/ynl/cli.py"),
                        "--spec", SPEC,
                        "--schema", os.path.join(k, "Documentation/netlink/genetlink.yaml"),
                        "--output-json", *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"cli.py {' '.join(args)} -> {p.returncode}: {p.stdout} {p.stderr}")
    return p.returncode, p.stdout


def test_ynl_cli_echo():
    _, out = ynl("--do", "echo", "--json", json.dumps({"msg": "hello from ynl"}))
    assert json.loads(out) == {"msg": "hello from ynl"}, out


def test_ynl_cli_rule_new_and_dumps():
    nlrsctl("rule", "flush")
    rule = {"rule-id": 61, "rule-name": "ynl",
            "rule-match": {"proto": 17, "dport-lo": 5353},
            "rule-threshold": {"packets": 100, "interval-ms": 1000}}
    _, out = ynl("--do", "rule-new", "--json", json.dumps(rule))
    stored = dict(rule, **{"rule-match": {"proto": 17, "dport-lo": 5353, "dport-hi": 5353},
                           "rule-counters": {"packets": 0, "bytes": 0}})
    assert json.loads(out) == stored, out
    # nlrsctl sees the rule ynl made, and ynl's dump the one nlrsctl makes.
    assert "name ynl proto udp dport 5353" in nlrsctl("rule", "show", "id", "61")[1]
    nlrsctl("rule", "add", "id", "62", "name", "ctl", "proto", "tcp")
    _, out = ynl("--dump", "rule-get")
    dump = json.loads(out)
    assert [(r["rule-id"], r["rule-name"]) for r in dump] == [(61, "ynl"), (62, "ctl")], dump
    assert dump[1]["rule-match"] == {"proto": 6}, dump
    _, out = ynl("--do", "rule-get", "--json", json.dumps({"rule-name": "ctl"}))
    assert json.loads(out)["rule-id"] == 62, out


def test_ynl_cli_receives_config_notifications():
    """cli.py subscribes, sleeps, then prints what the group carried; a
    changer keeps adding and deleting a rule until it has exited."""
    nlrsctl("rule", "flush")
    stop = threading.Event()

    def changer():
        while not stop.is_set():
            nlrsctl("rule", "add", "id", "70", "name", "ntf", "proto", "udp", "dport", "7")
            nlrsctl("rule", "del", "id", "70")

    t = threading.Thread(target=changer)
    t.start()
    try:
        _, out = ynl("--subscribe", "config", "--sleep", "4")
    finally:
        stop.set()
        t.join()
    ntfs = json.loads(out.splitlines()[-1])
    names = {n["name"] for n in ntfs}
    assert names <= {"rule-new-ntf", "rule-del-ntf"} and "rule-new-ntf" in names, ntfs
    for n in ntfs:
        assert n["msg"]["rule-id"] == 70 and n["msg"]["rule-name"] == "ntf", n
        assert n["msg"]["rule-match"] == {"proto": 17, "dport-lo": 7, "dport-hi": 7}, n


def test_ynl_cli_gets_extack():
    rc, out = ynl("--do", "rule-new", "--json",
                  json.dumps({"rule-id": 63, "rule-threshold": {"packets": 0, "interval-ms": 1}}),
                  check=False)
    assert rc == 1, out
    # YNL resolves the offending attribute from the extack's offset.
    assert "out of range" in out and "packets" in out, out
    rc, _, err = nlrsctl("rule", "show", "id", "63", check=False)
    assert rc == 1 and "ENOENT" in err, err


def test_ynl_cli_stats_decodes_every_counter():
    _, out = ynl("--do", "stats-get")
    stats = json.loads(out)
    spec = yaml.safe_load(open(SPEC))
    reply = next(o for o in spec["operations"]["list"] if o["name"] == "stats-get")
    assert sorted(stats) == sorted(reply["do"]["reply"]["attributes"]), stats
    assert stats["rule-count"] == json.loads(nlrsctl("-j", "stats")[1])["rules"]


def test_iproute2_genl_ctrl():
    assert re.search(r"^Name: nlrs$", sh("genl ctrl list"), re.M)
    out = sh("genl ctrl get name nlrs")
    fid, groups = nl.resolve("nlrs")
    assert re.search(rf"ID: {fid:#x}\s+Version: 0x1\b", out), out
    # genl shows capabilities only for families of version 2 and later.
    ops = re.findall(r"#\d+:\s+ID-(0x[0-9a-f]+)\s*\n", out.split("multicast groups")[0])
    assert ops == ["0x1", "0x3", "0x4", "0x5", "0x6", "0x7"], out
    shown = dict(re.findall(r"ID-(0x[0-9a-f]+)\s+name: (\w+)", out))
    assert shown == {f"{v:#x}": k for k, v in groups.items()}, (shown, groups)
    assert sorted(groups) == ["alerts", "config", "events"]


def pyroute2_msg():
    """A pyroute2 message class for the family, its nla maps built from the
    spec (pyroute2 numbers attributes by their place in the map)."""
    spec = yaml.safe_load(open(SPEC))
    sets = {s["name"]: s["attributes"] for s in spec["attribute-sets"]}
    types = {"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
             "string": "asciiz", "flag": "flag", "binary": "cdata"}

    def nla_map(name):
        entries = [("UNSPEC", "none")]
        for a in sets[name]:
            t = a["nested-attributes"].replace("-", "_") if a["type"] == "nest" else types[a["type"]]
            entries.append((a["name"].upper().replace("-", "_"), t))
        return tuple(entries)

    nested = {n.replace("-", "_"): type(n, (nla,), {"nla_map": nla_map(n)})
              for n in sets if n != "nlrs"}
    return type("nlrsmsg", (genlmsg,), dict(nested, nla_map=nla_map("nlrs")))


def test_pyroute2_echo_and_rule_get():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "71", "name", "py", "proto", "udp", "dport", "53")
    msg_class = pyroute2_msg()
    s = GenericNetlinkSocket()
    try:
        s.bind("nlrs", msg_class)
        m = msg_class()
        m["cmd"], m["version"] = 1, 1
        m["attrs"] = [("MSG", "from pyroute2")]
        (reply,) = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST)
        assert reply["cmd"] == 1 and reply.get_attr("MSG") == "from pyroute2", reply

        m = msg_class()
        m["cmd"], m["version"] = 6, 1
        m["attrs"] = [("RULE_NAME", "py")]
        (reply,) = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST)
        assert reply.get_attr("RULE_ID") == 71, reply
        match = reply.get_attr("RULE_MATCH")
        assert (match.get_attr("PROTO"), match.get_attr("DPORT_LO"),
                match.get_attr("DPORT_HI")) == (17, 53, 53), match
        assert reply.get_attr("RULE_COUNTERS").get_attr("PACKETS") == 0

        m = msg_class()
        m["cmd"], m["version"] = 6, 1
        dump = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST | NLM_F_DUMP)
        assert [r.get_attr("RULE_ID") for r in dump] == [71], dump

        m = msg_class()
        m["cmd"], m["version"] = 6, 1
        m["attrs"] = [("RULE_ID", 9999)]
        try:
            s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST | NLM_F_ACK)
        except Pyroute2Error as e:
            assert e.code == 2, e
        else:
            raise AssertionError("RULE_GET of a missing rule succeeded")
    finally:
        s.close()
