"""Two-parameter bifurcation diagrams of the E-I neural mass (Bi et al. 2021, Fig. 1).

A :class:`Plane` names the two parameters (x, y), their ranges and the fixed ones.  The curves
are found without knowing where they are:

1. *seeds*: EP-C runs in x at several fixed y give the Hopf points; the node/focus boundary
   points (a pair of complex eigenvalues turning into two real ones anywhere in the spectrum,
   Bi et al. Sec. 2.2.3: "if the imaginary parts of the eigenvalues are all zero we have a node";
   region III has two real eigenvalues and a complex pair) are located along the same runs by
   bisection on the number of real eigenvalues of the closed-form equilibrium;
2. *curves*: H-C from every Hopf seed not already on a computed curve, NF-C likewise; LPC-C
   from every Bautin (GH) point of the Hopf curves; PD-C from the period-doubling points of the
   cycle born at a supercritical Hopf point on the given cuts;
3. *regions*: each cell of a grid is classified (Bi et al. Fig. 1 legend): a stable equilibrium
   is a node (III, two or more real eigenvalues) or a focus (II); otherwise a simulation from
   next to the equilibrium decides: periodic or quasi-periodic (IV), chaotic (V, lambda_1 > 0),
   or divergent rates (I: no stable solution); then every cell with a stable equilibrium next
   to a cell with an oscillation is integrated from that oscillation's state: where it stays
   on an oscillation the cell is bistable (II+IV or III+IV, e.g. between a saddle-node of
   cycles and a subcritical Hopf curve), and the search spreads from it
   (:func:`bistable_cells`).  Every equilibrium with rates >= 0 counts,
   including the silent-excitatory state R_e = 0 (eq. 6a has R_e as a factor): at low I_e and
   D_ee it is the stable node of region III.  Only a cell with no equilibrium at all is grey;
4. *transcritical curve*: where the interior equilibrium reaches R_e = 0 (closed form,
   ``model.transcritical_D_ee()``), drawn where the plane's y is D_ee; it ends at D_ee = 0 in
   the Bogdanov-Takens point (``model.bt_condition() = 0``), located by brentq.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .common import COLORS

REGION_COLORS = {"I": "#f4c7c3", "II": "#cfe2f3", "III": "#d9ead3", "IV": "#fff2cc",
                 "V": "#d9d2e9", "II+IV": "#76c7b7", "III+IV": "#b5a642",
                 "none": "#e0e0e0"}
REGION_TEXT = {"I": "unstable focus", "II": "stable focus", "III": "stable node",
               "IV": "stable cycle", "V": "chaos",
               "II+IV": "bistable: stable focus and a stable oscillation",
               "III+IV": "bistable: stable node and a stable oscillation",
               "none": "no equilibrium with rates >= 0"}
TC_COLOR = "tab:brown"


@dataclass
class Plane:
    """Parameters (x, y) of a diagram, their ranges, log scaling and the fixed values."""

    x: str
    y: str
    x_range: tuple
    y_range: tuple
    fixed: dict
    x_log: bool = True
    y_log: bool = False
    curves: dict = field(default_factory=dict)  # kind -> list of (x, y, extra dict)

    def model(self, **changes):
        import bifkit
        return bifkit.load_model("ei_neural_mass", **{**self.fixed, **changes})

    @property
    def bounds(self) -> dict:
        return {self.x: tuple(self.x_range), self.y: tuple(self.y_range)}

    @property
    def log_params(self) -> list:
        return [n for n, lg in ((self.x, self.x_log), (self.y, self.y_log)) if lg]

    def unit(self, xv, yv):
        """Coordinates scaled to [0, 1] over the plane (log where the axis is log)."""
        def sc(v, rng, lg):
            v = np.asarray(v, float)
            if lg:
                lo, hi = math.log10(rng[0]), math.log10(rng[1])
                return (np.log10(v) - lo) / (hi - lo)
            return (v - rng[0]) / (rng[1] - rng[0])
        return sc(xv, self.x_range, self.x_log), sc(yv, self.y_range, self.y_log)

    def covered(self, kind: str, xv: float, yv: float, tol: float = 0.01) -> bool:
        """Whether (xv, yv) lies on a curve of ``kind`` computed already."""
        u, v = self.unit(xv, yv)
        for cx, cy, _extra in self.curves.get(kind, []):
            cu, cv = self.unit(cx, cy)
            if _polyline_distance(cu, cv, float(u), float(v)) < tol:
                return True
        return False

    def add(self, kind, xv, yv, **extra):
        self.curves.setdefault(kind, []).append((np.asarray(xv, float), np.asarray(yv, float),
                                                 extra))


def _polyline_distance(cu, cv, u, v) -> float:
    """Distance from (u, v) to the polyline through (cu, cv) (NaN vertices break it)."""
    ax, ay, bx, by = cu[:-1], cv[:-1], cu[1:], cv[1:]
    ok = np.isfinite(ax) & np.isfinite(ay) & np.isfinite(bx) & np.isfinite(by)
    if not np.any(ok):
        return math.inf
    ax, ay, bx, by = ax[ok], ay[ok], bx[ok], by[ok]
    dx, dy = bx - ax, by - ay
    L2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(L2 > 0, ((u - ax) * dx + (v - ay) * dy) / L2, 0.0), 0.0, 1.0)
    return float(np.min(np.hypot(ax + t * dx - u, ay + t * dy - v)))


def physical(br) -> np.ndarray:
    """Points of a branch of the E-I model whose rates are both positive."""
    st = br.states
    return (st["R_e"] > 0) & (st["R_i"] > 0)


# --------------------------------------------------------------------------- #
# Seeds                                                                        #
# --------------------------------------------------------------------------- #
def n_real(ev, rel=1e-9) -> int:
    """Number of real eigenvalues (imaginary part below ``rel`` times the modulus)."""
    ev = np.asarray(ev)
    return int(np.sum(np.abs(ev.imag) <= rel * (1 + np.abs(ev))))


def interior_equilibria(model) -> list:
    """The closed-form equilibria of ``model`` with both rates > 0 (eq. 8)."""
    return [e["state"] for e in model.equilibria() if e["kind"] == "interior"]


def _equilibrium_near(model, state):
    """The closed-form physical equilibrium of ``model`` closest to ``state`` (or None)."""
    eqs = interior_equilibria(model)
    if not eqs:
        return None
    return min(eqs, key=lambda s: abs(s["R_e"] - state["R_e"]) + abs(s["R_i"] - state["R_i"]))


def nf_point(plane, y_value, xa, xb, state, iters=60):
    """Bisection in x between xa and xb for the change in the number of real eigenvalues."""
    def count(xv):
        m = plane.model(**{plane.y: y_value, plane.x: xv})
        s = _equilibrium_near(m, state)
        return (None, None) if s is None else (n_real(m.eigenvalues(s)), s)
    ca, sa = count(xa)
    cb, _ = count(xb)
    if ca is None or cb is None or ca == cb:
        return None
    for _ in range(iters):
        xm = math.sqrt(xa * xb) if plane.x_log else 0.5 * (xa + xb)
        cm, sm = count(xm)
        if cm is None:
            return None
        if cm == ca:
            xa, sa = xm, sm
        else:
            xb = xm
        if abs(xb - xa) <= 1e-12 * abs(xa):
            break
    return {"state": dict(sa), "params": {**plane.fixed, plane.y: y_value, plane.x: xa}}


def seed_scan(plane, y_values, x_start):
    """Hopf and node/focus seeds from EP-C runs in x at each y in ``y_values``."""
    import bifkit
    hopf, nf = [], []
    for yv in y_values:
        xs_try = [x_start] + list(np.geomspace(*plane.x_range, 9) if plane.x_log
                                  else np.linspace(*plane.x_range, 9))
        for xv in xs_try:  # below the transcritical curve only the R_e = 0 state exists
            m = plane.model(**{plane.y: float(yv), plane.x: float(xv)})
            eqs = interior_equilibria(m)
            if eqs:
                break
        if not eqs:
            continue
        try:
            br = bifkit.continuation(m, "EP-C", eqs[0], [plane.x],
                                     bounds={plane.x: tuple(plane.x_range)},
                                     log_params=[plane.x] if plane.x_log else [])
        except Exception:  # a failed scan line only loses seeds
            continue
        hopf += [h for h in br.special_points("H") if h.state["R_e"] > 0 and h.state["R_i"] > 0]
        counts = [n_real(ev) for ev in br.eigenvalues]
        xs = br.params[plane.x]
        stable = br.stable
        # the paper's node/focus line separates a stable node (III) from a stable focus (II)
        for i in np.nonzero((np.diff(counts) != 0) & stable[:-1] & stable[1:])[0]:
            st = dict(zip(br.state_names, br.x[i]))
            pt = nf_point(plane, float(yv), float(xs[i]), float(xs[i + 1]), st)
            if pt is not None:
                nf.append(pt)
    return hopf, nf


# --------------------------------------------------------------------------- #
# Curves                                                                       #
# --------------------------------------------------------------------------- #
def _xy(plane, br):
    return br.params[plane.x], br.params[plane.y]


def hopf_curves(plane, seeds, max_points=3000):
    """H-C from every seed not yet covered; returns the H-C branches."""
    import bifkit
    out = []
    for h in seeds:
        if plane.covered("H", h.params[plane.x], h.params[plane.y]):
            continue
        try:
            hc = bifkit.continuation(plane.model(), "H-C", h, [plane.x, plane.y],
                                     bounds=plane.bounds, log_params=plane.log_params,
                                     max_points=max_points)
        except Exception as e:  # keep the diagram; the notes CSV says which seed failed
            plane.curves.setdefault("failed", []).append(
                f"H-C from {h.params[plane.x]:.4g}, {h.params[plane.y]:.4g}: {e}")
            continue
        x, y = _xy(plane, hc)
        ok = physical(hc)
        if not ok.any():
            continue
        x, y = np.where(ok, x, np.nan), np.where(ok, y, np.nan)
        plane.add("H", x, y, l1=np.asarray(hc.data["l1"], float),
                  special=[(s.label, s.params[plane.x], s.params[plane.y])
                           for s in hc.special_points() if s.label in ("GH", "BT", "ZH", "HH")])
        out.append(hc)
    return out


def nf_curves(plane, seeds, max_points=3000):
    """NF-C from every node/focus seed not yet covered."""
    import bifkit
    out = []
    for s in seeds:
        if plane.covered("NF", s["params"][plane.x], s["params"][plane.y]):
            continue
        try:
            br = bifkit.continuation(plane.model(), "NF-C", s, [plane.x, plane.y],
                                     bounds=plane.bounds, log_params=plane.log_params,
                                     max_points=max_points)
        except Exception as e:  # keep the diagram; record why a seed gave no curve
            plane.curves.setdefault("failed", []).append(f"NF-C from {s['params'][plane.x]:.4g},"
                                                         f" {s['params'][plane.y]:.4g}: {e}")
            continue
        x, y = _xy(plane, br)
        ok = physical(br) & br.stable  # III/II boundary: stable equilibria only
        if not ok.any():
            continue
        plane.add("NF", np.where(ok, x, np.nan), np.where(ok, y, np.nan))
        out.append(br)
    return out


def _curve_from(plane, model, curve, start, kind, what, max_points, **options):
    """Continue ``curve`` from ``start`` in (x, y), add it to the plane as ``kind`` and return
    the branch; a failure is recorded in the plane's notes (``what`` says where it started)."""
    import bifkit
    try:
        br = bifkit.continuation(model, curve, start, [plane.x, plane.y], bounds=plane.bounds,
                                 log_params=plane.log_params, direction="both",
                                 max_points=max_points, **options)
    except Exception as e:
        plane.curves.setdefault("failed", []).append(f"{curve} from {what}: {e}")
        return None
    x, y = _xy(plane, br)
    keep = ~retraced(plane, x, y) & ~_on_curves(plane, kind, x, y)
    if keep.any():
        plane.add(kind, np.where(keep, x, np.nan), np.where(keep, y, np.nan))
    return br


