"""The LC-C corrector of one point in one compiled call.

The chord Newton of :meth:`.lc_run.Corrector.correct` (the same operations in
the same order: collocation residual, factorisation of the Jacobian at the
predictor with the border rows eliminated, chord steps with a refresh when
the contraction is slower than 1/2, convergence when the step or the error
left after it is below ``tol``), then the Jacobian factorised at the solution
and, on request, the tangent there.  In Python these were 10-15 calls of
compiled functions per point, each converting ~20 array arguments, plus the
loop itself (~30 % of the run under cProfile).  E-I LC-C of
``benchmarks/continuation_vs_auto.py`` (ntst 50), CPU time of the run
(process_time, min of 10-12, loaded 2-core machine): 33.9 ms with this module
and the tangent predictor, 31.7 ms with the second-order predictor of
:mod:`.lc_run`, 26.5 ms with the border rows compiled too; AUTO-07p on the
same curve 38 ms (getrusage of its processes).

Numba's disk cache entry of this function holds the code of the functions it
calls (:mod:`.kernels`, :mod:`.collocation`); edits there invalidate it through
:mod:`bifkit._numba_cache` (the file's stamp includes the bifkit modules it
imports).  The factorisation, border elimination and chord step of
:mod:`.linalg` and the collocation kernels are called through their symbols
(:func:`bifkit._separate.separate`): compiled once, not copied into this function.

The model's kernels arrive as the address array ``K`` of
:mod:`bifkit.binding` (as in :mod:`.kernels`), so this compiles once for all
models.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..._separate import separate
from .collocation import phase_row
from .kernels import coll_jacobian, coll_residual
from .linalg import chord_step, condense_factor, sep_condense_borders, sep_condense_rhs

LN10 = math.log(10.0)

#: :func:`.linalg.condense_factor` and :func:`.linalg.chord_step` called through their
#: symbols (see the module doc)
sep_condense_factor = separate(condense_factor)
sep_chord_step = separate(chord_step)
#: the collocation kernels likewise: compiled once (Python calls them too), not a copy
#: in each caller (the cold main job's compile, issue 16)
sep_coll_jacobian = separate(coll_jacobian)
sep_coll_residual = separate(coll_residual)


@nb.njit(cache=True)
def _jacobian(K, U, T, pp, ifree, log, mesh, W, Wd, Jblk, Jb):
    """Collocation Jacobian into (Jblk, Jb); the parameter column in theta = log10 p if ``log``."""
    sep_coll_jacobian(K, U, T, pp, ifree, mesh, W, Wd, Jblk, Jb)
    if log:
        s = pp[ifree[0]] * LN10
        for j in range(Jb.shape[0]):
            for r in range(Jb.shape[1]):
                Jb[j, r, 1] *= s


@nb.njit(cache=True)
def correct(K, U0, T0, th0, p_in, ipar, log, mesh, W, Wd, C, D, B0, B1, Bz, fix, fval, tol,
            max_iter, want_tangent, wU, wT):
    """Chord Newton from (U0, T0, th0) for the border rows (C, D); see the module doc.

    Returns
    -------
    ok : bool
    iterations : int
    U, z : the solution (z = (T, theta))
    top, V1, b1, mid, V2, b2, P, Q, S : the factorisation at the solution
        (:func:`.linalg.condense_factor`)
    Jblk, Jb : the Jacobian at the solution
    tU, tz : with ``want_tangent``, the unit tangent (the arclength row of (C, D)
        as its last row) from the chord factorisation, whose borders (C, D) are
        eliminated already: one solve (~15 us at ntst 50) instead of eliminating
        them again on the factorisation at the solution (~31 us).  That Jacobian
        is the one at the predictor (or at the last refresh), O(|predictor -
        solution|) from the solution's, and so is the tangent (E-I LC-C
        benchmark: up to 2e-2 in the weighted norm): it sets the next step's
        predictor and hyperplane (the points found are converged points of the
        branch all the same) and the curvature estimate; where the sign of its
        parameter component matters (near 0: folds, Hopf returns) or events
        read it, :mod:`.lc_run` replaces it by the exact tangent
        (:data:`.lc_run.EXACT_TANGENT_BELOW`).  Zeros without ``want_tangent``.
    """
    N = mesh.shape[0] - 1
    m = W.shape[0]
    n = U0.shape[1]
    U = U0.copy()
    z0 = np.empty(2)
    z0[0] = T0
    z0[1] = th0
    z = z0.copy()
    pp = p_in.copy()
    ifree = np.empty(1, dtype=np.int64)
    ifree[0] = ipar
    rcol = np.empty((N, m * n))
    Jblk = np.empty((N, m * n, (m + 1) * n))
    Jb = np.empty((N, m * n, 2))
    pp[ipar] = 10.0 ** z[1] if log else z[1]
    _jacobian(K, U, z[0], pp, ifree, log, mesh, W, Wd, Jblk, Jb)
    top, V1, b1, mid, V2, b2, P, Q, S = sep_condense_factor(Jblk, Jb)
    G1, G2, Md = sep_condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz)
    refresh = False
    last = np.inf
    ok = False
    it = 0
    for it in range(1, max_iter + 1):
        pp[ipar] = 10.0 ** z[1] if log else z[1]
        sep_coll_residual(K, U, z[0], pp, mesh, W, Wd, rcol)
        if refresh:
            _jacobian(K, U, z[0], pp, ifree, log, mesh, W, Wd, Jblk, Jb)
            top, V1, b1, mid, V2, b2, P, Q, S = sep_condense_factor(Jblk, Jb)
            G1, G2, Md = sep_condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz)
            refresh = False
        step = sep_chord_step(top, V1, b1, mid, V2, b2, G1, G2, Md, rcol, C, D, U, U0, z, z0,
                          fix, fval)
        if not step == step or z[0] <= 0:   # NaN: non-finite residual or update
            break
        # converged when the step, or the error left after it, is below tol: the chord
        # iteration contracts linearly by r = step / last, leaving ~ step r / (1 - r)
        if step < tol or (it > 1 and step < 0.5 * last and step * step < tol * (last - step)):
            ok = True
            break
        if step > 0.5 * last:
            refresh = True   # slow contraction: refresh the Jacobian
        last = step
    tU = np.zeros_like(U)
    tz = np.zeros(2)
    if ok:
        if want_tangent:   # J_ext t = (0, ..., 0, 1) with the chord factorisation
            rc = np.zeros(2)
            rc[1] = 1.0
            dU, dz = sep_condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md,
                                      np.zeros((N, m * n)), np.zeros(n), rc)
            s = wT * dz[0] * dz[0] + dz[1] * dz[1]   # normalised as linalg.tangent_solve
            for i in range(dU.shape[0]):
                for a in range(n):
                    s += wU[i, a] * dU[i, a] * dU[i, a]
            nrm = math.sqrt(s)
            tU = dU / nrm
            tz = dz / nrm
        pp[ipar] = 10.0 ** z[1] if log else z[1]
        _jacobian(K, U, z[0], pp, ifree, log, mesh, W, Wd, Jblk, Jb)
        top, V1, b1, mid, V2, b2, P, Q, S = sep_condense_factor(Jblk, Jb)
    return ok, it, U, z, top, V1, b1, mid, V2, b2, P, Q, S, Jblk, Jb, tU, tz


@nb.njit(cache=True)
def border_rows(ref_U, W, Wd, wg, w, tU, wT, tT, tth, fix):
    """The border rows (C, D) of :meth:`.lc_run.Corrector.borders` in one compiled call.

    C[0]: the integral phase condition against ``ref_U``
    (:func:`.collocation.phase_row`); C[1], D[1]: the pseudo-arclength row
    w * tU, (wT tT, tth), or theta fixed (``fix``: C[1] = 0, D[1] = (0, 1)).
    """
    C = np.empty((2, ref_U.shape[0], ref_U.shape[1]))
    phase_row(ref_U, W, Wd, wg, C[0])
    D = np.zeros((2, 2))
    if fix:
        C[1] = 0.0
        D[1, 1] = 1.0
    else:
        for i in range(ref_U.shape[0]):
            for a in range(ref_U.shape[1]):
                C[1, i, a] = w[i, a] * tU[i, a]
        D[1, 0] = wT * tT
        D[1, 1] = tth
    return C, D


@nb.njit(cache=True)
def weighted_norm(w, dU, wT, dT, dth):
    """sqrt(sum w dU^2 + wT dT^2 + dth^2): LC-C's norm of a (U, T, theta) vector."""
    s = 0.0
    for i in range(dU.shape[0]):
        for a in range(dU.shape[1]):
            s += w[i, a] * dU[i, a] * dU[i, a]
    return math.sqrt(s + wT * dT * dT + dth * dth)
