"""Bi, di Volo, Torcini (2021), Fig. 4: coherent chaos on the D_ee = 2.0 cut (K = 1000, D_ii = 0.3).

(a) the first two Lyapunov exponents lambda_1 (red), lambda_2 (blue) of the neural mass versus
I_e (units 1/tau_m), with the supercritical Hopf point (from EP-C) and the period-doubling points
(from LC-C, the cycle born at the Hopf point) as vertical lines, and the three solutions of the
paper's Fig. 5 marked: stable focus (green triangle, I_e = 0.006), periodic (blue square, 0.0009),
chaotic (red circle, 0.00021); (b) zoom on the period-doubling cascade; (c)-(d) the maxima of
R_e on the attractor (orbit diagram from simulation, swept downwards in I_e from the previous
attractor), with the continuation's equilibrium and cycle maxima for comparison.

Paper: Hopf at I_e ~ 0.0015, PD cascade in [0.00006177, 0.00047297]; Lyapunov spectra
(lambda_1..4, 1/tau_m): 0.006: (-0.0299, -0.0299, -0.101, -0.101); 0.0009: (0, -0.0343, -0.0555,
-0.1732); 0.00021: (0.0033, 0, -0.0809, -0.1855).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import COLORS, new_figure, save_figure, write_csv

NAME = "bi2021-fig4"
TITLE = "Lyapunov exponents and R_e maxima vs I_e on D_ee=2.0 with Hopf and PD lines"
REQUIRES = {"bifkit.dynamics.lyapunov": "Lyapunov spectra",
            "bifkit.continuation.cycles": "LC-C periodic orbits"}

PARAMS = dict(K=1000.0, D_ii=0.3, D_ee=2.0)
TAU_M = 20.0  # ms
REFERENCE = {  # paper's Fig. 4/5 solutions: I_e -> (label, marker, colour, exponents in 1/tau_m)
    0.006: ("stable focus", "^", "tab:green", (-0.0299, -0.0299, -0.101, -0.101)),
    0.0009: ("periodic", "s", "tab:blue", (0.0, -0.0343, -0.0555, -0.1732)),
    0.00021: ("chaotic", "o", "tab:red", (0.0033, 0.0, -0.0809, -0.1855)),
}
ZOOM = (4e-5, 7e-4)


def settings(quick: bool) -> dict:
    """Grids and times (ms) of the sweeps."""
    if quick:
        return dict(lyap_grid=np.geomspace(1e-2, 1.2e-5, 20), lyap_T=30000.0,
                    lyap_transient=5000.0, lyap_dt=0.5, orbit_grid=np.geomspace(1e-2, 1.2e-5, 80),
                    orbit_T=8000.0, orbit_transient=4000.0, orbit_dt=0.5, ref_T=60000.0,
                    period2=False)
    outer = np.geomspace(1e-2, ZOOM[1], 40)
    inner = np.geomspace(ZOOM[1], 1e-5, 200)[1:]
    grid = np.concatenate([outer, inner])
    return dict(lyap_grid=grid, lyap_T=200000.0, lyap_transient=10000.0, lyap_dt=0.2,
                orbit_grid=np.concatenate([outer, np.geomspace(ZOOM[1], 1e-5, 600)[1:]]),
                orbit_T=40000.0, orbit_transient=20000.0, orbit_dt=0.2, ref_T=200000.0,
                period2=True)


def bifurcations(period2: bool):
    """EP-C branch, the cycle branch from its supercritical Hopf point, and the PD points."""
    import bifkit
    m = bifkit.load_model("ei_neural_mass", I_e=0.01, **PARAMS)
    bounds = {"I_e": (1e-5, 200.0)}
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=bounds,
                             log_params=["I_e"])
    hopf = [h for h in ep.special_points("H") if h.data["criticality"] == "supercritical"]
    if not hopf:
        raise RuntimeError("no supercritical Hopf point on the D_ee = 2.0 cut")
    h = min(hopf, key=lambda s: s.params["I_e"])
    lc = bifkit.continuation(m, "LC-C", h, ["I_e"], bounds=bounds, log_params=["I_e"])
    pds = [("PD", 1, s.params["I_e"], s.data["period"]) for s in lc.special_points("PD")]
    if period2 and lc.special_points("PD"):
        first = max(lc.special_points("PD"), key=lambda s: s.params["I_e"])
        lc2 = bifkit.continuation(m, "LC-C", first, ["I_e"], bounds=bounds, log_params=["I_e"])
        pds += [("PD", 2, s.params["I_e"], s.data["period"]) for s in lc2.special_points("PD")]
    return m, ep, h, lc, pds


def fitted_exponents(ly, skip: float = 0.2) -> np.ndarray:
    """Exponents as the least-squares slope of the cumulative log-growth sums versus time.

    The plain Benettin average S(T)/T carries an O(1/T) bias from the alignment of the
    tangent vectors at the start and from where on the orbit the run ends (for a relaxation
    cycle |f| varies by orders of magnitude, so the zero exponent reads ~ln(max|f|/min|f|)/T).
    Fitting S(t) = a + lambda t over the history after its first ``skip`` fraction puts the
    start-up into ``a`` and averages the end-point oscillation out: at I_e = 0.0009 and
    T = 20 s it gives (0, -0.0343, -0.0555, -0.1731)/tau_m where S(T)/T gives
    (0.0048, -0.0312, -0.0591, -0.178).
    """
    t = ly.history_t
    S = ly.history * t[:, None]
    h = int(len(t) * skip)
    A = np.column_stack([np.ones(len(t) - h), t[h:]])
    return np.linalg.lstsq(A, S[h:], rcond=None)[0][1]


def lyapunov_sweep(m, grid, T, transient, dt, x0):
    """lambda_1..4 (1/tau_m; slope fit and plain average) along ``grid``, each run started
    from the previous attractor."""
    import bifkit
    rows, x = [], x0
    for v in grid:
        ly = bifkit.lyapunov_spectrum(m.with_params(I_e=float(v)), T=T, transient=transient,
                                      dt=dt, x0=x)
        if ly.status != 0:
            raise RuntimeError(f"Lyapunov run at I_e = {v:g} failed: {ly.message}")
        rows.append(np.concatenate([[v], fitted_exponents(ly) * TAU_M, ly.in_units_of(TAU_M)]))
        x = ly.x_final
    return np.array(rows)


def exact_exponents(ep, lc):
    """Exponents that follow from linear stability: the stable equilibria's eigenvalue real
    parts (EP-C) and the stable cycles' Floquet exponents ln|mu| tau_m / T (LC-C); the two
    largest of each, in 1/tau_m."""
    I_ep = ep.params["I_e"][ep.stable]
    lam_ep = np.sort(ep.eigenvalues.real[ep.stable], axis=1)[:, ::-1][:, :2] * TAU_M
    keep = lc.stability == 0
    mu = np.abs(lc.multipliers[keep])
    lam_lc = np.sort(np.log(mu) / lc.period[keep, None], axis=1)[:, ::-1][:, :2] * TAU_M
    return (I_ep, lam_ep), (lc.params["I_e"][keep], lam_lc)


def run(quick: bool, out: Path) -> dict:
    import bifkit
    out = Path(out)
    st = settings(quick)
    m, ep, hopf, lc, pds = bifurcations(st["period2"])
    start = dict(m.with_params(I_e=float(st["lyap_grid"][0])).steady_state()[0])
    start["R_e"] *= 1.05  # off the equilibrium, so the tangent dynamics is generic
    L = lyapunov_sweep(m, st["lyap_grid"], st["lyap_T"], st["lyap_transient"], st["lyap_dt"],
                       start)
    od = bifkit.orbit_diagram(m, "I_e", st["orbit_grid"], "rate_e", T=st["orbit_T"],
                              transient=st["orbit_transient"], dt=st["orbit_dt"], x0=start,
                              sample=st["orbit_dt"])
    ref_rows = []
    for v, (label, *_rest, paper) in REFERENCE.items():
        eq = dict(m.with_params(I_e=v).steady_state()[0])
        eq["R_e"] *= 1.05
        ly = bifkit.lyapunov_spectrum(m.with_params(I_e=v), T=st["ref_T"],
                                      transient=st["lyap_transient"], dt=st["lyap_dt"], x0=eq)
        ref_rows.append((v, label, *(fitted_exponents(ly) * TAU_M), *paper))
    od_I, od_max = od.points("max")
    mx, _ = lc.amplitude()
    files = {
        "lyapunov": write_csv(out / f"{NAME}_lyapunov.csv",
                              {"I_e": L[:, 0], **{f"lambda{k + 1}": L[:, 1 + k] for k in range(4)},
                               **{f"plain_avg{k + 1}": L[:, 5 + k] for k in range(4)}},
                              "Bi et al. 2021 Fig. 4; exponents in 1/tau_m (tau_m = 20 ms), slope "
                              "fit of the log-growth sums (plain_avg: S(T)/T); "
                              "K=1000, D_ii=0.3, D_ee=2.0"),
        "orbit": write_csv(out / f"{NAME}_orbit_maxima.csv", {"I_e": od_I, "Re_max_Hz": od_max}),
        "bifurcations": write_csv(
            out / f"{NAME}_bifurcations.csv",
            {"label": ["H"] + [p[0] for p in pds],
             "cycle_period_multiple": [0] + [p[1] for p in pds],
             "I_e": [hopf.params["I_e"]] + [p[2] for p in pds],
             "period_ms": [2 * np.pi / hopf.data["omega"]] + [p[3] for p in pds]}),
        "reference": write_csv(
            out / f"{NAME}_reference_points.csv",
            {k: [r[i] for r in ref_rows] for i, k in enumerate(
                ["I_e", "regime", "lambda1", "lambda2", "lambda3", "lambda4", "paper_lambda1",
                 "paper_lambda2", "paper_lambda3", "paper_lambda4"])}),
        "cycle": write_csv(out / f"{NAME}_cycle_branch.csv",
                           {"I_e": lc.params["I_e"], "Re_max_Hz": 1000 * mx[:, 0],
                            "period_ms": lc.period, "n_unstable": lc.stability}),
    }

    exact = exact_exponents(ep, lc)
    fig, axes = new_figure(2, 2, figsize=(11, 8))
    for col, (lo, hi) in enumerate(((1e-5, 1e-2), ZOOM)):
        ax = axes[0, col]
        for (Ix, lam), what in zip(exact, ("eigenvalues (EP-C)", "Floquet (LC-C)")):
            ax.plot(Ix, lam[:, 0], "-", color="tab:red", lw=2.5, alpha=0.3)
            ax.plot(Ix, lam[:, 1], "-", color="tab:blue", lw=2.5, alpha=0.3)
        ax.plot([], [], "-", color="0.5", lw=2.5, alpha=0.4,
                label="exact: eigenvalues / Floquet mult.")
        ax.plot(L[:, 0], L[:, 1], "-", color="tab:red", marker=".", lw=0.8,
                label="$\\lambda_1$ (Benettin)")
        ax.plot(L[:, 0], L[:, 2], "-", color="tab:blue", marker=".", lw=0.8,
                label="$\\lambda_2$ (Benettin)")
        ax.axhline(0, color="0.6", lw=0.8)
        for v, (label, mk, c, _p) in REFERENCE.items():
            row = [r for r in ref_rows if r[0] == v][0]
            ax.plot(v, row[2], mk, color=c, ms=8, mec="k", label=f"{label} (I$_e$={v:g})")
        ax.set_ylabel("$\\lambda_{1,2}$ (1/$\\tau_m$)")
        ax = axes[1, col]
        ax.plot(od_I, od_max, ".", color="k", ms=1.5, alpha=0.8)
        ax.plot([], [], ".", color="k", label="R$_e^{max}$ (simulation)")
        st_mask = lc.stability == 0
        ax.plot(lc.params["I_e"], np.where(st_mask, 1000 * mx[:, 0], np.nan), "-", color="C2",
                lw=1, label="cycle max, stable (LC-C)")
        ax.plot(lc.params["I_e"], np.where(~st_mask, 1000 * mx[:, 0], np.nan), "--", color="C2",
                lw=1, label="cycle max, unstable (LC-C)")
        Re = 1000 * ep.states["R_e"]
        ax.plot(ep.params["I_e"], np.where(ep.stable, Re, np.nan), "-", color="C1", lw=1,
                label="focus, stable (EP-C)")
        ax.plot(ep.params["I_e"], np.where(~ep.stable, Re, np.nan), "--", color="C1", lw=1,
                label="focus, unstable (EP-C)")
        ax.set_ylabel("R$_e^{max}$ (Hz)")
        ax.set_yscale("log")
        for ax in axes[:, col]:
            ax.set_xscale("log")
            ax.set_xlim(lo, hi)
            ax.axvline(hopf.params["I_e"], color=COLORS["H"], ls="--", lw=1)
            for _l, mult, v, _T in pds:
                ax.axvline(v, color=COLORS["PD"], ls="--" if mult == 1 else ":", lw=1.2)
            ax.set_xlabel("I$_e$")
            if col == 1:
                from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter
                ax.xaxis.set_major_locator(FixedLocator([5e-5, 1e-4, 2e-4, 3e-4, 5e-4]))
                ax.xaxis.set_major_formatter(ScalarFormatter(useMathText=True))
                ax.xaxis.set_minor_formatter(NullFormatter())
        # proxy artists for the vertical lines
        axes[0, col].plot([], [], "--", color=COLORS["H"], label=f"Hopf (super), I$_e$="
                          f"{hopf.params['I_e']:.5g}")
        axes[0, col].plot([], [], "--", color=COLORS["PD"], label="PD of the cycle")
        if any(p[1] == 2 for p in pds):
            axes[0, col].plot([], [], ":", color=COLORS["PD"], label="PD of the period-2 cycle")
    axes[0, 0].set_title("(a) Lyapunov exponents")
    axes[0, 1].set_title("(b) zoom: period-doubling cascade")
    axes[1, 0].set_title("(c) maxima of R$_e$")
    axes[1, 1].set_title("(d) zoom")
    axes[0, 0].legend(fontsize=6.5, loc="lower left")
    axes[1, 0].legend(fontsize=6.5, loc="upper left")
    allv = np.concatenate([od_max, 1000 * mx[:, 0]])
    axes[1, 0].set_ylim(0.6 * min(allv.min(), 1000 * ep.states["R_e"].min()), 1.6 * allv.max())
    sel = (od_I >= ZOOM[0]) & (od_I <= ZOOM[1])
    if np.any(sel):
        axes[1, 1].set_ylim(0.7 * od_max[sel].min(), 1.4 * od_max[sel].max())
    fig.suptitle("Bi et al. 2021, Fig. 4: K=1000, D$_{ii}$=0.3, D$_{ee}$=2.0"
                 + ("  (quick)" if quick else ""))
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
