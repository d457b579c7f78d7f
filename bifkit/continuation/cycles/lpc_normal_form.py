"""The normal-form coefficient of a fold (saddle-node) of cycles, by periodic normalization.

At an LPC point the cycle x0(tau) (period T) has a Jordan chain of the trivial multiplier:
ẋ0 and phi with phi' - A(tau) phi = ẋ0, phi T-periodic (A = f_x(x0)).  In the LPC-C system
(:mod:`systems`) the eigenfunction v solves v' = A v + sigma f(x0) in tau, so phi = v / sigma.
Near the point x = x0(tau) + xi phi(tau) + xi^2 h2(tau) / 2 + ... with the periodic normal form
(Iooss 1988; Kuznetsov, Govaerts, Doedel & Dhooge 2005, SIAM J. Numer. Anal. 43, 1407,
sec. 4.1; method read there, derivation redone here)::

    dtau/dt = 1 - xi + a xi^2 + ...,        dxi/dt = b xi^2 + ...

The xi^2 terms of x' = f(x) give, with phi' = A phi + ẋ0,

    h2' - A h2 = B(phi, phi) + 2 A phi + 2 (1 - a) ẋ0 - 2 b phi,   h2 T-periodic,

solvable only for b = int <phi*, B(phi, phi) + 2 A phi> dtau / (2 int <phi*, phi> dtau)
(phi* the periodic adjoint null function; ẋ0 lies in the range).  Solved here as one bordered
collocation problem with the column 2 phi and the phase row (no adjoint needed); phi is fixed
by the chain (no free scale), and adding multiples of ẋ0 to phi leaves b unchanged.  A zero of
b along an LPC curve is a cusp of cycles (CPC).  Where sigma = 0 (the period is stationary
along the null vector: a non-generic fold, e.g. a decoupled product) b is not defined.
"""
from __future__ import annotations

import numpy as np

from . import collocation as co
from .pd_normal_form import _gauss_values


def _solve(Jblk, n, sign, col, row, rhs_col):
    """Solve the collocation rows ``Jblk`` (h' - A h scaled as in :mod:`collocation`) with one
    extra unknown s, for the collocation right-hand side ``rhs_col`` (N, m*n)::

        Jblk h + col s = rhs_col,   h(0) - sign h(1) = 0,   sum_nodes <row, h> = 0

    by the condensation of :func:`collocation.bordered_solve_bc` (O(N)); returns (node values
    (M, n), s)."""
    N, mn, _ = Jblk.shape
    M = row.shape[0]
    Jb = np.ascontiguousarray(col.reshape(N, mn, 1))
    C = np.ascontiguousarray(row.reshape(1, M, n))
    H, z, _, _ = co.solve_bc("the LPC normal form", np.ascontiguousarray(Jblk), Jb, C,
                             np.zeros((1, 1)), np.eye(n), -sign * np.eye(n), np.zeros((n, 1)),
                             np.ascontiguousarray(rhs_col), np.zeros(n), np.zeros(1))
    if not (np.all(np.isfinite(H)) and np.isfinite(z[0])):
        raise np.linalg.LinAlgError("singular bordered system in the LPC normal form")
    return H, float(z[0])


def lpc_coefficient(model, U, V, sigma, T, p, mesh, scheme):
    """The coefficient b of dxi/dt = b xi^2 at a fold of cycles (module docstring).

    Parameters
    ----------
    model : Model (compiled ``f``, ``jac``, ``B``)
    U : (N*m+1, n) the cycle on the collocation nodes, t = tau / T in [0, 1]
    V, sigma : the LPC-C eigenfunction (v' = T (f_x v + sigma f) in t) and sigma
    T : period;  p : parameter array;  mesh, scheme : the collocation mesh and Scheme

    Returns
    -------
    float b (1 / time), or raises ValueError when sigma = 0 (b undefined)
    """
    from .ext import kernels
    if not (np.isfinite(sigma) and abs(sigma) > 1e-12 * max(1.0, float(np.max(np.abs(V))))):
        raise ValueError(f"sigma = {sigma!r}: a fold without a period change (no Jordan chain)")
    k = model.compiled
    n = U.shape[1]
    N, m = len(mesh) - 1, scheme.ncol
    M = N * m + 1
    p = np.ascontiguousarray(p, float)
    U = np.ascontiguousarray(U)
    Jblk = np.empty((N, m * n, (m + 1) * n))
    Jt = np.empty((N, m * n, 1))
    kernels(f=k.f, jac=k.jac, dfdp=k.dfdp).coll_jacobian(
        U, T, p, np.zeros(0, np.int64), mesh, scheme.W, scheme.Wd, Jblk, Jt)
    hT = (np.diff(mesh) * T)[:, None, None]
    G = N * m
    ug = np.ascontiguousarray(_gauss_values(U, mesh, scheme).reshape(G, n))
    phig = np.ascontiguousarray(_gauss_values(V / sigma, mesh, scheme).reshape(G, n))
    f_g, Aphi, Bpp = (np.empty((G, n)) for _ in range(3))
    kernels(f=k.f, jac=k.jac, B=k.B, C=k.C).pd_nf_quadratic(ug, phig, p, f_g, Aphi, Bpp)
    phase = np.zeros((M, n))
    co.phase_row(U, scheme.W, scheme.Wd, scheme.wg, phase)
    _, b = _solve(Jblk, n, 1.0, (hT * 2.0 * phig.reshape(N, m, n)).reshape(N, m * n), phase,
                  (hT * (Bpp + 2.0 * Aphi).reshape(N, m, n)).reshape(N, m * n))
    return b
