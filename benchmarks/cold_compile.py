#!/usr/bin/env python
"""CPU seconds of the main job on a fresh clone, and where the numba compile goes (issue 16, item 4).

    python benchmarks/cold_compile.py [--job help|diagram|both] [--top N]

Each job runs in a fresh Python process with fresh, empty ``NUMBA_CACHE_DIR`` and
``BIFKIT_CACHE`` directories and ``PYTHONPATH`` set to this checkout, as on a
fresh clone:

help       ``bifkit --help`` (``python -m bifkit.cli --help``): what the CLI
           loads before doing anything.
diagram    ``bifkit diagram bi2021-fig1a --quick --out DIR``: the main job.

Printed per job: ``cpu`` (user + system CPU seconds of the child, from
``getrusage``; less sensitive to a shared machine's load than wall time),
``wall``, and ``numba`` (seconds inside numba compiles, measured in the child
with numba's ``numba:compile`` events).  The compile time is then split by
phase (the module of the compiled function, e.g. ``continuation.codim2.core``)
as *self* time: each compile's time minus the compiles nested in it, so the
phases add up to the ``numba`` total.  ``--top N`` also lists the N most
expensive functions (self time, with the number of compiled signatures: a
function compiled twice shows ``x2``).  ``--keep DIR`` keeps the diagram's
output in DIR (to compare the numbers of two versions file by file).

Target (issue 16): the diagram job <= 45 s CPU.  Times vary with machine load;
compare numbers from runs made close together.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: the child: time numba compiles (self time per function), then run the CLI
CHILD = r"""
import json, sys, time
from collections import defaultdict
from numba.core import event

stack, self_time, n_sigs = [], defaultdict(float), defaultdict(int)

class _Timer(event.Listener):
    def on_start(self, ev):
        stack.append([time.process_time(), 0.0])
    def on_end(self, ev):
        start, nested = stack.pop()
        spent = time.process_time() - start
        disp = ev.data["dispatcher"]
        fn = getattr(disp, "py_func", None)
        name = (f"{fn.__module__}.{fn.__qualname__}" if fn is not None else str(disp))
        self_time[name] += spent - nested
        n_sigs[name] += 1
        if stack:
            stack[-1][1] += spent

event.register("numba:compile", _Timer())
from bifkit.cli import main
code = 0
try:
    code = main(sys.argv[1:]) or 0
except SystemExit as exc:
    code = exc.code or 0
with open(OUT, "w") as f:
    json.dump({"self": self_time, "n": n_sigs}, f)
sys.exit(code)
"""

JOBS = {
    "help": ["--help"],
    "diagram": ["diagram", "bi2021-fig1a", "--quick", "--out", "{out}"],
}


def run_job(args: list[str], keep: str | None = None) -> dict:
    """Run the CLI with ``args`` cold in a child; return cpu, wall and compile times."""
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {k: os.path.join(tmp, k) for k in ("numba", "bifkit", "out")}
        if keep:
            dirs["out"] = os.path.abspath(keep)
        for d in dirs.values():
            os.makedirs(d, exist_ok=True)
        report = os.path.join(tmp, "compile.json")
        env = {**os.environ, "NUMBA_CACHE_DIR": dirs["numba"], "BIFKIT_CACHE": dirs["bifkit"],
               "PYTHONPATH": ROOT}
        code = CHILD.replace("OUT", repr(report))
        argv = [a.format(out=dirs["out"]) for a in args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, *argv], env=env, cwd=tmp,
                              capture_output=True, text=True, timeout=3600)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"bifkit {' '.join(argv)} failed ({proc.returncode}):\n"
                               f"{proc.stderr[-3000:]}")
        with open(report) as f:
            compiled = json.load(f)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dict(cpu=cpu, wall=wall, **compiled)


def phase_of(name: str) -> str:
    """``bifkit.continuation.codim2.core.run`` -> ``continuation.codim2.core``."""
    module = name.rsplit(".", 1)[0] if "." in name else name
    parts = module.split(".")
    if parts[0] == "bifkit":
        parts = parts[1:]
    return ".".join(parts[:3]) if parts else module


def report(job: str, res: dict, top: int) -> None:
    numba_total = sum(res["self"].values())
    print(f"{job:8s} cpu {res['cpu']:7.1f} s  wall {res['wall']:7.1f} s  "
          f"numba {numba_total:7.1f} s  ({len(res['self'])} functions, "
          f"{sum(res['n'].values())} signatures)")
    phases: dict[str, float] = {}
    for name, sec in res["self"].items():
        phases[phase_of(name)] = phases.get(phase_of(name), 0.0) + sec
    for phase, sec in sorted(phases.items(), key=lambda kv: -kv[1]):
        if sec >= 0.05:
            print(f"    {phase:45s} {sec:7.2f} s  {100 * sec / max(numba_total, 1e-9):5.1f} %")
    twice = sorted(name for name, k in res["n"].items() if k > 1 and name.startswith("bifkit."))
    print(f"  bifkit functions compiled more than once: {', '.join(twice) or 'none'}")
    if top:
        print(f"  top {top} functions (self compile seconds):")
        for name, sec in sorted(res["self"].items(), key=lambda kv: -kv[1])[:top]:
            print(f"    {name:70s} {sec:7.2f} s  x{res['n'][name]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", choices=["help", "diagram", "both"], default="both")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="keep the diagram's output in DIR")
    args = parser.parse_args()
    jobs = ["help", "diagram"] if args.job == "both" else [args.job]
    total = 0.0
    for job in jobs:
        res = run_job(JOBS[job], args.keep if job == "diagram" else None)
        total += res["cpu"]
        report(job, res, args.top)
    if "diagram" in jobs:
        print(f"\nagainst the target: diagram cpu / 45 s = {res['cpu'] / 45.0:.2f}")


if __name__ == "__main__":
    main()
