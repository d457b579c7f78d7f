"""Orthogonal collocation for periodic orbits: residual, block Jacobian, block solver.

The boundary-value problem for a T-periodic orbit of x' = f(x, p) is written on
the unit interval (Doedel, Keller & Kernevez 1991, Int. J. Bif. Chaos 1, 745,
eqs. 2-4; Kuznetsov 2004, *Elements of Applied Bifurcation Theory*, 3rd ed.,
sec. 10.3.2)::

    u'(t) - T f(u(t), p) = 0,   t in [0, 1]
    u(0) - u(1) = 0                                   (periodicity)
    int_0^1 <u(t), u_ref'(t)> dt = 0                  (integral phase condition)

The interval is split by a mesh 0 = t_0 < ... < t_N = 1 (N = ``ntst``); on
interval j, u is the Lagrange polynomial through m + 1 = ``ncol`` + 1 nodes
(equidistant, as in AUTO, or Gauss-Lobatto), and the ODE is imposed at the m
Gauss-Legendre points (superconvergence O(h^(2m)) at mesh points; de Boor &
Swartz 1973).

Unknowns: ``U`` of shape (N*m + 1, n), ``U[j*m + i]`` the value at node i of
interval j (``U[N*m]`` = u(1)), followed by the "border" unknowns ``z``
(period T and free parameters).  Collocation rows of interval j are multiplied
by h_j, so a block row reads

    sum_i Wd[k, i] U[jm+i] - h_j T f(sum_i W[k, i] U[jm+i], p) = 0.

The linear solver (:func:`bordered_solve`) is AUTO's *condensation of
parameters* (Doedel et al. 1991, sec. 3): interior node unknowns are eliminated
per interval, then the mesh-point unknowns x_1..x_{N-1} one after another, with
Householder reflections throughout, leaving a dense system of size 2n + nb.
The eliminated pair (P, Q) with P x_0 + Q x_N = 0 is exactly what the Floquet
multipliers need (:mod:`bifkit.continuation.cycles.floquet`).  Its building blocks
(:func:`load_interval`, :func:`right_upper_solve`, :func:`dense_matrix`,
:func:`back_substitute_mesh`, :func:`back_substitute_interior`) also serve the
factor-and-solve variant in :mod:`bifkit.continuation.cycles.linalg`.

All loops run in numba; the model kernels ``f``, ``jac``, ``dfdp`` are passed
as first-class function arguments (one compilation per model, cached on disk).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..._separate import separate

# no_cfunc_wrapper=True: nothing takes the C address of these functions, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md)

# --------------------------------------------------------------------------- #
# Nodes, weights and Lagrange matrices                                         #
# --------------------------------------------------------------------------- #


def gauss_points(m: int):
    """Gauss-Legendre points and weights on [0, 1] (m points)."""
    x, w = np.polynomial.legendre.leggauss(m)
    return 0.5 * (x + 1.0), 0.5 * w


def basis_nodes(m: int, kind: str = "uniform") -> np.ndarray:
    """The m + 1 Lagrange nodes on [0, 1]: equidistant (AUTO) or Gauss-Lobatto."""
    if kind == "uniform":
        return np.linspace(0.0, 1.0, m + 1)
    if kind == "lobatto":
        # Lobatto nodes: endpoints and the roots of P_m'
        inner = np.polynomial.legendre.Legendre.basis(m).deriv().roots()
        return np.concatenate(([0.0], 0.5 * (np.sort(inner.real) + 1.0), [1.0]))
    raise ValueError(f"basis nodes must be 'uniform' or 'lobatto', got {kind!r}")


def lagrange_matrices(nodes: np.ndarray, points: np.ndarray):
    """Values and derivatives of the Lagrange basis on ``nodes`` at ``points``.

    Returns ``W[k, i] = L_i(points[k])`` and ``Wd[k, i] = L_i'(points[k])``.
    """
    nodes = np.asarray(nodes, float)
    points = np.atleast_1d(np.asarray(points, float))
    q = len(nodes)
    W = np.ones((len(points), q))
    Wd = np.zeros((len(points), q))
    for i in range(q):
        others = [nodes[r] for r in range(q) if r != i]
        denom = np.prod([nodes[i] - o for o in others])
        for k, s in enumerate(points):
            W[k, i] = np.prod([s - o for o in others]) / denom
            d = 0.0
            for a in range(q - 1):
                d += np.prod([s - others[b] for b in range(q - 1) if b != a])
            Wd[k, i] = d / denom
    return W, Wd


class Scheme:
    """Collocation scheme: the ncol Gauss points and the Lagrange matrices.

    Attributes
    ----------
    ncol : int
    nodes : (ncol + 1,) basis nodes on [0, 1]
    c, wg : (ncol,) Gauss-Legendre points and weights on [0, 1]
    W, Wd : (ncol, ncol + 1) basis values and derivatives at the Gauss points
    """

    def __init__(self, ncol: int = 4, kind: str = "uniform"):
        if not 1 <= int(ncol) <= 7:
            raise ValueError(f"ncol must be in 1..7, got {ncol!r}")
        self.ncol = int(ncol)
        self.kind = kind
        key = (self.ncol, kind)
        if key not in _SCHEME_ARRAYS:   # the Python construction costs ~5 ms: once per process
            nodes = basis_nodes(self.ncol, kind)
            c, wg = gauss_points(self.ncol)
            _SCHEME_ARRAYS[key] = (nodes, c, wg) + lagrange_matrices(nodes, c)
        self.nodes, self.c, self.wg, self.W, self.Wd = (a.copy() for a in _SCHEME_ARRAYS[key])


_SCHEME_ARRAYS: dict = {}


# --------------------------------------------------------------------------- #
# Compiled kernels                                                             #
# --------------------------------------------------------------------------- #
def collocation_residual(f, U, T, p, mesh, W, Wd, out):
    """Collocation residuals into ``out`` of shape (N, m*n).

    ``out[j, k*n:(k+1)*n] = sum_i Wd[k,i] U[jm+i] - h_j T f(u(z_jk), p)``.
    ``f`` is a model's compiled right-hand side; the loop runs in the kernel
    module bound to it (:mod:`cycle_kernels`, compiled once per model).
    """
    from .ext import kernels
    kernels(f=f).coll_residual(U, T, p, mesh, W, Wd, out)


def collocation_jacobian(jac, f, dfdp, U, T, p, ifree, mesh, W, Wd, Jblk, Jb):
    """Block Jacobian of the collocation rows.

    ``Jblk[j]`` (m*n, (m+1)*n): derivatives with respect to the nodes of
    interval j; ``Jb[j]`` (m*n, 1 + len(ifree)): with respect to T and the
    parameters ``p[ifree]``.
    """
    from .ext import kernels
    kernels(f=f, jac=jac, dfdp=dfdp).coll_jacobian(U, T, p, ifree, mesh, W, Wd, Jblk, Jb)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def phase_row(Uref, W, Wd, wg, out):
    """Row of the integral phase condition, int <u, u_ref'> dt, over the nodes.

    With Gauss quadrature on each interval the factor h_j of the weights
    cancels the 1/h_j of the derivative, so the row does not depend on the mesh.
    """
    m, n = W.shape[0], Uref.shape[1]
    N = (Uref.shape[0] - 1) // m
    out[:, :] = 0.0
    du = np.empty(n)
    for j in range(N):
        for k in range(m):
            for a in range(n):
                d = 0.0
                for i in range(m + 1):
                    d += Wd[k, i] * Uref[j * m + i, a]
                du[a] = d
            for i in range(m + 1):
                c = wg[k] * W[k, i]
                for a in range(n):
                    out[j * m + i, a] += c * du[a]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _householder(M, k):
    """Householder QR on the first k columns of M, applied to all columns in place.

    Afterwards rows 0..k-1 hold R (upper triangular in columns 0..k-1) and the
    rows below are zero in those columns.  Loops run along rows (M is C-ordered).
    """
    r, c = M.shape
    v = np.empty(r)
    s = np.empty(c)
    for col in range(k):
        norm = 0.0
        for i in range(col, r):
            norm += M[i, col] * M[i, col]
        norm = math.sqrt(norm)
        if norm == 0.0:
            continue
        alpha = -norm if M[col, col] >= 0.0 else norm
        for i in range(col, r):
            v[i] = M[i, col]
        v[col] -= alpha
        vv = 2.0 * norm * (norm + abs(M[col, col]))  # = |v|^2
        if vv == 0.0:
            continue
        for jc in range(col + 1, c):
            s[jc] = 0.0
        for i in range(col, r):
            vi = v[i]
            if vi != 0.0:
                for jc in range(col + 1, c):
                    s[jc] += vi * M[i, jc]
        for jc in range(col + 1, c):
            s[jc] *= 2.0 / vv
        for i in range(col, r):
            vi = v[i]
            if vi != 0.0:
                for jc in range(col + 1, c):
                    M[i, jc] -= s[jc] * vi
        M[col, col] = alpha
        for i in range(col + 1, r):
            M[i, col] = 0.0


#: :func:`_householder` called through its symbol: compiled once, not linked into callers
sep_householder = separate(_householder)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def load_interval(Jblk, Jb, nb, j, M):
    """Copy the collocation rows of interval j into the work array M.

    Columns of M: the ki = (m-1)n interior-node unknowns | x_j | x_{j+1} | the
    first ``nb`` border columns ``Jb[j]``; columns beyond ki + 2n + nb are left
    as they are.  Interior nodes first, so that eliminating the leading ki
    columns condenses the interval onto its mesh points.
    """
    mn = Jblk.shape[1]
    n = Jblk.shape[2] - mn
    m = mn // n
    ki = mn - n
    for r in range(mn):
        for c in range(ki):
            M[r, c] = Jblk[j, r, n + c]
        for c in range(n):
            M[r, ki + c] = Jblk[j, r, c]
            M[r, ki + n + c] = Jblk[j, r, m * n + c]
        for c in range(nb):
            M[r, ki + 2 * n + c] = Jb[j, r, c]


#: :func:`load_interval` called through its symbol: compiled once, not linked into callers
sep_load_interval = separate(load_interval)


@nb.njit(cache=True, inline="always")
def right_upper_solve(Cm, R, k, G):
    """G = Cm R^{-1} into G (q, k), R[:k, :k] upper triangular (Cm of shape (q, k)).

    Inlined into its callers (numba IR): called per interval on small blocks,
    where a call from another module cost cycle_linalg.condense_borders ~7%.
    """
    q = Cm.shape[0]
    for row in range(q):
        for i in range(k):
            s = Cm[row, i]
            for l in range(i):
                s -= G[row, l] * R[l, i]
            G[row, i] = s / R[i, i]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def dense_matrix(P, Q, S, B0, B1, Bz, Cx0, Cw, Dw):
    """The condensed (2n + nb) matrix in (x_0, x_N, z).

    Rows: the condensed collocation rows P x_0 + Q x_N + S z, the boundary
    conditions B0 x_0 + B1 x_N + Bz z and the condensed border rows
    Cx0 x_0 + Cw[:, -1] x_N + Dw z.
    """
    n = P.shape[0]
    nbd = Dw.shape[0]
    last = Cw.shape[1] - 1
    Md = np.zeros((2 * n + nbd, 2 * n + nbd))
    for a in range(n):
        for b in range(n):
            Md[a, b] = P[a, b]
            Md[a, n + b] = Q[a, b]
            Md[n + a, b] = B0[a, b]
            Md[n + a, n + b] = B1[a, b]
        for c in range(nbd):
            Md[a, 2 * n + c] = S[a, c]
            Md[n + a, 2 * n + c] = Bz[a, c]
    for q in range(nbd):
        for a in range(n):
            Md[2 * n + q, a] = Cx0[q, a]
            Md[2 * n + q, n + a] = Cw[q, last, a]
        for c in range(nbd):
            Md[2 * n + q, 2 * n + c] = Dw[q, c]
    return Md


#: :func:`dense_matrix` called through its symbol: compiled once, not linked into callers
sep_dense_matrix = separate(dense_matrix)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def back_substitute_mesh(mid, ymid, z, U):
    """Mesh points x_{N-1}..x_1 into U, given x_0 = U[0], x_N = U[Nm] and z.

    Row a of ``mid[j]`` (columns x_j | x_0 | x_{j+1} | z, upper triangular in
    x_j) with right-hand side ``ymid[j, a]``.
    """
    N, n, _ = mid.shape
    nbd = z.shape[0]
    m = (U.shape[0] - 1) // N
    for j in range(N - 1, 0, -1):
        for a in range(n - 1, -1, -1):
            v = ymid[j, a]
            for b in range(n):
                v -= mid[j, a, n + b] * U[0, b] + mid[j, a, 2 * n + b] * U[(j + 1) * m, b]
            for c in range(nbd):
                v -= mid[j, a, 3 * n + c] * z[c]
            for b in range(a + 1, n):
                v -= mid[j, a, b] * U[j * m, b]
            U[j * m, a] = v / mid[j, a, a]


#: :func:`back_substitute_mesh` called through its symbol: compiled once, not linked into callers
sep_back_substitute_mesh = separate(back_substitute_mesh)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def back_substitute_interior(top, ytop, z, U):
    """Interior nodes of every interval into U, given the mesh points and z.

    Row r of ``top[j]`` (columns interior nodes | x_j | x_{j+1} | z, upper
    triangular in the interior nodes) with right-hand side ``ytop[j, r]``.
    """
    N, ki, _ = top.shape
    nbd = z.shape[0]
    n = U.shape[1]
    m = ki // n + 1
    xi = np.empty(ki)
    for j in range(N):
        for r in range(ki - 1, -1, -1):
            v = ytop[j, r]
            for b in range(n):
                v -= top[j, r, ki + b] * U[j * m, b] + top[j, r, ki + n + b] * U[(j + 1) * m, b]
            for c in range(nbd):
                v -= top[j, r, ki + 2 * n + c] * z[c]
            for l in range(r + 1, ki):
                v -= top[j, r, l] * xi[l]
            xi[r] = v / top[j, r, r]
        for r in range(ki):
            U[j * m + 1 + r // n, r % n] = xi[r]


#: :func:`back_substitute_interior` called through its symbol: compiled once, not linked into callers
sep_back_substitute_interior = separate(back_substitute_interior)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def bordered_solve(Jblk, Jb, C, D, r_col, r_per, r_c):
    """Solve the collocation Newton system by condensation of parameters.

    The system (Doedel et al. 1991, sec. 3; AUTO's ``solvbv``)::

        Jblk[j] U_j + Jb[j] z = r_col[j]      j = 0..N-1 (U_j: the m+1 nodes of interval j)
        U[0] - U[Nm]          = r_per          (periodicity)
        C . U + D z           = r_c            (nb border rows: phase, arclength, ...)

    Parameters
    ----------
    Jblk : (N, m*n, (m+1)*n)
    Jb : (N, m*n, nb)
    C : (nb, N*m+1, n)
    D : (nb, nb)
    r_col : (N, m*n);  r_per : (n,);  r_c : (nb,)

    Returns
    -------
    U : (N*m+1, n), z : (nb,), P, Q : (n, n)
        The solution and the condensed pair P x_0 + Q x_N (= 0 for the
        homogeneous variational problem), used for Floquet multipliers.
    """
    n = r_per.shape[0]
    nbd = D.shape[0]
    B0 = np.eye(n)
    B1 = -np.eye(n)
    Bz = np.zeros((n, nbd))
    return bordered_solve_bc(Jblk, Jb, C, D, B0, B1, Bz, r_col, r_per, r_c)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def load_chain_rows(M2, P, Q, S, A, B, Cb, j):
    """The 2n rows of the mesh-point elimination at x_j into ``M2`` (other columns zero).

    Rows 0..n-1: the running rows Q x_j + P x_0 + S z; rows n..2n-1: interval j's
    A[j] x_j + B[j] x_{j+1} + Cb[j] z; columns x_j | x_0 | x_{j+1} | z (3n + nbd), then
    whatever the caller adds (a right-hand side).  Copies in loops, not slice assignments.
    """
    n = P.shape[0]
    nbd = S.shape[1]
    for a in range(M2.shape[0]):
        for c in range(M2.shape[1]):
            M2[a, c] = 0.0
    for a in range(n):
        for b in range(n):
            M2[a, b] = Q[a, b]
            M2[a, n + b] = P[a, b]
            M2[n + a, b] = A[j, a, b]
            M2[n + a, 2 * n + b] = B[j, a, b]
        for c in range(nbd):
            M2[a, 3 * n + c] = S[a, c]
            M2[n + a, 3 * n + c] = Cb[j, a, c]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def take_chain_rows(M2, P, Q, S):
    """The running rows after x_j is eliminated: P, Q, S (in place) from rows n..2n-1 of
    ``M2`` (the x_0, x_{j+1} and z columns of :func:`load_chain_rows`)."""
    n = P.shape[0]
    for a in range(n):
        for b in range(n):
            P[a, b] = M2[n + a, n + b]
            Q[a, b] = M2[n + a, 2 * n + b]
        for c in range(S.shape[1]):
            S[a, c] = M2[n + a, 3 * n + c]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def store_interval_rows(M, j, ki, n, nbd, top, A, B, Cb):
    """Interval j's eliminated block ``M`` into ``top[j]`` (its first ``ki`` rows, all of
    top's columns) and the condensed rows A[j], B[j], Cb[j] of the mesh points and borders.

    Copies in loops, not slice assignments: the same values, less code to compile.
    """
    for r in range(ki):
        for c in range(top.shape[2]):
            top[j, r, c] = M[r, c]
    for a in range(n):
        for b in range(n):
            A[j, a, b] = M[ki + a, ki + b]
            B[j, a, b] = M[ki + a, ki + n + b]
        for c in range(nbd):
            Cb[j, a, c] = M[ki + a, ki + 2 * n + c]


@nb.njit(cache=True, no_cfunc_wrapper=True)
def bordered_solve_bc(Jblk, Jb, C, D, B0, B1, Bz, r_col, r_bc, r_c):
    """:func:`bordered_solve` with general two-point boundary conditions.

    The n periodicity rows are replaced by ``B0 U[0] + B1 U[Nm] + Bz z = r_bc``
    (antiperiodic for a period-doubling eigenfunction, a rotation by an unknown
    angle for a Neimark-Sacker one).  (P, Q) is the condensed pair of the
    collocation rows alone, as in :func:`bordered_solve`.
    """
    r_per = r_bc
    N, mn, _ = Jblk.shape
    n = r_per.shape[0]
    m = mn // n
    nbd = D.shape[0]
    ki = (m - 1) * n  # interior unknowns per interval
    Cw = C.copy()
    Dw = D.copy()
    rc = r_c.copy()
    # ---- step 1: interior nodes, per interval
    ncols = ki + 2 * n + nbd + 1
    top = np.zeros((N, ki, ncols))
    A = np.zeros((N, n, n))
    B = np.zeros((N, n, n))
    Cb = np.zeros((N, n, nbd))
    rr = np.zeros((N, n))
    M = np.zeros((mn, ncols))
    G = np.empty((nbd, ki))
    for j in range(N):
        sep_load_interval(Jblk, Jb, nbd, j, M)
        for r in range(mn):
            M[r, ncols - 1] = r_col[j, r]
        sep_householder(M, ki)
        store_interval_rows(M, j, ki, n, nbd, top, A, B, Cb)
        for a in range(n):
            rr[j, a] = M[ki + a, ncols - 1]
        if ki > 0:
            Cint = np.empty((nbd, ki))
            for q in range(nbd):
                for c in range(ki):
                    Cint[q, c] = Cw[q, j * m + 1 + c // n, c % n]
            right_upper_solve(Cint, M, ki, G)
            upd = G @ np.ascontiguousarray(M[:ki, ki:])
            for q in range(nbd):
                for a in range(n):
                    Cw[q, j * m, a] -= upd[q, a]
                    Cw[q, (j + 1) * m, a] -= upd[q, n + a]
                for c in range(nbd):
                    Dw[q, c] -= upd[q, 2 * n + c]
                rc[q] -= upd[q, 2 * n + nbd]
    # ---- step 2: mesh points x_1..x_{N-1}, sequentially
    # running rows: P x_0 + Q x_cur + S z = s
    P = A[0].copy()
    Q = B[0].copy()
    S = Cb[0].copy()
    s = rr[0].copy()
    nc2 = 3 * n + nbd + 1
    mid = np.zeros((N, n, nc2))
    M2 = np.zeros((2 * n, nc2))
    Cx0 = np.empty((nbd, n))
    for q in range(nbd):
        for a in range(n):
            Cx0[q, a] = Cw[q, 0, a]
    G2 = np.empty((nbd, n))
    for j in range(1, N):
        # columns: x_j | x_0 | x_{j+1} | z | rhs
        load_chain_rows(M2, P, Q, S, A, B, Cb, j)
        for a in range(n):
            M2[a, nc2 - 1] = s[a]
            M2[n + a, nc2 - 1] = rr[j, a]
        sep_householder(M2, n)
        take_chain_rows(M2, P, Q, S)   # P, Q, S, s: this function's own arrays
        for a in range(n):
            for c in range(nc2):
                mid[j, a, c] = M2[a, c]
            s[a] = M2[n + a, nc2 - 1]
        Cj = np.empty((nbd, n))
        for q in range(nbd):
            for a in range(n):
                Cj[q, a] = Cw[q, j * m, a]
        right_upper_solve(Cj, M2, n, G2)
        upd = G2 @ np.ascontiguousarray(M2[:n, n:])
        for q in range(nbd):
            for a in range(n):
                Cx0[q, a] -= upd[q, a]
                Cw[q, (j + 1) * m, a] -= upd[q, n + a]
            for c in range(nbd):
                Dw[q, c] -= upd[q, 2 * n + c]
            rc[q] -= upd[q, 2 * n + nbd]
    # ---- step 3: dense system in x_0, x_N, z
    Md = sep_dense_matrix(P, Q, S, B0, B1, Bz, Cx0, Cw, Dw)
    rd = np.zeros(2 * n + nbd)
    for a in range(n):
        rd[a] = s[a]
        rd[n + a] = r_per[a]
    for q in range(nbd):
        rd[2 * n + q] = rc[q]
    sol = np.linalg.solve(Md, rd)
    U = np.zeros((N * m + 1, n))
    for a in range(n):
        U[0, a] = sol[a]
        U[N * m, a] = sol[n + a]
    z = sol[2 * n:].copy()
    # ---- back substitution: mesh points, then interior nodes
    # contiguous right-hand sides, as from cycles/linalg.py: one compiled version, not two
    sep_back_substitute_mesh(mid, np.ascontiguousarray(mid[:, :, nc2 - 1]), z, U)
    if ki > 0:
        sep_back_substitute_interior(top, np.ascontiguousarray(top[:, :, ncols - 1]), z, U)
    return U, z, P, Q


def solve_bc(what, *args):
    """:func:`bordered_solve_bc` (same arguments after ``what``) called from Python.

    A singular system raises ``np.linalg.LinAlgError("singular bordered system in
    <what>")``, also where the compiled elimination divides by a zero pivot (there
    numba raises ZeroDivisionError, e.g. for an all-zero block) -- callers that catch
    LinAlgError then see every singular case.
    """
    try:
        return bordered_solve_bc(*args)
    except (ZeroDivisionError, np.linalg.LinAlgError) as err:
        raise np.linalg.LinAlgError(f"singular bordered system in {what}") from err


@nb.njit(cache=True, no_cfunc_wrapper=True)
def condensed_pair(Jblk):
    """P, Q with P x_0 + Q x_N = 0 for the homogeneous collocation system.

    The same orthogonal eliminations as :func:`bordered_solve`, without
    borders; x_N = M x_0 with M = -Q^{-1} P the monodromy matrix of the
    discretised variational equation.
    """
    N, mn, _ = Jblk.shape
    n = Jblk.shape[2] - mn
    m = mn // n
    ki = (m - 1) * n
    M = np.zeros((mn, ki + 2 * n))
    A = np.zeros((N, n, n))
    B = np.zeros((N, n, n))
    for j in range(N):
        sep_load_interval(Jblk, Jblk, np.int64(0), j, M)   # no borders; typed 0: one compile
        sep_householder(M, ki)
        for a in range(n):   # copies in loops, as in bordered_solve_bc
            for b in range(n):
                A[j, a, b] = M[ki + a, ki + b]
                B[j, a, b] = M[ki + a, ki + n + b]
    P = A[0].copy()
    Q = B[0].copy()
    S = np.zeros((n, 0))        # no borders
    Cb = np.zeros((N, n, 0))
    M2 = np.zeros((2 * n, 3 * n))
    for j in range(1, N):
        load_chain_rows(M2, P, Q, S, A, B, Cb, j)
        sep_householder(M2, n)
        take_chain_rows(M2, P, Q, S)   # P, Q: this function's own arrays
    return P, Q


def newton_orbit(kernels, U0, T0, p, mesh, scheme, tol=1e-10, maxit=12):
    """Newton's method for a periodic orbit at fixed parameters.

    Unknowns U and T; the phase is pinned by int <u, u0'> dt = 0 with u0 the
    start orbit.  The loop is Python but each iteration is three compiled
    calls (residual, Jacobian, condensation solve): a numba loop around them
    would cost ~7 s of extra compilation per process for a few microseconds.

    Parameters
    ----------
    kernels : bifkit.model.Compiled
        ``model.compiled`` (uses ``f``, ``jac``, ``dfdp``).
    U0 : (N*m+1, n) start values on the nodes;  T0 : float start period
    p : parameter array;  mesh : (N+1,);  scheme : Scheme
    tol : float
        Converged when the step's max-norm is below ``tol * (1 + max|U|)``.

    Returns
    -------
    U, T, iterations, converged (bool), residual max-norm, P, Q
        (P, Q): condensed pair at the last Jacobian, for Floquet multipliers.
    """
    f, jac, dfdp = kernels.f, kernels.jac, kernels.dfdp
    W, Wd = scheme.W, scheme.Wd
    N, m, n = len(mesh) - 1, scheme.ncol, U0.shape[1]
    U = np.array(U0, dtype=float)
    T = float(T0)
    phi = np.zeros((N * m + 1, n))
    phase_row(U, W, Wd, scheme.wg, phi)
    C = phi.reshape((1, N * m + 1, n))
    D = np.zeros((1, 1))
    Jblk = np.zeros((N, m * n, (m + 1) * n))
    Jb = np.zeros((N, m * n, 1))
    ifree = np.zeros(0, dtype=np.int64)
    rcol = np.zeros((N, m * n))
    P = Q = np.full((n, n), np.nan)
    res = np.inf
    for it in range(1, maxit + 1):
        collocation_residual(f, U, T, p, mesh, W, Wd, rcol)
        rper = U[0] - U[N * m]
        rc = np.array([np.sum(phi * U)])
        res = max(np.max(np.abs(rcol)), np.max(np.abs(rper)), abs(rc[0]))
        if not np.isfinite(res):
            return U, T, it, False, res, P, Q
        collocation_jacobian(jac, f, dfdp, U, T, p, ifree, mesh, W, Wd, Jblk, Jb)
        dU, dz, P, Q = bordered_solve(Jblk, Jb, C, D, -rcol, -rper, -rc)
        U += dU
        T += dz[0]
        scale = 1.0 + np.max(np.abs(U))
        step = max(np.max(np.abs(dU)), abs(dz[0]) / (1.0 + abs(T)) * scale)
        if step < tol * scale:
            collocation_residual(f, U, T, p, mesh, W, Wd, rcol)
            return U, T, it, True, float(np.max(np.abs(rcol))), P, Q
    return U, T, maxit, False, res, P, Q


# --------------------------------------------------------------------------- #
# Python-level helpers                                                         #
# --------------------------------------------------------------------------- #
def interpolate(U, mesh, scheme, t):
    """Evaluate the piecewise collocation polynomial at times ``t`` in [0, 1].

    Returns an array of shape (len(t), n).
    """
    t = np.atleast_1d(np.asarray(t, float))
    U = np.ascontiguousarray(U, dtype=float)
    out = np.empty((len(t), U.shape[1]))
    _interpolate(U, np.asarray(mesh, float), scheme.nodes, t, out)
    return out


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _interpolate(U, mesh, nodes, t, out):
    N = mesh.shape[0] - 1
    m = nodes.shape[0] - 1
    n = U.shape[1]
    L = np.empty(m + 1)
    for q in range(t.shape[0]):
        j = np.searchsorted(mesh, t[q], side="right") - 1
        j = min(max(j, 0), N - 1)
        s = (t[q] - mesh[j]) / (mesh[j + 1] - mesh[j])
        for i in range(m + 1):
            li = 1.0
            for k in range(m + 1):
                if k != i:
                    li *= (s - nodes[k]) / (nodes[i] - nodes[k])
            L[i] = li
        for a in range(n):
            v = 0.0
            for i in range(m + 1):
                v += L[i] * U[j * m + i, a]
            out[q, a] = v


def node_times(mesh, scheme):
    """Times in [0, 1] of all N*m + 1 collocation nodes."""
    mesh = np.asarray(mesh)
    h = mesh[1:] - mesh[:-1]   # np.diff's values, without its ~3 us of Python
    m = scheme.ncol
    t = np.empty(len(h) * m + 1)
    np.add(mesh[:-1, None], h[:, None] * scheme.nodes[None, :m], out=t[:-1].reshape(len(h), m))
    t[-1] = mesh[-1]
    return t


def uniform_mesh(ntst: int) -> np.ndarray:
    """The equidistant mesh with ``ntst`` intervals on [0, 1]."""
    if int(ntst) < 2:
        raise ValueError(f"ntst must be >= 2, got {ntst!r}")
    return np.linspace(0.0, 1.0, int(ntst) + 1)
