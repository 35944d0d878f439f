#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reproducer written by guided.py: answer on 6.12, seed 1.

Oracle that failed: {"first difference": 0, "model": ["error 22 None @None miss None"], "kernel": ["('error', 1, 22, 'bytes leftover after parsing attributes', None, None)"], "answers": [1, 1], "call": "{\"c\": \"nfnl\", \"s\": 1, \"op\": \"rule-new\", \"flags\": 5, \"attrs\": [[8, [[5, \"0135ff89\"], [2, \"1e00ff00\", {\"len\": 65535}], [9, \"0100\"], [8, \"1b45\"], [3, \"ff000000ff00ff3f6a00000000ff9706\"]]]]}"}

Replays the program below in the guest (nlrs.ko loaded) through
tools/testing/fuzz/executor.py, which sends these exact datagrams in
fresh network namespaces, and exits 1 while the same oracle (answer) still
fails. The datagrams, in order (agent, socket slot, bytes):
    root 1 4c0000000105050001000000000000000000000038000880080005000135ff89ffff02001e00ff000600090001000000060008001b45000014000300ff000000ff00ff3f6a00000000ff9706
"""

import json
import os
import sys

ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads('{"v": 1, "calls": [{"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz", "cred": "root"}, {"c": "nfnl", "s": 1, "op": "rule-new", "flags": 5, "attrs": [[8, [[5, "0135ff89"], [2, "1e00ff00", {"len": 65535}], [9, "0100"], [8, "1b45"], [3, "ff000000ff00ff3f6a00000000ff9706"]]]]}]}')


def main():
    fuzz_ns = executor.own_netns()
    ex = executor.Executor("6.12", use_kcov=False)
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
