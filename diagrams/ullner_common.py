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


# ---- the paper's protocol and what of it fits this machine (full mode) -------------------------
# Ullner et al. 2018, Fig. 2 caption and text: N = 10000, 40000, 160000 and 640000 (LIF only),
# K = c N with c = 0.1, indicators averaged over a 40 s window and over 7, 3, 2 realizations of
# the network for N = 10000, 40000, 160000 (one at 640000).
PAPER_WINDOW_MS = 40000.0
PAPER_REALIZATIONS = {10000: 7, 40000: 3, 160000: 2, 640000: 1}
BYTES_PER_SYNAPSE = 4.04  # printed by benchmarks/network_throughput.py (uint32 targets + offsets)
# Assumed event-loop throughput for the cost estimate: lif_massive measured 1.07e8 events/s at
# N = 1e4, K = 1e3 (benchmarks/network_throughput.py) and 1.34e7 at N = 6.4e5, K = 1e3
# (validation/network_lif_massive_size.py, state beyond the caches); 3e7 is taken in between.
ASSUMED_EVENTS_PER_S = 3e7
FULL_BUDGET_HOURS = 24.0  # wall-clock budget of one full figure on one core


def machine_memory_gb() -> float:
    """Physical memory of this machine (GB), from /proc/meminfo (24 if unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 ** 2
    except OSError:
        pass
    return 24.0


def full_plan(sizes, n_points, rate_hz=30.0, c=0.1, window_ms=PAPER_WINDOW_MS,
              transient_ms=500.0, budget_hours=FULL_BUDGET_HOURS,
              events_per_s=ASSUMED_EVENTS_PER_S, memory_gb=None, realizations=None):
    """Window and realizations per network size: the paper's where memory and time allow.

    Returns a list of dicts ``{N, window_ms, realizations, note}`` (``window_ms = 0``: size
    skipped, the note says why). Sizes are taken in increasing order; a size whose wiring
    (N c N synapses x 4.04 bytes) exceeds 80 % of the machine's memory is skipped; the others get
    the paper's window and realizations while the estimated cost (N c N rate (window +
    transient) events per run at ``events_per_s``) fits the remaining budget, else fewer
    realizations, then a shorter window (not below 2 s), else they are skipped.
    """
    mem = machine_memory_gb() if memory_gb is None else memory_gb
    paper_r = PAPER_REALIZATIONS if realizations is None else realizations
    left = budget_hours * 3600.0
    plan = []
    for N in sorted(sizes):
        K = c * N
        wiring = N * K * BYTES_PER_SYNAPSE / 1e9
        real = paper_r.get(N, 1)
        if wiring > 0.8 * mem:
            plan.append(dict(N=N, window_ms=0.0, realizations=0, note=(
                f"N = {N} skipped: its wiring (K = {K:.0f}, {N * K:.2g} synapses) needs "
                f"{wiring:.0f} GB, this machine has {mem:.0f} GB")))
            continue

        def cost(w, r):
            return n_points * r * N * K * (rate_hz / 1000.0) * (w + transient_ms) / events_per_s

        w, note = window_ms, ""
        while real > 1 and cost(w, real) > left:
            real -= 1
        if cost(w, real) > left:
            w = max(2000.0, left / (cost(1.0, real) / 1.0) - transient_ms) if left > 0 else 0.0
            w = float(int(w // 1000) * 1000)
            if w < 2000.0 or cost(w, real) > left:
                plan.append(dict(N=N, window_ms=0.0, realizations=0, note=(
                    f"N = {N} skipped: a 2 s window would take "
                    f"{cost(2000.0, 1) / 3600:.0f} h (budget {budget_hours:g} h)")))
                continue
        if w < window_ms or real < paper_r.get(N, 1):
            note = (f"N = {N}: {w / 1000:g} s window x {real} realization(s) instead of the "
                    f"paper's {window_ms / 1000:g} s x {paper_r.get(N, 1)} "
                    f"(time budget {budget_hours:g} h)")
        left -= cost(w, real)
        plan.append(dict(N=N, window_ms=w, realizations=real, note=note,
                         est_hours=cost(w, real) / 3600))
    return plan
