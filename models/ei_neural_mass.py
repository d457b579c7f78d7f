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
``model.steady_state()`` returns every equilibrium with both rates >= 0: the
interior ones first, then those with a silent population (R_e = 0 and/or
R_i = 0); ``model.equilibria()`` the same with eigenvalues and stability.
``model.transcritical_D_ee()`` (closed form) is where the interior branch meets
R_e = 0; ``model.bt_condition()`` vanishes at the Bogdanov-Takens point.
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


def _positive_rate_roots(quadratic_coeffs) -> list[float]:
    """Real roots > 0 of c2 x^2 + c1 x + c0 (a rate times tau_m of an active population)."""
    roots = np.roots(quadratic_coeffs) if quadratic_coeffs[0] != 0 else \
        np.array([-quadratic_coeffs[2] / quadratic_coeffs[1]])
    return sorted({float(r.real) for r in roots if abs(r.imag) <= 1e-12 * (1 + abs(r)) and r.real > 0})


def _silent_potentials(drive: float) -> list[float]:
    """V of a silent population (R = 0): tau dV/dt = V^2 + drive = 0, i.e. V = -/+ sqrt(-drive).

    The QIF population sits at the stable (V < 0) or the unstable (V > 0) rest point of the
    single neuron; none exists when the drive is positive (the neurons fire).
    """
    if drive > 0:
        return []
    v = math.sqrt(-drive)
    return [-v] if v == 0.0 else [-v, v]


def _boundary_states(model) -> list[tuple[str, dict]]:
    """Equilibria of eq. 6 with R_e = 0 and/or R_i = 0 (eq. 6a/6c have the rate as a factor).

    A silent population x (R_x = 0) keeps its potential at a rest point of the drive it
    receives, V_x = -sqrt(-sqrt(K) (I_x + input from the other population)) (and the unstable
    +sqrt); the active one has V = -g D/(2 pi) and its rate solves its own eq. 8 with the silent
    rate set to 0, a quadratic.
    """
    p, eps, Ve, Vi = _coefficients(model)
    gee, gei, gie, gii, tau = p["g_ee"], p["g_ei"], p["g_ie"], p["g_ii"], p["tau_m"]
    Ie, Ii, sqK, pi2 = p["I_e"], p["i_ratio"] * p["I_e"], math.sqrt(p["K"]), math.pi ** 2
    out = []
    # R_e = 0, R_i = b / tau > 0: eps pi^2 b^2 + gii b - (Ii + eps Vi^2) = 0
    for b in _positive_rate_roots([eps * pi2, gii, -(Ii + eps * Vi * Vi)]):
        for ve in _silent_potentials(sqK * (Ie - gei * b)):
            out.append(("R_e=0", {"R_e": 0.0, "V_e": ve, "R_i": b / tau, "V_i": Vi}))
    # R_i = 0, R_e = a / tau > 0: eps pi^2 a^2 - gee a - (Ie + eps Ve^2) = 0
    for a in _positive_rate_roots([eps * pi2, -gee, -(Ie + eps * Ve * Ve)]):
        for vi in _silent_potentials(sqK * (Ii + gie * a)):
            out.append(("R_i=0", {"R_e": a / tau, "V_e": Ve, "R_i": 0.0, "V_i": vi}))
    # both silent (needs I_e <= 0 and I_i <= 0)
    for ve in _silent_potentials(sqK * Ie):
        for vi in _silent_potentials(sqK * Ii):
            out.append(("R_e=R_i=0", {"R_e": 0.0, "V_e": ve, "R_i": 0.0, "V_i": vi}))
    return out


