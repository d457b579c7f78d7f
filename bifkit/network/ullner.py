"""What ``lif_massive`` and ``theta_massive`` share (Ullner, Politi, Torcini 2018, Sec. II).

N neurons, a fraction b excitatory; each neuron has exactly b K excitatory and (1 - b) K
inhibitory presynaptic partners (K = c N unless K is given); a spike of an excitatory
(inhibitory) neuron reaches its targets tau_d later with coupling J (-g J), J = Jcal/sqrt(K),
Jcal = Jbar sqrt(1000) (Jbar: the coupling at K = 1000); refractory time tau_r.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .family import INF


@dataclass(frozen=True, kw_only=True)
class UllnerSpec:
    """What the engine specs of both families share (keywords only).

    sizes = (N_e, N_i), names = ("e", "i"); K_e, K_i excitatory and inhibitory in-degrees;
    J[x, y] jump of a neuron of x per spike of y; tau, tau_r, tau_d in ms."""

    sizes: tuple
    names: tuple
    K_e: int
    K_i: int
    J: np.ndarray
    tau: float = 20.0
    tau_r: float = 0.5
    tau_d: float = 0.55
    rate_scale: float = 1000.0
    time_unit: str = "ms"
    rate_unit: str = "Hz"

    @property
    def laws(self):
        """In-degree laws of the (post, pre) blocks (``connectivity.build_connectivity``)."""
        return fixed_laws(self.K_e, self.K_i)

# parameter defaults and ranges common to both families (units: ms, mV)
COMMON_DEFAULTS = {"N": 10000, "c": 0.1, "K": None, "b": 0.8, "Jbar": 0.2, "setup": "W",
                   "g": None, "g1": 100.0, "tau": 20.0, "tau_r": 0.5, "tau_d": 0.55}
COMMON_RANGES = {"N": (2, INF, False), "K": (1, INF, False), "b": (0.0, 1.0, True),
                 "c": (0.0, 1.0, True), "Jbar": (0.0, INF, False), "tau_r": (0.0, INF, False),
                 "tau_d": (0.0, INF, False), "tau": (0.0, INF, True), "g": (0.0, INF, False)}
COMMON_INTEGER = ("N", "K")


def populations(p):
    """(N_e, N_i, K_e, K_i, K) of checked parameters; ValueError if the in-degrees do not fit."""
    if p["b"] >= 1.0:
        raise ValueError("b=1 leaves no inhibitory neurons: need 0 < b < 1")
    N = p["N"]
    Ne = int(round(p["b"] * N))
    Ni = N - Ne
    K = int(round(p["c"] * N)) if p["K"] is None else p["K"]
    K_e, K_i = int(round(p["b"] * K)), K - int(round(p["b"] * K))
    if K < 1 or K_e > Ne - 1 or K_i > Ni - 1:
        raise ValueError(f"K={K} is out of range: need 1 <= b K <= N_e - 1 = {Ne - 1} and "
                         f"(1 - b) K <= N_i - 1 = {Ni - 1}")
    return Ne, Ni, K_e, K_i, K


def weak_setup_g(p):
    """g of the weak-coupling setup "W": b/(1 - b) + g1/sqrt(N), unless g is given."""
    return p["b"] / (1 - p["b"]) + p["g1"] / math.sqrt(p["N"]) if p["g"] is None else p["g"]


def coupling_matrix(J, g):
    """J[x, y]: jump of a neuron of x per spike of y (e = 0, i = 1): J or -g J."""
    return np.array([[J, -g * J], [J, -g * J]])


def fixed_laws(K_e, K_i):
    """In-degree laws of the (post, pre) blocks: b K excitatory, (1 - b) K inhibitory inputs."""
    return {(0, 0): ("fixed", K_e), (1, 0): ("fixed", K_e),
            (0, 1): ("fixed", K_i), (1, 1): ("fixed", K_i)}


def delay_fifo(n, tau_d, tau_r):
    """FIFO of emitted spikes waiting tau_d: (times, ids, [head, count]). A neuron fires at most
    once per tau_r, so ceil(tau_d / tau_r) + 2 spikes per neuron bound its content."""
    cap = int(n * (math.ceil(tau_d / max(tau_r, 0.05)) + 2))
    return np.zeros(cap), np.zeros(cap, np.int64), np.zeros(2, np.int64)
