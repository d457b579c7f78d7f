"""A singular bordered boundary-value system is a LinAlgError naming what was solved, also
where the compiled elimination meets a zero pivot (numba raises ZeroDivisionError there)."""
import numpy as np
import pytest

from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import lpc_normal_form, starts


N, m, n = 3, 2, 2
MN, M = m * n, N * m + 1


def test_zero_blocks_in_the_lpc_normal_form():
    Jblk = np.zeros((N, MN, (m + 1) * n))
    with pytest.raises(np.linalg.LinAlgError, match="LPC normal form"):
        lpc_normal_form._solve(Jblk, n, 1.0, np.zeros((N, MN)), np.zeros((M, n)),
                               np.zeros((N, MN)))


@pytest.mark.parametrize("label", ["PD", "LPC", "NS"])
def test_zero_blocks_in_the_start_eigenfunctions(label):
    scheme = co.Scheme(m)
    mesh = co.uniform_mesh(N)
    Jblk = np.zeros((N, MN, (m + 1) * n))
    with pytest.raises(np.linalg.LinAlgError, match=f"{label} eigenfunction"):
        starts.eigenfunction(label, Jblk, np.zeros((N, MN, 1)), np.zeros((M, n)), mesh,
                             scheme, n, kappa=0.5)


def test_a_regular_system_is_solved():
    # random (generic, so regular) blocks and borders: solved, finite
    rng = np.random.default_rng(0)
    Jblk = rng.standard_normal((N, MN, (m + 1) * n))
    Jb = rng.standard_normal((N, MN, 1))
    C = rng.standard_normal((1, M, n))
    U, z, _, _ = co.solve_bc("a test", Jblk, Jb, C, np.ones((1, 1)), np.eye(n), -np.eye(n),
                             np.zeros((n, 1)), rng.standard_normal((N, MN)), np.zeros(n),
                             np.ones(1))
    assert np.all(np.isfinite(U)) and np.all(np.isfinite(z))
