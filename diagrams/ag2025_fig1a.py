"""Ageeva & Goldobin (2025), Fig. 1a: Hopf curves in the (K, i0/g0^2) plane.

The boundary between asynchronous (AS) and global-oscillation (GO) regimes for the full z_n
chain ("exact", black solid; the mode count M chosen per point so that the tail of |z_n| stays
below ``bifkit.truncation.DEFAULT_TOL``, see :func:`shotnoise_common.converged_hopf_crossings`;
H-C pieces of the M = 64 chain are drawn only where their tail is below it), the diffusion
approximation of the chain (red dashed; its second Hopf pair at K ~ 1e5 as its own curve),
and the 2CC reduction (grey dash-dotted), with the line K_D(i0/g0^2) above which (by 1-2
decades) the diffusion approximation holds (cyan, Sec. 7.1), and the cuts of Figs. 2-3
(magenta).  The 2CC curve is an H-C continuation; the chains (128 real unknowns) are located
by sampling K at fixed i0 and locating each change of stability (quick), plus H-C continued from
those points in the full version.  Only K and i0/g0^2 matter (g0 = 1 here).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import model_has, new_figure, save_figure, write_csv
from .resume import resume_store
from .shotnoise_common import (K_D, LARGE_K, converged_hopf_crossings, large_K_newton_tol,
                               large_K_pair)

NAME = "ag2025-fig1a"
TITLE = "Hopf curve in (K, i0/g0^2): full z_n chain, 2CC, diffusion approximation, K_D line"
REQUIRES = {"bifkit.continuation.codim2": "H-C two-parameter Hopf curves"}

K_RANGE = (1.0, 3e5)
R_RANGE = (1e-4, 10.0)
CURVES = {  # model -> (label, colour, line style)
    "shotnoise_chain": ("full chain (converged M)", "k", "-"),
    "diffusion_chain": ("diffusion approximation (chain)", "tab:red", "--"),
    "shotnoise_2cc": ("2CC reduction", "0.45", "-."),
}
FIG2_RATIOS = (0.01, 0.03, 0.06, 0.4)
FIG3_RATIOS = (0.2, 0.4, 0.8)


def settings(quick: bool) -> dict:
    if quick:
        return dict(ratios=np.geomspace(2e-4, 5.0, 9), K_grid=np.geomspace(10.0, 3e5, 22),
                    continue_chains=False, M_max=512)
    return dict(ratios=np.geomspace(1.2e-4, 8.0, 40), K_grid=np.geomspace(2.0, 3e5, 60),
                continue_chains=True, M_max=1024)


def hopf_curve(name, start=None, tol=None):
    """H-C of ``name`` in (K, i0) (log-log) from an EP-C Hopf point or a given start;
    ``tol``: H-C's Newton tolerance (default the continuation's)."""
    import bifkit
    if start is None:
        m = bifkit.load_model(name, K=10.0, i0=0.4, g0=1.0)
        x = bifkit.find_equilibrium(m, m.default_guess())
        br = bifkit.continuation(m, "EP-C", x, ["K"], bounds={"K": K_RANGE}, log_params=["K"])
        hs = br.special_points("H")
        if not hs:
            raise RuntimeError(f"{name}: no Hopf point along K at i0/g0^2 = 0.4")
        start, m = hs[0], m
    else:
        m = bifkit.load_model(name, K=start["params"]["K"], i0=start["params"]["i0"], g0=1.0)
    return bifkit.continuation(m, "H-C", start, ["K", "i0"],
                               bounds={"K": K_RANGE, "i0": R_RANGE}, log_params=["K", "i0"],
                               max_points=3000, **({} if tol is None else {"tol": tol}))


def _state_at(name, ratio, K):
    """The stationary state vector of the M = 64 model at (K, i0 = ratio)."""
    import bifkit
    m = bifkit.load_model(name, K=K, i0=ratio, g0=1.0)
    return m.pack(bifkit.find_equilibrium(m, m.default_guess()))


def crossings_at(name, r, st, lines):
    """The converged Hopf crossings of chain ``name`` at i0/g0^2 = ``r`` (sampled K, M per
    point) and, in full mode, H-C of the M = 64 chain from each crossing that M = 64 resolves
    and no earlier curve (``lines``) passes.  Returns (rows, new curve pieces, notes)."""
    import bifkit
    from bifkit import truncation
    rows, pieces, notes = [], [], []
    cross, _s = converged_hopf_crossings(name, float(r), st["K_grid"], M_max=st["M_max"])
    for c in cross:
        if not c["converged"]:
            notes.append(f"{name} at i0/g0^2={r:.4g}: crossing K={c['K']:.4g} not "
                         f"converged at M={c['M']} (tail {c['tail']:.2g}); left out")
            continue
        K_H, d = c["K"], c["direction"]
        rows.append((name, float(r), K_H, d, c["M"]))
        if c["M"] != 64:
            continue  # H-C runs at M = 64 only where that M is enough
        if st["continue_chains"] and not any(
                np.any(np.hypot(np.log10(p[0] / K_H), np.log10(p[1] / r)) < 0.02)  # NaN: not near
                for p in lines + pieces):
            m = bifkit.load_model(name, K=K_H, i0=float(r), g0=1.0)
            try:  # the crossing's own state (Brent's last Newton solve at M = 64)
                x = c["x"] if c.get("x") is not None else _state_at(name, float(r), K_H)
                # the large-K pairs: H-C's start stalls at residual 1e-10-6e-9 at the
                # default tol 1e-10 (the run's notes said "try tol=1e-07")
                hc = hopf_curve(name, {"state": m.unpack(x), "params": m.params},
                                tol=large_K_newton_tol(K_H))
                ok = np.array([truncation.tail(m, hc.x[i]) <= truncation.DEFAULT_TOL
                               for i in range(len(hc))])
                pieces.append((np.where(ok, hc.params["K"], np.nan), hc.params["i0"],
                               hc.data["l1"]))
            except Exception as e:
                notes.append(f"{name} H-C from K={K_H:.4g}, i0={r:.4g}: {e}")
    return rows, pieces, notes


def twocc_curve():
    """H-C of the 2CC reduction: ([(K, i0, l1)], Bautin points, notes)."""
    try:
        hc = hopf_curve("shotnoise_2cc")
    except Exception as e:
        return [], [], [f"shotnoise_2cc H-C: {e}"]
    return ([(hc.params["K"], hc.params["i0"], hc.data["l1"])],
            [(s.params["K"], s.params["i0"]) for s in hc.special_points("GH")], [])


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    # full mode: each (model, ratio) and the 2CC curve saved in <out>/ag2025-fig1a_resume
    store = resume_store(out, NAME, st, quick)
    rows = []      # sampled crossings: model, ratio, K_H, direction
    lines = {}     # model -> list of (K, ratio, l1) arrays from H-C
    notes = []
    for name in ("shotnoise_chain", "diffusion_chain"):
        if not model_has(name):
            notes.append(f"{name}: model not available")
            continue
        for r in st["ratios"]:
            new_rows, pieces, new_notes = store.run(f"{name} ratio {r:.6g}", crossings_at,
                                                    name, r, st, lines.get(name, []))
            rows += new_rows
            notes += new_notes
            if pieces:
                lines.setdefault(name, []).extend(pieces)
    pieces, gh, new_notes = store.run("2CC H-C", twocc_curve)
    notes += new_notes
    if pieces:
        lines["shotnoise_2cc"] = pieces
    files = {"sampled": write_csv(out / f"{NAME}_hopf_sampled.csv",
                                  {k: [row[i] for row in rows] for i, k in enumerate(
                                      ("model", "i0_over_g0sq", "K_hopf", "with_increasing_K",
                                       "M"))},
                                  "Ageeva & Goldobin 2025 Fig. 1a; g0=1; Hopf points located by "
                                  "sampling K at fixed i0 (Brent on the leading eigenvalue), M "
                                  "per point with tail <= bifkit.truncation.DEFAULT_TOL"
                                  + "".join(f"\nnote: {n}" for n in notes))}
    cc = {"model": [], "piece": [], "K": [], "i0_over_g0sq": [], "l1": []}
    for name, pieces in lines.items():
        for k, (K, r, l1) in enumerate(pieces):
            cc["model"] += [name] * len(K)
            cc["piece"] += [k] * len(K)
            cc["K"] += list(K)
            cc["i0_over_g0sq"] += list(r)
            cc["l1"] += list(l1)
    if cc["K"]:
        files["curves"] = write_csv(out / f"{NAME}_hopf_curves.csv", cc, "H-C continuations")

    fig, ax = new_figure(figsize=(10.5, 6))
    for name, (label, c, ls) in CURVES.items():
        for k, (K, r, _l1) in enumerate(lines.get(name, [])):
            ax.plot(K, r, ls, color=c, lw=1.8, label=label if k == 0 else None)
        pts = [(row[2], row[1]) for row in rows if row[0] == name
               and not (row[2] > 3e4 and row[1] < 0.05)]  # the large-K pairs: below
        if pts:
            Kp, rp = zip(*pts)
            ax.plot(Kp, rp, "o", color=c, mfc="none" if lines.get(name) else c, ms=4,
                    label=None if lines.get(name) else f"{label} (sampled Hopf points)")
    as_dicts = [dict(model=row[0], ratio=row[1], K=row[2]) for row in rows]
    for name, c, ls in (("shotnoise_chain", "k", "-"), ("diffusion_chain", "tab:red", "--")):
        Kp, rp = large_K_pair(as_dicts, name)
        if Kp.size:
            # joined into a curve only where it is sampled at >= 3 ratios with both members
            # (a quick run has one or two: a line through them would invent its shape)
            # ... and not where H-C traced the pair (then the squares check the curve)
            traced = any(np.any(np.isfinite(K)) and np.nanmin(K) > LARGE_K
                         for K, _r, _l1 in lines.get(name, []))
            joined = np.sum(np.unique(rp, return_counts=True)[1] == 2) >= 3 and not traced
            ax.plot(Kp, rp, linestyle=ls if joined else "none", color=c, marker="s", ms=5,
                    mfc="none", lw=1.4, label=f"{CURVES[name][0].split(' (')[0]}: second Hopf "
                    "pair at large K" + (" (H-C; squares: sampled crossings)" if traced else
                                         "" if joined else " (sampled points)"))
    for K, r in gh:
        ax.plot(K, r, "o", color="0.45", mec="k", ms=6)
        ax.annotate("GH (2CC)", (K, r), textcoords="offset points", xytext=(5, -10), fontsize=7)
    rr = np.geomspace(R_RANGE[0], 0.9, 200)
    ax.plot(K_D(rr), rr, "-", color="c", lw=1.5, label="K$_D$ (Sec. 7.1)")
    for r in sorted(set(FIG2_RATIOS + FIG3_RATIOS)):
        ax.axhline(r, color="m", lw=0.7, ls=":", zorder=0)
    ax.plot([], [], ":", color="m", lw=0.7, label="cuts of Figs. 2-3")
    ax.text(3e3, 2e-3, "GO", fontsize=14, fontweight="bold")
    ax.text(2.0, 2.0, "AS", fontsize=14, fontweight="bold")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*K_RANGE)
    ax.set_ylim(*R_RANGE)
    ax.set_xlabel("K")
    ax.set_ylabel("i$_0$/g$_0^2$")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    ax.set_title("Ageeva & Goldobin 2025, Fig. 1a: Hopf curves (GO: global oscillations, "
                 "AS: asynchronous)" + ("  (quick)" if quick else ""), fontsize=9)
    files.update(save_figure(fig, out, NAME))
    return files
