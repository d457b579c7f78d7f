"""Cross-check of an HC-C point with AUTO-07p's HomCont (IPS = 9).

The HC-C orbit (node values on bifkit's mesh, the same uniform-node Lagrange
collocation AUTO uses) is written as an AUTO solution block; HomCont restarts
from it with the saddle solved alongside (IEQUIB = 1: x0 in PAR(12..11+n)),
projection boundary conditions (NUNSTAB, NSTAB from the saddle), and continues
in the first free parameter and the truncation interval PAR(11) = 2T, so its
parameter at 2T and beyond can be compared with bifkit's (Champneys, Kuznetsov
& Sandstede 1996; AUTO-07p manual, chapter "HomCont").  Used by the AUTO-07p
cross-check table; needs the backend (:mod:`bifkit.backends.auto07p`).
"""
from __future__ import annotations

import numpy as np

from ._deps import ConvergenceError, InputError, Scheme, node_times


def homcont_from_point(model, branch, index: int = 0, *, steps: int = 10, ds: float = 0.1,
                       ds_max: float = 5.0, tol: float = 1e-10):
    """Run HomCont from point ``index`` of an HC-C branch, continuing in (free[0], 2T).

    Returns
    -------
    list of dict
        One per AUTO solution after the start: ``two_T`` (PAR(11)), ``param``
        (the first free parameter), ``x0`` (the saddle).

    Raises
    ------
    InputError
        More than three states (PAR(12..11+n) would overlap the model's parameters
        in the backend's parameter map), or a branch that is not HC-C.
    ConvergenceError
        AUTO produced no point beyond the start (its stdout in the message).
    """
    from ...backends.auto07p.files import read_fort8, write_solution
    from ...backends.auto07p.problem import compile_model
    from ...backends.auto07p.runner import Workspace
    if branch.curve != "HC-C":
        raise InputError(f"HomCont cross-check needs an HC-C branch, got {branch.curve!r}")
    n = model.n
    if n > 3:
        raise InputError(f"HomCont keeps the saddle in PAR(12..11+n); with n = {n} states this "
                         f"overlaps the backend's model parameters (n <= 3 supported)")
    am = compile_model(model)
    p = branch.p[index]
    par = am.pmap.to_par(p)
    par += [0.0] * max(0, 36 - len(par))
    orbit = branch.orbits[index]
    par[10] = 2.0 * orbit["T"]
    par[11:11 + n] = [float(v) for v in branch.x[index]]
    mesh = np.asarray(orbit["mesh"])
    ncol = (orbit["U"].shape[0] - 1) // (len(mesh) - 1)
    t = node_times(mesh, Scheme(ncol))
    start = write_solution(orbit["U"], par, t=t, itp=9, ntst=len(mesh) - 1, ncol=ncol, ips=9,
                           nfpr=2)
    J = model.jacobian(branch.x[index], **dict(zip(model.param_names, p)))
    n_u = int(np.sum(np.linalg.eigvals(J).real > 0))
    free = branch.free[0]
    constants = {"NDIM": n, "IPS": 9, "IRS": 1, "ILP": 0, "ICP": [am.pmap[free], 11],
                 "NTST": len(mesh) - 1, "NCOL": ncol, "IAD": 3, "ISP": 0, "ISW": 1,
                 "IPLT": 0, "NBC": 0, "NINT": 0, "NMX": int(steps) + 1, "NPR": 1, "MXBF": 0,
                 "IID": 2, "ITMX": 10, "ITNW": 20, "NWTN": 20, "JAC": 1, "EPSL": tol,
                 "EPSU": tol, "EPSS": 1e-6, "DS": ds, "DSMIN": 1e-5, "DSMAX": ds_max,
                 "IADS": 1, "NPAR": len(par), "THL": {}, "THU": {}, "UZR": {},
                 "NUNSTAB": n_u, "NSTAB": n - n_u, "IEQUIB": 1, "ITWIST": 0, "ISTART": 1}
    with Workspace(am.exe) as ws:
        out = ws.run(constants, start)
    sols = read_fort8(out.fort8)[1:] if out.fort8 else []
    if not sols:
        raise ConvergenceError(f"AUTO-07p HomCont produced no point beyond the start:\n"
                               f"{out.stdout[-2000:]}\n{out.stderr[-1000:]}")
    k = am.pmap[free] - 1
    return [{"two_T": float(s.par[10]), "param": float(s.par[k]),
             "x0": np.array(s.par[11:11 + n], float)} for s in sols]


def ab_model():
    """AUTO-07p's demo 'ab' (A -> B reaction; demos/ab/ab.f90) with B = 14, beta = 2:
    u1' = -u1 + D (1 - u1) e^u2, u2' = -u2 + D B (1 - u1) e^u2 - beta u2."""
    import sympy as sp

    from ...model import Model, ModelDefinition, real_symbols
    u1, u2, D, B, beta = real_symbols("u1 u2 D B beta")
    e = sp.exp(u2)
    return Model(ModelDefinition.from_sympy(
        "auto_ab", [("u1", u1), ("u2", u2)], [(D, 0.0), (B, 14.0), (beta, 2.0)],
        [-u1 + D * (1 - u1) * e, -u2 + D * B * (1 - u1) * e - beta * u2]))


def ab_demo_comparison(steps: int = 4) -> dict:
    """The 'ab' demo's homoclinic point: bifkit (EP-C -> LC-C to the long-period end ->
    HC-C with beta held) against HomCont restarted from bifkit's orbit.

    Returns
    -------
    dict with ``bifkit_D``, ``auto_D`` (HomCont's point with 2T nearest bifkit's),
    ``bifkit_x0``, ``auto_x0`` (the saddle), ``two_T`` (bifkit), ``auto_two_T``,
    ``branch`` (the HC-C branch), ``auto`` (all HomCont points), ``note``.
    """
    from .. import continuation
    from .curve import continue_homoclinic
    m = ab_model()
    ep = continuation(m, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m.params}, ["D"],
                      bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["D"], bounds={"D": (0, 0.3)},
                      max_points=300, ntst=80)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["D", "beta"], max_points=2,
                             ds=0.01)
    res = homcont_from_point(m, hc, 0, steps=steps)
    two_T = 2 * float(hc.data["T"][0])
    near = min(res, key=lambda r: abs(r["two_T"] - two_T))
    return {"bifkit_D": float(hc.params["D"][0]), "auto_D": near["param"],
            "bifkit_x0": hc.x[0].copy(), "auto_x0": near["x0"], "two_T": two_T,
            "auto_two_T": near["two_T"], "branch": hc, "auto": res, "model": m,
            "note": f"HomCont IPS=9, 2T = {near['two_T']:.2f} vs bifkit {two_T:.2f}"}
