#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The coverage-guided fuzzer of both planes of nlrs (in the guest, the
module loaded): programs (prog.py) generated from the specs, mutated and
spliced from a corpus of those that reached new module edges (KCOV, mapped
by kcov.py), run by executor.py in fresh namespaces against the model.

    python3 guided.py --seconds N --seed S [--programs P]

Prints one JSON object: programs, calls, answers the model checked, edges
reached and the module's total, the curve of (seconds, edges), findings,
the functions never reached. Exit status 1 on a finding. Without KCOV
(no /sys/kernel/debug/kcov) it still runs, generation and mutation only.

Corpus entries go to $NLRS_OUT/fuzz/<X.Y>/corpus/ (a temporary directory
without NLRS_OUT), reproducers of findings to $NLRS_OUT/fuzz/crashes/.
"""

import argparse
import glob
import json
import os
import platform
import random
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import executor as X  # noqa: E402
import fuzz  # noqa: E402
import prog as P  # noqa: E402

SAMPLE_S = 10


def kernel_version():
    return ".".join(platform.release().split(".")[:2])


def out_dirs(kver):
    base = os.environ.get("NLRS_OUT")
    if not base:
        base = tempfile.mkdtemp(prefix="nlrs-fuzz-")
    corpus = os.path.join(base, "fuzz", kver, "corpus")
    crashes = os.path.join(base, "fuzz", "crashes")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    return corpus, crashes


def load_seeds():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "seeds", "*.json"))):
        with open(path) as f:
            out.append(json.load(f))
    return out


REPRO = '''#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reproducer written by guided.py: {cls} on {kver}, seed {seed}.

Oracle that failed: {what}

Replays the program below in the guest (nlrs.ko loaded) through
tools/testing/fuzz/executor.py, which sends these exact datagrams in
fresh network namespaces, and exits 1 while the same oracle ({cls}) still
fails. The datagrams, in order (agent, socket slot, bytes):
{datagrams}
"""

import json
import os
import sys

ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads({program!r})


def main():
    fuzz_ns = executor.own_netns()
    ex = executor.Executor("{kver}", use_kcov=False)
    try:
        ex.run(PROGRAM)
    except executor.Finding as f:
        print(f"still there: {{f.cls}}: {{f.what}}")
        sys.exit(1 if f.cls == "{cls}" else 2)
    finally:
        ex.close()
        executor.setns(fuzz_ns)
        os.close(fuzz_ns)
    print("fixed: the program ran clean")


if __name__ == "__main__":
    main()
