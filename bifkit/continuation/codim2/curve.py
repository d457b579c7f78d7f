"""LP-C, H-C and NF-C: fold, Hopf and node/focus curves in two parameters.

Minimally augmented (bordered) defining systems continued by pseudo-arclength;
the whole predictor-corrector loop, the test functions and l1 run compiled
(:mod:`bifkit.continuation.codim2.core`).  Codimension-two points detected and
located on the way:

=====  =========================================================================
LP-C   BT (a second zero eigenvalue: w.v = 0), CP (cusp: a = p.B(q,q)/2 = 0),
       ZH (a pair +-i omega among the other eigenvalues)
H-C    GH (Bautin: l1 = 0), BT (omega -> 0; the Hopf curve ends there),
       ZH (a real eigenvalue crosses 0), HH (a second pair on the imaginary axis)
NF-C   BT (the double eigenvalue reaches 0)
=====  =========================================================================

Per-point data (``branch.data``): H-C ``l1``, ``omega``, ``kappa`` and
``equilibrium_stable``; LP-C ``a``; NF-C ``mu``.  On H-C ``branch.stable`` is
``l1 < 0`` (supercritical points: plots draw them solid, subcritical dashed).
"""
from __future__ import annotations

import logging
import math
import warnings
import numpy as np

from ...errors import ConvergenceError
from . import core
from .. import driver
from .. import events as ev_mod
from ..options import check_start_in_bounds
from .. import degeneracy as dg
from ..jets import JetRHS
from ...binding import addresses
from ..branch import Branch, SpecialPoint

log = logging.getLogger("bifkit.continuation.codim2.curve")
FD_DIMENSION = 16  # above it (or for kernel-defined models) dJ/dx by differences of jac
KINDS = {"LP-C": core.LP, "H-C": core.HOPF, "NF-C": core.NF}
# test-function columns of each curve (see core.point_tests)
LABELS = {core.LP: ("BT", "CP", "ZH"), core.HOPF: ("BT", "ZH", "GH", "HH"), core.NF: ("BT",)}
#: normal-form data of codim-2 points (l2 at GH, a, b at BT, the cusp test) from sympy
#: derivative tensors up to order 5 only for models this small (real states); larger or
#: complex-valued symbolic models get l2 at GH from truncated series (jets.py)
MAX_SYMBOLIC_STATES = 8
DATA_NAMES = {core.LP: ("a",), core.HOPF: ("l1", "omega", "kappa"), core.NF: ("mu",)}
_STATUS = {core.MAX_POINTS: ("max_points", "max_points ({max_points}) reached"),
           core.BOUND: ("bound", "parameter bound reached"),
           core.MIN_STEP: ("step_underflow", "corrector failed at the minimum step "
                           "ds_min={ds_min}"),
           core.CLOSED: ("closed_loop", "closed curve: returned to the start point"),
           core.BT_END: ("reached_end_point",
                         "Bogdanov-Takens point: the Hopf curve ends (omega -> 0)"),
           core.NOT_FINITE: ("diverged", "non-finite values (NaN/inf) in the model")}


#: a located zero of l1 is a Bautin point (a root) when |l1| there is below this fraction of
#: the larger |l1| at the step's two ends; at a pole of l1 (where a real eigenvalue passes 0,
#: ZH, or 2 i omega is an eigenvalue) the secant closes in on the pole and |l1| there exceeds
#: both ends.  A fraction, not a tolerance near 0: l1 of a model without a symbolic form comes
#: from finite differences and jitters along the curve (on the shot-noise chain at M = 64 the
#: located zero had |l1| = 4e-7, and l1 there by numpy's eigenvectors differs by 3.5e-6;
#: the earlier test, |l1| <= 1e-4 of the smaller end = 9e-9, dropped that genuine GH at
#: K = 209.35, i0 = 9.94e-4: tests/test_engine_chain_gh.py)
GH_ROOT_FRACTION = 0.1


#: points of the first chunk of a run with ``stop_at`` (then doubled per chunk up to
#: STOP_CHUNK_MAX): a stop after k points costs at most ~2k + STOP_CHUNK points
STOP_CHUNK, STOP_CHUNK_MAX = 16, 256


#: SymbolicDerivatives per symbolic model (its tensors are built once, or loaded from the
#: disk cache: 0.66 s / 0.01 s for the E-I model's orders 1-5), shared by the curves of one
#: model and its with_params copies
_DERIVS: dict = {}


