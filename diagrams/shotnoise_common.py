"""Shared pieces of the shot-noise recipes (Ageeva & Goldobin 2025; Goldobin et al. 2024/25):
which mean-field models exist, and their stationary branches in K."""
from __future__ import annotations

import logging
import math

import numpy as np

from .common import model_has

log = logging.getLogger("bifkit.diagrams.shotnoise")

# name -> (label, colour, marker) as in Ageeva & Goldobin 2025, Figs. 2-3
MEAN_FIELDS = {
    "shotnoise_chain": ("exact chain (M=64)", "k", "s"),
    "shotnoise_2cc": ("2CC", "tab:red", "D"),
    "shotnoise_oa": ("OA", "tab:blue", "o"),
}


def available_mean_fields(names=tuple(MEAN_FIELDS)) -> list[str]:
    """The subset of ``names`` that bifkit can load now (the chain arrives later)."""
    return [n for n in names if model_has(n)]


def stationary_branch(name: str, ratio: float, K_range=(10.0, 1e4), g0: float = 1.0,
                      ds_max: float = 0.05):
    """EP-C in log10 K of model ``name`` at i0 = ratio g0^2: (K, nu, stable, hopf points)."""
    import bifkit
    m = bifkit.load_model(name, K=K_range[0], i0=ratio * g0 ** 2, g0=g0)
    x = bifkit.find_equilibrium(m, m.default_guess())
    br = bifkit.continuation(m, "EP-C", x, ["K"], bounds={"K": K_range}, log_params=["K"],
                             ds_max=ds_max)
    return br.params["K"], _nu_along(m, br), br.stable, br.special_points("H")


def _nu_along(m, br) -> np.ndarray:
    """The observable nu at every point of an EP-C branch."""
    obs = m.compiled.obs
    k = m.observable_names.index("nu")
    return np.array([obs(0.0, br.x[i], br.p[i])[k] for i in range(len(br))])


def sampled_branch(name: str, ratio: float, K_values, g0: float = 1.0):
    """Stationary states of ``name`` at the given K (Newton, each from the previous one).

    For large models (the M = 64 chain: 128 real unknowns) where a sampled curve is cheaper
    than a full EP-C run.  Returns (K, nu, stable, hopf) with ``hopf`` a list of
    (K, "stability change") where the leading eigenvalue's real part changes sign, located
    by linear interpolation in log K between samples.
    """
    import bifkit
    K_values = np.asarray(K_values, float)
    m = bifkit.load_model(name, K=float(K_values[0]), i0=ratio * g0 ** 2, g0=g0)
    x = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    nu, lead = [], []
    for K in K_values:
        mk = m.with_params(K=float(K))
        state = bifkit.find_equilibrium(mk, x)
        x = mk.pack(state)
        nu.append(mk.observables(state)["nu"])
        lead.append(mk.eigenvalues(state)[0].real)
    lead = np.array(lead)
    hopf = []
    for i in np.nonzero(np.sign(lead[:-1]) * np.sign(lead[1:]) < 0)[0]:
        a, b = np.log(K_values[i]), np.log(K_values[i + 1])
        hopf.append((float(np.exp(a - lead[i] * (b - a) / (lead[i + 1] - lead[i]))),
                     "stability change"))
    return K_values, np.array(nu), lead < 0, hopf


#: state dimension above which :func:`leading_eigenvalue` uses shift-invert Arnoldi
DENSE_EIG_MAX = 256
#: eigenvalues nearest 0 computed by shift-invert Arnoldi
N_NEAR_ZERO = 16


