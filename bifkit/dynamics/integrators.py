"""Compiled explicit integrators: classical RK4 and adaptive Dormand-Prince 5(4).

Each integrator is one ``@njit`` function holding the whole time loop; the
model's right-hand side ``f(t, x, p)`` (a numba kernel from
``model.compiled``) is passed in as a first-class function, so the loop is
compiled once per kernel and no Python runs per step.  Output is recorded at
the prescribed times ``t_out`` (``t_out[0]`` is the initial time):

* RK4 takes ``ceil(gap / dt)`` equal steps between consecutive output times,
  so samples fall exactly on ``t_out`` and the step never exceeds ``dt``.
* Dormand-Prince steps freely and fills the output times with its
  fourth-order continuous extension (Dormand & Prince 1980; Shampine 1986;
  Hairer, Norsett & Wanner, *Solving ODEs I*, sec. II.4-6), as
  ``scipy.integrate.RK45`` does.

Every step is checked: a non-finite state or ``max|x| > blowup`` stops the run
with a code (see :mod:`.trajectory`), never a silent NaN or a hang.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, types

from .. import _kernel_support  # noqa: F401  (cheap slice-assignment error path, see there)
from .._dispatchers import compiled_only, on_first_call
from .trajectory import (LOOP_BLOWUP, LOOP_MAX_STEPS, LOOP_NONFINITE, LOOP_OK,
                         LOOP_STEP_UNDERFLOW)

# Kernel types.  The loops take the model's kernels as first-class functions
# of these explicit types (called through a pointer) rather than as dispatcher
# arguments: a loop is then compiled once and cached on disk for every model,
# instead of recompiled per kernel and per process.
F64 = types.float64
I64 = types.int64
A1 = types.float64[::1]
A2 = types.float64[:, ::1]
RHS = types.FunctionType(A1(F64, A1, A1))   # f(t, x, p) -> dx/dt
JAC = types.FunctionType(A2(F64, A1, A1))   # jac(t, x, p) -> df/dx


@njit(cache=True)
def check_state(x, blowup):
    """Loop code for state ``x``: OK, non-finite or beyond the blow-up bound."""
    m = 0.0
    for v in x:
        if not math.isfinite(v):
            return LOOP_NONFINITE
        a = abs(v)
        if a > m:
            m = a
    if m > blowup:
        return LOOP_BLOWUP
    return LOOP_OK


@njit(cache=True)
def n_substeps(gap, dt):
    """Number of equal steps of size <= dt covering ``gap`` (at least 1)."""
    return max(1, int(math.ceil(gap / dt * (1.0 - 1e-12))))


@compiled_only(cache=True)
def rk4_step(f, t, x, h, p):
    """One classical Runge-Kutta step of size h (order 4)."""
    k1 = f(t, x, p)
    k2 = f(t + 0.5 * h, x + (0.5 * h) * k1, p)
    k3 = f(t + 0.5 * h, x + (0.5 * h) * k2, p)
    k4 = f(t + h, x + h * k3, p)
    return x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@on_first_call(types.Tuple((A2, I64, I64, F64, I64))(RHS, A1, A1, A1, F64, F64), cache=True)
def rk4_loop(f, p, x0, t_out, dt, blowup):
    """Fixed-step RK4 from ``t_out[0]`` recording at ``t_out``.

    Returns
    -------
    Y : (n, nt) samples (columns past ``n_rec`` are unused)
    n_rec : number of recorded samples
    code : loop stop code
    t_stop : time reached
    nsteps : steps taken
    """
    n, nt = x0.size, t_out.size
    Y = np.empty((n, nt))
    x = x0.copy()
    Y[:, 0] = x
    nsteps = 0
    for k in range(nt - 1):
        t0 = t_out[k]
        gap = t_out[k + 1] - t0
        m = n_substeps(gap, dt)
        h = gap / m
        for j in range(m):
            x = rk4_step(f, t0 + j * h, x, h, p)
            nsteps += 1
            code = check_state(x, blowup)
            if code != LOOP_OK:
                return Y, k + 1, code, t0 + (j + 1) * h, nsteps
        Y[:, k + 1] = x
    return Y, nt, LOOP_OK, t_out[nt - 1], nsteps


# ----------------------------------------------------------------------------
# Dormand-Prince 5(4): Butcher tableau, error weights (5th minus 4th order
# solution, FSAL stage 7 included) and the dense-output matrix of Shampine
# (1986), as in Hairer-Norsett-Wanner and scipy.integrate.RK45.
# ----------------------------------------------------------------------------
DP_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
DP_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [1 / 5, 0.0, 0.0, 0.0, 0.0],
    [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
    [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]])
DP_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
DP_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
DP_P = np.array([
    [1.0, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0.0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0.0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
    [0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423]])


@compiled_only(cache=True)
def _rms_scaled(e, x, xn, rtol, atol):
    s = 0.0
    for i in range(e.size):
        sc = atol[i] + rtol * max(abs(x[i]), abs(xn[i]))
        s += (e[i] / sc) ** 2
    return math.sqrt(s / e.size)


@compiled_only(cache=True)
def _initial_step(f, p, t0, x0, f0, rtol, atol, max_step):
    """Starting step (Hairer-Norsett-Wanner, sec. II.4, algorithm of eq. 4.14)."""
    n = x0.size
    zero = np.zeros(n)
    d0 = _rms_scaled(x0, x0, x0, 0.0, atol + rtol * np.abs(x0)) if n else 0.0
    d1 = _rms_scaled(f0, x0, x0, 0.0, atol + rtol * np.abs(x0)) if n else 0.0
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, max_step)
    f1 = f(t0 + h0, x0 + h0 * f0, p)
    d2 = _rms_scaled(f1 - f0, zero, zero, 0.0, atol + rtol * np.abs(x0)) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 5.0)
    return min(100 * h0, h1, max_step)


@compiled_only(cache=True)
def _set_row(K, s, v):
    """K[s, :] = v (a loop: no shape-mismatch error path to compile)."""
    for i in range(v.size):
        K[s, i] = v[i]


@on_first_call(types.Tuple((A2, I64, I64, F64, I64, I64, I64))(
    RHS, A1, A1, A1, F64, A1, F64, F64, I64, F64), cache=True, nogil=True)
def dopri_loop(f, p, x0, t_out, rtol, atol, h0, max_step, max_steps, blowup):
    """Adaptive Dormand-Prince 5(4) from ``t_out[0]`` recording at ``t_out``.

    Local extrapolation (the 5th-order solution is propagated), error of the
    embedded 4th-order pair in the RMS norm weighted by ``atol + rtol |x|``,
    step factor ``0.9 err^(-1/5)`` clipped to [0.2, 10]; output by the
    4th-order continuous extension.

    Returns
    -------
    Y, n_rec, code, t_stop, nsteps, nrejected, nfev
    """
    n, nt = x0.size, t_out.size
    Y = np.empty((n, nt))
    for i in range(n):
        Y[i, 0] = x0[i]
    t_end = t_out[nt - 1]
    t = t_out[0]
    # work arrays allocated once (not per stage): the same arithmetic, element by
    # element in the same order as the array expressions they replace
    x = x0.copy()
    xn = np.empty(n)      # the step's 5th-order solution
    xs = np.empty(n)      # a stage's argument x + h sum_j a_sj K_j
    he = np.empty(n)      # h times the embedded error estimate
    wj = np.empty(7)      # dense-output weights at an output time
    K = np.empty((7, n))
    _set_row(K, 0, f(t, x, p))
    nfev = 1
    h = h0
    if h <= 0.0:
        h = _initial_step(f, p, t, x, K[0], rtol, atol, max_step)
        nfev += 1
    nsteps, nrej, k_out = 0, 0, 1
    while k_out < nt:
        if nsteps + nrej >= max_steps:
            return Y, k_out, LOOP_MAX_STEPS, t, nsteps, nrej, nfev
        h = min(h, max_step, t_end - t)
        if h <= 10.0 * 2.2e-16 * max(abs(t), 1.0):
            return Y, k_out, LOOP_STEP_UNDERFLOW, t, nsteps, nrej, nfev
        for s in range(1, 6):
            for i in range(n):
                dx = 0.0
                for j in range(s):
                    dx += DP_A[s, j] * K[j, i]
                xs[i] = x[i] + h * dx
            _set_row(K, s, f(t + DP_C[s] * h, xs, p))
        for i in range(n):
            dx = 0.0
            for j in range(6):
                dx += DP_B[j] * K[j, i]
            xn[i] = x[i] + h * dx
        _set_row(K, 6, f(t + h, xn, p))
        nfev += 6
        for i in range(n):
            e = 0.0
            for j in range(7):
                e += DP_E[j] * K[j, i]
            he[i] = h * e
        err = _rms_scaled(he, x, xn, rtol, atol)
        if not math.isfinite(err):
            # a stage left the domain: retry smaller, unless already tiny
            nrej += 1
            h *= 0.2
            continue
        if err > 1.0:
            nrej += 1
            h *= max(0.2, 0.9 * err ** -0.2)
            continue
        # accepted: fill the output times in (t, t + h]
        tn = t + h if t_end - (t + h) > 1e-14 * max(1.0, abs(t_end)) else t_end
        while k_out < nt and t_out[k_out] <= tn:
            th = (t_out[k_out] - t) / h
            for j in range(7):   # the dense-output weights, once per output time
                wj[j] = (DP_P[j, 0] * th + DP_P[j, 1] * th ** 2 + DP_P[j, 2] * th ** 3
                         + DP_P[j, 3] * th ** 4)
            for i in range(n):
                q = 0.0
                for j in range(7):
                    q += wj[j] * K[j, i]
                Y[i, k_out] = x[i] + h * q
            k_out += 1
        t = tn
        for i in range(n):
            x[i] = xn[i]
            K[0, i] = K[6, i]
        nsteps += 1
        code = check_state(x, blowup)
        if code != LOOP_OK:
            return Y, k_out, code, t, nsteps, nrej, nfev
        fac = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** -0.2)
        h *= fac
    return Y, nt, LOOP_OK, t, nsteps, nrej, nfev