def retraced(plane, x, y, tol: float = 1e-3) -> np.ndarray:
    """Points of a curve that run back over its own earlier part (a run that turns at a
    codim-2 end point, e.g. an LPC curve at its Bautin point, and retraces itself).

    Point k is a retrace when an earlier point j lies within ``tol`` (plane units, 0-1) while
    the curve travelled more than 20 times that distance from j to k.
    """
    u, v = plane.unit(x, y)
    u, v = np.nan_to_num(u, nan=np.inf), np.nan_to_num(v, nan=np.inf)
    steps = np.hypot(np.diff(u), np.diff(v))
    arc = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(steps), steps, 0.0))])
    out = np.zeros(len(u), dtype=bool)
    with np.errstate(invalid="ignore"):
        for k in range(1, len(u)):
            d = np.hypot(u[:k] - u[k], v[:k] - v[k])
            out[k] = bool(np.any((d < tol) & (arc[k] - arc[:k] > 20 * np.maximum(d, 1e-9))
                                 & ~out[:k]))
    return out


def _on_curves(plane, kind, x, y, tol: float = 1e-3) -> np.ndarray:
    """Points of a new curve that lie on a curve of ``kind`` stored already (the same curve
    reached from another start)."""
    u, v = plane.unit(x, y)
    out = np.zeros(len(u), dtype=bool)
    for cx, cy, _extra in plane.curves.get(kind, []):
        cu, cv = plane.unit(cx, cy)
        out |= np.array([np.isfinite(a) and np.isfinite(b) and
                         _polyline_distance(cu, cv, float(a), float(b)) < tol
                         for a, b in zip(u, v)])
    return out


