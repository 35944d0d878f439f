# SPDX-License-Identifier: GPL-2.0
"""The guest is the debug kernel the tests rely on."""

import os

from util import sh


def test_panic_on_warn_is_set():
    with open("/proc/sys/kernel/panic_on_warn") as f:
        assert f.read().strip() == "1"


def test_debug_features_are_active():
    log = sh("dmesg")
    assert "KernelAddressSanitizer initialized" in log, "KASAN is off"
    assert os.path.exists("/sys/kernel/debug/kmemleak"), "kmemleak is off"
    assert os.path.exists("/proc/lockdep"), "lockdep is off"
    assert os.path.exists("/sys/kernel/debug/failslab"), "failslab is off"
