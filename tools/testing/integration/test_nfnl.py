# SPDX-License-Identifier: GPL-2.0
"""The nfnetlink subsystem: ECHO behind an nfgenmsg header."""

import errno
import json
import socket
import struct

import nl
import uapi
from util import expect_error, nlrsctl


def nf_echo(s, attrs, res_id=0):
    return s.request(nl.nfnl_type(uapi.NFNL_MSG_ECHO),
                     nl.nfgen_header(res_id=res_id) + attrs)


def test_nf_echo_round_trip():
    _, out, _ = nlrsctl("nf", "echo", "over nfnetlink")
    assert out == "over nfnetlink\n", repr(out)


def test_nf_echo_json():
    _, out, _ = nlrsctl("-j", "nf", "echo", "j")
    assert json.loads(out)["msg"] == "j", out


def test_nf_echo_reply_header():
    with nl.Socket(nl.NETLINK_NETFILTER) as s:
        answers = nf_echo(s, nl.attr_str(uapi.NFNL_ATTR_MSG, "hdr"), res_id=0x1234)
    assert len(answers) == 1, answers
    ty, body = answers[0]
    family, version, res_id = struct.unpack_from("=BBH", body)
    assert ty == nl.nfnl_type(uapi.NFNL_MSG_ECHO), hex(ty)
    assert (family, version, socket.ntohs(res_id)) == (socket.AF_UNSPEC, 0, 0x1234)
    assert nl.parse_attrs(body[4:]) == {uapi.NFNL_ATTR_MSG: b"hdr\0"}


def test_nf_echo_oversize_rejected():
    too_long = "z" * (uapi.NFNL_ECHO_MAX_LEN + 1)
    with nl.Socket(nl.NETLINK_NETFILTER) as s:
        e = expect_error(lambda: nf_echo(s, nl.attr_str(uapi.NFNL_ATTR_MSG, too_long)), errno.EINVAL)
    assert e.msg and e.offset == 20, e
    rc, _, err = nlrsctl("nf", "echo", too_long, check=False)
    assert rc == 1 and "EINVAL" in err and "(attribute msg)" in err, err


def test_nf_echo_missing_attribute():
    with nl.Socket(nl.NETLINK_NETFILTER) as s:
        e = expect_error(lambda: nf_echo(s, b""), errno.EINVAL, "missing attribute msg")
    assert e.miss_type == uapi.NFNL_ATTR_MSG


def test_nf_unknown_message_type_rejected():
    with nl.Socket(nl.NETLINK_NETFILTER) as s:
        # RULE_NEW is a batch message: outside a batch nfnetlink refuses
        # it as it does a type the subsystem does not have.
        for msg in (uapi.NFNL_MSG_RULE_NEW, 200):
            expect_error(lambda: s.request(nl.nfnl_type(msg), nl.nfgen_header()), errno.EINVAL)
