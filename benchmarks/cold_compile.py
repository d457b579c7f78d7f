#!/usr/bin/env python
"""Wall and CPU seconds of the main job on a fresh clone, and where the numba compile goes
(issue 16, item 4).

    python benchmarks/cold_compile.py [--job help|diagram|both] [--top N] [--keep DIR]
                                      [--no-background] [--record] [--timeline]

Each job runs in a fresh Python process with fresh, empty ``NUMBA_CACHE_DIR`` and
``BIFKIT_CACHE`` directories and ``PYTHONPATH`` starting with this checkout, as on a
fresh clone:

help       ``bifkit --help`` (``python -m bifkit.cli --help``): what the CLI
           loads before doing anything.
diagram    ``bifkit diagram bi2021-fig1a --quick --out DIR``: the main job.  On an
           empty cache it starts a background process that compiles the job's later
           kernels on the second core (``bifkit/_warmup.py``); ``--no-background``
           runs it without (``BIFKIT_WARMUP=0``).

Printed per job: ``wall``; ``cpu`` (user + system CPU seconds of the job and of
the background compile process it started, from ``getrusage``); the cores this
machine gives the job and its load average (wall time depends on both); and
``numba`` (seconds inside numba compiles *of the main process*, measured there
with numba's ``numba:compile`` events).  The compile time is then split by
phase (the module of the compiled function, e.g. ``continuation.codim2.core``)
as *self* time: each compile's time minus the compiles nested in it, so the
phases add up to the ``numba`` total.  ``--top N`` also lists the N most
expensive functions (self time, with the number of compiled signatures: a
function compiled twice shows ``x2``).  ``--keep DIR`` keeps the diagram's
output in DIR (to compare the numbers of two versions file by file).
``--record`` runs the diagram job without background compile and writes the
bifkit functions it compiled, in order, to ``bifkit/_warmup_manifest.json``
(what the background process compiles; rerun it after changing compiled code).
``--timeline`` also prints, in wall seconds from the job's start, what the main
process does (sampled every 0.1 s: the recipe function, and compiling which
function / waiting for the background process / sympy / import / computing in
which module; compiled code holds the GIL, so its computing shows as gaps
between samples) beside the background process's functions (start and end of
each, ``BIFKIT_WARMUP_TRACE``), and with ``--keep DIR`` writes it all to
``DIR/cold_compile_timeline.json``.

Target (issue 16): the diagram job <= 45 s wall on 2 cores.  Times vary with
machine load; compare numbers from runs made close together.
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

stack, self_time, n_sigs, order = [], defaultdict(float), defaultdict(int), []
T0 = time.time()
spans = []      # (start, end) wall seconds of the outermost compiles, name
samples = []    # (wall seconds, what the main thread does), every 0.1 s

def _name(disp):
    fn = getattr(disp, "py_func", None)
    return f"{fn.__module__}.{fn.__qualname__}" if fn is not None else str(disp)

class _Timer(event.Listener):
    def on_start(self, ev):
        stack.append([time.process_time(), 0.0, time.time(), _name(ev.data["dispatcher"])])
    def on_end(self, ev):
        start, nested, wall0, outer = stack.pop()
        if not stack:
            spans.append((wall0 - T0, time.time() - T0, outer))
        spent = time.process_time() - start
        disp = ev.data["dispatcher"]
        fn = getattr(disp, "py_func", None)
        name = _name(disp)
        self_time[name] += spent - nested
        n_sigs[name] += 1
        if (fn is not None and fn.__module__.startswith("bifkit.")
                and "<locals>" not in fn.__qualname__):   # (overload implementations)
            order.append((fn.__module__, fn.__qualname__, ev.data["args"]))
        if stack:
            stack[-1][1] += spent

event.register("numba:compile", _Timer())

def _what(frame):
    # what the main thread does: the outermost recipe function below compute(), and
    # compile <function> / wait / sympy / import / compute <innermost bifkit module>
    phase, kind, inner = "", "compute", ""
    while frame is not None:
        code = frame.f_code
        mod = frame.f_globals.get("__name__", "")
        if "diagrams." in mod and code.co_name not in SKIP:
            phase = code.co_name
        if code.co_name == "_acquire" and mod == "bifkit._warmup":
            kind = "wait"
        elif kind == "compute" and mod.startswith("sympy"):
            kind = "sympy"
        elif kind == "compute" and mod.startswith("importlib"):
            kind = "import"
        if not inner and mod.startswith(("bifkit", "diagrams")):
            inner = mod
        frame = frame.f_back
    if kind != "wait" and stack:   # compiling (also during an import)
        kind = "compile " + stack[0][3]
    elif kind == "compute":
        kind = "compute " + inner
    return phase, kind

SKIP = {"compute", "phase", "<lambda>", "run", "run_recipe", "cmd_diagram", "main", "<module>"}

def _sample():
    import threading
    main_id = threading.main_thread().ident
    while True:
        frame = sys._current_frames().get(main_id)
        if frame is None:
            return
        samples.append((time.time() - T0,) + _what(frame))
        del frame
        time.sleep(0.1)

if TIMELINE:
    import threading
    threading.Thread(target=_sample, daemon=True).start()
from bifkit.cli import main
code = 0
try:
    code = main(sys.argv[1:]) or 0
except SystemExit as exc:
    code = exc.code or 0
from bifkit._warmup import encode_args
recorded = [[m, q, a] for m, q, a in ((m, q, encode_args(args)) for m, q, args in order)
            if a is not None]
import resource
own = resource.getrusage(resource.RUSAGE_SELF)
bg = resource.getrusage(resource.RUSAGE_CHILDREN)   # the background compile, reaped by the job
with open(OUT, "w") as f:
    json.dump({"self": self_time, "n": n_sigs, "order": recorded, "t0": T0,
               "spans": spans, "samples": samples,
               "cpu_main": own.ru_utime + own.ru_stime, "cpu_bg": bg.ru_utime + bg.ru_stime}, f)
sys.exit(code)
"""

