"""E-I neural mass (Bi et al. 2021): closed-form stationary states and large-K series."""
import math

import numpy as np
import pytest

import bifkit


@pytest.fixture(scope="module")
def model():
    return bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.2)


def test_zeroth_order_rates_match_paper(model):
    # Bi et al. 2021, Sec. 3.1: R0_e = 3.18 Hz, R0_i = 11.28 Hz at I_e = 0.2 (rounded)
    R0 = model.rate_series(0)[0] * 1000  # 1/ms -> Hz
    assert R0[0] == pytest.approx(3.18, abs=0.005)
    assert R0[1] == pytest.approx(11.28, abs=0.005)


def test_asymptotic_currents_match_paper():
    # Bi et al. 2021, Sec. 3.1 (D_ee = 2.5, D_ii = 1.0, I_e = 0.2): I_a^e ~ 0.0284, I_a^i ~ 0.4791
    m = bifkit.load_model("ei_neural_mass", D_ee=2.5, D_ii=1.0, I_e=0.2)
    cur = m.asymptotic_currents()
    assert cur["I_a_e"] == pytest.approx(0.0284, abs=5e-5)
    assert cur["I_a_i"] == pytest.approx(0.4791, abs=5e-5)


@pytest.mark.parametrize("I_e,D_ee", [(0.2, 2.0), (0.001, 2.0), (74.0, 1.58), (1e-5, 2.0), (200.0, 1.58)])
def test_analytic_state_is_a_newton_equilibrium(I_e, D_ee):
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=D_ee, I_e=I_e)
    (s,) = m.steady_state()
    assert s["R_e"] > 0 and s["R_i"] > 0
    # the residual of eq. 6 vanishes to round-off (scale: sqrt(K) * I_e terms)
    res = np.abs(m.compiled.f(0.0, m.pack(s), m.p))
    assert np.max(res) < 1e-13 * max(1.0, math.sqrt(1000) * I_e)
    guess = {k: v * 1.05 for k, v in s.items()}
    n = bifkit.find_equilibrium(m, guess)
    for k in s:
        assert n[k] == pytest.approx(s[k], rel=1e-10, abs=1e-14)


def test_all_roots_of_eq8_are_equilibria(model):
    sols = model.stationary_states()
    assert sum(s["physical"] for s in sols) == 1
    for s in sols:
        x = model.pack({k: s[k] for k in model.states})
        assert np.max(np.abs(model.compiled.f(0.0, x, model.p))) < 1e-12


def test_series_converges_to_exact_rates():
    """The error of the order-k truncation shrinks like eps^(k+1), eps = K^-1/2 (eq. 9)."""
    # The third-order coefficient is large (~3e6 Hz), so the asymptotic regime
    # of the low orders starts only near K ~ 1e10.
    errors = {}
    for K in (1e10, 1e12):
        m = bifkit.load_model("ei_neural_mass", K=K, D_ii=0.3, D_ee=2.0, I_e=0.2)
        exact = m.steady_state()[0]
        for order in (0, 1, 2):
            approx = m.series_rates(order)
            errors[K, order] = abs(approx["R_e"] - exact["R_e"]) / exact["R_e"]
    for order in (0, 1, 2):
        ratio = errors[1e10, order] / errors[1e12, order]
        # eps shrinks by 10 from K=1e10 to 1e12, so the error by ~10^(order+1)
        assert 10 ** (order + 1) / 3 < ratio < 10 ** (order + 1) * 3, (order, ratio)
    assert errors[1e10, 2] < errors[1e10, 1] < errors[1e10, 0]


def test_observables(model):
    s = model.steady_state()[0]
    obs = model.observables(s)
    assert obs["rate_e"] == pytest.approx(1000 * s["R_e"])
    p = model.params
    # eq. 14a by hand
    ieff = math.sqrt(p["K"]) * (p["I_e"] + (p["g_ee"] * s["R_e"] - p["g_ei"] * s["R_i"]) * p["tau_m"])
    assert obs["I_eff_e"] == pytest.approx(ieff, rel=1e-12)
    # eq. 21a by hand
    d = math.sqrt(p["g_ee"] ** 2 * s["R_e"] * p["tau_m"] + p["g_ei"] ** 2 * s["R_i"] * p["tau_m"])
    assert obs["dI_eff_e"] == pytest.approx(d, rel=1e-12)


def test_jacobian_is_eq16(model):
    """The compiled Jacobian against the linearisation printed in the paper (eq. 16)."""
    s = model.steady_state()[0]
    p = model.params
    tau, sq = p["tau_m"], math.sqrt(p["K"])
    Re, Ve, Ri, Vi = (s[k] for k in ("R_e", "V_e", "R_i", "V_i"))
    J = np.array([
        [2 * Ve + p["g_ee"] * p["D_ee"] / math.pi, 2 * Re, 0, 0],
        [-2 * (math.pi * tau) ** 2 * Re + sq * tau * p["g_ee"], 2 * Ve, -sq * tau * p["g_ei"], 0],
        [0, 0, 2 * Vi + p["g_ii"] * p["D_ii"] / math.pi, 2 * Ri],
        [sq * tau * p["g_ie"], 0, -2 * (math.pi * tau) ** 2 * Ri - sq * tau * p["g_ii"], 2 * Vi],
    ]) / tau
    assert np.allclose(model.jacobian(s), J, rtol=1e-13, atol=1e-15)
