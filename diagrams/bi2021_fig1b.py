"""Bi, di Volo, Torcini (2021), Fig. 1b: the (K, D_ee) plane of the E-I neural mass.

I_e = 0.001, D_ii = 0.3, I_i = I_e / 1.02.  Same curves and regions as Fig. 1a (see
:mod:`ei_plane`); period-doubling curves from the cycles born at the supercritical Hopf points
on the cuts D_ee = 2.0, 2.5 and 3.0.
"""
from __future__ import annotations

from pathlib import Path

from .common import new_figure, save_figure
from .ei_plane import Plane, compute, draw_plane, write_outputs
from .resume import resume_store

NAME = "bi2021-fig1b"
TITLE = "Plane (K, D_ee), I_e=0.001, D_ii=0.3: Hopf, LPC, PD, node/focus, regions I-V"
REQUIRES = {"bifkit.continuation.codim2": "H-C / NF-C two-parameter curves",
            "bifkit.continuation.cycles.curves": "PD-C / LPC-C two-parameter cycle curves"}

FIXED = dict(I_e=0.001, D_ii=0.3)


def settings(quick: bool) -> dict:
    if quick:
        return dict(cycle=dict(max_points=500, ds_max=0.1), scan_lines=8, grid=(12, 8), cuts=[2.5])
    return dict(cycle=dict(max_points=3000), scan_lines=30, grid=(80, 60), cuts=[2.0, 2.5, 3.0])


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    plane = Plane("K", "D_ee", (10.0, 1e5), (0.0, 4.0), dict(FIXED, K=1000.0, D_ee=2.0))
    xs, ys, labels, timing = compute(plane, scan_lines=st["scan_lines"], x_start=1000.0,
                                     cycle_options=st["cycle"],
                                     pd_cuts=st["cuts"], grid=st["grid"],
                                     store=resume_store(out, NAME, st, quick))
    comment = ("Bi et al. 2021 Fig. 1b; I_e=0.001, D_ii=0.3; timings (s): "
               + " ".join(f"{k}={v:.1f}" for k, v in timing.items()))
    files = write_outputs(plane, out, NAME, xs, ys, labels, comment)
    fig, ax = new_figure(figsize=(10.5, 6.2))
    draw_plane(ax, plane, xs, ys, labels)
    ax.set_xlabel("K")
    ax.set_ylabel("D$_{ee}$ ($\\Delta_0^{(ee)}$)")
    ax.set_title("Bi et al. 2021, Fig. 1b: I$_e$=0.001, D$_{ii}$=0.3"
                 + ("  (quick)" if quick else ""))
    files.update(save_figure(fig, out, NAME))
    return files
