"""Floquet multipliers that stay accurate at long periods: periodic QR in log form.

Near a homoclinic orbit the monodromy matrix M = A_N ... A_1 of a cycle has
multipliers spread over hundreds of orders of magnitude (exp(lambda_u T) and
exp(lambda_s T) with T -> infinity).  Any method that first condenses the
product into one matrix or one pencil (the condensed pair P x_0 + Q x_N = 0
of :mod:`floquet`, or the product itself) is backward stable only relative to
the norm of that product, so the trivial multiplier 1 is lost under the
rounding of the largest one, and the multipliers overflow to inf or NaN.

Here the product is never formed.  Each mesh interval j of the collocation
system gives a small, well-conditioned pair E_j x_j + F_j x_{j+1} = 0
(Householder elimination of the interval's interior nodes, the first step of
:func:`collocation.condensed_pair`), i.e. the transfer matrix
A_j = -F_j^{-1} E_j.  The periodic QR iteration (orthogonal iteration on the
cyclic product, Bojanczyk, Golub & Van Dooren 1992, "The periodic Schur
decomposition", Proc. SPIE 1770, 31; Kuznetsov 2004, sec. 10.3.3; the idea
of MatCont's and BifurcationKit.jl's periodic Schur Floquet solvers) computes
orthogonal Z_0, ..., Z_N and upper-triangular R_j with

    A_j Z_{j-1} = Z_j R_j,      j = 1..N,

and repeats the sweep with Z_0 <- Z_N until the leading invariant subspaces
of M have converged.  Then Z_0^T M Z_0 = W R_N ... R_1 with W = Z_0^T Z_N
block diagonal (1x1 blocks +-1 for real multipliers, 2x2 rotations for
complex pairs, larger blocks for groups of equal modulus), and each
multiplier is, in log form,

    log|mu_k| = log|W_kk| + sum_j log R_j[k, k]          (1x1 block),

or, for a block, the eigenvalues of W_b (prod_j R_j[b, b]) computed with the
product rescaled at every factor (its log scale kept apart).  Every factor is
touched only by orthogonal transformations and one small solve per interval,
so each multiplier is computed to an error relative to its own size, not to
the largest one: the trivial multiplier stays at 1 to about N * eps * cond(F_j).

The methods are our own implementation of the published algorithm; no code
was taken from AUTO-07p, MatCont or BifurcationKit.jl.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numba as nb
import numpy as np

# called through their symbols: compiled once, not linked in here (bifkit/_separate.py)
from .cycles.collocation import sep_householder, sep_load_interval

log = logging.getLogger("bifkit.continuation.periodic_schur")

# no_cfunc_wrapper=True: nothing takes the C address of these functions, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md)


@dataclass(frozen=True)
class LogMultipliers:
    """Floquet multipliers in log form, sorted by decreasing modulus.

    Attributes
    ----------
    log_modulus : (n,) float
        ln|mu_k| (dimensionless; -inf for an exactly zero multiplier).
    angle : (n,) float
        arg mu_k in (-pi, pi] (radians).
    trivial_error : float
        min_k |mu_k - 1|: the error of the trivial multiplier of an autonomous
        system's cycle (computed from the log form; inf if no multiplier is finite).
    converged : bool
        Whether the periodic QR sweeps split the spectrum into blocks to ``tol``.
    sweeps : int
        Number of periodic QR sweeps done.
    blocks : tuple of int
        Sizes of the diagonal blocks (1 for a real multiplier, 2 for a complex pair, ...).
    """

    log_modulus: np.ndarray
    angle: np.ndarray
    trivial_error: float
    converged: bool
    sweeps: int
    blocks: tuple

    @property
    def multipliers(self) -> np.ndarray:
        """mu_k = exp(log_modulus + i angle) (may overflow to inf, or underflow to 0,
        which is why the log form is kept)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            mod = np.exp(self.log_modulus)
            return mod * np.cos(self.angle) + 1j * mod * np.sin(self.angle)

    @property
    def finite(self) -> bool:
        """True when every log modulus and angle is a number (not NaN, not +inf)."""
        return bool(np.all(np.isfinite(self.angle))
                    and not np.any(np.isnan(self.log_modulus))
                    and not np.any(self.log_modulus == np.inf))

    def is_reliable(self, trivial_tol: float = 1e-4) -> bool:
        """Finite, converged and the trivial multiplier within ``trivial_tol`` of 1.

        The default 1e-4 keeps branches whose mesh is merely coarse (trivial
        error 1e-6 .. 1e-5 is common at ntst 20-50) and rejects the points where
        the discretised orbit no longer has a multiplier near 1 (errors 1e-3 .. 1
        near a homoclinic orbit, tests/test_zoo_floquet.py).

        A special point (PD, NS, LPC) should be accepted only from reliable
        multipliers (issue 15); an unreliable set means the branch should stop
        with status "multipliers_unreliable" (or "approaching_homoclinic" when the
        period grows while the orbit lingers near an equilibrium).
        """
        return self.finite and self.converged and self.trivial_error <= trivial_tol


