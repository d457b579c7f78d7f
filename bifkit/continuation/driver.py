"""The one continuation driver: what every curve type's run has in common.

A curve type (EP-C :class:`~.ep.curve.EquilibriumCurve`, LP-C/H-C/NF-C
:class:`~.codim2.curve.Codim2Curve`) is a small object that knows its own
equations; this module owns the orchestration around them:

1. the directions of ``opts`` (backward first), with one progress bar;
2. per direction: the curve's compiled predictor-corrector loop
   (``curve.run_direction``), the user events and ``stop_at``
   (:func:`.events.scan_steps`, cutting the run at the first stop zero), the
   location of every sign change of the curve's test functions
   (``curve.locate``) and the curve's own finishing touches (``curve.finish``);
3. joining the directions into one branch (the backward run reversed, then the
   forward one, the shared start point once), the status of each direction
   (:mod:`.status`) and the human message;
4. the Branch (``curve.branch``).

The hot loop stays in the curve's compiled core: the driver's Python runs once
per direction and once per located zero, not once per point (only user events,
when asked for, are evaluated at every finished point).  LC-C
(:class:`~.cycles.lc.CycleCurve`) and PD-C/LPC-C/NS-C
(:class:`~.cycles.curves.CycleBifurcationCurve`) run here too.

The interface a curve type provides
-----------------------------------
``for_request(model, curve, start, free, opts)``  classmethod: the curve of a
                                       ``bifkit.continuation`` call (:data:`CURVE_TYPES`)
``title``                              the progress bar's label, e.g. "EP-C mu"
``run_direction(sign, opts) -> Run``   the compiled loop from the start, ``sign`` = +1/-1
``event_point(run, i)``                :class:`.events.EventPoint` of computed point i
``trial(run, i, h)``                   ``(loc, EventPoint)`` of the corrected point at step
                                       h from point i (``loc[-1] == h``), or None
``special(run, label, loc, i, converged)``  SpecialPoint at a located event (or None)
``cut(run, i, loc)``                   make the located point after point i the last one
``scanned(run, opts)``                 [(label, column of run.tests)] to locate
``locate(run, label, col, i)``         SpecialPoint of the zero of column col between
                                       points i and i + 1 (or None: rejected)
``finish(run, opts)``                  curve-specific work after location (may be a no-op)
``rows(run)``                          {name: per-point array of the first run.m points}
``branch(rows, special, status, message, opts) -> Branch``

Optional:

``signs(opts) -> [int]``               the directions to run, in run order (default
                                       ``opts.directions()``; a Hopf start of cycles has
                                       one branch whatever the direction asked for; the
                                       cycle bifurcation curves run forward first)
``events_in_loop``                     True: the compiled loop locates the user events
                                       and stop_at itself at every step and shows its own
                                       progress per point; the driver's event scan and
                                       bar are skipped (default False)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import events as ev_mod
from .branch import SpecialPoint
from .progress import Progress


@dataclass
class Run:
    """One direction of a curve, in run order (point 0 is the start).

    Attributes
    ----------
    sign : int
        +1 forward, -1 backward.
    m : int
        Number of points kept (the curve's arrays may be longer).
    status, message : str
        Why the run ended (a key of :data:`.status.STATUSES`) and a sentence.
    tests : ndarray (>= m, k)
        Test-function values per point (columns as in ``curve.scanned``).
    ds : ndarray
        ``ds[i + 1]`` is the arclength step from point i to point i + 1.
    arrays : dict
        The curve's own outputs of the compiled loop (states, tangents, ...).
    special : list of SpecialPoint
        Located points; ``index`` is the run point just before each.
    """

    sign: int
    m: int
    status: str
    message: str
    tests: np.ndarray
    ds: np.ndarray
    arrays: dict = field(default_factory=dict)
    special: list = field(default_factory=list)


def direction_name(sign: int) -> str:
    """ "forward" for +1, "backward" for -1 (the keys of ``branch.status``)."""
    return "forward" if sign > 0 else "backward"


def start_model(model, start):
    """(model with the start's parameters, start state) from any accepted ``start``: a special
    point or branch point (``.state``, ``.params``), {"state": ..., "params": ...}, or a state."""
    if isinstance(start, SpecialPoint) or hasattr(start, "params") and hasattr(start, "state"):
        return model.with_params(**start.params), start.state
    if isinstance(start, dict) and set(start) == {"state", "params"}:
        state = start["state"]
        if set(state) != set(model.states):  # real-split names -> model order
            state = [state[k] for k in model.state_names]
        return model.with_params(**start["params"]), model.unpack(state) if not isinstance(
            state, dict) else state
    return model, start


def continue_curve(curve, opts):
    """Run ``curve`` in the directions of ``opts`` and return its Branch.

    A closed curve (status "closed_loop") is not run in the other direction,
    which would retrace it.
    """
    signs = curve.signs(opts) if hasattr(curve, "signs") else opts.directions()
    bar = Progress(opts.progress and not _events_in_loop(curve),
                   opts.max_points * len(signs), curve.title)
    runs = []
    for sign in signs:
        run = run_direction(curve, sign, opts)
        runs.append(run)
        bar.update(run.m)
        if run.status == "closed_loop":
            break
    bar.close()
    rows, special = join(runs, curve.rows)
    status = {direction_name(r.sign): r.status for r in runs}
    message = "; ".join(f"{direction_name(r.sign)}: {r.message}" for r in runs)
    return curve.branch(rows, special, status, message, opts)


def run_direction(curve, sign, opts) -> Run:
    """One direction: the compiled loop, events and stop_at, special points."""
    run = curve.run_direction(sign, opts)
    if (opts.events or opts.stop_at) and not _events_in_loop(curve):
        special, stop = ev_mod.scan_steps(
            opts, run.m, lambda i: curve.event_point(run, i),
            lambda i, h: curve.trial(run, i, h), run.ds,
            lambda i, loc, converged: curve.special(run, ev_mod.LABEL, loc, i, converged))
        run.special += special
        if stop is not None:   # end the direction at the stop event's point
            i, loc = stop
            curve.cut(run, i, loc)
            run.m = i + 2
            run.status, run.message = "completed", f"stop_at event reached after point {i}"
    for label, col in curve.scanned(run, opts):
        g = run.tests[:run.m, col]
        changes = (np.isfinite(g[:-1]) & np.isfinite(g[1:])
                   & (np.sign(g[:-1]) * np.sign(g[1:]) < 0))   # (a product could overflow)
        for i in np.flatnonzero(changes):
            sp = curve.locate(run, label, col, int(i))
            if sp is not None:
                run.special.append(sp)
    curve.finish(run, opts)
    run.special.sort(key=lambda s: s.index)
    return run


def _events_in_loop(curve) -> bool:
    """The curve's compiled loop handles events, stop_at and progress itself."""
    return bool(getattr(curve, "events_in_loop", False))


def join(runs, rows_of):
    """The runs as one branch: ({name: array}, special points sorted by index).

    A backward run is reversed (its start last); with two runs the backward one
    comes first and the shared start point appears once.  Special point indices
    are moved to the joined numbering (the point just before each).
    """
    both = len(runs) == 2
    parts, special = {}, []
    offset = 0
    for run in sorted(runs, key=lambda r: r.sign):   # backward first (a curve may run it last)
        rows = rows_of(run)
        m = len(next(iter(rows.values())))
        if run.sign < 0:
            rows = {k: v[::-1] for k, v in rows.items()}
            for s in run.special:
                s.index = max(m - 2 - s.index, 0)
            if both:
                rows = {k: v[:-1] for k, v in rows.items()}
        for s in run.special:
            s.index += offset
        for k, v in rows.items():
            parts.setdefault(k, []).append(v)
        offset += len(next(iter(rows.values())))
        special += run.special
    special.sort(key=lambda s: s.index)
    return {k: np.concatenate(v) for k, v in parts.items()}, special
