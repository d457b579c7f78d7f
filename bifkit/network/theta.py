"""Theta (QIF) variant of the massively coupled network of Ullner, Politi, Torcini 2018 (eq. 5).

``theta_massive``: the wiring, delay, refractoriness and coupling of ``lif_massive`` (N neurons,
a fraction b excitatory, exactly b K excitatory and (1 - b) K inhibitory inputs per neuron,
K = c N unless given, J = Jcal/sqrt(K), Jcal = Jbar sqrt(1000), G = 1 or -g, tau = 20 ms,
tau_r = 0.5 ms, tau_d = 0.55 ms), with each neuron obeying eq. 5 as printed:

    tau dtheta/dt = (1 + cos theta) + (1 - cos theta)(theta0 + alpha R I_i),   theta0 = 0.2,
    alpha = 1/mV, threshold theta = pi, reset theta = -pi,

i.e. the QIF tau du/dt = u^2 + theta0 with u = -cot(theta/2) and pulses u -> u + alpha J G
(see ``_theta_kernel.py``; the phase may go below -pi after inhibitory kicks). Only the weak
coupling setup of the paper exists for this model: ``setup="W"`` gives g = b/(1 - b) + g1/sqrt(N)
(g1 = 100); an explicit ``g`` overrides it. theta0 must be > 0 (oscillatory neurons; the free
period is pi tau/sqrt(theta0) + tau_r).

Observables: ``rho`` is Golomb's coherence of the genuine phase psi = 2 Psi - pi, Psi the
uniformly rotating phase of the kernel (psi = 2 atan(u/sqrt(theta0)) + (2k - 1) pi in cell k; in
(-2 pi, pi), -pi at reset and pi at threshold, like theta), ``rho_v`` that of u clipped to
+-v_clip. Time in ms, rates in Hz. Populations "e", "i" and "all".
Initial state: uniform phase Psi ~ U(0, pi) (theta between reset and threshold), no refractoriness.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .networks import _check, run_options, split_params


@dataclass(frozen=True)
class ThetaSpec:
    sizes: tuple
    names: tuple
    K_e: int
    K_i: int
    theta0: float
    J: np.ndarray  # J[x, y] jump of u per spike of y (alpha J G)
    tau: float = 20.0
    tau_r: float = 0.5
    tau_d: float = 0.55
    rate_scale: float = 1000.0
    time_unit: str = "ms"
    rate_unit: str = "Hz"


THETA_DEFAULTS = {"N": 10000, "c": 0.1, "K": None, "b": 0.8, "Jbar": 0.2, "setup": "W",
                  "g": None, "g1": 100.0, "theta0": 0.2, "alpha": 1.0, "tau": 20.0,
                  "tau_r": 0.5, "tau_d": 0.55}


class _ThetaNetwork:
    name = "theta_massive"

    def resolve(self, params):
        p, run_p = split_params(self.name, THETA_DEFAULTS, params)
        N = p["N"]
        if isinstance(N, float) and not N.is_integer():
            raise ValueError(f"N={N!r} must be an integer")
        N = int(N)
        _check("N", N, 2, math.inf)
        _check("b", p["b"], 0.0, 1.0, lo_open=True)
        if p["b"] >= 1.0:
            raise ValueError("b=1 leaves no inhibitory neurons: need 0 < b < 1")
        _check("c", p["c"], 0.0, 1.0, lo_open=True)
        for name in ("Jbar", "tau_r", "tau_d", "alpha"):
            _check(name, p[name], 0.0, math.inf)
        _check("tau", p["tau"], 0.0, math.inf, lo_open=True)
        if not p["theta0"] > 0:
            raise ValueError(f"theta0={p['theta0']!r} is out of range: need theta0 > 0 (the "
                             f"exact kernel needs oscillatory neurons; excitable ones, "
                             f"theta0 <= 0, are not supported)")
        if p["setup"] != "W":
            raise ValueError(f"setup={p['setup']!r}: the theta network of Ullner et al. 2018 "
                             f"exists only in the weak setup 'W' (give g explicitly otherwise)")
        Ne = int(round(p["b"] * N))
        Ni = N - Ne
        K = int(round(p["c"] * N)) if p["K"] is None else int(p["K"])
        K_e, K_i = int(round(p["b"] * K)), K - int(round(p["b"] * K))
        if K < 1 or K_e > Ne - 1 or K_i > Ni - 1:
            raise ValueError(f"K={K} is out of range: need 1 <= b K <= N_e - 1 = {Ne - 1} and "
                             f"(1 - b) K <= N_i - 1 = {Ni - 1}")
        J = p["alpha"] * p["Jbar"] * math.sqrt(1000.0) / math.sqrt(K)
        g = p["b"] / (1 - p["b"]) + p["g1"] / math.sqrt(N) if p["g"] is None else p["g"]
        _check("g", g, 0.0, math.inf)
        Jm = np.array([[J, -g * J], [J, -g * J]])
        spec = ThetaSpec(sizes=(Ne, Ni), names=("e", "i"), K_e=K_e, K_i=K_i,
                         theta0=float(p["theta0"]), J=Jm, tau=p["tau"], tau_r=p["tau_r"],
                         tau_d=p["tau_d"])
        return spec, run_options(self.name, run_p)


THETA_NETWORKS = {"theta_massive": _ThetaNetwork()}


def theta_laws(spec):
    """In-degree laws of the (post, pre) blocks: b K excitatory, (1 - b) K inhibitory inputs."""
    return {(0, 0): ("fixed", spec.K_e), (1, 0): ("fixed", spec.K_e),
            (0, 1): ("fixed", spec.K_i), (1, 1): ("fixed", spec.K_i)}


def initial_phases(spec, seed, n):
    """Uniform phases Psi ~ U(0, pi) of the initial state (seeded like the other networks)."""
    return np.random.default_rng([seed, 1]).uniform(0.0, math.pi, n)


def run_theta(spec: ThetaSpec, opt):
    from . import _theta_kernel as kt
    from ._queue import new_queue
    from .connectivity import build_connectivity
    from .lif import add_all_population
    from .observables import Accumulator

    conn = build_connectivity(spec.sizes, theta_laws(spec), opt["seed"])
    n = conn.n
    pop = np.repeat(np.arange(2, dtype=np.int64), spec.sizes)
    s = math.sqrt(spec.theta0)
    om = s / spec.tau
    period = math.pi / om + spec.tau_r
    w = float(opt["bucket_width"] or period / 64.0)
    nb = 256
    Psi0 = initial_phases(spec, opt["seed"], n)  # offset Theta = Psi at t = 0
    st = np.stack([np.cos(Psi0), np.sin(Psi0)], axis=1)
    bd = np.zeros((n, 2))
    ref_end = np.full(n, -1.0)
    cap = int(n * (math.ceil(spec.tau_d / max(spec.tau_r, 0.05)) + 2))
    fifo_t, fifo_i, fist = np.zeros(cap), np.zeros(cap, np.int64), np.zeros(2, np.int64)
    cand, cflag = np.zeros(n, np.int64), np.zeros(n, np.uint8)
    Q = new_queue(n, nb)
    qargs = (w, nb, Q["head"], Q["nxt"], Q["prv"], Q["where"], Q["qkey"], Q["hkey"], Q["hid"],
             Q["ist"])
    kt.theta_init_queue(0.0, st, bd, om, *qargs)
    cmat = np.ascontiguousarray(spec.J / s)
    acc = Accumulator(spec.sizes, opt["n_fft"], opt["dt_sample"], opt["n_raster"],
                      opt["raster_max"], opt["keep_series"])
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)
    dt = opt["dt_sample"]

    def advance(t_stop, nsamp, t0):
        kt.theta_advance(t_stop, tnow, pop, conn.starts, om, s, spec.tau_r, spec.tau_d, cmat,
                         conn.seg, conn.targets, st, bd, ref_end, fifo_t, fifo_i, fist, cand,
                         cflag,
                         *qargs, nsamp, t0, dt, float(opt["v_clip"]), acc.vbar, acc.psibar,
                         acc.cnt, acc.sv, acc.sv2, acc.spsi, acc.spsi2, acc.nspk, acc.last,
                         acc.isi1, acc.isi2, acc.nisi, acc.rmask, acc.rast_t, acc.rast_i,
                         counters)

    t_wall = time.perf_counter()
    tr, T = opt["transient"], opt["T"]
    if tr > 0:
        advance(tr, 0, 0.0)
    n_total = int(round(T / dt))
    done = 0
    while done < n_total:
        m = min(acc.n_fft, n_total - done)
        t0 = tr + done * dt
        advance(t0 + m * dt, m, t0)
        acc.add_chunk(m)
        done += m
    wall = time.perf_counter() - t_wall
    t_rec = n_total * dt
    summ = acc.summary(spec.names, t_rec, spec.rate_scale, int(counters[4]))
    add_all_population(summ, acc.nspk, t_rec, spec.rate_scale)
    t_series = tr + dt * np.arange(1, acc.n_samples + 1)
    return dict(populations=spec.names, t=t_series, events=int(counters[0]),
                spikes=int(counters[1]), wall_time=wall,
                events_per_s=counters[0] / wall if wall > 0 else float("nan"),
                time_unit=spec.time_unit, rate_unit=spec.rate_unit,
                queue_stats={"refreshes": int(counters[2]), "requeues": int(counters[3]),
                             "bucket_width": w, "buckets": nb}, **summ)
