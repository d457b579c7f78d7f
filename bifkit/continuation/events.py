"""User events along a curve: crossings, extrema and any function of a point.

AUTO-07p's user-defined points (UZR) and MatCont's user functions.  An event
is a callable ``g(point) -> float`` of an :class:`EventPoint`; its zeros along
a curve are bracketed by sign changes between consecutive points and located
by :func:`locate_zero` (Illinois regula falsi on the pseudo-arclength step,
every trial point put back on the curve by the curve type's own corrector), so
that the located point satisfies the curve's equations to the corrector
tolerance and the event to ~1e-12 relative in the step.  Located zeros are
special points labelled "UZ" with ``data["event"]`` naming the event.

* ``crossing("D_ee", 3.0)``: g = D_ee - 3 (a parameter, a state, a model
  observable such as "rate_e" on equilibrium curves, or a per-point quantity
  such as "period" on cycle curves);
* ``extremum("I_e")``: g = d I_e / ds along the curve (the curve turns in
  I_e); ``data["extremum"]`` says "max" or "min";
* any callable ``g(point)``: ``point.value(name)``, ``point.params``,
  ``point.state``, ``point.derivative(name)``.

``stop_at`` events end a direction at their first zero (status "completed";
the located point is the last point).  The cycle curves check events after
every step; EP-C and the codim-2 curves, whose loops are compiled, evaluate
events on the finished direction and cut it there.  EP-C computes the whole
direction first (the points beyond the stop are dropped); the codim-2 curves
run their loop in chunks and stop after the chunk with the stop's zero
(:meth:`bifkit.continuation.codim2.curve.Codim2Curve.run_direction`).  A zero
exactly at a computed point (no sign change between two points) is not
reported.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

LABEL = "UZ"


class EventPoint:
    """A point of a curve as an event sees it.

    Attributes
    ----------
    params : dict
        Every parameter value.
    state : dict
        State values (for cycles: the orbit at t = 0).
    extra : dict
        Per-point scalars of the curve type ("period" on cycle curves).
    """

    __slots__ = ("params", "state", "extra", "_rates", "_observe")

    def __init__(self, params, state, extra=None, rates=None, observe=None):
        """``rates``: {name: d name/ds}, or a callable returning it (computed when first asked);
        ``observe(name, rate)``: a model observable's value (rate False) or d/ds (rate True),
        None for names that are not observables."""
        self.params, self.state, self.extra = params, state, extra or {}
        self._rates = rates if rates is not None else {}
        self._observe = observe

    def value(self, name: str) -> float:
        """The value of a parameter, state or per-point scalar ``name``."""
        for src in (self.params, self.state, self.extra):
            if name in src:
                return float(src[name])
        v = self._observe(name, False) if self._observe is not None else None
        if v is not None:
            return float(v)
        raise ValueError(f"unknown name {name!r} in an event: not a parameter, state or "
                         f"per-point value ({', '.join(sorted(self.extra)) or 'none'}) "
                         f"of this curve")

    def derivative(self, name: str) -> float:
        """d name / ds along the curve, up to a positive factor (the direction of the run)."""
        if callable(self._rates):
            self._rates = self._rates()
        if name not in self._rates and self._observe is not None:
            v = self._observe(name, True)
            if v is not None:
                return float(v)
        if name not in self._rates:
            self.value(name)   # a clear error for unknown names
            raise ValueError(f"extremum({name!r}): its rate along the curve is not available "
                             f"on this curve type (available: {sorted(self._rates)})")
        return float(self._rates[name])


@dataclass(frozen=True)
class crossing:  # noqa: N801  (used like a function: bifkit.crossing("D_ee", 3.0))
    """Event: ``name`` crosses ``value`` (g = name - value)."""

    name: str
    value: float

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ValueError(f"crossing: the name must be a string; got {self.name!r}")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) \
                or not math.isfinite(self.value):
            raise ValueError(f"crossing({self.name!r}, ...): the value must be a finite "
                             f"number; got {self.value!r}")

    def __call__(self, point: EventPoint) -> float:
        return point.value(self.name) - self.value

    def describe(self) -> str:
        return f"crossing({self.name!r}, {self.value!r})"


@dataclass(frozen=True)
class extremum:  # noqa: N801
    """Event: the curve turns in ``name`` (g = d name / ds)."""

    name: str

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ValueError(f"extremum: the name must be a string; got {self.name!r}")

    def __call__(self, point: EventPoint) -> float:
        return point.derivative(self.name)

    def describe(self) -> str:
        return f"extremum({self.name!r})"


def describe(event) -> str:
    """A short name of an event (its ``describe()``, else the function's name)."""
    if hasattr(event, "describe"):
        return event.describe()
    return getattr(event, "__name__", repr(event))


def evaluate(event, point: EventPoint) -> float:
    """``event(point)`` as a float (ValueError if it is not a real number)."""
    g = event(point)
    try:
        return float(g)
    except (TypeError, ValueError):
        raise ValueError(f"event {describe(event)} returned {g!r}, not a number") from None


def event_data(event, point: EventPoint, g_before: float) -> dict:
    """The ``data`` of a located event's special point."""
    data: dict[str, str | float] = {"event": describe(event)}
    if isinstance(event, extremum):
        data["extremum"] = "max" if g_before > 0 else "min"
        data["value"] = point.value(event.name)
    elif isinstance(event, crossing):
        data["value"] = event.value
    return data


def observer(model, x, p, tx, tp):
    """``observe(name, rate)`` of :class:`EventPoint` for the model's observables at (x, p).

    The rate along the curve is the central difference of the observable along
    the tangent (tx, tp) (step 1e-6 relative: error ~1e-12 relative, far below
    the location tolerance of an extremum).
    """
    names = list(getattr(model, "observable_names", ()) or ())

    def observe(name, rate):
        if name not in names:
            return None
        i = names.index(name)
        obs = model.compiled.obs
        if not rate:
            return float(obs(0.0, x, p)[i])
        h = 1e-6 * (1.0 + float(np.max(np.abs(x))))
        return float(obs(0.0, x + h * tx, p + h * tp)[i]
                     - obs(0.0, x - h * tx, p - h * tp)[i]) / (2.0 * h)
    return observe


def all_events(opts) -> list:
    """The events to locate: ``opts.events`` and the ``opts.stop_at`` ones (each once)."""
    return list(opts.events) + [e for e in opts.stop_at if e not in opts.events]


def values_at(events, point: EventPoint) -> list:
    """Every event's value at ``point``."""
    return [evaluate(e, point) for e in events]


def step_events(events, stop_at, g_prev, g_new, locate):
    """The events whose sign changes over one continuation step, located.

    Parameters
    ----------
    events : list
    stop_at : tuple (the events among ``events`` that end the run)
    g_prev, g_new : the events' values at the step's two ends
    locate : callable (event, ga, gb) -> (loc, converged); ``loc`` a tuple whose
        last item is the step h of the located point (None if location failed)

    Returns
    -------
    found : list of (event, loc, converged, g_prev) in the order of h
        (up to and including the first stop event)
    stop : the entry of ``found`` of the first stop event, or None
    """
    found = []
    for j, event in enumerate(events):
        ga, gb = g_prev[j], g_new[j]
        if math.isfinite(ga) and math.isfinite(gb) and ga * gb < 0:
            loc, converged = locate(event, ga, gb)
            if loc is not None:
                found.append((event, loc, converged, ga))
    found.sort(key=lambda f: f[1][-1])
    stop = next((f for f in found if f[0] in stop_at), None)
    if stop is not None:
        found = found[:found.index(stop) + 1]
    return found, stop


def scan_steps(opts, m, point_at, trial, ds, special_at):
    """User events along a finished run of m points: each located zero, and the first
    ``stop_at`` zero.  For curves whose loop runs compiled (EP-C, LP-C, H-C, NF-C).

    Parameters
    ----------
    opts : ContinuationOptions (``events``, ``stop_at``)
    m : int
        Number of computed points.
    point_at : callable i -> EventPoint of computed point i
    trial : callable (i, h) -> (loc, EventPoint) or None
        The curve point reached from point i by the step h along its tangent and the
        corrector (None if that fails); ``loc`` is a tuple whose last item is h.
    ds : sequence; ds[i + 1] is the step from point i to point i + 1
    special_at : callable (i, loc, converged) -> SpecialPoint or None (rejected)

    Returns
    -------
    special : list of SpecialPoint labelled "UZ" with the event's data
    stop : (i, loc) of the first stop_at zero after point i, or None
    """
    events = all_events(opts)
    g_prev = values_at(events, point_at(0))
    special = []
    for i in range(m - 1):
        g_new = values_at(events, point_at(i + 1))

        def locate(event, ga, gb, i=i):
            def g_of(h):
                out = trial(i, h)
                if out is None:
                    return None
                loc, pt = out
                return evaluate(event, pt), (pt, *loc)   # h stays last
            return locate_zero(g_of, ds[i + 1], ga, gb)
        found, stop = step_events(events, opts.stop_at, g_prev, g_new, locate)
        for event, (pt, *loc), converged, ga in found:
            sp = special_at(i, tuple(loc), converged)
            if sp is not None:
                sp.data.update(event_data(event, pt, ga))
                special.append(sp)
        if stop is not None:
            return special, (i, tuple(stop[1][1:]))
        g_prev = g_new
    return special, None


@nb.njit(cache=True)
def illinois_trial(a, b, ga, gb):
    """The next trial step of Illinois regula falsi on the bracket [a, b] (g(a) = ga and
    g(b) = gb of opposite signs): the secant root, or the midpoint when the secant root
    is not strictly inside.  Shared by :func:`locate_zero` and the compiled locators
    (codim-2 curves: :func:`bifkit.continuation.codim2.core.locate`)."""
    h = b - (b - a) * gb / (gb - ga) if gb != ga else 0.5 * (a + b)
    if not (min(a, b) < h < max(a, b)):
        h = 0.5 * (a + b)
    return h


@nb.njit(cache=True)
def illinois_update(a, b, ga, gb, side, h, gh):
    """The bracket after the trial h with g(h) = gh: (a, b, ga, gb, side).

    h replaces the end whose sign gh shares; the value at the kept end is halved only
    when the same end is kept twice in a row (``side`` remembers which: -1 a kept, +1 b
    kept, 0 at the start; halving every time makes the method linear).  Illinois
    regula falsi: Dowell & Jarratt, BIT 11 (1971) 168.
    """
    if gh * ga < 0:
        b, gb = h, gh
        if side == -1:
            ga *= 0.5
        side = -1
    else:
        a, ga = h, gh
        if side == 1:
            gb *= 0.5
        side = 1
    return a, b, ga, gb, side


def locate_zero(g_of, h_end, ga, gb, max_steps=60):
    """Zero of g along one continuation step by Illinois regula falsi.

    Parameters
    ----------
    g_of : callable h -> (g, point) or None
        The event at the curve point reached from the step's start by the
        predictor h * tangent and the corrector (None if that fails).
    h_end : float
        The step length to the point after the sign change (g(h_end) = gb).
    ga, gb : float
        The event at h = 0 and h = h_end (opposite signs).

    Returns
    -------
    (point, converged) or (None, False)
    """
    a, b = 0.0, float(h_end)
    ga, gb = float(ga), float(gb)
    best, side = None, 0
    for _ in range(max_steps):
        h = illinois_trial(a, b, ga, gb)
        out = g_of(h)
        if out is None:
            return best, False
        gh, best = out
        if gh == 0.0:
            return best, True
        a, b, ga, gb, side = illinois_update(a, b, ga, gb, side, h, float(gh))
        if abs(b - a) <= 1e-13 * (1.0 + abs(h_end)):
            return best, True
    return best, abs(b - a) <= 1e-9 * (1.0 + abs(h_end))
