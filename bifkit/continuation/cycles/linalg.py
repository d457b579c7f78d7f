"""Condensation of parameters split into a factorisation and cheap solves.

:func:`collocation.bordered_solve_bc` eliminates and solves in one pass.  Here
the same eliminations (Doedel et al. 1991, sec. 3; AUTO's ``solvbv``: Gaussian
elimination with partial pivoting, half the work of Householder) are split so
that one factorisation of the collocation blocks serves several right-hand
sides and several sets of border rows (the two share collocation's kernels
for loading an interval's block, the dense system and the back substitution):

* :func:`condense_factor` (Jblk, Jb) -- eliminates the interior nodes of every
  interval, then the mesh points x_1..x_{N-1}; the multipliers and pivots are
  kept.  Cost O(N (m n)^3).
* :func:`condense_borders` (factor, C, D, B0, B1, Bz) -- eliminates the
  border rows C (phase, arclength, normalisations) and sets up the dense
  (2n + nb) system with the boundary conditions;
* :func:`condense_rhs` (factor, borders, r_col, r_bc, r_c) -- applies the
  elimination to a right-hand side, solves the dense system and
  back-substitutes.  Both cost O(N m^2 n^2), a fraction of the factorisation.

Floquet multipliers are not taken from this factorisation (pivoted
elimination is not orthogonal): they come from the Householder
:func:`collocation.condensed_pair` of the orbit's own blocks.

A Newton iteration with a frozen Jacobian and frozen borders (chord method)
then costs one ``condense_rhs`` (used by the cycle-curve continuation,
:mod:`cycle_systems`).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..._separate import separate

# no_cfunc_wrapper=True: nothing takes the C address of these functions, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md)
from .collocation import (right_upper_solve, sep_back_substitute_interior, sep_back_substitute_mesh,
                          load_chain_rows, sep_dense_matrix, sep_load_interval, store_interval_rows,
                          take_chain_rows)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _lu_factor(M, k, L, piv):
    """Gaussian elimination with partial pivoting on the first k columns of M, in place.

    Rows 0..k-1 end as U (upper triangular in columns 0..k-1) with the other
    columns transformed; the multipliers go to L[:, :k], the row swaps to piv.
    Half the work of Householder; as in AUTO's condensation of parameters.
    """
    r, c = M.shape
    prow = np.empty(c)
    for col in range(k):
        p = col
        mx = abs(M[col, col])
        for i in range(col + 1, r):
            a = abs(M[i, col])
            if a > mx:
                mx = a
                p = i
        piv[col] = p
        if p != col:
            for jc in range(c):
                t = M[col, jc]
                M[col, jc] = M[p, jc]
                M[p, jc] = t
        d = M[col, col]
        for i in range(col + 1):
            L[i, col] = 0.0
        if d == 0.0:
            for i in range(col + 1, r):
                L[i, col] = 0.0
            continue
        d = 1.0 / d
        # the pivot row copied to its own buffer: the updates below then cannot alias it
        # (13 % less time for n = 4, the same arithmetic; measured on E-I blocks)
        w = c - col - 1
        for jc in range(w):
            prow[jc] = M[col, col + 1 + jc]
        for i in range(col + 1, r):
            l = M[i, col] * d
            L[i, col] = l
            M[i, col] = 0.0
            # row slices, and no test on l == 0 around the loop: both let LLVM vectorise
            # (2x each, measured; a zero multiplier leaves the row unchanged anyway)
            rowi = M[i, col + 1:]
            for jc in range(w):
                rowi[jc] -= l * prow[jc]


#: :func:`_lu_factor` called through its symbol: compiled once, not linked into callers
sep_lu_factor = separate(_lu_factor)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _lu_apply(L, piv, k, y):
    """y <- L^{-1} P y with the elimination of :func:`_lu_factor`."""
    r = y.shape[0]
    for col in range(k):
        p = piv[col]
        if p != col:
            t = y[col]
            y[col] = y[p]
            y[p] = t
        yc = y[col]
        if yc != 0.0:
            for i in range(col + 1, r):
                y[i] -= L[i, col] * yc


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _sizes(Jblk, Jb):
    """(N, m, n, nb, ki, nc) of a collocation Jacobian: intervals, ncol, dimension,
    border columns, interior unknowns per interval, columns of an interval's block."""
    N, mn, _ = Jblk.shape
    nbd = Jb.shape[2]
    n = Jblk.shape[2] - mn
    m = mn // n
    ki = (m - 1) * n
    return N, m, n, nbd, ki, ki + 2 * n + nbd


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _factor_intervals(Jblk, Jb, top, V1, b1, A, B, Cb):
    """Step 1 of :func:`condense_factor`: eliminate the interior nodes, interval by interval."""
    N, m, n, nbd, ki, nc = _sizes(Jblk, Jb)
    mn = m * n
    M = np.empty((mn, nc))   # work array, reused (serial loop: see NOTES_cycles, Timings)
    for j in range(N):
        sep_load_interval(Jblk, Jb, nbd, j, M)
        if ki > 0:
            sep_lu_factor(M, ki, V1[j], b1[j])
        store_interval_rows(M, j, ki, n, nbd, top, A, B, Cb)


