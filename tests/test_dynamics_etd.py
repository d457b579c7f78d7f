"""ETDRK4: coefficients, the z_n chain against Newton and against scipy's Radau.

Chain tests skip (with the reason) if ``shotnoise_chain`` cannot be loaded.
"""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import bifkit
from bifkit.dynamics import integrate
from bifkit.dynamics.etd import etd_coefficients


def test_coefficients_against_direct_formula_and_small_z_limit():
    # Cox & Matthews (2002) eq. 26-29 evaluated directly where there is no cancellation
    # (|z| >= 2), and their z -> 0 limits f1 = f2 = f3 = h/6, Q = h/2, E = E2 = 1
    h = 0.1
    L = np.array([-30.0, -20 + 50j, 0.0 + 40j, 1e-10, -1e-9j])
    C = etd_coefficients(L, h)
    z = h * L[:3]
    direct = [np.exp(z), np.exp(z / 2), h * (np.exp(z / 2) - 1) / z,
              h * (-4 - z + np.exp(z) * (4 - 3 * z + z ** 2)) / z ** 3,
              h * (2 + z + np.exp(z) * (z - 2)) / z ** 3,
              h * (-4 - 3 * z - z ** 2 + np.exp(z) * (4 - z)) / z ** 3]
    np.testing.assert_allclose(C[:, :3], np.array(direct), rtol=1e-12)
    np.testing.assert_allclose(C[:, 3:], np.array([[1, 1], [1, 1], [h / 2] * 2, [h / 6] * 2,
                                                   [h / 6] * 2, [h / 6] * 2]), rtol=1e-8)
    assert np.all(C[:, 0].imag == 0)   # real L (real state) gives real coefficients


def _chain(M=64, **params):
    try:
        return bifkit.load_model("shotnoise_chain", M=M, **params)
    except Exception as exc:  # noqa: BLE001 - any failure to load means "not available"
        pytest.skip(f"shotnoise_chain not available yet: {exc}")


def test_chain_etd_converges_to_newton_stationary_rate():
    m = _chain(64, K=100.0, i0=0.4, g0=1.0)
    eq = bifkit.find_equilibrium(m, tol=1e-12)
    nu_newton = m.observables(eq)["nu"]
    assert m.eigenvalues(eq).real.max() < -0.1  # stable asynchronous state
    # from the uniform phase density (all z_n = 0), far from the equilibrium (nu off by 0.33)
    tr = integrate(m, (0, 200.0), np.zeros(m.n), method="etd", dt=0.02, sample=50.0)
    assert tr.success, tr.message
    nu = tr.observables["nu"]
    assert abs(nu[0] - nu_newton) > 0.1
    # relaxation is exponential (rate 0.21 / tau_m); measured |nu - nu_newton| = 5e-6 at t = 50,
    # 6e-15 at t = 150 (ETD's fixed point is exact: N(u*) = -L u*)
    assert abs(nu[-1] - nu_newton) < 1e-8 * max(1.0, abs(nu_newton))


def test_chain_forced_etd_agrees_with_radau():
    m = _chain(64, K=100.0, i0=0.4, g0=1.0, eta0=0.1, omega=2.0)
    x0 = m.pack(m.default_guess())
    T = 4.0
    t_eval = np.linspace(0, T, 21)
    tr = integrate(m, (0, T), x0, method="etd", dt=0.005, t_eval=t_eval)
    f = lambda t, x: m.compiled.f(t, x, m.p)  # noqa: E731
    jac = lambda t, x: m.compiled.jac(t, x, m.p)  # noqa: E731
    ref = solve_ivp(f, (0, T), x0, method="Radau", jac=jac, rtol=1e-11, atol=1e-13,
                    t_eval=t_eval)
    assert ref.success
    # measured max difference 2.9e-10 (ETDRK4 at dt = 0.005, Radau at rtol 1e-11)
    np.testing.assert_allclose(tr.y, ref.y, atol=1e-8)
    nu_ref = [m.observables(m.unpack(y), t=t)["nu"] for y, t in zip(ref.y.T, t_eval)]
    np.testing.assert_allclose(tr.observables["nu"], nu_ref, atol=1e-8)


@pytest.mark.slow
def test_stiff_chain_standin_converges_at_order_four():
    # the 64-mode stand-in with exact solution (testproblems.stiff_chain), |L_64| ~ 260
    from bifkit.dynamics.testproblems import stiff_chain
    m, exact, x0 = stiff_chain(64)
    dts, errs = [0.1, 0.05, 0.025], []
    for dt in dts:
        tr = integrate(m, (0, 10.0), x0, method="etd", dt=dt, sample=1.0)
        Z = np.array([tr[f"z{n}"] for n in range(1, 65)])
        errs.append(np.max(np.abs(Z - exact(tr.t))))
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert 3.5 < slope < 4.6, errs
