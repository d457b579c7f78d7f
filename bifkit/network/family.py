"""The network-family protocol: what a spiking network of the validator is made of.

A *family* (``NetworkFamily``) is a small definition:

- ``defaults``: the model parameters and their default values (the names ``simulate`` accepts,
  besides the run options of ``RUN_DEFAULTS``);
- ``integer`` and ``ranges``: parameter validation, checked before anything is built (each
  message names the parameter and the admissible range);
- ``build(params) -> spec``: the checked parameters turned into a *spec* of an engine (sizes,
  constant inputs, coupling matrix, in-degree laws; cross-parameter checks live here);
- ``engine(spec, options) -> dict``: the exact event-driven simulator of the neuron model and its
  event map (``qif.run_qif``, ``lif.run_lif``, ``theta.run_theta``); several families share one
  engine, so a new network with a known neuron model is a definition, not a driver;
- ``time_defaults``: (T, transient, dt_sample) in the family's time unit.

The catalogue of families is ``networks.NETWORKS`` (``networks.get_family(name)``); ``simulate``,
``sweep`` and the CLI dispatch through it. This module imports no family (no import circles).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

INF = math.inf

RUN_DEFAULTS = {"T": None, "transient": None, "seed": 0, "dt_sample": None, "v_clip": 100.0,
                "n_fft": 1024, "n_raster": 100, "raster_max": 100000, "bucket_width": None,
                "keep_series": True, "max_series_bytes": 2e9}

MAX_SAMPLES = 1e8  # samples of one run (each costs a pass over all neurons)

EXCITABLE_MSG = ("the exact event-driven QIF kernel needs a positive constant input (oscillatory "
                 "neurons); excitable neurons (I <= 0) are not supported")


def check_range(name, value, lo, hi, lo_open=False, why=""):
    """ValueError naming ``name`` unless lo <= value <= hi (lo < value if ``lo_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}={value!r} must be a number")
    if not math.isfinite(value):
        raise ValueError(f"{name}={value!r} must be a finite number")
    bad = (value <= lo) if lo_open else (value < lo)
    if bad or value > hi or math.isnan(value):
        lo_s = f"{name} > {lo}" if lo_open else f"{name} >= {lo}"
        extra = f" ({why})" if why else ""
        raise ValueError(f"{name}={value!r} is out of range: need {lo_s} and {name} <= {hi}"
                         f"{extra}")


# historical name, used by older callers
_check = check_range


def check_integer(name, value):
    """Return ``value`` as an int; ValueError naming ``name`` if it is not a whole number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}={value!r} must be an integer")
    if not isinstance(value, numbers.Integral) and not float(value).is_integer():
        raise ValueError(f"{name}={value!r} must be an integer")
    return int(value)


@dataclass(frozen=True)
class NetworkFamily:
    """One network of the validator (see the module docstring for the contract).

    ``ranges[name] = (low, high, low_open)`` or ``(low, high, low_open, why)``; a parameter whose
    value is None (meaning "derived from the others", e.g. K = c N) is not range-checked.
    """

    name: str
    defaults: dict
    build: Callable
    engine: Callable
    time_defaults: tuple
    ranges: dict = field(default_factory=dict)
    integer: tuple = ()
    doc: str = ""

    def full_params(self, params: dict) -> dict:
        """Model parameters and run options of ``params`` with the defaults filled in."""
        model_p, run_p = split_params(self.name, self.defaults, params)
        return {**model_p, **run_p}

    def resolve(self, params: dict):
        """Split and check ``params``; return (engine spec, run options). ValueError if bad."""
        model_p, run_p = split_params(self.name, self.defaults, params)
        for name in self.integer:
            if model_p[name] is not None:
                model_p[name] = check_integer(name, model_p[name])
        for name, rng in self.ranges.items():
            if model_p[name] is not None:
                check_range(name, model_p[name], *rng)
        return self.build(model_p), run_options(self.time_defaults, run_p)

    def simulate_raw(self, params: dict) -> dict:
        """Resolve ``params`` and run the engine; the fields of a ``SimulationResult``."""
        spec, opt = self.resolve(params)
        return self.engine(spec, opt)


def split_params(network, defaults, params):
    """(model parameters, run options) of ``params``, defaults filled in; unknown names are a
    ValueError listing the valid ones."""
    unknown = set(params) - set(defaults) - set(RUN_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)} for network {network!r}; "
                         f"valid: {sorted(defaults)} and run options {sorted(RUN_DEFAULTS)}")
    model_p = {k: params.get(k, v) for k, v in defaults.items()}
    run_p = {k: params.get(k, v) for k, v in RUN_DEFAULTS.items()}
    return model_p, run_p


def run_options(time_defaults, run_p):
    """Checked run options; ``time_defaults`` = (T, transient, dt_sample) of the family."""
    T, tr, dts = time_defaults
    o = dict(run_p)
    o["T"] = T if o["T"] is None else o["T"]
    o["transient"] = tr if o["transient"] is None else o["transient"]
    o["dt_sample"] = dts if o["dt_sample"] is None else o["dt_sample"]
    check_range("T", o["T"], 0.0, 1e300, lo_open=True, why="a finite time")
    check_range("transient", o["transient"], 0.0, 1e300, why="a finite time")
    check_range("dt_sample", o["dt_sample"], 0.0, o["T"], lo_open=True)
    o["T"], o["transient"], o["dt_sample"] = float(o["T"]), float(o["transient"]), \
        float(o["dt_sample"])
    check_range("v_clip", o["v_clip"], 0.0, INF, lo_open=True)
    o["n_fft"] = check_integer("n_fft", o["n_fft"])
    check_range("n_fft", o["n_fft"], 8, INF)
    # a short run still gets a spectrum: shrink the segment to the largest power of 2 that fits
    fit = int(o["T"] / o["dt_sample"])
    o["n_fft"] = int(min(o["n_fft"], 2 ** int(math.log2(fit)) if fit >= 8 else 8))
    if o["bucket_width"] is not None:
        check_range("bucket_width", o["bucket_width"], 0.0, INF, lo_open=True)
        o["bucket_width"] = float(o["bucket_width"])
    o["seed"] = check_integer("seed", o["seed"])
    if not isinstance(o["keep_series"], (bool, np.bool_)):
        raise ValueError(f"keep_series={o['keep_series']!r} must be True or False")
    check_range("max_series_bytes", o["max_series_bytes"], 0.0, INF)
    n_samples = o["T"] / o["dt_sample"]
    if n_samples > MAX_SAMPLES:
        raise ValueError(f"dt_sample={o['dt_sample']!r} over T={o['T']!r} gives {n_samples:.3g} "
                         f"samples (each a pass over all neurons), above {MAX_SAMPLES:.0e}: use "
                         f"a larger dt_sample")
    if o["keep_series"] and 3 * 8 * n_samples > o["max_series_bytes"]:
        # three series (v, psi, spike counts) of float64 per population; a lower bound
        raise ValueError(
            f"dt_sample={o['dt_sample']!r} over T={o['T']!r} gives {n_samples:.3g} samples: "
            f"the kept series would need more than {3 * 8 * n_samples / 1e9:.3g} GB per "
            f"population (max_series_bytes={o['max_series_bytes']:.3g}); use a larger "
            f"dt_sample, keep_series=False, or raise max_series_bytes")
    for name in ("n_raster", "raster_max"):
        o[name] = check_integer(name, o[name])
        check_range(name, o[name], 0, INF)
    return o
