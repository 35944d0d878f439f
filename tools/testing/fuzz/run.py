#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`make fuzz`, inside the guest (nlrs.ko loaded): the coverage-guided
fuzzer (guided.py) for SECONDS, then the blind one (fuzz.py) for as long
with its own KCOV measurement, both curves side by side and in
$NLRS_OUT/fuzz/<X.Y>/coverage.json; then rmmod, a kmemleak scan and a
check of the kernel log.

    run.py SECONDS [SEED]
    run.py --random SECONDS SEED     (the blind run alone, as JSON)
"""

import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import util  # noqa: E402

# Messages of the blind fuzzer between two KCOV reads: few enough that the
# area (1 Mi PCs) never fills.
CHUNK = 200


def random_run(seconds, seed):
    """fuzz.py's run, in chunks, with the module edges it reached over time."""
    import fuzz
    import kcov
    rng = random.Random(seed)
    fuzz.unshare_net()
    with open(fuzz.MODPROBE) as f:
        modprobe = f.read().strip()
    with open(fuzz.MODPROBE, "w") as f:
        f.write("\n")
    cov = mod = None
    if os.path.exists(kcov.KCOV_PATH):
        mod = kcov.ModuleMap(os.path.join(os.environ["NLRS_MODULES"], "nlrs.ko"),
                             kcov.read_bases("nlrs"), kcov.kaslr_offset())
        cov = kcov.Kcov()
    reached, curve, findings, messages, map_errors = set(), [[0, 0]], [], 0, 0
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds and not findings:
            if cov:
                cov.start()
            r = fuzz.fuzz(rng, seconds - (time.monotonic() - start), CHUNK)
            if cov:
                edges, errors = mod.edges(set(cov.collect()))
                reached |= edges
                map_errors += errors
            messages += r["messages"]
            findings += r["findings"]
            curve.append([round(time.monotonic() - start, 1), len(reached)])
    finally:
        if cov:
            cov.close()
        with open(fuzz.MODPROBE, "w") as f:
            f.write(modprobe + "\n")
    return {"seconds": round(time.monotonic() - start, 1), "messages": messages,
            "edges": len(reached), "total": mod.total if mod else 0,
            "fuzzable": mod.fuzzable if mod else 0,
            "fuzzable_edges": len(reached - mod.unfuzzable) if mod else 0, "curve": curve,
            "map_errors": map_errors, "findings": findings}


def child(args):
    p = subprocess.run([sys.executable] + args, capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout.splitlines()[-1])
    except (IndexError, ValueError):
        return p.returncode, {"error": (p.stdout + p.stderr)[-3000:]}


def at(curve, t):
    """Edges a curve had reached by second t."""
    return max([e for s, e in curve if s <= t] or [0])


def main():
    if sys.argv[1] == "--random":
        print(json.dumps(random_run(float(sys.argv[2]), int(sys.argv[3]))))
        return
    seconds = sys.argv[1] if len(sys.argv) > 1 else "600"
    seed = sys.argv[2] if len(sys.argv) > 2 else "1"
    util.kmemleak("clear")
    grc, guided = child([os.path.join(HERE, "guided.py"), "--seconds", seconds, "--seed", seed])
    rrc, rand = child([os.path.abspath(__file__), "--random", seconds, seed])
    total = guided.get("total") or rand.get("total") or 0
    kver = guided.get("kernel", "unknown")
    fuzzable = guided.get("fuzzable") or rand.get("fuzzable") or 0
    cov = {"total": total, "fuzzable": fuzzable, "guided": guided.get("curve", []),
           "random": rand.get("curve", [])}
    out = os.path.join(os.environ.get("NLRS_OUT", "/tmp"), "fuzz", kver)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "coverage.json"), "w") as f:
        json.dump(cov, f)
    util.unload()
    result = {"guided": guided, "random": rand,
              "kmemleak": util.kmemleak_scan()[:2000],
              "kernel reports": util.dmesg_reports()[:20]}
    print(json.dumps(result, indent=1))
    # Percentages of what requests can reach (kcov.unfuzzable()).
    pct = lambda e: f"{e} ({100 * e / fuzzable:.1f}%)" if fuzzable else str(e)
    print(f"module edges reached over time, of the {fuzzable} requests can reach "
          f"({total} instrumented, the rest the KUnit suites', init's and exit's) "
          "(guided | random):")
    # About 20 rows, at whole tens of seconds, and the end.
    end = int(float(seconds))
    step = max(10, round(end / 20 / 10) * 10)
    for t in sorted(set(range(0, end, step))):
        print(f"  {t:6d} s  {pct(at(cov['guided'], t)):>16}  {pct(at(cov['random'], t)):>16}")
    # The end: each run's last figure (its last sample may come after SECONDS).
    print(f"  {'end':>8}  {pct(guided.get('edges', 0)):>16}  {pct(rand.get('edges', 0)):>16}")
    ok = grc == 0 and rrc == 0 and not guided.get("findings") and not rand.get("findings") \
        and "error" not in guided and "error" not in rand and not result["kmemleak"] \
        and not result["kernel reports"] \
        and not guided.get("map_errors") and not rand.get("map_errors")
    cmp = guided.get("comparisons") or {}
    print(f"guided: trace-cmp runs {cmp.get('runs', 0)}, constants {cmp.get('constants', 0)}; "
          f"programs with one substituted {cmp.get('substituted', 0)}, of which "
          f"{cmp.get('new_edges', 0)} reached new edges")
    for f in guided.get("findings", []):
        print(f"finding: {f['class']} at {f.get('key')}: {f['reproducer']}")
    print(f"fuzz: guided {guided.get('programs', 0)} programs, {pct(guided.get('edges', 0))} "
          f"edges; random {rand.get('messages', 0)} messages, {pct(rand.get('edges', 0))} edges; "
          f"{len(guided.get('findings', [])) + len(rand.get('findings', []))} findings: "
          f"{'clean' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
