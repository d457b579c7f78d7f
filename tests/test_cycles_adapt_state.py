"""mesh.adapt_state_arrays: LC-C's mesh adaptation in one compiled call.

Reference: the separate calls it replaces (mesh.adapted_mesh, collocation.node_times,
the trapezoid node weights of lc_run._weights_uncached, collocation.interpolate); the
values must be bitwise equal (the same operations in the same order), so that the branch
does not change.
"""
from __future__ import annotations

import numpy as np

from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import lc_run
from bifkit.continuation.cycles import mesh as mesh_mod


def _orbit(N, m, n, seed):
    rng = np.random.default_rng(seed)
    mesh = np.sort(np.concatenate(([0.0, 1.0], rng.uniform(0.0, 1.0, N - 1))))
    sch = co.Scheme(m)
    t = co.node_times(mesh, sch)
    # a smooth periodic orbit with a sharp peak (so that the mesh really moves)
    U = np.stack([np.exp(3.0 * np.cos(2 * np.pi * (t - 0.1 * a))) for a in range(n)], axis=1)
    return U, mesh, sch, rng


def test_bitwise_equal_to_the_separate_calls():
    for N, m, n, k, seed in ((50, 4, 4, 8, 1), (20, 3, 2, 4, 2), (37, 5, 3, 3, 3)):
        U, mesh, sch, rng = _orbit(N, m, n, seed)
        extra = rng.standard_normal((len(U), k))
        new, tn, w, Un, En = mesh_mod.adapt_state_arrays(U, extra, mesh, sch)
        ref_mesh = mesh_mod.adapted_mesh(U, mesh, sch)
        ref_tn = co.node_times(ref_mesh, sch)
        np.testing.assert_array_equal(new, ref_mesh)
        assert not np.array_equal(new, mesh)       # the peak moved the mesh points
        np.testing.assert_array_equal(tn, ref_tn)
        np.testing.assert_array_equal(w, lc_run._weights_uncached(ref_mesh, sch, ref_tn))
        np.testing.assert_array_equal(Un, co.interpolate(U, mesh, sch, ref_tn))
        np.testing.assert_array_equal(En, co.interpolate(extra, mesh, sch, ref_tn))
        assert abs(np.sum(w) - 1.0) < 1e-14        # trapezoid weights of int_0^1 dt


def test_adapt_state_seeds_the_weights_of_the_new_mesh():
    U, mesh, sch, rng = _orbit(30, 4, 2, 4)
    st = lc_run.State(U, 10.0, 0.5, mesh)
    st.tU = rng.standard_normal(U.shape)
    st.tT, st.ttheta = 0.1, 0.2
    new = lc_run.adapt_state(st, sch)
    tn = co.node_times(new.mesh, sch)
    w = lc_run._weights(new.mesh, sch, 2)
    np.testing.assert_array_equal(w[:, 0], lc_run._weights_uncached(new.mesh, sch, tn))
    np.testing.assert_array_equal(new.tU, co.interpolate(st.tU, mesh, sch, tn))
    assert new.kU is None                         # no curvature given, none made up
