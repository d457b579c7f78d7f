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
    (s,) = [e["state"] for e in m.equilibria() if e["kind"] == "interior"]
    assert s["R_e"] > 0 and s["R_i"] > 0 and m.steady_state()[0] == s  # interior first
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


# --------------------------------------------------------------------------- #
# Equilibria with a silent population (issue 18)                               #
# --------------------------------------------------------------------------- #
def eq6_rhs(x, p):
    """Eq. 6 of Bi et al. 2021 written out here in numpy (independent of the sympy model)."""
    Re, Ve, Ri, Vi = x
    tau, sq = p["tau_m"], math.sqrt(p["K"])
    Ii = p["i_ratio"] * p["I_e"]
    return np.array([
        Re * (2 * Ve + p["g_ee"] * p["D_ee"] / math.pi),
        Ve ** 2 - (math.pi * Re * tau) ** 2 + sq * (p["I_e"] + (p["g_ee"] * Re - p["g_ei"] * Ri) * tau),
        Ri * (2 * Vi + p["g_ii"] * p["D_ii"] / math.pi),
        Vi ** 2 - (math.pi * Ri * tau) ** 2 + sq * (Ii + (p["g_ie"] * Re - p["g_ii"] * Ri) * tau),
    ]) / tau


def fd_jacobian(x, p, h=1e-7):
    """Central differences of :func:`eq6_rhs` (step h relative to the scale of each state)."""
    J = np.empty((4, 4))
    for j in range(4):
        dx = np.zeros(4)
        dx[j] = h * max(abs(x[j]), 1e-3)
        J[:, j] = (eq6_rhs(x + dx, p) - eq6_rhs(x - dx, p)) / (2 * dx[j])
    return J


def test_silent_excitatory_state_at_a_former_grey_cell():
    """(I_e, D_ee) = (1e-3, 0.5), Fig. 1a: no interior equilibrium, the R_e = 0 state is the
    attractor (Bi et al. region III: two real eigenvalues and a complex pair)."""
    from scipy.integrate import solve_ivp
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=1e-3, D_ee=0.5)
    p = m.params
    eqs = m.equilibria()
    assert not [e for e in eqs if e["kind"] == "interior"]
    stable = [e for e in eqs if e["stable"]]
    assert len(stable) == 1 and stable[0]["kind"] == "R_e=0"
    s = stable[0]["state"]
    assert m.steady_state()[0] == s  # stable boundary states before unstable ones
    # the formula of the issue: V_e = -sqrt(sqrt(K) (g_ei R_i tau - I_e))
    assert s["R_e"] == 0.0
    assert s["V_e"] == pytest.approx(-math.sqrt(math.sqrt(p["K"]) * (p["g_ei"] * s["R_i"] * p["tau_m"]
                                                                     - p["I_e"])), rel=1e-12)
    x = m.pack(s)
    assert np.max(np.abs(eq6_rhs(x, p))) < 1e-15
    # eigenvalues against those of a finite-difference Jacobian of eq. 6 (error ~ h^2 * f''' ~ 1e-12)
    ev = stable[0]["eigenvalues"]
    ev_fd = np.linalg.eigvals(fd_jacobian(x, p))
    assert np.allclose(np.sort_complex(ev), np.sort_complex(ev_fd), rtol=1e-6, atol=1e-9)
    assert sum(abs(e.imag) < 1e-12 for e in ev) == 2 and np.all(ev.real < 0)
    # an independent integrator (scipy LSODA) from a nearby state with R_e > 0 converges to it
    x0 = x + np.array([2e-5, 0.01, 1e-5, -0.01])
    sol = solve_ivp(lambda t, y: eq6_rhs(y, p), (0, 20000), x0, method="LSODA", rtol=1e-10,
                    atol=1e-14)
    assert sol.success
    assert np.max(np.abs(sol.y[:, -1] - x)) < 1e-8
    # the unstable twin (V_e = +sqrt(...)) is returned too, and flagged unstable
    assert [e["state"]["V_e"] for e in eqs if not e["stable"]] == [pytest.approx(-s["V_e"])]


def test_every_returned_equilibrium_solves_eq6_with_nonnegative_rates():
    for I_e, D_ee in [(1e-3, 0.5), (0.2, 2.0), (1e-5, 0.1), (0.004, 0.8), (50.0, 0.2)]:
        m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=I_e, D_ee=D_ee)
        eqs = m.equilibria()
        assert eqs, (I_e, D_ee)
        kinds = [e["kind"] for e in eqs]
        assert kinds == sorted(kinds, key=lambda k: k != "interior")  # interior ones first
        for e in eqs:
            x = m.pack(e["state"])
            assert x[0] >= 0 and x[2] >= 0
            assert np.max(np.abs(eq6_rhs(x, m.params))) < 1e-13 * max(1, math.sqrt(1000) * I_e)
            assert e["stable"] == bool(np.all(np.linalg.eigvals(fd_jacobian(x, m.params)).real < 0))


