"""ContinuationOptions: the one options object of every curve type.

``continuation(model, curve, start, free, **options)`` turns its keywords into
a frozen :class:`ContinuationOptions` with :func:`make_options`, which fills in
the curve type's defaults (:data:`CURVE_DEFAULTS`, unchanged from the earlier
per-curve options) and validates every value when the object is made.  The
cycle-specific part (collocation mesh) is a small :class:`MeshOptions` of its
own.  Unknown keywords are an error that lists the valid names and suggests
the closest one.

AUTO-07p names in brackets (Doedel et al., AUTO-07p manual, ch. 10).
"""
from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass, field, fields, replace

DIRECTIONS = ("forward", "backward", "both")
EQUILIBRIUM_CURVES = ("EP-C",)
CODIM2_CURVES = ("LP-C", "H-C", "NF-C")
CYCLE_CURVES = ("LC-C", "PD-C", "LPC-C", "NS-C")
#: labels each curve type can detect
DETECTABLE = {"EP-C": ("LP", "H", "BP", "NF"), "LC-C": ("LPC", "PD", "NS", "BPC"),
              "LP-C": ("BT", "CP", "ZH"), "H-C": ("BT", "ZH", "GH", "HH"), "NF-C": ("BT",),
              "PD-C": ("LPPD", "PDNS", "R2", "GPD"), "LPC-C": ("LPNS", "LPPD", "R1", "CPC"),
              "NS-C": ("LPNS", "PDNS", "R1", "R2", "R3", "R4", "CH")}


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


@dataclass(frozen=True)
class MeshOptions:
    """Collocation mesh of the cycle curves (LC-C, PD-C, LPC-C, NS-C).

    Attributes
    ----------
    ntst : int or None
        Mesh intervals [NTST]; None: 50 for LC-C, the start orbit's for the
        two-parameter cycle curves.
    ncol : int or None
        Gauss collocation points per interval [NCOL]; None: 4 for LC-C, the
        start orbit's otherwise.
    adapt_every : int
        Redistribute the mesh every that many steps [IAD]; 0 never.
    """

    ntst: int | None = None
    ncol: int | None = None
    adapt_every: int = 3

    def __post_init__(self):
        for name, low in (("ntst", 2), ("ncol", 1)):
            v = getattr(self, name)
            if v is not None and not (_is_int(v) and v >= low):
                raise ValueError(f"{name} must be an integer >= {low}; got {v!r}")
        if not (_is_int(self.adapt_every) and self.adapt_every >= 0):
            raise ValueError(f"adapt_every must be an integer >= 0; got {self.adapt_every!r}")