sep_factor_intervals = separate(_factor_intervals)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def factor_chain(A, B, Cb):
    """Step 2 of :func:`condense_factor`: eliminate the mesh points x_1..x_{N-1} from the
    condensed rows A[j] x_j + B[j] x_{j+1} + Cb[j] z of the intervals.

    Returns mid, V2, b2, P, Q, S (see :func:`condense_factor`).
    """
    N, n, _ = A.shape
    nbd = Cb.shape[2]
    P = A[0].copy()
    Q = B[0].copy()
    S = Cb[0].copy()
    nc2 = 3 * n + nbd
    mid = np.zeros((N, n, nc2))
    V2 = np.zeros((N, 2 * n, n))
    b2 = np.zeros((N, n), dtype=np.int64)
    M2 = np.empty((2 * n, nc2))
    for j in range(1, N):
        # columns: x_j | x_0 | x_{j+1} | z; rows: the condensed rows so far, interval j
        load_chain_rows(M2, P, Q, S, A, B, Cb, j)
        sep_lu_factor(M2, n, V2[j], b2[j])
        for a in range(n):
            for c in range(nc2):
                mid[j, a, c] = M2[a, c]
        take_chain_rows(M2, P, Q, S)
    return mid, V2, b2, P, Q, S


#: :func:`factor_chain` called through its symbol: compiled once, not linked into callers
sep_factor_chain = separate(factor_chain)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_factor(Jblk, Jb):
    """Factorise the collocation rows (see module docstring).

    Parameters
    ----------
    Jblk : (N, m*n, (m+1)*n);  Jb : (N, m*n, nb)

    Returns
    -------
    top, V1, b1, mid, V2, b2, P, Q, S
        top (N, ki, ki+2n+nb): U of the interior nodes and the transformed
        columns; mid (N, n, 3n+nb): the same for the mesh points (row j of the
        chain); V*, b*: multipliers and pivots; (P, Q, S): the condensed rows
        P x_0 + Q x_N + S z = s.
    """
    N, m, n, nbd, ki, nc = _sizes(Jblk, Jb)
    mn = m * n
    top = np.zeros((N, ki, nc))
    V1 = np.zeros((N, mn, max(ki, 1)))
    b1 = np.zeros((N, max(ki, 1)), dtype=np.int64)
    A = np.zeros((N, n, n))
    B = np.zeros((N, n, n))
    Cb = np.zeros((N, n, nbd))
    sep_factor_intervals(Jblk, Jb, top, V1, b1, A, B, Cb)
    mid, V2, b2, P, Q, S = sep_factor_chain(A, B, Cb)
    return top, V1, b1, mid, V2, b2, P, Q, S


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _border_intervals(top, C, G1, acc):
    """Border rows against the interior nodes (private to each interval)."""
    N, ki, nc = top.shape
    nbd = C.shape[0]
    n = C.shape[2]
    m = ki // n + 1
    Cint = np.empty((nbd, ki))
    for j in range(N):
        for q in range(nbd):
            for i in range(1, m):
                for a in range(n):
                    Cint[q, (i - 1) * n + a] = C[q, j * m + i, a]
        right_upper_solve(Cint, top[j], ki, G1[j])
        for q in range(nbd):
            accq = acc[j, q]
            for l in range(ki):
                gl = G1[j, q, l]
                tl = top[j, l, ki:]
                for c in range(nc - ki):
                    accq[c] += gl * tl[c]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz):
    """Eliminate the border rows C from a factorisation (right-hand-side free part).

    Returns (G1, G2, Md): the per-interval elimination weights of the border
    rows (G1 (N, nb, ki) against the interior nodes, G2 (N, nb, n) against the
    mesh points) and the dense (2n + nb) matrix in (x_0, x_N, z) built from the
    condensed rows, the boundary conditions ``B0 x_0 + B1 x_N + Bz z`` and the
    condensed border rows.
    """
    N, ki, nc = top.shape
    nbd = D.shape[0]
    G1 = np.zeros((N, nbd, max(ki, 1)))
    acc = np.zeros((N, nbd, nc - ki))
    if ki > 0:
        _border_intervals(top, C, G1, acc)
    return borders_after_intervals(top, mid, P, Q, S, C, D, B0, B1, Bz, G1, acc)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def borders_after_intervals(top, mid, P, Q, S, C, D, B0, B1, Bz, G1, acc):
    """The rest of :func:`_condense_borders` once the border rows are eliminated against the
    intervals' interior nodes (weights ``G1``, their sums ``acc`` over the interior rows'
    other columns): the mesh-point chain and the dense matrix.  Returns (G1, G2, Md)."""
    N, ki, nc = top.shape
    n = P.shape[0]
    nbd = D.shape[0]
    m = ki // n + 1
    Cw = C.copy()
    Dw = D.copy()
    if ki > 0:
        for j in range(N):
            for q in range(nbd):
                for c in range(n):
                    Cw[q, j * m, c] -= acc[j, q, c]
                    Cw[q, (j + 1) * m, c] -= acc[j, q, n + c]
                for c in range(nbd):
                    Dw[q, c] -= acc[j, q, 2 * n + c]
    Cx0 = np.empty((nbd, n))
    for q in range(nbd):
        for a in range(n):
            Cx0[q, a] = Cw[q, 0, a]
    G2 = np.zeros((N, nbd, n))
    Cj = np.empty((nbd, n))
    nc2 = mid.shape[2]
    acc2 = np.empty(nc2 - n)
    for j in range(1, N):
        for q in range(nbd):
            for a in range(n):
                Cj[q, a] = Cw[q, j * m, a]
        right_upper_solve(Cj, mid[j], n, G2[j])
        for q in range(nbd):
            acc2[:] = 0.0
            for l in range(n):
                gl = G2[j, q, l]
                ml = mid[j, l, n:]
                for c in range(nc2 - n):
                    acc2[c] += gl * ml[c]
            for c in range(n):
                Cx0[q, c] -= acc2[c]
                Cw[q, (j + 1) * m, c] -= acc2[n + c]
            for c in range(nbd):
                Dw[q, c] -= acc2[2 * n + c]
    return G1, G2, sep_dense_matrix(P, Q, S, B0, B1, Bz, Cx0, Cw, Dw)