class _Curve:
    """The problem: model kernels, curve kind, free parameters and their scaling."""

    def __init__(self, model, curve, free, log_params):
        self.model = model
        self.curve = curve
        self.kind = KINDS[curve]
        self.free = list(free)
        self.n = model.n
        self.idx = np.array([model.param_index(k) for k in free], dtype=np.int64)
        # flags: log10 of each free parameter, then "differentiate J by differences"
        fd = model.symbolic is None or model.n > FD_DIMENSION
        self.logf = np.array([k in log_params for k in free] + [fd], dtype=np.int64)
        self.p0 = np.array(model.p, dtype=float)  # writeable: the kernels' signature
        self.kernels = (addresses(model.compiled),)
        self.problem = (self.kind, self.p0, self.idx, self.logf)
        self.N = self.n + 2 + (0 if self.kind == core.LP else 1)
        self._derivs = None
        self._jets = None       # jets.JetRHS, built at the first GH without tensors

    @property
    def derivs(self):
        """Exact derivative tensors (degeneracy.SymbolicDerivatives), or None without sympy
        for models with more than :data:`MAX_SYMBOLIC_STATES` real states (the tensors
        of order k have n^(k+1) entries: the shot-noise chain's 128 states would take hours),
        and for complex-valued models (splitting their rows into real and imaginary parts
        symbolically, sympy's expand_complex, takes minutes for the 2CC reductions).
        Their GH points get l2 from :class:`bifkit.continuation.jets.JetRHS` instead
        (no tensors, no symbolic split; see :func:`_jet_l2`)."""
        if self._derivs is None and (len(self.model.state_names) > MAX_SYMBOLIC_STATES
                                     or self.model.complex_states):
            return None
        sym = self.model.symbolic
        if self._derivs is None and sym is not None:
            hit = _DERIVS.get(id(sym))
            if hit is None or hit[0] is not sym:     # (the entry keeps sym: no id reuse)
                if len(_DERIVS) >= 8:
                    _DERIVS.pop(next(iter(_DERIVS)))
                hit = _DERIVS[id(sym)] = (sym, dg.SymbolicDerivatives(self.model))
            self._derivs = hit[1]
        return self._derivs


    def s_of(self, j, value):
        return math.log10(value) if self.logf[j] else float(value)

    def value(self, j, s):
        return 10.0 ** s if self.logf[j] else s

    def params(self, y):
        p = self.p0.copy()
        for j in range(2):
            p[self.idx[j]] = self.value(j, y[self.n + j])
        return p

    def evaluate(self, y, Bb, Cb, sel):
        return core.evaluate(*self.kernels, *self.problem, np.ascontiguousarray(y), Bb, Cb, sel)


def continue_codim2_curve(model, curve, start, free, opts) -> Branch:
    """Continue a fold (LP-C), Hopf (H-C) or node/focus (NF-C) curve in two parameters.

    Parameters
    ----------
    model : Model
    curve : {"LP-C", "H-C", "NF-C"}
    start : SpecialPoint, dict
        An LP / H / NF point of an EP-C branch (or any point with ``.state``
        and ``.params``), ``branch.point(i)``, or a state dict close to the
        curve (parameters from ``model``).
    free : list of two str
    opts : ContinuationOptions
        ``ds``, ``ds_min``, ``ds_max`` are arclength steps in (state, free
        parameters) with log10 for parameters in ``log_params``; ``detect``
        the labels to locate (default: all of the curve); ``stop_at_bt`` ends
        H-C at a BT point (beyond it the system continues as a curve of
        neutral saddles); ``user_points`` ({free parameter: [values]}) labels
        the points where a free parameter takes those values "UZ" (AUTO's UZR).

    Returns
    -------
    Branch
    """
    check_start_in_bounds(model, start, free, opts.bounds)
    return driver.continue_curve(Codim2Curve(model, curve, start, free, opts), opts)


