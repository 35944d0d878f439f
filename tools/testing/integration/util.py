# SPDX-License-Identifier: GPL-2.0
"""Helpers for the in-guest tests: the module, nlrsctl, the kernel log."""

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import time

ROOT = os.environ["NLRS_ROOT"]
# nlrs.ko and samples/*.ko as built for the running kernel.
MODULES = os.environ["NLRS_MODULES"]
MODULE = os.path.join(MODULES, "nlrs.ko")
NLRSCTL = os.environ.get(
    "NLRSCTL", os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl"))

# What a clean kernel log never holds.
REPORTS = re.compile(r"WARNING:|BUG:|KASAN:|UBSAN:|Oops|general protection|"
                     r"kernel BUG|unreferenced object|possible circular locking|"
                     r"inconsistent lock state|sleeping function called|"
                     r"suspicious RCU usage|Call Trace:")


class Skip(Exception):
    """Raised by a test that cannot run here; reported as KTAP's SKIP."""


def sh(cmd, check=True):
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd!r} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def loaded():
    with open("/proc/modules") as f:
        return any(line.startswith("nlrs ") for line in f)


# KUnit's suite filter (a glob over suite names), read at each module load.
KUNIT_GLOB = "/sys/module/kunit/parameters/filter_glob"
# What KUnit uses when no filter is set: every suite.
KUNIT_ALL = "*.*"
# A glob no suite name matches.
KUNIT_NONE = "none"


def kunit_glob(glob):
    with open(KUNIT_GLOB, "w") as f:
        f.write(glob)


def load(*params, kunit=False, ko=MODULE):
    """insmod nlrs.ko (or ko, another build of it). Its KUnit suites run at
    every load, but only the first load's results are kept (the runner's
    setup, with kunit=True); a test's reload skips them, and the time they
    take under KASAN."""
    if not kunit:
        kunit_glob(KUNIT_NONE)
    try:
        p = subprocess.run(["insmod", ko, *params], capture_output=True, text=True)
    finally:
        if not kunit:
            kunit_glob(KUNIT_ALL)
    if p.returncode != 0:
        raise AssertionError(f"insmod {' '.join(params)}: {p.stderr.strip()}")


def unload():
    if loaded():
        sh("rmmod nlrs")
    assert not loaded(), "nlrs still loaded after rmmod"


def ensure_loaded():
    if not loaded():
        load()


