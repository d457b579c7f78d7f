"""Ullner, Politi, Torcini (2018), Fig. 2 (a-b): the (W) setup of the massively coupled LIF network.

Average firing rate nu (a) and Golomb's order parameter rho (b, eq. 3, whole network) versus the
coupling Jbar (J = Jbar sqrt(1000/K), K = c N, c = 0.1, g = g0 + g1/sqrt(N), R I0 = 24 mV) for
two or more network sizes; the solid line in (a) is the diffusion approximation for a
noise-driven LIF in the thermodynamic limit (the paper's ref. [31]).  The QIF panels (c-d)
are drawn when the ``theta_massive`` network exists.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv
from .ullner_common import diffusion_rate_W, full_plan, rho_all

NAME = "ullner2018-fig2"
TITLE = "LIF (W) setup: rate and rho vs Jbar for several network sizes, with diffusion approx."
REQUIRES = {"bifkit.network": "spiking-network simulation (lif_massive)"}

MARKERS = {10000: ("o", "k"), 40000: ("s", "tab:green"), 160000: ("D", "tab:red"),
           640000: ("x", "tab:blue"), 2000: ("o", "0.5"), 5000: ("s", "tab:green")}


JBARS_FULL = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0]


def settings(quick: bool) -> dict:
    """Quick: small sizes, short windows. Full: the paper's sizes (LIF 10000 ... 640000, QIF up
    to 160000), 40 s windows and 7/3/2 realizations where this machine's memory and the time
    budget of ``ullner_common.full_plan`` allow; every departure is listed in ``notes`` (drawn in
    the figure and written to the CSV)."""
    if quick:
        plan = [dict(N=N, window_ms=600.0, realizations=1, note="") for N in (2000, 5000)]
        return dict(plans={"lif_massive": plan}, Jbar=[0.05, 0.1, 0.2, 0.4, 0.8],
                    transient=200.0, notes=[])
    plans = {"lif_massive": full_plan([10000, 40000, 160000, 640000], len(JBARS_FULL)),
             "theta_massive": full_plan([10000, 40000, 160000], len(JBARS_FULL))}
    notes = [f"{net}: {p['note']}" for net, pl in plans.items() for p in pl if p["note"]]
    return dict(plans=plans, Jbar=JBARS_FULL, transient=500.0, notes=notes)


def sweep(network, plan, Jbars, transient):
    """Runs per (N, Jbar), averaged over the plan's realizations (seeds 1, 2, ...): rate (Hz),
    whole-network rho, CV."""
    import bifkit
    cols = {k: [] for k in ("network", "N", "Jbar", "rate", "rho", "cv", "window_ms",
                            "realizations")}
    for step in plan:
        if step["realizations"] == 0:
            continue
        N = step["N"]
        for J in Jbars:
            runs = [bifkit.simulate(network, N=N, Jbar=J, setup="W", T=step["window_ms"],
                                    transient=transient, seed=seed)
                    for seed in range(1, step["realizations"] + 1)]
            for k, v in (("network", network), ("N", N), ("Jbar", J),
                         ("rate", np.mean([r.rates["all"] for r in runs])),
                         ("rho", np.mean([rho_all(r) for r in runs])),
                         ("cv", np.mean([r.cv["all"] for r in runs])),
                         ("window_ms", step["window_ms"]),
                         ("realizations", step["realizations"])):
                cols[k].append(v)
    return cols


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    rows = {k: [] for k in ("network", "N", "Jbar", "rate", "rho", "cv", "window_ms",
                            "realizations")}
    skipped = list(st["notes"])
    for net, plan in st["plans"].items():
        try:
            part = sweep(net, plan, st["Jbar"], st["transient"])
        except NotImplementedError as e:
            skipped.append(f"{net}: {e}")
            continue
        for k in rows:
            rows[k] += part[k]
    J_fine = np.geomspace(0.01, 1.2, 40 if quick else 120)
    da = np.array([diffusion_rate_W(J) for J in J_fine])
    files = {"network": write_csv(out / f"{NAME}_network.csv", rows,
                                  "Ullner et al. 2018 Fig. 2, setup W; rate Hz, rho whole network"
                                  + "".join(f"; {n}" for n in st["notes"])),
             "diffusion": write_csv(out / f"{NAME}_diffusion_approx.csv",
                                    {"Jbar": J_fine, "rate": da},
                                    "diffusion approximation, N -> infinity (W setup)")}
    nets = [n for n in st["plans"] if n in rows["network"]]
    fig, axes = new_figure(len(nets), 2, figsize=(10, 3.8 * len(nets)), squeeze=False)
    netcol = np.array(rows["network"], dtype=object)
    for r, net in enumerate(nets):
        ax_nu, ax_rho = axes[r]
        for N in sorted(set(np.array(rows["N"])[netcol == net].tolist())):
            sel = (netcol == net) & (np.array(rows["N"]) == N)
            mk, c = MARKERS.get(N, ("o", None))
            J = np.array(rows["Jbar"])[sel]
            ax_nu.plot(J, np.array(rows["rate"])[sel], mk + "-", color=c, mfc="none",
                       label=f"N = {N}")
            ax_rho.plot(J, np.array(rows["rho"])[sel], mk + "-", color=c, mfc="none",
                        label=f"N = {N}")
        if net == "lif_massive":
            ax_nu.plot(J_fine, da, "-", color="m", label="diffusion approximation")
        kind = "LIF" if net == "lif_massive" else "QIF"
        ax_nu.set_title(f"({'ac'[r]}) {kind}, (W) setup: firing rate")
        ax_rho.set_title(f"({'bd'[r]}) {kind}: order parameter $\\rho$")
        ax_nu.set_ylabel("$\\nu$ (Hz)")
        ax_rho.set_ylabel("$\\rho$")
        ax_rho.set_ylim(0, 1)
        for ax in (ax_nu, ax_rho):
            ax.set_xlabel("$\\bar J$ (mV)")
            ax.legend(fontsize=7)
    note = ("  (quick)" if quick else "") + (f"\nnot as in the paper: {'; '.join(skipped)}"
                                              if skipped else "")
    fig.suptitle("Ullner et al. 2018, Fig. 2" + note, fontsize=9 if skipped else 12)
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
