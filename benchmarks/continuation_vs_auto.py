#!/usr/bin/env python
"""Wall time of bifkit's continuation against AUTO-07p on the same curves (issues 3 and 4).

    python benchmarks/continuation_vs_auto.py [--repeats 3] [--curves EP-C,H-C,LC-C,PD-C,LPC-C]

One line per curve,

    <curve> points=<n> bifkit_s=<t> auto_s=<t> ratio=<r> ratio_min=<r> auto_points=<m> ...

with ``points`` the number of points of bifkit's branch, ``auto_points`` that
of AUTO's, times the median of ``--repeats`` runs and ``ratio`` =
bifkit_s / auto_s (target <= 1); ``ratio_min`` is the same ratio of the fastest
repeat of each engine (on a loaded machine the waits for a core inflate a few-ms
run's median more than AUTO's; the fastest repeat is the least disturbed).
Compile times are printed separately and
excluded: bifkit's numba JIT (first call minus the median of the repeats,
~0 when numba's disk cache is warm) and AUTO's gfortran build of the user
file (measured once in a scratch cache).  ``auto_s`` is the wall time of the
AUTO-07p processes themselves (``branch.options["auto"]["run_seconds"]`` plus
the start stage of PD-C); ``auto_total_s`` adds the backend's Python work
(writing fort.2/fort.3, reading fort.7/8/9).  AUTO runs with
``solutions="special"`` (NPR = 0: only labelled solutions written, as AUTO is
normally used) and without the l1 probes.

Both of those are wall times, so on a shared machine the ratio moves with the
load (the waits for a core count).  Three CPU-time columns end each line:
``bifkit_cpu_s`` (``time.process_time`` around each repeated call, median),
``auto_cpu_s`` (user + system CPU seconds of AUTO-07p's child processes during
each call, ``resource.getrusage(RUSAGE_CHILDREN)`` before and after it, median;
the backend waits for its processes, so they have exited when the call
returns; the backend's own Python work is not in it) and ``cpu_ratio`` =
bifkit_cpu_s / auto_cpu_s.  The timed calls are the same as for ``ratio``.

Curves (E-I neural mass, K = 1000, D_ii = 0.3, D_ee = 2.0):

EP-C   equilibria in I_e over [1e-5, 200], both directions
H-C    the Hopf curve in (I_e, D_ee) from the lower Hopf point, I_e in [1e-5, 200],
       D_ee in [0.5, 4]
LC-C   cycles from the lower Hopf point down to I_e = 1e-5, ntst 50, ncol 4
PD-C   the period-doubling curve from the first PD point, ntst 100, ncol 4: one
       loop (bifkit stops when the loop closes; AUTO at its second crossing of
       D_ee = 2, i.e. back at the start: UZR on D_ee with STOP = UZ2); PD-C_as_auto:
       the same without the codimension-2 labels of cycles (detect=(): no GPD
       coefficient at every point), the work AUTO-07p does on that curve

LPC-C  the fold-of-cycles curve from the Bautin (GH) point of the H-C curve, D_ee in
       [3.7, 4.5] (bifkit finds the start cycle next to GH itself; AUTO-07p gets the
       same start only if its backend accepts a GH start, else the line says so)

Each engine uses its own default step control, so the point counts differ
(LC-C also prints each engine's ``*_ms_per_point`` and their ``ratio_per_point``);
a curve missing on either side prints a line saying so.

Memory per point (issue 20), from one extra untimed bifkit run per curve:
``peak_kb_per_point`` is the tracemalloc peak of the run (Python and numpy
allocations: the stored points and the step's work arrays; arrays allocated
inside numba's compiled loops are not traced, they are the preallocated
``max_points`` rows of EP-C and the codim-2 curves) divided by the number of
points; ``stored_kb_per_point`` the bytes of the returned branch's arrays
(states, parameters, eigenvalues, per-point data, orbits) per point.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import bifkit
from bifkit.backends import auto07p

EI = dict(K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
BOUNDS = {"I_e": (1e-5, 200.0)}
BOUNDS2 = {"I_e": (1e-5, 200.0), "D_ee": (0.5, 4.0)}
BOUNDS_PD = {"I_e": (1e-5, 200.0), "D_ee": (0.5, 6.0)}


#: fastest of the repeats, per engine (set by timed / auto_timed for the line's ratio_min)
FASTEST = {}


#: median CPU seconds of the repeats, per engine (set by timed / auto_timed for the line's
#: bifkit_cpu_s, auto_cpu_s and cpu_ratio)
CPU = {}


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's waited-for child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(fn, repeats):
    """(first-call seconds, median seconds of ``repeats`` further calls, last result)."""
    t0 = time.perf_counter()
    res = fn()
    first = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(max(repeats, 1)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    FASTEST["bifkit"] = min(times)
    CPU["bifkit"] = statistics.median(cpu)
    return first, statistics.median(times), res


def auto_timed(fn, repeats):
    """(median AUTO process seconds, median backend seconds, last branch)."""
    procs, totals, cpu, br = [], [], [], None
    for _ in range(max(repeats, 1)):
        c0 = children_cpu_seconds()
        t0 = time.perf_counter()
        br = fn()
        totals.append(time.perf_counter() - t0)
        cpu.append(children_cpu_seconds() - c0)   # AUTO's processes have exited by now
        info = br.options["auto"]
        procs.append(sum(info["run_seconds"]) + info.get("start_seconds", 0.0))
    FASTEST["auto"] = min(procs)
    CPU["auto"] = statistics.median(cpu)
    return statistics.median(procs), statistics.median(totals), br


def auto_compile_seconds(model) -> float:
    """gfortran build time of the model's user file, in a scratch cache."""
    from bifkit.backends.auto07p import build, problem
    am = problem.compile_model(model)
    src = am.source.read_text()
    old = os.environ.get("BIFKIT_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BIFKIT_CACHE"] = tmp
        try:
            return build.build(src, "bench").compile_seconds
        finally:
            if old is None:
                os.environ.pop("BIFKIT_CACHE", None)
            else:
                os.environ["BIFKIT_CACHE"] = old


