"""AUTO-07p output files -> a bifkit Branch.

Rows of fort.7 become branch points (a direction="both" continuation is the
backward run reversed followed by the forward run, the start once).  States
and all parameters come from fort.8 when AUTO wrote the point's solution
(``solutions="all"``, NPR = 1; on cycle curves ``x`` is then the orbit at
t = 0 and ``data`` holds the orbits ``orbit_t``/``orbit_u`` and their
``max``/``min``), otherwise from the fort.7 columns: the free parameters and,
on equilibrium curves, the first ``7 - len(ICP)`` state components (the
other components are NaN); on cycle curves fort.7 holds the maxima of the
states (``data["max"]``) and ``x`` is NaN.  Eigenvalues and Floquet
multipliers come from fort.9 (printed by AUTO with 6 significant digits).

Unlike bifkit's own driver, AUTO's special points are points of the branch:
``SpecialPoint.index`` is the row of the point itself.

Never a NaN point, never a runaway passed off as a result: each run's points are
cut (and the stop reason says where and why) before the first point that

* holds a non-finite value (AUTO diverged and goes on writing NaN rows), or
* on a cycle curve, starts a run of ``LOST_RUN`` points that have all lost the
  trivial Floquet multiplier 1 (no multiplier within ``TRIVIAL_TOL`` of 1): the
  collocation no longer resolves the orbit, typically as the period runs off
  towards a homoclinic orbit (AUTO's 'ab' demo: the multipliers go wrong near
  period 45 and the run goes on to periods of 1e5 and then NaN).

A point that lost the trivial multiplier only briefly (AUTO's first steps from
a written start, e.g. a native orbit, can have wrong multipliers for two or
three points while the orbit itself is right) is kept, with its multipliers
set to NaN (unknown) rather than wrong ones.  An LPC label on LC-C needs a
second multiplier near 1 (``LPC_TOL``); AUTO's label from the fold of the
parameter alone is dropped otherwise (``options["dropped_labels"]`` says so).
"""
from __future__ import annotations

import math

import numpy as np

from ...continuation.branch import Branch, SpecialPoint
from ...errors import ComputationError
from . import files, labels

TWO_PI = 2 * math.pi
# the trivial multiplier of a periodic orbit is 1 exactly; AUTO prints 6 digits and its
# Floquet solver (ISP = 2) keeps it to ~1e-5 on resolved orbits (measured on the 'ab' demo
# up to period 40); once the mesh no longer resolves the orbit it jumps by O(1)
TRIVIAL_TOL = 1e-2
LOST_RUN = 5   # consecutive points without the trivial multiplier that end a run
# at a fold of cycles a second multiplier reaches 1; AUTO labels LPC from the fold of the
# parameter alone, which near a homoclinic orbit is noise (the 'ab' demo: an "LPC" at period
# 41 with multipliers 1.0014 and 2e-7): such labels are dropped
LPC_TOL = 0.05


class _Run:
    """Parsed files of one AUTO run."""

    def __init__(self, out):
        self.out = out
        self.rows = files.read_fort7(out.fort7)
        self.solutions = {(abs(s.br), abs(s.pt)): s for s in files.read_fort8(out.fort8)}
        self.diag = files.read_fort9(out.fort9)


def _layout(model, icp):
    """Index of the state columns and of each ICP parameter in a fort.7 row."""
    nicp, n2 = len(icp), model.n
    if nicp > 7:
        n2 = 0
    elif nicp + n2 > 7:
        n2 = 7 - nicp
    cols = {icp[0]: 0}
    for j, k in enumerate(icp[1:]):
        cols[k] = 2 + n2 + j
    return n2, cols


def _inside(row, cols, opts, pmap) -> bool:
    """False for a point AUTO computed beyond a bound (it stops one step after RL0/RL1)."""
    for name, (lo, hi) in opts.bounds.items():
        c = cols.get(pmap[name])
        if c is None:
            continue
        v, tol = row.values[c], 1e-10 * (abs(lo) + abs(hi))
        if v < lo - tol or v > hi + tol:
            return False
    return True


