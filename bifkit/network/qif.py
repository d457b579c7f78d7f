"""QIF networks with delta pulses: the engine spec, the exact engine, and the papers' families.

Conventions
-----------
- ``inhibitory_qif`` (Ageeva & Goldobin 2025, Sec. 2; Goldobin et al. PRE 2025): dV/dt = V^2 + I
  - a sum_k eps_jk sum_n delta(t - t_k^n), fixed in-degree K, I = i0 sqrt(K), a = g0/sqrt(K);
  time in units of the membrane time constant, rates per neuron per tau.
- ``ei_qif`` (Bi, di Volo, Torcini 2021, eqs. 1-3): tau_m dv/dt = v^2 + I^(x) with
  I^(x) = sqrt(K) I_x, jump +-g_xy/sqrt(K) per presynaptic spike, tau_m = 20 ms; Lorentzian
  within-population in-degrees (median K, HWHM D_xx sqrt(K)), fixed between-population in-degree K
  (``indegree="binomial"``: Erdos-Renyi for every block). Time in ms, rates in Hz.

Any other network of QIF neurons with instantaneous pulses is a ``NetworkFamily`` whose ``build``
returns a ``QIFSpec`` and whose engine is ``run_qif`` (see ``family.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .connectivity import build_connectivity
from .driver import new_accumulator, queue_args, result_fields, run_chunks
from .family import EXCITABLE_MSG, INF, NetworkFamily, check_range


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


def indegree_law(kind, K, hwhm=None):
    """In-degree law of one block for ``connectivity.build_connectivity``."""
    if kind in ("fixed", "binomial"):
        return (kind, K)
    if kind == "lorentz":
        return ("lorentz", K, hwhm)
    raise ValueError(f"indegree={kind!r} is not one of 'fixed', 'lorentz', 'binomial'")


def _default_bucket_width(periods, n):
    # about n/64 neurons per bucket ring slot keeps both the heap and the drains small
    return min(periods) / max(16.0, min(256.0, n / 64.0))


def run_qif(spec: QIFSpec, opt) -> dict:
    """Exact event-driven run of a QIF network (kernel: ``_qif_kernel.qif_advance``)."""
    from . import _qif_kernel as kq

    if min(spec.I) <= 0:
        raise ValueError(EXCITABLE_MSG)
    conn = build_connectivity(spec.sizes, spec.laws, opt["seed"], spec.reciprocity)
    n, P = conn.n, len(spec.sizes)
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    s = np.sqrt(np.array(spec.I, float))
    om = s / spec.tau  # d phi/dt = -om
    iom = 1.0 / om
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
    qargs = queue_args(n, nb, w)
    bcs = np.zeros((P, nb, 2))  # bound angles of the bucket slots, per population
    kq.qif_init_queue(0.0, pop, om, st, bd, bcs, *qargs)
    acc = new_accumulator(spec, opt)
    counters = np.zeros(5, np.int64)
    tnow = np.zeros(1)
    cs = np.zeros((P, 2))  # scratch of the kernel: (cos, sin)(Omega_y t) at the current time
    cand = np.zeros(n, conn.targets.dtype)  # scratch: targets to re-queue after a spike
    dt, v_clip = opt["dt_sample"], float(opt["v_clip"])

    def advance(t_stop, nsamp, t0):
        kq.qif_advance(t_stop, tnow, pop, conn.starts, s, om, iom, cmat, conn.seg, conn.targets, cs,
                       cand, st, bd, bcs, *qargs, nsamp, nsamp > 0, t0, dt, v_clip,
                       acc.vbar, acc.psibar, acc.cnt, acc.sv, acc.sv2, acc.spsi, acc.spsi2,
                       acc.nspk, acc.last, acc.isi1, acc.isi2, acc.nisi, acc.rmask,
                       acc.rast_t, acc.rast_i, counters)

    timing, t_rec = run_chunks(acc, opt, advance)
    return result_fields(spec, acc, opt, counters, timing, t_rec,
                         {"bucket_width": w, "buckets": nb})


def _build_inhibitory(p):
    N, K = p["N"], p["K"]
    if K > N - 1:
        raise ValueError(f"K={K} is out of range: need 1 <= K <= N - 1 = {N - 1} (no autapses)")
    sK = math.sqrt(K)
    kind = p["indegree"]
    if kind not in ("fixed", "binomial"):
        raise ValueError(f"indegree={kind!r} is not one of 'fixed', 'binomial'")
    return QIFSpec(sizes=(N,), names=("all",), I=(p["i0"] * sK,),
                   J=np.array([[-p["g0"] / sK]]), tau=1.0, laws={(0, 0): indegree_law(kind, K)},
                   reciprocity=float(p["reciprocity"]))


def _build_ei(p):
    Ne, Ni, K = p["N_e"], p["N_i"], p["K"]
    if K > min(Ne, Ni) - 1:
        raise ValueError(f"K={K} is out of range: need 1 <= K <= min(N_e, N_i) - 1 = "
                         f"{min(Ne, Ni) - 1}")
    sK = math.sqrt(K)
    I_i = p["I_e"] / 1.02 if p["I_i"] is None else p["I_i"]
    check_range("I_i", I_i, 0.0, INF, lo_open=True, why=EXCITABLE_MSG)
    kind = p["indegree"]
    if kind == "lorentz":
        laws = {(0, 0): indegree_law("lorentz", K, p["D_ee"] * sK),
                (1, 1): indegree_law("lorentz", K, p["D_ii"] * sK),
                (0, 1): indegree_law("fixed", K), (1, 0): indegree_law("fixed", K)}
    elif kind == "binomial":
        laws = {b: indegree_law("binomial", K) for b in [(0, 0), (0, 1), (1, 0), (1, 1)]}
    else:
        raise ValueError(f"indegree={kind!r} is not one of 'lorentz', 'binomial'")
    J = np.array([[p["g_ee"], -p["g_ei"]], [p["g_ie"], -p["g_ii"]]]) / sK
    return QIFSpec(sizes=(Ne, Ni), names=("e", "i"), I=(p["I_e"] * sK, I_i * sK), J=J,
                   tau=float(p["tau_m"]), laws=laws, reciprocity=float(p["reciprocity"]),
                   rate_scale=1000.0, time_unit="ms", rate_unit="Hz")


INHIBITORY_QIF = NetworkFamily(
    "inhibitory_qif",
    defaults={"N": 10000, "K": 100, "i0": 0.4, "g0": 1.0, "indegree": "fixed",
              "reciprocity": 0.0},
    ranges={"N": (2, INF, False), "K": (1, INF, False), "i0": (0.0, INF, True, EXCITABLE_MSG),
            "g0": (0.0, INF, False), "reciprocity": (0.0, 1.0, False)},
    integer=("N", "K"), build=_build_inhibitory, engine=run_qif,
    time_defaults=(200.0, 20.0, 0.1),
    doc="Inhibitory QIF network with shot noise (Ageeva & Goldobin 2025); time in tau.")

EI_QIF = NetworkFamily(
    "ei_qif",
    defaults={"N_e": 10000, "N_i": 2500, "K": 1000, "I_e": 0.2, "I_i": None, "D_ee": 2.5,
              "D_ii": 1.0, "g_ee": 0.27, "g_ii": 0.953939, "g_ie": 0.3, "g_ei": 0.96286,
              "tau_m": 20.0, "indegree": "lorentz", "reciprocity": 0.0},
    ranges={"N_e": (2, INF, False), "N_i": (2, INF, False), "K": (1, INF, False),
            "I_e": (0.0, INF, True, EXCITABLE_MSG), "D_ee": (0.0, INF, False),
            "D_ii": (0.0, INF, False), "g_ee": (0.0, INF, False), "g_ii": (0.0, INF, False),
            "g_ie": (0.0, INF, False), "g_ei": (0.0, INF, False), "tau_m": (0.0, INF, True),
            "reciprocity": (0.0, 1.0, False)},
    integer=("N_e", "N_i", "K"), build=_build_ei, engine=run_qif,
    time_defaults=(2000.0, 200.0, 1.0),
    doc="E-I QIF network of Bi, di Volo, Torcini 2021; time in ms, rates in Hz.")
