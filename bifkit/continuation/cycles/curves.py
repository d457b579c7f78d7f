"""Two-parameter curves of cycle bifurcations: "PD-C", "LPC-C", "NS-C".

``continue_cycle_curve(model, curve, start, free, bounds=..., log_params=..., **options)``
continues the extended boundary-value system of :mod:`cycle_systems` (the
periodic orbit plus the critical Floquet eigenfunction) in two free
parameters by pseudo-arclength, starting from

* a located special point of an LC-C branch with the matching label
  (``branch.special_points("PD")[0]`` for PD-C, "LPC" for LPC-C, "NS" for NS-C),
* for LPC-C also a Bautin (generalised Hopf, label "GH") point of a Hopf curve
  (:func:`cycle_gh.lpc_from_bautin` finds the LPC of a small cycle next to it).

Every point carries its orbit, period and Floquet multipliers (a CycleBranch
with curve = PD-C / LPC-C / NS-C).  A curve that returns to its start with the
same direction (the period-doubling curve of the E-I model is a closed loop in
(I_e, D_ee)) stops there with ``stop_reason`` "closed loop" and the start point
repeated as its last point.
"""
from __future__ import annotations

import math
import numpy as np

from . import collocation as co
from .. import events as ev_mod
from ..progress import Progress
from . import mesh as mesh_mod
from .lc import LocatesInRun
from .systems import KINDS, ExtendedSystem, Point, node_weights


def continue_cycle_curve(model, curve, start, free, opts, **gh_opts):
    """Continue a PD-C, LPC-C or NS-C curve in the two parameters ``free``.

    Parameters
    ----------
    model : Model
    curve : "PD-C" | "LPC-C" | "NS-C"
    start : SpecialPoint of an LC-C branch with label PD / LPC / NS (matching
        ``curve``), or for LPC-C a Bautin point (label "GH", with ``state``,
        ``params`` and ``data["omega"]``) of a Hopf curve.
    free : two parameter names
    opts : ContinuationOptions
        ``mesh.ntst``/``mesh.ncol`` default to the start orbit's mesh;
        ``direction``: "forward" leaves the start with the second free
        parameter increasing, "backward" decreasing, "both" runs both ways
        (skipped if the first closes; the default from a GH start).
    **gh_opts : for a GH start ``gh_offset`` (relative distance along the Hopf
        curve, default 0.02) and ``gh_ds``.

    Returns
    -------
    CycleBranch (curve = ``curve``; data also "sigma" for LPC-C, "kappa" for NS-C)
    """
    if curve not in KINDS:
        raise ValueError(f"unknown cycle curve {curve!r}; one of {', '.join(KINDS)}")
    free = list(free)
    if len(free) != 2 or free[0] == free[1]:
        raise ValueError(f"{curve} takes two different free parameters; got {free}")
    label = KINDS[curve][0]
    start_label = getattr(start, "label", None)
    log_params, bounds = opts.log_params, opts.bounds
    if curve == "LPC-C" and start_label == "GH":
        from .gh import lpc_from_bautin
        start = lpc_from_bautin(model, start, free, log_params=log_params, **gh_opts)
        start_label = "LPC"
    elif gh_opts:
        raise ValueError(f"gh_offset/gh_ds apply only to LPC-C from a GH point")
    if start_label != label or "orbit" not in getattr(start, "data", {}):
        raise ValueError(f"{curve} starts from a {label} point of an LC-C branch"
                         f"{' or a GH point' if curve == 'LPC-C' else ''} "
                         f"(branch.special_points({label!r})[k]); got {start!r}")
    from .orbit import Orbit
    orbit = Orbit.from_dict(start.data["orbit"])   # an Orbit, or its arrays read back from a file
    ifree = [model.param_index(k) for k in free]
    logs = [k in log_params for k in free]
    lims = []
    for k, lg in zip(free, logs):
        lo, hi = bounds.get(k, (-math.inf, math.inf))
        if not lo < hi:
            raise ValueError(f"bounds of {k} must satisfy low < high; got {(lo, hi)}")
        lims.append((lo, hi))
    for k, lg, i in zip(free, logs, ifree):
        if lg and orbit.p[i] <= 0:
            raise ValueError(f"log continuation needs {k} > 0; got {orbit.p[i]}")
    ntst = opts.mesh.ntst or orbit.ntst
    sch = co.Scheme(opts.mesh.ncol or orbit.scheme.ncol)
    system = ExtendedSystem(model, curve, ifree, logs, sch, orbit.p)
    system.tol, system.max_iter = opts.tol, opts.max_iter
    system.T_scale = orbit.T
    # the parameter held fixed while the start is corrected: the one the LC-C branch did not vary
    lc_free = list(start.data.get("free", {}))
    fixed = 1 if (not lc_free or lc_free[0] == free[0]) else 0
    from .starts import start_from_orbit
    pt0, info = start_from_orbit(system, orbit, label, ntst, system.nz - 2 + fixed)
    t0U, t0z = _first_tangent(system, pt0)
    from .. import driver
    kind = CycleBifurcationCurve(model, curve, free, system, pt0, t0U, t0z, lims, info)
    return driver.continue_curve(kind, opts)


class CycleBifurcationCurve(LocatesInRun):
    """The PD-C / LPC-C / NS-C curve type of :func:`..driver.continue_curve` (see its
    interface).

    The start (the corrected extended point ``pt0`` and its tangent ``t0U``, ``t0z``
    with d theta_2 > 0) is prepared by :func:`continue_cycle_curve`; each direction is
    one :func:`_run`, which locates the codimension-2 points, resonances and user
    events at every step itself (``events_in_loop``).  "both" runs forward first
    (a closed curve is then traced with theta_2 increasing and the backward run is
    skipped); the driver joins the backward run reversed, then the forward one.
    """

    events_in_loop = True
    ROWS = "points"          # the run's extended points (LocatesInRun.rows)

    def __init__(self, model, curve, free, system, pt0, t0U, t0z, lims, info):
        self.model, self.curve, self.free, self.system = model, curve, free, system
        self.pt0, self.t0U, self.t0z, self.lims, self.info = pt0, t0U, t0z, lims, info
        self.title = f"{curve} {free}"

    def signs(self, opts) -> list:
        """Forward first: [1], [-1] or [1, -1] ("both"); ds < 0 flips a single direction."""
        dirs = {"forward": [1], "backward": [-1], "both": [1, -1]}[opts.direction]
        return [-dirs[0]] if (opts.ds < 0 and len(dirs) == 1) else dirs

    def run_direction(self, sign, opts):
        """One :func:`_run` from the start with the tangent of sign ``sign``."""
        from ..driver import Run
        d = float(sign)
        self.pt0.tU, self.pt0.tz = d * self.t0U, d * self.t0z
        uz = []
        bar = Progress(opts.progress, opts.max_points, self.title)
        try:
            pts, code, reason = _run(self.system, self.pt0, opts, self.lims, uz, bar)
        finally:
            bar.close()
        m = len(pts)
        return Run(sign=sign, m=m, status=code, message=reason, tests=np.zeros((m, 0)),
                   ds=np.zeros(m), arrays={"points": pts}, special=[sp for _, sp in uz])

    def branch(self, rows, special, status, message, opts):
        """The joined runs as a CycleBranch (:func:`_branch`)."""
        return _branch(self.model, self.curve, self.free, self.system, list(rows["points"]),
                       opts, message, status, {"start": self.info}, special)


