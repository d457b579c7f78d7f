"""Pseudo-arclength continuation of periodic orbits (one free parameter).

A self-contained predictor-corrector for the collocation BVP
(:mod:`bifkit.continuation.cycles.collocation`), following AUTO (Doedel et al. 1991,
sec. 5; Doedel, AUTO-07p manual, ch. 10): unknowns X = (U, T, theta), theta the
free parameter (or its log10), with the integral phase condition against the
previous orbit and the pseudo-arclength condition in the weighted norm

    ||X||^2 = int_0^1 |u(t)|^2 dt + (T / T_0)^2 + theta^2.

A step of the main loop (predictor, chord Newton, tangent, curvature, Floquet
multipliers from the condensed pair of the Jacobian at the solution, test
functions) is one compiled call (:func:`.lc_newton.step`;
:mod:`bifkit.continuation.cycles.floquet`, :mod:`.qz`).  Special points (LPC, PD, NS)
are found by sign changes of test functions (PD/NS compiled,
:func:`floquet.cycle_tests`) and located by the Illinois variant of regula
falsi on the arclength step (:mod:`bifkit.continuation.cycles.bifs`), to a
coarse tolerance when the point is then polished exactly.

The branch stops with special point "H" where the cycles shrink onto an
equilibrium (at any Hopf point, the start's or another): the step through
zero amplitude is seen as two consecutive orbits anti-correlated about their
means (one compiled sum per step), and the point is located as the Hopf point
of that equilibrium (Re lambda = 0 by secant, started from the extrapolation
of amplitude^2 linear in the parameter), where the problem is regular.

This module is the inner loop of the "LC-C" curve type (:mod:`.lc`); user
events (:mod:`bifkit.continuation.events`) are located on its steps too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import collocation as co
from .. import events as ev_mod
from . import floquet as fq
from . import mesh as mesh_mod
from . import reconnect
from .bifs import orbit_deviation
from .lc_newton import border_rows, orbit_blocks
from .lc_newton import correct as compiled_correct
from .lc_newton import step as compiled_step
from .linalg import Factor, tangent_solve
from .orbit import Orbit
from ..progress import Progress

LN10 = math.log(10.0)
#: regula-falsi tolerance (relative, on theta) before the polish of a located point
COARSE_LOCATE_TOL = 1e-5
#: regula-falsi trials at most before the polish: one, at the linear interpolation of the
#: test function (E-I LC-C of benchmarks/continuation_vs_auto.py: the two PD points polish
#: from there to within 3e-14 relative of the polish after the 4 and 3 trials to
#: COARSE_LOCATE_TOL, one corrector call each instead of 3-4; issue 14)
POLISH_START_TRIALS = 1


#: |d theta / ds| of a new point's unit tangent below which the tangent from the chord
#: factorisation (:func:`.lc_newton.correct`: the Jacobian at the predictor) is replaced
#: by the exact one at the solution (:meth:`Corrector.tangent`), so that the sign of the
#: LPC test is never the chord tangent's error.  Measured on the E-I LC-C benchmark
#: branch: the chord tangent is up to 2e-2 off in the weighted norm, 6e-3 in
#: d theta / ds (values 0.09-0.65); E-I at D_ee = 4, the branch returning to the upper
#: Hopf point, where d theta / ds -> 0 with the amplitude: the chord tangent gave a false
#: LPC sign change at I_e = 0.12454 (the Hopf point 0.124565), none with this guard.
EXACT_TANGENT_BELOW = 0.1

#: regula-falsi tolerance (relative, on theta) when the located point is not polished
LOCATE_TOL = 1e-8
#: solve the LPC/PD/NS defining system at located points (exact location)
POLISH = True


@dataclass
class LCResult:
    """Points of a cycle branch (internal form; converted to a CycleBranch by :mod:`.lc`)."""

    theta: list = field(default_factory=list)
    param: list = field(default_factory=list)
    T: list = field(default_factory=list)
    multipliers: list = field(default_factory=list)
    trivial_error: list = field(default_factory=list)
    orbits: list = field(default_factory=list)
    special: list = field(default_factory=list)
    stop_reason: str = ""
    status: str = "max_points"
    #: (status, first index, period, trivial error) where the multipliers became unreliable
    unreliable: tuple = None
    bar: object = None
    newton_iterations: int = 0


class LCSystem:
    """The collocation BVP with one free parameter, in theta = p or log10 p."""

    def __init__(self, model, ipar, log, scheme):
        self.model = model
        self.k = model.compiled
        from .ext import kernels
        self.kc = kernels(f=self.k.f, jac=self.k.jac, dfdp=self.k.dfdp)
        self.ipar = int(ipar)
        self.log = bool(log)
        self.scheme = scheme
        self.ifree = np.array([self.ipar], dtype=np.int64)

    def p_of(self, theta, p):
        q = p.copy()
        q[self.ipar] = 10.0 ** theta if self.log else theta
        return q

    def theta_of(self, pval):
        return math.log10(pval) if self.log else float(pval)

    def residual(self, U, T, p, mesh):
        N, m = len(mesh) - 1, self.scheme.ncol
        rcol = np.zeros((N, m * U.shape[1]))
        self.kc.coll_residual(U, T, p, mesh, self.scheme.W, self.scheme.Wd, rcol)
        return rcol, U[0] - U[-1]

    def jacobian(self, U, T, p, mesh):
        N, m, n = len(mesh) - 1, self.scheme.ncol, U.shape[1]
        Jblk = np.empty((N, m * n, (m + 1) * n))
        Jb = np.empty((N, m * n, 2))
        self.kc.coll_jacobian(U, T, p, self.ifree, mesh, self.scheme.W, self.scheme.Wd, Jblk, Jb)
        if self.log:
            Jb[:, :, 1] *= p[self.ipar] * LN10
        return Jblk, Jb


class State:
    """A point (U, T, theta) with its mesh, tangent and multipliers."""

    def __init__(self, U, T, theta, mesh):
        self.U, self.T, self.theta, self.mesh = U, T, theta, mesh
        self.tU = self.tT = self.ttheta = None
        self.mu = None
        self.trivial_error = np.nan
        self.pm = None     # floquet.PointMultipliers (how far mu can be trusted)
        self.iterations = 0
        self._jac = None
        self.dev = None    # (mean, rms amplitude) of the orbit, computed when first needed
        self.anti = None   # u(t) - u(t + 1/2), on a period-doubled branch (reconnect.py)
        self.kU = self.kT = self.ktheta = None   # curvature dt/ds (from the last step)
        # (psi_PD, psi_NS, psi_BPC) of QZ's multipliers mu when they are used as they are
        # (computed with them by Corrector.step; else by _test_values)
        self.qz_tests = None


#: node weights of the last meshes seen: id(mesh) -> (mesh, scheme, w (M,), {n: (M, n)});
#: the entry keeps the mesh itself, so a recycled id cannot alias
_WCACHE: dict = {}
#: the entry looked up last (a run asks ~5 times per point for the same mesh)
_WLAST = [None]


def _weights(mesh, scheme, n, tn=None):
    """Quadrature weights of int_0^1 |u|^2 dt at the nodes (trapezoid per node gap),
    repeated over the n components: (M, n).

    Cached per mesh (meshes change only at adaptation; the weights of every n and
    the 1-D ones, :func:`_weights1`, come from one computation per mesh).  ``tn``:
    the mesh's node times when the caller has them (:func:`adapt_state`).
    """
    entry = _mesh_entry(mesh, scheme, tn)
    w = entry[3].get(n)
    if w is None:
        w = entry[3][n] = np.repeat(entry[2][:, None], n, axis=1)
    return w


def _weights1(mesh, scheme):
    """The node weights of :func:`_weights` as one (M,) array."""
    return _mesh_entry(mesh, scheme, None)[2]


def _seed_weights(mesh, scheme, w1):
    """Cache ``w1`` (:func:`mesh.adapt_state_arrays`'s weights) as the 1-D node weights of
    a new mesh."""
    if len(_WCACHE) >= 8:
        _WCACHE.pop(next(iter(_WCACHE)))
    entry = (mesh, scheme, w1, {})
    _WCACHE[id(mesh)] = entry
    _WLAST[0] = entry


def _mesh_entry(mesh, scheme, tn):
    last = _WLAST[0]
    if last is not None and last[0] is mesh and last[1] is scheme:
        return last
    entry = _WCACHE.get(id(mesh))
    if entry is None or entry[0] is not mesh or entry[1] is not scheme:
        if len(_WCACHE) >= 8:
            _WCACHE.pop(next(iter(_WCACHE)))
        entry = (mesh, scheme, _weights_uncached(mesh, scheme, tn), {})
        _WCACHE[id(mesh)] = entry
    _WLAST[0] = entry
    return entry


def _weights_uncached(mesh, scheme, tn=None):
    tn = co.node_times(mesh, scheme) if tn is None else tn
    d = tn[1:] - tn[:-1]   # np.diff's values
    w = np.zeros(len(tn))
    w[:-1] += 0.5 * d
    w[1:] += 0.5 * d
    return w


class Corrector:
    """Newton corrector and tangent solver on a fixed mesh.

    Chord Newton: the Jacobian is factorised at the predictor (condensation of
    parameters, :class:`cycle_linalg.Factor`) and kept while the steps contract
    by at least 2; each iteration is two compiled calls (collocation residual;
    :func:`cycle_linalg.chord_step`: border residuals, condensed solve, update,
    step norm).  At convergence the Jacobian is factorised once more at the
    solution: its condensed pair gives the Floquet multipliers, the
    factorisation the exact tangent (:meth:`tangent`); the main loop's tangent
    comes from the chord factorisation (:func:`.lc_newton.correct`,
    :data:`EXACT_TANGENT_BELOW`).  Reusing
    that factorisation as the next step's chord Jacobian was measured: the
    chord then contracts by ~0.1 per iteration instead of ~0.003 (the
    Jacobian is O(ds) off instead of O(ds^2)), and the 3-4 extra iterations
    cost more than the factorisation they save.
    """

    def __init__(self, system, opts, T_scale):
        self.sys, self.opts = system, opts
        self.wT = 1.0 / T_scale ** 2
        self._bc = {}
        self._rcol = {}

    def _bcs(self, n):
        """Periodicity u(0) - u(1) = 0 as (B0, B1, Bz) (cached per dimension)."""
        if n not in self._bc:
            self._bc[n] = (np.eye(n), -np.eye(n), np.zeros((n, 2)))
        return self._bc[n]

    def borders(self, ref_U, mesh, tU, tT, tth, fix=False, w=None):
        """Border rows: the phase condition against ``ref_U`` and the arclength along t
        (``w``: the mesh's :func:`_weights`, when the caller has them)."""
        sch = self.sys.scheme
        w = _weights(mesh, sch, ref_U.shape[1]) if w is None else w
        return border_rows(ref_U, sch.W, sch.Wd, sch.wg, w, w if fix else tU, self.wT,
                           float(tT), float(tth), bool(fix))

    def factor(self, U, T, theta, p, mesh):
        """The factorised collocation Jacobian at (U, T, theta)."""
        return Factor(*self.sys.jacobian(U, T, self.sys.p_of(theta, p), mesh))

    def correct(self, prev, U0, T0, th0, tU, tT, tth, p, fix_theta=None, with_tangent=False):
        """Newton (chord) from (U0, T0, th0) with the hyperplane through it orthogonal to t.

        ``prev``: the phase reference (and its mesh).  Converged when the
        relative step, or the error estimated to remain after it, is below
        ``opts.tol``.  ``fix_theta``: replace the arclength condition by
        theta = fix_theta.  Returns a State (with multipliers and the
        factorisation at the solution) or None.  ``with_tangent`` (not with
        ``fix_theta``): the State also gets its tangent, as :meth:`tangent` with
        the previous tangent t (one compiled call for all: :mod:`.lc_newton`).
        """
        sys_, mesh = self.sys, prev.mesh
        fix = fix_theta is not None
        n = U0.shape[1]
        sch = sys_.scheme
        w = _weights(mesh, sch, n)
        C, D = self.borders(prev.U, mesh, tU, tT, tth, fix, w)
        want = bool(with_tangent and not fix)
        out = compiled_correct(sys_.kc.K, U0, float(T0), float(th0), p, sys_.ipar, sys_.log,
                               mesh, sch.W, sch.Wd, C, D, *self._bcs(n), fix,
                               float(fix_theta) if fix else 0.0, self.opts.tol,
                               self.opts.max_iter, want, w, self.wT)
        ok, it, U, z = out[:4]
        if not ok:
            return None
        st = State(U, float(z[0]), float(z[1]), mesh)
        st.iterations = it
        Fc = Factor.from_arrays(out[4:13], out[13], out[14])
        st.pm = fq.point_multipliers(Fc.f[6], Fc.f[7], Fc.Jblk)
        st.mu, st.trivial_error = st.pm.mu, st.pm.trivial_error
        st._jac = (Fc, C, D)
        if want:
            tz = out[16]
            st.tU, st.tT, st.ttheta = out[15], float(tz[0]), float(tz[1])
        return st

    def step(self, st, ds, p, ref_U, exact_below, curvature):
        """One main-loop step from ``st``: predictor, corrector, tangent, curvature (one
        compiled call, :func:`.lc_newton.step`).

        ``ref_U``: the phase reference (on st's mesh); ``exact_below``: the exact
        tangent replaces the chord one where |d theta/ds| is below it (``math.inf``:
        always); ``curvature``: the new state gets the curvature of the step (not
        after a first step).  Returns (State with tangent, multipliers and deviation,
        crossed: the step went through amplitude 0, :func:`.bifs.crossed_equilibrium`)
        or (None, False) when Newton fails.  The state carries no factorisation
        (``_jac`` None): :meth:`tangent` does not apply to it.
        """
        sys_, mesh, sch = self.sys, st.mesh, self.sys.scheme
        n = st.U.shape[1]
        w = _weights(mesh, sch, n)
        mean, amp = _deviation(st, sch)
        kU, kT, kth = (_no_rows(n), 0.0, 0.0) if st.kU is None else (st.kU, st.kT, st.ktheta)
        out = compiled_step(sys_.kc.K, st.U, st.T, st.theta, st.tU, st.tT, st.ttheta, kU, kT,
                            kth, ds, CURVATURE_LIMIT, p, sys_.ipar, sys_.log, mesh, sch.W,
                            sch.Wd, sch.wg, ref_U, *self._bcs(n), self.opts.tol,
                            self.opts.max_iter, w, _weights1(mesh, sch), self.wT,
                            exact_below, curvature, mean, amp)
        (ok, it, U, T, theta, mu, err, finite, tU, tT, tth, _, kU, kT, kth, mean, amp, crossed,
         pd, ns, bpc) = out
        if not ok:
            return None, False
        new = State(U, T, theta, mesh)
        new.iterations = it
        new.pm = fq.from_qz(mu, err, finite, lambda: orbit_blocks(
            sys_.kc.K, U, T, theta, p, sys_.ipar, sys_.log, mesh, sch.W, sch.Wd))
        new.mu, new.trivial_error = new.pm.mu, new.pm.trivial_error
        if new.pm.log_form is None:
            new.qz_tests = (pd, ns, bpc)
        new.tU, new.tT, new.ttheta = tU, tT, tth
        if curvature:
            new.kU, new.kT, new.ktheta = kU, kT, kth
        new.dev = (mean, amp)
        return new, crossed

    def tangent(self, st, tU, tT, tth):
        """Tangent at st: J_ext t = (0, ..., 0, 1), arclength row = previous tangent.

        ``st`` must come from :meth:`correct` (it keeps the factorisation at the
        solution); a :meth:`step` state has its tangent already.
        """
        if st._jac is None:
            raise ValueError("Corrector.tangent: the state has no factorisation at the "
                             "solution (a main-loop step's or adapted state); correct it with "
                             "Corrector.correct first")
        Fc, C, D = st._jac
        n = st.U.shape[1]
        wU = _weights(st.mesh, self.sys.scheme, n)
        C = C.copy()
        D = D.copy()
        np.multiply(wU, tU, out=C[1])
        D[1, 0], D[1, 1] = self.wT * tT, tth
        top, V1, b1, mid, V2, b2, P, Q, S = Fc.f
        dU, dz = tangent_solve(top, V1, b1, mid, V2, b2, P, Q, S, C, D, *self._bcs(n), wU,
                               self.wT)
        return dU, float(dz[0]), float(dz[1])

    def norm(self, st, dU, dT, dth):
        wU = _weights(st.mesh, self.sys.scheme, dU.shape[1])
        return math.sqrt(np.sum(wU * dU * dU) + self.wT * dT ** 2 + dth ** 2)


def adapt_state(st, scheme, half_symmetric=False):
    """Redistribute the mesh of a state; the tangent is interpolated too.

    ``half_symmetric``: keep the mesh two copies of one half (period-doubled
    branches, :func:`.mesh.adapt_half_symmetric`).
    """
    n = st.U.shape[1]
    if half_symmetric:
        mesh = mesh_mod.half_symmetric_mesh(st.U, st.mesh, scheme)
        tn = co.node_times(mesh, scheme)
        _weights(mesh, scheme, n, tn)   # cache the new mesh's weights from tn
        # U, the tangent and the curvature interpolated in one call (the same arithmetic
        # per column as one call each)
        parts = (st.U, st.tU) if st.kU is None else (st.U, st.tU, st.kU)
        both = co.interpolate(np.concatenate(parts, axis=1), st.mesh, scheme, tn)
        U, extra = both[:, :n], both[:, n:]
    else:
        # the mesh, its node times and weights, U, tangent and curvature: one compiled call
        # (the same values as the calls above)
        parts = st.tU if st.kU is None else np.concatenate((st.tU, st.kU), axis=1)
        mesh, tn, w1, U, extra = mesh_mod.adapt_state_arrays(st.U, parts, st.mesh, scheme)
        _seed_weights(mesh, scheme, w1)
    new = State(np.ascontiguousarray(U), st.T, st.theta, mesh)
    new.tU = np.ascontiguousarray(extra[:, :n])
    new.tT, new.ttheta = st.tT, st.ttheta
    new.mu, new.trivial_error, new._jac = st.mu, st.trivial_error, None
    new.pm, new.qz_tests = st.pm, st.qz_tests
    if st.kU is not None:
        new.kU = np.ascontiguousarray(extra[:, n:])
        new.kT, new.ktheta = st.kT, st.ktheta
    return new


def _record(res, sys_, st, p):
    res.bar.update()
    pp = sys_.p_of(st.theta, p)
    res.theta.append(st.theta)
    res.param.append(pp[sys_.ipar])
    res.T.append(st.T)
    res.multipliers.append(np.array(st.mu) if st.mu is not None else np.full(st.U.shape[1], np.nan))
    res.trivial_error.append(st.trivial_error)
    res.orbits.append(Orbit(st.U.copy(), st.mesh.copy(), st.T, pp, sys_.scheme,
                            st.mu, st.trivial_error))


def run(system, st0, p, opts, bounds, detect, *, phase_ref=None, T_scale=None,
        doubled=False):
    """Continue the cycle branch from state ``st0`` (with its tangent set).

    Parameters
    ----------
    system : LCSystem
    st0 : State with tU, tT, ttheta (and mu, if known)
    p : parameter array (the free entry is overwritten from theta)
    opts : ContinuationOptions
    bounds : (low, high) of the free parameter (not its log)
    detect : labels to locate (LPC, PD, NS)
    phase_ref : array, optional
        Phase reference for the first step (the Hopf eigenfunction when st0 is
        the constant solution at a Hopf point, where u' = 0).
    doubled : bool
        st0 is a PD point's orbit traversed twice (a PD switch): the branch
        stops with status "reconnected" and a "BPC" special point where it
        rejoins the parent cycle traversed twice (:mod:`.reconnect`).

    Returns
    -------
    LCResult
    """
    res = LCResult(bar=Progress(opts.progress, opts.max_points, "LC-C"))
    try:
        return _unreliable_status(_run(res, system, st0, p, opts, bounds, detect, phase_ref,
                                       T_scale, doubled))
    finally:
        res.bar.close()


#: statuses that say more than an unreliable-multiplier status and are kept over it
_DEFINITE_END = ("bound", "completed", "reached_end_point")


def _unreliable_status(res):
    """Name the unreliable multipliers in the direction's status and message (issue 15).

    No special point is taken on a step with an end where :func:`periodic_schur.cycle_status`
    objects (the branch goes on: its orbits are converged).  The direction's status
    becomes "approaching_homoclinic" / "multipliers_unreliable" unless it ended at a bound,
    a stop_at event or an end point; the message says where in any case.
    """
    if res.unreliable is None:
        return res
    why, index, T, err = res.unreliable
    note = (f"{why.replace('_', ' ')} from point {index} on (period {T:.6g}, trivial "
            f"multiplier error {err:.2g}): no special point taken where they are unreliable")
    if res.status not in _DEFINITE_END:
        res.status = why
    res.stop_reason = f"{res.stop_reason}; {note}" if res.stop_reason else note
    return res


def _run(res, system, st0, p, opts, bounds, detect, phase_ref, T_scale, doubled=False):
    """The loop of :func:`run` (``res`` collects the points)."""
    corr = Corrector(system, opts, T_scale or st0.T)
    sch = system.scheme
    lo, hi = bounds
    st = st0
    if st.mu is not None:
        _record(res, system, st, p)
    # (parameter, amplitude, period) of the recorded points, for the Hopf arrival
    history = [(system.p_of(st.theta, p)[system.ipar], _deviation(st, sch)[1], st.T)]
    if not history[0][1] > 0.0:
        history = []   # a Hopf start (constant orbit): not a point of the arrival's fit
    ds = opts.step
    psi = _test_values(st, detect) if st.mu is not None else None
    first = True
    prev_unreliable = False
    nsteps = 0
    events = ev_mod.all_events(opts)
    g_prev = None   # event values at st (none at a Hopf or PD-switch start: no orbit yet)
    if events and st.mu is not None and phase_ref is None:
        g_prev = ev_mod.values_at(events, _event_point(system, st, p))
    while len(res.theta) < opts.max_points:
        # the chord tangent's parameter component can have the wrong sign where it is near
        # 0 (folds, returns to a Hopf point): the exact tangent there (and for events,
        # whose values may use any component of the tangent)
        new, crossed = corr.step(st, ds, p, phase_ref if (first and phase_ref is not None)
                                 else st.U, math.inf if events else EXACT_TANGENT_BELOW,
                                 not first)
        if new is None:
            ds *= 0.5
            if ds < opts.ds_min:
                res.stop_reason = (f"corrector failed at the minimum step after point "
                                   f"{len(res.theta) - 1}; try a smaller ds_min or larger ntst")
                res.status = "step_underflow"
                return res
            continue
        res.newton_iterations += new.iterations
        pval = system.p_of(new.theta, p)[system.ipar]
        if doubled and not first:
            rejoin = _rejoin(corr, system, st, new, ds, p)
            if rejoin is not None:
                if lo <= rejoin["param"] <= hi:
                    rejoin["index"] = len(res.theta)
                    res.special.append(rejoin)
                    res.stop_reason = (f"the period-doubled branch rejoins its parent cycle "
                                       f"(traversed twice) at its PD point, parameter "
                                       f"{rejoin['param']:.10g}, parent period "
                                       f"{rejoin['data']['parent_period']:.8g}")
                    res.status = "reconnected"
                    return res
                pval = rejoin["param"]   # beyond a bound: stop on the bound
        if not first and crossed:
            # the step went through a = 0: the cycles shrank onto an equilibrium (a Hopf
            # point) and the branch would retrace itself
            h = _hopf_arrival(system, p, st, new, history)
            if lo <= h["param"] <= hi:
                h["index"] = len(res.theta)
                res.special.append(h)
                res.stop_reason = _hopf_stop_reason(h)
                res.status = "reached_end_point"
                return res
            pval = h["param"]   # the Hopf point lies beyond a bound: stop on the bound
        if not lo <= pval <= hi:
            _stop_on_bound(res, corr, system, st, p, ds, lo if pval < lo else hi)
            return res
        why = _multiplier_status(system, new, p, history)
        if why is not None and res.unreliable is None:
            res.unreliable = (why, len(res.theta), new.T, new.trivial_error)
        new_psi = _test_values(new, detect)
        # no special point from a step whose multipliers cannot be trusted (issue 15: there
        # the orbit is not resolved either, e.g. Lorenz near its homoclinic orbit gives a
        # false LPC); the orbits themselves are converged and kept (homoclinic starts)
        trusted = why is None and not prev_unreliable
        if psi is not None and not first and trusted:
            for label in detect:
                if label == "BPC" and (not (math.isfinite(psi["BPC"]) and
                                            math.isfinite(new_psi["BPC"])) or
                                       ("LPC" in detect and
                                        _sign(new_psi["LPC"]) != _sign(psi["LPC"]))):
                    continue   # unresolved, or a multiplier +1 where the parameter turns (LPC)
                if _sign(new_psi[label]) != _sign(psi[label]) and psi[label] != 0:
                    sp = _locate(corr, system, st, new, ds, psi[label], new_psi[label], label,
                                 p, opts)
                    if sp is not None:
                        sp["index"] = len(res.theta)  # between points index-1 and index
                        res.special.append(sp)
        if res.special and res.special[-1]["label"] == "H" and \
                res.special[-1]["index"] == len(res.theta):
            # a turn with an amplitude minimum (fallback; the crossing test above sees it
            # first): the Hopf point on the equilibrium, from the located turn
            x = res.special.pop()["state"]
            h = _hopf_arrival(system, p, st, x, history, signed=False)
            if lo <= h["param"] <= hi:
                h["index"] = len(res.theta)
                res.special.append(h)
                res.stop_reason = _hopf_stop_reason(h)
                res.status = "reached_end_point"
            else:
                _stop_on_bound(res, corr, system, st, p, ds, lo if h["param"] < lo else hi)
            return res
        if events:
            g_new = ev_mod.values_at(events, _event_point(system, new, p))
            if g_prev is not None:
                found, stop = ev_mod.step_events(
                    events, opts.stop_at, g_prev, g_new,
                    lambda e, ga, gb: _locate_event(corr, system, st, ds, p, e, ga, gb))
                for event, (x, h), converged, ga in found:
                    res.special.append(_event_special(system, x, p, event, ga, converged,
                                                      len(res.theta)))
                if stop is not None:   # end the run at the stop event's point
                    _record(res, system, stop[1][0], p)
                    res.stop_reason = f"stop_at event reached after point {len(res.theta) - 2}"
                    res.status = "completed"
                    return res
            g_prev = g_new
        _record(res, system, new, p)
        history.append((pval, _deviation(new, sch)[1], new.T))
        if new.T > opts.T_max:
            res.stop_reason = f"period {new.T:g} above T_max (homoclinic approach?)"
            res.status = "period_limit"
            return res
        psi, st, first = new_psi, new, False
        prev_unreliable = why is not None
        nsteps += 1
        if opts.mesh.adapt_every and nsteps % opts.mesh.adapt_every == 0:
            st = adapt_state(st, sch, half_symmetric=doubled)
        if new.iterations < opts.max_iter // 2:   # chord: ~3-4 iterations at a good step
            ds = min(1.5 * ds, opts.ds_max)
        elif new.iterations >= opts.max_iter - 1:
            ds *= 0.6
    res.stop_reason = f"max_points = {opts.max_points} reached"
    res.status = "max_points"
    return res


def _sign(x):
    """np.sign of one float (NaN for NaN, so that a NaN end differs from any sign, as
    np.sign's) without numpy's ~1 us per call on scalars (8 calls per point)."""
    return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else math.nan))


