"""Condensation of the extended cycle systems through their block-triangular structure.

The PD, LPC and NS systems (:mod:`.ext`) append nv copies of the variational
equation to the orbit problem.  Ordered by copy, the collocation rows of one
interval are

    [ A   0   0 ]   u rows        A: the orbit's own block (h' - T f_x(u) h),
    [ E1  A   0 ]   v_1 rows      E_c: d/du of v_c's equation
    [ E2  0   A ]   v_2 rows (NS)

with the same A on the diagonal (the v-equations' operator is the orbit's; the
extended Jacobian of :func:`.kernels.ext_jacobian` computes those entries with
the same arithmetic).  :func:`.linalg.condense_factor` eliminates the
(1 + nv)(m - 1) n interior unknowns of each interval as one dense block; here

1. A's interior columns are eliminated once, among the u rows (Gaussian
   elimination with partial pivoting, :func:`.linalg._lu_factor`: factor L, pivots);
2. each copy's rows lose their E_c part in the u interior columns against the
   u rows' triangle (weights G_c = E_c U^{-1}), and then get the same L and
   pivots: their v_c columns become exactly the u rows' result (copied, not
   recomputed); only their u-mesh and border columns are transformed.

That is ~2.4x fewer flops than the dense elimination for nv = 1, n = 4, m = 4
(the PD and LPC curves of a 4-dimensional model).  The mesh-point chain
(:func:`.linalg.factor_chain`), the border rows and the dense system are the
standard ones, in this ordering: the interior unknowns of an interval are
numbered by copy (all u interior values, then all of v_1, ...), so the border
rows' interior entries are gathered in that order (:func:`to_copy_order`) and the
back substitution writes the interior values to their nodes (skipping the zero
blocks of the triangle).

The returned factorisation has the tuple layout of :func:`.linalg.condense_factor`
(top, V1, b1, mid, V2, b2, P, Q, S) with V1 = [L | G_1 .. G_nv] (N, m n, (1+nv) ki_u)
and b1 = the u rows' pivots (N, ki_u): use it only with the functions of this
module (the condensed pair (P, Q) is one of the extended system, as the dense one).

An edit here rebuilds the cached code of its importers (:mod:`.ext_newton`) by itself
(:mod:`bifkit._numba_cache`).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from ..._separate import separate

# no_cfunc_wrapper=True: nothing takes the C address of these functions, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md)
from .linalg import (Factor, _lu_apply, sep_borders_after_intervals, sep_factor_chain,
                     sep_lu_factor, sep_solve_mesh_points)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _copy_sizes(Jblk, Jb, nv):
    """(N, m, n, ne, nbd, ki_u) of an extended collocation Jacobian with nv copies."""
    N, mne, _ = Jblk.shape
    ne = Jblk.shape[2] - mne
    m = mne // ne
    n = ne // (1 + nv)
    return N, m, n, ne, Jb.shape[2], (m - 1) * n


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _load_copy(Jblk, Jb, j, c, m, n, ne, nbd, Mc):
    """Rows of copy c (0: u) of interval j, the u columns only: interior u nodes | u(x_j) |
    u(x_{j+1}) | border columns (the E_c part of a copy's rows; A itself for c = 0)."""
    ki = (m - 1) * n
    for k in range(m):
        r = k * ne + c * n
        for a in range(n):
            for i in range(1, m):
                for b in range(n):
                    Mc[k * n + a, (i - 1) * n + b] = Jblk[j, r + a, i * ne + b]
            for b in range(n):
                Mc[k * n + a, ki + b] = Jblk[j, r + a, b]
                Mc[k * n + a, ki + n + b] = Jblk[j, r + a, m * ne + b]
            for q in range(nbd):
                Mc[k * n + a, ki + 2 * n + q] = Jb[j, r + a, q]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _eliminate_copy(Mu, L, piv, ku, Mc, G):
    """A copy's rows Mc (u columns only, :func:`_load_copy`) reduced in place: the u interior
    columns eliminated against the u rows' triangle Mu[:ku] (weights into G, G = E U^{-1}),
    then the u rows' elimination (L, piv) applied to the remaining columns.  Row operations
    on contiguous rows, as :func:`.linalg._lu_factor`."""
    mu, ncu = Mc.shape
    w = ncu - ku
    for col in range(ku):
        d = 1.0 / Mu[col, col]
        prow = Mu[col, col + 1:]
        for i in range(mu):
            l = Mc[i, col] * d
            G[i, col] = l
            Mc[i, col] = 0.0
            rowi = Mc[i, col + 1:]
            for c in range(ncu - col - 1):
                rowi[c] -= l * prow[c]
    for col in range(ku):
        p = piv[col]
        if p != col:
            for c in range(w):
                t = Mc[col, ku + c]
                Mc[col, ku + c] = Mc[p, ku + c]
                Mc[p, ku + c] = t
        prow = Mc[col, ku:]
        for i in range(col + 1, mu):
            l = L[i, col]
            rowi = Mc[i, ku:]
            for c in range(w):
                rowi[c] -= l * prow[c]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _condense_factor_tri(Jblk, Jb, nv):
    """Factorise the collocation rows of an extended system with nv copies (module docstring).

    Returns (top, V1, b1, mid, V2, b2, P, Q, S) as :func:`.linalg.condense_factor`,
    interior unknowns in copy order; V1 = [L | G_1 .. G_nv], b1 the pivots of L.
    """
    N, m, n, ne, nbd, ku = _copy_sizes(Jblk, Jb, nv)
    mu = m * n
    ki = (1 + nv) * ku
    nc = ki + 2 * ne + nbd
    ncu = ku + 2 * n + nbd
    top = np.zeros((N, ki, nc))
    V1 = np.zeros((N, mu, (1 + nv) * ku))
    b1 = np.zeros((N, ku), dtype=np.int64)
    A = np.zeros((N, ne, ne))
    B = np.zeros((N, ne, ne))
    Cb = np.zeros((N, ne, nbd))
    Mu = np.empty((mu, ncu))
    Mc = np.empty((mu, ncu))
    L = np.empty((mu, ku))
    G = np.empty((mu, ku))
    piv = np.empty(ku, dtype=np.int64)
    for j in range(N):
        _load_copy(Jblk, Jb, j, np.int64(0), m, n, ne, nbd, Mu)   # typed 0: one compile
        sep_lu_factor(Mu, ku, L, piv)
        for r in range(mu):
            for l in range(ku):
                V1[j, r, l] = L[r, l]
        for l in range(ku):
            b1[j, l] = piv[l]
        # u rows: interior triangle | u(x_j) | u(x_{j+1}) | borders; v columns zero
        for r in range(ku):
            for l in range(ku):
                top[j, r, l] = Mu[r, l]
            for b in range(n):
                top[j, r, ki + b] = Mu[r, ku + b]
                top[j, r, ki + ne + b] = Mu[r, ku + n + b]
            for q in range(nbd):
                top[j, r, ki + 2 * ne + q] = Mu[r, ku + 2 * n + q]
        for a in range(n):
            for b in range(n):
                A[j, a, b] = Mu[ku + a, ku + b]
                B[j, a, b] = Mu[ku + a, ku + n + b]
            for q in range(nbd):
                Cb[j, a, q] = Mu[ku + a, ku + 2 * n + q]
        for c in range(1, nv + 1):
            _load_copy(Jblk, Jb, j, c, m, n, ne, nbd, Mc)
            _eliminate_copy(Mu, L, piv, ku, Mc, G)
            for r in range(mu):
                for l in range(ku):
                    V1[j, r, c * ku + l] = G[r, l]
            o = c * n
            for r in range(ku):
                rt = c * ku + r
                # the v_c columns: the u rows' own result (the same numbers, same operations)
                for l in range(r, ku):
                    top[j, rt, c * ku + l] = Mu[r, l]
                for b in range(n):
                    top[j, rt, ki + b] = Mc[r, ku + b]
                    top[j, rt, ki + ne + b] = Mc[r, ku + n + b]
                    top[j, rt, ki + o + b] = Mu[r, ku + b]
                    top[j, rt, ki + ne + o + b] = Mu[r, ku + n + b]
                for q in range(nbd):
                    top[j, rt, ki + 2 * ne + q] = Mc[r, ku + 2 * n + q]
            for a in range(n):
                for b in range(n):
                    A[j, o + a, b] = Mc[ku + a, ku + b]
                    B[j, o + a, b] = Mc[ku + a, ku + n + b]
                    A[j, o + a, o + b] = Mu[ku + a, ku + b]
                    B[j, o + a, o + b] = Mu[ku + a, ku + n + b]
                for q in range(nbd):
                    Cb[j, o + a, q] = Mc[ku + a, ku + 2 * n + q]
    mid, V2, b2, P, Q, S = sep_factor_chain(A, B, Cb)
    return top, V1, b1, mid, V2, b2, P, Q, S


sep_condense_factor_tri = separate(_condense_factor_tri)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_factor_tri(Jblk, Jb, nv):
    """:func:`_condense_factor_tri` (its code compiled once, not linked into the callers)."""
    return sep_condense_factor_tri(Jblk, Jb, nv)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def to_copy_order(C, m, nv):
    """A copy of the node array C (q, N m + 1, ne) with each interval's interior entries
    renumbered in copy order (the order of :func:`condense_factor_tri`'s unknowns)."""
    q, M, ne = C.shape
    n = ne // (1 + nv)
    N = (M - 1) // m
    ku = (m - 1) * n
    out = C.copy()
    for j in range(N):
        for i in range(1, m):
            for c in range(1 + nv):
                for a in range(n):
                    s = c * ku + (i - 1) * n + a          # position in copy order
                    for k in range(q):
                        out[k, j * m + 1 + s // ne, s % ne] = C[k, j * m + i, c * n + a]
    return out


sep_to_copy_order = separate(to_copy_order)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _border_intervals_tri(top, C, G1, acc, nv):
    """The border rows C (node layout, interior entries in copy order: :func:`to_copy_order`)
    against the interior nodes of each interval: :func:`.linalg._border_intervals` for the
    triangle of :func:`condense_factor_tri`, which is block diagonal (one block per copy).

    A row's weights on copy c's block need only that block of the triangle (the other
    blocks' entries in its columns are exact zeros), and a block where the row is zero gets
    zero weights (PD-C: the phase and arclength rows have no v entries, the normalisation
    row no u entries), so both are skipped: the same operations on the nonzero terms in the
    same order, the numbers of the dense elimination (up to the sign of zeros), ~1/3 of
    its work for nv = 1."""
    N, ki, nc = top.shape
    nbd = C.shape[0]
    ne = C.shape[2]
    m = ki // ne + 1
    ku = ki // (1 + nv)
    Cint = np.empty(ki)
    for j in range(N):
        for q in range(nbd):
            for i in range(1, m):
                for a in range(ne):
                    Cint[(i - 1) * ne + a] = C[q, j * m + i, a]
            accq = acc[j, q]
            for c in range(1 + nv):
                o = c * ku
                zero = True
                for i in range(ku):
                    if Cint[o + i] != 0.0:
                        zero = False
                        break
                if zero:
                    continue
                for i in range(ku):
                    s = Cint[o + i]
                    for l in range(i):
                        s -= G1[j, q, o + l] * top[j, o + l, o + i]
                    G1[j, q, o + i] = s / top[j, o + i, o + i]
                for l in range(ku):
                    gl = G1[j, q, o + l]
                    tl = top[j, o + l, ki:]
                    for c2 in range(nc - ki):
                        accq[c2] += gl * tl[c2]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _condense_borders_tri(top, mid, P, Q, S, C, D, B0, B1, Bz, nv):
    """:func:`.linalg.condense_borders` for a factorisation of :func:`condense_factor_tri`
    (C in the layout of the nodes, as there), its interval stage by
    :func:`_border_intervals_tri`."""
    N, ki, nc = top.shape
    m = (C.shape[1] - 1) // N
    nbd = D.shape[0]
    Cc = sep_to_copy_order(C, m, nv)
    G1 = np.zeros((N, nbd, max(ki, 1)))
    acc = np.zeros((N, nbd, nc - ki))
    if ki > 0:
        _border_intervals_tri(top, Cc, G1, acc, nv)
    return sep_borders_after_intervals(top, mid, P, Q, S, Cc, D, B0, B1, Bz, G1, acc)


sep_condense_borders_tri = separate(_condense_borders_tri)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_borders_tri(top, mid, P, Q, S, C, D, B0, B1, Bz, nv):
    """:func:`_condense_borders_tri` (its code compiled once, not linked into the callers)."""
    return sep_condense_borders_tri(top, mid, P, Q, S, C, D, B0, B1, Bz, nv)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _rhs_intervals_tri(V1, b1, G1, r_col, nv, ytop, rr, part):
    """The interval stage of :func:`condense_rhs_tri` (as :func:`.linalg._rhs_intervals`)."""
    N, mu, _ = V1.shape
    ku = b1.shape[1]
    n = mu - ku
    ne = (1 + nv) * n
    m = mu // n
    nbd = G1.shape[1]
    yu = np.empty(mu)
    y = np.empty(mu)
    for j in range(N):
        for k in range(m):
            for a in range(n):
                yu[k * n + a] = r_col[j, k * ne + a]
        _lu_apply(V1[j], b1[j], ku, yu)
        for r in range(ku):
            ytop[j, r] = yu[r]
        for a in range(n):
            rr[j, a] = yu[ku + a]
        for c in range(1, nv + 1):
            for k in range(m):
                for a in range(n):
                    r = k * n + a
                    s = r_col[j, k * ne + c * n + a]
                    for l in range(ku):
                        s -= V1[j, r, c * ku + l] * yu[l]
                    y[r] = s
            _lu_apply(V1[j], b1[j], ku, y)
            for r in range(ku):
                ytop[j, c * ku + r] = y[r]
            for a in range(n):
                rr[j, c * n + a] = y[ku + a]
        for q in range(nbd):
            g = 0.0
            for l in range((1 + nv) * ku):
                g += G1[j, q, l] * ytop[j, l]
            part[j, q] = g


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _back_substitute_copies(top, ytop, z, nv, U):
    """Interior nodes of every interval into U (layout of the nodes), given the mesh points
    and z: :func:`.collocation.back_substitute_interior` for the copy-ordered triangle of
    :func:`condense_factor_tri`, skipping its zero blocks (a copy's rows involve only the u
    and that copy's columns)."""
    N, ki, _ = top.shape
    nbd = z.shape[0]
    ne = U.shape[1]
    n = ne // (1 + nv)
    ku = ki // (1 + nv)
    m = ku // n + 1
    x = np.empty(ku)
    for j in range(N):
        j0, j1 = j * m, (j + 1) * m
        for c in range(1 + nv):
            o = c * n
            for r in range(ku - 1, -1, -1):
                rt = c * ku + r
                v = ytop[j, rt]
                for b in range(n):
                    v -= top[j, rt, ki + b] * U[j0, b] + top[j, rt, ki + ne + b] * U[j1, b]
                if c > 0:
                    for b in range(n):
                        v -= (top[j, rt, ki + o + b] * U[j0, o + b]
                              + top[j, rt, ki + ne + o + b] * U[j1, o + b])
                for q in range(nbd):
                    v -= top[j, rt, ki + 2 * ne + q] * z[q]
                for l in range(r + 1, ku):
                    v -= top[j, rt, c * ku + l] * x[l]
                x[r] = v / top[j, rt, rt]
            for l in range(ku):
                U[j0 + 1 + l // n, o + l % n] = x[l]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _condense_rhs_tri(top, V1, b1, mid, V2, b2, G1, G2, Md, r_col, r_bc, r_c, nv):
    """:func:`.linalg.condense_rhs` for a factorisation of :func:`condense_factor_tri` and its
    borders of :func:`condense_borders_tri`.  Returns U (N m + 1, ne) in the layout of the
    nodes, z."""
    N, ki, _ = top.shape
    ne = mid.shape[1]
    nbd = G1.shape[1]
    m = ki // ne + 1
    ytop = np.zeros((N, max(ki, 1)))
    rr = np.zeros((N, ne))
    part = np.zeros((N, nbd))
    _rhs_intervals_tri(V1, b1, G1, r_col, nv, ytop, rr, part)
    U, z = sep_solve_mesh_points(mid, V2, b2, G2, Md, rr, part, r_bc, r_c, m)
    _back_substitute_copies(top, ytop, z, nv, U)
    return U, z


sep_condense_rhs_tri = separate(_condense_rhs_tri)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condense_rhs_tri(top, V1, b1, mid, V2, b2, G1, G2, Md, r_col, r_bc, r_c, nv):
    """:func:`_condense_rhs_tri` (its code compiled once, not linked into the callers)."""
    return sep_condense_rhs_tri(top, V1, b1, mid, V2, b2, G1, G2, Md, r_col, r_bc, r_c, nv)


class TriFactor(Factor):
    """:class:`.linalg.Factor` of an extended system's Jacobian by :func:`condense_factor_tri`
    (``nv`` copies of the variational equation); ``borders``, ``rhs`` and ``solve`` as there."""

    __slots__ = ("nv",)

    def __init__(self, Jblk, Jb, nv):
        ne = Jblk.shape[2] - Jblk.shape[1]
        if int(nv) < 1 or ne <= 0 or ne % (1 + int(nv)):
            raise ValueError(f"TriFactor: state dimension {ne} of the blocks is not 1 + nv = "
                             f"{1 + int(nv)} copies of the orbit's dimension")
        self.Jblk, self.Jb, self.nv = Jblk, Jb, int(nv)
        self.f = condense_factor_tri(Jblk, Jb, self.nv)
        self.b = None

    @classmethod
    def from_arrays(cls, f, Jblk, Jb, nv=1):
        """A TriFactor from the arrays of :func:`condense_factor_tri` (computed elsewhere)."""
        self = super().from_arrays(f, Jblk, Jb)
        self.nv = int(nv)
        return self

    def borders(self, C, D, B0, B1, Bz):
        top, V1, b1, mid, V2, b2, P, Q, S = self.f
        self.b = condense_borders_tri(top, mid, P, Q, S, C, D, B0, B1, Bz, self.nv)
        return self

    def rhs(self, r_col, r_bc, r_c):
        top, V1, b1, mid, V2, b2 = self.f[:6]
        return condense_rhs_tri(top, V1, b1, mid, V2, b2, *self.b, r_col, r_bc, r_c, self.nv)
