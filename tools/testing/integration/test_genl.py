# SPDX-License-Identifier: GPL-2.0
"""The generic netlink family "nlrs": ECHO, its policy, the events group."""

import errno
import json
import struct
import subprocess
import time

import nl
import uapi
from util import NLRSCTL, expect_error, nlrsctl


def echo_request(s, fid, attrs, cmd=uapi.GENL_CMD_ECHO, version=uapi.GENL_FAMILY_VERSION):
    return s.request(fid, nl.genl_header(cmd, version) + attrs)


def test_echo_round_trip():
    _, out, _ = nlrsctl("echo", "hello, kernel")
    assert out == "hello, kernel\n", repr(out)


def test_echo_json():
    _, out, _ = nlrsctl("-j", "echo", 'quote " and \\ slash')
    assert json.loads(out) == {"msg": 'quote " and \\ slash'}, out


def test_echo_raw_reply_layout():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        answers = echo_request(s, fid, nl.attr_str(uapi.GENL_ATTR_MSG, "raw"))
    assert len(answers) == 1, answers
    ty, body = answers[0]
    cmd, version, _ = struct.unpack_from("=BBH", body)
    assert (ty, cmd, version) == (fid, uapi.GENL_CMD_ECHO, uapi.GENL_FAMILY_VERSION), \
        (ty, cmd, version)
    assert nl.parse_attrs(body[4:]) == {uapi.GENL_ATTR_MSG: b"raw\0"}


def test_echo_longest_accepted():
    text = "x" * uapi.GENL_MSG_MAX_LEN
    _, out, _ = nlrsctl("echo", text)
    assert out == text + "\n"


def test_echo_oversize_rejected_by_tool():
    rc, out, err = nlrsctl("echo", "x" * (uapi.GENL_MSG_MAX_LEN + 1), check=False)
    assert rc == 1 and out == "", (rc, out)
    assert err.startswith("Error: ") and "(attribute msg)" in err and "EINVAL" in err, err


def test_echo_oversize_extack():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        e = expect_error(lambda: echo_request(
            s, fid, nl.attr_str(uapi.GENL_ATTR_MSG, "y" * (uapi.GENL_MSG_MAX_LEN + 45))),
            errno.EINVAL, "policy")
    # The offset points at the attribute: right after nlmsghdr and genlmsghdr.
    assert e.offset == 20, e.offset


def test_echo_wrong_type_rejected():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        # A u32 where a NUL-terminated string belongs (no NUL in it).
        e = expect_error(lambda: echo_request(
            s, fid, nl.attr_u32(uapi.GENL_ATTR_MSG, 0x41414141)), errno.EINVAL)
        assert e.msg and e.offset == 20, e
        # Empty payload.
        expect_error(lambda: echo_request(s, fid, nl.attr(uapi.GENL_ATTR_MSG, b"")), errno.EINVAL)


def test_echo_missing_attribute():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        e = expect_error(lambda: echo_request(s, fid, b""), errno.EINVAL, "missing attribute msg")
    assert e.miss_type == uapi.GENL_ATTR_MSG, e.miss_type


def test_echo_unknown_attribute_rejected():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        # Type 0, the first type past echo's policy, and one far past it.
        for ty in (0, uapi.GENL_ATTR_MSG + 1, 200):
            expect_error(lambda: echo_request(
                s, fid, nl.attr_str(uapi.GENL_ATTR_MSG, "a") + nl.attr_u32(ty, 1)), errno.EINVAL)


def test_unknown_command_rejected():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        for cmd in (0, uapi.GENL_CMD_ECHO_NTF, 99):
            expect_error(lambda: echo_request(s, fid, b"", cmd=cmd), errno.EOPNOTSUPP)


