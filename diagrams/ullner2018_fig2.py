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
from .ullner_common import diffusion_rate_W, rho_all

NAME = "ullner2018-fig2"
TITLE = "LIF (W) setup: rate and rho vs Jbar for several network sizes, with diffusion approx."
REQUIRES = {"bifkit.network": "spiking-network simulation (lif_massive)"}

MARKERS = {10000: ("o", "k"), 40000: ("s", "tab:green"), 160000: ("D", "tab:red"),
           640000: ("x", "tab:blue"), 2000: ("o", "0.5"), 5000: ("s", "tab:green")}


def settings(quick: bool) -> dict:
    if quick:
        return dict(sizes=[2000, 5000], Jbar=[0.05, 0.1, 0.2, 0.4, 0.8], T=600.0,
                    transient=200.0, networks=("lif_massive",))
    # paper: 40 s windows, up to seven realisations, N up to 640000; here one 2 s window per
    # point (the cost grows like c N^2 T: ~2e10 synaptic events per point at N = 40000)
    return dict(sizes=[10000, 40000], Jbar=[0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0],
                T=2000.0, transient=500.0, networks=("lif_massive", "theta_massive"))


def sweep(network, sizes, Jbars, T, transient, seed=1):
    """One run per (N, Jbar): rate (Hz), whole-network rho, CV."""
    import bifkit
    cols = {k: [] for k in ("network", "N", "Jbar", "rate", "rho", "cv")}
    for N in sizes:
        for J in Jbars:
            res = bifkit.simulate(network, N=N, Jbar=J, setup="W", T=T, transient=transient,
                                  seed=seed)
            for k, v in (("network", network), ("N", N), ("Jbar", J), ("rate", res.rates["all"]),
                         ("rho", rho_all(res)), ("cv", res.cv["all"])):
                cols[k].append(v)
    return cols


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    rows = {k: [] for k in ("network", "N", "Jbar", "rate", "rho", "cv")}
    skipped = []
    for net in st["networks"]:
        try:
            part = sweep(net, st["sizes"], st["Jbar"], st["T"], st["transient"])
        except NotImplementedError as e:
            skipped.append(f"{net}: {e}")
            continue
        for k in rows:
            rows[k] += part[k]
    J_fine = np.geomspace(0.01, 1.2, 40 if quick else 120)
    da = np.array([diffusion_rate_W(J) for J in J_fine])
    files = {"network": write_csv(out / f"{NAME}_network.csv", rows,
                                  "Ullner et al. 2018 Fig. 2, setup W; rate Hz, rho whole network"),
             "diffusion": write_csv(out / f"{NAME}_diffusion_approx.csv",
                                    {"Jbar": J_fine, "rate": da},
                                    "diffusion approximation, N -> infinity (W setup)")}
    nets = [n for n in st["networks"] if n in rows["network"]]
    fig, axes = new_figure(len(nets), 2, figsize=(10, 3.8 * len(nets)), squeeze=False)
    netcol = np.array(rows["network"], dtype=object)
    for r, net in enumerate(nets):
        ax_nu, ax_rho = axes[r]
        for N in st["sizes"]:
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
    note = ("  (quick)" if quick else "") + (f"\nnot drawn: {'; '.join(skipped)}" if skipped
                                              else "")
    fig.suptitle("Ullner et al. 2018, Fig. 2" + note, fontsize=9 if skipped else 12)
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
