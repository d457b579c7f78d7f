"""Reductions of the shot-noise mean field vs the inhibitory QIF network, and the E-I neural
mass vs the E-I network, side by side on common points (issue 8, item 4).

    NUMBA_NUM_THREADS=1 python validation/reductions_vs_network.py [--quick] [--out FILE.csv]
        [--N 10000] [--T 200] [--transient 50] [--seeds 3] [--Ks 10 30 100 300 1000]
        [--i0s 0.05 0.2 0.4 1.0] [--no-chain-integration]

Table 1 (inhibitory network, g0 = 1 unless ``--g0``; only K and i0/g0^2 matter for the mean
field). For each point (K, i0) and each reduction

    shotnoise_chain  the full truncated z_n chain (M modes, M doubled until converged),
    shotnoise_2cc    two circular cumulants,
    shotnoise_oa     Ott-Antonsen (2CC with kappa2 = 0),
    diffusion_chain  the diffusion approximation's z_n chain,
    diffusion_2cc    its 2CC reduction,

the stationary rate ``nu_eq`` (Newton, :func:`bifkit.find_equilibrium`) with the largest real
part of its eigenvalues. A stable state is compared as is ("stationary"); an unstable one is
"oscillatory" and, if integrated (always for the 2-variable models; the chains unless
``--no-chain-integration``), its time-averaged rate on the attractor reached from a small kick
(Dormand-Prince, ``bifkit.dynamics.integrate``) is the one compared ("time-average"); otherwise
the unstable stationary rate is compared and the row says so ("stationary-unstable").

The network rate ``nu_net`` is the mean over seeds with the standard error over seeds (one seed:
batch means of the population-rate series), from ``network_rate`` of
validation/network_inhibitory_meanfield.py (reused, not duplicated). Columns: relative error
``rel_err = nu_red / nu_net - 1``, ``z = (nu_red - nu_net) / sem``, and the verdict
``"<1%"`` if |rel_err| < 0.01, ``"<5%"`` if |rel_err| < 0.05, else ``"fail"``. The network regime
is "GO" (global oscillation) if its coherence rho > RHO_GO, else "AS"; ``regime_agree`` says
whether the reduction's state (stable = AS, unstable = GO) agrees.

Chain truncation: alpha = g0 / (K^(3/4) sqrt(i0)) grows at small K and weak drive and the z_n
spectrum then decays slowly; each chain's stationary state is computed at M and 2M (M = 64
first) and M doubled (up to ``M_MAX``) until the rate changes by less than ``M_TOL`` (relative)
and the stability agrees. Columns ``M`` (used) and ``dnu_M`` (relative change at the last
doubling).

Table 2 (E-I network of Bi et al. 2021 vs ``ei_neural_mass``, I_e = 0.2, D_ee = 2.5, D_ii = 1):
``compare`` and ``batch_sem`` of validation/network_ei_rates.py (reused), one row per K and
population (e, i), same verdict rule.

``--quick`` (tests/test_validation_reductions.py): K = 30, 300 at i0 = 0.4, N = 2000, T = 40,
one seed; E-I K = 100, N_e = N_i = 2000, T = 400 ms. Full: the grid above, N = 10000, T = 200,
3 seeds; E-I K = 100 ... 4000 at the paper's sizes, T = 2000 ms (about 20 min on 2 shared cores).
``--md FILE`` also writes the tables as Markdown; ``--from-csv CSV`` reprints a finished run.
Results and their reading: validation/REDUCTIONS.md.
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import network_ei_rates as ei_check  # noqa: E402
import network_inhibitory_meanfield as inh_check  # noqa: E402

import bifkit  # noqa: E402
from bifkit.errors import ConvergenceError  # noqa: E402

REDUCTIONS = ("shotnoise_chain", "shotnoise_2cc", "shotnoise_oa", "diffusion_chain",
              "diffusion_2cc")
CHAINS = ("shotnoise_chain", "diffusion_chain")
VERDICTS = ("<1%", "<5%", "fail")
RHO_GO = 0.2          # network coherence above which it is counted as oscillating (GO)
M_START, M_MAX, M_TOL = 64, 512, 1e-4
KICK = 1e-2           # size of the perturbation of an unstable equilibrium (max norm)
# time average of an oscillatory reduction (tau_m): see time_average
AVG_TRANSIENT, AVG_WINDOW, AVG_WINDOWS, AVG_T_MAX, AVG_AMP_TOL = 100.0, 50.0, 3, 2500.0, 0.05
AVG_TIME = {"chain": 300.0, "small": 1000.0}   # averaging time: chains (costly), 2-variable
EI_PARAMS = dict(I_e=0.2, D_ee=2.5, D_ii=1.0)

COLUMNS = ["table", "K", "i0", "g0", "reduction", "population", "M", "dnu_M", "nu_eq", "max_re",
           "state", "nu_avg", "sem_avg", "nu_min", "nu_max", "t_avg", "nu_red", "rate_source",
           "N", "seeds", "T",
           "nu_net", "sem_net", "rho_net", "cv_net", "net_regime", "regime_agree", "rel_err",
           "z", "verdict"]


def verdict(rel_err: float) -> str:
    """"<1%", "<5%" or "fail" from the relative error (NaN -> "fail")."""
    a = abs(rel_err)
    if a < 0.01:
        return "<1%"
    if a < 0.05:
        return "<5%"
    return "fail"


def _stationary(name, K, i0, g0, M=None):
    """(model, state dict, nu, max Re eigenvalue) of reduction ``name`` at one point."""
    extra = {} if M is None else {"M": M}
    m = bifkit.load_model(name, K=K, i0=i0, g0=g0, **extra)
    eq = bifkit.find_equilibrium(m)
    return m, eq, float(m.observables(eq)["nu"]), float(m.eigenvalues(eq).real.max())


def stationary_converged(name, K, i0, g0=1.0, m_start=M_START, m_max=M_MAX, tol=M_TOL):
    """Stationary state of ``name``; for a chain, M doubled until converged (see module doc).

    Returns dict(model, eq, nu_eq, max_re, M, dnu_M); M and dnu_M are NaN for 2-variable models.
    Raises ValueError when a chain has not converged at ``m_max``.
    """
    if name not in CHAINS:
        m, eq, nu, mr = _stationary(name, K, i0, g0)
        return dict(model=m, eq=eq, nu_eq=nu, max_re=mr, M=math.nan, dnu_M=math.nan)
    M = m_start
    cur = _stationary(name, K, i0, g0, M)
    while True:
        nxt = _stationary(name, K, i0, g0, 2 * M)
        dnu = abs(nxt[2] / cur[2] - 1)
        if dnu < tol and (nxt[3] < 0) == (cur[3] < 0):
            m, eq, nu, mr = cur
            return dict(model=m, eq=eq, nu_eq=nu, max_re=mr, M=M, dnu_M=dnu)
        M, cur = 2 * M, nxt
        if M >= m_max:
            raise ValueError(f"{name} at K={K}, i0={i0}: the stationary rate has not converged "
                             f"in M up to M={M} (last relative change {dnu:.2g})")


def unstable_kick(model, x, size=KICK):
    """Perturbation of size ``size`` (max norm) along the leading eigenvector at ``x``."""
    w, v = np.linalg.eig(model.compiled.jac(0.0, x, np.array(model.p)))
    d = v[:, int(np.argmax(w.real))].real
    if not np.any(d):
        d = v[:, int(np.argmax(w.real))].imag
    return size * d / np.abs(d).max()


def time_average(model, eq, avg_time, window=AVG_WINDOW, n_settle=AVG_WINDOWS,
                 t_min=AVG_TRANSIENT, t_max=AVG_T_MAX, amp_tol=AVG_AMP_TOL):
    """Time average of nu on the attractor reached from ``eq`` kicked along its unstable direction.

    Settling: after ``t_min`` the run goes on window by window (length ``window``) until the
    ranges max - min of nu over the last ``n_settle`` windows agree within ``amp_tol``
    (relative), i.e. the oscillation has stopped growing (a weakly unstable state takes
    ~ln(1/KICK)/Re(lambda) to get there), or until ``t_max``. Averaging: then ``avg_time``
    more; the standard error is that of the window means (the attractor may be irregular:
    the 2CC at K = 300, i0/g0^2 = 0.05 bursts with intervals 3.5-7.6 tau_m).
    Dormand-Prince, rtol 1e-7.

    Returns dict(mean, sem, min, max (over the averaging windows), t (total time), settled);
    NaNs if the integration fails.
    """
    from bifkit.dynamics import integrate

    def run(x, t0, t1, sample):
        tr = integrate(model, (t0, t1), x, method="dopri", sample=sample, rtol=1e-7, atol=1e-9)
        return (tr.x_final, tr.observables["nu"]) if tr.status == 0 else (None, None)

    bad = dict(mean=math.nan, sem=math.nan, min=math.nan, max=math.nan, t=math.nan,
               settled=False)
    x = model.pack(eq)
    x, _ = run(x + unstable_kick(model, x), 0.0, t_min, t_min)
    t, ranges, settled = t_min, [], False
    while x is not None and t < t_max and not settled:
        x, nu = run(x, t, t + window, 0.01)
        t += window
        if x is not None:
            ranges.append(np.ptp(nu))
            last = np.array(ranges[-n_settle:])
            settled = len(ranges) >= n_settle and np.ptp(last) <= amp_tol * last.max() + 1e-12
    stats = []
    while x is not None and len(stats) * window < avg_time:
        x, nu = run(x, t, t + window, 0.01)
        t += window
        if x is not None:
            stats.append((nu.mean(), nu.min(), nu.max()))
    if x is None:
        return bad
    st = np.array(stats)
    return dict(mean=float(st[:, 0].mean()), sem=float(st[:, 0].std(ddof=1) / math.sqrt(len(st))),
                min=float(st[:, 1].min()), max=float(st[:, 2].max()), t=t, settled=bool(settled))


def reduction_row(name, K, i0, g0, integrate_chain=True):
    """The reduction's half of a row of table 1."""
    st = stationary_converged(name, K, i0, g0)
    stable = st["max_re"] < 0
    row = dict(reduction=name, M=st["M"], dnu_M=st["dnu_M"], nu_eq=st["nu_eq"],
               max_re=st["max_re"], state="stable" if stable else "oscillatory",
               nu_avg=math.nan, nu_min=math.nan, nu_max=math.nan)
    if stable:
        row.update(nu_red=st["nu_eq"], rate_source="stationary")
    elif name in CHAINS and not integrate_chain:
        row.update(nu_red=st["nu_eq"], rate_source="stationary-unstable")
    else:
        av = time_average(st["model"], st["eq"],
                          AVG_TIME["chain" if name in CHAINS else "small"])
        row.update(nu_avg=av["mean"], sem_avg=av["sem"], nu_min=av["min"], nu_max=av["max"],
                   t_avg=av["t"])
        if math.isfinite(av["mean"]):
            row.update(nu_red=av["mean"], rate_source="time-average" if av["settled"]
                       else "time-average-unsettled")
        else:
            row.update(nu_red=st["nu_eq"], rate_source="stationary-unstable")
    return row