def _first_tangent(system, pt):
    """Tangent at the start with d theta_2 > 0 (falls back to theta_1 if that is degenerate)."""
    for i in (system.nz - 1, system.nz - 2):
        tz = np.zeros(system.nz)
        tz[i] = 1.0
        tU, tz_new = system.tangent(pt, np.zeros_like(pt.U), tz)
        if np.all(np.isfinite(tz_new)) and abs(tz_new[i]) > 1e-8:
            sgn = 1.0 if tz_new[i] > 0 else -1.0
            return sgn * tU, sgn * tz_new
    raise ValueError(f"{system.curve} start: the curve has no well-defined tangent here "
                     f"(singular extended system)")


def _position(system, pt):
    """(theta_1, theta_2, ln T): where a point sits, for the loop-closing test."""
    return np.array([pt.z[-2], pt.z[-1], math.log(pt.T)])


#: the curvature term of the corrector's start is used while ds |curvature| / 2 stays below
#: this (as lc_run.CURVATURE_LIMIT)
CURVATURE_LIMIT = 0.25


def _curvature(system, pt, new, length):
    """Set new.kU, new.kz (dt/ds) and new.t_behind from the change of the unit tangent
    between pt and new (new's tangent: the secant of the step, of length ``length``, which
    is the curve's tangent at the step's midpoint)."""
    new.t_behind = 0.5 * length
    if pt.tU is None or pt.tU.shape != new.tU.shape:
        return
    gap = length - new.t_behind + pt.t_behind   # arclength between the two tangents' places
    if gap > 0.0:
        new.kU, new.kz = (new.tU - pt.tU) / gap, (new.tz - pt.tz) / gap


def _second_order_guess(system, pt, ds):
    """Start of the corrector for the step ds from pt: the curve extrapolated to second order
    (tangent at pt from its secant and curvature, plus ds^2 / 2 times the curvature), or None
    (tangent predictor) where no curvature is known or it is large.  The hyperplane of the
    corrector stays the one through pt + ds t orthogonal to t, so the point found is the
    same; from the O(ds^3) start the chord Newton needs ~2 iterations fewer.

    Not on NS-C: its system is singular at the 1:1 resonance (kappa = 0, where v_r and v_i
    solve the same problem) and from a good start Newton crosses onto the degenerate
    kappa = 0 solutions beyond it instead of failing there (the failure is how the
    curve's end at R1 is found, :func:`_resonance_end_by_failure`)."""
    if pt.kU is None or system.label == "NS":
        return None
    k = system.norm(pt.mesh, pt.kU, pt.kz)
    if not (k == k and 0.5 * ds * k < CURVATURE_LIMIT):
        return None
    c = ds * pt.t_behind + 0.5 * ds * ds
    return pt.U + ds * pt.tU + c * pt.kU, pt.z + ds * pt.tz + c * pt.kz


def _run(system, pt0, opts, lims, uz, bar):
    """One direction from pt0 (with its tangent); returns (points, status, reason).

    Located user events are appended to ``uz`` as (index, CycleSpecialPoint).  Where the
    Floquet multipliers become unreliable (:func:`periodic_schur.cycle_status`) the curve
    goes on (its orbits are converged) but takes no codimension-2 point from such steps;
    the direction's status then names it unless the run ended at a bound, a stop_at event,
    an end point or a closed loop (issue 15).
    """
    flags = {"unreliable": None}
    pts, status, reason = _run_points(system, pt0, opts, lims, uz, bar, flags)
    if flags["unreliable"] is not None:
        why, index, T, err = flags["unreliable"]
        if status not in ("bound", "completed", "reached_end_point", "closed_loop",
                          "resonance_1_1", "resonance_1_2"):
            status = why
        reason = (f"{reason}; {why.replace('_', ' ')} from point {index} on (period {T:.6g}, "
                  f"trivial multiplier error {err:.2g}): no codimension-2 point taken where "
                  f"they are unreliable")
    return pts, status, reason


