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
from dataclasses import dataclass

import numpy as np

from .connectivity import build_connectivity
from .driver import add_all_population, new_accumulator, queue_args, result_fields, run_chunks
from .family import NetworkFamily
from .ullner import (COMMON_DEFAULTS, COMMON_INTEGER, COMMON_RANGES, UllnerSpec, coupling_matrix,
                     delay_fifo, populations, weak_setup_g)

__all__ = ["LIFSpec", "LIF_MASSIVE", "LIF_NETWORKS", "LIF_DEFAULTS", "run_lif",
           "add_all_population"]


@dataclass(frozen=True, kw_only=True)
class LIFSpec(UllnerSpec):
    """LIF engine spec: mu = R I0 (mV), threshold V_th and reset V_r (mV); J in mV."""

    mu: float
    V_th: float = 20.0
    V_r: float = 10.0


LIF_DEFAULTS = {**COMMON_DEFAULTS, "RI0": None, "ri0": 0.24, "V_th": 20.0, "V_r": 10.0}


def _build_lif(p):
    if p["V_r"] >= p["V_th"]:
        raise ValueError(f"V_r={p['V_r']} must be below V_th={p['V_th']}")
    if p["setup"] not in ("W", "S"):
        raise ValueError(f"setup={p['setup']!r} is not one of 'W', 'S'")
    Ne, Ni, K_e, K_i, K = populations(p)
    J = p["Jbar"] * math.sqrt(1000.0) / math.sqrt(K)
    if p["setup"] == "W":
        mu = 24.0 if p["RI0"] is None else p["RI0"]
        g = weak_setup_g(p)
    else:
        mu = p["ri0"] * math.sqrt(p["N"]) if p["RI0"] is None else p["RI0"]
        g = 5.0 if p["g"] is None else p["g"]
    return LIFSpec(sizes=(Ne, Ni), names=("e", "i"), K_e=K_e, K_i=K_i, mu=float(mu),
                   J=coupling_matrix(J, g), tau=p["tau"], V_th=p["V_th"], V_r=p["V_r"],
                   tau_r=p["tau_r"], tau_d=p["tau_d"])


def run_lif(spec: LIFSpec, opt) -> dict:
    """Exact event-driven run of a LIF network (kernel: ``_lif_kernel.lif_advance``)."""
    from . import _delayed_kernel as dk
    from . import _lif_kernel as kl

    dt = opt["dt_sample"]
    if opt["n_fft"] * dt > 500.0 * spec.tau:
        raise ValueError(f"n_fft * dt_sample = {opt['n_fft'] * dt} ms is too long a chunk for "
                         f"the LIF kernel's exponentials: need <= 500 tau = {500 * spec.tau} ms")
    conn = build_connectivity(spec.sizes, spec.laws, opt["seed"])
    n, P = conn.n, 2
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    mu_th = spec.mu - spec.V_th
    # queue geometry: free ISI from reset sets the time scale
    isi0 = spec.tau_r + (spec.tau * math.log((spec.mu - spec.V_r) / mu_th) if mu_th > 0
                         else spec.tau)
    w = float(opt["bucket_width"] or isi0 / 64.0)
    nb = 256
    # initial state: V uniform in [V_r, V_th) (seeded), t_ref = 0; st[:, 0] = A, st[:, 1] = the
    # queue bound of A (so bd, the loop's separate bound array, is an empty placeholder here)
    rng = np.random.default_rng([opt["seed"], 1])
    V0 = rng.uniform(spec.V_r, spec.V_th, n)
    st = np.zeros((n, 2))
    st[:, 0] = spec.mu - V0
    bd = np.zeros((0, 2))
    ref_end = np.full(n, -1.0)
    fifo_t, fifo_i, fist = delay_fifo(n, spec.tau_d, spec.tau_r)
    cand, cflag = np.zeros(n, np.int64), np.zeros(n, np.uint8)
    qargs = queue_args(n, nb, w)
    tref = 0.0
    dk.init_queue(kl.lif_model(spec, tref), 0.0, st, bd, *qargs)
    acc = new_accumulator(spec, opt)
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)

    def advance(t_stop, nsamp, t0):
        nonlocal tref
        # keep exp((t - t_ref)/tau) bounded: move t_ref to the start of the chunk
        kl.lif_rebase(st, tref, tnow[0], spec.tau)
        tref = tnow[0]
        dk.delayed_advance(kl.lif_model(spec, tref), spec.J, t_stop, tnow, pop, conn.starts,
                           conn.seg, conn.targets, st, bd, ref_end, fifo_t, fifo_i, fist, cand,
                           cflag, *qargs, nsamp, t0, dt, acc.vbar, acc.psibar, acc.cnt, acc.sv,
                           acc.sv2, acc.spsi, acc.spsi2, acc.nspk, acc.last, acc.isi1,
                           acc.isi2, acc.nisi, acc.rmask, acc.rast_t, acc.rast_i, counters)

    def v_is_the_phase(m):  # V is bounded: "phase" coherence = V coherence
        acc.psibar[:, :m] = acc.vbar[:, :m]

    # transient in chunks of <= 20 tau (bounded exponentials)
    timing, t_rec = run_chunks(acc, opt, advance, transient_chunk=20.0 * spec.tau,
                               after_chunk=v_is_the_phase)
    acc.spsi[:], acc.spsi2[:] = acc.sv, acc.sv2
    return result_fields(spec, acc, opt, counters, timing, t_rec,
                         {"bucket_width": w, "buckets": nb}, all_population=True)


LIF_MASSIVE = NetworkFamily(
    "lif_massive", defaults=LIF_DEFAULTS,
    ranges={**COMMON_RANGES, "V_th": (-1e300, 1e300, False), "V_r": (-1e300, 1e300, False)},
    integer=COMMON_INTEGER, build=_build_lif, engine=run_lif,
    time_defaults=(2000.0, 200.0, 0.5),
    doc="Massively coupled LIF network of Ullner, Politi, Torcini 2018; time in ms, rates in Hz.")

# historical name: the family under its network name
LIF_NETWORKS = {"lif_massive": LIF_MASSIVE}