#: largest trivial-multiplier error at which the BPC test is evaluated (_bpc_test)
BPC_TRIVIAL_TOL = 1e-6

#: the curvature term of the predictor is used while ds |curvature| / 2 stays below this
#: (:func:`.lc_newton.step`: predictor = tangent + ds^2 / 2 dt/ds, the curvature from
#: the change of the unit tangent over the last step; second order: the corrector
#: starts O(ds^3) instead of O(ds^2) from the branch, ~1 chord iteration fewer per
#: point on the E-I benchmark.  The curvature is orthogonal to the unit tangent, so
#: the pseudo-arclength hyperplane, and hence the point found, is the tangent
#: predictor's.)
CURVATURE_LIMIT = 0.25


def _no_rows(n):
    """An empty (0, n) array: "no curvature" for :func:`.lc_newton.step` (cached per n)."""
    a = _NO_ROWS.get(n)
    if a is None:
        a = _NO_ROWS[n] = np.zeros((0, n))
    return a


_NO_ROWS: dict = {}


def _event_point(system, st, p):
    """The EventPoint of a cycle state (state = the orbit at t = 0; "period" a value too)."""
    model = system.model
    pp = system.p_of(st.theta, p)
    name = model.param_names[system.ipar]
    rate = st.ttheta * (pp[system.ipar] * LN10 if system.log else 1.0)
    return ev_mod.EventPoint(dict(zip(model.param_names, pp)),
                             dict(zip(model.state_names, st.U[0])), {"period": st.T},
                             {name: rate, "period": st.tT})