class Codim2Curve:
    """LP-C, H-C or NF-C as a curve type of :mod:`..driver`: the start on the curve, the
    compiled loop (:func:`.core.run`), location of the codimension-two points and the Branch."""

    @classmethod
    def for_request(cls, model, curve, start, free, opts):
        """The curve of ``bifkit.continuation(model, curve, start, free, ...)``."""
        return cls(model, curve, start, free, opts)

    def __init__(self, model, curve, start, free, opts):
        if curve not in KINDS:
            raise ValueError(f"curve must be one of {sorted(KINDS)}; got {curve!r}")
        if len(free) != 2 or free[0] == free[1]:
            raise ValueError(f"{curve} needs two different free parameters; got {free}")
        label = getattr(start, "label", None)
        if label in _EQUILIBRIUM_LABELS and label not in START_LABELS[curve]:
            raise ValueError(f"{curve} cannot start from a {label!r} point: start it from one "
                             f"of {', '.join(START_LABELS[curve])} (e.g. branch.special_points"
                             f"({START_LABELS[curve][0]!r}))")
        model, state, start_data = _resolve_start(model, start)
        if not model.is_autonomous():
            raise ValueError(f"model {model.name!r} is periodically forced; {curve} needs an "
                             f"autonomous system")
        prob = self.prob = _Curve(model, curve, free, opts.log_params)
        self.title, self.opts = f"{curve} {free}", opts
        self.lo, self.hi = lo, hi = np.empty(2), np.empty(2)
        for j, name in enumerate(free):
            # (low < high: ContinuationOptions; the start inside: options.check_start_in_bounds)
            b_lo, b_hi = opts.bounds.get(name, (-math.inf, math.inf))
            v = model.params[name]
            if prob.logf[j]:
                if v <= 0:
                    raise ValueError(f"log continuation needs {name} > 0; got {v}")
                lo[j] = math.log10(b_lo) if b_lo > 0 else -math.inf
                hi[j] = math.log10(b_hi) if math.isfinite(b_hi) else math.inf
            else:
                lo[j], hi[j] = b_lo, b_hi
        self.y0, self.Bb, self.Cb, self.sel = _initial_point(prob, model.pack(state),
                                                             start_data, opts)
        _check_start_moved(prob, self.y0, curve)
        self.t0 = _initial_tangent(prob, self.y0, self.Bb, self.Cb, self.sel)

    def run_direction(self, sign, opts):
        """The compiled loop from the start along sign * tangent (with ``stop_at``: in
        chunks, ending after the first step over which a stop event changes sign)."""
        t0 = np.ascontiguousarray(sign * self.t0)
        if opts.stop_at:
            out = self._run_to_stop(sign, t0, opts)
        else:
            out = self._core_run(self.y0, t0, self.Bb, self.Cb, self.sel, float(opts.step),
                                 int(opts.max_points), opts)
        Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL, m, code = out[:12]
        status, message = _STATUS[int(code)]
        message = message.format(max_points=opts.max_points, ds_min=opts.ds_min)
        if code == core.MIN_STEP and m >= 1:
            message += _rounding_diagnosis(self.prob, Y[m - 1], T[m - 1], BB[m - 1],
                                           CB[m - 1], SEL[m - 1], opts)
        arrays = dict(Y=Y, T=T, DATA=DATA, EV=EV, STABLE=STABLE, BB=BB, CB=CB, SEL=SEL,
                      code=int(code))
        return driver.Run(sign, int(m), status, message, TESTS, DS, arrays)

    def _core_run(self, y0, t0, Bb, Cb, sel, ds, max_points, opts):
        """:func:`.core.run` from y0 along t0 (a point on the curve) for max_points points."""
        prob = self.prob
        return core.run(*prob.kernels, *prob.problem, np.ascontiguousarray(y0),
                        np.ascontiguousarray(t0), np.ascontiguousarray(Bb),
                        np.ascontiguousarray(Cb), np.ascontiguousarray(sel), ds,
                        float(opts.ds_min), float(opts.ds_max), max_points, float(opts.tol),
                        int(opts.max_iter), np.ascontiguousarray(self.lo),
                        np.ascontiguousarray(self.hi), int(opts.stop_at_bt))

    def _run_to_stop(self, sign, t0, opts):
        """The compiled loop in chunks of points, with the ``stop_at`` events evaluated on
        each finished chunk: the run ends after the first step over which a stop event
        changes sign and its zero can be located there (the driver then locates it again,
        with the same code, and cuts the run at it), so that a stop early on a long curve
        costs the points up to it, not the whole curve (issue 14).

        Each chunk restarts the compiled loop from the last point, its tangent, borders and
        the step that led to it (the loop's step growth restarts from there); a closed curve
        is recognised across chunks by :func:`_closes`, the loop's own test against the
        direction's start point.  Returns the arrays of :func:`.core.run` for all chunks.
        """
        prob, events = self.prob, list(opts.stop_at)
        max_points = int(opts.max_points)
        out = self._core_run(self.y0, t0, self.Bb, self.Cb, self.sel, float(opts.step),
                             min(STOP_CHUNK, max_points), opts)
        parts, m, code = [[a[:out[10]] for a in out[:10]]], int(out[10]), int(out[11])
        g_prev = ev_mod.values_at(events, _event_point(prob, out[0][0], out[1][0]))
        first, chunk, arc = 0, STOP_CHUNK, 0.0
        while True:
            closed = None
            if first > 0:
                closed, arc = _closes(parts, first, prob.n + 2, arc)
            elif code == core.MAX_POINTS:
                arc = _arc(parts[0][0], prob.n + 2)
            Y, T = parts[-1][0], parts[-1][1]
            end = len(Y) if closed is None else closed - first + 1
            for i in range(1 if first == 0 else 0, end):
                g_new = ev_mod.values_at(events, _event_point(prob, Y[i], T[i]))
                if self._stop_between(parts, first + i - 1, events, g_prev, g_new):
                    return _joined(parts, first + i + 1, core.MAX_POINTS)
                g_prev = g_new
            if closed is not None:
                return _joined(parts, closed + 1, core.CLOSED)
            if code != core.MAX_POINTS or m >= max_points:
                return _joined(parts, m, code)
            # the next chunk from the last point (its row is not repeated)
            last = [a[-1] for a in parts[-1]]
            y, t, ds, Bb, Cb, sel = last[0], last[1], float(last[6]), last[7], last[8], last[9]
            chunk = min(2 * chunk, STOP_CHUNK_MAX)
            out = self._core_run(y, t, Bb, Cb, sel, ds, min(chunk, max_points - m) + 1, opts)
            first, k, code = m, int(out[10]), int(out[11])
            parts.append([a[1:k] for a in out[:10]])
            m += k - 1

    def _stop_between(self, parts, i, events, g_prev, g_new):
        """True if a stop event changes sign between points i and i + 1 and its zero is
        located on that step (the driver's :func:`.events.scan_steps` locates it the same way)."""
        changed = [j for j, (a, b) in enumerate(zip(g_prev, g_new))
                   if math.isfinite(a) and math.isfinite(b) and a * b < 0]
        if not changed:
            return False
        arrays = _joined(parts, i + 2, core.MAX_POINTS)
        run = driver.Run(1, i + 2, "max_points", "", arrays[2], arrays[6],
                         dict(Y=arrays[0], T=arrays[1], BB=arrays[7], CB=arrays[8],
                              SEL=arrays[9]))
        for j in changed:
            def g_of(h, event=events[j]):
                out = self.trial(run, i, h)
                return None if out is None else (ev_mod.evaluate(event, out[1]), out[0])
            loc, _ = ev_mod.locate_zero(g_of, run.ds[i + 1], g_prev[j], g_new[j])
            if loc is not None:
                return True
        return False

    @staticmethod
    def _ctx(run):
        a = run.arrays
        return a["Y"], a["T"], run.tests, run.ds, a["BB"], a["CB"], a["SEL"]

    def event_point(self, run, i):
        return _event_point(self.prob, run.arrays["Y"][i], run.arrays["T"][i])

    def trial(self, run, i, h):
        prob, (Y, T, _, _, BB, CB, SEL) = self.prob, self._ctx(run)
        y, ok = core.correct_point(*prob.kernels, *prob.problem, Y[i] + h * T[i], T[i],
                                   BB[i], CB[i], SEL[i], -1, 0.0, float(self.opts.tol),
                                   int(self.opts.max_iter))
        if not ok:
            return None
        tn = core.point_info(*prob.kernels, *prob.problem, y, T[i], BB[i], CB[i], SEL[i])[3]
        return (y, h), _event_point(prob, y, tn)

    def special(self, run, label, loc, i, converged):
        return _special(self.prob, label, loc[0], i, self._ctx(run), converged)

    def cut(self, run, i, loc):
        prob, a = self.prob, run.arrays
        y, h = loc
        a["Y"][i + 1], run.ds[i + 1] = y, h
        (a["BB"][i + 1], a["CB"][i + 1], a["SEL"][i + 1], a["T"][i + 1], run.tests[i + 1],
         a["DATA"][i + 1], a["EV"][i + 1], a["STABLE"][i + 1]) = core.point_info(
            *prob.kernels, *prob.problem, y, a["T"][i], a["BB"][i], a["CB"][i], a["SEL"][i])
        a["code"] = core.MAX_POINTS   # (not a BT end nor a closed curve)

    def scanned(self, run, opts):
        labels = LABELS[self.prob.kind]
        detect = labels if opts.detect is None else tuple(opts.detect)
        bt_end = run.arrays["code"] == core.BT_END
        return [(label, col) for col, label in enumerate(labels)
                if label in detect or (label == "BT" and bt_end)]

    def locate(self, run, label, col, i):
        return _locate(self.prob, label, col, i, self._ctx(run), self.opts)

    def finish(self, run, opts):
        """UZ points of ``user_points``; at a BT end the last point becomes the BT point."""
        prob, m, a = self.prob, run.m, run.arrays
        run.special += _user_points(prob, self._ctx(run), m, opts)
        if prob.kind == core.HOPF and opts.stop_at_bt and m > 1 and run.tests[m - 1, 0] <= 0 \
                and a["code"] == core.BOUND:
            a["code"] = core.BT_END  # landed on a bound beyond BT
            run.status, run.message = _STATUS[core.BT_END]
        if a["code"] == core.BT_END:
            # replace the last point (beyond BT, omega imaginary) by the located BT point
            bt = [s for s in run.special if s.label == "BT" and s.index == m - 2]
            if bt:
                y, tests, data, ev, st = bt[0]._y
                a["Y"][m - 1], run.tests[m - 1], a["DATA"][m - 1] = y, tests, data
                a["EV"][m - 1], a["STABLE"][m - 1] = ev, st
            else:
                run.m -= 1
                run.special = [s for s in run.special if s.index < m - 2]
        for s in run.special:
            del s._y

    def rows(self, run):
        m = run.m
        return {k: run.arrays[k][:m] for k in ("Y", "DATA", "EV", "STABLE")}

    def branch(self, rows, special, status, message, opts):
        prob = self.prob
        Y, DA, ST = rows["Y"], rows["DATA"], rows["STABLE"]
        model, n = prob.model, prob.n
        P = np.tile(model.p, (len(Y), 1))
        for j in range(2):
            P[:, prob.idx[j]] = 10.0 ** Y[:, n + j] if prob.logf[j] else Y[:, n + j]
        per_point = {k: DA[:, c] for c, k in enumerate(DATA_NAMES[prob.kind])}
        stable_flag = ST
        if prob.kind == core.HOPF:
            per_point["equilibrium_stable"] = ST
            stable_flag = DA[:, 0] < 0  # supercritical points (plotted solid)
        return Branch(model, prob.curve, prob.free, Y[:, :n], P, rows["EV"], special,
                      opts.record(), stop_reason=message, data=per_point, stable=stable_flag,
                      status=status)


