"""``continuation`` through AUTO-07p: the same arguments and result as bifkit's.

Per curve type (AUTO manual, "IPS", "ISW", "ICP"):

======  ===  ===  ===================  ==============================
curve   IPS  ISW  ICP                  start solution (fort.3, ITP)
======  ===  ===  ===================  ==============================
EP-C     1    1   [p]                  equilibrium (9)
LC-C     2    1   [p, 11]              Hopf point (3, PAR(11) = 2 pi/omega),
                                       an orbit, or AUTO's PD (ISW = -1)
LP-C     1    2   [p, q]               fold (2)
H-C      1    2   [p, q, 11]           Hopf point (3)
LPC-C    2    2   [p, q, 11]           fold of cycles (5)
PD-C     2    2   [p, q, 11]           period doubling (7)
NS-C     2    2   [p, q, 11]           torus (8)
======  ===  ===  ===================  ==============================

A start that came out of this backend (its ``data["auto"]["solution"]``
holds AUTO's own solution block) is restarted from exactly that block, so a
chain EP-C -> LC-C -> PD-C runs as it would in AUTO itself.  Any other start
(a bifkit special point, a state dict, a bifkit Orbit, a point of a native
branch ``branch.point(i)``, with its ``"orbit"`` on cycle branches) is written
as a new solution block: the same starts as :func:`bifkit.continuation`.
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import ComputationError, InputError
from . import files, labels
from .options import LOG_NOTE, AutoOptions, step_sizes
from .problem import compile_model
from .runner import Workspace

CURVES = ("EP-C", "LC-C", "LP-C", "H-C", "LPC-C", "PD-C", "NS-C")
_SPEC = {  # curve: (IPS, ISW, number of free parameters, ITP of a written start)
    "EP-C": (1, 1, 1, 9), "LC-C": (2, 1, 1, 3), "LP-C": (1, 2, 2, 2), "H-C": (1, 2, 2, 3),
    "LPC-C": (2, 2, 2, 5), "PD-C": (2, 2, 2, 7), "NS-C": (2, 2, 2, 8)}
CYCLE_CURVES = ("LC-C", "LPC-C", "PD-C", "NS-C")
# AUTO writes this to fort.9 when the location of a special point did not
# converge (LCSPAE: the secant steps stall above EPSS (1 + sqrt(DS DSMAX)) in
# arclength, e.g. at K ~ 1e3 with EPSS = 1e-10); the point is then left
# unlabelled, so the run is repeated with EPSS x 100 (twice at most)
POSSIBLE = "NOTE:Possible special point"
RELOCATE_TRIES, RELOCATE_FACTOR = 2, 100.0
TWO_PI = 2 * math.pi


# --------------------------------------------------------------------------- #
# starts                                                                       #
# --------------------------------------------------------------------------- #
class _Start:
    """A start: the model at its parameters, the fort.3 text, IRS, and a state scale."""

    def __init__(self, model, text, irs, scale, itp):
        self.model, self.text, self.irs, self.scale, self.itp = model, text, irs, scale, itp
        self.prep_seconds = 0.0   # AUTO runs spent preparing the start


def _auto_block(start):
    data = getattr(start, "data", None)
    if data is None and isinstance(start, dict):
        data = start.get("data")
    if isinstance(data, dict) and isinstance(data.get("auto"), dict):
        return data["auto"]
    return None


def _state_params(model, start):
    """(model with the start's parameters, real state vector) of a point-like start."""
    from ...continuation import _start_model
    if isinstance(start, dict) and "state" in start and "params" in start:
        start = {"state": start["state"], "params": start["params"]}  # Branch.point(i) + extras
    m, state = _start_model(model, start)
    return m, m.pack(state)


HOPF_RTOL = 1e-4   # |Re lambda| / |lambda| of a start taken as a Hopf point (located: ~1e-8)


def _omega(model, x, data):
    if data and "omega" in data and data["omega"] is not None:
        return float(data["omega"])
    ev = np.linalg.eigvals(model.compiled.jac(0.0, x, model.p))
    ev = ev[ev.imag > 0]
    if ev.size == 0:
        raise InputError("the start is not a Hopf point: no complex eigenvalue pair")
    lam = ev[np.argmin(np.abs(ev.real))]
    if abs(lam.real) > HOPF_RTOL * abs(lam):
        raise InputError(f"the start is not a Hopf point: the eigenvalue pair nearest the "
                         f"imaginary axis is {lam.real:.3g} +- {lam.imag:.3g}i; start from a "
                         f"Hopf point (label 'H'), an orbit, or a point of a cycle branch")
    return float(lam.imag)


def _orbit_block(model, orbit, pmap, itp, ntst, ncol, multipliers=None):
    """A periodic solution block from a bifkit Orbit, on AUTO's uniform mesh.

    PAR(11) is the period; at a torus point PAR(12) is the angle of the
    critical multiplier pair (AUTO's torus continuation starts from it).
    """
    tm = np.linspace(0.0, 1.0, ntst + 1)
    t = np.concatenate([tm[j] + (tm[j + 1] - tm[j]) * np.arange(ncol) / ncol
                        for j in range(ntst)] + [[1.0]])
    U = orbit(t * orbit.T)
    par = pmap.to_par(orbit.p)
    par[10] = float(orbit.T)
    if itp == 8 and multipliers is not None:
        mu = np.asarray(multipliers, complex)
        mu = mu[mu.imag > 0]
        if mu.size:
            par[11] = float(np.angle(mu[np.argmin(np.abs(np.abs(mu) - 1))]))
    return files.write_solution(U, par, t=t, itp=itp, ntst=ntst, ncol=ncol, ips=2)


def make_start(model, curve, start, pmap, opts) -> _Start:
    """The fort.3 text and IRS for ``start`` (see the module docstring)."""
    itp = _SPEC[curve][3]
    auto = _auto_block(start)
    if auto is not None and auto.get("solution") and auto.get("model") == model.name:
        sol = files.read_fort8(auto["solution"])[0]
        m = model.with_params(**dict(zip(pmap.names, pmap.from_par(sol.par))))
        return _Start(m, auto["solution"], sol.lab, float(np.linalg.norm(sol.state)), sol.ty)
    data = getattr(start, "data", None) or (start.get("data") if isinstance(start, dict) else None)
    orbit = None
    if hasattr(start, "U") and hasattr(start, "mesh"):
        orbit = start
    elif isinstance(data, dict) and data.get("orbit") is not None:
        orbit = data["orbit"]
    elif isinstance(start, dict) and start.get("orbit") is not None:
        orbit = start["orbit"]   # a point of a native cycle branch: CycleBranch.point(i)
    if curve in CYCLE_CURVES and (orbit is not None and not (curve == "LC-C" and _is_hopf(start))):
        m = model.with_params(**dict(zip(model.param_names, map(float, orbit.p))))
        if curve == "LC-C" and getattr(start, "label", None) == "PD":
            raise ValueError("LC-C from a period-doubling point through AUTO-07p needs AUTO's own "
                             "PD point (a special point of an AUTO LC-C branch)")
        itp_c = 9 if curve == "LC-C" else itp
        text = _orbit_block(m, orbit, pmap, itp_c, opts.ntst, opts.ncol,
                            (data or {}).get("multipliers") if isinstance(data, dict) else None)
        return _Start(m, text, 1, float(np.max(np.abs(orbit.U))), itp_c)
    if curve in ("LPC-C", "PD-C", "NS-C"):
        raise ValueError(f"{curve} needs a cycle start: a special point of an LC-C branch "
                         f"(with data['orbit'] or AUTO's solution)")
    m, x = _state_params(model, start)
    par = pmap.to_par(m.p)
    if curve in ("LC-C", "H-C"):
        par[10] = TWO_PI / _omega(m, x, data)
    text = files.write_solution(x, par, itp=itp, ips=1)
    return _Start(m, text, 1, float(np.linalg.norm(x)), itp)


def _is_hopf(start) -> bool:
    return getattr(start, "label", None) == "H" or (
        isinstance(start, dict) and start.get("label") == "H")


# --------------------------------------------------------------------------- #
# constants                                                                    #
# --------------------------------------------------------------------------- #
def constants(model, curve, free, st: _Start, opts: AutoOptions, pmap, sign: float) -> dict:
    """AUTO constants of one run (see :mod:`.options` for the mapping)."""
    ips, isw, _, _ = _SPEC[curve]
    icp = [pmap[f] for f in free]
    if curve in CYCLE_CURVES or curve == "H-C":
        icp.append(11)
    if curve == "LC-C" and labels.basic_type(st.itp) == 7:
        isw = -1   # branch switching at AUTO's period doubling
    value0 = float(st.model.params[free[0]])
    ds, ds_min, ds_max = step_sizes(opts, free[0], value0, st.scale)
    c = {"NDIM": model.n, "IPS": ips, "IRS": st.irs, "ILP": 1 if isw != 2 else 0, "ICP": icp,
         "NTST": int(opts.ntst), "NCOL": int(opts.ncol), "IAD": int(opts.adapt_every),
         "ISP": 2, "ISW": isw, "IPLT": 0, "NBC": 0, "NINT": 0,
         "NMX": int(opts.max_points), "NPR": 1 if opts.solutions == "all" else 0,
         "MXBF": 0, "IID": 2, "ITMX": 8, "ITNW": int(opts.max_iter), "NWTN": 3, "JAC": 1,
         "EPSL": opts.tol, "EPSU": opts.tol, "EPSS": opts.tol,
         "DS": sign * ds, "DSMIN": ds_min, "DSMAX": ds_max, "IADS": 1,
         "NPAR": pmap.npar, "IIS": 3}
    if curve in CYCLE_CURVES:
        c["THL"] = {11: 0.0}
    lo, hi = opts.bounds.get(free[0], (-math.inf, math.inf))
    if math.isfinite(lo):
        c["RL0"] = lo
    if math.isfinite(hi):
        c["RL1"] = hi
    uzstop = {}
    for name in free:
        vals = [v for v in opts.bounds.get(name, ()) if math.isfinite(v)]
        if vals:
            uzstop[pmap[name]] = vals
    if curve in CYCLE_CURVES and math.isfinite(opts.T_max):
        uzstop[11] = [float(opts.T_max)]
    if uzstop:
        c["UZSTOP"] = uzstop
    if opts.user_points:
        c["UZR"] = {pmap[k]: list(v) for k, v in opts.user_points.items()}
    c.update(opts.constants)
    return c


def _generate_eigenfunction(model, curve, free, st, opts, am, ws, consts) -> _Start:
    """AUTO's start of a fold/flip/torus curve of cycles from a labelled point.

    From a point of type 5/7/8 AUTO first runs a few steps with the second
    parameter fixed (ISW = -2 internally) that build the critical
    eigenfunction of the extended system; the curve proper is continued from
    the last solution of that run (AUTO manual, "ISW"; periodic.f90 INITPS).
    """
    c = constants(model, curve, free, st, opts, am.pmap, 1.0)
    c.pop("UZSTOP", None)
    c.pop("RL0", None)
    c.pop("RL1", None)
    consts.append(c)
    out = ws.run(c, st.text, timeout=opts.timeout)
    sols = files.read_fort8(out.fort8)
    if out.returncode != 0 or not sols:
        tail = (out.stderr.strip().splitlines() or ["no solution written"])[-1]
        raise ComputationError(f"AUTO-07p could not start the {curve} curve from label {st.irs} "
                           f"(status {out.returncode}: {tail})")
    last = max(sols, key=lambda s: s.lab)
    new = _Start(st.model, last.text, last.lab, st.scale, last.ty)
    new.prep_seconds = out.seconds
    return new


# --------------------------------------------------------------------------- #
# the entry point                                                              #
# --------------------------------------------------------------------------- #
def continuation(model, curve: str, start, free, **options):
    """Continue a curve of ``model`` with AUTO-07p; same arguments and result as
    :func:`bifkit.continuation`.

    Parameters
    ----------
    model : Model
        A model with a symbolic form; periodic forcing must be off.
    curve : str
        One of "EP-C", "LC-C", "LP-C", "H-C", "LPC-C", "PD-C", "NS-C".
    start : dict, SpecialPoint, Branch point, Orbit
        As for :func:`bifkit.continuation`; special points of branches made
        by this backend restart from AUTO's own solution.
    free : list of str
    **options
        bifkit's options (``bounds``, ``log_params``, ``direction``,
        ``max_points``, ``ds``, ``ds_min``, ``ds_max``, ``tol``, ``ntst``,
        ``ncol``, ...) and the backend's own; see
        :mod:`bifkit.backends.auto07p.options`.

    Returns
    -------
    Branch
        With ``options["auto"]`` holding the AUTO constants, run times and
        messages; special points carry ``data["auto"]`` (AUTO's label, type
        and solution block).

    Raises
    ------
    ValueError
        Bad curve, free parameters, options or start.
    RuntimeError
        AUTO-07p missing, compilation failure, or an AUTO run that produced
        no point at all (its messages are included).
    """
    from .assemble import assemble
    if curve == "NF-C":
        raise ValueError("NF-C (node/focus boundary) has no AUTO-07p counterpart")
    if curve not in CURVES:
        raise ValueError(f"unknown curve type {curve!r}; one of {', '.join(CURVES)}")
    free = [free] if isinstance(free, str) else list(free)
    nfree = _SPEC[curve][2]
    if len(free) != nfree:
        raise ValueError(f"{curve} takes {nfree} free parameter(s); got {free}")
    for name in free:
        model.param_index(name)
    opts = AutoOptions.from_kwargs(curve, **options)
    for name in list(opts.bounds) + list(opts.log_params) + list(opts.user_points):
        if name not in free:
            raise ValueError(f"bounds/log_params name {name!r} is not a free parameter {free}")
    if opts.l1_partner is not None:
        model.param_index(opts.l1_partner)
    if not model.is_autonomous():
        raise ValueError(f"model {model.name!r} has periodic forcing switched on; continuation "
                         f"needs an autonomous system (set "
                         f"{model.definition.forcing_amplitude} = 0)")
    am = compile_model(model, opts.precision)
    st = make_start(model, curve, start, am.pmap, opts)
    signs = {"forward": [1.0], "backward": [-1.0], "both": [-1.0, 1.0]}[opts.direction]
    runs, consts = [], []
    with Workspace(am.exe, keep=opts.keep) as ws:
        if curve in ("LPC-C", "PD-C", "NS-C") and abs(st.itp) < 10:
            st = _generate_eigenfunction(model, curve, free, st, opts, am, ws, consts)
        for sign in signs:
            c = constants(model, curve, free, st, opts, am.pmap, sign)
            out = ws.run(c, st.text, timeout=opts.timeout)
            for _ in range(RELOCATE_TRIES):
                if POSSIBLE not in out.fort9 or "EPSS" in opts.constants:
                    break
                # AUTO gave up locating a special point at this EPSS (its criterion is
                # absolute in arclength): run again with a looser one
                c = dict(c, EPSS=c["EPSS"] * RELOCATE_FACTOR)
                out = ws.run(c, st.text, timeout=opts.timeout)
            consts.append(c)
            runs.append(out)
        branch = assemble(st.model, curve, free, runs, am.pmap, opts, signs)
        if curve == "EP-C" and opts.l1:
            from .hopf import attach_l1
            attach_l1(branch, st.model, am, ws, opts, free[0])
    info = {"constants": consts, "run_seconds": [r.seconds for r in runs],
            "start_seconds": st.prep_seconds,
            "compile_seconds": am.compile_seconds, "codegen_seconds": am.codegen_seconds,
            "executable": str(am.exe), "returncodes": [r.returncode for r in runs]}
    if any(f in opts.log_params for f in free):
        info["note"] = LOG_NOTE
    branch.options["auto"] = info
    return branch
