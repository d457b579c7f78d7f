"""Issue 20, "never lies": defaults that give the right answer, and results that say what
they are.

* ``integrate(model, t_span)`` works with its defaults (adaptive Dormand-Prince);
* ``lyapunov_spectrum`` without ``x0`` leaves an unstable equilibrium and measures the
  attractor (E-I cycle, Floquet exponents as the independent reference), and says so when
  a run sat on an equilibrium;
* ``find_equilibrium`` rejects an equilibrium outside the model's declared admissible set.
"""
import dataclasses
import math

import numpy as np
import pytest

import bifkit
from bifkit.dynamics.testproblems import riccati, stuart_landau
from bifkit.equilibrium import admissibility_problem
from bifkit.errors import ConvergenceError

TAU_M = 20.0  # ms: Bi et al. 2021 quote exponents in 1/tau_m


def test_integrate_with_its_defaults_is_accurate():
    # dx/dt = c x^2, x(0) = 0.5, c = 1: x(t) = x0 / (1 - c x0 t) (closed form); was
    # "needs a positive step dt (got None)"
    tr = bifkit.integrate(riccati(), (0, 1), [0.5])
    assert tr.success and tr.method == "dopri"
    exact = 0.5 / (1 - 0.5 * tr.t)
    # default rtol 1e-6 (local): the global error is a few times that, measured 1.2e-6
    np.testing.assert_allclose(tr.y[0], exact, rtol=1e-5)
    assert tr.t[0] == 0 and tr.t[-1] == 1 and tr.t.size == 1001  # default: 1000 intervals


def test_lyapunov_default_start_leaves_the_unstable_equilibrium_and_finds_the_cycle():
    # E-I at I_e = 0.0009, D_ee = 2 (K = 1000, D_ii = 0.3): the default guess is the unstable
    # focus (eigenvalue real parts ~ +0.016 /tau_m); the attractor is a stable cycle with
    # Floquet exponents 0, -0.0342900, -0.0555215, -0.173170 /tau_m (independent source: the
    # cycle continuation, validation/lyapunov_ei.py). Before issue 20 the default start
    # returned the equilibrium's exponents [0.016, 0.015, -0.147, -0.147].
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0009)
    r = bifkit.lyapunov_spectrum(m, 1e5, transient=4e4, dt=0.1)
    lam = r.in_units_of(TAU_M)
    # finite-T bias ~ ln(C)/T: measured 1.1e-3 /tau_m on lambda_1 at T = 1e5 ms (5000 tau_m);
    # tolerance 2e-3 /tau_m (= 1e-4 /ms, the bound of test_dynamics_lyapunov at this T)
    np.testing.assert_allclose(lam, [0.0, -0.0342900, -0.0555215, -0.173170], atol=2e-3)
    assert r.on_equilibrium is False
    assert not np.allclose(r.x_start, m.pack(m.default_guess()))   # started off it
    # ... and a different seed starts elsewhere, still on the same attractor
    r2 = bifkit.lyapunov_spectrum(m, 2e4, transient=4e4, dt=0.1, seed=3)
    assert not np.allclose(r2.x_start, r.x_start)


def test_lyapunov_says_when_it_sat_on_an_unstable_equilibrium():
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0009)
    eq = m.steady_state()[0]
    r = bifkit.lyapunov_spectrum(m, 2e3, dt=0.1, x0=eq)   # exactly on it: it cannot leave
    assert r.on_equilibrium is True
    assert "UNSTABLE equilibrium" in r.message
    # its leading eigenvalue real part is positive (closed form at the equilibrium), and so is
    # the (finite-T) leading exponent of a run that sat there
    assert np.max(m.eigenvalues(eq).real) > 0 and r.exponents[0] > 0


def test_lyapunov_of_a_cycle_is_not_flagged_as_an_equilibrium():
    # Stuart-Landau mu = 1: the cycle |z| = 1, exponents (0, -2 mu) (closed form)
    r = bifkit.lyapunov_spectrum(stuart_landau(), 100.0, transient=20.0, dt=0.01,
                                 x0=[0.5 + 0j])
    assert r.on_equilibrium is False and "equilibrium" not in r.message


def _with_extras(model, **extras):
    d = dataclasses.replace(model.definition,
                            extras={**model.definition.extras, **extras})
    return bifkit.Model(d, model.params)


def test_find_equilibrium_rejects_negative_rates_when_the_model_declares_them_non_physical():
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0009)
    far = {"R_e": 0.00629, "V_e": -0.264, "R_i": 0.0320, "V_i": 0.2098}
    # without a declaration Newton's root from this far guess has negative rates (measured:
    # R_e = -0.00608, R_i = -0.00189): the root of eq. 6 that is not a firing rate
    raw = bifkit.find_equilibrium(m, far, admissible_only=False)
    assert raw["R_e"] < 0 and raw["R_i"] < 0
    ranged = _with_extras(m, state_ranges={"R_e": (0.0, math.inf), "R_i": (0.0, math.inf)})
    with pytest.raises(ConvergenceError, match=r"non-physical.*R_e = -0\.00607"):
        bifkit.find_equilibrium(ranged, far)
    ok = bifkit.find_equilibrium(ranged)   # the default guess: the physical focus
    assert ok["R_e"] > 0 and ok["R_i"] > 0
    # the hook form: a reason string
    # (the E-I model declares state ranges itself: cleared here to test the hook alone)
    hooked = _with_extras(m, state_ranges={}, admissible=lambda model, s: None
                          if s["R_e"] >= 0 else "negative excitatory rate")
    with pytest.raises(ConvergenceError, match="negative excitatory rate"):
        bifkit.find_equilibrium(hooked, far)
    assert admissibility_problem(hooked, ok) is None
