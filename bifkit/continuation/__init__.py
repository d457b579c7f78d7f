"""Continuation: one entry point for every curve type.

``continuation(model, curve, start, free, **options)`` with curve one of

========  ==========================================================  =================
EP-C      equilibria in one parameter (LP, H with l1, BP, NF; BP switch)  ``ep/``
LC-C      periodic orbits by collocation (LPC, PD, NS; Floquet)        ``cycles/lc.py``
LP-C,     two-parameter curves of folds, Hopf points and the          ``codim2/``
H-C,      node/focus boundary (BT, CP, GH, ZH, HH)
NF-C
PD-C,     two-parameter curves of cycle bifurcations                   ``cycles/curves.py``
LPC-C,
NS-C
HC-C,     homoclinic orbits to a saddle (saddle-node) in two            ``homoclinic/``
HSN-C     parameters; own options (see ``continue_homoclinic``)
========  ==========================================================  =================

Options (one validated :class:`ContinuationOptions` for every curve type) are
in :mod:`.options`, the status vocabulary in :mod:`.status`, user events in
:mod:`.events`, the Branch record in :mod:`.branch`.  EP-C, LP-C, H-C and NF-C are
curve-type classes run by the one driver (:mod:`.driver`: directions, events, special
points, joining, the Branch); the cycle curves still run their own directions.
"""
from __future__ import annotations

import importlib
import logging
import math
import sys
import types
from dataclasses import replace
from typing import Callable

from .events import crossing, extremum
from .model_ranges import valid_interval
from .options import ContinuationOptions, MeshOptions, make_options, check_start_in_bounds
from .branch import Branch, SpecialPoint
from .driver import start_model as _start_model  # noqa: F401 (also the AUTO-07p backend's)

log = logging.getLogger("bifkit.continuation")


def _homoclinic(model, curve, start, free, keywords):
    from .homoclinic.curve import continue_homoclinic
    return continue_homoclinic(model, curve, start, free, **keywords)


def _cycle_curve(model, curve, start, free, opts, gh):
    from .cycles.curves import continue_cycle_curve
    return continue_cycle_curve(model, curve, start, free, opts, **gh)


def _with_model_ranges(model, free, opts):
    """``opts`` with each free parameter's bounds cut to the model's valid range (issue 20)."""
    bounds = dict(opts.bounds)
    for name in free:
        mlo, mhi = valid_interval(model, name)
        lo, hi = bounds.get(name, (-math.inf, math.inf))
        if mlo > lo or mhi < hi:
            bounds[name] = (max(lo, mlo), min(hi, mhi))
            log.debug("%s: bounds %s from the model's valid range", name, bounds[name])
    return replace(opts, bounds=bounds) if bounds != opts.bounds else opts


_CODIM2 = (".codim2.curve", "Codim2Curve")
#: curve name -> (number of free parameters, curve type): a curve-type class (module path,
#: class name; imported when first used) run by :func:`.driver.continue_curve`, or a
#: runner for the cycle bifurcation curves, whose start takes keywords of its own (gh_offset,
#: gh_ds) before their :class:`.cycles.curves.CycleBifurcationCurve` runs on the same driver
CURVE_TYPES: dict[str, tuple[int, tuple[str, str] | Callable[..., Branch]]] = {
               "EP-C": (1, (".ep.curve", "EquilibriumCurve")),
               "LC-C": (1, (".cycles.lc", "CycleCurve")),
               "LP-C": (2, _CODIM2), "H-C": (2, _CODIM2), "NF-C": (2, _CODIM2),
               "PD-C": (2, _cycle_curve), "LPC-C": (2, _cycle_curve), "NS-C": (2, _cycle_curve)}
#: curves with options of their own (truncated boundary-value problems; issue 17)
HOMOCLINIC_CURVES = ("HC-C", "HSN-C")
CURVES = tuple(CURVE_TYPES) + HOMOCLINIC_CURVES