def _run_points(system, pt0, opts, lims, uz, bar, flags):
    """The loop of :func:`_run`."""
    pts = [pt0]
    prev_bad = False
    pt = pt0
    amps = [_amplitude(pt0, system.n)]
    ds = opts.step
    y0 = _position(system, pt0)
    ty0 = np.array([pt0.tz[-2], pt0.tz[-1], pt0.tz[0] / pt0.T])
    ty0 /= np.linalg.norm(ty0)
    d_max = 0.0
    g_prev_loop = 0.0
    nsteps = 0
    end_halvings = 0
    events = ev_mod.all_events(opts)
    if events:
        g_prev = ev_mod.values_at(events, _event_point(system, pt0, None))
    while len(pts) < opts.max_points:
        new = system.correct(pt, pt.U + ds * pt.tU, pt.z + ds * pt.tz, pt.tU, pt.tz,
                             guess=_second_order_guess(system, pt, ds))
        if new is None:
            ds *= 0.5
            if ds < opts.ds_min:
                end = _resonance_end_by_failure(system, pts)
                if end is not None:
                    return _end_at_resonance(system, pts, uz, *end)
                amp = [_amplitude(q, system.n) for q in pts]
                if amp[-1] < 0.05 * max(amp):
                    return pts, "reached_end_point", (
                        f"corrector failed after point {len(pts) - 1} where the cycle "
                        f"amplitude tends to 0 (a Bautin point or a Hopf curve)")
                return pts, "step_underflow", (
                    f"corrector failed at the minimum step ds_min={opts.ds_min} after "
                    f"point {len(pts) - 1}; try a smaller ds_min or larger ntst")
            continue
        if _through_zero_amplitude(system, pt, new):
            # the step went through a cycle of amplitude 0 (consecutive orbits anti-correlated,
            # as on LC-C, lc_newton.step's crossed test): the curve ends between pt and new;
            # shorter steps first come closer to that end (END_HALVINGS in all)
            if end_halvings < END_HALVINGS:
                end_halvings += 1
                ds *= 0.5
                continue
            return pts, "reached_end_point", (
                f"the step after point {len(pts) - 1} (amplitude {amps[-1]:.3g}) went through "
                f"a cycle of amplitude 0: the curve ends there (a Bautin point or a Hopf curve)")
        new.tU, new.tz, length = system.secant(pt, new, with_length=True)
        _curvature(system, pt, new, length)
        if system.curve == "PD-C" and _wanted(opts, "GPD"):
            _nf_coefficient(system, new)   # first: its factorisation gives the multipliers too
        why = _multiplier_status(system, pts, new)
        if why is not None and flags["unreliable"] is None:
            flags["unreliable"] = (why, len(pts), new.T, new.trivial_error)
        trusted = why is None and not prev_bad
        prev_bad = why is not None
        amps.append(_amplitude(new, system.n))
        if len(amps) >= 3 and amps[-3] > amps[-2] < amps[-1] and \
                amps[-2] < END_AMPLITUDE * max(amps):
            # the amplitude went through ~0 at pt: the curve ends there (a Bautin point, or a
            # Hopf curve); beyond it the system traces the same cycles again, half a period
            # shifted (found on LPC-C from a GH point)
            return pts, "reached_end_point", (
                f"the cycle amplitude has a minimum ~0 ({amps[-2]:.3g}) at point "
                f"{len(pts) - 1}: the curve ends there (a Bautin point or a Hopf curve)")
        # parameter bounds: land exactly on the bound
        p_new = system.p_of(new.z)
        for i, (lo, hi) in enumerate(lims):
            val = p_new[system.ifree[i]]
            if not lo <= val <= hi:
                bound = lo if val < lo else hi
                th = math.log10(bound) if system.logs[i] else bound
                k = system.nz - 2 + i
                # linear predictor onto the bound, then Newton with theta_i fixed
                sb = (th - pt.z[k]) / new.tz[k] if new.tz[k] != 0 else 0.0
                sb = sb if 0.0 < sb <= 2.0 * ds else ds
                fin = system.correct(pt, pt.U + sb * pt.tU, pt.z + sb * pt.tz, pt.tU, pt.tz,
                                     fix=(k, th))
                if fin is None and new.z[k] != pt.z[k]:
                    # second try from the chord between the last two points (the step's end
                    # lies beyond the bound, so the bound is between them)
                    a = (th - pt.z[k]) / (new.z[k] - pt.z[k])
                    fin = system.correct(pt, pt.U + a * (new.U - pt.U), pt.z + a * (new.z - pt.z),
                                         pt.tU, pt.tz, fix=(k, th))
                name = system.model.param_names[system.ifree[i]]
                if fin is None:
                    last = system.p_of(pt.z)[system.ifree[i]]
                    return pts, "bound", (
                        f"bound {name} = {bound:g} crossed, but the point on it did not converge "
                        f"(Newton with {name} fixed failed): the last point is at {name} = "
                        f"{last:.10g}")
                fin.tU, fin.tz = pt.tU, pt.tz
                # codimension-2 points on the last step, up to the bound
                uz.extend(_last_step_specials(system, pt, fin, sb, trusted, len(pts) - 1, opts))
                pts.append(fin)
                return pts, "bound", f"bound {name} = {bound:g} reached"
        if events:
            g_new = ev_mod.values_at(events, _event_point(system, new, pt))
            found, stop = ev_mod.step_events(
                events, opts.stop_at, g_prev, g_new,
                lambda e, ga, gb: _locate_event(system, pt, ds, e, ga, gb, new))
            for event, (x, h), converged, ga in found:
                uz.append(_event_special(system, x, pt, event, ga, converged, len(pts) - 1))
            if stop is not None:   # end the run at the stop event's point
                pts.append(stop[1][0])
                return pts, "completed", f"stop_at event reached after point {len(pts) - 2}"
            g_prev = g_new
        step_labels = []
        if system.curve == "NS-C":      # kappa itself, not the multipliers: always
            for label, (x, _), converged in _resonances(system, pt, new, ds):
                step_labels.append(label)
                if label in ENDING and _turns_back(system, pt, x, new):
                    # the generic 1:1 / 1:2 resonance: the NS curve ends there (on an LPC /
                    # PD curve); beyond it the same NS points come back with -kappa
                    target = _nearest_target(float(x.z[1]), label)
                    x_end, ok = _extrapolate_resonance(system, pts[-2:] + [x] if
                                                       _same_side(pts[-2:], x, target)
                                                       else pts[-3:], target)
                    return _end_at_resonance(system, pts, uz, label, x_end, ok)
                if _wanted(opts, label):
                    uz.append(_resonance_special(system, x, label, converged, len(pts) - 1))
        crossings = _codim2_crossings(system, pt, new, ds, opts) if trusted else ()
        for label, (x, _), converged in crossings:
            if _wanted(opts, label):
                uz.append(_resonance_special(system, x, label, converged, len(pts) - 1))
        step_labels += [r[0] for r in crossings]
        # the normal-form coefficient has a pole where one of its problems turns singular (c
        # at LPPD, b at R1, d at R1-R3): a sign change on a step with that point is the pole
        nf = NORMAL_FORM_ZEROS.get(system.curve)
        if (nf is not None and trusted and _wanted(opts, nf[0])
                and not any(lab in nf[2] for lab in step_labels)):
            zero = _nf_crossing(system, pt, new, ds)
            if zero is not None:
                (x, _), converged = zero
                uz.append(_resonance_special(system, x, nf[0], converged, len(pts) - 1))
                uz[-1][1].data[nf[1]] = x.nf
        pts.append(new)
        bar.update()
        if new.T > opts.T_max:
            return pts, "period_limit", f"period {new.T:g} above T_max"
        # loop closing: crossing the hyperplane through the start, orthogonal to its direction
        y = _position(system, new)
        d_max = max(d_max, float(np.linalg.norm(y - y0)))
        g = float(np.dot(y - y0, ty0))
        if opts.close_loop and nsteps > 2 and g_prev_loop < 0.0 <= g:
            yp = _position(system, pt)
            seg = y - yp
            s = np.clip(np.dot(y0 - yp, seg) / max(np.dot(seg, seg), 1e-300), 0.0, 1.0)
            dist = float(np.linalg.norm(yp + s * seg - y0))
            if dist < 0.25 * float(np.linalg.norm(seg)) + 1e-9 * (1 + np.linalg.norm(y0)):
                end = Point(pt0.U, pt0.z, pt0.mesh)
                end.mu, end.trivial_error = pt0.mu, pt0.trivial_error
                end.tU, end.tz = pt0.tU, pt0.tz
                pts.append(end)
                return pts, "closed_loop", f"closed loop after {len(pts) - 1} steps"
        g_prev_loop = g
        if pt is not pt0:
            _strip(pt)   # a stored point keeps its orbit, not the step's work arrays
        pt = new
        nsteps += 1
        if opts.mesh.adapt_every and nsteps % opts.mesh.adapt_every == 0:
            pt = _adapt(system, pt)
            _strip(new)
        # chord Newton: ~4 iterations from a good predictor to tol = 1e-9
        if new.iterations_to_tol <= opts.max_iter // 2:
            ds = min(1.5 * ds, opts.ds_max)
        elif new.iterations_to_tol >= opts.max_iter - 1:
            ds = max(0.6 * ds, opts.ds_min)
    return pts, "max_points", f"max_points = {opts.max_points} reached"


