"""Ageeva & Goldobin (2025), Figs. 3-4: response of the rate to a periodic modulation of the
excitatory current, I(t) = I0 (1 + eta0 cos(omega_tau tau)), eta0 = 0.4, tau = K^(1/4) sqrt(i0) t.

(a)-(c): for i0/g0^2 = 0.2, 0.4, 0.8, the minimum and maximum over a forcing period of the
rescaled rate nu~ = nu / (K^(1/4) sqrt(i0)) (eq. 19) on the forced attractor versus K, for the
full z_n chain ("exact", M = 64, ETD), the 2CC reduction and the OA reduction, at the
near-resonant omega_tau = 2 (filled) and, in (c), omega_tau = 3 (open).  (d): nu~ over two
forcing periods at K = 60, i0/g0^2 = 0.4 (the paper's Fig. 4), omega_tau = 2 (solid) and 3
(dashed).  Runs by ``bifkit.dynamics.response.rate_response`` after a transient of
``transient_periods`` forcing periods (the forced attractor, also beyond a Hopf point).

Integrators: the chain by ETD (fixed step, below), the 2CC and OA by adaptive Dormand-Prince
(``REDUCTION_RTOL``; a fixed step of period/64 misses their rate spikes near synchrony and then
lands on a spurious |kappa_1| = 1 state).

Validity of a run (``check``, ``check_blowup``; a rejected run is NaN in the response CSV with its reason in a
comment line there, and every run's diagnostics are in ``*_runs.csv``):

- the chain's ETD step starts at ``CHAIN_DT`` and is halved up to ``CHAIN_REFINE`` times when
  the run blows up (at large K the rate peaks make the K nu(t) coupling, which the frozen
  diagonal ETD operator does not absorb, too stiff for 0.002: K = 1000, i0/g0^2 = 0.2);
- "synchrony" (dynamics, not a numerical failure): max |z_1| (chain) or |kappa_1|
  (reductions) >= ``SYNC_K1``.  The population that fires all at once is an exact invariant
  state of the mean field (a pulse maps psi = pi to itself, and pulses arrive only while the
  peak is at psi = pi, so they cannot spread it); near-resonant forcing (omega_tau = 2 is the
  free neuron's rotation frequency) attracts the chain to it at i0/g0^2 = 0.8, K <= 70
  (Radau, M = 64 and 128: the peak sharpens by ~20% per period).  The rate tends to a train of
  delta spikes (min -> 0, mean -> 1/pi): no finite min/max, and no M holds the peak (M = 64
  then gives |z_1| > 1 and negative rates, or blows up at every step tried: then the
  |z_1| reached before, ``ForcedRunError.state_max``, decides).  The reductions go the same
  way (OA onto |kappa_1| = 1 exactly; 2CC to |kappa_1| ~ 0.995 with rate swings to -1500).
  Marked on the K axis of the figure;
- the chain must be resolved by its M modes: max |z_M| <= ``CHAIN_TAIL_MAX``;
- the rate nu~ must stay within [0, ``NU_TILDE_MAX``] (the 2CC's density is not positive
  everywhere: on its way to synchrony its rate swings negative).
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
CHAIN_REFINE = 2  # step halvings after a blow-up (K = 1000, i0/g0^2 = 0.2 needs 0.001)
CHAIN_TAIL_MAX = 1e-3  # max |z_M| over the record; above, M = 64 modes do not resolve the state
SYNC_K1 = 0.98  # max |z_1| or |kappa_1|; above, the population tends to full synchrony
SYNC = "synchrony"  # prefix of the reason of such runs
REDUCTION_RTOL = 1e-9  # dopri tolerance of the 2CC and OA runs


def settings(quick: bool) -> dict:
    if quick:
        return dict(K=[60.0, 300.0], transient_periods=15, periods=2)
    return dict(K=[20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0, 500.0, 700.0, 1000.0],
                transient_periods=60, periods=4)


def response(name, ratio, K, omega_tau, st, keep_series=False):
    """(min, max, mean) of nu~ on the forced attractor, the last period's series and the
    run's diagnostics (dt, max |first state|, max |last state|)."""
    import bifkit
    from bifkit.dynamics.response import omega_from_rescaled, rate_response
    m = bifkit.load_model(name, K=float(K), i0=ratio, g0=1.0)
    w = float(omega_from_rescaled(m, omega_tau))
    period = 2 * math.pi / w
    chain = "chain" in name
    if chain:  # stiff: exponential time differencing, fixed step
        how = dict(method="etd", dt=CHAIN_DT, refine=CHAIN_REFINE)
    else:  # adaptive: resolves the rate spikes near synchrony that a fixed step misses
        how = dict(method="dopri", rtol=REDUCTION_RTOL, atol=REDUCTION_RTOL * 1e-2)
    r = rate_response(m, w, ETA0, transient=st["transient_periods"] * period,
                      periods=st["periods"], keep_series=keep_series, **how)
    s = K ** 0.25 * math.sqrt(ratio)
    series = None
    if keep_series and r.series:
        t, o = r.series[0]
        series = ((t - t[0]) * s, o / s)  # rescaled time and rate
    diag = dict(dt=float(r.dt_used[0]) if chain else float("nan"), first=float(r.state_max[0][0]),
                last=float(r.state_max[0][-1]), mean=r.mean[0] / s)
    return r.minimum[0] / s, r.maximum[0] / s, r.mean[0] / s, series, diag


