"""The saddle of a homoclinic orbit: eigenvalues, invariant subspaces, test functions.

Projection boundary conditions (Beyn 1990, IMA J. Numer. Anal. 10, 379;
Champneys, Kuznetsov & Sandstede 1996, Int. J. Bif. Chaos 6, 867, sec. 2):
u(0) - x0 must lie in the unstable eigenspace E^u of J = f_x(x0, alpha), and
u(1) - x0 in the stable one E^s.  E^u is the orthogonal complement of the
*stable* invariant subspace of J^T, so with L_s an orthonormal basis of the
latter (n_s columns) the condition reads L_s^T (u(0) - x0) = 0, and likewise
L_u^T (u(1) - x0) = 0 with L_u the unstable invariant subspace of J^T.

The bases come from an ordered real Schur form; a basis is only defined up to
an invertible n_s x n_s factor, so it is aligned with the basis of the previous
continuation point (L <- L L^T L_ref, the member of the subspace's bases closest
to L_ref).  This makes the boundary rows smooth functions of (x0, alpha), as
Newton's method and finite differences need (HomCont instead continues the
subspaces by a Riccati equation: same conditions, different bookkeeping).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla


def eigenvalues(J) -> np.ndarray:
    """Eigenvalues of J sorted by increasing real part."""
    ev = np.linalg.eigvals(J)
    return ev[np.argsort(ev.real, kind="stable")]


def split(J, n_unstable: int):
    """(stable, unstable) eigenvalues when the ``n_unstable`` largest-real-part
    eigenvalues are counted as unstable (the count is fixed along a curve)."""
    ev = eigenvalues(J)
    n = len(ev)
    return ev[: n - n_unstable], ev[n - n_unstable:]


def saddle_quantity(J, n_unstable: int) -> float:
    """sigma = Re lambda_s1 + Re lambda_u1: the leading (closest to the imaginary
    axis) stable and unstable eigenvalues (Shil'nikov's saddle quantity; its zero is
    the neutral saddle, Kuznetsov 2004, sec. 6.2 and 6.4)."""
    stable, unstable = split(J, n_unstable)
    return float(stable[-1].real + unstable[0].real)


def leading_kinds(J, n_unstable: int) -> tuple:
    """("real" | "complex") of the leading stable and unstable eigenvalues."""
    stable, unstable = split(J, n_unstable)
    kind = lambda z: "complex" if abs(z.imag) > 1e-9 * max(1.0, abs(z)) else "real"  # noqa: E731
    return kind(stable[-1]), kind(unstable[0])


def left_bases(J, n_unstable: int, ref=None, n_stable: int | None = None):
    """Orthonormal-ish bases (L_s, L_u) of the stable / unstable invariant subspaces of J^T.

    L_s spans the ``n_stable`` eigenvalues of smallest real part (default
    n - n_unstable), L_u the ``n_unstable`` of largest real part; for a
    saddle-node (HSN-C) the zero eigenvalue belongs to neither, n_stable +
    n_unstable = n - 1.  ``ref = (L_s_ref, L_u_ref)`` aligns them with a
    previous pair (see module docstring).
    """
    n = J.shape[0]
    n_s = n - n_unstable if n_stable is None else int(n_stable)
    if n_stable is None and (n_s == 0 or n_unstable == 0):
        raise ValueError("the equilibrium has no stable or no unstable eigenvalue")
    JT = np.asarray(J, float).T
    Ls = _invariant(JT, n_s, lowest=True)
    Lu = _invariant(JT, n_unstable, lowest=False)
    if ref is not None:
        Ls = Ls @ (Ls.T @ ref[0])
        Lu = Lu @ (Lu.T @ ref[1])
    return Ls, Lu


def _invariant(JT, k, lowest):
    """Orthonormal basis (n x k) of the invariant subspace of the k eigenvalues of
    smallest (``lowest``) or largest real part, from an ordered real Schur form."""
    n = JT.shape[0]
    if k == 0:
        return np.zeros((n, 0))
    ev = eigenvalues(JT)
    if lowest:
        gap = 0.5 * (ev[k - 1].real + ev[k].real) if k < n else np.inf
        _, Z, got = sla.schur(JT, output="real", sort=lambda re, im: re < gap)
    else:
        gap = 0.5 * (ev[n - k - 1].real + ev[n - k].real) if k < n else -np.inf
        _, Z, got = sla.schur(JT, output="real", sort=lambda re, im: re > gap)
    if got != k:
        raise ValueError(f"cannot split the spectrum {ev} after {k} eigenvalues "
                         f"(a complex pair or equal real parts on the split)")
    return Z[:, :k]