def _joined(parts, m, code):
    """The arrays of :func:`.core.run` (Y, T, TESTS, DATA, EV, STABLE, DS, BB, CB, SEL) of
    the chunks ``parts`` joined, cut to m points, then m and the status code."""
    arrays = [np.concatenate([p[k] for p in parts])[:m] for k in range(10)]
    return (*arrays, m, code)


def _wdot(a, b, nw):
    """Dot product over the first nw components (the arclength weights of :mod:`.core`)."""
    return float(np.dot(a[..., :nw].ravel(), b[..., :nw].ravel()))


def _arc(Y, nw):
    """Arclength of the polygon through the points Y (first nw components)."""
    d = np.diff(Y[:, :nw], axis=0)
    return float(np.sum(np.sqrt(np.einsum("ij,ij->i", d, d))))


def _closes(parts, first, nw, arc):
    """The closed-curve test of the compiled loop (:func:`.core.run`) on the points of the
    last chunk (from index ``first``), against the direction's start point.

    Returns (index of the point that closes the curve or None, arclength so far).  The
    closing point is replaced by the start point as the loop does it.
    """
    Y0, T0 = parts[0][0][0], parts[0][1][0]
    prev = parts[-2][0][-1]
    Yc, Tc = parts[-1][0], parts[-1][1]
    for i in range(len(Yc)):
        y, seg = Yc[i], Yc[i] - prev
        seglen2 = _wdot(seg, seg, nw)
        arc += math.sqrt(seglen2)
        if arc > 4.0 * math.sqrt(seglen2) and _wdot(Tc[i], T0, nw) > 0.5 and seglen2 > 0:
            d0 = Y0 - prev
            tau = _wdot(d0, seg, nw) / seglen2
            perp = d0 - tau * seg
            if 0.0 < tau <= 1.0 and _wdot(perp, perp, nw) <= 0.01 * seglen2:
                for k in (0, 1, 2, 3, 4, 5, 7, 8, 9):   # close exactly, as the loop does
                    parts[-1][k][i] = parts[0][k][0]     # (all but the step DS)
                return first + i, arc
        prev = y
    return None, arc


