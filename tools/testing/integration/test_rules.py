# SPDX-License-Identifier: GPL-2.0
"""Rules through the "nlrs" family: RULE_NEW/DEL/GET/FLUSH, the dump, the
"config" group, permissions, the per-namespace cap and isolation."""

import errno
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile

import nl
import uapi
import util
from test_genl import as_nobody
from util import NLRSCTL, expect_error, nlrsctl


def flush():
    nlrsctl("rule", "flush")


def show():
    return json.loads(nlrsctl("-j", "rule", "show")[1])


def genl(s, fid, cmd, *attrs, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK):
    return s.request(fid, nl.genl_header(cmd) + b"".join(attrs), flags=flags)


def rule_new_msg(s, fid, rid, flags=nl.NLM_F_REQUEST):
    return s.message(fid, flags, nl.genl_header(uapi.GENL_CMD_RULE_NEW)
                     + nl.attr_u32(uapi.GENL_ATTR_RULE_ID, rid)
                     + nl.nest(uapi.GENL_ATTR_RULE_MATCH, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 6)))


def add_many(first, count, chunk=100):
    """Adds rules first..first+count-1, many requests per sendmsg."""
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for base in range(first, first + count, chunk):
            n = min(chunk, first + count - base)
            s.send_raw(b"".join(rule_new_msg(s, fid, base + i) for i in range(n)))
            replies = 0
            while replies < n:
                for ty, _, _, body in s.recv_msgs():
                    if ty == nl.NLMSG_ERROR:
                        nl.check_error(body)
                    elif ty == fid:
                        replies += 1


def test_rule_lifecycle_through_nlrsctl():
    flush()
    _, out, _ = nlrsctl("rule", "add", "name", "web", "proto", "tcp", "dst", "10.0.0.0/8",
                        "dport", "80-443", "threshold", "100/1000")
    line = out.strip()
    assert line.startswith("id ") and line.endswith(
        "name web proto tcp dst 10.0.0.0/8 dport 80-443 threshold 100/1000 packets 0 bytes 0"), out
    rid = int(line.split()[1])
    assert nlrsctl("rule", "show")[1].strip() == line
    assert nlrsctl("rule", "show", "name", "web")[1].strip() == line
    assert nlrsctl("rule", "show", "id", str(rid))[1].strip() == line
    nlrsctl("rule", "del", "name", "web")
    assert show() == []
    rc, _, err = nlrsctl("rule", "show", "id", str(rid), check=False)
    assert rc == 1 and "ENOENT" in err and "(attribute rule-id)" in err, err


def test_rule_json_and_ipv6():
    flush()
    r = json.loads(nlrsctl("-j", "rule", "add", "id", "42", "proto", "udp",
                           "src", "2001:db8::/32", "dport", "53")[1])
    assert r == {"id": 42, "match": {"proto": 17, "src": "2001:db8::/32", "dport_lo": 53,
                                     "dport_hi": 53},
                 "counters": {"packets": 0, "bytes": 0}}, r
    assert show() == [r]
    flush()


def test_rule_ids_are_assigned():
    flush()
    ids = [json.loads(nlrsctl("-j", "rule", "add")[1])["id"] for _ in range(3)]
    assert len(set(ids)) == 3 and ids == sorted(ids), ids
    assert [r["id"] for r in show()] == ids
    flush()


def test_rule_exists_unless_replace():
    flush()
    nlrsctl("rule", "add", "id", "5", "name", "five", "proto", "tcp")
    rc, _, err = nlrsctl("rule", "add", "id", "5", check=False)
    assert rc == 1 and "EEXIST" in err and "rule exists" in err and "(attribute rule-id)" in err, err
    rc, _, err = nlrsctl("rule", "add", "id", "6", "name", "five", check=False)
    assert rc == 1 and "EEXIST" in err and "used by rule 5" in err, err
    assert "(attribute rule-name)" in err, err
    # Nothing changed.
    assert [(r["id"], r.get("name")) for r in show()] == [(5, "five")]
    out = nlrsctl("rule", "replace", "id", "5", "name", "v", "proto", "udp")[1]
    assert out.strip() == "id 5 name v proto udp packets 0 bytes 0", out
    # Replace by name; adds when nothing has the name.
    nlrsctl("rule", "replace", "name", "v", "proto", "sctp")
    w = json.loads(nlrsctl("-j", "rule", "replace", "name", "w")[1])["id"]
    # The new rule's id is assigned: whichever is free next, after the last
    # one assigned in this namespace.
    assert w != 5 and sorted((r["name"], r["id"], r["match"].get("proto")) for r in show()) == [
        ("v", 5, 132), ("w", w, None)], show()
    flush()