def first_mode(name):
    """Label of the state whose modulus -> 1 marks synchrony: z_1 (chain) or kappa_1."""
    return "|z_1|" if "chain" in name else "|kappa_1|"


def check_blowup(name, err):
    """Reason for a run that failed at every step: synchrony if the state was heading there."""
    from bifkit.dynamics.response import ForcedRunError
    msg = str(err)[:200]
    reached = getattr(err, "state_max", None) if isinstance(err, ForcedRunError) else None
    if reached is not None and reached[0] >= SYNC_K1:
        what = first_mode(name)
        where = f"the M = {len(reached)} chain" if "chain" in name else "the run"
        return f"{SYNC}: max{what} = {reached[0]:.4g} -> 1 before {where} blew up ({msg})"
    return msg


def check(name, lo, hi, diag):
    """Reason why a run is not a finite response of ``name`` (None if it is); see the module
    docstring.  Reasons starting with ``SYNC`` are dynamics, the others failures."""
    what = first_mode(name)
    if diag["first"] >= SYNC_K1:
        return (f"{SYNC}: max{what} = {diag['first']:.4g} -> 1, rate -> delta-spike train "
                f"(measured range [{lo:.3g}, {hi:.3g}], mean {diag['mean']:.3g})")
    if "chain" in name and diag["last"] > CHAIN_TAIL_MAX:
        return (f"M-mode truncation unresolved: max|z_M| = {diag['last']:.3g} > "
                f"{CHAIN_TAIL_MAX:g} (max|z_1| = {diag['first']:.3g})")
    if lo < 0 or hi > NU_TILDE_MAX:  # left the physical domain / exploded
        return f"unphysical rate range [{lo:.3g}, {hi:.3g}] (max{what} = {diag['first']:.3g})"
    return None


def run(quick: bool, out: Path) -> dict:
    out = Path(out)
    st = settings(quick)
    models = available_mean_fields()
    rows, failed, notes, series, runs, synced = [], [], [], {}, [], []
    plan = [(ratio, w, K) for ratio in RATIOS
            for w in ((2.0, 3.0) if ratio == RATIOS[-1] else (2.0,)) for K in st["K"]]
    sweep = set(plan)
    for w in (2.0, 3.0):  # the series of Fig. 4 (K = 60, i0/g0^2 = 0.4)
        if (0.4, w, 60.0) not in sweep:
            plan.append((0.4, w, 60.0))
    for ratio, omega_tau, K in plan:
        for name in models:
            fig4 = ratio == 0.4 and K == 60.0
            diag = dict(dt=float("nan"), first=float("nan"), last=float("nan"))
            reason = None
            try:
                lo, hi, mean, ser, diag = response(name, ratio, K, omega_tau, st,
                                                   keep_series=fig4)
                reason = check(name, lo, hi, diag)
            except (RuntimeError, ValueError) as e:  # e.g. a truncation blowing up
                reason = check_blowup(name, e)
                reached = getattr(e, "state_max", None)
                if reached is not None:  # where the state got before the failure
                    diag.update(first=float(reached[0]), last=float(reached[-1]))
            runs.append((ratio, omega_tau, name, K, diag["dt"], diag["first"], diag["last"],
                         (reason or "ok").replace(",", ";")))  # one CSV field
            if reason:
                line = f"{name} K={K:g} i0/g0^2={ratio} w={omega_tau:g}: {reason}"
                if reason.startswith(SYNC):  # dynamics: reported, marked in the figure
                    notes.append(line)
                    synced.append((ratio, omega_tau, name, K))
                else:
                    failed.append(line)
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
        + "".join(f"\nfailed: {f}" for f in failed)
        + "".join(f"\n{SYNC} (not a failure; NaN: no finite min/max): {f}" for f in notes))}
    files["runs"] = write_csv(
        out / f"{NAME}_runs.csv",
        {k: [r[i] for r in runs] for i, k in enumerate(
            ("i0_over_g0sq", "omega_tau", "model", "K", "dt", "max_abs_first_state",
             "max_abs_last_state", "status"))},
        "every run of the recipe: ETD step used, max over the record of |z_1| or |kappa_1| and "
        "of the last state (|z_M|, |kappa_2|), status (ok or why it is NaN)")
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
    from matplotlib.transforms import blended_transform_factory
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
            for omega_tau, fill in ((2.0, color), (3.0, "none")):
                Ks = [r[3] for r in synced if r[:3] == (ratio, omega_tau, name)]
                if Ks:  # full synchrony (rate min -> 0): a row of markers per model at the bottom
                    row = 0.03 + 0.045 * models.index(name)
                    ax.plot(Ks, [row] * len(Ks), "v", color=color, mfc=fill, ms=6, ls="none",
                            transform=blended_transform_factory(ax.transData, ax.transAxes),
                            label=f"{label}: full synchrony"
                            + (", $\\omega_\\tau$=3" if omega_tau == 3.0 else ""))
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
    note += (f"\n$\\triangledown$ (bottom row per model): {len(synced)} runs tend to full "
             f"synchrony (rate -> spike train, no finite min/max; see CSV)" if synced else "")
    fig.suptitle("Ageeva & Goldobin 2025, Figs. 3-4: response to periodic forcing"
                 + ("  (quick)" if quick else "") + note, fontsize=10)
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
