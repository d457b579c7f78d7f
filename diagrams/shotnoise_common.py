"""Shared pieces of the shot-noise recipes (Ageeva & Goldobin 2025; Goldobin et al. 2024/25):
which mean-field models exist, and their stationary branches in K."""
from __future__ import annotations

import numpy as np

from .common import model_has

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


def leading_real_part(model, x_guess):
    """(max Re eigenvalue, state vector) of the stationary state found from ``x_guess``."""
    import bifkit
    st = bifkit.find_equilibrium(model, x_guess)
    return float(model.eigenvalues(st)[0].real), model.pack(st)


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
        ``direction`` ("AS->GO" or "GO->AS" with increasing K).
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
            rows.append((K, M, t, float(mk.eigenvalues(x)[0].real), x))
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
            return float(mk.eigenvalues(guess["x"])[0].real)
        try:
            lk = brentq(lead, math.log10(Kb), math.log10(Ka), xtol=xtol)
            lead(lk)
        except (ConvergenceError, ValueError):
            continue
        t = truncation.tail(model(Mc), guess["x"])
        out.append({"K": 10 ** lk, "M": Mc, "tail": t, "converged": t <= tol,
                    "direction": "AS->GO" if lb < 0 else "GO->AS"})
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
