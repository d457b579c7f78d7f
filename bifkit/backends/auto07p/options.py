"""bifkit continuation options as AUTO-07p constants.

==================  ==========================================================
bifkit option       AUTO-07p constant(s)
==================  ==========================================================
free                ICP (plus PAR(11), the period, on cycle curves and, as an
                    overspecified output column, on Hopf curves)
bounds              RL0/RL1 for the first free parameter, UZSTOP for all
log_params          none: AUTO continues every parameter linearly.  Bounds are
                    honoured; steps are AUTO's arclength steps (see ds)
direction           sign of DS ("both": two runs, the first with DS < 0)
max_points          NMX (per direction)
ds, ds_min, ds_max  DS, DSMIN, DSMAX in AUTO's arclength (states and
                    parameters together); ignored when the free parameter is
                    in log_params (they are log10 steps there), and then
                    defaulted from the bounds
tol                 EPSL = EPSU = EPSS = tol (EPSS, the location accuracy of special
                    points, at AUTO's recommended 100 tol gives Hopf points only to
                    ~1e-5 relative when the parameter is small, e.g. I_e ~ 3e-4)
max_iter            ITNW
ntst, ncol          NTST, NCOL (IAD = 3: mesh adapted every 3 steps)
T_max               UZSTOP on PAR(11) (cycle curves)
detect              special points kept in the result (AUTO detects them all)
==================  ==========================================================

Backend-only options: ``l1`` (compute the first Lyapunov coefficient at the
Hopf points of an EP-C run with a short Hopf-curve run, default True),
``l1_partner`` (second parameter of that run), ``l1_precision`` ("quad",
default: FUNC evaluated in REAL(16) for those runs, see :mod:`.hopf`),
``precision`` ("double" or "quad" for the main runs), ``user_points``
({name: [values]}: AUTO's UZR, points located where a free parameter takes
those values, returned as special points labelled "UZ"), ``solutions`` ("all": every
point's full solution, NPR = 1; "special": only labelled ones, states from
fort.7), ``constants`` (any AUTO constant, overriding the mapping),
``timeout`` (seconds per AUTO run) and ``keep`` (keep the run directory).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..._validate import as_float, as_int
from ...errors import InputError

LOG_NOTE = ("AUTO-07p continues parameters linearly; log_params only set the bounds "
            "and the default step sizes")


@dataclass(frozen=True)
class AutoOptions:
    """Validated options of one AUTO continuation."""

    bounds: dict = field(default_factory=dict)
    log_params: tuple = ()
    direction: str = "both"
    max_points: int = 2000
    ds: float | None = None
    ds_min: float | None = None
    ds_max: float | None = None
    tol: float = 1e-10
    max_iter: int = 8
    ntst: int = 50
    ncol: int = 4
    adapt_every: int = 3
    T_max: float = math.inf
    detect: tuple | None = None
    l1: bool = True
    l1_partner: str | None = None
    l1_precision: str = "double"
    precision: str = "double"
    solutions: str = "all"
    user_points: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    timeout: float = 600.0
    keep: bool = False

    def __post_init__(self):
        for k in ("max_points", "max_iter", "ntst", "ncol", "adapt_every"):
            object.__setattr__(self, k, as_int(getattr(self, k), k))
        object.__setattr__(self, "tol", as_float(self.tol, "tol"))
        object.__setattr__(self, "T_max", as_float(self.T_max, "T_max", positive=True,
                                                   finite=False))
        object.__setattr__(self, "timeout", as_float(self.timeout, "timeout", positive=True))
        for k in ("ds", "ds_min", "ds_max"):
            if getattr(self, k) is not None:
                object.__setattr__(self, k, as_float(getattr(self, k), k, positive=True))
        if self.direction not in ("forward", "backward", "both"):
            raise ValueError(f"direction must be 'forward', 'backward' or 'both'; "
                             f"got {self.direction!r}")
        if int(self.max_points) < 2:
            raise ValueError(f"max_points must be >= 2; got {self.max_points}")
        if not 0 < self.tol < 1:
            raise ValueError(f"tol must be in (0, 1); got {self.tol}")
        if not 2 <= int(self.ncol) <= 7:
            raise ValueError(f"AUTO-07p needs 2 <= ncol <= 7; got {self.ncol}")
        if int(self.ntst) < 2:
            raise ValueError(f"ntst must be >= 2; got {self.ntst}")
        for k in ("precision", "l1_precision"):
            if getattr(self, k) not in ("double", "quad"):
                raise ValueError(f"{k} must be 'double' or 'quad'; got {getattr(self, k)!r}")
        if self.solutions not in ("all", "special"):
            raise ValueError(f"solutions must be 'all' or 'special'; got {self.solutions!r}")
        for name, (lo, hi) in self.bounds.items():
            if not lo < hi:
                raise ValueError(f"bounds of {name} must satisfy low < high; got {(lo, hi)}")
        for k in ("ds", "ds_min", "ds_max"):
            v = getattr(self, k)
            if v is not None and not v > 0:
                raise ValueError(f"{k} must be positive; got {v}")

    @classmethod
    def from_kwargs(cls, curve, **kw):
        """Options from bifkit keywords; an unknown keyword is an error."""
        names = set(cls.__dataclass_fields__)
        unknown = sorted(set(kw) - names)
        if unknown:
            raise ValueError(f"unknown option(s) {unknown} for the AUTO-07p backend; "
                             f"valid: {sorted(names)}")
        if "direction" not in kw:
            kw["direction"] = "forward" if curve == "LC-C" else "both"
        kw["bounds"] = {k: _bound(k, v) for k, v in (kw.get("bounds") or {}).items()}
        kw["log_params"] = tuple(kw.get("log_params") or ())
        if kw.get("detect") is not None:
            kw["detect"] = tuple(kw["detect"])
        kw["constants"] = dict(kw.get("constants") or {})
        kw["user_points"] = {k: [float(v) for v in np.atleast_1d(vals)]
                             for k, vals in (kw.get("user_points") or {}).items()}
        return cls(**kw)


def _bound(name, pair) -> tuple:
    """A (low, high) bound pair of real numbers (+-inf allowed) with a message naming it."""
    try:
        lo, hi = pair
    except (TypeError, ValueError):
        raise InputError(f"bounds of {name} must be a pair (low, high); got {pair!r}") from None
    return (as_float(lo, f"bounds of {name} (low)", finite=False),
            as_float(hi, f"bounds of {name} (high)", finite=False))


def step_sizes(opts: AutoOptions, free0: str, value0: float, scale: float):
    """(DS, DSMIN, DSMAX) in AUTO's arclength.

    ``scale`` is the size of the unknowns at the start (norm of the state);
    with ``size = max(1, |p0|, scale)`` the defaults are: DSMAX a 1/100 of the
    bounded interval of the first parameter (else ``0.1 size``), DS
    ``1e-5 size`` (AUTO doubles it per easy step; AUTO evaluates no test
    function at the start, so a large first step can miss a bifurcation),
    DSMIN ``1e-12 size``.
    """
    lo, hi = opts.bounds.get(free0, (-math.inf, math.inf))
    size = max(abs(value0), scale, 1.0)
    linear = free0 not in opts.log_params
    ds_max = opts.ds_max if (linear and opts.ds_max) else (
        (hi - lo) / 100 if math.isfinite(hi - lo) else 0.1 * max(1.0, size))
    ds = opts.ds if (linear and opts.ds) else min(1e-5 * size, ds_max)
    ds_min = opts.ds_min if (linear and opts.ds_min) else min(1e-12 * size, ds)
    return ds, ds_min, ds_max
