"""Exponential time differencing (ETDRK4) for stiff semilinear systems.

For ``du/dt = L u + N(t, u)`` with a diagonal (complex) linear part ``L``, the
fourth-order scheme of Cox & Matthews (J. Comput. Phys. 176, 430 (2002),
eqs. 26-29) integrates the linear part exactly, so the step is limited by
the nonlinear part only, not by the stiff modes (the z_n chain of the
shot-noise mean field has ``L_n ~ 2 i n sqrt(I0)``: Ageeva & Goldobin 2025,
eq. 6).  The coefficients

    Q  = h phi1(hL/2)/2,  f1 = h (-4 - z + e^z (4 - 3z + z^2)) / z^3,
    f2 = h (2 + z + e^z (z - 2)) / z^3,  f3 = h (-4 - 3z - z^2 + e^z (4 - z)) / z^3

(z = hL) suffer cancellation for small |z|; there they are evaluated as means over a
circle of radius 1 + |z| around each z in the complex plane (Kassam & Trefethen, SIAM J. Sci.
Comput. 26, 1214 (2005), sec. 2; full circle since L is complex), directly for |z| >= 2.

State layout.  The loop keeps the model's real-split vector ``x`` (what the
kernels take) and works on the complex view ``u``: one entry per user-facing
state, ``u_k = x[re_k] + i x[im_k]`` for a complex state and ``u_k = x[re_k]``
for a real one (``im_k = -1``).  A real state needs a real ``L_k`` so that it
stays real.  The nonlinear part is given either directly (``N(t, x, p)`` ->
real-split array) or as the full right-hand side ``f``, from which ``L u`` is
subtracted (``subtract_linear=True``); either way the split is exact and only
the efficiency depends on the choice of ``L``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, types

from .._dispatchers import compiled_only, on_first_call
from .trajectory import LOOP_OK
from .integrators import A1, A2, F64, I64, RHS, check_state, n_substeps

C1 = types.complex128[::1]
C2 = types.complex128[:, ::1]
I1 = types.int64[::1]

N_CONTOUR = 64  # points on the circle; aliasing error ~ radius^N / N!, far below eps
DIRECT_FROM = 2.0  # |hL| from which the coefficients are evaluated directly


def etd_coefficients(L, h: float, n_contour: int = N_CONTOUR) -> np.ndarray:
    """ETDRK4 coefficients for step ``h`` (Cox & Matthews 2002, eqs. 26-29).

    Where |hL| < ``DIRECT_FROM`` the formulas cancel and are evaluated as means over a circle
    around hL (Kassam & Trefethen 2005, sec. 2) of radius 1 + |hL|, which keeps every node at
    distance >= 1 from the cancellation at 0 (a unit circle passes through it when |hL| ~ 1:
    relative error 3.5e-11 there); elsewhere directly. Measured against 60-digit evaluations:
    at most 1.6e-15 (circle, |hL| < 2) and 2.5e-15 (direct, |hL| >= 2) relative.

    Parameters
    ----------
    L : array_like, shape (m,)
        Diagonal of the linear part (complex; real for real states).
    h : float
        Step size.

    Returns
    -------
    ndarray, shape (6, m), complex
        Rows ``E = e^{hL}``, ``E2 = e^{hL/2}``, ``Q``, ``f1``, ``f2``, ``f3``.
    """
    L = np.ascontiguousarray(L, dtype=complex)
    r = np.exp(2j * np.pi * (np.arange(1, n_contour + 1) - 0.5) / n_contour)
    out = np.empty((6, L.size), dtype=complex)
    _fill_coefficients(float(h) * L, float(h), r, DIRECT_FROM, out)
    # coefficients of a real mode with real L are real (up to contour roundoff)
    real = np.isreal(L)
    out[:, real] = out[:, real].real
    return out


@njit(cache=True)
def _phi_terms(z, h):
    """(Q, f1, f2, f3) of eqs. 26-29 at one z = hL, evaluated as written."""
    e = np.exp(z)
    z3 = z * z * z
    return (h * (np.exp(z / 2) - 1) / z, h * (-4 - z + e * (4 - 3 * z + z * z)) / z3,
            h * (2 + z + e * (z - 2)) / z3, h * (-4 - 3 * z - z * z + e * (4 - z)) / z3)


@njit(cache=True)
def _fill_coefficients(z, h, r, direct_from, out):
    """Rows E, E2, Q, f1, f2, f3 of :func:`etd_coefficients` for every z = hL (out: (6, m))."""
    for k in range(z.size):
        out[0, k] = np.exp(z[k])
        out[1, k] = np.exp(z[k] / 2)
        if abs(z[k]) >= direct_from:
            out[2, k], out[3, k], out[4, k], out[5, k] = _phi_terms(z[k], h)
            continue
        s2 = s3 = s4 = s5 = 0j
        radius = 1.0 + abs(z[k])
        for j in range(r.size):  # the mean over a circle of radius 1 + |z| around z
            a, b, c, d = _phi_terms(z[k] + radius * r[j], h)
            s2 += a
            s3 += b
            s4 += c
            s5 += d
        n = r.size
        out[2, k], out[3, k], out[4, k], out[5, k] = s2 / n, s3 / n, s4 / n, s5 / n


def kernel_parameters(model) -> np.ndarray:
    """The parameter vector handed to the model's kernels during one run.

    ``model.p`` (a writable copy), unless the model precomputes parameter-only data for its
    kernels (``extras["kernel_parameters"](model)``, e.g. the coefficient matrix I_nm of the
    shot-noise chain, Ageeva & Goldobin 2025, eq. 10): then that extended vector, computed
    once per run instead of inside every right-hand-side call.
    """
    maker = model.definition.extras.get("kernel_parameters")
    if maker is None:
        return np.array(model.p, dtype=float)
    return np.ascontiguousarray(maker(model), dtype=float)


def state_maps(model):
    """Index arrays (re, im) of the complex view of ``model``'s real-split state.

    ``im[k] = -1`` for a real state.
    """
    re, im, i = [], [], 0
    for s in model.states:
        re.append(i)
        if s in model.complex_states:
            im.append(i + 1)
            i += 2
        else:
            im.append(-1)
            i += 1
    return np.array(re, dtype=np.int64), np.array(im, dtype=np.int64)


def jacobian_diagonal(model, t: float, x: np.ndarray) -> np.ndarray:
    """Diagonal linear part read off the Jacobian at (t, x), one entry per state.

    For a complex state z with 2x2 block [[a, b], [c, d]] of d(re, im)/d(re, im)
    the complex-linear part ``lambda z`` has ``lambda = (a + d)/2 + i (c - b)/2``
    (the block of multiplication by lambda is [[Re, -Im], [Im, Re]]); for a
    real state it is the diagonal entry.  For the z_n chain this gives
    ``2 i n sqrt(I0) + K nu (I_nn - 1)`` at the reference state, i.e. the stiff
    rotation plus the diagonal damping, frozen (Ageeva & Goldobin 2025, eq. 6).
    """
    J = model.compiled.jac(float(t), np.asarray(x, dtype=float), model.p)
    re, im = state_maps(model)
    lam = np.empty(re.size, dtype=complex)
    for k, (i, j) in enumerate(zip(re, im)):
        if j < 0:
            lam[k] = J[i, i]
        else:
            lam[k] = 0.5 * (J[i, i] + J[j, j]) + 0.5j * (J[j, i] - J[i, j])
    return lam


@compiled_only(cache=True)
def _to_complex(x, re, im, u):
    for k in range(re.size):
        if im[k] >= 0:
            u[k] = complex(x[re[k]], x[im[k]])
        else:
            u[k] = complex(x[re[k]], 0.0)


@compiled_only(cache=True)
def _to_real(u, re, im, x):
    for k in range(re.size):
        x[re[k]] = u[k].real
        if im[k] >= 0:
            x[im[k]] = u[k].imag


@compiled_only(cache=True)
def _nonlinear(fun, t, u, p, L, subtract, re, im, xbuf, out):
    """out = N(t, u): ``fun`` evaluated on the real view, minus L u if asked."""
    _to_real(u, re, im, xbuf)
    fx = fun(t, xbuf, p)
    _to_complex(fx, re, im, out)
    if subtract:
        for k in range(u.size):
            out[k] -= L[k] * u[k]


@compiled_only(cache=True)
def _etd_step(fun, t, u, h, p, L, C, subtract, re, im, xbuf, Nu, Na, Nb, Nc, a, b, c):
    """One ETDRK4 step (Cox & Matthews 2002, eqs. 26-29), updating ``u`` in place.

    ``a``, ``b``, ``c`` (stage values) and ``Nu``..``Nc`` (their nonlinear parts) are work
    arrays of the caller: the step allocates nothing but what ``fun`` returns."""
    m = u.size
    _nonlinear(fun, t, u, p, L, subtract, re, im, xbuf, Nu)
    for k in range(m):
        a[k] = C[1, k] * u[k] + C[2, k] * Nu[k]
    _nonlinear(fun, t + 0.5 * h, a, p, L, subtract, re, im, xbuf, Na)
    for k in range(m):
        b[k] = C[1, k] * u[k] + C[2, k] * Na[k]
    _nonlinear(fun, t + 0.5 * h, b, p, L, subtract, re, im, xbuf, Nb)
    for k in range(m):
        c[k] = C[1, k] * a[k] + C[2, k] * (2.0 * Nb[k] - Nu[k])
    _nonlinear(fun, t + h, c, p, L, subtract, re, im, xbuf, Nc)
    for k in range(m):
        u[k] = C[0, k] * u[k] + C[3, k] * Nu[k] + 2.0 * C[4, k] * (Na[k] + Nb[k]) \
            + C[5, k] * Nc[k]


@on_first_call(types.Tuple((A2, I64, I64, F64, I64))(
    RHS, A1, A1, A1, C1, C2, F64, C2, F64, types.boolean, I1, I1, F64), cache=True)
def etd_loop(fun, p, x0, t_out, L, C_main, h_main, C_last, h_last, subtract, re, im, blowup):
    """ETDRK4 from ``t_out[0]`` recording at ``t_out``.

    The output grid is uniform except possibly its last interval: interior
    intervals are covered by steps ``h_main`` (coefficients ``C_main``), the
    last by steps ``h_last`` (``C_last``).

    Returns
    -------
    Y, n_rec, code, t_stop, nsteps
    """
    n, nt, m = x0.size, t_out.size, re.size
    Y = np.empty((n, nt))
    Y[:, 0] = x0
    xbuf = x0.copy()
    u = np.empty(m, dtype=np.complex128)
    _to_complex(x0, re, im, u)
    Nu = np.empty(m, dtype=np.complex128)
    Na, Nb, Nc = Nu.copy(), Nu.copy(), Nu.copy()
    a, b, c = Nu.copy(), Nu.copy(), Nu.copy()  # stage values
    nsteps = 0
    for k in range(nt - 1):
        t0 = t_out[k]
        last = k == nt - 2
        h = h_last if last else h_main
        C = C_last if last else C_main
        msub = n_substeps(t_out[k + 1] - t0, h)
        for j in range(msub):
            _etd_step(fun, t0 + j * h, u, h, p, L, C, subtract, re, im, xbuf, Nu, Na, Nb, Nc,
                      a, b, c)
            nsteps += 1
            _to_real(u, re, im, xbuf)
            code = check_state(xbuf, blowup)
            if code != LOOP_OK:
                return Y, k + 1, code, t0 + (j + 1) * h, nsteps
        _to_real(u, re, im, xbuf)
        Y[:, k + 1] = xbuf
    return Y, nt, LOOP_OK, t_out[nt - 1], nsteps


def etd_step_sizes(t_out: np.ndarray, dt: float):
    """Step sizes (h_main, h_last) that tile a uniform-but-last output grid with steps <= dt."""
    gaps = np.diff(t_out)
    if gaps.size == 0:
        return dt, dt
    main = gaps[0]
    if gaps.size > 2 and not np.allclose(gaps[:-1], main, rtol=1e-9, atol=0):
        raise ValueError("method='etd' needs uniformly spaced output times "
                         "(the last interval may be shorter)")
    last = gaps[-1]
    h_main = main / max(1, math.ceil(main / dt * (1 - 1e-12)))
    h_last = last / max(1, math.ceil(last / dt * (1 - 1e-12)))
    return h_main, h_last
