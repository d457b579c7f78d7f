"""Montbrio-Pazo-Roxin model with Lorentzian heterogeneity of inputs and couplings.

    tau dR/dt = Delta / (pi tau) + Gamma R / pi + 2 R V
    tau dV/dt = V^2 + eta + J tau R - (pi tau R)^2

Montbrio, Pazo, Roxin (2015) with input currents of median ``eta`` and
half-width ``Delta`` (the classic form), and Bi et al. (2021, eq. 5) with
couplings of median ``J`` (their g-bar) and half-width ``Gamma``.
R is a rate in 1/(time unit of tau); V and eta are dimensionless QIF units.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from bifkit.model import Constraint, ModelDefinition, real_symbols


def steady_state(model) -> list[dict]:
    """All equilibria with R > 0 in closed form.

    With V = -(Delta/(pi tau) + Gamma R/pi) / (2R) from the first equation, the
    second becomes the quartic (Delta/(pi tau) + Gamma R/pi)^2
    + 4 R^2 (eta + J tau R - pi^2 tau^2 R^2) = 0 in R; real positive roots are
    polished by Newton on the full system.
    """
    p = model.params
    D, G, eta, J, tau = p["Delta"], p["Gamma"], p["eta"], p["J"], p["tau"]
    P = np.polynomial.Polynomial
    R = P([0.0, 1.0])
    s = D / (math.pi * tau) + G / math.pi * R
    quartic = s ** 2 + 4 * R ** 2 * (eta + J * tau * R - (math.pi * tau) ** 2 * R ** 2)
    from bifkit.equilibrium import newton
    out = []
    f, jac, pa = model.compiled.f, model.compiled.jac, model.p
    for r in quartic.roots():
        if abs(r.imag) > 1e-7 * max(1.0, abs(r)) or r.real <= 0:
            continue
        r = float(r.real)
        v = -(D / (math.pi * tau) + G * r / math.pi) / (2 * r)
        x, _ = newton(lambda x: f(0.0, x, pa), lambda x: jac(0.0, x, pa), [r, v], tol=1e-14,
                      maxiter=8) if D > 0 else (np.array([r, v]), 0)
        st = {"R": float(x[0]), "V": float(x[1])}
        if not any(abs(st["R"] - o["R"]) < 1e-12 * (1 + st["R"]) for o in out):
            out.append(st)
    return sorted(out, key=lambda s: s["R"])


@functools.lru_cache(maxsize=None)
def definition() -> ModelDefinition:
    """The compiled definition (built once per process, cached on disk)."""
    R, V = real_symbols("R V")
    Delta, Gamma, eta, J, tau = real_symbols("Delta Gamma eta J tau")
    rhs = [(Delta / (sp.pi * tau) + Gamma * R / sp.pi + 2 * R * V) / tau,
           (V ** 2 + eta + J * tau * R - (sp.pi * tau * R) ** 2) / tau]
    return ModelDefinition.from_sympy(
        "mpr",
        states=[("R", R), ("V", V)],
        params=[(Delta, 1.0), (Gamma, 0.0), (eta, -5.0), (J, 15.0), (tau, 1.0)],
        rhs=rhs,
        observables={"rate": R, "v": V},
        constraints=[Constraint("Delta", lambda v: v >= 0, "Delta >= 0 (a half-width)"),
                     Constraint("Gamma", lambda v: v >= 0, "Gamma >= 0 (a half-width)"),
                     Constraint("tau", lambda v: v > 0, "tau > 0")],
        time_unit="tau",
        units={"R": "1/tau", "V": "1", "t": "tau"},
        description="Montbrio-Pazo-Roxin model (MPR 2015; Bi et al. 2021 eq. 5)",
        steady_state=steady_state,
    )
