"""Models: states, parameters and right-hand sides, compiled for the numerics.

A model has two layers:

* :class:`ModelDefinition` -- what the equations are (sympy, or hand-written
  numba kernels for very large systems such as the z_n chain), the parameter
  names with defaults and valid ranges, observables and units.  Building it
  (symbolic derivatives, code generation, compilation) is the expensive part,
  done once per definition and cached on disk.
* :class:`Model` -- a definition plus parameter values.  Cheap to copy;
  ``model.with_params(K=2000)`` never recompiles.

The numerics see a real vector ``x``: a complex state ``z`` is stored as the
two entries ``z.re``, ``z.im`` (see :attr:`Model.state_names`), while users
read and set it as a complex number (:meth:`Model.pack`, :meth:`Model.unpack`).

Compiled kernels (``model.compiled``), all ``numba`` functions of
``(t, x, p, ...)`` with ``p`` the parameter array in ``model.param_names`` order:

========================  ====================================================
``f(t, x, p)``            right-hand side dx/dt, shape (n,)
``jac(t, x, p)``          Jacobian df/dx, shape (n, n)
``dfdp(t, x, p)``         parameter derivatives df/dp, shape (n, n_params)
``obs(t, x, p)``          observables, shape (n_obs,)
``B(t, x, p, u, v)``      second derivative d2f/dx2 [u, v], shape (n,)
``C(t, x, p, u, v, w)``   third derivative d3f/dx3 [u, v, w], shape (n,)
``dJdp(t, x, p)``         d(df/dx)/dp, shape (n_params, n, n)
========================  ====================================================

``t`` enters only through periodic forcing; an autonomous model ignores it.
"""
from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import sympy as sp

from . import codegen

TIME = sp.Symbol("t", real=True)


# --------------------------------------------------------------------------- #
# Symbols                                                                      #
# --------------------------------------------------------------------------- #
def real_symbols(names: str | Sequence[str]):
    """Declare real sympy symbols by name (never ``sympify`` of a string).

    ``real_symbols("K i0 g0")`` -> tuple of Symbols.  Names such as ``E``,
    ``I`` or ``gamma`` stay plain symbols, not sympy constants.
    """
    if isinstance(names, str):
        names = names.split()
    out = tuple(sp.Symbol(n, real=True) for n in names)
    return out


def complex_state(name: str):
    """A complex state variable ``name`` as ``re + I*im`` of two real symbols.

    Returns ``(z, (re, im))``: ``z`` is the complex expression to use in the
    right-hand sides, ``re`` and ``im`` the real unknowns the numerics see.
    """
    re, im = sp.Symbol(f"{name}.re", real=True), sp.Symbol(f"{name}.im", real=True)
    return re + sp.I * im, (re, im)


@dataclass(frozen=True)
class Constraint:
    """A valid range of one parameter, e.g. ``Constraint("K", lambda K: K > 0, "K > 0")``."""

    param: str
    check: Callable[[float], bool]
    text: str


# --------------------------------------------------------------------------- #
# Compiled kernels                                                             #
# --------------------------------------------------------------------------- #
class Compiled:
    """The compiled kernels of a definition (see the module docstring).

    ``f``, ``jac``, ``dfdp`` and ``obs`` are built eagerly; the higher
    derivatives ``B``, ``C`` and ``dJdp`` on first use.
    """

    def __init__(self, core, higher: Callable[[], object]):
        self.f = core.f
        self.jac = core.jac
        self.dfdp = core.dfdp
        self.obs = core.obs
        self._higher_factory = higher
        self._higher = None

    def _h(self):
        if self._higher is None:
            self._higher = self._higher_factory()
        return self._higher

    @property
    def B(self):  # noqa: N802 (Kuznetsov's notation)
        return self._h().B

    @property
    def C(self):  # noqa: N802
        return self._h().C

    @property
    def dJdp(self):  # noqa: N802
        return self._h().dJdp


