"""The normal-form coefficient of a Neimark-Sacker (torus) bifurcation of cycles.

At an NS point the cycle x0(tau) (period T) has multipliers e^{+-i kappa}; with
omega = kappa / T the function phi(tau) = e^{-i omega tau} v(tau) (v the Floquet solution,
v(T) = e^{i kappa} v(0)) is T-periodic and solves phi' = A phi - i omega phi (A = f_x(x0)).
Near the point x = x0(tau) + z phi + conj(z phi) + z^2 h20 / 2 + |z|^2 h11 + ... with the
periodic normal form (Iooss 1988; Kuznetsov, Govaerts, Doedel & Dhooge 2005, SIAM J. Numer.
Anal. 43, 1407, sec. 4.3; method read there, derivation redone here)::

    dtau/dt = 1 + a |z|^2 + ...,        dz/dt = i omega z + d z |z|^2 + ...

Powers of z, zbar in x' = f(x) give (all T-periodic):

* z^2:      h20' - A h20 + 2 i omega h20 = B(phi, phi);
* z zbar:   h11' - A h11 + a f(x0) = B(phi, conj phi)   (a from solvability);
* z^2 zbar: h21' - A h21 + i omega h21 = C(phi, phi, conj phi) + 2 B(phi, h11)
            + B(conj phi, h20) - 2 a (A phi - i omega phi) - 2 d phi, solvable for one d.

Each is solved as a real bordered collocation problem (the complex ones in dimension 2n);
for the last the border columns 2 phi, 2 i phi give Re d, Im d directly (no adjoint).
Normalisation int_0^T |phi|^2 dtau = 1; the sign of Re d does not depend on it: Re d < 0 a
supercritical NS (a stable torus appears), Re d > 0 subcritical; a zero of Re d along an
NS curve is a Chenciner (CH) point.
"""
from __future__ import annotations

import math

import numpy as np

from . import collocation as co
from . import ext as ce
from .linalg import Factor
from .pd_normal_form import _gauss_values
from .systems import node_weights


def _complex_blocks(Jblk, n, w, h, T, W):
    """Collocation blocks of h' = A h - i w h (complex h as [Re h, Im h], 2n real states)
    from the orbit's blocks ``Jblk`` (rows Wd H - h_j T A W H): the term + i w h adds
    -h_j T W[k, i] [[0, w I], [-w I, 0]]."""
    N, mn, mn1 = Jblk.shape
    m = mn // n
    J2 = ce.block_diagonal(Jblk, n, 2)
    Km = np.zeros((2 * n, 2 * n))
    Km[:n, n:] = w * np.eye(n)
    Km[n:, :n] = -w * np.eye(n)
    coup = np.einsum("ki,ab->kaib", W, Km).reshape(m * 2 * n, (m + 1) * 2 * n)
    return np.ascontiguousarray(J2 - (h * T)[:, None, None] * coup[None])


