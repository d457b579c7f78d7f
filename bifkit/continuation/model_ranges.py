"""A model's valid range of a parameter, as bounds for continuation (issue 20).

Models declare valid ranges as :class:`bifkit.model.Constraint` checks (e.g.
``D_ee >= 0`` in the E-I model) or, for user models, as numeric ``ranges``.
Continuation stops on the edge of that range with status "bound", as on a
user's bound, instead of running on into parameter values the model rejects.
A check is a predicate, so its edge is found by bisection from the current
(valid) value; an edge within 1e-12 of zero is taken as exactly 0.
"""
from __future__ import annotations

import math
import weakref

#: id(definition) -> (weak reference to it, {name: [(low, high), ...]}): intervals already found by
#: bisection (a check is a predicate of the parameter's value alone, so an interval found once holds
#: for every start inside it); definitions are unhashable, hence the id and the weak reference
_FOUND: dict = {}


def _found(definition, name: str) -> list:
    entry = _FOUND.get(id(definition))
    if entry is None or entry[0]() is not definition:
        key = id(definition)
        entry = (weakref.ref(definition, lambda _r, key=key: _FOUND.pop(key, None)), {})
        _FOUND[key] = entry
    return entry[1].setdefault(name, [])


def valid_interval(model, name: str) -> tuple:
    """(low, high) of the valid values of parameter ``name`` around its current value."""
    d = model.definition
    lo, hi = -math.inf, math.inf
    rng = getattr(d, "ranges", {}).get(name)
    if rng is not None:
        lo = -math.inf if rng[0] is None else float(rng[0])
        hi = math.inf if rng[1] is None else float(rng[1])
    checks = [c.check for c in getattr(d, "constraints", ()) if c.param == name]
    if not checks:
        return lo, hi
    v0 = float(model.params[name])

    def ok(v):
        return all(_safe(c, v) for c in checks)
    if not ok(v0):
        return lo, hi   # (the model refuses its own value: leave it to the model's errors)
    found = _found(d, name)
    for a, b in found:
        if a <= v0 <= b:
            return max(lo, a), min(hi, b)
    a, b = _edge(ok, v0, -1.0), _edge(ok, v0, 1.0)
    found.append((a, b))
    return max(lo, a), min(hi, b)


def _safe(check, v) -> bool:
    try:
        return bool(check(v))
    except (ValueError, ArithmeticError):
        return False


def _edge(ok, v0, sign):
    """The last valid value from v0 in direction ``sign`` (+-inf if none is invalid up to 1e300)."""
    step = 1.0 + abs(v0)
    bad = None
    for _ in range(1100):
        v = v0 + sign * step
        if not math.isfinite(v):
            break
        if not ok(v):
            bad = v
            break
        step *= 1e4
    if bad is None:
        return sign * math.inf
    good = v0
    for _ in range(200):   # bisection to adjacent floats
        mid = 0.5 * (good + bad)
        if mid in (good, bad):
            break
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    if abs(good) < 1e-12 * (1.0 + abs(v0)) and ok(0.0):
        return 0.0
    return good
