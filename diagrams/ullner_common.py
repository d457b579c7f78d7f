"""Shared pieces of the Ullner, Politi, Torcini (2018) recipes: rho of the whole network and
the diffusion-approximation rate of a noise-driven LIF (the paper's ref. [31])."""
from __future__ import annotations

import math

import numpy as np


def rho_all(res) -> float:
    """Golomb's coherence of the whole network from the e and i results of one run.

    rho_x^2 = var_t(V_x) / D_x with D_x the mean single-neuron variance in population x, so
    D_x = var_t(V_x) / rho_x^2; for the whole network rho^2 = var_t(sum_x f_x V_x) /
    sum_x f_x D_x with f_x the population fractions (Ullner et al. 2018, eq. 3).
    """
    names = [p for p in ("e", "i") if p in res.v_series]
    if len(names) != 2:
        return float(res.rho.get("all", res.rho[names[0]]))
    n = np.array([res.rate_neuron[p].size for p in names], float)
    f = n / n.sum()
    V = [np.asarray(res.v_series[p]) for p in names]
    D = [np.var(v) / res.rho[p] ** 2 for v, p in zip(V, names)]
    num = np.var(f[0] * V[0] + f[1] * V[1])
    return float(math.sqrt(num / (f[0] * D[0] + f[1] * D[1])))


def siegert_rate(mu, sigma, tau=20.0, tau_r=0.5, V_th=20.0, V_r=10.0) -> float:
    """Stationary rate (1/ms) of a LIF driven by white noise of mean mu and std sigma (mV):
    1/nu = tau_r + tau sqrt(pi) int_{(V_r-mu)/sigma}^{(V_th-mu)/sigma} e^{u^2} (1 + erf u) du
    (Brunel & Hakim 1999), with e^{u^2}(1 + erf u) = erfcx(-u) for numerical stability."""
    from scipy.integrate import quad
    from scipy.special import erfcx
    lo, hi = (V_r - mu) / sigma, (V_th - mu) / sigma
    val, _ = quad(lambda u: erfcx(-u), lo, hi, limit=200)
    return 1.0 / (tau_r + tau * math.sqrt(math.pi) * val)


def diffusion_rate_W(Jbar, RI0=24.0, b=0.8, c=0.1, g1=100.0, tau=20.0, tau_r=0.5, V_th=20.0,
                     V_r=10.0) -> float:
    """Self-consistent diffusion-approximation rate (Hz) of the (W) setup for N -> infinity.

    mu = R I0 - Jcal tau sqrt(c) g1 (1 - b) nu, sigma = Jcal sqrt(tau nu b / (1 - b)),
    Jcal = Jbar sqrt(1000) (Ullner et al. 2018, text after eq. 4).  Returns the largest root.
    """
    from scipy.optimize import brentq
    Jcal = Jbar * math.sqrt(1000.0)

    def F(nu):
        mu = RI0 - Jcal * tau * math.sqrt(c) * g1 * (1 - b) * nu
        sigma = Jcal * math.sqrt(tau * nu * b / (1 - b))
        return siegert_rate(mu, sigma, tau, tau_r, V_th, V_r) - nu

    grid = np.geomspace(1e-6, 0.99 / tau_r, 200)
    vals = [F(x) for x in grid]
    roots = [brentq(F, a, bb) for a, bb, fa, fb in zip(grid[:-1], grid[1:], vals[:-1], vals[1:])
             if fa * fb < 0]
    if not roots:
        raise ValueError(f"no self-consistent rate at Jbar = {Jbar}")
    return 1000.0 * max(roots)