#: Newton iterations of :func:`_newton_noise` at the last point
ROUNDING_ITERATIONS = 6


def _newton_noise(prob, y, t, Bb, Cb, sel, iterations=ROUNDING_ITERATIONS):
    """(median relative Newton step, largest residual) of Newton on the curve's system from
    the already corrected point y (arclength plane through y, normal t).

    At a point that satisfies the equations to rounding, each step is the rounding of F
    amplified by the conditioning of the bordered Jacobian: the accuracy to which these
    equations determine the curve in double precision there.
    """
    n, steps, res = prob.n, [], 0.0
    nw = n + 2
    row = np.zeros(y.size)
    row[:nw] = t[:nw]
    for _ in range(iterations):
        F, DF, _, _ = prob.evaluate(y, Bb, Cb, sel)
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(DF))):
            return math.inf, math.inf
        res = max(res, float(np.max(np.abs(F))))
        dy = np.linalg.solve(np.vstack([DF, row]), np.append(-F, 0.0))
        y = y + dy
        steps.append(float(np.max(np.abs(dy[:nw]) / (1.0 + np.abs(y[:nw])))))
    return float(np.median(steps)), res


def _rounding_diagnosis(prob, y, t, Bb, Cb, sel, opts):
    """The cause and remedy of a step underflow where the corrector stalls at rounding level.

    The compiled corrector accepts a point when its relative Newton step falls below
    ``tol`` (or stagnates within 100 tol).  Where the equations' rounding, amplified by an
    ill-conditioned system, is larger (the diffusion chain's Hopf curve at K ~ 1e5, M = 64:
    steps ~1e-7 on a residual ~5e-11, cond ~1e9), no step is small enough and the run
    ends with "step_underflow" whatever the step size.  This measures the Newton steps at
    the last accepted point (:func:`_newton_noise`) and, if they exceed 100 tol, says so
    and names the tolerance that accepts them (three times the measured level, up to a power of
    ten).  Returns "" when the cause is something else.
    """
    try:
        noise, res = _newton_noise(prob, np.array(y, float), t, Bb, Cb, sel)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return ""
    if not (math.isfinite(noise) and noise > 100.0 * opts.tol):
        return ""
    fix = 10.0 ** math.ceil(math.log10(3.0 * noise))
    p = prob.params(y)
    where = ", ".join(f"{k} = {p[prob.idx[j]]:.6g}" for j, k in enumerate(prob.free))
    return (f" (the corrector stalls at rounding level at {where}: Newton steps at the last "
            f"point stay ~{noise:.1g} relative on a residual {res:.1g}, above tol = "
            f"{opts.tol:g}; these equations fix the curve only that well there in double "
            f"precision: rerun with tol={fix:g})")


# --------------------------------------------------------------------------- #
# Start                                                                        #
# --------------------------------------------------------------------------- #
#: labels of equilibrium special points, and those each curve can start from
_EQUILIBRIUM_LABELS = ("LP", "H", "BP", "NF", "BT", "CP", "GH", "ZH", "HH")
START_LABELS = {"LP-C": ("LP", "BT", "CP", "ZH"), "H-C": ("H", "BT", "GH", "ZH", "HH"),
                "NF-C": ("NF", "BT")}
#: a move of a free parameter (relative to max(|value|, 0.01)) from the given start to the
#: located start beyond which the user is warned: Newton may have jumped to a far part of
#: the curve (a rough start is allowed: Gauss-Newton from a far start is documented)
START_MOVE_WARN = 0.1


def _check_start_moved(prob, y0, curve):
    """Warn if Newton carried a free parameter far from the given start."""
    for j, name in enumerate(prob.free):
        v0, v = prob.model.params[name], prob.value(j, y0[prob.n + j])
        if abs(v - v0) > START_MOVE_WARN * max(abs(v0), 1e-2):
            warnings.warn(f"{curve} start: Newton moved {name} from {v0:.6g} to {v:.6g}; the "
                          f"curve starts far from the given point (start from a located "
                          f"special point of an EP-C branch to start where you are)",
                          stacklevel=4)


def _resolve_start(model, start):
    """(model with the start's parameters, state, start data) from any accepted start."""
    if hasattr(start, "params") and hasattr(start, "state"):
        return model.with_params(**start.params), start.state, dict(getattr(start, "data", {}))
    if isinstance(start, dict) and set(start) == {"state", "params"}:
        state = start["state"]
        m = model.with_params(**start["params"])
        if isinstance(state, dict) and set(state) == set(m.state_names) != set(m.states):
            state = np.array([state[k] for k in m.state_names])
        return m, state, {}
    if isinstance(start, dict) or isinstance(start, (list, tuple, np.ndarray)):
        return model, start, {}
    raise ValueError(f"start must be a special point, a branch point or a state dict; "
                     f"got {type(start).__name__}")


