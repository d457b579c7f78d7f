"""``bifkit.define_model``: a model from strings or sympy expressions, in one call.

Every name is declared (states, parameters, observables); right-hand sides
given as strings are parsed against exactly those names (see
:mod:`.expressions`), sympy expressions are matched to them by name.  Each bad
input is a ValueError that names the culprit.
"""
from __future__ import annotations

import keyword
import math
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import sympy as sp

if TYPE_CHECKING:  # annotations only
    from ..model import ModelDefinition

from .expressions import FUNCTIONS, parse_expression

RESERVED = {"t": "time"}


def _name_of(item, what: str) -> str:
    if isinstance(item, sp.Symbol):
        return item.name
    if isinstance(item, str):
        return item.strip()
    raise ValueError(f"{what} {item!r} must be a name (str) or a sympy Symbol, "
                     f"not {type(item).__name__}")


def _check_name(name: str, what: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{what} name {name!r} is not a valid identifier")
    if name in RESERVED:
        raise ValueError(f"{what} name {name!r} is reserved for {RESERVED[name]}")
    if name in FUNCTIONS:
        raise ValueError(f"{what} name {name!r} is the name of a function; choose another")


def _number(value, what: str) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} has no numeric value (got {value!r})")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a real number; got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} must be finite; got {value!r}")
    return v


def _params(params, ranges) -> tuple[dict, dict]:
    """(defaults, ranges) from the accepted forms of ``params``."""
    ranges = dict(ranges or {})
    if isinstance(params, Mapping):
        items = list(params.items())
    elif isinstance(params, (list, tuple)):
        items = []
        for entry in params:
            if isinstance(entry, (list, tuple)) and len(entry) == 2:
                items.append((entry[0], entry[1]))
            else:
                raise ValueError(f"parameter {_name_of(entry, 'parameter')!r} has no default "
                                 f"value; give params as a dict name -> default")
    else:
        raise ValueError(f"params must be a dict name -> default; got {type(params).__name__}")
    defaults = {}
    for key, value in items:
        name = _name_of(key, "parameter")
        if isinstance(value, Mapping):
            unknown = set(value) - {"default", "value", "min", "max", "range", "unit"}
            if unknown:
                raise ValueError(f"parameter {name!r}: unknown field(s) {sorted(unknown)}")
            if "default" not in value and "value" not in value:
                raise ValueError(f"parameter {name!r} has no default value")
            if "range" in value:
                ranges.setdefault(name, tuple(value["range"]))
            elif "min" in value or "max" in value:
                ranges.setdefault(name, (value.get("min"), value.get("max")))
            value = value.get("default", value.get("value"))
        if name in defaults:
            raise ValueError(f"duplicate parameter name {name!r}")
        defaults[name] = _number(value, f"default of parameter {name!r}")
    for name, bounds in ranges.items():
        if name not in defaults:
            raise ValueError(f"range given for {name!r}, which is not a parameter")
        lo, hi = _bounds(name, bounds)
        ranges[name] = (lo, hi)
        v = defaults[name]
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValueError(f"default {name} = {v:g} is outside its range {_range_text(name, lo, hi)}")
    return defaults, ranges


def _bounds(name, bounds):
    if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
        raise ValueError(f"range of {name!r} must be (min, max); got {bounds!r}")
    lo, hi = (None if b is None else _number(b, f"range bound of {name!r}") for b in bounds)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"range of {name!r} is empty: min {lo:g} > max {hi:g}")
    return lo, hi


def _range_text(name, lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g} <= {name} <= {hi:g}"
    return f"{name} >= {lo:g}" if lo is not None else f"{name} <= {hi:g}"


