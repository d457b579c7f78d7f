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
from dataclasses import dataclass

import numpy as np

from .connectivity import build_connectivity
from .driver import new_accumulator, queue_args, result_fields, run_chunks
from .family import INF, NetworkFamily
from .ullner import (COMMON_DEFAULTS, COMMON_INTEGER, COMMON_RANGES, UllnerSpec, coupling_matrix,
                     delay_fifo, populations, weak_setup_g)


@dataclass(frozen=True, kw_only=True)
class ThetaSpec(UllnerSpec):
    """Theta engine spec: theta0 of eq. 5; J[x, y] jump of u per spike of y (alpha J G)."""

    theta0: float


THETA_DEFAULTS = {**COMMON_DEFAULTS, "theta0": 0.2, "alpha": 1.0}


def _build_theta(p):
    if p["setup"] != "W":
        raise ValueError(f"setup={p['setup']!r}: the theta network of Ullner et al. 2018 "
                         f"exists only in the weak setup 'W' (give g explicitly otherwise)")
    Ne, Ni, K_e, K_i, K = populations(p)
    J = p["alpha"] * p["Jbar"] * math.sqrt(1000.0) / math.sqrt(K)
    return ThetaSpec(sizes=(Ne, Ni), names=("e", "i"), K_e=K_e, K_i=K_i,
                     theta0=float(p["theta0"]), J=coupling_matrix(J, weak_setup_g(p)),
                     tau=p["tau"], tau_r=p["tau_r"], tau_d=p["tau_d"])


def theta_laws(spec):
    """In-degree laws of the (post, pre) blocks: b K excitatory, (1 - b) K inhibitory inputs."""
    return spec.laws


def initial_phases(spec, seed, n):
    """Uniform phases Psi ~ U(0, pi) of the initial state (seeded like the other networks)."""
    return np.random.default_rng([seed, 1]).uniform(0.0, math.pi, n)


def run_theta(spec: ThetaSpec, opt) -> dict:
    """Exact event-driven run of a theta network (kernel: ``_theta_kernel.theta_advance``)."""
    from . import _delayed_kernel as dk
    from . import _theta_kernel as kt

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
    fifo_t, fifo_i, fist = delay_fifo(n, spec.tau_d, spec.tau_r)
    cand, cflag = np.zeros(n, np.int64), np.zeros(n, np.uint8)
    qargs = queue_args(n, nb, w)
    model = kt.ThetaModel(om, s, float(spec.tau_r), float(spec.tau_d), float(opt["v_clip"]))
    cmat = np.ascontiguousarray(spec.J / s)
    dk.init_queue(model, 0.0, st, bd, *qargs)
    acc = new_accumulator(spec, opt)
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)
    dt = opt["dt_sample"]

    def advance(t_stop, nsamp, t0):
        dk.delayed_advance(model, cmat, t_stop, tnow, pop, conn.starts, conn.seg, conn.targets,
                           st, bd, ref_end, fifo_t, fifo_i, fist, cand, cflag, *qargs, nsamp, t0,
                           dt, acc.vbar, acc.psibar, acc.cnt, acc.sv, acc.sv2, acc.spsi, acc.spsi2,
                           acc.nspk, acc.last, acc.isi1, acc.isi2, acc.nisi, acc.rmask,
                           acc.rast_t, acc.rast_i, counters)

    timing, t_rec = run_chunks(acc, opt, advance)
    return result_fields(spec, acc, opt, counters, timing, t_rec,
                         {"bucket_width": w, "buckets": nb}, all_population=True)


THETA_MASSIVE = NetworkFamily(
    "theta_massive", defaults=THETA_DEFAULTS,
    ranges={**COMMON_RANGES, "alpha": (0.0, INF, False),
            "theta0": (0.0, INF, True, "the exact kernel needs oscillatory neurons; excitable "
                                       "ones, theta0 <= 0, are not supported")},
    integer=COMMON_INTEGER, build=_build_theta, engine=run_theta,
    time_defaults=(2000.0, 200.0, 0.5),
    doc="Theta (QIF) variant of the Ullner et al. 2018 network (eq. 5); time in ms, rates in Hz.")

# historical name: the family under its network name
THETA_NETWORKS = {"theta_massive": THETA_MASSIVE}