@dataclass(frozen=True)
class ContinuationOptions:
    """Options of a continuation run, validated when made (shared by every curve type).

    Attributes
    ----------
    ds, ds_min, ds_max : float
        Initial, smallest and largest pseudo-arclength step [DS, DSMIN, DSMAX],
        in the curve's (weighted) norm, log10 units for parameters in
        ``log_params``; 0 < ds_min <= |ds| <= ds_max.  A negative ``ds``
        reverses a single direction (as in AUTO-07p).
    max_points : int
        Points per direction at most [NMX], >= 1.
    tol : float
        Relative Newton tolerance [EPSL, EPSU], 0 < tol < 1.
    max_iter : int
        Newton (chord) iterations per step [ITNW], >= 2.
    direction : {"forward", "backward", "both"}
    bounds : dict
        {free parameter: (low, high)}, low < high (infinite ends allowed).
    log_params : tuple of str
        Free parameters continued in log10 (they must stay > 0).
    detect : tuple of str or None
        Labels to locate (None: all the curve type knows, see :data:`DETECTABLE`).
    events : tuple
        User functions whose zeros are located and reported as "UZ" points
        (:func:`bifkit.continuation.events.crossing`, ``extremum`` or any
        callable of an :class:`~bifkit.continuation.events.EventPoint`).
    stop_at : tuple
        Events that also end the direction where they occur [STOP].
    branch : {"other", "same"} or None
        At a BP start of EP-C or a BPC start of LC-C: follow the other branch
        (default) or the same.
    progress : bool
        Show a tqdm progress bar (only when stderr is a terminal).
    T_max : float
        Cycle curves: stop when the period exceeds it (> 0, may be inf).
    close_loop : bool
        Cycle curves: stop when the curve returns to its start.
    stop_at_bt : bool
        H-C: end at a Bogdanov-Takens point.
    user_points : dict or None
        Codim-2 curves: {free parameter: [values]} labelled "UZ" [UZR].
    mesh : MeshOptions
        Cycle curves only.
    """

    ds: float = 0.01
    ds_min: float = 1e-9
    ds_max: float = 0.1
    max_points: int = 2000
    tol: float = 1e-10
    max_iter: int = 8
    direction: str = "both"
    bounds: dict = field(default_factory=dict)
    log_params: tuple = ()
    detect: tuple | None = None
    events: tuple = ()
    stop_at: tuple = ()
    branch: str | None = None
    progress: bool = False
    T_max: float = math.inf
    close_loop: bool = True
    stop_at_bt: bool = True
    user_points: dict | None = None
    mesh: MeshOptions = field(default_factory=MeshOptions)

    def __post_init__(self):
        for name in ("ds", "ds_min", "ds_max", "tol"):
            v = getattr(self, name)
            if not (_is_real(v) and math.isfinite(v)):
                raise ValueError(f"{name} must be a finite number; got {v!r}")
        if not 0 < self.ds_min <= abs(self.ds) <= self.ds_max:
            raise ValueError(f"need 0 < ds_min <= |ds| <= ds_max; got ds_min={self.ds_min}, "
                             f"ds={self.ds}, ds_max={self.ds_max}")
        if not (_is_int(self.max_points) and self.max_points >= 1):
            raise ValueError(f"max_points must be an integer >= 1; got {self.max_points!r}")
        if not (_is_int(self.max_iter) and self.max_iter >= 2):
            raise ValueError(f"max_iter must be an integer >= 2; got {self.max_iter!r}")
        if not 0 < self.tol < 1:
            raise ValueError(f"tol must be in (0, 1); got {self.tol!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}; got {self.direction!r}")
        if not isinstance(self.bounds, dict):
            raise ValueError(f"bounds must be a dict {{parameter: (low, high)}}; "
                             f"got {self.bounds!r}")
        for name, b in self.bounds.items():
            ok = isinstance(b, (tuple, list)) and len(b) == 2 and all(_is_real(v) for v in b)
            if not ok or math.isnan(b[0]) or math.isnan(b[1]) or not b[0] < b[1]:
                raise ValueError(f"bounds of {name!r} must be (low, high) numbers with "
                                 f"low < high; got {b!r}")
        object.__setattr__(self, "bounds", {k: (float(v[0]), float(v[1]))
                                            for k, v in self.bounds.items()})
        names = self.log_params
        if isinstance(names, str) or not all(isinstance(k, str) for k in names):
            raise ValueError(f"log_params must be a list of parameter names; got {names!r}")
        object.__setattr__(self, "log_params", tuple(names))
        if self.detect is not None:
            if isinstance(self.detect, str) or not all(isinstance(k, str) for k in self.detect):
                raise ValueError(f"detect must be a list of labels; got {self.detect!r}")
            object.__setattr__(self, "detect", tuple(self.detect))
        for name in ("events", "stop_at"):
            evs = getattr(self, name)
            evs = (evs,) if callable(evs) else tuple(evs)
            bad = [e for e in evs if not callable(e)]
            if bad:
                raise ValueError(f"{name} must be a list of events (bifkit.crossing(...), "
                                 f"bifkit.extremum(...)) or callables of a point; got {bad[0]!r}")
            object.__setattr__(self, name, evs)
        if self.branch not in (None, "other", "same"):
            raise ValueError(f"branch must be 'other' or 'same'; got {self.branch!r}")
        for name in ("progress", "close_loop", "stop_at_bt"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False; got {getattr(self, name)!r}")
        if not (_is_real(self.T_max) and self.T_max > 0):
            raise ValueError(f"T_max must be a positive number (inf allowed); got {self.T_max!r}")
        if self.user_points is not None and not isinstance(self.user_points, dict):
            raise ValueError(f"user_points must be a dict {{parameter: [values]}}; "
                             f"got {self.user_points!r}")
        if not isinstance(self.mesh, MeshOptions):
            raise ValueError(f"mesh must be a MeshOptions; got {self.mesh!r}")

    @property
    def step(self) -> float:
        """|ds|: the initial step length."""
        return abs(self.ds)

    def directions(self) -> list:
        """The signs (+1 forward, -1 backward) to run, backward first; ds < 0 flips them."""
        signs = {"forward": [1], "backward": [-1], "both": [-1, 1]}[self.direction]
        return [-s for s in signs] if (self.ds < 0 and len(signs) == 1) else signs

    def record(self) -> dict:
        """The options as plain JSON-able values (events by their repr), for Branch.options."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "mesh"}
        out.update({f.name: getattr(self.mesh, f.name) for f in fields(MeshOptions)})
        out["bounds"] = {k: list(v) for k, v in self.bounds.items()}
        out["events"] = [repr(e) for e in self.events]
        out["stop_at"] = [repr(e) for e in self.stop_at]
        return out


#: each curve type's defaults (those of the former EPOptions, Codim2Options, LCOptions and
#: CycleCurveOptions, so that existing runs give the same numbers)
_COMMON = {"ds": 0.01, "ds_max": 0.1}
CURVE_DEFAULTS = {
    "EP-C": {**_COMMON, "ds_min": 1e-9, "max_points": 2000, "tol": 1e-10, "max_iter": 8,
             "direction": "both"},
    "LC-C": {**_COMMON, "ds_min": 1e-7, "max_points": 500, "tol": 1e-10, "max_iter": 10,
             "direction": "forward", "mesh": MeshOptions(50, 4, 3)},
    "PD-C": {**_COMMON, "ds_min": 1e-6, "max_points": 1000, "tol": 1e-9, "max_iter": 12,
             "direction": "forward"},
}
for _c in CODIM2_CURVES:
    CURVE_DEFAULTS[_c] = CURVE_DEFAULTS["EP-C"]
CURVE_DEFAULTS["LPC-C"] = CURVE_DEFAULTS["NS-C"] = CURVE_DEFAULTS["PD-C"]

_MESH_KEYS = tuple(f.name for f in fields(MeshOptions))
_OPTION_KEYS = tuple(f.name for f in fields(ContinuationOptions) if f.name != "mesh")
#: keywords that only some curve types take
_ONLY = {"T_max": CYCLE_CURVES, "close_loop": CYCLE_CURVES[1:], "stop_at_bt": ("H-C",),
         "user_points": CODIM2_CURVES, "branch": ("EP-C", "LC-C"),
         **{k: CYCLE_CURVES for k in _MESH_KEYS}}


def valid_keywords() -> tuple:
    """Every keyword :func:`make_options` accepts."""
    return _OPTION_KEYS + _MESH_KEYS


def make_options(curve: str, options: ContinuationOptions | None = None,
                 **keywords) -> ContinuationOptions:
    """The validated options of a ``curve`` run from an options object and/or keywords.

    Keywords override ``options``; values neither gives take the curve type's
    defaults (:data:`CURVE_DEFAULTS`).

    Raises
    ------
    ValueError
        An unknown keyword (with the valid names and the closest match), a
        keyword the curve type does not take, or a bad value (named).
    """
    valid = valid_keywords()
    for key in keywords:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown option {key!r}{hint}; valid options: "
                             f"{', '.join(sorted(valid))}")
        if key in _ONLY and curve not in _ONLY[key]:
            raise ValueError(f"option {key!r} applies to {', '.join(_ONLY[key])} only, "
                             f"not to {curve}")
    if options is not None and not isinstance(options, ContinuationOptions):
        raise ValueError(f"options must be a ContinuationOptions; got {type(options).__name__}")
    base = dict(CURVE_DEFAULTS[curve])
    default_mesh = base.pop("mesh", None)   # LC-C's defaults hold one
    mesh = default_mesh if isinstance(default_mesh, MeshOptions) else MeshOptions()
    if options is not None:
        base = {f.name: getattr(options, f.name) for f in fields(options) if f.name != "mesh"}
        mesh = options.mesh
    mesh_kw = {k: keywords.pop(k) for k in _MESH_KEYS if k in keywords}
    if mesh_kw:
        mesh = replace(mesh, **mesh_kw)
    if keywords.get("bounds") is None:
        keywords.pop("bounds", None)
    if keywords.get("log_params") is None:
        keywords.pop("log_params", None)
    opts = ContinuationOptions(**{**base, **keywords, "mesh": mesh})
    known = DETECTABLE[curve]
    unknown = sorted(set(opts.detect or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown labels to detect on {curve}: {unknown}; "
                         f"{curve} detects {list(known) or 'none'}")
    return opts


#: relative slack of :func:`check_start_in_bounds`: a start produced by an earlier run at a
#: bound differs from the bound only by rounding (a log10-parameter end is 10**log10(b): relative
#: error <= ~|log10 b| ln(10) 2.2e-16 ~ 2e-13 for |log10 b| <= 300), so 1e-9 of the bound's
#: magnitude accepts it with room and still refuses any start that is really outside
START_BOUND_SLACK = 1e-9


def start_params(model, start) -> dict:
    """The parameter values at ``start`` (a special point, an orbit, {"state", "params"}, or a
    state at the model's own parameters)."""
    if hasattr(start, "params") and isinstance(start.params, dict):
        return start.params
    if isinstance(start, dict) and isinstance(start.get("params"), dict):
        return start["params"]
    p = getattr(start, "p", None)       # an Orbit: its parameter array
    if p is not None and len(p) == len(model.param_names):
        return dict(zip(model.param_names, p))
    return model.params


def check_start_in_bounds(model, start, free, bounds) -> None:
    """ValueError naming the parameter when the start lies outside the bounds of a free one.

    The one start-in-bounds rule of every curve type (a run from outside could only stop at
    once, or fail inside the corrector).  A value beyond a bound by at most
    :data:`START_BOUND_SLACK` times the bound's magnitude counts as on the bound (rounding of
    an earlier run's end point there); a bound at 0 has no slack.

    Parameters
    ----------
    model : Model
    start : any start accepted by ``bifkit.continuation`` (see :func:`start_params`)
    free : list of str
        The free parameters.
    bounds : dict
        {name: (low, high)}, already cut to the model's valid range.
    """
    params = start_params(model, start)
    for name in free:
        lo, hi = bounds.get(name, (-math.inf, math.inf))
        v = params.get(name) if hasattr(params, "get") else None
        if v is None or isinstance(v, complex):
            continue
        v = float(v)
        if not (lo - START_BOUND_SLACK * abs(lo) <= v <= hi + START_BOUND_SLACK * abs(hi)):
            raise ValueError(f"the start's {name} = {v:.10g} is outside its bounds "
                             f"({lo:g}, {hi:g}) (the run's bounds cut to the model's valid range)")
