"""Massively coupled LIF networks of Ullner, Politi, Torcini (2018): definition and driver.

``lif_massive``: N neurons, a fraction b excitatory; each neuron has exactly b K excitatory and
(1 - b) K inhibitory presynaptic partners (K = c N unless K is given); tau dV/dt = R I0 - V,
V_th = 20 mV, V_r = 10 mV, tau_r = 0.5 ms, tau_d = 0.55 ms, tau = 20 ms; a spike makes V jump by
J (excitatory) or -g J (inhibitory), J = Jcal/sqrt(K) with Jcal = Jbar sqrt(1000) (so Jbar is the
coupling in mV at K = 1000). Thermodynamic-limit setups (eqs. and text after eq. 3):

- ``setup="W"``: R I0 = 24 mV, g = g0 + g1/sqrt(N), g0 = b/(1 - b), g1 = 100;
- ``setup="S"``: R I0 = ri0 sqrt(N) mV with ri0 = 0.24, g = 5
  (expected nu = ri0/(sqrt(c) tau Jcal ((1 - b) g - b)) = 30 Hz as N -> inf, and
  nu(N) = 30 - 1742.18/sqrt(N) Hz at Jbar = 0.2 mV, Fig. 4).

Explicit ``RI0`` or ``g`` override the setup's formula. Time in ms, rates in Hz, potentials in mV.
Populations reported: "e", "i" (same dynamics) and "all" (rates, CV and silent fraction).
For the LIF, V is bounded, so ``rho`` and ``rho_v`` are both Golomb's coherence of V.

``theta_massive`` (eq. 5, the theta/QIF variant) lives in ``theta.py``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .networks import _check, run_options, split_params


@dataclass(frozen=True)
class LIFSpec:
    sizes: tuple
    names: tuple
    K_e: int
    K_i: int
    mu: float  # R I0, mV
    J: np.ndarray  # J[x, y] jump of V (mV) of a neuron of x per spike of y
    tau: float = 20.0
    V_th: float = 20.0
    V_r: float = 10.0
    tau_r: float = 0.5
    tau_d: float = 0.55
    rate_scale: float = 1000.0
    time_unit: str = "ms"
    rate_unit: str = "Hz"


LIF_DEFAULTS = {"N": 10000, "c": 0.1, "K": None, "b": 0.8, "Jbar": 0.2, "setup": "W",
                "RI0": None, "ri0": 0.24, "g": None, "g1": 100.0, "tau": 20.0, "V_th": 20.0,
                "V_r": 10.0, "tau_r": 0.5, "tau_d": 0.55}


class _LIFNetwork:
    name = "lif_massive"

    def resolve(self, params):
        p, run_p = split_params(self.name, LIF_DEFAULTS, params)
        N = p["N"]
        if isinstance(N, float) and not N.is_integer():
            raise ValueError(f"N={N!r} must be an integer")
        N = int(N)
        _check("N", N, 2, math.inf)
        _check("b", p["b"], 0.0, 1.0, lo_open=True)
        if p["b"] >= 1.0:
            raise ValueError("b=1 leaves no inhibitory neurons: need 0 < b < 1")
        _check("c", p["c"], 0.0, 1.0, lo_open=True)
        for name in ("Jbar", "tau_r", "tau_d"):
            _check(name, p[name], 0.0, math.inf)
        _check("tau", p["tau"], 0.0, math.inf, lo_open=True)
        if p["V_r"] >= p["V_th"]:
            raise ValueError(f"V_r={p['V_r']} must be below V_th={p['V_th']}")
        if p["setup"] not in ("W", "S"):
            raise ValueError(f"setup={p['setup']!r} is not one of 'W', 'S'")
        Ne = int(round(p["b"] * N))
        Ni = N - Ne
        K = int(round(p["c"] * N)) if p["K"] is None else int(p["K"])
        K_e, K_i = int(round(p["b"] * K)), K - int(round(p["b"] * K))
        if K < 1 or K_e > Ne - 1 or K_i > Ni - 1:
            raise ValueError(f"K={K} is out of range: need 1 <= b K <= N_e - 1 = {Ne - 1} and "
                             f"(1 - b) K <= N_i - 1 = {Ni - 1}")
        Jcal = p["Jbar"] * math.sqrt(1000.0)
        J = Jcal / math.sqrt(K)
        if p["setup"] == "W":
            mu = 24.0 if p["RI0"] is None else p["RI0"]
            g = p["b"] / (1 - p["b"]) + p["g1"] / math.sqrt(N) if p["g"] is None else p["g"]
        else:
            mu = p["ri0"] * math.sqrt(N) if p["RI0"] is None else p["RI0"]
            g = 5.0 if p["g"] is None else p["g"]
        _check("g", g, 0.0, math.inf)
        Jm = np.array([[J, -g * J], [J, -g * J]])
        spec = LIFSpec(sizes=(Ne, Ni), names=("e", "i"), K_e=K_e, K_i=K_i, mu=float(mu), J=Jm,
                       tau=p["tau"], V_th=p["V_th"], V_r=p["V_r"], tau_r=p["tau_r"],
                       tau_d=p["tau_d"])
        return spec, run_options(self.name, run_p)


LIF_NETWORKS = {"lif_massive": _LIFNetwork()}


def run_lif(spec: LIFSpec, opt):
    from . import _lif_kernel as kl
    from ._queue import new_queue
    from .connectivity import build_connectivity
    from .observables import Accumulator

    laws = {(0, 0): ("fixed", spec.K_e), (1, 0): ("fixed", spec.K_e),
            (0, 1): ("fixed", spec.K_i), (1, 1): ("fixed", spec.K_i)}
    conn = build_connectivity(spec.sizes, laws, opt["seed"])
    n, P = conn.n, 2
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    mu_th = spec.mu - spec.V_th
    # queue geometry: free ISI from reset sets the time scale
    isi0 = spec.tau_r + (spec.tau * math.log((spec.mu - spec.V_r) / mu_th) if mu_th > 0
                         else spec.tau)
    w = float(opt["bucket_width"] or isi0 / 64.0)
    nb = 256
    # initial state: V uniform in [V_r, V_th) (seeded), t_ref = 0
    rng = np.random.default_rng([opt["seed"], 1])
    V0 = rng.uniform(spec.V_r, spec.V_th, n)
    st = np.zeros((n, 2))
    st[:, 0] = spec.mu - V0
    ref_end = np.full(n, -1.0)
    cap = int(n * (math.ceil(spec.tau_d / max(spec.tau_r, 0.05)) + 2))
    fifo_t, fifo_i, fist = np.zeros(cap), np.zeros(cap, np.int64), np.zeros(2, np.int64)
    cand, cflag = np.zeros(n, np.int64), np.zeros(n, np.uint8)
    Q = new_queue(n, nb)
    qargs = (w, nb, Q["head"], Q["nxt"], Q["prv"], Q["where"], Q["qkey"], Q["hkey"], Q["hid"],
             Q["ist"])
    tref = 0.0
    kl.lif_init_queue(0.0, st, mu_th, tref, spec.tau, *qargs)
    acc = Accumulator(spec.sizes, opt["n_fft"], opt["dt_sample"], opt["n_raster"],
                      opt["raster_max"], opt["keep_series"])
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)
    dt = opt["dt_sample"]

    def advance(t_stop, nsamp, t0):
        nonlocal tref
        # keep exp((t - t_ref)/tau) bounded: move t_ref to the start of the chunk
        kl.lif_rebase(st, tref, tnow[0], spec.tau)
        tref = tnow[0]
        kl.lif_advance(t_stop, tnow, pop, conn.starts, spec.mu, spec.V_th, spec.V_r, spec.tau,
                       spec.tau_r, spec.tau_d, spec.J, conn.seg, conn.targets, st, ref_end,
                       fifo_t, fifo_i, fist, cand, cflag, tref, *qargs, nsamp, t0, dt, acc.vbar,
                       acc.cnt,
                       acc.sv, acc.sv2, acc.nspk, acc.last, acc.isi1, acc.isi2, acc.nisi,
                       acc.rmask, acc.rast_t, acc.rast_i, counters)

    t_wall = time.perf_counter()
    tr, T = opt["transient"], opt["T"]
    t = 0.0
    while t < tr:  # transient in chunks of <= 20 tau (bounded exponentials)
        t = min(tr, t + 20.0 * spec.tau)
        advance(t, 0, 0.0)
    n_total = int(round(T / dt))
    if acc.n_fft * dt > 500.0 * spec.tau:
        raise ValueError(f"n_fft * dt_sample = {acc.n_fft * dt} ms is too long a chunk for the "
                         f"LIF kernel's exponentials: need <= 500 tau = {500 * spec.tau} ms")
    done = 0
    while done < n_total:
        m = min(acc.n_fft, n_total - done)
        t0 = tr + done * dt
        advance(t0 + m * dt, m, t0)
        acc.psibar[:, :m] = acc.vbar[:, :m]  # V is bounded: "phase" coherence = V coherence
        acc.add_chunk(m)
        done += m
    wall = time.perf_counter() - t_wall
    acc.spsi[:], acc.spsi2[:] = acc.sv, acc.sv2
    t_rec = n_total * dt
    summ = acc.summary(spec.names, t_rec, spec.rate_scale, int(counters[4]))
    add_all_population(summ, acc.nspk, t_rec, spec.rate_scale)
    t_series = tr + dt * np.arange(1, acc.n_samples + 1)
    return dict(populations=spec.names, t=t_series, events=int(counters[0]),
                spikes=int(counters[1]), wall_time=wall,
                events_per_s=counters[0] / wall if wall > 0 else float("nan"),
                time_unit=spec.time_unit, rate_unit=spec.rate_unit, **summ)


def add_all_population(summ, nspk, t_rec, rate_scale):
    """Add the "all" entries (rate, per-neuron rates, silent fraction, CV) to an E/I summary."""
    summ["rates"]["all"] = float(nspk.mean() / t_rec * rate_scale)
    summ["rate_neuron"]["all"] = nspk / t_rec * rate_scale
    summ["silent"]["all"] = float(np.mean(nspk == 0))
    cv_all = np.concatenate([summ["cv_neuron"]["e"], summ["cv_neuron"]["i"]])
    summ["cv_neuron"]["all"] = cv_all
    summ["cv"]["all"] = float(np.nanmean(cv_all)) if np.any(np.isfinite(cv_all)) else float("nan")
