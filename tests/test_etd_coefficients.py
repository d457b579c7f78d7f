"""ETDRK4 coefficients on both sides of the contour/direct switch (|hL| = DIRECT_FROM).

Reference: Cox & Matthews (2002) eqs. 26-29 evaluated as written in 60-digit arithmetic
(mpmath), where their cancellation for small |hL| costs nothing.
"""
import mpmath as mp
import numpy as np
import pytest

from bifkit.dynamics import etd


def _reference(z, h):
    with mp.workdps(60):
        z = mp.mpc(z)
        e = mp.exp(z)
        return [complex(v) for v in (
            mp.exp(z), mp.exp(z / 2), h * (mp.exp(z / 2) - 1) / z,
            h * (-4 - z + e * (4 - 3 * z + z ** 2)) / z ** 3,
            h * (2 + z + e * (z - 2)) / z ** 3,
            h * (-4 - 3 * z - z ** 2 + e * (4 - z)) / z ** 3)]


@pytest.mark.parametrize("h", [0.05, 1.0])
def test_coefficients_match_extended_precision_across_the_switch(h):
    d = etd.DIRECT_FROM
    z = np.array([1e-9, 1e-4j, 0.3 - 0.2j, 1.0, -1j, 0.999 * d, 1.001 * d, 0.7j * d,
                  1.3j * d, 3.0, -2.0 + 30j, -60.0 + 5j, 40j])
    C = etd.etd_coefficients(z / h, h)
    ref = np.array([_reference(v, h) for v in z]).T
    # measured on 12 angles per |z|: at most 1.6e-15 relative (circle side) and 2.5e-15 (direct
    # side); the former unit circle around z gave 3.5e-11 at |z| = 1 (it passes through 0)
    np.testing.assert_allclose(C, ref, rtol=2e-14, atol=0)


def test_direct_formulas_alone_would_fail_at_small_z():
    # the reason for the contour: with the switch moved to 0, small |hL| loses digits
    z = np.array([1e-3, 2e-3j])
    ref = np.array([_reference(v, 1.0) for v in z]).T
    old = etd.DIRECT_FROM
    try:
        etd.DIRECT_FROM = 0.0
        bad = etd.etd_coefficients(z, 1.0)
    finally:
        etd.DIRECT_FROM = old
    assert np.max(np.abs(bad - ref) / np.abs(ref)) > 1e-8
    np.testing.assert_allclose(etd.etd_coefficients(z, 1.0), ref, rtol=2e-14, atol=0)
