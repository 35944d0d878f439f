#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reproducer written by guided.py: answer on 6.12, seed 1.

Oracle that failed: {"first difference": 1, "model": ["error 0 None @None miss None"], "kernel": ["('error', 1, 0, 'bytes leftover after parsing attributes', None, None)"], "answers": [2, 2], "call": "{\"c\": \"nfnl\", \"s\": 1, \"op\": \"checkpoint\", \"flags\": 5, \"attrs\": [[16, \"\", {\"len\": 65535}]]}"}

Replays the program below on the running kernel (nlrs.ko loaded) with
executor.replay(): exit status 0 when it runs clean, 1 while the same
oracle (answer) still fails, 2 when another one does. The datagrams, in
order (agent, socket slot, bytes):
    root 1 1800000003050500010000000000000000000000ffff1000
"""

import json
import os
import sys

# tools/testing/fuzz/crashes/ in the tree, $NLRS_OUT/fuzz/crashes/ when new.
ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads('{"v": 1, "calls": [{"c": "socket", "s": 1, "proto": "nfnl", "net": "fuzz", "cred": "root"}, {"c": "nfnl", "s": 1, "op": "checkpoint", "flags": 5, "attrs": [[16, "", {"len": 65535}]]}]}')

if __name__ == "__main__":
    sys.exit(executor.replay(PROGRAM, "answer"))
