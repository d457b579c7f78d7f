"""Shot-noise mean field of the sparse inhibitory QIF network and its reductions.

Ageeva & Goldobin (2025), seed 003.  Network: dV_j/dt = V_j^2 + I - a S_j(t)
with I = I0 = i0 sqrt(K), a = g0/sqrt(K), time in units of the membrane time
constant.  Every model here uses that ORIGINAL time t (not the paper's
rescaled tau = K^(1/4) sqrt(i0) t), so rates and frequencies are comparable
across the family; parameters are K, i0, g0 and the forcing eta(t) = eta0
cos(omega t) of the current I(t) = I0 (1 + eta(t)) (eqs. 22-25).  Only K and
i0/g0^2 matter after rescaling (alpha = g0 / (K^(3/4) sqrt(i0))).

Models
------
shotnoise_oa      Ott-Antonsen reduction: the 2CC model with kappa2 = 0.
shotnoise_2cc     two circular cumulants kappa1, kappa2 (eqs. 13-14 with the
                  forcing terms of eqs. 24-25).
shotnoise_chain   truncated chain of the Kuramoto-Daido parameters z_1..z_M (eqs. 6, 23).
diffusion_chain   the diffusion approximation of the chain (eq. 29).
diffusion_2cc     its 2CC reduction (derived in ``shotnoise_diffusion``; eq. 30 as
                  printed is inconsistent with eq. 29).

Observables (all models): ``nu``, the firing rate per neuron per unit time
(eq. 15/16), and ``v``, the mean membrane potential (eq. 17).
"""
from __future__ import annotations

import functools
import math

import sympy as sp

from bifkit.model import TIME, Constraint, ModelDefinition, complex_state, real_symbols

DEFAULTS = dict(K=100.0, i0=0.4, g0=1.0, eta0=0.0, omega=2.0)

CONSTRAINTS = [
    Constraint("K", lambda v: v > 0, "K > 0 (the in-degree)"),
    Constraint("i0", lambda v: v > 0, "i0 > 0 (the genuine phase needs a positive current)"),
    Constraint("g0", lambda v: v > 0, "g0 > 0 (the inhibitory coupling)"),
]
UNITS = {"t": "tau_m", "nu": "1/tau_m", "v": "1", "omega": "1/tau_m"}


def _params():
    K, i0, g0, eta0, omega = real_symbols("K i0 g0 eta0 omega")
    return (K, i0, g0, eta0, omega), [(s, DEFAULTS[str(s)]) for s in (K, i0, g0, eta0, omega)]


def _re(w):
    return (w + sp.conjugate(w)) / 2


def _im(w):
    return (w - sp.conjugate(w)) / (2 * sp.I)


def twocc_rhs(k1, k2, K, i0, g0, eta):
    """d kappa1/dt, d kappa2/dt and (nu, v) of the 2CC model in original time.

    Eqs. (13)-(14) with the forcing terms of eqs. (24)-(25) multiplied by
    sqrt(I0) = K^(1/4) sqrt(i0) (the paper's rescaled time tau = sqrt(I0) t);
    nu and v from eqs. (16)-(17).  Inputs are sympy expressions.
    """
    s = K ** sp.Rational(1, 4) * sp.sqrt(i0)       # sqrt(I0)
    alpha = g0 / (K ** sp.Rational(3, 4) * sp.sqrt(i0))
    z1 = -alpha / (alpha - 2 * sp.I)                # zeta_1
    W = (1 - k1) / (1 + k1) + 2 * k2 / (1 + k1) ** 3
    nu = s / sp.pi * _re(W)
    v = -s * _im(W)
    q = 1 - z1 * k1
    dk1 = s * (2 * sp.I * k1 + sp.I * eta * ((1 + k1) ** 2 + k2) / 2) + K * nu * (
        z1 * (1 + k1) ** 2 / q + z1 * (1 + z1) ** 2 / q ** 3 * k2)
    dk2 = s * (4 * sp.I * k2 + 2 * sp.I * eta * (1 + k1) * k2) + K * nu * (
        z1 ** 2 * (1 + k1) ** 4 / q ** 2
        - k2 * (1 - 2 * (1 + z1) ** 2 / q ** 2 + 4 * (1 + z1) ** 3 / q ** 3
                - 3 * (1 + z1) ** 4 / q ** 4))
    return dk1, dk2, nu, v


def deterministic_rate(K, i0, g0):
    """Rate of the noise-free balance pi^2 nu^2 = I0 - g0 sqrt(K) nu (mean input only)."""
    I0 = i0 * math.sqrt(K)
    b = g0 * math.sqrt(K)
    return (-b + math.sqrt(b * b + 4 * math.pi ** 2 * I0)) / (2 * math.pi ** 2)


def oa_guess(model) -> complex:
    """kappa1 of the noise-free balanced state: pi nu - i v = sqrt(I0) (1-k)/(1+k), v = 0."""
    p = model.params
    sq = math.sqrt(p["i0"] * math.sqrt(p["K"]))
    w = math.pi * deterministic_rate(p["K"], p["i0"], p["g0"])
    return complex((sq - w) / (sq + w))


def _guess_2cc(model):
    k = oa_guess(model)
    return {"k1": k, "k2": 0j} if "k2" in model.states else {"k1": k}


@functools.lru_cache(maxsize=None)
def twocc_definition() -> ModelDefinition:
    """Two-circular-cumulant reduction (Ageeva & Goldobin 2025, eqs. 13-14, 24-25)."""
    (K, i0, g0, eta0, omega), params = _params()
    k1, k1s = complex_state("k1")
    k2, k2s = complex_state("k2")
    eta = eta0 * sp.cos(omega * TIME)
    dk1, dk2, nu, v = twocc_rhs(k1, k2, K, i0, g0, eta)
    return ModelDefinition.from_sympy(
        "shotnoise_2cc", states=[("k1", (k1, k1s)), ("k2", (k2, k2s))], params=params,
        rhs=[dk1, dk2], observables={"nu": nu, "v": v}, constraints=CONSTRAINTS,
        time_unit="tau_m", units=UNITS, forcing_amplitude="eta0", default_guess=_guess_2cc,
        description="2CC reduction of the shot-noise mean field (Ageeva & Goldobin 2025)")


@functools.lru_cache(maxsize=None)
def oa_definition() -> ModelDefinition:
    """Ott-Antonsen reduction: eqs. (13)/(24) with kappa2 = 0 (Ageeva & Goldobin 2025)."""
    (K, i0, g0, eta0, omega), params = _params()
    k1, k1s = complex_state("k1")
    eta = eta0 * sp.cos(omega * TIME)
    dk1, _, nu, v = twocc_rhs(k1, sp.Integer(0), K, i0, g0, eta)
    return ModelDefinition.from_sympy(
        "shotnoise_oa", states=[("k1", (k1, k1s))], params=params,
        rhs=[dk1], observables={"nu": nu, "v": v}, constraints=CONSTRAINTS,
        time_unit="tau_m", units=UNITS, forcing_amplitude="eta0", default_guess=_guess_2cc,
        description="Ott-Antonsen reduction of the shot-noise mean field (Ageeva & Goldobin 2025)")
