"""floquet.lu_condensed_pair: the condensed pair of linalg.condense_factor without the rest.

Reference: linalg.condense_factor on the same blocks (the LC-C corrector's factorisation,
whose P, Q gave the multipliers before); the pair must be the same bit for bit, so that
the multipliers of every LC-C point stay as they were.  Independent check of the pair
itself: the multipliers of a linear system with a known monodromy matrix.
"""
from __future__ import annotations

import numpy as np
import pytest

from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import floquet, linalg


def _blocks(rng, N, m, n):
    return rng.standard_normal((N, m * n, (m + 1) * n))


@pytest.mark.parametrize("N, m, n", [(7, 4, 3), (12, 3, 2), (5, 1, 4), (1, 2, 3)])
def test_pair_bitwise_that_of_the_factorisation(N, m, n):
    rng = np.random.default_rng(N * 100 + m * 10 + n)
    for _ in range(5):
        Jblk = _blocks(rng, N, m, n)
        Jb = rng.standard_normal((N, m * n, 2))
        f = linalg.condense_factor(Jblk, Jb)
        P, Q = floquet.lu_condensed_pair(Jblk)
        assert np.array_equal(P, f[6]) and np.array_equal(Q, f[7])


def test_multipliers_of_a_linear_system():
    """x' = T A x on [0, 1] with A = diag(-1, 0.5) rotated: multipliers exp(T eig(A))."""
    T = 1.3
    lam = np.array([-1.0, 0.5])
    R = np.array([[0.8, -0.6], [0.6, 0.8]])
    A = R @ np.diag(lam) @ R.T
    sch = co.Scheme(4)
    N, m, n = 40, 4, 2
    mesh = co.uniform_mesh(N)
    Jblk = np.empty((N, m * n, (m + 1) * n))
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(m):
            for i in range(m + 1):
                Jblk[j, k * n:(k + 1) * n, i * n:(i + 1) * n] = (
                    sch.Wd[k, i] * np.eye(n) - h * T * sch.W[k, i] * A)
    mu, _ = floquet.multipliers_from_pair(*floquet.lu_condensed_pair(Jblk))
    # collocation at Gauss points: superconvergent, error ~ h^(2m) = 1e-13 here
    assert np.allclose(np.sort(mu.real), np.sort(np.exp(T * lam)), rtol=1e-10, atol=0)
    assert np.allclose(mu.imag, 0.0, atol=1e-12)
