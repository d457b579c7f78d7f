#!/usr/bin/env python
"""Warm CPU time and numbers of the benchmark curves in two source trees, alternated (issue 16).

    python benchmarks/warm_ab.py TREE_A TREE_B [--rounds 3] [--repeats 5]

For a change to compiled code that must not change warm speed or numbers (e.g.
calling a function through its symbol, ``bifkit/_separate.py``): ``TREE_A`` the
code before, ``TREE_B`` after (two checkouts).  Each round runs, for A then B, a
fresh Python process with that tree first on ``PYTHONPATH`` and its own numba
cache directory (kept across rounds: compiled once, then loaded); the process
computes the curves of ``benchmarks/continuation_vs_auto.py`` (E-I neural mass,
K = 1000, D_ii = 0.3, D_ee = 2.0): EP-C, H-C, LC-C (ntst 50) and PD-C (ntst 100),
once to compile, then ``--repeats`` times, and reports the fewest CPU seconds
(``time.process_time``) of each and a SHA-1 of the result's arrays (points,
parameters, eigenvalues or multipliers, per-point data).

Printed per curve: the fewest CPU seconds over all rounds of A and of B, the
ratio B / A, and whether the digests agree (``same``: bitwise identical numbers).
Rounds alternate A and B so that a change of the machine's load hits both.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import hashlib, json, sys, time
import numpy as np
import bifkit

repeats = int(sys.argv[1])
m = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
x0 = m.steady_state()[0]
B1 = {"I_e": (1e-5, 200.0)}
B2 = {"I_e": (1e-5, 200.0), "D_ee": (0.5, 4.0)}
BPD = {"I_e": (1e-5, 200.0), "D_ee": (0.5, 6.0)}


def digest(br):
    h = hashlib.sha1()
    for a in (br.x, br.p, br.eigenvalues):
        h.update(np.ascontiguousarray(a).tobytes())
    for k in sorted(br.data):
        v = np.asarray(br.data[k])
        if v.dtype != object:
            h.update(k.encode()); h.update(np.ascontiguousarray(v).tobytes())
    return h.hexdigest()[:16]


def best(fn):
    res = fn()
    cpu = []
    for _ in range(repeats):
        c0 = time.process_time()
        res = fn()
        cpu.append(time.process_time() - c0)
    return min(cpu), res


out = {}
t, ep = best(lambda: bifkit.continuation(m, "EP-C", x0, ["I_e"], log_params=["I_e"],
                                         bounds=B1, direction="both"))
out["EP-C"] = (t, digest(ep), len(ep))
h = bifkit.continuation(m, "EP-C", x0, ["I_e"], bounds=B1,
                        log_params=["I_e"]).special_points("H")[0]
t, hc = best(lambda: bifkit.continuation(m, "H-C", h, ["I_e", "D_ee"], bounds=B2,
                                         log_params=["I_e"]))
out["H-C"] = (t, digest(hc), len(hc))
t, lc = best(lambda: bifkit.continuation(m, "LC-C", start=h, free=["I_e"], log_params=["I_e"],
                                         bounds=B1, ntst=50, ncol=4))
out["LC-C"] = (t, digest(lc), len(lc))
pd0 = lc.special_points("PD")[0]
t, pd = best(lambda: bifkit.continuation(m, "PD-C", pd0, ["I_e", "D_ee"], bounds=BPD,
                                         log_params=["I_e"], ntst=100, ncol=4))
out["PD-C"] = (t, digest(pd), len(pd))
print(json.dumps(out))
"""


def run(tree: str, cache: str, repeats: int) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, BIFKIT_WARMUP="0",
               PYTHONPATH=os.pathsep.join([os.path.abspath(tree)]
                                          + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    res = subprocess.run([sys.executable, "-c", CHILD, str(repeats)], env=env,
                         capture_output=True, text=True, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"{tree}: exit {res.returncode}\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree_a")
    ap.add_argument("tree_b")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        caches = {"A": os.path.join(tmp, "A"), "B": os.path.join(tmp, "B")}
        results = {"A": [], "B": []}
        for r in range(args.rounds):
            for key, tree in (("A", args.tree_a), ("B", args.tree_b)):
                results[key].append(run(tree, caches[key], args.repeats))
                print(f"round {r + 1} {key}: " + ", ".join(
                    f"{c} {v[0] * 1e3:.1f} ms ({v[1][:6]})" for c, v in results[key][-1].items()),
                    flush=True)
    for curve in results["A"][0]:
        a = min(res[curve][0] for res in results["A"])
        b = min(res[curve][0] for res in results["B"])
        digests = {res[curve][1] for res in results["A"] + results["B"]}
        print(f"{curve:5s} points={results['B'][0][curve][2]} cpu_a_ms={a * 1e3:.2f} "
              f"cpu_b_ms={b * 1e3:.2f} ratio_b_a={b / a:.3f} "
              f"numbers={'same' if len(digests) == 1 else 'DIFFERENT ' + str(sorted(digests))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
