"""The re-entrant Hopf line of the shot-noise mean field at weak drive (seed 000, second abstract).

For small i0/g0^2 the full z_n chain has global oscillations (GO) at low and at high K with an
asynchronous (AS) window between.

(a) The Hopf line of the full chain in the (K, i0/g0^2) plane as a curve: H-C continuation
    with the mode count raised along it wherever the tail of |z_n| exceeds
    ``bifkit.truncation.DEFAULT_TOL`` (:func:`shotnoise_common.converged_hopf_curve`; solid
    where the Hopf point is supercritical, dashed where l1 > 0), the AS window shaded between
    its lower and upper branch.  Independently, at each ratio the stationary state is
    followed in K with M doubled per point and each change of stability located by Brent
    (:func:`shotnoise_common.converged_hopf_crossings`): these crossings are drawn as markers
    and their distance to the curve is in the CSV (they check it, and they show the lower
    branch where the curve would need more than M_max modes).  Beside it: the 2CC reduction's
    Hopf curve (H-C) and the diffusion-approximation chain (H-C the same way; its large-K Hopf
    pair near K ~ 1e5 as its own curve), and the inhibitory network's phase coherence rho.
(b) The stationary |z_n| at a weak-drive, low-K point for each M: the spectrum decays slowly
    there (alpha = g0 / (K^(3/4) sqrt(i0)) is large), so M must grow.
(c) Each crossing versus M (fixed-M chains, Brent): the same crossing is joined across M;
    crossings of a fixed M that match no converged one are truncation artefacts (grey x).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .resume import resume_store
from .shotnoise_common import (bautin_points, converged_hopf_crossings, hopf_crossings,
                               trace_hopf_curves)

NAME = "shotnoise-reentrant"
TITLE = ("Re-entrant Hopf line of the full shot-noise chain at weak drive (converged M), "
         "2CC and diffusion curves, network rho, mode convergence")
REQUIRES = {"bifkit.network": "spiking-network simulation (inhibitory_qif)"}

K_RANGE = (2.0, 3e5)
R_RANGE = (1e-4, 1e-2)
SPECTRUM_POINT = dict(K=10.0, i0=7e-4)
M_STYLE = {64: ("x", "0.5"), 128: ("o", "k"), 256: ("s", "tab:red"), 512: ("D", "tab:blue")}


def settings(quick: bool) -> dict:
    if quick:
        return dict(M_fixed=[64, 128], ratios=[4e-4, 7e-4, 1.2e-3, 2e-3], M_max=512,
                    # H-C only up to M = 64 here (the test suite runs this): the chain's curve
                    # then stops before the nose (M = 128 ... 512 there); full mode goes on
                    hc_M_max=64, da_hc_M_max=64,
                    K_grid=np.geomspace(3.0, 2000.0, 12),
                    da_ratios=[3e-4, 1.6e-3], da_grid=np.geomspace(20.0, 3e5, 14),
                    net=dict(N=2000, K=[10, 60, 400], ratios=[7e-4], spikes=40.0))
    return dict(M_fixed=[64, 128, 256, 512], ratios=list(np.geomspace(1.5e-4, 5e-3, 10)),
                M_max=1024, hc_M_max=512, da_hc_M_max=256, K_grid=np.geomspace(2.0, 2000.0, 30),
                da_ratios=list(np.geomspace(1.2e-4, 8e-3, 10)),
                da_grid=np.geomspace(20.0, 3e5, 30),
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


def network(net: dict, store=None):
    """rho, rate and CV of the inhibitory network at each (K, i0) of the plan (g0 = 1).

    The run length gives ~``spikes`` spikes per neuron at the rate of the chain's stationary
    state (M = 64): the rate is far from i0 at weak drive (0.003 per tau at i0 = 3e-4, K = 4).
    ``store`` (:class:`resume.PhaseStore`, optional): each run is a saved phase.
    """
    from .resume import PhaseStore
    from .shotnoise_common import sampled_branch
    store = PhaseStore(None, {}) if store is None else store
    rows = []
    for r in net["ratios"]:
        Ks = [K for K in net["K"] if K < net["N"]]
        _K, nu, _stable, _h = store.run(f"network chain rates ratio {r:g}", sampled_branch,
                                        "shotnoise_chain", r, Ks)
        for K, rate in zip(Ks, nu):
            T = net["spikes"] / max(float(rate), 1e-6)
            rows.append(store.run(f"network ratio {r:g} K {K}", network_point, net["N"], K,
                                  r, T))
    return rows


def network_point(N, K, r, T):
    """(K, ratio, rho, rate, CV) of one inhibitory-network run of length T (tau)."""
    import bifkit
    res = bifkit.simulate("inhibitory_qif", N=N, K=K, i0=r, g0=1.0, T=T, transient=T / 4,
                          seed=1, dt_sample=T / 16384)
    return (K, r, res.rho["all"], res.rates["all"], res.cv["all"])


def twocc_curve():
    """The 2CC reduction's Hopf curve (H-C in (K, i0), g0 = 1), or None if it fails."""
    from .ag2025_fig1a import hopf_curve
    try:
        hc = hopf_curve("shotnoise_2cc")
    except Exception:  # the figure keeps the chains; the CSV note says why
        return None
    return np.asarray(hc.params["K"]), np.asarray(hc.params["i0"])


