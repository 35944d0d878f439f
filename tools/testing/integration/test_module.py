# SPDX-License-Identifier: GPL-2.0
"""Loading and unloading: the nfnetlink subsystem id parameter, rmmod."""

import errno
import os

import nl
import uapi
from util import MODULE, dmesg_mark, dmesg_since, load, loaded, nlrsctl, sh, unload


def insmod_fails(param, err_text, log_text):
    mark = dmesg_mark()
    try:
        load(param)
    except AssertionError as e:
        assert err_text in str(e), e
    else:
        raise AssertionError(f"insmod {param} succeeded")
    assert not loaded()
    log = "\n".join(dmesg_since(mark))
    assert log_text in log, log
    # Nothing stays registered from the failed load.
    rc, _, err = nlrsctl("family", check=False)
    assert rc == 1 and "not found" in err, err


def test_modinfo_lists_parameters():
    parms = dict(line.split(":", 1) for line in sh(f"modinfo -F parm {MODULE}").splitlines())
    assert sorted(parms) == ["max_rules", "nfnl_subsys"], parms
    assert parms["nfnl_subsys"].endswith("(byte)"), parms
    assert parms["max_rules"].endswith("(uint)"), parms


def test_max_rules_parameter_is_read_only():
    # Set at insmod only: the rule sets' cap cannot change under them.
    mode = os.stat("/sys/module/nlrs/parameters/max_rules").st_mode & 0o777
    assert mode == 0o444, oct(mode)
    with open("/sys/module/nlrs/parameters/max_rules") as f:
        assert f.read().strip() == "65536"


def test_subsys_id_taken_fails_with_ebusy():
    unload()
    # NFNL_SUBSYS_ACCT (7) is nfnetlink_acct's, built into the test kernel.
    insmod_fails("nfnl_subsys=7", "busy", "nfnetlink subsystem id 7 is taken")


def test_subsys_id_out_of_range_fails():
    # Three module loads, two refused: 6 to 8 s here.
    unload()
    insmod_fails(f"nfnl_subsys={uapi.NFNL_SUBSYS_COUNT}", "Invalid", "out of range")
    # NFNL_SUBSYS_NONE: its types 0..15 are netlink control messages.
    insmod_fails("nfnl_subsys=0", "Invalid", f"out of range (1..{uapi.NFNL_SUBSYS_COUNT - 1})")


def test_subsys_id_parameter_moves_the_subsystem():
    unload()
    load("nfnl_subsys=6")
    try:
        _, out, _ = nlrsctl("nf", "echo", "--subsys", "6", "moved")
        assert out == "moved\n", out
        # The default id is free again: nothing answers there.
        with nl.Socket(nl.NETLINK_NETFILTER) as s:
            try:
                s.request(nl.nfnl_type(uapi.NFNL_MSG_ECHO, uapi.NFNL_SUBSYS_ID),
                          nl.nfgen_header() + nl.attr_str(uapi.NFNL_ATTR_MSG, "x"))
            except nl.NetlinkError as e:
                assert e.errno in (errno.EINVAL, errno.EOPNOTSUPP), e
            else:
                raise AssertionError(f"subsystem {uapi.NFNL_SUBSYS_ID} answered")
    finally:
        unload()


def test_rmmod_unregisters_everything():
    nlrsctl("echo", "before")
    unload()
    rc, _, err = nlrsctl("echo", "after", check=False)
    assert rc == 1 and "not found" in err, err
    load()
    nlrsctl("echo", "again")