def test_rule_del_missing():
    flush()
    nlrsctl("rule", "add", "id", "1", "name", "one")
    for args, attr in ((["id", "2"], "rule-id"), (["name", "two"], "rule-name")):
        rc, _, err = nlrsctl("rule", "del", *args, check=False)
        assert rc == 1 and "ENOENT" in err and f"(attribute {attr})" in err, err
    # Both given must name the same rule.
    nlrsctl("rule", "add", "id", "2")
    rc, _, err = nlrsctl("rule", "del", "id", "2", "name", "one", check=False)
    assert rc == 1 and "ENOENT" in err and "names rule 1, not rule 2" in err, err
    assert len(show()) == 2
    flush()


def test_rule_del_needs_a_key():
    fid, _ = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        e = expect_error(lambda: genl(s, fid, uapi.GENL_CMD_RULE_DEL), errno.EINVAL,
                         "missing attribute rule_id")
        assert e.miss_type == uapi.GENL_ATTR_RULE_ID, e


def bad_rule(s, fid, *attrs):
    return lambda: genl(s, fid, uapi.GENL_CMD_RULE_NEW, *attrs)


def test_rule_bad_match_is_rejected_with_extack():
    flush()
    fid, _ = nl.resolve("nlrs")
    m = uapi.GENL_ATTR_RULE_MATCH
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        # Offsets: nlmsghdr 16 + genlmsghdr 4, then the nest's header 4.
        e = expect_error(bad_rule(s, fid, nl.nest(
            m, nl.attr(uapi.GENL_RULE_MATCH_SRC4, bytes(4)), nl.attr(uapi.GENL_RULE_MATCH_DST6, bytes(16)))),
            errno.EINVAL, "dst6: address family differs from the source prefix")
        assert e.offset == 20 + 4 + 8, e.offset
        e = expect_error(bad_rule(s, fid, nl.nest(
            m, nl.attr_u8(uapi.GENL_RULE_MATCH_PROTO, 6), nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, 90),
            nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_HI, 80))),
            errno.EINVAL, "dport_hi: lower than dport_lo")
        assert e.offset == 20 + 4 + 8 + 8, e.offset
        expect_error(bad_rule(s, fid, nl.nest(m, nl.attr_u16(uapi.GENL_RULE_MATCH_DPORT_LO, 80))),
                     errno.EINVAL, "dport_lo: needs proto")
        expect_error(bad_rule(s, fid, nl.nest(
            m, nl.attr(uapi.GENL_RULE_MATCH_DST4, bytes([10, 0, 0, 1])),
            nl.attr_u8(uapi.GENL_RULE_MATCH_DST_PLEN, 8))), errno.EINVAL, "dst4: bits set beyond")
        expect_error(bad_rule(s, fid, nl.nest(
            m, nl.attr(uapi.GENL_RULE_MATCH_SRC4, bytes(4)), nl.attr_u8(uapi.GENL_RULE_MATCH_SRC_PLEN, 33))),
            errno.EINVAL, "src_plen: longer than the address")
        # Policy: exact address lengths, prefix lengths up to 128.
        e = expect_error(bad_rule(s, fid, nl.nest(m, nl.attr(uapi.GENL_RULE_MATCH_SRC4, bytes(5)))),
                         errno.ERANGE)
        assert e.offset == 24, e.offset
        expect_error(bad_rule(s, fid, nl.nest(m, nl.attr(uapi.GENL_RULE_MATCH_SRC6, bytes(4)))),
                     errno.ERANGE)
        expect_error(bad_rule(s, fid, nl.nest(m, nl.attr_u8(uapi.GENL_RULE_MATCH_SRC_PLEN, 129))),
                     errno.ERANGE)
        # Counters are the kernel's.
        e = expect_error(bad_rule(s, fid, nl.attr(uapi.GENL_ATTR_RULE_COUNTERS, b"")), errno.EINVAL,
                         "rule_counters is read-only")
        assert e.offset == 20, e.offset
        # A threshold needs both of its attributes; the missing one is named
        # inside its nest.
        e = expect_error(bad_rule(s, fid, nl.nest(
            uapi.GENL_ATTR_RULE_THRESHOLD, nl.attr_u32(uapi.GENL_THRESHOLD_INTERVAL_MS, 1000))),
            errno.EINVAL, "missing attribute packets")
        assert e.miss_type == uapi.GENL_THRESHOLD_PACKETS, e
        for packets, ms in ((0, 1000), (1, 0), (1, uapi.GENL_INTERVAL_MS_MAX + 1)):
            expect_error(bad_rule(s, fid, nl.nest(
                uapi.GENL_ATTR_RULE_THRESHOLD, nl.attr_u64(uapi.GENL_THRESHOLD_PACKETS, packets),
                nl.attr_u32(uapi.GENL_THRESHOLD_INTERVAL_MS, ms))), errno.ERANGE)
        # Names: not empty, at most GENL_RULE_NAME_MAX_LEN bytes; ids from 1.
        expect_error(bad_rule(s, fid, nl.attr_str(uapi.GENL_ATTR_RULE_NAME, "")), errno.EINVAL,
                     "rule_name: must not be empty")
        expect_error(bad_rule(s, fid, nl.attr_str(uapi.GENL_ATTR_RULE_NAME,
                                                  "n" * (uapi.GENL_RULE_NAME_MAX_LEN + 1))),
                     errno.EINVAL)
        expect_error(bad_rule(s, fid, nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 0)), errno.ERANGE)
    # Nothing was added by any of them.
    assert show() == []