def leading_eigenvalue(model, x) -> complex:
    """The eigenvalue with the largest real part of the Jacobian at state vector ``x``.

    Up to :data:`DENSE_EIG_MAX` unknowns: all eigenvalues (LAPACK).  Above (the chains at
    M >= 256, 512-2048 unknowns, where the dense eigenvalue problem costs 0.8-5.7 s and was
    70-80 % of a crossing search; docs/figures/bench_crossing_search.py: 3.3x faster): the :data:`N_NEAR_ZERO` eigenvalues nearest 0 by
    shift-invert Arnoldi (ARPACK, sigma = 0; one real LU, 0.03-0.3 s), the rightmost of them.
    This relies on the chains' spectrum: the weakly damped modes are the low harmonics of
    the population rotation (lambda_k ~ i k omega with damping growing with k), so the
    rightmost eigenvalue is among those nearest 0; ``tests/test_reentrant_curve.py`` checks
    it against the full spectrum at points across the plane, and where the rightmost found
    lies in the outer half of the disc they span (a sign the assumption may not hold), the
    full spectrum is computed instead.  Every located crossing is checked once against the
    full spectrum (:func:`_checked_crossing`).
    """
    J = model.jacobian(model.unpack(x) if isinstance(x, np.ndarray) else x)
    if J.shape[0] <= DENSE_EIG_MAX:
        ev = np.linalg.eigvals(J)
        return complex(ev[np.argmax(ev.real)])
    from scipy.sparse.linalg import eigs
    w = eigs(J, k=N_NEAR_ZERO, sigma=0.0, which="LM", return_eigenvectors=False)
    lead = w[np.argmax(w.real)]
    if abs(lead) > 0.5 * np.abs(w).max():
        log.info("leading_eigenvalue: rightmost of the %d nearest 0 at |lambda| = %.3g of "
                 "%.3g: full spectrum", N_NEAR_ZERO, abs(lead), np.abs(w).max())
        ev = np.linalg.eigvals(J)
        lead = ev[np.argmax(ev.real)]
    return complex(lead)


def _checked_crossing(model, x, K):
    """Log a warning if the full spectrum at a located crossing does not have its largest
    real part at ~0 (the shift-invert leading eigenvalue missed one further out)."""
    if len(x) <= DENSE_EIG_MAX:  # the leading eigenvalue came from the full spectrum
        return
    top = float(np.linalg.eigvals(model.jacobian(model.unpack(x))).real.max())
    if top > 1e-7:  # Re lambda at the grid points is ~1e-4; at a root ~1e-10
        log.warning("crossing at K = %.8g: the full spectrum has Re lambda = %.3g > 0 "
                    "(the located root is not a change of stability)", K, top)


def leading_real_part(model, x_guess):
    """(max Re eigenvalue, state vector) of the stationary state found from ``x_guess``."""
    import bifkit
    st = bifkit.find_equilibrium(model, x_guess)
    x = model.pack(st)
    return float(leading_eigenvalue(model, x).real), x


def hopf_crossings(name, ratio, K_grid, g0=1.0, xtol=1e-6, start_K=300.0, **structural):
    """Hopf points of model ``name`` along K at fixed i0 = ratio g0^2, by sampling.

    The stationary state is followed along ``K_grid`` by Newton; where the leading eigenvalue's
    real part changes sign, the crossing is located by Brent's method in log10 K (``xtol``).
    Returns a list of (K_H, state vector, "AS->GO" or "GO->AS" with increasing K).  Meant for
    large models (chains of M modes) where EP-C is slow and its Hopf test function overflows.
    """
    import math

    import bifkit
    from scipy.optimize import brentq
    from bifkit.errors import ConvergenceError
    K_grid = np.asarray(K_grid, float)
    # start where Newton converges easily (moderate K), then walk both ways along the grid;
    # a walk stops where Newton fails (no stationary state continued from the last one)
    i0 = int(np.argmin(np.abs(np.log(K_grid / start_K))))
    m = bifkit.load_model(name, K=float(K_grid[i0]), i0=ratio * g0 ** 2, g0=g0, **structural)
    x0 = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    lead = np.full(K_grid.size, np.nan)
    states = [None] * K_grid.size
    for step in (1, -1):
        x = x0
        for i in range(i0 if step == 1 else i0 - 1, K_grid.size if step == 1 else -1, step):
            try:
                lead[i], x = leading_real_part(m.with_params(K=float(K_grid[i])), x)
            except ConvergenceError:
                break
            states[i] = x
    out = []
    with np.errstate(invalid="ignore"):
        cross = np.nonzero(np.sign(lead[:-1]) * np.sign(lead[1:]) < 0)[0]
    for i in cross:
        guess = {"x": states[i]}

        def f(lk):
            g, guess["x"] = leading_real_part(m.with_params(K=10 ** lk), guess["x"])
            return g
        try:
            lk = brentq(f, math.log10(K_grid[i]), math.log10(K_grid[i + 1]), xtol=xtol)
            f(lk)
        except ConvergenceError:
            continue
        _checked_crossing(m.with_params(K=10 ** lk), guess["x"], 10 ** lk)
        out.append((10 ** lk, guess["x"], "AS->GO" if lead[i] < 0 else "GO->AS"))
    return out