# ------------------------------------------------------------------ interval pairs
@nb.njit(cache=True, no_cfunc_wrapper=True)
def _interval_pairs(Jblk):
    """(E, F) of shape (N, n, n): E_j x_j + F_j x_{j+1} = 0 for every mesh interval."""
    N, mn, _ = Jblk.shape
    n = Jblk.shape[2] - mn
    ki = mn - n
    M = np.zeros((mn, ki + 2 * n))
    E = np.empty((N, n, n))
    F = np.empty((N, n, n))
    for j in range(N):
        sep_load_interval(Jblk, Jblk, np.int64(0), j, M)   # no borders; typed 0: one compile
        sep_householder(M, ki)
        for a in range(n):   # copies in loops, not slices: the same values, less to compile
            for b in range(n):
                E[j, a, b] = M[ki + a, ki + b]
                F[j, a, b] = M[ki + a, ki + n + b]
    return E, F


def interval_pairs(Jblk: np.ndarray):
    """Per-interval pairs of the homogeneous collocation system.

    Parameters
    ----------
    Jblk : (N, m*n, (m+1)*n) array
        Collocation Jacobian blocks of the orbit
        (:func:`bifkit.continuation.cycles.collocation.collocation_jacobian`).

    Returns
    -------
    E, F : (N, n, n) arrays with E_j x_j + F_j x_{j+1} = 0, so that the
        transfer matrix of interval j is A_j = -F_j^{-1} E_j.
    """
    Jblk = np.ascontiguousarray(Jblk, dtype=float)
    if Jblk.ndim != 3 or Jblk.shape[2] <= Jblk.shape[1] or Jblk.shape[1] % (
            Jblk.shape[2] - Jblk.shape[1]):
        raise ValueError(f"Jblk must have shape (N, m*n, (m+1)*n); got {Jblk.shape}")
    return _interval_pairs(Jblk)


# ------------------------------------------------------------------ periodic QR
@nb.njit(cache=True, no_cfunc_wrapper=True)
def _qr_positive(Y, Q, R):
    """Householder QR Y = Q R (n x n) with R's diagonal >= 0; Q, R written in place."""
    n = Y.shape[0]
    A = Y.copy()
    for i in range(n):
        for k in range(n):
            Q[i, k] = 1.0 if i == k else 0.0
    v = np.empty(n)
    for col in range(n - 1):
        norm = 0.0
        for i in range(col, n):
            norm += A[i, col] * A[i, col]
        norm = math.sqrt(norm)
        if norm == 0.0:
            continue
        alpha = -norm if A[col, col] >= 0.0 else norm
        for i in range(n):
            v[i] = 0.0
        for i in range(col, n):
            v[i] = A[i, col]
        v[col] -= alpha
        vv = 0.0
        for i in range(col, n):
            vv += v[i] * v[i]
        if vv == 0.0:
            continue
        for c in range(n):          # A <- H A
            s = 0.0
            for i in range(col, n):
                s += v[i] * A[i, c]
            s *= 2.0 / vv
            for i in range(col, n):
                A[i, c] -= s * v[i]
        for r in range(n):          # Q <- Q H
            s = 0.0
            for i in range(col, n):
                s += Q[r, i] * v[i]
            s *= 2.0 / vv
            for i in range(col, n):
                Q[r, i] -= s * v[i]
    for k in range(n):              # make diag(R) >= 0 (unique QR: fixed points of the sweep)
        if A[k, k] < 0.0:
            for c in range(n):
                A[k, c] = -A[k, c]
            for r in range(n):
                Q[r, k] = -Q[r, k]
    for i in range(n):
        for c in range(n):
            R[i, c] = A[i, c] if c >= i else 0.0


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _sweep(E, F, Z0, R):
    """One periodic QR sweep from Z0; R[j] filled, returns Z_N (or NaNs on a singular F_j)."""
    N, n, _ = E.shape
    Z = Z0.copy()
    Q = np.empty((n, n))
    for j in range(N):
        Y = -np.linalg.solve(F[j], E[j] @ Z)
        _qr_positive(Y, Q, R[j])
        Z = Q.copy()
    return Z


