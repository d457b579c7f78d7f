"""The normal-form coefficient of a period doubling of cycles, by periodic normalization.

At a PD point the cycle x0(tau) (period T, tau in [0, T]) has a Floquet eigenfunction phi
with phi' = A(tau) phi, phi(T) = -phi(0) (A = f_x(x0)).  Near it the orbits are
x = x0(tau) + xi phi(tau) + xi^2 h2(tau) / 2 + xi^3 h3(tau) / 6 + ... with the periodic normal
form (Iooss 1988; Kuznetsov, Govaerts, Doedel & Dhooge 2005, SIAM J. Numer. Anal. 43, 1407,
sec. 4.2, the method read there, the derivation redone here)::

    dtau/dt = 1 + a xi^2 + ...,        dxi/dt = c xi^3 + ...

Collecting powers of xi in x' = f(x):

* xi^2:  h2' - A h2 = B(phi, phi) - 2 a f(x0),  h2 T-periodic (solvable for one a);
* xi^3:  h3' - A h3 = C(phi, phi, phi) + 3 B(phi, h2) - 6 a A phi - 6 c phi,  h3
  antiperiodic, solvable only for c = (1/6) int <phi*, C(phi,phi,phi) + 3 B(phi, h2)
  - 6 a A phi> dtau with phi* the antiperiodic adjoint eigenfunction, int <phi*, phi> = 1.

Both are solved here as bordered boundary-value problems on the collocation mesh of the
cycle (no adjoint needed): (h2, a) from the periodic problem with the column 2 f(x0) and the
phase row int <x0', h2> = 0 (h2 is fixed up to multiples of x0', which do not change c:
int <phi*, B(phi, x0')> = int <phi*, A' phi> = 0 by parts); (h3, c) from the antiperiodic
problem with the column 6 phi and the row int <phi, h3> = 0.  The bordered unknown is then
exactly the solvability coefficient of the discretised problem.

Normalisation: int_0^T |phi|^2 dtau = 1.  c scales with that choice; its sign does not:
c < 0 is a supercritical PD (a stable period-2 cycle appears where the cycle loses
stability), c > 0 subcritical; a zero of c along a PD curve is a generalised period
doubling (GPD) point.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from .collocation import phase_row
from .kernels import pd_nf_cubic, pd_nf_quadratic
from .linalg import condense_borders, condense_factor, condense_rhs
from .systems import node_weights


def _gauss_values(V, mesh, scheme):
    """Values of the node function V (N*m+1, k) at the Gauss points, shape (N, m, k)."""
    N, m = len(mesh) - 1, scheme.ncol
    out = np.empty((N, m, V.shape[1]))
    _gauss_values_into(np.ascontiguousarray(V, dtype=float), scheme.W, out)
    return out


@nb.njit(cache=True)
def _gauss_values_into(V, W, out):
    """out[j, q] = sum_i W[q, i] V[j m + i] (the collocation polynomial of interval j at its
    Gauss point q; compiled: the einsum it replaces cost ~0.1 ms per call at ntst 100)."""
    N, m, k = out.shape
    for j in range(N):
        for q in range(m):
            for a in range(k):
                s = 0.0
                for i in range(m + 1):
                    s += W[q, i] * V[j * m + i, a]
                out[j, q, a] = s


#: the cycle kernels bound to a model's compiled functions, per ``model.compiled`` (binding
#: looks them up by the kernels' addresses, ~0.1 ms per call; this is called at every point)
_BOUND: dict = {}


def _bound_kernels(k):
    """(orbit kernels, normal-form kernels) of :mod:`.kernels` for ``model.compiled`` k."""
    hit = _BOUND.get(id(k))
    if hit is None or hit[0] is not k:
        from .ext import kernels
        if len(_BOUND) >= 8:
            _BOUND.pop(next(iter(_BOUND)))
        hit = (k, kernels(f=k.f, jac=k.jac, dfdp=k.dfdp), kernels(f=k.f, jac=k.jac, B=k.B, C=k.C))
        _BOUND[id(k)] = hit
    return hit[1], hit[2]


def pd_coefficient(model, U, V, T, p, mesh, scheme, Jblk=None):
    """The cubic coefficient c of the PD normal form dxi/dt = c xi^3 (module docstring).

    Parameters
    ----------
    model : Model (its compiled ``f``, ``jac``, ``B``, ``C``)
    U : (N*m+1, n) the cycle at the PD point on the collocation nodes, t = tau / T in [0, 1]
    V : (N*m+1, n) its PD eigenfunction (v(1) = -v(0)); rescaled here
    T : period (time units of the model)
    p : parameter array
    mesh, scheme : the collocation mesh (N + 1,) and :class:`collocation.Scheme`
    Jblk : optional collocation blocks of the orbit (``coll_jacobian``, no free parameter)

    Returns
    -------
    dict with "c" (1 / time, for int_0^T |phi|^2 dtau = 1), "a" (the period correction
    coefficient of dtau/dt = 1 + a xi^2) and "pair" (the condensed pair (P, Q) of the orbit
    blocks: the Floquet multipliers' pencil, for a caller that wants both)
    """
    k = model.compiled
    kc, kx = _bound_kernels(k)
    n = U.shape[1]
    N, m = len(mesh) - 1, scheme.ncol
    p = np.ascontiguousarray(p, float)
    U = np.ascontiguousarray(U, dtype=float)
    if Jblk is None:
        Jblk = np.empty((N, m * n, (m + 1) * n))
        kc.coll_jacobian(U, T, p, np.zeros(0, np.int64), mesh, scheme.W, scheme.Wd, Jblk,
                         np.empty((N, m * n, 1)))
    status, c, a, P, Q = _coefficient(kx.K, U, np.ascontiguousarray(V, dtype=float), float(T),
                                      p, mesh, scheme.W, scheme.Wd, scheme.wg,
                                      node_weights(mesh, scheme), np.ascontiguousarray(Jblk))
    if status == _ZERO_EIGENFUNCTION:
        raise ValueError("the PD eigenfunction is zero")
    if status == _SINGULAR:
        raise np.linalg.LinAlgError("singular bordered system in the PD normal form")
    return {"c": c, "a": a, "pair": (P, Q)}


#: status codes of :func:`_coefficient`
_OK, _ZERO_EIGENFUNCTION, _SINGULAR = 0, 1, 2


@nb.njit(cache=True)
def _coefficient(K, U, V, T, p, mesh, W, Wd, wg, wnode, Jblk):
    """:func:`pd_coefficient` in one compiled call (its ~20 numpy operations around the
    factorisation and the two bordered solves cost ~70 us per point in Python).

    Returns (status, c, a, P, Q): status :data:`_OK`, :data:`_ZERO_EIGENFUNCTION` or
    :data:`_SINGULAR` (a non-finite solution); (P, Q) the condensed pair of the orbit blocks.
    """
    N = mesh.shape[0] - 1
    m = W.shape[0]
    n = U.shape[1]
    M = N * m + 1
    G = N * m
    ug = np.empty((N, m, n))
    vg = np.empty((N, m, n))
    _gauss_values_into(U, W, ug)
    _gauss_values_into(V, W, vg)
    # normalise phi: T int_0^1 |phi|^2 ds = 1 (Gauss quadrature)
    nrm2 = 0.0
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for q in range(m):
            s = 0.0
            for b in range(n):
                s += vg[j, q, b] * vg[j, q, b]
            nrm2 += h * wg[q] * s
    nrm2 *= T
    if not nrm2 > 0:
        return _ZERO_EIGENFUNCTION, np.nan, np.nan, np.zeros((n, n)), np.zeros((n, n))
    sc = 1.0 / math.sqrt(nrm2)
    Vs = V * sc
    vgf = (vg * sc).reshape(G, n)
    ugf = ug.reshape(G, n)
    f_g = np.empty((G, n))
    Avv = np.empty((G, n))
    Bvv = np.empty((G, n))
    pd_nf_quadratic(K, ugf, vgf, p, f_g, Avv, Bvv)
    # one factorisation of the collocation rows (scaled like Jblk: Wd H - h_j T A W H =
    # h_j T g) with both border columns (2 f for a, 6 phi for c), then the two problems by
    # their own border rows and boundary conditions
    Jb = np.empty((N, m * n, 2))
    rhs = np.empty((N, m * n))
    for j in range(N):
        hT = (mesh[j + 1] - mesh[j]) * T
        for q in range(m):
            for b in range(n):
                g = j * m + q
                Jb[j, q * n + b, 0] = hT * 2.0 * f_g[g, b]
                Jb[j, q * n + b, 1] = hT * 6.0 * vgf[g, b]
                rhs[j, q * n + b] = hT * Bvv[g, b]
    top, V1, b1, mid, V2, b2, P, Q, S = condense_factor(Jblk, Jb)
    eye = np.eye(n)
    zero_bz = np.zeros((n, 2))
    # (h2, a): h2' - A h2 + 2 a f = B(phi, phi), periodic, int <x0', h2> = 0; the c slot
    # held at 0
    C = np.zeros((2, M, n))
    phase_row(U, W, Wd, wg, C[0])
    D = np.zeros((2, 2))
    D[1, 1] = 1.0
    G1, G2, Md = condense_borders(top, mid, P, Q, S, C, D, eye, -eye, zero_bz)
    H2, z2 = condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, rhs, np.zeros(n), np.zeros(2))
    a = z2[0]
    h2g = np.empty((N, m, n))
    _gauss_values_into(H2, W, h2g)
    R = np.empty((G, n))
    pd_nf_cubic(K, ugf, vgf, h2g.reshape(G, n), Avv, a, p, R)
    # (h3, c): h3' - A h3 + 6 c phi = R, antiperiodic, int <phi, h3> = 0; the a slot at 0
    for j in range(N):
        hT = (mesh[j + 1] - mesh[j]) * T
        for q in range(m):
            for b in range(n):
                rhs[j, q * n + b] = hT * R[j * m + q, b]
    C = np.zeros((2, M, n))
    for i in range(M):
        for b in range(n):
            C[1, i, b] = wnode[i] * Vs[i, b]
    D = np.zeros((2, 2))
    D[0, 0] = 1.0
    G1, G2, Md = condense_borders(top, mid, P, Q, S, C, D, eye, eye, zero_bz)
    H3, z3 = condense_rhs(top, V1, b1, mid, V2, b2, G1, G2, Md, rhs, np.zeros(n), np.zeros(2))
    ok = np.isfinite(a) and np.isfinite(z3[0]) and np.isfinite(z3[1])
    for i in range(M):
        for b in range(n):
            ok = ok and np.isfinite(H2[i, b]) and np.isfinite(H3[i, b])
    if not ok:
        return _SINGULAR, np.nan, np.nan, P, Q
    return _OK, z3[1], a, P, Q
