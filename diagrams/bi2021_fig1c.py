"""Bi, di Volo, Torcini (2021), Fig. 1c: the (D_ii, D_ee) plane with the network's coherence.

K = 1000, I_e = 0.1, I_i = I_e / 1.02.  Curves and regions of the neural mass as in Fig. 1a
(see :mod:`ei_plane`), and the coherence rho^(e) of the excitatory population of the spiking
network (``ei_qif``; N_e = 10000, N_i = 2500 in the full version, a Dask sweep resumable in
``<out>/bi2021-fig1c_sweep``) as coloured markers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .ei_plane import Plane, compute, draw_plane, write_outputs
from .resume import resume_store

NAME = "bi2021-fig1c"
TITLE = "Plane (D_ii, D_ee), K=1000, I_e=0.1: bifurcation curves with the network's rho^(e)"
REQUIRES = {"bifkit.continuation.codim2": "H-C / NF-C two-parameter curves",
            "bifkit.continuation.cycles.curves": "PD-C / LPC-C two-parameter cycle curves",
            "bifkit.network": "spiking-network simulation"}

FIXED = dict(K=1000.0, I_e=0.1)


def settings(quick: bool) -> dict:
    if quick:
        return dict(cycle=dict(max_points=500, ds_max=0.1), scan_lines=8, grid=(12, 8),
                    cuts=[2.0],
                    net=dict(N_e=2000, N_i=1500, T=1000.0, transient=500.0,
                             D_ii=[0.25, 1.0, 1.75], D_ee=[0.5, 2.0, 3.5]))
    return dict(cycle=dict(max_points=3000), scan_lines=30, grid=(80, 60), cuts=[1.0, 2.0, 3.0],
                net=dict(N_e=10000, N_i=2500, T=5000.0, transient=1000.0,
                         D_ii=list(np.linspace(0.125, 1.875, 8)),
                         D_ee=list(np.linspace(0.25, 3.75, 8))))


def network_rho(net: dict, out: Path, quick: bool) -> dict:
    """rho^(e) (and rates) of the network on the (D_ii, D_ee) grid."""
    import bifkit
    fixed = dict(N_e=net["N_e"], N_i=net["N_i"], K=int(FIXED["K"]), I_e=FIXED["I_e"],
                 T=net["T"], transient=net["transient"], seed=1)
    if quick:  # a few points: a plain loop (no cluster start-up)
        rows = []
        for dii in net["D_ii"]:
            for dee in net["D_ee"]:
                r = bifkit.simulate("ei_qif", D_ii=dii, D_ee=dee, **fixed)
                rows.append({"D_ii": dii, "D_ee": dee, "rho_e": r.rho["e"],
                             "rate_e": r.rates["e"], "rate_i": r.rates["i"]})
        return {k: np.array([row[k] for row in rows]) for k in rows[0]}
    table = bifkit.sweep("ei_qif", {"D_ii": net["D_ii"], "D_ee": net["D_ee"]},
                         out / f"{NAME}_sweep", fixed=fixed, progress=True,
                         n_workers=1)  # one process: the machine is shared
    return {k: np.asarray(table[k]) for k in ("D_ii", "D_ee", "rho_e", "rate_e", "rate_i")}


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    plane = Plane("D_ii", "D_ee", (0.0, 2.0), (0.0, 4.0), dict(FIXED, D_ii=0.5, D_ee=2.0),
                  x_log=False)
    xs, ys, labels, timing = compute(plane, scan_lines=st["scan_lines"], x_start=0.5,
                                     cycle_options=st["cycle"],
                                     pd_cuts=st["cuts"], grid=st["grid"],
                                     store=resume_store(out, NAME, st, quick))
    comment = ("Bi et al. 2021 Fig. 1c; K=1000, I_e=0.1; timings (s): "
               + " ".join(f"{k}={v:.1f}" for k, v in timing.items()))
    files = write_outputs(plane, out, NAME, xs, ys, labels, comment)
    rho = network_rho(st["net"], out, quick)
    files["network"] = write_csv(out / f"{NAME}_network.csv", rho,
                                 f"ei_qif N_e={st['net']['N_e']}, N_i={st['net']['N_i']}, "
                                 "K=1000, I_e=0.1; rho_e on the genuine phase; rates Hz")
    fig, ax = new_figure(figsize=(10.5, 6.2))
    sc = ax.scatter(rho["D_ii"], rho["D_ee"], c=rho["rho_e"], cmap="viridis", vmin=0, vmax=1,
                    s=70, edgecolors="k", zorder=9,
                    label=f"network $\\rho^{{(e)}}$ (N$_e$={st['net']['N_e']})")
    draw_plane(ax, plane, xs, ys, labels)
    import matplotlib.pyplot as plt
    cb = plt.colorbar(sc, ax=ax, orientation="horizontal", pad=0.12, shrink=0.5, aspect=30)
    cb.set_label("network coherence $\\rho^{(e)}$ (phase-based: on the genuine phase)")
    ax.set_xlabel("D$_{ii}$ ($\\Delta_0^{(ii)}$)")
    ax.set_ylabel("D$_{ee}$ ($\\Delta_0^{(ee)}$)")
    ax.set_title("Bi et al. 2021, Fig. 1c: K=1000, I$_e$=0.1" + ("  (quick)" if quick else ""))
    files.update(save_figure(fig, out, NAME))
    return files
