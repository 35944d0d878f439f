# SPDX-License-Identifier: GPL-2.0
"""Short runs of the netlink fuzzers against both planes, in this test's
own process: the blind one (tools/testing/fuzz/fuzz.py) and the
coverage-guided one (guided.py, with its model oracle); `make fuzz` runs
long ones. The run's closing checks (kmemleak, the kernel log) cover what
the kernel itself reports."""

import glob
import os
import subprocess
import sys

FUZZ = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fuzz")
sys.path.insert(0, FUZZ)
import fuzz  # noqa: E402
import guided  # noqa: E402


def test_fuzz_smoke():
    # A fixed number of messages from a fixed seed: the same run on any
    # machine, however fast; enough to pass the fuzzer's liveness check of
    # both planes once on the way (every 2000 messages) and once at the
    # end. The time bound is only a backstop.
    messages = int(os.environ.get("NLRS_FUZZ_MESSAGES", "2000"))
    result = fuzz.run(1, 3600, messages)
    print(f"fuzz: {result}", file=sys.stderr)
    assert not result["findings"], result
    # It did reach the kernel: every message went, many were refused.
    assert result["messages"] == messages, result
    assert result["answers"].get("errors", 0) > result["messages"] // 4, result


def test_guided_smoke():
    # The coverage-guided fuzzer from a fixed seed for a fixed number of
    # programs (under TCG with KASAN and lockdep, 50 took 32 s on 6.12 and
    # 33 s on 7.3, seeds included; 80, about a minute): the same run on
    # any machine; the time bound is only a backstop.
    programs = int(os.environ.get("NLRS_GUIDED_PROGRAMS", "80"))
    result = guided.run(1, 1800, programs)
    summary = {k: v for k, v in result.items() if k not in ("unreached", "curve")}
    print(f"guided: {summary}", file=sys.stderr)
    assert not result["findings"], result["findings"]
    assert result["programs"] == programs, summary
    # The model decided most answers, and agreed with the kernel on them.
    assert result["checked"] > result["calls"] // 2, summary
    assert not result["executor_errors"], summary
    # Every agent started (nobody, and root of both user namespaces).
    assert not result["agent_failures"], summary
    if result["kcov"]:
        assert result["total"] > 0 and result["map_errors"] == 0, summary
        assert result["edges"] > result["seed_edges"], summary
        # KCOV's trace-cmp mode gave constants the module compared with
        # (prog.py's self-test checks how mutations substitute them).
        cmp = result["comparisons"]
        assert cmp["runs"] > 0 and cmp["constants"] > 0, summary
    else:
        assert "no KCOV" in result["note"], summary


def test_reproducers_stay_fixed():
    # The fixed findings of guided.py (tools/testing/fuzz/crashes/), each
    # replayed on this kernel, whichever kernel it was found on: exit
    # status 0 is "ran clean", 1 "the same oracle still fails", 2 "another
    # one does".
    scripts = sorted(glob.glob(os.path.join(FUZZ, "crashes", "*.py")))
    assert scripts
    failed = []
    for script in scripts:
        p = subprocess.run([sys.executable, script], capture_output=True, text=True,
                           timeout=600)
        print(f"{os.path.basename(script)}: exit {p.returncode}: {p.stdout.strip()[-300:]}",
              file=sys.stderr)
        if p.returncode != 0 or "fixed" not in p.stdout:
            failed.append((script, p.returncode, (p.stdout + p.stderr)[-1500:]))
    assert not failed, failed
