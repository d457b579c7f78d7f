"""Adaptive mesh redistribution for collocation (AUTO's ``adapt``).

The local error of collocation with m points on an interval of length h is
~ h^(m+1) |u^(m+1)| (Russell & Christiansen 1978, SIAM J. Numer. Anal. 15, 59;
Doedel et al. 1991, sec. 4).  The new mesh equidistributes
int |u^(m+1)|^(1/(m+1)) dt, where u^(m+1) is estimated from the jumps of the
(piecewise constant) m-th derivative of the collocation polynomial between
neighbouring intervals, wrapped periodically.
"""
from __future__ import annotations

import functools
import math

import numba as nb
import numpy as np

from .collocation import _interpolate, interpolate, node_times


@functools.lru_cache(maxsize=32)
def _divided_difference_weights(nodes):
    """Weights of the m-th divided difference at the m + 1 nodes on [0, 1] (scale h^-m)."""
    m = len(nodes) - 1
    return np.array([1.0 / np.prod([nodes[i] - nodes[k] for k in range(m + 1) if k != i])
                     for i in range(m + 1)])


def mth_derivative(U, mesh, scheme):
    """The m-th derivative of the collocation polynomial on each interval.

    Returns an array of shape (N, n): m! times the m-th divided difference of
    the m + 1 node values (exact for a polynomial of degree m), i.e.
    sum_i U[jm+i] / prod_{k != i} (t_i - t_k) on interval j.
    """
    m, N = scheme.ncol, len(mesh) - 1
    h = np.diff(mesh)
    w = _divided_difference_weights(tuple(float(t) for t in scheme.nodes))
    idx = np.arange(N)[:, None] * m + np.arange(m + 1)[None, :]
    blocks = U[idx]                              # (N, m+1, n)
    dd = np.einsum("i,jia->ja", w, blocks)
    return math.factorial(m) * dd / h[:, None] ** m


def monitor(U, mesh, scheme, floor=1e-3):
    """Per-interval density |u^(m+1)|^(1/(m+1)) (max over components).

    ``floor`` (relative to the mean density) keeps intervals from growing
    without bound where the solution is nearly polynomial.
    """
    m = scheme.ncol
    h = np.diff(mesh)
    d = mth_derivative(U, mesh, scheme)
    # (m+1)-th derivative at the mesh points t_1..t_N (t_N = t_0, periodic)
    dn = np.roll(d, -1, axis=0)
    hn = np.roll(h, -1)
    jump = np.max(np.abs(dn - d), axis=1) / (0.5 * (h + hn))
    # interval j is bounded by mesh points j (jump index j-1) and j+1 (index j)
    dens = 0.5 * (np.roll(jump, 1) + jump) ** (1.0 / (m + 1))
    mean = np.sum(dens * h)
    return dens + floor * max(mean, np.finfo(float).tiny)


@nb.njit(cache=True)
def _equidistributed_mesh(U, mesh, ddw, m, floor, ntst):
    """:func:`monitor` and the equidistribution of :func:`adapt` in one compiled call."""
    N = mesh.shape[0] - 1
    n = U.shape[1]
    h = np.empty(N)
    for j in range(N):
        h[j] = mesh[j + 1] - mesh[j]
    fact = math.gamma(m + 1.0)
    d = np.empty((N, n))
    for j in range(N):
        hm = h[j] ** m
        for a in range(n):
            s = 0.0
            for i in range(m + 1):
                s += ddw[i] * U[j * m + i, a]
            d[j, a] = fact * s / hm
    jump = np.empty(N)
    for j in range(N):
        k = j + 1 if j + 1 < N else 0
        mx = 0.0
        for a in range(n):
            mx = max(mx, abs(d[k, a] - d[j, a]))
        jump[j] = mx / (0.5 * (h[j] + h[k]))
    dens = np.empty(N)
    mean = 0.0
    for j in range(N):
        dens[j] = (0.5 * (jump[j - 1] + jump[j])) ** (1.0 / (m + 1))   # jump[-1]: periodic
        mean += dens[j] * h[j]
    add = floor * max(mean, np.finfo(np.float64).tiny)
    cum = np.empty(N + 1)
    cum[0] = 0.0
    for j in range(N):
        cum[j + 1] = cum[j] + (dens[j] + add) * h[j]
    levels = np.linspace(0.0, cum[N], ntst + 1)
    new = _interp_increasing(levels, cum, mesh)
    new[0], new[ntst] = 0.0, 1.0
    return new