sep_condense_borders = separate(_condense_borders)
#: :func:`borders_after_intervals` called through its symbol (from :mod:`.linalg_tri`)
sep_borders_after_intervals = separate(borders_after_intervals)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz):
    """:func:`_condense_borders` (its code compiled once, not linked into the callers)."""
    return sep_condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _rhs_intervals(V1, b1, G1, r_col, ytop, rr, part):
    """Step 1 of :func:`condense_rhs`, interval by interval."""
    N, mn, ki = V1.shape
    n = rr.shape[1]
    ki = mn - n
    nbd = G1.shape[1]
    y = np.empty(mn)
    for j in range(N):
        for r in range(mn):
            y[r] = r_col[j, r]
        if ki > 0:
            _lu_apply(V1[j], b1[j], ki, y)
        for r in range(ki):
            ytop[j, r] = y[r]
        for a in range(n):
            rr[j, a] = y[ki + a]
        for q in range(nbd):
            g = 0.0
            for l in range(ki):
                g += G1[j, q, l] * y[l]
            part[j, q] = g


@nb.njit(cache=True, no_cfunc_wrapper=True)
def solve_mesh_points(mid, V2, b2, G2, Md, rr, part, r_bc, r_c, m):
    """The part of :func:`condense_rhs` after the intervals' elimination of the right-hand
    side (``rr`` and the border rows' parts ``part``): the chain of mesh points, the dense
    system and the back substitution of the mesh points.  Returns U (N m + 1, n) with its
    mesh points set (interior nodes zero) and z.
    """
    N, n, _ = mid.shape
    nbd = G2.shape[1]
    rc = r_c.copy()
    for j in range(N):
        for q in range(nbd):
            rc[q] -= part[j, q]
    s = rr[0].copy()
    ymid = np.zeros((N, n))
    y2 = np.empty(2 * n)
    for j in range(1, N):
        for a in range(n):
            y2[a] = s[a]
            y2[n + a] = rr[j, a]
        _lu_apply(V2[j], b2[j], n, y2)
        for a in range(n):
            ymid[j, a] = y2[a]
            s[a] = y2[n + a]
        for q in range(nbd):
            g = 0.0
            for l in range(n):
                g += G2[j, q, l] * y2[l]
            rc[q] -= g
    nd = 2 * n + nbd
    rd = np.empty(nd)
    for a in range(n):
        rd[a] = s[a]
        rd[n + a] = r_bc[a]
    for q in range(nbd):
        rd[2 * n + q] = rc[q]
    sol = np.linalg.solve(Md, rd)
    U = np.zeros((N * m + 1, n))
    for a in range(n):
        U[0, a] = sol[a]
        U[N * m, a] = sol[n + a]
    z = sol[2 * n:].copy()
    sep_back_substitute_mesh(mid, ymid, z, U)
    return U, z


