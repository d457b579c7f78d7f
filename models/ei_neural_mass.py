"""E-I neural mass model of a balanced network of QIF neurons (Bi et al. 2021, eq. 6).

State (R_e, V_e, R_i, V_i): population rates R in 1/ms (kHz) and mean membrane
potentials V (dimensionless, QIF units); time in ms; tau_m = 20 ms.

    tau_m dR_e/dt = R_e (2 V_e + g_ee D_ee / pi)
    tau_m dV_e/dt = V_e^2 - (pi R_e tau_m)^2 + sqrt(K) (I_e + (g_ee R_e - g_ei R_i) tau_m)
    tau_m dR_i/dt = R_i (2 V_i + g_ii D_ii / pi)
    tau_m dV_i/dt = V_i^2 - (pi R_i tau_m)^2 + sqrt(K) (I_i + (g_ie R_e - g_ii R_i) tau_m)

with I_i = i_ratio * I_e (the paper uses I_i = I_e / 1.02).  The g_xy, I_x and
D_xx here are the rescaled g0^(xy), I0^(x) and Delta0^(xx) of the paper.

Observables: rates in Hz (``rate_e``, ``rate_i``), effective input currents
(eq. 14) and their Poissonian fluctuation amplitudes (eq. 21).
Extras: ``model.stationary_states()`` (all real roots of eq. 8, flagged),
``model.rate_series(order)`` (eqs. 9-11), ``model.asymptotic_currents()``
(eq. 15).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from bifkit.model import Constraint, ModelDefinition, real_symbols

PAPER_DEFAULTS = dict(I_e=0.2, D_ee=2.0, D_ii=0.3, K=1000.0, g_ee=0.27, g_ei=0.96286,
                      g_ie=0.3, g_ii=0.953939, tau_m=20.0, i_ratio=1.0 / 1.02)


def _coefficients(model):
    p = model.params
    eps = 1.0 / math.sqrt(p["K"])
    Ve = -p["g_ee"] * p["D_ee"] / (2 * math.pi)
    Vi = -p["g_ii"] * p["D_ii"] / (2 * math.pi)
    return p, eps, Ve, Vi


def stationary_states(model) -> list[dict]:
    """All equilibria with both rates nonzero: every real root of eq. 8.

    Each dict holds the states, ``physical`` (both rates > 0) and the
    eigenvalue with largest real part.  The quadratic system (eq. 8) in
    a = R_e tau_m, b = R_i tau_m is reduced to a quartic in a (b eliminated
    with the first equation), whose roots are polished by Newton on eq. 8.
    """
    p, eps, Ve, Vi = _coefficients(model)
    gee, gei, gie, gii = p["g_ee"], p["g_ei"], p["g_ie"], p["g_ii"]
    Ie, Ii, tau = p["I_e"], p["i_ratio"] * p["I_e"], p["tau_m"]
    pi2 = math.pi ** 2
    # eq. 8a: b = (gee a + Ie - eps (pi^2 a^2 - Ve^2)) / gei  = c2 a^2 + c1 a + c0
    P = np.polynomial.Polynomial
    b = P([(Ie + eps * Ve ** 2) / gei, gee / gei, -eps * pi2 / gei])
    a = P([0.0, 1.0])
    # eq. 8b: gie a - gii b + Ii - eps (pi^2 b^2 - Vi^2) = 0
    quartic = gie * a - gii * b + Ii - eps * (pi2 * b ** 2 - Vi ** 2)
    out = []
    for root in quartic.roots():
        if abs(root.imag) > 1e-6 * max(1.0, abs(root)):
            continue
        ai = float(root.real)
        bi = float(b(ai))
        ai, bi = _polish(ai, bi, p, eps, Ve, Vi)
        state = {"R_e": float(ai / tau), "V_e": Ve, "R_i": float(bi / tau), "V_i": Vi}
        if any(_close(state, s) for s in out):
            continue
        lead = model.eigenvalues(state)[0]
        out.append({**state, "physical": bool(ai > 0 and bi > 0), "leading_eigenvalue": complex(lead)})
    out.sort(key=lambda s: (not s["physical"], s["R_e"]))
    return out


def _close(s1, s2):
    return abs(s1["R_e"] - s2["R_e"]) <= 1e-12 * (1 + abs(s1["R_e"])) and \
        abs(s1["R_i"] - s2["R_i"]) <= 1e-12 * (1 + abs(s1["R_i"]))


def _polish(a, b, p, eps, Ve, Vi):
    gee, gei, gie, gii = p["g_ee"], p["g_ei"], p["g_ie"], p["g_ii"]
    Ie, Ii = p["I_e"], p["i_ratio"] * p["I_e"]
    pi2 = math.pi ** 2
    for _ in range(8):
        F = np.array([gee * a - gei * b + Ie - eps * (pi2 * a * a - Ve * Ve),
                      gie * a - gii * b + Ii - eps * (pi2 * b * b - Vi * Vi)])
        J = np.array([[gee - 2 * eps * pi2 * a, -gei], [gie, -gii - 2 * eps * pi2 * b]])
        try:
            da, db = np.linalg.solve(J, -F)
        except np.linalg.LinAlgError:
            break
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-15 * (1 + abs(a) + abs(b)):
            break
    return a, b


def steady_state(model) -> list[dict]:
    """Physical equilibria (both rates > 0), closed form (eqs. 7-8)."""
    return [{k: s[k] for k in ("R_e", "V_e", "R_i", "V_i")}
            for s in stationary_states(model) if s["physical"]]


def rate_series(model, order: int = 2) -> np.ndarray:
    """Coefficients of the large-K series R = sum_k eps^k R_k, eps = 1/sqrt(K) (eqs. 9-11).

    Returns an array of shape (order + 1, 2): rows k = 0..order, columns
    (R_k^e, R_k^i) in 1/ms.  Derived order by order from eq. 8 (the Cauchy
    product of the series with itself gives eqs. 11b-c):
    N_0 = I, N_1 = V^2 - (pi tau R_0)^2, N_k = -(pi tau)^2 sum_{a+b=k-1} R_a R_b.
    """
    p, _, Ve, Vi = _coefficients(model)
    gee, gei, gie, gii, tau = p["g_ee"], p["g_ei"], p["g_ie"], p["g_ii"], p["tau_m"]
    det = gei * gie - gee * gii
    V2 = np.array([Ve * Ve, Vi * Vi])
    A = np.zeros((order + 1, 2))  # R_k tau (dimensionless)
    for k in range(order + 1):
        if k == 0:
            N = np.array([p["I_e"], p["i_ratio"] * p["I_e"]])
        else:
            conv = sum(A[j] * A[k - 1 - j] for j in range(k))
            N = -math.pi ** 2 * conv + (V2 if k == 1 else 0.0)
        A[k] = [(N[0] * gii - N[1] * gei) / det, (N[0] * gie - N[1] * gee) / det]
    return A / tau


def series_rates(model, order: int = 2) -> dict:
    """Rates (1/ms) from the series truncated at ``order`` (eq. 9)."""
    coeffs = rate_series(model, order)
    eps = 1.0 / math.sqrt(model.params["K"])
    total = sum(coeffs[k] * eps ** k for k in range(order + 1))
    return {"R_e": float(total[0]), "R_i": float(total[1])}


def asymptotic_currents(model) -> dict:
    """Effective input currents in the limit K -> infinity (eq. 15)."""
    p = model.params
    R1 = rate_series(model, 1)[1]
    tau = p["tau_m"]
    return {"I_a_e": float(tau * (p["g_ee"] * R1[0] - p["g_ei"] * R1[1])),
            "I_a_i": float(tau * (p["g_ie"] * R1[0] - p["g_ii"] * R1[1]))}


@functools.lru_cache(maxsize=None)
def definition() -> ModelDefinition:
    """The compiled definition (built once per process, cached on disk)."""
    Re, Ve, Ri, Vi = real_symbols("R_e V_e R_i V_i")
    Ie, Dee, Dii, K, gee, gei, gie, gii, tau, r = real_symbols(
        "I_e D_ee D_ii K g_ee g_ei g_ie g_ii tau_m i_ratio")
    pi, sqK = sp.pi, sp.sqrt(K)
    Ii = r * Ie
    rhs = [
        Re * (2 * Ve + gee * Dee / pi) / tau,
        (Ve ** 2 - (pi * Re * tau) ** 2 + sqK * (Ie + (gee * Re - gei * Ri) * tau)) / tau,
        Ri * (2 * Vi + gii * Dii / pi) / tau,
        (Vi ** 2 - (pi * Ri * tau) ** 2 + sqK * (Ii + (gie * Re - gii * Ri) * tau)) / tau,
    ]
    observables = {
        "rate_e": 1000 * Re,  # Hz
        "rate_i": 1000 * Ri,
        "I_eff_e": sqK * (Ie + (gee * Re - gei * Ri) * tau),        # eq. 14a
        "I_eff_i": sqK * (Ii + (gie * Re - gii * Ri) * tau),        # eq. 14b
        "dI_eff_e": sp.sqrt(gee ** 2 * Re * tau + gei ** 2 * Ri * tau),  # eq. 21a
        "dI_eff_i": sp.sqrt(gie ** 2 * Re * tau + gii ** 2 * Ri * tau),  # eq. 21b
    }
    names = ["I_e", "D_ee", "D_ii", "K", "g_ee", "g_ei", "g_ie", "g_ii", "tau_m", "i_ratio"]
    syms = [Ie, Dee, Dii, K, gee, gei, gie, gii, tau, r]
    positive = [Constraint(n, lambda v: v > 0, f"{n} > 0") for n in ("K", "tau_m")]
    nonneg = [Constraint(n, lambda v: v >= 0, f"{n} >= 0 (a Lorentzian half-width)")
              for n in ("D_ee", "D_ii")]
    couplings = [Constraint(n, lambda v: v >= 0, f"{n} >= 0 (the sign is in the equations)")
                 for n in ("g_ee", "g_ei", "g_ie", "g_ii")]
    return ModelDefinition.from_sympy(
        "ei_neural_mass",
        states=[("R_e", Re), ("V_e", Ve), ("R_i", Ri), ("V_i", Vi)],
        params=[(s, PAPER_DEFAULTS[n]) for s, n in zip(syms, names)],
        rhs=rhs, observables=observables,
        constraints=positive + nonneg + couplings,
        time_unit="ms",
        units={"R_e": "1/ms", "R_i": "1/ms", "V_e": "1", "V_i": "1", "rate_e": "Hz",
               "rate_i": "Hz", "tau_m": "ms", "t": "ms"},
        description="E-I neural mass of a balanced QIF network (Bi et al. 2021, eq. 6)",
        steady_state=steady_state,
        extras={"stationary_states": stationary_states, "rate_series": rate_series,
                "series_rates": series_rates, "asymptotic_currents": asymptotic_currents},
    )
