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
"""
import numpy as np
from numba import njit


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
