"""Floquet multipliers of a condensed pair by LAPACK's QZ, callable from compiled code.

:func:`.floquet.multipliers_from_pair` calls LAPACK's ``dggev`` through scipy's f2py
wrapper from Python: with the negation of P, the finiteness check and the sorting
around it, ~11 us per LC-C point at n = 4, of which LAPACK's own work is ~3 us.
:func:`qz_multipliers` does the same in one compiled function, so that
:func:`.lc_newton.step` returns the multipliers themselves: the same LAPACK routine
(scipy's ``cython_lapack.dggev``, the library behind ``scipy.linalg.lapack.dggev``)
with the same arguments (column-major copies of -P and Q, no eigenvectors, the f2py
wrapper's default workspace max(8 n, 1)), hence the same multipliers bit for bit
(``tests/test_cycles_qz.py``).

The routine is called by a symbol name that is registered with LLVM when this
module is imported (as :mod:`bifkit._separate` does for compiled functions): no
address is written into compiled code, so numba's disk cache stays valid across
processes; every module whose compiled code calls :func:`qz_multipliers` imports
this one first.
"""
from __future__ import annotations

import math

import llvmlite.binding as ll
import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic


#: the external name of scipy's ``cython_lapack.dggev`` in compiled code
_SYMBOL = "bifkit.lapack.dggev"
ll.add_symbol(_SYMBOL, get_cython_function_address("scipy.linalg.cython_lapack", "dggev"))


@intrinsic
def _dggev(typingctx, jobvl, jobvr, n, a, lda, b, ldb, alphar, alphai, beta, vl, ldvl, vr,
           ldvr, work, lwork, info):
    """LAPACK dggev with every argument a 1-D array (scalars as 1-element arrays):
    passes their data pointers (char*, int*, double*) in LAPACK's order."""
    args = (jobvl, jobvr, n, a, lda, b, ldb, alphar, alphai, beta, vl, ldvl, vr, ldvr, work,
            lwork, info)
    for arg in args:
        if not (isinstance(arg, types.Array) and arg.ndim == 1):
            raise TypeError("_dggev: every argument must be a 1-D array")
    sig = types.void(*args)

    def codegen(context, builder, sig, llargs):
        ptrs = [context.make_array(ty)(context, builder, value=val).data
                for ty, val in zip(sig.args, llargs)]
        fnty = ir.FunctionType(ir.VoidType(), [p.type for p in ptrs])
        fn = cgutils.get_or_insert_function(builder.module, fnty, _SYMBOL)
        builder.call(fn, ptrs)
        return context.get_dummy_value()
    return sig, codegen


@nb.njit(cache=True, error_model="numpy")
def qz_multipliers(P, Q):
    """Floquet multipliers of the condensed pair: generalised eigenvalues of (-P, Q).

    The values of :func:`.floquet.multipliers_from_pair` (see there and the module
    doc; the post-processing is :func:`sorted_multipliers`: beta = 0 gives inf/NaN, not
    an exception).  Returns (mu sorted by decreasing modulus, min |mu - 1|, all mu finite);
    (NaN, NaN, False) when P or Q has a non-finite entry.
    """
    n = P.shape[0]
    if not finite_pair(P, Q):
        return np.full(n, np.nan + 0j), np.nan, False
    finite = True
    a = np.empty(n * n)
    b = np.empty(n * n)
    for j in range(n):          # column-major, as f2py passes them
        for i in range(n):
            a[i + j * n] = -P[i, j]
            b[i + j * n] = Q[i, j]
    jobs = np.full(1, ord("N"), dtype=np.uint8)
    nn = np.full(1, n, dtype=np.int32)
    one = np.ones(1, dtype=np.int32)
    ar = np.empty(n)
    ai = np.empty(n)
    beta = np.empty(n)
    vl = np.empty(1)
    vr = np.empty(1)
    lw = max(8 * n, 1)
    work = np.empty(lw)
    lwork = np.full(1, lw, dtype=np.int32)
    info = np.zeros(1, dtype=np.int32)
    _dggev(jobs, jobs, nn, a, nn, b, nn, ar, ai, beta, vl, one, vr, one, work, lwork, info)
    mu, err = sorted_multipliers(ar, ai, beta)
    for k in range(n):
        if not (np.isfinite(mu[k].real) and np.isfinite(mu[k].imag)):
            finite = False
    return mu, err, finite


@nb.njit(cache=True)
def finite_pair(P, Q):
    """True when every entry of P and Q is finite."""
    for i in range(P.shape[0]):
        for j in range(P.shape[1]):
            if not (np.isfinite(P[i, j]) and np.isfinite(Q[i, j])):
                return False
    return True


@nb.njit(cache=True, error_model="numpy")
def sorted_multipliers(ar, ai, beta):
    """(ar + i ai) / beta sorted by decreasing modulus (stable, NaN last), and min |mu - 1|
    (NaN-propagating, as np.min): the post-processing of dggev's output, for
    :func:`qz_multipliers` and :func:`.floquet.multipliers_from_pair`.  beta = 0 gives
    inf/NaN, not an exception."""
    n = ar.shape[0]
    mu = np.empty(n, dtype=np.complex128)
    for k in range(n):
        mu[k] = complex(ar[k] / beta[k], ai[k] / beta[k])
    mu = _by_decreasing_modulus(mu)
    err = np.inf if n else np.nan
    for k in range(n):
        d = math.hypot(mu[k].real - 1.0, mu[k].imag)
        if not d >= err:
            err = d
    return mu, err


@nb.njit(cache=True)
def _by_decreasing_modulus(mu):
    """mu sorted by decreasing modulus: the order of np.argsort(-|mu|, kind="mergesort")
    (stable, NaN keys last), by insertion: the same order for these few values
    (``tests/test_cycles_qz.py``), and far less code to compile than numba's mergesort
    (~0.7 s)."""
    n = mu.shape[0]
    key = np.empty(n)
    for k in range(n):
        key[k] = -math.hypot(mu[k].real, mu[k].imag)
    order = np.arange(n)
    for i in range(1, n):
        j = i
        # move order[i] left past every entry it sorts strictly before (stable; NaN last)
        while j > 0 and _before(key[order[j]], key[order[j - 1]]):
            order[j], order[j - 1] = order[j - 1], order[j]
            j -= 1
    out = np.empty(n, dtype=np.complex128)
    for k in range(n):
        out[k] = mu[order[k]]
    return out


@nb.njit(cache=True)
def _before(a, b):
    """a sorts strictly before b in numpy's order of floats (NaN after everything)."""
    if a != a:
        return False
    return b != b or a < b
