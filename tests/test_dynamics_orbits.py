"""Orbit diagrams and regime classification on systems with known attractors."""
import numpy as np
import pytest

import bifkit
from bifkit.dynamics import classify, orbit_diagram
from bifkit.dynamics.orbit_diagram import local_extrema
from bifkit.dynamics.testproblems import stuart_landau


def test_local_extrema_of_a_sine():
    # maxima of sin(t) are exactly 1 (parabolic refinement error ~ h^4/... ~ 1e-6 at h = 0.05)
    t = np.arange(0, 30, 0.05)
    mx = local_extrema(t, np.sin(t), kind="max")
    mn = local_extrema(t, np.sin(t), kind="min")
    assert len(mx) == 5 and len(mn) == 5
    np.testing.assert_allclose(mx, 1.0, atol=1e-5)
    np.testing.assert_allclose(mn, -1.0, atol=1e-5)
    assert local_extrema(t, np.full(t.size, 2.0)).tolist() == [2.0]


def test_stuart_landau_orbit_diagram_follows_sqrt_mu():
    # Hopf normal form: |z| -> 0 for mu < 0, sqrt(mu) for mu > 0 (closed form);
    # Re z oscillates with amplitude sqrt(mu)
    # swept downwards: each run continues from the previous attractor (from z ~ 0 the
    # cycle would need ln(1e10)/mu time units to re-grow)
    mus = np.array([1.0, 0.25, -0.5])
    d = orbit_diagram(stuart_landau(), "mu", mus, "z.re", T=20.0, transient=40.0, dt=0.01,
                      x0=[0.3 + 0j])
    assert d.status == [0, 0, 0]
    assert d.maxima[2].size == 1 and abs(d.maxima[2][0]) < 1e-6   # stationary at z = 0
    for mu, mx, mn in zip(mus[:2], d.maxima[:2], d.minima[:2]):
        np.testing.assert_allclose(mx, np.sqrt(mu), rtol=1e-4)
        np.testing.assert_allclose(mn, -np.sqrt(mu), rtol=1e-4)
    ps, vals = d.points()
    assert ps.size == vals.size


def test_classify_stuart_landau_and_ei_points():
    assert classify(stuart_landau(mu=-0.5), T=50.0, transient=60.0, dt=0.01,
                    x0=[0.3 + 0j]).label == "stable focus"
    assert classify(stuart_landau(mu=1.0), T=100.0, transient=20.0, dt=0.01,
                    x0=[0.3 + 0j]).label == "periodic"
    # Bi et al. 2021 Fig. 4: I_e = 0.006 stable focus (II), 0.0009 periodic (IV)
    ei = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.006)
    assert classify(ei, T=2e4, transient=2e4, dt=0.1, eq_tol=1e-3).label == "stable focus"
    ei = ei.with_params(I_e=0.0009)
    x0 = ei.pack(ei.steady_state()[0]) * np.array([1.05, 1, 1, 1])
    r = classify(ei, T=1e5, transient=2e4, dt=0.1, x0=x0, tol=1e-4)
    assert r.label == "periodic", r


@pytest.mark.slow
def test_classify_ei_chaos():
    ei = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.00021)
    x0 = ei.pack(ei.steady_state()[0]) * np.array([1.05, 1, 1, 1])
    assert classify(ei, T=4e5, transient=2e4, dt=0.05, x0=x0, tol=5e-5).label == "chaotic"