'''


def write_repro(crashes, kver, seed, finding, program, datagrams):
    sha = P.sha(program)
    path = os.path.join(crashes, f"{kver}-{finding.cls}-{sha}.py")
    lines = "\n".join(f"    {d}" for d in datagrams) or "    (none)"
    what = json.dumps(finding.what, default=repr)[:1500]
    with open(path, "w") as f:
        f.write(REPRO.format(cls=finding.cls, kver=kver, seed=seed, what=what,
                             datagrams=lines, program=json.dumps(program)))
    os.chmod(path, 0o755)
    return path


def unreached(ex, reached):
    """The module's functions none of whose edges ran, but for the
    unfuzzable ones (kcov.unfuzzable())."""
    if ex.map is None:
        return []
    sites = {sec: {o for o in offs if (sec, o) not in ex.map.unfuzzable}
             for sec, offs in ex.map.sites.items()}
    return demangle(unreached_in(ex.map.elf, sites, reached))


def demangle(names):
    """Rust's symbol names readable (c++filt knows v0 mangling), without
    crate hashes; as they are where c++filt is missing."""
    import re
    import subprocess
    try:
        p = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                           text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return names
    return [re.sub(r"\[[0-9a-f]{16}\]", "", n) for n in p.stdout.splitlines()]


def unreached_in(elf, sites, reached):
    """Of `elf`'s functions with call sites ({section: offsets}), those
    with none in `reached` ({(section, offset)}). A site is the return
    address of its call: after the function's first byte, up to its end."""
    out = set()
    for sec, offs in sites.items():
        for lo, hi, name in elf.functions(sec):
            mine = [o for o in offs if lo < o <= hi]
            if mine and not any((sec, o) in reached for o in mine):
                out.add(name)
    return sorted(out)


def run(seed, seconds, programs=None, kver=None):
    """A guided run in namespaces of its own; returns its result."""
    kver = kver or kernel_version()
    rng = random.Random(seed)
    corpus_dir, crashes = out_dirs(kver)
    fuzz_ns = X.own_netns()
    # As fuzz.py: requests for families or subsystems that do not exist
    # run modprobe, a second each under emulation; an empty path fails at
    # once.
    modprobe = set_modprobe("")
    ex = X.Executor(kver)
    try:
        return loop(ex, rng, seed, seconds, programs, kver, corpus_dir, crashes)
    finally:
        ex.close()
        X.setns(fuzz_ns)
        os.close(fuzz_ns)
        set_modprobe(modprobe)


def set_modprobe(path):
    """Sets the kernel's modprobe path if there is one; returns the old."""
    if path is None or not os.path.exists(fuzz.MODPROBE):
        return None
    with open(fuzz.MODPROBE) as f:
        old = f.read().strip()
    with open(fuzz.MODPROBE, "w") as f:
        f.write(path + "\n")
    return old


def loop(ex, rng, seed, seconds, programs, kver, corpus_dir, crashes):
    gen = P.Gen(ex.proto, rng)
    start = time.monotonic()
    deadline = start + seconds
    reached, corpus, curve, findings = set(), [], [[0, 0]], []
    errors = {}
    next_sample = SAMPLE_S

    def sample():
        curve.append([round(time.monotonic() - start, 1), len(reached)])

    def execute(p):
        """(edges, None) or (None, Finding); an executor's failure (its
        bug, or the system's) is counted and gives no edges."""
        try:
            edges, _ = ex.run(p)
            return edges, None
        except X.Finding as f:
            return None, f
        except Exception as e:  # noqa: B902 - counted and reported
            k = f"{type(e).__name__}: {e}"[:160]
            errors[k] = errors.get(k, 0) + 1
            return set(), None

    def keep(p, new):
        # Not minimized: under emulation a run costs about a second, and
        # most programs reach something new early on.
        corpus.append(p)
        with open(os.path.join(corpus_dir, P.sha(p) + ".json"), "w") as f:
            json.dump({"program": p, "new_edges": len(new)}, f)

    def found(p, f):
        cls = f.cls
        same = lambda q: (lambda r: r[1] is not None and r[1].cls == cls)(execute(q))
        # The calls after the failing one first, then delta debugging.
        cut = {"v": 1, "calls": p["calls"][:getattr(f, "index", len(p["calls"])) + 1]}
        if cut != p and same(cut):
            p = cut
        small = P.minimize(p, same, budget=16)
        _, again = execute(small)
        final = again if again is not None and again.cls == cls else f
        if again is None or again.cls != cls:
            small = p
        shadow = P.Shadow(ex.proto, ex.fid, ex.subsys, ex.kernel)
        datagrams = shadow.run(small, trace=True)[3]
        path = write_repro(crashes, kver, seed, final, small, datagrams)
        findings.append({"class": cls, "what": json.dumps(final.what, default=repr)[:2000],
                         "reproducer": path, "program": small})

    seeds = load_seeds()
    for s in seeds:
        edges, f = execute(s)
        if f is not None:
            found(s, f)
            break
        reached |= edges
        corpus.append(s)
    seed_edges = len(reached)
    sample()
    ran = len(seeds)
    while not findings and time.monotonic() < deadline and (programs is None or ran < programs):
        x = rng.random()
        if not corpus or x < 0.3:
            p = gen.program()
        elif x < 0.9:
            p = gen.mutate(rng.choice(corpus), P.Ctx(ex.proto, ex.fid, ex.subsys))
        else:
            p = gen.splice(rng.choice(corpus), rng.choice(corpus))
        ran += 1
        edges, f = execute(p)
        if f is not None:
            found(p, f)
            break
        new = edges - reached
        if new:
            reached |= new
            keep(p, new)
        elif ex.map is None and rng.random() < 0.05:
            # No coverage to guide: keep a few programs to mutate.
            keep(p, set())
        if time.monotonic() - start >= next_sample:
            sample()
            next_sample += SAMPLE_S
    sample()
    elapsed = time.monotonic() - start
    total = ex.map.total if ex.map else 0
    fuzzable = ex.map.fuzzable if ex.map else 0
    reached_fuzzable = len(reached - ex.map.unfuzzable) if ex.map else 0
    return {
        "seed": seed, "kernel": kver, "kcov": ex.map is not None,
        "note": None if ex.map else "no KCOV (/sys/kernel/debug/kcov): generation and "
        "mutation only, no coverage",
        "seconds": round(elapsed, 1), "programs": ran, "calls": ex.stats["calls"],
        "per_second": round(ran / elapsed, 2) if elapsed else 0,
        "checked": ex.stats["checked"], "unknown": ex.stats["unknown"],
        "edges": len(reached), "seed_edges": seed_edges, "total": total,
        "percent": round(100 * len(reached) / total, 1) if total else 0,
        "fuzzable": fuzzable, "fuzzable_edges": reached_fuzzable,
        "fuzzable_percent": round(100 * reached_fuzzable / fuzzable, 1) if fuzzable else 0,
        "curve": curve, "corpus": len(corpus), "map_errors": ex.map_errors,
        "send_errors": ex.stats.get("send errors", 0), "executor_errors": errors,
        "findings": findings,
        "unreached": unreached(ex, reached),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--programs", type=int, default=None)
    args = ap.parse_args()
    result = run(args.seed, args.seconds, args.programs)
    print(json.dumps(result))
    sys.exit(1 if result["findings"] else 0)


if __name__ == "__main__":
    main()