@nb.njit(cache=True)
def _interp_increasing(x, xp, fp):
    """``np.interp(x, xp, fp)`` for ascending ``x`` and strictly increasing ``xp``.

    The same arithmetic as numpy's (and numba's) np.interp, so the same values bit
    for bit (``tests/test_cycles_mesh_interp.py``); numba's general implementation
    (any order, NaN, complex, scalar inputs) costs ~1 s of compile in every process
    that compiles this module's callers, this loop ~0.1 s.
    """
    n = xp.shape[0]
    out = np.empty(x.shape[0])
    j = 0
    for i in range(x.shape[0]):
        v = x[i]
        if v < xp[0]:
            out[i] = fp[0]
            continue
        if v >= xp[n - 1]:
            out[i] = fp[n - 1]
            continue
        while xp[j + 1] <= v:             # xp[j] <= v < xp[j + 1]
            j += 1
        if xp[j] == v:
            out[i] = fp[j]
            continue
        slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
        r = slope * (v - xp[j]) + fp[j]
        if np.isnan(r):                   # as numpy: from the other end, then the flat value
            r = slope * (v - xp[j + 1]) + fp[j + 1]
            if np.isnan(r) and fp[j] == fp[j + 1]:
                r = fp[j]
        out[i] = r
    return out


def adapt(U, mesh, scheme, ntst=None, floor=1e-3):
    """Redistribute the mesh and interpolate the orbit onto it.

    Parameters
    ----------
    U : (N*m+1, n) node values;  mesh : (N+1,);  scheme : Scheme
    ntst : int, optional
        Number of intervals of the new mesh (default: unchanged).

    Returns
    -------
    U_new, mesh_new
    """
    new = adapted_mesh(U, mesh, scheme, ntst, floor)
    return interpolate(U, mesh, scheme, node_times(new, scheme)), new


def adapted_mesh(U, mesh, scheme, ntst=None, floor=1e-3):
    """The new mesh of :func:`adapt` (without interpolating the orbit onto it)."""
    ntst = len(mesh) - 1 if ntst is None else int(ntst)
    ddw = _divided_difference_weights(tuple(float(t) for t in scheme.nodes))
    return _equidistributed_mesh(np.ascontiguousarray(U, dtype=float),
                                 np.ascontiguousarray(mesh, dtype=float), ddw, scheme.ncol,
                                 float(floor), ntst)


@nb.njit(cache=True)
def _adapt_all(U, extra, mesh, ddw, nodes, floor):
    """:func:`adapted_mesh` (same ntst), the new mesh's node times and trapezoid node weights,
    and U and ``extra`` interpolated onto its nodes, in one compiled call.

    Each value is computed as by the separate calls listed in :func:`adapt_state_arrays`
    (the same operations in the same order: bitwise equal).
    """
    m = nodes.shape[0] - 1
    N = mesh.shape[0] - 1
    new = _equidistributed_mesh(U, mesh, ddw, m, floor, N)
    M = N * m + 1
    tn = np.empty(M)
    for j in range(N):
        h = new[j + 1] - new[j]
        for i in range(m):
            tn[j * m + i] = new[j] + h * nodes[i]
    tn[M - 1] = new[N]
    w = np.zeros(M)
    for i in range(M - 1):
        w[i] += 0.5 * (tn[i + 1] - tn[i])
    for i in range(M - 1):
        w[i + 1] += 0.5 * (tn[i + 1] - tn[i])
    Un = np.empty((M, U.shape[1]))
    _interpolate(U, mesh, nodes, tn, Un)
    En = np.empty((M, extra.shape[1]))
    _interpolate(extra, mesh, nodes, tn, En)
    return new, tn, w, Un, En


