#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The coverage-guided fuzzer of both planes of nlrs (in the guest, the
module loaded): programs (prog.py) generated from the specs, mutated and
spliced from a corpus of those that reached new module edges (KCOV, mapped
by kcov.py), run by executor.py in fresh namespaces against the model.

    python3 guided.py --seconds N --seed S [--programs P]

A program that reaches new edges runs again with KCOV in trace-cmp mode;
the constants the module compared with go to the generator's dictionary
(prog.Gen.substitute()). A finding is minimized and saved as a
reproducer, one per oracle and operation (repeats counted), and the run
goes on, up to MAX_FINDINGS; a kernel report or a dead module ends it.

Prints one JSON object: programs, calls, answers the model checked, edges
reached and the module's total, the curve of (seconds, edges), the
dictionary's figures (comparisons), findings and their repeats, agents
that failed to start, the functions never reached. Exit status 1 on a
finding. Without KCOV (no /sys/kernel/debug/kcov) it still runs,
generation and mutation only.

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
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import executor as X  # noqa: E402
import prog as P  # noqa: E402

SAMPLE_S = 10
# A run goes on after a finding, saving one reproducer per oracle and
# operation, up to this many; a kernel report ends it (the kernel's state
# is in doubt from there), as does a dead module.
MAX_FINDINGS = 8
STOP_ON = ("kernel", "liveness")


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

