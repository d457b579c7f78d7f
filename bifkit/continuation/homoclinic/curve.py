"""HC-C / HSN-C: continuation of homoclinic orbits to a saddle / saddle-node in two parameters.

Entry point :func:`continue_homoclinic` (registered as "HC-C" in
``bifkit.continuation``).  Pseudo-arclength continuation of the BVP of
:mod:`.bvp` with full Newton steps; along the curve it records the saddle
quantity sigma = Re lambda_s1 + Re lambda_u1 and detects

* ``NSS`` / ``NSF`` / ``NFF``: the neutral saddle, saddle-focus, bi-focus
  (sigma = 0 with real / one complex / both complex leading eigenvalues;
  MatCont's labels), where the homoclinic bifurcation changes from producing a
  stable to an unstable cycle (planar case) (Kuznetsov 2004, sec. 6.2);
* ``NCH``: the non-central saddle-node homoclinic point, where the saddle's
  eigenvalue nearest to zero vanishes (det f_x(x0) = 0): the curve meets a
  fold curve and the orbit becomes homoclinic to a saddle-node (Schecter 1987;
  Champneys, Kuznetsov & Sandstede 1996, sec. 3).  The branch stops there.

Special points are located by the Illinois method along the chord between
the two bracketing points (each trial value one Newton correction).
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from . import saddle, starts
from ._deps import (Branch, ConvergenceError, InputError, SpecialPoint, adapt_mesh, interpolate,
                    node_times)

log = logging.getLogger("bifkit.continuation.homoclinic")

_OPTIONS = {"ntst", "ncol", "ds", "ds_min", "ds_max", "max_points", "tol", "max_iter",
            "direction", "bounds", "log_params", "bt_amplitude", "T", "max_gap", "max_end_gap",
            "adapt_every"}


class HomoclinicBranch(Branch):
    """A Branch of homoclinic orbits.

    Besides the Branch fields (``x`` = the saddle x0, ``eigenvalues`` = its
    eigenvalues), ``data["saddle_quantity"]`` (sigma per point) and
    ``data["T"]`` (half-return time), and ``orbits``: per point a dict with
    ``U`` (node values on [0, 1], time t = -T + 2 T s), ``mesh``, ``T``.
    """

    def __init__(self, model, curve, free, points, special, options, stop_reason, status):
        x = np.array([q["x0"] for q in points])
        p = np.array([q["p"] for q in points])
        ev = np.array([q["eigenvalues"] for q in points], dtype=complex)
        data = {"saddle_quantity": np.array([q["sigma"] for q in points]),
                "T": np.array([q["T"] for q in points]),
                "end_gap": np.array([q["end_gap"] for q in points])}
        super().__init__(model, curve, free, x, p, ev, special, options, stop_reason, data=data,
                         stable=np.zeros(len(points), bool))
        self.orbits = [{"U": q["U"], "mesh": q["mesh"], "T": q["T"]} for q in points]
        self.status = status

    @property
    def saddle_quantity(self) -> np.ndarray:
        return self.data["saddle_quantity"]


def continue_homoclinic(model, curve, start, free, **options):
    """Continue homoclinic orbits to a saddle in two parameters ("HC-C").

    Parameters
    ----------
    model : Model
    curve : str
        "HC-C" (homoclinic to a saddle) or "HSN-C" (to a saddle-node: the central
        homoclinic orbit of a SNIC, started from a long-period cycle only; no
        test functions along HSN-C yet, ``saddle_quantity`` is NaN there).
    start : cycle point or BT point
        * a long-period periodic orbit: ``CycleBranch.point(i)``, a cycle
          special point, or an ``Orbit`` (T = period / 2);
        * a Bogdanov-Takens point: a SpecialPoint labelled "BT" or a dict
          ``{"state": {...}, "params": {...}, "bt": True}``; the start is the
          first-order asymptotic orbit (:func:`starts.from_bt`).
    free : [str, str]
        The two free parameters; "T" (unless the model has a parameter of that
        name) frees the half-return time instead of a second parameter (cycle
        starts; e.g. ``["D", "T"]`` follows the orbit as T grows at fixed
        other parameters).
    **options
        ``ntst`` (60), ``ncol`` (4), ``ds`` (0.01), ``ds_min`` (1e-6), ``ds_max``
        (0.1), ``max_points`` (100), ``tol`` (1e-9, Newton on the scaled step),
        ``max_iter`` (10), ``direction`` ("forward", "backward", "both"),
        ``bounds`` {name: (lo, hi)} (stop outside), ``bt_amplitude`` (size of
        the first loop from a BT point, state units, default 0.05), ``T``
        (half-return time for the BT start), ``max_gap`` (cycle start, see
        :data:`starts.MAX_GAP`), ``max_end_gap`` (0.05: stop when an end of the
        truncated orbit is farther than this fraction of the orbit's size from the
        saddle: T has become too short for the orbit, e.g. approaching a BT point
        with T fixed; free T or raise it), ``adapt_every`` (5: redistribute the mesh
        every so many points, as the cycles' LC-C; 0: never).

    Returns
    -------
    HomoclinicBranch
        ``status`` {direction: "bound" | "max_points" | "NCH" | "step_underflow" |
        "truncation"}; ``data["end_gap"]`` per point (see ``max_end_gap``).

    Raises
    ------
    InputError
        Bad options, or a start that is not near a homoclinic orbit / not a BT point.
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise InputError(f"unknown option(s) for {curve}: {sorted(unknown)}")
    if curve not in ("HC-C", "HSN-C"):
        raise InputError(f"continue_homoclinic handles 'HC-C' and 'HSN-C', got {curve!r}")
    free = [free] if isinstance(free, str) else list(free)
    if len(free) != 2 or len(set(free)) != 2:
        raise InputError(f"HC-C takes two different free parameters; got {free}")
    if options.get("log_params"):
        raise InputError("log_params is not supported by HC-C")
    from .bvp import TIME
    free_idx = np.array([TIME if k == "T" and "T" not in model.param_names
                         else model.param_index(k) for k in free])
    bounds = dict(options.get("bounds") or {})
    for k in bounds:
        if k not in free:
            raise InputError(f"bounds name {k!r} is not a free parameter {free}")
    opt = dict(ds=0.01, ds_min=1e-6, ds_max=0.1, max_points=100, tol=1e-9, max_iter=10,
               direction="forward", max_end_gap=0.05, adapt_every=5)
    opt.update({k: v for k, v in options.items() if k in opt})
    if opt["direction"] not in ("forward", "backward", "both"):
        raise InputError(f"direction must be 'forward', 'backward' or 'both', "
                         f"got {opt['direction']!r}")
    bvp, y0, fix = _start(model, curve, start, free_idx, options)
    ref = (bvp.unpack(y0)[0].copy(), None)
    ref = (ref[0], _bases(bvp, y0, None))
    y, ok, it = _newton(bvp, y0, ref, fix, fix @ y0, opt)
    if not ok:
        raise ConvergenceError("HC-C: the first correction of the start did not converge; "
                               "for a cycle start take a cycle of longer period, for a BT start "
                               "a smaller bt_amplitude or a finer mesh (ntst)")
    ref = (bvp.unpack(y)[0].copy(), _bases(bvp, y, ref[1]))
    tan = _tangent(bvp, y, ref, fix)
    runs = {"forward": [1], "backward": [-1], "both": [-1, 1]}[opt["direction"]]
    pieces, status, specials = {}, {}, {}
    mesh0 = bvp.mesh.copy()
    for sgn in runs:
        name = "forward" if sgn > 0 else "backward"
        bvp.mesh = mesh0.copy()                        # each direction from the start's mesh
        pts, sp, st = _run(bvp, y, sgn * tan, ref, opt, bounds, free, model)
        pieces[sgn], specials[sgn], status[name] = pts, sp, st
    if len(runs) == 2:
        back = pieces[-1][::-1]
        nb = len(back)
        points = back + pieces[1][1:]
        special = [_reindex(s, nb - 2 - s.index) for s in specials[-1]] + \
                  [_reindex(s, s.index + nb - 1) for s in specials[1]]
    else:
        points, special = pieces[runs[0]], specials[runs[0]]
    stop = "; ".join(f"{k}: {v}" for k, v in status.items())
    return HomoclinicBranch(model, curve, free, points, special,
                            {k: v for k, v in options.items()}, stop, status)


def _reindex(s, index):
    s.index = index
    return s


def _start(model, curve, start, free_idx, options):
    kw = {k: options[k] for k in ("ntst", "ncol") if k in options}
    label = getattr(start, "label", None)
    if curve == "HSN-C":
        from ...prc import orbit_of
        return starts.from_cycle_saddle_node(model, orbit_of(start), free_idx,
                                             max_gap=options.get("max_gap", starts.MAX_GAP), **kw)
    is_bt = label == "BT" or (isinstance(start, dict) and start.get("bt"))
    if is_bt:
        state = start.state if hasattr(start, "state") else start["state"]
        params = start.params if hasattr(start, "params") else start["params"]
        x = model.pack(state)
        p = model.param_array(**params)
        return starts.from_bt(model, x, p, free_idx, amplitude=options.get("bt_amplitude", 0.05),
                              T=options.get("T"), **kw)
    if label is not None and getattr(start, "data", {}).get("orbit") is None:
        raise InputError(f"HC-C starts from a long-period cycle or a BT point, not from a "
                         f"{label!r} point")
    from ...prc import orbit_of
    orbit = orbit_of(start)
    return starts.from_cycle(model, orbit, free_idx,
                             max_gap=options.get("max_gap", starts.MAX_GAP), **kw)


def _bases(bvp, y, ref):
    U, x0, alpha = bvp.unpack(y)
    J = bvp.model.compiled.jac(0.0, x0, bvp.params(alpha))
    return saddle.left_bases(J, bvp.n_unstable, ref, n_stable=bvp.n_stable)


def _newton(bvp, y, ref, row, value, opt):
    """Newton on the BVP plus the row ``row . y = value``; steps measured in the
    arclength weights."""
    w = bvp.weights()
    y = y.copy()
    for it in range(1, opt["max_iter"] + 1):
        try:
            r = np.concatenate([bvp.residual(y, ref), [row @ y - value]])
            J = sps.vstack([bvp.jacobian(y, ref), sps.csr_matrix(row[None, :])]).tocsc()
            dy = spla.splu(J).solve(-r)
        except (ValueError, RuntimeError) as exc:      # singular matrix, bad split
            log.debug("HC-C Newton failed: %s", exc)
            return y, False, it
        if not np.all(np.isfinite(dy)):
            return y, False, it
        y += dy
        if np.sqrt(np.sum(w * dy * dy)) < opt["tol"]:
            return y, True, it
    return y, False, opt["max_iter"]


def _tangent(bvp, y, ref, prev):
    w = bvp.weights()
    J = sps.vstack([bvp.jacobian(y, ref), sps.csr_matrix(prev[None, :])]).tocsc()
    rhs = np.zeros(bvp.size)
    rhs[-1] = 1.0
    t = spla.splu(J).solve(rhs)
    t /= np.sqrt(np.sum(w * t * t))
    return t if np.sum(w * t * prev) >= 0 or not np.any(prev) else -t


def _point(bvp, y):
    U, x0, alpha = bvp.unpack(y)
    p = bvp.params(alpha)
    J = bvp.model.compiled.jac(0.0, x0, p)
    ev = saddle.eigenvalues(J)[::-1]                   # decreasing real part, as EP-C
    amplitude = float(np.max(U.max(axis=0) - U.min(axis=0)))
    gap = max(np.linalg.norm(U[0] - x0), np.linalg.norm(U[-1] - x0)) / max(amplitude, 1e-300)
    q = {"y": y.copy(), "U": U.copy(), "x0": x0.copy(), "p": p, "T": bvp.half_time(alpha),
         "end_gap": float(gap),
         "mesh": bvp.mesh.copy(), "eigenvalues": ev, "sigma": np.nan, "det": np.nan,
         "kinds": None}
    if bvp.border is None:                             # a saddle (HC-C): test functions
        q.update(sigma=saddle.saddle_quantity(J, bvp.n_unstable), det=float(np.linalg.det(J)),
                 kinds=saddle.leading_kinds(J, bvp.n_unstable))
    return q


def _run(bvp, y, tan, ref, opt, bounds, free, model):
    """One direction: returns (points, special points, status)."""
    w = bvp.weights()
    ds = opt["ds"]
    pts = [_point(bvp, y)]
    special = []
    status = "max_points"
    while len(pts) < opt["max_points"]:
        y_pred = y + ds * tan
        row = w * tan
        y_new, ok, it = _newton(bvp, y_pred, ref, row, row @ y_pred, opt)
        if not ok:
            ds *= 0.5
            if abs(ds) < opt["ds_min"]:
                status = "step_underflow"
                break
            continue
        new_ref = (bvp.unpack(y_new)[0].copy(), _bases(bvp, y_new, ref[1]))
        tan_new = _tangent(bvp, y_new, new_ref, tan)
        q = _point(bvp, y_new)
        if q["end_gap"] > opt["max_end_gap"]:
            status = "truncation"
            log.info("HC-C: orbit ends %.3g of its size from the saddle: T too short", q["end_gap"])
            break
        label = _crossing(pts[-1], q)
        if label:
            sp = _locate(bvp, pts[-1], q, ref, opt, label, len(pts) - 1, free, model)
            special.append(sp)
            if label == "NCH":
                status = "NCH"
                pts.append(q)
                break
        pts.append(q)
        y, tan, ref = y_new, tan_new, new_ref
        alpha = bvp.unpack(y)[2]
        out = [k for k, a in zip(free, alpha) if k in bounds
               and not bounds[k][0] <= a <= bounds[k][1]]
        if out:
            status = "bound"
            break
        if it <= 3:
            ds = min(1.3 * ds, opt["ds_max"])
        if opt["adapt_every"] and (len(pts) - 1) % opt["adapt_every"] == 0:
            y_old = y
            y, tan, ref = _adapt(bvp, y, tan, ref, opt)
            if y is not y_old:     # the point itself, re-solved on the new mesh (the chord
                pts[-1] = _point(bvp, y)   # of a later location needs both ends on one mesh)
    return pts, special, status


def _adapt(bvp, y, tan, ref, opt):
    """Redistribute the mesh (the cycles' monitor, :func:`mesh.adapt`), interpolate the
    point and its tangent onto it and correct there; the old mesh is kept if that fails."""
    U, x0, alpha = bvp.unpack(y)
    tU, tx, ta = bvp.unpack(tan)
    old = bvp.mesh
    U2, mesh2 = adapt_mesh(U, old, bvp.scheme)
    bvp.mesh = mesh2
    t2 = bvp.pack(interpolate(tU, old, bvp.scheme, node_times(mesh2, bvp.scheme)), tx, ta)
    y2 = bvp.pack(U2, x0, alpha)
    row = bvp.weights() * t2
    y3, ok, _ = _newton(bvp, y2, (U2, ref[1]), row, row @ y2, opt)
    if not ok:
        bvp.mesh = old
        log.debug("HC-C: mesh adaptation rejected (Newton failed on the new mesh)")
        return y, tan, ref
    ref3 = (bvp.unpack(y3)[0].copy(), _bases(bvp, y3, ref[1]))
    return y3, _tangent(bvp, y3, ref3, t2), ref3


def _crossing(a, b):
    if a["kinds"] is None:                             # HSN-C: no test functions yet
        return None
    if np.sign(a["det"]) != np.sign(b["det"]):
        return "NCH"
    if np.sign(a["sigma"]) != np.sign(b["sigma"]):
        kinds = b["kinds"]
        return {("real", "real"): "NSS", ("complex", "complex"): "NFF"}.get(kinds, "NSF")
    return None


def _locate(bvp, a, b, ref, opt, label, index, free, model):
    """Zero of the test function on the chord a -> b (Illinois), each trial value
    corrected onto the curve in the hyperplane orthogonal to the chord."""
    w = bvp.weights()
    chord = b["y"] - a["y"]
    row = w * chord
    key = "det" if label == "NCH" else "sigma"

    def test(s):
        y_s = a["y"] + s * chord
        y_c, ok, _ = _newton(bvp, y_s, ref, row, row @ y_s, opt)
        if not ok:
            raise ConvergenceError("location failed")
        q = _point(bvp, y_c)
        return q[key], q

    s0, s1 = 0.0, 1.0
    g0, g1 = a[key], b[key]
    best = b
    converged = False
    try:
        side = 0
        for _ in range(40):
            s = s1 - g1 * (s1 - s0) / (g1 - g0)
            g, best = test(s)
            if abs(g) < 1e-10 * max(1.0, abs(a[key]) + abs(b[key])) or abs(s1 - s0) < 1e-12:
                converged = True
                break
            if np.sign(g) == np.sign(g1):
                s1, g1 = s, g
                if side == 1:
                    g0 *= 0.5
                side = 1
            else:
                s0, g0 = s1, g1
                s1, g1 = s, g
                side = -1
    except ConvergenceError:
        converged = False
    U, x0, alpha = bvp.unpack(best["y"])
    state = dict(zip(model.state_names, x0))
    params = dict(zip(model.param_names, best["p"]))
    data = {"free": dict(zip(free, alpha)), "saddle_quantity": best["sigma"],
            "eigenvalues": best["eigenvalues"], "T": best["T"],
            "orbit": {"U": U.copy(), "mesh": bvp.mesh.copy(), "T": best["T"]}}
    log.info("HC-C: %s at %s (converged %s)", label, data["free"], converged)
    return SpecialPoint(label, index, state, params, data, converged)