def _locate_event(corr, system, st, ds, p, event, ga, gb):
    """The zero of ``event`` on the step of length ds from st: ((State, h), converged)."""
    def g_of(h):
        x = corr.correct(st, st.U + h * st.tU, st.T + h * st.tT, st.theta + h * st.ttheta,
                         st.tU, st.tT, st.ttheta, p)
        if x is None:
            return None
        # exact tangent: the Jacobian is factorised at the solution (Corrector.correct)
        x.tU, x.tT, x.ttheta = corr.tangent(x, st.tU, st.tT, st.ttheta)
        return ev_mod.evaluate(event, _event_point(system, x, p)), (x, h)
    return ev_mod.locate_zero(g_of, ds, ga, gb)


def _event_special(system, x, p, event, g_before, converged, index):
    """The special-point record (as :func:`_classify_and_polish`) of a located event."""
    pp = system.p_of(x.theta, p)
    orbit = Orbit(x.U.copy(), x.mesh.copy(), x.T, pp, system.scheme, x.mu, x.trivial_error)
    return {"label": ev_mod.LABEL, "theta": x.theta, "param": pp[system.ipar], "T": x.T,
            "multipliers": x.mu, "orbit": orbit, "converged": converged,
            "iterations": x.iterations, "state": x, "index": index,
            "data": ev_mod.event_data(event, _event_point(system, x, p), g_before)}


