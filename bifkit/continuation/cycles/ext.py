"""The extended systems for cycle bifurcation curves: equations, kernel binding, block helpers.

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
Jacobian (compiled in the template :mod:`cycle_kernels`, bound per model by
:func:`kernels`), in the layout of :mod:`collocation` with state dimension ne = n (1 + nv):
``U[node, c*n + a]`` is component a of copy c (c = 0: the orbit u).

The Jacobian needs the second derivatives of f: ``B(t, x, p, u, v)``
(d2f/dx2 [u, v]) and ``dJdp(t, x, p)`` (d f_x / dp) from the model's compiled
multilinear forms.
"""
from __future__ import annotations

import numba as nb
import numpy as np


def kernels(**model_kernels):
    """The kernel functions of :mod:`.kernels` with a model's compiled kernels supplied.

    ``kernels(f=c.f, jac=c.jac, dfdp=c.dfdp)`` for the orbit collocation rows,
    plus ``B=c.B, dJdp=c.dJdp`` for the extended systems (c = model.compiled).
    The kernel functions are compiled once for all models; :func:`bifkit.binding.bind`
    supplies the model's kernel addresses (and memoises the result).
    """
    from ...binding import bind
    from . import kernels as cycle_kernels
    return bind(cycle_kernels, **model_kernels)


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