def compare_row(red: dict, net: dict) -> dict:
    """Relative error, z-score, verdict and regime agreement of a reduction vs the network."""
    rel = red["nu_red"] / net["nu_net"] - 1
    z = (red["nu_red"] - net["nu_net"]) / net["sem_net"] if net["sem_net"] > 0 else math.nan
    regime = "GO" if net["rho_net"] > RHO_GO else "AS"
    agree = (red["state"] == "oscillatory") == (regime == "GO")
    return dict(rel_err=rel, z=z, net_regime=regime, regime_agree=agree, verdict=verdict(rel))


def network_point(N, K, i0, g0, T, transient, seeds):
    r = inh_check.network_rate(N, K, i0, g0, T=T, transient=transient, seeds=seeds)
    return dict(N=N, seeds=len(seeds), T=T, nu_net=r["nu"], sem_net=r["sem"], rho_net=r["rho"],
                cv_net=r["cv"])


def inhibitory_table(Ks, i0s, g0=1.0, N=10000, T=200.0, transient=50.0, seeds=(1, 2, 3),
                     integrate_chain=True, reductions=REDUCTIONS, log=print, on_row=None):
    """Rows of table 1 (one per point and reduction); ``on_row(row)`` is called for each."""
    rows = []
    for i0 in i0s:
        for K in Ks:
            t0 = time.time()
            net = network_point(N, K, i0, g0, T, transient, seeds)
            for name in reductions:
                try:
                    red = reduction_row(name, K, i0, g0, integrate_chain)
                except (ConvergenceError, ValueError) as exc:
                    log(f"# {name} K={K} i0={i0}: no stationary state ({exc})")
                    red = dict(reduction=name, state="none", nu_red=math.nan,
                               rate_source=f"failed: {type(exc).__name__}")
                row = dict(table="inhibitory", K=K, i0=i0, g0=g0, population="all", **red, **net)
                row.update(compare_row(row, net))
                rows.append(row)
                log(format_row(row))
                if on_row:
                    on_row(row)
            log(f"# point K={K} i0={i0} done in {time.time() - t0:.0f} s")
    return rows