def _stop_on_bound(res, corr, system, st, p, ds, bound):
    """Record the branch's point on the parameter bound after st (if found) and the stop reason.

    The point is the run's last: its tangent is not computed (nothing reads it; ~50 us).
    """
    fin = _land_on_bound(corr, st, system.theta_of(bound), p, ds)
    if fin is not None:
        _record(res, system, fin, p)
    res.stop_reason = f"parameter bound {bound:g} reached"
    res.status = "bound"


def _land_on_bound(corr, st, theta_b, p, ds):
    """The point of the branch at theta = theta_b, next to state st (None if Newton fails).

    Predictor: along the tangent to theta_b when that is within the last step
    ``ds`` (then, if Newton fails from there, st itself).
    """
    guesses = []
    if st.ttheta != 0.0:
        s = (theta_b - st.theta) / st.ttheta
        if 0.0 <= s <= 1.5 * ds:
            guesses.append((st.U + s * st.tU, st.T + s * st.tT))
    guesses.append((st.U, st.T))
    for U0, T0 in guesses:
        fin = corr.correct(st, U0, T0, theta_b, st.tU, st.tT, st.ttheta, p, fix_theta=theta_b)
        if fin is not None:
            return fin
    return None


def _locate(corr, system, st, new, ds, psi_a, psi_b, label, p, opts):
    """Locate the zero of the test function ``label`` between st and new (arclength s in (0, ds)).

    With :data:`POLISH` the regula falsi stops at a coarse tolerance or after
    :data:`POLISH_START_TRIALS` trials (the polish solves the defining system
    exactly from there); if the polish fails, the location is repeated to
    :data:`LOCATE_TOL`.
    """
    from . import bifs as cb

    def evaluate(s):
        x = corr.correct(st, st.U + s * st.tU, st.T + s * st.tT, st.theta + s * st.ttheta,
                         st.tU, st.tT, st.ttheta, p)
        if x is None:
            return None, None
        if label in ("LPC", "BPC"):  # LPC: test = the tangent's parameter component;
            # BPC: the tangent of the branch is kept for switching (switch.py)
            x.tU, x.tT, x.ttheta = corr.tangent(x, st.tU, st.tT, st.ttheta)
        return x, _test_values(x, (label,))[label]

    polishable = POLISH and label in ("PD", "LPC", "NS")
    tol = max(LOCATE_TOL, COARSE_LOCATE_TOL) if polishable else LOCATE_TOL
    x, ok, its = cb.locate(evaluate, psi_a, psi_b, ds, st.theta, new.theta, tol,
                           max_iter=POLISH_START_TRIALS if polishable else 40)
    result = _classify_and_polish(corr, system, st, new, x, ok, its, label, p, opts)
    if tol > LOCATE_TOL and x is not None and \
            (result is None or result["label"] not in ("PD", "LPC", "NS")):
        # not polished (a Hopf return or branch point, or the polish failed): locate finely
        x, ok, its = cb.locate(evaluate, psi_a, psi_b, ds, st.theta, new.theta, LOCATE_TOL)
        result = _classify_and_polish(corr, system, st, new, x, ok, its, label, p, opts,
                                      polish=False)
    return result


