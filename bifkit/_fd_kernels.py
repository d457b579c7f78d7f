"""Finite-difference derivative kernels for models given as numba kernels.

Symbolic models get exact derivatives from sympy; a model defined by
hand-written ``f(t, x, p)`` and ``jac(t, x, p)`` (the z_n chain with its
alpha-dependent coefficient matrix) gets these central differences instead.
Step h = eps^(1/3) * max(1, |value|) balances truncation O(h^2) against
round-off O(eps/h): relative error ~1e-10.
"""
from types import SimpleNamespace

import numpy as np
from numba import njit

_H = 6.0e-6  # ~ eps**(1/3)


def make_core(f, jac, obs):
    @njit
    def dfdp(t, x, p):
        n, npar = x.size, p.size
        out = np.empty((n, npar))
        q = p.copy()
        for k in range(npar):
            h = _H * max(1.0, abs(p[k]))
            q[k] = p[k] + h
            fp = f(t, x, q)
            q[k] = p[k] - h
            fm = f(t, x, q)
            q[k] = p[k]
            out[:, k] = (fp - fm) / (2.0 * h)
        return out

    if obs is None:
        @njit
        def obs(t, x, p):  # noqa: F811
            return np.zeros(1)

    return SimpleNamespace(f=f, jac=jac, dfdp=dfdp, obs=obs)


def make_higher(f, jac):
    @njit
    def B(t, x, p, u, v):  # noqa: N802
        # d/ds [J(x + s v) u] at s = 0
        nv = np.sqrt(np.sum(v * v))
        if nv == 0.0:
            return np.zeros(x.size)
        h = _H * max(1.0, np.sqrt(np.sum(x * x))) / nv
        return (jac(t, x + h * v, p) @ u - jac(t, x - h * v, p) @ u) / (2.0 * h)

    @njit
    def C(t, x, p, u, v, w):  # noqa: N802
        nw = np.sqrt(np.sum(w * w))
        if nw == 0.0:
            return np.zeros(x.size)
        h = 1e-3 * max(1.0, np.sqrt(np.sum(x * x))) / nw  # ~ eps**(1/4)
        return (B(t, x + h * w, p, u, v) - B(t, x - h * w, p, u, v)) / (2.0 * h)

    @njit
    def dJdp(t, x, p):  # noqa: N802
        n, npar = x.size, p.size
        out = np.empty((npar, n, n))
        q = p.copy()
        for k in range(npar):
            h = _H * max(1.0, abs(p[k]))
            q[k] = p[k] + h
            jp = jac(t, x, q)
            q[k] = p[k] - h
            jm = jac(t, x, q)
            q[k] = p[k]
            out[k] = (jp - jm) / (2.0 * h)
        return out

    return SimpleNamespace(B=B, C=C, dJdp=dJdp)
