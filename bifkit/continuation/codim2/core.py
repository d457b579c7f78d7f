"""Compiled core of the two-parameter curves LP-C, H-C and NF-C (minimally augmented systems).

Unknowns y = (x, s_1, s_2[, e]) with s_j the free parameters (or their log10)
and e an extra scalar: kappa = omega^2 on H-C, the double eigenvalue mu on NF-C.
Defining systems (Govaerts 2000, *Numerical methods for bifurcations of
dynamical equilibria*, ch. 4-6; Kuznetsov 2004, *Elements*, sec. 10.2):

LP-C   f(x, p) = 0 and g = 0 from the bordered system (m = 1 border)
H-C    f(x, p) = 0 and two entries of G from the bordered system (m = 2) with
       A = J^2 + kappa I (J has eigenvalues +-i sqrt(kappa) iff A has a
       two-dimensional kernel; no bialternate product is needed)
NF-C   f(x, p) = 0 and two entries of G with A = (J - mu I)^2 (J has a
       non-semisimple double real eigenvalue mu: the node/focus boundary)

The bordered system is ``[[A, Bb], [Cb^T, 0]] [V; G] = [0; I_m]``; its
transpose gives W, and the derivatives follow from dG = -W^T dA V.  After each
accepted point the borders are reset to the (orthonormalised) null vectors W,
V of the current point, and on H-C / NF-C the two entries of G that make the
system best conditioned are chosen.

Every function that Python calls has an explicit signature and receives the
model kernels as an array of addresses (:mod:`bifkit.binding`), used inside as
first-class functions of fixed type: the compiled code is the same for every
model, numba's disk cache serves every process (a dispatcher-typed argument
would be recompiled in each new process), and a call costs ~1 us.  The step
functions (``defining``, ``correct``, ``refresh``, ``point_tests``) are called the
same way, through their own addresses (:data:`STEPS`), so that each is compiled
once and not again inside every function that calls it.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np
from numba import types

from ...binding import (B_TYPE, C_TYPE, DJDP_TYPE, F_TYPE, JAC_TYPE, compiled_function,
                        unpack)
from ..events import illinois_trial, illinois_update
from ..._separate import separate
from ..._dispatchers import compiled_only
from .linalg import det, dot, mm, mv, sep_solve, solve_vec, sort_eigenvalues, vm

LN10 = math.log(10.0)

# no_cfunc_wrapper=True: nothing calls these functions through a C address, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md;
# the step functions are called through their jit address, bifkit.binding.compiled_function).
# compiled_only: only compiled code calls them, so they get no Python wrapper either
# (bifkit/_dispatchers.py; a Python call compiles a Python-callable copy first).

# curve kinds
LP, HOPF, NF = 0, 1, 2
# why a direction ended
MAX_POINTS, BOUND, MIN_STEP, CLOSED, BT_END, NOT_FINITE = 0, 1, 2, 3, 4, 5
NTEST = 4  # columns of the test-function table (unused ones are NaN)
NDATA = 3  # columns of the per-point data table

_F1 = types.float64[::1]
_F2 = types.float64[:, ::1]
_F3 = types.float64[:, :, ::1]
_I1 = types.int64[::1]
_KERNELS = (_I1,)  # the kernel addresses (bifkit.binding.addresses)
# kind, p0, idx, logf; logf[j] = 1: free parameter j in log10; logf[2] = 1: derivatives of
# J by central differences of jac (large n, finite-difference kernels), else exact B
_PROBLEM = (types.int64, _F1, _I1, _I1)


# --------------------------------------------------------------------------- #
# The defining system                                                          #
# --------------------------------------------------------------------------- #
@compiled_only(cache=True, no_cfunc_wrapper=True)
def _params(p0, idx, logf, y, n):
    p = p0.copy()
    for j in range(2):
        p[idx[j]] = 10.0 ** y[n + j] if logf[j] else y[n + j]
    return p


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _DuJ(B, jac, x, p, u, fd):
    """The derivative of J in direction u: D[:, k] = B(u, e_k).

    ``fd``: by central differences of ``jac`` instead (two Jacobians rather than
    n calls of B; for large systems and models with finite-difference kernels).
    """
    n = x.size
    if fd:
        nu = math.sqrt(dot(u, u))
        if nu == 0.0:
            return np.zeros((n, n))
        h = 6.0e-6 * max(1.0, math.sqrt(dot(x, x))) / nu
        return (jac(0.0, x + h * u, p) - jac(0.0, x - h * u, p)) / (2.0 * h)
    D = np.empty((n, n))
    e = np.zeros(n)
    uc = u.copy()
    for k in range(n):
        e[k] = 1.0
        D[:, k] = B(0.0, x, p, uc, e)
        e[k] = 0.0
    return D


#: :func:`_DuJ` called through its symbol: compiled once, not linked into callers
sep_DuJ = separate(_DuJ)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _mats(J, kind, y, n):
    """M = J - mu I and A (J on LP-C, M^2 + kappa I otherwise)."""
    M = J.copy()
    if kind == LP:
        return M, J.copy()
    mu, kap = 0.0, 0.0
    if kind == HOPF:
        kap = y[n + 2]
    else:
        mu = y[n + 2]
    for i in range(n):
        M[i, i] -= mu
    A = mm(M, M)
    for i in range(n):
        A[i, i] += kap
    return M, A


#: :func:`_mats` called through its symbol: compiled once, not linked into callers
sep_mats = separate(_mats)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def defining(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y, Bb, Cb, grad):
    """f, J and the bordered solution at y; with ``grad`` also the derivatives.

    Returns (fx, J, DFf, V, W, G, dG): DFf = [J, df/ds, 0] (n x N), V and W
    (n x m) the bordered null vectors, G (m x m), dG (m*m x N) the gradients
    of G[i, j] in row i*m + j.
    """
    n = Bb.shape[0]
    N = y.size
    m = 1 if kind == LP else 2
    x = y[:n].copy()
    p = _params(p0, idx, logf, y, n)
    fx = f(0.0, x, p)
    J = jac(0.0, x, p)
    M, A = sep_mats(J, kind, y, n)
    Mb = np.zeros((n + m, n + m))
    Mt = np.zeros((n + m, n + m))
    for i in range(n):
        for k in range(n):
            Mb[i, k] = A[i, k]
            Mt[k, i] = A[i, k]
    for j in range(m):
        for i in range(n):
            Mb[i, n + j] = Bb[i, j]
            Mb[n + j, i] = Cb[i, j]
            Mt[i, n + j] = Cb[i, j]
            Mt[n + j, i] = Bb[i, j]
    R = np.zeros((n + m, m))
    for j in range(m):
        R[n + j, j] = 1.0
    S = sep_solve(Mb, R)
    St = sep_solve(Mt, R)
    V = S[:n].copy()
    W = St[:n].copy()
    G = S[n:].copy()
    DFf = np.zeros((n, N))
    dG = np.zeros((m * m, N))
    if not grad:
        return fx, J, DFf, V, W, G, dG
    DFf[:, :n] = J
    D = dfdp(0.0, x, p)
    sc = np.empty(2)
    for j in range(2):
        k = idx[j]
        sc[j] = p[k] * LN10 if logf[j] else 1.0
        for i in range(n):
            DFf[i, n + j] = D[i, k] * sc[j]
    dJ = dJdp(0.0, x, p)
    if kind == LP:
        v = V[:, 0].copy()
        w = W[:, 0].copy()
        dG[0, :n] = -vm(w, sep_DuJ(B, jac, x, p, v, logf[2]))
        for j in range(2):
            dG[0, n + j] = -dot(w, mv(dJ[idx[j]], v)) * sc[j]
        return fx, J, DFf, V, W, G, dG
    for j in range(2):
        vj = V[:, j].copy()
        mvj = mv(M, vj)
        Dv = sep_DuJ(B, jac, x, p, vj, logf[2])
        Dmv = sep_DuJ(B, jac, x, p, mvj, logf[2])
        Jv0, Jv1 = mv(dJ[idx[0]], vj), mv(dJ[idx[1]], vj)
        Jm0, Jm1 = mv(dJ[idx[0]], mvj), mv(dJ[idx[1]], mvj)
        for i in range(2):
            wi = W[:, i].copy()
            mwi = vm(wi, M)  # M^T w_i
            r = 2 * i + j
            dG[r, :n] = -(vm(wi, Dmv) + vm(mwi, Dv))
            dG[r, n] = -(dot(wi, Jm0) + dot(mwi, Jv0)) * sc[0]
            dG[r, n + 1] = -(dot(wi, Jm1) + dot(mwi, Jv1)) * sc[1]
            if kind == HOPF:
                dG[r, n + 2] = -dot(wi, vj)
            else:
                dG[r, n + 2] = 2.0 * dot(wi, mvj)
    return fx, J, DFf, V, W, G, dG


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _system(kind, fx, DFf, G, dG, sel):
    """Residual (N-1) and Jacobian (N-1 x N) of f = 0 plus the selected G entries."""
    n, N = DFf.shape
    m = 1 if kind == LP else 2
    F = np.empty(n + m)
    DF = np.empty((n + m, N))
    F[:n] = fx
    DF[:n] = DFf
    for r in range(m):
        i, j = sel[2 * r], sel[2 * r + 1]
        F[n + r] = G[i, j]
        DF[n + r] = dG[i * G.shape[1] + j]
    return F, DF


#: :func:`_system` called through its symbol: compiled once, not linked into callers
sep_system = separate(_system)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _wdot(a, b, nw):
    """Dot product over the first nw components (the arclength weights)."""
    s = 0.0
    for i in range(nw):
        s += a[i] * b[i]
    return s


@compiled_only(cache=True, no_cfunc_wrapper=True)
def correct(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y_pred, t, Bb, Cb, sel,
            fixed, value, tol, max_iter):
    """Newton on [F(y); t.(y - y_pred)] = 0 (or y[fixed] = value if fixed >= 0).

    The arclength row weighs only x and the parameters (not kappa or mu).
    Returns (y, ok, iterations, V, W) with V, W the bordered null vectors of
    the last iterate.
    """
    n = Bb.shape[0]
    N = y_pred.size
    nw = n + 2
    y = y_pred.copy()
    Mat = np.empty((N, N))
    r = np.empty(N)
    prev_step = np.inf
    for it in range(max_iter):
        fx, J, DFf, V, W, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y,
                                           Bb, Cb, np.bool_(True))
        F, DF = sep_system(kind, fx, DFf, G, dG, sel)
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(DF))):
            return y, False, it + 1, V, W
        Mat[:N - 1] = DF
        r[:N - 1] = -F
        if fixed < 0:
            for i in range(N):
                Mat[N - 1, i] = t[i] if i < nw else 0.0
            r[N - 1] = -_wdot(t, y - y_pred, nw)
        else:
            Mat[N - 1] = 0.0
            Mat[N - 1, fixed] = 1.0
            r[N - 1] = value - y[fixed]
        dy = solve_vec(Mat, r)
        if not np.all(np.isfinite(dy)):
            return y, False, it + 1, V, W
        y = y + dy
        step = 0.0  # largest relative step over x and the parameters
        for i in range(nw):
            step = max(step, abs(dy[i]) / (1.0 + abs(y[i])))
        # kappa / mu is an eigenvalue: near a non-normal Jacobian it is ill-conditioned and
        # rounding alone moves it by more than tol; it follows x and p, so a looser test
        extra_ok = True
        for i in range(nw, N):
            if abs(dy[i]) > math.sqrt(tol) * (1.0 + abs(y[i])):
                extra_ok = False
        done = step <= tol
        if not done and it >= 2 and step <= 100.0 * tol:
            rho = step / prev_step
            # linear convergence (Jacobian entries of badly conditioned models carry
            # rounding errors): the remaining error is about rho/(1 - rho) * step; or the
            # iteration stagnates at rounding level (rho ~ 1) within 100 tol
            done = (rho < 0.9 and rho / (1.0 - rho) * step <= tol) or rho >= 0.9
        prev_step = step
        if done and extra_ok:
            fx = f(0.0, y[:n].copy(), _params(p0, idx, logf, y, n))
            return y, bool(np.all(np.isfinite(fx))), it + 1, V, W
    return y, False, max_iter, V, W


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _tangent(DF, t_prev, nw):
    """Null vector of DF (N-1 x N), unit in the weighted norm, oriented like t_prev."""
    N = DF.shape[1]
    Mat = np.empty((N, N))
    Mat[:N - 1] = DF
    for i in range(N):
        Mat[N - 1, i] = t_prev[i] if i < nw else 0.0
    rhs = np.zeros(N)
    rhs[N - 1] = 1.0
    t = solve_vec(Mat, rhs)
    return t / math.sqrt(_wdot(t, t, nw))


# --------------------------------------------------------------------------- #
# Borders                                                                      #
# --------------------------------------------------------------------------- #


#: :func:`_tangent` called through its symbol: compiled once, not linked into callers
sep_tangent = separate(_tangent)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _orth(V):
    """Orthonormal basis (Gram-Schmidt) of the columns of V, same orientation."""
    Q = np.ascontiguousarray(V.T)  # rows = columns of V
    m = Q.shape[0]
    for j in range(m):
        for k in range(j):
            Q[j] -= np.sum(Q[k] * Q[j]) * Q[k]
        Q[j] /= math.sqrt(np.sum(Q[j] * Q[j]))
    return np.ascontiguousarray(Q.T)


_PAIRS = np.array([[0, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 1], [1, 1, 1, 0],
                   [0, 0, 1, 1], [0, 1, 1, 0]], dtype=np.int64)


#: :func:`_orth` called through its symbol: compiled once, not linked into callers
sep_orth = separate(_orth)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _choose(kind, DFf, G, dG, t, nw):
    """The pair of G entries whose rows make [F_y; t] best conditioned."""
    sel = np.zeros(4, dtype=np.int64)
    if kind == LP:
        return sel
    n, N = DFf.shape
    best, arg = -1.0, 0
    Mat = np.empty((N, N))
    for q in range(_PAIRS.shape[0]):
        F, DF = sep_system(kind, np.zeros(n), DFf, G, dG, _PAIRS[q].copy())
        Mat[:N - 1] = DF
        for r in range(n, n + 2):
            nr = math.sqrt(dot(Mat[r], Mat[r]))
            if nr > 0:
                Mat[r] /= nr
        for i in range(N):
            Mat[N - 1, i] = t[i] if i < nw else 0.0
        d = abs(det(Mat))
        if d > best:
            best, arg = d, q
    return _PAIRS[arg].copy()


#: :func:`_choose` called through its symbol: compiled once, not linked into callers
sep_choose = separate(_choose)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def refresh(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y, t, V, W):
    """New borders from null vectors V, W near y, the best pair of G entries, the tangent.

    Returns (Bb, Cb, sel, t, V, W, J), the last three at y with the new borders.
    """
    n = V.shape[0]
    nw = n + 2
    m = V.shape[1]
    # borders of the size of A's entries: a well-scaled bordered matrix (with unit
    # borders and |A| ~ 1e4, as on Hopf curves with omega ~ 100, V, W and the
    # Jacobian lose digits and Newton degrades to linear convergence)
    M, A = sep_mats(jac(0.0, y[:n].copy(), _params(p0, idx, logf, y, n)), kind, y, n)
    scale = np.max(np.abs(A))
    if not (scale > 0 and np.isfinite(scale)):
        scale = 1.0
    Bn = np.zeros((n, 2))
    Cn = np.zeros((n, 2))
    Bn[:, :m] = sep_orth(W) * scale
    Cn[:, :m] = sep_orth(V) * scale
    fx, J, DFf, V2, W2, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y,
                                         Bn, Cn, np.bool_(True))
    seln = sep_choose(kind, DFf, G, dG, t, nw)
    F, DF = sep_system(kind, fx, DFf, G, dG, seln)
    tn = sep_tangent(DF, t, nw)
    return Bn, Cn, seln, tn, V2, W2, J


# --------------------------------------------------------------------------- #
# Test functions and per-point data                                            #
# --------------------------------------------------------------------------- #
@compiled_only(cache=True, no_cfunc_wrapper=True)
def _eig2(R, upper):
    """Eigenvalue of the real 2x2 R with Im >= 0 (upper) or <= 0, and its eigenvector."""
    tr = R[0, 0] + R[1, 1]
    det = R[0, 0] * R[1, 1] - R[0, 1] * R[1, 0]
    disc = complex(tr * tr / 4.0 - det)
    root = np.sqrt(disc)
    lam = tr / 2.0 + root
    if (upper and lam.imag < 0) or (not upper and lam.imag > 0):
        lam = tr / 2.0 - root
    a, b, c, d = R[0, 0] - lam, R[0, 1], R[1, 0], R[1, 1] - lam
    v = np.empty(2, dtype=np.complex128)
    if abs(a) + abs(b) >= abs(c) + abs(d):
        v[0], v[1] = -b, a
    else:
        v[0], v[1] = -d, c
    return lam, v


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _restrict(J, V):
    """2x2 matrix of J restricted to span(V): J V = V R (least squares)."""
    Vt = V.T.copy()
    return sep_solve(mm(Vt, V), mm(Vt, mm(J, V)))


#: :func:`_restrict` called through its symbol: compiled once, not linked into callers
sep_restrict = separate(_restrict)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def hopf_l1(B, C, x, p, J, V, W):
    """First Lyapunov coefficient and omega from the real kernels B, C.

    q and p are found inside span(V) and span(W) (the right and left real
    invariant subspaces of the pair +-i omega); Kuznetsov's formula with
    |q| = 1, conj(p).q = 1.
    """
    n = x.size
    lam, r = _eig2(sep_restrict(J, V), np.bool_(True))
    omega = lam.imag
    if not omega > 0:
        return np.nan, np.nan
    q = np.empty(n, dtype=np.complex128)
    for i in range(n):
        q[i] = V[i, 0] * r[0] + V[i, 1] * r[1]
    q /= math.sqrt(np.sum(np.conj(q) * q).real)
    lam2, s = _eig2(sep_restrict(J.T.copy(), W), np.bool_(False))
    pv = np.empty(n, dtype=np.complex128)
    for i in range(n):
        pv[i] = W[i, 0] * s[0] + W[i, 1] * s[1]
    pv /= np.conj(np.sum(np.conj(pv) * q))
    a = q.real.copy()
    b = q.imag.copy()
    Baa, Bbb = B(0.0, x, p, a, a), B(0.0, x, p, b, b)
    Bab = B(0.0, x, p, a, b)
    h11 = solve_vec(J, Baa + Bbb)
    K = -J.astype(np.complex128)
    for i in range(n):
        K[i, i] += 2j * omega
    h20 = solve_vec(K, (Baa - Bbb) + 2j * Bab)
    Cq = (C(0.0, x, p, a, a, a) + C(0.0, x, p, a, b, b)) \
        + 1j * (C(0.0, x, p, a, a, b) + C(0.0, x, p, b, b, b))
    Bqh11 = B(0.0, x, p, a, h11) + 1j * B(0.0, x, p, b, h11)
    hr = h20.real.copy()
    hi = h20.imag.copy()
    Bqbh20 = (B(0.0, x, p, a, hr) + B(0.0, x, p, b, hi)) \
        + 1j * (B(0.0, x, p, a, hi) - B(0.0, x, p, b, hr))
    g = np.sum(np.conj(pv) * (Cq - 2.0 * Bqh11 + Bqbh20))
    return g.real / (2.0 * omega), omega


#: :func:`hopf_l1` called through its symbol: compiled once, not linked into callers
sep_hopf_l1 = separate(hopf_l1)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _pair_sum_product(ev, skip1, skip2):
    """Re prod_{i<j} (lambda_i + lambda_j) over eigenvalues other than skip1, skip2."""
    h = 1.0 + 0j
    n = ev.size
    for i in range(n):
        if i == skip1 or i == skip2:
            continue
        for j in range(i + 1, n):
            if j == skip1 or j == skip2:
                continue
            h *= ev[i] + ev[j]
    return h.real


@compiled_only(cache=True, no_cfunc_wrapper=True)
def point_tests(B, C, kind, p0, idx, logf, y, J, V, W, tests, data):
    """Test functions (``tests``), per-point data (``data``), eigenvalues, stability.

    LP-C tests: [BT: w.v/(|w||v|), CP: w.B(v,v)/(|w||v|^2), ZH: Re prod (l_i + l_j)
    over the eigenvalues but the one nearest 0, nan]; data [a, nan, nan] with
    a = p.B(q,q)/2, |q| = 1, p.q = 1.
    H-C tests: [BT: kappa, ZH: Re prod of the other eigenvalues, GH: l1,
    HH: Re prod (l_i + l_j) over the other eigenvalues]; data [l1, omega, kappa].
    NF-C tests: [BT: mu, nan, nan, nan]; data [mu, nan, nan].
    Stable: every eigenvalue but the critical ones has Re < 0 (NF-C: all).
    """
    n = J.shape[0]
    x = y[:n].copy()
    p = _params(p0, idx, logf, y, n)
    ev = np.linalg.eigvals(J.astype(np.complex128))
    tests[:] = np.nan
    data[:] = np.nan
    skip1, skip2 = -1, -1
    if kind == LP:
        v = V[:, 0].copy()
        w = W[:, 0].copy()
        nv, nw_ = math.sqrt(dot(v, v)), math.sqrt(dot(w, w))
        wv = dot(w, v)
        Bvv = dot(w, B(0.0, x, p, v, v))
        tests[0] = wv / (nv * nw_)
        tests[1] = Bvv / (nw_ * nv * nv)
        skip1 = int(np.argmin(np.abs(ev)))
        tests[2] = _pair_sum_product(ev, skip1, np.int64(-1))
        data[0] = 0.5 * Bvv / (wv * nv)
    elif kind == HOPF:
        kap = y[n + 2]
        target = 1j * math.sqrt(kap) if kap >= 0 else complex(math.sqrt(-kap))
        skip1 = int(np.argmin(np.abs(ev - target)))
        d = np.abs(ev + target) if kap >= 0 else np.abs(ev - (-target))
        d[skip1] = np.inf
        skip2 = int(np.argmin(d))
        prod = 1.0 + 0j
        for i in range(n):
            if i != skip1 and i != skip2:
                prod *= ev[i]
        tests[0] = kap
        tests[1] = prod.real
        tests[3] = _pair_sum_product(ev, skip1, skip2)
        if kap > 0:
            l1, om = sep_hopf_l1(B, C, x, p, J, V, W)
            tests[2] = l1
            data[0] = l1
            data[1] = om
        data[2] = kap
    else:
        tests[0] = y[n + 2]
        data[0] = y[n + 2]
    stable = True
    for i in range(n):
        if i != skip1 and i != skip2 and not ev[i].real < 0:
            stable = False
    return sort_eigenvalues(ev), stable


# --------------------------------------------------------------------------- #
# The four step functions, called through their addresses                     #
# --------------------------------------------------------------------------- #
# numba links the code of every njit function an entry point calls into that entry
# point and optimises and compiles it there again: ``defining``, ``correct``,
# ``refresh`` and ``point_tests`` were compiled once on their own and a second time
# inside ``_entry`` (most of its 12 s of the core's ~37 s cold compile,
# benchmarks/cold_compile.py).  ``_entry`` calls them through their addresses
# instead (first-class functions, as the model kernels, bifkit.binding): each is
# compiled once; a call costs a few ns against their O(n^3) work.
_K5 = (F_TYPE, JAC_TYPE, JAC_TYPE, DJDP_TYPE, B_TYPE)
_as_defining, _DEFINING, _DEFINING_TYPE = compiled_function(
    defining, (*_K5, *_PROBLEM, _F1, _F2, _F2, types.boolean))
# correct and refresh call defining through its address too (it is not linked into them)
_as_correct, _CORRECT, _ = compiled_function(
    correct, (_DEFINING_TYPE, *_K5, *_PROBLEM, _F1, _F1, _F2, _F2, _I1, types.int64,
              types.float64, types.float64, types.int64))
_as_refresh, _REFRESH, _ = compiled_function(
    refresh, (_DEFINING_TYPE, *_K5, *_PROBLEM, _F1, _F1, _F2, _F2))
_as_tests, _TESTS, _ = compiled_function(
    point_tests, (B_TYPE, C_TYPE, *_PROBLEM, _F1, _F2, _F2, _F2, _F1, _F1))
#: their (c, jit) addresses in this process, passed to ``_entry`` as ``steps``
STEPS = np.array([*_DEFINING, *_CORRECT, *_REFRESH, *_TESTS], dtype=np.int64)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _steps(steps):
    """(defining, correct, refresh, point_tests) from their addresses :data:`STEPS`."""
    return (_as_defining(steps[0], steps[1]), _as_correct(steps[2], steps[3]),
            _as_refresh(steps[4], steps[5]), _as_tests(steps[6], steps[7]))


# --------------------------------------------------------------------------- #
# The step loop                                                                #
# --------------------------------------------------------------------------- #
_RUN_SIG = (*_KERNELS, _I1, *_PROBLEM, _F1, _F1, _F2, _F2, _I1, types.float64, types.float64,
            types.float64, types.int64, types.float64, types.int64, _F1, _F1, types.int64)


@nb.njit(inline="always")
def _run(addrs, steps, kind, p0, idx, logf, y0, t0, Bb0, Cb0, sel0,
        ds, ds_min, ds_max, max_points, tol, max_iter, lo, hi, stop_at_bt):
    """One direction of a curve from y0 along t0 (both already on the curve).

    Returns (Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL, npts, status, iters):
    points, weighted-unit tangents, test values, data, eigenvalues, stability,
    the step that led to each point, and the borders and G-entry pair in use
    from each point on; the first ``npts`` rows are valid.
    """
    f, jac, dfdp, dJdp, B, C = unpack(addrs)
    defining_, correct_, refresh_, point_tests_ = _steps(steps)
    n = Bb0.shape[0]
    N = y0.size
    nw = n + 2
    Y = np.empty((max_points, N))
    T = np.empty((max_points, N))
    TESTS = np.empty((max_points, NTEST))
    DATA = np.empty((max_points, NDATA))
    EV = np.empty((max_points, n), dtype=np.complex128)
    STABLE = np.zeros(max_points, dtype=np.bool_)
    DS = np.zeros(max_points)
    BB = np.empty((max_points, n, 2))
    CB = np.empty((max_points, n, 2))
    SEL = np.empty((max_points, 4), dtype=np.int64)
    fx, J, DFf, V, W, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y0, Bb0,
                                       Cb0, np.bool_(False))
    Bb, Cb, sel, t, V, W, J = refresh_(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf,
                                       y0, t0, V, W)
    Y[0] = y0
    T[0] = t
    BB[0], CB[0], SEL[0] = Bb, Cb, sel
    ev, st = point_tests_(B, C, kind, p0, idx, logf, y0, J, V, W, TESTS[0], DATA[0])
    EV[0], STABLE[0] = ev, st
    m = 1
    status = MAX_POINTS
    total_iters = 0
    arc = 0.0
    while m < max_points:
        y = Y[m - 1]
        t = T[m - 1]
        y_new, ok, it, Vc, Wc = correct_(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf,
                                         y + ds * t, t, Bb, Cb, sel, np.int64(-1), 0.0, tol,
                                         max_iter)
        total_iters += it
        if ok:
            # landing on a parameter bound
            frac, which, bval = 2.0, -1, 0.0
            for j in range(2):
                s_old, s_new = y[n + j], y_new[n + j]
                if s_new > hi[j] or s_new < lo[j]:
                    b = hi[j] if s_new > hi[j] else lo[j]
                    fr = (b - s_old) / (s_new - s_old)
                    if fr < frac:
                        frac, which, bval = fr, j, b
            if which >= 0 and frac <= 1e-12:
                status = BOUND  # already on the bound (a start on it): nothing to add
                break
            if which >= 0:
                y_b, okb, it, Vc, Wc = correct_(defining_, f, jac, dfdp, dJdp, B, kind, p0,
                                                idx, logf, y + frac * (y_new - y), t, Bb, Cb,
                                                sel, n + which, bval, tol, max_iter)
                if okb:
                    Bn, Cn, seln, tn, V, W, J = refresh_(defining_, f, jac, dfdp, dJdp, B,
                                                         kind, p0, idx, logf, y_b, t, Vc, Wc)
                    Y[m], T[m], DS[m] = y_b, tn, frac * ds
                    BB[m], CB[m], SEL[m] = Bn, Cn, seln
                    ev, st = point_tests_(B, C, kind, p0, idx, logf, y_b, J, V, W, TESTS[m],
                                         DATA[m])
                    EV[m], STABLE[m] = ev, st
                    m += 1
                    status = BOUND
                    break
                ok = False
        if ok:
            Bn, Cn, seln, tn, V, W, J = refresh_(defining_, f, jac, dfdp, dJdp, B, kind, p0,
                                                 idx, logf, y_new, t, Vc, Wc)
            if _wdot(tn, t, nw) < 0.9 and ds > 4.0 * ds_min:
                ok = False  # the curve turns too much within one step
        if not ok:
            ds *= 0.5
            if ds < ds_min:
                status = MIN_STEP
                break
            continue
        Bb, Cb, sel = Bn, Cn, seln
        Y[m], T[m], DS[m] = y_new, tn, ds
        BB[m], CB[m], SEL[m] = Bb, Cb, sel
        ev, st = point_tests_(B, C, kind, p0, idx, logf, y_new, J, V, W, TESTS[m], DATA[m])
        EV[m], STABLE[m] = ev, st
        m += 1
        if not np.all(np.isfinite(ev)):
            status = NOT_FINITE
            break
        if kind == HOPF and stop_at_bt and y_new[n + 2] <= 0.0:
            status = BT_END
            break
        # a closed curve: the step passes by the start point again, same direction
        seg = y_new - y
        seglen2 = _wdot(seg, seg, nw)
        arc += math.sqrt(seglen2)
        if m > 3 and arc > 4.0 * math.sqrt(seglen2) and _wdot(tn, T[0], nw) > 0.5:
            d0 = Y[0] - y
            tau = _wdot(d0, seg, nw) / seglen2
            if 0.0 < tau <= 1.0:
                perp = d0 - tau * seg
                if _wdot(perp, perp, nw) <= 0.01 * seglen2:
                    Y[m - 1] = Y[0]  # close exactly
                    T[m - 1] = T[0]
                    TESTS[m - 1], DATA[m - 1] = TESTS[0], DATA[0]
                    EV[m - 1], STABLE[m - 1] = EV[0], STABLE[0]
                    BB[m - 1], CB[m - 1], SEL[m - 1] = BB[0], CB[0], SEL[0]
                    status = CLOSED
                    break
        if it <= 3:
            ds = min(ds * 1.5, ds_max)
        elif it >= max_iter - 1:
            ds = max(ds * 0.7, ds_min)
    return Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL, m, status, total_iters


_LOC_SIG = (*_KERNELS, _I1, *_PROBLEM, _F1, _F1, _F2, _F2, _I1, types.float64, types.int64,
            types.float64, types.float64, types.float64, types.int64)


@nb.njit(inline="always")
def _locate(addrs, steps, kind, p0, idx, logf, y, t, Bb, Cb, sel, ds, which,
           ga, gb, tol, max_iter):
    """Zero of test ``which`` on the step y + h t, h in (0, ds): Illinois secant.

    Returns (y_located, found, converged, iterations)."""
    f, jac, dfdp, dJdp, B, C = unpack(addrs)
    defining_, correct_, refresh_, point_tests_ = _steps(steps)
    n = Bb.shape[0]
    a, b = 0.0, ds
    best = y.copy()
    found = False
    converged = False
    tests = np.empty(NTEST)
    data = np.empty(NDATA)
    h = 0.0
    count = 0
    side = np.int64(0)  # typed, not Literal[int](0): one compiled illinois_update
    for _ in range(80):
        count += 1
        h_prev = h
        h = illinois_trial(a, b, ga, gb)
        if found and abs(h - h_prev) <= 1e-13 * (1.0 + abs(ds)):
            converged = True  # the secant steps have stalled at the root
            break
        yh, ok, it, V, W = correct_(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf,
                                    y + h * t, t, Bb, Cb, sel, np.int64(-1), 0.0, tol, max_iter)
        if not ok:
            return best, found, False, count
        fx, J, DFf, V, W, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, yh,
                                           Bb, Cb, np.bool_(False))
        point_tests_(B, C, kind, p0, idx, logf, yh, J, V, W, tests, data)
        gh = tests[which]
        if not np.isfinite(gh):
            return best, found, False, count
        best = yh
        found = True
        a, b, ga, gb, side = illinois_update(a, b, ga, gb, side, h, gh)
        if abs(b - a) <= 1e-13 * (1.0 + abs(ds)) or gh == 0.0:
            converged = True
            break
    if abs(b - a) <= 1e-9 * (1.0 + abs(ds)):
        converged = True
    return best, found, converged, count


_EVAL_SIG = (*_KERNELS, _I1, *_PROBLEM, _F1, _F2, _F2, _I1)


@nb.njit(inline="always")
def _evaluate(addrs, steps, kind, p0, idx, logf, y, Bb, Cb, sel):
    """Residual F (N-1), Jacobian DF (N-1 x N) and the four G-gradient rows at y."""
    f, jac, dfdp, dJdp, B, C = unpack(addrs)
    defining_, correct_, refresh_, point_tests_ = _steps(steps)
    fx, J, DFf, V, W, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y, Bb, Cb,
                                       np.bool_(True))
    F, DF = sep_system(kind, fx, DFf, G, dG, sel)
    return F, DF, DFf, dG


_INFO_SIG = (*_KERNELS, _I1, *_PROBLEM, _F1, _F1, _F2, _F2, _I1)


@nb.njit(inline="always")
def _point_info(addrs, steps, kind, p0, idx, logf, y, t, Bb, Cb, sel):
    """Refreshed borders, tangent, tests, data, eigenvalues and stability at y."""
    f, jac, dfdp, dJdp, B, C = unpack(addrs)
    defining_, correct_, refresh_, point_tests_ = _steps(steps)
    fx, J, DFf, V, W, G, dG = defining_(f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y, Bb, Cb,
                                       np.bool_(False))
    Bn, Cn, seln, tn, V, W, J = refresh_(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf,
                                         y, t, V, W)
    tests = np.empty(NTEST)
    data = np.empty(NDATA)
    ev, st = point_tests_(B, C, kind, p0, idx, logf, y, J, V, W, tests, data)
    return Bn, Cn, seln, tn, tests, data, ev, st


_CORR_SIG = (*_KERNELS, _I1, *_PROBLEM, _F1, _F1, _F2, _F2, _I1, types.int64, types.float64,
             types.float64, types.int64)


@nb.njit(inline="always")
def _correct_point(addrs, steps, kind, p0, idx, logf, y_pred, t, Bb, Cb, sel, fixed, value, tol,
                  max_iter):
    """Newton from y_pred onto the curve: on the arclength plane of t (fixed < 0) or with
    y[fixed] = value.  Returns (y, ok)."""
    f, jac, dfdp, dJdp, B, C = unpack(addrs)
    defining_, correct_, refresh_, point_tests_ = _steps(steps)
    y, ok, it, V, W = correct_(defining_, f, jac, dfdp, dJdp, B, kind, p0, idx, logf, y_pred,
                               t, Bb, Cb, sel, fixed, value, tol, max_iter)
    return y, ok


# --------------------------------------------------------------------------- #
# One compiled entry point                                                     #
# --------------------------------------------------------------------------- #
# numba links every callee into each compiled entry point and optimises and
# compiles the linked module once per entry point: five entry points meant the
# whole tree (defining, correct, refresh, point_tests, ...) five times on a cold
# cache.  The five bodies above are inlined into one entry, ``_entry``, selected
# by ``what``; the Python functions below keep the five call signatures.
RUN, LOCATE, EVALUATE, POINT_INFO, CORRECT_POINT = 0, 1, 2, 3, 4

_ENTRY_SIG = (types.int64, *_KERNELS, _I1, *_PROBLEM, _F1, _F1, _F2, _F2, _I1, types.float64,
              types.float64, types.float64, types.int64, types.float64, types.int64, _F1, _F1,
              types.int64, types.float64, types.float64)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _rows(a):
    """``a`` as a C-contiguous array with one more leading axis of length 1."""
    return np.ascontiguousarray(a).reshape((1,) + a.shape)


@nb.njit(_ENTRY_SIG, cache=True, no_cfunc_wrapper=True)
def _entry(what, addrs, steps, kind, p0, idx, logf, y, t, Bb, Cb, sel, ds, ds_min, ds_max,
           max_points, tol, max_iter, lo, hi, ival, fa, fb):
    """Run ``what`` (RUN, LOCATE, EVALUATE, POINT_INFO, CORRECT_POINT); the outputs
    packed in the layout of :func:`run`'s 13-tuple (see the wrappers below)."""
    if what == RUN:
        return _run(addrs, steps, kind, p0, idx, logf, y, t, Bb, Cb, sel, ds, ds_min, ds_max,
                    max_points, tol, max_iter, lo, hi, ival)
    n = Bb.shape[0]
    Y = np.empty((0, 0))
    T = np.empty((0, 0))
    TESTS = np.empty((0, 0))
    DATA = np.empty((0, 0))
    EV = np.empty((0, 0), dtype=np.complex128)
    STABLE = np.zeros(0, dtype=np.bool_)
    DS = np.empty(0)
    BB = np.empty((0, 0, 0))
    CB = np.empty((0, 0, 0))
    SEL = np.empty((0, 0), dtype=np.int64)
    m, status, iters = 0, 0, 0
    if what == LOCATE:
        best, found, converged, count = _locate(addrs, steps, kind, p0, idx, logf, y, t, Bb,
                                                Cb, sel, ds, ival, fa, fb, tol, max_iter)
        Y = _rows(best)
        m, status, iters = 1, int(found) + 2 * int(converged), count
    elif what == EVALUATE:
        F, DF, DFf, dG = _evaluate(addrs, steps, kind, p0, idx, logf, y, Bb, Cb, sel)
        DS = np.ascontiguousarray(F)
        Y = np.ascontiguousarray(DF)
        T = np.ascontiguousarray(DFf)
        TESTS = np.ascontiguousarray(dG)
    elif what == POINT_INFO:
        Bn, Cn, seln, tn, tests, data, ev, st = _point_info(addrs, steps, kind, p0, idx, logf,
                                                            y, t, Bb, Cb, sel)
        BB, CB, SEL, T = _rows(Bn), _rows(Cn), _rows(seln), _rows(tn)
        TESTS, DATA, EV = _rows(tests), _rows(data), _rows(ev)
        STABLE = np.full(1, st)
        m = 1
    elif what == CORRECT_POINT:
        yc, ok = _correct_point(addrs, steps, kind, p0, idx, logf, y, t, Bb, Cb, sel, ival, fa,
                                tol, max_iter)
        Y = _rows(yc)
        m, status = 1, int(ok)
    else:
        m = -1  # unknown ``what``: the wrappers never pass one
    return Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL, m, status, iters