def _initial_point(prob, x0, start_data, opts):
    """The start on the curve (Gauss-Newton, minimum-norm steps), borders and G pair."""
    model, n, kind = prob.model, prob.n, prob.kind
    y = np.empty(prob.N)
    y[:n] = x0
    for j, name in enumerate(prob.free):
        y[n + j] = prob.s_of(j, model.params[name])
    J = model.compiled.jac(0.0, np.ascontiguousarray(x0), prob.p0)
    if not np.all(np.isfinite(J)):
        raise ValueError(f"the Jacobian of {model.name!r} is not finite at the start point")
    ev = np.linalg.eigvals(J)
    if kind == core.HOPF:
        if "omega" in start_data and np.isfinite(start_data["omega"]):
            y[n + 2] = start_data["omega"] ** 2
        else:
            cplx = ev[ev.imag > 1e-12 * (1 + np.abs(ev))]
            if cplx.size == 0:
                raise ValueError("H-C start: the Jacobian has no complex pair of eigenvalues "
                                 "(start from a Hopf point, e.g. branch.special_points('H'))")
            y[n + 2] = cplx[np.argmin(np.abs(cplx.real))].imag ** 2
    elif kind == core.NF:
        lead = ev[np.argsort(-ev.real, kind="stable")]
        if lead.size < 2:
            raise ValueError("NF-C needs at least two state variables")
        y[n + 2] = 0.5 * (lead[0].real + lead[1].real)
    m = 1 if kind == core.LP else 2
    Bb, Cb = _svd_borders(prob, y, J, m)
    sel = _best_pair(prob, y, Bb, Cb)
    for it in range(4 * opts.max_iter):
        F, DF, _, _ = prob.evaluate(y, Bb, Cb, sel)
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(DF))):
            raise ConvergenceError(f"{prob.curve} start: non-finite defining system "
                                   f"at iteration {it}")
        dy = np.linalg.lstsq(DF, -F, rcond=None)[0]
        y = y + dy
        if np.all(np.abs(dy) <= opts.tol * (1 + np.abs(y))):
            break
        if it % 3 == 2:  # refresh the borders on the way (a far start)
            Bb, Cb = _svd_borders(prob, y, None, m)
            sel = _best_pair(prob, y, Bb, Cb)
    else:
        F = prob.evaluate(y, Bb, Cb, sel)[0]
        if not np.max(np.abs(F)) <= opts.tol:
            hint = ("start from a located special point of an EP-C branch"
                    if np.max(np.abs(F)) > 1e3 * opts.tol else
                    f"the residual stalls near tol = {opts.tol:g}: the rounding level of these "
                    f"equations here (a large or stiff model): try tol={1e3 * opts.tol:g}")
            raise ConvergenceError(f"{prob.curve} start: Newton did not reach the curve from the "
                                   f"given start (residual {np.max(np.abs(F)):.3g}); {hint}")
        # the steps stagnate at rounding level (large chains) on a residual below tol
        log.debug("%s start: steps stagnated at a residual %.3g <= tol", prob.curve,
                  np.max(np.abs(F)))
    if kind == core.HOPF and not y[n + 2] > 0:
        raise ConvergenceError(f"H-C start converged to kappa = omega^2 = {y[n + 2]:.3g} <= 0: "
                               f"a neutral saddle, not a Hopf point")
    return y, Bb, Cb, sel


def _svd_borders(prob, y, J, m):
    """Borders from the singular vectors of A's smallest singular values."""
    n = prob.n
    if J is None:
        J = prob.model.compiled.jac(0.0, np.ascontiguousarray(y[:n]), prob.params(y))
    if prob.kind == core.LP:
        A = J
    else:
        mu = y[n + 2] if prob.kind == core.NF else 0.0
        kap = y[n + 2] if prob.kind == core.HOPF else 0.0
        M = J - mu * np.eye(n)
        A = M @ M + kap * np.eye(n)
    U, _, Vt = np.linalg.svd(A)
    Bb, Cb = np.zeros((n, 2)), np.zeros((n, 2))
    Bb[:, :m] = U[:, n - m:]
    Cb[:, :m] = Vt[n - m:].T
    return np.ascontiguousarray(Bb), np.ascontiguousarray(Cb)


def _best_pair(prob, y, Bb, Cb):
    """The pair of G entries with the best-conditioned Jacobian (largest smallest singular value)."""
    sel = np.zeros(4, dtype=np.int64)
    if prob.kind == core.LP:
        return sel
    _, _, DFf, dG = prob.evaluate(y, Bb, Cb, sel)
    best, arg = -1.0, None
    for pair in core._PAIRS:
        rows = [dG[2 * pair[0] + pair[1]], dG[2 * pair[2] + pair[3]]]
        rows = [r / (np.linalg.norm(r) or 1.0) for r in rows]
        smin = np.linalg.svd(np.vstack([DFf, *rows]), compute_uv=False)[-1]
        if smin > best:
            best, arg = smin, pair
    return np.ascontiguousarray(arg, dtype=np.int64)


