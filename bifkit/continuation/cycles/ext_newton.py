"""The corrector of the cycle bifurcation curves (PD-C, LPC-C, NS-C) in one compiled call.

The chord Newton of :meth:`.systems.ExtendedSystem.correct` (extended
collocation residual, boundary conditions and integral/arclength rows; the
Jacobian factorised by condensation of parameters at the start (through its
block-triangular structure, :mod:`.linalg_tri`) and refreshed when the steps
contract by less than 1/2; converged when the relative step, or the error left
after it (step r / (1 - r) with r = step / previous step, the linear rate of
the chord iteration), is below ``tol``).  In Python each iteration was ~15
numpy calls and two compiled ones around the condensed solve; here the whole loop is one call, as
LC-C's :mod:`.lc_newton`, whose notes on the disk cache (callees' edits seen through
:mod:`bifkit._numba_cache`) and on the model's kernels (the address array
``K`` of :mod:`bifkit.binding`: compiled once for all models) hold here too.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..._separate import separate
from .kernels import ext_jacobian, ext_residual
from .linalg_tri import condense_borders_tri, condense_factor_tri, condense_rhs_tri

LN10 = math.log(10.0)

#: the extended collocation kernels called through their symbols: compiled once (Python
#: calls them too), not a copy in each caller (the cold main job's compile, issue 16)
sep_ext_jacobian = separate(ext_jacobian)
sep_ext_residual = separate(ext_residual)

#: boundary conditions of each system (``label`` argument): periodic orbit and
#: v(0) = -v(1) (PD), v(0) = v(1) (LPC), v(1) = e^{i kappa} v(0) (NS)
PD, LPC, NS = 0, 1, 2


@nb.njit(cache=True)
def params_of(z, p0, ifree, logs):
    """The parameter array at z: p0 with p[ifree[i]] = theta_i (10 ** theta_i where logged),
    theta = the last two entries of z."""
    p = p0.copy()
    nz = z.shape[0]
    for i in range(ifree.shape[0]):
        th = z[nz - 2 + i]
        p[ifree[i]] = 10.0 ** th if logs[i] else th
    return p


@nb.njit(cache=True)
def boundary(label, U, z, n, B0, B1, Bz, rbc):
    """Residual ``rbc`` of the two-point conditions at (U, z) and their matrices (B0, B1, Bz)
    (as :meth:`.systems.ExtendedSystem.boundary`)."""
    ne = U.shape[1]
    last = U.shape[0] - 1
    B0[:, :] = 0.0
    B1[:, :] = 0.0
    Bz[:, :] = 0.0
    for a in range(ne):
        rbc[a] = U[0, a] - U[last, a]
        B0[a, a] = 1.0
        B1[a, a] = -1.0
    if label == PD:
        for a in range(n, ne):
            rbc[a] = U[0, a] + U[last, a]
            B1[a, a] = 1.0
    elif label == NS:
        c, s = math.cos(z[1]), math.sin(z[1])
        for a in range(n):
            vr0, vi0 = U[0, n + a], U[0, 2 * n + a]
            # rows: v_r(1) - (c v_r(0) - s v_i(0)),  v_i(1) - (s v_r(0) + c v_i(0))
            rbc[n + a] = U[last, n + a] - (c * vr0 - s * vi0)
            rbc[2 * n + a] = U[last, 2 * n + a] - (s * vr0 + c * vi0)
            B0[n + a, n + a] = -c
            B0[n + a, 2 * n + a] = s
            B0[2 * n + a, n + a] = -s
            B0[2 * n + a, 2 * n + a] = -c
            B1[n + a, n + a] = 1.0
            B1[2 * n + a, 2 * n + a] = 1.0
            Bz[n + a, 1] = s * vr0 + c * vi0
            Bz[2 * n + a, 1] = -c * vr0 + s * vi0


@nb.njit(cache=True)
def jacobian(K, nv, U, z, p0, ifree, logs, has_sigma, nextra, mesh, W, Wd, Jblk, Jb):
    """The extended collocation Jacobian into (Jblk, Jb), the parameter columns in theta
    (log10 where logged), as :meth:`.systems.ExtendedSystem.jacobian`."""
    p = params_of(z, p0, ifree, logs)
    sigma = z[1] if has_sigma else 0.0
    sep_ext_jacobian(K, nv, U, z[0], p, sigma, has_sigma, nextra, ifree, mesh, W, Wd, Jblk, Jb)
    nz = z.shape[0]
    for i in range(ifree.shape[0]):
        if logs[i]:
            s = p[ifree[i]] * LN10
            for j in range(Jb.shape[0]):
                for r in range(Jb.shape[1]):
                    Jb[j, r, nz - 2 + i] *= s


@nb.njit(cache=True)
def correct(K, label, nv, U0, z0, Ug, zg, p0, ifree, logs, has_sigma, nextra, mesh, W, Wd,
            C, D, tgt, fix_i, fix_val, tol, max_iter, reuse, f_in, Jblk_in, Jb_in, b_in,
            B_in):
    """Chord Newton from (Ug, zg) on the hyperplane rows (C[-1], D[-1]) through (U0, z0).

    Parameters
    ----------
    label : PD, LPC or NS (:data:`PD` ...);  nv, has_sigma, nextra : the system's layout
    U0, z0 : where the arclength hyperplane passes;  Ug, zg : the first iterate
    p0, ifree, logs : parameters, the two free ones' indices and whether in log10
    C, D, tgt : the border rows (integral conditions, then the arclength or fix row) and
        the integral conditions' targets
    fix_i : -1, or the index of z held at ``fix_val`` (the last row of C, D is then zero
        except D[-1, fix_i] = 1)
    reuse : start with the factorisation ``f_in`` (:func:`.linalg_tri.condense_factor_tri`) of
        (Jblk_in, Jb_in), its eliminated borders ``b_in`` = (G1, G2, Md) and boundary
        matrices ``B_in`` = (B0, B1, Bz) (a point of the same border rows); else factorise
        at the first iterate

    Returns
    -------
    ok, iterations, early (stopped by the error estimate, one iteration before the step
    itself fell below tol), U, z, f (the factorisation used last), Jblk, Jb, (G1, G2, Md),
    (B0, B1, Bz)
    """
    N = mesh.shape[0] - 1
    m = W.shape[0]
    ne = U0.shape[1]
    n = ne // (1 + nv)
    nz = z0.shape[0]
    nb_ = nz - 1
    M = U0.shape[0]
    U = Ug.copy()
    z = zg.copy()
    rcol = np.empty((N, m * ne))
    rbc = np.empty(ne)
    rc = np.empty(nz)
    Bw0 = np.empty((ne, ne))
    Bw1 = np.empty((ne, ne))
    Bwz = np.empty((ne, nz))
    if reuse:
        f = f_in
        Jblk, Jb = Jblk_in, Jb_in
        G1, G2, Md = b_in
        B0, B1, Bz = B_in
        have = True
    else:
        f = f_in
        Jblk = np.empty((N, m * ne, (m + 1) * ne))
        Jb = np.empty((N, m * ne, nz))
        G1, G2, Md = b_in
        B0, B1, Bz = np.empty((ne, ne)), np.empty((ne, ne)), np.empty((ne, nz))
        have = False
    last = np.inf
    ok = False
    early = False
    fac_it = 0   # the iteration of the last factorisation (0: before the first)
    it = 0
    for it in range(1, max_iter + 1):
        p = params_of(z, p0, ifree, logs)
        sep_ext_residual(K, nv, U, z[0], p, z[1] if has_sigma else 0.0, mesh, W, Wd, rcol)
        finite = True
        for j in range(N):
            for i in range(m * ne):
                if not np.isfinite(rcol[j, i]):
                    finite = False
        for k in range(nz):
            if not np.isfinite(z[k]):
                finite = False
        if not finite:
            break
        boundary(label, U, z, n, Bw0, Bw1, Bwz, rbc)
        for q in range(nb_):
            s = -tgt[q]
            for i in range(M):
                for a in range(ne):
                    s += C[q, i, a] * U[i, a]
            for k in range(nz):
                s += D[q, k] * z[k]
            rc[q] = s
        if fix_i < 0:
            s = 0.0
            for i in range(M):
                for a in range(ne):
                    s += C[nz - 1, i, a] * (U[i, a] - U0[i, a])
            for k in range(nz):
                s += D[nz - 1, k] * (z[k] - z0[k])
            rc[nz - 1] = s
        else:
            rc[nz - 1] = z[fix_i] - fix_val
        if not have:
            jacobian(K, nv, U, z, p0, ifree, logs, has_sigma, nextra, mesh, W, Wd, Jblk, Jb)
            f = condense_factor_tri(Jblk, Jb, nv)
            B0, B1, Bz = Bw0.copy(), Bw1.copy(), Bwz.copy()
            G1, G2, Md = condense_borders_tri(f[0], f[3], f[6], f[7], f[8], C, D, B0, B1, Bz,
                                              nv)
            have = True
            fac_it = it
        for j in range(N):
            for i in range(m * ne):
                rcol[j, i] = -rcol[j, i]
        for a in range(ne):
            rbc[a] = -rbc[a]
        for k in range(nz):
            rc[k] = -rc[k]
        dU, dz = condense_rhs_tri(f[0], f[1], f[2], f[3], f[4], f[5], G1, G2, Md, rcol, rbc, rc,
                                  nv)
        dmax = 0.0
        umax = 0.0
        finite = True
        for i in range(M):
            for a in range(ne):
                d = dU[i, a]
                if not np.isfinite(d):
                    finite = False
                U[i, a] += d
                dmax = max(dmax, abs(d))
                umax = max(umax, abs(U[i, a]))
        step = dmax / (1.0 + umax)
        for k in range(nz):
            if not np.isfinite(dz[k]):
                finite = False
            z[k] += dz[k]
            step = max(step, abs(dz[k]) / (1.0 + abs(z[k])))
        if not finite or z[0] <= 0:
            break
        if step < tol:
            ok = True
            break
        # or when the error left after the step is: the chord iteration contracts linearly
        # by r = step / last, leaving ~ step r / (1 - r) (as lc_newton; on E-I PD-C r ~ 3e-3,
        # which saves the last iteration of most points).  Only where r is measured on two
        # steps with one factorisation, neither of them the first of the correction (that
        # one removes the predictor's error, often outside the linear regime: a bound
        # landing of tests/test_cycles_curves.py's NS-C stopped 8e-9 off at iteration 2),
        # and r <= 0.1; not at the last iteration: the criterion step < tol would have
        # needed one more, so the success or failure of a correction stays that of the step
        # criterion
        if (it > 2 and fac_it < it and it < max_iter and step <= 0.1 * last
                and step * step < tol * (last - step)):
            ok = True
            early = True
            break
        if step > 0.5 * last:
            have = False   # slow contraction: refresh the Jacobian
        last = step
    return ok, it, early, U, z, f, Jblk, Jb, (G1, G2, Md), (B0, B1, Bz)
