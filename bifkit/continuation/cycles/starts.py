"""Starting points of the extended cycle systems (PD-C, LPC-C, NS-C).

From a located LPC / PD / NS point of an LC-C branch: the orbit is refined
on the requested mesh, and the critical eigenfunction is the null function of
the linearised collocation operator with the boundary condition of the curve,
computed from one bordered system (the minimally augmented construction of
Govaerts, Kuznetsov & Dhooge 2005, SIAM J. Sci. Comput. 27, 231, sec. 3)::

    [ L_bc   b ] [v]   [0]
    [ c^T    d ] [g] = [1]

with fixed generic borders b, c: at the bifurcation g = 0 and v spans the
null space.  For LPC the operator includes the T column and the phase row
(the null vector (v, tau) of the orbit problem in (u, T)); for NS the
boundary condition is v(1) = e^{i kappa} v(0) in real form, kappa the
argument of the critical multiplier.
"""
from __future__ import annotations

import math

import numpy as np

from . import collocation as co
from . import ext as ce
from . import mesh as mesh_mod
from ...errors import ConvergenceError
from .systems import Point, node_weights


def _generic_borders(rng, N, mn, M, n, w, nb_extra=0):
    b = rng.standard_normal((N, mn, 1 + nb_extra))
    c = w[:, None] * rng.standard_normal((M, n))
    return b, c


def eigenfunction(label, Jblk, JbT, Uref, mesh, scheme, n, kappa=0.0, seed=20240601):
    """The critical eigenfunction of a periodic orbit's linearised collocation operator.

    Parameters
    ----------
    label : "PD" | "LPC" | "NS"
    Jblk, JbT : collocation blocks of the orbit (``collocation_jacobian`` with no free
        parameter; ``JbT`` its T column, used for LPC)
    Uref : orbit node values (phase reference for LPC)
    kappa : argument of the critical multiplier (NS)

    Returns
    -------
    V : (N*m+1, n * copies) normalised so that int |v|^2 dt (+ sigma^2 for LPC) = 1
    sigma : float (LPC: tau / T with tau the T-component of the null vector; else 0)
    g : float, the bordering scalar (~0 at the bifurcation; a check)
    """
    rng = np.random.default_rng(seed)
    N, mn, _ = Jblk.shape
    m = mn // n
    M = N * m + 1
    w = node_weights(mesh, scheme)
    if label == "PD":
        b, c = _generic_borders(rng, N, mn, M, n, w)
        B0, B1 = np.eye(n), np.eye(n)
        Bz = rng.standard_normal((n, 1))
        V, z, _, _ = co.solve_bc("the PD eigenfunction", Jblk, b, c[None], np.zeros((1, 1)),
                                 B0, B1, Bz, np.zeros((N, mn)), np.zeros(n), np.ones(1))
        V /= math.sqrt(np.sum(w[:, None] * V * V))
        return V, 0.0, float(z[0])
    if label == "NS":
        J2 = ce.block_diagonal(Jblk, n, 2)
        b, c = _generic_borders(rng, N, 2 * mn, M, 2 * n, w)
        cs, sn = math.cos(kappa), math.sin(kappa)
        I = np.eye(n)
        B0 = np.block([[-cs * I, sn * I], [-sn * I, -cs * I]])
        B1 = np.eye(2 * n)
        Bz = rng.standard_normal((2 * n, 1))
        V, z, _, _ = co.solve_bc("the NS eigenfunction", J2, b, c[None], np.zeros((1, 1)),
                                 B0, B1, Bz, np.zeros((N, 2 * mn)), np.zeros(2 * n),
                                 np.ones(1))
        V /= math.sqrt(np.sum(w[:, None] * V * V))
        return V, 0.0, float(z[0])
    if label == "LPC":
        phi = np.zeros((M, n))
        co.phase_row(np.ascontiguousarray(Uref), scheme.W, scheme.Wd, scheme.wg, phi)
        b, c = _generic_borders(rng, N, mn, M, n, w)
        Jb = np.concatenate((JbT, b), axis=2)
        C = np.stack((phi, c))
        D = np.zeros((2, 2))
        D[1, 0] = rng.standard_normal()
        Bz = np.zeros((n, 2))
        Bz[:, 1] = rng.standard_normal(n)
        V, z, _, _ = co.solve_bc("the LPC eigenfunction", Jblk, Jb, C, D, np.eye(n),
                                 -np.eye(n), Bz, np.zeros((N, mn)), np.zeros(n),
                                 np.array([0.0, 1.0]))
        tau = float(z[0])
        nrm = math.sqrt(np.sum(w[:, None] * V * V) + tau * tau)
        return V / nrm, tau / nrm, float(z[1])
    raise ValueError(f"no eigenfunction for label {label!r}")


