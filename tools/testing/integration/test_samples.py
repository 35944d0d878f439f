# SPDX-License-Identifier: GPL-2.0
"""The samples: each loads, runs its KUnit suite, answers, and unloads."""

import errno
import os
import socket
import struct

import colo
import nl
import uapi
from util import MODULES, expect_error, new_netns, nlrsctl, sh

ECHO_KO = os.path.join(MODULES, "samples/rust_genl_echo.ko")
COLO_KO = os.path.join(MODULES, "samples/rust_nfnl_colo.ko")
TWIN_KO = os.path.join(MODULES, "samples/c_genl_twin.ko")
DOC_EXMPL_C_ECHO = 1
DOC_EXMPL_A_MSG = 1


def load_sample(path, *params):
    """insmod a sample; its KTAP goes to kunit.log with the module's."""
    mark = len(sh("dmesg -t").splitlines())
    sh(f"insmod {path} {' '.join(params)}")
    with open(os.path.join(os.environ["NLRS_OUT"], "kunit.log"), "a") as f:
        f.write("\n".join(sh("dmesg -t").splitlines()[mark:]) + "\n")


def test_rust_genl_echo():
    load_sample(ECHO_KO)
    try:
        fid, groups = nl.resolve("CONTROL_EXMPL")
        assert groups == {}, groups
        with nl.Socket(nl.NETLINK_GENERIC) as s:
            answers = s.request(fid, nl.genl_header(DOC_EXMPL_C_ECHO)
                                + nl.attr_str(DOC_EXMPL_A_MSG, "how-to"))
            assert len(answers) == 1, answers
            body = answers[0][1]
            assert struct.unpack_from("=B", body)[0] == DOC_EXMPL_C_ECHO
            assert nl.parse_attrs(body[4:]) == {DOC_EXMPL_A_MSG: b"how-to\0"}
            expect_error(lambda: s.request(fid, nl.genl_header(DOC_EXMPL_C_ECHO)
                                           + nl.attr(DOC_EXMPL_A_MSG, b"no nul")),
                         errno.EINVAL, "policy")
            e = expect_error(lambda: s.request(fid, nl.genl_header(DOC_EXMPL_C_ECHO)),
                             errno.EINVAL, "missing attribute msg")
            assert e.miss_type == DOC_EXMPL_A_MSG
        assert "rust_genl_echo: received: how-to" in sh("dmesg")
    finally:
        sh("rmmod rust_genl_echo")
    try:
        nl.resolve("CONTROL_EXMPL")
    except nl.NetlinkError as e:
        assert e.errno == errno.ENOENT, e
    else:
        raise AssertionError("family still registered after rmmod")


def output(count, port=9500):
    """Sends `count` UDP datagrams over loopback to a bound socket (so no
    ICMP error adds output): `count` packets at LOCAL_OUT."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        rx.bind(("127.0.0.1", port))
        for _ in range(count):
            tx.sendto(b"x" * 32, ("127.0.0.1", port))


def test_rust_nfnl_colo():
    """The COLO requests, their errors, and KERNEL_NOTIFY: exactly one per
    checkpoint cycle, only to the peer, only while primary."""
    load_sample(COLO_KO, "checkpoint_packets=10")
    try:
        with new_netns(), colo.Peer() as a, colo.Peer() as b:
            e = expect_error(a.checkpoint, errno.ENOTCONN, "not the COLO peer")
            e = expect_error(lambda: a.send_request(colo.PROXY_INIT), errno.EINVAL,
                             "missing attribute mode")
            assert e.miss_type == colo.NFNL_COLO_MODE, e.miss_type
            expect_error(lambda: a.proxy_init(3), errno.ERANGE)
            a.proxy_init("primary")
            # Refused, it changes nothing: a's hooks stay on.
            expect_error(lambda: b.proxy_init("secondary"), errno.EBUSY,
                         "another socket is the COLO peer")
            expect_error(a.failover, errno.EINVAL, "only a secondary can fail over")
            output(9)
            assert a.notifications(0.5) == []
            output(1)
            assert a.notifications(0.5) == [1]
            # One notification per cycle, however much more goes out.
            output(25)
            assert a.notifications(0.5) == []
            a.checkpoint()
            output(10)
            assert a.notifications(0.5) == [1]
            assert b.notifications(0.1) == []
            # A secondary's output is not watched until it fails over.
            a.proxy_init("secondary")
            output(20)
            assert a.notifications(0.5) == []
            a.failover()
            output(10)
            assert a.notifications(0.5) == [1]
            a.proxy_reset()
            output(20)
            assert a.notifications(0.5) == []
            expect_error(a.checkpoint, errno.ENOTCONN)
            # A peer whose socket closes is forgotten.
            a.proxy_init("primary")
            a.close()
            b.proxy_init("primary")
            output(10)
            assert b.notifications(0.5) == [1]
    finally:
        sh("rmmod rust_nfnl_colo")
    # The subsystem is gone: nothing accepts PROXY_INIT any more.
    with colo.Peer() as p:
        expect_error(lambda: p.proxy_init("primary"), errno.EINVAL)


def dump_bodies(fid):
    with nl.Socket(nl.NETLINK_GENERIC) as s:
        return [body for _, body in s.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_GET),
                                               flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)]


def test_c_genl_twin_answers_as_nlrs_does():
    """The benchmarks' C twin: the same ECHO and, byte for byte, the same
    rule dump as nlrs for the same rules."""
    nlrsctl("rule", "flush")
    for i in (1, 2, 3):
        nlrsctl("rule", "add", "id", str(i), "name", f"r{i}", "proto", "udp", "dport", str(i))
    sh(f"insmod {TWIN_KO} rules=3")
    try:
        nlrs, _ = nl.resolve("nlrs")
        twin, groups = nl.resolve("nlrs_c")
        assert list(groups) == ["events"], groups
        assert dump_bodies(twin) == dump_bodies(nlrs)
        msg = nl.genl_header(uapi.GENL_CMD_ECHO) + nl.attr_str(uapi.GENL_ATTR_MSG, "twin")
        # Each replies with the request's own header and attribute.
        with nl.Socket(nl.NETLINK_GENERIC) as s:
            assert s.request(twin, msg) == [(twin, msg)]
            assert s.request(nlrs, msg) == [(nlrs, msg)]
    finally:
        sh("rmmod c_genl_twin")
        nlrsctl("rule", "flush")
