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


def _tangent(DF, t_prev):
    """Unit null vector of DF oriented like t_prev."""
    M = np.vstack([DF, t_prev])
    rhs = np.zeros(M.shape[0])
    rhs[-1] = 1.0
    t = np.linalg.solve(M, rhs)
    return t / np.linalg.norm(t), M


def _correct(prob, u_pred, t, opts):
    """Newton on [F(u); t.(u - u_pred)] = 0.  Returns u or None."""
    u = u_pred.copy()
    for _ in range(opts.max_iter):
        Fu = prob.F(u)
        if not np.all(np.isfinite(Fu)):
            return None
        M = np.vstack([prob.DF(u), t])
        r = np.append(Fu, t @ (u - u_pred))
        try:
            du = np.linalg.solve(M, -r)
        except np.linalg.LinAlgError:
            return None
        u = u + du
        if np.max(np.abs(du)) <= opts.tol * (1 + np.max(np.abs(u))):
            if np.all(np.isfinite(prob.F(u))):
                return u
            return None
    return None


def _eigs(prob, u):
    J = prob.jac(0.0, u[:-1], prob.params(u[-1]))
    ev = np.linalg.eigvals(J)
    return ev[np.lexsort((-ev.imag, -ev.real))]


def _tests(ev, t, M):
    """Values of the test functions at a point (see the module docstring)."""
    n = ev.size
    h = 1.0 + 0j
    for i in range(n):
        for j in range(i + 1, n):
            h *= ev[i] + ev[j]
    if n >= 2 and ev[0].real < 0:
        nf = ((ev[0] - ev[1]) ** 2).real
    else:
        nf = np.nan
    return {"LP": t[-1], "BP": np.linalg.det(M), "H": h.real, "NF": nf}


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


def _run(prob, u0, t0, opts):
    """One direction from u0; returns points, eigenvalues, special points, reason."""
    lo, hi = (prob.s_of(b) if np.isfinite(b) else (-np.inf if b < 0 else np.inf)
              for b in opts.bounds)
    u, t, ds = u0.copy(), t0.copy(), opts.ds
    t, M = _tangent(prob.DF(u), t)
    ev = _eigs(prob, u)
    tests = _tests(ev, t, M)
    pts, evs, special = [u.copy()], [ev], []
    reason = f"max_points ({opts.max_points}) reached"
    while len(pts) < opts.max_points:
        u_new = _correct(prob, u + ds * t, t, opts)
        if u_new is None:
            ds /= 2
            if ds < opts.ds_min:
                reason = (f"corrector failed at the minimum step ds_min={opts.ds_min} after "
                          f"point {len(pts) - 1} (try a smaller ds_min or a looser tol)")
                break
            continue
        if not lo <= u_new[-1] <= hi:
            # land on the bound: correct with the parameter fixed at the bound
            bound = hi if u_new[-1] > hi else lo
            u_b = _fix_param(prob, u_new, bound, opts)
            if u_b is not None:
                pts.append(u_b)
                evs.append(_eigs(prob, u_b))
            reason = f"bound {prob.value(bound):.6g} reached"
            break
        t_new, M_new = _tangent(prob.DF(u_new), t)
        ev_new = _eigs(prob, u_new)
        tests_new = _tests(ev_new, t_new, M_new)
        for label in opts.detect:
            a, b = tests[label], tests_new[label]
            if np.isfinite(a) and np.isfinite(b) and a * b < 0:
                sp_ = _locate(prob, label, u, t, ds, a, b, opts, len(pts) - 1)
                if sp_ is not None:
                    special.append(sp_)
        pts.append(u_new)
        evs.append(ev_new)
        u, t, tests = u_new, t_new, tests_new
        ds = min(ds * 1.5, opts.ds_max)
    return pts, evs, special, reason


def _fix_param(prob, u, s_fixed, opts):
    x = u[:-1].copy()
    p = prob.params(s_fixed)
    for _ in range(opts.max_iter):
        fx = prob.f(0.0, x, p)
        try:
            dx = np.linalg.solve(prob.jac(0.0, x, p), -fx)
        except np.linalg.LinAlgError:
            return None
        x += dx
        if np.max(np.abs(dx)) <= opts.tol * (1 + np.max(np.abs(x))):
            return np.append(x, s_fixed)
    return None


def _locate(prob, label, u, t, ds, ga, gb, opts, index):
    """Secant/bisection (Illinois) on the arclength step for a zero of ``label``'s test."""
    a, b = 0.0, ds
    ua = u
    best = None
    for _ in range(60):
        h = b - (b - a) * gb / (gb - ga) if gb != ga else 0.5 * (a + b)
        if not min(a, b) < h < max(a, b):
            h = 0.5 * (a + b)
        uh = _correct(prob, u + h * t, t, opts)
        if uh is None:
            h = 0.5 * (a + b)
            uh = _correct(prob, u + h * t, t, opts)
            if uh is None:
                return None
        th, Mh = _tangent(prob.DF(uh), t)
        gh = _tests(_eigs(prob, uh), th, Mh)[label]
        best = uh
        if gh * ga < 0:
            b, gb = h, gh
            ga *= 0.5  # Illinois
        else:
            a, ga = h, gh
            gb *= 0.5
        if abs(b - a) <= 1e-13 * (1 + abs(ds)) or gh == 0:
            break
    converged = abs(b - a) <= 1e-9 * (1 + abs(ds))
    return _special(prob, label, best, index, converged)


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
