"""Lyapunov spectra against closed forms, literature values and independent eigen/Floquet data.

Finite-time estimates carry a bias ~ ln(C)/T (C: the condition of the tangent
basis' transients), so each tolerance is stated for its averaging time T.
"""
import numpy as np
import pytest

import bifkit
from bifkit.dynamics.lyapunov import lyapunov_spectrum
from bifkit.dynamics.testproblems import lorenz, stuart_landau

TAU_M = 20.0  # ms: Bi et al. quote exponents in 1/tau_m


def test_stuart_landau_cycle_exponents_are_zero_and_minus_two_mu():
    # closed form: (0, -2 mu) on |z|^2 = mu; bias ~ ln(2)/T ~ 4e-3 at T = 200
    r = lyapunov_spectrum(stuart_landau(mu=1.0, omega=2.0, beta=1.0), 200.0, transient=20.0,
                          dt=0.01, x0=[0.5 + 0j])
    assert r.status == 0
    np.testing.assert_allclose(r.exponents, [0.0, -2.0], atol=1e-2)


def test_lorenz_spectrum():
    # Sprott (2003): 0.9056, 0, -14.5723; the sum is exactly the divergence -(sigma + 1 + beta)
    r = lyapunov_spectrum(lorenz(), 500.0, transient=20.0, dt=0.005, x0=[1.0, 1.0, 1.0])
    assert abs(r.exponents[0] - 0.9056) < 0.05
    assert abs(r.exponents[1]) < 0.02
    assert abs(r.exponents.sum() + (10 + 1 + 8 / 3)) < 1e-4
    assert r.history.shape[1] == 3 and r.history_t[-1] == pytest.approx(500.0, rel=1e-6)
    assert 2.0 < r.kaplan_yorke_dimension < 2.1   # literature: 2.06


def test_ei_stable_focus_exponents_are_eigenvalue_real_parts():
    # Bi et al. 2021, I_e = 0.006 (stable focus): exponents = Re(eigenvalues) exactly in the
    # limit T -> inf; measured bias at T = 1e5 ms is < 6e-5 /ms, tolerance 1e-4 /ms
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.006)
    eq = m.steady_state()[0]
    ref = np.sort(m.eigenvalues(eq).real)[::-1]
    r = lyapunov_spectrum(m, 1e5, dt=0.1, x0=eq)
    np.testing.assert_allclose(r.exponents, ref, atol=1e-4)
    # the paper's values (1/tau_m), printed to 3 digits
    np.testing.assert_allclose(r.in_units_of(TAU_M), [-0.0299, -0.0299, -0.101, -0.101],
                               atol=2e-3)
    # the first k only: same leading pair
    r2 = lyapunov_spectrum(m, 1e5, dt=0.1, x0=eq, k=2)
    np.testing.assert_allclose(r2.exponents, ref[:2], atol=1e-4)


def test_ei_periodic_exponents_zero_and_sum_is_mean_trace():
    # I_e = 0.0009: a stable cycle (T_p ~ 488 ms), so lambda_1 = 0; the sum of all exponents
    # equals the time average of tr J along the orbit (Liouville), computed here from
    # the symbolic Jacobian on an independent dopri trajectory
    from bifkit.dynamics import integrate
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0009)
    x0 = m.pack(m.steady_state()[0]) * np.array([1.05, 1, 1, 1])
    r = lyapunov_spectrum(m, 1e5, transient=2e4, dt=0.1, x0=x0)
    # bias ~ ln(C)/T: measured 2.7e-4 /ms at T = 2e4 ms, so < 1e-4 at T = 1e5 ms;
    # the next exponent is -1.7e-3 /ms (Floquet, validation/lyapunov_ei.py)
    assert abs(r.exponents[0]) < 1e-4
    settle = integrate(m, (0.0, 2e4), x0, method="dopri", rtol=1e-10, atol=1e-13)
    tr = integrate(m, (0.0, 2e4), settle.x_final, method="dopri", rtol=1e-10, atol=1e-13,
                   sample=1.0)
    trace = [np.trace(m.jacobian(tr.y[:, i])) for i in range(tr.t.size)]
    mean_trace = np.trapezoid(trace, tr.t) / (tr.t[-1] - tr.t[0])
    # window of 41 periods: a partial period shifts the mean by < T_p/T ~ 2.5%
    assert abs(r.exponents.sum() - mean_trace) < 0.025 * abs(mean_trace)


@pytest.mark.slow
def test_ei_chaotic_leading_exponent_positive():
    # Bi et al. 2021, I_e = 0.00021: lambda_1 = 0.0033 / tau_m > 0 (collective chaos)
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.00021)
    x0 = m.pack(m.steady_state()[0]) * np.array([1.05, 1, 1, 1])
    r = lyapunov_spectrum(m, 4e5, transient=2e4, dt=0.05, x0=x0)
    lam = r.in_units_of(TAU_M)
    assert lam[0] > 0.002 and abs(lam[0] - 0.0033) < 0.001
    assert abs(lam[1]) < 0.001


def test_bad_arguments():
    m = stuart_landau()
    with pytest.raises(ValueError, match="k = 3"):
        lyapunov_spectrum(m, 10.0, dt=0.01, x0=[0.5 + 0j], k=3)
    with pytest.raises(ValueError, match="dt"):
        lyapunov_spectrum(m, 10.0, dt=-0.01, x0=[0.5 + 0j])
