# SPDX-License-Identifier: GPL-2.0
"""A module outside the tree on the layer (tools/testing/oot/rnl_kv.rs):
built from a temporary directory against src/netlink/netlink.mk alone (the
oot-module stage of make test), it loads, answers, keeps its state per
namespace, checks permissions and policy, notifies, and unloads."""

import errno
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import nl
from util import MODULES, expect_error, new_netns, sh

KO = os.path.join(MODULES, "oot/rnl_kv.ko")
CMD_SET, CMD_GET, CMD_CLEAR, CMD_CHANGED = 1, 2, 3, 4
ATTR_KEY, ATTR_VALUE, ATTR_COUNT = 1, 2, 3
HERE = os.path.dirname(os.path.abspath(__file__))
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"]


def u32(attrs, ty):
    return struct.unpack("=I", attrs[ty])[0]


def kv_set(s, fid, key, value):
    return s.request(fid, nl.genl_header(CMD_SET) + nl.attr_u32(ATTR_KEY, key)
                     + nl.attr_u32(ATTR_VALUE, value))


def kv_get(s, fid, key):
    answers = s.request(fid, nl.genl_header(CMD_GET) + nl.attr_u32(ATTR_KEY, key))
    assert len(answers) == 1, answers
    attrs = nl.parse_attrs(answers[0][1][4:])
    return u32(attrs, ATTR_KEY), u32(attrs, ATTR_VALUE)


def kv_list(s, fid):
    answers = s.request(fid, nl.genl_header(CMD_GET),
                        flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_DUMP)
    pairs = []
    for _, body in answers:
        attrs = nl.parse_attrs(body[4:])
        pairs.append((u32(attrs, ATTR_KEY), u32(attrs, ATTR_VALUE)))
    return pairs


def clear_as_nobody(fid):
    """The errno of CLEAR sent by nobody, without capabilities (0 if it
    succeeded). nl.py is copied: nobody cannot read the repository's
    mount."""
    with tempfile.TemporaryDirectory() as d:
        for f in ("nl.py", "uapi.py"):
            shutil.copy(os.path.join(HERE, f), d)
        os.chmod(d, 0o755)
        p = subprocess.run(NOBODY + [sys.executable, "-c", f"""
import sys; sys.path.insert(0, {d!r})
import nl
with nl.Socket(nl.NETLINK_GENERIC) as s:
    try:
        s.request({fid}, nl.genl_header({CMD_CLEAR}))
    except nl.NetlinkError as e:
        print(e.errno)
    else:
        print(0)
"""], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return int(p.stdout)


def test_out_of_tree_module():
    assert os.path.exists(KO), f"{KO} was not built (see the oot-module stage)"
    sh(f"insmod {KO}")
    try:
        fid, groups = nl.resolve("rnl_kv")
        assert set(groups) == {"changes"}, groups
        with nl.Socket(nl.NETLINK_GENERIC) as s, nl.Socket(nl.NETLINK_GENERIC) as ntf:
            ntf.join(groups["changes"])
            kv_set(s, fid, 7, 70)
            kv_set(s, fid, 8, 80)
            kv_set(s, fid, 7, 71)
            assert kv_get(s, fid, 7) == (7, 71)
            assert kv_list(s, fid) == [(7, 71), (8, 80)]
            seen = []
            while len(seen) < 3:
                for _, _, _, body in ntf.recv_msgs():
                    assert body[0] == CMD_CHANGED, body
                    a = nl.parse_attrs(body[4:])
                    seen.append((u32(a, ATTR_KEY), u32(a, ATTR_VALUE)))
            assert seen == [(7, 70), (8, 80), (7, 71)], seen

            # Policy and handler errors name the attribute; nothing changes.
            e = expect_error(lambda: s.request(fid, nl.genl_header(CMD_SET)
                                               + nl.attr_u32(ATTR_KEY, 9)),
                             errno.EINVAL, "missing attribute")
            assert e.miss_type == ATTR_VALUE, e
            expect_error(lambda: s.request(fid, nl.genl_header(CMD_SET)
                                           + nl.attr(ATTR_KEY, b"\1\0")
                                           + nl.attr_u32(ATTR_VALUE, 1)),
                         errno.EINVAL)
            expect_error(lambda: kv_get(s, fid, 9), errno.ENOENT, "no such key")
            assert kv_list(s, fid) == [(7, 71), (8, 80)]

            # Per namespace: a new one starts empty and changes only itself.
            with new_netns():
                with nl.Socket(nl.NETLINK_GENERIC) as s2:
                    assert kv_list(s2, fid) == []
                    kv_set(s2, fid, 1, 10)
                    assert kv_list(s2, fid) == [(1, 10)]
            assert kv_list(s, fid) == [(7, 71), (8, 80)]

            # CLEAR is for CAP_NET_ADMIN only.
            assert clear_as_nobody(fid) == errno.EPERM
            assert kv_list(s, fid) == [(7, 71), (8, 80)]
            answers = s.request(fid, nl.genl_header(CMD_CLEAR))
            assert u32(nl.parse_attrs(answers[0][1][4:]), ATTR_COUNT) == 2
            assert kv_list(s, fid) == []
    finally:
        sh("rmmod rnl_kv")
    expect_error(lambda: nl.resolve("rnl_kv"), errno.ENOENT)