def interior_R_e(D_ee, I_e=1e-3):
    """R_e of the interior root of eq. 8 (the root with R_i > 0 closest to R_e = 0); negative
    below the transcritical point, where the root is no longer an equilibrium of the network."""
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=I_e, D_ee=D_ee)
    roots = [s for s in m.stationary_states() if s["R_i"] > 0]
    return min(roots, key=lambda s: abs(s["R_e"]))["R_e"]


def test_transcritical_point_at_I_e_1e_3():
    """Interior branch meets R_e = 0 at D_ee = 0.9740147 (issue 18; EP-C in D_ee shows a BP
    there).  Independent check: brentq on R_e(D_ee) of the interior root of the quartic."""
    from scipy.optimize import brentq
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=1e-3, D_ee=2.0)
    closed = m.transcritical_D_ee()
    root = brentq(interior_R_e, 0.9, 1.05, xtol=1e-14, rtol=1e-15)
    assert closed == pytest.approx(root, abs=1e-10)  # 1e-8 asked; brentq to 1e-14
    assert closed == pytest.approx(0.9740147, abs=5e-8)  # issue 18, 7 digits
    # stability exchange: the R_e = 0 state is stable below, unstable above
    for D_ee, stable in ((closed - 1e-3, True), (closed + 1e-3, False)):
        mm = m.with_params(D_ee=D_ee)
        silent = [e for e in mm.equilibria() if e["kind"] == "R_e=0" and e["state"]["V_e"] < 0]
        assert len(silent) == 1 and silent[0]["stable"] is stable
        interior = [e for e in mm.equilibria() if e["kind"] == "interior"]
        assert bool(interior) is not stable  # the interior state exists only above
    # not a point where no silent state exists: I_e = 0.2 has none (g_ei R_i tau < I_e)
    assert m.with_params(I_e=0.2).transcritical_D_ee() is None


def test_bogdanov_takens_point_solves_the_bt_conditions():
    """BT at the end of the lower Hopf curve of Fig. 1a: closed form (bt_condition = 0, D_ee = 0)
    against Newton (scipy fsolve) on eq. 6 plus det J = 0 and c1 = 0 (the coefficient of
    lambda in det(lambda - J): a double zero eigenvalue), with J by central differences."""
    from scipy.optimize import brentq, fsolve
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=0.005, D_ee=0.0)
    I_bt = brentq(lambda I: m.with_params(I_e=I).bt_condition(), 1e-3, 1e-2, xtol=1e-15)
    assert I_bt == pytest.approx(0.0053954, abs=5e-8)  # issue 18: the degenerate point
    p0 = dict(m.params)

    def conditions(u):
        x, I_e, D_ee = u[:4] * np.array([1e-3, 1, 1e-3, 1]), u[4] * 1e-3, u[5]
        p = {**p0, "I_e": I_e, "D_ee": D_ee}
        c = np.poly(fd_jacobian(x, p))  # 1, c3, c2, c1, c0
        return np.concatenate([eq6_rhs(x, p) * 20, [c[-1] * 1e8, c[-2] * 1e6]])
    # start where the H-C run labels its BT (issue 18: I_e = 0.0054179), D_ee = 0.02
    start = m.with_params(I_e=0.0054179, D_ee=0.02).steady_state()[0]
    u0 = np.array([start["R_e"] * 1e3, start["V_e"], start["R_i"] * 1e3, start["V_i"], 5.4179, 0.02])
    u, info, ier, msg = fsolve(conditions, u0, full_output=True, xtol=1e-13)
    assert ier == 1, msg
    assert u[4] * 1e-3 == pytest.approx(I_bt, abs=1e-9)
    assert abs(u[5]) < 1e-8 and abs(u[0]) < 1e-8  # D_ee = 0, R_e = 0


def test_find_equilibrium_rejects_negative_rates_of_the_ei_model():
    """Issue 20: from a far guess Newton converges to a root of eq. 6 with R_i < 0 (checked
    below by the residual), which is not a state of the network: a named error, not a result."""
    import numpy as np
    import pytest

    import bifkit
    from bifkit.errors import ConvergenceError
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0009)
    guess = {"R_e": 0.27392, "R_i": -0.46043, "V_e": -2.75416, "V_i": -2.90083}
    with pytest.raises(ConvergenceError, match=r"R_i = -0\.2.* admissible range"):
        bifkit.find_equilibrium(m, guess)
    root = bifkit.find_equilibrium(m, guess, admissible_only=False)   # the root exists
    assert root["R_i"] < 0
    assert max(abs(v) for v in m.rhs(root).values()) < 1e-9   # a root of eq. 6 indeed
    # the physical equilibrium is still found from a near guess
    good = bifkit.find_equilibrium(m, m.steady_state()[0])
    assert good["R_e"] > 0 and good["R_i"] > 0
