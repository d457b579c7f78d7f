"""Independent re-computation of numbers quoted in REVIEW.md (issue 18).

Each number the review quotes from a figure's run is recomputed here by another method than
the recipe's (named in the printed line), so the review can say both.  Run from the repository
root:

    python docs/figures/review_numbers.py [fig1b] [ag2025-fig2] [ag2025-fig1a]

(no argument: all; a few minutes on a loaded 2-core machine, mostly the M = 128 chains).
"""
from __future__ import annotations

import sys
import warnings

import numpy as np

import bifkit
from bifkit.diagrams.shotnoise_common import hopf_crossings


def fig1b():
    """Bi et al. Fig. 1b (I_e = 0.001, D_ii = 0.3): the transcritical curve at K = 10 and
    its Bogdanov-Takens end, from the branch point (BP) of EP-C runs on the interior branch
    (the recipe uses the closed form D_ee*(K) and brentq on the BT condition)."""
    base = dict(I_e=0.001, D_ii=0.3)
    m = bifkit.load_model("ei_neural_mass", **base, K=10.0, D_ee=1.5)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["D_ee"],
                             bounds={"D_ee": (0.5, 1.5)})
    bp = [s.params["D_ee"] for s in ep.special_points("BP")]
    print(f"fig1b: transcritical D_ee at K = 10 (EP-C in D_ee, BP): {bp}")
    m = bifkit.load_model("ei_neural_mass", **base, K=1e4, D_ee=1e-4)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["K"],
                             bounds={"K": (1e4, 1e5)}, log_params=["K"])
    bp = [s.params["K"] for s in ep.special_points("BP")]
    print(f"fig1b: BT end of the transcritical curve ~ BP of EP-C in K at D_ee = 1e-4: K = {bp}")


def ag2025_fig2():
    """Ageeva & Goldobin Fig. 2: the chain's Hopf point at the four ratios by Brent on the
    leading eigenvalue of the M = 128 chain (the figure: M = 64 samples, linear interpolation
    in log K), and the 2CC's by the same Brent (the figure: EP-C's Hopf test)."""
    grid = np.geomspace(10.0, 1e4, 25)
    for r in (0.01, 0.03, 0.06, 0.4):
        chain = [(round(k, 2), d) for k, _x, d in hopf_crossings("shotnoise_chain", r, grid,
                                                                  M=128)]
        two = [(round(k, 2), d) for k, _x, d in hopf_crossings("shotnoise_2cc", r, grid)]
        print(f"ag2025-fig2: i0/g0^2 = {r}: chain M = 128 Hopf K = {chain}; 2CC Hopf K = {two}")


def ag2025_fig1a():
    """Ageeva & Goldobin Fig. 1a: the 2CC's Bautin point (l1 of EP-C Hopf points on both
    sides of it) and the full chain's large-K Hopf pair at i0/g0^2 = 7.1e-4 with M = 128."""
    for r in (0.17, 0.197, 0.23):
        m = bifkit.load_model("shotnoise_2cc", K=10.0, i0=r, g0=1.0)
        ep = bifkit.continuation(m, "EP-C", bifkit.find_equilibrium(m, m.default_guess()),
                                 ["K"], bounds={"K": (10.0, 1e3)}, log_params=["K"])
        print(f"ag2025-fig1a: 2CC at i0/g0^2 = {r}: Hopf (K, l1) = "
              f"{[(round(h.params['K'], 2), h.data['l1']) for h in ep.special_points('H')]}")
    ratio = 10 ** (np.linspace(np.log10(2e-4), np.log10(5.0), 9)[1])  # the quick run's 2nd
    pair = [(round(k, 1), d) for k, _x, d in hopf_crossings(
        "shotnoise_chain", ratio, np.geomspace(3e4, 3e5, 14), M=128, start_K=1e5)]
    print(f"ag2025-fig1a: chain M = 128 at i0/g0^2 = {ratio:.4g}, K in [3e4, 3e5]: {pair}")


CHECKS = {"fig1b": fig1b, "ag2025-fig2": ag2025_fig2, "ag2025-fig1a": ag2025_fig1a}

if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for name in sys.argv[1:] or list(CHECKS):
        CHECKS[name]()