def lpc_curves(plane, gh_points, max_points=1500, **options):
    """LPC-C from every Bautin point (``gh_points``: the GH special points of the Hopf curves;
    the saddle-node of cycles starts there)."""
    out = []
    for gh in gh_points:
        if plane.covered("LPC", gh.params[plane.x], gh.params[plane.y], tol=0.002):
            continue
        br = _curve_from(plane, plane.model(), "LPC-C", gh, "LPC",
                         f"GH {gh.params[plane.x]:.4g}, {gh.params[plane.y]:.4g}",
                         max_points, **options)
        if br is not None:
            out.append(br)
    return out


def pd_curves(plane, cuts, max_points=1500, **options):
    """PD-C from the period-doubling points of the cycles born at supercritical Hopf points
    on the cuts y = c (``cuts``), e.g. the D_ee = 2.0 cut of Fig. 1a."""
    import bifkit
    out = []
    for c in cuts:
        m = plane.model(**{plane.y: float(c)})
        for h in [h for h in _hopf_on_cut(plane, m) if h.data["criticality"] == "supercritical"]:
            try:
                lc = bifkit.continuation(m, "LC-C", h, [plane.x],
                                         bounds={plane.x: tuple(plane.x_range)},
                                         log_params=[plane.x] if plane.x_log else [])
            except Exception as e:
                plane.curves.setdefault("failed", []).append(f"LC-C at {plane.y}={c}: {e}")
                continue
            for pd in lc.special_points("PD"):
                if plane.covered("PD", pd.params[plane.x], pd.params[plane.y]):
                    continue
                br = _curve_from(plane, m, "PD-C", pd, "PD", f"{pd.params[plane.x]:.4g}",
                                 max_points, **options)
                if br is not None:
                    out.append(br)
            lpc_from_cycle_folds(plane, m, lc, max_points=max_points, **options)
    return out


