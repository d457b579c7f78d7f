"""Start of an LPC-C curve at a Bautin (generalised Hopf, GH) point of a Hopf curve.

At a Bautin point the first Lyapunov coefficient l1 vanishes; a curve of
saddle-nodes of cycles (LPC) is born there, tangent to the Hopf curve, on the
side where l1 l2 < 0 (Kuznetsov 2004, sec. 8.3: normal form
r' = r (beta_1 + beta_2 r^2 + l2 r^4), LPC at beta_2^2 = 4 l2 beta_1 with cycle
amplitude r^2 = -beta_2 / (2 l2)).  The LPC cycle at distance delta from GH
along the Hopf curve has amplitude O(delta^(1/2)) and lies O(delta^2) away from
the Hopf curve in the parameter plane, so it is found, without l2, by a short
cycle continuation from a Hopf point a little way along the Hopf curve on each
side of GH: on one side the branch folds (the LPC), on the other it does not.
That LPC starts the LPC-C continuation, which leaves away from the GH point.
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import ConvergenceError


def hopf_near(model, x0, p, ipar, log, omega0, tol=1e-13, maxit=30):
    """A Hopf point in parameter ``p[ipar]`` near (x0, p), by the secant method.

    The test is Re(lambda) of the eigenvalue nearest to i omega0 at the
    equilibrium (Newton from x0 at every trial value).  Returns (x, p, omega).
    """
    from ...equilibrium import newton
    f, jac = model.compiled.f, model.compiled.jac
    state = {"x": np.asarray(x0, float)}

    def g(theta):
        q = p.copy()
        q[ipar] = 10.0 ** theta if log else theta
        x, _ = newton(lambda x: f(0.0, x, q), lambda x: jac(0.0, x, q), state["x"],
                      tol=1e-13, name="equilibrium near a Bautin point")
        state["x"] = x
        ev = np.linalg.eigvals(jac(0.0, x, q))
        k = int(np.argmin(np.abs(ev - 1j * omega0) + (ev.imag <= 0) * 1e300))
        return float(ev[k].real), x, q, float(ev[k].imag)

    th0 = math.log10(p[ipar]) if log else float(p[ipar])
    h = 1e-6 * max(1.0, abs(th0))
    a, b = th0, th0 + h
    ga = g(a)[0]
    for _ in range(maxit):
        gb, x, q, om = g(b)
        if abs(b - a) < tol * (1.0 + abs(b)) or gb == 0.0:
            return x, q, om
        if gb == ga:
            break
        a, b, ga = b, b - gb * (b - a) / (gb - ga), gb
    raise ConvergenceError(f"no Hopf point found near the Bautin point in {model.param_names[ipar]}")


def lpc_from_bautin(model, gh, free, log_params=(), gh_offset=None, gh_ds=1e-3, ntst=50,
                    ncol=4, max_points=120):
    """The LPC special point of a small cycle next to a Bautin point.

    Parameters
    ----------
    model : Model
    gh : SpecialPoint (label "GH") or dict with ``state``, ``params``, optional ``data["omega"]``
    free : the two free parameters of the LPC-C curve; the Hopf point is found in
        ``free[0]`` at ``free[1]`` moved by ``gh_offset`` (relative, in log10 units
        for a logged parameter) to either side of the Bautin point.  Default: 0.02, then
        0.005 and 0.0015 if no fold is found (where the Hopf curve is nearly parallel to
        the ``free[0]`` axis a small change of ``free[1]`` moves the Hopf point far).
    gh_ds : initial step of the cycle continuation from that Hopf point.

    Returns
    -------
    CycleSpecialPoint (label "LPC") with ``data["gh_side"]`` = +1 or -1 (the side of
    ``free[1]`` where it was found) and ``data["free"]`` = {free[0]: value}.
    """
    params = dict(getattr(gh, "params", None) or gh["params"])
    state = getattr(gh, "state", None) or gh["state"]
    data = getattr(gh, "data", None) or (gh.get("data", {}) if isinstance(gh, dict) else {})
    m = model.with_params(**params)
    p = m.p.copy()
    x0 = m.pack(state)
    i1, i2 = (m.param_index(k) for k in free)
    log1, log2 = (k in log_params for k in free)
    omega = data.get("omega")
    if omega is None:
        ev = np.linalg.eigvals(m.compiled.jac(0.0, x0, p))
        omega = float(np.max(ev.imag))
    th2 = math.log10(p[i2]) if log2 else float(p[i2])
    offsets = (0.02, 0.005, 0.0015) if gh_offset is None else (float(gh_offset),)
    tried = []
    for off in offsets:
        s = _lpc_next_to(m, x0, p, free, i1, i2, log1, log2, th2, off, omega, ntst, ncol,
                         gh_ds, max_points, tried)
        if s is not None:
            return s
    raise ValueError("LPC-C from a Bautin point: no saddle-node of cycles found next to it ("
                     + "; ".join(tried) + "); try another gh_offset")


def _lpc_next_to(m, x0, p, free, i1, i2, log1, log2, th2, gh_offset, omega, ntst, ncol, gh_ds,
                 max_points, tried):
    """The first LPC on the cycle branches of the Hopf points at free[1] = GH -+ offset."""
    from .lc import continue_cycles
    from ..options import make_options
    d = gh_offset * max(1.0, abs(th2))
    for side in (-1.0, 1.0):
        q = p.copy()
        t2 = th2 + side * d
        q[i2] = 10.0 ** t2 if log2 else t2
        try:
            xh, qh, om = hopf_near(m, x0, q, i1, log1, omega)
        except ConvergenceError as e:
            tried.append(f"offset {gh_offset:g} side {side:+.0f}: {e}")
            continue
        mh = m.with_params(**dict(zip(m.param_names, map(float, qh))))
        start = {"state": mh.unpack(xh), "params": {free[0]: float(qh[i1])},
                 "data": {"omega": om}}
        th1 = math.log10(qh[i1]) if log1 else float(qh[i1])
        opts = make_options("LC-C", ntst=ntst, ncol=ncol,
                            log_params=[free[0]] if log1 else [], ds=gh_ds,
                            ds_max=max(10 * gh_ds, 0.01), max_points=max_points,
                            detect=("LPC",))
        b = continue_cycles(mh, start, [free[0]], opts)
        lpcs = b.special_points("LPC")
        if lpcs:
            s = lpcs[0]
            s.data["gh_side"] = side
            s.data["free"] = {free[0]: s.params[free[0]]}
            return s
        tried.append(f"offset {gh_offset:g} side {side:+.0f}: no fold on the cycle branch from "
                     f"the Hopf point at {free[0]} = {qh[i1]:.8g} ({b.stop_reason}; "
                     f"theta {th1:.6g})")
    return None
