"""Continuation of truncated models (mode chains) with a tail measure and automatic order.

The shot-noise chain ``shotnoise_chain`` (Ageeva & Goldobin 2025, eq. 6) and its diffusion
approximation ``diffusion_chain`` (eq. 29) are infinite systems for the Kuramoto-Daido
parameters z_n, truncated at M modes (z_{M+1} = 0).  Where the stationary |z_n| decay slowly
(weak drive, small K: alpha = g0 / (K^(3/4) sqrt(i0)) large) a fixed M gives spurious
Hopf points.  This module

* measures the truncation with every point: the **tail** max(|z_{M-3}|, ..., |z_M|) / max_n |z_n|
  of the point's state (:func:`tail`);
* continues with **automatic M** (:func:`continuation` without ``M``): a one-parameter EP-C
  run is split where the tail exceeds ``truncation_tol`` and those parameter intervals are
  re-run with M doubled, recursively, so M is recorded **per point**; other curve types
  double M for the whole run (**per run**);
* **warns** (:class:`TruncationWarning`) when a run with a fixed M is too coarse, naming the M
  at which the worst point's tail drops below the tolerance (found by Newton at 2M, 4M, ...).

The default tolerance, 1e-8, is calibrated on the chain's Hopf points against a fixed M = 512
computation (Brent on the leading eigenvalue, ``tests/test_truncation.py``): at i0/g0^2 = 7e-4
the lower Hopf point K = 17.2816 is off by 1.5e-3 with tail 8e-6 (M = 128) and by 8.4e-5 with
tail 5.8e-8 (M = 256); at 1e-3 (K = 6.9658) by 8.4e-4 with tail 2.8e-6 (M = 256).  The error is
~300-1500 times the tail, so 1e-8 keeps Hopf points right to ~1.5e-5 relative, 1e-4 with a
margin of 7.
"""
from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger("bifkit.truncation")

DEFAULT_TOL = 1e-8
TAIL_MODES = 4


class TruncationWarning(UserWarning):
    """A truncated model was run with too few modes for ``truncation_tol``."""


def truncation_order(model) -> int:
    """The truncation order M of ``model`` (its structural argument ``M``).

    Raises
    ------
    ValueError
        If the model is not truncated (it has no structural ``M``).
    """
    M = model.definition.structural.get("M") if model.definition.structural else None
    if M is None:
        raise ValueError(f"model {model.name!r} has no truncation order M; truncation applies "
                         f"to mode chains such as 'shotnoise_chain' and 'diffusion_chain'")
    return int(M)


def _moduli(model, state) -> np.ndarray:
    """|z_1| .. |z_M| from a state (dict of complex modes, or the real-split vector)."""
    if isinstance(state, dict):
        z = np.array([complex(state[k]) for k in model.states])
    else:
        x = np.asarray(state, float)[: 2 * truncation_order(model)]
        z = x[0::2] + 1j * x[1::2]
    return np.abs(z)


def tail(model, state) -> float:
    """Tail measure of a truncated state: max(|z_{M-3}|..|z_M|) / max_n |z_n| (dimensionless).

    Small where the spectrum has decayed before the truncation; the chain's Hopf points are
    off by roughly 100-1000 times this number (see the module docstring).
    """
    a = _moduli(model, state)
    top = float(a.max()) if a.size else 0.0
    if top == 0.0:
        return 0.0
    return float(a[-TAIL_MODES:].max() / top)


def at_order(model, M: int):
    """``model`` with M modes (same parameters)."""
    from .registry import load_model
    return load_model(model.name, M=int(M), **model.params)


def lift_state(model, state, M: int, params: dict | None = None) -> dict:
    """A stationary state of ``model`` re-solved with M modes.

    The modes n <= min(M, M_old) are copied, the new ones start at 0 (the truncation), and
    Newton (:func:`bifkit.find_equilibrium`) polishes the state at ``params`` (default: the
    model's).
    """
    from .equilibrium import find_equilibrium
    new = at_order(model, M).with_params(**(params or {}))
    if not isinstance(state, dict):
        state = model.unpack(np.asarray(state, float))
    guess = {k: complex(state.get(k, 0.0)) for k in new.states}
    return find_equilibrium(new, guess)


def modes_needed(model, state, params: dict, tol: float, M_max: int = 1024) -> int | None:
    """The smallest M = 2^k M_model (<= M_max) whose stationary state at ``params`` has a tail
    below ``tol``, by Newton at 2M, 4M, ...; None if even M_max is not enough."""
    M = truncation_order(model)
    while M < M_max:
        M *= 2
        state = lift_state(model, state, M, params)
        model = at_order(model, M)
        if tail(model, state) <= tol:
            return M
    return None