def lpc_from_cycle_folds(plane, m, lc, max_points=1500, **options):
    """LPC-C from the saddle-node of cycles points found on a cut's LC-C branch.

    Where no Bautin point lies in the plane (Fig. 1b) the LPC curve is reached only this way.
    """
    for lp in lc.special_points("LPC"):
        if plane.covered("LPC", lp.params[plane.x], lp.params[plane.y]):
            continue
        _curve_from(plane, m, "LPC-C", lp, "LPC",
                    f"the LPC at {plane.x}={lp.params[plane.x]:.4g}", max_points, **options)


def _hopf_on_cut(plane, m):
    import bifkit
    for xs in np.geomspace(*plane.x_range, 7)[1:-1] if plane.x_log else \
            np.linspace(*plane.x_range, 7)[1:-1]:
        eqs = interior_equilibria(m.with_params(**{plane.x: float(xs)}))
        if eqs:
            br = bifkit.continuation(m.with_params(**{plane.x: float(xs)}), "EP-C", eqs[0],
                                     [plane.x], bounds={plane.x: tuple(plane.x_range)},
                                     log_params=[plane.x] if plane.x_log else [])
            return br.special_points("H")
    return []


def transcritical_curve(plane, n: int = 400):
    """The transcritical curve R_e = 0 of the interior branch, and its BT end point.

    Only where the plane's y is D_ee: D_ee*(x) is then a closed form
    (``model.transcritical_D_ee()``, Bi et al. eq. 8a at R_e = 0), evaluated on n points of x;
    the curve reaches D_ee = 0 where ``model.bt_condition()`` changes sign, located by brentq
    to 1e-13 relative: the Bogdanov-Takens point (stored as ``plane.curves["BT"]``).
    """
    from scipy.optimize import brentq
    if plane.y != "D_ee":
        return
    xs = np.geomspace(*plane.x_range, n) if plane.x_log else np.linspace(*plane.x_range, n)

    def tc(xv):
        d = plane.model(**{plane.x: float(xv)}).transcritical_D_ee()
        return math.nan if d is None else d

    def bt(xv):
        return plane.model(**{plane.x: float(xv)}).bt_condition()
    cond = np.array([bt(v) for v in xs])
    bts = [brentq(bt, xs[i], xs[i + 1], xtol=1e-15, rtol=1e-13)
           for i in np.nonzero(np.sign(cond[:-1]) * np.sign(cond[1:]) < 0)[0]]
    xs = np.sort(np.concatenate([xs, bts]))
    ys = np.array([0.0 if v in bts else tc(v) for v in xs])
    if np.any(np.isfinite(ys)):
        plane.add("TC", xs, ys)
    for b in bts:
        plane.add("BT", [b], [0.0])


# --------------------------------------------------------------------------- #
# Regions                                                                      #
# --------------------------------------------------------------------------- #
def classify_point(model, lyap_periods: float = 100.0, max_time: float = 2e5,
                   max_transient: float = 2e7) -> str:
    """Region label (I-V, or "none") at one parameter point (see :func:`classify_cell`)."""
    return classify_cell(model, lyap_periods, max_time, max_transient)[0]


def classify_cell(model, lyap_periods: float = 100.0, max_time: float = 2e5,
                  max_transient: float = 2e7):
    """Region label (I-V, or "none") at one parameter point, and the attractor's state.

    All equilibria with rates >= 0 are considered (``model.equilibria()``: interior and
    silent-population ones).  A stable one: III (two or more real eigenvalues) or II (the
    interior one decides where both an interior and a boundary state are stable).  "none"
    only where no equilibrium exists at all.  Otherwise the model is
    integrated (Dormand-Prince) from next to the unstable equilibrium for max(20 periods,
    40 / growth rate), at most ``max_transient`` (ms): blow-up (rates diverging, the MF's "no
    stable solution") is I; else the Lyapunov spectrum over ``lyap_periods`` periods (at most
    ``max_time`` ms; slope fit, see :func:`bi2021_fig4.fitted_exponents`) gives V if
    lambda_1 > 3/T, IV otherwise.  The transient has its own, longer cap: next to a
    subcritical Hopf curve the growth rate is tiny (4.6e-6/ms at (K, D_ee) = (94406, 0.033)
    of Fig. 1b) and a trajectory cut after 2e5 ms is still spiralling slowly out of the
    focus (it blows up at t = 8.9e5 ms), which the Lyapunov test alone took for a cycle (IV).
    Cells with growth < 40 / ``max_transient`` (= 2e-6/ms, practically on a Hopf curve)
    keep that ambiguity.

    Returns
    -------
    (label, state)
        ``state``: the real-split state on the oscillation after the transient (IV, V),
        else None.  A stable equilibrium does not exclude a coexisting oscillation: see
        :func:`coexisting_oscillation`.
    """
    import bifkit
    from .bi2021_fig4 import fitted_exponents
    found = model.equilibria()
    if not found:
        return "none", None
    stable = [e for e in found if e["stable"]]  # interior ones come first
    if stable:
        return ("III" if n_real(stable[0]["eigenvalues"]) >= 2 else "II"), None
    eqs = [e["state"] for e in found]
    ev = found[0]["eigenvalues"]
    growth = float(ev.real.max())
    period = 2 * math.pi / max(float(np.max(np.abs(ev.imag))), 1e-9)
    x0 = dict(eqs[0])
    x0["R_e"] = x0["R_e"] * 1.01 if x0["R_e"] > 0 else 1e-6  # off the invariant plane R_e = 0
    t_tr = min(max(20 * period, 40 / growth), max_transient)
    tr = bifkit.integrate(model, (0.0, t_tr), x0, method="dopri", rtol=1e-8, atol=1e-12,
                          sample=t_tr)
    if not tr.success:
        return "I", None
    T = min(lyap_periods * period, max_time)
    dt = min(period / 400.0, 0.5)
    ly = bifkit.lyapunov_spectrum(model, T=T, dt=dt, x0=tr.x_final, k=2)
    if ly.status != 0:
        return "I", None
    lam = fitted_exponents(ly)
    return ("V" if lam[0] > 3.0 / T else "IV"), tr.x_final


