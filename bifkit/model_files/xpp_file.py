"""Read XPPAUT ``.ode`` files (Ermentrout, *Simulating, Analyzing, and Animating
Dynamical Systems*, 2002, ch. 2) into a :class:`~bifkit.model.ModelDefinition`.

Supported: ``x'=...`` and ``dx/dt=...``; ``par``/``param``/``p`` (several
``name=value`` per line, separated by commas or spaces); ``init``/``i`` and
``x(0)=...``; ``aux name=...`` (observables); ``!name=...`` derived
parameters (expressions of parameters, kept symbolic so they follow parameter
changes); ``number name=value``; fixed quantities ``name=...`` (substituted);
user functions ``f(x,y)=...``; ``#`` comments and ``"`` notes; continuation lines ending in
``\\``; ``done``; ``^`` or ``**`` for powers; ``heav`` for the Heaviside step.
Names are case-insensitive, as in XPPAUT (the first spelling is kept).
``@`` lines set XPPAUT's integrator and display, which do not change the
equations, and are ignored -- except ``meth=discrete`` (a map, not an ODE).

Anything else (delays, tables, Markov chains, Wiener processes, Volterra
integrals, boundary conditions, arrays, ``global``/``set``/``special``,
``if/then/else``, maps ``x(t+1)=``) is a ValueError naming the file, the line
number and the construct.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import sympy as sp

from .expressions import FUNCTIONS, parse_expression, user_function

log = logging.getLogger("bifkit.model_files.xpp")

# construct -> why it is refused (checked as a word at the start of a line or as a call)
_UNSUPPORTED_STATEMENTS = {
    "table": "lookup tables", "markov": "Markov chains", "wiener": "Wiener processes",
    "global": "global flags (discontinuous events)", "set": "parameter sets",
    "special": "special network functions", "volt": "Volterra integral equations",
    "bdry": "boundary conditions", "b": "boundary conditions", "export": "exported functions",
    "#include": "include files", "only": "output selection",
}
_UNSUPPORTED_CALLS = {
    "delay": "delay equations", "ndelay": "delay equations", "delshft": "delay equations",
    "sum": "sums over arrays", "int": "Volterra integrals", "shift": "array shifts",
    "if": "if/then/else", "ran": "random numbers", "normal": "random numbers",
    "lookup": "lookup tables", "hom_bcs": "homoclinic boundary conditions",
}
_PAR = {"p", "par", "param", "parameter", "parameters"}
_INIT = {"i", "init", "initial"}
_AUX = {"a", "aux"}
_NUMBER = {"n", "number", "num"}
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^,\s]+)")


class _Line:
    def __init__(self, number: int, text: str):
        self.number, self.text = number, text


def _logical_lines(path: Path):
    """(first line number, text) with comments removed and ``\\`` continuations joined."""
    out, buf, start = [], "", None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0] if not raw.lstrip().startswith("#include") else raw
        text = "" if text.lstrip().startswith('"') else text.rstrip()   # " lines are notes
        if start is None:
            start = number
        if text.endswith("\\"):
            buf += text[:-1] + " "
            continue
        buf += text
        if buf.strip():
            out.append(_Line(start, buf.strip()))
        buf, start = "", None
    if buf.strip():
        out.append(_Line(start, buf.strip()))
    return out


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.names: dict[str, str] = {}          # lower-case -> spelling
        self.kinds: dict[str, str] = {}          # lower-case -> what it is
        self.params: dict[str, float] = {}
        self.initial: dict[str, float] = {}
        self.odes: list[tuple[_Line, str, str]] = []        # line, state, text
        self.aux: list[tuple[_Line, str, str]] = []
        self.fixed: list[tuple[_Line, str, str, str]] = []  # line, kind, name, text
        self.functions: list[tuple[_Line, str, list, str]] = []

    def fail(self, line: _Line, what: str):
        raise ValueError(f"{self.path.name}, line {line.number}: {what}: {line.text!r}")

    def declare(self, line, name, kind):
        key = name.lower()
        if key == "t":
            self.fail(line, "'t' is time and cannot be declared")
        if key in self.kinds and not (kind == "state" and self.kinds[key] == "init"):
            self.fail(line, f"{name!r} is already declared as a {self.kinds[key]}")
        if key in FUNCTIONS and kind != "function":
            self.fail(line, f"{name!r} is the name of a built-in function")
        self.names.setdefault(key, name)
        self.kinds[key] = kind

    # ------------------------------------------------------------ statements
    def read(self):
        for line in _logical_lines(self.path):
            low = line.text.lower()
            if low == "done" or low.startswith("done "):
                break
            self.statement(line, low)
        if not self.odes:
            raise ValueError(f"{self.path.name}: no differential equations (x'=... or "
                             f"dx/dt=...) found")

    def statement(self, line, low):
        self.check_supported(line, low)
        word = low.split(None, 1)[0] if low.split() else ""
        if line.text.startswith("@"):
            return self.option(line)
        if line.text.startswith("!"):
            m = re.fullmatch(r"!\s*([A-Za-z_]\w*)\s*=\s*(.+)", line.text)
            if not m:
                self.fail(line, "expected !name=expression (a derived parameter)")
            self.declare(line, m.group(1), "derived parameter")
            self.fixed.append((line, "derived", m.group(1), m.group(2)))
            return
        m = re.fullmatch(r"([A-Za-z_]\w*)\s*'\s*=\s*(.+)", line.text) or \
            re.fullmatch(r"d([A-Za-z_]\w*)\s*/\s*dt\s*=\s*(.+)", line.text)
        if m:
            self.declare(line, m.group(1), "state")
            self.odes.append((line, m.group(1), m.group(2)))
            return
        m = re.fullmatch(r"([A-Za-z_]\w*)\s*\(\s*0\s*\)\s*=\s*(.+)", line.text)
        if m:
            return self.set_initial(line, m.group(1), m.group(2))
        if re.fullmatch(r"[A-Za-z_]\w*\s*\(\s*t\s*\+\s*1\s*\)\s*=.*", low):
            self.fail(line, "maps x(t+1)=... are not supported (bifkit continues ODEs)")
        m = re.fullmatch(r"([A-Za-z_]\w*)\s*\(([^()]*)\)\s*=\s*(.+)", line.text)
        if m:
            args = [a.strip() for a in m.group(2).split(",") if a.strip()]
            if not all(re.fullmatch(r"[A-Za-z_]\w*", a) for a in args) or not args:
                self.fail(line, "a user function needs named arguments f(x,y)=...")
            self.declare(line, m.group(1), "function")
            self.functions.append((line, m.group(1), args, m.group(3)))
            return
        after_word = line.text[len(word):].lstrip()
        if word in _PAR | _INIT | _NUMBER | _AUX and not after_word.startswith("="):
            rest = line.text.split(None, 1)[1] if len(line.text.split(None, 1)) > 1 else ""
            if word in _AUX:
                m = re.fullmatch(r"([A-Za-z_]\w*)\s*=\s*(.+)", rest)
                if not m:
                    self.fail(line, "expected aux name=expression")
                self.declare(line, m.group(1), "aux")
                self.aux.append((line, m.group(1), m.group(2)))
                return
            pairs = _ASSIGN.findall(rest)
            leftover = _ASSIGN.sub("", rest).replace(",", "").strip()
            if not pairs or leftover:
                self.fail(line, f"expected {word} name=value, name=value ...")
            for name, value in pairs:
                if word in _PAR:
                    self.declare(line, name, "parameter")
                    self.params[name] = self.number(line, name, value)
                elif word in _NUMBER:
                    self.declare(line, name, "number")
                    self.fixed.append((line, "number", name, value))
                else:
                    self.set_initial(line, name, value)
            return
        m = re.fullmatch(r"([A-Za-z_]\w*)\s*=\s*(.+)", line.text)
        if m:
            self.declare(line, m.group(1), "fixed quantity")
            self.fixed.append((line, "fixed", m.group(1), m.group(2)))
            return
        self.fail(line, "unrecognised statement")

    def check_supported(self, line, low):
        first = low.split(None, 1)[0] if low.split() else ""
        first = re.split(r"[\s(=]", first)[0]
        if first in _UNSUPPORTED_STATEMENTS and not re.match(rf"{re.escape(first)}\s*(=|'|\()", low):
            self.fail(line, f"'{first}' ({_UNSUPPORTED_STATEMENTS[first]}) is not supported")
        for call, what in _UNSUPPORTED_CALLS.items():
            if re.search(rf"(?<![\w.]){call}\s*[({{]", low) and call not in self.kinds:
                self.fail(line, f"'{call}' ({what}) is not supported")
        if re.search(r"\[[^\]]*\.\.[^\]]*\]", low):
            self.fail(line, "arrays x[1..n] are not supported")

    def option(self, line):
        for key, value in _ASSIGN.findall(line.text[1:]):
            if key.lower() == "meth" and value.lower().startswith("disc"):
                self.fail(line, "'meth=discrete' (a map) is not supported")
            if key.lower() in ("delay", "maxdelay"):
                self.fail(line, f"'@ {key}' (delay equations) is not supported")
        log.debug("%s, line %d: XPPAUT option ignored: %s", self.path.name, line.number,
                  line.text)

    def number(self, line, name, text):
        try:
            return float(text)
        except ValueError:
            self.fail(line, f"the value of {name!r} is not a number ({text!r})")

    def set_initial(self, line, name, value):
        key = name.lower()
        if key in self.kinds and self.kinds[key] != "state":
            self.fail(line, f"initial value for {name!r}, which is a {self.kinds[key]}")
        self.kinds.setdefault(key, "init")
        self.names.setdefault(key, name)
        self.initial[key] = self.number(line, name, value)

    # ------------------------------------------------------------ build
    def definition(self):
        from .define import define_model
        spelled = self.names
        symbols = {k: sp.Symbol(spelled[k], real=True)
                   for k, kind in self.kinds.items() if kind in ("state", "parameter")}
        stray = [spelled[k] for k, kind in self.kinds.items() if kind == "init"]
        if stray:
            raise ValueError(f"{self.path.name}: initial value given for {stray[0]!r}, which "
                             f"has no differential equation")
        symbols["t"] = sp.Symbol("t", real=True)
        functions = {}
        # numbers first, then derived parameters, then user functions and fixed
        # quantities (which may use each other) in file order
        rank = {"number": 0, "derived": 1, "fixed": 2}
        items = sorted([(2, ln.number, "fn", (ln, n, a, b)) for ln, n, a, b in self.functions]
                       + [(rank[k], ln.number, "fx", (ln, k, n, b)) for ln, k, n, b in self.fixed],
                       key=lambda item: item[:2])
        items = [(None, tag, item) for _, _, tag, item in items]
        for _, tag, item in items:
            if tag == "fn":
                line, name, args, body = item
                local = {a.lower(): sp.Dummy(a, real=True) for a in args}
                expr = self.parse(line, body, {**symbols, **local}, functions)
                functions[name.lower()] = user_function(name, [local[a.lower()] for a in args],
                                                         expr)
            else:
                line, kind, name, text = item
                if kind == "number":
                    symbols[name.lower()] = sp.Float(self.number(line, name, text))
                    continue
                expr = self.parse(line, text, symbols, functions)
                if kind == "derived":
                    bad = sorted(s.name for s in expr.free_symbols
                                 if self.kinds.get(s.name.lower()) == "state" or s.name == "t")
                    if bad:
                        self.fail(line, f"derived parameter {name!r} depends on {bad}")
                symbols[name.lower()] = expr
        rhs = [self.parse(line, text, symbols, functions) for line, _, text in self.odes]
        aux = {name: self.parse(line, text, symbols, functions) for line, name, text in self.aux}
        states = [name for _, name, _ in self.odes]
        return define_model(
            self.path.stem, states=states, params=self.params, rhs=rhs, observables=aux,
            initial={spelled[k]: v for k, v in self.initial.items()},
            description=f"read from {self.path.name} (XPPAUT format)")

    def parse(self, line, text, symbols, functions):
        where = f"{self.path.name}, line {line.number}"
        return parse_expression(text.lower(), symbols, functions, where=where)


def read_ode_model(path):
    """The model of an XPPAUT ``.ode`` file (see the module docstring).

    The model is named after the file (``morris_lecar.ode`` -> "morris_lecar");
    ``init`` values become the default Newton guess.
    """
    reader = _Reader(Path(path))
    reader.read()
    return reader.definition()
