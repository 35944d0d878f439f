#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""In-guest integration tests for nlrs.

Loads nlrs.ko (the module's KUnit suites run then; their KTAP is saved for
the host to check), runs the tests of a plan in its order, unloads the
module and checks the kernel log and kmemleak.

Each test runs in a child process of its own, in a process group of its own,
under the time limit catalog.limit() gives it; a test that outlives it is
killed with everything it started and reported as hung, and whatever a test
left running when it returned is killed too. Results are KTAP
version 1, printed and written to $NLRS_OUT/integration.ktap line by line
(each synced to the host), so that if the whole guest is killed, what
finished is still there and a "# running NAME" line says what had not.

Usage: runner.py [PLAN]   PLAN: a file of test names, one a line (default:
                          every test, in catalog order)
"""

import faulthandler
import gc
import importlib
import json
import os
import signal
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import catalog  # noqa: E402
import util  # noqa: E402

SETUP = ["setup.insmod"]
TEARDOWN = ["teardown.rmmod", "teardown.kmemleak", "teardown.dmesg_clean"]
# How long a killed test's process group may take to go.
REAP_SECONDS = 30


class Ktap:
    """A KTAP version 1 document, on stdout and in a file, flushed and
    synced a line at a time."""

    def __init__(self, path, planned):
        self.f = open(path, "w")
        self.n = 0
        self.failed = 0
        self.write("KTAP version 1")
        self.write(f"1..{planned}")

    def write(self, line):
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()
        os.fsync(self.f.fileno())

    def diag(self, text):
        for line in text.rstrip("\n").splitlines():
            self.write("# " + line if line else "#")

    def result(self, name, ok, skip=None):
        self.n += 1
        self.failed += not ok and skip is None
        line = f"{'ok' if ok or skip else 'not ok'} {self.n} {name}"
        self.write(line + (f" # SKIP {skip}" if skip is not None else ""))


def child(mod, fn, result_path):
    """The test's own process: runs it and writes its outcome. SIGUSR1
    prints its Python stack to its output (see run_test)."""
    os.setpgid(0, 0)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    outcome = {"status": "fail"}
    try:
        util.ensure_loaded()
        getattr(mod, fn)()
        outcome = {"status": "ok"}
    except util.Skip as e:
        outcome = {"status": "skip", "why": str(e)}
    except BaseException as e:  # noqa: BLE001
        outcome = {"status": "fail", "why": f"{type(e).__name__}: {e}",
                   "trace": traceback.format_exc()}
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        with open(result_path, "w") as f:
            json.dump(outcome, f)
        os._exit(0)


def run_test(name, limit):
    """Runs one test in a child; returns (outcome, its output, seconds)."""
    modname, fn = catalog.function(name)
    mod = importlib.import_module(modname)
    with tempfile.TemporaryDirectory() as d:
        result_path = os.path.join(d, "result")
        out_path = os.path.join(d, "output")
        start = time.monotonic()
        with open(out_path, "w") as out:
            pid = os.fork()
            if pid == 0:
                os.dup2(out.fileno(), 1)
                os.dup2(out.fileno(), 2)
                child(mod, fn, result_path)
        deadline = start + limit
        status = None
        while status is None and time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                status = None
                time.sleep(0.05)
        took = time.monotonic() - start
        if status is None:
            # Where it hangs, before it goes.
            os.kill(pid, signal.SIGUSR1)
            time.sleep(1)
        # Whatever the test started ends with it.
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if status is None:
            outcome = {"status": "fail",
                       "why": f"timed out: still running after its limit of {limit} s"}
            reap = time.monotonic() + REAP_SECONDS
            while time.monotonic() < reap and not os.waitpid(pid, os.WNOHANG)[0]:
                time.sleep(0.1)
        else:
            try:
                with open(result_path) as f:
                    outcome = json.load(f)
            except (OSError, ValueError):
                outcome = {"status": "fail", "why": f"the test's process died (status {status})"}
        with open(out_path, errors="replace") as f:
            output = f.read()
    return outcome, output, took


def step(ktap, name, fn):
    """A setup or teardown step, run in the runner itself."""
    start = time.monotonic()
    try:
        why = fn()
    except Exception as e:  # noqa: BLE001
        why = f"{type(e).__name__}: {e}"
    ktap.write(f"# duration {name} {time.monotonic() - start:.2f} s")
    if why:
        ktap.diag(why)
    ktap.result(name, not why)


def setup(out):
    util.kmemleak("clear")
    util.sh("dmesg -C")
    try:
        util.load(kunit=True)
    finally:
        # The KTAP of the module's KUnit suites, printed as it loaded.
        # Samples append theirs (test_samples.py).
        with open(os.path.join(out, "kunit.log"), "w") as f:
            f.write(util.sh("dmesg -t"))


def main():
    out = os.environ["NLRS_OUT"]
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        names = catalog.tests()
    known = catalog.durations()
    # Import every test module up front: once, and before any fork.
    for modname in {catalog.function(n)[0] for n in names}:
        importlib.import_module(modname)
    # The tests' children share those modules' pages with the runner until
    # they write to them; keep the garbage collector from walking (and so
    # copying) all of them in each child.
    gc.freeze()

    ktap = Ktap(os.path.join(out, "integration.ktap"), len(SETUP) + len(names) + len(TEARDOWN))
    with open("/proc/uptime") as f:
        ktap.write(f"# guest up {f.read().split()[0]} s: booted, tests imported")
    step(ktap, "setup.insmod", lambda: setup(out))
    for name in names:
        limit = catalog.limit(name, known)
        ktap.write(f"# running {name} (limit {limit} s)")
        outcome, output, took = run_test(name, limit)
        ktap.diag(output)
        ktap.write(f"# duration {name} {took:.2f} s")
        if outcome["status"] == "fail":
            ktap.diag(outcome.get("trace") or outcome["why"])
        if outcome.get("why", "").startswith("timed out"):
            # A killed test restored nothing: start the next one from a
            # fresh load of the module rather than from what it left.
            try:
                util.kunit_glob(util.KUNIT_ALL)
                util.unload()
            except (OSError, AssertionError) as e:
                ktap.diag(f"after the timeout: {e}")
        ktap.result(name, outcome["status"] == "ok",
                    outcome.get("why", "") if outcome["status"] == "skip" else None)

    step(ktap, "teardown.rmmod", lambda: util.unload())
    step(ktap, "teardown.kmemleak", lambda: util.kmemleak_scan()[:2000])
    step(ktap, "teardown.dmesg_clean", lambda: "\n".join(util.dmesg_reports())[:2000])
    ktap.write("# done")
    return 1 if ktap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