@dataclass
class Segment:
    """A piece of an automatic-M run: an EP-C branch at M modes that owns the parameter
    interval [lo, hi] of the free parameter."""

    M: int
    branch: object
    lo: float
    hi: float


@dataclass
class TruncatedBranch:
    """Result of :func:`continuation`: the branch pieces with their M and tail per point.

    Attributes
    ----------
    segments : list of Segment
        In order of the free parameter.  One segment for a fixed-M or per-run result.
    free : list of str
    truncation_tol : float
    mode : str
        "per point" (M chosen per parameter interval), "per run" or "fixed".
    """

    segments: list
    free: list
    truncation_tol: float
    mode: str
    history: list = field(default_factory=list)  # (M, max tail) of every run, in order

    def _owned(self, seg) -> np.ndarray:
        q = seg.branch.params[self.free[0]]
        return (q >= seg.lo) & (q <= seg.hi)

    def _cat(self, get) -> np.ndarray:
        return np.concatenate([np.asarray(get(s))[self._owned(s)] for s in self.segments])

    @property
    def params(self) -> dict:
        """Free-parameter values of every point (segments in order)."""
        return {k: self._cat(lambda s, k=k: s.branch.params[k]) for k in self.free}

    @property
    def M(self) -> np.ndarray:
        """The mode count of every point."""
        return self._cat(lambda s: np.full(len(s.branch), s.M))

    @property
    def tail(self) -> np.ndarray:
        """The tail measure of every point (:func:`tail`)."""
        return self._cat(lambda s: s.branch.data["tail"])

    @property
    def stable(self) -> np.ndarray:
        return self._cat(lambda s: s.branch.stable)

    def observable(self, name: str) -> np.ndarray:
        """An observable (e.g. ``nu``) at every point."""
        def get(s):
            m = s.branch._model
            k = m.observable_names.index(name)
            return [m.compiled.obs(0.0, s.branch.x[i], s.branch.p[i])[k]
                    for i in range(len(s.branch))]
        return self._cat(get)

    def special_points(self, label: str | None = None) -> list:
        """Special points of the segments inside their own intervals, each with ``data["M"]``
        and ``data["tail"]``."""
        out = []
        for s in self.segments:
            for sp in s.branch.special_points(label):
                if s.lo <= sp.params[self.free[0]] <= s.hi or len(self.segments) == 1:
                    out.append(sp)
        return out

    @property
    def max_tail(self) -> float:
        return float(np.max(self.tail))


def _annotate(model, br, M):
    """Store the tail and M of every point (and of every special point) in the branch."""
    m = at_order(model, M)
    br.data["tail"] = np.array([tail(m, br.x[i]) for i in range(len(br))])
    br.data["M"] = np.full(len(br), M)
    for sp in br.special_points():
        sp.data["tail"] = tail(m, sp.state)
        sp.data["M"] = M
    return br


def _run(model, M, curve, start, free, options):
    import bifkit
    br = bifkit.continuation(at_order(model, M), curve, start, free, **options)
    return _annotate(model, br, M)


def _lift_start(model, start, M):
    """``start`` (a state dict, a {"state", "params"} dict or a SpecialPoint) at M modes."""
    from .continuation import SpecialPoint
    if isinstance(start, SpecialPoint):
        state = lift_state(model, start.state, M, start.params)
        return SpecialPoint(start.label, start.index, state, dict(start.params), dict(start.data),
                            start.converged)
    if isinstance(start, dict) and set(start) == {"state", "params"}:
        return {"state": lift_state(model, start["state"], M, start["params"]),
                "params": dict(start["params"])}
    return lift_state(model, start, M)


def _worst(result, seg):
    """(index, tail) of the point with the largest tail among those ``seg`` owns."""
    t = np.where(result._owned(seg), seg.branch.data["tail"], -np.inf)
    i = int(np.argmax(t))
    return i, float(t[i])


def _warn_fixed(model, result, tol, M_max):
    seg = max(result.segments, key=lambda s: _worst(result, s)[1])
    i, worst = _worst(result, seg)
    if worst <= tol:
        return
    br = seg.branch
    m = at_order(model, seg.M)
    params = dict(zip(br.param_names, br.p[i]))
    need = modes_needed(m, br.x[i], params, tol, M_max)
    where = ", ".join(f"{k} = {params[k]:.6g}" for k in result.free)
    advice = (f"M = {need} is needed there" if need is not None
              else f"even M = {M_max} is not enough there")
    warnings.warn(f"{model.name} with M = {seg.M} modes is truncated too early: tail "
                  f"{worst:.2g} > truncation_tol = {tol:.2g} at {where}; {advice} "
                  f"(or leave M unset for automatic M)", TruncationWarning, stacklevel=3)