def _classify_and_polish(corr, system, st, new, x, ok, its, label, p, opts, polish=True):
    """The special-point record of a located state (None when it is no such point).

    With ``polish`` (and :data:`POLISH`), an LPC / PD / NS point that the
    defining system cannot polish also gives None (the caller locates it
    more accurately instead).
    """
    from . import bifs as cb
    if x is None:
        return None
    if label in ("PD", "NS") and x.pm is not None and x.pm.log_form is not None and \
            not x.pm.log_form.is_reliable():
        return None   # never a PD / NS from unreliable multipliers (issue 15)
    if label == "NS" and not cb.is_genuine_ns(x.mu):
        return None
    if label == "LPC" and _amplitude(x.U) < 0.5 * min(_amplitude(st.U), _amplitude(new.U)):
        # the parameter turns where the amplitude has a minimum near 0: the branch has
        # shrunk onto an equilibrium (a Hopf point) and would retrace itself, not a fold
        label = "H"
    elif label == "LPC" and cb.is_half_period(x.U, x.mesh, system.scheme):
        label = "BPC"  # a doubled branch meeting its parent at a PD: a pitchfork, not a fold
    pp = system.p_of(x.theta, p)
    orbit = Orbit(x.U.copy(), x.mesh.copy(), x.T, pp, system.scheme, x.mu, x.trivial_error)
    if label in ("PD", "LPC", "NS") and POLISH and polish:
        from .starts import polish as polish_point
        exact = polish_point(system.model, label, orbit, system.ipar, system.log,
                             factor=x._jac[0] if x._jac is not None else None)
        if exact is None:
            return None
        U, T, pp, mu, err = exact
        x.U, x.T, x.theta, x.mu, x.trivial_error = U, T, system.theta_of(pp[system.ipar]), mu, err
        x.qz_tests = None
        orbit = Orbit(U.copy(), x.mesh.copy(), T, pp, system.scheme, mu, err)
        ok = True   # the defining system solved (tol 1e-11), whatever the regula falsi's state
    return {"label": label, "theta": x.theta, "param": pp[system.ipar], "T": x.T, "multipliers": x.mu,
            "orbit": orbit, "converged": ok, "iterations": its, "state": x}


