"""Issue 15, "codimension-2 points placed exactly": on LP-C / H-C the labels GH, BT, ZH, HH
and CP are located as zeros of their test functions (or of a regular defining system for
BT), not placed at the nearest continuation step.

Each curve is run with coarse steps (ds_max = 0.3) so that no computed point lies within
FAR = 1e-4 of the codimension-2 point (0.02 and more except at the cusp, where the steps
shrink as the fold curve turns); the label must still sit at the closed-form point to LOC.
The E-I Bautin point (Bi et al. 2021 Fig. 1a, lower Hopf curve) is checked against an
independent computation: Hopf points by scipy's fsolve on f = 0, Re(lambda) = 0 (numpy
eigenvalues, not the bordered system) and l1 from exact sympy derivatives
(degeneracy.hopf_normal_form, not the compiled l1), its zero in D_ee by brentq.
The E-I BT point is checked against the closed-form BT condition in
tests/test_continuation_codim2.py::test_ei_lower_hopf_curve_ends_in_its_bt_point_exactly.
"""
import math

import numpy as np
import pytest
from scipy.optimize import brentq, fsolve

import zoo_models as zoo
import bifkit
from bifkit.continuation import continuation
from bifkit.continuation.degeneracy import SymbolicDerivatives, hopf_normal_form

LOC = 1e-10         # corrector tolerance 1e-10 scale; the closed-form points are at 0
COARSE = dict(ds=0.05, ds_max=0.3)
FAR = 1e-4          # every computed point of the coarse runs is farther than this (1e6 LOC)


def _bautin_h():
    m = zoo.bautin(mu=-0.2, nu=-0.93, w=2.0, s=-1.0)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    return m, ep.special_points("H")[0], ("mu", "nu")


def _bt(label):
    m = zoo.bogdanov_takens(b1=-0.5, b2=-0.93)
    x0 = (0.93 - math.sqrt(0.93 ** 2 + 2.0)) / 2.0       # an equilibrium at b1 = -0.5
    ep = continuation(m, "EP-C", {"x": x0, "y": 0.0}, ["b1"], bounds={"b1": (-0.5, 0.5)})
    return m, ep.special_points(label)[0], ("b1", "b2")


def _fold_hopf(label):
    m = zoo.fold_hopf(b1=-1.0, b2=-0.93, th=-2.0, w=1.0)
    ep = continuation(m, "EP-C", {"x": -1.0, "y": 0.0, "z": 0.0}, ["b1"],
                      bounds={"b1": (-1, 0.5)})
    return m, ep.special_points(label)[0], ("b1", "b2")


def _double_hopf():
    m = zoo.double_hopf(m1=-0.5, m2=-0.43)
    ep = continuation(m, "EP-C", {"x1": 0.0, "y1": 0.0, "x2": 0.0, "y2": 0.0}, ["m1"],
                      bounds={"m1": (-0.5, 0.5)})
    return m, ep.special_points("H")[0], ("m1", "m2")


def _cusp():
    # x' = mu + nu x - x^3, y' = -y + x^2: folds at mu = -+2 (nu/3)^(3/2), cusp at mu = nu = 0
    m = zoo.model_from_rhs("zoo_exact_cusp", ["x", "y"], {"mu": 0.0, "nu": 0.93},
                           lambda x, y, mu, nu: [mu + nu * x - x ** 3, -y + x * x])
    ep = continuation(m, "EP-C", {"x": -1.0, "y": 1.0}, ["mu"], bounds={"mu": (-2, 2)})
    return m, ep.special_points("LP")[0], ("mu", "nu")


# (curve, the codim-2 label, start builder); closed form: the label at (0, 0) of its
# normal form (tests/zoo_models.py docstrings)
CASES = {
    "GH on H-C (Bautin)": ("H-C", "GH", _bautin_h),
    "BT on LP-C": ("LP-C", "BT", lambda: _bt("LP")),
    "BT ends H-C": ("H-C", "BT", lambda: _bt("H")),
    "ZH on H-C": ("H-C", "ZH", lambda: _fold_hopf("H")),
    "ZH on LP-C": ("LP-C", "ZH", lambda: _fold_hopf("LP")),
    "HH on H-C": ("H-C", "HH", _double_hopf),
    "CP on LP-C": ("LP-C", "CP", _cusp),
}


