"""Bi, di Volo, Torcini (2021), Fig. 1a: the (I_e, D_ee) plane of the E-I neural mass.

K = 1000, D_ii = 0.3, I_i = I_e / 1.02.  Curves (Bi et al. colours): Hopf (blue; solid where
supercritical, l1 < 0, dashed where subcritical; Bautin points GH), saddle-node of cycles (red,
LPC-C from the Bautin points), period doubling (yellow, PD-C: a closed loop), node/focus
boundary (green, NF-C); background: the regions I-V (see :mod:`ei_plane`); dashed horizontal
lines: the cuts of Figs. 4-5 (black, D_ee = 2.0) and Fig. 7 (purple, D_ee = 1.58).
"""
from __future__ import annotations

from pathlib import Path

from .common import new_figure, save_figure
from .ei_plane import Plane, compute, draw_plane, write_outputs
from .resume import resume_store

NAME = "bi2021-fig1a"
TITLE = "Plane (I_e, D_ee), K=1000, D_ii=0.3: Hopf (super/sub), LPC, PD, node/focus, regions I-V"
REQUIRES = {"bifkit.continuation.codim2": "H-C / NF-C two-parameter curves",
            "bifkit.continuation.cycles.curves": "PD-C / LPC-C two-parameter cycle curves"}

FIXED = dict(K=1000.0, D_ii=0.3)
CUTS = {2.0: ("k", "Figs. 4-5 cut"), 1.58: ("tab:purple", "Fig. 7 cut")}


def settings(quick: bool) -> dict:
    if quick:
        return dict(cycle=dict(max_points=500, ds_max=0.1), scan_lines=10, grid=(14, 9))
    return dict(cycle=dict(max_points=3000), scan_lines=30, grid=(90, 60))


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    plane = Plane("I_e", "D_ee", (1e-5, 200.0), (0.0, 4.0),
                  dict(FIXED, I_e=0.01, D_ee=2.0))
    xs, ys, labels, timing = compute(plane, scan_lines=st["scan_lines"], x_start=0.1,
                                     cycle_options=st["cycle"],
                                     pd_cuts=[2.0], grid=st["grid"],
                                     store=resume_store(out, NAME, st, quick))
    comment = ("Bi et al. 2021 Fig. 1a; K=1000, D_ii=0.3; timings (s): "
               + " ".join(f"{k}={v:.1f}" for k, v in timing.items()))
    files = write_outputs(plane, out, NAME, xs, ys, labels, comment)
    fig, ax = new_figure(figsize=(10.5, 6.2))
    for y, (c, lab) in CUTS.items():
        ax.axhline(y, color=c, ls=(0, (4, 3)), lw=1, zorder=3)
        ax.plot([], [], ls=(0, (4, 3)), color=c, lw=1, label=f"D$_{{ee}}$={y:g}: {lab}")
    draw_plane(ax, plane, xs, ys, labels)
    ax.set_xlabel("I$_e$ (I$_0^{(e)}$)")
    ax.set_ylabel("D$_{ee}$ ($\\Delta_0^{(ee)}$)")
    ax.set_title("Bi et al. 2021, Fig. 1a: K=1000, D$_{ii}$=0.3" + ("  (quick)" if quick else ""))
    files.update(save_figure(fig, out, NAME))
    return files