def _multiplier_status(system, st, p, history):
    """None, or why st's multipliers cannot be trusted: "approaching_homoclinic" (the period grew
    while the orbit lingers near an equilibrium) or "multipliers_unreliable"
    (:func:`bifkit.continuation.periodic_schur.cycle_status`; issue 15)."""
    if st.pm is None or st.pm.log_form is None:
        return None   # QZ's multipliers were trusted (floquet.PointMultipliers.status)
    from ..periodic_schur import speed_ratio
    periods = [h[2] for h in history[-5:]] + [st.T]
    return st.pm.status(periods, lambda: speed_ratio(system.k.f, st.U, system.p_of(st.theta, p)))


def _test_values(state, labels):
    """Test-function values at a state (as :func:`cycle_bifs.test_values`, compiled PD/NS;
    from the log-form multipliers where QZ was unsure, :class:`floquet.PointMultipliers`)."""
    out = {}
    if "LPC" in labels:
        out["LPC"] = float(state.ttheta)
    if "BPC" in labels:
        out["BPC"] = _bpc_test(state)
    if "PD" in labels or "NS" in labels:
        if state.qz_tests is not None:
            pd, ns = state.qz_tests[:2]
        else:
            pd, ns = state.pm.tests() if state.pm is not None else fq.cycle_tests(state.mu)
        if "PD" in labels:
            out["PD"] = pd
        if "NS" in labels:
            out["NS"] = ns
    return out