def K_D(ratio):
    """Ageeva & Goldobin 2025, Sec. 7.1: K_D = 4 [0.5 ln(g0^2/i0)]^(1/3) / (i0/g0^2)^(2/3);
    the diffusion approximation is accurate for K 1-2 orders of magnitude above it."""
    r = np.asarray(ratio, float)
    return 4 * (0.5 * np.log(1 / r)) ** (1 / 3) / r ** (2 / 3)


def converged_hopf_crossings(name, ratio, K_grid, tol=None, M0=64, M_max=512, g0=1.0,
                             xtol=1e-8, start_K=300.0):
    """Hopf points of a mode chain along K with the mode count chosen per grid point.

    Starting at ``start_K`` (Newton from the model's default guess) and walking up and then
    down the grid, each point's stationary state is solved (Newton from its neighbour's) at the
    current M, doubled while its tail
    (:func:`bifkit.truncation.tail`) exceeds ``tol`` (default
    :data:`bifkit.truncation.DEFAULT_TOL`) and M < M_max.  A change of sign of the leading
    eigenvalue's real part between neighbours is located by Brent's method in log10 K at the
    larger of the two M.

    Returns
    -------
    crossings : list of dict
        ``K``, ``M``, ``tail`` (at the crossing), ``converged`` (tail <= tol) and
        ``direction`` ("AS->GO" or "GO->AS" with increasing K) and ``x`` (the real-split
        state vector at the crossing, M modes).
    samples : dict
        ``K``, ``M``, ``tail`` and ``lead`` (max real part of the eigenvalues) per grid point.
    """
    import math

    import bifkit
    from bifkit import truncation
    from bifkit.errors import ConvergenceError
    from scipy.optimize import brentq
    tol = truncation.DEFAULT_TOL if tol is None else tol
    K_grid = np.sort(np.asarray(K_grid, float))[::-1]
    models = {}

    def model(M):
        if M not in models:
            models[M] = bifkit.load_model(name, M=M, K=float(K_grid[0]), i0=ratio * g0 ** 2,
                                          g0=g0)
        return models[M]

    def solve(M, K, guess):
        mk = model(M).with_params(K=float(K))
        if guess is not None and len(guess) != 2 * M:  # pad with zero modes (the truncation)
            guess = np.concatenate([guess, np.zeros(2 * M - len(guess))])
        st = bifkit.find_equilibrium(mk, mk.default_guess() if guess is None else
                                     mk.unpack(guess))
        return mk, mk.pack(st)

    def walk(indices, M, x):
        """Newton along K_grid[indices], M doubled where the tail is too large."""
        rows = []
        for i in indices:
            K = K_grid[i]
            try:
                mk, x = solve(M, K, x)
                t = truncation.tail(mk, x)
                while t > tol and 2 * M <= M_max:
                    M *= 2
                    mk, x = solve(M, K, x)
                    t = truncation.tail(mk, x)
            except ConvergenceError:
                break
            rows.append((K, M, t, float(leading_eigenvalue(mk, x).real), x))
        return rows

    # start where Newton converges easily (moderate K, as hopf_crossings), walk up, then down
    i0 = int(np.argmin(np.abs(np.log(K_grid / start_K))))
    down = walk(range(i0, K_grid.size), M0, None)  # K_grid is descending: towards small K
    if not down:
        return [], {k: np.array([]) for k in ("K", "M", "tail", "lead")}
    up = walk(range(i0 - 1, -1, -1), down[0][1], down[0][4])
    rows = up[::-1] + down  # descending K
    out = []
    for (Ka, Ma, _ta, la, xa), (Kb, Mb, _tb, lb, xb) in zip(rows[:-1], rows[1:]):
        if la * lb >= 0:
            continue
        Mc = max(Ma, Mb)
        guess = {"x": xa}

        def lead(lk):
            mk, guess["x"] = solve(Mc, 10 ** lk, guess["x"])
            return float(leading_eigenvalue(mk, guess["x"]).real)
        try:
            lk = brentq(lead, math.log10(Kb), math.log10(Ka), xtol=xtol)
            lead(lk)
        except (ConvergenceError, ValueError):
            continue
        _checked_crossing(model(Mc).with_params(K=10 ** lk), guess["x"], 10 ** lk)
        t = truncation.tail(model(Mc), guess["x"])
        out.append({"K": 10 ** lk, "M": Mc, "tail": t, "converged": t <= tol,
                    "direction": "AS->GO" if lb < 0 else "GO->AS", "x": guess["x"]})
    samples = {"K": np.array([r[0] for r in rows]), "M": np.array([r[1] for r in rows]),
               "tail": np.array([r[2] for r in rows]), "lead": np.array([r[3] for r in rows])}
    return sorted(out, key=lambda c: c["K"]), samples