def _wanted(opts, label) -> bool:
    """Whether ``label`` is to be reported (``detect=None``: every label the curve knows)."""
    return opts.detect is None or label in opts.detect


def _last_step_specials(system, pt, fin, h, trusted, index, opts):
    """[(index, special)] of the strong resonances (NS-C), the multiplier codimension-2 points
    and the normal-form zeros on the step pt -> fin that lands on a parameter bound (h: the
    predictor length of that step)."""
    out = []
    found = list(_resonances(system, pt, fin, h)) if system.curve == "NS-C" else []
    crossings = _codim2_crossings(system, pt, fin, h, opts) if trusted else []
    for label, (x, _), converged in sorted(found + crossings, key=lambda r: r[1][1]):
        if _wanted(opts, label):
            out.append(_resonance_special(system, x, label, converged, index))
    nf = NORMAL_FORM_ZEROS.get(system.curve)
    if (nf is not None and trusted and _wanted(opts, nf[0])
            and not any(r[0] in nf[2] for r in found + crossings)):
        zero = _nf_crossing(system, pt, fin, h)
        if zero is not None:
            (x, _), converged = zero
            out.append(_resonance_special(system, x, nf[0], converged, index))
            out[-1][1].data[nf[1]] = x.nf
    return out


def _multiplier_status(system, pts, new):
    """None, "approaching_homoclinic" or "multipliers_unreliable" at ``new`` (issue 15;
    :func:`bifkit.continuation.periodic_schur.cycle_status`)."""
    pm = getattr(new, "pm", None)
    if pm is None or pm.log_form is None:
        return None   # QZ's multipliers were trusted (floquet.PointMultipliers.status)
    from ..periodic_schur import speed_ratio
    u = np.ascontiguousarray(new.U[:, :system.n])
    return pm.status([q.T for q in pts[-5:]] + [new.T],
                     lambda: speed_ratio(system.model.compiled.f, u, system.p_of(new.z)))


def _event_point(system, pt, prev):
    """The EventPoint of a curve point (state = the orbit at t = 0; "period" a value too).

    Rates along the curve come from the exact tangent at pt (oriented like the
    step from ``prev``, or like pt's own tangent at the start), computed only
    when an event asks for one.
    """
    model, n = system.model, system.n
    p = system.p_of(pt.z)

    def rates():
        ref = prev if prev is not None else pt
        tU, tz = system.exact_tangent(pt, ref.tU, ref.tz)
        out = {"period": tz[0]}
        for i, (k, lg) in enumerate(zip(system.ifree, system.logs)):
            out[model.param_names[k]] = tz[system.nz - 2 + i] * (p[k] * math.log(10.0)
                                                                  if lg else 1.0)
        return out
    return ev_mod.EventPoint(dict(zip(model.param_names, p)),
                             dict(zip(model.state_names, pt.U[0, :n])), {"period": pt.T}, rates)


#: a location trial reuses the chord factorisation of an earlier trial (or of the step's end)
#: only within this fraction of the step from it (farther, the chord may contract too slowly)
REUSE_NEAR = 0.25


def _locate_on_step(system, pt, ds, ga, gb, value, end=None):
    """((Point, h), converged): the zero of ``value(point)`` on the step of length ds from pt,
    by regula falsi with the corrector at each trial (``value`` returns None where it is not
    defined; ga, gb: its values at the step's ends).

    Each trial's corrector starts from the straight line between the two nearest corrected
    points around it (pt, the step's end ``end`` when given, earlier trials) and with the
    chord Jacobian of the nearest earlier trial within :data:`REUSE_NEAR` steps (same
    hyperplanes' border rows): as the bracket shrinks the trials need one or two iterations
    and no factorisation; a trial that fails so is repeated cold.  The equations, hence the
    point found, are those of a corrector from the tangent predictor.  The location ends
    (converged) at a trial whose value has the opposite sign of an earlier trial's within
    :data:`LOCATE_RESOLUTION`.
    """
    done = [(0.0, pt)]
    if end is not None and end.mesh is pt.mesh:
        done.append((float(ds), end))
    signs = [(0.0, float(ga)), (float(ds), float(gb))]   # (h, value) of the ends and trials
    resolution = LOCATE_RESOLUTION * (1.0 + abs(float(ds)))
    warm = system.label != "NS"   # near NS-C's resonances the system is (nearly) singular: a
    # warm start there ends Newton at a step below tol that is not the point to 1e-8 (the
    # 1:1 straddle and the semisimple R2 of tests/test_cycle_codim2.py): tangent predictor

    def g_of(h):
        below = max((d for d in done if d[0] <= h), key=lambda d: d[0], default=None)
        above = min((d for d in done if d[0] > h), key=lambda d: d[0], default=None)
        guess = None
        if warm and below is not None and above is not None:
            (ha, xa), (hb, xb) = below, above
            s = (h - ha) / (hb - ha)
            guess = (xa.U + s * (xb.U - xa.U), xa.z + s * (xb.z - xa.z))
        near = [d for d in done[1:]
                if d[1].jac is not None and abs(d[0] - h) <= REUSE_NEAR * abs(ds)]
        jac = min(near, key=lambda d: abs(d[0] - h))[1].jac if near else None
        U0, z0 = pt.U + h * pt.tU, pt.z + h * pt.tz
        x = system.correct(pt, U0, z0, pt.tU, pt.tz, guess=guess, jac=jac)
        if x is None and (guess is not None or jac is not None):
            x = system.correct(pt, U0, z0, pt.tU, pt.tz)   # cold, as without the shortcuts
        if x is None:
            return None
        x.tU, x.tz = pt.tU, pt.tz
        done.append((float(h), x))
        g = value(x)
        if g is None:
            return None
        if any(abs(hs - h) <= resolution and gs * g < 0 for hs, gs in signs):
            return 0.0, (x, h)   # a sign change within the resolution: located (see above)
        signs.append((float(h), float(g)))
        return g, (x, h)
    return ev_mod.locate_zero(g_of, ds, ga, gb)


#: a location on a step ends at a trial whose value has the opposite sign of an earlier
#: trial's (or an end's) within this fraction of (1 + |ds|) in the step's arclength: the
#: corrector's points (tol 1e-9) are noise at that scale.  On E-I PD-C the trials after
#: that point (5-16 per location) moved h by < 5e-11 and flipped the sign of the test
#: function at random (|g| ~ 1e-11 for LPPD, 1e-15 for GPD) until the bracket reached the
#: locator's own 1e-13
LOCATE_RESOLUTION = 1e-11