def continuation(model, curve: str, start, free, *, M: int | None = None,
                 truncation_tol: float = DEFAULT_TOL, M_max: int = 1024,
                 **options) -> TruncatedBranch:
    """``bifkit.continuation`` for a truncated model, with the tail of every point.

    Parameters
    ----------
    model : Model
        A mode chain (``shotnoise_chain``, ``diffusion_chain``); its M is the starting order.
    curve, start, free, **options
        As for :func:`bifkit.continuation`.
    M : int, optional
        Fix the mode count: one run at M, and a :class:`TruncationWarning` naming the M
        needed if any point's tail exceeds ``truncation_tol``.  Unset: automatic M.
    truncation_tol : float
        Largest tail accepted (default 1e-8: Hopf points right to 1e-4 relative).
    M_max : int
        Largest M tried (doubling); beyond it the run is kept and a warning says so.

    Returns
    -------
    TruncatedBranch
        Automatic EP-C in one parameter: M per point ("per point", the parameter intervals
        with a large tail are re-run at 2M, recursively); other curves: "per run".

    Raises
    ------
    ValueError
        Non-truncated model, a bad tolerance or M.
    """
    M0 = truncation_order(model)
    if not (isinstance(truncation_tol, (int, float)) and 0 < truncation_tol < 1):
        raise ValueError(f"truncation_tol = {truncation_tol!r} must be a number in (0, 1)")
    free = [free] if isinstance(free, str) else list(free)
    if M is not None:
        if isinstance(M, bool) or not float(M).is_integer() or M < 2:
            raise ValueError(f"M = {M!r} must be an integer >= 2 (the number of modes)")
        M = int(M)
        if M != M0:
            start = _lift_start(model, start, M)
        br = _run(model, M, curve, start, free, options)
        res = TruncatedBranch([Segment(M, br, -math.inf, math.inf)], free, truncation_tol,
                              "fixed", [(M, float(np.max(br.data["tail"])))])
        _warn_fixed(model, res, truncation_tol, M_max)
        return res
    if curve == "EP-C" and len(free) == 1:
        return _per_point(model, M0, start, free, truncation_tol, M_max, options)
    return _per_run(model, M0, curve, start, free, truncation_tol, M_max, options)


def _per_run(model, M, curve, start, free, tol, M_max, options):
    history = []
    while True:
        br = _run(model, M, curve, start, free, options)
        history.append((M, float(np.max(br.data["tail"]))))
        log.info("%s %s at M = %d: max tail %.3g", model.name, curve, M, history[-1][1])
        if history[-1][1] <= tol or 2 * M > M_max:
            break
        M *= 2
        start = _lift_start(model, start, M)
    res = TruncatedBranch([Segment(M, br, -math.inf, math.inf)], free, tol, "per run", history)
    if history[-1][1] > tol:
        _warn_fixed(model, res, tol, M_max)
    return res


def _per_point(model, M0, start, free, tol, M_max, options):
    """EP-C in one parameter with M chosen per parameter interval (see :func:`continuation`)."""
    q = free[0]
    bounds = dict(options.pop("bounds", {}) or {})
    if q not in bounds:
        raise ValueError(f"automatic M needs bounds for {q!r} (the intervals are re-run)")
    lo, hi = bounds[q]
    history = []
    options = dict(options, direction="both")

    def solve(M, start, a, b):
        br = _run(model, M, "EP-C", start, free, dict(options, bounds={**bounds, q: (a, b)}))
        history.append((M, float(np.max(br.data["tail"]))))
        qv = br.params[q]
        order = np.argsort(qv)
        qs, bad = qv[order], br.data["tail"][order] > tol
        if not bad.any():
            return [Segment(M, br, a, b)]
        if 2 * M > M_max:
            return [Segment(M, br, a, b)]
        out, cursor, k = [], a, 0
        while k < len(qs):
            if not bad[k]:
                k += 1
                continue
            j = k
            while j + 1 < len(qs) and bad[j + 1]:
                j += 1
            left = qs[k - 1] if k > 0 else a
            right = qs[j + 1] if j + 1 < len(qs) else b
            if left > cursor:
                out.append(Segment(M, br, cursor, left))
            mid = order[(k + j) // 2]
            params = dict(zip(br.param_names, br.p[mid]))
            sub = {"state": lift_state(at_order(model, M), br.x[mid], 2 * M, params),
                   "params": {q: params[q]}}
            log.info("%s: tail > %.2g for %s in [%.6g, %.6g] at M = %d; M = %d there",
                     model.name, tol, q, left, right, M, 2 * M)
            out += solve(2 * M, sub, left, right)
            cursor = right
            k = j + 1
        if cursor < b:
            out.append(Segment(M, br, cursor, b))
        return out

    segments = solve(M0, start, lo, hi)
    res = TruncatedBranch(segments, free, tol, "per point", history)
    if res.max_tail > tol:
        _warn_fixed(model, res, tol, M_max)
    return res