def test_family_listing():
    _, out, _ = nlrsctl("-j", "family")
    fam = json.loads(out)
    assert fam["name"] == "nlrs" and fam["version"] == uapi.GENL_FAMILY_VERSION, fam
    assert [g["name"] for g in fam["mcast_groups"]] == ["events", "alerts", "config"], fam
    assert [op["id"] for op in fam["ops"]] == [
        uapi.GENL_CMD_ECHO, uapi.GENL_CMD_STATS_GET, uapi.GENL_CMD_RULE_NEW, uapi.GENL_CMD_RULE_DEL,
        uapi.GENL_CMD_RULE_GET, uapi.GENL_CMD_RULE_FLUSH], fam
    flags = {op["id"]: set(op["flag_names"]) for op in fam["ops"]}
    # Changes need CAP_NET_ADMIN over the namespace; reads do not.
    for cmd in (uapi.GENL_CMD_RULE_NEW, uapi.GENL_CMD_RULE_DEL, uapi.GENL_CMD_RULE_FLUSH):
        assert "uns-admin-perm" in flags[cmd], flags
    assert flags[uapi.GENL_CMD_RULE_GET] >= {"do", "dump"}, flags
    assert not flags[uapi.GENL_CMD_RULE_GET] & {"admin-perm", "uns-admin-perm"}, flags


def test_events_listener_gets_echo():
    mon = subprocess.Popen([NLRSCTL, "monitor", "events", "--count", "2", "--timeout", "20"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = mon.stderr.readline()
        assert line.startswith("listening on events"), line
        nlrsctl("echo", "first")
        nlrsctl("echo", "second")
        out, err = mon.communicate()
    finally:
        mon.kill()
    assert mon.returncode == 0, (mon.returncode, err)
    assert out.splitlines() == ["echo msg=first", "echo msg=second"], out


def test_events_raw_notification():
    fid, groups = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as listener, nl.Socket(nl.NETLINK_GENERIC) as s:
        listener.join(groups["events"])
        echo_request(s, fid, nl.attr_str(uapi.GENL_ATTR_MSG, "ntf"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for ty, flags, seq, body in listener.recv_msgs():
                if ty == fid:
                    assert body[0] == uapi.GENL_CMD_ECHO_NTF and seq == 0, (body[:4], seq)
                    assert nl.parse_attrs(body[4:]) == {uapi.GENL_ATTR_MSG: b"ntf\0"}
                    return
        raise AssertionError("no notification")


def test_policy_dump_covers_every_op():
    dump = json.loads(nlrsctl("-j", "policy")[1])
    fam = json.loads(nlrsctl("-j", "family")[1])
    ops = {o["cmd"]: o for o in dump["ops"]}
    assert sorted(ops) == sorted(op["id"] for op in fam["ops"]), (ops, fam)
    assert all("do" in o for o in ops.values()), ops
    # The kernel's view of what attr_set! declared.
    echo = dump["policies"][str(ops[uapi.GENL_CMD_ECHO]["do"])]
    assert echo == {str(uapi.GENL_ATTR_MSG): {"type": "nul-string",
                                              "max_length": uapi.GENL_MSG_MAX_LEN}}, echo
    # STATS_GET accepts nothing: its policy lists no attribute.
    assert dump["policies"].get(str(ops[uapi.GENL_CMD_STATS_GET]["do"]), {}) == {}, dump
    text = nlrsctl("policy")[1]
    assert f"op echo ({uapi.GENL_CMD_ECHO}): do policy" in text, text
    assert (f"msg ({uapi.GENL_ATTR_MSG}): nul-string max_length={uapi.GENL_MSG_MAX_LEN}"
            in text), text


def as_nobody(*args):
    """Runs nlrsctl without any capability, as user nobody."""
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        "--inh-caps=-all", NLRSCTL, *args],
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_alerts_group_needs_cap_net_admin():
    # Root may join; nothing is sent yet, so the monitor times out (3).
    rc, _, err = nlrsctl("monitor", "alerts", "--count", "1", "--timeout", "1", check=False)
    assert rc == 3 and "listening on alerts" in err, (rc, err)
    # Without CAP_NET_ADMIN, joining is refused...
    rc, _, err = as_nobody("monitor", "alerts", "--count", "1", "--timeout", "1")
    assert rc == 1 and "EPERM" in err, (rc, err)
    # ...while "events" is open to all, and so is reading.
    rc, _, err = as_nobody("monitor", "events", "--count", "1", "--timeout", "1")
    assert rc == 3 and "listening on events" in err, (rc, err)
    rc, out, err = as_nobody("echo", "unprivileged")
    assert rc == 0 and out == "unprivileged\n", (rc, out, err)
