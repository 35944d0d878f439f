#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""In-guest integration tests for nlrs.

Loads nlrs.ko (the module's KUnit suites run then; their KTAP is saved for
the host to check), runs every test_* function of the test modules in
order, unloads the module and checks the kernel log and kmemleak. Prints
TAP to stdout and writes it to $NLRS_OUT/integration.tap.

Usage: runner.py [-k SUBSTRING[,SUBSTRING...]]
"""

import importlib
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import util  # noqa: E402

MODULES = ["test_kernel", "test_genl", "test_rules", "test_hooks", "test_datapath", "test_batch",
           "test_alerts", "test_nfnl", "test_netns", "test_spec", "test_clients", "test_corpus",
           "test_faults", "test_fuzz", "test_perms", "test_limits", "test_races",
           "test_samples",
           "test_module"]


def main():
    only = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[1] == "-k" else None
    out = os.environ["NLRS_OUT"]
    results = []

    def record(name, ok, why=""):
        n = len(results) + 1
        line = f"{'ok' if ok else 'not ok'} {n} - {name}"
        if why:
            line += " # " + why.replace("\n", " | ")
        results.append(line)
        print(line, flush=True)

    util.kmemleak("clear")
    util.sh("dmesg -C")
    try:
        util.load()
        record("setup.insmod", True)
    except Exception as e:  # noqa: BLE001
        record("setup.insmod", False, str(e))
    # Samples append the KTAP of their own insmod (test_samples.py).
    with open(os.path.join(out, "kunit.log"), "w") as f:
        f.write(util.sh("dmesg -t"))

    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in [n for n in vars(mod) if n.startswith("test_")]:
            full = f"{modname[5:]}.{name[5:]}"
            if only and not any(o in full for o in only):
                continue
            start = time.monotonic()
            try:
                util.ensure_loaded()
                getattr(mod, name)()
                record(full, True, f"{time.monotonic() - start:.2f}s")
            except Exception as e:  # noqa: BLE001
                tb = traceback.format_exc().strip().splitlines()
                record(full, False, f"{type(e).__name__}: {e} at {tb[-3].strip() if len(tb) > 2 else ''}")

    # Teardown checks: the module unloads, and the kernel reported nothing.
    try:
        util.unload()
        record("teardown.rmmod", True)
    except Exception as e:  # noqa: BLE001
        record("teardown.rmmod", False, str(e))
    leaks = util.kmemleak_scan()
    record("teardown.kmemleak", not leaks, leaks[:300])
    bad = util.dmesg_reports()
    record("teardown.dmesg_clean", not bad, "; ".join(bad)[:300])

    with open(os.path.join(out, "integration.tap"), "w") as f:
        f.write(f"1..{len(results)}\n" + "\n".join(results) + "\n")
    return 0 if all(r.startswith("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