def coexisting_oscillation(model, x0, settle: float = 50.0, window: float = 5.0,
                           max_time: float = 2e5):
    """Does a trajectory from ``x0`` stay on an oscillation where an equilibrium is stable?

    ``x0`` is a state on the oscillation of a neighbouring parameter point.  The model is
    integrated (Dormand-Prince, rtol 1e-8) for max(``settle`` periods, 10/|lambda|) (period:
    2 pi / the imaginary part of the stable equilibrium's leading eigenvalue pair; lambda: its
    real part, 1/ms), then over two windows of max(``window`` periods, 1/|lambda|) (the
    times capped so that the whole run stays below ``max_time`` ms);
    A1, A2 = the largest distance (real-split state) from the equilibrium in each.  On a
    stable cycle (or a chaotic attractor) A2 ~ A1; a trajectory going to the equilibrium
    shrinks at least like its slowest linear rate near it, by 1 - exp(lambda W) over a window
    W (lambda: the leading real part, 1/ms; near a Hopf curve only a few per cent per
    window).  Oscillation: |A2/A1 - 1| < min(0.01, 0.2 (1 - exp(lambda W))) and A1 above
    1e-6 of the equilibrium's norm.

    Returns
    -------
    ndarray or None
        The state at the end (on the oscillation) if the trajectory stays on one; None if it
        goes to an equilibrium, diverges, or needs more than ``max_time`` ms.
    """
    import bifkit
    stable = [e for e in model.equilibria() if e["stable"]]
    if not stable:
        raise ValueError("coexisting_oscillation needs a parameter point with a stable "
                         "equilibrium")
    eq, ev = stable[0]["state"], stable[0]["eigenvalues"]
    lam = float(ev.real.max())
    # the period of the leading (slowest-decaying) pair: the one that turns into a cycle at
    # the Hopf curve; a node's: its fastest complex pair, or 1/|lambda|
    om = abs(float(ev[int(np.argmax(ev.real))].imag)) or float(np.max(np.abs(ev.imag)))
    period = 2 * math.pi / om if om > 1e-12 else 1.0 / abs(lam)
    # settle until a trajectory heading for the equilibrium has shrunk by e^-10 at its
    # slowest linear rate, windows of 1/|lambda| (a decay by e^-1 there), both at least some
    # periods and together at most max_time (close to a Hopf curve the threshold below
    # shrinks with the expected decay)
    t_settle = max(settle * period, min(10.0 / abs(lam), max_time / 2))
    w = max(window * period, min(1.0 / abs(lam), max_time / 4))
    if t_settle + 2 * w > max_time:
        return None
    x_eq = model.pack(eq)
    tr = bifkit.integrate(model, (0.0, t_settle + 2 * w), np.asarray(x0, float),
                          method="dopri", rtol=1e-8, atol=1e-12, sample=period / 50)
    if not tr.success or not np.all(np.isfinite(tr.y)):
        return None
    d = np.linalg.norm(tr.y - x_eq[:, None], axis=0)
    a1 = d[(tr.t >= t_settle) & (tr.t < t_settle + w)].max()
    a2 = d[tr.t >= t_settle + w].max()
    if a1 < 1e-6 * max(float(np.linalg.norm(x_eq)), 1e-12):
        return None
    if abs(a2 / a1 - 1) >= min(0.01, 0.2 * (1 - math.exp(lam * w))):
        return None
    return tr.x_final


