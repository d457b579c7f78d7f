"""The first Lyapunov coefficient at Hopf points, as AUTO-07p computes it.

AUTO evaluates l1 (finite differences, Kuznetsov's formula with <q, q> = 1,
<p, q> = 1; printed as "GH Function" in fort.9) only along Hopf curves
(ISW = 2), from the second point on.  At a Hopf point of an EP-C branch we
therefore run two one-step Hopf-curve continuations in (free, partner), with a
tiny step of either sign, and average the two values: the result is l1 at
the Hopf point up to O(step^2).

The probe runs use the user file compiled with FUNC in quad precision
(``precision="quad"`` of :func:`.fortran.user_source`): AUTO's second and
third differences divide FUNC's rounding error by h^2 ~ 1e-10, which for
the E-I model at large I_e (terms of size sqrt(K) I_e ~ 1e3 cancelling in f)
gives l1 noise of order 1e-4 to 1e-2 against a true l1 of 4e-7.  Set
``l1_precision="double"`` to see AUTO's plain double-precision value.
"""
from __future__ import annotations

import numpy as np

from . import files

STEP = 1e-7   # relative arclength step of the probe runs


def partner_parameter(model, x, free, chosen=None) -> str:
    """A second parameter for the probe Hopf curve: ``chosen``, else the first
    parameter other than ``free`` that enters the right-hand side at ``x``
    (else the first other parameter)."""
    if chosen is not None:
        return chosen
    col = np.abs(model.compiled.dfdp(0.0, x, model.p)).sum(axis=0)
    others = [n for n in model.param_names
              if n != free and n != model.definition.forcing_amplitude]
    if not others:
        raise ValueError(f"model {model.name!r} has no second parameter; cannot compute l1 "
                         f"through AUTO-07p (pass l1=False)")
    for name in others:
        if col[model.param_index(name)] > 0:
            return name
    # none moves the equilibrium: any works (the Hopf curve is then a line in it)
    return others[0]


def l1_samples(model, am, ws, solution_text, free, partner, opts, exe=None,
               steps=(STEP,)) -> list:
    """AUTO's l1 from one-step probe runs, one value per (step, sign): AUTO's GH
    function at a point ``step`` (relative arclength) away from the Hopf point."""
    sol = files.read_fort8(solution_text)[0]
    scale = 1.0 + float(np.linalg.norm(sol.state)) + abs(sol.par[am.pmap[free] - 1])
    values = []
    for step in steps:
        for sign in (1.0, -1.0):
            h = step * scale
            c = {"NDIM": model.n, "IPS": 1, "IRS": sol.lab, "ILP": 0,
                 "ICP": [am.pmap[free], am.pmap[partner], 11], "ISP": 2, "ISW": 2,
                 "NMX": 2, "NPR": 0, "MXBF": 0, "IID": 2, "ITMX": 8,
                 "ITNW": int(opts.max_iter), "NWTN": 3, "JAC": 1, "EPSL": opts.tol,
                 "EPSU": opts.tol, "EPSS": opts.tol, "DS": sign * h, "DSMIN": 1e-3 * h,
                 "DSMAX": h, "IADS": 1, "NPAR": am.pmap.npar}
            out = ws.run(c, solution_text, timeout=opts.timeout, exe=exe)
            gh = files.read_fort9(out.fort9).gh
            if gh:
                values.append(gh[sorted(gh)[0]])
    return values


def l1_at(model, am, ws, solution_text, free, partner, opts, exe=None) -> float:
    """AUTO's l1 at the Hopf point stored in ``solution_text``: the mean of the
    two probes (steps of either sign), so O(step) drift cancels (NaN if AUTO
    gives none)."""
    values = l1_samples(model, am, ws, solution_text, free, partner, opts, exe)
    return float(np.mean(values)) if values else float("nan")


def attach_l1(branch, model, am, ws, opts, free):
    """Add ``l1`` and ``criticality`` (and ``l1_partner``) to every H point of an EP-C branch."""
    from .problem import compile_model
    hs = branch.special_points("H")
    if not hs:
        return
    exe = compile_model(model, opts.l1_precision).exe
    for sp in hs:
        text = sp.data.get("auto", {}).get("solution")
        if not text:
            continue
        m = model.with_params(**sp.params)
        x = m.pack(sp.state)
        partner = partner_parameter(m, x, free, opts.l1_partner)
        l1 = l1_at(m, am, ws, text, free, partner, opts, exe)
        sp.data["l1"] = l1
        sp.data["l1_partner"] = partner
        if np.isfinite(l1):
            sp.data["criticality"] = "supercritical" if l1 < 0 else "subcritical"