def adapt_state_arrays(U, extra, mesh, scheme, floor=1e-3):
    """The adaptation of a continuation state in one compiled call.

    Returns (mesh_new, t_nodes, weights, U_new, extra_new): :func:`adapted_mesh` (same
    ntst), :func:`.collocation.node_times` of the new mesh, the trapezoid weights of
    int_0^1 g dt at those nodes (as :func:`.lc_run._weights`), and U and ``extra`` (the
    tangent and curvature columns, (N*m+1, k)) interpolated onto the new nodes
    (:func:`.collocation.interpolate`); bitwise equal to those calls, ~25 us less
    Python per adaptation (E-I LC-C, ntst 50).
    """
    ddw = _divided_difference_weights(tuple(float(t) for t in scheme.nodes))
    return _adapt_all(np.ascontiguousarray(U, dtype=float), np.ascontiguousarray(extra, float),
                      np.ascontiguousarray(mesh, dtype=float), ddw, scheme.nodes, float(floor))


def double_period(U, mesh, scheme):
    """The orbit traversed twice on a mesh with twice the intervals (for PD switching).

    The time variable is rescaled to [0, 1]: interval j of the new mesh is
    interval j mod N of the old one, halved.
    """
    m = scheme.ncol
    new = np.concatenate((0.5 * mesh[:-1], 0.5 + 0.5 * mesh))
    U2 = np.concatenate((U[:-1], U[:-1], U[-1:]))
    assert U2.shape[0] == 2 * (len(mesh) - 1) * m + 1
    return U2, new


def is_half_symmetric(mesh) -> bool:
    """True when the mesh is two copies of a mesh on [0, 1/2] (an even number of intervals)."""
    N = len(mesh) - 1
    return N % 2 == 0 and np.allclose(mesh[N // 2:], 0.5 + mesh[:N // 2 + 1], rtol=0,
                                      atol=1e-14)


def adapt_half_symmetric(U, mesh, scheme, floor=1e-3):
    """:func:`adapt` keeping the mesh two copies of one half (for period-doubled branches).

    On such a mesh the collocation equations of a doubled orbit are invariant
    under the shift t -> t + 1/2 (interval j <-> j + N/2), so the pitchfork where
    the doubled branch rejoins its parent traversed twice stays a pitchfork of
    the discrete problem; an adapted asymmetric mesh breaks that symmetry at the
    discretisation error and turns the pitchfork into a nearby fold (measured on
    the E-I PD bubble: a false LPC 7e-6 relative from the PD).  The density
    equidistributed on [0, 1/2] is the mean of the two halves' densities.
    """
    new = half_symmetric_mesh(U, mesh, scheme, floor)
    return interpolate(U, mesh, scheme, node_times(new, scheme)), new


def half_symmetric_mesh(U, mesh, scheme, floor=1e-3):
    """The new mesh of :func:`adapt_half_symmetric` (without interpolating the orbit)."""
    N = len(mesh) - 1
    if not is_half_symmetric(mesh):
        raise ValueError("adapt_half_symmetric needs a mesh made of two copies of one half")
    h = N // 2
    dens = monitor(U, mesh, scheme, floor)
    dens = 0.5 * (dens[:h] + dens[h:])
    half = mesh[:h + 1]
    cum = np.concatenate(([0.0], np.cumsum(dens * np.diff(half))))
    new_half = np.interp(np.linspace(0.0, cum[-1], h + 1), cum, half)
    new_half[0], new_half[-1] = 0.0, 0.5
    new = np.concatenate((new_half, 0.5 + new_half[1:]))
    new[-1] = 1.0
    return new