def large_K_pair(rows, model="diffusion_chain"):
    """(K, ratio) of a chain's second Hopf pair at large K, joined into one curve.

    At weak drive (ratio < 0.05) both chains have, beyond their main Hopf line (K < 3e3 there),
    a second pair of crossings at K > 3e4 (GO->AS, then AS->GO with increasing K; the
    diffusion chain at i0/g0^2 = 1.6e-3: K = 95945 and 170912).  ``rows``: dicts with
    ``model``, ``ratio``, ``K``.  Lower members by increasing ratio, then upper ones by
    decreasing ratio."""
    sel = sorted((r for r in rows if r["model"] == model and r["K"] > 3e4 and r["ratio"] < 0.05),
                 key=lambda r: (r["ratio"], r["K"]))
    by_ratio = {}
    for r in sel:
        by_ratio.setdefault(r["ratio"], []).append(r["K"])
    lo = [(min(v), q) for q, v in sorted(by_ratio.items())]
    hi = [(max(v), q) for q, v in sorted(by_ratio.items(), reverse=True) if len(v) > 1]
    pts = lo + hi
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


def converged_hopf_curve(name, start, bounds, tol=None, M_max=512, chunk=None, max_points=400,
                         ds_max=0.05, newton_tol=None):
    """H-C of a mode chain in (K, i0) (log-log) with the mode count raised along the curve.

    The Hopf curve is continued in chunks of ``chunk`` points (default max(8, 4096/M);
    ``bifkit.continuation``, "H-C"), each chunk from the last accepted point, in both
    directions from ``start``.
    After every chunk the tail of each point (:func:`bifkit.truncation.tail`) is checked;
    from the first point whose tail exceeds ``tol`` (default
    :data:`bifkit.truncation.DEFAULT_TOL`, Hopf points then right to ~1.5e-5 relative) the
    chunk is dropped and the curve goes on from the last good point with M doubled (the
    state lifted by Newton, :func:`bifkit.truncation.lift_state`).  Where even ``M_max`` is
    not enough, that direction ends ("truncation": the converged curve is not known beyond).

    Parameters
    ----------
    name : str
        ``"shotnoise_chain"`` or ``"diffusion_chain"``.
    start : dict
        ``{"K", "i0", "M", "x"}``: a Hopf point (e.g. a converged crossing of
        :func:`converged_hopf_crossings`) and its real-split state at M modes.
    bounds : dict
        ``{"K": (lo, hi), "i0": (lo, hi)}``.
    M_max : int
        Largest mode count (H-C costs ~n^3 per point: M = 512 is ~12-25 s per point here).
    newton_tol : float, optional
        H-C's Newton tolerance (``tol``; default the continuation's 1e-10).  A chunk whose
        start Newton stops with a large step (H-C's start check) is retried at 1e-6: the
        points are then still Newton-corrected, and the sampled crossings' distance to the
        curve (:func:`trace_hopf_curves`) checks them.

    Returns
    -------
    dict
        ``K``, ``i0``, ``M``, ``tail``, ``l1`` arrays along the curve (in order, g0 = 1),
        ``gh`` (list of (K, i0) Bautin points, l1 = 0), ``ends`` (why each direction ended:
        "bound", "truncation (M_max)", the branch status otherwise).
    """
    import bifkit
    from bifkit import truncation
    from bifkit.errors import ConvergenceError
    tol = truncation.DEFAULT_TOL if tol is None else tol
    models = {}

    def model(M):
        if M not in models:
            models[M] = bifkit.load_model(name, M=M, K=start["K"], i0=start["i0"], g0=1.0)
        return models[M]

    def run_chunk(M, x, K, i0, direction, n):
        m = model(M).with_params(K=float(K), i0=float(i0))
        n = max(8, 4096 // M) if n is None else n  # fewer restarts where points are cheap
        for ntol in ([newton_tol] if newton_tol is not None else [None]) + [1e-6]:
            extra = {} if ntol is None else {"tol": ntol}
            try:
                hc = bifkit.continuation(m, "H-C", {"state": m.unpack(x), "params": m.params},
                                         ["K", "i0"], bounds=bounds, log_params=["K", "i0"],
                                         direction=direction, max_points=n, ds=ds_max / 2,
                                         ds_max=ds_max, **extra)
                break
            except ConvergenceError as e:  # the start check (see trace_hopf_curves)
                log.info("%s H-C start at K = %.6g, i0 = %.4g, tol %s: %s", name, K, i0,
                         ntol, e)
        else:
            raise e
        order = np.arange(len(hc))
        lk, li = np.log10(hc.params["K"]), np.log10(hc.params["i0"])
        d0 = math.hypot(lk[0] - math.log10(K), li[0] - math.log10(i0))
        d1 = math.hypot(lk[-1] - math.log10(K), li[-1] - math.log10(i0))
        if d1 < d0:  # points from the start outwards
            order = order[::-1]
        return hc, order

    def follow(sense):
        """One direction; ``sense`` +1: log K grows at the start (the H-C orientation)."""
        pts, gh = [], []
        M, x, K, i0 = start["M"], np.asarray(start["x"], float), start["K"], start["i0"]
        direction = "forward" if sense > 0 else "backward"
        prev = None  # (log K, log i0) of the point before the current one
        while len(pts) < max_points:
            try:
                hc, order = run_chunk(M, x, K, i0, direction, chunk)
            except Exception as e:  # noqa: BLE001  (a restart inside the curve that fails)
                if not pts:
                    raise
                log.warning("%s H-C: restart at K = %.6g, i0 = %.4g (M = %d) failed: %s",
                            name, K, i0, M, e)
                return pts, gh, f"restart failed at M = {M}"
            lk, li = np.log10(hc.params["K"][order]), np.log10(hc.params["i0"][order])
            if prev is not None and len(order) > 1:
                step = np.array([lk[1] - lk[0], li[1] - li[0]])
                back = np.array([prev[0] - lk[0], prev[1] - li[0]])
                if step @ back > 0:  # the chunk went back along the curve: turn round
                    direction = "backward" if direction == "forward" else "forward"
                    hc, order = run_chunk(M, x, K, i0, direction, chunk)
                    lk, li = np.log10(hc.params["K"][order]), np.log10(hc.params["i0"][order])
            tails = np.array([truncation.tail(model(M), hc.x[i]) for i in order])
            bad = np.flatnonzero(tails > tol)
            good = order[: bad[0]] if bad.size else order
            for i in good[1:] if pts else good:
                pts.append((hc.params["K"][i], hc.params["i0"][i], M, truncation.tail(
                    model(M), hc.x[i]), hc.data["l1"][i]))
            last = good[-1] if good.size else order[0]
            gh += [(s.params["K"], s.params["i0"]) for s in hc.special_points("GH")
                   if truncation.tail(model(M), s.state) <= tol]
            if bad.size:
                if 2 * M > M_max:
                    log.info("%s H-C: tail > %.2g at M_max = %d beyond K = %.4g, i0 = %.4g",
                             name, tol, M_max, hc.params["K"][last], hc.params["i0"][last])
                    return pts, gh, "truncation (M_max)"
                params = dict(zip(hc.param_names, hc.p[last]))
                st = truncation.lift_state(model(M), hc.x[last], 2 * M, params)
                M *= 2
                x = model(M).pack(st)
            else:
                x = hc.x[last]
            if len(good) > 1:
                prev = (math.log10(hc.params["K"][good[-2]]),
                        math.log10(hc.params["i0"][good[-2]]))
            K, i0 = hc.params["K"][last], hc.params["i0"][last]
            if len(good) > 1:
                direction = "forward" if hc.params["K"][good[-1]] > hc.params["K"][good[-2]] \
                    else "backward"
            status = next(iter(hc.status.values()))
            if not bad.size and status != "max_points":
                return pts, gh, status
        return pts, gh, "max_points"

    back_pts, gh1, end1 = follow(-1)
    fwd_pts, gh2, end2 = follow(+1)
    pts = back_pts[::-1] + fwd_pts[1:]
    cols = {k: np.array([p[j] for p in pts]) for j, k in enumerate(("K", "i0", "M", "tail",
                                                                   "l1"))}
    return dict(cols, gh=gh1 + gh2, ends=(end1, end2))


def curve_distance(curve, K, i0) -> float:
    """Distance in decades (log10 K, log10 i0) from (K, i0) to a curve (its polyline)."""
    if not len(curve["K"]):
        return math.inf
    u, v = np.log10(curve["K"] / K), np.log10(curve["i0"] / i0)  # the point at the origin
    if len(u) == 1:
        return float(math.hypot(u[0], v[0]))
    du, dv = np.diff(u), np.diff(v)
    t = np.clip(-(u[:-1] * du + v[:-1] * dv) / np.maximum(du * du + dv * dv, 1e-300), 0, 1)
    return float(np.min(np.hypot(u[:-1] + t * du, v[:-1] + t * dv)))


#: K above which a chain's Hopf crossing belongs to its second (large-K) pair
LARGE_K = 3e4
#: H-C's Newton tolerance on the large-K pair: at the default 1e-10 the diffusion chain's
#: curve from K = 95945, i0/g0^2 = 1.6e-3 stops after 3 points with "step_underflow" (the
#: residual's rounding level there is ~1e-10; the engine's message says "rerun with
#: tol=1e-06"); at 1e-6 it runs on 65 points from bound to bound (K = 9.06e4 ... 3e5) and
#: passes the Brent crossing K = 170912 at 1.9e-5 decades (measured 2026-12-06)
LARGE_K_NEWTON_TOL = 1e-6


def large_K_newton_tol(K):
    """H-C's Newton tolerance for a start at ``K``: :data:`LARGE_K_NEWTON_TOL` on the
    large-K pair (K > :data:`LARGE_K`), else None (the continuation's default)."""
    return LARGE_K_NEWTON_TOL if K > LARGE_K else None


def trace_hopf_curves(name, crossings, bounds, M_max=512, on_curve=0.02, store=None,
                      **options):
    """H-C curves with converged M (:func:`converged_hopf_curve`) through sampled crossings.

    ``crossings``: dicts with ``K``, ``ratio``, ``M``, ``x``, ``converged`` (from
    :func:`converged_hopf_crossings`).  Crossings are taken by increasing M (the cheap ones
    first); one that lies within ``on_curve`` decades of a curve already traced is not
    traced again, one with M > M_max cannot be (H-C costs ~M^3 per point).  Each crossing gets
    ``curve_distance`` (decades to the nearest traced curve): the sampled crossings, located
    independently by Brent on the leading eigenvalue, check the curves.

    ``store`` (:class:`diagrams.resume.PhaseStore`, optional): each curve is a saved phase,
    named after its start, reused on a rerun with the same settings.

    A crossing at K > :data:`LARGE_K` (the second Hopf pair) is continued at Newton tol
    :data:`LARGE_K_NEWTON_TOL` unless ``options`` sets ``newton_tol``.

    Returns the list of curve dicts (``K``, ``i0``, ``M``, ``tail``, ``l1``, ``gh``,
    ``ends``), and the crossings with ``curve_distance`` added.
    """
    from .resume import PhaseStore
    store = PhaseStore(None, {}) if store is None else store
    curves = []
    todo = sorted((c for c in crossings if c["converged"]), key=lambda c: (c["M"], -c["K"]))
    for c in todo:
        if c["M"] > M_max or any(curve_distance(cv, c["K"], c["ratio"]) < on_curve
                                 for cv in curves):
            continue
        start = dict(K=c["K"], i0=c["ratio"], M=c["M"], x=c["x"])
        opts = dict(options)
        tol = large_K_newton_tol(c["K"])
        if tol is not None:
            opts.setdefault("newton_tol", tol)
        curve = store.run(f"{name} H-C from K {c['K']:.10g} i0 {c['ratio']:.6g}",
                          _traced_curve, name, start, bounds, M_max, opts)
        if curve is not None:
            curves.append(curve)
    out = [dict(c, curve_distance=min((curve_distance(cv, c["K"], c["ratio"])
                                       for cv in curves), default=math.inf))
           for c in crossings]
    return curves, out


def _traced_curve(name, start, bounds, M_max, options):
    """:func:`converged_hopf_curve` from ``start``, retried at Newton tol 1e-7; None (logged)
    if both fail."""
    c = start
    try:
        return converged_hopf_curve(name, start, bounds, M_max=M_max, **options)
    except Exception as e:  # noqa: BLE001  (retried below)
        # the diffusion chain's large-K pair: H-C's start (Gauss-Newton, stopped on the
        # step size) refuses Brent points there with residual 2e-11 at tol 1e-10..1e-8;
        # tol 1e-7 starts (the crossings' distance to the curve checks the result)
        log.info("%s H-C from K = %.6g, i0 = %.4g: %s; retrying with Newton tol 1e-7",
                 name, c["K"], c["i0"], e)
    try:
        return converged_hopf_curve(name, start, bounds, M_max=M_max,
                                    **dict(options, newton_tol=1e-7))
    except Exception as e:  # noqa: BLE001  (the crossing stays a marker; logged)
        log.warning("%s H-C from K = %.6g, i0 = %.4g failed: %s", name, c["K"], c["i0"], e)
        return None


def bautin_points(curve) -> list:
    """(K, i0) where l1 changes sign along a Hopf curve (linear interpolation in log K,
    log i0 between neighbouring points): where the Hopf point turns from super- to
    subcritical (Bautin, GH)."""
    l1 = curve["l1"]
    out = []
    for i in np.flatnonzero(np.sign(l1[:-1]) * np.sign(l1[1:]) < 0):
        w = l1[i] / (l1[i] - l1[i + 1])
        lk = (1 - w) * math.log10(curve["K"][i]) + w * math.log10(curve["K"][i + 1])
        li = (1 - w) * math.log10(curve["i0"][i]) + w * math.log10(curve["i0"][i + 1])
        out.append((10 ** lk, 10 ** li))
    return out