class Symbolic:
    """The sympy form of a definition, in the real unknowns.

    Attributes
    ----------
    x : list of Symbol
        Real unknowns, in ``state_names`` order.
    p : list of Symbol
        Parameters, in ``param_names`` order.
    t : Symbol
        Time (appears only in forcing terms).
    rows : list of (expr, part)
        Row i of dx/dt is ``expr`` if ``part`` is None, else ``re(expr)`` /
        ``im(expr)`` for ``part`` "re" / "im" (complex expressions are kept
        complex, which is far more compact than splitting them).
    observables : dict name -> (expr, part)
    """

    def __init__(self, x, p, t, rows, observables):
        self.x, self.p, self.t = list(x), list(p), t
        self.rows = list(rows)
        self.observables = dict(observables)

    @functools.cached_property
    def f(self):
        """Real-valued right-hand sides (complex rows split with re/im)."""
        return [_real_part(e, part) for e, part in self.rows]

    def jac(self) -> sp.Matrix:
        """Symbolic Jacobian df/dx of the real-split system."""
        return sp.Matrix(self.f).jacobian(self.x)

    def dfdp(self) -> sp.Matrix:
        """Symbolic parameter derivatives df/dp of the real-split system."""
        return sp.Matrix(self.f).jacobian(self.p)


def _real_part(expr, part):
    if part is None:
        return expr
    re, im = sp.expand_complex(expr).as_real_imag()
    return re if part == "re" else im


def _symbolic_kernels(sym: Symbolic, which: str):
    """Kernel list for the core ('core') or higher-derivative ('higher') set."""
    n, npar = len(sym.x), len(sym.p)
    K = codegen.Kernel
    rows = sym.rows
    if which == "core":
        f = [(i, e, part) for i, (e, part) in enumerate(rows)]
        jac, dfdp = [], []
        for i, (e, part) in enumerate(rows):
            for j, xj in enumerate(sym.x):
                d = sp.diff(e, xj)
                if d != 0:
                    jac.append(((i, j), d, part))
            for k, pk in enumerate(sym.p):
                d = sp.diff(e, pk)
                if d != 0:
                    dfdp.append(((i, k), d, part))
        obs = [(i, e, part) for i, (e, part) in enumerate(sym.observables.values())]
        return [K("f", (n,), f), K("jac", (n, n), jac), K("dfdp", (n, npar), dfdp),
                K("obs", (max(len(obs), 1),), obs)]
    u = sp.symbols(f"_u0:{n}", real=True)
    v = sp.symbols(f"_v0:{n}", real=True)
    w = sp.symbols(f"_w0:{n}", real=True)
    B, C, dJdp = [], [], []
    for i, (e, part) in enumerate(rows):
        first = [sp.diff(e, xj) for xj in sym.x]
        bsum, csum = 0, 0
        for j in range(n):
            if first[j] == 0:
                continue
            for k in range(n):
                second = sp.diff(first[j], sym.x[k])
                if second == 0:
                    continue
                bsum += second * u[j] * v[k]
                for m in range(n):
                    third = sp.diff(second, sym.x[m])
                    if third != 0:
                        csum += third * u[j] * v[k] * w[m]
            for q, pq in enumerate(sym.p):
                d = sp.diff(first[j], pq)
                if d != 0:
                    dJdp.append(((q, i, j), d, part))
        if bsum != 0:
            B.append((i, bsum, part))
        if csum != 0:
            C.append((i, csum, part))
    return [K("B", (n,), B, extra_args=(("u", u), ("v", v))),
            K("C", (n,), C, extra_args=(("u", u), ("v", v), ("w", w))),
            K("dJdp", (npar, n, n), dJdp)]


def _python_first(module):
    """The higher-derivative kernels, B and C run uncompiled for their first calls from Python.

    See :class:`bifkit.codegen.PythonFirst`: the first Lyapunov coefficient at
    a Hopf point needs a dozen calls of B and C, far less than compiling them.
    """
    from types import SimpleNamespace
    return SimpleNamespace(B=codegen.PythonFirst(module.B), C=codegen.PythonFirst(module.C),
                           dJdp=module.dJdp)


