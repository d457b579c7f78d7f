"""Output arrays of the generated kernels, compiled once and cached by numba.

A generated kernel (:mod:`bifkit.codegen`) that allocated its output with
``numpy.zeros(shape)`` made numba compile the ``numpy.zeros`` implementation
for each shape type (1-, 2- and 3-tuples) in every new process that compiles
a new model: about 0.3 s of CPU of the first EP-C on a new model (issue 16,
item 4; ``benchmarks/time_to_first_result.py``).  Calling these cached
functions instead links their compiled code, loaded from numba's disk cache.
Each has one explicit signature (int64 sizes): the generated code passes its
sizes as literal integers, and without a signature numba compiled each
function once per literal value (``zeros2`` twice in the main job,
``benchmarks/cold_compile.py``, and again for every new model size).

Importing this module also makes the error branch of slice assignments cheap to
compile (:func:`raise_shape_mismatch`) and compiles numba's own ``@overload``
implementations without their unused C wrappers; :mod:`bifkit.binding` and
:mod:`bifkit.dynamics.integrators` import it, so every compiled algorithm of bifkit
is compiled with it.
"""
import numba.np.arrayobj as _arrayobj
import numpy as np
from numba import njit
from numba.extending import overload


# --------------------------------------------------------------------------- #
# The error path of slice assignment, without string formatting                #
# --------------------------------------------------------------------------- #
# Every array-to-slice assignment in compiled code (``M[:n, :] = A``, ``K[s] = v``)
# carries a shape check whose error branch numba (0.60+, CPU target) builds with
# f-strings over the shape tuples: compiling that pulls in numba's unicode and
# list-join code, about 2.6 s of CPU once per process and 0.25 s more in every
# compiled function with a slice assignment, where the error code is linked in
# and optimised again (/tmp measurement: 3.05 s -> 0.46 s for the first such
# function, 0.38 s -> 0.13 s for each further one).  The cold main job compiles
# dozens of them in each of its two processes (benchmarks/cold_compile.py).
# bifkit routes that branch to numba's own fixed-message variant (the one its
# "generic" target uses): the same ValueError, without the two shapes in the text.
def raise_shape_mismatch(src_shapes, index_shape):
    """Stub resolved by numba's slice assignment when source and target shapes differ."""
    raise NotImplementedError


@overload(raise_shape_mismatch)
def _raise_shape_mismatch_impl(src_shapes, index_shape):
    def impl(src_shapes, index_shape):
        raise ValueError("cannot assign slice from input of different size "
                         "(array shapes do not match)")
    return impl


if hasattr(_arrayobj, "raise_with_shape_context"):   # numba >= 0.60; else nothing to do
    _arrayobj.raise_with_shape_context = raise_shape_mismatch


# --------------------------------------------------------------------------- #
# numba's own implementations (``@overload``) without a C wrapper              #
# --------------------------------------------------------------------------- #
# numba compiles each ``@overload`` implementation it uses (``np.empty``, ``np.zeros``,
# ``np.linalg.solve``, ...) as a small njit function, once per argument types (np.empty
# 30 times in the cold main job), without a Python wrapper (numba's default for
# overloads) but with a C-callable wrapper that nothing can call: an implementation is
# only ever called from the compiled code that uses it.  Those wrappers were ~1.5 % of
# the cold main job's LLVM code (docs/cold_start.md, 2026-12-07).  The implementations'
# own code, and so every result, is unchanged.
def _overloads_without_c_wrapper() -> None:
    from numba.core.typing import templates
    cls = templates._OverloadFunctionTemplate
    original = cls._get_jit_decorator
    if getattr(original, "_bifkit_no_cfunc", False):
        return

    def _get_jit_decorator(self):
        jitter = original(self)

        def jit_without_c_wrapper(*args, **options):
            if options.get("no_cpython_wrapper"):   # numba's overload default: compiled-only
                options.setdefault("no_cfunc_wrapper", True)
            return jitter(*args, **options)
        return jit_without_c_wrapper

    _get_jit_decorator._bifkit_no_cfunc = True
    cls._get_jit_decorator = _get_jit_decorator


_overloads_without_c_wrapper()


@njit("float64[::1](int64)", cache=True)
def zeros1(n):
    """``numpy.zeros(n)`` (float64)."""
    return np.zeros(n)


@njit("float64[:, ::1](int64, int64)", cache=True)
def zeros2(n, m):
    """``numpy.zeros((n, m))`` (float64, C order)."""
    return np.zeros((n, m))


@njit("float64[:, :, ::1](int64, int64, int64)", cache=True)
def zeros3(n, m, k):
    """``numpy.zeros((n, m, k))`` (float64, C order)."""
    return np.zeros((n, m, k))