@nb.njit(cache=True, no_cfunc_wrapper=True)
def _splits(W, tol):
    """s[k] = True when the leading k+1 columns of Z_N span those of Z_0 to tol (k < n-1)."""
    n = W.shape[0]
    s = np.zeros(n - 1 if n > 0 else 0, dtype=np.bool_)
    for k in range(n - 1):
        acc = 0.0
        for i in range(k + 1, n):
            for c in range(k + 1):
                acc += W[i, c] * W[i, c]
        s[k] = math.sqrt(acc) <= tol
    return s


def periodic_qr(E, F, *, tol: float = 1e-13, max_sweeps: int = 60,
                min_sweeps: int = 2) -> LogMultipliers:
    """Eigenvalues of the cyclic product (-F_N^{-1} E_N) ... (-F_1^{-1} E_1), in log form.

    Parameters
    ----------
    E, F : (N, n, n) arrays
        Interval pairs E_j x_j + F_j x_{j+1} = 0 (:func:`interval_pairs`), or
        E_j = -A_j, F_j = I for a plain product of matrices A_N ... A_1.
    tol : float
        A block boundary k | k+1 is accepted when the part of Z_N's leading k
        columns outside the span of Z_0's is below ``tol`` (sine of the
        subspace angle; round-off floor ~ N eps).
    max_sweeps : int
        Orthogonal-iteration sweeps at most.  Moduli whose ratio r is close to 1
        converge like r^sweeps; pairs that have not split by then are treated
        together as one block, which is exact (only slower), so
        ``converged=False`` only flags the case where no sweep gave a stable
        block structure.
    min_sweeps : int
        Sweeps always done (the first one starts from the identity).

    Returns
    -------
    LogMultipliers
    """
    E = np.ascontiguousarray(E, dtype=float)
    F = np.ascontiguousarray(F, dtype=float)
    if E.ndim != 3 or E.shape != F.shape or E.shape[1] != E.shape[2] or E.shape[0] < 1:
        raise ValueError(f"E and F must both have shape (N, n, n) with N >= 1; "
                         f"got {E.shape} and {F.shape}")
    if not (np.all(np.isfinite(E)) and np.all(np.isfinite(F))):
        raise ValueError("E and F must be finite (the collocation Jacobian has inf or NaN)")
    if not (isinstance(max_sweeps, (int, np.integer)) and max_sweeps >= 1):
        raise ValueError(f"max_sweeps must be a positive integer; got {max_sweeps!r}")
    if not (tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be positive and finite; got {tol!r}")
    N, n, _ = E.shape
    R = np.empty((N, n, n))
    Z0 = np.eye(n)
    prev = None
    stable = 0
    converged = False
    for sweeps in range(1, max_sweeps + 1):
        try:
            ZN = _sweep(E, F, Z0, R)
        except np.linalg.LinAlgError as exc:   # singular F_j: no transfer matrix
            log.warning("periodic QR: singular interval block (%s)", exc)
            nan = np.full(n, np.nan)
            return LogMultipliers(nan, nan, math.inf, False, sweeps, (n,))
        W = Z0.T @ ZN                          # W and the R_j belong to this same sweep
        s = _splits(W, tol)
        stable = stable + 1 if prev is not None and np.array_equal(s, prev) else 0
        prev = s
        if sweeps >= min_sweeps and (s.all() or stable >= 3):
            converged = True
            break
        Z0 = ZN
    return _from_blocks(W, R, s, converged, sweeps)


def _from_blocks(W, R, split, converged, sweeps) -> LogMultipliers:
    """Log moduli and angles from W = Z_0^T Z_N and the R_j, blocks cut where ``split``."""
    n = W.shape[0]
    bounds = [0] + [k + 1 for k in range(n - 1) if split[k]] + [n]
    logm, ang, sizes = [], [], []
    with np.errstate(divide="ignore"):
        for a, b in zip(bounds[:-1], bounds[1:]):
            sizes.append(b - a)
            if b - a == 1:
                w = W[a, a]
                logm.append(math.log(abs(w)) + float(np.sum(np.log(R[:, a, a]))))
                ang.append(0.0 if w > 0 else math.pi)
                continue
            B = np.eye(b - a)
            scale = 0.0
            for Rj in R:
                B = Rj[a:b, a:b] @ B
                nrm = np.max(np.abs(B))
                if nrm == 0.0:
                    scale = -math.inf
                    break
                B /= nrm
                scale += math.log(nrm)
            lam = np.linalg.eigvals(W[a:b, a:b] @ B)
            for z in lam:
                logm.append(math.log(abs(z)) + scale if abs(z) > 0 else -math.inf)
                ang.append(float(np.angle(z)))
    logm = np.array(logm)
    ang = np.array(ang)
    order = np.argsort(-logm, kind="mergesort")
    logm, ang = logm[order], ang[order]
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.abs(np.expm1(logm + 1j * ang))    # |mu - 1| without forming mu first
    finite = d[np.isfinite(d)]
    err = float(finite.min()) if finite.size else math.inf
    return LogMultipliers(logm, ang, err, bool(converged), int(sweeps), tuple(sizes))


def product_multipliers(A, **kwargs) -> LogMultipliers:
    """Eigenvalues of A[N-1] @ ... @ A[0] without forming the product (see :func:`periodic_qr`)."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 3:
        raise ValueError(f"A must have shape (N, n, n); got {A.shape}")
    F = np.broadcast_to(np.eye(A.shape[1]), A.shape).copy()
    return periodic_qr(-A, F, **kwargs)


def floquet_from_blocks(Jblk, **kwargs) -> LogMultipliers:
    """Floquet multipliers of a collocated cycle from its Jacobian blocks, in log form.

    The drop-in for :func:`bifkit.continuation.cycles.floquet.multipliers_from_blocks`
    at long periods: ``r = floquet_from_blocks(Jblk)``; ``r.multipliers`` (sorted by
    decreasing modulus, as before), ``r.trivial_error``, ``r.is_reliable()``.

    Parameters
    ----------
    Jblk : (N, m*n, (m+1)*n) array
        Collocation Jacobian blocks (time scaled by the period T, so the
        multipliers are those over one period).
    **kwargs
        Passed to :func:`periodic_qr`.
    """
    E, F = interval_pairs(Jblk)
    return periodic_qr(E, F, **kwargs)


# ------------------------------------------------------------------ branch status
def speed_ratio(f, U, p) -> float:
    """min_t |u'(t)| / max_t |u'(t)| over the orbit's nodes (dimensionless).

    Small (e.g. < 1e-2) when the orbit lingers near an equilibrium, as it does
    close to a homoclinic orbit.  ``f(t, x, p)`` is the model's compiled
    right-hand side (``model.compiled.f``), U the (nodes, n) values.
    """
    U = np.asarray(U, dtype=float)
    sp = np.array([np.linalg.norm(f(0.0, u, p)) for u in U])
    top = float(sp.max()) if sp.size else 0.0
    if not (top > 0 and np.all(np.isfinite(sp))):
        return math.nan
    return float(sp.min()) / top


def cycle_status(r: LogMultipliers, periods, speed: float, *, trivial_tol: float = 1e-4,
                 growth: float = 1.5, slow: float = 1e-2):
    """Why a cycle branch must stop at this point, or None when its multipliers are reliable.

    Parameters
    ----------
    r : LogMultipliers of the current point
    periods : sequence of float
        Periods of the last few accepted points and the current one (model time unit).
    speed : float
        :func:`speed_ratio` of the current orbit.
    trivial_tol : float
        Largest accepted distance of the trivial multiplier from 1.
    growth, slow : float
        "approaching_homoclinic" when the period grew by at least ``growth`` over
        ``periods`` and the orbit's speed ratio is below ``slow``.

    Returns
    -------
    None, "approaching_homoclinic" or "multipliers_unreliable" (the issue-15 statuses;
    the caller stops the direction and accepts no special point from this point).
    """
    if r.is_reliable(trivial_tol):
        return None
    T = np.asarray(periods, dtype=float)
    if (T.size >= 2 and np.all(np.isfinite(T)) and T[-1] >= growth * T[0]
            and speed == speed and speed < slow):
        return "approaching_homoclinic"
    return "multipliers_unreliable"


# ------------------------------------------------------------------ test functions
_LOG_CAP = 700.0   # exp(700) ~ 1e304: test-function magnitudes are capped, signs kept


def _log_prod(zs_logmod, zs_arg):
    """Real part of prod_k z_k from ln|z_k| and arg z_k, the modulus capped at e^700."""
    lm = float(np.sum(zs_logmod))
    return math.exp(min(lm, _LOG_CAP)) * math.cos(float(np.sum(zs_arg))) if lm > -np.inf else 0.0


def cycle_test_functions(r: LogMultipliers):
    """(psi_PD, psi_NS) from the log-form multipliers, finite at any period.

    The same test functions as :func:`bifkit.continuation.cycles.floquet.cycle_tests`
    (psi_PD = Re prod_i (mu_i + 1), psi_NS = Re prod_{i<j} (mu_i mu_j - 1) over the
    multipliers without the one closest to 1), each factor formed from the log form
    (mu + 1 and mu_i mu_j - 1 by complex expm1 where the product is near 1), so they
    neither overflow nor lose their sign.  Magnitudes beyond e^700 are capped.
    """
    lm, ang = np.asarray(r.log_modulus, float), np.asarray(r.angle, float)
    n = lm.size
    if n == 0:
        return 1.0, 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.abs(np.expm1(lm + 1j * ang))
    drop = int(np.nanargmin(d)) if np.any(np.isfinite(d)) else 0
    keep = [k for k in range(n) if k != drop]
    pl, pa = [], []
    for k in keep:                              # mu + 1
        if lm[k] > 40.0:                        # |mu| > 2e17: mu + 1 = mu to double precision
            pl.append(lm[k])
            pa.append(ang[k])
        else:
            z = complex(math.exp(lm[k]) * math.cos(ang[k]) + 1.0, math.exp(lm[k]) * math.sin(ang[k]))
            pl.append(math.log(abs(z)) if z != 0 else -math.inf)
            pa.append(math.atan2(z.imag, z.real))
    psi_pd = _log_prod(pl, pa)
    nl, na = [], []
    for a in range(len(keep)):                  # mu_i mu_j - 1 = expm1(log mu_i + log mu_j)
        for b in range(a + 1, len(keep)):
            i, j = keep[a], keep[b]
            w = complex(lm[i] + lm[j], ang[i] + ang[j])
            if w.real > 40.0:
                nl.append(w.real)
                na.append(w.imag)
            else:
                z = complex(np.expm1(w))
                nl.append(math.log(abs(z)) if z != 0 else -math.inf)
                na.append(math.atan2(z.imag, z.real))
    psi_ns = _log_prod(nl, na) if nl else 1.0
    return psi_pd, psi_ns