def _locate_event(system, pt, ds, event, ga, gb, end=None):
    """The zero of ``event`` on the step of length ds from pt: ((Point, h), converged)."""
    return _locate_on_step(system, pt, ds, ga, gb,
                           lambda x: ev_mod.evaluate(event, _event_point(system, x, pt)), end)


def _event_special(system, x, prev, event, g_before, converged, index):
    """(index, the UZ special point) of a located event (index: the point just before it)."""
    from .lc import CycleSpecialPoint
    from .orbit import Orbit
    model, n = system.model, system.n
    p = system.p_of(x.z)
    orbit = Orbit(np.ascontiguousarray(x.U[:, :n]), x.mesh, x.T, p, system.scheme, x.mu,
                  x.trivial_error)
    free = {model.param_names[k]: float(p[k]) for k in system.ifree}
    data = {"free": free, "period": x.T, "multipliers": np.asarray(x.mu), "orbit": orbit,
            "trivial_error": x.trivial_error, "iterations": x.iterations,
            **ev_mod.event_data(event, _event_point(system, x, prev), g_before)}
    return index, CycleSpecialPoint(ev_mod.LABEL, index, model.unpack(orbit.U[0]),
                                    dict(zip(model.param_names, map(float, p))), data,
                                    bool(converged))


#: strong resonances where a generic NS curve ends (Kuznetsov 2004, sec. 9.5.4 / 10.3.3): at
#: 1:1 the pair e^{+-i kappa} collides at +1 (the NS curve ends on an LPC curve), at 1:2 at -1
#: (it ends on a PD curve); label -> (status, angle)
ENDING = {"R1": ("resonance_1_1", 0.0), "R2": ("resonance_1_2", math.pi)}

#: how close (radians of kappa) to 0 or pi the last point must be for a corrector failure to
#: be read as the singular end at a 1:1 / 1:2 resonance rather than a solver failure
RESONANCE_NEAR = 0.1


def _nearest_target(kappa, label):
    """The angle ENDING[label][1] + 2 pi k nearest to kappa."""
    ang = ENDING[label][1]
    return ang + 2 * math.pi * round((kappa - ang) / (2 * math.pi))


def _params_step(system, a, b):
    return np.asarray(b.z[-2:] - a.z[-2:], float)


def _turns_back(system, pt, x, new):
    """True when the curve's parameters run back after the resonance x (pt -> x -> new):
    at a generic 1:1 / 1:2 resonance the parameters are even in kappa - target, so the NS
    curve retraces its parameter path beyond it; at a semisimple one (decoupled systems)
    it goes on."""
    before, after = _params_step(system, pt, x), _params_step(system, x, new)
    nb_, na_ = np.linalg.norm(before), np.linalg.norm(after)
    if nb_ == 0.0 or na_ == 0.0:
        return nb_ == 0.0 and na_ == 0.0
    return float(np.dot(before, after)) < 0.0


def _same_side(points, x, target):
    """True when x and the points have kappa - target of one sign (x may sit on either side
    of the located resonance)."""
    d = [float(q.z[1]) - target for q in points] + [float(x.z[1]) - target]
    return all(v > 0 for v in d) or all(v < 0 for v in d)


def _resonance_end_by_failure(system, pts):
    """(label, Point, converged) when an NS-C corrector failure at ds_min is the singular end
    at a 1:1 or 1:2 resonance (kappa within RESONANCE_NEAR of 0 or pi and still approaching
    it over the last three points), else None.  The NS system is singular at kappa = 0, pi
    (v_r and v_i then solve the same boundary problem), so Newton fails just before."""
    if system.curve != "NS-C" or len(pts) < 3:
        return None
    k = float(pts[-1].z[1])
    for label in ENDING:
        target = _nearest_target(k, label)
        d = [abs(float(q.z[1]) - target) for q in pts[-3:]]
        if d[-1] < RESONANCE_NEAR and d[0] > d[1] > d[2]:
            x, ok = _extrapolate_resonance(system, pts[-3:], target)
            return label, x, ok
    return None


#: relative agreement of the 2- and 3-point extrapolations for a resonance to count as located
EXTRAPOLATION_TOL = 1e-6


def _extrapolate_resonance(system, points, target):
    """The resonance point from three NS-C points on one side of it: (Point, converged).

    Near a generic 1:1 / 1:2 resonance the orbit, the period and the parameters are smooth
    even functions of delta = kappa - target (kappa -> 2 target - kappa with v -> conj v maps
    NS points to NS points), so each is a polynomial in delta^2: the value at delta = 0 by
    Lagrange interpolation in delta^2 through the three points (error O(delta^6)).  Converged
    when the extrapolation through the last two points agrees with it to EXTRAPOLATION_TOL
    (relative, parameters and period); the eigenfunction copies are the last point's (the
    NS eigenfunction is not defined at the resonance).
    """
    q = list(points)
    mesh = q[-1].mesh
    tn = co.node_times(mesh, system.scheme)
    Us = [p.U if (p.mesh is mesh or np.array_equal(p.mesh, mesh))
          else co.interpolate(p.U, p.mesh, system.scheme, tn) for p in q]
    d2 = np.array([(float(p.z[1]) - target) ** 2 for p in q])
    if len(set(d2)) < len(d2):
        q, d2, Us = q[-1:], d2[-1:], Us[-1:]

    def lagrange(vals, x2):
        out = 0.0
        for i in range(len(x2)):
            w = 1.0
            for j in range(len(x2)):
                if j != i:
                    w *= (0.0 - x2[j]) / (x2[i] - x2[j])
            out = out + w * vals[i]
        return out
    U = lagrange(Us, d2)
    U[:, system.n:] = Us[-1][:, system.n:]
    z = lagrange([p.z for p in q], d2)
    z[1] = target
    converged = False
    if len(q) >= 3:
        z2 = lagrange([p.z for p in q[-2:]], d2[-2:])
        idx = [0, system.nz - 2, system.nz - 1]
        converged = bool(np.all(np.abs(z2[idx] - z[idx]) <= EXTRAPOLATION_TOL
                                * (1.0 + np.abs(z[idx]))))
    x = Point(U, z, mesh)
    x.iterations = 0
    system.attach_multipliers(x)
    x.tU, x.tz = q[-1].tU, q[-1].tz
    return x, converged


