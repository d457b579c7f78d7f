"""Fingerprints (md5) of spike rasters and rows of small runs of every network family.

Used to check that a refactoring of the network code leaves the spike trains bit-identical per
seed: run it before and after and compare the printed lines (``diff``).

    python validation/network_raster_md5.py            # all families, small sizes (~1 min)
"""
from __future__ import annotations

import hashlib

import numpy as np

from bifkit.network import simulate

RUNS = [
    ("inhibitory_qif", dict(N=2000, K=100, T=20.0, transient=5.0, seed=3)),
    ("inhibitory_qif", dict(N=1000, K=50, T=10.0, transient=0.0, seed=4, indegree="binomial",
                            reciprocity=0.3)),
    ("ei_qif", dict(N_e=1000, N_i=400, K=100, T=300.0, transient=50.0, seed=2)),
    ("ei_qif", dict(N_e=500, N_i=200, K=50, T=200.0, transient=0.0, seed=5,
                    indegree="binomial")),
    ("lif_massive", dict(N=2000, T=200.0, transient=50.0, seed=1)),
    ("lif_massive", dict(N=2000, T=200.0, transient=0.0, seed=2, setup="S")),
    ("theta_massive", dict(N=2000, T=200.0, transient=50.0, seed=1)),
]


def fingerprint(res) -> str:
    h = hashlib.md5()
    h.update(np.ascontiguousarray(res.raster[0]).tobytes())
    h.update(np.ascontiguousarray(res.raster[1]).tobytes())
    for pname in sorted(res.rate_neuron):
        h.update(np.ascontiguousarray(res.rate_neuron[pname]).tobytes())
    for pname in sorted(res.spectrum):
        h.update(np.ascontiguousarray(res.spectrum[pname]).tobytes())
    return h.hexdigest()


def main():
    for name, params in RUNS:
        res = simulate(name, **params)
        print(f"{name:15s} {sorted(params.items())} spikes={res.spikes} events={res.events} "
              f"md5={fingerprint(res)}", flush=True)


if __name__ == "__main__":
    main()