#: :func:`solve_mesh_points` called through its symbol: compiled once, not linked into callers
sep_solve_mesh_points = separate(solve_mesh_points)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, r_col, r_bc, r_c):
    """Solve for one right-hand side with a factorisation and its eliminated borders.

    Returns U (N*m+1, n), z (nb,).
    """
    N, ki, _ = top.shape
    n = mid.shape[1]
    nbd = G1.shape[1]
    ytop = np.zeros((N, max(ki, 1)))
    rr = np.zeros((N, n))
    part = np.zeros((N, nbd))
    _rhs_intervals(V1, b1, G1, r_col, ytop, rr, part)
    U, z = sep_solve_mesh_points(mid, V2, b2, G2, Md, rr, part, r_bc, r_c, ki // n + 1)
    if ki > 0:
        sep_back_substitute_interior(top, ytop, z, U)
    return U, z


#: :func:`condense_rhs` called through its symbol: compiled once, not linked into callers
sep_condense_rhs = separate(condense_rhs)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def chord_step(top, V1, b1, mid, V2, b2, G1, G2, Md, rcol, C, D, U, U0, z, z0, fix, fix_value):
    """One chord-Newton step of the periodic-orbit problem with two border rows, in place.

    The rows are: collocation (residual ``rcol``, evaluated by the caller), periodicity
    u(0) - u(1) = 0, the phase condition sum C[0] * U = 0 and either the
    pseudo-arclength condition sum C[1] * (U - U0) + D[1] . (z - z0) = 0 or, when
    ``fix``, z[1] = fix_value.  Solves with the factorisation and eliminated borders,
    updates U and z = (T, theta), and returns the relative step
    max(|dU| / (1 + max|U|), |dz_k| / (1 + |z_k|)); NaN when the residual is not finite.
    """
    npts, n = U.shape
    N, mn = rcol.shape
    r = np.empty((N, mn))
    for j in range(N):
        for i in range(mn):
            v = rcol[j, i]
            if not np.isfinite(v):
                return np.nan
            r[j, i] = -v
    rbc = np.empty(n)
    for a in range(n):
        rbc[a] = U[npts - 1, a] - U[0, a]
    ph = 0.0
    arc = 0.0
    for i in range(npts):
        for a in range(n):
            ph += C[0, i, a] * U[i, a]
            arc += C[1, i, a] * (U[i, a] - U0[i, a])
    rc = np.empty(2)
    rc[0] = -ph
    if fix:
        rc[1] = fix_value - z[1]
    else:
        rc[1] = -(arc + D[1, 0] * (z[0] - z0[0]) + D[1, 1] * (z[1] - z0[1]))
    dU, dz = sep_condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, r, rbc, rc)
    big = 0.0
    dmax = 0.0
    for i in range(npts):
        for a in range(n):
            if not np.isfinite(dU[i, a]):
                return np.nan
            U[i, a] += dU[i, a]
            big = max(big, abs(U[i, a]))
            dmax = max(dmax, abs(dU[i, a]))
    if not (np.isfinite(dz[0]) and np.isfinite(dz[1])):
        return np.nan
    z[0] += dz[0]
    z[1] += dz[1]
    step = max(dmax / (1.0 + big), abs(dz[0]) / (1.0 + abs(z[0])), abs(dz[1]) / (1.0 + abs(z[1])))
    return step


