# SPDX-License-Identifier: GPL-2.0
"""A short run of the netlink fuzzer (tools/testing/fuzz/fuzz.py) against
both planes; `make fuzz` runs a long one. The run's closing checks
(kmemleak, the kernel log) cover what the kernel itself reports."""

import json
import os
import subprocess
import sys

from util import ROOT

FUZZ = os.path.join(ROOT, "tools/testing/fuzz/fuzz.py")


def test_fuzz_smoke():
    seconds = float(os.environ.get("NLRS_FUZZ_SECONDS", "60"))
    p = subprocess.run([sys.executable, FUZZ, "--seconds", str(seconds), "--seed", "1"],
                       capture_output=True, text=True, timeout=seconds + 120)
    result = json.loads(p.stdout.splitlines()[-1])
    print(f"fuzz: {result}", file=sys.stderr)
    assert p.returncode == 0 and not result["findings"], (result, p.stderr[-2000:])
    # It did reach the kernel: most messages were answered, some refused.
    assert result["messages"] > 1000, result
    assert result["answers"].get("errors", 0) > result["messages"] // 4, result
