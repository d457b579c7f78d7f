"""Issue 15: degenerate points told apart (bifkit.continuation.degeneracy) on the zoo normal forms.

Reference values are closed forms (named beside each); conventions of
Kuznetsov 2004 with <q, q> = 1 (see tests/zoo_models.py): for a system written
in z = x + i y, l1 = 2 Re(cubic) / w, l2 = 4 Re(quintic) / w.  These tests use
only the models' sympy forms (nothing is compiled), so they run in seconds.
"""
import numpy as np
import pytest
import sympy as sp

import zoo_models as zoo
from bifkit.continuation.degeneracy import (SymbolicDerivatives, bt_coefficients,
                                            classify_spectrum, cusp_coefficient,
                                            hopf_normal_form, second_lyapunov_coefficient)

try:
    from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient
except ImportError:                                   # flat layout before the restructure
    from bifkit.continuation.normal_forms import first_lyapunov_coefficient


def forms(model, x):
    return SymbolicDerivatives(model).at(np.asarray(x, float), model.p)


@pytest.mark.parametrize("w, s", [(2.0, -1.0), (0.7, 0.25)])
def test_l2_on_the_bautin_normal_form(w, s):
    m = zoo.bautin(mu=0.0, nu=0.0, w=w, b=0.3, s=s)
    nf = hopf_normal_form(forms(m, [0, 0]))
    assert nf.l1 == pytest.approx(0.0, abs=1e-14)                 # GH: l1 = 2 nu / w = 0
    assert nf.l2 == pytest.approx(4 * s / w, rel=1e-12)           # closed form l2 = 4 s / w
    assert nf.omega == pytest.approx(w, rel=1e-12)
    assert second_lyapunov_coefficient(m, np.zeros(2), m.p) == pytest.approx(4 * s / w, rel=1e-12)


def test_l2_is_invariant_under_a_nonlinear_change_of_coordinates():
    """x = X + phi(X) with phi quadratic + cubic (identity linear part) leaves the normal form,
    hence l2 = 4 s / w, unchanged; the new system has B, C, D, E terms of every kind."""
    w, s = 1.3, -0.8
    X, Y = sp.symbols("X Y", real=True)
    mu, nu, b = 0, 0, 0.4
    phi = sp.Matrix([0.7 * X ** 2 - 0.3 * X * Y + 0.2 * Y ** 3, -0.5 * Y ** 2 + 0.9 * X * Y + 0.4 * X ** 3])
    x = sp.Matrix([X, Y]) + phi
    r2 = x[0] ** 2 + x[1] ** 2
    g = nu * r2 + s * r2 ** 2
    f = sp.Matrix([mu * x[0] - w * x[1] + g * x[0] - b * r2 * x[1],
                   w * x[0] + mu * x[1] + g * x[1] + b * r2 * x[0]])
    J = phi.jacobian([X, Y])
    inv = sp.eye(2) - J + J ** 2 - J ** 3 + J ** 4          # (I + J)^-1 to the order needed
    # terms of total degree > 5 do not enter derivatives up to order 5 at 0: drop them
    rhs = [sum(c * X ** i * Y ** j for (i, j), c in sp.Poly(sp.expand(e), X, Y).terms()
               if i + j <= 5) for e in inv * f]
    m = zoo.model_from_rhs("zoo_dg_bautin_warped", ["X", "Y"], {"dummy": 0.0},
                           lambda X, Y, dummy: [e.subs({sp.Symbol("X", real=True): X,
                                                         sp.Symbol("Y", real=True): Y})
                                                for e in rhs])
    nf = hopf_normal_form(forms(m, [0, 0]))
    assert nf.l1 == pytest.approx(0.0, abs=1e-12)
    assert nf.l2 == pytest.approx(4 * s / w, rel=1e-10)


def test_l1_agrees_with_the_engine_formula_on_lorenz():
    """Independent implementations: the engine's Kuznetsov formula (compiled B, C) and the
    order-by-order normalisation here (sympy tensors), at the closed-form Hopf point."""
    r = zoo.lorenz_hopf_r()
    m = zoo.lorenz(r=r)
    x0 = np.sqrt(8 / 3 * (r - 1))
    x = np.array([x0, x0, r - 1])
    nf = hopf_normal_form(forms(m, x), order=3)
    l1, omega = first_lyapunov_coefficient(m, x, m.p)
    assert nf.l1 == pytest.approx(l1, rel=1e-10) and nf.l1 > 0   # subcritical (Sparrow 1982)
    assert nf.omega == pytest.approx(omega, rel=1e-12)


def test_hopf_normal_form_l1_closed_form():
    m = zoo.hopf(mu=0.0, w=1.5, a=-1.0, b=0.5)
    nf = hopf_normal_form(forms(m, [0, 0]), order=3)
    assert nf.l1 == pytest.approx(2 * -1.0 / 1.5, rel=1e-12)      # closed form 2 a / w
    assert nf.c1.imag == pytest.approx(2 * 0.5, rel=1e-12)        # 2 b (same scaling)


