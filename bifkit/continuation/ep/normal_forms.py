"""Normal-form coefficients at codimension-one points from the symbolic multilinear forms.

Kuznetsov, Elements of Applied Bifurcation Theory (3rd ed.), sec. 3.5 and 8.7:
with A q = i omega q, A^T p = -i omega p, <p, q> = conj(p) . q = 1,

    l1 = 1/(2 omega) Re[ <p, C(q,q,qbar)> - 2 <p, B(q, A^-1 B(q,qbar))>
                         + <p, B(qbar, (2 i omega - A)^-1 B(q,q))> ].

l1 < 0: supercritical (a stable cycle is born); l1 > 0: subcritical.
l1 carries units of 1/(time unit of the model) times those of the state.
"""
from __future__ import annotations

import numpy as np


def _cB(B, t, x, p, a, b):
    """Complex bilinear form from the real kernel B(t, x, p, u, v)."""
    ar, ai, br, bi = a.real.copy(), a.imag.copy(), b.real.copy(), b.imag.copy()
    re = B(t, x, p, ar, br) - B(t, x, p, ai, bi)
    im = B(t, x, p, ar, bi) + B(t, x, p, ai, br)
    return re + 1j * im


def _cC(C, t, x, p, a, b, c):
    """Complex trilinear form from the real kernel C(t, x, p, u, v, w)."""
    out = np.zeros(x.size, dtype=complex)
    for fa, va in ((1.0, a.real.copy()), (1j, a.imag.copy())):
        for fb, vb in ((1.0, b.real.copy()), (1j, b.imag.copy())):
            for fc, vc in ((1.0, c.real.copy()), (1j, c.imag.copy())):
                out += fa * fb * fc * C(t, x, p, va, vb, vc)
    return out


def hopf_eigenvectors(A):
    """q, p and omega at a Hopf point: A q = i w q, A^T p = -i w p, conj(p).q = 1."""
    ev, V = np.linalg.eig(A)
    k = int(np.argmin(np.abs(ev.real) + (ev.imag <= 0) * 1e300))
    omega = float(ev[k].imag)
    q = V[:, k] / np.linalg.norm(V[:, k])
    evT, W = np.linalg.eig(A.T)
    j = int(np.argmin(np.abs(evT - (-1j * omega))))
    pv = W[:, j]
    pv = pv / np.conj(np.vdot(pv, q))  # makes vdot(pv, q) = conj(pv).q = 1
    return q, pv, omega


def first_lyapunov_coefficient(model, x, p):
    """First Lyapunov coefficient l1 and omega at a Hopf point (x, p) of ``model``.

    Returns
    -------
    l1, omega : float
    """
    c = model.compiled
    A = c.jac(0.0, x, p)
    q, pv, omega = hopf_eigenvectors(A)
    B = lambda a, b: _cB(c.B, 0.0, x, p, a, b)  # noqa: E731
    qb = np.conj(q)
    h11 = np.linalg.solve(A, B(q, qb))
    h20 = np.linalg.solve(2j * omega * np.eye(x.size) - A, B(q, q))
    g = (np.vdot(pv, _cC(c.C, 0.0, x, p, q, q, qb))
         - 2 * np.vdot(pv, B(q, h11)) + np.vdot(pv, B(qb, h20)))
    return float(g.real / (2 * omega)), omega
