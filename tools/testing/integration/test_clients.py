# SPDX-License-Identifier: GPL-2.0
"""Third-party clients drive the "nlrs" family: the kernel's own YNL (its
cli.py once, to prove the command line works, then its library in this
process for the rest, as cli.py itself uses it), iproute2's genl, and
pyroute2."""

import errno
import json
import os
import re
import sys

import importlib.util
import types

import nl
import uapi
from util import nlrsctl, sh

TESTING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTING, "corpus"))
sys.path.insert(0, TESTING)
import ksrc  # noqa: E402
from corpus import SPEC, read_spec as spec  # noqa: E402


def ynl_cli(*args, check=True):
    """Runs the kernel's YNL cli.py on the spec; returns (status, stdout)."""
    p = ksrc.ynl_cli(SPEC, *args)
    if check and p.returncode != 0:
        raise AssertionError(f"cli.py {' '.join(args)} -> {p.returncode}: {p.stdout} {p.stderr}")
    return p.returncode, p.stdout


def ynl():
    """The family through YNL's library, its spec loaded once for every
    request of the test."""
    return ksrc.ynl_family(SPEC)


def queued(fam):
    """The notifications YNL's library has queued, taken from its queue."""
    q = fam.async_msg_queue
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


def test_ynl_cli_echo():
    _, out = ynl_cli("--do", "echo", "--json", json.dumps({"msg": "hello from ynl"}))
    assert json.loads(out) == {"msg": "hello from ynl"}, out


def test_ynl_rule_new_dumps_and_extack():
    nlrsctl("rule", "flush")
    fam, NlError = ynl()
    rule = {"rule-id": 61, "rule-name": "ynl",
            "rule-match": {"proto": 17, "dport-lo": 5353},
            "rule-threshold": {"packets": 100, "interval-ms": 1000}}
    stored = dict(rule, **{"rule-match": {"proto": 17, "dport-lo": 5353, "dport-hi": 5353},
                           "rule-counters": {"packets": 0, "bytes": 0}})
    assert fam.rule_new(rule) == stored
    # nlrsctl sees the rule ynl made, and ynl's dump the one nlrsctl makes.
    assert "name ynl proto udp dport 5353" in nlrsctl("rule", "show", "id", "61")[1]
    nlrsctl("rule", "add", "id", "62", "name", "ctl", "proto", "tcp")
    dump = fam.dump("rule-get", {})
    assert [(r["rule-id"], r["rule-name"]) for r in dump] == [(61, "ynl"), (62, "ctl")], dump
    assert dump[1]["rule-match"] == {"proto": 6}, dump
    assert fam.do("rule-get", {"rule-name": "ctl"})["rule-id"] == 62
    # A bad value: YNL resolves the offending attribute from the extack's
    # offset, and nothing was made.
    try:
        fam.rule_new({"rule-id": 63, "rule-threshold": {"packets": 0, "interval-ms": 1}})
    except NlError as e:
        assert e.error == errno.ERANGE, e
        assert e.nl_msg.extack.get("bad-attr") == ".rule-threshold.packets", e.nl_msg.extack
        assert "out of range" in e.nl_msg.extack.get("msg", ""), e.nl_msg.extack
    else:
        raise AssertionError("RULE_NEW with 0 packets succeeded")
    rc, _, err = nlrsctl("rule", "show", "id", "63", check=False)
    assert rc == 1 and "ENOENT" in err, err
    nlrsctl("rule", "flush")


def test_ynl_receives_config_notifications():
    nlrsctl("rule", "flush")
    fam, _ = ynl()
    fam.ntf_subscribe("config")
    for _ in range(3):
        nlrsctl("rule", "add", "id", "70", "name", "ntf", "proto", "udp", "dport", "7")
        nlrsctl("rule", "del", "id", "70")
    # The kernel queued every notification before nlrsctl had its ACK.
    fam.check_ntf()
    ntfs = queued(fam)
    assert [n["name"] for n in ntfs] == ["rule-new-ntf", "rule-del-ntf"] * 3, ntfs
    for n in ntfs:
        assert n["msg"]["rule-id"] == 70 and n["msg"]["rule-name"] == "ntf", n
        assert n["msg"]["rule-match"] == {"proto": 17, "dport-lo": 7, "dport-hi": 7}, n


def test_ynl_stats_decodes_every_counter():
    fam, _ = ynl()
    stats = fam.stats_get({})
    reply = next(o for o in spec()["operations"]["list"] if o["name"] == "stats-get")
    assert sorted(stats) == sorted(reply["do"]["reply"]["attributes"]), stats
    assert stats["rule-count"] == json.loads(nlrsctl("-j", "stats")[1])["rules"]


