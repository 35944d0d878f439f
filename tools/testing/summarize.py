#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads the logs run-tests.sh left and prints one line per test and the
closing "N passed, N failed". A stage that did not run or a KUnit suite that
did not report counts as a failure. Exit status 1 on any failure."""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def declared_suites():
    """KUnit suite names declared in the module and sample sources."""
    names = set()
    paths = glob.glob(os.path.join(ROOT, "src", "**", "*.rs"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "samples", "**", "*.rs"), recursive=True)
    for path in paths:
        # Skip comments, where examples live.
        text = "\n".join(l for l in (read(path) or "").splitlines() if not l.lstrip().startswith("//"))
        names.update(re.findall(r'kunit_suite!\(\s*\w+\s*,\s*"([^"]+)"', text))
    return sorted(names)


def main(out):
    results = []  # (stage, name, ok, note)

    for stage in ("kernel", "module", "tool", "fmt-check", "unsafe-audit", "spec-check",
                  "htmldocs", "rustdoc", "install-check"):
        status = (read(os.path.join(out, stage + ".status")) or "").strip()
        results.append(("build", stage, status == "ok", status or "did not run"))
    # The module and the tool build without a single warning.
    for stage in ("module", "tool"):
        log = read(os.path.join(out, stage + ".log")) or ""
        warnings = [l for l in log.splitlines() if re.search(r"\bwarning\b|WARNING:", l, re.I)]
        results.append(("build", stage + " without warnings", not warnings, "; ".join(warnings[:3])))

    # Host unit tests (cargo test).
    log = read(os.path.join(out, "host-test.log"))
    if log is None:
        results.append(("host", "cargo test", False, "did not run"))
    else:
        tests = re.findall(r"^test (\S+) \.\.\. (ok|FAILED|ignored)$", log, re.M)
        for name, res in tests:
            if res != "ignored":
                results.append(("host", name, res == "ok", ""))
        if not tests or (read(os.path.join(out, "host-test.status")) or "").strip() != "ok":
            results.append(("host", "cargo test", False, "no tests ran or cargo failed"))

    # KUnit: KTAP from the guest's kernel log, at the module's insmod.
    ktap = read(os.path.join(out, "guest", "kunit.log"))
    suites = declared_suites()
    if ktap is None:
        results.append(("kunit", "KTAP log", False, "the guest did not run"))
    else:
        for suite in suites:
            m = re.search(r"# Subtest: %s\n(.*?)\n\s*(not ok|ok) \d+ %s\b" % (re.escape(suite), re.escape(suite)),
                          ktap, re.S)
            if not m:
                results.append(("kunit", suite, False, "suite did not run"))
                continue
            cases = re.findall(r"^\s+(not ok|ok) \d+ (\w+)", m.group(1), re.M)
            for res, case in cases:
                results.append(("kunit", f"{suite}.{case}", res == "ok", ""))
            if not cases or m.group(2) != "ok" and all(r == "ok" for r, _ in cases):
                results.append(("kunit", suite, m.group(2) == "ok" and bool(cases), "suite result"))

    # Integration tests: TAP from the guest.
    tap = read(os.path.join(out, "guest", "integration.tap"))
    if tap is None:
        why = "the guest did not finish"
        console = read(os.path.join(out, "guest", "console.log"))
        if console:
            why += ": " + " | ".join(console.strip().splitlines()[-3:])
        results.append(("integration", "runner", False, why))
    else:
        planned = re.search(r"^1\.\.(\d+)", tap, re.M)
        lines = re.findall(r"^(not ok|ok) \d+ - (\S+)(?: # (.*))?$", tap, re.M)
        for res, name, note in lines:
            results.append(("integration", name, res == "ok", note if res != "ok" else ""))
        if not planned or int(planned.group(1)) != len(lines):
            results.append(("integration", "plan", False, "TAP plan does not match"))

    passed = sum(1 for r in results if r[2])
    failed = len(results) - passed
    for stage, name, ok, note in results:
        print(f"{'PASS' if ok else 'FAIL'} {stage}: {name}" + (f"  ({note})" if note and not ok else ""))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
