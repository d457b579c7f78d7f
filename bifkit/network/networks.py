"""The networks of the papers: parameters, defaults, validation, and their translation into a spec.

Each network is described by a :class:`NetworkDef` (parameter names, defaults, admissible ranges,
and a ``build`` function returning a :class:`QIFSpec` or :class:`LIFSpec`). ``simulate`` only sees
specs, so adding a network means adding one ``NetworkDef`` here.

Conventions
-----------
- ``inhibitory_qif`` (Ageeva & Goldobin 2025, Sec. 2; Goldobin et al. PRE 2025): dV/dt = V^2 + I
  - a sum_k eps_jk sum_n delta(t - t_k^n), fixed in-degree K, I = i0 sqrt(K), a = g0/sqrt(K);
  time in units of the membrane time constant, rates per neuron per tau.
- ``ei_qif`` (Bi, di Volo, Torcini 2021, eqs. 1-3): tau_m dv/dt = v^2 + I^(x) with
  I^(x) = sqrt(K) I_x, jump +-g_xy/sqrt(K) per presynaptic spike, tau_m = 20 ms; Lorentzian
  within-population in-degrees (median K, HWHM D_xx sqrt(K)), fixed between-population in-degree K
  (``indegree="binomial"``: Erdos-Renyi for every block). Time in ms, rates in Hz.
- ``lif_massive`` / ``theta_massive`` (Ullner, Politi, Torcini 2018, eqs. 1-2, 5): see ``lif.py``
  and ``theta.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class QIFSpec:
    """A QIF network ready for the exact kernel.

    sizes : population sizes; names : population labels ("all" or "e", "i");
    I : constant input of each population (tau dv/dt = v^2 + I); J[x, y] : jump of v of a
    neuron of x per spike of a neuron of y; tau : membrane time constant (time unit of the run);
    laws : in-degree laws per block (see ``connectivity.build_connectivity``);
    rate_scale : factor from spikes per time unit to the reported rate unit (1000 for ms -> Hz).
    """

    sizes: tuple
    names: tuple
    I: tuple
    J: np.ndarray
    tau: float
    laws: dict
    reciprocity: float = 0.0
    rate_scale: float = 1.0
    time_unit: str = "tau"
    rate_unit: str = "1/tau"


@dataclass(frozen=True)
class NetworkDef:
    name: str
    defaults: dict
    ranges: dict  # name -> (low, high, inclusive_low) ; checked before build
    build: Callable
    doc: str = ""
    integer: tuple = field(default=())


RUN_DEFAULTS = {"T": None, "transient": None, "seed": 0, "dt_sample": None, "v_clip": 100.0,
                "n_fft": 1024, "n_raster": 100, "raster_max": 100000, "bucket_width": None,
                "keep_series": True}


def _check(name, value, lo, hi, lo_open=False):
    bad = (value <= lo) if lo_open else (value < lo)
    if bad or value > hi or (isinstance(value, float) and math.isnan(value)):
        lo_s = f"{name} > {lo}" if lo_open else f"{name} >= {lo}"
        raise ValueError(f"{name}={value!r} is out of range: need {lo_s} and {name} <= {hi}")


def _law(kind, K, hwhm=None):
    if kind == "fixed":
        return ("fixed", K)
    if kind == "binomial":
        return ("binomial", K)
    if kind == "lorentz":
        return ("lorentz", K, hwhm)
    raise ValueError(f"indegree={kind!r} is not one of 'fixed', 'lorentz', 'binomial'")


def _build_inhibitory(p):
    N, K = int(p["N"]), int(p["K"])
    if K > N - 1:
        raise ValueError(f"K={K} is out of range: need 1 <= K <= N - 1 = {N - 1} (no autapses)")
    sK = math.sqrt(K)
    kind = p["indegree"]
    if kind not in ("fixed", "binomial"):
        raise ValueError(f"indegree={kind!r} is not one of 'fixed', 'binomial'")
    return QIFSpec(sizes=(N,), names=("all",), I=(p["i0"] * sK,),
                   J=np.array([[-p["g0"] / sK]]), tau=1.0, laws={(0, 0): _law(kind, K)},
                   reciprocity=float(p["reciprocity"]))


def _build_ei(p):
    Ne, Ni, K = int(p["N_e"]), int(p["N_i"]), int(p["K"])
    if K > min(Ne, Ni) - 1:
        raise ValueError(f"K={K} is out of range: need 1 <= K <= min(N_e, N_i) - 1 = "
                         f"{min(Ne, Ni) - 1}")
    sK = math.sqrt(K)
    I_i = p["I_e"] / 1.02 if p["I_i"] is None else p["I_i"]
    _check("I_i", I_i, 0.0, math.inf, lo_open=True)
    kind = p["indegree"]
    if kind == "lorentz":
        laws = {(0, 0): _law("lorentz", K, p["D_ee"] * sK),
                (1, 1): _law("lorentz", K, p["D_ii"] * sK),
                (0, 1): _law("fixed", K), (1, 0): _law("fixed", K)}
    elif kind == "binomial":
        laws = {b: _law("binomial", K) for b in [(0, 0), (0, 1), (1, 0), (1, 1)]}
    else:
        raise ValueError(f"indegree={kind!r} is not one of 'lorentz', 'binomial'")
    J = np.array([[p["g_ee"], -p["g_ei"]], [p["g_ie"], -p["g_ii"]]]) / sK
    return QIFSpec(sizes=(Ne, Ni), names=("e", "i"), I=(p["I_e"] * sK, I_i * sK), J=J,
                   tau=float(p["tau_m"]), laws=laws, reciprocity=float(p["reciprocity"]),
                   rate_scale=1000.0, time_unit="ms", rate_unit="Hz")


INF = math.inf

NETWORKS = {
    "inhibitory_qif": NetworkDef(
        "inhibitory_qif",
        defaults={"N": 10000, "K": 100, "i0": 0.4, "g0": 1.0, "indegree": "fixed",
                  "reciprocity": 0.0},
        ranges={"N": (2, INF, False), "K": (1, INF, False), "i0": (0.0, INF, True),
                "g0": (0.0, INF, False), "reciprocity": (0.0, 1.0, False)},
        build=_build_inhibitory, integer=("N", "K"),
        doc="Inhibitory QIF network with shot noise (Ageeva & Goldobin 2025); time in tau."),
    "ei_qif": NetworkDef(
        "ei_qif",
        defaults={"N_e": 10000, "N_i": 2500, "K": 1000, "I_e": 0.2, "I_i": None, "D_ee": 2.5,
                  "D_ii": 1.0, "g_ee": 0.27, "g_ii": 0.953939, "g_ie": 0.3, "g_ei": 0.96286,
                  "tau_m": 20.0, "indegree": "lorentz", "reciprocity": 0.0},
        ranges={"N_e": (2, INF, False), "N_i": (2, INF, False), "K": (1, INF, False),
                "I_e": (0.0, INF, True), "D_ee": (0.0, INF, False), "D_ii": (0.0, INF, False),
                "g_ee": (0.0, INF, False), "g_ii": (0.0, INF, False), "g_ie": (0.0, INF, False),
                "g_ei": (0.0, INF, False), "tau_m": (0.0, INF, True),
                "reciprocity": (0.0, 1.0, False)},
        build=_build_ei, integer=("N_e", "N_i", "K"),
        doc="E-I QIF network of Bi, di Volo, Torcini 2021; time in ms, rates in Hz."),
}

# time defaults per network (T, transient, dt_sample) in the network's time unit
TIME_DEFAULTS = {"inhibitory_qif": (200.0, 20.0, 0.1), "ei_qif": (2000.0, 200.0, 1.0),
                 "lif_massive": (2000.0, 200.0, 0.5), "theta_massive": (2000.0, 200.0, 0.5)}

EXCITABLE_MSG = ("the exact event-driven QIF kernel needs a positive constant input (oscillatory "
                 "neurons); excitable neurons (I <= 0) are not supported")


def resolve(network: str, params: dict):
    """Split ``params`` into (network spec, run options); ValueError on any bad input."""
    if network not in NETWORKS:
        from .lif import LIF_NETWORKS  # late imports keep this module small
        from .theta import THETA_NETWORKS
        other = {**LIF_NETWORKS, **THETA_NETWORKS}
        if network in other:
            return other[network].resolve(params)
        raise ValueError(f"unknown network {network!r}; known: "
                         f"{sorted(list(NETWORKS) + list(other))}")
    nd = NETWORKS[network]
    model_p, run_p = split_params(network, nd.defaults, params)
    for name in nd.integer:
        v = model_p[name]
        if isinstance(v, float) and not v.is_integer():
            raise ValueError(f"{name}={v!r} must be an integer")
        model_p[name] = int(v)
    for name, (lo, hi, lo_open) in nd.ranges.items():
        v = model_p[name]
        if name in ("i0", "I_e") and v <= 0:
            raise ValueError(f"{name}={v!r} is out of range: need {name} > 0 ({EXCITABLE_MSG})")
        _check(name, v, lo, hi, lo_open)
    return nd.build(model_p), run_options(network, run_p)


def split_params(network, defaults, params):
    unknown = set(params) - set(defaults) - set(RUN_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)} for network {network!r}; "
                         f"valid: {sorted(defaults)} and run options {sorted(RUN_DEFAULTS)}")
    model_p = {k: params.get(k, v) for k, v in defaults.items()}
    run_p = {k: params.get(k, v) for k, v in RUN_DEFAULTS.items()}
    return model_p, run_p


def run_options(network, run_p):
    T, tr, dts = TIME_DEFAULTS[network]
    o = dict(run_p)
    o["T"] = float(T if o["T"] is None else o["T"])
    o["transient"] = float(tr if o["transient"] is None else o["transient"])
    o["dt_sample"] = float(dts if o["dt_sample"] is None else o["dt_sample"])
    _check("T", o["T"], 0.0, INF, lo_open=True)
    _check("transient", o["transient"], 0.0, INF)
    _check("dt_sample", o["dt_sample"], 0.0, o["T"], lo_open=True)
    _check("v_clip", float(o["v_clip"]), 0.0, INF, lo_open=True)
    _check("n_fft", int(o["n_fft"]), 8, INF)
    # a short run still gets a spectrum: shrink the segment to the largest power of 2 that fits
    fit = int(o["T"] / o["dt_sample"])
    o["n_fft"] = int(min(int(o["n_fft"]), 2 ** int(math.log2(fit)) if fit >= 8 else 8))
    if o["bucket_width"] is not None:
        _check("bucket_width", float(o["bucket_width"]), 0.0, INF, lo_open=True)
    o["seed"] = int(o["seed"])
    return o