def test_rule_cap_is_enospc():
    util.unload()
    util.load("max_rules=3")
    try:
        for i in range(3):
            nlrsctl("rule", "add", "id", str(i + 1))
        rc, _, err = nlrsctl("rule", "add", "id", "9", "name", "over", check=False)
        assert rc == 1 and "ENOSPC" in err and "rule limit reached: 3 rules" in err, err
        assert [r["id"] for r in show()] == [1, 2, 3]
        # Replacing at the cap adds nothing, so it works.
        nlrsctl("rule", "replace", "id", "2", "proto", "udp")
    finally:
        util.unload()
        util.load()


def dump_rules(bufsize, on_part=None):
    """Dumps every rule reading with a bufsize-byte buffer; returns (ids,
    parts, interrupted). on_part(n) runs after part n is read."""
    fid, _ = nl.resolve("nlrs")
    ids, parts, intr = [], 0, False
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        s.send_raw(s.message(fid, nl.NLM_F_REQUEST | nl.NLM_F_DUMP,
                             nl.genl_header(uapi.GENL_CMD_RULE_GET)))
        while True:
            data, _, flags, _ = s.sock.recvmsg(bufsize)
            assert not flags & socket.MSG_TRUNC, f"part {parts} truncated at {bufsize}"
            parts += 1
            assert len(data) <= bufsize
            pos = 0
            while pos < len(data):
                n, ty, mflags, _, _ = struct.unpack_from("=IHHII", data, pos)
                body = data[pos + 16:pos + n]
                pos += nl.align(n)
                if ty == nl.NLMSG_DONE:
                    return ids, parts, intr
                if ty == nl.NLMSG_ERROR:
                    nl.check_error(body)
                assert ty == fid and mflags & nl.NLM_F_MULTI, (ty, mflags)
                intr |= bool(mflags & nl.NLM_F_DUMP_INTR)
                a = nl.parse_attrs(body[4:])
                ids.append(struct.unpack("=I", a[uapi.GENL_ATTR_RULE_ID])[0])
            if on_part:
                on_part(parts)


