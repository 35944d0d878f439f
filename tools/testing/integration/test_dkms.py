# SPDX-License-Identifier: GPL-2.0
"""nlrs.ko as DKMS builds it from dkms.conf (the dkms stage of make test,
tools/testing/check-dkms.sh, leaves it in out/X.Y/dkms): it loads in place
of the normal build, its family and subsystem answer, and it unloads; the
normal module is loaded again after."""

import os

import nl
import uapi
from util import MODULES, Skip, load, loaded, nlrsctl, unload

KO = os.path.join(MODULES, "dkms/nlrs.ko")


def test_dkms_module_loads_and_answers():
    if not os.path.exists(KO):
        raise Skip(f"no {KO}: the dkms stage did not run (make test T= runs it "
                   "only when the selection names dkms)")
    unload()
    try:
        load(ko=KO)
        assert loaded()
        # The generic netlink family resolves and answers; so does the
        # nfnetlink subsystem.
        fid, groups = nl.resolve("nlrs")
        assert fid > 0 and "alerts" in groups, (fid, groups)
        _, out, _ = nlrsctl("echo", "dkms")
        assert out == "dkms\n", out
        _, out, _ = nlrsctl("nf", "echo", "--subsys", str(uapi.NFNL_SUBSYS_ID), "dkms")
        assert out == "dkms\n", out
        unload()
    finally:
        unload()
        load()