def range_constraints(ranges: Mapping[str, tuple]) -> list:
    """Constraints (valid parameter ranges) from ``{name: (min or None, max or None)}``."""
    from ..model import Constraint
    out = []
    for name, (lo, hi) in ranges.items():
        if lo is None and hi is None:
            continue
        lo_, hi_ = (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
        out.append(Constraint(name, _within(lo_, hi_), _range_text(name, lo, hi)))
    return out


def _within(lo: float, hi: float) -> Callable[[float], bool]:
    """The check ``lo <= v <= hi`` of one parameter range."""
    def check(v: float) -> bool:
        return lo <= v <= hi
    return check


def _to_expr(value, symbols, functions, where):
    """A string (parsed) or a sympy expression (symbols matched by name)."""
    if isinstance(value, str):
        return parse_expression(value, symbols, functions, where=where)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.Float(value) if isinstance(value, float) else sp.Integer(value)
    if not isinstance(value, sp.Basic):
        raise ValueError(f"{where}: expected a string or sympy expression, got "
                         f"{type(value).__name__} {value!r}")
    free = value.free_symbols
    stray = sorted(s.name for s in free if s.name not in symbols)
    if stray:
        raise ValueError(f"{where}: unknown symbol(s) {stray} (declared: "
                         f"{', '.join(sorted(symbols))})")
    return value.xreplace({s: symbols[s.name] for s in free})


def define_model(name: str, states: Any, params: Any, rhs: Any, observables: Any = None, *,
                 ranges: Mapping[str, tuple] | None = None, initial: Any = None,
                 units: Mapping[str, str] | None = None, time_unit: str = "1",
                 description: str = "", functions: Any = None,
                 register: bool = False) -> ModelDefinition:
    """Define a model from strings or sympy expressions.

    Parameters
    ----------
    name : str
        Model name (used by :func:`bifkit.load_model` once registered).
    states : sequence of str or Symbol, or dict name -> initial value
        State variables, in order.
    params : dict name -> default
        Parameters with default values; a value may also be a dict
        ``{"default": v, "min": lo, "max": hi}`` (or ``"range": (lo, hi)``).
        Names may be strings or sympy Symbols.
    rhs : sequence (in the order of ``states``) or dict state -> expression
        d state / dt, as strings (``"-x + a*y^2"``, parsed against the
        declared names only, ``^`` is a power) or sympy expressions.
        ``t`` is time.
    observables : dict name -> expression, optional
        Algebraic functions of states and parameters (rates, potentials, ...).
    ranges : dict name -> (min, max), optional
        Valid parameter ranges (None for an open side); enforced whenever
        parameters are set.
    initial : dict state -> value, optional
        Initial values; used as the default Newton guess.
    units, time_unit, description : optional
        Metadata for docs and axis labels.
    functions : dict name -> callable, optional
        Extra functions for the strings (e.g. user functions of an .ode file).
    register : bool
        Also :func:`bifkit.register_model` the definition.

    Returns
    -------
    ModelDefinition
        Use ``bifkit.Model(definition, {...})`` or register it and
        ``bifkit.load_model(name, ...)``.

    Raises
    ------
    ValueError
        Naming the culprit: an unknown symbol in a right-hand side, duplicate
        names, a parameter without default, a string that does not parse, a
        right-hand side count different from the state count, ...

    Examples
    --------
    >>> fold = define_model("fold", states=["x"], params={"mu": -1.0},
    ...                     rhs=["mu - x^2"])                    # doctest: +SKIP
    """
    from ..model import TIME, ModelDefinition
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"model name must be a non-empty string; got {name!r}")
    if isinstance(states, (str, sp.Symbol)):
        states = [states]
    if isinstance(states, Mapping):
        initial = {**{_name_of(k, "state"): v for k, v in states.items()}, **(initial or {})}
        states = list(states)
    state_names = [_name_of(s, "state") for s in states]
    if not state_names:
        raise ValueError(f"model {name!r} has no states")
    defaults, ranges = _params(params, ranges)
    obs_in = dict(observables or {})
    obs_names = [_name_of(k, "observable") for k in obs_in]
    seen: dict[str, str] = {}
    for what, names in (("state", state_names), ("parameter", list(defaults)),
                        ("observable", obs_names)):
        for n in names:
            _check_name(n, what)
            if n in seen:
                raise ValueError(f"duplicate name {n!r} (a {seen[n]} and a {what})"
                                 if seen[n] != what else f"duplicate {what} name {n!r}")
            seen[n] = what
    symbols = {n: sp.Symbol(n, real=True) for n in state_names + list(defaults)}
    symbols["t"] = TIME
    if isinstance(rhs, Mapping):
        keys = [_name_of(k, "state") for k in rhs]
        extra = [k for k in keys if k not in state_names]
        missing = [s for s in state_names if s not in keys]
        if extra or missing:
            raise ValueError(f"rhs keys must be the states: unknown {extra}, missing {missing}")
        rhs = [dict(zip(keys, rhs.values()))[s] for s in state_names]
    elif isinstance(rhs, (str, sp.Basic)):
        rhs = [rhs]
    rhs = list(rhs)
    if len(rhs) != len(state_names):
        raise ValueError(f"model {name!r} has {len(state_names)} states "
                         f"({', '.join(state_names)}) but {len(rhs)} right-hand sides")
    exprs = [_to_expr(e, symbols, functions, f"rhs of {s}") for s, e in zip(state_names, rhs)]
    obs = {n: _to_expr(e, symbols, functions, f"observable {n}")
           for n, e in zip(obs_names, obs_in.values())}
    initial = {_name_of(k, "initial value"): v for k, v in (initial or {}).items()}
    for k, v in initial.items():
        if k not in state_names:
            raise ValueError(f"initial value given for {k!r}, which is not a state")
        initial[k] = _number(v, f"initial value of {k!r}")
    definition = ModelDefinition.from_sympy(
        name, states=[(s, symbols[s]) for s in state_names],
        params=[(symbols[p], v) for p, v in defaults.items()], rhs=exprs, observables=obs,
        constraints=range_constraints(ranges), units=dict(units or {}), time_unit=time_unit,
        description=description, ranges=ranges, initial=initial)
    if register:
        from ..registry import register_model
        register_model(definition, replace=True)
    return definition
