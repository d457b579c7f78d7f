"""Branch switching at a branch point (BP) of an EP-C curve.

At a simple branch point u0 = (x0, s0) of F(u) = f(x, p(s)) = 0 the Jacobian
F_u (n x (n+1)) has rank n - 1: a two-dimensional null space spanned by
phi_1, phi_2, and a left null vector psi.  The tangents of the two branches
through u0 are t = a phi_1 + b phi_2 with (a, b) a root of the algebraic
branching equation

    c11 a^2 + 2 c12 a b + c22 b^2 = 0,   c_ij = psi . F_uu[phi_i, phi_j]

(Keller 1977; Allgower & Georg 1990, sec. 8.3; Kuznetsov, Elements of Applied
Bifurcation Theory, 3rd ed., sec. 10.2.2).  The second derivatives are central
differences of F_u along phi_i (relative step 1e-5: error ~1e-10, far below
what choosing between two distinct directions needs).  Of the two roots, the
one closest to the tangent of the branch the BP was found on (stored with the
BP point) is that branch; the other is the new one.
"""
from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger("bifkit.continuation.ep.switch")

#: relative finite-difference step for F_uu
FD_STEP = 1e-5


def branch_tangents(DF, u0):
    """The two branch tangents at a branch point (unit vectors in u = (x, s)).

    Parameters
    ----------
    DF : callable u -> F_u (n x (n+1))
    u0 : the branch point

    Returns
    -------
    (t1, t2) : unit tangents of the two branches
    ratio : sigma_{n-1} / sigma_1 of F_u (small at a genuine branch point)

    Raises
    ------
    ValueError
        If the branching equation has no two distinct real roots (not a simple BP).
    """
    A = DF(u0)
    n = A.shape[0]
    U, sv, Vt = np.linalg.svd(A)
    ratio = sv[n - 1] / sv[0] if n > 1 else 0.0
    phi = (Vt[n - 1], Vt[n])       # the two smallest right singular vectors
    psi = U[:, n - 1]              # the left singular vector of the (near-)zero singular value
    h = FD_STEP * (1.0 + np.max(np.abs(u0)))

    def second(a, b):
        return psi @ ((DF(u0 + h * a) - DF(u0 - h * a)) @ b) / (2.0 * h)
    c11, c22 = second(phi[0], phi[0]), second(phi[1], phi[1])
    c12 = 0.5 * (second(phi[0], phi[1]) + second(phi[1], phi[0]))
    # null directions of the quadratic form Q = [[c11, c12], [c12, c22]]: with
    # Q = R diag(l1, l2) R^T, l1 > 0 > l2, they are R (sqrt(-l2), +-sqrt(l1))
    lam, R = np.linalg.eigh(np.array([[c11, c12], [c12, c22]]))
    scale = max(abs(lam[0]), abs(lam[1]), 1e-300)
    if not (lam[0] < -1e-6 * scale and lam[1] > 1e-6 * scale):
        raise ValueError(f"not a simple branch point: the algebraic branching equation has no "
                         f"two distinct real roots (c11={c11:.3g}, c12={c12:.3g}, c22={c22:.3g})")
    ab = [R @ np.array([np.sqrt(lam[1]), sgn * np.sqrt(-lam[0])]) for sgn in (1.0, -1.0)]
    ts = [a * phi[0] + b * phi[1] for a, b in ab]
    return tuple(t / np.linalg.norm(t) for t in ts), ratio


def choose(tangents, t_old, which):
    """The tangent of the ``which`` ("other" or "same") branch relative to t_old.

    The branch the BP was found on is the tangent at the smaller angle to t_old
    (the tangent one step before the BP, so only close to it); it must be
    clearly closer (half the angle of the other) to be told apart.
    """
    t_old = np.asarray(t_old, float) / np.linalg.norm(t_old)
    angles = [float(np.arccos(min(1.0, abs(np.dot(t, t_old))))) for t in tangents]
    same = int(np.argmin(angles))
    if not angles[same] < 0.5 * angles[1 - same]:
        raise ValueError(f"cannot tell the branches apart at this branch point: their tangents "
                         f"make angles {angles[0]:.3g} and {angles[1]:.3g} rad with the branch "
                         f"it was found on")
    log.debug("BP switch: angles with the old branch %s, taking the %s branch", angles, which)
    return tangents[same if which == "same" else 1 - same]


def first_point(correct, u0, t, h, min_h):
    """The corrected point at distance ~h from u0 along t (halving h on failure), or None."""
    while h >= min_h:
        u, ok = correct(u0 + h * t, t)
        if ok and np.linalg.norm(u - u0) > 0.25 * h:
            return u
        h *= 0.5
    return None