JOBS = {
    "help": ["--help"],
    "diagram": ["diagram", "bi2021-fig1a", "--quick", "--out", "{out}"],
}
#: the manifest key of the diagram job (bifkit/_warmup.py, diagrams/cli.py)
DIAGRAM_KEY = "diagram bi2021-fig1a --quick"
#: issue 16: the cold main job in <= 45 s wall time on 2 cores
TARGET_WALL = 45.0


def run_job(args: list[str], keep: str | None = None, background: bool = True,
            timeline: bool = False) -> dict:
    """Run the CLI with ``args`` cold in a child; return cpu, wall and compile times.

    ``cpu`` counts the child and the background compile process it started (both
    are reaped, so ``RUSAGE_CHILDREN`` includes them); ``numba``/``self`` only the
    compiles of the main process.
    """
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {k: os.path.join(tmp, k) for k in ("numba", "bifkit", "out")}
        if keep:
            dirs["out"] = os.path.abspath(keep)
        for d in dirs.values():
            os.makedirs(d, exist_ok=True)
        report = os.path.join(tmp, "compile.json")
        path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "NUMBA_CACHE_DIR": dirs["numba"], "BIFKIT_CACHE": dirs["bifkit"],
               "PYTHONPATH": path, "BIFKIT_WARMUP": "1" if background else "0"}
        trace = os.path.join(tmp, "background-trace.jsonl")
        if timeline:
            env["BIFKIT_WARMUP_TRACE"] = trace
        code = CHILD.replace("OUT", repr(report)).replace("TIMELINE", repr(timeline))
        argv = [a.format(out=dirs["out"]) for a in args]
        load = os.getloadavg()[0]
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
        compiled["trace"] = []
        if os.path.exists(trace):
            with open(trace) as f:
                compiled["trace"] = [json.loads(line) for line in f if line.strip()]
        bg_log = os.path.join(dirs["numba"], "bifkit-warmup", "background.log")
        bg = open(bg_log).read().strip().splitlines()[-2:] if os.path.exists(bg_log) else []
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dict(cpu=cpu, wall=wall, load=(load, os.getloadavg()[0]), background=bg,
                **compiled)


def phase_of(name: str) -> str:
    """``bifkit.continuation.codim2.core.run`` -> ``continuation.codim2.core``."""
    module = name.rsplit(".", 1)[0] if "." in name else name
    parts = module.split(".")
    if parts[0] == "bifkit":
        parts = parts[1:]
    return ".".join(parts[:3]) if parts else module


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def report(job: str, res: dict, top: int) -> None:
    numba_total = sum(res["self"].values())
    print(f"{job:8s} wall {res['wall']:7.1f} s  cpu {res['cpu']:7.1f} s (all processes)  "
          f"numba in the main process {numba_total:7.1f} s  ({len(res['self'])} functions, "
          f"{sum(res['n'].values())} signatures)")
    print(f"    cpu of the main process {res['cpu_main']:.1f} s, of the background compile "
          f"{res['cpu_bg']:.1f} s")
    print(f"    {cores()} cores, load average {res['load'][0]:.1f} before, "
          f"{res['load'][1]:.1f} after; background compile: "
          f"{'; '.join(res['background']) or 'not started'}")
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


def _segments(samples: list) -> list:
    """Consecutive samples with the same (phase, activity) as (start, end, phase, activity)."""
    out = []
    for t, phase, kind in samples:
        if out and t - out[-1][1] > 0.3:   # no samples: compiled code held the GIL
            out.append([out[-1][1], t, out[-1][2], "compute in compiled code (not sampled)"])
        if out and out[-1][2:] == [phase, kind]:
            out[-1][1] = t + 0.1
        else:
            out.append([t, t + 0.1, phase, kind])
    return out


