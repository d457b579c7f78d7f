"""Coefficients I_nm of the shot-noise chain (Ageeva & Goldobin 2025, eqs. 6-10).

A Poisson pulse of size a maps the genuine phase psi = 2 atan(V/sqrt(I0)) to
psi_a = 2 atan(alpha + tan(psi/2)), alpha = a/sqrt(I0) = g0/(K^(3/4) sqrt(i0)).
In zeta = e^(i psi) this is the Moebius map (eq. 8)

    g(zeta) = e^(-i psi_a) = -(alpha + 2i + alpha zeta) / (alpha + (alpha - 2i) zeta),

and the Jacobian of the map is 1/D = d psi_a / d psi = 4 / |alpha + (alpha - 2i) zeta|^2,
so (eq. 7)

    I_nm = (1/2pi) int_0^2pi e^(i n psi) g^m / D d psi,   n >= 1, m >= 0,

the Fourier coefficients of F_m = g^m / D.  The closed-form residue sum (eq. 10)
adds terms up to ~1e88 (alpha = 10, n = m = 128) whose sum is of order one: in
double precision it is useless once alpha is of order one (measured error
relative to the row's largest entry, m <= 128: 6e-10 at alpha = 0.1, n = 128;
7e-9 at alpha = 0.3, n = 64; 9e10 at alpha = 1, n = 64; 5e7 at alpha = 10, n = 16).

Method used here: a recurrence from the Moebius map
---------------------------------------------------
F_{m+1} = g F_m.  With w = e^(-i psi) (I_nm is the coefficient of w^n in F_m),
g = -(alpha + (alpha + 2i) w) / ((alpha - 2i)(1 - zeta1 w)); multiplying out
(alpha - 2i + alpha w) F_{m+1} = -(alpha + (alpha + 2i) w) F_m and reading off
the coefficient of w^n gives, for every n and m >= 0,

    I_{n,m+1} = zeta1 I_{n-1,m+1} + zeta1 I_{n,m} - p I_{n-1,m},
    zeta1 = -alpha/(alpha - 2i),  p = zeta1 zeta2 = (alpha + 2i)/(alpha - 2i),

started from I_{0,m} = delta_{m0} (int e^(-i m psi_a) d psi_a / 2pi) and
I_{n,0} = zeta1^n (eq. 10).  The first row comes out as (zeta1 - zeta2) zeta1^m,
as in the matrix (10).

Stability direction.  Going from column m to m + 1 multiplies F by g.  In the
variable w, g is a Blaschke factor: its zero -alpha/(alpha + 2i) lies inside and
its pole 1/zeta1 outside the unit disk, and |g| = 1 on |w| = 1.  The column map
is therefore a lower-triangular Toeplitz isometry on l2 (a contraction after
truncation to n <= M): round-off made in one column is carried to the next
without growth.  Inside a column the division by (1 - zeta1 w) runs forward in
n with factor |zeta1| = alpha/sqrt(alpha^2 + 4) < 1, which is stable (it can
magnify a column's local round-off by at most 1/(1 - |zeta1|), ~50 at alpha = 10).
The opposite direction (m -> m - 1, i.e. multiplying by 1/g) divides by
(1 - zeta2 w) with |zeta2| > 1 and blows up exponentially: do not run it.
Cost: O(M^2) operations, microseconds; the chain kernels recompute the
matrix from alpha on every call (see :func:`fill_columns`).

Cross-checks
------------
* :func:`coefficients_quadrature`: the trapezoid rule with N nodes on |zeta| = 1
  (one FFT per column), exponentially convergent because F_m is analytic on an
  annulus around the circle; N is chosen from a Cauchy bound on the aliased
  coefficients (N grows like M/(1 - |zeta1|), 2^16 at alpha = 10, M = 128).
* :func:`coefficients_mp`: the residue sum (10) in mpmath with enough digits to
  absorb its cancellation (integer binomial coefficients, exact).

Measured error against mpmath, every row n = 1..128 and m = 0..128, at 16
values of alpha from 1e-4 to 10 (relative to the largest entry of each row):
recurrence at most 1.2e-14 (alpha = 0.1, n = 128), typically 2e-15 to 9e-15;
quadrature at most 6.4e-14 (alpha = 10).  The test suite repeats this for
four rows in the default run and for the full grid with ``-m slow``.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit


def zetas(alpha: float) -> tuple[complex, complex]:
    """(zeta1, zeta1*zeta2) for pulse size alpha > 0 (eq. 9); |zeta1| < 1, |zeta1 zeta2| = 1."""
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha = {alpha!r}: the pulse size must be a finite number > 0")
    return -alpha / (alpha - 2j), (alpha + 2j) / (alpha - 2j)


@njit(cache=True)
def fill_columns(alpha, T):
    """Fill ``T[m, n] = I_nm`` (column m of the matrix stored contiguously).

    The stable recurrence of the module docstring: columns m increasing, rows
    n forward.  For speed the columns are computed four at a time along a
    wavefront (column m + 1 lags one row behind column m), which gives the CPU
    four independent dependency chains; every entry is the same expression
    as in the plain column-by-column loop, so the result is identical.
    ``T`` is a complex128 C-contiguous array of shape (M + 1, M + 1) or
    (columns, rows); it is returned.
    """
    z1 = -alpha / (alpha - 2j)
    p = (alpha + 2j) / (alpha - 2j)
    nc, nr = T.shape
    c = 1.0 + 0j
    for n in range(nr):
        T[0, n] = c                      # I_n0 = zeta1^n
        c *= z1
    for m in range(1, nc):
        T[m, 0] = 0.0                    # I_0m = delta_m0
    B = 4
    for m0 in range(0, nc - 1, B):
        nb = min(B, nc - 1 - m0)
        for k in range(1, nr + nb - 1):
            for b in range(nb):
                n = k - b
                if 1 <= n < nr:
                    m = m0 + b
                    T[m + 1, n] = z1 * (T[m + 1, n - 1] + T[m, n]) - p * T[m, n - 1]
    return T


@njit(cache=True)
def fill_columns_dalpha(alpha, T, D):
    """Fill ``T[m, n] = I_nm`` and ``D[m, n] = dI_nm/dalpha`` (the recurrence differentiated).

    D_n0 = n zeta1^(n-1) zeta1', D_0m = 0 and
    D_{n,m+1} = zeta1' (I_{n-1,m+1} + I_nm) + zeta1 (D_{n-1,m+1} + D_nm)
                - p' I_{n-1,m} - p D_{n-1,m},
    zeta1' = 2i/(alpha - 2i)^2, p' = -4i/(alpha - 2i)^2: the same stable
    operator as for I, driven by terms in I.  For parameter derivatives of
    the chain (rarely called; no wavefront).
    """
    z1 = -alpha / (alpha - 2j)
    p = (alpha + 2j) / (alpha - 2j)
    dz1 = 2j / (alpha - 2j) ** 2
    dp = -4j / (alpha - 2j) ** 2
    nc, nr = T.shape
    c = 1.0 + 0j
    dc = 0j
    for n in range(nr):
        T[0, n] = c
        D[0, n] = dc
        dc = dc * z1 + c * dz1
        c *= z1
    for m in range(nc - 1):
        T[m + 1, 0] = 0.0
        D[m + 1, 0] = 0.0
        for n in range(1, nr):
            a = T[m + 1, n - 1] + T[m, n]
            T[m + 1, n] = z1 * a - p * T[m, n - 1]
            D[m + 1, n] = dz1 * a + z1 * (D[m + 1, n - 1] + D[m, n]) \
                - dp * T[m, n - 1] - p * D[m, n - 1]


@functools.lru_cache(maxsize=64)
def _cached(alpha: float, M: int) -> np.ndarray:
    T = fill_columns(alpha, np.empty((M + 1, M + 1), dtype=np.complex128))
    out = np.ascontiguousarray(T.T)
    out.setflags(write=False)
    return out


def coefficients(alpha: float, M: int) -> np.ndarray:
    """The matrix I_nm, rows n = 0..M, columns m = 0..M (row 0 is delta_{m0}).

    Cached per (alpha, M); the array is read-only.

    Parameters
    ----------
    alpha : float
        Pulse size over sqrt(I0), alpha = g0 / (K^(3/4) sqrt(i0)) > 0.
    M : int
        Highest mode, >= 1.

    Examples
    --------
    >>> I = coefficients(1.0, 8)
    >>> z1, p = zetas(1.0)
    >>> bool(abs(I[1, 3] - (z1 - p / z1) * z1 ** 3) < 1e-15)   # first row of eq. (10)
    True
    """
    zetas(alpha)
    if isinstance(M, bool) or int(M) != M or M < 1:
        raise ValueError(f"M = {M!r}: the number of modes must be an integer >= 1")
    return _cached(float(alpha), int(M))


# --------------------------------------------------------------------------- #
# Cross-check: trapezoid rule on the unit circle                               #
# --------------------------------------------------------------------------- #
def quadrature_nodes(alpha: float, M: int, tol: float = 1e-17) -> int:
    """Number N (a power of 2) of trapezoid nodes with aliasing error below ``tol``.

    The trapezoid value of I_nm is the sum of I_{n + jN, m} over all integers j.
    For m >= 1, I_lm = (1/2 pi i) oint zeta^l H_m d zeta with (eq. 9)
    H_m = 4/(alpha (alpha - 2i)) zeta1^m (zeta - zeta2)^(m-1) / (zeta - zeta1)^(m+1),
    and shrinking the contour to |zeta| = r (|zeta1| < r < 1) gives Cauchy's bound
    |I_lm| <= r^(l+1) max |H_m| <= r^(l+1) c |zeta1|^m (r + |zeta2|)^(m-1) / (r - |zeta1|)^(m+1),
    largest at m = M; the best r on a grid is taken, with l = N (the smallest
    aliased index).  Column m = 0 also has I_{-l,0} = conj(zeta1)^l, aliased
    from l >= N - M.
    """
    z1, p = zetas(alpha)
    a1 = abs(z1)
    a2 = abs(p) / a1                                # |zeta2| = 1/|zeta1|
    logc = math.log(4.0 / (alpha * abs(alpha - 2j)))
    r = a1 + (1.0 - a1) * np.linspace(0.01, 0.99, 99)
    N = 64
    while N <= 2 ** 24:
        if N > 2 * M:
            pos = ((N + 1) * np.log(r) + logc + M * math.log(a1)
                   + max(M - 1, 0) * np.log(r + a2) - (M + 1) * np.log(r - a1))
            m0 = ((N + 1) * np.log(r) + logc - np.log(r - a1) - np.log(a2 - r))
            neg = (N - M) * math.log(a1)
            if max(pos.min(), m0.min(), neg) < math.log(tol):
                return N
        N *= 2
    raise ValueError(f"alpha = {alpha}, M = {M}: the quadrature would need more than "
                     f"2^24 nodes; use coefficients()")


def coefficients_quadrature(alpha: float, M: int, nodes: int | None = None) -> np.ndarray:
    """I_nm (rows, columns 0..M) by the trapezoid rule on |zeta| = 1 (FFT per column).

    An independent cross-check of :func:`coefficients`.  The integrand is
    written without cancellation: g^m = e^(-i m psi_a) from (zeta - zeta1)
    and 1/D = 4 / |alpha - 2i|^2 / |zeta - zeta1|^2.
    """
    z1, p = zetas(alpha)
    N = nodes or quadrature_nodes(alpha, M)
    psi = 2 * np.pi * np.arange(N) / N
    zeta = np.exp(1j * psi)
    d = zeta - z1                                   # alpha + (alpha - 2i) zeta = (alpha - 2i) d
    inv_D = 4.0 / (abs(alpha - 2j) ** 2 * (d.real ** 2 + d.imag ** 2))
    g = -(alpha + 2j + alpha * zeta) / ((alpha - 2j) * d)
    g /= np.abs(g)                                  # unimodular up to round-off
    out = np.empty((M + 1, M + 1), dtype=complex)
    col = inv_D.astype(complex)
    for m in range(M + 1):
        # I_nm = (1/N) sum_k e^(i n psi_k) F_m(psi_k): an inverse DFT
        out[:, m] = np.fft.ifft(col)[:M + 1]
        col = col * g
    return out


# --------------------------------------------------------------------------- #
# Reference: the residue sum (10) in extended precision                        #
# --------------------------------------------------------------------------- #
def coefficients_mp(alpha: float, n: int, M: int, dps: int | None = None) -> np.ndarray:
    """Row n of I_nm, m = 0..M, from the residue sum (eq. 10) in mpmath.

    The terms binom(m-1, j) binom(n+m-1-j, m) zeta1^(m+n-1-j) (-zeta2)^j are
    summed with ``dps`` decimal digits, by default 30 more than the decimal
    exponent of the largest term (the cancellation), then rounded to complex128.
    Slow (about 0.3 s for n = M = 128): for tests.
    """
    import mpmath as mp
    z1f, pf = zetas(alpha)
    a1, a2 = abs(z1f), abs(pf) / abs(z1f)
    if dps is None:
        big = 0.0
        for m in range(1, M + 1):
            for j in range(min(n, m)):
                lc = (math.lgamma(m) - math.lgamma(j + 1) - math.lgamma(m - j)
                      + math.lgamma(n + m - j) - math.lgamma(m + 1) - math.lgamma(n - j))
                big = max(big, (lc + (m + n - 1 - j) * math.log(a1) + j * math.log(a2))
                          / math.log(10))
        dps = int(30 + big + max(0.0, -math.log10(4 / (alpha * abs(alpha - 2j)))))
    with mp.workdps(dps):
        a = mp.mpf(alpha)
        z1 = -a / (a - 2j)
        mz2 = (a + 2j) / a
        A = [mp.mpc(1)]
        for _ in range(n + M):
            A.append(A[-1] * z1)
        B = [mp.mpc(1)]
        for _ in range(min(n, M)):
            B.append(B[-1] * mz2)
        pref = 4 / (a * (a - 2j))
        row = [complex(A[n])]
        for m in range(1, M + 1):
            s = mp.mpc(0)
            for j in range(min(n, m)):
                s += (math.comb(m - 1, j) * math.comb(n + m - 1 - j, m)) * (A[m + n - 1 - j] * B[j])
            row.append(complex(pref * s))
    return np.array(row)
