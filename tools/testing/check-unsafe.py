#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Audits `unsafe` in the module's Rust sources: outside src/netlink/ there
must be none (the kunit_suite! expansion lives in the layer's macro, not in
the caller's text), and inside every `unsafe` block, `unsafe impl` and
`unsafe fn` call site must carry a `// SAFETY:` comment on a line above it
(within the statement that holds it). `unsafe fn` and `unsafe extern "C" fn`
declarations need a `# Safety` section instead, which rustdoc and reviewers
check. Prints the counts; exits 1 on any finding."""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = ("bindings_generated.rs",)


def code_lines(path):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            yield n, line.rstrip("\n")


def main():
    findings, inside = [], 0
    paths = glob.glob(os.path.join(ROOT, "src", "**", "*.rs"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "samples", "**", "*.rs"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "tools", "testing", "oot", "*.rs"))
    for path in sorted(paths):
        if path.endswith(SKIP):
            continue
        rel = os.path.relpath(path, ROOT)
        in_layer = rel.startswith("src/netlink/")
        lines = list(code_lines(path))
        for i, (n, line) in enumerate(lines):
            code = line.split("//", 1)[0]
            if not re.search(r"\bunsafe\b", code):
                continue
            # Declarations of unsafe functions are documented by `# Safety`.
            if re.search(r"\bunsafe\s+(extern\s+\"C\"\s+)?fn\b", code):
                continue
            if not in_layer:
                findings.append(f"{rel}:{n}: unsafe outside src/netlink/")
                continue
            inside += 1
            # A SAFETY comment on a line above, with only code of the same
            # statement (or other comments) in between.
            ok = False
            for _, prev in reversed(lines[max(0, i - 12):i]):
                s = prev.strip()
                if s.startswith("// SAFETY:"):
                    ok = True
                    break
                if s.startswith("//"):
                    continue
                if s.endswith(";") or s.endswith("}") or s.endswith("{") and "unsafe" in s:
                    break
            if not ok and "// SAFETY:" not in line:
                findings.append(f"{rel}:{n}: unsafe without a SAFETY comment above it")
    for f in findings:
        print(f)
    missing = sum("SAFETY" in f for f in findings)
    print(f"unsafe in src/netlink/: {inside} ({missing} without a SAFETY comment); "
          f"outside: {sum('outside' in f for f in findings)}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
