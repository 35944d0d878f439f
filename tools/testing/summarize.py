#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads what run-tests.sh left in OUT and prints a line per test, with the
kernel it ran on, a "VERSION: N passed, N failed" line per kernel, and the
closing "N passed, N failed" over all (with "incomplete:" before it when a
guest was cut short). Exit status 1 on any failure.

OUT holds the stages that serve every kernel, and OUT/VERSION those of each
kernel (OUT/kernels lists them): its builds and its guests. KTAP, the KUnit
suites' from the kernel log and the integration runner's, is read with the
kernel's own parser (tools/testing/kunit/kunit_parser.py of $NLRS_KSRC); a
KTAP document it reports an error in fails. A stage that did not run, a
declared KUnit suite that did not report, and a planned test with no result
all count as failures, on each kernel.
"""

import glob
import inspect
import io
import os
import re
import sys

import ksrc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def kunit_parser():
    """The kernel's KTAP parser, from the unpacked kernel source."""
    sys.path.insert(0, ksrc.kunit())
    import kunit_parser
    return kunit_parser


def parse_ktap(parser, text, log):
    """(top-level Test, parse errors) of one KTAP document; the parser's
    own report goes to `log`."""
    import kunit_printer
    buf = io.StringIO()
    if len(inspect.signature(parser.parse_run_tests).parameters) > 1:
        test = parser.parse_run_tests(text.splitlines(), kunit_printer.Printer(buf))
    else:
        saved = kunit_printer.stdout._output
        kunit_printer.stdout._output = buf
        try:
            test = parser.parse_run_tests(text.splitlines())
        finally:
            kunit_printer.stdout._output = saved
    log.write(buf.getvalue())
    # The parser counts its errors (subtests' included) and prints each as
    # "[ERROR] ..."; the count decides, the lines say what they were.
    if not test.counts.errors:
        return test, []
    return test, (re.findall(r"\[ERROR\].*", buf.getvalue())
                  or [f"{test.counts.errors} KTAP parse errors"])


def ktap_documents(text):
    """The KTAP documents in a kernel log: each module's load prints one,
    from an unindented "KTAP version" line with its own plan."""
    docs = []
    for line in text.splitlines():
        if re.match(r"KTAP version \d+$", line):
            docs.append([])
        if docs:
            docs[-1].append(line)
    return ["\n".join(d) + "\n" for d in docs]


def declared_suites():
    """KUnit suite names declared in the module and sample sources."""
    names = set()
    paths = glob.glob(os.path.join(ROOT, "src", "**", "*.rs"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "samples", "**", "*.rs"), recursive=True)
    for path in paths:
        # Skip comments, where examples live.
        text = "\n".join(line for line in (read(path) or "").splitlines()
                         if not line.lstrip().startswith("//"))
        names.update(re.findall(r'kunit_suite!\(\s*\w+\s*,\s*"([^"]+)"', text))
    return sorted(names)


def ok(parser, test):
    return test.status in (parser.TestStatus.SUCCESS, parser.TestStatus.SKIPPED)


class Summary:
    def __init__(self):
        self.results = []  # (kernel or None, group, name, ok, note)
        self.incomplete = []
        self.kernel = None  # what add() files results under

    def add(self, group, name, passed, note=""):
        self.results.append((self.kernel, group, name, passed, note))

    def counts(self, kernel=...):
        """(passed, failed), of one kernel's results or of all."""
        mine = [r[3] for r in self.results if kernel is ... or r[0] == kernel]
        return sum(mine), len(mine) - sum(mine)


def stages(out, s, builds):
    """The stages OUT/stages lists; `builds` are those whose log must hold
    no warning either."""
    names = (read(os.path.join(out, "stages")) or "").split()
    for stage in names:
        status = (read(os.path.join(out, stage + ".status")) or "").strip()
        s.add("build", stage, status == "ok", status or "did not run")
        if stage == "host-test":
            host_tests(out, s)
    for stage in builds:
        log = read(os.path.join(out, stage + ".log")) or ""
        warnings = [line for line in log.splitlines()
                    if re.search(r"\bwarning\b|WARNING:", line, re.I)]
        s.add("build", stage + " without warnings", not warnings, "; ".join(warnings[:3]))


def host_tests(out, s):
    log = read(os.path.join(out, "host-test.log"))
    if log is None:
        s.add("host", "cargo test", False, "did not run")
        return
    tests = re.findall(r"^test (\S+) \.\.\. (ok|FAILED|ignored)$", log, re.M)
    for name, res in tests:
        if res != "ignored":
            s.add("host", name, res == "ok")
    if not tests or (read(os.path.join(out, "host-test.status")) or "").strip() != "ok":
        s.add("host", "cargo test", False, "no tests ran or cargo failed")


