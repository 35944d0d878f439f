#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reproducer written by guided.py: answer on 6.12, seed 1.

Oracle that failed: {"first difference": 0, "model": ["error 22 None @None miss None"], "kernel": ["('error', 1, 22, 'bytes leftover after parsing attributes', None, None)"], "answers": [1, 1], "call": "{\"c\": \"nfnl\", \"s\": 1, \"op\": \"rule-new\", \"flags\": 5, \"attrs\": [[8, [[5, \"0135ff89\"], [2, \"1e00ff00\", {\"len\": 65535}], [9, \"0100\"], [8, \"1b45\"], [3, \"ff000000ff00ff3f6a00000000ff9706\"]]]]}"}

Replays the program below on the running kernel (nlrs.ko loaded) with
executor.replay(): exit status 0 when it runs clean, 1 while the same
oracle (answer) still fails, 2 when another one does. The datagrams, in
order (agent, socket slot, bytes):
    root 1 4c0000000105050001000000000000000000000038000880080005000135ff89ffff02001e00ff000600090001000000060008001b45000014000300ff000000ff00ff3f6a00000000ff9706
"""

import json
import os
import sys

# tools/testing/fuzz/crashes/ in the tree, $NLRS_OUT/fuzz/crashes/ when new.
ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads('{"v": 1, "calls": [{"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz", "cred": "root"}, {"c": "nfnl", "s": 1, "op": "rule-new", "flags": 5, "attrs": [[8, [[5, "0135ff89"], [2, "1e00ff00", {"len": 65535}], [9, "0100"], [8, "1b45"], [3, "ff000000ff00ff3f6a00000000ff9706"]]]]}]}')

if __name__ == "__main__":
    sys.exit(executor.replay(PROGRAM, "answer"))
