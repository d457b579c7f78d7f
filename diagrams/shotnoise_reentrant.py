"""The re-entrant Hopf line of the shot-noise mean field at weak drive (seed 000, second abstract).

For small i0/g0^2 the full z_n chain has global oscillations (GO) at low and at high K with an
asynchronous (AS) window between.  (a) Hopf points of the chain in the (K, i0/g0^2) plane,
located by sampling K at fixed i0 (Brent on the leading eigenvalue) for several mode counts M,
with the inhibitory network's coherence rho at some points (colour); (b) the stationary |z_n|
at a weak-drive, low-K point for each M: at small K and weak drive alpha = g0 / (K^(3/4)
sqrt(i0)) is large and the spectrum decays slowly, so M must grow (like alpha^2); (c) each Hopf
point versus M: converged crossings stay put, truncation artefacts move or vanish.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .shotnoise_common import hopf_crossings

NAME = "shotnoise-reentrant"
TITLE = ("Re-entrant Hopf line of the full shot-noise chain at weak drive, with network rho "
         "and mode convergence")
REQUIRES = {"bifkit.network": "spiking-network simulation (inhibitory_qif)"}

K_RANGE = (2.0, 2000.0)
R_RANGE = (1e-4, 5e-3)
SPECTRUM_POINT = dict(K=10.0, i0=7e-4)
M_STYLE = {64: ("x", "0.5"), 128: ("o", "k"), 256: ("s", "tab:red"), 512: ("D", "tab:blue")}


def settings(quick: bool) -> dict:
    if quick:
        return dict(M=[64, 128], ratios=[3e-4, 7e-4, 2e-3], K_grid=np.geomspace(*K_RANGE, 16),
                    net=dict(N=2000, K=[10, 60, 400], ratios=[7e-4], spikes=40.0))
    return dict(M=[64, 128, 256], ratios=list(np.geomspace(1.2e-4, 4e-3, 12)),
                K_grid=np.geomspace(*K_RANGE, 40),
                net=dict(N=10000, K=[4, 8, 16, 32, 64, 128, 256, 512],
                         ratios=[3e-4, 7e-4, 1.5e-3, 3e-3], spikes=200.0))


def spectrum(M: int):
    """|z_n|, n = 1..M, of the stationary chain at SPECTRUM_POINT, and alpha there."""
    import bifkit
    m = bifkit.load_model("shotnoise_chain", M=M, g0=1.0, **SPECTRUM_POINT)
    st = bifkit.find_equilibrium(m, m.default_guess())
    z = np.array([abs(st[k]) for k in m.states])
    alpha = 1.0 / (SPECTRUM_POINT["K"] ** 0.75 * math.sqrt(SPECTRUM_POINT["i0"]))
    return z, alpha


def network(net: dict):
    """rho, rate and CV of the inhibitory network at each (K, i0) of the plan (g0 = 1).

    The run length gives ~``spikes`` spikes per neuron at the rate of the chain's stationary
    state (M = 64): the rate is far from i0 at weak drive (0.003 per tau at i0 = 3e-4, K = 4).
    """
    import bifkit
    from .shotnoise_common import sampled_branch
    rows = []
    for r in net["ratios"]:
        Ks = [K for K in net["K"] if K < net["N"]]
        _K, nu, _stable, _h = sampled_branch("shotnoise_chain", r, Ks)
        for K, rate in zip(Ks, nu):
            T = net["spikes"] / max(float(rate), 1e-6)
            res = bifkit.simulate("inhibitory_qif", N=net["N"], K=K, i0=r, g0=1.0, T=T,
                                  transient=T / 4, seed=1, dt_sample=T / 16384)
            rows.append((K, r, res.rho["all"], res.rates["all"], res.cv["all"]))
    return rows


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    hopf = []  # (M, ratio, K_H, direction)
    for M in st["M"]:
        for r in st["ratios"]:
            for K_H, _x, d in hopf_crossings("shotnoise_chain", r, st["K_grid"], M=M):
                hopf.append((M, r, K_H, d))
    spectra = {M: spectrum(M) for M in st["M"]}
    net = network(st["net"])
    files = {
        "hopf": write_csv(out / f"{NAME}_hopf_points.csv",
                          {k: [h[i] for h in hopf] for i, k in enumerate(
                              ("M", "i0_over_g0sq", "K_hopf", "with_increasing_K"))},
                          "shotnoise_chain Hopf points by sampling K (Brent), g0=1; "
                          "converged crossings agree across M"),
        "network": write_csv(out / f"{NAME}_network.csv",
                             {k: [n[i] for n in net] for i, k in enumerate(
                                 ("K", "i0_over_g0sq", "rho", "rate", "cv"))},
                             f"inhibitory_qif N={st['net']['N']}, g0=1; rate per tau"),
    }
    Mmax = max(st["M"])
    spec_cols = {"n": np.arange(1, Mmax + 1)}
    for M, (z, alpha) in spectra.items():
        spec_cols[f"abs_z_M{M}"] = np.concatenate([z, np.full(Mmax - M, np.nan)])
    files["spectrum"] = write_csv(out / f"{NAME}_zn_spectrum.csv", spec_cols,
                                  f"|z_n| at K={SPECTRUM_POINT['K']}, i0={SPECTRUM_POINT['i0']}, "
                                  f"g0=1 (alpha = {spectra[st['M'][0]][1]:.4g})")
    fig, (ax, axz, axm) = new_figure(1, 3, figsize=(15, 4.8))
    for M in st["M"]:
        mk, c = M_STYLE.get(M, ("^", None))
        pts = [(h[2], h[1]) for h in hopf if h[0] == M]
        if pts:
            ax.plot(*zip(*pts), mk, color=c, mfc="none" if mk != "x" else c, ms=7,
                    label=f"Hopf points, chain M={M}")
    if net:
        sc = ax.scatter([n[0] for n in net], [n[1] for n in net], c=[n[2] for n in net],
                        cmap="viridis", vmin=0, vmax=1, s=120, edgecolors="k", zorder=0,
                        label=f"network $\\rho$ (N={st['net']['N']})")
        import matplotlib.pyplot as plt
        plt.colorbar(sc, ax=ax, pad=0.01).set_label("network coherence $\\rho$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*K_RANGE)
    ax.set_ylim(*R_RANGE)
    ax.set_xlabel("K")
    ax.set_ylabel("i$_0$/g$_0^2$")
    ax.set_title("(a) Hopf points of the full chain")
    ax.legend(fontsize=7, loc="upper right")
    for M, (z, alpha) in spectra.items():
        mk, c = M_STYLE.get(M, ("^", None))
        axz.semilogy(np.arange(1, M + 1), z, "--" if M == min(spectra) else "-", color=c,
                     lw=2.5 if M == min(spectra) else 1.2, label=f"M={M}")
    axz.set_xlabel("mode n")
    axz.set_ylabel("|z$_n$|")
    axz.set_title(f"(b) stationary |z$_n$|, K={SPECTRUM_POINT['K']:g}, "
                  f"i$_0$/g$_0^2$={SPECTRUM_POINT['i0']:g} ($\\alpha$={alpha:.3g})")
    axz.legend(fontsize=8)
    cmap = __import__("matplotlib").colormaps["plasma"]
    for j, r in enumerate(st["ratios"]):
        pts = [(h[0], h[2]) for h in hopf if h[1] == r]
        if pts:
            Ms, Ks = zip(*pts)
            axm.plot(Ms, Ks, "o", color=cmap(j / max(1, len(st["ratios"]) - 1)), ms=5,
                     label=f"i$_0$/g$_0^2$={r:.2g}" if len(st["ratios"]) <= 6 or j % 3 == 0
                     else None)
    axm.set_xscale("log", base=2)
    axm.set_yscale("log")
    axm.set_xticks(st["M"])
    axm.set_xticklabels([str(M) for M in st["M"]])
    axm.set_xlabel("modes M")
    axm.set_ylabel("K at the Hopf point")
    axm.set_title("(c) convergence in the mode count")
    axm.legend(fontsize=7)
    fig.suptitle("Re-entrant Hopf line of the shot-noise mean field at weak drive"
                 + ("  (quick)" if quick else ""))
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