def kunit(parser, guests, full, s, log):
    """Each suite counts once; a case passes if it passed in every guest
    that ran it (each guest loads the module, so each runs its suites)."""
    cases, suites, seen = {}, {}, False
    for g in guests:
        text = read(os.path.join(g, "kunit.log"))
        if text is None:
            continue
        seen = True
        for doc in ktap_documents(text):
            log.write(f"--- KUnit KTAP from {g}\n")
            top, errors = parse_ktap(parser, doc, log)
            if errors:
                s.add("kunit", f"KTAP of {os.path.basename(g)}", False, "; ".join(errors[:3]))
            for suite in top.subtests:
                suites[suite.name] = suites.get(suite.name, True) and ok(parser, suite)
                for case in suite.subtests:
                    key = f"{suite.name}.{case.name}"
                    cases[key] = cases.get(key, True) and ok(parser, case)
    if not seen:
        s.add("kunit", "KTAP log", False, "no guest loaded the module")
        return
    want = declared_suites() if full else sorted(suites)
    for suite in want:
        if suite not in suites:
            s.add("kunit", suite, False, "suite did not run")
            continue
        mine = {k: v for k, v in cases.items() if k.startswith(suite + ".")}
        for key, passed in mine.items():
            s.add("kunit", key, passed)
        if not mine or not suites[suite] and all(mine.values()):
            s.add("kunit", suite, suites[suite] and bool(mine), "suite result")


def integration(parser, guests, s, log):
    for g in guests:
        gname = os.path.basename(g)
        plan = (read(os.path.join(g, "plan")) or "").split()
        text = read(os.path.join(g, "integration.ktap"))
        killed = (read(os.path.join(g, "killed")) or "").strip()
        if text is None:
            why = killed or "the guest did not start the tests"
            console = read(os.path.join(g, "console.log"))
            if console:
                why += ": " + " | ".join(console.strip().splitlines()[-3:])
            s.add("integration", f"{gname}: runner", False, why)
            s.incomplete.append(f"{s.kernel}/{gname}")
            for name in plan:
                s.add("integration", name, False, "did not run")
            continue
        log.write(f"--- integration KTAP from {g}\n")
        top, errors = parse_ktap(parser, text, log)
        done = text.rstrip().endswith("# done")
        results = {t.name: t for t in top.subtests if t.name}
        for t in top.subtests:
            if not t.name:
                continue
            name = t.name if t.name in plan else f"{gname}: {t.name}"
            note = ""
            if not ok(parser, t):
                why = [line[2:] for line in t.log if line.startswith("# ")]
                note = why[-1] if why else ""
            s.add("integration", name, ok(parser, t), note)
        if not done:
            running = re.findall(r"^# running (\S+)", text, re.M)
            hung = running[-1] if running and running[-1] not in results else None
            s.incomplete.append(f"{s.kernel}/{gname}")
            s.add("integration", f"{gname}: runner", False,
                  (killed or "the guest stopped before the end")
                  + (f", while {hung} ran" if hung else ""))
            for name in plan:
                if name not in results:
                    s.add("integration", name, False,
                          "hung: the guest was killed while it ran" if name == hung
                          else "did not run")
        elif errors:
            s.add("integration", f"{gname}: KTAP", False, "; ".join(errors[:3]))


def kernel(out, parser, s, log):
    """The stages and the guests of one kernel, in OUT/VERSION."""
    if not os.path.isdir(out):
        s.add("build", "stages", False, "did not run")
        return
    stages(out, s, ["module", "oot-module"])
    guests = [g.rstrip("/") for g in sorted(glob.glob(os.path.join(out, "guest-*/")))]
    built = (read(os.path.join(out, "module.status")) or "").strip() == "ok"
    if built and not guests:
        s.add("integration", "plan", False,
              (read(os.path.join(out, "plan.log")) or "no guest ran").strip())
    elif guests and parser is None:
        s.add("kunit", "KTAP parser", False, "no kunit_parser.py in $NLRS_KSRC")
    elif guests:
        # With T=, only the suites that ran are expected.
        full = read(os.path.join(os.path.dirname(out), "only")) is None
        kunit(parser, guests, full, s, log)
        integration(parser, guests, s, log)


def main(out):
    s = Summary()
    stages(out, s, ["tool", "ynl-c"])
    kernels = (read(os.path.join(out, "kernels")) or "").split()
    try:
        parser = kunit_parser()
    except (SystemExit, ImportError):
        parser = None
    with open(os.path.join(out, "ktap-parse.log"), "w") as log:
        for k in kernels:
            s.kernel = k
            log.write(f"=== {k}\n")
            kernel(os.path.join(out, k), parser, s, log)

    for k, group, name, good, note in s.results:
        print(f"{'PASS' if good else 'FAIL'} {k + ' ' if k else ''}{group}: {name}"
              + (f"  ({note})" if note and not good else ""))
    if s.incomplete:
        print(f"cut short: {', '.join(s.incomplete)} did not finish; "
              "the tests it did not run count as failed")
    for k in kernels:
        print("{}: {} passed, {} failed".format(k, *s.counts(k)))
    passed, failed = s.counts()
    prefix = "incomplete: " if s.incomplete else ""
    print(f"{prefix}{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