def continuation(model, curve: str, start, free, options: ContinuationOptions | None = None,
                 **keywords):
    """Continue a curve of ``model`` from ``start`` with free parameters ``free``.

    Parameters
    ----------
    model : Model
    curve : str
        One of :data:`CURVES`.
    start : dict, SpecialPoint, Branch point, Orbit
        A state (dict; parameters from ``model``), a special point of an
        earlier branch, or ``branch.point(i)``.
    free : str or list of str
        Free parameters (one for EP-C and LC-C, two for the two-parameter curves).
    options : ContinuationOptions, optional
        A prepared options object; keywords override its fields.
    **keywords
        Any field of :class:`ContinuationOptions` (``ds``, ``ds_min``,
        ``ds_max``, ``max_points``, ``tol``, ``max_iter``, ``direction``,
        ``bounds={name: (lo, hi)}``, ``log_params``, ``detect``, ``events``,
        ``stop_at``, ``branch``, ``progress``, ...) or of :class:`MeshOptions`
        (``ntst``, ``ncol``, ``adapt_every``; cycle curves); for LPC-C from a
        Bautin point also ``gh_offset`` and ``gh_ds``.

    Returns
    -------
    Branch (CycleBranch for the cycle curves); ``branch.status`` says per
    direction why it ended (:data:`bifkit.continuation.status.STATUSES`).
    """
    if curve in HOMOCLINIC_CURVES:
        if options is not None:
            raise ValueError(f"{curve} takes keywords, not a ContinuationOptions object")
        return _homoclinic(model, curve, start, free, keywords)
    if curve not in CURVE_TYPES:
        raise ValueError(f"unknown curve type {curve!r}; one of {', '.join(CURVES)}")
    nfree, runner = CURVE_TYPES[curve]
    free = [free] if isinstance(free, str) else list(free)
    if len(free) != nfree or len(set(free)) != nfree:
        need = "one free parameter" if nfree == 1 else "two different free parameters"
        raise ValueError(f"{curve} takes {need}; got {free}")
    for name in free:
        model.param_index(name)  # clear error for unknown names
    gh = {k: keywords.pop(k) for k in ("gh_offset", "gh_ds") if k in keywords}
    if gh and curve != "LPC-C":
        raise ValueError("gh_offset/gh_ds apply only to LPC-C from a GH point")
    if curve == "LPC-C" and getattr(start, "label", None) == "GH" and options is None:
        # from a Bautin point both ways by default: away from it, and back towards it
        # (where the cycle amplitude vanishes and the corrector stops)
        keywords.setdefault("direction", "both")
    opts = make_options(curve, options, **keywords)
    for name in list(opts.bounds) + list(opts.log_params):
        if name not in free:
            raise ValueError(f"bounds/log_params name {name!r} is not a free parameter {free}")
    opts = _with_model_ranges(model, free, opts)
    check_start_in_bounds(model, start, free, opts.bounds)
    log.debug("%s of %s in %s from %r", curve, model.name, free, type(start).__name__)
    if isinstance(runner, tuple):
        from . import driver
        module, name = runner
        kind = getattr(importlib.import_module(module, __name__), name)
        return driver.continue_curve(kind.for_request(model, curve, start, free, opts), opts)
    return runner(model, curve, start, free, opts, gh)   # PD-C, LPC-C, NS-C


class _Package(types.ModuleType):
    """Module type of ``bifkit.continuation``: each submodule is also an attribute of the
    :func:`continuation` function.

    ``bifkit.continuation`` is that function (the package's one entry point; bifkit/_lazy.py),
    so ``import bifkit.continuation.cycles as cycles`` looks ``cycles`` up on the function;
    without these attributes it raised ImportError (``from bifkit.continuation.cycles import
    X`` and ``import bifkit.continuation.cycles`` always worked)."""

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            setattr(continuation, name, value)


for _name, _value in list(globals().items()):   # the submodules imported above
    if isinstance(_value, types.ModuleType) and _value.__name__ == f"{__name__}.{_name}":
        setattr(continuation, _name, _value)
del _name, _value
sys.modules[__name__].__class__ = _Package

__all__ = ["continuation", "Branch", "SpecialPoint", "CURVES", "ContinuationOptions",
           "MeshOptions", "crossing", "extremum"]