def print_timeline(res: dict, shortest: float = 0.5) -> None:
    """Main process (sampled every 0.1 s) and background process (per item) side by side."""
    t0 = res["t0"]
    segments = _segments(res["samples"])
    rows = [(a, b, "main", f"{p or '-'}: {k}") for a, b, p, k in segments]
    rows += [(a - t0, b - t0, "bg", name) for a, b, name in res["trace"]]
    rows += [(a, b, "main", "compiled " + name) for a, b, name in res["spans"]]
    print(f"  timeline (wall s from the main process start; main sampled every 0.1 s, "
          f"rows shorter than {shortest} s left out):")
    for a, b, who, what in sorted(rows):
        if b - a >= shortest or what.startswith("<"):
            print(f"    {a:6.1f} {b:6.1f} {b - a:5.1f}  {who:4s} {what}")
    own = sum(b - a for a, b, _ in res["spans"])
    waits = sum(b - a for a, b, _, k in segments if k == "wait")
    end = res["samples"][-1][0] if res["samples"] else 0.0
    bg_end = max((b - t0 for _, b, _ in res["trace"]), default=0.0)
    print(f"  main process: {end:.1f} s = {own:.1f} s in its own compiles + {end - own:.1f} s "
          f"else (importing, deriving, computing, and {waits:.1f} s sampled waiting for the "
          f"background process); background process busy until {bg_end:.1f} s")
    totals: dict[str, float] = {}
    for a, b, p, k in segments:
        key = "compile " + phase_of(k.split(" ", 1)[1]) if k.startswith("compile") else k
        totals[key] = totals.get(key, 0.0) + (b - a)
    print("  main process wall by activity (s):")
    for key, sec in sorted(totals.items(), key=lambda kv: -kv[1]):
        if sec >= 0.2:
            print(f"    {key:50s} {sec:6.1f}")
    by_phase: dict[str, float] = {}
    for a, b, p, k in segments:
        by_phase[p or "-"] = by_phase.get(p or "-", 0.0) + (b - a)
    print("  main process wall by recipe function (s): "
          + ", ".join(f"{p} {s:.1f}" for p, s in sorted(by_phase.items(), key=lambda kv: -kv[1])))


def record(res: dict) -> None:
    """Write the diagram job's compile order into bifkit's background-compile manifest."""
    path = os.path.join(ROOT, "bifkit", "_warmup_manifest.json")
    try:
        with open(path) as f:
            manifest = json.load(f)
    except OSError:
        manifest = {}
    manifest["comment"] = ("bifkit functions each job compiles on an empty numba cache, in "
                           "order (the background process of bifkit/_warmup.py compiles them "
                           "from the last one backwards); written by "
                           "python benchmarks/cold_compile.py --record")
    manifest.setdefault("jobs", {})[DIAGRAM_KEY] = res["order"]
    with open(path, "w") as f:   # one function per line: readable diffs
        f.write("{" + f'"comment": {json.dumps(manifest["comment"])},\n"jobs": {{\n')
        f.write(",\n".join(f"{json.dumps(job)}: [\n" + ",\n".join(json.dumps(item)
                                                                  for item in items) + "\n]"
                           for job, items in manifest["jobs"].items()))
        f.write("\n}}\n")
    print(f"recorded {len(res['order'])} compiled signatures of {DIAGRAM_KEY!r} in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", choices=["help", "diagram", "both"], default="both")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="keep the diagram's output in DIR")
    parser.add_argument("--no-background", action="store_true",
                        help="without the background compile process (BIFKIT_WARMUP=0)")
    parser.add_argument("--timeline", action="store_true",
                        help="print what the main process (sampled) and the background "
                             "process (per item) do, in wall time")
    parser.add_argument("--record", action="store_true",
                        help="run the diagram job without background compile and write its "
                             "compile order to bifkit/_warmup_manifest.json")
    args = parser.parse_args()
    jobs = ["help", "diagram"] if args.job == "both" else [args.job]
    if args.record:
        jobs = ["diagram"]
    for job in jobs:
        res = run_job(JOBS[job], args.keep if job == "diagram" else None,
                      background=not (args.no_background or args.record),
                      timeline=args.timeline)
        report(job, res, args.top)
        if args.timeline:
            print_timeline(res)
            if args.keep:
                with open(os.path.join(args.keep, "cold_compile_timeline.json"), "w") as f:
                    json.dump(res, f)
    if args.record:
        record(res)
    if "diagram" in jobs:
        print(f"\ntarget (issue 16): the cold main job in <= {TARGET_WALL:.0f} s wall on 2 cores; "
              f"this run: {res['wall']:.1f} s wall ({res['wall'] / TARGET_WALL:.2f} x target), "
              f"{res['cpu']:.1f} s cpu, on {cores()} cores at load {res['load'][0]:.1f}")


if __name__ == "__main__":
    main()