def test_zero_hopf_and_double_hopf_are_told_apart():
    zh = classify_spectrum(forms(zoo.fold_hopf(b1=0.0, b2=0.0), [0, 0, 0]).A)
    assert zh.label == "ZH" and zh.omegas == pytest.approx((1.0,))      # closed form: 0, +-i w
    hh = classify_spectrum(forms(zoo.double_hopf(m1=0.0, m2=0.0), [0, 0, 0, 0]).A)
    assert hh.label == "HH" and hh.omegas == pytest.approx((1.0, np.sqrt(2.0)))
    # nearby regular points are not degenerate
    assert classify_spectrum(forms(zoo.double_hopf(m1=0.0, m2=-0.1), [0] * 4).A).label == "H"
    assert classify_spectrum(forms(zoo.fold_hopf(b1=0.0, b2=0.1), [0] * 3).A).label == "LP"


def test_no_l1_at_a_singular_jacobian():
    """The issue's 'H with l1 = 1.85e10 at a fold-Hopf point': refused with a clear error."""
    with pytest.raises(ValueError, match="ZH"):
        hopf_normal_form(forms(zoo.fold_hopf(b1=0.0, b2=0.0), [0, 0, 0]))
    with pytest.raises(ValueError, match="BT"):
        hopf_normal_form(forms(zoo.bogdanov_takens(b1=0.0, b2=0.0), [0, 0]))


def test_bt_coefficients_of_the_normal_form():
    f = forms(zoo.bogdanov_takens(b1=0.0, b2=0.0), [0, 0])
    assert classify_spectrum(f.A).label == "BT"
    bt = bt_coefficients(f)
    assert bt.genuine
    assert (bt.a, bt.b) == pytest.approx((1.0, -1.0), abs=1e-12)   # the form itself (s = -1)


def test_double_zero_without_jordan_block_is_not_bt():
    m = zoo.model_from_rhs("zoo_dg_zz", ["x", "y"], {"mu": 0.0},
                           lambda x, y, mu: [mu + x ** 2, x * y])
    f = forms(m, [0, 0])
    assert classify_spectrum(f.A).label == "ZZ"
    bt = bt_coefficients(f)
    assert not bt.genuine and "Jordan" in bt.reason


def test_degenerate_bt_with_b_zero_is_not_genuine():
    m = zoo.model_from_rhs("zoo_dg_bt_b0", ["x", "y"], {"mu": 0.0},
                           lambda x, y, mu: [y, mu + x ** 2 + x ** 3])   # b = 0 (no x y term)
    bt = bt_coefficients(forms(m, [0, 0]))
    assert bt.a == pytest.approx(1.0) and bt.b == pytest.approx(0.0, abs=1e-14)
    assert not bt.genuine


@pytest.mark.parametrize("rhs, c_ref", [
    # x' = mu + nu x - x^3, y' = -y + x^2: c = -1 (closed form, x decoupled from y)
    (lambda x, y, mu, nu: [mu + nu * x - x ** 3, -y + x ** 2], -1.0),
    # x' = mu + nu x + x y, y' = -y + x^2: centre manifold y = x^2 + O(x^4), so x' = x^3: c = +1
    (lambda x, y, mu, nu: [mu + nu * x + x * y, -y + x ** 2], 1.0),
])
def test_genuine_cusp(rhs, c_ref):
    m = zoo.model_from_rhs("zoo_dg_cusp_%d" % (c_ref > 0), ["x", "y"], {"mu": 0.0, "nu": 0.0}, rhs)
    cp = cusp_coefficient(forms(m, [0, 0]))
    assert cp.a == pytest.approx(0.0, abs=1e-14)
    assert cp.c == pytest.approx(c_ref, rel=1e-12)
    assert cp.genuine, cp.reason


def test_false_cusps_are_rejected():
    # a = 0 because the quadratic term's parameter vanishes, no cubic term: c = 0
    m = zoo.model_from_rhs("zoo_dg_fcp1", ["x", "y"], {"mu": 0.0, "nu": 0.0},
                           lambda x, y, mu, nu: [mu + nu * x ** 2, -y])
    cp = cusp_coefficient(forms(m, [0, 0]))
    assert not cp.genuine and "vanishes" in cp.reason
    # a second zero eigenvalue along the fold
    m = zoo.model_from_rhs("zoo_dg_fcp2", ["x", "y"], {"mu": 0.0, "nu": 0.0},
                           lambda x, y, mu, nu: [mu - x ** 3, nu * y])
    cp = cusp_coefficient(forms(m, [0, 0]))
    assert not cp.genuine and "second zero" in cp.reason
    # the parameters do not move the fold: <p, df/dp> = 0
    m = zoo.model_from_rhs("zoo_dg_fcp3", ["x", "y"], {"mu": 0.0, "nu": 0.0},
                           lambda x, y, mu, nu: [mu ** 2 + nu ** 2 - x ** 3, -y])
    cp = cusp_coefficient(forms(m, [0, 0]))
    assert not cp.genuine and "unfold" in cp.reason


def test_bad_input():
    d = SymbolicDerivatives(zoo.saddle_node())
    with pytest.raises(ValueError, match="entries"):
        d.at(np.zeros(3), np.zeros(1))
    with pytest.raises(ValueError, match="finite"):
        d.at(np.array([np.nan, 0.0]), np.zeros(1))
    with pytest.raises(ValueError, match="square"):
        classify_spectrum(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="order"):
        hopf_normal_form(forms(zoo.hopf(mu=0.0), [0, 0]), order=4)
