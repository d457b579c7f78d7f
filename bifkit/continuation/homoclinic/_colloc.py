"""Collocation rows of u' = scale * f(u, p) on [0, 1], assembled in numpy (sparse).

The same discretisation as the periodic orbits (:mod:`bifkit.continuation.cycles.collocation`:
Lagrange polynomials of degree m = ``ncol`` on each mesh interval, the ODE imposed
at the m Gauss-Legendre points, rows multiplied by the interval length h_j)::

    r_jk = sum_i Wd[k, i] U[jm+i] - h_j * scale * f(u(z_jk), p),

so a homoclinic orbit (scale = 2T, the truncated interval [-T, T]) and the
adjoint of a cycle (scale = the period) are discretised exactly like LC-C
orbits.  The problems here are small (n <= ~10, a few hundred nodes): a sparse
matrix assembled in Python and a sparse LU are fast enough and keep the code
readable; the model kernels are the compiled ``f``, ``jac``, ``dfdp``.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sps


def gauss_states(U, mesh, scheme):
    """States at the N*m Gauss points, shape (N*m, n), and their times in [0, 1]."""
    m = scheme.ncol
    N = len(mesh) - 1
    h = np.diff(mesh)
    X = np.einsum("ki,jia->jka", scheme.W, _blocks(U, m, N)).reshape(N * m, -1)
    times = (mesh[:-1, None] + h[:, None] * scheme.c[None, :]).ravel()
    return X, times


def _blocks(U, m, N):
    """(N, m+1, n) view: the m + 1 node values of every interval."""
    idx = np.arange(N)[:, None] * m + np.arange(m + 1)[None, :]
    return U[idx]


def residual(model, U, mesh, scheme, scale, p):
    """Collocation residuals r_jk, flattened to (N*m*n,)."""
    m = scheme.ncol
    N = len(mesh) - 1
    h = np.diff(mesh)
    B = _blocks(U, m, N)
    dU = np.einsum("ki,jia->jka", scheme.Wd, B)
    X, _ = gauss_states(U, mesh, scheme)
    f = model.compiled.f
    F = np.array([f(0.0, x, p) for x in X]).reshape(N, m, -1)
    return (dU - scale * h[:, None, None] * F).ravel()


def jacobian(model, U, mesh, scheme, scale, p):
    """Sparse Jacobian of :func:`residual` with respect to U (flattened row-major).

    Returns
    -------
    J : scipy.sparse.csr_matrix, shape (N*m*n, (N*m+1)*n)
    F : (N*m, n) f at the Gauss points (the derivative with respect to ``scale``
        is ``-h_j F``)
    X : (N*m, n) states at the Gauss points
    """
    m = scheme.ncol
    N = len(mesh) - 1
    n = U.shape[1]
    h = np.diff(mesh)
    X, _ = gauss_states(U, mesh, scheme)
    jac, f = model.compiled.jac, model.compiled.f
    rows, cols, vals = [], [], []
    eye = np.eye(n)
    ra = np.arange(n)
    for j in range(N):
        for k in range(m):
            g = j * m + k
            A = jac(0.0, X[g], p)
            for i in range(m + 1):
                blk = scheme.Wd[k, i] * eye - h[j] * scale * scheme.W[k, i] * A
                rows.append(np.repeat(g * n + ra, n))
                cols.append(np.tile((j * m + i) * n + ra, n))
                vals.append(blk.ravel())
    J = sps.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(N * m * n, (N * m + 1) * n))
    F = np.array([f(0.0, x, p) for x in X])
    return J, F, X