def ei_table(Ks, T=2000.0, transient=500.0, N=None, seed=1, log=print, on_row=None):
    """Rows of table 2: E-I network vs the neural mass, per K and population."""
    rows = []
    for K in Ks:
        c = ei_check.compare(K, T, transient, N, seed)
        m = bifkit.load_model("ei_neural_mass", K=K, **EI_PARAMS)
        max_re = float(m.eigenvalues(m.steady_state()[0]).real.max())
        for pop in ("e", "i"):
            row = dict(table="ei", K=K, reduction="ei_neural_mass", population=pop,
                       nu_eq=c[f"mf_{pop}"], max_re=max_re,
                       state="stable" if max_re < 0 else "oscillatory", nu_red=c[f"mf_{pop}"],
                       rate_source="stationary", N=c["N"], seeds=1, T=T, nu_net=c[f"R_{pop}"],
                       sem_net=c[f"sem_{pop}"], rho_net=c["rho_e"] if pop == "e" else math.nan,
                       cv_net=c["cv_e"] if pop == "e" else math.nan)
            row.update(compare_row(row, row))
            if pop == "i":
                row.update(net_regime="", regime_agree="")
            rows.append(row)
            log(format_row(row))
            if on_row:
                on_row(row)
    return rows


def _f(v, fmt):
    if v is None or v == "":
        return ""
    return "nan" if isinstance(v, float) and not math.isfinite(v) else format(v, fmt)