def nlrsctl(*args, check=True):
    """Runs nlrsctl; returns (status, stdout, stderr). No time limit of its
    own: the test's (runner.py) is the one that counts."""
    p = subprocess.run([NLRSCTL, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"nlrsctl {' '.join(args)} -> {p.returncode}: {p.stderr.strip()}")
    return p.returncode, p.stdout, p.stderr


def nlrsctl_in(ns, *args):
    """nlrsctl in network namespace `ns` (made with `ip netns add`); returns
    its output, and raises if it fails."""
    with new_netns(ns):
        return nlrsctl(*args)[1]


def spawn(fn, *args):
    """Runs fn(*args) in a forked child process (no interpreter to start,
    seconds under emulation); returns (pid, pipe) to collect its result
    (an int) from."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            os.write(w, str(fn(*args)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def collect(pid, r):
    with os.fdopen(r) as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and out, (status, out)
    return int(out)


def stop(pid):
    """Kills a child spawn() made and reaps it."""
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def dmesg_since(mark):
    """Kernel log lines after the line count `mark`."""
    return sh("dmesg").splitlines()[mark:]


def dmesg_mark():
    return len(sh("dmesg").splitlines())


KMEMLEAK = "/sys/kernel/debug/kmemleak"


def kmemleak(cmd):
    if os.path.exists(KMEMLEAK):
        with open(KMEMLEAK, "w") as f:
            f.write(cmd)


def kmemleak_scan():
    """Suspected leaks after two scans. kmemleak reports an object that no
    pointer reaches at a scan, whose contents have not changed since the
    scan before, and that was 5 s old when the scan began; so the second
    scan begins at least 6 s after the first (which takes longer than that
    here: no wait)."""
    if not os.path.exists(KMEMLEAK):
        return "kmemleak not available"
    start = time.monotonic()
    kmemleak("scan")
    time.sleep(max(0.0, 6 - (time.monotonic() - start)))
    kmemleak("scan")
    with open(KMEMLEAK) as f:
        return f.read()


# What test_faults.py writes into the kernel log around each sweep of
# injected page allocation failures. A vmalloc() such a failure made fail
# prints warn_alloc()'s report: its first line, then dump_stack()'s, whose
# "Call Trace:" is no kernel report there. Inside a window, a "Call Trace:"
# at most WARN_ALLOC_LINES lines after warn_alloc()'s first line is
# accepted; every other report counts, inside or out.
FAULTS_ARMED, FAULTS_DISARMED = "nlrs-faults: armed", "nlrs-faults: disarmed"
# warn_alloc()'s first line (mm/page_alloc.c): "COMM: page allocation
# failure: order:N, mode:..." or "COMM: vmalloc error: size N, ..., mode:...";
# dump_stack()'s "Call Trace:" comes at most WARN_ALLOC_LINES after it (the
# "CPU: ... PID: ... Comm:" line, "Tainted: ...", the hardware's name).
WARN_ALLOC = re.compile(r"(?:^|\s)(\S+): (page allocation failure|vmalloc error): .*mode:0x")
WARN_ALLOC_LINES = 5


class KernelLog:
    """The kernel log's records from now on (/dev/kmsg, opened at its end)."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    @staticmethod
    def mark(text):
        with open("/dev/kmsg", "w") as f:
            f.write(text + "\n")

    def read(self):
        """The text of each record since the last read."""
        out = []
        while True:
            try:
                rec = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                return out
            except BrokenPipeError:
                # Overwritten before we read them: say so, as a report.
                out.append("BUG: kernel log records lost while reading them")
                continue
            # "prio,seq,usec,flags;text\n" then " KEY=value" lines.
            out.append(rec.partition(";")[2].split("\n")[0])

    def close(self):
        os.close(self.fd)

    def reports(self):
        """The records since the last read that REPORTS matches."""
        return [line for line in self.read() if REPORTS.search(line)]


def dmesg_reports():
    out, armed, header = [], False, None
    for i, line in enumerate(sh("dmesg").splitlines()):
        if FAULTS_ARMED in line:
            armed = True
        elif FAULTS_DISARMED in line:
            armed, header = False, None
        elif armed and WARN_ALLOC.search(line):
            header = i
        elif REPORTS.search(line):
            if (armed and line.endswith("Call Trace:") and header is not None
                    and i - header <= WARN_ALLOC_LINES):
                header = None
                continue
            out.append(line)
    return out


def expect_error(fn, err, msg_part=None):
    """Calls fn, which must raise NetlinkError with errno err; returns it."""
    import nl
    try:
        fn()
    except nl.NetlinkError as e:
        assert e.errno == err, f"errno {e.errno}, wanted {err} ({e})"
        if msg_part is not None:
            assert e.msg and msg_part in e.msg, f"extack {e.msg!r} lacks {msg_part!r}"
        return e
    raise AssertionError(f"no error, wanted errno {err}")


CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def new_netns(name=None):
    """Runs the body in network namespace `name` (one `ip netns add`
    made), or in a new one with loopback up; back in the old one
    afterwards. Sockets made and commands run in the body belong to that
    namespace; a new one ends when its last socket closes."""
    libc = ctypes.CDLL(None, use_errno=True)
    old = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        if name is not None:
            fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns({name})")
            finally:
                os.close(fd)
        elif libc.unshare(CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
        try:
            if name is None:
                sh("ip link set lo up")
            yield
        finally:
            if libc.setns(old, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(old)


@contextlib.contextmanager
def named_netns(*names):
    """Makes network namespaces (ip netns add) with loopback up for the
    body, and deletes them after it."""
    made = []
    try:
        for name in names:
            sh(f"ip netns add {name}")
            made.append(name)
            sh(f"ip -n {name} link set lo up")
        yield
    finally:
        for name in made:
            sh(f"ip netns del {name}", check=False)
