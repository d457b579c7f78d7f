"""Floquet multipliers from the condensed collocation blocks.

After condensation of parameters the discretised variational equation
v' = T f_x(u(t)) v reduces to one relation between the end values,
P v(0) + Q v(1) = 0 (:func:`bifkit.continuation.collocation.condensed_pair`),
so the monodromy matrix is M = -Q^{-1} P.  Instead of forming M (a product of
block inverses, which loses the small multipliers), the multipliers are the
generalised eigenvalues of the pencil (-P, Q), computed by QZ.  The pair itself
comes from Householder eliminations only, which is the orthogonal-reduction
approach of Lust (2001), *Improved numerical Floquet multipliers*, Int. J.
Bifurcation Chaos 11, 2389; cf. Fairgrieve & Jepson (1991), SIAM J. Numer.
Anal. 28, 1446 (AUTO's periodic Schur) and Kuznetsov 2004, sec. 10.3.3.

For an autonomous system one multiplier is exactly 1 (the trivial one, the
tangent direction of the orbit); its computed distance from 1 measures the
accuracy of the discretisation and is reported with every point.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .collocation import condensed_pair

_dggev = scipy.linalg.lapack.get_lapack_funcs("ggev", dtype=np.float64)


def multipliers_from_pair(P: np.ndarray, Q: np.ndarray):
    """Floquet multipliers from the condensed pair, sorted by decreasing modulus.

    Returns
    -------
    mu : complex array (n,)
    trivial_error : float
        min_k |mu_k - 1|, the error of the trivial multiplier.
    """
    if np.all(np.isfinite(P)) and np.all(np.isfinite(Q)):
        # LAPACK's QZ directly (dggev): scipy.linalg.eigvals costs ~10x more in wrapping
        ar, ai, beta, _, _, _, info = _dggev(-P, Q, compute_vl=0, compute_vr=0, overwrite_a=1,
                                          overwrite_b=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = (ar + 1j * ai) / beta
    else:
        mu = np.full(P.shape[0], np.nan + 0j)
    mu = mu[np.argsort(-np.abs(mu), kind="stable")]
    err = float(np.min(np.abs(mu - 1.0))) if mu.size else np.nan
    return mu, err


def multipliers_from_blocks(Jblk: np.ndarray):
    """Floquet multipliers from the collocation Jacobian blocks (see module doc)."""
    P, Q = condensed_pair(Jblk)
    return multipliers_from_pair(P, Q)


def nontrivial(mu: np.ndarray) -> np.ndarray:
    """The multipliers without the one closest to 1 (for autonomous systems)."""
    mu = np.asarray(mu)
    if mu.size == 0:
        return mu
    keep = np.ones(mu.size, dtype=bool)
    keep[int(np.argmin(np.abs(mu - 1.0)))] = False
    return mu[keep]


def lyapunov_exponents(mu: np.ndarray, period: float) -> np.ndarray:
    """Lyapunov exponents ln|mu| / T of the orbit, in 1/(time unit), sorted decreasing."""
    return np.sort(np.log(np.abs(np.asarray(mu))) / float(period))[::-1]