def branches(curve):
    """The lower (GO->AS) and upper (AS->GO) branch of a re-entrant Hopf curve, split at its
    smallest i0 (the nose): ((K, i0) lower, (K, i0) upper); (None, whole curve) if the
    curve has no nose inside (i0 monotone along it: an upper branch only)."""
    K, r = np.asarray(curve["K"]), np.asarray(curve["i0"])
    k = int(np.argmin(r))
    if k in (0, len(r) - 1):
        return None, (K, r)
    a, b = (K[: k + 1], r[: k + 1]), (K[k:], r[k:])
    return (a, b) if np.median(a[0]) < np.median(b[0]) else (b, a)


def as_window(curves, rows):
    """Polygon (K, i0) of the asynchronous window of the full chain: between the lower and
    the upper Hopf branch, each made of the H-C curve points and the Brent crossings
    (GO->AS lower, AS->GO upper), interpolated in log i0 where both are known."""
    lo = [([c["K"]], [c["ratio"]]) for c in rows if c["direction"] == "GO->AS"]
    hi = [([c["K"]], [c["ratio"]]) for c in rows if c["direction"] == "AS->GO"]
    for cv in curves:
        a, b = branches(cv)
        if a is not None:
            lo.append(a)
        hi.append(b)
    if not lo or not hi:
        return np.array([]), np.array([])
    (Kl, rl), (Ku, ru) = [(np.concatenate([p[0] for p in ps]), np.concatenate([p[1] for p in ps]))
                          for ps in (lo, hi)]
    bottom, top = max(rl.min(), ru.min()), min(rl.max(), ru.max())
    if not bottom < top:
        return np.array([]), np.array([])
    q = np.geomspace(bottom, top, 80)
    il, iu = np.argsort(rl), np.argsort(ru)
    low = 10 ** np.interp(np.log10(q), np.log10(rl[il]), np.log10(Kl[il]))
    high = 10 ** np.interp(np.log10(q), np.log10(ru[iu]), np.log10(Ku[iu]))
    return np.concatenate([low, high[::-1]]), np.concatenate([q, q[::-1]])


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    # full mode: every crossing search, curve, fixed-M scan, spectrum and network run is
    # saved in <out>/shotnoise-reentrant_resume and reused on a rerun (resume.PhaseStore)
    store = resume_store(out, NAME, st, quick)
    rows = []  # converged crossings of the chain and the diffusion chain
    for model, ratios, grid, M_max in (("shotnoise_chain", st["ratios"], st["K_grid"],
                                        st["M_max"]),
                                       ("diffusion_chain", st["da_ratios"], st["da_grid"], 256)):
        for r in ratios:
            cross, _samples = store.run(f"crossings {model} ratio {r:.6g}",
                                        converged_hopf_crossings, model, r, grid, M_max=M_max)
            rows += [dict(c, model=model, ratio=r) for c in cross]
    curves, traced = {}, []  # H-C with converged M through the crossings (a checks b)
    for model, M_max in (("shotnoise_chain", st["hc_M_max"]),
                         ("diffusion_chain", st["da_hc_M_max"])):
        curves[model], cr = trace_hopf_curves(model, [c for c in rows if c["model"] == model],
                                              {"K": K_RANGE, "i0": R_RANGE}, M_max=M_max,
                                              store=store)
        traced += cr
    rows = traced
    fixed = []  # (M, ratio, K_H, direction) of the fixed-M chains
    for M in st["M_fixed"]:
        for r in st["ratios"]:
            found = store.run(f"fixed M {M} ratio {r:.6g}", hopf_crossings, "shotnoise_chain",
                              r, st["K_grid"], M=M)
            fixed += [(M, r, K_H, d) for K_H, _x, d in found]
    spectra = {M: store.run(f"spectrum M {M}", spectrum, M)
               for M in sorted(set(st["M_fixed"]) | {st["M_max"]})}
    net = network(st["net"], store)
    twocc = store.run("2CC H-C", twocc_curve)
    files = {
        "hopf": write_csv(out / f"{NAME}_hopf_points.csv",
                          {k: [r[k] for r in rows] for k in ("model", "ratio", "K", "M", "tail",
                                                             "converged", "direction",
                                                             "curve_distance")},
                          "Hopf points by sampling K and Brent, M per point (tail <= "
                          "bifkit.truncation.DEFAULT_TOL where converged); ratio = i0/g0^2, "
                          "g0 = 1; direction with increasing K; curve_distance: decades "
                          "(log10 K, log10 i0) to the nearest H-C curve (inf: none traced "
                          "there, e.g. M above the H-C M_max)"),
        "curves": write_csv(out / f"{NAME}_hopf_curves.csv", curves_table(curves),
                            "H-C continuation in (K, i0) with M raised along the curve where "
                            "the tail exceeds bifkit.truncation.DEFAULT_TOL (g0 = 1); l1 from "
                            "H-C (> 0: subcritical; drawn for the full chain only, the "
                            "diffusion chain's large-K pair has l1 changing sign many times, "
                            "not checked); ends: why each end stopped. The hopf_points "
                            "curve_distance includes the chord error of this polyline "
                            "(steps up to 0.05 decades: ~3e-4 decades near the nose)"),
        "fixed_M": write_csv(out / f"{NAME}_hopf_fixed_M.csv",
                             {k: [h[i] for h in fixed] for i, k in enumerate(
                                 ("M", "i0_over_g0sq", "K_hopf", "with_increasing_K"))},
                             "shotnoise_chain at fixed M, Hopf points by sampling K (Brent); "
                             "crossings that move or vanish with M are truncation artefacts"),
        "network": write_csv(out / f"{NAME}_network.csv",
                             {k: [n[i] for n in net] for i, k in enumerate(
                                 ("K", "i0_over_g0sq", "rho", "rate", "cv"))},
                             f"inhibitory_qif N={st['net']['N']}, g0=1; rate per tau; rho: "
                             f"phase-based coherence"),
    }
    Mmax = max(spectra)
    spec_cols = {"n": np.arange(1, Mmax + 1)}
    for M, (z, alpha) in spectra.items():
        spec_cols[f"abs_z_M{M}"] = np.concatenate([z, np.full(Mmax - M, np.nan)])
    files["spectrum"] = write_csv(out / f"{NAME}_zn_spectrum.csv", spec_cols,
                                  f"|z_n| at K={SPECTRUM_POINT['K']}, i0={SPECTRUM_POINT['i0']}, "
                                  f"g0=1 (alpha = {spectra[st['M_fixed'][0]][1]:.4g})")
    fig, (ax, axz, axm) = new_figure(1, 3, figsize=(18, 8.0),
                                     gridspec_kw=dict(width_ratios=[1.9, 1, 1]))
    draw_plane(ax, rows, curves, net, twocc, st)
    draw_spectra(axz, spectra)
    draw_convergence(axm, rows, fixed, st)
    fig.suptitle("Re-entrant Hopf line of the shot-noise mean field at weak drive"
                 + ("  (quick)" if quick else ""))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    files.update(save_figure(fig, out, NAME))
    return files


