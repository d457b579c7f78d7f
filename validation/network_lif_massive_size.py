"""lif_massive at the largest size of Ullner, Politi, Torcini 2018 (N = 640000, K = 1000).

Prints the wiring's memory, the peak resident memory of the whole process (the number that must
stay under the machine's memory; Linux ``ru_maxrss``), the wall time of building the wiring and the
events/s of a short run (weak-coupling setup "W", Jbar = 0.2 mV, c = K/N):

    python validation/network_lif_massive_size.py            # N = 640000, K = 1000, T = 20 ms
    python validation/network_lif_massive_size.py --quick    # N = 40000 (the figures' largest)

A short window (20 ms after 10 ms of transient) is enough for memory and throughput; the rates of
the paper need seconds (see ``diagrams/ullner2018_fig2.py`` for the full plan).
"""
from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # kB -> GB


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=640000)
    ap.add_argument("--K", type=int, default=1000)
    ap.add_argument("--T", type=float, default=20.0, help="recorded time, ms")
    ap.add_argument("--transient", type=float, default=10.0, help="ms")
    ap.add_argument("--quick", action="store_true", help="N = 40000")
    a = ap.parse_args()
    N = 40000 if a.quick else a.N
    from bifkit.network import simulate
    from bifkit.network.connectivity import build_connectivity
    from bifkit.network.networks import resolve

    simulate("lif_massive", N=2000, K=100, T=5.0, transient=0.0)  # compile outside the timing
    params = dict(N=N, K=a.K, T=a.T, transient=a.transient, seed=1, keep_series=False,
                  dt_sample=0.5)
    spec, opt = resolve("lif_massive", params)
    t0 = time.perf_counter()
    conn = build_connectivity(spec.sizes, spec.laws, opt["seed"])
    t_wire = time.perf_counter() - t0
    E = conn.n_synapses
    nbytes = conn.targets.nbytes + conn.seg.nbytes + conn.indegree.nbytes
    print(f"N={N} K={a.K} synapses={E:.4g} wiring_bytes={nbytes / 1e9:.2f} GB "
          f"({nbytes / E:.3f} bytes per synapse) build_wall={t_wire:.1f} s "
          f"peak_rss_after_wiring={peak_rss_gb():.2f} GB", flush=True)
    del conn
    res = simulate("lif_massive", **params)  # draws the same wiring again, then runs
    print(f"run T={a.T} ms (+{a.transient} ms transient): spikes={res.spikes} "
          f"events={res.events:.4g} event_loop_wall={res.wall_time:.1f} s "
          f"events_per_s={res.events_per_s:.3g} rate_all={res.rates['all']:.2f} Hz "
          f"peak_rss={peak_rss_gb():.2f} GB", flush=True)


if __name__ == "__main__":
    main()