def ns_coefficient(model, U, Vr, Vi, kappa, T, p, mesh, scheme):
    """The cubic coefficient d of the NS normal form dz/dt = i omega z + d z |z|^2.

    Parameters
    ----------
    model : Model (compiled ``f``, ``jac``, ``B``, ``C``)
    U : (N*m+1, n) the cycle on the collocation nodes, t = tau / T in [0, 1]
    Vr, Vi : the NS-C eigenfunction (v = Vr + i Vi, v(1) = e^{i kappa} v(0))
    kappa : the multipliers' angle;  T : period;  p : parameters;  mesh, scheme : collocation

    Returns
    -------
    dict with "d" (complex, 1 / time, for int_0^T |phi|^2 dtau = 1) and "a"
    """
    k = model.compiled
    n = U.shape[1]
    N, m = len(mesh) - 1, scheme.ncol
    M, G = N * m + 1, N * m
    p = np.ascontiguousarray(p, float)
    U = np.ascontiguousarray(U)
    h = np.diff(mesh)
    hT = (h * T)[:, None, None]
    w = kappa / T
    kx = ce.kernels(f=k.f, jac=k.jac, dfdp=k.dfdp, B=k.B, C=k.C)
    Jblk = np.empty((N, m * n, (m + 1) * n))
    kx.coll_jacobian(U, T, p, np.zeros(0, np.int64), mesh, scheme.W, scheme.Wd, Jblk,
                     np.empty((N, m * n, 1)))
    # phi = e^{-i omega tau} v on the nodes (tau = T t), normalised
    tn = co.node_times(mesh, scheme)
    ph = np.exp(-1j * kappa * tn)[:, None] * (Vr + 1j * Vi)
    rg = _gauss_values(np.ascontiguousarray(ph.real), mesh, scheme)
    sg = _gauss_values(np.ascontiguousarray(ph.imag), mesh, scheme)
    nrm2 = T * float(np.sum(h[:, None] * scheme.wg[None, :] * np.sum(rg ** 2 + sg ** 2, axis=2)))
    if not nrm2 > 0:
        raise ValueError("the NS eigenfunction is zero")
    s = 1.0 / math.sqrt(nrm2)
    ph, rg, sg = ph * s, rg * s, sg * s
    ug = np.ascontiguousarray(_gauss_values(U, mesh, scheme).reshape(G, n))
    r, q = np.ascontiguousarray(rg.reshape(G, n)), np.ascontiguousarray(sg.reshape(G, n))

    def Bf(x, y):
        out = np.empty((G, n))
        kx.forms_B(ug, np.ascontiguousarray(x), np.ascontiguousarray(y), p, out)
        return out

    def Cf(x, y, z):
        out = np.empty((G, n))
        kx.forms_C(ug, np.ascontiguousarray(x), np.ascontiguousarray(y),
                   np.ascontiguousarray(z), p, out)
        return out
    f_g, Ar, Bdummy = (np.empty((G, n)) for _ in range(3))
    kx.pd_nf_quadratic(ug, r, p, f_g, Ar, Bdummy)
    _, Aq, _ = (np.empty((G, n)) for _ in range(3))
    Aq = np.empty((G, n))
    kx.pd_nf_quadratic(ug, q, p, np.empty((G, n)), Aq, np.empty((G, n)))
    Brr, Bqq, Brq = Bf(r, r), Bf(q, q), Bf(r, q)
    col = lambda g: (hT * g.reshape(N, m, -1)).reshape(N, -1)   # noqa: E731
    eye = np.eye(n)
    # h20 (complex, 2n): h' - A h + 2 i w h = B(phi, phi); a dummy bordered unknown held at 0
    J20 = _complex_blocks(Jblk, n, 2.0 * w, h, T, scheme.W)
    F20 = Factor(J20, np.zeros((N, m * 2 * n, 1)))
    g20 = np.concatenate([Brr - Bqq, 2.0 * Brq], axis=1)
    H20, _ = F20.solve(np.zeros((1, M, 2 * n)), np.ones((1, 1)), np.eye(2 * n), -np.eye(2 * n),
                       np.zeros((2 * n, 1)), col(g20), np.zeros(2 * n), np.zeros(1))
    # h11 (real): h' - A h + a f = B(phi, conj phi), int <x0', h> = 0
    Jb11 = np.ascontiguousarray(col(f_g).reshape(N, m * n, 1))
    C11 = np.zeros((1, M, n))
    co.phase_row(U, scheme.W, scheme.Wd, scheme.wg, C11[0])
    H11, z11 = Factor(np.ascontiguousarray(Jblk), Jb11).solve(
        C11, np.zeros((1, 1)), eye, -eye, np.zeros((n, 1)), col(Brr + Bqq), np.zeros(n),
        np.zeros(1))
    a = float(z11[0])
    h20g = _gauss_values(H20, mesh, scheme).reshape(G, 2 * n)
    P, Qh = h20g[:, :n], h20g[:, n:]
    h11g = _gauss_values(H11, mesh, scheme).reshape(G, n)
    # right-hand side of the z^2 zbar order, without -2 d phi
    rhs_r = Cf(r, r, r) + Cf(r, q, q) + 2.0 * Bf(r, h11g) + Bf(r, P) + Bf(q, Qh) \
        - 2.0 * a * (Ar + w * q)
    rhs_i = Cf(r, r, q) + Cf(q, q, q) + 2.0 * Bf(q, h11g) + Bf(r, Qh) - Bf(q, P) \
        - 2.0 * a * (Aq - w * r)
    # h21 (complex): h' - A h + i w h + 2 d phi = rhs; columns 2 phi (Re d), 2 i phi (Im d);
    # rows int <phi, h> = 0, int <i phi, h> = 0 (real inner products in 2n)
    J21 = _complex_blocks(Jblk, n, w, h, T, scheme.W)
    Jb21 = np.empty((N, m * 2 * n, 2))
    Jb21[:, :, 0] = col(np.concatenate([2.0 * r, 2.0 * q], axis=1))
    Jb21[:, :, 1] = col(np.concatenate([-2.0 * q, 2.0 * r], axis=1))
    wn = node_weights(mesh, scheme)[:, None]
    C21 = np.zeros((2, M, 2 * n))
    C21[0] = wn * np.concatenate([ph.real, ph.imag], axis=1)
    C21[1] = wn * np.concatenate([-ph.imag, ph.real], axis=1)
    H21, z21 = Factor(J21, Jb21).solve(C21, np.zeros((2, 2)), np.eye(2 * n), -np.eye(2 * n),
                                       np.zeros((2 * n, 2)),
                                       col(np.concatenate([rhs_r, rhs_i], axis=1)),
                                       np.zeros(2 * n), np.zeros(2))
    if not (np.all(np.isfinite(z21)) and math.isfinite(a)):
        raise np.linalg.LinAlgError("singular bordered system in the NS normal form")
    return {"d": complex(z21[0], z21[1]), "a": a}
