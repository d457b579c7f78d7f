"""E-I QIF network of Bi et al. 2021 vs the neural-mass stationary rates (Fig. 2 trend).

    NUMBA_NUM_THREADS=1 python validation/network_ei_rates.py [--T 2000] [--Ks 100 400 1000 4000]

I_e = 0.2, D_ee = 2.5, D_ii = 1. Network sizes as in the paper (Sec. 3.1, Fig. 2):
N_e = N_i = 10000 for K < 4096 and 20000 for K >= 4096 (``--N`` overrides). For each K: network
rates (Hz) with the standard error of the mean from batch means of the population-rate series,
coherence, CV, and the stationary rates of the foundation's ``ei_neural_mass`` model (eq. 8).
The paper averages over 40 s after a 60 s transient (``--T 40000 --transient 60000``); the
defaults are shorter. Expected: the relative difference shrinks as K grows (the neural mass
neglects finite-K fluctuations).
"""
import argparse
import math
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import bifkit  # noqa: E402
from bifkit.network import simulate  # noqa: E402


def paper_size(K):
    """N_e = N_i of Bi et al. 2021, Fig. 2 (10000 for K < 4096, 20000 up to 8192, then 30000)."""
    return 10000 if K < 4096 else (20000 if K <= 8192 else 30000)


def batch_sem(series, n_batches=20):
    m = series.size // n_batches * n_batches
    b = series[:m].reshape(n_batches, -1).mean(axis=1)
    return float(b.std(ddof=1) / math.sqrt(n_batches))


def compare(K, T=2000.0, transient=500.0, N=None, seed=1):
    n = N or paper_size(K)
    r = simulate("ei_qif", N_e=n, N_i=n, K=K, I_e=0.2, D_ee=2.5, D_ii=1.0, T=T,
                 transient=transient, seed=seed)
    m = bifkit.load_model("ei_neural_mass", I_e=0.2, D_ee=2.5, D_ii=1.0, K=K)
    obs = m.observables(m.steady_state()[0])
    return dict(K=K, N=n, R_e=r.rates["e"], R_i=r.rates["i"],
                sem_e=batch_sem(r.rate_series["e"]), sem_i=batch_sem(r.rate_series["i"]),
                mf_e=obs["rate_e"], mf_i=obs["rate_i"], rho_e=r.rho["e"], cv_e=r.cv["e"],
                events_per_s=r.events_per_s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--T", type=float, default=2000.0)
    ap.add_argument("--transient", type=float, default=500.0)
    ap.add_argument("--N", type=int, default=None, help="N_e = N_i (default: the paper's)")
    ap.add_argument("--Ks", type=int, nargs="*", default=[100, 400, 1000, 2000, 4000])
    a = ap.parse_args()
    print("K  N  R_e_net+-sem  R_i_net+-sem  R_e_mf  R_i_mf  err_e  err_i  rho_e  cv_e  events/s")
    for K in a.Ks:
        c = compare(K, a.T, a.transient, a.N)
        print(f"{K:5d} {c['N']:6d} {c['R_e']:7.3f}+-{c['sem_e']:.3f} {c['R_i']:7.3f}+-"
              f"{c['sem_i']:.3f} {c['mf_e']:7.3f} {c['mf_i']:7.3f} "
              f"{(c['R_e'] - c['mf_e']) / c['mf_e']:+.3f} "
              f"{(c['R_i'] - c['mf_i']) / c['mf_i']:+.3f} "
              f"{c['rho_e']:.3f} {c['cv_e']:.3f} {c['events_per_s']:.3g}", flush=True)


if __name__ == "__main__":
    main()
