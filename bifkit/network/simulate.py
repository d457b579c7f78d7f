"""``simulate(network, **params)``: one network run, exact and event driven.

>>> res = simulate("inhibitory_qif", N=2000, K=100, i0=0.4, g0=1.0, T=50, transient=10, seed=1)
>>> res.rates["all"], res.rho["all"], res.cv["all"]                     # doctest: +SKIP

The run is split in chunks of ``n_fft`` samples; the compiled kernel processes the spikes of a
chunk in exact time order and Python only folds the chunk into the online observables
(``observables.Accumulator``), so memory does not grow with T (except the optional series).
The same seed gives the same connectivity, initial state and result, bit for bit.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .connectivity import build_connectivity
from .networks import EXCITABLE_MSG, QIFSpec, resolve
from .observables import Accumulator


@dataclass
class SimulationResult:
    """Observables of one run; dicts are keyed by population ("all", or "e" and "i").

    Attributes
    ----------
    rates : mean rate per neuron (Hz for E-I and LIF networks, 1/tau for the inhibitory one).
    rho, rho_v : Golomb coherence on the genuine phase, and on v clipped to +-v_clip.
    cv : mean ISI coefficient of variation; silent : fraction of neurons without spikes.
    rate_neuron, cv_neuron : per-neuron arrays. peak_freq, spectrum, freqs : spectrum of the mean
    potential (frequencies in the rate unit). spike_spectrum : global spike-train spectrum / N^2.
    raster : (times, neuron ids) of the first ``n_raster`` neurons of each population.
    t : sample times of the series; rate_series, v_series, psi_series : time series (if kept).
    events, spikes, wall_time, events_per_s : synaptic events processed (spikes x out-degree),
    spikes, wall-clock seconds of the event loop, throughput.
    queue_stats : scheduler diagnostics (lazy-key refreshes, excitatory re-queues, bucket geometry).
    """

    network: str
    params: dict
    populations: tuple
    rates: dict
    rho: dict
    rho_v: dict
    cv: dict
    silent: dict
    rate_neuron: dict
    cv_neuron: dict
    v_mean: dict
    psi_mean: dict
    peak_freq: dict
    spectrum: dict
    freqs: np.ndarray
    spike_spectrum: np.ndarray
    raster: tuple
    t: np.ndarray
    rate_series: dict = field(default_factory=dict)
    v_series: dict = field(default_factory=dict)
    psi_series: dict = field(default_factory=dict)
    events: int = 0
    spikes: int = 0
    wall_time: float = 0.0
    events_per_s: float = 0.0
    time_unit: str = "tau"
    rate_unit: str = "1/tau"
    queue_stats: dict = field(default_factory=dict)

    def save(self, path) -> None:
        """Write the result: ``.json`` -> scalar summary and parameters; anything else -> ``.npz``
        with the summary (JSON string under ``summary``) plus every array (``rate_neuron_e``,
        ``spectrum_all``, ``raster_t``, ``t``, ...)."""
        import json
        from pathlib import Path

        path = Path(path)
        summary = {"network": self.network, "params": self.params, "time_unit": self.time_unit,
                   "rate_unit": self.rate_unit, **self.row()}
        if path.suffix == ".json":
            path.write_text(json.dumps(summary, indent=1, default=float))
            return
        arrays = {"t": self.t, "freqs": self.freqs, "spike_spectrum": self.spike_spectrum,
                  "raster_t": self.raster[0], "raster_i": self.raster[1]}
        for key in ("rate_neuron", "cv_neuron", "spectrum", "rate_series", "v_series",
                    "psi_series"):
            for pname, arr in getattr(self, key).items():
                arrays[f"{key}_{pname}"] = np.asarray(arr)
        np.savez_compressed(path, summary=json.dumps(summary, default=float), **arrays)

    def row(self) -> dict:
        """Flat scalar summary (used by sweeps): rate_x, rho_x, rho_v_x, cv_x, silent_x, ..."""
        r = {}
        extra = ("all",) if "all" in self.rates and "all" not in self.populations else ()
        for pname in tuple(self.populations) + extra:  # LIF/theta: also rate_all, cv_all, ...
            for key in ("rates", "rho", "rho_v", "cv", "silent", "peak_freq", "v_mean"):
                col = "rate" if key == "rates" else key
                if pname in getattr(self, key):
                    r[f"{col}_{pname}"] = getattr(self, key)[pname]
        r.update(events=self.events, spikes=self.spikes, wall_time=self.wall_time)
        return r


def simulate(network: str, **params) -> SimulationResult:
    """Simulate one of the papers' spiking networks exactly (event by event).

    Parameters
    ----------
    network : {"inhibitory_qif", "ei_qif", "lif_massive", "theta_massive"}
    **params : model parameters (see ``bifkit.network.networks.NETWORKS[network].defaults``,
        ``lif.LIF_DEFAULTS`` and ``theta.THETA_DEFAULTS``) and run options: ``T`` (recorded
        time after the transient), ``transient``, ``seed``, ``dt_sample`` (sampling step of
        potentials and rates), ``v_clip``, ``n_fft`` (samples per spectral segment),
        ``n_raster``, ``raster_max``, ``bucket_width`` (queue tuning), ``keep_series``. Times are
        in ms for ``ei_qif`` and the LIF/theta networks, in units of tau for ``inhibitory_qif``.

    Raises
    ------
    ValueError
        Unknown parameter names, values out of range (the message names the parameter and the
        admissible range), or excitable neurons (I <= 0) for the QIF kernel.
    """
    spec, opt = resolve(network, params)
    from .theta import ThetaSpec, run_theta
    if isinstance(spec, QIFSpec):
        out = _run_qif(spec, opt)
    elif isinstance(spec, ThetaSpec):
        out = run_theta(spec, opt)
    else:
        from .lif import run_lif
        out = run_lif(spec, opt)
    return SimulationResult(network=network, params=dict(params), **out)


def _default_bucket_width(spec_periods, n):
    # about n/64 neurons per bucket ring slot keeps both the heap and the drains small
    return min(spec_periods) / max(16.0, min(256.0, n / 64.0))


def _run_qif(spec: QIFSpec, opt):
    from . import _qif_kernel as kq
    from ._queue import new_queue

    if min(spec.I) <= 0:
        raise ValueError(EXCITABLE_MSG)
    conn = build_connectivity(spec.sizes, spec.laws, opt["seed"], spec.reciprocity)
    n, P = conn.n, len(spec.sizes)
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    s = np.sqrt(np.array(spec.I, float))
    om = s / spec.tau  # d phi/dt = -om
    cmat = np.asarray(spec.J, float) / s[:, None]  # jump in units of cot(phi)
    periods = math.pi / om
    w = float(opt["bucket_width"] or _default_bucket_width(periods, n))
    # a neuron's next spike is always within one free period pi/Omega: the ring spans that
    # (+2 buckets), rounded up to a power of two so that the kernel finds slots by masking
    nb = 1 << (int(math.ceil(periods.max() / w)) + 2 - 1).bit_length()
    # initial state: phi uniform in (0, pi) at t = 0 (seeded, independent of the wiring stream)
    rng = np.random.default_rng([opt["seed"], 1])
    phi0 = rng.uniform(0.0, math.pi, n)
    st = np.stack([np.cos(phi0), np.sin(phi0)], axis=1)  # phase-offset vectors (p, q)
    bd = np.zeros((n, 2))  # queue-bound vectors (pQ, qQ)
    Q = new_queue(n, nb)
    qargs = (w, nb, Q["head"], Q["nxt"], Q["prv"], Q["where"], Q["qkey"], Q["hkey"], Q["hid"],
             Q["ist"])
    bcs = np.zeros((P, nb, 2))  # bound angles of the bucket slots, per population
    kq.qif_init_queue(0.0, pop, om, st, bd, bcs, *qargs)
    acc = Accumulator(spec.sizes, opt["n_fft"], opt["dt_sample"], opt["n_raster"],
                      opt["raster_max"], opt["keep_series"])
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)
    dt = opt["dt_sample"]

    def advance(t_stop, nsamp, t0):
        kq.qif_advance(t_stop, tnow, pop, conn.starts, s, om, cmat, conn.seg, conn.targets,
                       st, bd, bcs, *qargs, nsamp, nsamp > 0, t0, dt, float(opt["v_clip"]),
                       acc.vbar, acc.psibar, acc.cnt, acc.sv, acc.sv2, acc.spsi, acc.spsi2,
                       acc.nspk, acc.last, acc.isi1, acc.isi2, acc.nisi, acc.rmask,
                       acc.rast_t, acc.rast_i, counters)

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
    t_series = tr + dt * np.arange(1, acc.n_samples + 1)
    return dict(populations=spec.names, t=t_series, events=int(counters[0]),
                spikes=int(counters[1]), wall_time=wall,
                events_per_s=counters[0] / wall if wall > 0 else float("nan"),
                time_unit=spec.time_unit, rate_unit=spec.rate_unit,
                queue_stats={"refreshes": int(counters[2]), "requeues": int(counters[3]),
                             "bucket_width": w, "buckets": nb}, **summ)
