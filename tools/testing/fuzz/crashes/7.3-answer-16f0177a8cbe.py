#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reproducer written by guided.py: answer on 7.3, seed 1.

Oracle that failed: {"first difference": 0, "model": ["error 22 None @None miss None"], "kernel": ["('error', 1, 22, 'bytes leftover after parsing attributes', None, None)"], "answers": [1, 1], "call": "{\"c\": \"nfnl\", \"s\": 1, \"op\": \"rule-new\", \"flags\": 5, \"attrs\": [[9, [[2, \"02000000\"], [1, \"0100000000000000\"]], {\"len\": 2}]]}"}

Replays the program below in the guest (nlrs.ko loaded) through
tools/testing/fuzz/executor.py, which sends these exact datagrams in
fresh network namespaces, and exits 1 while the same oracle (answer) still
fails. The datagrams, in order (agent, socket slot, bytes):
    root 1 2c000000010505000100000000000000000000000200098008000200020000000c0001000100000000000000
"""

import json
import os
import sys

ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads('{"v": 1, "calls": [{"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz", "cred": "root"}, {"c": "nfnl", "s": 1, "op": "rule-new", "flags": 5, "attrs": [[9, [[2, "02000000"], [1, "0100000000000000"]], {"len": 2}]]}]}')


def main():
    fuzz_ns = executor.own_netns()
    ex = executor.Executor("7.3", use_kcov=False)
    try:
        ex.run(PROGRAM)
    except executor.Finding as f:
        print(f"still there: {f.cls}: {f.what}")
        sys.exit(1 if f.cls == "answer" else 2)
    finally:
        ex.close()
        executor.setns(fuzz_ns)
        os.close(fuzz_ns)
    print("fixed: the program ran clean")


if __name__ == "__main__":
    main()