def equilibria(model) -> list[dict]:
    """Every equilibrium of eq. 6 with both rates >= 0, with its eigenvalues and stability.

    Interior equilibria (both rates > 0, the physical roots of eq. 8) come first, by
    increasing R_e; then the boundary ones (eq. 6a has R_e as a factor, 6c R_i, so a silent
    population is an equilibrium that eqs. 7-8 divide out; Bi et al. 2021 region III at low
    I_e and D_ee is such a state), stable ones first.

    Returns
    -------
    list of dict
        ``state`` (R_e, V_e, R_i, V_i; rates in 1/ms), ``kind`` ("interior", "R_e=0",
        "R_i=0", "R_e=R_i=0"), ``eigenvalues`` (of the Jacobian, eq. 16, in 1/ms, by
        decreasing real part) and ``stable`` (all real parts < 0).
    """
    found = []
    interior = [s for s in stationary_states(model) if s["physical"]]
    for s in interior:
        found.append(("interior", {k: s[k] for k in ("R_e", "V_e", "R_i", "V_i")}))
    for kind, state in _boundary_states(model):
        if not any(_close(state, s) and state["V_e"] == s["V_e"] and state["V_i"] == s["V_i"]
                   for _k, s in found):
            found.append((kind, state))
    out = []
    for kind, state in found:
        ev = model.eigenvalues(state)
        out.append({"state": state, "kind": kind, "eigenvalues": ev,
                    "stable": bool(np.all(ev.real < 0))})
    n_int = len(interior)
    out[n_int:] = sorted(out[n_int:], key=lambda e: not e["stable"])
    return out


def steady_state(model) -> list[dict]:
    """Every equilibrium of eq. 6 with both rates >= 0 (states only; see :func:`equilibria`).

    Interior equilibria (both rates > 0, closed form, eqs. 7-8) first, so ``[0]`` is the
    interior state wherever one exists; then the equilibria with a silent population
    (R_e = 0 and/or R_i = 0), stable ones first.  ``model.equilibria()`` gives the same list
    with eigenvalues and stability.
    """
    return [e["state"] for e in equilibria(model)]


def _inhibitory_alone(model) -> float:
    """R_i tau_m of the inhibitory population when R_e = 0 (positive root of its eq. 8)."""
    p, eps, _Ve, Vi = _coefficients(model)
    roots = _positive_rate_roots([eps * math.pi ** 2, p["g_ii"],
                                  -(p["i_ratio"] * p["I_e"] + eps * Vi * Vi)])
    if len(roots) != 1:
        raise ValueError(f"the inhibitory population alone has {len(roots)} positive rates "
                         f"at I_e = {p['I_e']!r}; the transcritical point needs exactly one")
    return roots[0]


def transcritical_D_ee(model):
    """D_ee at which the interior equilibrium reaches R_e = 0 (a transcritical point).

    With R_e = 0 eq. 8a gives eps V_e^2 = g_ei R_i tau - I_e with R_i from the inhibitory
    population alone, and V_e = -g_ee D_ee/(2 pi) (eq. 7), so

        D_ee* = (2 pi / g_ee) sqrt(sqrt(K) (g_ei R_i tau - I_e)).

    There the R_e = 0 equilibrium and the interior one exchange stability (the eigenvalue
    (2 V_e + g_ee D_ee/pi)/tau_m of the R_e = 0 state crosses 0).  Below D_ee* the R_e = 0
    state with V_e = -sqrt(sqrt(K)(g_ei R_i tau - I_e)) is the attractor (Bi et al. 2021,
    region III).  All other parameters are the model's.

    Returns
    -------
    float or None
        D_ee* (dimensionless), or None where g_ei R_i tau <= I_e (no such point: the silent
        excitatory state does not exist).
    """
    p = model.params
    drive = p["g_ei"] * _inhibitory_alone(model) - p["I_e"]
    if drive <= 0:
        return None
    return 2 * math.pi * math.sqrt(math.sqrt(p["K"]) * drive) / p["g_ee"]


def bt_condition(model) -> float:
    """g_ei R_i tau - I_e at R_e = 0: zero where the transcritical curve reaches D_ee = 0.

    There (R_e = 0, V_e = 0) the Jacobian (eq. 16) has a double zero eigenvalue with one
    eigenvector (its first row and second column vanish): the Bogdanov-Takens point at the
    end of the lower Hopf curve of Fig. 1a.  A root in I_e (or K, D_ii) of this function is
    that point; at K = 1000, D_ii = 0.3: I_e = 0.0053953971.
    """
    return model.params["g_ei"] * _inhibitory_alone(model) - model.params["I_e"]


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
        extras={"stationary_states": stationary_states, "equilibria": equilibria,
                "transcritical_D_ee": transcritical_D_ee, "bt_condition": bt_condition,
                "rate_series": rate_series,
                # firing rates are non-negative: find_equilibrium rejects a root with R < 0
                "state_ranges": {"R_e": (0.0, math.inf), "R_i": (0.0, math.inf)},
                "series_rates": series_rates, "asymptotic_currents": asymptotic_currents},
    )