@pytest.mark.parametrize("case", list(CASES))
def test_codim2_point_is_located_not_the_nearest_step(case):
    curve, label, build = CASES[case]
    m, start, free = build()
    b = continuation(m, curve, start, list(free), bounds={free[0]: (-1, 1), free[1]: (-1, 1)},
                     **COARSE)
    # exactly this label, once (no false BT / CP / ZH / HH / GH on the way)
    assert [s.label for s in b.special_points()] == [label]
    (pt,) = b.special_points(label)
    assert pt.params[free[0]] == pytest.approx(0.0, abs=LOC)     # closed form (0, 0)
    assert pt.params[free[1]] == pytest.approx(0.0, abs=LOC)
    # the steps themselves stay far from it (the end point of H-C at BT is the located BT)
    dist = np.maximum(np.abs(b.params[free[0]]), np.abs(b.params[free[1]]))
    near = dist[dist < FAR]
    assert near.size == (1 if case == "BT ends H-C" else 0)
    assert np.all(near <= LOC)


@pytest.fixture(scope="module")
def ei_lower_hopf_curve():
    m = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-5, 200.0)},
                      log_params=["I_e"])
    return m, ep.special_points("H")[0]


def _gh_reference(m, guess_state, guess_I):
    """(I_e, D_ee) of the Bautin point: brentq in D_ee on l1 at the Hopf point (module doc)."""
    iI, iD = m.param_index("I_e"), m.param_index("D_ee")
    derivs = SymbolicDerivatives(m)
    z0 = [np.concatenate([guess_state * (1 + 1e-3), [math.log(guess_I) + 1e-3]])]

    def hopf_at(D):
        p = np.array(m.p, float)
        p[iD] = D

        def F(z):
            q = p.copy()
            q[iI] = math.exp(z[-1])
            ev = np.linalg.eigvals(m.compiled.jac(0.0, z[:-1], q))
            pair = ev[ev.imag > 0]
            return np.concatenate([m.compiled.f(0.0, z[:-1], q),
                                   [pair[np.argmin(np.abs(pair.real))].real]])
        z = fsolve(F, z0[0], xtol=1e-12)
        assert np.max(np.abs(F(z))) < 1e-13
        z0[0] = z
        p[iI] = math.exp(z[-1])
        return z[:-1], p

    def l1(D):
        x, p = hopf_at(D)
        return hopf_normal_form(derivs.at(x, p, order=3), order=3).l1

    D = brentq(l1, 3.80, 3.87, xtol=1e-13, rtol=1e-14)
    return hopf_at(D)[1][iI], D


def test_ei_bautin_point_against_an_independent_computation(ei_lower_hopf_curve):
    """GH of the E-I lower Hopf curve (README: (0.0338814926, 3.836061562)): bifkit's label
    at default and at coarse steps against fsolve + brentq (module doc), 1e-9 relative
    (both sides converge to ~1e-12; measured 1.6e-11 in I_e)."""
    m, h = ei_lower_hopf_curve
    bounds = {"I_e": (1e-5, 200.0), "D_ee": (0.5, 4.0)}
    runs = [continuation(m, "H-C", h, ["I_e", "D_ee"], bounds=bounds, log_params=["I_e"],
                         **kw) for kw in ({}, dict(ds=0.05, ds_max=0.5))]
    (gh,) = runs[0].special_points("GH")
    I_ref, D_ref = _gh_reference(m, m.pack(gh.state), gh.params["I_e"])
    for b in runs:
        assert [s.label for s in b.special_points()] == ["GH"]   # no BT/ZH/HH in D_ee <= 4
        (g,) = b.special_points("GH")
        assert g.params["I_e"] == pytest.approx(I_ref, rel=1e-9)
        assert g.params["D_ee"] == pytest.approx(D_ref, rel=1e-9)
        assert abs(g.data["l1"]) < 1e-9          # a zero of l1 (l1 ~ -2 at D_ee = 2)
    # the coarse run has no computed point within 1e-3 of the Bautin point in D_ee
    assert np.min(np.abs(runs[1].params["D_ee"] - D_ref)) > 1e-3