def format_row(r) -> str:
    return (f"{r['table']:10s} K={r['K']:<5g} i0={r.get('i0', math.nan):<5g} "
            f"{r['reduction']:15s} {r['population']:3s} M={_f(r.get('M', math.nan), '.0f'):>3s} "
            f"{r['state']:11s} nu_eq={_f(r.get('nu_eq', math.nan), '.5f')} "
            f"maxRe={_f(r.get('max_re', math.nan), '+.3f')} "
            f"nu_red={_f(r['nu_red'], '.5f')} ({r['rate_source']}) "
            f"net={_f(r['nu_net'], '.5f')}+-{_f(r['sem_net'], '.5f')} "
            f"rho={_f(r['rho_net'], '.2f')} rel={_f(r['rel_err'], '+.4f')} "
            f"z={_f(r['z'], '+.1f')} {r['verdict']}")


def summary(rows) -> dict:
    """{(table, reduction[/population]): {verdict: count}}."""
    out = {}
    for r in rows:
        key = (r["reduction"] if r["table"] == "inhibitory"
               else f"{r['reduction']}/{r['population']}")
        c = out.setdefault((r["table"], key), {v: 0 for v in VERDICTS})
        c[r["verdict"]] += 1
    return out


def print_summary(rows) -> None:
    print("# summary: verdict counts per reduction (<1% / <5% / fail)")
    for (table, key), c in summary(rows).items():
        print(f"{table:10s} {key:20s} " + "  ".join(f"{v}: {c[v]}" for v in VERDICTS))


