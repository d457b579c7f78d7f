"""EP-C: branches of equilibria in one parameter by pseudo-arclength continuation.

Unknown u = (x, s) with s the free parameter or its log10.  Predictor along
the tangent t (the null vector of F_u = [J, df/ds]); corrector: Newton on

    f(x, p(s)) = 0,   t . (u - u_pred) = 0

(Keller 1977; Allgower & Georg 1990).  Test functions, evaluated at every
point and located by the secant method on the arclength step:

====  ==============================================================
LP    the s-component of the tangent (fold)
BP    det [F_u; t]  (branch point; simple sign change of the bordered determinant)
H     prod_{i<j} (lambda_i + lambda_j) (Hopf, or a neutral saddle: rejected
      unless the located point has a pair +-i omega with omega > 0)
NF    (lambda_1 - lambda_2)^2 of the two rightmost eigenvalues of a stable
      equilibrium: negative for a complex pair (focus), positive for two real
      ones (node)
====  ==============================================================
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import ConvergenceError
from ...binding import bind
from . import core
from .. import driver
from .. import events as ev_mod
from ..options import check_start_in_bounds
from .normal_forms import first_lyapunov_coefficient
from ..degeneracy import classify_spectrum
from ..branch import Branch, SpecialPoint

LN10 = math.log(10.0)


class _Problem:
    """f(x, p(s)) = 0 with s the free parameter (or its log10)."""

    def __init__(self, model, free, log):
        self.model, self.log = model, log
        self.k = model.param_index(free)
        self.p0 = np.array(model.p)
        c = model.compiled
        self.f, self.jac, self.dfdp = c.f, c.jac, c.dfdp
        self.core = bind(core, f=c.f, jac=c.jac, dfdp=c.dfdp)  # compiled loop for this model
        self.n = model.n

    def params(self, s):
        p = self.p0.copy()
        p[self.k] = 10.0 ** s if self.log else s
        return p

    def s_of(self, value):
        return math.log10(value) if self.log else value

    def value(self, s):
        return 10.0 ** s if self.log else s

    def F(self, u):
        return self.f(0.0, u[:-1], self.params(u[-1]))

    def DF(self, u):
        p = self.params(u[-1])
        J = self.jac(0.0, u[:-1], p)
        col = self.dfdp(0.0, u[:-1], p)[:, self.k]
        if self.log:
            col = col * p[self.k] * LN10
        return np.column_stack([J, col])


def continue_equilibria(model, start, free, opts, start_point=None) -> Branch:
    """EP-C: continue the equilibrium ``start`` of ``model`` in parameter ``free``.

    Parameters
    ----------
    model : Model
    start : dict or array
        A state (an equilibrium, or a close guess: Newton refines it first).
    free : str
        Name of the free parameter.
    opts : ContinuationOptions
    start_point : SpecialPoint, optional
        The start as given (a BP point selects branch switching).

    Returns
    -------
    Branch
        ``status`` / ``message`` say why each direction ended.
    """
    check_start_in_bounds(model, model.params, [free], opts.bounds)
    return driver.continue_curve(EquilibriumCurve(model, start, free, opts, start_point), opts)


class EquilibriumCurve:
    """EP-C as a curve type of :mod:`..driver`: the start, the compiled loop
    (:func:`.core.ep_run`), location of LP / BP / H / NF and the Branch."""

    @classmethod
    def for_request(cls, model, curve, start, free, opts):
        """The curve of ``bifkit.continuation(model, "EP-C", start, [free], ...)``."""
        m, state = driver.start_model(model, start)
        return cls(m, state, free[0], opts, start_point=start)

    def __init__(self, model, start, free, opts, start_point=None):
        if not model.is_autonomous():
            raise ValueError(f"model {model.name!r} is periodically forced; EP-C needs eta0 = 0")
        log = free in opts.log_params
        prob = self.prob = _Problem(model, free, log)
        self.free = free
        self.title = f"EP-C {free}"
        lo, hi = opts.bounds.get(free, (-math.inf, math.inf))
        value0 = model.p[prob.k]   # (inside the bounds: options.check_start_in_bounds)
        if log and value0 <= 0:
            raise ValueError(f"log continuation needs {free} > 0; got {value0}")
        if log and lo <= 0:
            lo = 1e-300
        # bounds of s (the parameter or its log10)
        self.lo, self.hi = (prob.s_of(b) if np.isfinite(b) else (-np.inf if b < 0 else np.inf)
                            for b in (lo, hi))
        self.args = (prob.p0, prob.k, prob.log)
        self.opts = opts
        x0 = model.pack(start)
        is_bp = getattr(start_point, "label", None) == "BP"
        switch = opts.branch if opts.branch is not None else ("other" if is_bp else None)
        if switch is not None:
            self.u0, self.t0 = _switch_start(prob, start_point, x0, value0, switch, opts)
            return
        from ...equilibrium import newton
        p0 = prob.p0   # writable, like the compiled core's p: one kernel specialisation
        try:
            x0, _ = newton(lambda x: prob.f(0.0, x, p0), lambda x: prob.jac(0.0, x, p0), x0,
                           tol=opts.tol, name=f"EP-C start of {model.name}")
        except ConvergenceError as e:
            raise ConvergenceError(f"the start point is not an equilibrium of {model.name!r} "
                                   f"and Newton could not reach one: {e}") from None
        self.u0 = np.append(x0, prob.s_of(value0))
        # initial tangent: the null vector of DF with positive parameter component
        _, _, Vt = np.linalg.svd(prob.DF(self.u0))
        self.t0 = Vt[-1] * np.sign(Vt[-1][-1] or 1.0)

    def run_direction(self, sign, opts):
        """The compiled loop from the start along sign * tangent."""
        prob = self.prob
        U, T, EV, TESTS, DS, m, code = prob.core.ep_run(
            *self.args, self.u0, sign * self.t0, opts.step, opts.ds_min, opts.ds_max,
            opts.max_points, opts.tol, opts.max_iter, self.lo, self.hi)
        status, message = _STOP[code]
        message = message.format(max_points=opts.max_points, ds_min=opts.ds_min, last=m - 1,
                                 bound=prob.value(U[m - 1, -1]))
        return driver.Run(sign, m, status, message, TESTS, DS, {"U": U, "T": T, "EV": EV})

    def event_point(self, run, i):
        return _event_point(self.prob, run.arrays["U"][i], run.arrays["T"][i])

    def trial(self, run, i, h):
        U, T = run.arrays["U"], run.arrays["T"]
        u, ok = self.prob.core.correct(*self.args, U[i] + h * T[i], T[i], self.opts.tol,
                                       self.opts.max_iter)
        if not ok:
            return None
        t, _ = self.prob.core.tangent(*self.args, u, T[i])
        return (u, t, h), _event_point(self.prob, u, t)

    def special(self, run, label, loc, i, converged):
        return _special(self.prob, label, loc[0], i, converged)

    def cut(self, run, i, loc):
        u, t, h = loc
        U, T, EV = run.arrays["U"], run.arrays["T"], run.arrays["EV"]
        U[i + 1], T[i + 1], run.ds[i + 1] = u, t, h
        _, EV[i + 1], _ = self.prob.core.point_data(*self.args, u, T[i], run.tests[i + 1])

    def scanned(self, run, opts):
        detect = opts.detect if opts.detect is not None else _LABELS
        return [(label, _LABELS.index(label)) for label in detect]

    def locate(self, run, label, col, i):
        prob, U, T = self.prob, run.arrays["U"], run.arrays["T"]
        u_loc, found, converged = prob.core.ep_locate(
            *self.args, U[i], T[i], run.ds[i + 1], col, run.tests[i, col],
            run.tests[i + 1, col], self.opts.tol, self.opts.max_iter)
        if not (found and self.lo <= u_loc[-1] <= self.hi):
            return None
        sp_ = _special(prob, label, u_loc, i, converged)
        if sp_ is not None and label == "BP":   # the branch's direction, for branch switching
            t = T[i].copy()
            t[-1] *= prob.value(u_loc[-1]) * LN10 if prob.log else 1.0
            sp_.data["tangent"] = [float(v) for v in t]
        return sp_

    def finish(self, run, opts):
        pass

    def rows(self, run):
        return {"U": run.arrays["U"][:run.m], "EV": run.arrays["EV"][:run.m]}

    def branch(self, rows, special, status, message, opts):
        prob, U = self.prob, rows["U"]
        P = np.tile(prob.model.p, (len(U), 1))
        P[:, prob.k] = [prob.value(s) for s in U[:, -1]]
        return Branch(prob.model, "EP-C", [self.free], U[:, :-1], P, rows["EV"], special,
                      opts.record(), stop_reason=message, status=status)


def _switch_start(prob, bp, x0, value0, which, opts):
    """(first point, tangent) on the ``which`` ("other"/"same") branch through the BP ``bp``.

    The first point is the corrected point one step ``ds`` from the BP along
    the chosen branch tangent (:mod:`.ep_switch`); runs start there, so the
    backward direction passes through the BP itself.
    """
    from . import switch as ep_switch
    model = prob.model
    name = model.param_names[prob.k]
    if getattr(bp, "label", None) != "BP" or "tangent" not in getattr(bp, "data", {}):
        raise ValueError(f"branch={which!r} needs a start at a branch point: a BP special point "
                         f"of an EP-C branch (branch.special_points('BP')[k]); got "
                         f"{type(bp).__name__}")
    if name not in bp.data.get("free", {}):
        raise ValueError(f"the BP was found on a branch in {list(bp.data.get('free', {}))}, "
                         f"not in {name!r}: continue in the same parameter to switch")
    u0 = np.append(x0, prob.s_of(value0))
    res = np.max(np.abs(prob.F(u0)))
    if not res <= 1e-6 * (1.0 + np.max(np.abs(x0))):
        raise ValueError(f"the BP start is not an equilibrium (residual {res:.3g})")
    t_old = np.array(bp.data["tangent"], dtype=float)   # (x, parameter) coordinates
    if prob.log:
        t_old[-1] /= value0 * LN10
    tangents, ratio = ep_switch.branch_tangents(prob.DF, u0)
    t = ep_switch.choose(tangents, t_old, which)
    lead = t[-1] if abs(t[-1]) > 1e-8 else t[int(np.argmax(np.abs(t[:-1])))]
    t = t * (np.sign(np.dot(t, t_old)) if which == "same" else np.sign(lead))
    args = (prob.p0, prob.k, prob.log)
    u1 = ep_switch.first_point(lambda u, tt: prob.core.correct(*args, u, tt, opts.tol,
                                                                 opts.max_iter),
                               u0, t, opts.step, opts.ds_min)
    if u1 is None:
        raise ConvergenceError(f"branch switching at the BP {name} = {value0:.10g}: the "
                               f"corrector found no point on the {which} branch (try another ds)")
    return u1, t


_LABELS = ("LP", "BP", "H", "NF")          # columns of core.ep_run's test array
_STOP = {core.MAX_POINTS: ("max_points", "max_points ({max_points}) reached"),
         core.BOUND: ("bound", "bound {bound:.6g} reached"),
         core.MIN_STEP: ("step_underflow", "corrector failed at the minimum step "
                         "ds_min={ds_min} after point {last} (try a smaller ds_min or a "
                         "looser tol)"),
         core.NOT_FINITE: ("diverged", "corrector failed at the minimum step ds_min={ds_min} "
                           "after point {last}: the model's Jacobian is NaN/inf just beyond it")}


def _event_point(prob, u, t):
    """The EventPoint of u = (x, s) with unit tangent t."""
    model, n = prob.model, prob.n
    p = prob.params(u[-1])
    name = model.param_names[prob.k]
    rate = t[-1] * (p[prob.k] * LN10 if prob.log else 1.0)
    tp = np.zeros_like(p)
    tp[prob.k] = rate
    return ev_mod.EventPoint(dict(zip(model.param_names, p)), dict(zip(model.state_names, u[:n])),
                             rates={name: rate, **dict(zip(model.state_names, t[:n]))},
                             observe=ev_mod.observer(model, u[:n], p, t[:n], tp))


def _special(prob, label, u, index, converged):
    model = prob.model
    x, p = u[:-1], prob.params(u[-1])
    ev = np.linalg.eigvals(prob.jac(0.0, x, p))
    data = {"free": {model.param_names[prob.k]: float(p[prob.k])},
            "eigenvalues": [complex(e) for e in ev]}
    if label == "H":
        degenerate = _degenerate_hopf(prob.jac(0.0, x, p))
        near = ev[np.argmin(np.abs(ev.real))]
        if degenerate is not None:       # ZH, HH or BT: no l1 at a singular/double spectrum
            label, extra = degenerate
            data.update(extra)
        elif abs(near.imag) < 1e-8 * (1 + abs(near.real)) or \
                abs(near.real) > 1e-6 * max(abs(near.imag), 1e-300):
            return None  # neutral saddle (+-lambda real) or spurious
        else:
            l1, omega = first_lyapunov_coefficient(model, x, p)
            data.update(omega=omega, frequency=omega / (2 * math.pi), l1=l1,
                        criticality="supercritical" if l1 < 0 else "subcritical")
    return SpecialPoint(label=label, index=index, state=model.unpack(x),
                        params=dict(zip(model.param_names, map(float, p))), data=data,
                        converged=converged)


def _degenerate_hopf(A):
    """(label, data) when a located Hopf zero is a codimension-2 spectrum, else None.

    The H test function prod (lambda_i + lambda_j) also vanishes at a fold-Hopf point
    (0, +-i w: "ZH"), a double Hopf point (+-i w1, +-i w2: "HH") and a Bogdanov-Takens
    point (double zero, Jordan block: "BT") (Kuznetsov 2004, sec. 8.1).  There the first
    Lyapunov coefficient is not defined (ZH, BT: singular Jacobian) or not unique (HH),
    so none is computed (issue 15).
    """
    cls = classify_spectrum(A)
    if cls.label == "ZH":
        w = cls.omegas[0]
        return "ZH", {"omega": w, "frequency": w / (2 * math.pi)}
    if cls.label == "HH":
        w1, w2 = cls.omegas
        return "HH", {"omega1": w1, "omega2": w2}
    if cls.label == "BT":
        return "BT", {}
    return None
