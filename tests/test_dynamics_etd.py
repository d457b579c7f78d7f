"""ETDRK4: coefficients, the z_n chain against Newton and against scipy's Radau.

Chain tests are skipped until ``shotnoise_chain`` is registered (being written
in models/shotnoise*.py).
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
    except (ValueError, AttributeError, ImportError, ModuleNotFoundError) as exc:
        pytest.skip(f"shotnoise_chain not available yet: {exc}")


def test_chain_etd_converges_to_newton_stationary_rate():
    m = _chain(64, K=100.0, i0=0.4, g0=1.0)
    eq = bifkit.find_equilibrium(m, tol=1e-12)
    nu_newton = m.observables(eq)["nu"]
    tr = integrate(m, (0, 400.0), None, method="etd", dt=0.02, sample=10.0)
    assert tr.success, tr.message
    # asynchronous state: relaxation is exponential, so after 400 tau_m the rate has
    # converged well below the required 1e-8 (ETD's fixed point is exact: N(u*) = -L u*)
    assert abs(tr.observables["nu"][-1] - nu_newton) < 1e-8 * max(1.0, abs(nu_newton))


def test_chain_forced_etd_agrees_with_radau():
    m = _chain(64, K=100.0, i0=0.4, g0=1.0, eta0=0.1, omega=2.0)
    x0 = m.pack(m.default_guess())
    t_eval = np.linspace(0, 10.0, 21)
    tr = integrate(m, (0, 10.0), x0, method="etd", dt=0.005, t_eval=t_eval)
    f = lambda t, x: m.compiled.f(t, x, m.p)  # noqa: E731
    jac = lambda t, x: m.compiled.jac(t, x, m.p)  # noqa: E731
    ref = solve_ivp(f, (0, 10.0), x0, method="Radau", jac=jac, rtol=1e-11, atol=1e-13,
                    t_eval=t_eval)
    assert ref.success
    # ETDRK4 error at dt = 0.005 ~ 1e-9 (order 4); Radau at rtol 1e-11
    np.testing.assert_allclose(tr.y, ref.y, atol=1e-7)


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