def _bpc_test(state):
    """Re prod (mu_i - 1) over the nontrivial multipliers: changes sign where a real
    multiplier crosses +1 (a fold of cycles or a branch point of cycles, told apart by
    the LPC test on the same step).  NaN (no BPC taken on a step with a NaN end) where
    the trivial multiplier is not resolved to :data:`BPC_TRIVIAL_TOL`: a nontrivial
    multiplier near 1 cannot be told from it there (Lorenz near its homoclinic orbit,
    trivial error 2.5e-5, gave a false BPC)."""
    if state.mu is None or not state.trivial_error <= BPC_TRIVIAL_TOL or \
            (state.pm is not None and state.pm.log_form is not None):
        return math.nan
    if state.qz_tests is not None:
        return state.qz_tests[2]
    return fq.bpc_test(np.asarray(state.mu, dtype=np.complex128))


def _deviation(state, scheme):
    """(mean, rms amplitude) of a state's orbit (compiled; cached on the state)."""
    if state.dev is None:
        state.dev = orbit_deviation(state.U, _weights1(state.mesh, scheme))
    return state.dev


def _antisymmetric(state, scheme):
    """u(t) - u(t + 1/2) of a state's orbit (cached on the state)."""
    if state.anti is None:
        state.anti = reconnect.antisymmetric_part(state.U, state.mesh, scheme)
    return state.anti


def _rejoin(corr, system, st, new, ds, p):
    """The "BPC" record where the doubled branch st -> new went through its parent, or None.

    The step passed through an orbit that is its own half-period shift when the
    antisymmetric parts of st and new are anti-correlated (:mod:`.reconnect`).
    The parent's PD is polished from the end of the step nearer the parent;
    if that fails, from the zero of the correlation located on the step.
    """
    sch = system.scheme
    w = _weights(st.mesh, sch, st.U.shape[1])
    d_a, d_b = _antisymmetric(st, sch), _antisymmetric(new, sch)
    g_b = reconnect.correlation(d_a, d_b, w)
    if not g_b < 0.0:
        return None
    g_a = reconnect.correlation(d_a, d_a, w)
    near = st if g_a <= reconnect.correlation(d_b, d_b, w) else new
    rec = reconnect.rejoin_record(system, near, p, 0, True)
    if rec["converged"]:
        return rec

    def evaluate(s):
        x = corr.correct(st, st.U + s * st.tU, st.T + s * st.tT, st.theta + s * st.ttheta,
                         st.tU, st.tT, st.ttheta, p)
        if x is None:
            return None, None
        return x, reconnect.correlation(d_a, _antisymmetric(x, sch), w)

    x, ok, its = reconnect.locate(evaluate, g_a, g_b, ds)
    if x is None:
        return rec
    located = reconnect.rejoin_record(system, x, p, its, ok)
    return located if located["converged"] or not ok else rec