def write_csv(path, rows, comment=""):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        for line in comment.splitlines():
            fh.write(f"# {line}\n")
        w = csv.DictWriter(fh, fieldnames=COLUMNS, restval="", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    return path


def _value(s: str):
    try:
        return float(s)
    except ValueError:
        return s


def read_csv(path) -> list[dict]:
    """Rows of a CSV written by :func:`write_csv`: numbers as floats, the rest as strings."""
    with Path(path).open() as fh:
        return [{k: _value(v) for k, v in r.items()}
                for r in csv.DictReader(ln for ln in fh if not ln.startswith("#"))]


def _m(v) -> str:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return format(v, ".0f") if ok else "-"


def pivot_markdown(rows) -> str:
    """Table 1 compactly: one line per point, rel_err and state of every reduction
    (s = stable, o = oscillatory, compared by its time average)."""
    inh = [r for r in rows if r["table"] == "inhibitory"]
    names = [n for n in REDUCTIONS if any(r["reduction"] == n for r in inh)]
    lines = ["| K | i0/g0^2 | nu_net +- sem | rho_net | cv_net | "
             + " | ".join(names) + " |", "|---" * (5 + len(names)) + "|"]
    points = sorted({(float(r["i0"]) / float(r["g0"]) ** 2, float(r["K"])) for r in inh})
    for ratio, K in points:
        at = {r["reduction"]: r for r in inh
              if (float(r["i0"]) / float(r["g0"]) ** 2, float(r["K"])) == (ratio, K)}
        net = next(iter(at.values()))
        cells = []
        for n in names:
            r = at.get(n)
            tag = {"stable": "s", "oscillatory": "o"}.get(r["state"], "?") if r else ""
            cells.append(f"{_f(r['rel_err'], '+.2%')} {tag} ({r['verdict']})" if r else "")
        lines.append(f"| {K:g} | {ratio:g} | {_f(net['nu_net'], '.5g')} +- "
                     f"{_f(net['sem_net'], '.1g')} | {_f(net['rho_net'], '.2f')} | "
                     f"{_f(net['cv_net'], '.3f')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown(rows) -> str:
    """The table (and the verdict summary) as Markdown, for validation/REDUCTIONS.md."""
    head = ("| table | K | i0 | reduction | pop | M | state | nu_eq | nu_red (source) | "
            "nu_net +- sem | rho_net (regime) | cv_net | rel_err | z | verdict |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        src = {"stationary": "", "time-average": " (avg)",
               "time-average-unsettled": " (avg, unsettled)",
               "stationary-unstable": " (unstable eq.)"}.get(r["rate_source"], " (?)")
        lines.append(
            f"| {r['table']} | {r['K']:g} | {_f(r.get('i0', math.nan), 'g')} | {r['reduction']} | "
            f"{r['population']} | {_m(r.get('M', math.nan))} | {r['state']} | "
            f"{_f(r.get('nu_eq', math.nan), '.5g')} | {_f(r['nu_red'], '.5g')}{src} | "
            f"{_f(r['nu_net'], '.5g')} +- {_f(r['sem_net'], '.2g')} | "
            f"{_f(r['rho_net'], '.2f')} {r.get('net_regime', '')} | {_f(r.get('cv_net'), '.3f')} | "
            f"{_f(r['rel_err'], '+.2%')} | "
            f"{_f(r['z'], '+.1f')} | "
            f"{r['verdict']} |")
    lines += ["", "| table | reduction | <1% | <5% | fail |", "|---|---|---|---|---|"]
    for (table, key), c in summary(rows).items():
        lines.append(f"| {table} | {key} | " + " | ".join(str(c[v]) for v in VERDICTS) + " |")
    return pivot_markdown(rows) + "\n" + "\n".join(lines) + "\n"


def settings(a) -> dict:
    if a.quick:
        return dict(Ks=[30, 300], i0s=[0.4], N=2000, T=40.0, transient=10.0, seeds=(1,),
                    ei_Ks=[100], ei_N=2000, ei_T=400.0, ei_transient=100.0)
    return dict(Ks=a.Ks, i0s=a.i0s, N=a.N, T=a.T, transient=a.transient,
                seeds=tuple(range(1, a.seeds + 1)), ei_Ks=a.ei_Ks, ei_N=a.ei_N, ei_T=a.ei_T,
                ei_transient=a.ei_transient)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default="results/validation/reductions_vs_network.csv")
    ap.add_argument("--N", type=int, default=10000)
    ap.add_argument("--T", type=float, default=200.0)
    ap.add_argument("--transient", type=float, default=50.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--g0", type=float, default=1.0)
    ap.add_argument("--Ks", type=int, nargs="+", default=[10, 30, 100, 300, 1000])
    ap.add_argument("--i0s", type=float, nargs="+", default=[0.05, 0.2, 0.4, 1.0])
    ap.add_argument("--md", default=None, help="also write the table as Markdown here")
    ap.add_argument("--no-chain-integration", action="store_true")
    ap.add_argument("--ei-Ks", type=int, nargs="*", default=[100, 400, 1000, 2000, 4000])
    ap.add_argument("--ei-N", type=int, default=None, help="N_e = N_i (default: the paper's)")
    ap.add_argument("--ei-T", type=float, default=2000.0)
    ap.add_argument("--ei-transient", type=float, default=500.0)
    ap.add_argument("--from-csv", default=None,
                    help="print the summary (and --md) of an existing CSV instead of running")
    a = ap.parse_args(argv)
    if a.from_csv:
        rows = read_csv(a.from_csv)
        print_summary(rows)
        if a.md:
            Path(a.md).write_text(markdown(rows))
        return rows
    s = settings(a)
    t0 = time.time()
    comment = (f"reductions_vs_network ({'quick' if a.quick else 'full'}); "
               f"settings {s}; g0={a.g0}; RHO_GO={RHO_GO}; "
               f"verdict: |rel_err| < 0.01 -> <1%, < 0.05 -> <5%, else fail; "
               f"rel_err = nu_red / nu_net - 1")
    done = []

    def save(row):  # rewrite the CSV after every row: an interrupted run keeps what it did
        done.append(row)
        write_csv(a.out, done, comment + "\n(incomplete: run in progress or interrupted)")

    print("# table 1: inhibitory QIF network vs the shot-noise reductions (rates in 1/tau_m)")
    rows = inhibitory_table(s["Ks"], s["i0s"], a.g0, s["N"], s["T"], s["transient"], s["seeds"],
                            integrate_chain=not (a.quick or a.no_chain_integration),
                            on_row=save)
    print("# table 2: E-I QIF network vs ei_neural_mass (rates in Hz; "
          f"I_e={EI_PARAMS['I_e']}, D_ee={EI_PARAMS['D_ee']}, D_ii={EI_PARAMS['D_ii']})")
    rows += ei_table(s["ei_Ks"], s["ei_T"], s["ei_transient"], s["ei_N"], on_row=save)
    print_summary(rows)
    out = write_csv(a.out, rows, comment)
    if a.md:
        Path(a.md).parent.mkdir(parents=True, exist_ok=True)
        Path(a.md).write_text(markdown(rows))
    print(f"# wrote {out} ({len(rows)} rows) in {time.time() - t0:.0f} s")
    return rows


if __name__ == "__main__":
    main()
