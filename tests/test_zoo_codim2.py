"""Issue 15 zoo: two-parameter curves (H-C, LP-C) of the codim-2 normal forms.

Closed forms (tests/zoo_models.py): Bautin GH at mu = nu = 0 with l2 = 4 s / w;
Bogdanov-Takens BT at b1 = b2 = 0 with a = 1, b = -1; fold-Hopf ZH at
b1 = b2 = 0 (omega = w); double Hopf HH at m1 = m2 = 0 (omega1 = w1,
omega2 = w2).  Both what must be found and what must NOT be found are asserted
(issue 15: the former strict xfails pass now).
"""
import math

import numpy as np
import pytest

import zoo_models as zoo
from bifkit.continuation import continuation

LOC = 1e-8          # codim-2 points at a closed-form 0: absolute (issue: 1e-6 relative)


def labels(branch):
    return sorted(s.label for s in branch.special_points())


@pytest.fixture(scope="module")
def bautin_hc():
    m = zoo.bautin(mu=-0.2, nu=-1.0, w=2.0, s=-1.0)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    (h,) = ep.special_points("H")
    assert h.data["l1"] == pytest.approx(2 * -1.0 / 2.0, rel=1e-10)   # closed form 2 nu / w
    return continuation(m, "H-C", h, ["mu", "nu"], bounds={"mu": (-1, 1), "nu": (-1, 1)})


def test_bautin_gh_point(bautin_hc):
    assert labels(bautin_hc) == ["GH"]             # no BT, ZH, HH on this Hopf curve
    (gh,) = bautin_hc.special_points("GH")
    assert gh.params["mu"] == pytest.approx(0.0, abs=LOC)
    assert gh.params["nu"] == pytest.approx(0.0, abs=LOC)
    assert gh.data["omega"] == pytest.approx(2.0, rel=1e-10)


def test_bautin_gh_point_carries_l2(bautin_hc):
    (gh,) = bautin_hc.special_points("GH")
    assert gh.data["l2"] == pytest.approx(4 * -1.0 / 2.0, rel=1e-8)   # closed form 4 s / w


def test_gh_whose_normal_form_is_undefined_is_kept_without_l2(monkeypatch, caplog):
    """A located GH where the l2 computation refuses the point (e.g. a second critical
    pair next to an HH point: "not a Hopf point ... 'HH'") keeps the GH without l2 and logs
    why; before, the ValueError ended the whole H-C run."""
    from bifkit.continuation import degeneracy

    real = degeneracy.hopf_normal_form

    def refuse_order_5(forms, order=3):
        if order == 5:
            raise ValueError("not a Hopf point: the critical spectrum is 'HH'")
        return real(forms, order=order)

    monkeypatch.setattr(degeneracy, "hopf_normal_form", refuse_order_5)
    m = zoo.bautin(mu=-0.2, nu=-1.0, w=2.0, s=-1.0)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    (h,) = ep.special_points("H")
    hc = continuation(m, "H-C", h, ["mu", "nu"], bounds={"mu": (-1, 1), "nu": (-1, 1)})
    (gh,) = hc.special_points("GH")
    assert gh.params["nu"] == pytest.approx(0.0, abs=LOC) and "l2" not in gh.data
    assert "no l2" in caplog.text and "'HH'" in caplog.text


@pytest.fixture(scope="module")
def bt_model():
    m = zoo.bogdanov_takens(b1=-0.5, b2=-1.0)
    ep = continuation(m, "EP-C", {"x": (1 - math.sqrt(3)) / 2, "y": 0.0}, ["b1"],
                      bounds={"b1": (-0.5, 0.5)})
    assert labels(ep) == ["H", "LP"]
    (h,), (lp,) = ep.special_points("H"), ep.special_points("LP")
    assert h.params["b1"] == pytest.approx(0.0, abs=1e-10)     # closed form: Hopf at b1 = 0
    assert h.data["omega"] == pytest.approx(1.0, rel=1e-10)    # sqrt(-b2)
    assert lp.params["b1"] == pytest.approx(0.25, rel=1e-10)   # fold b1 = b2^2 / 4
    return m, h, lp


