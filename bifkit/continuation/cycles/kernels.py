"""Model-dependent collocation kernels, compiled once for all models.

The model's ``f, jac, dfdp`` (and for the extended systems ``B, dJdp``)
arrive as the kernel address array ``K`` of :mod:`bifkit.binding` (first
argument of the functions in :data:`KERNEL_FUNCTIONS`), so numba compiles
this module once and its disk cache serves every model and process.  Use them
through :func:`bifkit.continuation.cycles.ext.kernels`, which supplies ``K``
(``kernels(f=c.f).coll_residual(U, T, p, ...)``).

The functions here call the kernels' into-variants (``jac_into(t, x, p, out)``,
:func:`bifkit.codegen.into_kernel`) with work arrays allocated once per call:
a kernel returning a new array at each of the N m collocation points spent
about a third of the collocation Jacobian's time in allocations (E-I model,
ntst 50: 22.4 -> 14.4 us per ``coll_jacobian``, the same values bit for bit).

* ``coll_residual``, ``coll_jacobian``: the periodic-orbit collocation rows
  (see :mod:`bifkit.continuation.cycles.collocation` for the equations and layout);
* ``ext_residual``, ``ext_jacobian``: the extended systems of the cycle
  bifurcation curves (see :mod:`bifkit.continuation.cycles.ext`).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from ...binding import (kernel_B_into, kernel_C_into, kernel_dfdp_into, kernel_dJdp_into,
                        kernel_f_into, kernel_jac_into)

# functions taking the kernel address array K first -> the kernels they call
KERNEL_FUNCTIONS = {"coll_residual": ("f",), "coll_jacobian": ("f", "jac", "dfdp"),
                    "ext_residual": ("f", "jac"),
                    "ext_jacobian": ("f", "jac", "dfdp", "dJdp", "B"),
                    "pd_nf_quadratic": ("f", "jac", "B"), "pd_nf_cubic": ("B", "C"),
                    "forms_B": ("B",), "forms_C": ("C",)}
#: they call the into-variants of those kernels: :func:`bifkit.binding.bind` supplies them
INTO_VARIANTS = True


@nb.njit(cache=True)
def coll_residual(K, U, T, p_in, mesh, W, Wd, out):
    """Collocation residuals into ``out`` of shape (N, m*n).

    ``out[j, k*n:(k+1)*n] = sum_i Wd[k,i] U[jm+i] - h_j T f(u(z_jk), p)``.
    """
    f = kernel_f_into(K)
    p = p_in.copy()  # writable C-contiguous: the kernels' argument type (p_in may be read-only)
    N = mesh.shape[0] - 1
    m, n = W.shape[0], U.shape[1]
    u = np.empty(n)
    du = np.empty(n)
    fx = np.empty(n)
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        hT = h * T
        for k in range(m):
            _point_and_slope(U, j, k, m, W, Wd, u, du)
            f(0.0, u, p, fx)
            for a in range(n):
                out[j, k * n + a] = du[a] - hT * fx[a]


@nb.njit(cache=True)
def coll_jacobian(K, U, T, p_in, ifree, mesh, W, Wd, Jblk, Jb):
    """Block Jacobian of the collocation rows.

    ``Jblk[j]`` (m*n, (m+1)*n): derivatives with respect to the nodes of
    interval j; ``Jb[j]`` (m*n, 1 + len(ifree)): with respect to T and the
    parameters ``p[ifree]``.
    """
    f, jac, dfdp = kernel_f_into(K), kernel_jac_into(K), kernel_dfdp_into(K)
    p = p_in.copy()  # writable C-contiguous: the kernels' argument type (p_in may be read-only)
    N = mesh.shape[0] - 1
    m, n = W.shape[0], U.shape[1]
    u = np.empty(n)
    J = np.empty((n, n))
    fx = np.empty(n)
    dp = np.empty((n, p.shape[0]))
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(m):
            for a in range(n):
                s = 0.0
                for i in range(m + 1):
                    s += W[k, i] * U[j * m + i, a]
                u[a] = s
            jac(0.0, u, p, J)
            f(0.0, u, p, fx)
            r0 = k * n
            for i in range(m + 1):
                c0 = i * n
                for a in range(n):
                    for b in range(n):
                        Jblk[j, r0 + a, c0 + b] = -h * T * W[k, i] * J[a, b]
                    Jblk[j, r0 + a, c0 + a] += Wd[k, i]
            for a in range(n):
                Jb[j, r0 + a, 0] = -h * fx[a]
            if ifree.shape[0] > 0:
                dfdp(0.0, u, p, dp)
                for q in range(ifree.shape[0]):
                    for a in range(n):
                        Jb[j, r0 + a, 1 + q] = -h * T * dp[a, ifree[q]]


@nb.njit(cache=True)
def _point_and_slope(U, j, k, m, W, Wd, x, dx):
    """x = sum_i W[k, i] U[jm+i] and dx = sum_i Wd[k, i] U[jm+i] (the collocation point's
    value and scaled derivative) in one pass over interval j's nodes (each sum in the same
    order as two passes: bitwise equal)."""
    for a in range(U.shape[1]):
        s = 0.0
        d = 0.0
        for i in range(m + 1):
            Ua = U[j * m + i, a]
            s += W[k, i] * Ua
            d += Wd[k, i] * Ua
        x[a] = s
        dx[a] = d


@nb.njit(cache=True)
def _interp_point(U, j, k, m, W, x):
    ne = U.shape[1]
    for a in range(ne):
        s = 0.0
        for i in range(m + 1):
            s += W[k, i] * U[j * m + i, a]
        x[a] = s


@nb.njit(cache=True)
def ext_residual(K, nv, U, T, p_in, sigma, mesh, W, Wd, out):
    """Collocation residuals of the extended system into ``out`` (N, m*ne)."""
    f, jac = kernel_f_into(K), kernel_jac_into(K)
    p = p_in.copy()  # writable C-contiguous: the kernels' argument type (p_in may be read-only)
    N = mesh.shape[0] - 1
    m = W.shape[0]
    ne = U.shape[1]
    n = ne // (1 + nv)
    x = np.empty(ne)
    dx = np.empty(ne)
    u = np.empty(n)
    fx = np.empty(n)
    J = np.empty((n, n))
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        hT = h * T
        for k in range(m):
            _point_and_slope(U, j, k, m, W, Wd, x, dx)
            for a in range(n):
                u[a] = x[a]
            f(0.0, u, p, fx)
            jac(0.0, u, p, J)
            r0 = k * ne
            for a in range(n):
                out[j, r0 + a] = dx[a] - hT * fx[a]
            for c in range(nv):
                o = n * (1 + c)
                sc = sigma if c == 0 else 0.0
                for a in range(n):
                    s = sc * fx[a]
                    for b in range(n):
                        s += J[a, b] * x[o + b]
                    out[j, r0 + o + a] = dx[o + a] - hT * s


@nb.njit(cache=True)
def ext_jacobian(K, nv, U, T, p_in, sigma, has_sigma, nextra, ifree, mesh,
                 W, Wd, Jblk, Jb):
    """Block Jacobian of the extended collocation rows.

    ``Jblk[j]`` (m*ne, (m+1)*ne) with respect to the nodes of interval j;
    ``Jb[j]`` (m*ne, 1 + nextra + len(ifree)) with respect to T, the nextra
    extra scalars (column 1 is sigma when ``has_sigma``, else zero) and the
    parameters ``p[ifree]``.
    """
    f, jac, dfdp = kernel_f_into(K), kernel_jac_into(K), kernel_dfdp_into(K)
    dJdp, B = kernel_dJdp_into(K), kernel_B_into(K)
    p = p_in.copy()  # writable C-contiguous: the kernels' argument type (p_in may be read-only)
    N = mesh.shape[0] - 1
    m = W.shape[0]
    ne = U.shape[1]
    n = ne // (1 + nv)
    nf = ifree.shape[0]
    npar = p.shape[0]
    x = np.empty(ne)
    u = np.empty(n)
    v = np.empty(n)
    e = np.zeros(n)
    F = np.empty(ne)
    DF = np.zeros((ne, ne))
    Fp = np.zeros((ne, nf))
    fx = np.empty(n)
    J = np.empty((n, n))
    dp = np.empty((n, npar))
    dJ = np.empty((npar, n, n))
    col = np.empty(n)
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(m):
            _interp_point(U, j, k, m, W, x)
            for a in range(n):
                u[a] = x[a]
            f(0.0, u, p, fx)
            jac(0.0, u, p, J)
            dfdp(0.0, u, p, dp)
            dJdp(0.0, u, p, dJ)
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
                    B(0.0, u, p, v, e, col)
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
def pd_nf_quadratic(K, Ug, Vg, p_in, f_out, Av_out, Bvv_out):
    """f(u), f_x(u) v and B(v, v) at the points ``Ug``, ``Vg`` (G, n) (the Gauss points of the
    PD normal form, :mod:`bifkit.continuation.cycles.pd_normal_form`)."""
    f, jac, B = kernel_f_into(K), kernel_jac_into(K), kernel_B_into(K)
    p = p_in.copy()
    G, n = Ug.shape
    u = np.empty(n)
    v = np.empty(n)
    fx = np.empty(n)
    J = np.empty((n, n))
    bvv = np.empty(n)
    for g in range(G):
        for a in range(n):
            u[a] = Ug[g, a]
            v[a] = Vg[g, a]
        f(0.0, u, p, fx)
        jac(0.0, u, p, J)
        B(0.0, u, p, v, v, bvv)
        for a in range(n):
            f_out[g, a] = fx[a]
            s = 0.0
            for b in range(n):
                s += J[a, b] * v[b]
            Av_out[g, a] = s
            Bvv_out[g, a] = bvv[a]


@nb.njit(cache=True)
def pd_nf_cubic(K, Ug, Vg, Hg, Av, a2, p_in, out):
    """C(v, v, v) + 3 B(v, h) - 6 a Av at the points ``Ug``, ``Vg``, ``Hg`` (G, n) (the
    right-hand side of the cubic order of the PD normal form)."""
    B, C = kernel_B_into(K), kernel_C_into(K)
    p = p_in.copy()
    G, n = Ug.shape
    u = np.empty(n)
    v = np.empty(n)
    h = np.empty(n)
    cv = np.empty(n)
    bvh = np.empty(n)
    for g in range(G):
        for a in range(n):
            u[a] = Ug[g, a]
            v[a] = Vg[g, a]
            h[a] = Hg[g, a]
        C(0.0, u, p, v, v, v, cv)
        B(0.0, u, p, v, h, bvh)
        for a in range(n):
            out[g, a] = cv[a] + 3.0 * bvh[a] - 6.0 * a2 * Av[g, a]


@nb.njit(cache=True)
def forms_B(K, Ug, Xg, Yg, p_in, out):
    """B(u; x, y) (second derivative of f at u applied to x, y) at each row of the (G, n)
    arrays, into ``out`` (G, n)."""
    B = kernel_B_into(K)
    p = p_in.copy()
    G, n = Ug.shape
    u, x, y, r = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for g in range(G):
        for a in range(n):
            u[a], x[a], y[a] = Ug[g, a], Xg[g, a], Yg[g, a]
        B(0.0, u, p, x, y, r)
        for a in range(n):
            out[g, a] = r[a]


@nb.njit(cache=True)
def forms_C(K, Ug, Xg, Yg, Zg, p_in, out):
    """C(u; x, y, z) (third derivative of f at u) at each row of the (G, n) arrays."""
    C = kernel_C_into(K)
    p = p_in.copy()
    G, n = Ug.shape
    u, x, y, z, r = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for g in range(G):
        for a in range(n):
            u[a], x[a], y[a], z[a] = Ug[g, a], Xg[g, a], Yg[g, a], Zg[g, a]
        C(0.0, u, p, x, y, z, r)
        for a in range(n):
            out[g, a] = r[a]
