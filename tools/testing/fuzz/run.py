#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`make fuzz`, inside the guest (nlrs.ko loaded): a long fuzz run, then
rmmod, a kmemleak scan and a check of the kernel log.

    run.py SECONDS [SEED]
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import util  # noqa: E402


def main():
    seconds = sys.argv[1] if len(sys.argv) > 1 else "600"
    seed = sys.argv[2:3] or ["1"]
    util.kmemleak("clear")
    p = subprocess.run([sys.executable, os.path.join(HERE, "fuzz.py"), "--seconds", seconds,
                        "--seed", *seed], capture_output=True, text=True)
    result = json.loads(p.stdout.splitlines()[-1]) if p.stdout else {"error": p.stderr[-2000:]}
    util.unload()
    result["kmemleak"] = util.kmemleak_scan()[:2000]
    result["kernel reports"] = util.dmesg_reports()[:20]
    print(json.dumps(result, indent=1))
    ok = p.returncode == 0 and not result["kmemleak"] and not result["kernel reports"]
    print(f"fuzz: {result.get('messages', 0)} messages in {result.get('seconds', 0)} s, "
          f"{len(result.get('findings', []))} findings: {'clean' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
