"""Read a model from a small declarative TOML file.

Format (every table but ``[states]``, ``[parameters]`` and ``[rhs]`` optional)::

    name = "fold"                      # default: the file name
    description = "normal form of a fold"
    time_unit = "ms"

    [states]                           # in order; a number is the initial value
    x = { initial = 0.5, unit = "mV" }

    [parameters]                       # a number is the default ("params" also accepted)
    mu = { default = -1.0, min = -5.0, max = 5.0, unit = "1" }

    [functions]                        # user functions, substituted
    "sq(u)" = "u^2"

    [expressions]                      # named intermediate expressions, in order
    drive = "mu + 0"

    [rhs]                              # d state/dt, strings over the declared names
    x = "drive - sq(x)"

    [observables]
    x2 = "x^2"

Strings are parsed by :func:`~bifkit.model_files.expressions.parse_expression`
(no code is run; ``^`` is a power; ``t`` is time).  Errors name the file and
the line of the offending entry.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import sympy as sp

from .expressions import parse_expression, user_function

_TOP = {"name", "description", "time_unit", "states", "parameters", "params", "functions",
        "expressions", "rhs", "observables", "units"}


class _Locator:
    """Line numbers of ``key = ...`` entries, by table, for error messages."""

    def __init__(self, text: str):
        self.lines: dict[tuple[str, str], int] = {}
        table = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            m = re.fullmatch(r"\[\s*([^\]]+?)\s*\]\s*(#.*)?", line)
            if m:
                table = m.group(1)
                continue
            m = re.match(r'"([^"]+)"\s*=|\'([^\']+)\'\s*=|([A-Za-z0-9_.-]+)\s*=', line)
            if m:
                key = next(g for g in m.groups() if g is not None)
                self.lines.setdefault((table, key), number)

    def where(self, path: Path, table: str, key: str) -> str:
        number = self.lines.get((table, key))
        line = f", line {number}" if number else ""
        return f"{path.name}{line} ([{table}] {key})" if table else f"{path.name}{line} ({key})"


def read_toml_model(path):
    """The :class:`~bifkit.model.ModelDefinition` of a TOML model file (module docstring)."""
    from .define import define_model
    path = Path(path)
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        where = f"{path.name}, line {m.group(1)}" if m else path.name
        raise ValueError(f"{where}: not valid TOML: {e}") from None
    loc = _Locator(text)
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise ValueError(f"{loc.where(path, '', unknown[0])}: unknown entry {unknown[0]!r}; "
                         f"expected some of {', '.join(sorted(_TOP))}")
    for table in ("states", "rhs"):
        if table not in data:
            raise ValueError(f"{path.name}: missing table [{table}]")
    ptable = "parameters" if "parameters" in data else "params"
    states, initial, units = [], {}, dict(data.get("units", {}))
    for name, value in _table(data, "states", path).items():
        states.append(name)
        if isinstance(value, dict):
            _fields(value, {"initial", "unit"}, loc.where(path, "states", name))
            if "initial" in value:
                initial[name] = value["initial"]
            if "unit" in value:
                units[name] = value["unit"]
        else:
            initial[name] = value
    params = {}
    for name, value in _table(data, ptable, path).items():
        if isinstance(value, dict):
            _fields(value, {"default", "min", "max", "unit"}, loc.where(path, ptable, name))
            if "unit" in value:
                units[name] = value["unit"]
            value = {k: v for k, v in value.items() if k != "unit"}
        params[name] = value
    symbols = {n: sp.Symbol(n, real=True) for n in states + list(params)}
    symbols["t"] = sp.Symbol("t", real=True)
    functions = {}
    for key, body in _table(data, "functions", path).items():
        where = loc.where(path, "functions", key)
        m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*\(([^()]*)\)\s*", key)
        args = [a.strip() for a in m.group(2).split(",")] if m else []
        if not m or not all(a.isidentifier() for a in args):
            raise ValueError(f"{where}: a function is written \"name(arg, ...)\" = \"body\"")
        local = {a: sp.Dummy(a, real=True) for a in args}
        expr = parse_expression(body, {**symbols, **local}, functions, where=where)
        functions[m.group(1)] = user_function(m.group(1), [local[a] for a in args], expr)
    for key, body in _table(data, "expressions", path).items():
        where = loc.where(path, "expressions", key)
        if key in symbols:
            raise ValueError(f"{where}: {key!r} is already a state or parameter")
        symbols[key] = parse_expression(body, symbols, functions, where=where)

    def parse(table, key, body):
        return parse_expression(body, symbols, functions, where=loc.where(path, table, key))

    rhs_table = _table(data, "rhs", path)
    extra = [k for k in rhs_table if k not in states]
    missing = [s for s in states if s not in rhs_table]
    if extra or missing:
        key = (extra or missing)[0]
        raise ValueError(f"{loc.where(path, 'rhs' if extra else 'states', key)}: "
                         f"[rhs] must give one entry per state; "
                         f"{'not a state' if extra else 'no right-hand side'}: {key!r}")
    rhs = [parse("rhs", s, rhs_table[s]) for s in states]
    observables = {k: parse("observables", k, v)
                   for k, v in _table(data, "observables", path).items()}
    try:
        return define_model(
            data.get("name", path.stem), states=states, params=params, rhs=rhs,
            observables=observables, initial=initial, units=units,
            time_unit=data.get("time_unit", "1"),
            description=data.get("description", f"read from {path.name}"))
    except ValueError as e:
        # name the line of the first name the message quotes, if any
        for (table, key), number in loc.lines.items():
            if f"'{key}'" in str(e) and table in ("states", ptable, "observables"):
                raise ValueError(f"{path.name}, line {number}: {e}") from None
        raise ValueError(f"{path.name}: {e}") from None


def _table(data, name, path) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ValueError(f"{path.name}: [{name}] must be a table")
    return value


def _fields(value: dict, allowed: set, where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}; allowed: "
                         f"{', '.join(sorted(allowed))}")