def pd_eigenfunction_from_factor(factor, mesh, scheme, n):
    """The PD eigenfunction of an orbit from the factorisation of its LC-C Jacobian.

    ``factor``: :class:`.linalg.Factor` of the orbit's collocation Jacobian (the
    LC-C corrector's factorisation at the converged orbit; its border columns
    are not used).  The condensed rows P x_0 + Q x_N (+ S z) = 0 with z = 0 and
    x_N = -x_0 give v(0) as the right singular vector of P - Q for its smallest
    singular value; the mesh points and interior nodes then follow by the
    factorisation's back substitutions with zero right-hand side (both ends
    given: no forward sweep).  At a trial point near the PD, P - Q is nearly
    singular and v approximates the eigenfunction as well as the bordered
    solve of :func:`eigenfunction` does (both start the Newton of the extended
    system); it reuses the factorisation instead of a new condensation of the
    orbit's blocks (E-I LC-C at ntst 50: ~0.4 ms per located PD).

    Returns V (N*m+1, n), normalised so that int |v|^2 dt = 1, sign fixed by its
    largest component of v(0) positive.
    """
    top, _, _, mid, _, _, P, Q, S = factor.f
    _, _, vt = np.linalg.svd(P - Q)
    v0 = vt[-1]
    if v0[np.argmax(np.abs(v0))] < 0.0:
        v0 = -v0
    N, ki = top.shape[0], top.shape[1]
    M = N * scheme.ncol + 1
    V = np.zeros((M, n))
    V[0] = v0
    V[-1] = -v0
    z = np.zeros(S.shape[1])
    co.back_substitute_mesh(mid, np.zeros((N, n)), z, V)
    co.back_substitute_interior(top, np.zeros((N, ki)), z, V)
    w = node_weights(mesh, scheme)
    return V / math.sqrt(np.sum(w[:, None] * V * V))


def orbit_on_mesh(orbit, ntst, scheme):
    """Node values of ``orbit`` on an adapted mesh with ``ntst`` intervals of ``scheme``."""
    U, mesh = orbit.U, orbit.mesh
    if len(mesh) - 1 == ntst and orbit.scheme.ncol == scheme.ncol and \
            orbit.scheme.kind == scheme.kind:
        return U.copy(), mesh.copy()
    new = mesh
    if len(mesh) - 1 != ntst:
        _, new = mesh_mod.adapt(U, mesh, orbit.scheme, ntst)
    return co.interpolate(U, mesh, orbit.scheme, co.node_times(new, scheme)), new


def critical_multiplier(label, mu):
    """The multiplier at the bifurcation: nearest -1 (PD), 1 (LPC), |mu| = 1 with Im > 0 (NS)."""
    mu = np.asarray(mu)
    if label == "PD":
        return mu[np.argmin(np.abs(mu + 1.0))]
    if label == "LPC":
        return 1.0 + 0j
    z = mu[mu.imag > 1e-9]
    if z.size == 0:
        raise ValueError("NS start: no complex multiplier pair at the start orbit")
    return z[np.argmin(np.abs(np.abs(z) - 1.0))]


