"""mesh._interp_increasing gives np.interp's values bit for bit (ascending x, increasing xp)."""
import numpy as np

from bifkit.continuation.cycles.mesh import _interp_increasing


def test_same_values_as_np_interp():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(2, 60))
        xp = np.cumsum(rng.uniform(1e-6, 1.0, n)) - rng.uniform(0, 1)
        fp = np.cumsum(rng.uniform(1e-3, 1.0, n)) * rng.choice([1.0, -1.0])
        m = int(rng.integers(1, 80))
        x = np.sort(rng.uniform(xp[0] - 0.3, xp[-1] + 0.3, m))
        if trial % 3 == 0:   # exact hits of sample points and both ends
            x = np.sort(np.concatenate([x, xp[rng.integers(0, n, 5)], [xp[0], xp[-1]]]))
        got = _interp_increasing(x, xp, fp)
        assert np.array_equal(got, np.interp(x, xp, fp)), trial


def test_linspace_levels_as_in_the_mesh():
    # the mesh use: levels = linspace(0, cum[-1]), cum from 0, fp the old mesh on [0, 1]
    rng = np.random.default_rng(3)
    for _ in range(50):
        N = int(rng.integers(4, 200))
        cum = np.concatenate([[0.0], np.cumsum(rng.uniform(0.01, 2.0, N))])
        mesh = np.concatenate([[0.0], np.sort(rng.uniform(0, 1, N - 1)), [1.0]])
        levels = np.linspace(0.0, cum[-1], int(rng.integers(4, 200)) + 1)
        assert np.array_equal(_interp_increasing(levels, cum, mesh), np.interp(levels, cum, mesh))