def _end_at_resonance(system, pts, uz, label, x, converged):
    """End the run at a located 1:1 / 1:2 resonance: x appended as the last point, special R1/R2
    there, status resonance_1_1 / resonance_1_2."""
    status = ENDING[label][0]
    uz.append(_resonance_special(system, x, label, converged, len(pts) - 1))
    uz[-1][1].data["located"] = "extrapolated in (kappa - target)^2 to kappa = target"
    pts.append(x)
    p = system.p_of(x.z)
    where = ", ".join(f"{system.model.param_names[k]} = {p[k]:.10g}" for k in system.ifree)
    kind = "+1 (it ends on an LPC curve)" if label == "R1" else "-1 (it ends on a PD curve)"
    return pts, status, (f"the NS curve ends at a {'1:1' if label == 'R1' else '1:2'} "
                         f"resonance ({label}) at {where}: the NS multipliers collide at {kind}")


#: strong resonances on NS-C: label -> angles kappa (mod 2 pi) of the multipliers e^{+-i kappa}
#: (Kuznetsov 2004, sec. 9.5.4: 1:1, 1:2, 1:3, 1:4)
RESONANCES = {"R1": (0.0,), "R2": (math.pi,), "R3": (2 * math.pi / 3, -2 * math.pi / 3),
              "R4": (math.pi / 2, -math.pi / 2)}


def _resonances(system, pt, new, ds):
    """Strong resonances crossed on the NS-C step pt -> new: [(label, (Point, h), converged)].

    kappa (the unknown z[1]) is continued without wrapping, so a resonance is a crossing of
    kappa = angle + 2 pi k; located by regula falsi on the step (as user events), each
    one a zero of kappa - target, not the nearest point.
    """
    ka, kb = float(pt.z[1]), float(new.z[1])
    lo, hi = min(ka, kb), max(ka, kb)
    out = []
    for label, angles in RESONANCES.items():
        for ang in angles:
            k0 = math.ceil((lo - ang) / (2 * math.pi))
            for k in range(k0, int(math.floor((hi - ang) / (2 * math.pi))) + 1):
                target = ang + 2 * math.pi * k
                if ka == target or (ka - target) * (kb - target) >= 0:
                    continue

                found, converged = _locate_kappa(system, pt, ds, ka, kb, target, new)
                if found is None or not converged:
                    # at 1:1 (and where Newton fails at the resonance itself) the NS system is
                    # singular: the point is the midpoint of the located kappa = target +- eps,
                    # where it is regular (error O(eps^2) = O(1e-6) along the curve)
                    found, converged = _straddle(system, pt, ds, ka, kb, target, new)
                if found is not None:
                    out.append((label, found, converged))
    return sorted(out, key=lambda r: r[1][1])


#: codimension-2 points of cycles seen in the multipliers other than the curve's own
#: critical ones (MatCont's LPNS, LPPD, R1 on LPC-C; LPPD, PDNS, R2 on PD-C; LPNS, PDNS on
#: NS-C; Kuznetsov 2004, sec. 10.3.3 / Kuznetsov et al. 2008 for the list).  R1 on LPC-C: a
#: second multiplier reaches +1 (the fold's Jordan block grows; an NS curve ends there); R2
#: on PD-C: a second multiplier reaches -1 (an NS curve ends there).
CYCLE_CODIM2 = {"LPC-C": ("LPNS", "LPPD", "R1"), "PD-C": ("LPPD", "PDNS", "R2"),
                "NS-C": ("LPNS", "PDNS")}


def _other_multipliers(curve, mu):
    """The multipliers without the trivial one and the curve's critical ones (1 at LPC, -1 at
    PD, the pair e^{+-i kappa} at NS), or None when they are not all finite."""
    mu = np.asarray(mu, complex)
    if mu.size == 0 or not np.isfinite(mu).all():
        return None
    # Python complex numbers: the same |r - z| as numpy's scalars (both hypot), ~5x cheaper
    rest = mu.tolist()

    def drop_nearest(z):
        rest.pop(_nearest_index(rest, z))
    drop_nearest(1.0)
    if curve == "LPC-C":
        drop_nearest(1.0)
    elif curve == "PD-C":
        drop_nearest(-1.0)
    elif curve == "NS-C" and len(rest) >= 2:
        cand = [i for i, r in enumerate(rest) if abs(r.imag) > 1e-12] or list(range(len(rest)))
        i = min(cand, key=lambda k: abs(abs(rest[k]) - 1.0))
        z = rest.pop(i)
        drop_nearest(np.conj(z))
    return np.array(rest, complex)


def _nearest_index(values, z):
    """Index of the entry of ``values`` (finite Python complex numbers) nearest to ``z``,
    the first of equals: np.argmin's of the distances, without numpy's overhead."""
    dist = [abs(r - z) for r in values]
    return min(range(len(dist)), key=dist.__getitem__)


def _codim2_tests(curve, mu):
    """{label: test value} of :data:`CYCLE_CODIM2` at one point (None: multipliers unusable).

    With r the other multipliers: "LP.." (a multiplier 1) Re prod (r - 1) on PD-C / NS-C,
    and "R1" the same on LPC-C (a second multiplier 1); ".PD" (a multiplier -1)
    Re prod (r + 1) on LPC-C / NS-C, and "R2" the same on PD-C (a second multiplier -1);
    "..NS" (a pair on the unit circle) Re prod_{i<j} (r_i r_j - 1) on LPC-C / PD-C, as the
    LC-C test functions.  Complex pairs contribute |r -+ 1|^2 > 0: only a real multiplier
    through +-1 changes the sign of the first two.
    """
    r = _other_multipliers(curve, mu)
    if r is None:
        return None
    rl = r.tolist()
    lp = _product([z - 1.0 for z in rl]) if curve == "LPC-C" else _lp_test(curve, mu, r)
    pd = _product([z + 1.0 for z in rl])
    ns = _product([rl[i] * rl[j] - 1.0 for i in range(r.size)
                   for j in range(i + 1, r.size)]) if r.size > 1 else 1.0
    values = {"LPC-C": {"LPNS": ns, "LPPD": pd, "R1": lp},
              "PD-C": {"LPPD": lp, "PDNS": ns, "R2": pd},
              "NS-C": {"LPNS": lp, "PDNS": pd}}[curve]
    return {k: v for k, v in values.items() if k in CYCLE_CODIM2[curve]}


def _product(values):
    """Re of the product of complex numbers, left to right: np.real(np.prod(values))'s
    value (the same complex products in the same order) without numpy's ~3 us per call."""
    total = 1.0
    for v in values:
        total = total * v
    return float(total.real)