def bistable_cells(plane, xs, ys, labels, states, reach: int = 3, tries: int = 6):
    """Relabel cells with a stable equilibrium that also carry a stable oscillation.

    Every cell labelled II or III next to (4-neighbour) a cell with an oscillation (IV, V, or
    one found here; ``states[(i, j)]`` its state) is integrated from the oscillation states of
    the cells within ``reach`` cells (nearest first, at most ``tries``;
    :func:`coexisting_oscillation`): several, because the oscillation next door may be
    another attractor (e.g. a small cycle near a Hopf point) than the one that continues into
    the bistable window.  Where a trajectory stays on an oscillation the cell becomes II+IV or
    III+IV and the search goes on from it.  A coexisting oscillation that no nearby cell's
    state reaches is missed.  Returns the number of cells relabelled.
    """
    from collections import deque
    queue = deque(sorted(states))
    tried, found = set(), 0
    ny, nx = labels.shape
    while queue:
        i, j = queue.popleft()
        for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            if not (0 <= a < ny and 0 <= b < nx) or (a, b) in tried \
                    or labels[a, b] not in ("II", "III"):
                continue
            tried.add((a, b))
            m = plane.model(**{plane.x: float(xs[b]), plane.y: float(ys[a])})
            near = sorted((max(abs(p - a), abs(q - b)), abs(p - a) + abs(q - b), (p, q))
                          for p, q in states if max(abs(p - a), abs(q - b)) <= reach)
            for _d, _d1, src in near[:tries]:
                x = coexisting_oscillation(m, states[src])
                if x is not None:
                    labels[a, b] = labels[a, b] + "+IV"
                    states[(a, b)] = x
                    queue.append((a, b))
                    found += 1
                    break
    return found


def _centres(rng, n, log):
    """Centres of n equal cells (equal in log10 when ``log``) covering ``rng``."""
    e = np.linspace(math.log10(rng[0]), math.log10(rng[1]), n + 1) if log else \
        np.linspace(rng[0], rng[1], n + 1)
    c = 0.5 * (e[1:] + e[:-1])
    return 10 ** c if log else c


def region_grid(plane, nx, ny, store=None):
    """Region labels on an nx x ny grid (rows y, columns x) and the grid axes.

    ``store`` (a :class:`resume.PhaseStore`, optional): each row and the bistable-cell
    search are phases ("regions row i", "regions bistable") saved and reused on a rerun.
    """
    from .resume import PhaseStore
    store = PhaseStore(None, {}) if store is None else store
    xs = _centres(plane.x_range, nx, plane.x_log)
    ys = _centres(plane.y_range, ny, plane.y_log)
    labels = np.empty((ny, nx), dtype=object)
    states = {}  # (i, j) -> a state on the cell's oscillation (IV, V)

    def cell(xv, yv):
        return classify_cell(plane.model(**{plane.x: float(xv), plane.y: float(yv)}))

    def row(yv):
        # the cells of a row on two threads: their integrations run in compiled loops that
        # release the GIL (dopri_loop, benettin_loop: nogil); the same labels, in order
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            cells = list(pool.map(lambda xv: cell(xv, yv), xs))
        return [c[0] for c in cells], [c[1] for c in cells]

    for i, yv in enumerate(ys):
        labs, xstates = store.run(f"regions row {i} of {ny}", row, yv)
        labels[i, :] = labs
        states.update({(i, j): x for j, x in enumerate(xstates) if x is not None})

    def bistable():
        bistable_cells(plane, xs, ys, labels, states)
        return labels

    labels = store.run("regions bistable", bistable)
    return xs, ys, labels


# --------------------------------------------------------------------------- #
# Drawing                                                                      #
# --------------------------------------------------------------------------- #
def _edges(v, log):
    if log:
        lv = np.log10(v)
        e = np.concatenate([[lv[0] - (lv[1] - lv[0]) / 2], (lv[1:] + lv[:-1]) / 2,
                            [lv[-1] + (lv[-1] - lv[-2]) / 2]])
        return 10 ** e
    return np.concatenate([[v[0] - (v[1] - v[0]) / 2], (v[1:] + v[:-1]) / 2,
                           [v[-1] + (v[-1] - v[-2]) / 2]])


