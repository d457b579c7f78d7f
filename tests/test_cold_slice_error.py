"""Slice assignment in bifkit's compiled code: cheap to compile, still a clear error.

``bifkit._kernel_support`` points numba's shape-mismatch branch of slice assignment
at a fixed-message ValueError (numba's formatted message costs ~2.6 s of compile
per process and ~0.25 s per function using it; issue 16, item 4).  What must hold:
the replacement is active once bifkit's compiled algorithms are importable, a
mismatch is still a ValueError saying what is wrong (never a silent write past the
end), and matching shapes still assign.
"""
import numba
import numba.np.arrayobj as arrayobj
import numpy as np
import pytest


def test_active_once_binding_is_imported():
    import bifkit.binding  # noqa: F401
    from bifkit import _kernel_support
    assert arrayobj.raise_with_shape_context is _kernel_support.raise_shape_mismatch


def test_mismatch_is_a_value_error_and_matching_shapes_assign():
    import bifkit.binding  # noqa: F401

    @numba.njit
    def put(M, v, n):
        M[:n, :] = v
        return M

    M = put(np.zeros((3, 2)), np.arange(4.0).reshape(2, 2), 2)
    assert np.array_equal(M, [[0.0, 1.0], [2.0, 3.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="shapes do not match"):
        put(np.zeros((3, 2)), np.ones((3, 2)), 2)