def _at_bound(row, cols, opts, pmap) -> bool:
    for name, (lo, hi) in opts.bounds.items():
        c = cols.get(pmap[name])
        if c is not None and any(math.isclose(row.values[c], b, rel_tol=1e-9, abs_tol=1e-300)
                                 for b in (lo, hi)):
            return True
    return False


def _bound_hit(row, cols, opts, pmap):
    """'name = value' of the bound ``row`` lies on, or None."""
    for name, (lo, hi) in opts.bounds.items():
        c = cols.get(pmap[name])
        if c is not None:
            for b in (lo, hi):
                if math.isclose(row.values[c], b, rel_tol=1e-8, abs_tol=1e-300):
                    return f"{name} = {row.values[c]:.10g}"
    return None


def _row_finite(run: _Run, row, cycles: bool) -> bool:
    if not np.all(np.isfinite(row.values)):
        return False
    sol = run.solutions.get((abs(row.br), abs(row.pt))) if row.lab != 0 else None
    if sol is not None and not (np.all(np.isfinite(sol.state)) and np.all(np.isfinite(sol.par))
                                and (not cycles or np.all(np.isfinite(sol.u)))):
        return False
    return True


def _lost_trivial_multiplier(run: _Run, row) -> float | None:
    """Distance of the multipliers from 1 if none is within TRIVIAL_TOL, else None."""
    mu = run.diag.multipliers.get((abs(row.br), abs(row.pt)))
    if mu is None or len(mu) == 0 or not np.all(np.isfinite(mu)):
        return None
    d = float(np.min(np.abs(np.asarray(mu, complex) - 1.0)))
    return d if d > TRIVIAL_TOL else None


def _double_one(mu) -> bool:
    """True if two Floquet multipliers lie within LPC_TOL of 1 (a fold of cycles)."""
    mu = np.asarray(mu, complex)
    if mu.size < 2 or not np.all(np.isfinite(mu)):
        return False
    return bool(np.sort(np.abs(mu - 1.0))[1] <= LPC_TOL)


def healthy_prefix(run: _Run, seq, cycles: bool, period_col):
    """The points of ``seq`` before the first NaN row or (cycles) the first of ``LOST_RUN``
    points without the trivial multiplier, and the reason for the cut (None if no cut)."""
    lost = [cycles and _lost_trivial_multiplier(run, row) is not None for _, row in seq]
    for k, (_, row) in enumerate(seq):
        if not _row_finite(run, row, cycles):
            return seq[:k], (f"AUTO-07p diverged (non-finite values) after point {k - 1}; "
                             f"the {len(seq) - k} points from there on are dropped")
        if k > 0 and lost[k] and all(lost[k:k + LOST_RUN]):
            d = _lost_trivial_multiplier(run, row)
            per = row.values[period_col] if period_col is not None else math.nan
            return seq[:k], (f"orbit no longer resolved at point {k} (period {per:.6g}): "
                             f"no Floquet multiplier within {TRIVIAL_TOL:g} of 1 (off by "
                             f"{d:.3g}; homoclinic approach? raise ntst or set T_max); "
                             f"the {len(seq) - k} points from there on are dropped")
    return seq, None


