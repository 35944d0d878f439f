# SPDX-License-Identifier: GPL-2.0
"""The samples: each loads, runs its KUnit suite, answers, and unloads."""

import errno
import os
import struct

import nl
from util import ROOT, expect_error, sh

ECHO_KO = os.path.join(ROOT, "samples/rust_genl_echo.ko")
DOC_EXMPL_C_ECHO = 1
DOC_EXMPL_A_MSG = 1


def load_sample(path):
    """insmod a sample; its KTAP goes to kunit.log with the module's."""
    mark = len(sh("dmesg -t").splitlines())
    sh(f"insmod {path}")
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
