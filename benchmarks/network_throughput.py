"""Synaptic events per second of the exact event-driven simulator, against Brian2.

    NUMBA_NUM_THREADS=1 python benchmarks/network_throughput.py [--quick] [--no-brian]

One line per network (issue 6):
    <network> events_per_s=<x> brian2_dt=<dt> brian2_events_per_s=<y> speedup=<r> brian2_rate_err=<e>

events = spikes x out-degree; bifkit's figure is the wall time of the event loop including the
online observables (compilation and wiring excluded). Brian2 runs the same networks (same wiring)
clock-driven, threshold/reset at +-v_th = +-100 with a refractory period 2 tau/v_th and a synaptic
delay tau/v_th (a QIF spends tau/v_th between v = v_th and +inf, and as long between -inf and
-v_th), at the largest dt among 1e-2, 1e-3, 1e-4 (the network's time unit: tau for the inhibitory
network, ms for the E-I one) whose mean rate is within 1% of the exact one; its figure is the wall
time of ``run`` after a warm-up run (code generation excluded).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bifkit.network import simulate  # noqa: E402
from bifkit.network.connectivity import build_connectivity  # noqa: E402
from bifkit.network.networks import resolve  # noqa: E402

V_TH = 100.0

CASES = {
    "inhibitory_qif": dict(params=dict(N=10000, K=1000, i0=0.2, g0=1.0), T=20.0, transient=5.0),
    "ei_qif": dict(params=dict(N_e=10000, N_i=2500, K=1000), T=400.0, transient=100.0),
}


def run_bifkit(name, case, seed):
    simulate(name, **case["params"], T=case["T"] / 20, transient=0.0, seed=seed + 100)  # compile
    res = simulate(name, **case["params"], T=case["T"], transient=case["transient"], seed=seed)
    return res


def run_brian(name, case, seed, dt):
    """Mean rate (per population-averaged neuron) and events/s of the Brian2 twin."""
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.start_scope()
    spec, opt = resolve(name, dict(case["params"], seed=seed))
    conn = build_connectivity(spec.sizes, spec.laws, seed, spec.reciprocity)
    unit = b2.ms  # one model time unit (tau for the inhibitory network, ms for E-I)
    tau = spec.tau * unit
    n = conn.n
    pop = np.repeat(np.arange(len(spec.sizes)), spec.sizes)
    G = b2.NeuronGroup(n, "dv/dt = (v**2 + I)/tau : 1 (unless refractory)\nI : 1",
                       threshold=f"v > {V_TH}", reset=f"v = -{V_TH}",
                       refractory=2 * tau / V_TH, method="euler", dt=dt * unit,
                       namespace={"tau": tau})
    G.I = np.asarray(spec.I)[pop]
    rng = np.random.default_rng([seed, 1])
    phi = rng.uniform(0, math.pi, n)
    G.v = np.clip(np.sqrt(np.asarray(spec.I))[pop] / np.tan(phi), -V_TH, V_TH)
    src = np.repeat(np.arange(n), conn.outdegree())
    tgt = conn.targets.astype(np.int64)
    J = np.asarray(spec.J)[pop[tgt], pop[src]]
    S = b2.Synapses(G, G, "w : 1", on_pre="v += w", delay=tau / V_TH, dt=dt * unit)
    S.connect(i=src, j=tgt)
    S.w = J
    M = b2.SpikeMonitor(G, record=False)
    net = b2.Network(G, S, M)
    net.run(case["transient"] * unit)  # warm-up: code generation + transient
    c0 = int(M.num_spikes)
    t0 = time.perf_counter()
    net.run(case["T"] * unit)
    wall = time.perf_counter() - t0
    spikes = int(M.num_spikes) - c0
    rate = spikes / (n * case["T"])  # per neuron per time unit
    events = spikes * conn.n_synapses / n  # mean out-degree (fixed in-degree networks)
    return rate, events / wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    ap.add_argument("--no-brian", action="store_true", help="skip the Brian2 comparison")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--networks", nargs="*", default=list(CASES))
    a = ap.parse_args(argv)
    for name in a.networks:
        case = dict(CASES[name])
        if a.quick:
            case = dict(case, T=case["T"] / 4, transient=case["transient"] / 4)
        res = run_bifkit(name, case, a.seed)
        rate_exact = np.average([res.rates[p] for p in res.populations],
                                weights=[len(res.rate_neuron[p]) for p in res.populations])
        rate_exact /= (1000.0 if res.rate_unit == "Hz" else 1.0)  # per time unit
        line = f"{name} events_per_s={res.events_per_s:.3g}"
        if a.no_brian:
            print(line + " brian2_dt=nan brian2_events_per_s=nan speedup=nan brian2_rate_err=nan")
            continue
        chosen = None
        for dt in (1e-2, 1e-3, 1e-4):
            rate_b, eps_b = run_brian(name, case, a.seed, dt)
            err = abs(rate_b - rate_exact) / rate_exact
            print(f"#   brian2 dt={dt:g} rate={rate_b:.5g} exact={rate_exact:.5g} err={err:.3g} "
                  f"events_per_s={eps_b:.3g}", file=sys.stderr, flush=True)
            chosen = (dt, eps_b, err)
            if err <= 0.01:
                break
        dt, eps_b, err = chosen
        print(f"{line} brian2_dt={dt:g} brian2_events_per_s={eps_b:.3g} "
              f"speedup={res.events_per_s / eps_b:.3g} brian2_rate_err={err:.3g}", flush=True)


if __name__ == "__main__":
    main()