def test_bt_on_the_fold_curve(bt_model):
    m, _, lp = bt_model
    b = continuation(m, "LP-C", lp, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert labels(b) == ["BT"]                      # no CP (a = 1 != 0), no ZH
    (bt,) = b.special_points("BT")
    assert bt.params["b1"] == pytest.approx(0.0, abs=LOC)
    assert bt.params["b2"] == pytest.approx(0.0, abs=LOC)
    assert np.allclose(b.params["b1"], b.params["b2"] ** 2 / 4, atol=1e-10)   # closed form


def test_bt_on_the_fold_curve_carries_its_normal_form(bt_model):
    m, _, lp = bt_model
    b = continuation(m, "LP-C", lp, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    (bt,) = b.special_points("BT")
    assert bt.data["a"] == pytest.approx(1.0, rel=1e-6)        # closed form (the form itself)
    assert bt.data["b"] == pytest.approx(-1.0, rel=1e-6)


def test_bt_ends_the_hopf_curve_exactly(bt_model):
    m, h, _ = bt_model
    b = continuation(m, "H-C", h, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert labels(b) == ["BT"]
    (bt,) = b.special_points("BT")
    assert bt.params["b1"] == pytest.approx(0.0, abs=LOC)
    assert bt.params["b2"] == pytest.approx(0.0, abs=LOC)


@pytest.fixture(scope="module")
def zh_model():
    m = zoo.fold_hopf(b1=-1.0, b2=-1.0, th=-2.0, w=1.0)
    ep = continuation(m, "EP-C", {"x": -1.0, "y": 0.0, "z": 0.0}, ["b1"], bounds={"b1": (-1, 0.5)})
    assert labels(ep) == ["H", "LP"]
    (h,), (lp,) = ep.special_points("H"), ep.special_points("LP")
    assert h.params["b1"] == pytest.approx(-0.25, rel=1e-10)   # b1 = -(b2 / th)^2
    assert lp.params["b1"] == pytest.approx(0.0, abs=1e-10)    # fold b1 = 0
    return m, h, lp


def test_zh_on_the_hopf_curve(zh_model):
    m, h, _ = zh_model
    b = continuation(m, "H-C", h, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert labels(b) == ["ZH"]                      # no BT, no GH, no HH
    (zh,) = b.special_points("ZH")
    assert zh.params["b1"] == pytest.approx(0.0, abs=LOC)
    assert zh.params["b2"] == pytest.approx(0.0, abs=LOC)
    assert zh.data["omega"] == pytest.approx(1.0, rel=1e-8)


def test_zh_on_the_hopf_curve_has_no_l1_from_a_singular_jacobian(zh_model):
    m, h, _ = zh_model
    b = continuation(m, "H-C", h, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    (zh,) = b.special_points("ZH")
    l1 = zh.data.get("l1")
    assert l1 is None or (np.isfinite(l1) and abs(l1) < 1e3)


def test_zh_on_the_fold_curve(zh_model):
    m, _, lp = zh_model
    b = continuation(m, "LP-C", lp, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert labels(b) == ["ZH"]                      # no CP, no BT
    (zh,) = b.special_points("ZH")
    assert zh.params["b2"] == pytest.approx(0.0, abs=LOC)
    assert zh.data["omega"] == pytest.approx(1.0, rel=1e-8)


def test_double_hopf():
    m = zoo.double_hopf(m1=-0.5, m2=-0.5)
    ep = continuation(m, "EP-C", {"x1": 0.0, "y1": 0.0, "x2": 0.0, "y2": 0.0}, ["m1"],
                      bounds={"m1": (-0.5, 0.5)})
    (h,) = ep.special_points("H")
    b = continuation(m, "H-C", h, ["m1", "m2"], bounds={"m1": (-1, 1), "m2": (-0.5, 0.5)})
    assert labels(b) == ["HH"]                      # no ZH, BT, GH (l1 = -2 all along)
    (hh,) = b.special_points("HH")
    assert hh.params["m2"] == pytest.approx(0.0, abs=LOC)
    assert sorted([hh.data["omega1"], hh.data["omega2"]]) == pytest.approx([1.0, math.sqrt(2)])


def test_no_cusp_where_the_quadratic_coefficient_vanishes_without_a_cubic():
    """x' = mu + nu x^2: the fold curve x = mu = 0 has a = nu, which vanishes at nu = 0
    with no cubic term (c = 0): not a cusp (degeneracy.cusp_coefficient says why)."""
    m = zoo.model_from_rhs("zoo_fcp1", ["x", "y"], {"mu": 0.0, "nu": 1.0},
                           lambda x, y, mu, nu: [mu + nu * x ** 2, -y])
    ep = continuation(m, "EP-C", {"x": -1.0, "y": 0.0}, ["mu"], bounds={"mu": (-2, 1)})
    b = continuation(m, "LP-C", ep.special_points("LP")[0], ["mu", "nu"],
                     bounds={"mu": (-1, 1), "nu": (-1, 2)})
    assert b.params["nu"].min() < 0 < b.params["nu"].max()       # the curve passes nu = 0
    assert "CP" not in labels(b) and "BT" not in labels(b)


def test_no_bt_or_cusp_at_a_double_zero_without_jordan_block():
    """x' = mu - x^2, y' = nu y: at nu = 0 the fold has a second zero eigenvalue with its
    own eigenvector (A = 0): neither BT nor CP."""
    m = zoo.model_from_rhs("zoo_fcp2", ["x", "y"], {"mu": 0.0, "nu": -1.0},
                           lambda x, y, mu, nu: [mu - x ** 2, nu * y])
    ep = continuation(m, "EP-C", {"x": 1.0, "y": 0.0}, ["mu"], bounds={"mu": (-1, 2)})
    b = continuation(m, "LP-C", ep.special_points("LP")[0], ["mu", "nu"],
                     bounds={"mu": (-1, 1), "nu": (-1, 1)})
    assert b.params["nu"].min() < 0 < b.params["nu"].max()
    assert labels(b) == []


@pytest.fixture(scope="module")
def ab_fold_curve():
    m = zoo.ab(D=0.0)
    ep = continuation(m, "EP-C", {"u1": 0.0, "u2": 0.0}, ["D"], bounds={"D": (0.0, 0.2)},
                      max_points=2000, ds_max=0.01)
    lp = sorted(ep.special_points("LP"), key=lambda s: s.params["D"])[0]
    b = continuation(m, "LP-C", lp, ["D", "beta"], bounds={"D": (0.0, 0.5), "beta": (0.0, 5.0)})
    return m, ep, b


def test_ab_cusp_closed_form(ab_fold_curve):
    """Cusp of the 'ab' demo at B = 14: with k = (1 + beta) / B, u1 = k u2 and
    ln D = ln u1 - u2 - ln(1 - u1), the fold (d lnD/du2 = 0) and cusp (second derivative
    0) give u2 = 2, k = 1/4: beta = 5/2, D = e^-2 (closed form; AUTO-07p agrees to 2.5e-11,
    validation/ZOO.md)."""
    _, _, b = ab_fold_curve
    (cp,) = b.special_points("CP")
    assert cp.params["D"] == pytest.approx(math.exp(-2), rel=1e-6)
    assert cp.params["beta"] == pytest.approx(2.5, rel=1e-6)
    assert cp.state["u2"] == pytest.approx(2.0, rel=1e-6)


def test_ab_bt_points_are_genuine(ab_fold_curve):
    """Both BT points of the 'ab' fold curve are genuine (double zero with a Jordan block,
    a, b != 0, checked by degeneracy.bt_coefficients); the one at D = 0.10954 agrees with
    AUTO-07p to 1e-6 (validation/ZOO.md; AUTO's run does not list the one at D = 8.8e-5)."""
    from bifkit.continuation.degeneracy import SymbolicDerivatives, bt_coefficients
    m, _, b = ab_fold_curve
    bts = sorted(b.special_points("BT"), key=lambda s: s.params["D"])
    assert len(bts) == 2
    for s in bts:
        mm = m.with_params(**s.params)
        c = bt_coefficients(SymbolicDerivatives(mm).at(mm.pack(s.state), mm.p))
        assert c.genuine, c.reason
    assert bts[1].params["D"] == pytest.approx(0.1095432676, rel=1e-6)      # AUTO-07p
    assert bts[1].params["beta"] == pytest.approx(2.073184904, rel=1e-6)    # AUTO-07p
