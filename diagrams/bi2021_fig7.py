"""Bi, di Volo, Torcini (2021), Fig. 7 (a-b): rates versus I_e on the D_ee = 1.58 cut.

Mean field (K = 1000, D_ii = 0.3, D_ee = 1.58): the equilibrium branch from EP-C, stable focus
solid and unstable focus dashed, separated by the subcritical Hopf point (paper: I_e = 74.1709);
the unstable cycle born there (LC-C, followed to lower I_e), its extrema of R_e and R_i as
green dash-dotted lines; the spiking network's time-averaged rates (circles, N_e = 10000,
N_i = 2500 in the full version), coloured by the network's coherence rho^(e).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import COLORS, new_figure, save_figure, write_csv

NAME = "bi2021-fig7"
TITLE = "Rates vs I_e on D_ee=1.58: stable/unstable focus, unstable cycle extrema, network"
REQUIRES = {"bifkit.continuation.cycles": "LC-C periodic orbits",
            "bifkit.network": "spiking-network simulation"}

PARAMS = dict(K=1000.0, D_ii=0.3, D_ee=1.58)
I_RANGE = (1e-3, 200.0)


def settings(quick: bool) -> dict:
    """Network sizes, current values and run lengths; cycle continuation length."""
    if quick:
        return dict(N_e=2000, N_i=1500, I_values=[0.032, 0.256, 2.048, 100.0],
                    T_budget=2e4, T_range=(40.0, 1000.0), lc_points=150)
    return dict(N_e=10000, N_i=2500, I_values=[0.001 * 2 ** k for k in range(18)],
                T_budget=1e5, T_range=(100.0, 10000.0), lc_points=300)


def mean_field(lc_points: int):
    """EP-C branch over I_RANGE, its Hopf point, and the cycle branch born there."""
    import bifkit
    m = bifkit.load_model("ei_neural_mass", I_e=0.01, **PARAMS)
    bounds = {"I_e": I_RANGE}
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=bounds,
                             log_params=["I_e"])
    hopf = ep.special_points("H")
    if not hopf:
        raise RuntimeError("no Hopf point on the D_ee = 1.58 cut")
    h = max(hopf, key=lambda s: s.params["I_e"])
    # the unstable cycle grows without bound as I_e decreases (its R_e maximum diverges near
    # I_e ~ 3); large steps, a bounded number of points
    lc = bifkit.continuation(m, "LC-C", h, ["I_e"], bounds=bounds, log_params=["I_e"],
                             max_points=lc_points, ds_max=1.0)
    return m, ep, h, lc


def network_points(m, st, seed=1):
    """Time-averaged network rates (Hz) and coherence at each I_e of the plan."""
    import bifkit
    cols = {k: [] for k in ("I_e", "rate_e", "rate_i", "rho_e", "rho_i", "cv_e", "T_ms",
                            "mf_rate_e", "mf_rate_i")}
    for v in st["I_values"]:
        obs = m.with_params(I_e=v).observables(m.with_params(I_e=v).steady_state()[0])
        T = float(np.clip(st["T_budget"] / max(obs["rate_e"], 1e-3), *st["T_range"]))
        res = bifkit.simulate("ei_qif", N_e=st["N_e"], N_i=st["N_i"], I_e=v, T=T,
                              transient=T / 2, seed=seed, dt_sample=min(1.0, T / 200),
                              K=int(PARAMS["K"]), D_ee=PARAMS["D_ee"], D_ii=PARAMS["D_ii"])
        for k, x in (("I_e", v), ("rate_e", res.rates["e"]), ("rate_i", res.rates["i"]),
                     ("rho_e", res.rho["e"]), ("rho_i", res.rho["i"]), ("cv_e", res.cv["e"]),
                     ("T_ms", T), ("mf_rate_e", obs["rate_e"]), ("mf_rate_i", obs["rate_i"])):
            cols[k].append(x)
    return {k: np.array(v) for k, v in cols.items()}


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    m, ep, hopf, lc = mean_field(st["lc_points"])
    net = network_points(m, st)
    mx, mn = lc.amplitude()
    idx = {s: m.state_names.index(s) for s in ("R_e", "R_i")}
    files = {
        "equilibria": write_csv(out / f"{NAME}_equilibria.csv",
                                {"I_e": ep.params["I_e"], "Re_Hz": 1000 * ep.states["R_e"],
                                 "Ri_Hz": 1000 * ep.states["R_i"], "stable": ep.stable},
                                "Bi et al. 2021 Fig. 7; K=1000, D_ii=0.3, D_ee=1.58; "
                                f"Hopf ({hopf.data['criticality']}) at I_e = "
                                f"{hopf.params['I_e']:.10g}"),
        "cycle": write_csv(out / f"{NAME}_unstable_cycle.csv",
                           {"I_e": lc.params["I_e"], "period_ms": lc.period,
                            "Re_max_Hz": 1000 * mx[:, idx["R_e"]],
                            "Re_min_Hz": 1000 * mn[:, idx["R_e"]],
                            "Ri_max_Hz": 1000 * mx[:, idx["R_i"]],
                            "Ri_min_Hz": 1000 * mn[:, idx["R_i"]],
                            "n_unstable_multipliers": lc.stability}),
        "network": write_csv(out / f"{NAME}_network.csv", net,
                             f"ei_qif network N_e={st['N_e']}, N_i={st['N_i']}, K=1000; "
                             "rates in Hz; T_ms recorded after a T/2 transient"),
    }
    fig, axes = new_figure(1, 2, figsize=(11, 4.6))
    import matplotlib.pyplot as plt
    for ax, pop in zip(axes, ("e", "i")):
        c = COLORS[pop]
        R = 1000 * ep.states[f"R_{pop}"]
        ax.plot(ep.params["I_e"], np.where(ep.stable, R, np.nan), "-", color=c,
                label="stable focus (MF)")
        ax.plot(ep.params["I_e"], np.where(~ep.stable, R, np.nan), "--", color=c,
                label="unstable focus (MF)")
        k = idx[f"R_{pop}"]
        ax.plot(lc.params["I_e"], 1000 * mx[:, k], "-.", color="tab:green",
                label="unstable cycle: max / min")
        ax.plot(lc.params["I_e"], 1000 * mn[:, k], "-.", color="tab:green")
        ax.axvline(hopf.params["I_e"], color=COLORS["H"], ls=":", lw=1,
                   label=f"Hopf ({hopf.data['criticality'][:3]}), I$_e$={hopf.params['I_e']:.6g}")
        sc = ax.scatter(net["I_e"], net[f"rate_{pop}"], c=net["rho_e"], cmap="viridis",
                        vmin=0, vmax=1, edgecolors="k", s=45, zorder=5,
                        label=f"network N$_e$={st['N_e']}, N$_i$={st['N_i']}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*I_RANGE)
        rates = np.concatenate([R, net[f"rate_{pop}"]])
        ax.set_ylim(0.5 * rates[rates > 0].min(), 20 * rates.max())
        ax.set_xlabel("I$_e$")
        ax.set_ylabel(f"R$^{{({pop})}}$ (Hz)")
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_title("(a) excitatory")
    axes[1].set_title("(b) inhibitory")
    cb = plt.colorbar(sc, ax=axes, shrink=0.85, pad=0.01)
    cb.set_label("network coherence $\\rho^{(e)}$ (phase-based: on the genuine phase)")
    fig.suptitle("Bi et al. 2021, Fig. 7: K=1000, D$_{ii}$=0.3, D$_{ee}$=1.58"
                 + ("  (quick)" if quick else ""))
    files.update(save_figure(fig, out, NAME))
    return files
