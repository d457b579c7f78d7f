"""Ageeva & Goldobin (2025), Fig. 2: stationary firing rate versus in-degree K.

For i0/g0^2 = 0.01, 0.03, 0.06 and 0.4 (g0 = 1): the stationary state of the full z_n chain
("exact", when the ``shotnoise_chain`` model exists), of the two-circular-cumulant reduction
(2CC, eqs. 19-21) and of the Ott-Antonsen reduction (OA, kappa2 = 0), each continued in K by
EP-C (stable solid, unstable dashed, Hopf points marked), against the inhibitory QIF network
with shot noise (circles).  Rates nu per neuron per membrane time constant (original time t,
not the paper's rescaled tau = K^(1/4) sqrt(i0) t).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .resume import resume_store
from .shotnoise_common import (MEAN_FIELDS, available_mean_fields, hopf_crossings,
                               sampled_branch, stationary_branch)

NAME = "ag2025-fig2"
TITLE = "Shot-noise rates vs K at four i0/g0^2: chain, 2CC, OA and the network"
REQUIRES = {"bifkit.network": "spiking-network simulation (inhibitory_qif)"}

RATIOS = (0.01, 0.03, 0.06, 0.4)
K_RANGE = (10.0, 1e4)


def settings(quick: bool) -> dict:
    if quick:
        return dict(N=2000, K_net=[40, 250], spikes=40.0, T_range=(50.0, 800.0), chain_K=7)
    return dict(N=10000, K_net=[20, 50, 100, 200, 500, 1000, 2000], spikes=400.0,
                T_range=(200.0, 10000.0), chain_K=40)


def network_rates(ratio, st, nu_guess, seed=1, store=None):
    """Network rate (1/tau), rho and CV at each K of the plan; T set for ~``spikes`` per neuron.

    ``store`` (:class:`resume.PhaseStore`, optional): each network run is a saved phase.
    """
    from .resume import PhaseStore
    store = PhaseStore(None, {}) if store is None else store
    rows = []
    for K in st["K_net"]:
        if K >= st["N"]:
            continue
        T = float(np.clip(st["spikes"] / max(nu_guess(K), 1e-4), *st["T_range"]))
        rows.append(store.run(f"network ratio {ratio:g} K {K}", network_point, ratio, K, T,
                              st["N"], seed))
    return rows


def network_point(ratio, K, T, N, seed):
    """(ratio, K, rate, rho, CV, T) of one run of the inhibitory network."""
    import bifkit
    res = bifkit.simulate("inhibitory_qif", N=N, K=K, i0=ratio, g0=1.0, T=T,
                          transient=min(0.2 * T, 200.0), seed=seed,
                          dt_sample=max(0.05, T / 16384))  # sampling costs O(N) per sample
    return (ratio, K, res.rates["all"], res.rho["all"], res.cv["all"], T)


def mean_field_branch(name, ratio, chain_K):
    """(K, nu, stable, [(K_hopf, criticality)]) of mean field ``name`` at ``ratio``: the chain
    by Newton at ``chain_K`` sampled K (128 unknowns) with its Hopf points located by Brent in
    log10 K between the samples (``hopf_crossings``; a linear interpolation of the leading
    eigenvalue between 7 quick samples was 5-20 % off), the reductions by EP-C."""
    if name == "shotnoise_chain":  # Hopf points by Brent on the leading eigenvalue
        K, nu, stable, _interpolated = sampled_branch(name, ratio,
                                                      np.geomspace(*K_RANGE, chain_K))
        return K, nu, stable, [(k, "stability change") for k, _x, _d in
                               hopf_crossings(name, ratio, K, xtol=1e-8)]
    K, nu, stable, hp = stationary_branch(name, ratio, K_RANGE)
    return K, nu, stable, [(h.params["K"], h.data["criticality"]) for h in hp]


def with_hopf_points(K, nu, stable, hopf_K):
    """The branch with its Hopf points inserted (nu interpolated in log K), marked as both
    stable and unstable, so that the solid (stable) and dashed (unstable) parts meet there
    instead of leaving a gap between the last stable and the first unstable sample.

    Returns (K, nu, solid, dashed) arrays sorted by K.
    """
    K, nu, stable = (np.asarray(a) for a in (K, nu, stable))
    hk = np.array([k for k in hopf_K if K.min() < k < K.max()], float)
    order = np.argsort(K)
    hnu = np.interp(np.log(hk), np.log(K[order]), nu[order])
    Ka, nua = np.concatenate([K, hk]), np.concatenate([nu, hnu])
    at_hopf = np.concatenate([np.zeros(len(K), bool), np.ones(len(hk), bool)])
    st = np.concatenate([stable.astype(bool), np.zeros(len(hk), bool)])
    i = np.argsort(Ka, kind="stable")
    return Ka[i], nua[i], (st | at_hopf)[i], (~st | at_hopf)[i]


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    # full mode: each branch and each network run saved in <out>/ag2025-fig2_resume
    store = resume_store(out, NAME, st, quick)
    models = available_mean_fields()
    mf_rows, hopf_rows, net_rows = [], [], []
    branches = {}
    for ratio in RATIOS:
        for name in models:
            K, nu, stable, hopf = store.run(f"{name} ratio {ratio:g}", mean_field_branch, name,
                                            ratio, st["chain_K"])
            branches[(ratio, name)] = (K, nu, stable)
            mf_rows += [(ratio, name, k, n, s) for k, n, s in zip(K, nu, stable)]
            hopf_rows += [(ratio, name, k, c) for k, c in hopf]
        ref = branches[(ratio, models[0])]
        net_rows += network_rates(ratio, st, lambda K, r=ref: float(np.interp(K, r[0], r[1])),
                                  store=store)
    files = {
        "meanfield": write_csv(out / f"{NAME}_meanfield.csv",
                               {k: [r[i] for r in mf_rows] for i, k in enumerate(
                                   ("i0_over_g0sq", "model", "K", "nu", "stable"))},
                               "Ageeva & Goldobin 2025 Fig. 2; g0=1; nu per tau (original time)"),
        "hopf": write_csv(out / f"{NAME}_hopf.csv",
                          {k: [r[i] for r in hopf_rows] for i, k in enumerate(
                              ("i0_over_g0sq", "model", "K", "criticality"))}) if hopf_rows
        else None,
        "network": write_csv(out / f"{NAME}_network.csv",
                             {k: [r[i] for r in net_rows] for i, k in enumerate(
                                 ("i0_over_g0sq", "K", "nu", "rho", "cv", "T"))},
                             f"inhibitory_qif, N={st['N']}, g0=1; nu per tau"),
    }
    files = {k: v for k, v in files.items() if v is not None}
    fig, axes = new_figure(2, 2, figsize=(10, 8.2))
    for ax, ratio, tag in zip(axes.flat, RATIOS, "abcd"):
        lo, hi = _mean_field_range(branches, ratio, models)
        for name in models:
            label, color, _mk = MEAN_FIELDS[name]
            K, nu, solid, dashed = with_hopf_points(
                *branches[(ratio, name)], [r[2] for r in hopf_rows if r[:2] == (ratio, name)])
            mk = _mk if name == "shotnoise_chain" else None
            sample = np.isin(K, branches[(ratio, name)][0])  # markers on samples only
            ax.plot(K, np.where(solid, nu, np.nan), "-", color=color, label=label)
            ax.plot(K, np.where(dashed, nu, np.nan), "--", color=color)
            if mk:
                ax.plot(K[solid & sample], nu[solid & sample], mk, color=color, ms=4)
                ax.plot(K[~solid & sample], nu[~solid & sample], mk, color=color, ms=4,
                        mfc="none")
        for r in hopf_rows:
            if r[0] == ratio:
                K, nu, _s = branches[(ratio, r[1])]
                ax.plot(r[2], np.interp(r[2], K, nu), "*", color=MEAN_FIELDS[r[1]][1], ms=10,
                        mec="k", mew=0.5)
        net = [r for r in net_rows if r[0] == ratio]
        lo = min([lo] + [r[2] / 1.1 for r in net if 0 < r[2] < lo])  # none hidden below
        inside = [r for r in net if r[2] <= hi]
        above = [r for r in net if r[2] > hi]
        if inside:
            ax.plot([r[1] for r in inside], [r[2] for r in inside], "o", color="k", mfc="none")
        for r in above:  # oscillating network far above the mean field: a marker on the edge
            ax.plot(r[1], hi, "^", color="k", mfc="none", ms=7, clip_on=False)
            ax.annotate(f"{r[2]:.3g}", (r[1], hi), textcoords="offset points", xytext=(0, -11),
                        ha="center", fontsize=6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        ax.set_xlabel("K")
        ax.set_ylabel("$\\nu$ (1/$\\tau_m$)")
        ax.set_title(f"({tag}) i$_0$/g$_0^2$ = {ratio:g}")
    handles = [(dict(ls="-", color=MEAN_FIELDS[n][1], marker=MEAN_FIELDS[n][2]
                     if n == "shotnoise_chain" else None, ms=4), MEAN_FIELDS[n][0] + ": stable")
               for n in models]
    handles += [(dict(ls="--", color="0.4", marker="s", mfc="none", ms=4),
                 "unstable: dashed line, open markers (chain)"),
                (dict(ls="none", marker="*", color="0.5", mec="k", ms=10), "Hopf point"),
                (dict(ls="none", marker="o", color="k", mfc="none"), f"network N={st['N']}"),
                (dict(ls="none", marker="^", color="k", mfc="none"),
                 "network above the axis (oscillating; its rate printed)")]
    from matplotlib.lines import Line2D
    fig.legend([Line2D([], [], **kw) for kw, _l in handles], [lab for _kw, lab in handles],
               loc="lower center", ncol=4, fontsize=7, frameon=False)
    missing = [MEAN_FIELDS[n][0] for n in MEAN_FIELDS if n not in models]
    fig.suptitle("Ageeva & Goldobin 2025, Fig. 2 (g$_0$=1)" + ("  (quick)" if quick else "")
                 + (f"\nnot drawn (model missing): {', '.join(missing)}" if missing else ""),
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    files.update(save_figure(fig, out, NAME))
    return files


def _mean_field_range(branches, ratio, models):
    """y-range of a panel from the mean-field curves (10 % margin in log), so that the
    chain / 2CC / OA comparison fills the panel; network points above it go on the edge."""
    nu = np.concatenate([np.asarray(branches[(ratio, n)][1], float) for n in models])
    nu = nu[np.isfinite(nu) & (nu > 0)]
    span = np.log10(nu.max() / nu.min())
    pad = 10 ** (0.1 * max(span, 0.05))
    return nu.min() / pad, nu.max() * pad
