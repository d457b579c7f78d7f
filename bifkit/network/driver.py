"""The chunk driver shared by every engine: transient, recorded chunks, result fields.

An engine (``qif.run_qif``, ``lif.run_lif``, ``theta.run_theta``) prepares its state and
provides ``advance(t_stop, nsamp, t0)``, which processes every event before ``t_stop`` in exact
order and, if ``nsamp > 0``, takes ``nsamp`` samples at ``t0 + (k + 1) dt_sample`` into the
accumulator. ``run_chunks`` calls it over the transient and then chunk by chunk (``n_fft``
samples each), folding every chunk into the online observables, so memory does not grow with T.
"""
from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np

from ._queue import new_queue
from .observables import Accumulator


def new_accumulator(spec, opt):
    """Observables accumulator of a run (populations of ``spec``, options ``opt``)."""
    return Accumulator(spec.sizes, opt["n_fft"], opt["dt_sample"], opt["n_raster"],
                       opt["raster_max"], opt["keep_series"])


def queue_args(n, nb, w):
    """Arguments (w, nb, head, nxt, prv, where, qkey, hkey, hid, ist) of an empty calendar
    queue of ``n`` neurons and ``nb`` buckets of width ``w`` (see ``_queue.py``)."""
    Q = new_queue(n, nb)
    return (w, nb, Q["head"], Q["nxt"], Q["prv"], Q["where"], Q["qkey"], Q["hkey"], Q["hid"],
            Q["ist"])


class Timing(NamedTuple):
    """Seconds spent in the event loop (transient and recorded chunks, no compilation):
    ``wall`` by the wall clock, ``cpu`` by this thread's CPU clock (``time.thread_time``, which
    does not count the time other processes hold the core on a shared machine)."""

    wall: float
    cpu: float


def run_chunks(acc, opt, advance, transient_chunk=math.inf, after_chunk=None):
    """Run the transient (in pieces of at most ``transient_chunk``) and the recorded time.

    ``after_chunk(m)``, if given, is called after each recorded chunk of ``m`` samples, before
    the chunk is folded into the accumulator. Returns (``Timing``, recorded time).
    """
    advance(0.0, 0, 0.0)   # compiles the kernels (numba) outside the timed run; no events
    t_wall = time.perf_counter()
    t_cpu = time.thread_time()
    tr, T, dt = opt["transient"], opt["T"], opt["dt_sample"]
    t = 0.0
    while t < tr:
        t = min(tr, t + transient_chunk)
        advance(t, 0, 0.0)
    n_total = int(round(T / dt))
    done = 0
    while done < n_total:
        m = min(acc.n_fft, n_total - done)
        t0 = tr + done * dt
        advance(t0 + m * dt, m, t0)
        if after_chunk is not None:
            after_chunk(m)
        acc.add_chunk(m)
        done += m
    return Timing(time.perf_counter() - t_wall, time.thread_time() - t_cpu), n_total * dt


def result_fields(spec, acc, opt, counters, timing, t_rec, queue_stats, all_population=False):
    """The fields of a ``SimulationResult`` (besides network and params) of a finished run.

    ``timing``: the ``Timing`` returned by ``run_chunks``.

    ``all_population``: also report the whole network as population "all" (E-I networks whose
    populations share one dynamics, Ullner et al. 2018)."""
    summ = acc.summary(spec.names, t_rec, spec.rate_scale, int(counters[4]))
    if all_population:
        add_all_population(summ, acc.nspk, t_rec, spec.rate_scale)
    t_series = opt["transient"] + opt["dt_sample"] * np.arange(1, acc.n_samples + 1)
    return dict(populations=spec.names, t=t_series, events=int(counters[0]),
                spikes=int(counters[1]), wall_time=timing.wall, cpu_time=timing.cpu,
                events_per_s=counters[0] / timing.wall if timing.wall > 0 else float("nan"),
                time_unit=spec.time_unit, rate_unit=spec.rate_unit,
                queue_stats={"refreshes": int(counters[2]), "requeues": int(counters[3]),
                             **queue_stats}, **summ)


def add_all_population(summ, nspk, t_rec, rate_scale):
    """Add the "all" entries (rate, per-neuron rates, silent fraction, CV) to an E/I summary."""
    summ["rates"]["all"] = float(nspk.mean() / t_rec * rate_scale)
    summ["rate_neuron"]["all"] = nspk / t_rec * rate_scale
    summ["silent"]["all"] = float(np.mean(nspk == 0))
    cv_all = np.concatenate([summ["cv_neuron"]["e"], summ["cv_neuron"]["i"]])
    summ["cv_neuron"]["all"] = cv_all
    summ["cv"]["all"] = float(np.nanmean(cv_all)) if np.any(np.isfinite(cv_all)) else float("nan")
