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
from numba import njit, types

from .integrate import _initial_state
from .integrators import A1, A2, F64, I64, JAC, RHS, check_state, rk4_loop
from .trajectory import LOOP_OK, loop_message


@njit(cache=True)
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


@njit(types.Tuple((A1, A2, A1, A1, A2, A2, I64, F64))(
    RHS, JAC, A1, A1, A2, F64, F64, I64, I64, I64, I64, F64), cache=True)
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


def lyapunov_spectrum(model, T: float, *, transient: float = 0.0, dt: float, x0=None,
                      k: int | None = None, t0: float = 0.0, renorm_steps: int = 10,
                      n_history: int = 500, n_blocks: int = 10, seed: int = 0,
                      blowup: float = 1e10) -> LyapunovResult:
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
        Initial state; the model's default guess if omitted.
    k : int, optional
        Number of exponents (default: all ``model.n``).
    renorm_steps : int
        Steps between re-orthonormalisations.
    n_history, n_blocks : int
        About how many running estimates to record; blocks for ``stderr``.
    seed : int
        Seed of the random orthonormal initial tangent basis.

    Returns
    -------
    LyapunovResult
    """
    n = model.n
    k = n if k is None else int(k)
    if not 1 <= k <= n:
        raise ValueError(f"k = {k} must be between 1 and n = {n}")
    if not (dt > 0 and T > dt and transient >= 0):
        raise ValueError(f"need dt > 0, T > dt and transient >= 0 (got dt={dt}, T={T}, "
                         f"transient={transient})")
    if renorm_steps < 1 or n_blocks < 1 or n_history < 1:
        raise ValueError("renorm_steps, n_blocks and n_history must be >= 1")
    x = _initial_state(model, x0)
    p = np.array(model.p)
    f, jac = model.compiled.f, model.compiled.jac
    if transient > 0:
        nsub = max(1, math.ceil(transient / dt))
        Y, _, code, t_stop, _ = rk4_loop(f, p, x, np.array([t0, t0 + nsub * dt]), dt,
                                         float(blowup))
        if code != LOOP_OK:
            raise ValueError("the transient did not finish: " + loop_message(code, t_stop))
        x = np.ascontiguousarray(Y[:, -1])
        t0 = t0 + nsub * dt
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
    return LyapunovResult(exponents=exps, stderr=stderr, history_t=ht, history=hist, T=elapsed,
                          dt=float(dt), transient=float(transient), time_unit=model.time_unit,
                          x_final=x, status=status, message=msg)
