"""Integrators: convergence orders, stiffness, forcing through t, failure reporting.

Reference solutions are closed forms (bifkit.dynamics.testproblems.stiff_problem:
z = amp e^{i w t}, y = sin(w t) + y0 e^{-a t}), never the code's own output.
"""
import numpy as np
import pytest

import bifkit
from bifkit.dynamics import integrate
from bifkit.dynamics.testproblems import riccati, stiff_problem

X0 = {"z": 0.5 + 0.0j, "y": 1.0}   # z(0) = amp puts z on the exact solution phi(t)


def _error(traj, exact):
    z, y = exact(traj.t)
    return max(np.max(np.abs(traj["z"] - z)), np.max(np.abs(traj["y"] - y)))


def _slope(h, err):
    return np.polyfit(np.log(h), np.log(err), 1)[0]


@pytest.mark.parametrize("method, dts", [
    ("rk4", [0.1, 0.05, 0.025, 0.0125]),
    ("etd", [0.2, 0.1, 0.05, 0.025]),
])
def test_fixed_step_order_four(method, dts):
    # non-stiff parameters (|h lam| <= 1): the classical order 4 must show;
    # errors range 1e-4..1e-8, far above round-off, so the fit is clean (+-0.4)
    model, exact = stiff_problem(lam_re=-2.0, lam_im=5.0, a=1.0)
    errs = [_error(integrate(model, (0, 2), X0, method=method, dt=dt, sample=0.2), exact)
            for dt in dts]
    assert 3.6 < _slope(dts, errs) < 4.4, errs


def test_dopri_order_five_and_tolerance_proportionality():
    # local extrapolation: global error ~ h^5 with h the mean accepted step
    model, exact = stiff_problem(lam_re=-1.0, lam_im=2.0, a=1.0)
    hs, errs = [], []
    for rtol in [1e-5, 1e-7, 1e-9, 1e-11]:
        tr = integrate(model, (0, 2), X0, method="dopri", rtol=rtol, atol=rtol * 1e-2,
                       sample=0.1)
        assert tr.success
        hs.append(2.0 / tr.nsteps)
        errs.append(_error(tr, exact))
        # the error tracks the tolerance (within a factor 100 either way)
        assert 1e-2 * rtol < errs[-1] < 1e2 * rtol
    assert 4.3 < _slope(hs, errs) < 6.5, (hs, errs)


def test_samples_fall_on_grid_and_include_the_end():
    model, _ = stiff_problem()
    tr = integrate(model, (0.0, 1.05), X0, method="etd", dt=0.03, sample=0.1)
    assert tr.t[0] == 0.0 and tr.t[-1] == 1.05
    np.testing.assert_allclose(np.diff(tr.t[:-1]), 0.1, rtol=1e-12)
    assert tr.y.shape == (3, tr.t.size)
    assert np.iscomplexobj(tr.states["z"]) and not np.iscomplexobj(tr.states["y"])
    # observable |z|^2 recorded alongside: equals amp^2 on the exact solution
    np.testing.assert_allclose(tr.observables["absz2"], 0.25, atol=1e-3)


def test_etd_handles_stiffness_where_rk4_blows_up():
    # lam = -100 + 500i: RK4 is unstable for |h lam| > 2.8, i.e. h > 5.5e-3
    model, exact = stiff_problem()
    bad = integrate(model, (0, 2), X0, method="rk4", dt=0.01)
    assert bad.status == -1 and "exceeded" in bad.message
    assert bad.t[-1] < 2.0 and np.all(np.isfinite(bad.y))
    good = integrate(model, (0, 2), X0, method="etd", dt=0.05, sample=0.1)
    assert good.success
    # stiff regime: error ~ h^2 N''/|lam| (order reduction, Hochbruck & Ostermann 2005),
    # here < 1e-4 of |z| = 0.5 at |h lam| = 25
    assert _error(good, exact) < 1e-4


def test_blowup_ends_the_run_with_a_message():
    # dx/dt = x^2, x(0) = 1: x = 1/(1 - t) blows up at t = 1
    model = riccati()
    tr = integrate(model, (0, 2), [1.0], method="rk4", dt=0.001, blowup=1e300)
    assert tr.status == -1 and "non-finite" in tr.message
    for method in ("rk4", "dopri", "etd"):
        tr = integrate(model, (0, 2), [1.0], method=method, dt=0.001)
        assert tr.status == -1, method
        assert "exceeded" in tr.message or "step size" in tr.message, tr.message
        assert 0.9 < tr.t[-1] <= 1.0 and np.all(np.isfinite(tr.y)), method


def test_options_are_validated():
    model, _ = stiff_problem()
    with pytest.raises(ValueError, match="method"):
        integrate(model, (0, 1), X0, method="euler", dt=0.1)
    with pytest.raises(ValueError, match="dt"):
        integrate(model, (0, 1), X0, method="rk4")
    with pytest.raises(ValueError, match="t_span"):
        integrate(model, (1, 0), X0, method="rk4", dt=0.1)
    with pytest.raises(ValueError, match="real"):
        integrate(model, (0, 1), X0, method="etd", dt=0.1, L=[-1.0, 1j])


def test_forcing_parameters_enter_through_t():
    # the forced shot-noise 2CC model: eta0 != 0 changes the trajectory,
    # eta0 = 0 leaves the stationary state stationary
    m = bifkit.load_model("shotnoise_oa", K=100.0, i0=0.4, g0=1.0)
    x_eq = m.pack(bifkit.find_equilibrium(m))
    rest = integrate(m, (0, 20), x_eq, method="dopri", rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rest.y[:, -1], x_eq, atol=1e-8)
    forced = integrate(m, (0, 20), x_eq, method="dopri", rtol=1e-10, atol=1e-12,
                       forcing={"eta0": 0.1, "omega": 2.0})
    assert np.max(np.abs(forced.y[:, -1] - x_eq)) > 1e-3
