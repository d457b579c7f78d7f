"""Phase response curves of periodic orbits: infinitesimal (adjoint) and finite (pulses).

Conventions (the same for both functions)
-----------------------------------------
* ``phase`` is the fraction of the period in [0, 1), measured from the orbit's
  own t = 0 (the point ``orbit.U[0]`` of the cycle point).
* The response is a **time advance in model time units**: a kick ``x -> x + a e_v``
  at phase phi moves the oscillator ahead by ``Z_v(phi) * a`` time units (delay if
  negative).  Divide by the period for the advance in cycles.  This is the
  normalisation ``Z(t) . f(x(t)) = 1`` for all t (Ermentrout & Terman 2010,
  *Mathematical Foundations of Neuroscience*, sec. 8.2; MatCont's PRC,
  Govaerts & Sautois 2006, Neural Comput. 18, 817).
* For a parameter ``p`` the infinitesimal response is ``Z . df/dp``: the advance
  rate (time units per time unit) per unit of a small change of p.

Method (infinitesimal PRC)
--------------------------
Z solves the adjoint variational equation dZ/dt = -J(x(t))^T Z, periodic, with
Z . f = 1.  It is the left null vector of the collocation discretisation of
the periodic boundary-value problem (Govaerts & Sautois 2006, sec. 3): with the
rows of the LC-C collocation r_jk = h_j (u'(z_jk) - T f(u(z_jk))) and the
periodicity rows u(0) - u(1), a left null vector w of their Jacobian with
respect to the node values satisfies sum_jk w_jk . (d/ds - T J) du * h_j = 0 for
every periodic du, i.e. it is the Gauss-quadrature form of
int_0^1 Z . (du' - T J du) ds = 0 with w_jk = wg_k Z(z_jk) (wg the Gauss
weights on [0, 1]).  So Z at the Gauss points is w_jk / wg_k, normalised by
Z . f = 1.  w is found by one sparse bordered solve.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from .continuation.homoclinic import _colloc
from .errors import ComputationError, ConvergenceError, InputError

if TYPE_CHECKING:  # annotations only
    from .continuation.homoclinic._deps import Orbit
    from .model import Model

log = logging.getLogger("bifkit.prc")

#: largest allowed spread of Z . f along the orbit (relative): larger means the
#: discretisation is too coarse for the adjoint or the point is not a cycle
ZF_SPREAD_MAX = 1e-3


def prc(cycle_point: Any, variable: str, *, model: Model,
        n_phases: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Infinitesimal phase response curve of a periodic orbit.

    Parameters
    ----------
    cycle_point : CycleSpecialPoint, dict with "orbit" (``CycleBranch.point(i)``) or Orbit
        The periodic orbit (from ``bifkit.continuation(model, "LC-C", ...)``).
    variable : str
        A state name (response to a kick of that state) or a parameter name
        (response ``Z . df/dp`` to a change of that input).
    model : Model
        The model of the orbit (a cycle point does not carry it); its
        parameters are taken from the orbit.
    n_phases : int, optional
        Return Z on the uniform grid ``phase = k / n_phases`` (interpolated by
        the collocation polynomials); default: at the orbit's Gauss points.

    Returns
    -------
    phase : (M,) array in [0, 1)
    Z : (M,) array
        Time advance (model time units) per unit kick of ``variable``
        (see the module docstring for the conventions).

    Raises
    ------
    InputError
        Unknown ``variable``, or no orbit in ``cycle_point``.
    ConvergenceError
        The adjoint is not consistent (Z . f not constant along the orbit to
        :data:`ZF_SPREAD_MAX`): mesh too coarse, or not a periodic orbit.
    """
    orbit = orbit_of(cycle_point)
    kind, index = _variable(model, variable)
    Zg, X, phase = adjoint(model, orbit)
    if kind == "state":
        values = Zg[:, index]
    else:
        dfdp = model.compiled.dfdp
        values = np.array([z @ dfdp(0.0, x, orbit.p)[:, index] for z, x in zip(Zg, X)])
    if n_phases is None:
        return phase, values
    grid = np.arange(int(n_phases)) / int(n_phases)
    return grid, _interpolate_gauss(values, orbit.mesh, orbit.scheme, grid)


