"""Continuation: one entry point for every curve type.

``continuation(model, curve, start, free, **options)`` with curve one of

========  ==========================================================  =============
EP-C      equilibria in one parameter (LP, H with l1, BP, NF)          ``ep.py``
LC-C      periodic orbits by collocation (LPC, PD, NS; Floquet)        ``cycles.py``
LP-C,     two-parameter curves of folds, Hopf points and the          ``codim2.py``
H-C,      node/focus boundary (BT, CP, GH, ZH, HH)
NF-C
PD-C,     two-parameter curves of cycle bifurcations                   ``cycle_curves.py``
LPC-C,
NS-C
========  ==========================================================  =============
"""
from __future__ import annotations

from .results import Branch, SpecialPoint

CURVES = ("EP-C", "LC-C", "LP-C", "H-C", "NF-C", "LPC-C", "PD-C", "NS-C")


def _start_model(model, start):
    """(model with the start's parameters, start state) from any accepted ``start``."""
    if isinstance(start, SpecialPoint) or hasattr(start, "params") and hasattr(start, "state"):
        return model.with_params(**start.params), start.state
    if isinstance(start, dict) and set(start) == {"state", "params"}:
        state = start["state"]
        if set(state) != set(model.states):  # real-split names -> model order
            state = [state[k] for k in model.state_names]
        return model.with_params(**start["params"]), model.unpack(state) if not isinstance(
            state, dict) else state
    return model, start


def continuation(model, curve: str, start, free, **options):
    """Continue a curve of ``model`` from ``start`` with free parameters ``free``.

    Parameters
    ----------
    model : Model
    curve : str
        One of :data:`CURVES`.
    start : dict, SpecialPoint, Branch point, Orbit
        A state (dict; parameters from ``model``), a special point of an
        earlier branch, or ``branch.point(i)``.
    free : list of str
        Free parameters (one for EP-C and LC-C, two for the two-parameter curves).
    **options
        ``bounds={name: (lo, hi)}``, ``log_params=[...]``, ``direction``
        ("forward", "backward", "both"), ``max_points``, ``ds``, ``ds_min``,
        ``ds_max``, ``tol``; LC-C also ``ntst``, ``ncol``.

    Returns
    -------
    Branch (EP-C) or CycleBranch (LC-C)
    """
    if curve not in CURVES:
        raise ValueError(f"unknown curve type {curve!r}; one of {', '.join(CURVES)}")
    free = [free] if isinstance(free, str) else list(free)
    for name in free:
        model.param_index(name)  # clear error for unknown names
    bounds = options.pop("bounds", None) or {}
    log_params = list(options.pop("log_params", ()) or ())
    for name in list(bounds) + log_params:
        if name not in free:
            raise ValueError(f"bounds/log_params name {name!r} is not a free parameter {free}")
    if curve == "EP-C":
        from .ep import continue_equilibria
        if len(free) != 1:
            raise ValueError(f"EP-C takes one free parameter; got {free}")
        m, state = _start_model(model, start)
        return continue_equilibria(m, state, free[0], bounds=bounds.get(free[0], (-1e300, 1e300)),
                                   log=free[0] in log_params, **options)
    if curve == "LC-C":
        from .cycles import continue_cycles
        if len(free) != 1:
            raise ValueError(f"LC-C takes one free parameter; got {free}")
        return continue_cycles(model, start, free, bounds=bounds, log_params=log_params, **options)
    if curve in ("PD-C", "LPC-C", "NS-C"):
        try:
            from .cycle_curves import continue_cycle_curve
        except ImportError:
            raise NotImplementedError(f"{curve} is not implemented yet") from None
        return continue_cycle_curve(model, curve, start, free, bounds=bounds,
                                    log_params=log_params, **options)
    # LP-C, H-C, NF-C: two-parameter curves of equilibrium bifurcations
    if len(free) != 2:
        raise ValueError(f"{curve} takes two free parameters; got {free}")
    try:
        from .codim2 import continue_codim2_curve
    except ImportError:
        raise NotImplementedError(f"{curve} is not implemented yet") from None
    return continue_codim2_curve(model, curve, start, free, bounds=bounds,
                                 log_params=log_params, **options)


__all__ = ["continuation", "Branch", "SpecialPoint", "CURVES"]