def start_from_orbit(system, orbit, label, ntst, fixed_index, tol=1e-10, with_info=True,
                     factor=None):
    """Point of ``system`` at a located bifurcation orbit, corrected with one theta fixed.

    Returns (Point without tangent, info dict).  ``with_info=False`` (the polish of a
    located PD / LPC point, which discards the info): the critical multiplier is not
    computed (a Householder condensation and QZ, ~0.4 ms at ntst 50; it only seeds
    kappa on NS and names the multiplier in the info and in the error message), and
    the info is None.  ``factor``: the factorisation of the orbit's LC-C Jacobian
    (:class:`.linalg.Factor`, on the orbit's own mesh); with ``with_info=False`` a PD
    start takes its eigenfunction from it (:func:`pd_eigenfunction_from_factor`)
    instead of computing the orbit's blocks and a bordered solve.
    """
    from ...errors import ConvergenceError
    sch, n, model = system.scheme, system.n, system.model
    U, mesh = orbit_on_mesh(orbit, ntst, sch)
    p = np.asarray(orbit.p, float)
    T = float(orbit.T)
    if U.shape != orbit.U.shape or not np.array_equal(mesh, orbit.mesh):
        # re-meshed: correct at fixed parameters (singular in (u, T) at an LPC, so judge
        # by the residual, not by the step)
        U, T, it, ok, res, _, _ = co.newton_orbit(model.compiled, U, T, p, mesh, sch, tol, 20)
        if not (ok or res < 1e-9 * (1.0 + np.max(np.abs(U)))):
            raise ConvergenceError(f"{system.curve} start: the {label} orbit does not converge "
                                   f"on the mesh with ntst={ntst} (residual {res:.3g})")
    N, m = len(mesh) - 1, sch.ncol
    k = model.compiled
    from .floquet import multipliers_from_pair

    def blocks():
        Jblk = np.empty((N, m * n, (m + 1) * n))
        JbT = np.empty((N, m * n, 1))
        co.collocation_jacobian(k.jac, k.f, k.dfdp, U, T, p, np.zeros(0, np.int64), mesh,
                                sch.W, sch.Wd, Jblk, JbT)
        return Jblk, JbT

    def critical():
        mu, _ = multipliers_from_pair(*co.condensed_pair(blocks()[0]))
        return critical_multiplier(label, mu)
    own = (U.shape == orbit.U.shape and np.array_equal(mesh, orbit.mesh) and
           orbit.scheme.ncol == sch.ncol and orbit.scheme.kind == sch.kind)
    if factor is not None and label == "PD" and not with_info and own:
        # the orbit's own nodes (not re-meshed): the factorisation is of this orbit's blocks
        crit, kappa = None, 0.0
        V, tau, g = pd_eigenfunction_from_factor(factor, mesh, sch, n), 0.0, math.nan
    else:
        Jblk, JbT = blocks()
        crit = critical() if (with_info or label == "NS") else None
        kappa = float(np.angle(crit)) if label == "NS" else 0.0
        V, tau, g = eigenfunction(label, Jblk, JbT, U, mesh, sch, n, kappa)
    Ue = np.concatenate((U, V), axis=1)
    z = np.zeros(system.nz)
    z[0] = T
    if label == "LPC":
        z[1] = tau / T
        # renormalise (v, sigma): int |v|^2 + sigma^2 = 1
        nrm = math.sqrt(np.sum(node_weights(mesh, sch)[:, None] * V * V) + z[1] ** 2)
        Ue[:, n:] /= nrm
        z[1] /= nrm
    elif label == "NS":
        z[1] = kappa
    z[-2:] = system.theta_of(p)
    ref = Point(Ue, z, mesh)
    pt = system.correct(ref, Ue, z, None, None, fix=(fixed_index, z[fixed_index]))
    if pt is None:
        crit = critical() if crit is None else crit
        raise ConvergenceError(f"{system.curve} start: Newton on the extended system failed at "
                               f"the {label} point (multiplier {crit:.6g}, border g={g:.3g}); "
                               f"locate the point more accurately or change ntst")
    return pt, ({"multiplier": complex(crit), "g": g} if with_info else None)


def polish(model, label, orbit, ipar, log, factor=None):
    """Solve the defining system of a located LPC / PD / NS orbit exactly on its own mesh.

    The test-function location on an LC-C branch (regula falsi on Floquet
    multipliers) leaves an error set by the multipliers' accuracy; the extended
    system of the corresponding curve, with every parameter but ``p[ipar]``
    fixed, defines the point itself.  Returns (U, T, p, multipliers,
    trivial_error) or None when the model lacks second derivatives or Newton fails.
    ``factor``: the factorisation of the orbit's LC-C Jacobian, for a PD's eigenfunction
    (:func:`start_from_orbit`).
    """
    from . import collocation as co_
    from .systems import ExtendedSystem
    curve = {"PD": "PD-C", "LPC": "LPC-C", "NS": "NS-C"}[label]
    others = [k for k in range(len(model.param_names)) if k != ipar]
    if not others:
        return None
    try:
        system = ExtendedSystem(model, curve, [ipar, others[0]], [log, False],
                                co_.Scheme(orbit.scheme.ncol, orbit.scheme.kind), orbit.p)
        system.T_scale = orbit.T
        system.tol = 1e-11
        pt, _ = start_from_orbit(system, orbit, label, orbit.ntst, system.nz - 1,
                                 with_info=False, factor=factor)
    except (ConvergenceError, ValueError, AttributeError, NotImplementedError):
        return None
    n = system.n
    return np.ascontiguousarray(pt.U[:, :n]), pt.T, system.p_of(pt.z), pt.mu, pt.trivial_error