def test_dump_in_parts_at_both_buffer_sizes():
    flush()
    add_many(1, 1200)
    want = list(range(1, 1201))
    small = dump_rules(4096)
    big = dump_rules(32768)
    for ids, parts, intr in (small, big):
        assert ids == want, (len(ids), len(set(ids)), ids[:3], ids[-3:])
        assert not intr
    # Enough rules for at least three parts at either size, so that a dump
    # resumes more than once; a larger buffer takes fewer, larger parts.
    assert small[1] > big[1] >= 3, (small[1], big[1])
    print(f"1200 rules: {small[1]} parts at 4 KiB, {big[1]} at 32 KiB")
    assert json.loads(nlrsctl("-j", "stats")[1])["rules"] == 1200
    flush()


def test_dump_racing_changes_is_flagged():
    flush()
    add_many(1, 400)

    def change(part):
        if part == 2:
            nlrsctl("rule", "del", "id", "399")
            nlrsctl("rule", "add", "id", "5000")

    ids, parts, intr = dump_rules(4096, change)
    assert intr, f"no NLM_F_DUMP_INTR in {parts} parts"
    # Rules present throughout appear exactly once, in order.
    assert len(ids) == len(set(ids)) and ids == sorted(ids), ids[-5:]
    assert set(range(1, 399)) <= set(ids) and 5000 in ids, ids[-5:]
    # Without changes, the next dump is clean.
    assert dump_rules(4096)[2] is False
    flush()


def test_admin_ops_need_cap_net_admin():
    flush()
    nlrsctl("rule", "add", "id", "1", "name", "root")
    for args in (("rule", "add", "id", "2"), ("rule", "replace", "id", "1"),
                 ("rule", "del", "id", "1"), ("rule", "flush")):
        rc, _, err = as_nobody(*args)
        assert rc == 1 and "EPERM" in err, (args, rc, err)
    # Reading is open to all.
    rc, out, err = as_nobody("-j", "rule", "show")
    assert rc == 0 and [r["id"] for r in json.loads(out)] == [1], (rc, out, err)
    rc, out, err = as_nobody("rule", "show", "name", "root")
    assert rc == 0 and out.startswith("id 1 name root"), (rc, out, err)
    rc, _, err = as_nobody("monitor", "config", "--count", "1", "--timeout", "1")
    assert rc == 3 and "listening on config" in err, (rc, err)
    assert [r["id"] for r in show()] == [1]
    flush()


