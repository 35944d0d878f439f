# SPDX-License-Identifier: GPL-2.0
"""The guest is the debug kernel the tests rely on."""

import os


def test_panic_on_warn_is_set():
    with open("/proc/sys/kernel/panic_on_warn") as f:
        assert f.read().strip() == "1"


def test_debug_features_are_active():
    # The runner clears the kernel log before the tests; look at symbols
    # (up to the one wanted: the kernel makes the list as it is read).
    with open("/proc/kallsyms") as f:
        assert any(line.split()[2] == "kasan_report" for line in f), "KASAN is off"
    assert os.path.exists("/sys/kernel/debug/kmemleak"), "kmemleak is off"
    assert os.path.exists("/proc/lockdep"), "lockdep is off"
    assert os.path.exists("/sys/kernel/debug/failslab"), "failslab is off"
