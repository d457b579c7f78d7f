"""The LPPD test of PD-C (and LPNS of NS-C) is continuous where a multiplier passes the trivial one.

Reference values: closed form. With multipliers {t, -1, r, q} (t the trivial one, -1 the PD
one), the test is sum_j prod_{i != j} (s_i - 1) over s = {t, r, q}; for t = 1 exactly it is
(r - 1)(q - 1).
"""
import numpy as np
import pytest

from bifkit.continuation.cycles.curves import _codim2_tests


def lppd(mu):
    return _codim2_tests("PD-C", np.asarray(mu, complex))["LPPD"]


def test_lppd_test_closed_form():
    assert lppd([1.0, -1.0, 0.3, 0.01]) == pytest.approx((0.3 - 1) * (0.01 - 1), rel=1e-14)


def test_lppd_test_has_a_zero_not_a_jump_where_r_passes_the_trivial_multiplier():
    eps = (1 + 1e-8) - 1.0          # a trivial multiplier off by eps, as computed ones are
    q = 0.2
    for r in (1 - 3e-8, 1 - 1e-9, 1 + 1e-9, 1 + 3e-8):
        mu = [1 + eps, -1.0, r, q]
        # closed form of sum_j prod_{i != j} (s_i - 1), s = (1 + eps, r, q)
        exact = eps * (r - 1) + eps * (q - 1) + (r - 1) * (q - 1)
        assert lppd(mu) == pytest.approx(exact, rel=1e-9, abs=1e-22)
        # small on both sides: |test| <= ~|r - 1| + eps, never a jump of size ~eps * |q - 1| that
        # changes sign without passing through 0 (the product without the multiplier nearest 1)
        assert abs(lppd(mu)) < 2 * (abs(r - 1) + eps)
    # the sign change is at r = 1 - eps (q - 1)/(eps + q - 1) ~ 1 - eps: a zero of the smooth test
    r0 = 1 - eps * (q - 1) / (eps + q - 1)
    assert abs(lppd([1 + eps, -1.0, r0, q])) < 1e-15 * abs(lppd([1 + eps, -1.0, 1 - 3e-8, q])) / 3e-8
