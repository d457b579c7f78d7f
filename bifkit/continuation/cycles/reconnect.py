"""Where a period-doubled branch rejoins its parent cycle (status "reconnected").

A branch of period-2 cycles born at a period-doubling (PD) point of a cycle
branch often ends at another PD point of the same parent (a PD "bubble"; the
E-I neural mass at D_ee = 2 has one between I_e = 6.13e-5 and 4.73e-4): there
its orbits become the parent orbit traversed twice.  For the doubled problem
that point is a pitchfork (branch point of cycles): the doubled branch passes
through it onto the same orbits shifted by half their period and, without a
stop, re-traces the whole loop (issue 15, item 4).

The test quantity is the antisymmetric part of a doubled orbit,

    d(t) = u(t) - u(t + 1/2),   t in [0, 1] (time scaled by the period 2T),

zero exactly on the parent traversed twice and changing sign through the
pitchfork (the orbit after it is the one before shifted by 1/2, and
d(t + 1/2) = -d(t)).  A step whose two orbits have anti-correlated d,
<d_a, d_b> < 0 (quadrature over [0, 1]), went through the parent; the zero of
<d(s), d_a> along the step is located by regula falsi and then polished as the
PD point of the parent: its first half (period T, resampled on an adapted mesh
of half the intervals) solves the PD defining system exactly
(:func:`.starts.polish`), so the rejoin lies where LC-C of the parent locates
its PD.
"""
from __future__ import annotations

import logging

import numpy as np

from . import collocation as co
from . import mesh as mesh_mod
from .orbit import Orbit

log = logging.getLogger("bifkit.continuation.cycles.reconnect")


def antisymmetric_part(U, mesh, scheme):
    """d = u(t) - u(t + 1/2) at the nodes of ``mesh`` (shape of U)."""
    t = co.node_times(mesh, scheme)
    return U - co.interpolate(U, mesh, scheme, np.mod(t + 0.5, 1.0))


def correlation(d_a, d_b, w):
    """Quadrature of <d_a(t), d_b(t)> over [0, 1] (node weights ``w``, shape of d)."""
    return float(np.sum(w * d_a * d_b))


def locate(evaluate, g_a, g_b, ds, tol=1e-8, max_iter=40):
    """Zero of g(s) = <d(s), d_a> on the step (0, ds): (state, converged, iterations).

    ``evaluate(s)`` returns (state, g) or (None, None).  Illinois regula falsi
    on the arclength s itself, to ``tol`` ds (the parameter is stationary at
    the pitchfork, so a tolerance on it would stop too early; g is linear in s
    there).
    """
    sa, sb, fa, fb = 0.0, ds, g_a, g_b
    side, best = 0, None
    for it in range(1, max_iter + 1):
        s = sb - fb * (sb - sa) / (fb - fa) if fb != fa else 0.5 * (sa + sb)
        if not min(sa, sb) < s < max(sa, sb):
            s = 0.5 * (sa + sb)
        x, g = evaluate(s)
        if x is None:
            return best, False, it
        best = x
        if abs(g) <= 1e-12 * abs(g_a) or abs(sb - sa) < tol * abs(ds):
            return x, True, it
        if np.sign(g) == np.sign(fb):
            sb, fb = s, g
            if side == 1:
                fa *= 0.5
            side = 1
        else:
            sa, fa = s, g
            if side == -1:
                fb *= 0.5
            side = -1
    return best, False, max_iter


def half_orbit(U, mesh, T, p, scheme):
    """The first half (t in [0, 1/2]) of a doubled orbit as an Orbit of period T / 2.

    The mean of the two halves, (u(t) + u(t + 1/2)) / 2, is taken: near the
    rejoin the doubled orbit is the parent traversed twice plus the
    antisymmetric part d plus O(|d|^2), so the mean is the parent to O(|d|^2).
    On a half-symmetric mesh (:func:`.mesh.is_half_symmetric`, kept by LC-C on
    a doubled branch) the halves' nodes and mesh, time rescaled, are the
    parent's collocation unknowns; otherwise the orbit is resampled on an
    adapted mesh of half the intervals.
    """
    N, m = len(mesh) - 1, scheme.ncol
    p = np.asarray(p, float).copy()
    if mesh_mod.is_half_symmetric(mesh):
        h = N // 2
        U_h = 0.5 * (U[:h * m + 1] + U[h * m:])
        return Orbit(U_h, 2.0 * mesh[:h + 1], 0.5 * T, p, scheme)
    mesh_h = co.uniform_mesh(max(N // 2, 2))
    t_h = 0.5 * co.node_times(mesh_h, scheme)
    U_h = 0.5 * (co.interpolate(U, mesh, scheme, t_h) +
                 co.interpolate(U, mesh, scheme, t_h + 0.5))
    U_h, mesh_h = mesh_mod.adapt(U_h, mesh_h, scheme)
    return Orbit(U_h, mesh_h, 0.5 * T, p, scheme)


def rejoin_record(system, x, p, iterations, converged):
    """The special-point record ("BPC", data ``reconnected``) at a located rejoin state x.

    The parent's PD is polished from the half orbit; its orbit traversed twice
    (period 2 T_parent, multipliers the parent's squared) is the record's orbit.
    If the polish fails the located doubled orbit itself is reported, with
    ``converged`` False.
    """
    from .lc_run import State
    from .starts import polish
    sch = system.scheme
    pp = system.p_of(x.theta, p)
    half = half_orbit(x.U, x.mesh, x.T, pp, sch)
    exact = polish(system.model, "PD", half, system.ipar, system.log)
    if exact is None:
        log.warning("rejoin of the doubled branch at %s = %.10g: the parent's PD system did "
                    "not converge; the located doubled orbit is reported",
                    system.model.param_names[system.ipar], pp[system.ipar])
        orbit = Orbit(x.U.copy(), x.mesh.copy(), x.T, pp, sch, x.mu, x.trivial_error)
        return {"label": "BPC", "theta": x.theta, "param": pp[system.ipar], "T": x.T,
                "multipliers": x.mu, "orbit": orbit, "converged": False,
                "iterations": iterations, "state": x,
                "data": {"reconnected": True, "parent_period": 0.5 * x.T}}
    U_h, T_h, pp, mu_h, err = exact
    U2, mesh2 = mesh_mod.double_period(U_h, half.mesh, sch)
    mu2 = np.asarray(mu_h) ** 2
    theta = system.theta_of(pp[system.ipar])
    state = State(U2, 2.0 * T_h, theta, mesh2)
    state.mu, state.trivial_error = mu2, err
    orbit = Orbit(U2, mesh2.copy(), 2.0 * T_h, pp, sch, mu2, err)
    return {"label": "BPC", "theta": theta, "param": pp[system.ipar], "T": 2.0 * T_h,
            "multipliers": mu2, "orbit": orbit, "converged": bool(converged),
            "iterations": iterations, "state": state,
            "data": {"reconnected": True, "parent_period": T_h,
                     "parent_multipliers": np.asarray(mu_h)}}