def _stop_reason(run: _Run, consts, pmap, name_of, cols, opts) -> str:
    out = run.out
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"AUTO-07p exited with status {out.returncode} ({tail})"
    if not run.rows:
        return "AUTO-07p produced no point"
    last = run.rows[-1]
    t = labels.basic_type(last.ty)
    if t == labels.NO_CONVERGENCE:
        return "no convergence (AUTO label MX)"
    if t == labels.USER:
        hit = _bound_hit(last, cols, opts, pmap)
        if hit:
            return f"bound reached ({hit})"
        if opts.T_max < math.inf and 11 in cols and \
                math.isclose(last.values[cols[11]], opts.T_max, rel_tol=1e-8):
            return f"period reached T_max = {opts.T_max:g}"
        return "stopped at a user point (AUTO constants UZR/STOP)"
    if len(run.rows) >= consts["NMX"]:
        return f"max_points ({consts['NMX']}) reached"
    lo, hi = consts.get("RL0", -math.inf), consts.get("RL1", math.inf)
    if last.values[0] <= lo or last.values[0] >= hi or \
            math.isclose(last.values[0], lo, rel_tol=1e-8) or \
            math.isclose(last.values[0], hi, rel_tol=1e-8):
        return f"bound reached ({name_of(consts['ICP'][0])} = {last.values[0]:.10g})"
    return "end point (AUTO label EP)"


