"""Bi, di Volo, Torcini (2021), Fig. 2: the asynchronous balanced state versus the in-degree K.

(a) R_e and (b) R_i versus K: the exact stationary solution of the neural mass (eq. 8, solid),
the first- (dotted) and second-order (dash-dotted) large-K series (eqs. 9-11), the zeroth order
(balanced state, dashed) and the spiking network (circles, error bars: std of the population
rate over time in 10 ms bins).  (c) effective input currents I_eff (eq. 14) with their K -> inf
limits I_a (eq. 15, dashed) and the network's values from its rates; (d) Poissonian current
fluctuations Delta I_eff (eq. 21), zeroth-order limit dashed.

Parameters (paper, Fig. 2): D_ii = 1, D_ee = 2.5, I_e = 0.2, I_i = I_e/1.02, couplings of
Sec. 2.2.4.  Paper's asymptotes: R0_e = 3.18 Hz, R0_i = 11.28 Hz, I_a^e = 0.0284,
I_a^i = 0.4791, Delta I^e = 0.4623, Delta I^i = 0.4593.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import COLORS, new_figure, save_figure, write_csv

NAME = "bi2021-fig2"
TITLE = "E-I rates R_e, R_i and effective currents vs K: exact, series, network"
REQUIRES = {"bifkit.network": "spiking-network simulation"}

PARAMS = dict(D_ii=1.0, D_ee=2.5, I_e=0.2)


def network_plan(quick: bool):
    """(K, N_e, N_i, T, transient) of the network runs (times in ms)."""
    if quick:
        return [(K, 2000, 2000, 1000.0, 500.0) for K in (16, 64, 256)]
    plan = []
    for K in (16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384):
        N = 10000 if K < 4096 else (20000 if K <= 8192 else 30000)
        # paper: T = 40 s after a 60 s transient; shortened (the rates settle within ~1 s, and
        # the cost grows like N K T: at K = 16384, N = 30000 one second is ~1e10 synaptic events)
        T = 10000.0 if K <= 1024 else (4000.0 if K <= 4096 else 1500.0)
        plan.append((K, N, N, T, min(2000.0, T / 2)))
    return plan


def mean_field(K_values):
    """Exact stationary rates, the series of order 0-2, currents and fluctuations, per K."""
    import bifkit
    cols = {k: [] for k in ("K", "Re_exact", "Ri_exact", "Re_0", "Ri_0", "Re_1", "Ri_1", "Re_2",
                            "Ri_2", "Ieff_e", "Ieff_i", "dIeff_e", "dIeff_i")}
    base = bifkit.load_model("ei_neural_mass", **PARAMS)
    for K in K_values:
        m = base.with_params(K=float(K))
        eq = [e["state"] for e in m.equilibria() if e["kind"] == "interior"]
        if not eq:
            raise ValueError(f"no physical stationary state at K = {K}")
        obs = m.observables(eq[0])
        cols["K"].append(K)
        cols["Re_exact"].append(obs["rate_e"])
        cols["Ri_exact"].append(obs["rate_i"])
        for order in (0, 1, 2):
            s = m.series_rates(order)
            cols[f"Re_{order}"].append(1000 * s["R_e"])
            cols[f"Ri_{order}"].append(1000 * s["R_i"])
        for k in ("I_eff_e", "I_eff_i", "dI_eff_e", "dI_eff_i"):
            cols[k.replace("I_eff", "Ieff")].append(obs[k])
    return {k: np.array(v) for k, v in cols.items()}


def asymptotes():
    """K -> infinity limits: R0 (Hz), I_a (eq. 15), Delta I_eff at R0 (eq. 21)."""
    import bifkit
    m = bifkit.load_model("ei_neural_mass", **PARAMS)
    p = m.params
    R0 = m.rate_series(0)[0]  # 1/ms
    Ia = m.asymptotic_currents()
    tau = p["tau_m"]
    dI = {"e": math.sqrt(p["g_ee"] ** 2 * R0[0] * tau + p["g_ei"] ** 2 * R0[1] * tau),
          "i": math.sqrt(p["g_ie"] ** 2 * R0[0] * tau + p["g_ii"] ** 2 * R0[1] * tau)}
    return {"R0_e": 1000 * R0[0], "R0_i": 1000 * R0[1], "Ia_e": Ia["I_a_e"],
            "Ia_i": Ia["I_a_i"], "dI_e": dI["e"], "dI_i": dI["i"]}


def network_points(plan, seed=1):
    """Network rates (Hz), their temporal std, and the currents of eq. 14 from those rates."""
    import bifkit
    p = bifkit.load_model("ei_neural_mass", **PARAMS).params
    tau = p["tau_m"]
    cols = {k: [] for k in ("K", "N_e", "N_i", "rate_e", "rate_i", "std_e", "std_i", "Ieff_e",
                            "Ieff_i", "cv_e", "cv_i", "rho_e")}
    for K, Ne, Ni, T, tr in plan:
        res = bifkit.simulate("ei_qif", N_e=Ne, N_i=Ni, K=K, T=T, transient=tr, seed=seed,
                              dt_sample=1.0, **PARAMS)
        re, ri = res.rates["e"], res.rates["i"]
        cols["K"].append(K)
        cols["N_e"].append(Ne)
        cols["N_i"].append(Ni)
        cols["rate_e"].append(re)
        cols["rate_i"].append(ri)
        for pop in ("e", "i"):
            series = np.asarray(res.rate_series[pop])
            nb = series.size // 10
            binned = series[:nb * 10].reshape(nb, 10).mean(axis=1) if nb > 1 else series
            cols[f"std_{pop}"].append(float(np.std(binned)))
            cols[f"cv_{pop}"].append(res.cv[pop])
        cols["rho_e"].append(res.rho["e"])
        a, b = re * tau / 1000, ri * tau / 1000  # R tau, dimensionless
        sK = math.sqrt(K)
        cols["Ieff_e"].append(sK * (p["I_e"] + p["g_ee"] * a - p["g_ei"] * b))
        cols["Ieff_i"].append(sK * (p["i_ratio"] * p["I_e"] + p["g_ie"] * a - p["g_ii"] * b))
    return {k: np.array(v) for k, v in cols.items()}


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    K_mf = np.logspace(1, 6, 100 if quick else 500)
    mf = mean_field(K_mf)
    asy = asymptotes()
    net = network_points(network_plan(quick))
    files = {
        "meanfield": write_csv(out / f"{NAME}_meanfield.csv", mf,
                               "Bi et al. 2021 Fig. 2 mean field; rates in Hz; "
                               + ", ".join(f"{k}={v}" for k, v in PARAMS.items())),
        "asymptotes": write_csv(out / f"{NAME}_asymptotes.csv",
                                {k: [v] for k, v in asy.items()}),
        "network": write_csv(out / f"{NAME}_network.csv", net,
                             "ei_qif network; rates Hz, std over 10 ms bins"),
    }
    fig, axes = new_figure(2, 2, figsize=(10, 7.5))
    (ax_a, ax_b), (ax_c, ax_d) = axes
    for ax, pop in ((ax_a, "e"), (ax_b, "i")):
        c = COLORS[pop]
        ax.plot(mf["K"], mf[f"R{pop}_exact"], "-", color=c, label="exact MF (eq. 8)")
        ax.plot(mf["K"], mf[f"R{pop}_1"], ":", color=c, label="1st order")
        ax.plot(mf["K"], mf[f"R{pop}_2"], "-.", color=c, label="2nd order")
        ax.axhline(asy[f"R0_{pop}"], ls="--", color=c, lw=1,
                   label=f"0th order R0 = {asy[f'R0_{pop}']:.2f} Hz")
        ax.errorbar(net["K"], net[f"rate_{pop}"], yerr=net[f"std_{pop}"], fmt="o", mfc="none",
                    color="k", capsize=2, label="network")
        ax.set_xscale("log")
        ax.set_xlabel("K")
        ax.set_ylabel(f"R$^{{({pop})}}$ (Hz)")
        # the series diverge at small K: frame the exact solution, R0 and the network
        lo = min(np.min(mf[f"R{pop}_exact"]), np.min(net[f"rate_{pop}"]), asy[f"R0_{pop}"])
        hi = max(np.max(mf[f"R{pop}_exact"]), np.max(net[f"rate_{pop}"]))
        ax.set_ylim(max(0.0, lo - 0.1 * (hi - lo)), hi + 0.2 * (hi - lo))
        ax.legend(fontsize=7)
    ax_a.set_title("(a) excitatory rate")
    ax_b.set_title("(b) inhibitory rate")
    for pop in ("e", "i"):
        c = COLORS[pop]
        ax_c.plot(mf["K"], mf[f"Ieff_{pop}"], "-", color=c, label=f"I$_{{eff}}^{{({pop})}}$ MF")
        ax_c.axhline(asy[f"Ia_{pop}"], ls="--", color=c, lw=1,
                     label=f"I$_a^{{({pop})}}$ = {asy[f'Ia_{pop}']:.4f}")
        ax_c.plot(net["K"], net[f"Ieff_{pop}"], "o", mfc="none", color=c,
                  label=f"network ({pop})")
        ax_d.plot(mf["K"], mf[f"dIeff_{pop}"], "-", color=c,
                  label=f"$\\Delta$I$_{{eff}}^{{({pop})}}$ MF")
        ax_d.axhline(asy[f"dI_{pop}"], ls="--", color=c, lw=1,
                     label=f"K$\\to\\infty$: {asy[f'dI_{pop}']:.4f}")
    ax_c.set_title("(c) effective input currents (eq. 14)")
    ax_d.set_title("(d) current fluctuations (eq. 21)")
    for ax in (ax_c, ax_d):
        ax.set_xscale("log")
        ax.set_xlabel("K")
        ax.legend(fontsize=7)
    ax_c.set_ylabel("I$_{eff}$")
    ax_d.set_ylabel("$\\Delta$I$_{eff}$")
    fig.suptitle("Bi et al. 2021, Fig. 2: D$_{ii}$=1, D$_{ee}$=2.5, I$_e$=0.2"
                 + ("  (quick)" if quick else ""))
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
