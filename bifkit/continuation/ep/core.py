"""Compiled core of EP-C: the whole predictor-corrector loop runs in numba.

The model's kernels ``f, jac, dfdp(t, x, p)`` arrive as the address array
``K`` of :mod:`bifkit.binding` (first argument of the functions in
:data:`BOUND`), so this module is compiled once for all models and cached on
disk; ``bifkit.binding.bind(core, f=.., jac=.., dfdp=..)`` supplies ``K``.
One Python call computes a whole branch
direction: no per-point Python overhead (a step costs a few linear solves of
size n + 1 and one eigenvalue problem of size n).

Unknown u = (x, s), s the free parameter or its log10 (``log``).  The test
functions stored at every point (columns of ``tests``):

=====  ==========================================================
0  LP  s-component of the unit tangent
1  BP  det [F_u; t]
2  H   Re prod_{i<j} (lambda_i + lambda_j)
3  NF  ((lambda_1 - lambda_2)^2).real of the two rightmost eigenvalues if
       lambda_1 is stable, NaN otherwise (node > 0 > focus)
=====  ==========================================================
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np
from numba import types

from ...binding import F_TYPE, JAC_TYPE, compiled_function, kernel_dfdp, kernel_f, kernel_jac
from ..._dispatchers import compiled_only
from ..codim2.linalg import sort_eigenvalues

LN10 = math.log(10.0)

# no_cfunc_wrapper=True: nothing calls these functions through a C address, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md;
# the step functions are called through their jit address, bifkit.binding.compiled_function).
# compiled_only: functions only compiled code calls get no Python wrapper either
# (bifkit/_dispatchers.py; a Python call compiles a Python-callable copy first).

# functions taking the kernel address array K first -> the kernels they call
KERNEL_FUNCTIONS = {name: ("f", "jac", "dfdp") for name in
                    ("correct", "tangent", "point_data", "fix_param", "ep_run", "ep_locate")}

# why a direction ended (``status`` of ep_run)
MAX_POINTS, BOUND, MIN_STEP, NOT_FINITE = 0, 1, 2, 3


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _params(p0, k, log, s):
    p = p0.copy()
    p[k] = 10.0 ** s if log else s
    return p


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _DF(jac, dfdp, p0, k, log, u):
    """[J, df/ds] at u (n x (n+1))."""
    n = u.size - 1
    p = _params(p0, k, log, u[n])
    x = u[:n]
    out = np.empty((n, n + 1))
    out[:, :n] = jac(0.0, x, p)
    col = dfdp(0.0, x, p)[:, k]
    if log:
        col = col * p[k] * LN10
    out[:, n] = col
    return out


@compiled_only(cache=True, no_cfunc_wrapper=True)
def correct_with(f, jac, dfdp, p0, k, log, u_pred, t, tol, max_iter):
    """Newton on [f(u); t.(u - u_pred)] = 0.  Returns (u, ok)."""
    n = u_pred.size - 1
    u = u_pred.copy()
    M = np.empty((n + 1, n + 1))
    r = np.empty(n + 1)
    for _ in range(max_iter):
        Fu = f(0.0, u[:n], _params(p0, k, log, u[n]))
        if not np.all(np.isfinite(Fu)):
            return u, False
        M[:n, :] = _DF(jac, dfdp, p0, k, log, u)
        M[n, :] = t
        r[:n] = -Fu
        r[n] = -np.dot(t, u - u_pred)
        try:
            du = np.linalg.solve(M, r)
        except Exception:  # singular: let the caller halve the step
            return u, False
        if not np.all(np.isfinite(du)):
            return u, False
        u = u + du
        if np.max(np.abs(du)) <= tol * (1.0 + np.max(np.abs(u))):
            return u, np.all(np.isfinite(f(0.0, u[:n], _params(p0, k, log, u[n]))))
    return u, False


@compiled_only(cache=True, no_cfunc_wrapper=True)
def tangent_with(f, jac, dfdp, p0, k, log, u, t_prev):
    """Unit null vector of F_u oriented like t_prev, and det [F_u; t_prev]."""
    n = u.size - 1
    M = np.empty((n + 1, n + 1))
    M[:n, :] = _DF(jac, dfdp, p0, k, log, u)
    M[n, :] = t_prev
    rhs = np.zeros(n + 1)
    rhs[n] = 1.0
    t = np.linalg.solve(M, rhs)
    return t / np.linalg.norm(t), np.linalg.det(M)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def sorted_eigenvalues(J):
    """Eigenvalues by decreasing real part, then decreasing imaginary part."""
    return sort_eigenvalues(np.linalg.eigvals(J.astype(np.complex128)))


@compiled_only(cache=True, no_cfunc_wrapper=True)
def test_values(ev, t, det_bp, out):
    n = ev.size
    h = 1.0 + 0j  # product of unit factors: its sign without overflow for large n
    for i in range(n):
        for j in range(i + 1, n):
            s = ev[i] + ev[j]
            a = abs(s)
            h *= s / a if a > 0 else 0.0
    out[0] = t[t.size - 1]
    out[1] = det_bp
    out[2] = h.real
    out[3] = ((ev[0] - ev[1]) ** 2).real if (n >= 2 and ev[0].real < 0) else np.nan


@compiled_only(cache=True, no_cfunc_wrapper=True)
def point_data_with(f, jac, dfdp, p0, k, log, u, t_prev, tests_row):
    """Tangent, eigenvalues and test values at u; ok = False if J is not finite."""
    n = u.size - 1
    J = jac(0.0, u[:n], _params(p0, k, log, u[n]))
    if not (np.all(np.isfinite(J)) and np.all(np.isfinite(_DF(jac, dfdp, p0, k, log, u)))):
        return t_prev, np.zeros(n, dtype=np.complex128), False
    t, det_bp = tangent_with(f, jac, dfdp, p0, k, log, u, t_prev)
    ev = sorted_eigenvalues(J)
    test_values(ev, t, det_bp, tests_row)
    return t, ev, True


@compiled_only(cache=True, no_cfunc_wrapper=True)
def fix_param_with(f, jac, dfdp, p0, k, log, u, s_fixed, tol, max_iter):
    """Newton in x with the parameter held at s_fixed (landing on a bound)."""
    n = u.size - 1
    x = u[:n].copy()
    p = _params(p0, k, log, s_fixed)
    out = np.empty(n + 1)
    out[n] = s_fixed
    for _ in range(max_iter):
        try:
            dx = np.linalg.solve(jac(0.0, x, p), -f(0.0, x, p))
        except Exception:
            return out, False
        x = x + dx
        if np.max(np.abs(dx)) <= tol * (1.0 + np.max(np.abs(x))):
            out[:n] = x
            return out, bool(np.all(np.isfinite(x)))
    return out, False


@nb.njit(cache=True, no_cfunc_wrapper=True)
def correct(K, p0, k, log, u_pred, t, tol, max_iter):
    """:func:`correct_with` the kernels of the address array K."""
    return correct_with(kernel_f(K), kernel_jac(K), kernel_dfdp(K), p0, k, log, u_pred, t,
                        tol, max_iter)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def tangent(K, p0, k, log, u, t_prev):
    """:func:`tangent_with` the kernels of the address array K."""
    return tangent_with(kernel_f(K), kernel_jac(K), kernel_dfdp(K), p0, k, log, u, t_prev)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def point_data(K, p0, k, log, u, t_prev, tests_row):
    """:func:`point_data_with` the kernels of the address array K."""
    return point_data_with(kernel_f(K), kernel_jac(K), kernel_dfdp(K), p0, k, log, u, t_prev,
                           tests_row)


@nb.njit(cache=True, no_cfunc_wrapper=True)
def fix_param(K, p0, k, log, u, s_fixed, tol, max_iter):
    """:func:`fix_param_with` the kernels of the address array K."""
    return fix_param_with(kernel_f(K), kernel_jac(K), kernel_dfdp(K), p0, k, log, u, s_fixed,
                          tol, max_iter)


# numba links the code of every njit function an entry point calls into that entry point
# and optimises and compiles it there again: ep_run and ep_locate each carried their own
# copies of correct_with and point_data_with (and their callees).  They call the three
# step functions through their addresses instead (first-class functions, as the model
# kernels, bifkit.binding), so each is compiled once.
_F1 = types.float64[::1]
_K3 = (F_TYPE, JAC_TYPE, JAC_TYPE)
_PROBLEM = (_F1, types.int64, types.boolean)   # p0, k, log
_as_correct, _CORRECT, _ = compiled_function(
    correct_with, (*_K3, *_PROBLEM, _F1, _F1, types.float64, types.int64))
_as_point_data, _POINT_DATA, _ = compiled_function(
    point_data_with, (*_K3, *_PROBLEM, _F1, _F1, _F1))
_as_fix_param, _FIX_PARAM, _ = compiled_function(
    fix_param_with, (*_K3, *_PROBLEM, _F1, types.float64, types.float64, types.int64))
#: their (c, jit) addresses in this process, passed to the loops as ``steps``
STEPS = np.array([*_CORRECT, *_POINT_DATA, *_FIX_PARAM], dtype=np.int64)


@compiled_only(cache=True, no_cfunc_wrapper=True)
def _steps(steps):
    """(correct_with, point_data_with, fix_param_with) from their addresses :data:`STEPS`."""
    return (_as_correct(steps[0], steps[1]), _as_point_data(steps[2], steps[3]),
            _as_fix_param(steps[4], steps[5]))


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _ep_run(K, steps, p0, k, log, u0, t0, ds, ds_min, ds_max, max_points, tol, max_iter,
            lo, hi):
    """One direction of an EP-C branch from u0 along t0.

    Returns (U, T, EV, TESTS, DS, npts, status): points, unit tangents,
    sorted eigenvalues, test values and the step that led to each point
    (DS[i] is the step from point i-1), with the first ``npts`` rows valid.
    """
    f, jac, dfdp = kernel_f(K), kernel_jac(K), kernel_dfdp(K)
    correct_with_, point_data_with_, fix_param_with_ = _steps(steps)
    n = u0.size - 1
    U = np.empty((max_points, n + 1))
    T = np.empty((max_points, n + 1))
    EV = np.empty((max_points, n), dtype=np.complex128)
    TESTS = np.empty((max_points, 4))
    DS = np.zeros(max_points)
    U[0] = u0
    t, ev, ok0 = point_data_with_(f, jac, dfdp, p0, k, log, u0, t0, TESTS[0])
    T[0] = t
    EV[0] = ev
    m = 1
    status = MAX_POINTS
    if not ok0:
        return U, T, EV, TESTS, DS, m, NOT_FINITE
    while m < max_points:
        u = U[m - 1]
        t = T[m - 1]
        u_new, ok = correct_with_(f, jac, dfdp, p0, k, log, u + ds * t, t, tol, max_iter)
        if not ok:
            ds *= 0.5
            if ds < ds_min:
                status = MIN_STEP
                break
            continue
        s = u_new[n]
        if s < lo or s > hi:
            bound = hi if s > hi else lo
            ub, okb = fix_param_with_(f, jac, dfdp, p0, k, log, u_new, bound, tol, max_iter)
            if okb:
                U[m] = ub
                tb, evb, okd = point_data_with_(f, jac, dfdp, p0, k, log, ub, t, TESTS[m])
                if okd:
                    T[m] = tb
                    EV[m] = evb
                    DS[m] = ds
                    m += 1
            status = BOUND
            break
        t_new, ev_new, okd = point_data_with_(f, jac, dfdp, p0, k, log, u_new, t, TESTS[m])
        if not okd:  # NaN/inf Jacobian ahead: step too long (or the branch ends)
            ds *= 0.5
            if ds < ds_min:
                status = NOT_FINITE
                break
            continue
        U[m] = u_new
        T[m] = t_new
        EV[m] = ev_new
        DS[m] = ds
        m += 1
        ds = min(ds * 1.5, ds_max)
    return U, T, EV, TESTS, DS, m, status


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _ep_locate(K, steps, p0, k, log, u, t, ds, which, ga, gb, tol, max_iter):
    """Zero of test ``which`` on the step u + h t, h in (0, ds): Illinois secant.

    Returns (u_located, ok, converged)."""
    f, jac, dfdp = kernel_f(K), kernel_jac(K), kernel_dfdp(K)
    correct_with_, point_data_with_, fix_param_with_ = _steps(steps)
    n = u.size - 1
    a, b = 0.0, ds
    best = u.copy()
    found = False
    tests = np.empty(4)
    converged = False
    for _ in range(60):
        h = b - (b - a) * gb / (gb - ga) if gb != ga else 0.5 * (a + b)
        if not (min(a, b) < h < max(a, b)):
            h = 0.5 * (a + b)
        uh, ok = correct_with_(f, jac, dfdp, p0, k, log, u + h * t, t, tol, max_iter)
        if not ok:
            h = 0.5 * (a + b)
            uh, ok = correct_with_(f, jac, dfdp, p0, k, log, u + h * t, t, tol, max_iter)
            if not ok:
                return best, found, False
        _, _, okd = point_data_with_(f, jac, dfdp, p0, k, log, uh, t, tests)
        if not okd:
            return best, found, False
        gh = tests[which]
        best = uh
        found = True
        if gh * ga < 0:
            b, gb = h, gh
            ga *= 0.5
        else:
            a, ga = h, gh
            gb *= 0.5
        if abs(b - a) <= 1e-13 * (1.0 + abs(ds)) or gh == 0.0:
            converged = True
            break
    if abs(b - a) <= 1e-9 * (1.0 + abs(ds)):
        converged = True
    return best, found, converged


class _Loop:
    """A compiled loop with the step functions' addresses (:data:`STEPS`) supplied.

    Called like the loop without ``steps``; other attributes (``signatures``,
    ``stats``, ...) are those of the numba dispatcher.
    """

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.__doc__ = dispatcher.__doc__

    def __call__(self, K, *args):
        return self.dispatcher(K, STEPS, *args)

    def __getattr__(self, name):
        return getattr(self.dispatcher, name)


#: one direction of an EP-C branch: ``ep_run(K, p0, k, log, u0, t0, ds, ds_min, ds_max,
#: max_points, tol, max_iter, lo, hi)`` -> (U, T, EV, TESTS, DS, npts, status)
ep_run = _Loop(_ep_run)
#: a test function's zero on a step: ``ep_locate(K, p0, k, log, u, t, ds, which, ga, gb,
#: tol, max_iter)`` -> (u_located, ok, converged)
ep_locate = _Loop(_ep_locate)
