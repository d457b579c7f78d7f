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
from dataclasses import dataclass, asdict

import numpy as np

from ..errors import ConvergenceError
from ..binding import bind
from . import ep_core as core
from .normal_forms import first_lyapunov_coefficient
from .results import Branch, SpecialPoint

LN10 = math.log(10.0)


@dataclass(frozen=True)
class EPOptions:
    """Options of an EP-C run (validated on construction)."""

    ds: float = 0.01
    ds_min: float = 1e-9
    ds_max: float = 0.1
    max_points: int = 2000
    tol: float = 1e-10
    max_iter: int = 8
    direction: str = "both"
    bounds: tuple = (-math.inf, math.inf)
    log: bool = False
    detect: tuple = ("LP", "H", "BP", "NF")

    def __post_init__(self):
        if not 0 < self.ds_min <= self.ds <= self.ds_max:
            raise ValueError(f"need 0 < ds_min <= ds <= ds_max; got ds_min={self.ds_min}, "
                             f"ds={self.ds}, ds_max={self.ds_max}")
        if self.direction not in ("forward", "backward", "both"):
            raise ValueError(f"direction must be 'forward', 'backward' or 'both'; "
                             f"got {self.direction!r}")
        if self.max_points < 2:
            raise ValueError(f"max_points must be >= 2; got {self.max_points}")
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"bounds must satisfy low < high; got {self.bounds}")
        if self.log and lo <= 0:
            object.__setattr__(self, "bounds", (1e-300, hi))
        unknown = set(self.detect) - {"LP", "H", "BP", "NF"}
        if unknown:
            raise ValueError(f"unknown labels to detect: {sorted(unknown)}")


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


def continue_equilibria(model, start, free, **options) -> Branch:
    """EP-C: continue the equilibrium ``start`` of ``model`` in parameter ``free``.

    Parameters
    ----------
    model : Model
    start : dict or array
        A state (an equilibrium, or a close guess: Newton refines it first).
    free : str
        Name of the free parameter.
    **options
        See :class:`EPOptions`.

    Returns
    -------
    Branch
        ``stop_reason`` says why each direction ended.
    """
    opts = EPOptions(**options)
    if not model.is_autonomous():
        raise ValueError(f"model {model.name!r} is periodically forced; EP-C needs eta0 = 0")
    prob = _Problem(model, free, opts.log)
    lo, hi = opts.bounds
    value0 = model.p[prob.k]
    if not lo <= value0 <= hi:
        raise ValueError(f"start value {free} = {value0} lies outside bounds {opts.bounds}")
    if opts.log and value0 <= 0:
        raise ValueError(f"log continuation needs {free} > 0; got {value0}")
    x0 = model.pack(start)
    from ..equilibrium import newton
    p0 = model.p
    try:
        x0, _ = newton(lambda x: prob.f(0.0, x, p0), lambda x: prob.jac(0.0, x, p0), x0,
                       tol=opts.tol, name=f"EP-C start of {model.name}")
    except ConvergenceError as e:
        raise ConvergenceError(f"the start point is not an equilibrium of {model.name!r} and "
                               f"Newton could not reach one: {e}") from None
    u0 = np.append(x0, prob.s_of(value0))
    # initial tangent: the null vector of DF with positive parameter component
    DF0 = prob.DF(u0)
    _, _, Vt = np.linalg.svd(DF0)
    t0 = Vt[-1] * np.sign(Vt[-1][-1] or 1.0)
    dirs = {"forward": [1], "backward": [-1], "both": [-1, 1]}[opts.direction]
    pieces, reasons = [], []
    for d in dirs:
        pts, evs, special, reason = _run(prob, u0, d * t0, opts)
        pieces.append((d, pts, evs, special))
        reasons.append(f"{'forward' if d > 0 else 'backward'}: {reason}")
    # assemble: backward part reversed, then forward (the start appears once)
    xs, evs_all, special_all = [], [], []
    for d, pts, evs, special in pieces:
        if d < 0:
            offset = 0
            pts, evs = pts[::-1], evs[::-1]
            m = len(pts)
            for s in special:
                s.index = m - 2 - s.index
            if len(dirs) == 2:
                pts, evs = pts[:-1], evs[:-1]
        offset = len(xs)
        for s in special:
            s.index += offset
        xs += pts
        evs_all += evs
        special_all += special
    U = np.array(xs)
    P = np.tile(model.p, (len(U), 1))
    P[:, prob.k] = [prob.value(s) for s in U[:, -1]]
    special_all.sort(key=lambda s: s.index)
    return Branch(model, "EP-C", [free], U[:, :-1], P, np.array(evs_all), special_all,
                  asdict(opts), stop_reason="; ".join(reasons))


_LABELS = ("LP", "BP", "H", "NF")          # columns of ep_core's test array
_STOP = {core.MAX_POINTS: "max_points ({max_points}) reached",
         core.BOUND: "bound {bound:.6g} reached",
         core.MIN_STEP: ("corrector failed at the minimum step ds_min={ds_min} after point "
                         "{last} (try a smaller ds_min or a looser tol)"),
         core.NOT_FINITE: ("corrector failed at the minimum step ds_min={ds_min} after point "
                           "{last}: the model's Jacobian is NaN/inf just beyond it")}


def _run(prob, u0, t0, opts):
    """One direction from u0 (compiled loop); returns points, eigenvalues, special points, reason."""
    lo, hi = (prob.s_of(b) if np.isfinite(b) else (-np.inf if b < 0 else np.inf)
              for b in opts.bounds)
    args = (prob.p0, prob.k, prob.log)
    U, T, EV, TESTS, DS, m, status = prob.core.ep_run(
        *args, u0, t0, opts.ds, opts.ds_min, opts.ds_max, opts.max_points, opts.tol,
        opts.max_iter, lo, hi)
    special = []
    for label in opts.detect:
        col = TESTS[:m, _LABELS.index(label)]
        for i in np.flatnonzero(np.isfinite(col[:-1]) & np.isfinite(col[1:])
                                & (col[:-1] * col[1:] < 0)):
            u_loc, found, converged = prob.core.ep_locate(
                *args, U[i], T[i], DS[i + 1], _LABELS.index(label), col[i], col[i + 1],
                opts.tol, opts.max_iter)
            if found and lo <= u_loc[-1] <= hi:
                sp_ = _special(prob, label, u_loc, int(i), converged)
                if sp_ is not None:
                    special.append(sp_)
    reason = _STOP[status].format(max_points=opts.max_points, ds_min=opts.ds_min, last=m - 1,
                                  bound=prob.value(U[m - 1, -1]))
    return list(U[:m]), list(EV[:m]), special, reason


def _special(prob, label, u, index, converged):
    model = prob.model
    x, p = u[:-1], prob.params(u[-1])
    ev = np.linalg.eigvals(prob.jac(0.0, x, p))
    data = {"free": {model.param_names[prob.k]: float(p[prob.k])},
            "eigenvalues": [complex(e) for e in ev]}
    if label == "H":
        near = ev[np.argmin(np.abs(ev.real))]
        if abs(near.imag) < 1e-8 * (1 + abs(near.real)) or \
                abs(near.real) > 1e-6 * max(abs(near.imag), 1e-300):
            return None  # neutral saddle (+-lambda real) or spurious
        l1, omega = first_lyapunov_coefficient(model, x, p)
        data.update(omega=omega, frequency=omega / (2 * math.pi), l1=l1,
                    criticality="supercritical" if l1 < 0 else "subcritical")
    return SpecialPoint(label=label, index=index, state=model.unpack(x),
                        params=dict(zip(model.param_names, map(float, p))), data=data,
                        converged=converged)