def run(addrs, kind, p0, idx, logf, y0, t0, Bb0, Cb0, sel0,
        ds, ds_min, ds_max, max_points, tol, max_iter, lo, hi, stop_at_bt):
    """One direction of a curve from y0 along t0 (both already on the curve).

    Returns (Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL, npts, status, iters):
    points, weighted-unit tangents, test values, data, eigenvalues, stability,
    the step that led to each point, and the borders and G-entry pair in use
    from each point on; the first ``npts`` rows are valid.
    """
    return _entry(RUN, addrs, STEPS, kind, p0, idx, logf, y0, t0, Bb0, Cb0, sel0, ds, ds_min,
                  ds_max, max_points, tol, max_iter, lo, hi, stop_at_bt, 0.0, 0.0)


def locate(addrs, kind, p0, idx, logf, y, t, Bb, Cb, sel, ds, which, ga, gb, tol, max_iter):
    """Zero of test ``which`` on the step y + h t, h in (0, ds): Illinois secant.

    Returns (y_located, found, converged, iterations)."""
    out = _entry(LOCATE, addrs, STEPS, kind, p0, idx, logf, y, t, Bb, Cb, sel, ds, 0.0, 0.0, 0,
                 tol, max_iter, y, y, which, ga, gb)
    return out[0][0], bool(out[11] & 1), bool(out[11] & 2), out[12]


