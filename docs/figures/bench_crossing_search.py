"""Benchmark: one converged Hopf-crossing search of shotnoise-reentrant's full mode with the
leading eigenvalue from the full spectrum (LAPACK) against shift-invert Arnoldi (issue 18).

Runs ``shotnoise_common.converged_hopf_crossings`` for the full chain at i0/g0^2 = 3.26971e-4
on the full mode's K grid (30 points, 2-2000, M doubled up to 1024 by the tail rule) twice in
one process, first with every leading eigenvalue from the full spectrum
(``DENSE_EIG_MAX`` raised above every state size), then with the default (Arnoldi above 256
unknowns), and prints both wall times, their ratio and the crossings (which must agree).
About 2 min on one uncontended core.  Run from the repository root:

    python docs/figures/bench_crossing_search.py
"""
from __future__ import annotations

import time

import numpy as np

from bifkit.diagrams import shotnoise_common as sc

RATIO = 3.26971e-4
GRID = np.geomspace(2.0, 2000.0, 30)


def timed(dense_max: int):
    sc.DENSE_EIG_MAX = dense_max
    t0 = time.perf_counter()
    cross, _samples = sc.converged_hopf_crossings("shotnoise_chain", RATIO, GRID, M_max=1024)
    return time.perf_counter() - t0, [(c["K"], c["M"]) for c in cross]


if __name__ == "__main__":
    default = sc.DENSE_EIG_MAX
    timed(default)  # warm-up: numba compiles / disk cache loads of the M = 64-1024 chains
    t_full, c_full = timed(10 ** 9)
    t_arn, c_arn = timed(default)
    print(f"full spectrum: {t_full:.1f} s  {c_full}")
    print(f"Arnoldi:       {t_arn:.1f} s  {c_arn}")
    print(f"speed-up {t_full / t_arn:.1f}x; largest relative difference of the crossings "
          f"{max(abs(a[0] / b[0] - 1) for a, b in zip(c_full, c_arn)):.1e}")