@nb.njit(cache=True, no_cfunc_wrapper=True)
def tangent_solve(top, V1, b1, mid, V2, b2, P, Q, S, C, D, B0, B1, Bz, w, wT):
    """Unit tangent of the orbit problem from a factorisation, in one compiled call.

    Solves J_ext t = (0, ..., 0, 1) with the border rows (C, D) (the last one
    the previous tangent) and the boundary conditions (B0, B1, Bz), then
    normalises in the norm sum w * tU^2 + wT tz_0^2 + tz_1^2.  Returns (tU, tz).
    """
    G1, G2, Md = sep_condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz)
    N = top.shape[0]
    n = P.shape[0]
    nbd = D.shape[0]
    mn = V1.shape[1]
    rc = np.zeros(nbd)
    rc[nbd - 1] = 1.0
    dU, dz = sep_condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, np.zeros((N, mn)),
                          np.zeros(n), rc)
    s = wT * dz[0] * dz[0]
    for k in range(1, nbd):
        s += dz[k] * dz[k]
    for i in range(dU.shape[0]):
        for a in range(n):
            s += w[i, a] * dU[i, a] * dU[i, a]
    nrm = math.sqrt(s)
    return dU / nrm, dz / nrm


class Factor:
    """A factorised collocation Jacobian.

    ``borders(C, D, B0, B1, Bz)`` eliminates a set of border rows and boundary
    conditions (kept until the next call); ``rhs(r_col, r_bc, r_c)`` then
    solves for one right-hand side; ``solve`` does both.
    """

    __slots__ = ("f", "Jblk", "Jb", "b")

    def __init__(self, Jblk, Jb):
        self.Jblk, self.Jb = Jblk, Jb
        self.f = condense_factor(Jblk, Jb)
        self.b = None

    @classmethod
    def from_arrays(cls, f, Jblk, Jb):
        """A Factor from the arrays of :func:`condense_factor` (computed elsewhere)."""
        self = cls.__new__(cls)
        self.f, self.Jblk, self.Jb, self.b = tuple(f), Jblk, Jb, None
        return self

    def borders(self, C, D, B0, B1, Bz):
        top, V1, b1, mid, V2, b2, P, Q, S = self.f
        self.b = condense_borders(top, mid, P, Q, S, C, D, B0, B1, Bz)
        return self

    def rhs(self, r_col, r_bc, r_c):
        top, V1, b1, mid, V2, b2 = self.f[:6]
        return condense_rhs(top, V1, b1, mid, V2, b2, *self.b, r_col, r_bc, r_c)

    def solve(self, C, D, B0, B1, Bz, r_col, r_bc, r_c):
        return self.borders(C, D, B0, B1, Bz).rhs(r_col, r_bc, r_c)