def curves_table(curves) -> dict:
    """All traced curves as one long table (model, curve index, K, i0, M, tail, l1, end)."""
    cols = {k: [] for k in ("model", "curve", "K", "i0_over_g0sq", "M", "tail", "l1", "ends")}
    for model, cvs in curves.items():
        for j, cv in enumerate(cvs):
            n = len(cv["K"])
            cols["model"] += [model] * n
            cols["curve"] += [j] * n
            cols["K"] += list(cv["K"])
            cols["i0_over_g0sq"] += list(cv["i0"])
            cols["M"] += list(cv["M"])
            cols["tail"] += list(cv["tail"])
            cols["l1"] += list(cv["l1"])
            cols["ends"] += [" / ".join(cv["ends"])] * n
    return cols


def draw_chain_curves(ax, cvs, color, ls_super, label, large_label=None, criticality=True):
    """Hopf curves (``ls_super``; with ``criticality`` dotted where l1 > 0 and the Bautin
    points), the M used along them, and an x where a curve ends for want of modes."""
    labelled = set()
    for cv in cvs:
        K, r, l1 = cv["K"], cv["i0"], cv["l1"]
        large = large_label is not None and np.min(K) > 3e4
        lab = large_label if large else label
        sub = (l1 > 0) if criticality else np.zeros(len(K), bool)
        ax.plot(K, np.where(sub, np.nan, r), ls_super, color=color, lw=2,
                label=None if lab in labelled else lab)
        labelled.add(lab)
        ax.plot(K, np.where(sub, r, np.nan), ":", color=color, lw=2)
        for k in np.flatnonzero(np.diff(cv["M"]) != 0) + 1:  # where M was doubled
            ax.plot(K[k], r[k], "|", color=color, ms=9, mew=1.5)
            ax.annotate(f"M={cv['M'][k]}", (K[k], r[k]), textcoords="offset points",
                        xytext=(-30, 2), fontsize=6, color=color)
        for gk, gr in bautin_points(cv) if criticality else []:
            ax.plot(gk, gr, "o", color=color, mec="k", ms=6, zorder=6)
            ax.annotate("GH", (gk, gr), textcoords="offset points", xytext=(4, -9), fontsize=7)
        for end, k in zip(cv["ends"], (0, -1)):
            if end.startswith("truncation"):
                ax.plot(K[k], r[k], "x", color=color, ms=8, mew=2, zorder=6)