def assemble(model, curve, free, runs, pmap, opts, signs) -> Branch:
    """Branch of ``curve`` from the outputs of the runs (one per direction in ``signs``)."""
    n = model.n
    cycles = curve in ("LC-C", "LPC-C", "PD-C", "NS-C")
    name_by_index = {v: k for k, v in pmap.index.items()}
    name_of = lambda k: name_by_index.get(k, "period" if k == 11 else f"PAR({k})")  # noqa: E731
    icp = [pmap[f] for f in free] + ([11] if cycles or curve == "H-C" else [])
    n2, cols = _layout(model, icp)
    pts, reasons = [], []
    parsed = [_Run(r) for r in runs]
    for sign, run in zip(signs, parsed):
        consts = {"ICP": icp, "NMX": int(opts.max_points)}
        if free[0] in opts.bounds:
            lo, hi = opts.bounds[free[0]]
            consts.update(RL0=lo, RL1=hi)
        seq = [(run, r) for r in run.rows if _inside(r, cols, opts, pmap)]
        trimmed = len(seq) < len(run.rows)
        reason = _stop_reason(run, consts, pmap, name_of, cols, opts)
        if trimmed and seq:
            reason = (f"bound reached ({name_of(icp[0])} = {seq[-1][1].values[0]:.10g}; "
                      f"AUTO's step beyond it dropped)")
        seq, cut = healthy_prefix(run, seq, cycles, cols.get(11))
        if cut is not None:
            reason = cut
        reasons.append(f"{'forward' if sign > 0 else 'backward'}: {reason}")
        if len(signs) == 2 and sign < 0:
            seq = seq[::-1][:-1] if seq else seq   # start once (it ends the backward part)
        pts += seq
    if not pts:
        msgs = "; ".join(reasons)
        raise ComputationError(f"AUTO-07p computed no point of the {curve} curve: {msgs}")

    X = np.full((len(pts), n), np.nan)
    P = np.tile(np.asarray(model.p, float), (len(pts), 1))
    EV = np.full((len(pts), n), np.nan + 0j)
    stable = np.zeros(len(pts), bool)
    period = np.full(len(pts), np.nan)
    l1 = np.full(len(pts), np.nan)
    l2 = np.full(len(pts), np.nan)
    orbits_t, orbits_u = [], []
    special, dropped = [], []
    for i, (run, row) in enumerate(pts):
        key = (abs(row.br), abs(row.pt))
        sol = run.solutions.get(key) if row.lab != 0 else None
        stable[i] = row.stable
        l2[i] = row.values[1]
        for k, c in cols.items():
            if k == 11:
                period[i] = row.values[c]
            elif k in name_by_index:
                P[i, model.param_index(name_by_index[k])] = row.values[c]
        if sol is not None:
            X[i] = sol.state
            P[i] = pmap.from_par(sol.par)
            period[i] = sol.par[10] if (cycles or curve == "H-C") else period[i]
            if cycles:
                orbits_t.append(sol.t)
                orbits_u.append(sol.u[:, :n])
        elif not cycles:
            X[i, :n2] = row.values[2:2 + n2]
        elif cycles:
            orbits_t.append(None)
            orbits_u.append(None)
        vals = (run.diag.multipliers if cycles else run.diag.eigenvalues).get(key)
        if vals is not None and len(vals) >= n and not (
                cycles and _lost_trivial_multiplier(run, row) is not None):
            EV[i] = vals[:n]   # (multipliers without the trivial one are wrong: left NaN)
        if key in run.diag.gh:
            l1[i] = run.diag.gh[key]
        lab = labels.label(row.ty)
        if lab is None and opts.user_points and labels.basic_type(row.ty) == labels.USER and \
                not _at_bound(row, cols, opts, pmap):
            lab = "UZ"
        if lab is None or (opts.detect is not None and lab not in opts.detect and lab != "UZ"):
            continue
        if curve == "LC-C" and lab == "LPC" and not _double_one(EV[i]):
            dropped.append(i)   # a fold of the parameter without a fold of the cycle
            continue
        special.append(_special(model, curve, lab, i, row, sol, X[i], P[i], period[i],
                                EV[i], l1[i], free, cycles))
    data = {"l2norm": l2}
    if cycles:
        data["period"] = period
        data["multipliers"] = EV.copy()
        if orbits_u and all(u is not None for u in orbits_u) and \
                len({u.shape for u in orbits_u}) == 1:
            U = np.array(orbits_u)
            data.update(orbit_t=np.array(orbits_t), orbit_u=U, max=U.max(axis=1),
                        min=U.min(axis=1))
            X = U[:, 0, :]
        elif n2 > 0:
            data["max"] = np.array([r.values[2:2 + n2] for _, r in pts])
    if curve == "H-C":
        data["omega"] = TWO_PI / period
        data["l1"] = l1
    options = {"backend": "auto07p", "curve": curve, "free": list(free),
               "bounds": {k: list(v) for k, v in opts.bounds.items()},
               "log_params": list(opts.log_params), "direction": opts.direction,
               "max_points": int(opts.max_points), "tol": opts.tol, "ntst": int(opts.ntst),
               "ncol": int(opts.ncol)}
    if dropped:
        options["dropped_labels"] = (f"LPC labels at points {dropped} dropped: no second "
                                     f"Floquet multiplier within {LPC_TOL:g} of 1 (a fold of "
                                     f"the parameter at an unresolved orbit, not of the cycle)")
    # special points in branch order, without the duplicated start
    seen, uniq = set(), []
    for s in sorted(special, key=lambda s: s.index):
        if (s.label, s.index) not in seen:
            seen.add((s.label, s.index))
            uniq.append(s)
    return Branch(model, curve, free, X, P, EV, uniq, options, "; ".join(reasons),
                  data=data, stable=stable)


def _special(model, curve, lab, i, row, sol, x, p, period, ev, l1, free, cycles):
    params = dict(zip(model.param_names, map(float, p)))
    data = {"free": {f: params[f] for f in free},
            "auto": {"model": model.name, "label": int(row.lab), "type": int(row.ty),
                     "br": int(row.br), "pt": int(row.pt),
                     "solution": sol.text if sol is not None else None}}
    if cycles:
        data.update(period=float(period), multipliers=np.asarray(ev))
        if sol is not None:
            U = sol.u[:, :model.n]
            data.update(max=U.max(axis=0), min=U.min(axis=0))
    else:
        data["eigenvalues"] = [complex(e) for e in ev]
    if lab == "H" or curve == "H-C":
        per = sol.par[10] if sol is not None else period
        if per and np.isfinite(per) and per > 0:
            data.update(omega=TWO_PI / per, frequency=1.0 / per)
    if curve == "H-C" and np.isfinite(l1):
        data["l1"] = float(l1)
    state = model.unpack(x) if np.all(np.isfinite(x)) else {}
    return SpecialPoint(label=lab, index=i, state=state, params=params, data=data,
                        converged=True)
