"""Ullner, Politi, Torcini (2018), Fig. 4: the (S) setup, rate versus network size N.

LIF network with R I0 = 0.24 sqrt(N) mV, g = 5, Jbar = 0.2 mV (J = Jbar sqrt(1000/K),
K = 0.1 N): the mean firing rate nu(N) against the paper's fit nu = 30 - 1742.18/sqrt(N) Hz,
whose N -> infinity limit nu = R i0 / (sqrt(c) tau Jcal ((1 - b) g - b)) = 30 Hz is the balance
condition; inset: the order parameter rho (whole network) versus N.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .ullner_common import full_plan, rho_all

NAME = "ullner2018-fig4"
TITLE = "LIF (S) setup: rate vs N against nu = 30 - 1742.18/sqrt(N) Hz, rho vs N"
REQUIRES = {"bifkit.network": "spiking-network simulation (lif_massive)"}

JBAR = 0.2


def settings(quick: bool) -> dict:
    """Quick: three sizes, 400 ms. Full: sizes 1e4 ... 8e4 (the range of the paper's Fig. 4)
    with the paper's 40 s window (its Fig. 2 protocol; Fig. 4 states no window) where the time
    budget of ``ullner_common.full_plan`` allows; departures are listed in ``notes``."""
    if quick:  # below N ~ 6000 the (S) network falls silent (R I0 < V_th and no activity)
        plan = [dict(N=N, window_ms=400.0, realizations=1, note="") for N in (8000, 10000, 13000)]
        return dict(plan=plan, transient=200.0, notes=[])
    plan = full_plan([10000, 14000, 20000, 28000, 40000, 56000, 80000], 1, realizations={})
    return dict(plan=plan, transient=500.0, notes=[p["note"] for p in plan if p["note"]])


def balance_rate(ri0=0.24, c=0.1, tau=20.0, Jbar=JBAR, b=0.8, g=5.0) -> float:
    """N -> infinity rate (Hz) from I_syn + I0 = 0: ri0 / (sqrt(c) tau Jcal ((1-b) g - b))."""
    Jcal = Jbar * math.sqrt(1000.0)
    return 1000.0 * ri0 / (math.sqrt(c) * tau * Jcal * ((1 - b) * g - b))


def run(quick: bool, out: Path) -> dict:
    import bifkit
    out = Path(out)
    st = settings(quick)
    cols = {k: [] for k in ("N", "rate", "rho", "cv", "paper_fit", "window_ms")}
    for step in st["plan"]:
        if step["realizations"] == 0:
            continue
        N = step["N"]
        res = bifkit.simulate("lif_massive", N=N, Jbar=JBAR, setup="S", T=step["window_ms"],
                              transient=st["transient"], seed=1)
        for k, v in (("N", N), ("rate", res.rates["all"]), ("rho", rho_all(res)),
                     ("cv", res.cv["all"]), ("paper_fit", 30 - 1742.18 / math.sqrt(N)),
                     ("window_ms", step["window_ms"])):
            cols[k].append(v)
    sizes = cols["N"]
    nu_inf = balance_rate()
    files = {"network": write_csv(out / f"{NAME}_network.csv", cols,
                                  f"Ullner et al. 2018 Fig. 4, setup S, Jbar={JBAR} mV; rate Hz; "
                                  f"balance limit {nu_inf:.6g} Hz"
                                  + "".join(f"; {n}" for n in st["notes"]))}
    fig, ax = new_figure(figsize=(6.5, 4.5))
    Nf = np.geomspace(min(sizes) * 0.8, max(1e6, 2 * max(sizes)), 200)
    ax.plot(Nf, 30 - 1742.18 / np.sqrt(Nf), "-", color="tab:blue",
            label="paper's fit $\\nu = 30 - 1742.18/\\sqrt{N}$ Hz")
    ax.axhline(nu_inf, color="0.5", ls="--", lw=1, label=f"balance limit {nu_inf:.4g} Hz")
    ax.plot(cols["N"], cols["rate"], "o", color="k", mfc="none", ms=7, label="network (LIF, S)")
    ax.set_xscale("log")
    ax.set_xlabel("N")
    ax.set_ylabel("$\\nu$ (Hz)")
    ax.set_ylim(0, 35)
    ax.legend(fontsize=8, loc="upper left")
    ins = ax.inset_axes([0.63, 0.1, 0.33, 0.33])
    ins.plot(cols["N"], cols["rho"], "o--", color="k", mfc="none", ms=4)
    ins.set_xscale("log")
    ins.set_ylim(0, 1)
    ins.set_xlabel("N", fontsize=7)
    ins.set_ylabel("$\\rho$", fontsize=7)
    ins.tick_params(labelsize=6)
    from matplotlib.ticker import NullFormatter
    ins.xaxis.set_minor_formatter(NullFormatter())
    ax.set_title(f"Ullner et al. 2018, Fig. 4: (S) setup, $\\bar J$ = {JBAR} mV"
                 + ("  (quick)" if quick else "")
                 + (f"\nnot as in the paper: {'; '.join(st['notes'])}" if st["notes"] else ""),
                 fontsize=9 if st["notes"] else 12)
    files.update(save_figure(fig, out, NAME))
    return files
