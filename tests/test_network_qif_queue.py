"""Queue bounds of the exact QIF kernel: the fast atan2 may choose buckets, never spike times.

Reference: math.atan2 (libm) and the kernel's exact remaining phase ``_phase_left``.
"""
import math

import numpy as np
from numba import njit

from bifkit.network._qif_kernel import _FAST_MARGIN, _atan2_fast, _phase_left, _queue_time


@njit
def _worst_atan2_error(n, r):
    worst = 0.0
    for k in range(n):
        a = 2.0 * math.pi * (k + 0.5) / n - math.pi
        y, x = r * math.sin(a), r * math.cos(a)
        e = abs(_atan2_fast(y, x) - math.atan2(y, x))
        worst = max(worst, min(e, abs(e - 2.0 * math.pi)))   # +-pi are the same angle
    return worst


def test_fast_atan2_error_is_below_the_queue_margin():
    # radii: the kernel keeps its phase vectors between 2^-200 and 2^200 (_rescale_states)
    worst = max(_worst_atan2_error(200_001, r) for r in (2.0 ** -200, 1e-5, 1.0, 1e5, 2.0 ** 200))
    assert worst < 1e-6            # measured 6.9e-7 rad
    assert worst < _FAST_MARGIN / 4


@njit
def _check_queue_times(p, q, C, S, t, om, lim):
    bad_bound = 0
    not_exact = 0
    for k in range(p.size):
        exact = t + _phase_left(p[k], q[k], C[k], S[k]) / om
        T = _queue_time(p[k], q[k], C[k], S[k], t, om, 1.0 / om, lim[k])  # bound: * (1/om)
        if T > exact:
            bad_bound += 1          # a bucket after the spike: a spike would be missed
        if exact < lim[k] and T != exact:
            not_exact += 1          # heap keys must be the exact spike times
        if T != exact and T < lim[k]:
            not_exact += 1          # a bound is only used for buckets (>= the heap window end)
    return bad_bound, not_exact


def test_queue_time_is_a_lower_bound_and_exact_in_the_heap_window():
    rng = np.random.default_rng(7)
    n = 400_000
    ang = rng.uniform(-math.pi, math.pi, n)
    rad = np.exp(rng.uniform(-20, 20, n))
    p, q = rad * np.cos(ang), rad * np.sin(ang)
    wt = rng.uniform(0, 2 * math.pi, n)
    C, S = np.cos(wt), np.sin(wt)
    t, om = 3.0, 2.5
    # heap-window ends from well before to well after the spikes (remaining phase <= pi)
    lim = t + rng.uniform(-0.1, 1.1, n) * math.pi / om
    # states just around a window end: the exact time within a few 1e-7 of lim
    exact = t + np.array([_phase_left(a, b, c, s) for a, b, c, s in
                          zip(p[:2000], q[:2000], C[:2000], S[:2000])]) / om
    lim[:2000] = exact + rng.uniform(-3e-6, 3e-6, 2000)
    bad_bound, not_exact = _check_queue_times(p, q, C, S, t, om, lim)
    assert bad_bound == 0
    assert not_exact == 0