def _check_from_sympy_args(name, states, params) -> None:
    """Clear errors for the forms :func:`bifkit.define_model` accepts but ``from_sympy`` does not."""
    hint = "; bifkit.define_model accepts names, dicts and strings"
    if isinstance(params, Mapping):
        raise ValueError(f"{name}: from_sympy takes params as a list of (Symbol, default) "
                         f"pairs, not a dict{hint}")
    for entry in params:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2
                and isinstance(entry[0], sp.Symbol)):
            raise ValueError(f"{name}: parameter {entry!r} is not a (Symbol, default) pair{hint}")
    for entry in states:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            raise ValueError(f"{name}: state {entry!r} is not a (name, Symbol) pair{hint}")


# --------------------------------------------------------------------------- #
# Definition                                                                   #
# --------------------------------------------------------------------------- #
@dataclass
class ModelDefinition:
    """What a model is: equations, parameters, ranges, observables, units.

    Build one with :meth:`from_sympy` (the usual way) or :meth:`from_kernels`
    (hand-written numba kernels, for systems too large for sympy).

    Attributes
    ----------
    name : str
    states : list of str
        User-facing state names (a complex state is one name).
    complex_states : frozenset of str
    state_names : list of str
        Names of the real unknowns (``z.re``, ``z.im`` for complex ``z``).
    param_names : list of str
    defaults : dict
        Default parameter values.
    constraints : list of Constraint
        Valid parameter ranges, checked whenever parameters are set.
    observable_names : list of str
    compiled : Compiled
    symbolic : Symbolic or None
    time_unit : str
        Unit of t (e.g. "ms", "tau_m").
    units : dict
        Units of states, parameters and observables (for docs and axis labels).
    description : str
    steady_state : callable or None
        ``steady_state(model) -> list of dict``: closed-form equilibria.
    default_guess : callable or None
        ``default_guess(model) -> dict``: a start for Newton.
    extras : dict
        Model-specific callables (series, effective currents, ...).
    forcing_amplitude : str or None
        Name of the parameter that switches periodic forcing on (must be 0
        for continuation of equilibria, which needs an autonomous system).
    structural : dict
        Build options that select the equations (e.g. the mode count ``M`` of
        a chain); stored in specs and saved branches.
    ranges : dict
        ``{param: (min or None, max or None)}`` of user models (the
        constraints made from them are in ``constraints``).
    initial : dict
        Initial state values of user models (the default Newton guess).
    """

    name: str
    states: list
    complex_states: frozenset
    state_names: list
    param_names: list
    defaults: dict
    constraints: list
    observable_names: list
    compiled: Compiled
    symbolic: Symbolic | None = None
    time_unit: str = "1"
    units: dict = field(default_factory=dict)
    description: str = ""
    steady_state: Callable | None = None
    default_guess: Callable | None = None
    extras: dict = field(default_factory=dict)
    forcing_amplitude: str | None = None
    structural: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)
    initial: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_sympy(cls, name, states, params, rhs, *, observables=None,
                   constraints=(), **kwargs):
        """Define a model from sympy expressions.

        Parameters
        ----------
        name : str
        states : list of (str, Symbol or (expr, (Symbol, Symbol)))
            ``("R", R)`` for a real state ``R`` (a real Symbol), or
            ``("k1", complex_state("k1"))`` for a complex one.
        params : list of (Symbol, float)
            Parameter symbols (declared with :func:`real_symbols`) and defaults.
        rhs : list of expr
            d state/dt in the order of ``states``; complex for complex states.
            May contain :data:`TIME` through forcing terms.
        observables : dict name -> expr, optional
            Real-valued algebraic functions of the state (rates, potentials).
        constraints : list of Constraint
        **kwargs
            Passed to the dataclass (units, description, steady_state, ...).
        """
        _check_from_sympy_args(name, states, params)
        state_names, complex_names, x_syms, rows = [], [], [], []
        for (sname, s), e in zip(states, rhs):
            if isinstance(s, tuple):  # complex: (expr, (re, im))
                complex_names.append(sname)
                x_syms += list(s[1])
                state_names += [f"{sname}.re", f"{sname}.im"]
                rows += [(e, "re"), (e, "im")]
            else:
                x_syms.append(s)
                state_names.append(sname)
                rows.append((e, None))
        if len(rhs) != len(states):
            raise ValueError(f"{name}: {len(states)} states but {len(rhs)} right-hand sides")
        p_syms = [s for s, _ in params]
        obs = {k: (v, None) for k, v in (observables or {}).items()}
        sym = Symbolic(x_syms, p_syms, TIME, rows, obs)
        allowed = set(x_syms) | set(p_syms) | {TIME}
        for e, _ in rows + list(obs.values()):
            stray = e.free_symbols - allowed
            if stray:
                raise ValueError(f"{name}: undeclared symbols {sorted(map(str, stray))}")
        key = sp.srepr((rows, list(obs.items()), x_syms, p_syms))
        if any(e.has(sp.Min, sp.Max, sp.Heaviside, sp.sign) for e, _ in rows + list(obs.values())):
            key += "|steps-printer-1"   # Min/Max/Heaviside printing fixed after CODEGEN_VERSION 6
        core = codegen.compile_kernels(
            name, "core" + key, lambda: _symbolic_kernels(sym, "core"), x_syms, p_syms, TIME,
            expect=("f", "jac", "dfdp", "obs"))
        higher = lambda: _python_first(codegen.compile_kernels(  # noqa: E731
            name, "higher" + key, lambda: _symbolic_kernels(sym, "higher"), x_syms, p_syms, TIME,
            expect=("B", "C", "dJdp")))
        return cls(name=name, states=[s for s, _ in states],
                   complex_states=frozenset(complex_names), state_names=state_names,
                   param_names=[str(s) for s in p_syms],
                   defaults={str(s): float(v) for s, v in params},
                   constraints=list(constraints), observable_names=list(obs),
                   compiled=Compiled(core, higher), symbolic=sym, **kwargs)

    @classmethod
    def from_kernels(cls, name, states, complex_states, params, f, jac, *,
                     observables=(), obs=None, constraints=(), dfdp=None, **kwargs):
        """Define a model from hand-written numba kernels ``f(t,x,p)``, ``jac(t,x,p)``.

        ``dfdp(t,x,p)`` may be given too; otherwise it, and always ``B``, ``C``
        and ``dJdp``, are central finite differences of ``f`` and ``jac``
        (step ~ eps^(1/3) relative, error ~1e-10 relative).
        """
        from . import _fd_kernels as fd
        state_names = []
        for s in states:
            state_names += [f"{s}.re", f"{s}.im"] if s in complex_states else [s]
        core = fd.make_core(f, jac, obs)
        if dfdp is not None:
            core.dfdp = dfdp
        compiled = Compiled(core, lambda: fd.make_higher(f, jac))
        return cls(name=name, states=list(states), complex_states=frozenset(complex_states),
                   state_names=state_names, param_names=[n for n, _ in params],
                   defaults={n: float(v) for n, v in params}, constraints=list(constraints),
                   observable_names=list(observables), compiled=compiled, **kwargs)

    # ------------------------------------------------------------- checking
    def check_params(self, values: Mapping[str, float]) -> None:
        """Raise ValueError for unknown names or values outside valid ranges."""
        for key in values:
            if key not in self.defaults:
                close = difflib.get_close_matches(key, self.param_names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(
                    f"unknown parameter {key!r} for model {self.name!r}{hint}; "
                    f"valid names: {', '.join(self.param_names)}")
        for key, v in values.items():
            if not isinstance(v, (int, float, np.floating, np.integer)) or isinstance(v, bool):
                raise ValueError(f"parameter {key} = {v!r} of model {self.name!r} "
                                 f"must be a real number")
            if not math.isfinite(float(v)):
                raise ValueError(f"parameter {key} = {v!r} of model {self.name!r} "
                                 f"must be finite")
        for c in self.constraints:
            if c.param in values and not c.check(float(values[c.param])):
                raise ValueError(f"parameter {c.param} = {values[c.param]!r} of model "
                                 f"{self.name!r} is outside its valid range: {c.text}")


# --------------------------------------------------------------------------- #
# Model                                                                        #
# --------------------------------------------------------------------------- #
class Model:
    """A model definition with parameter values.

    Examples
    --------
    >>> import bifkit
    >>> m = bifkit.load_model("mpr", Delta=1.0, J=15.0, eta=-5.0)   # doctest: +SKIP
    >>> m.rhs({"R": 0.1, "V": -1.0})                                # doctest: +SKIP
    """

    def __init__(self, definition: ModelDefinition, params: Mapping[str, float] | None = None):
        values = dict(definition.defaults)
        if params:
            definition.check_params(params)
            values.update({k: float(v) for k, v in params.items()})
        definition.check_params(values)
        self.definition = definition
        self._params = values
        self.p = np.array([values[k] for k in definition.param_names], dtype=float)
        self.p.setflags(write=False)

    # ------------------------------------------------------------ metadata
    name = property(lambda self: self.definition.name)
    states = property(lambda self: list(self.definition.states))
    state_names = property(lambda self: list(self.definition.state_names))
    param_names = property(lambda self: list(self.definition.param_names))
    complex_states = property(lambda self: self.definition.complex_states)
    observable_names = property(lambda self: list(self.definition.observable_names))
    compiled = property(lambda self: self.definition.compiled)
    symbolic = property(lambda self: self.definition.symbolic)
    time_unit = property(lambda self: self.definition.time_unit)
    units = property(lambda self: dict(self.definition.units))
    n = property(lambda self: len(self.definition.state_names))

    @property
    def params(self) -> dict:
        """Current parameter values (a copy)."""
        return dict(self._params)

    def __repr__(self):
        ps = ", ".join(f"{k}={v:g}" for k, v in self._params.items())
        return f"Model({self.name!r}, {ps})"

    # ------------------------------------------------------------ persistence
    def to_spec(self) -> dict:
        """The model's full definition and parameter values as a JSON-serialisable dict.

        Holds the name, state and parameter names, current parameter values and
        defaults, structural build options (e.g. ``M`` of ``shotnoise_chain``),
        the right-hand sides and observables of symbolic models as exact
        expression trees (and readable strings), and a ``digest`` of the
        equations.  :meth:`from_spec` rebuilds the model exactly.
        """
        from .model_files.spec import model_to_spec
        return model_to_spec(self)

    @classmethod
    def from_spec(cls, spec: dict) -> "Model":
        """Rebuild the model described by ``spec`` (from :meth:`to_spec`).

        A model registered under the spec's name (catalogue or
        :func:`bifkit.register_model`) is rebuilt through the registry with the
        stored build options and must have the same digest (else
        ``ModelMismatchError``, a ValueError naming both); an unregistered
        symbolic model is rebuilt from its stored equations.
        """
        from .model_files.spec import model_from_spec
        return model_from_spec(spec)

    def with_params(self, **changes) -> "Model":
        """A new model with some parameters changed (no recompilation).

        Structural parameters (such as the mode count ``M`` of a chain) rebuild
        the definition through :func:`bifkit.load_model`.
        """
        structural = {k: changes.pop(k) for k in list(changes) if k in self.definition.structural}
        if structural:
            from .registry import load_model
            args = {**self.definition.structural, **structural}
            return load_model(self.name, **args, **{**self._params, **changes})
        return Model(self.definition, {**self._params, **changes})

    def param_index(self, name: str) -> int:
        """Index of parameter ``name`` in the parameter array (ValueError if unknown)."""
        try:
            return self.definition.param_names.index(name)
        except ValueError:
            self.definition.check_params({name: 0.0})  # raises the helpful message
            raise

    def param_array(self, **changes) -> np.ndarray:
        """The parameter array, with optional changes (validated)."""
        if not changes:
            return np.array(self.p)
        self.definition.check_params(changes)
        vals = {**self._params, **changes}
        self.definition.check_params(vals)
        return np.array([float(vals[k]) for k in self.definition.param_names])

    # ------------------------------------------------------------ states
    def pack(self, state) -> np.ndarray:
        """A state (dict name -> value, or array in ``states`` order) as the real vector."""
        d = self.definition
        if isinstance(state, Mapping):
            missing = [s for s in d.states if s not in state]
            extra = [k for k in state if k not in d.states]
            if extra:
                raise ValueError(f"unknown state {extra[0]!r} for model {d.name!r}; "
                                 f"states: {', '.join(d.states)}")
            if missing:
                raise ValueError(f"state of model {d.name!r} lacks {', '.join(missing)}")
            values = [state[s] for s in d.states]
        else:
            arr = np.asarray(state)
            if arr.ndim != 1:
                raise ValueError(f"a state of model {d.name!r} must be one-dimensional")
            if arr.size == self.n and arr.size != len(d.states):
                return np.asarray(arr, dtype=float).copy()  # already real-split
            if arr.size != len(d.states):
                raise ValueError(f"state of model {d.name!r} has {arr.size} entries; "
                                 f"expected {len(d.states)} ({', '.join(d.states)})")
            values = list(arr)
        x = []
        for s, v in zip(d.states, values):
            if s in d.complex_states:
                v = complex(v)
                x += [v.real, v.imag]
            else:
                if np.iscomplexobj(v) and np.imag(v) != 0:
                    raise ValueError(f"state {s!r} of model {d.name!r} is real; got {v!r}")
                x.append(float(np.real(v)))
        return np.array(x, dtype=float)

    def unpack(self, x) -> dict:
        """The real vector ``x`` as a dict name -> value (complex for complex states)."""
        x = np.asarray(x, dtype=float)
        out, i = {}, 0
        for s in self.definition.states:
            if s in self.definition.complex_states:
                out[s] = complex(x[i], x[i + 1])
                i += 2
            else:
                out[s] = float(x[i])
                i += 1
        return out

    def _args(self, state, params):
        return self.pack(state), self.param_array(**params)

    # ------------------------------------------------------------ evaluation
    def rhs(self, state, t: float = 0.0, **params):
        """d state/dt, in the form of ``state`` (dict -> dict, array -> array).

        Complex states give complex derivatives.
        """
        x, p = self._args(state, params)
        fx = self.compiled.f(float(t), x, p)
        d = self.unpack(fx)
        if isinstance(state, Mapping):
            return d
        if np.size(state) == self.n and len(self.definition.states) != self.n:
            return fx
        return np.array(list(d.values()))

    def jacobian(self, state, t: float = 0.0, **params) -> np.ndarray:
        """Jacobian df/dx of the real-split system (``state_names`` order)."""
        x, p = self._args(state, params)
        return self.compiled.jac(float(t), x, p)

    def observables(self, state, t: float = 0.0, **params) -> dict:
        """Observables (rates, potentials, ...) at ``state``, as a dict."""
        x, p = self._args(state, params)
        vals = self.compiled.obs(float(t), x, p)
        out = {k: float(v) for k, v in zip(self.definition.observable_names, vals)}
        extra = self.definition.extras.get("observables")
        if extra is not None:
            out.update(extra(self, x))
        return out

    def eigenvalues(self, state, **params) -> np.ndarray:
        """Eigenvalues of the Jacobian, sorted by decreasing real part."""
        ev = np.linalg.eigvals(self.jacobian(state, **params))
        return ev[np.argsort(-ev.real, kind="stable")]

    def steady_state(self) -> list:
        """Closed-form equilibria (list of dicts), for models that have them."""
        if self.definition.steady_state is None:
            raise NotImplementedError(
                f"model {self.name!r} has no closed-form steady state; "
                f"use bifkit.find_equilibrium(model, guess)")
        return self.definition.steady_state(self)

    def default_guess(self) -> dict:
        """A reasonable Newton start (the model's own, else the first steady state)."""
        if self.definition.default_guess is not None:
            return self.definition.default_guess(self)
        if self.definition.initial:
            return {s: self.definition.initial.get(s, 0.0) for s in self.definition.states}
        if self.definition.steady_state is not None:
            sols = self.steady_state()
            if sols:
                return {k: v for k, v in sols[0].items() if k in self.definition.states}
        raise ValueError(f"model {self.name!r} has no default guess; pass guess=...")

    def is_autonomous(self) -> bool:
        """True when no periodic forcing is switched on."""
        amp = self.definition.forcing_amplitude
        return amp is None or self._params[amp] == 0.0

    def __getattr__(self, item):
        # model-specific extras (series, effective currents, ...) as methods
        extras = self.__dict__.get("definition")
        if extras is not None and item in extras.extras and item != "observables":
            fn = extras.extras[item]
            return functools.partial(fn, self)
        raise AttributeError(item)