def test_iproute2_genl_ctrl():
    assert re.search(r"^Name: nlrs$", sh("genl ctrl list"), re.M)
    out = sh("genl ctrl get name nlrs")
    fid, groups = nl.resolve("nlrs")
    assert re.search(rf"ID: {fid:#x}\s+Version: {uapi.GENL_FAMILY_VERSION:#x}\b", out), out
    # genl shows capabilities only for families of version 2 and later.
    ops = re.findall(r"#\d+:\s+ID-(0x[0-9a-f]+)\s*\n", out.split("multicast groups")[0])
    assert ops == [f"{cmd:#x}" for cmd in (
        uapi.GENL_CMD_ECHO, uapi.GENL_CMD_STATS_GET, uapi.GENL_CMD_RULE_NEW, uapi.GENL_CMD_RULE_DEL,
        uapi.GENL_CMD_RULE_GET, uapi.GENL_CMD_RULE_FLUSH)], out
    shown = dict(re.findall(r"ID-(0x[0-9a-f]+)\s+name: (\w+)", out))
    assert shown == {f"{v:#x}": k for k, v in groups.items()}, (shown, groups)
    assert sorted(groups) == ["alerts", "config", "events"]


def pyroute2():
    """pyroute2's netlink modules, without running its package's
    __init__, which loads NDB, IPRoute, sqlite3 and asyncio for nothing
    this test uses: 69 s under emulation, against a few for these."""
    if "pyroute2" not in sys.modules:
        found = importlib.util.find_spec("pyroute2")
        pkg = types.ModuleType("pyroute2")
        pkg.__path__ = list(found.submodule_search_locations)
        sys.modules["pyroute2"] = pkg
    import pyroute2.netlink
    import pyroute2.netlink.exceptions
    import pyroute2.netlink.generic
    return pyroute2.netlink


def pyroute2_msg(netlink):
    """A pyroute2 message class for the family, its nla maps built from the
    spec (pyroute2 numbers attributes by their place in the map)."""
    sets = {s["name"]: s["attributes"] for s in spec()["attribute-sets"]}
    types = {"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
             "string": "asciiz", "flag": "flag", "binary": "cdata"}

    def nla_map(name):
        entries = [("UNSPEC", "none")]
        for a in sets[name]:
            t = a["nested-attributes"].replace("-", "_") if a["type"] == "nest" else types[a["type"]]
            entries.append((a["name"].upper().replace("-", "_"), t))
        return tuple(entries)

    nested = {n.replace("-", "_"): type(n, (netlink.nla,), {"nla_map": nla_map(n)})
              for n in sets if n != "nlrs"}
    return type("nlrsmsg", (netlink.genlmsg,), dict(nested, nla_map=nla_map("nlrs")))


def test_pyroute2_echo_and_rule_get():
    nlrsctl("rule", "flush")
    nlrsctl("rule", "add", "id", "71", "name", "py", "proto", "udp", "dport", "53")
    netlink = pyroute2()
    NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST = netlink.NLM_F_ACK, netlink.NLM_F_DUMP, netlink.NLM_F_REQUEST
    msg_class = pyroute2_msg(netlink)
    s = netlink.generic.GenericNetlinkSocket()
    try:
        s.bind("nlrs", msg_class)
        m = msg_class()
        m["cmd"], m["version"] = uapi.GENL_CMD_ECHO, uapi.GENL_FAMILY_VERSION
        m["attrs"] = [("MSG", "from pyroute2")]
        (reply,) = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST)
        assert reply["cmd"] == uapi.GENL_CMD_ECHO and reply.get_attr("MSG") == "from pyroute2", reply

        m = msg_class()
        m["cmd"], m["version"] = uapi.GENL_CMD_RULE_GET, uapi.GENL_FAMILY_VERSION
        m["attrs"] = [("RULE_NAME", "py")]
        (reply,) = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST)
        assert reply.get_attr("RULE_ID") == 71, reply
        match = reply.get_attr("RULE_MATCH")
        assert (match.get_attr("PROTO"), match.get_attr("DPORT_LO"),
                match.get_attr("DPORT_HI")) == (17, 53, 53), match
        assert reply.get_attr("RULE_COUNTERS").get_attr("PACKETS") == 0

        m = msg_class()
        m["cmd"], m["version"] = uapi.GENL_CMD_RULE_GET, uapi.GENL_FAMILY_VERSION
        dump = s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST | NLM_F_DUMP)
        assert [r.get_attr("RULE_ID") for r in dump] == [71], dump

        m = msg_class()
        m["cmd"], m["version"] = uapi.GENL_CMD_RULE_GET, uapi.GENL_FAMILY_VERSION
        m["attrs"] = [("RULE_ID", 9999)]
        try:
            s.nlm_request(m, msg_type=s.prid, msg_flags=NLM_F_REQUEST | NLM_F_ACK)
        except netlink.exceptions.NetlinkError as e:
            assert e.code == 2, e
        else:
            raise AssertionError("RULE_GET of a missing rule succeeded")
    finally:
        s.close()