def draw_plane(ax, rows, curves, net, twocc, st):
    """Panel (a): Hopf curves, sampled crossings, AS window, network rho; legend below."""
    import matplotlib.pyplot as plt
    chain = curves.get("shotnoise_chain", [])
    Kw, rw = as_window(chain, [c for c in rows if c["model"] == "shotnoise_chain"
                               and c["converged"] and c["K"] < 3e4])
    if Kw.size:
        ax.fill(Kw, rw, color="0.88", zorder=0, label="AS window of the full chain")
        ax.text(math.sqrt(Kw.min() * Kw.max()), float(np.median(rw)), "AS", ha="center",
                va="center", fontsize=12, fontweight="bold")
    draw_chain_curves(ax, chain, "k", "-", f"full chain, H-C, M raised to tail <= 1e-8 "
                      f"(M <= {st['hc_M_max']}; dotted: l1 > 0)")
    for k, d in enumerate(("GO->AS", "AS->GO")):
        pts = [c for c in rows if c["model"] == "shotnoise_chain" and c["converged"]
               and c["direction"] == d]
        if pts:
            ax.plot([c["K"] for c in pts], [c["ratio"] for c in pts], "os"[k], color="k",
                    mfc="w" if k == 0 else "0.6", ms=6, zorder=5,
                    label=f"full chain, Brent at fixed ratio, M <= {st['M_max']}: "
                    + ("lower crossing (GO->AS)" if k == 0 else "upper crossing (AS->GO)"))
    ax.plot([], [], "x", color="k", ms=8, mew=2, label="H-C ends: more modes needed than M_max")
    bad = [c for c in rows if c["model"] == "shotnoise_chain" and not c["converged"]]
    if bad:
        ax.plot([c["K"] for c in bad], [c["ratio"] for c in bad], "x", color="tab:orange",
                ms=8, label=f"chain crossing not converged at M = {st['M_max']}")
    draw_chain_curves(ax, curves.get("diffusion_chain", []), "tab:red", "--",
                      "diffusion-approximation chain (H-C)",
                      "diffusion chain: its large-K Hopf pair (H-C)", criticality=False)
    da = [c for c in rows if c["model"] == "diffusion_chain" and c["converged"]]
    if da:
        ax.plot([c["K"] for c in da], [c["ratio"] for c in da], "o", color="tab:red", mfc="none",
                ms=4, label="diffusion chain, Brent at fixed ratio")
    if twocc is not None:
        ax.plot(*twocc, "-.", color="0.45", lw=1.6, label="2CC reduction (H-C)")
    if net:
        # small and under the curves: the rho colour must not hide the Hopf line it tests
        sc = ax.scatter([n[0] for n in net], [n[1] for n in net], c=[n[2] for n in net],
                        cmap="viridis", vmin=0, vmax=1, s=45, edgecolors="k", linewidths=0.5,
                        zorder=1,
                        label=f"network (N={st['net']['N']}), colour: $\\rho$")
        plt.colorbar(sc, ax=ax, pad=0.01).set_label("network phase coherence $\\rho$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*K_RANGE)
    ax.set_ylim(*R_RANGE)
    ax.set_xlabel("K")
    ax.set_ylabel("i$_0$/g$_0^2$")
    ax.set_title("(a) Hopf curves (H-C, converged M); grey: asynchronous window (AS) of the "
                 "full chain; markers: crossings by Brent", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2,
              frameon=False)


def draw_spectra(axz, spectra):
    for M, (z, alpha) in spectra.items():
        mk, c = M_STYLE.get(M, ("^", None))
        axz.semilogy(np.arange(1, M + 1), z, "--" if M == min(spectra) else "-", color=c,
                     lw=2.5 if M == min(spectra) else 1.2, label=f"M={M}")
    axz.set_xlabel("mode n")
    axz.set_ylabel("|z$_n$|")
    axz.set_title(f"(b) stationary |z$_n$|, K={SPECTRUM_POINT['K']:g}, "
                  f"i$_0$/g$_0^2$={SPECTRUM_POINT['i0']:g} ($\\alpha$={alpha:.3g})", fontsize=9)
    axz.legend(fontsize=8)


def draw_convergence(axm, rows, fixed, st):
    """Panel (c): each converged crossing followed across the fixed-M chains (matched by
    direction and the nearest K within a factor 1.6); unmatched crossings are artefacts."""
    import matplotlib
    cmap = matplotlib.colormaps["plasma"]
    conv = [c for c in rows if c["model"] == "shotnoise_chain" and c["converged"]]
    used = set()
    for j, r in enumerate(st["ratios"]):
        color = cmap(0.85 * j / max(1, len(st["ratios"]) - 1))
        for c in (c for c in conv if c["ratio"] == r):
            Ms, Ks = [], []
            for M in st["M_fixed"]:
                cand = [(abs(math.log(f[2] / c["K"])), i) for i, f in enumerate(fixed)
                        if f[0] == M and f[1] == r and f[3] == c["direction"]
                        and abs(math.log(f[2] / c["K"])) < math.log(1.6)]
                if cand:
                    i = min(cand)[1]
                    used.add(i)
                    Ms.append(M)
                    Ks.append(fixed[i][2])
            Ms.append(c["M"])
            Ks.append(c["K"])
            ls = "-" if c["direction"] == "GO->AS" else ":"
            axm.plot(Ms, Ks, ls, color=color, marker="o", ms=4)
            axm.plot(c["M"], c["K"], "*", color=color, ms=11, mec="k", mew=0.5)
        axm.plot([], [], "-", color=color, marker="o", ms=4, label=f"i$_0$/g$_0^2$={r:.2g}")
    art = [f for i, f in enumerate(fixed) if i not in used]
    if art:
        axm.plot([f[0] for f in art], [f[2] for f in art], "x", color="0.5", ms=6,
                 label="fixed-M crossing matching none converged (artefact)")
    axm.plot([], [], "-", color="0.3", label="lower crossing (GO->AS)")
    axm.plot([], [], ":", color="0.3", label="upper crossing (AS->GO)")
    axm.plot([], [], "*", color="0.6", mec="k", ms=10, label="converged (M per point)")
    Ms = sorted(set(st["M_fixed"]) | {c["M"] for c in conv})
    axm.set_xscale("log", base=2)
    axm.set_yscale("log")
    axm.set_xticks(Ms)
    axm.set_xticklabels([str(M) for M in Ms])
    axm.set_xlabel("modes M")
    axm.set_ylabel("K at the Hopf point")
    axm.set_title("(c) each crossing across M", fontsize=9)
    axm.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2,
               frameon=False)
