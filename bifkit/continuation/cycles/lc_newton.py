"""The LC-C corrector of one point in one compiled call.

:func:`step` is one step of LC-C's main loop (predictor, corrector, tangent,
curvature, Floquet multipliers, test functions; :func:`.lc_run._run`);
:func:`correct` is the corrector alone with the factorisation at the solution
(location trials, the bound, Python callers).  Both run :func:`chord_newton`:
the chord Newton of :meth:`.lc_run.Corrector.correct` (the same operations in
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
LAPACK's QZ is called from :func:`step` by a symbol too (:mod:`.qz`).

The model's kernels arrive as the address array ``K`` of
:mod:`bifkit.binding` (as in :mod:`.kernels`), so this compiles once for all
models.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..._separate import separate
from .bifs import crossed_equilibrium, orbit_deviation
from .collocation import phase_row
from .floquet import bpc_test, cycle_tests, lu_condensed_pair
from .kernels import coll_jacobian, coll_residual
from .linalg import (chord_step, condense_factor, sep_condense_borders, sep_condense_rhs,
                     tangent_solve)
from .qz import qz_multipliers

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
def chord_newton(K, U0, T0, th0, p_in, ipar, log, mesh, W, Wd, C, D, B0, B1, Bz, fix, fval, tol,
                 max_iter):
    """The chord Newton of :func:`correct` (see there).

    Returns
    -------
    ok, iterations, U, z (T, theta) : the solution
    top, V1, b1, mid, V2, b2, G1, G2, Md : the chord factorisation (at the predictor or
        the last refresh, :func:`.linalg.condense_factor`) with the border rows (C, D)
        eliminated (:func:`.linalg.condense_borders`)
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
    return ok, it, U, z, top, V1, b1, mid, V2, b2, G1, G2, Md


#: :func:`chord_newton` called through its symbol from :func:`correct` and :func:`step`
#: (compiled once, not copied into both)
sep_chord_newton = separate(chord_newton)


@nb.njit(cache=True)
def chord_tangent(top, V1, b1, mid, V2, b2, G1, G2, Md, wU, wT):
    """The unit tangent from the chord factorisation with its borders eliminated.

    Solves J_ext t = (0, ..., 0, 1) (the arclength row, the previous tangent, is the
    last border row) and normalises as :func:`.linalg.tangent_solve`.  One solve
    (~15 us at ntst 50) instead of eliminating the borders again on the factorisation
    at the solution (~31 us); see :func:`correct` for its accuracy.  Returns (tU, tz).
    """
    N, mn = V1.shape[0], V1.shape[1]
    n = wU.shape[1]
    rc = np.zeros(2)
    rc[1] = 1.0
    dU, dz = sep_condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, np.zeros((N, mn)),
                              np.zeros(n), rc)
    s = wT * dz[0] * dz[0] + dz[1] * dz[1]   # normalised as linalg.tangent_solve
    for i in range(dU.shape[0]):
        for a in range(n):
            s += wU[i, a] * dU[i, a] * dU[i, a]
    nrm = math.sqrt(s)
    return dU / nrm, dz / nrm


@nb.njit(cache=True)
def factor_at(K, U, z, p_in, ipar, log, mesh, W, Wd):
    """The collocation Jacobian (Jblk, Jb) at (U, z = (T, theta)) and its factorisation
    (:func:`.linalg.condense_factor`: top, V1, b1, mid, V2, b2, P, Q, S)."""
    N = mesh.shape[0] - 1
    m = W.shape[0]
    n = U.shape[1]
    pp = p_in.copy()
    pp[ipar] = 10.0 ** z[1] if log else z[1]
    ifree = np.empty(1, dtype=np.int64)
    ifree[0] = ipar
    Jblk = np.empty((N, m * n, (m + 1) * n))
    Jb = np.empty((N, m * n, 2))
    _jacobian(K, U, z[0], pp, ifree, log, mesh, W, Wd, Jblk, Jb)
    top, V1, b1, mid, V2, b2, P, Q, S = sep_condense_factor(Jblk, Jb)
    return Jblk, Jb, top, V1, b1, mid, V2, b2, P, Q, S


