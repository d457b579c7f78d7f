"""Lyapunov spectra by the Benettin algorithm with QR re-orthonormalisation.

The state and k tangent vectors W (n x k) are advanced together by RK4,

    dx/dt = f(t, x),    dW/dt = J(t, x) W,

with J the model's compiled symbolic Jacobian (``model.compiled.jac``); every
``renorm_steps`` steps W is re-orthonormalised by modified Gram-Schmidt
(W = Q R) and ``log R_jj`` is accumulated: lambda_j = lim (1/T) sum log R_jj
(Benettin, Galgani, Giorgilli & Strelcyn, Meccanica 15, 9 (1980); Pikovsky &
Politi, *Lyapunov Exponents*, 2016, ch. 3).  Bi et al. (2021, sec. 2.2.2,
eqs. 16-17) compute the spectrum of the E-I neural mass this way with RK4,
dt = 0.01 ms.

Exponents come out in 1/(model time unit); the E-I model runs in ms while Bi
et al. quote exponents in units of 1/tau_m: use
``result.in_units_of(model.params["tau_m"])`` (tau_m = 20 ms).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import types

from .._dispatchers import compiled_only, on_first_call
from .._validate import as_float, as_int, as_seed
from ..errors import ComputationError, InputError
from .integrate import _initial_state
from .integrators import A1, A2, F64, I64, JAC, RHS, check_state, rk4_loop
from .trajectory import LOOP_OK, loop_message

from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

if TYPE_CHECKING:  # annotations only
    from ..model import Model


@compiled_only(cache=True)
def _gram_schmidt(W, logs):
    """Orthonormalise the columns of W in place (modified Gram-Schmidt); logs[j] = log R_jj."""
    n, k = W.shape
    for j in range(k):
        for i in range(j):
            r = 0.0
            for a in range(n):
                r += W[a, i] * W[a, j]
            for a in range(n):
                W[a, j] -= r * W[a, i]
        nrm = 0.0
        for a in range(n):
            nrm += W[a, j] * W[a, j]
        nrm = math.sqrt(nrm)
        logs[j] = math.log(nrm) if nrm > 0.0 else -np.inf
        if nrm > 0.0:
            for a in range(n):
                W[a, j] /= nrm


@on_first_call(types.Tuple((A1, A2, A1, A1, A2, A2, I64, F64))(
    RHS, JAC, A1, A1, A2, F64, F64, I64, I64, I64, I64, F64), cache=True, nogil=True)
def benettin_loop(f, jac, p, x0, W0, t0, dt, n_steps, renorm_steps, hist_every, n_blocks,
                  blowup):
    """Advance (x, W) by RK4 for ``n_steps`` steps of ``dt``, accumulating log R_jj.

    Returns
    -------
    x, W : final state and orthonormal tangent basis
    sums : (k,) accumulated log R_jj
    hist_t : (nh,) times since t0 of the history records
    hist : (nh, k) running estimates sums / time
    blocks : (n_blocks, k) exponents of consecutive equal time blocks
    code : loop stop code
    t : time reached
    """
    n, k = W0.shape
    x = x0.copy()
    W = W0.copy()
    sums = np.zeros(k)
    logs = np.zeros(k)
    n_ren = n_steps // renorm_steps
    nh = max(1, n_ren // hist_every)
    hist_t = np.zeros(nh)
    hist = np.zeros((nh, k))
    blocks = np.zeros((n_blocks, k))
    per_block = max(1, n_ren // n_blocks)
    ih = 0
    t = t0
    for r in range(n_ren):
        for s in range(renorm_steps):
            J1 = jac(t, x, p)
            k1 = f(t, x, p)
            K1 = J1 @ W
            xa = x + (0.5 * dt) * k1
            Wa = W + (0.5 * dt) * K1
            J2 = jac(t + 0.5 * dt, xa, p)
            k2 = f(t + 0.5 * dt, xa, p)
            K2 = J2 @ Wa
            xb = x + (0.5 * dt) * k2
            Wb = W + (0.5 * dt) * K2
            J3 = jac(t + 0.5 * dt, xb, p)
            k3 = f(t + 0.5 * dt, xb, p)
            K3 = J3 @ Wb
            xc = x + dt * k3
            Wc = W + dt * K3
            J4 = jac(t + dt, xc, p)
            k4 = f(t + dt, xc, p)
            K4 = J4 @ Wc
            x = x + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            W = W + (dt / 6.0) * (K1 + 2.0 * K2 + 2.0 * K3 + K4)
            t = t0 + (r * renorm_steps + s + 1) * dt
        code = check_state(x, blowup)
        if code == LOOP_OK:
            for a in range(n):
                for b in range(k):
                    if not math.isfinite(W[a, b]):
                        code = 1
        if code != LOOP_OK:
            return x, W, sums, hist_t[:ih], hist[:ih], blocks, code, t
        _gram_schmidt(W, logs)
        sums += logs
        ib = r // per_block
        if ib < n_blocks:
            blocks[ib] += logs / (per_block * renorm_steps * dt)
        if (r + 1) % hist_every == 0 and ih < nh:
            hist_t[ih] = t - t0
            hist[ih] = sums / (t - t0)
            ih += 1
    return x, W, sums, hist_t[:ih], hist[:ih], blocks, LOOP_OK, t


@dataclass
class LyapunovResult:
    """Lyapunov exponents of a model's attractor and their convergence.

    Attributes
    ----------
    exponents : ndarray (k,)
        lambda_1 >= ... >= lambda_k in 1/(model time unit).
    stderr : ndarray (k,)
        Standard error from ``n_blocks`` consecutive time blocks (std/sqrt(B));
        it misses the O(1/T) bias of a finite run, see ``history``.
    history_t : ndarray (nh,)
        Elapsed averaging time of each history record.
    history : ndarray (nh, k)
        Running estimates (cumulative average up to ``history_t``).
    T, dt, transient : float
    time_unit : str
    x_final : ndarray
        State at the end (a start for a continued run).
    status : int
        0 success, -1 stopped early (blow-up; then exponents cover the time done).
    message : str
        How the run ended; says so when the trajectory sat on an equilibrium.
    on_equilibrium : bool or None
        True when the averaging window began and ended within 1e-3 (relative,
        per state) of one equilibrium: the exponents are then its eigenvalues'
        real parts, not those of an attractor away from it (unless it is
        stable).  None when not checked (forced models, failed runs).
    x_start : ndarray
        The state the run started from (with ``x0=None``: the default guess
        plus the seeded perturbation).
    """

    exponents: np.ndarray
    stderr: np.ndarray
    history_t: np.ndarray = field(repr=False)
    history: np.ndarray = field(repr=False)
    T: float
    dt: float
    transient: float
    time_unit: str
    x_final: np.ndarray = field(repr=False)
    status: int = 0
    message: str = ""
    on_equilibrium: bool | None = None
    x_start: np.ndarray | None = field(default=None, repr=False)

    def in_units_of(self, tau: float) -> np.ndarray:
        """Exponents in units of 1/tau (e.g. ``tau = 20`` ms: 1/tau_m for the E-I model)."""
        return self.exponents * tau

    @property
    def kaplan_yorke_dimension(self) -> float:
        """Kaplan-Yorke dimension j + sum_{i<=j} lambda_i / |lambda_{j+1}|."""
        lam = self.exponents
        c = np.cumsum(lam)
        j = int(np.sum(c >= 0))
        if j == 0:
            return 0.0
        if j >= lam.size:
            return float(lam.size)
        return j + c[j - 1] / abs(lam[j])


PERTURBATION = 1e-3   # relative size of the default start's offset from the default guess
EQUILIBRIUM_RTOL = 1e-3  # "sat on an equilibrium": ended within this, relative per state
NEAR_RTOL = 2e-2  # "began at an equilibrium": within this (the default offset is ~1e-3)
MAX_STEPS = 10 ** 10  # RK4 steps (transient + T) beyond this are refused before the run


def lyapunov_spectrum(model: Model, T: float, *, transient: float = 0.0, dt: float,
                      x0: Any = None,
                      k: int | None = None, t0: float = 0.0, renorm_steps: int = 10,
                      n_history: int = 500, n_blocks: int = 10, seed: int = 0,
                      blowup: float = 1e10, max_steps: int = MAX_STEPS) -> LyapunovResult:
    """Lyapunov spectrum (all exponents or the first ``k``) of ``model``.

    Parameters
    ----------
    model : Model
        Any bifkit model with a compiled Jacobian; forcing eta(t) enters through t.
    T : float
        Averaging time after the transient, in ``model.time_unit``.
    transient : float
        Time integrated first (state only) to settle on the attractor.
    dt : float
        RK4 step (Bi et al. 2021 use 0.01 ms for the E-I model).
    x0 : dict or array, optional
        Initial state.  If omitted: the model's default guess (often its
        equilibrium) moved off by a seeded random offset of relative size
        ``PERTURBATION`` (1e-3), so that an unstable equilibrium is left and
        the attractor's spectrum is measured; give a ``transient`` long enough
        to leave it (``result.on_equilibrium`` and ``message`` say if it did not).
    k : int, optional
        Number of exponents (default: all ``model.n``).
    renorm_steps : int
        Steps between re-orthonormalisations.
    n_history, n_blocks : int
        About how many running estimates to record; blocks for ``stderr``.
    seed : int
        Seed of the random orthonormal initial tangent basis (and of the
        default start's offset).
    max_steps : int
        Largest number of RK4 steps (transient + T) accepted before the run.

    Returns
    -------
    LyapunovResult

    Raises
    ------
    InputError
        A bad argument (named in the message): non-finite or non-positive times,
        ``k`` out of range, a float seed, more than ``max_steps`` steps.
    ComputationError
        The transient blew up (a failure during averaging is a result with status -1).
    """
    n = model.n
    k = n if k is None else as_int(k, "k")
    if not 1 <= k <= n:
        raise InputError(f"k = {k} must be between 1 and n = {n}")
    dt = as_float(dt, "dt", positive=True)
    T = as_float(T, "T", positive=True)
    transient = as_float(transient, "transient", nonnegative=True)
    t0 = as_float(t0, "t0")
    if not T > dt:
        raise InputError(f"T = {T!r} must be longer than dt = {dt!r}")
    seed = as_seed(seed)
    renorm_steps = as_int(renorm_steps, "renorm_steps", minimum=1)
    n_blocks = as_int(n_blocks, "n_blocks", minimum=1)
    n_history = as_int(n_history, "n_history", minimum=1)
    max_steps = as_int(max_steps, "max_steps", minimum=1)
    blowup = as_float(blowup, "blowup", positive=True)
    if (T + transient) / dt > max_steps:
        raise InputError(f"T + transient = {T + transient:g} with dt = {dt:g} would take "
                         f"{(T + transient) / dt:.3g} RK4 steps, above max_steps = {max_steps}; "
                         f"use a larger dt or raise max_steps")
    x = _initial_state(model, x0)
    if x0 is None:
        x = perturbed(x, seed)
    x_start = x.copy()
    p = np.array(model.p)
    f, jac = model.compiled.f, model.compiled.jac
    if transient > 0:
        nsub = max(1, math.ceil(transient / dt))
        Y, _, code, t_stop, _ = rk4_loop(f, p, x, np.array([t0, t0 + nsub * dt]), dt,
                                         float(blowup))
        if code != LOOP_OK:
            raise ComputationError("the transient did not finish: "
                                   + loop_message(code, t_stop))
        x = np.ascontiguousarray(Y[:, -1])
        t0 = t0 + nsub * dt
    x_avg0 = x.copy()
    W0, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, k)))
    W0 = np.ascontiguousarray(W0)
    n_steps = int(math.ceil(T / dt / renorm_steps)) * renorm_steps
    n_ren = n_steps // renorm_steps
    n_blocks = min(n_blocks, n_ren)
    hist_every = max(1, n_ren // n_history)
    x, W, sums, ht, hist, blocks, code, t = benettin_loop(
        f, jac, p, x, W0, float(t0), float(dt), n_steps, renorm_steps, hist_every, n_blocks,
        float(blowup))
    elapsed = t - t0
    if code == LOOP_OK:
        exps, status, msg = sums / elapsed, 0, "averaged over the full time T"
        stderr = blocks.std(axis=0, ddof=1) / math.sqrt(n_blocks) if n_blocks > 1 \
            else np.full(k, np.nan)
    else:
        exps = sums / elapsed if elapsed > 0 else np.full(k, np.nan)
        stderr, status = np.full(k, np.nan), -1
        msg = loop_message(code, t)
    on_eq = None
    if code == LOOP_OK and model.is_autonomous():
        on_eq, note = equilibrium_check(model, x_avg0, x)
        msg = f"{msg}; {note}" if note else msg
    return LyapunovResult(exponents=exps, stderr=stderr, history_t=ht, history=hist, T=elapsed,
                          dt=float(dt), transient=float(transient), time_unit=model.time_unit,
                          x_final=x, status=status, message=msg, on_equilibrium=on_eq,
                          x_start=x_start)


def perturbed(x: np.ndarray, seed: int) -> np.ndarray:
    """``x`` moved by a seeded random offset of relative size ``PERTURBATION`` per state
    (floor: ``PERTURBATION`` x 1e-3 x max|x| for zero entries)."""
    rng = np.random.default_rng([seed, 0x5EED])
    scale = np.maximum(np.abs(x), 1e-3 * max(float(np.max(np.abs(x))), 1e-12))
    return np.ascontiguousarray(x + PERTURBATION * scale * rng.standard_normal(x.size))


def _nearby_equilibrium(model, x, rtol):
    """The equilibrium Newton finds from ``x`` if it lies within ``rtol`` (relative) of ``x``."""
    from ..equilibrium import newton
    from ..errors import ConvergenceError
    p = np.array(model.p)
    f, jac = model.compiled.f, model.compiled.jac
    try:
        xe, _ = newton(lambda y: f(0.0, y, p), lambda y: jac(0.0, y, p), x, maxiter=20,
                       max_step=0.1)
    except ConvergenceError:
        return None
    scale = np.maximum(np.abs(xe), 1e-3 * max(float(np.max(np.abs(xe))), 1e-300))
    return xe if np.all(np.abs(x - xe) <= rtol * scale) else None


def equilibrium_check(model: Model, x_begin: np.ndarray,
                      x_end: np.ndarray) -> tuple[bool, str]:
    """Did the averaging window begin and/or end at an equilibrium?  (flag, note for the message)."""
    xb = _nearby_equilibrium(model, x_begin, NEAR_RTOL)
    xe = _nearby_equilibrium(model, x_end, EQUILIBRIUM_RTOL)
    if xb is not None and xe is not None and np.allclose(xb, xe, rtol=1e-6, atol=1e-12):
        stable = bool(np.all(np.linalg.eigvals(model.compiled.jac(0.0, xe, np.array(model.p)))
                             .real < 0))
        kind = "a stable" if stable else "an UNSTABLE"
        hint = "" if stable else (": the exponents are its eigenvalues' real parts, not an "
                                  "attractor's; start elsewhere (x0) or use a longer transient")
        return True, f"the trajectory sat on {kind} equilibrium{hint}"
    if xb is not None:
        return False, ("the averaging began at an equilibrium and left it: the exponents mix "
                       "it and the attractor; use a longer transient")
    return False, ""