def _lp_test(curve, mu, r):
    """The "LP.." test of PD-C / NS-C (a nontrivial multiplier through +1), continuous where
    it is zero: with s the multipliers without the curve's critical ones (the trivial one
    kept), sum_j prod_{i != j} (s_i - 1), i.e. -+ the derivative at 1 of the polynomial with
    roots s.  Where the trivial multiplier is 1 it is prod (r - 1) over the other
    multipliers r; unlike that product it does not jump where a second multiplier passes
    the trivial one (the product then switched between the two as "trivial": a sign change
    without a zero, ~+-3e-6 at the E-I LPPD, located by bisection in ~33 trials).

    ``mu``: all multipliers (finite); ``r``: :func:`_other_multipliers` of them."""
    s = np.asarray(mu, complex).tolist()   # Python complex numbers (see _other_multipliers)
    if curve == "PD-C":
        s.pop(_nearest_index(s, -1.0))
    else:   # NS-C: r without the pair e^{+-i kappa} and the trivial one, which is put back
        s = list(r) + [s[_nearest_index(s, 1.0)]]
    d = [complex(z) - 1.0 for z in s]
    total = 0.0
    for j in range(len(d)):
        term = 1.0
        for i, di in enumerate(d):
            if i != j:
                term *= di
        total += term
    return float(np.real(total))


def _point_codim2(system, pt):
    """:func:`_codim2_tests` at a curve point, kept on the point (each point is the end of
    one step and the start of the next)."""
    if pt.codim2 is None:
        pt.codim2 = (_codim2_tests(system.curve, pt.mu),)
    return pt.codim2[0]


def _genuine_codim2(curve, label, mu):
    """A located LPNS / PDNS on LPC-C / PD-C needs a complex pair on the unit circle (a real
    pair with product 1 is a neutral saddle of the map, not NS)."""
    if not (label.endswith("NS") and curve in ("LPC-C", "PD-C")):
        return True
    r = _other_multipliers(curve, mu)
    return r is not None and any(abs(z.imag) > 1e-8 and abs(abs(z) - 1.0) < 1e-6 for z in r)


def _codim2_crossings(system, pt, new, ds, opts):
    """Codimension-2 points of :data:`CYCLE_CODIM2` on the step pt -> new, located as zeros
    of their test functions by regula falsi: [(label, (Point, h), converged)].

    Only the labels that are reported (``opts.detect``) or that mark a pole of a reported
    normal-form zero (:data:`NORMAL_FORM_ZEROS`: LPPD for GPD, R1 for CPC) are located."""
    ga_all, gb_all = _point_codim2(system, pt), _point_codim2(system, new)
    if ga_all is None or gb_all is None:
        return []
    nf = NORMAL_FORM_ZEROS.get(system.curve)
    poles = nf[2] if nf is not None and _wanted(opts, nf[0]) else ()
    out = []
    for label, ga in ga_all.items():
        gb = gb_all[label]
        if ga == 0.0 or ga * gb >= 0 or not (_wanted(opts, label) or label in poles):
            continue

        def test(x, label=label):
            tests = _codim2_tests(system.curve, x.mu)
            return None if tests is None else tests[label]
        found, converged = _locate_on_step(system, pt, ds, ga, gb, test, new)
        if found is not None and _genuine_codim2(system.curve, label, found[0].mu):
            out.append((label, found, converged))
    return sorted(out, key=lambda r: r[1][1])


#: curve -> (label of the zero of its normal-form coefficient, the coefficient's name, the
#: labels where it has a pole): GPD where the PD coefficient c vanishes (:mod:`pd_normal_form`),
#: CPC where the fold coefficient b does (:mod:`lpc_normal_form`), CH where Re d of the NS
#: coefficient does (:mod:`ns_normal_form`; Kuznetsov et al. 2005)
NORMAL_FORM_ZEROS = {"PD-C": ("GPD", "c", ("LPPD",)), "LPC-C": ("CPC", "b", ("R1",)),
                     "NS-C": ("CH", "re_d", ("R1", "R2", "R3"))}
#: branch data key of the coefficient at every point (NS-C: Re d, :mod:`ns_normal_form`)
NORMAL_FORM_DATA = {"PD-C": "pd_coefficient", "LPC-C": "lpc_coefficient",
                    "NS-C": "ns_coefficient_real"}


def _nf_coefficient(system, pt):
    """The curve's normal-form coefficient at a point (PD-C: c of the period doubling, LPC-C: b
    of the fold), cached on the point; None when it is not defined there (singular bordered
    system, sigma = 0 on LPC-C, non-finite value)."""
    if pt.nf is None:
        n = system.n
        u, v = np.ascontiguousarray(pt.U[:, :n]), np.ascontiguousarray(pt.U[:, n:])
        try:
            if system.curve == "PD-C":
                from .pd_normal_form import pd_coefficient
                Ju = system.orbit_jacobian(pt)
                nf = pd_coefficient(system.model, u, v, pt.T, system.p_of(pt.z), pt.mesh,
                                    system.scheme, Jblk=Ju)
                val = nf["c"]
                if pt._pending is not None:   # the multipliers from the same factorisation
                    system.set_multipliers(pt, *nf["pair"], Ju)
            elif system.curve == "NS-C":
                from .ns_normal_form import ns_coefficient
                val = ns_coefficient(system.model, u, np.ascontiguousarray(v[:, :n]),
                                     np.ascontiguousarray(v[:, n:]), float(pt.z[1]), pt.T,
                                     system.p_of(pt.z), pt.mesh, system.scheme)["d"].real
            else:
                from .lpc_normal_form import lpc_coefficient
                val = lpc_coefficient(system.model, u, v, float(pt.z[1]), pt.T,
                                      system.p_of(pt.z), pt.mesh, system.scheme)
        except (np.linalg.LinAlgError, ValueError):
            val = math.nan
        pt.nf = float(val)
    return pt.nf if math.isfinite(pt.nf) else None


def _nf_crossing(system, pt, new, ds):
    """A zero of the normal-form coefficient (GPD on PD-C, CPC on LPC-C) on the step
    pt -> new, located by regula falsi: ((Point, h), converged) or None."""
    ca, cb = _nf_coefficient(system, pt), _nf_coefficient(system, new)
    if ca is None or cb is None or ca == 0.0 or ca * cb >= 0:
        return None
    found, converged = _locate_on_step(system, pt, ds, ca, cb,
                                       lambda x: _nf_coefficient(system, x), new)
    if found is None or not abs(found[0].nf) <= GPD_ZERO * min(abs(ca), abs(cb)):
        return None   # a sign change through a pole (see NORMAL_FORM_ZEROS)
    return found, converged


#: a located sign change of a normal-form coefficient is a zero (GPD, CPC) only where its
#: modulus fell below this fraction of its values at the step's ends; through a pole it grows
GPD_ZERO = 1e-3


#: half-width (radians of kappa) of the pair of points that straddle a singular resonance
STRADDLE = 1e-3


def _locate_kappa(system, pt, ds, ka, kb, target, end=None):
    """((Point, h), converged) where kappa = target on the step, by regula falsi."""
    if (ka - target) * (kb - target) >= 0:
        return None, False
    return _locate_on_step(system, pt, ds, ka - target, kb - target,
                           lambda x: float(x.z[1]) - target, end)


