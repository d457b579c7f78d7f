"""LIF network in the (S) setup of Ullner, Politi, Torcini 2018 (Fig. 4): rate vs N.

    NUMBA_NUM_THREADS=1 python validation/network_lif_strong.py [--T 4000] [--Ns 10000 20000 40000]

Jbar = 0.2 mV, c = 0.1, R I0 = 0.24 sqrt(N) mV, g = 5. The paper's fit nu(N) = 30 - 1742.18/sqrt(N)
Hz; the statistical error is estimated from the spread over seeds.
"""
import argparse
import math
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bifkit.network import simulate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--T", type=float, default=4000.0)
    ap.add_argument("--Ns", type=int, nargs="*", default=[10000, 20000, 40000])
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    print("N  nu_fit  nu_mean  nu_sem  rho_e  cv  events/s")
    for N in a.Ns:
        rs = [simulate("lif_massive", N=N, setup="S", Jbar=0.2, T=a.T, transient=500.0, seed=s)
              for s in range(1, a.seeds + 1)]
        nu = np.array([r.rates["all"] for r in rs])
        sem = nu.std(ddof=1) / math.sqrt(len(nu)) if len(nu) > 1 else float("nan")
        print(f"{N:6d} {30 - 1742.18 / math.sqrt(N):7.3f} {nu.mean():7.3f} {sem:6.3f} "
              f"{np.mean([r.rho['e'] for r in rs]):.3f} {np.mean([r.cv['all'] for r in rs]):.3f} "
              f"{np.mean([r.events_per_s for r in rs]):.3g}", flush=True)


if __name__ == "__main__":
    main()