def _initial_tangent(prob, y, Bb, Cb, sel):
    """Unit (weighted) null vector of DF, oriented so that the first free parameter grows."""
    _, DF, _, _ = prob.evaluate(y, Bb, Cb, sel)
    t = np.linalg.svd(DF)[2][-1]
    nw = prob.n + 2
    t = t / np.linalg.norm(t[:nw])
    lead = t[prob.n] if abs(t[prob.n]) > 1e-8 else t[prob.n + 1]
    return np.ascontiguousarray(t * (np.sign(lead) or 1.0))


def _locate(prob, label, col, i, ctx, opts):
    Y, T, TESTS, DS, BB, CB, SEL = ctx
    ga, gb = TESTS[i, col], TESTS[i + 1, col]
    y, found, converged, _ = core.locate(*prob.kernels, *prob.problem, Y[i], T[i], BB[i], CB[i],
                                         SEL[i], float(DS[i + 1]), col, float(ga), float(gb),
                                         float(opts.tol), int(opts.max_iter))
    if label == "BT":   # placed as the zero of a system that is regular at BT
        y, found, converged = _polish_bt(prob, y if found else None, i, col, ctx, found, converged)
    if not found:
        return None
    return _special(prob, label, y, i, ctx, converged,
                    gh_check=max(abs(ga), abs(gb)) if label == "GH" else None, col=col)


def _special(prob, label, y, i, ctx, converged, gh_check=None, col=0):
    """The SpecialPoint at the located y (None when rejected)."""
    Y, T, TESTS, DS, BB, CB, SEL = ctx
    Bn, Cn, seln, tn, tests, data, ev, st = core.point_info(
        *prob.kernels, *prob.problem, y, T[i], BB[i], CB[i], SEL[i])
    if gh_check is not None and not abs(tests[col]) <= GH_ROOT_FRACTION * gh_check:
        return None  # a pole of l1 (a zero eigenvalue: ZH), not a root
    info = _label_data(prob, label, y, ev, tests, data)
    if info is None or not _normal_form_data(prob, label, y, info):
        return None
    model = prob.model
    p = prob.params(y)
    info.update(free={k: float(p[prob.idx[j]]) for j, k in enumerate(prob.free)},
                eigenvalues=[complex(e) for e in ev])
    spt = SpecialPoint(label=label, index=i, state=model.unpack(y[:prob.n]),
                       params=dict(zip(model.param_names, map(float, p))), data=info,
                       converged=bool(converged))
    spt._y = (y, tests, data, ev, st)  # for a BT end (Codim2Curve.finish)
    return spt


def _user_points(prob, ctx, m, opts):
    """UZ points where a free parameter crosses a value of ``opts.user_points``."""
    Y, T, TESTS, DS, BB, CB, SEL = ctx
    out = []
    for name, values in (opts.user_points or {}).items():
        if name not in prob.free:
            raise ValueError(f"user_points name {name!r} is not a free parameter {prob.free}")
        j = prob.free.index(name)
        for v in np.atleast_1d(values):
            s = prob.s_of(j, float(v))
            g = Y[:m, prob.n + j] - s
            for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
                w = g[i] / (g[i] - g[i + 1])
                y, ok = core.correct_point(*prob.kernels, *prob.problem,
                                           (1 - w) * Y[i] + w * Y[i + 1], T[i], BB[i], CB[i],
                                           SEL[i], prob.n + j, s, float(opts.tol),
                                           int(opts.max_iter))
                if not ok:
                    continue
                sp = _special(prob, "UZ", y, int(i), ctx, True)
                if sp is not None:
                    sp.data["user_point"] = {name: float(v)}
                    out.append(sp)
    return out


def _event_point(prob, y, t):
    """The EventPoint of the curve point y with tangent t."""
    model, n = prob.model, prob.n
    p = prob.params(y)
    rates = dict(zip(model.state_names, t[:n]))
    tp = np.zeros_like(p)
    for j, name in enumerate(prob.free):
        k = prob.idx[j]
        rates[name] = tp[k] = t[n + j] * (p[k] * math.log(10.0) if prob.logf[j] else 1.0)
    extra = {"omega": math.sqrt(max(y[n + 2], 0.0))} if prob.kind == core.HOPF else {}
    return ev_mod.EventPoint(dict(zip(model.param_names, p)), dict(zip(model.state_names, y[:n])),
                             extra, rates, ev_mod.observer(model, y[:n], p, t[:n], tp))


def _label_data(prob, label, y, ev, tests, data):
    """Label-specific data, or None to reject (a neutral saddle, not ZH / HH)."""
    n = prob.n
    if prob.kind == core.HOPF:
        kap = y[n + 2]
        out = {"omega": math.sqrt(kap) if kap > 0 else 0.0, "l1": float(data[0])}
        if label in ("HH", "ZH"):
            target = 1j * math.sqrt(max(kap, 0.0))
            i1 = int(np.argmin(np.abs(ev - target)))
            d = np.abs(ev + target)
            d[i1] = np.inf
            i2 = int(np.argmin(d))
            others = np.delete(ev, [i1, i2])
            if label == "HH":
                lam = _imaginary_pair(others)
                if lam is None:
                    return None  # +-lambda real: a neutral saddle among the others
                out.update(omega1=out["omega"], omega2=float(abs(lam.imag)))
            elif abs(others[np.argmin(np.abs(others))].imag) > 1e-8:
                return None
        if label == "BT":
            out["l1"] = float("nan")
        return out
    if prob.kind == core.LP:
        out = {"a": float(data[0])}
        if label == "ZH":
            lam = _imaginary_pair(np.delete(ev, int(np.argmin(np.abs(ev)))))
            if lam is None:
                return None
            out["omega"] = float(abs(lam.imag))
        return out
    return {"mu": float(data[0])}


