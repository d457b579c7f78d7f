"""Periodic orbits: the Orbit record and starting orbits.

Starts:
* :func:`orbit_from_simulation` -- integrate past the transient, cut one period
  at a Poincare section, resample on the mesh and refine by Newton;
* :func:`orbit_from_hopf` -- the first-order estimate u(t) = x0 + eps Re(q e^(2 pi i t))
  with q the critical eigenvector (Kuznetsov 2004, sec. 3.5 and 10.3.2;
  Doedel et al. 1991, sec. 5), T = 2 pi / omega.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import collocation as co
from . import floquet as fq


@dataclass
class Orbit:
    """A periodic orbit on a collocation mesh.

    Attributes
    ----------
    U : (ntst*ncol + 1, n) values at the nodes; u(t) for t in [0, 1]
    mesh : (ntst + 1,) mesh in [0, 1]
    T : float, period (model time unit)
    p : parameter array
    scheme : collocation.Scheme
    multipliers : complex array or None
    trivial_error : float (|mu_trivial - 1|)
    """

    U: np.ndarray
    mesh: np.ndarray
    T: float
    p: np.ndarray
    scheme: co.Scheme
    multipliers: np.ndarray | None = None
    trivial_error: float = np.nan
    info: dict = field(default_factory=dict)

    @property
    def ntst(self) -> int:
        return len(self.mesh) - 1

    @property
    def times(self) -> np.ndarray:
        """Node times in model time units, from 0 to T."""
        return self.T * co.node_times(self.mesh, self.scheme)

    def __call__(self, t):
        """States at model times t (taken modulo T), shape (len(t), n)."""
        s = np.mod(np.atleast_1d(t) / self.T, 1.0)
        return co.interpolate(self.U, self.mesh, self.scheme, s)

    def to_dict(self) -> dict:
        """Plain arrays (for saving): U, mesh, T, p, ncol, kind, multipliers."""
        mu = self.multipliers if self.multipliers is not None else np.zeros(0)
        return {"U": self.U, "mesh": self.mesh, "T": float(self.T), "p": self.p,
                "ncol": self.scheme.ncol, "kind": self.scheme.kind,
                "multipliers": np.asarray(mu, dtype=complex)}

    @classmethod
    def from_dict(cls, d) -> "Orbit":
        """Inverse of :meth:`to_dict` (an orbit of a special point read back from a file)."""
        if isinstance(d, Orbit):
            return d
        mu = np.asarray(d.get("multipliers", np.zeros(0)), dtype=complex)
        return cls(np.asarray(d["U"], float), np.asarray(d["mesh"], float), float(d["T"]),
                   np.asarray(d["p"], float).copy(), co.Scheme(int(d["ncol"]), str(d.get("kind", "uniform"))),
                   mu if mu.size else None)

    def amplitude(self, samples: int = 0):
        """(max, min) of every state over one period (at the nodes, or on a fine grid)."""
        X = self(np.linspace(0, self.T, samples)) if samples else self.U
        return X.max(axis=0), X.min(axis=0)


def refine(model, orbit: Orbit, tol=1e-10, maxit=12) -> Orbit:
    """Newton at fixed parameters; attaches the Floquet multipliers.

    Raises
    ------
    bifkit.errors.ConvergenceError
    """
    from ...errors import ConvergenceError
    U, T, it, ok, res, P, Q = co.newton_orbit(model.compiled, orbit.U, orbit.T, orbit.p,
                                              orbit.mesh, orbit.scheme, tol, maxit)
    if not ok:
        raise ConvergenceError(f"periodic orbit: Newton did not converge in {it} iterations "
                               f"(residual {res:.3g}); improve the start or raise ntst")
    mu, err = fq.multipliers_from_pair(P, Q)
    return Orbit(U, orbit.mesh.copy(), T, orbit.p.copy(), orbit.scheme, mu, err,
                 {"newton_iterations": it, "residual": res})


def orbit_from_samples(t, X, p, ntst=50, ncol=4, kind="uniform") -> Orbit:
    """An (unrefined) Orbit from one period of samples ``X[k] = x(t[k])``, t[-1]-t[0] = T."""
    t = np.asarray(t, float)
    X = np.asarray(X, float)
    T = t[-1] - t[0]
    sch = co.Scheme(ncol, kind)
    mesh = co.uniform_mesh(ntst)
    s = (t - t[0]) / T
    tn = co.node_times(mesh, sch)
    U = np.column_stack([np.interp(tn, s, X[:, a]) for a in range(X.shape[1])])
    U[-1] = U[0]
    return Orbit(U, mesh, T, np.asarray(p, float).copy(), sch)


def orbit_from_simulation(model, x0, t_transient, *, t_max=None, section=0, ntst=50,
                          ncol=4, rtol=1e-8, atol=1e-11, refine_orbit=True) -> Orbit:
    """A periodic orbit from a simulation (scipy's LSODA; Newton refines it afterwards).

    Integrates from ``x0`` for ``t_transient`` (model time units), then until
    the state component ``section`` has crossed its mean upwards twice; the
    last period is resampled on the mesh and refined by Newton.

    Raises
    ------
    ValueError
        If no oscillation is found within ``t_max`` (default 20 t_transient).
    """
    from scipy.integrate import solve_ivp
    f, jac, p = model.compiled.f, model.compiled.jac, model.p
    fun = lambda t, x: f(t, x, p)  # noqa: E731
    jf = lambda t, x: jac(t, x, p)  # noqa: E731
    x0 = model.pack(x0)
    sol = solve_ivp(fun, (0, t_transient), x0, method="LSODA", jac=jf, rtol=rtol, atol=atol)
    xa = sol.y[:, -1]
    t_max = 20 * t_transient if t_max is None else t_max
    ref = np.mean(sol.y[section, sol.t > 0.5 * t_transient])
    ev = lambda t, x: x[section] - ref  # noqa: E731
    ev.direction = 1.0
    ev.terminal = 3  # stop after the third upward crossing (scipy >= 1.13)
    sol = solve_ivp(fun, (0, t_max), xa, method="LSODA", jac=jf, rtol=rtol, atol=atol,
                    events=ev, dense_output=True)
    te = sol.t_events[0]
    if len(te) < 3:
        raise ValueError(f"no oscillation of state {section} found within t = {t_max:g}")
    t0, t1 = te[-2], te[-1]
    tt = np.linspace(t0, t1, 40 * ntst * ncol)
    orb = orbit_from_samples(tt, sol.sol(tt).T, p, ntst, ncol)
    return refine(model, orb) if refine_orbit else orb


def orbit_from_hopf(model, x0, p, omega, q, amplitude, ntst=50, ncol=4) -> Orbit:
    """The first-order cycle estimate at a Hopf point (Kuznetsov 2004, eq. 3.18).

    u(t) = x0 + amplitude * Re(q exp(2 pi i t)), T = 2 pi / omega, with the
    critical eigenvector q (A q = i omega q) normalised to max|q| = 1.
    """
    q = np.asarray(q, complex)
    q = q / q[np.argmax(np.abs(q))]
    sch = co.Scheme(ncol)
    mesh = co.uniform_mesh(ntst)
    tn = co.node_times(mesh, sch)
    U = np.asarray(x0, float)[None, :] + amplitude * np.real(
        q[None, :] * np.exp(2j * np.pi * tn)[:, None])
    return Orbit(U, mesh, 2 * np.pi / omega, np.asarray(p, float).copy(), sch)