def _straddle(system, pt, ds, ka, kb, target, end=None):
    """The resonance as the midpoint of kappa = target - eps and target + eps (see caller)."""
    sides = [_locate_kappa(system, pt, ds, ka, kb, target + e, end) for e in (-STRADDLE, STRADDLE)]
    if any(f is None for f, _ in sides):
        return None, False
    (xa, ha), (xb, hb) = sides[0][0], sides[1][0]
    if xa.mesh is not xb.mesh and not np.array_equal(xa.mesh, xb.mesh):
        return None, False
    x = Point(0.5 * (xa.U + xb.U), 0.5 * (xa.z + xb.z), xa.mesh)
    x.mu, x.trivial_error, x.iterations = xa.mu, xa.trivial_error, xa.iterations
    x.tU, x.tz = pt.tU, pt.tz
    return (x, 0.5 * (ha + hb)), bool(sides[0][1] and sides[1][1])


def _resonance_special(system, x, label, converged, index):
    """(index, CycleSpecialPoint) of a codimension-2 point located on a cycle curve (a strong
    resonance on NS-C, or one of :data:`CYCLE_CODIM2`); data["kappa"] is the curve's second
    unknown (the NS angle on NS-C, sigma on LPC-C)."""
    from .lc import CycleSpecialPoint
    from .orbit import Orbit
    model, n = system.model, system.n
    p = system.p_of(x.z)
    orbit = Orbit(np.ascontiguousarray(x.U[:, :n]), x.mesh, x.T, p, system.scheme, x.mu,
                  x.trivial_error)
    free = {model.param_names[k]: float(p[k]) for k in system.ifree}
    data = {"free": free, "period": x.T, "multipliers": np.asarray(x.mu), "orbit": orbit,
            "trivial_error": x.trivial_error, "iterations": x.iterations,
            "kappa": float(x.z[1])}
    if label in RESONANCES:
        data["resonance"] = {"R1": "1:1", "R2": "1:2", "R3": "1:3", "R4": "1:4"}[label]
    return index, CycleSpecialPoint(label, index, model.unpack(orbit.U[0]),
                                    dict(zip(model.param_names, map(float, p))), data,
                                    bool(converged))


#: halvings of the step allowed, in one run, where a step went through a cycle of amplitude 0
#: (they bring the last point closer to the curve's end before it is reported)
END_HALVINGS = 4

#: a local minimum of the cycle amplitude below this fraction of its largest value on the run
#: is the curve's end (amplitude -> 0 at a Bautin point or a Hopf curve)
END_AMPLITUDE = 0.02


def _strip(pt):
    """Drop what only the next step needs: the factorised Jacobian (the bulk: ~3 MB per point at
    ntst = 100, issue 20), the tangent and the curvature."""
    pt.jac = None
    pt.tU = None
    pt.kU = None
    pt.borders = None


def _through_zero_amplitude(system, pt, new):
    """True when the orbits of pt and new (one mesh) are anti-correlated about their means
    (:func:`.bifs.crossed_equilibrium`): the step passed through a cycle of amplitude 0."""
    from .bifs import crossed_equilibrium, orbit_deviation
    if new.mesh is not pt.mesh and not np.array_equal(new.mesh, pt.mesh):
        return False
    n = system.n
    # a writable copy of the cached (read-only) weights: numba types a read-only array as
    # another type, and these two functions are already compiled for writable ones (LC-C)
    w = np.array(node_weights(pt.mesh, system.scheme))
    ua, ub = np.ascontiguousarray(pt.U[:, :n]), np.ascontiguousarray(new.U[:, :n])
    return bool(crossed_equilibrium(ua, *orbit_deviation(ua, w), ub, *orbit_deviation(ub, w), w))


def _amplitude(pt, n):
    """Largest peak-to-peak range of the orbit's components."""
    u = pt.U[:, :n]
    # reduceat over the whole (strided) block: ~5x faster than u.max(axis=0), same values
    return float(np.max(np.maximum.reduceat(u, _FIRST)[0] - np.minimum.reduceat(u, _FIRST)[0]))


_FIRST = np.zeros(1, dtype=np.intp)


def _adapt(system, pt):
    """Redistribute the mesh by the orbit and its eigenfunction; tangent interpolated too."""
    sch, n = system.scheme, system.n
    scale = np.concatenate([np.full(n, 1.0 / max(np.max(np.abs(pt.U[:, :n])), 1e-300)),
                            np.full(pt.U.shape[1] - n,
                                    1.0 / max(np.max(np.abs(pt.U[:, n:])), 1e-300))])
    mesh = mesh_mod.adapted_mesh(pt.U * scale, pt.mesh, sch)
    tn = co.node_times(mesh, sch)
    # U, the tangent and the curvature interpolated in one call (per column the same
    # arithmetic as one call each)
    ne = pt.U.shape[1]
    parts = (pt.U, pt.tU) if pt.kU is None else (pt.U, pt.tU, pt.kU)
    both = co.interpolate(np.concatenate(parts, axis=1), pt.mesh, sch, tn)
    new = Point(np.ascontiguousarray(both[:, :ne]), pt.z.copy(), mesh)
    new.tU = np.ascontiguousarray(both[:, ne:2 * ne])
    new.tz = pt.tz
    new.t_behind = pt.t_behind
    if pt.kU is not None:
        new.kU, new.kz = np.ascontiguousarray(both[:, 2 * ne:]), pt.kz
    new.mu, new.trivial_error, new.pm, new.nf = pt.mu, pt.trivial_error, pt.pm, pt.nf
    new.codim2 = pt.codim2
    return new


def _branch(model, curve, free, system, pts, opts, reason, status, extra_opts, special=()):
    from .lc import CycleBranch
    from .orbit import Orbit
    n = system.n
    orbits = []
    for q in pts:
        o = Orbit(np.ascontiguousarray(q.U[:, :n]), q.mesh, q.T, system.p_of(q.z), system.scheme,
                  q.mu, q.trivial_error)
        o.info["eigenfunction"] = q.U[:, n:]
        orbits.append(o)
    extra = {}
    if curve == "LPC-C":
        extra["sigma"] = np.array([q.z[1] for q in pts])
    elif curve == "NS-C":
        extra["kappa"] = np.array([q.z[1] for q in pts])
    if curve in NORMAL_FORM_DATA and _wanted(opts, NORMAL_FORM_ZEROS[curve][0]):
        # the normal-form coefficient at every point (nan: undefined); not computed when its
        # zero (GPD, CPC, CH) is left out of ``detect``
        extra[NORMAL_FORM_DATA[curve]] = np.array(
            [np.nan if _nf_coefficient(system, q) is None else q.nf for q in pts], dtype=float)
    options = {**opts.record(), **extra_opts, "ntst": len(pts[0].mesh) - 1,
               "ncol": system.scheme.ncol}
    return CycleBranch(model, curve, free, orbits, list(special), options, reason, extra=extra,
                       status=status)
