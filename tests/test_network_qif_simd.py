"""The two-lane QIF pulse (``bifkit.network._simd``) is bit for bit the scalar pulse.

Reference: the scalar formulas of the ``_qif_kernel`` docstring, written out here in plain numba
(q' = C q - S p, p += cC q', q += cS q'; bound test qB p - pB q > 0), which is what the kernel
computed before the two-lane form; equality is exact (``==`` on the bits), not a tolerance.
"""
import math

import numpy as np
import pytest
from numba import njit

from bifkit.network._simd import prefetch_stream, shear_pair, shear_pair_before


@njit
def _scalar(st, bd, C, S, cC, cS):
    before = np.zeros(st.shape[0], np.bool_)
    for i in range(st.shape[0]):
        p, q = st[i, 0], st[i, 1]
        qr = C[i] * q - S[i] * p
        p += cC[i] * qr
        q += cS[i] * qr
        st[i, 0], st[i, 1] = p, q
        before[i] = bd[i, 1] * p - bd[i, 0] * q > 0.0
    return before


@njit
def _two_lane(st, bd, C, S, cC, cS, with_test):
    stf = st.reshape(st.size)
    bdf = bd.reshape(bd.size)
    before = np.zeros(st.shape[0], np.bool_)
    for i in range(st.shape[0]):
        j = np.uint64(2 * i)
        prefetch_stream(stf, j + np.uint64(10 ** 6))  # a hint far past the end: harmless
        if with_test:
            before[i] = shear_pair_before(stf, bdf, j, C[i], S[i], cC[i], cS[i])
        else:
            shear_pair(stf, j, C[i], S[i], cC[i], cS[i])
    return before


def _cases(n, seed):
    """States over 80 decades of radius, random angles, pulses of both signs, and signed zeros."""
    rng = np.random.default_rng(seed)
    ang = rng.uniform(-math.pi, math.pi, (n, 2))
    rad = np.exp(rng.uniform(-90, 90, (n, 1)))
    st = np.stack([np.cos(ang[:, 0]), np.sin(ang[:, 0])], 1) * rad
    bd = np.stack([np.cos(ang[:, 1]), np.sin(ang[:, 1])], 1)
    wt = rng.uniform(0, 2 * math.pi, n)
    C, S = np.cos(wt), np.sin(wt)
    c = rng.choice([-1.0, 1.0], n) * np.exp(rng.uniform(-12, 2, n))
    st[:8] = [[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0], [1.0, -0.0], [0.0, 0.0], [-0.0, -0.0],
              [2.0 ** 200, 1.0], [1.0, 2.0 ** -200]]
    C[:4], S[:4] = [1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, -0.0]
    return st, bd, C, S, c * C, c * S


@pytest.mark.parametrize("with_test", [False, True])
def test_two_lane_pulse_is_bitwise_the_scalar_pulse(with_test):
    st, bd, C, S, cC, cS = _cases(200_000, 3)
    ref = st.copy()
    before_ref = _scalar(ref, bd, C, S, cC, cS)
    got = st.copy()
    before = _two_lane(got, bd, C, S, cC, cS, with_test)
    assert np.array_equal(got.view(np.uint64), ref.view(np.uint64))  # same bits, -0.0 included
    assert not np.array_equal(got, st)                               # the pulse did something
    if with_test:
        assert np.array_equal(before, before_ref)
        assert 0.2 < before.mean() < 0.8        # both outcomes of the bound test are exercised


def test_wrong_state_type_is_a_clear_error():
    @njit
    def call(a):
        shear_pair(a, 0, 1.0, 0.0, 0.1, 0.0)

    with pytest.raises(Exception, match="C-contiguous 1-d float64"):
        call(np.zeros(4, np.float32))