def draw_regions(ax, plane, xs, ys, labels):
    """Colour the grid cells by region and write I-V at the middle of each region's largest
    connected part."""
    from matplotlib.colors import ListedColormap
    from scipy import ndimage
    keys = list(REGION_COLORS)
    code = np.vectorize(keys.index)(labels)
    ax.pcolormesh(_edges(xs, plane.x_log), _edges(ys, plane.y_log), code,
                  cmap=ListedColormap([REGION_COLORS[k] for k in keys]), vmin=-0.5,
                  vmax=len(keys) - 0.5, shading="flat", zorder=0)
    for k in keys[:-1]:
        comp, n = ndimage.label(labels == k)
        if n == 0:
            continue
        sizes = ndimage.sum(np.ones_like(comp), comp, index=range(1, n + 1))
        min_cells = max(3, labels.size // 100)
        for lab in range(1, n + 1):  # the largest part, and every part of >= 1 % of the grid
            if sizes[lab - 1] < min_cells and lab != 1 + int(np.argmax(sizes)):
                continue
            ii, jj = np.nonzero(comp == lab)
            c = np.argmin((ii - ii.mean()) ** 2 + (jj - jj.mean()) ** 2)  # a cell inside
            ax.text(xs[jj[c]], ys[ii[c]], k, ha="center", va="center", fontsize=13,
                    fontweight="bold", zorder=6)


def draw_curves(ax, plane):
    """Hopf (solid super / dashed sub), LPC, PD, NF and the codim-2 points, with a legend."""
    for x, y, extra in plane.curves.get("H", []):
        l1 = extra["l1"]
        ax.plot(x, np.where(l1 < 0, y, np.nan), "-", color=COLORS["H"], lw=1.8, zorder=4)
        ax.plot(x, np.where(l1 >= 0, y, np.nan), "--", color=COLORS["H"], lw=1.8, zorder=4)
        for lab, sx, sy in _codim2_points(plane, extra):
            ax.plot(sx, sy, "o" if lab == "GH" else "s", color="k", ms=5, zorder=7)
            ax.annotate(lab, (sx, sy), textcoords="offset points", xytext=(4, 4), fontsize=7,
                        zorder=7)
    for kind, ls in (("LPC", "-"), ("PD", "-"), ("NF", "-")):
        for x, y, _extra in plane.curves.get(kind, []):
            ax.plot(x, y, ls, color=COLORS[kind], lw=1.8, zorder=4)
    for x, y, _extra in plane.curves.get("TC", []):
        ax.plot(x, y, "-.", color=TC_COLOR, lw=1.6, zorder=4)
    for x, y, _extra in plane.curves.get("BT", []):
        ax.plot(x, y, "s", color="k", ms=6, zorder=7, clip_on=False)
        ax.annotate("BT", (x[0], y[0]), textcoords="offset points", xytext=(4, 4), fontsize=7,
                    zorder=7)
    for x, y, _extra in plane.curves.get("NF-points", []):
        ax.plot(x, y, "D", color=COLORS["NF"], ms=4, mec="k", mew=0.4, zorder=5,
                label="node / focus, bisection on scan lines")
    for ls, c, lab in legend_keys(plane):
        ax.plot([], [], ls, color=c, lw=1.8, label=lab)
    ax.set_xscale("log" if plane.x_log else "linear")
    ax.set_yscale("log" if plane.y_log else "linear")
    ax.set_xlim(*plane.x_range)
    ax.set_ylim(*plane.y_range)


def legend_keys(plane) -> list:
    """(line style, colour, label) of the curve kinds drawn on ``plane``: a key only for a
    curve that is there (a quick run without an LPC curve shows no LPC key)."""
    hopf = [extra["l1"] for x, _y, extra in plane.curves.get("H", [])
            if np.any(np.isfinite(x))]
    l1 = np.concatenate(hopf) if hopf else np.array([])
    keys = [("-", COLORS["H"], "Hopf, supercritical", np.any(l1 < 0)),
            ("--", COLORS["H"], "Hopf, subcritical", np.any(l1 >= 0))]
    for kind, text in (("LPC", "saddle-node of cycles (LPC)"), ("PD", "period doubling (PD)"),
                       ("NF", "node / focus")):
        drawn = any(np.any(np.isfinite(x) & np.isfinite(y))
                    for x, y, _e in plane.curves.get(kind, []))
        keys.append(("-", COLORS[kind], text, drawn))
    keys.append(("-.", TC_COLOR, "transcritical: interior state meets R$_e$=0",
                 bool(plane.curves.get("TC"))))
    return [k[:3] for k in keys if k[3]]


def region_legend(ax, present):
    """Proxy patches for the regions present on the grid."""
    from matplotlib.patches import Patch
    return [Patch(facecolor=REGION_COLORS[k], edgecolor="0.6",
                  label=(f"{k}: " if k != "none" else "") + REGION_TEXT[k])
            for k in REGION_COLORS if k in present]


def _codim2_points(plane, extra) -> list:
    """The codim-2 labels of one H-C curve; its BT label is left out when the exact BT point
    (end of the transcritical curve) is known: the H-C run only stops near it, at D_ee > 0."""
    if not plane.curves.get("BT"):
        return extra["special"]
    return [s for s in extra["special"] if s[0] != "BT"]


def curves_table(plane) -> dict:
    """All curves as one long table: kind, curve index, x, y, l1 (Hopf) -- for the CSV."""
    cols = {"curve": [], "index": [], plane.x: [], plane.y: [], "l1": []}
    for kind in ("H", "LPC", "PD", "NF", "NF-points", "TC"):
        for k, (x, y, extra) in enumerate(plane.curves.get(kind, [])):
            n = len(x)
            cols["curve"] += [kind] * n
            cols["index"] += [k] * n
            cols[plane.x] += list(x)
            cols[plane.y] += list(y)
            cols["l1"] += list(extra["l1"]) if "l1" in extra else [math.nan] * n
    return cols


def special_table(plane) -> dict:
    cols = {"label": [], plane.x: [], plane.y: []}
    rows = [s for _x, _y, extra in plane.curves.get("H", []) for s in _codim2_points(plane, extra)]
    rows += [("BT", float(x[0]), float(y[0])) for x, y, _e in plane.curves.get("BT", [])]
    for lab, sx, sy in rows:
        cols["label"].append(lab)
        cols[plane.x].append(sx)
        cols[plane.y].append(sy)
    return cols


# --------------------------------------------------------------------------- #
# A whole diagram                                                              #
# --------------------------------------------------------------------------- #
def compute(plane, *, scan_lines: int, x_start: float, pd_cuts, grid: tuple,
            cycle_options=None, store=None):
    """Every curve and the region grid of ``plane``; returns (xs, ys, labels, timings).

    ``store``: a :class:`resume.PhaseStore` (full runs: each finished phase -- the scan, each
    curve family, each row of the region grid, the bistable-cell search -- is saved and
    reused on a rerun with the same settings); None computes everything.  The timings (s)
    are those of the phases' computation, also when reused.
    """
    from .resume import PhaseStore
    store = PhaseStore(None, {}) if store is None else store
    cycle_options = cycle_options or {}

    def phase(name, work):
        """Run ``work()`` (which adds curves to the plane) as a stored phase: its result
        and the plane's curves after it are what is saved."""
        result, curves = store.run(name, lambda: (work(), plane.curves))
        plane.curves = curves
        return result

    def scan():
        transcritical_curve(plane)
        y_lines = np.linspace(*plane.y_range, scan_lines + 2)[1:-1]
        # a Hopf curve starts at a Bogdanov-Takens point; in Fig. 1b it stays within 1 % of
        # the y range above it (D_ee < 0.0373 up to K = 1e5), below the first scan line
        span = plane.y_range[1] - plane.y_range[0]
        y_lines = np.concatenate([[by[0] + 0.005 * span for _bx, by, _e in
                                   plane.curves.get("BT", [])], y_lines])
        hopf_seeds, nf_seeds = seed_scan(plane, y_lines, x_start)
        if nf_seeds:  # the bisection points themselves: the boundary where NF-C fails to start
            plane.add("NF-points", [s["params"][plane.x] for s in nf_seeds],
                      [s["params"][plane.y] for s in nf_seeds])
        return hopf_seeds, nf_seeds

    def lpc(gh):
        try:
            import bifkit.continuation.cycles.gh  # noqa: F401  (LPC-C from a Bautin point)
        except ImportError:
            plane.curves.setdefault("failed", []).append(
                "LPC curve not drawn: LPC-C from a Bautin point needs "
                "bifkit.continuation.cycles.gh")
            return
        lpc_curves(plane, gh, **cycle_options)

    hopf_seeds, nf_seeds = phase("scan", scan)
    # the Bautin points (picklable special points) are what the LPC phase needs of H-C
    gh = phase("H-C", lambda: [s for hc in hopf_curves(plane, hopf_seeds)
                               for s in hc.special_points("GH")])
    # the branches themselves are not kept (not picklable): the plane holds the curves
    phase("NF-C", lambda: len(nf_curves(plane, nf_seeds)))
    phase("PD-C", lambda: len(pd_curves(plane, pd_cuts, **cycle_options)))
    phase("LPC-C", lambda: lpc(gh))
    xs, ys, labels = region_grid(plane, *grid, store=store)
    t = {k: store.total(k) for k in ("scan", "H-C", "NF-C", "PD-C", "LPC-C")}
    t["regions"] = store.total("regions")
    return xs, ys, labels, t


def write_outputs(plane, out, name, xs, ys, labels, comment=""):
    """The CSV tables of a plane: curves, codim-2 points, region grid, failures."""
    from .common import write_csv
    files = {"curves": write_csv(out / f"{name}_curves.csv", curves_table(plane),
                                 comment + "; curve: H (l1 < 0 supercritical), LPC, PD, NF, "
                                 "TC (transcritical: interior state meets R_e = 0, closed form); "
                                 "NaN rows: unphysical parts (a rate <= 0) left out")}
    sp = special_table(plane)
    if sp["label"]:
        files["codim2"] = write_csv(out / f"{name}_codim2_points.csv", sp, comment)
    X, Y = np.meshgrid(xs, ys)
    files["regions"] = write_csv(out / f"{name}_regions.csv",
                                 {plane.x: X.ravel(), plane.y: Y.ravel(),
                                  "region": labels.ravel()},
                                 comment + "; regions I-V of Bi et al. Fig. 1 from all "
                                 "equilibria with rates >= 0 (R_e = 0 states included); II+IV / "
                                 "III+IV: a stable oscillation coexists with the stable "
                                 "equilibrium (integration from a neighbouring cell's "
                                 "oscillation stays on one); none = no equilibrium at all")
    failed = plane.curves.get("failed", [])
    if failed:
        files["notes"] = write_csv(out / f"{name}_notes.csv", {"note": [f.replace(",", ";")
                                                                       for f in failed]})
    elif (out / f"{name}_notes.csv").exists():  # a stale note of an earlier run
        (out / f"{name}_notes.csv").unlink()
    return files


def draw_plane(ax, plane, xs, ys, labels):
    """Regions, curves and the combined legend on ``ax``."""
    draw_regions(ax, plane, xs, ys, labels)
    draw_curves(ax, plane)
    h, _l = ax.get_legend_handles_labels()
    present = set(labels.ravel())
    ax.legend(handles=h + region_legend(ax, present), fontsize=7, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    notes = [f for f in plane.curves.get("failed", []) if f.startswith("LPC curve not drawn")]
    if notes:
        ax.text(0.01, 0.01, "\n".join(notes), transform=ax.transAxes, fontsize=6, color="tab:red",
                va="bottom", zorder=8)