def npoints(result) -> int:
    return len(result)


def stored_bytes(branch) -> int:
    """Bytes of a branch's arrays, orbits included."""
    total = branch.x.nbytes + branch.p.nbytes + branch.eigenvalues.nbytes
    total += sum(np.asarray(v).nbytes for v in branch.data.values())
    for o in getattr(branch, "orbits", ()):
        total += o.U.nbytes + o.mesh.nbytes + sum(np.asarray(v).nbytes for v in o.info.values()
                                                  if isinstance(v, np.ndarray))
    return total


def memory_per_point(fn) -> str:
    """The memory fields of a line (see the module docstring)."""
    tracemalloc.start()
    br = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    n = max(len(br), 1)
    return f" peak_kb_per_point={peak / n / 1e3:.1f} stored_kb_per_point={stored_bytes(br) / n / 1e3:.1f}"


class Bench:
    """The curves, built on each other (Hopf -> cycles -> PD) for both engines."""

    def __init__(self, repeats):
        self.repeats = repeats
        self.m = bifkit.load_model("ei_neural_mass", **EI)
        self.start = self.m.steady_state()[0]
        self.akw = dict(solutions="special")
        self.cache = {}

    def line(self, curve, bif, auto, per_point=False):
        """Print the line of one curve; ``bif`` and ``auto`` are callables or a reason string.

        ``per_point``: also print each engine's milliseconds per branch point (the
        engines' default step controls give different point counts).
        """
        if isinstance(bif, str) or isinstance(auto, str):
            why = bif if isinstance(bif, str) else auto
            side = "bifkit" if isinstance(bif, str) else "AUTO-07p"
            print(f"{curve} missing on the {side} side: {why}", flush=True)
            return None, None
        try:
            first, tb, rb = timed(bif, self.repeats)
        except NotImplementedError as e:
            print(f"{curve} missing on the bifkit side: {e}", flush=True)
            return None, None
        ta, ttot, ra = auto_timed(auto, self.repeats)
        extra = ""
        if per_point:
            mb, ma = 1e3 * tb / max(npoints(rb), 1), 1e3 * ta / max(npoints(ra), 1)
            extra = (f" bifkit_ms_per_point={mb:.2f} auto_ms_per_point={ma:.2f} "
                     f"ratio_per_point={mb / ma:.2f}")
        extra += memory_per_point(bif)
        print(f"{curve} points={npoints(rb)} bifkit_s={tb:.3f} auto_s={ta:.3f} "
              f"ratio={tb / ta:.2f} ratio_min={FASTEST['bifkit'] / FASTEST['auto']:.2f} "
              f"auto_points={npoints(ra)} auto_total_s={ttot:.3f} "
              f"bifkit_jit_s={max(first - tb, 0.0):.2f}{extra} "
              f"bifkit_cpu_s={CPU['bifkit']:.3f} auto_cpu_s={CPU['auto']:.3f} "
              f"cpu_ratio={CPU['bifkit'] / max(CPU['auto'], 1e-9):.2f}", flush=True)
        return rb, ra

    def bifkit_only(self, curve, bif, why):
        """The line of a curve AUTO-07p cannot run here: bifkit's time and memory, and why."""
        first, tb, br = timed(bif, self.repeats)
        print(f"{curve} points={len(br)} bifkit_s={tb:.3f} "
              f"bifkit_jit_s={max(first - tb, 0.0):.2f}{memory_per_point(bif)}; "
              f"missing on the AUTO-07p side: {why}", flush=True)

    def ep(self):
        kw = dict(bounds=BOUNDS, direction="both")
        rb, ra = self.line(
            "EP-C",
            lambda: bifkit.continuation(self.m, "EP-C", self.start, ["I_e"], log_params=["I_e"],
                                        **kw),
            lambda: auto07p.continuation(self.m, "EP-C", self.start, ["I_e"], l1=False,
                                         **self.akw, **kw))
        self.cache["EP"] = (rb, ra)

    def _hopf(self):
        rb, ra = self.cache.get("EP", (None, None))
        if ra is None:
            ra = auto07p.continuation(self.m, "EP-C", self.start, ["I_e"], bounds=BOUNDS, l1=False)
        if rb is None:
            rb = bifkit.continuation(self.m, "EP-C", self.start, ["I_e"], bounds=BOUNDS,
                                     log_params=["I_e"])
        return rb.special_points("H")[0], ra.special_points("H")[0]

    def hc(self):
        hb, ha = self._hopf()
        self.cache["HC"] = self.line(
            "H-C",
            lambda: bifkit.continuation(self.m, "H-C", hb, ["I_e", "D_ee"], bounds=BOUNDS2,
                                        log_params=["I_e"]),
            lambda: auto07p.continuation(self.m, "H-C", ha, ["I_e", "D_ee"], bounds=BOUNDS2,
                                         max_points=5000, **self.akw))

    def lc(self):
        hb, ha = self._hopf()
        kw = dict(bounds=BOUNDS, ntst=50, ncol=4)
        rb, ra = self.line(
            "LC-C",
            lambda: bifkit.continuation(self.m, "LC-C", start=hb, free=["I_e"],
                                        log_params=["I_e"], **kw),
            lambda: auto07p.continuation(self.m, "LC-C", ha, ["I_e"], max_points=5000,
                                         **self.akw, **kw), per_point=True)
        self.cache["LC"] = (rb, ra)

    def pd(self):
        rb, ra = self.cache.get("LC", (None, None))
        if rb is None or ra is None:
            hb, ha = self._hopf()
            kw = dict(bounds=BOUNDS, ntst=50, ncol=4)
            rb = bifkit.continuation(self.m, "LC-C", start=hb, free=["I_e"], log_params=["I_e"],
                                     **kw)
            ra = auto07p.continuation(self.m, "LC-C", ha, ["I_e"], **kw)
        pb, pa = rb.special_points("PD"), ra.special_points("PD")
        if not pb or not pa:
            self.line("PD-C", "no PD point on bifkit's LC-C branch" if not pb else "",
                      "no PD point on AUTO's LC-C branch")
            return
        D0 = pa[0].params["D_ee"]

        def auto_run():
            return auto07p.continuation(self.m, "PD-C", pa[0], ["I_e", "D_ee"], bounds=BOUNDS_PD,
                                        ntst=100, ncol=4, max_points=2000, direction="forward",
                                        user_points={"D_ee": [D0]},
                                        constants={"STOP": ["UZ2"]}, **self.akw)
        # PD-C with bifkit's default labels (the GPD coefficient c at every point, LPPD, PDNS,
        # R2) and PD-C with the work AUTO-07p does on a PD curve (no codimension-2 labels of
        # cycles: detect=())
        for name, detect in (("PD-C", None), ("PD-C_as_auto", ())):
            self.line(
                name,
                lambda detect=detect: bifkit.continuation(
                    self.m, "PD-C", pb[0], ["I_e", "D_ee"], bounds=BOUNDS_PD,
                    log_params=["I_e"], ntst=100, ncol=4, detect=detect),
                auto_run)


    def lpc(self):
        rb, ra = self.cache.get("HC", (None, None))
        if rb is None:
            hb, ha = self._hopf()
            rb = bifkit.continuation(self.m, "H-C", hb, ["I_e", "D_ee"], bounds=BOUNDS2,
                                     log_params=["I_e"])
            ra = auto07p.continuation(self.m, "H-C", ha, ["I_e", "D_ee"], bounds=BOUNDS2,
                                      max_points=5000, **self.akw)
        gb, ga = rb.special_points("GH"), ra.special_points("GH")
        if not gb:
            self.line("LPC-C", "no GH point on bifkit's H-C curve", "")
            return
        kw = dict(bounds={"D_ee": (3.7, 4.5)}, log_params=["I_e"])
        bif = lambda: bifkit.continuation(self.m, "LPC-C", gb[0], ["I_e", "D_ee"],  # noqa: E731
                                          max_points=300, **kw)
        if not ga:
            self.bifkit_only("LPC-C", bif, "no GH point on AUTO's H-C curve")
            return
        try:
            auto07p.continuation(self.m, "LPC-C", ga[0], ["I_e", "D_ee"], max_points=5,
                                 **self.akw, **kw)
        except Exception as e:   # the backend's own limits, reported as such
            self.bifkit_only("LPC-C", bif, f"{type(e).__name__}: {e}")
            return
        self.line("LPC-C", bif,
                  lambda: auto07p.continuation(self.m, "LPC-C", ga[0], ["I_e", "D_ee"],
                                               max_points=5000, **self.akw, **kw))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--curves", default="EP-C,H-C,LC-C,PD-C,LPC-C")
    args = ap.parse_args(argv)
    if not auto07p.available():
        print(f"AUTO-07p unavailable: {auto07p.missing_message()}")
        return 0
    b = Bench(args.repeats)
    print(f"# AUTO-07p user file build (gfortran, excluded): "
          f"{auto_compile_seconds(b.m):.2f} s", flush=True)
    todo = {"EP-C": b.ep, "H-C": b.hc, "LC-C": b.lc, "PD-C": b.pd, "LPC-C": b.lpc}
    for curve in args.curves.split(","):
        if curve not in todo:
            print(f"{curve} unknown curve; choose from {', '.join(todo)}")
            continue
        try:
            todo[curve]()
        except Exception as e:   # report and go on with the next curve
            print(f"{curve} failed: {type(e).__name__}: {e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