def evaluate(addrs, kind, p0, idx, logf, y, Bb, Cb, sel):
    """Residual F (N-1), Jacobian DF (N-1 x N) and the four G-gradient rows at y."""
    out = _entry(EVALUATE, addrs, STEPS, kind, p0, idx, logf, y, y, Bb, Cb, sel, 0.0, 0.0, 0.0, 0,
                 0.0, 0, y, y, 0, 0.0, 0.0)
    return out[6], out[0], out[1], out[2]


def point_info(addrs, kind, p0, idx, logf, y, t, Bb, Cb, sel):
    """Refreshed borders, tangent, tests, data, eigenvalues and stability at y."""
    out = _entry(POINT_INFO, addrs, STEPS, kind, p0, idx, logf, y, t, Bb, Cb, sel, 0.0, 0.0,
                 0.0, 0, 0.0, 0, y, y, 0, 0.0, 0.0)
    return (out[7][0], out[8][0], out[9][0], out[1][0], out[2][0], out[3][0], out[4][0],
            bool(out[5][0]))


def correct_point(addrs, kind, p0, idx, logf, y_pred, t, Bb, Cb, sel, fixed, value, tol,
                  max_iter):
    """Newton from y_pred onto the curve: on the arclength plane of t (fixed < 0) or with
    y[fixed] = value.  Returns (y, ok)."""
    out = _entry(CORRECT_POINT, addrs, STEPS, kind, p0, idx, logf, y_pred, t, Bb, Cb, sel, 0.0,
                 0.0, 0.0, 0, tol, max_iter, y_pred, y_pred, fixed, value, 0.0)
    return out[0][0], bool(out[11])
