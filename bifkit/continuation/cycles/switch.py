"""Branch switching at a branch point of cycles (BPC) on an LC-C branch.

At a BPC a real Floquet multiplier other than the trivial one is +1 while the
parameter does not turn (a pitchfork of cycles in a Z2-symmetric system, a
transcritical one where a cycle family crosses another).  The discretised
cycle problem

    F(u) = (collocation equations, u(0) - u(1), int <u, u_0'> dt) = 0,
    u = (U, T, theta)

(the phase condition against the BPC orbit u_0 itself) then has a Jacobian
F_u of rank one less than full: two null vectors and one left null vector,
and the two branch tangents are the roots of the algebraic branching
equation, exactly as for equilibria (Keller 1977; Doedel et al. 1991, sec. 6;
Kuznetsov, Elements of Applied Bifurcation Theory, 3rd ed., sec. 10.2.2 and
10.3.3).  This module builds the dense F_u from the collocation blocks and
hands it to the equilibrium code (:func:`bifkit.continuation.ep.switch.branch_tangents`
and ``choose``) in the coordinates of LC-C's norm,

    y = (sqrt(w) U, T / T_0, theta),   w the quadrature weights of int |u|^2 dt,

so that "the tangent closer to the branch the BPC was found on" is measured
in the metric of the continuation itself.  Dense SVD of F_u costs
O(((N m + 1) n)^3): about 0.1-0.5 s at ntst 50 for n <= 4, once per switch.
"""
from __future__ import annotations

import logging
import math

import numpy as np

from . import collocation as co

log = logging.getLogger("bifkit.continuation.cycles.switch")


def dense_jacobian(system, U, T, theta, p, mesh, phase):
    """F_u of the cycle problem as a dense matrix ((N m + 1) n + 2 columns: U, T, theta).

    Rows: the N m n collocation equations, the n periodicity conditions
    u(0) - u(1) and the phase condition with row ``phase`` (shape of U).
    """
    N, m, n = len(mesh) - 1, system.scheme.ncol, U.shape[1]
    M = N * m + 1
    Jblk, Jb = system.jacobian(U, T, system.p_of(theta, p), mesh)
    A = np.zeros((N * m * n + n + 1, M * n + 2))
    for j in range(N):
        rows = slice(j * m * n, (j + 1) * m * n)
        A[rows, j * m * n:(j * m + m + 1) * n] = Jblk[j]
        A[rows, M * n:] = Jb[j]
    r = N * m * n
    A[r:r + n, :n] = np.eye(n)
    A[r:r + n, (M - 1) * n:M * n] = -np.eye(n)
    A[r + n, :M * n] = phase.ravel()
    return A


def _scales(system, U, mesh, T_scale):
    """Coordinates y = s * u of LC-C's norm (see module doc)."""
    from .lc_run import _weights
    w = _weights(mesh, system.scheme, U.shape[1]).ravel()
    return np.concatenate((np.sqrt(w), [1.0 / T_scale, 1.0]))


def branch_tangent(system, state, p, which, T_scale):
    """Unit tangent (tU, tT, ttheta) in LC-C's norm of the ``which`` branch through a BPC.

    Parameters
    ----------
    system : lc_run.LCSystem
    state : lc_run.State at the BPC, with the tangent (tU, tT, ttheta) of the
        branch it was found on
    p : parameter array
    which : "other" or "same"
    T_scale : period scale of the norm (the run's T_0)

    Returns
    -------
    (tU, tT, ttheta), ratio
        ``ratio`` is sigma_{n-1} / sigma_1 of F_u (small at a genuine BPC).

    Raises
    ------
    ValueError
        If the branching equation has no two distinct real roots (not a simple
        branch point) or the two branches cannot be told apart.
    """
    from ..ep import switch as ep_switch
    sch = system.scheme
    U0, mesh = state.U, state.mesh
    shape = U0.shape
    phase = np.empty(shape)
    co.phase_row(U0, sch.W, sch.Wd, sch.wg, phase)
    s = _scales(system, U0, mesh, T_scale)
    u0 = np.concatenate((U0.ravel(), [state.T, state.theta]))
    size = U0.size

    def DF_y(y):
        u = y / s
        A = dense_jacobian(system, u[:size].reshape(shape), u[size], u[size + 1], p, mesh, phase)
        return A / s[None, :]

    t_old = np.concatenate((np.ravel(state.tU), [state.tT, state.ttheta])) * s
    tangents, ratio = ep_switch.branch_tangents(DF_y, u0 * s)
    t = ep_switch.choose(tangents, t_old, which)
    if which == "same":
        t = t * np.sign(np.dot(t, t_old))
    else:
        lead = t[-1] if abs(t[-1]) > 1e-8 else t[int(np.argmax(np.abs(t[:-1])))]
        t = t * np.sign(lead)
    log.debug("BPC switch (%s): sigma ratio %.3g, parameter component %.3g", which, ratio, t[-1])
    t_u = t / s
    tU = t_u[:size].reshape(shape)
    tT, tth = float(t_u[size]), float(t_u[size + 1])
    nrm = math.sqrt(float(np.sum(t * t)))
    return (tU / nrm, tT / nrm, tth / nrm), ratio