def test_userns_root_manages_its_own_namespace():
    # The repository's mount is not reachable from a user namespace; run a
    # copy of the tool.
    with tempfile.TemporaryDirectory() as d:
        tool = os.path.join(d, "nlrsctl")
        shutil.copy(NLRSCTL, tool)
        os.chmod(d, 0o755)
        as_userns_root = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                          "unshare", "--user", "--map-root-user"]
        # Root of a new user namespace owns the new network namespace made
        # with it: it may change that namespace's rules (GENL_UNS_ADMIN_PERM)...
        script = f"{tool} rule add name mine >/dev/null && {tool} -j rule show"
        p = subprocess.run(as_userns_root + ["--net", "sh", "-c", script],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert [r.get("name") for r in json.loads(p.stdout)] == ["mine"], p.stdout
        # ...but not the initial namespace's, whose user namespace it is not in.
        p = subprocess.run(as_userns_root + [tool, "rule", "add"],
                           capture_output=True, text=True)
        assert p.returncode == 1 and "EPERM" in p.stderr, (p.returncode, p.stderr)


def test_rules_are_per_namespace():
    flush()
    nlrsctl("rule", "add", "name", "host")
    with util.named_netns("nlrs-a"):
        with util.new_netns("nlrs-a"):
            assert show() == []
            nlrsctl("rule", "add", "name", "guest")
            # More rules, so a namespace freed without them shows in
            # kmemleak.
            add_many(100, 200)
            inner = show()
        assert len(inner) == 201 and inner[0]["name"] == "guest", inner[:2]
        assert [r.get("name") for r in show()] == ["host"]
        rc, _, err = nlrsctl("rule", "show", "name", "guest", check=False)
        assert rc == 1 and "ENOENT" in err
    # The namespace's rules went with it (kmemleak at teardown would report
    # them otherwise); a new namespace of the same name starts empty.
    with util.named_netns("nlrs-a"), util.new_netns("nlrs-a"):
        assert show() == []
    flush()


def test_config_listeners_see_every_change():
    flush()
    mon = subprocess.Popen([NLRSCTL, "-j", "monitor", "config", "--count", "5",
                            "--timeout", "30"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = mon.stderr.readline()
        assert line.startswith("listening on config"), line
        nlrsctl("rule", "add", "id", "3", "name", "c", "proto", "tcp")
        nlrsctl("rule", "replace", "id", "3", "proto", "udp")
        nlrsctl("rule", "add", "id", "4")
        # Refused changes are not notified.
        nlrsctl("rule", "add", "id", "4", check=False)
        nlrsctl("rule", "del", "id", "3")
        nlrsctl("rule", "flush")
        out, err = mon.communicate()
    finally:
        mon.kill()
    assert mon.returncode == 0, (mon.returncode, err)
    events = [json.loads(x) for x in out.splitlines()]
    got = [(e["event"], e.get("rule", {}).get("id"), e.get("count")) for e in events]
    assert got == [("rule-new", 3, None), ("rule-replace", 3, None), ("rule-new", 4, None),
                   ("rule-del", 3, None), ("rule-flush", None, 1)], got
    assert all(e["group"] == "config" for e in events)
    assert events[1]["rule"]["match"] == {"proto": 17}, events[1]


def test_config_notifications_only_to_their_namespace():
    flush()
    fid, groups = nl.resolve("nlrs")
    with nl.Socket(nl.NETLINK_GENERIC) as listener:
        listener.join(groups["config"])
        listener.sock.settimeout(2)
        p = subprocess.run(["unshare", "--net", NLRSCTL, "rule", "add"], capture_output=True)
        assert p.returncode == 0, p.stderr
        try:
            msgs = listener.recv_msgs()
        except TimeoutError:
            msgs = []
        assert msgs == [], msgs


def test_policy_dump_has_rule_policies():
    dump = json.loads(nlrsctl("-j", "policy")[1])
    ops = {o["cmd"]: o for o in dump["ops"]}
    assert "dump" in ops[uapi.GENL_CMD_RULE_GET] and "do" in ops[uapi.GENL_CMD_RULE_GET], ops
    new = dump["policies"][str(ops[uapi.GENL_CMD_RULE_NEW]["do"])]
    assert new[str(uapi.GENL_ATTR_RULE_NAME)] == {
        "type": "nul-string", "max_length": uapi.GENL_RULE_NAME_MAX_LEN}, new
    # Attributes the op does not take are not advertised (the policy dump
    # skips NLA_UNSPEC and NLA_REJECT).
    assert str(uapi.GENL_ATTR_RULE_COUNTERS) not in new, new
    assert new[str(uapi.GENL_ATTR_RULE_MATCH)]["type"] == "nested", new
    assert new[str(uapi.GENL_ATTR_RULE_REPLACE)]["type"] == "flag", new


def test_a_dump_counts_as_one_request():
    flush()
    add_many(1, 300)
    before = json.loads(nlrsctl("-j", "stats")[1])
    ids, parts, _ = dump_rules(4096)
    after = json.loads(nlrsctl("-j", "stats")[1])
    assert len(ids) == 300 and parts > 1, (len(ids), parts)
    # The first STATS_GET and the dump, however many parts it took.
    assert after["requests"] - before["requests"] == 2, (before, after)
    assert after["rules"] == 300
    flush()
