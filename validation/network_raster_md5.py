"""Fingerprints (md5) of spike rasters and rows of small runs of every network family.

Used to check that a refactoring of the network code leaves the spike trains bit-identical per
seed: run it before and after and compare the printed lines (``diff``). Two fingerprints per run:
``spikes_md5`` (raster and per-neuron rates: the spike trains) and ``obs_md5`` (the power spectra
of the sampled population means: observables, which a change of summation order in the sampling
moves at rounding level without touching a spike).

    python validation/network_raster_md5.py            # all families, small sizes (~1 min)
    python validation/network_raster_md5.py --dump A.npz   # also save the sampled observables
    python validation/network_raster_md5.py --compare A.npz B.npz   # their largest difference

``--compare`` prints, per observable, max |a - b| / max |a| over all runs (two trees: run
``--dump`` in each, e.g. with PYTHONPATH pointing at a checkout of the old commit).
"""
from __future__ import annotations

import argparse
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


def fingerprint(arrays) -> str:
    h = hashlib.md5()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def spikes_md5(res) -> str:
    """The spike trains: raster (times, neurons) and per-neuron rates."""
    return fingerprint([res.raster[0], res.raster[1],
                        *(res.rate_neuron[p] for p in sorted(res.rate_neuron))])


def obs_md5(res) -> str:
    """The sampled observables: power spectra of the population means."""
    return fingerprint([res.spectrum[p] for p in sorted(res.spectrum)])


OBSERVABLES = ("rho", "rho_v", "v_mean", "psi_mean", "spectrum", "v_series", "psi_series")


def observables(k, res) -> dict:
    """Sampled observables of run k as named float arrays (for ``--dump``)."""
    return {f"{k}.{f}.{p}": np.asarray(v, float) for f in OBSERVABLES
            for p, v in getattr(res, f).items()}


def compare(path_a, path_b):
    a, b = np.load(path_a), np.load(path_b)
    if set(a.files) != set(b.files):
        raise SystemExit(f"{path_a} and {path_b} hold different runs or observables")
    worst = {}
    for key in a.files:
        x, y = a[key], b[key]
        scale = np.max(np.abs(x)) if x.size else 0.0
        d = float(np.max(np.abs(x - y)) / scale) if scale > 0 else float(np.any(x != y))
        f = key.split(".")[1]
        worst[f] = max(worst.get(f, 0.0), d)
    for f, d in worst.items():
        print(f"{f:12s} max |a - b| / max |a| = {d:.2g}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", help="save the sampled observables of every run to this .npz")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two dumps")
    a = ap.parse_args(argv)
    if a.compare:
        return compare(*a.compare)
    dump = {}
    for k, (name, params) in enumerate(RUNS):
        res = simulate(name, **params, keep_series=a.dump is not None)
        print(f"{name:15s} {sorted(params.items())} spikes={res.spikes} events={res.events} "
              f"spikes_md5={spikes_md5(res)} obs_md5={obs_md5(res)}", flush=True)
        dump.update(observables(k, res))
    if a.dump:
        np.savez(a.dump, **dump)


if __name__ == "__main__":
    main()
