"""Ageeva & Goldobin (2025), Figs. 3-4: response of the rate to a periodic modulation of the
excitatory current, I(t) = I0 (1 + eta0 cos(omega_tau tau)), eta0 = 0.4, tau = K^(1/4) sqrt(i0) t.

(a)-(c): for i0/g0^2 = 0.2, 0.4, 0.8, the minimum and maximum over a forcing period of the
rescaled rate nu~ = nu / (K^(1/4) sqrt(i0)) (eq. 19) on the forced attractor versus K, for the
full z_n chain ("exact", M = 64, ETD), the 2CC reduction and the OA reduction, at the
near-resonant omega_tau = 2 (filled) and, in (c), omega_tau = 3 (open).  (d): nu~ over two
forcing periods at K = 60, i0/g0^2 = 0.4 (the paper's Fig. 4), omega_tau = 2 (solid) and 3
(dashed).  Runs by ``bifkit.dynamics.response.rate_response`` after a transient of
``TRANSIENT_PERIODS`` forcing periods (the forced attractor, also beyond a Hopf point).
"""
from __future__ import annotations

import math
from pathlib import Path

from .common import new_figure, save_figure, write_csv
from .shotnoise_common import MEAN_FIELDS, available_mean_fields

NAME = "ag2025-fig3"
TITLE = "Shot-noise rate response to eta=0.4 cos(omega tau) vs K: chain, 2CC, OA (Figs. 3-4)"
REQUIRES = {"bifkit.dynamics.response": "forced response of the shot-noise models"}

RATIOS = (0.2, 0.4, 0.8)
ETA0 = 0.4
NU_TILDE_MAX = 10.0  # nu~ is O(0.1-1); larger means a reduction exploded (OA at small K)
CHAIN_DT = 0.002  # ETD step of the chain: the response module's default 0.01 blows up at K >= 400


def settings(quick: bool) -> dict:
    if quick:
        return dict(K=[60.0, 300.0], transient_periods=15, periods=2)
    return dict(K=[20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0, 500.0, 700.0, 1000.0],
                transient_periods=60, periods=4)


def response(name, ratio, K, omega_tau, st, keep_series=False):
    """(min, max, mean) of nu~ on the forced attractor, and the last period's series."""
    import bifkit
    from bifkit.dynamics.response import omega_from_rescaled, rate_response
    m = bifkit.load_model(name, K=float(K), i0=ratio, g0=1.0)
    w = float(omega_from_rescaled(m, omega_tau))
    period = 2 * math.pi / w
    dt = CHAIN_DT if "chain" in name else None
    r = rate_response(m, w, ETA0, transient=st["transient_periods"] * period,
                      periods=st["periods"], dt=dt, keep_series=keep_series)
    s = K ** 0.25 * math.sqrt(ratio)
    series = None
    if keep_series and r.series:
        t, o = r.series[0]
        series = ((t - t[0]) * s, o / s)  # rescaled time and rate
    return r.minimum[0] / s, r.maximum[0] / s, r.mean[0] / s, series


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    models = available_mean_fields()
    rows, failed, series = [], [], {}
    plan = [(ratio, w, K) for ratio in RATIOS
            for w in ((2.0, 3.0) if ratio == RATIOS[-1] else (2.0,)) for K in st["K"]]
    sweep = set(plan)
    for w in (2.0, 3.0):  # the series of Fig. 4 (K = 60, i0/g0^2 = 0.4)
        if (0.4, w, 60.0) not in sweep:
            plan.append((0.4, w, 60.0))
    for ratio, omega_tau, K in plan:
        for name in models:
            fig4 = ratio == 0.4 and K == 60.0
            try:
                lo, hi, mean, ser = response(name, ratio, K, omega_tau, st, keep_series=fig4)
                if lo < 0 or hi > NU_TILDE_MAX:  # left the physical domain / exploded
                    raise ValueError(f"unphysical rate range [{lo:.3g}, {hi:.3g}]")
            except (RuntimeError, ValueError) as e:  # e.g. a truncation blowing up
                failed.append(f"{name} K={K:g} i0/g0^2={ratio} w={omega_tau:g}: {str(e)[:70]}")
                lo = hi = mean = float("nan")
                ser = None
            if fig4:
                series[(name, omega_tau)] = ser
            if (ratio, omega_tau, K) in sweep:
                rows.append((ratio, omega_tau, name, K, lo, hi, mean))
    files = {"response": write_csv(
        out / f"{NAME}_response.csv",
        {k: [r[i] for r in rows] for i, k in enumerate(
            ("i0_over_g0sq", "omega_tau", "model", "K", "nu_tilde_min", "nu_tilde_max",
             "nu_tilde_mean"))},
        f"Ageeva & Goldobin 2025 Fig. 3; eta0={ETA0}; nu~ = nu/(K^(1/4) sqrt(i0)); g0=1"
        + "".join(f"\nfailed: {f}" for f in failed))}
    ts = {}
    for (name, w), ser in series.items():
        if ser is not None:
            ts[f"{name}_w{w:g}_tau"] = ser[0]
            ts[f"{name}_w{w:g}_nu"] = ser[1]
    if ts:
        n = min(len(v) for v in ts.values())
        files["series"] = write_csv(out / f"{NAME}_series_K60.csv",
                                    {k: v[:n] for k, v in ts.items()},
                                    "Fig. 4: nu~ versus rescaled time tau, K=60, i0/g0^2=0.4")
    fig, axes = new_figure(2, 2, figsize=(10, 7.5))
    for ax, ratio, tag in zip(axes.flat[:3], RATIOS, "abc"):
        for name in models:
            label, color, mk = MEAN_FIELDS[name]
            for omega_tau, fill in ((2.0, color), (3.0, "none")):
                sel = [r for r in rows if r[0] == ratio and r[1] == omega_tau and r[2] == name]
                if not sel:
                    continue
                K = [r[3] for r in sel]
                lab = f"{label}" + (", $\\omega_\\tau$=3" if omega_tau == 3.0 else "")
                ax.plot(K, [r[4] for r in sel], mk + "-", color=color, mfc=fill, ms=5, lw=0.8,
                        label=lab)
                ax.plot(K, [r[5] for r in sel], mk + "-", color=color, mfc=fill, ms=5, lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("K")
        ax.set_ylabel("min / max of $\\tilde\\nu$")
        ax.set_title(f"({tag}) i$_0$/g$_0^2$ = {ratio:g}, "
                     f"$\\eta$ = {ETA0} cos($\\omega_\\tau\\tau$)")
        ax.legend(fontsize=7)
    ax = axes[1, 1]
    for (name, w), ser in series.items():
        if ser is None:
            continue
        label, color, _mk = MEAN_FIELDS[name]
        ax.plot(ser[0], ser[1], "-" if w == 2.0 else "--", color=color,
                label=f"{label}, $\\omega_\\tau$={w:g}")
    ax.set_xlabel("rescaled time $\\tau$ (last forcing period)")
    ax.set_ylabel("$\\tilde\\nu$")
    ax.set_title("(d) Fig. 4: K = 60, i$_0$/g$_0^2$ = 0.4")
    ax.legend(fontsize=7)
    missing = [MEAN_FIELDS[n][0] for n in MEAN_FIELDS if n not in models]
    note = (f"\nnot drawn (model missing): {', '.join(missing)}" if missing else "")
    note += (f"\nfailed runs: {len(failed)} (see CSV, NaN)" if failed else "")
    fig.suptitle("Ageeva & Goldobin 2025, Figs. 3-4: response to periodic forcing"
                 + ("  (quick)" if quick else "") + note, fontsize=10)
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
