"""qz.qz_multipliers (LAPACK dggev called from compiled code) against
floquet.multipliers_from_pair (the same routine through scipy's f2py wrapper).

Reference: multipliers_from_pair, which gave every LC-C point's multipliers before; the
compiled call must give the same values bit for bit (same routine, same arguments and
workspace), so that no multiplier, test function or located point moves.
Independent check: a pencil with known generalised eigenvalues.
"""
from __future__ import annotations

import numpy as np
import pytest

from bifkit.continuation.cycles import floquet, qz


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 8])
def test_bitwise_the_f2py_call(n):
    rng = np.random.default_rng(n)
    for _ in range(300):
        # scales from 1e-8 to 1e8: eigenvalue moduli far from 1 (long periods) too
        P = rng.standard_normal((n, n)) * 10.0 ** rng.uniform(-8, 8)
        Q = rng.standard_normal((n, n))
        mu_ref, err_ref = floquet.multipliers_from_pair(P, Q)
        mu, err, finite = qz.qz_multipliers(P, Q)
        assert np.array_equal(mu, mu_ref) and err == err_ref
        assert finite == bool(np.isfinite(mu_ref).all())


def test_non_finite_pair_gives_nan():
    P = np.eye(3)
    P[1, 2] = np.nan
    mu, err, finite = qz.qz_multipliers(P, np.eye(3))
    assert np.isnan(mu).all() and np.isnan(err) and not finite
    mu_ref, err_ref = floquet.multipliers_from_pair(P, np.eye(3))
    assert np.isnan(mu_ref).all() and np.isnan(err_ref)


def test_known_multipliers():
    """-P v = mu Q v with Q = I, -P = S diag(d) S^-1: mu = d, sorted by decreasing modulus;
    trivial error min |mu - 1| (here |1.0000001 - 1| = 1e-7)."""
    rng = np.random.default_rng(7)
    d = np.array([1e-6, -0.5, 1.0000001, 30.0])
    S = rng.standard_normal((4, 4))
    P = -S @ np.diag(d) @ np.linalg.inv(S)
    mu, err, finite = qz.qz_multipliers(P, np.eye(4))
    assert finite
    assert np.allclose(mu.real, [30.0, 1.0000001, -0.5, 1e-6], rtol=1e-9, atol=1e-12)
    assert np.allclose(mu.imag, 0.0, atol=1e-9)
    assert err == pytest.approx(1e-7, rel=1e-4)


def test_order_with_ties_and_nan_as_numpy():
    """The insertion sort of qz against np.argsort(kind="mergesort") (floquet's order):
    ties keep their order, NaN moduli go last."""
    rng = np.random.default_rng(3)
    vals = np.array([2.0, -2.0, 2j, 0.5, np.nan, 1.0, np.nan + 1j, -0.5, 3.0, 0.0])
    for _ in range(500):
        mu = rng.choice(vals, size=rng.integers(1, 9)).astype(complex)
        ref = mu[np.argsort(-np.abs(mu), kind="mergesort")]
        got = qz._by_decreasing_modulus(mu)
        assert np.array_equal(got, ref, equal_nan=True)
        # the positions of NaN and of equal moduli: the same elements, not just values
        assert [str(x) for x in got] == [str(x) for x in ref]


def test_singular_q_gives_inf_not_an_error():
    """beta = 0 (Q singular, an infinite eigenvalue: QZ near a homoclinic orbit): inf/NaN
    multipliers as multipliers_from_pair gives them, no ZeroDivisionError."""
    P = -np.diag([2.0, 0.5, 1.0])
    Q = np.diag([1.0, 1.0, 0.0])
    mu, err, finite = qz.qz_multipliers(P, Q)
    mu_ref, err_ref = floquet.multipliers_from_pair(P, Q)
    assert not finite
    assert np.array_equal(mu, mu_ref, equal_nan=True) and err == err_ref


def test_floquet_sorted_multipliers_keep_the_mergesort_order():
    """qz.sorted_multipliers (also floquet's scipy dggev path) orders as np.argsort(-|mu|,
    kind="mergesort") did before it used qz's insertion sort: ties in order, NaN last."""
    rng = np.random.default_rng(11)
    vals = np.array([2.0, -2.0, 0.5, 1.0, -0.5, 3.0, 0.0])
    for _ in range(300):
        n = int(rng.integers(1, 9))
        ar, ai = rng.choice(vals, size=n), rng.choice(vals, size=n)
        beta = rng.choice([1.0, 2.0, 0.0], size=n, p=[0.6, 0.3, 0.1])
        with np.errstate(divide="ignore", invalid="ignore"):
            mu_raw = np.array([complex(a / b, c / b) for a, c, b in zip(ar, ai, beta)])
        key = -np.hypot(mu_raw.real, mu_raw.imag)
        ref = mu_raw[np.argsort(key, kind="mergesort")]
        got, err = qz.sorted_multipliers(ar, ai, beta)
        assert [str(x) for x in got] == [str(x) for x in ref]