def _hopf_arrival(system, p, st, new, history, signed=True):
    """Special point "H" where the branch st -> new reaches an equilibrium (amplitude 0).

    The parameter is first extrapolated from the last points' (parameter,
    amplitude) (:func:`cycle_bifs.extrapolate_hopf_param`; ``signed``: ``new``
    lies past a = 0), then located as the Hopf point of the equilibrium near
    the smaller orbit's mean (:func:`cycle_bifs.locate_hopf_on_equilibrium`,
    Re lambda = 0 by secant).  The record carries the equilibrium as a
    constant orbit, the period 2 pi / omega and the multipliers
    exp(lambda_i T) of the equilibrium.  If that location fails, the
    extrapolated parameter is reported with ``converged`` False.
    """
    from . import bifs as cb
    sch, ipar = system.scheme, system.ipar
    p_new = system.p_of(new.theta, p)[ipar]
    _, a_new = _deviation(new, sch)
    hist = history[-2:] + [(p_new, -a_new if signed else a_new, new.T)]
    params = [h[0] for h in hist]
    amps = [h[1] for h in hist]
    # signed: new is past a = 0; else new is the located turn, where p = p_H + O(a^2)
    p_est = cb.extrapolate_hopf_param(params, amps) if signed else p_new
    T_est = cb.extrapolate_hopf_param([h[2] for h in hist], amps) if signed else new.T
    near = new if a_new <= _deviation(st, sch)[1] else st
    p_near = system.p_of(near.theta, p)[ipar]
    x_mean = _deviation(near, sch)[0]
    if system.log and not p_est > 0.0:
        p_est = p_near
    p_b = p_est if p_est != p_near else p_near * (1.0 + 1e-6) + 1e-12
    found = cb.locate_hopf_on_equilibrium(system.k, x_mean, system.p_of(near.theta, p), ipar,
                                          p_near, p_b, 2.0 * math.pi / T_est)
    # the secant must stay near the extrapolation (within the spread of the fitted
    # points): a root of Re lambda far away would be another Hopf point of the equilibrium
    spread = max(max(params) - min(params), abs(p_est - p_near), 1e-9 * (1.0 + abs(p_est)))
    if found is not None and abs(found["param"] - p_est) <= spread and \
            (found["param"] > 0.0 or not system.log):
        pH, x, T, its, ok = (found["param"], found["x"], 2.0 * math.pi / found["omega"],
                             found["iterations"], found["converged"])
        mu = np.exp(found["eigenvalues"] * T)
        mu = mu[np.argsort(-np.abs(mu), kind="stable")]
        err = float(np.min(np.abs(mu - 1.0)))
    else:
        pH, x, T, its, ok = p_est, x_mean, T_est, 0, False
        mu, err = np.full(len(x_mean), np.nan + 0j), np.nan
    pp = system.p_of(near.theta, p)
    pp[ipar] = pH
    U = np.repeat(np.asarray(x, float)[None, :], len(new.U), axis=0)
    state = State(U, T, system.theta_of(pH), new.mesh)
    state.mu, state.trivial_error = mu, err
    orbit = Orbit(U.copy(), new.mesh.copy(), T, pp, sch, mu, err)
    return {"label": "H", "theta": state.theta, "param": pH, "T": T, "multipliers": mu,
            "orbit": orbit, "converged": ok, "iterations": its, "state": state}


def _hopf_stop_reason(h):
    return (f"the cycle shrank to an equilibrium at a Hopf point (parameter {h['param']:.10g}, "
            f"period {h['T']:.8g})")


def _amplitude(U):
    """Largest peak-to-peak range of the components of an orbit (reduceat: ~5x faster than
    U.max(axis=0) on these (nodes, n) arrays, same values)."""
    return float(np.max(np.maximum.reduceat(U, _FIRST)[0] - np.minimum.reduceat(U, _FIRST)[0]))


_FIRST = np.zeros(1, dtype=np.intp)


def hopf_state(system, x0, p, omega, q, ntst, T_scale=None):
    """Start state at a Hopf point: the constant orbit x0 and the tangent Re(q e^(2 pi i t)).

    Returns (state, phase_ref): the tangent's U part is the phase reference of
    the first step (Doedel et al. 1991, sec. 5: the branch of cycles leaves the
    equilibrium along the critical eigenfunction, with T and the parameter
    stationary to first order).
    """
    sch = system.scheme
    mesh = co.uniform_mesh(ntst)
    tn = co.node_times(mesh, sch)
    q = np.asarray(q, complex)
    q = q / q[np.argmax(np.abs(q))]
    tU = np.real(q[None, :] * np.exp(2j * np.pi * tn)[:, None])
    nrm = math.sqrt(np.sum(_weights(mesh, sch, len(x0)) * tU * tU))
    U = np.repeat(np.asarray(x0, float)[None, :], len(tn), axis=0)
    st = State(U, 2 * np.pi / omega, system.theta_of(p[system.ipar]), mesh)
    st.tU, st.tT, st.ttheta = tU / nrm, 0.0, 0.0
    return st, tU / nrm


def pd_switch_state(system, x, p):
    """Start state on the period-doubled branch at a located PD state ``x``.

    The orbit is traversed twice on the doubled mesh (period 2T); the tangent is
    the antiperiodic extension (v, -v) of the multiplier -1 eigenfunction
    (Kuznetsov 2004, sec. 10.3.3; Doedel et al. 1991, sec. 6).  Returns
    (state, phase_ref).
    """
    from . import bifs as cb
    sch = system.scheme
    n = x.U.shape[1]
    Jblk = system.jacobian(x.U, x.T, system.p_of(x.theta, p), x.mesh)[0]
    V = cb.pd_eigenfunction(Jblk, n)
    U2, mesh2 = mesh_mod.double_period(x.U, x.mesh, sch)
    V2 = np.concatenate((V[:-1], -V[:-1], -V[-1:]))
    nrm = math.sqrt(np.sum(_weights(mesh2, sch, n) * V2 * V2))
    st = State(U2, 2 * x.T, x.theta, mesh2)
    st.tU, st.tT, st.ttheta = V2 / nrm, 0.0, 0.0
    return st, U2