def adjoint(model: Model, orbit: Orbit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z(t) at the Gauss points of the orbit's mesh, normalised by Z . f = 1.

    Returns
    -------
    Z : (N*m, n) adjoint at the Gauss points
    X : (N*m, n) orbit at the Gauss points
    phase : (N*m,) Gauss-point times in (0, 1)
    """
    U, mesh, sch, T, p = orbit.U, orbit.mesh, orbit.scheme, orbit.T, orbit.p
    n = U.shape[1]
    Jc, F, X = _colloc.jacobian(model, U, mesh, sch, T, p)
    M = U.size
    per = sps.hstack([sps.eye(n), sps.csr_matrix((n, M - 2 * n)), -sps.eye(n)])
    A = sps.vstack([Jc, per]).tocsc()
    m = sch.ncol
    N = len(mesh) - 1
    # border vectors: b in the left null direction's support (b . w = sum wg Z.f != 0),
    # c not orthogonal to the right null vector u' ~ T f at the nodes
    b = np.concatenate([(np.tile(sch.wg, N)[:, None] * F).ravel(), np.zeros(n)])
    Fn = np.array([model.compiled.f(0.0, u, p) for u in U])
    c = Fn.ravel()
    K = sps.bmat([[A.T, c[:, None]], [b[None, :], None]], format="csc")
    rhs = np.zeros(M + 1)
    rhs[-1] = 1.0
    sol = spla.splu(K).solve(rhs)
    w = sol[:M]
    Z = w[: N * m * n].reshape(N * m, n) / np.tile(sch.wg, N)[:, None]
    zf = np.einsum("ka,ka->k", Z, F)
    scale = np.mean(zf)
    spread = np.max(np.abs(zf / scale - 1.0))
    log.debug("adjoint: bordering residual %.2e, max |Z.f - 1| = %.2e", sol[M], spread)
    if not np.isfinite(spread) or spread > ZF_SPREAD_MAX:
        raise ConvergenceError(
            f"adjoint of the cycle is inconsistent: Z . f varies by {spread:.3g} along the "
            f"orbit (allowed {ZF_SPREAD_MAX:g}); refine the mesh (ntst) or check that the "
            f"point is a converged periodic orbit")
    phase = (mesh[:-1, None] + np.diff(mesh)[:, None] * sch.c[None, :]).ravel()
    return Z / scale, X, phase


def prc_finite(cycle_point: Any, variable: str, amplitude: float, n_phases: int, *,
               model: Model, rtol: float = 1e-11, atol: float = 1e-13,
               contraction: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Finite phase response to a kick ``variable += amplitude`` by direct integration.

    The kicked state is integrated (scipy's DOP853) for k whole periods, k
    chosen so that the leading nontrivial Floquet multiplier has decayed below
    ``contraction`` (|mu|^k < contraction); the asymptotic phase is that of the
    nearest orbit point, compared with the unkicked phase.

    Parameters
    ----------
    cycle_point, model : as in :func:`prc` (the orbit must be stable)
    variable : str
        A state name.
    amplitude : float
        Kick size (units of the state), nonzero.
    n_phases : int
        Kicks at phase = k / n_phases.

    Returns
    -------
    phase : (n_phases,) array in [0, 1)
    advance : (n_phases,) array
        Time advance (model time units) divided by ``amplitude``, wrapped to
        (-T/2, T/2] / amplitude: directly comparable with :func:`prc`'s Z.
    """
    from scipy.integrate import solve_ivp
    from scipy.optimize import minimize_scalar

    from .continuation.homoclinic._deps import interpolate, refine
    orbit = orbit_of(cycle_point)
    kind, index = _variable(model, variable)
    if kind != "state":
        raise InputError(f"prc_finite kicks a state variable; {variable!r} is a parameter")
    if not np.isfinite(amplitude) or amplitude == 0.0:
        raise InputError(f"amplitude must be a finite nonzero number, got {amplitude!r}")
    if int(n_phases) < 1:
        raise InputError(f"n_phases must be >= 1, got {n_phases!r}")
    mu = orbit.multipliers if orbit.multipliers is not None else refine(model, orbit).multipliers
    if mu is None:   # refine attaches the Floquet multipliers; an Orbit type allows None
        raise ComputationError("the cycle has no Floquet multipliers after refinement; "
                               "cannot judge whether it attracts")
    lead = np.sort(np.abs(mu))[::-1][1] if len(mu) > 1 else 0.0   # drop the trivial one
    if lead >= 1.0 - 1e-9:
        raise InputError(f"the cycle is not attracting (nontrivial multiplier |mu| = {lead:.6g}): "
                         f"a finite PRC needs a stable orbit")
    k = 2 if lead <= 0.0 else int(np.clip(np.ceil(np.log(contraction) / np.log(lead)), 2, 2000))
    T, p = orbit.T, orbit.p
    f = model.compiled.f
    samples = 4096
    grid = np.arange(samples) / samples
    ref = interpolate(orbit.U, orbit.mesh, orbit.scheme, grid)
    phases = np.arange(int(n_phases)) / int(n_phases)
    out = np.empty(len(phases))
    for q, phi in enumerate(phases):
        x0 = interpolate(orbit.U, orbit.mesh, orbit.scheme, [phi])[0]
        x0[index] += amplitude
        sol = solve_ivp(lambda t, x: f(t, x, p), (0.0, k * T), x0, method="DOP853",
                        rtol=rtol, atol=atol)
        if not sol.success:
            raise ConvergenceError(f"integration of the kicked orbit failed: {sol.message}")
        y = sol.y[:, -1]
        i0 = int(np.argmin(np.sum((ref - y) ** 2, axis=1)))

        def dist(s):
            return float(np.sum((interpolate(orbit.U, orbit.mesh, orbit.scheme,
                                             [np.mod(s, 1.0)])[0] - y) ** 2))
        best = minimize_scalar(dist, bounds=(grid[i0] - 1.0 / samples, grid[i0] + 1.0 / samples),
                               method="bounded", options={"xatol": 1e-14})
        shift = np.mod(best.x - phi + 0.5, 1.0) - 0.5      # in cycles, in [-1/2, 1/2)
        out[q] = shift * T / amplitude
    return phases, out


# --------------------------------------------------------------------------- #
def orbit_of(cycle_point: Any) -> Orbit:
    """The Orbit inside a cycle point (special point, branch point dict or Orbit)."""
    from .continuation.homoclinic._deps import Orbit   # lazy: the cycle modules may move
    if isinstance(cycle_point, Orbit):
        return cycle_point
    data = getattr(cycle_point, "data", None)
    if isinstance(data, dict) and "orbit" in data:
        return Orbit.from_dict(data["orbit"])
    if isinstance(cycle_point, dict):
        if "orbit" in cycle_point:
            return Orbit.from_dict(cycle_point["orbit"])
        if "U" in cycle_point:
            return Orbit.from_dict(cycle_point)
    raise InputError("cycle_point must be a cycle special point, CycleBranch.point(i) or an "
                     f"Orbit; got {type(cycle_point).__name__} without an orbit")


def _variable(model, variable):
    if variable in model.state_names:
        return "state", model.state_names.index(variable)
    if variable in model.param_names:
        return "param", model.param_names.index(variable)
    raise InputError(f"unknown variable {variable!r}: not a state {model.state_names} nor a "
                     f"parameter {model.param_names}")


def _interpolate_gauss(values, mesh, scheme, s):
    """Evaluate the degree m-1 polynomial through the m Gauss-point values of each interval."""
    m = scheme.ncol
    N = len(mesh) - 1
    V = np.asarray(values).reshape(N, m)
    s = np.asarray(s, float)
    j = np.clip(np.searchsorted(mesh, s, side="right") - 1, 0, N - 1)
    tau = (s - mesh[j]) / (mesh[j + 1] - mesh[j])
    out = np.empty(len(s))
    from .continuation.homoclinic._deps import lagrange_matrices
    for q in range(len(s)):
        W, _ = lagrange_matrices(scheme.c, [tau[q]])
        out[q] = W[0] @ V[j[q]]
    return out
