"""Floquet multipliers from the condensed collocation blocks.

After condensation of parameters the discretised variational equation
v' = T f_x(u(t)) v reduces to one relation between the end values,
P v(0) + Q v(1) = 0 (:func:`bifkit.continuation.cycles.collocation.condensed_pair`),
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

import math
from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.linalg

from .collocation import condensed_pair, load_chain_rows, sep_load_interval, take_chain_rows
from .qz import finite_pair, sorted_multipliers

_dggev = scipy.linalg.lapack.get_lapack_funcs("ggev", dtype=np.float64)


def multipliers_from_pair(P: np.ndarray, Q: np.ndarray):
    """Floquet multipliers from the condensed pair, sorted by decreasing modulus.

    Returns
    -------
    mu : complex array (n,)
    trivial_error : float
        min_k |mu_k - 1|, the error of the trivial multiplier.
    """
    if finite_pair(P, Q):
        # LAPACK's QZ directly (dggev): scipy.linalg.eigvals costs ~10x more in wrapping;
        # the small-array post-processing is compiled (numpy calls cost ~10 us each)
        ar, ai, beta, _, _, _, info = _dggev(-P, Q, compute_vl=0, compute_vr=0, overwrite_a=1,
                                          overwrite_b=0)
        return sorted_multipliers(ar, ai, beta)
    return np.full(P.shape[0], np.nan + 0j), np.nan


@nb.njit(cache=True)
def cycle_tests(mu):
    """(psi_PD, psi_NS) of the nontrivial multipliers (see :mod:`cycle_bifs`), compiled.

    psi_PD = Re prod_i (mu_i + 1), psi_NS = Re prod_{i<j} (mu_i mu_j - 1) over the
    multipliers without the one closest to 1, in the order of ``mu``.
    """
    n = mu.shape[0]
    if n == 0:
        return 1.0, 1.0
    drop = 0
    best = math.hypot(mu[0].real - 1.0, mu[0].imag)
    for k in range(1, n):
        d = math.hypot(mu[k].real - 1.0, mu[k].imag)
        if d < best:
            best, drop = d, k
    z = np.empty(n - 1, dtype=np.complex128)
    i = 0
    for k in range(n):
        if k != drop:
            z[i] = mu[k]
            i += 1
    pd = 1.0 + 0j
    for k in range(n - 1):
        pd *= z[k] + 1.0
    ns = 1.0 + 0j
    for a in range(n - 1):
        for b in range(a + 1, n - 1):
            ns *= z[a] * z[b] - 1.0
    return pd.real, ns.real


@nb.njit(cache=True)
def bpc_test(mu):
    """Re prod_i (mu_i - 1) over the multipliers without the one closest to 1, compiled.

    Changes sign where a real nontrivial multiplier crosses +1: at a fold of
    cycles or at a branch point of cycles (BPC; LC-C tells them apart by the
    turn of the parameter on the same step).
    """
    n = mu.shape[0]
    if n == 0:
        return 1.0
    drop = 0
    best = math.hypot(mu[0].real - 1.0, mu[0].imag)
    for k in range(1, n):
        d = math.hypot(mu[k].real - 1.0, mu[k].imag)
        if d < best:
            best, drop = d, k
    out = 1.0 + 0j
    for k in range(n):
        if k != drop:
            out *= mu[k] - 1.0
    return out.real


@nb.njit(cache=True)
def _eliminate(M, k, prow):
    """Gaussian elimination with partial pivoting on the first k columns of M, in place,
    keeping only what :func:`lu_condensed_pair` reads.

    The arithmetic of :func:`.linalg._lu_factor` (the same pivots, row swaps and updates
    M[i, c] -= (M[i, col] / M[col, col]) M[col, c] in the same order, hence the same
    values in the columns right of the eliminated ones), without storing the
    multipliers, zeroing the eliminated column or swapping the columns left of the pivot
    (nothing reads them here): ~6 us of ~37 less on the E-I intervals (ntst 50).
    ``prow``: a work array of at least M.shape[1] entries.
    """
    r, c = M.shape
    for col in range(k):
        p = col
        mx = abs(M[col, col])
        for i in range(col + 1, r):
            a = abs(M[i, col])
            if a > mx:
                mx = a
                p = i
        if p != col:
            for jc in range(col, c):
                t = M[col, jc]
                M[col, jc] = M[p, jc]
                M[p, jc] = t
        d = M[col, col]
        if d == 0.0:
            continue
        d = 1.0 / d
        w = c - col - 1
        for jc in range(w):
            prow[jc] = M[col, col + 1 + jc]
        for i in range(col + 1, r):
            l = M[i, col] * d
            rowi = M[i, col + 1:]
            for jc in range(w):
                rowi[jc] -= l * prow[jc]


@nb.njit(cache=True)
def lu_condensed_pair(Jblk):
    """The condensed pair (P, Q) of the LC-C factorisation, without the factorisation.

    The same eliminations in the same order as :func:`.linalg.condense_factor` (interval
    LU on the interior nodes, then the chain of mesh points; :func:`_eliminate`), hence
    the same P and Q bit for bit (partial pivoting looks at the eliminated columns only,
    and each column's update is its own), but with no border columns and nothing kept
    for back substitution: the multipliers of a point whose factorisation is not needed
    otherwise (:func:`.lc_newton.step`; E-I, ntst 50: ~45 instead of ~62 us).
    """
    N, mn, nc = Jblk.shape
    n = nc - mn
    ki = mn - n
    M = np.empty((mn, ki + 2 * n))
    prow = np.empty(ki + 3 * n)
    A = np.empty((N, n, n))
    B = np.empty((N, n, n))
    no_columns = np.empty((N, mn, 0))
    for j in range(N):
        sep_load_interval(Jblk, no_columns, 0, j, M)
        _eliminate(M, ki, prow)
        for a in range(n):
            for b in range(n):
                A[j, a, b] = M[ki + a, ki + b]
                B[j, a, b] = M[ki + a, ki + n + b]
    P = A[0].copy()
    Q = B[0].copy()
    S = np.empty((n, 0))
    Cb = np.empty((N, n, 0))
    M2 = np.empty((2 * n, 3 * n))
    for j in range(1, N):
        load_chain_rows(M2, P, Q, S, A, B, Cb, j)
        _eliminate(M2, n, prow)
        take_chain_rows(M2, P, Q, S)
    return P, Q


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


#: QZ's trivial-multiplier error up to which its multipliers are used as they are: the
#: reliability bound of periodic_schur.cycle_status (trivial_tol), since QZ's trivial error
#: is the discretisation floor (the same as the periodic QR's, tests/test_zoo_floquet.py)
#: until QZ loses the trivial multiplier; above it (or with non-finite values) the periodic
#: QR in log form decides (issue 15).  A/B on the E-I LC-C of the benchmark (ntst 50):
#: with 1e-6, 18 % of the points took the periodic QR and the run cost 1.22x QZ alone.
QZ_TRUSTED = 1e-4


@dataclass
class PointMultipliers:
    """Floquet multipliers of one cycle point and how far they can be trusted.

    mu : complex (n,), sorted by decreasing modulus (finite: from the log form if QZ
        overflowed; entries may be inf only where |mu| > 1e308)
    trivial_error : float, min_k |mu_k - 1|
    log_form : periodic_schur.LogMultipliers or None (None: QZ was accurate enough,
        trivial error <= :data:`QZ_TRUSTED`, and the periodic QR was not needed)
    """

    mu: np.ndarray
    trivial_error: float
    log_form: object = None

    def tests(self):
        """(psi_PD, psi_NS): from the log form when there is one (finite at any period)."""
        if self.log_form is not None:
            from ..periodic_schur import cycle_test_functions
            return cycle_test_functions(self.log_form)
        return cycle_tests(self.mu)

    def status(self, periods, speed_of):
        """None, "approaching_homoclinic" or "multipliers_unreliable" (periodic_schur.cycle_status).

        ``speed_of()`` gives the orbit's speed ratio (only called when needed).
        """
        if self.log_form is None:
            return None
        from ..periodic_schur import cycle_status
        if self.log_form.is_reliable():
            return None
        return cycle_status(self.log_form, periods, speed_of())


def point_multipliers(P: np.ndarray, Q: np.ndarray, Jblk) -> PointMultipliers:
    """Multipliers of a cycle point: QZ on the condensed pair, periodic QR where it is unsure.

    QZ on (P, Q) costs ~0.5 ms at ntst 200 (n = 3) and is accurate while the multipliers'
    spread is moderate; near a homoclinic orbit it loses the trivial multiplier and
    overflows (inf/NaN).  When its trivial error exceeds :data:`QZ_TRUSTED` or a value is
    not finite, the periodic QR of the per-interval blocks
    (:func:`bifkit.continuation.periodic_schur.floquet_from_blocks`, ~1.4 ms) gives the
    multipliers in log form instead, with its own trivial error (:func:`from_qz`).
    """
    mu, err = multipliers_from_pair(P, Q)
    return from_qz(mu, err, bool(np.isfinite(mu).all()), Jblk)


def from_qz(mu, err, finite, Jblk) -> PointMultipliers:
    """The :class:`PointMultipliers` of QZ's multipliers ``mu`` (trivial error ``err``,
    ``finite``: every mu finite; :func:`multipliers_from_pair` or
    :func:`.qz.qz_multipliers`), or of the periodic QR of the blocks ``Jblk`` where QZ
    is unsure (see :func:`point_multipliers`).  ``Jblk``: the blocks, or a function of
    no arguments returning them (called only then)."""
    if err <= QZ_TRUSTED and finite:
        return PointMultipliers(mu, float(err))
    from ..periodic_schur import floquet_from_blocks
    r = floquet_from_blocks(Jblk() if callable(Jblk) else Jblk)
    return PointMultipliers(r.multipliers, float(r.trivial_error), r)