def _normal_form_data(prob, label, y, info):
    """Add the codimension-2 normal-form data of a located point (issue 15); False to reject.

    From the model's exact derivatives (:mod:`bifkit.continuation.degeneracy`,
    Kuznetsov 2004 ch. 8): GH gets ``l2`` (second Lyapunov coefficient); BT gets the
    normal-form coefficients ``a``, ``b`` (eq. 8.54) and no l1; ZH gets no l1 (the
    Jacobian is singular there); CP is kept only when the cusp is genuine (one zero
    eigenvalue, cusp coefficient ``c`` != 0, the free parameters unfold the fold).
    Complex-valued symbolic models and ones larger than MAX_SYMBOLIC_STATES get l2 at GH
    from truncated Taylor series instead of tensors (:mod:`bifkit.continuation.jets`);
    their BT and CP, and every point of a model without a symbolic form, keep the compiled
    data only (a CP is then kept without the genuineness check).
    """
    if label == "ZH":
        info.pop("l1", None)
    if label == "GH" and prob.derivs is None:
        return _jet_l2(prob, y, info)
    if label not in ("GH", "BT", "CP") or prob.derivs is None:
        return True
    x, p = y[:prob.n], prob.params(y)
    if label == "GH":
        _set_l2(prob, info, lambda: prob.derivs.at(x, p, order=5))
    elif label == "BT":
        bt = dg.bt_coefficients(prob.derivs.at(x, p, order=2))
        info.pop("l1", None)
        info.update(a=float(bt.a), b=float(bt.b), genuine=bool(bt.genuine))
    else:
        cusp = dg.cusp_coefficient(prob.derivs.at(x, p, order=3), free=list(prob.idx))
        if not cusp.genuine:
            return False
        info["c"] = float(cusp.c)
    return True


def _jet_l2(prob, y, info):
    """``info["l2"]`` at a GH point of a large or complex-valued symbolic model, from f on
    truncated series (:class:`bifkit.continuation.jets.JetRHS`, no derivative tensors).
    A model the series cannot evaluate (no symbolic form, a non-analytic function) or a
    point where the normal form is undefined keeps the point without l2 (logged)."""
    if prob.model.symbolic is None:
        return True

    def forms():
        if prob._jets is None:
            prob._jets = JetRHS(prob.model)
        return prob._jets.at(y[:prob.n], prob.params(y))
    _set_l2(prob, info, forms)
    return True


def _set_l2(prob, info, forms):
    """``info["l2"]`` from the multilinear forms ``forms()`` returns; a point where the
    normal form is undefined (e.g. a second critical pair: the GH lies next to an HH
    point, where the spectrum's classification sees two pairs) keeps the GH without l2
    (logged) instead of ending the run."""
    try:
        info["l2"] = float(dg.hopf_normal_form(forms(), order=5).l2)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        log.warning("GH point of %s: no l2 (%s: %s)", prob.model.name, type(exc).__name__, exc)


def _polish_bt(prob, y_loc, i, col, ctx, found, converged):
    """The BT point between points i and i + 1 by :func:`degeneracy.bt_point` (regular there).

    The Hopf system (J^2 + kappa I) is singular at BT, so its secant location stops short
    or fails; the fold-plus-BT system is not.  The start is the secant's point or the
    linear interpolation of the BT test.  Kept only when Newton converges within the
    step; otherwise the secant result (found, converged) is returned unchanged.
    """
    Y, T, TESTS = ctx[0], ctx[1], ctx[2]
    n = prob.n
    ga, gb = TESTS[i, col], TESTS[i + 1, col]
    w = ga / (ga - gb) if ga != gb else 0.5
    y0 = y_loc if y_loc is not None else (1 - w) * Y[i] + w * Y[i + 1]
    z, ok = dg.bt_point(prob.model.compiled.f, prob.model.compiled.jac,
                        lambda z: prob.params(np.concatenate([z, [0.0]])), y0[:n + 2], n)
    step = np.linalg.norm(Y[i + 1][:n + 2] - Y[i][:n + 2])
    if not ok or np.linalg.norm(z - y0[:n + 2]) > 2.0 * step + 1e-12:
        return y_loc, found, converged
    y = np.zeros(prob.N)
    y[:n + 2] = z      # kappa = omega^2 = 0 on H-C (the extra unknown), LP-C has none
    try:               # the curve's own data must exist there (LP-C's <p, q> = 0 exactly at BT)
        core.point_info(*prob.kernels, *prob.problem, y, T[i], ctx[4][i], ctx[5][i], ctx[6][i])
    except ZeroDivisionError:
        return y_loc, found, converged
    return y, True, True


def _imaginary_pair(ev):
    """The pair with the smallest |lambda_i + lambda_j| if it is +-i omega (omega > 0), else None."""
    best, pair = np.inf, None
    for i in range(ev.size):
        for j in range(i + 1, ev.size):
            d = abs(ev[i] + ev[j])
            if d < best:
                best, pair = d, (ev[i], ev[j])
    if pair is None:
        return None
    a, b = pair
    if abs(a.imag) <= 1e-8 * (1 + abs(a)) or abs(a - np.conj(b)) > 1e-6 * (1 + abs(a)):
        return None
    return a