@nb.njit(cache=True)
def orbit_blocks(K, U, T, th, p_in, ipar, log, mesh, W, Wd):
    """The collocation blocks Jblk of (U, T, theta) (the same values as :func:`factor_at`'s;
    the T column is computed too, no parameter column)."""
    N = mesh.shape[0] - 1
    m = W.shape[0]
    n = U.shape[1]
    pp = p_in.copy()
    pp[ipar] = 10.0 ** th if log else th
    Jblk = np.empty((N, m * n, (m + 1) * n))
    Jb = np.empty((N, m * n, 1))
    sep_coll_jacobian(K, U, T, pp, np.empty(0, dtype=np.int64), mesh, W, Wd, Jblk, Jb)
    return Jblk


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
        eliminated already (:func:`chord_tangent`).  That Jacobian
        is the one at the predictor (or at the last refresh), O(|predictor -
        solution|) from the solution's, and so is the tangent (E-I LC-C
        benchmark: up to 2e-2 in the weighted norm): it sets the next step's
        predictor and hyperplane (the points found are converged points of the
        branch all the same) and the curvature estimate; where the sign of its
        parameter component matters (near 0: folds, Hopf returns) or events
        read it, :mod:`.lc_run` replaces it by the exact tangent
        (:data:`.lc_run.EXACT_TANGENT_BELOW`).  Zeros without ``want_tangent``.
        The factorisation arrays are the chord's when Newton failed.
    """
    ok, it, U, z, top, V1, b1, mid, V2, b2, G1, G2, Md = sep_chord_newton(
        K, U0, T0, th0, p_in, ipar, log, mesh, W, Wd, C, D, B0, B1, Bz, fix, fval, tol,
        max_iter)
    tU = np.zeros_like(U)
    tz = np.zeros(2)
    if not ok:
        P = np.zeros((0, 0))
        Jblk = np.zeros((0, 0, 0))
        return (ok, it, U, z, top, V1, b1, mid, V2, b2, P, P, P, Jblk, Jblk, tU, tz)
    if want_tangent:
        tU, tz = chord_tangent(top, V1, b1, mid, V2, b2, G1, G2, Md, wU, wT)
    Jblk, Jb, top, V1, b1, mid, V2, b2, P, Q, S = factor_at(K, U, z, p_in, ipar, log, mesh,
                                                             W, Wd)
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


#: the exact tangent and the condensed pair called through their symbols from :func:`step`
#: (compiled once; Python calls them too)
sep_tangent_solve = separate(tangent_solve)
sep_lu_condensed_pair = separate(lu_condensed_pair)


@nb.njit(cache=True)
def step(K, U, T, th, tU, tT, tth, kU, kT, kth, ds, curvature_limit, p_in, ipar, log, mesh,
         W, Wd, wg, ref_U, B0, B1, Bz, tol, max_iter, w, w1, wT, exact_below, curvature,
         mean_prev, amp_prev):
    """One step of the LC-C main loop in one compiled call (:func:`.lc_run._run`).

    The operations of the Python steps it replaces, in the same order (the numbers
    are bitwise theirs):

    * the predictor: along the tangent, plus the curvature term ds^2 / 2 kU where
      ``kU`` has rows and ds |kU| / 2 < ``curvature_limit``
      (:data:`.lc_run.CURVATURE_LIMIT`);
    * the border rows against the phase reference ``ref_U`` and the previous tangent
      (:func:`border_rows`), the chord Newton (:func:`chord_newton`) and the tangent
      from its factorisation (:func:`chord_tangent`);
    * where that tangent's parameter component is below ``exact_below`` (always when
      it is ``math.inf``), the exact tangent from the factorisation at the solution
      with the same border rows (:func:`.linalg.tangent_solve`, as
      :meth:`.lc_run.Corrector.tangent`);
    * the Floquet multipliers (:func:`.qz.qz_multipliers`) of the condensed pair (P, Q)
      of the Jacobian at the solution: from that factorisation when it was made,
      otherwise by :func:`.floquet.lu_condensed_pair` (the same values, ~13 us cheaper:
      nothing else of the factorisation at the solution is needed);
    * with ``curvature`` (not after a first step), the curvature (t_new - t) / ds;
    * the orbit's mean and rms amplitude (:func:`.bifs.orbit_deviation`, node
      weights ``w1``) and whether the step went through amplitude 0
      (:func:`.bifs.crossed_equilibrium` against the previous orbit's ``mean_prev``,
      ``amp_prev``).

    Compared with those steps called from Python, this saves ~10 Python-level calls
    per point, the boxing of the 13 arrays of the factorisation at the solution and the
    f2py call of QZ (E-I LC-C, ntst 50: ~270 -> ~245 us per point with its Python).

    Returns
    -------
    ok, iterations, U, T, theta : the solution
    mu, trivial error, finite : QZ's multipliers (:func:`.qz.qz_multipliers`)
    tU, tT, ttheta, exact : the unit tangent (exact: the exact one)
    kU, kT, ktheta : the curvature (no rows and zeros without ``curvature``)
    mean, amplitude, crossed : the orbit's deviation and the Hopf-return test
    psi_PD, psi_NS, psi_BPC : :func:`.floquet.cycle_tests` and :func:`.floquet.bpc_test`
        of mu (the test functions where QZ's multipliers are used)
    """
    n = U.shape[1]
    U0 = U + ds * tU
    T0 = T + ds * tT
    th0 = th + ds * tth
    if kU.shape[0] > 0:
        h = 0.5 * ds * ds
        k = weighted_norm(w, kU, wT, kT, kth)
        if k == k and 0.5 * ds * k < curvature_limit:
            U0 += h * kU
            T0 += h * kT
            th0 += h * kth
    C, D = border_rows(ref_U, W, Wd, wg, w, tU, wT, tT, tth, False)
    ok, it, Un, z, top, V1, b1, mid, V2, b2, G1, G2, Md = sep_chord_newton(
        K, U0, T0, th0, p_in, ipar, log, mesh, W, Wd, C, D, B0, B1, Bz, False, 0.0, tol,
        max_iter)
    kUn = np.zeros((0, n))
    kz = np.zeros(2)
    mean = np.zeros(n)
    if not ok:
        return (ok, it, Un, z[0], z[1], np.zeros(0, dtype=np.complex128), np.nan, False, Un,
                0.0, 0.0, False, kUn, 0.0, 0.0, mean, 0.0, False, np.nan, np.nan, np.nan)
    tUn, tz = chord_tangent(top, V1, b1, mid, V2, b2, G1, G2, Md, w, wT)
    exact = exact_below == math.inf or abs(tz[1]) < exact_below
    if exact:
        _, _, top, V1, b1, mid, V2, b2, P, Q, S = factor_at(K, Un, z, p_in, ipar, log, mesh,
                                                            W, Wd)
        tUn, tz = sep_tangent_solve(top, V1, b1, mid, V2, b2, P, Q, S, C.copy(), D.copy(),
                                    B0, B1, Bz, w, wT)
    else:
        P, Q = sep_lu_condensed_pair(orbit_blocks(K, Un, z[0], z[1], p_in, ipar, log, mesh, W,
                                              Wd))
    mu, err, finite = qz_multipliers(P, Q)
    if curvature:
        kUn = (tUn - tU) / ds
        kz[0] = (tz[0] - tT) / ds
        kz[1] = (tz[1] - tth) / ds
    mean, amp = orbit_deviation(Un, w1)
    crossed = crossed_equilibrium(U, mean_prev, amp_prev, Un, mean, amp, w1)
    pd, ns = cycle_tests(mu)
    return (ok, it, Un, z[0], z[1], mu, err, finite, tUn, tz[0], tz[1], exact, kUn, kz[0],
            kz[1], mean, amp, crossed, pd, ns, bpc_test(mu))
