"""Compiled collocation kernels of the extended systems for cycle bifurcation curves.

The standard extended boundary-value problems (Doedel et al. 1991, Int. J.
Bif. Chaos 1, 745, sec. 6; Kuznetsov 2004, sec. 10.3.3; AUTO-07p's ISW = 2)
append nv copies of the variational equation to the periodic orbit problem.
On t in [0, 1] with period T and sigma a scalar unknown::

    u'   = T f(u, p)
    v_c' = T (f_x(u, p) v_c + sigma_c f(u, p))        c = 0 .. nv-1

with sigma_0 = sigma for the saddle-node of cycles (LPC: (v, T sigma) is the
null vector of the orbit problem in (u, T)) and sigma = 0 otherwise (PD:
v(1) = -v(0); NS: v = v_r + i v_i with v(1) = e^{i kappa} v(0)).  The boundary
conditions and integral conditions live in :mod:`cycle_curves`; here only the
collocation rows of the extended vector field F(u, v_0, .., v_{nv-1}) and their
Jacobian, in the layout of :mod:`collocation` with state dimension ne = n (1 + nv):
``U[node, c*n + a]`` is component a of copy c (c = 0: the orbit u).

The Jacobian needs the second derivatives of f: ``B(t, x, p, u, v)``
(d2f/dx2 [u, v]) and ``dJdp(t, x, p)`` (d f_x / dp) from the model's compiled
multilinear forms.
"""
from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _interp_point(U, j, k, m, W, x):
    ne = U.shape[1]
    for a in range(ne):
        s = 0.0
        for i in range(m + 1):
            s += W[k, i] * U[j * m + i, a]
        x[a] = s


@nb.njit(cache=True)
def ext_residual(f, jac, nv, U, T, p, sigma, mesh, W, Wd, out):
    """Collocation residuals of the extended system into ``out`` (N, m*ne)."""
    N = mesh.shape[0] - 1
    m = W.shape[0]
    ne = U.shape[1]
    n = ne // (1 + nv)
    x = np.empty(ne)
    u = np.empty(n)
    F = np.empty(ne)
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(m):
            _interp_point(U, j, k, m, W, x)
            for a in range(n):
                u[a] = x[a]
            fx = f(0.0, u, p)
            J = jac(0.0, u, p)
            for a in range(n):
                F[a] = fx[a]
            for c in range(nv):
                o = n * (1 + c)
                sc = sigma if c == 0 else 0.0
                for a in range(n):
                    s = sc * fx[a]
                    for b in range(n):
                        s += J[a, b] * x[o + b]
                    F[o + a] = s
            for a in range(ne):
                d = 0.0
                for i in range(m + 1):
                    d += Wd[k, i] * U[j * m + i, a]
                out[j, k * ne + a] = d - h * T * F[a]


@nb.njit(cache=True)
def ext_jacobian(f, jac, dfdp, B, dJdp, nv, U, T, p, sigma, has_sigma, nextra, ifree, mesh,
                 W, Wd, Jblk, Jb):
    """Block Jacobian of the extended collocation rows.

    ``Jblk[j]`` (m*ne, (m+1)*ne) with respect to the nodes of interval j;
    ``Jb[j]`` (m*ne, 1 + nextra + len(ifree)) with respect to T, the nextra
    extra scalars (column 1 is sigma when ``has_sigma``, else zero) and the
    parameters ``p[ifree]``.
    """
    N = mesh.shape[0] - 1
    m = W.shape[0]
    ne = U.shape[1]
    n = ne // (1 + nv)
    nf = ifree.shape[0]
    x = np.empty(ne)
    u = np.empty(n)
    v = np.empty(n)
    e = np.zeros(n)
    F = np.empty(ne)
    DF = np.zeros((ne, ne))
    Fp = np.zeros((ne, nf))
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(m):
            _interp_point(U, j, k, m, W, x)
            for a in range(n):
                u[a] = x[a]
            fx = f(0.0, u, p)
            J = jac(0.0, u, p)
            dp = dfdp(0.0, u, p)
            dJ = dJdp(0.0, u, p)
            DF[:, :] = 0.0
            for a in range(n):
                F[a] = fx[a]
                for b in range(n):
                    DF[a, b] = J[a, b]
                for q in range(nf):
                    Fp[a, q] = dp[a, ifree[q]]
            for c in range(nv):
                o = n * (1 + c)
                sc = sigma if c == 0 else 0.0
                for a in range(n):
                    v[a] = x[o + a]
                for a in range(n):
                    s = sc * fx[a]
                    for b in range(n):
                        s += J[a, b] * v[b]
                        DF[o + a, o + b] = J[a, b]
                        DF[o + a, b] = sc * J[a, b]
                    F[o + a] = s
                    for q in range(nf):
                        s = sc * dp[a, ifree[q]]
                        for b in range(n):
                            s += dJ[ifree[q], a, b] * v[b]
                        Fp[o + a, q] = s
                for b in range(n):  # d/du (f_x v) e_b = B(v, e_b)
                    e[b] = 1.0
                    col = B(0.0, u, p, v, e)
                    e[b] = 0.0
                    for a in range(n):
                        DF[o + a, b] += col[a]
            r0 = k * ne
            for i in range(m + 1):
                c0 = i * ne
                wki = -h * T * W[k, i]
                for a in range(ne):
                    for b in range(ne):
                        Jblk[j, r0 + a, c0 + b] = wki * DF[a, b]
                    Jblk[j, r0 + a, c0 + a] += Wd[k, i]
            for a in range(ne):
                Jb[j, r0 + a, 0] = -h * F[a]
                for q in range(nextra):
                    Jb[j, r0 + a, 1 + q] = 0.0
                for q in range(nf):
                    Jb[j, r0 + a, 1 + nextra + q] = -h * T * Fp[a, q]
            if has_sigma:
                for a in range(n):
                    Jb[j, r0 + n + a, 1] = -h * T * fx[a]


@nb.njit(cache=True)
def orbit_blocks(Jblk, n, out):
    """The orbit's own collocation blocks (rows and columns of u) of an extended Jacobian."""
    N, mne, _ = Jblk.shape
    ne = Jblk.shape[2] - mne
    m = mne // ne
    for j in range(N):
        for k in range(m):
            for a in range(n):
                for i in range(m + 1):
                    for b in range(n):
                        out[j, k * n + a, i * n + b] = Jblk[j, k * ne + a, i * ne + b]


def block_diagonal(Jblk, n, copies):
    """Collocation blocks of ``copies`` uncoupled copies of the same linear equation."""
    N, mn, _ = Jblk.shape
    m = mn // n
    J5 = Jblk.reshape(N, m, n, m + 1, n)
    out = np.zeros((N, m, copies, n, m + 1, copies, n))
    for c in range(copies):
        out[:, :, c, :, :, c, :] = J5
    return out.reshape(N, m * copies * n, (m + 1) * copies * n)
