"""E-I QIF network of Bi et al. 2021 vs the neural-mass stationary rates (Fig. 2 trend).

    NUMBA_NUM_THREADS=1 python validation/network_ei_rates.py [--T 2000] [--Ks 100 400 1000 4000]

I_e = 0.2, D_ee = 2.5, D_ii = 1, N_e = 10000, N_i = 2500. For each K: network rates (Hz),
coherence, CV, and the stationary rates of the foundation's ``ei_neural_mass`` model (eq. 8).
Expected: the relative difference shrinks as K grows (finite-K shot noise is neglected by the
neural mass).
"""
import argparse
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import bifkit  # noqa: E402
from bifkit.network import simulate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--T", type=float, default=2000.0)
    ap.add_argument("--Ks", type=int, nargs="*", default=[100, 400, 1000, 2000])
    a = ap.parse_args()
    print("K  R_e_net  R_i_net  R_e_mf  R_i_mf  err_e  err_i  rho_e  cv_e  events/s")
    for K in a.Ks:
        r = simulate("ei_qif", N_e=10000, N_i=2500, K=K, I_e=0.2, D_ee=2.5, D_ii=1.0,
                     T=a.T, transient=200.0, seed=1)
        m = bifkit.load_model("ei_neural_mass", I_e=0.2, D_ee=2.5, D_ii=1.0, K=K)
        obs = m.observables(m.steady_state()[0])
        re, ri = obs["rate_e"], obs["rate_i"]
        print(f"{K:5d} {r.rates['e']:7.3f} {r.rates['i']:7.3f} {re:7.3f} {ri:7.3f} "
              f"{(r.rates['e'] - re) / re:+.3f} {(r.rates['i'] - ri) / ri:+.3f} "
              f"{r.rho['e']:.3f} {r.cv['e']:.3f} {r.events_per_s:.3g}", flush=True)


if __name__ == "__main__":
    main()
