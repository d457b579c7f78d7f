"""Small models with known solutions or known Lyapunov spectra, for tests and validation.

Each builder returns a :class:`~bifkit.model.Model` defined with sympy (so it
has the same compiled kernels as the production models) together with the
closed form it is checked against.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from ..model import TIME, Model, ModelDefinition, complex_state, real_symbols


@functools.lru_cache(maxsize=None)
def _stiff_definition() -> ModelDefinition:
    z, zs = complex_state("z")
    y, = real_symbols("y")
    lr, li, w, a, amp = real_symbols("lam_re lam_im w a amp")
    lam = lr + sp.I * li
    phi = amp * (sp.cos(w * TIME) + sp.I * sp.sin(w * TIME))   # amp e^{i w t}
    dphi = sp.I * w * phi
    dz = lam * (z - phi) + dphi + z ** 2 - phi ** 2
    dy = -a * (y - sp.sin(w * TIME)) + w * sp.cos(w * TIME)
    return ModelDefinition.from_sympy(
        "stiff_test", states=[("z", (z, zs)), ("y", y)],
        params=[(lr, -100.0), (li, 500.0), (w, 3.0), (a, 50.0), (amp, 0.5)],
        rhs=[dz, dy], observables={"absz2": (z * sp.conjugate(z))}, time_unit="1",
        description="stiff semilinear test problem with exact solution")


def stiff_problem(**params):
    """A stiff, forced, nonlinear system with a known solution.

    ``dz/dt = lam (z - phi) + phi' + z^2 - phi^2`` with ``phi = amp e^{i w t}``
    (complex, a nonlinear Prothero-Robinson problem) and
    ``dy/dt = -a (y - sin w t) + w cos w t`` (real).  With ``z(0) = amp``,
    ``y(0) = y0`` the solution is ``z = phi(t)``, ``y = sin(w t) + y0 e^{-a t}``.
    The linear part ``lam`` (default -100 + 500 i) makes it stiff, like the
    rotation ``2 i n sqrt(I0)`` of the z_n chain; the time dependence enters
    through ``t`` only, like the forcing eta(t) of the shot-noise models.

    Returns
    -------
    model : Model
    exact : callable ``exact(t, y0) -> (z(t), y(t))``
    """
    model = Model(_stiff_definition(), params)
    p = model.params

    def exact(t, y0=1.0):
        t = np.asarray(t, dtype=float)
        z = p["amp"] * np.exp(1j * p["w"] * t)
        y = np.sin(p["w"] * t) + y0 * np.exp(-p["a"] * t)
        return z, y

    return model, exact


@functools.lru_cache(maxsize=None)
def _stuart_landau_definition() -> ModelDefinition:
    z, zs = complex_state("z")
    mu, om, beta = real_symbols("mu omega beta")
    dz = (mu + sp.I * om) * z - (1 + sp.I * beta) * z ** 2 * sp.conjugate(z)
    return ModelDefinition.from_sympy(
        "stuart_landau", states=[("z", (z, zs))], params=[(mu, 1.0), (om, 2.0), (beta, 1.0)],
        rhs=[dz], observables={"r": sp.sqrt(z * sp.conjugate(z))}, time_unit="1",
        description="Stuart-Landau oscillator (Hopf normal form)")


def stuart_landau(**params) -> Model:
    """Stuart-Landau oscillator ``dz/dt = (mu + i omega) z - (1 + i beta) |z|^2 z``.

    For mu > 0 its stable cycle ``|z| = sqrt(mu)`` has period
    ``2 pi / (omega - beta mu)`` and Lyapunov exponents exactly ``0`` and
    ``-2 mu`` (the radial equation dr/dt = mu r - r^3 linearised at r^2 = mu).
    """
    return Model(_stuart_landau_definition(), params)


@functools.lru_cache(maxsize=None)
def _lorenz_definition() -> ModelDefinition:
    x, y, z = real_symbols("x y z")
    s, r, b = real_symbols("sigma rho beta")
    return ModelDefinition.from_sympy(
        "lorenz", states=[("x", x), ("y", y), ("z", z)],
        params=[(s, 10.0), (r, 28.0), (b, 8.0 / 3.0)],
        rhs=[s * (y - x), x * (r - z) - y, x * y - b * z], time_unit="1",
        description="Lorenz (1963) system")


def lorenz(**params) -> Model:
    """Lorenz (1963) system.

    At the classical parameters (10, 28, 8/3) the Lyapunov spectrum is about
    (0.9056, 0, -14.5723) (Sprott, *Chaos and Time-Series Analysis*, 2003,
    table A.1), and the exponents sum exactly to the constant divergence
    ``-(sigma + 1 + beta)``.
    """
    return Model(_lorenz_definition(), params)


@functools.lru_cache(maxsize=None)
def _riccati_definition() -> ModelDefinition:
    x, = real_symbols("x")
    c, = real_symbols("c")
    return ModelDefinition.from_sympy("riccati", states=[("x", x)], params=[(c, 1.0)],
                                      rhs=[c * x ** 2], time_unit="1",
                                      description="dx/dt = c x^2 (finite-time blow-up)")


def riccati(**params) -> Model:
    """``dx/dt = c x^2``: ``x = x0 / (1 - c x0 t)`` blows up at ``t = 1/(c x0)``."""
    return Model(_riccati_definition(), params)


@functools.lru_cache(maxsize=None)
def _stiff_chain_definition(M: int) -> ModelDefinition:
    s, g, w, amp = real_symbols("s gamma w amp")
    states, rhs = [], []
    phi1 = amp * (sp.cos(w * TIME) + sp.I * sp.sin(w * TIME))
    zs = [complex_state(f"z{n}") for n in range(1, M + 1)]
    for n in range(1, M + 1):
        z, parts = zs[n - 1]
        phi = phi1 ** n
        lam = -g * n + 2 * sp.I * n * s
        znext = zs[n][0] if n < M else phi1 ** (n + 1)
        # exact solution z_n = phi^n: the coupling z_1 z_n - z_{n+1} vanishes on it
        dz = lam * (z - phi) + sp.I * n * w * phi + zs[0][0] * z - znext
        states.append((f"z{n}", (z, parts)))
        rhs.append(dz)
    return ModelDefinition.from_sympy(
        f"stiff_chain_{M}", states=states, params=[(s, 2.0), (g, 0.5), (w, 1.0), (amp, 0.6)],
        rhs=rhs, time_unit="1", description="stiff chain of rotating modes, exact solution")


def stiff_chain(M: int = 64, **params):
    """A chain of M stiff complex modes shaped like the shot-noise z_n chain, with exact solution.

    ``dz_n/dt = lam_n (z_n - phi^n) + i n w phi^n + z_1 z_n - z_{n+1}`` with
    ``lam_n = -gamma n + 2 i n s`` (the rotation 2 i n sqrt(I0) of Ageeva &
    Goldobin 2025, eq. 6, with s = sqrt(I0)), ``phi = amp e^{i w t}`` and
    ``z_{M+1} = phi^{M+1}``.  With ``z_n(0) = amp^n`` the solution is
    ``z_n = phi^n``, a Poisson-kernel-like distribution rotating at w.  A
    stand-in for benchmarks and tests while the chain itself is unavailable.

    Returns
    -------
    model : Model
    exact : callable ``exact(t) -> (M, nt)`` complex array
    x0 : dict, the initial state on the exact solution
    """
    model = Model(_stiff_chain_definition(int(M)), params)
    p = model.params

    def exact(t):
        t = np.asarray(t, dtype=float)
        n = np.arange(1, M + 1)[:, None]
        return (p["amp"] * np.exp(1j * p["w"] * t))[None, :] ** n

    x0 = {f"z{n}": p["amp"] ** n + 0j for n in range(1, M + 1)}
    return model, exact, x0
