# SPDX-License-Identifier: GPL-2.0
"""The integration tests as data, for the host and the guest alike: their
names, their measured durations, the time limit each gets, which tests a
pattern selects, and how they are split into shards.

A test is a ``test_*`` function of a module in MODULES, named
``MODULE.FUNCTION`` without the ``test_`` prefixes (``genl.echo_round_trip``).
The list is read from the sources with ``ast``, so the host needs none of the
modules' imports.

durations.json beside this file holds each test's duration on the reference
machine (``make test-durations`` rewrites it from the last run). They serve
twice: shards are balanced by them, and a test's time limit is SLOWER times
its duration, but never under MIN_LIMIT seconds.
"""

import fnmatch
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
DURATIONS = os.path.join(HERE, "durations.json")

MODULES = ["test_kernel", "test_genl", "test_rules", "test_hooks", "test_datapath", "test_batch",
           "test_alerts", "test_nfnl", "test_netns", "test_spec", "test_clients", "test_ynl_c",
           "test_ynl_nfnl",
           "test_corpus", "test_faults", "test_fuzz", "test_perms", "test_limits", "test_races",
           "test_samples", "test_oot", "test_module", "test_dkms"]

# A machine of this kind whose guest runs three times slower must still
# pass. Run to run, one machine's durations vary by up to 1.7 times (a
# guest at a third of a core took 5.1 times as long on average), so a limit
# of ten times the measured duration leaves a margin on top of both.
SLOWER = 10
# Below this, a limit would catch scheduling noise rather than a hang.
MIN_LIMIT = 120
# A test with no measured duration yet (a new one).
UNMEASURED = 30

# Beyond the tests, each guest boots, loads the module (running its KUnit
# suites) and, at the end, unloads it and scans for leaks. Generous limits for
# those, for a machine three times slower than the reference one.
BOOT_LIMIT = 600
SETUP_LIMIT = 600
TEARDOWN_LIMIT = 300


def tests():
    """Every test, in MODULES order, then source order."""
    import ast  # here alone: the guest's runner reads its plan instead
    names = []
    for mod in MODULES:
        with open(os.path.join(HERE, mod + ".py")) as f:
            tree = ast.parse(f.read())
        names += [f"{mod[5:]}.{node.name[5:]}" for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    return names


def function(name):
    """(module, function) of a test name."""
    mod, fn = name.split(".", 1)
    return "test_" + mod, "test_" + fn


def durations():
    try:
        with open(DURATIONS) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def duration(name, known):
    """Seconds the test took on the reference machine; `known` is
    durations()."""
    return known.get(name, UNMEASURED)


def limit(name, known):
    """Seconds the test may take before it counts as hung."""
    return max(MIN_LIMIT, round(SLOWER * duration(name, known)))


def guest_limit(names, known):
    """Seconds one guest may take to run `names`: derived from the tests'
    own limits, so a slow machine that passes each test passes the guest."""
    return BOOT_LIMIT + SETUP_LIMIT + TEARDOWN_LIMIT + sum(limit(n, known) for n in names)


def select(patterns, names=None):
    """The tests a comma-separated list of names or globs selects: a name
    without a glob character selects itself and, as a module name, every
    test of that module (``rules`` selects ``rules.*``)."""
    names = tests() if names is None else names
    chosen = []
    for pat in [p for p in patterns.split(",") if p]:
        if not any(c in pat for c in "*?["):
            pat = pat if "." in pat else pat + ".*"
        hits = [n for n in names if fnmatch.fnmatchcase(n, pat)]
        if not hits:
            raise ValueError(f"no integration test matches {pat!r}")
        chosen += [n for n in hits if n not in chosen]
    return [n for n in names if n in chosen]


def shards(names, count, known):
    """Splits `names` into `count` lists of about equal total duration
    (longest first onto the least loaded shard), each then in catalog
    order, so that a shard runs the way the full suite would."""
    order = {n: i for i, n in enumerate(names)}
    loads = [[0.0, []] for _ in range(count)]
    for name in sorted(names, key=lambda n: (-duration(n, known), order[n])):
        least = min(loads, key=lambda s: s[0])
        least[0] += duration(name, known)
        least[1].append(name)
    return [sorted(s[1], key=order.get) for s in loads if s[1]]


def shuffled(names, seed):
    names = list(names)
    random.Random(seed).shuffle(names)
    return names


def write_plan(out, count, patterns=None, seed=None):
    """Writes OUT/guest-K/plan (test names, one a line) and OUT/guest-K/limit
    (seconds) for each of up to `count` guests; returns the guest dirs."""
    known = durations()
    names = select(patterns) if patterns else tests()
    dirs = []
    for k, shard in enumerate(shards(names, count, known), 1):
        if seed is not None:
            shard = shuffled(shard, f"{seed}-{k}")
        d = os.path.join(out, f"guest-{k}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "plan"), "w") as f:
            f.write("".join(n + "\n" for n in shard))
        with open(os.path.join(d, "limit"), "w") as f:
            f.write(f"{guest_limit(shard, known)}\n")
        dirs.append(d)
    return dirs


def measured(ktap_paths):
    """{test: seconds} from the "# duration NAME S s" lines of KTAP files."""
    found = {}
    for path in ktap_paths:
        with open(path) as f:
            for line in f:
                words = line.split()
                if words[:2] == ["#", "duration"] and len(words) == 5:
                    found[words[2]] = float(words[3])
    return found


def update_durations(out):
    """Rewrites durations.json from the last run's KTAP in OUT (tests that
    did not run keep their old figure; of a test run on several kernels,
    the longest time counts)."""
    import glob
    found = {}
    for kernel in glob.glob(os.path.join(out, "*", "")):
        for name, secs in measured(glob.glob(os.path.join(kernel, "guest-*",
                                                          "integration.ktap"))).items():
            found[name] = max(secs, found.get(name, 0))
    if not found:
        raise SystemExit(f"no durations in {out}: run make test first")
    known = durations()
    known.update({n: round(s, 1) for n, s in found.items()})
    known = {n: known[n] for n in tests() if n in known}
    with open(DURATIONS, "w") as f:
        json.dump(known, f, indent=1)
        f.write("\n")
    total = sum(known.values())
    print(f"durations.json: {len(found)} tests measured, {total:.0f} s in all; shards: "
          + ", ".join(f"{sum(known.get(n, UNMEASURED) for n in s):.0f} s"
                      for s in shards(tests(), 2, known)))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan", help="split the tests into guests' plans")
    p.add_argument("out")
    p.add_argument("--guests", type=int, default=2)
    p.add_argument("--only", help="names or globs, comma-separated")
    p.add_argument("--seed", help="shuffle each plan with this seed")
    p = sub.add_parser("durations", help="update durations.json from a run")
    p.add_argument("out")
    sub.add_parser("list", help="every test, with its duration and limit")
    args = ap.parse_args(argv)
    if args.cmd == "plan":
        try:
            for d in write_plan(args.out, args.guests, args.only, args.seed):
                print(d)
        except ValueError as e:
            raise SystemExit(f"error: {e}")
    elif args.cmd == "durations":
        update_durations(args.out)
    else:
        known = durations()
        for n in tests():
            print(f"{n:60} {duration(n, known):7.1f} s  limit {limit(n, known)} s")


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
