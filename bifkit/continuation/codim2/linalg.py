"""Small dense linear algebra in plain numba loops (for the codim-2 core).

The bordered systems of LP-C / H-C / NF-C are of size n + 1 .. n + 3 with n
the (small) state dimension: a LAPACK call through numba costs microseconds of
overhead each, while these loops cost nanoseconds.  A singular matrix gives
inf/NaN entries (``error_model="numpy"``), never an exception: callers test
the result with ``np.isfinite``.
"""
from __future__ import annotations

import numpy as np

from ..._dispatchers import compiled_only
from ..._separate import separate

# no_cfunc_wrapper=True: nothing takes the C address of these functions, and numba would
# compile a C-callable wrapper for each (8 % of the cold job's LLVM code, docs/cold_start.md);
# compiled_only: only compiled code calls them, so no Python wrapper either (bifkit/_dispatchers.py)
_JIT = dict(cache=True, error_model="numpy", no_cfunc_wrapper=True)


@compiled_only(**_JIT)
def _eliminate(M, X):
    """Forward elimination with partial pivoting, in place on M (n x n) and on the
    right-hand sides X (n x k; k = 0 for a determinant).

    Returns the sign of the row permutation, or 0.0 at an exactly zero pivot (M
    singular: elimination stops there).
    """
    n = M.shape[0]
    k = X.shape[1]
    sign = 1.0
    for c in range(n):
        piv = c
        amax = abs(M[c, c])
        for r in range(c + 1, n):
            if abs(M[r, c]) > amax:
                amax = abs(M[r, c])
                piv = r
        if piv != c:
            for j in range(n):
                M[c, j], M[piv, j] = M[piv, j], M[c, j]
            for j in range(k):
                X[c, j], X[piv, j] = X[piv, j], X[c, j]
            sign = -sign
        d = M[c, c]
        if d == 0:
            return 0.0
        for r in range(c + 1, n):
            lr = M[r, c] / d
            if lr != 0:
                for j in range(c + 1, n):
                    M[r, j] -= lr * M[c, j]
                for j in range(k):
                    X[r, j] -= lr * X[c, j]
    return sign


@compiled_only(**_JIT)
def solve(A, Bm):
    """X with A X = Bm (Bm two-dimensional): Gaussian elimination, partial pivoting.

    A singular A gives non-finite entries (division by the zero pivot)."""
    n = A.shape[0]
    k = Bm.shape[1]
    M = A.copy()
    X = Bm.copy()
    _eliminate(M, X)
    for c in range(n - 1, -1, -1):
        for j in range(k):
            s = X[c, j]
            for i in range(c + 1, n):
                s -= M[c, i] * X[i, j]
            X[c, j] = s / M[c, c]
    return X


#: :func:`solve` called through its symbol: compiled once per signature, not linked into
#: every caller (``bifkit/_separate.py``)
sep_solve = separate(solve)


@compiled_only(**_JIT)
def solve_vec(A, b):
    """x with A x = b (b one-dimensional)."""
    n = b.size
    Bm = np.empty((n, 1), dtype=b.dtype)
    for i in range(n):
        Bm[i, 0] = b[i]
    X = sep_solve(A, Bm)
    return X[:, 0].copy()


@compiled_only(**_JIT)
def det(A):
    """Determinant by Gaussian elimination with partial pivoting."""
    n = A.shape[0]
    M = A.copy()
    d = _eliminate(M, np.empty((n, 0), dtype=A.dtype))
    for c in range(n):
        d *= M[c, c]
    return d


@compiled_only(**_JIT)
def mv(A, x):
    """A x (same dtype for A and x)."""
    n, m = A.shape
    out = np.zeros(n, dtype=A.dtype)
    for i in range(n):
        s = out[i]
        for j in range(m):
            s += A[i, j] * x[j]
        out[i] = s
    return out


@compiled_only(**_JIT)
def vm(x, A):
    """x^T A (= A^T x, the same sums in the same order)."""
    return mv(A.T, x)


@compiled_only(**_JIT)
def mm(A, B):
    """A B."""
    n, k = A.shape
    m = B.shape[1]
    out = np.zeros((n, m), dtype=A.dtype)
    for i in range(n):
        for l in range(k):
            a = A[i, l]
            for j in range(m):
                out[i, j] += a * B[l, j]
    return out


@compiled_only(**_JIT)
def dot(a, b):
    """sum a_i b_i (no conjugation)."""
    s = a[0] * b[0]
    for i in range(1, a.size):
        s += a[i] * b[i]
    return s


@compiled_only(**_JIT)
def sort_eigenvalues(ev):
    """In place: decreasing real part, then decreasing imaginary part."""
    n = ev.size
    for i in range(1, n):
        e = ev[i]
        j = i - 1
        while j >= 0 and (ev[j].real < e.real or (ev[j].real == e.real and ev[j].imag < e.imag)):
            ev[j + 1] = ev[j]
            j -= 1
        ev[j + 1] = e
    return ev