Replays the program below on the running kernel (nlrs.ko loaded) with
executor.replay(): exit status 0 when it runs clean, 1 while the same
oracle ({cls}) still fails, 2 when another one does. The datagrams, in
order (agent, socket slot, bytes):
{datagrams}
"""

import json
import os
import sys

# tools/testing/fuzz/crashes/ in the tree, $NLRS_OUT/fuzz/crashes/ when new.
ROOT = os.environ.get("NLRS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "tools/testing/fuzz"))
import executor  # noqa: E402

PROGRAM = json.loads({program!r})

if __name__ == "__main__":
    sys.exit(executor.replay(PROGRAM, "{cls}"))
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
    modprobe = X.set_modprobe("")
    ex = X.Executor(kver)
    try:
        return loop(ex, rng, seed, seconds, programs, kver, corpus_dir, crashes)
    finally:
        ex.close()
        X.setns(fuzz_ns)
        os.close(fuzz_ns)
        X.set_modprobe(modprobe)


def loop(ex, rng, seed, seconds, programs, kver, corpus_dir, crashes):
    gen = P.Gen(ex.proto, rng)
    start = time.monotonic()
    deadline = start + seconds
    reached, corpus, curve, findings = set(), [], [[0, 0]], []
    stop = False
    errors, seen = {}, {}
    # Comparison runs, constants found, programs with a substituted one,
    # and of those, how many reached new edges.
    cmp = {"runs": 0, "constants": 0, "substituted": 0, "new_edges": 0}
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

    def aside(fn):
        """fn() as a rerun: the run's call and answer counts leave it out
        (agents that failed to start stay counted)."""
        before = dict(ex.stats)
        try:
            return fn()
        finally:
            after = ex.stats.copy()
            ex.stats.clear()
            ex.stats.update(before)
            ex.stats.update({k: n for k, n in after.items() if k.startswith("agent ")})

    def harvest(p):
        """Runs a program that reached new edges again with KCOV in
        trace-cmp mode, for the constants the module compared with there
        (mutations substitute them); True when a finding stops the run."""
        if cmp.get("unavailable"):
            return False
        try:
            consts = aside(lambda: ex.comparisons(p))
        except X.Finding as f:
            return found(p, f)
        except OSError as e:
            # No trace-cmp (CONFIG_KCOV_ENABLE_COMPARISONS off): go on
            # without the dictionary.
            cmp["unavailable"] = str(e)
            return False
        cmp["runs"] += 1
        # Sorted: the same seed and constants, the same mutations.
        cmp["constants"] += gen.add_consts(sorted(consts))
        return False

    def found(p, f):
        """Minimizes and saves a finding the run has not seen yet (its
        oracle and the failing call's operation; the closing checks after
        the last call count as one operation, and a kernel report, raised
        after the program, as none); True when the run should stop: the
        kernel's own state is in doubt, or enough distinct findings are
        in."""
        cls = f.cls
        i = getattr(f, "index", None)
        call = p["calls"][i] if i is not None and i < len(p["calls"]) else {}
        key = (cls, call.get("c"), call.get("op"))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            return len(findings) >= MAX_FINDINGS
        # A kernel report while minimizing is a finding of its own, and
        # ends the run once this one is saved.
        late = []

        def same(q):
            _, r = aside(lambda: execute(q))
            if r is not None and r.cls != cls and r.cls in STOP_ON and not late:
                late.append((q, r))
            return r is not None and r.cls == cls
        # The calls after the failing one first, then delta debugging.
        cut = {"v": 1, "calls": p["calls"][:getattr(f, "index", len(p["calls"])) + 1]}
        if cut != p and same(cut):
            p = cut
        small = P.minimize(p, same, budget=16)
        _, again = aside(lambda: execute(small))
        final = again if again is not None and again.cls == cls else f
        if again is None or again.cls != cls:
            small = p
        shadow = P.Shadow(ex.proto, ex.fid, ex.subsys, ex.kernel)
        datagrams = shadow.run(small, trace=True)[3]
        path = write_repro(crashes, kver, seed, final, small, datagrams)
        findings.append({"class": cls, "what": json.dumps(final.what, default=repr)[:2000],
                         "reproducer": path, "program": small, "key": list(key)})
        if late and len(findings) < MAX_FINDINGS:
            found(*late[0])
        return bool(late) or cls in STOP_ON or len(findings) >= MAX_FINDINGS

    ran = 0
    for s in load_seeds():
        ran += 1
        edges, f = execute(s)
        if f is not None:
            stop = found(s, f)
            if stop:
                break
            continue
        reached |= edges
        corpus.append(s)
        stop = ex.map is not None and harvest(s)
        if stop:
            break
    seed_edges = len(reached)
    sample()
    while not stop and time.monotonic() < deadline and (programs is None or ran < programs):
        x = rng.random()
        if not corpus or x < 0.3:
            p = gen.program()
        elif x < 0.9:
            p = gen.mutate(rng.choice(corpus), P.Ctx(ex.proto, ex.fid, ex.subsys))
        else:
            p = gen.splice(rng.choice(corpus), rng.choice(corpus))
        substituted, gen.substituted = gen.substituted, False
        cmp["substituted"] += substituted
        ran += 1
        edges, f = execute(p)
        if f is not None:
            stop = found(p, f)
        elif edges - reached:
            keep(p, edges - reached)
            reached |= edges
            cmp["new_edges"] += substituted
            stop = ex.map is not None and harvest(p)
        elif ex.map is None and rng.random() < 0.05:
            # No coverage to guide: keep a few programs to mutate.
            keep(p, set())
        if time.monotonic() - start >= next_sample:
            sample()
            next_sample = ((time.monotonic() - start) // SAMPLE_S + 1) * SAMPLE_S
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
        "comparisons": cmp,
        "agent_failures": {k: n for k, n in ex.stats.items() if k.startswith("agent ")},
        "findings": findings,
        "finding_repeats": {" ".join(map(str, k)): n for k, n in seen.items()},
        "unreached": unreached(ex, reached),
    }


def self_test():
    """The loop against stand-in executors whose "kernel" fails two
    oracles on chosen operations: the run goes on past each finding, saves
    one minimized reproducer per oracle and operation and counts the
    repeats; a kernel report ends it, in a program, while a finding is
    minimized or in a trace-cmp rerun."""
    class Stub:
        def __init__(self, fail):
            self.proto, self.fid, self.subsys, self.kernel = X.S.Protocol(), 0x1c, 5, "6.12"
            self.map, self.map_errors, self.fail = None, 0, fail
            self.stats = {"calls": 0, "checked": 0, "unknown": 0}

        def run(self, p):
            self.stats["calls"] += len(p["calls"])
            for i, call in enumerate(p["calls"]):
                cls = self.fail.get(call.get("op"))
                if cls:
                    f = X.Finding(cls, call["op"])
                    f.index = i
                    raise f
            return set(), {}

    with tempfile.TemporaryDirectory() as d:
        fail = {"rule-new": "answer", "stats-get": "state"}
        r = loop(Stub(fail), random.Random(5), 5, 600, 150, "6.12", d, d)
        keys = sorted(tuple(f["key"]) for f in r["findings"])
        assert r["programs"] == 150, r["programs"]
        assert {k[2] for k in keys} == set(fail), keys
        assert len(keys) == len(set(keys)), keys
        assert sum(r["finding_repeats"].values()) > len(keys), r["finding_repeats"]
        for f in r["findings"]:
            # Minimized: the failing call and what it needs, no more.
            assert len(f["program"]["calls"]) <= 4, f["program"]
            assert os.path.exists(f["reproducer"])
        stopped = loop(Stub({"rule-new": "kernel"}), random.Random(5), 5, 600, 150, "6.12", d, d)
        assert len(stopped["findings"]) == 1 and stopped["programs"] < 150, stopped["programs"]

        # A kernel report while a finding is minimized: saved too, and the
        # run ends.
        class Late(Stub):
            armed = False

            def run(self, p):
                if self.armed:
                    self.armed = False
                    raise X.Finding("kernel", "a report")
                try:
                    return super().run(p)
                except X.Finding:
                    Late.armed = self.armed = not hasattr(self, "fired")
                    self.fired = True
                    raise
        late = loop(Late({"rule-new": "answer"}), random.Random(5), 5, 600, 150, "6.12", d, d)
        assert [f["class"] for f in late["findings"]] == ["answer", "kernel"], late["findings"]
        assert late["programs"] < 150

        # With coverage: each new edge's program reruns for constants; a
        # kernel report in that rerun ends the run, seeds included.
        class Cov(Stub):
            def __init__(self, report):
                super().__init__({})
                self.map = types.SimpleNamespace(total=1 << 20, fuzzable=1 << 20,
                                                 unfuzzable=set(), sites={}, elf=None)
                self.n, self.report = 0, report

            def run(self, p):
                self.n += 1
                return {("t", self.n)}, {}

            def comparisons(self, p):
                if self.report:
                    raise X.Finding("kernel", "a report")
                return {(4, 0x1c), (2, self.n % 3)}
        full = loop(Cov(False), random.Random(5), 5, 600, 40, "6.12", d, d)
        assert full["comparisons"]["runs"] == 40 and full["comparisons"]["constants"] == 4, full
        cut = loop(Cov(True), random.Random(5), 5, 600, 40, "6.12", d, d)
        assert [f["class"] for f in cut["findings"]] == ["kernel"], cut["findings"]
        assert cut["programs"] == 1, cut["programs"]
    print(f"guided.py: 150 programs against a stand-in, {len(keys)} distinct findings of "
          f"{sum(r['finding_repeats'].values())} saved and minimized, the run went on; "
          f"a kernel report stopped one after {stopped['programs']}; reports while "
          "minimizing and in trace-cmp reruns stop it too")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
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
