"""LP-C, H-C, NF-C: two-parameter curves and their codimension-two points against closed forms."""
import importlib
import math
from decimal import Decimal

import numpy as np
import pytest

import bifkit
from bifkit.continuation import Branch, continuation
from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient


@pytest.fixture(scope="module")
def cusp(make_model):
    # x' = mu + nu x - x^3 (plus a decoupled stable direction): folds at
    # mu = -+2 (nu/3)^(3/2), x = +-sqrt(nu/3); cusp at mu = nu = 0
    return make_model("c2_cusp", ["x", "y"], {"mu": 0.0, "nu": 1.0},
                      lambda x, y, mu, nu: [mu + nu * x - x ** 3, -y + x * x])


def test_fold_curve_of_the_cusp(cusp):
    xf = math.sqrt(1 / 3)
    m = cusp.with_params(mu=-(xf - xf ** 3))
    br = continuation(m, "LP-C", {"x": xf, "y": xf * xf}, ["mu", "nu"],
                      bounds={"mu": (-1, 1), "nu": (-1, 1.5)})
    P = br.params
    assert np.allclose(np.abs(P["mu"]), 2 * (P["nu"] / 3) ** 1.5, atol=1e-12, rtol=0)
    assert np.allclose(br.states["x"] ** 2, P["nu"] / 3, atol=1e-12)
    # both directions end cleanly on the nu = 1.5 bound, through the cusp
    assert P["nu"][0] == pytest.approx(1.5, abs=1e-12) and P["nu"][-1] == pytest.approx(1.5)
    assert br.status == {"backward": "bound", "forward": "bound"}
    (cp,) = br.special_points("CP")
    assert cp.params["mu"] == pytest.approx(0, abs=1e-10)
    assert cp.params["nu"] == pytest.approx(0, abs=1e-10)
    assert cp.data["a"] == pytest.approx(0, abs=1e-8)
    # a = p.B(q,q)/2 = -3 x (|q| = 1, p.q = 1): opposite signs on the two sheets
    a = br.data["a"]
    assert a[0] * a[-1] < 0
    assert br.special_points("BT") == [] and br.special_points("ZH") == []


def test_mpr_cusp_in_eta_j():
    """MPR with Lorentzian inputs: cusp at eta = -sqrt(3) Delta, J = pi (2c + 1/(2c^3)) sqrt(Delta)."""
    delta = 0.5
    m = bifkit.load_model("mpr", Delta=delta, Gamma=0.0, tau=1.0, J=15.0, eta=-10.0)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["eta"], bounds={"eta": (-20, 0)})
    lp = ep.special_points("LP")[0]
    br = continuation(m, "LP-C", lp, ["eta", "J"], bounds={"eta": (-20, 0), "J": (0, 20)})
    (cp,) = br.special_points("CP")
    c = 0.75 ** 0.25
    assert cp.params["eta"] == pytest.approx(-math.sqrt(3) * delta, rel=1e-6)
    assert cp.params["J"] == pytest.approx(math.pi * (2 * c + 1 / (2 * c ** 3)) * math.sqrt(delta),
                                           rel=1e-6)
    # every point is an equilibrium with a zero eigenvalue
    ev0 = np.min(np.abs(br.eigenvalues), axis=1)
    assert np.max(ev0) < 1e-8


@pytest.fixture(scope="module")
def osc(make_model):
    """A Bautin oscillator (x, y) with l1 = 2 b2 / w (c = 0), a second oscillator (u, v) of
    trace nu and frequency 2 (HH at nu = 0), a real direction z with eigenvalue nu - 1/2
    (ZH at nu = 1/2; with c != 0 it feeds l1 through x z, so l1 has a pole there), and a
    real pair with sum nu + 1/2 (a neutral saddle at nu = -1/2, not an HH point)."""
    def rhs(x, y, u, v, z, s1, s2, b1, b2, nu, c, w):
        r2 = x * x + y * y
        return [b1 * x - w * y + x * (b2 * r2 - r2 * r2) + c * x * z,
                w * x + b1 * y + y * (b2 * r2 - r2 * r2),
                nu * u - 2 * v, 2 * u + nu * v,
                (nu - 0.5) * z + x * x,
                s2, s1 + (nu + 0.5) * s2]
    return make_model("c2_osc", ["x", "y", "u", "v", "z", "s1", "s2"],
                      {"b1": 0.0, "b2": -1.0, "nu": -1.0, "c": 0.0, "w": 1.5}, rhs)


ZERO7 = dict.fromkeys(["x", "y", "u", "v", "z", "s1", "s2"], 0.0)


def test_bautin_point_and_l1_along_the_hopf_curve(osc):
    br = continuation(osc, "H-C", ZERO7, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert np.allclose(br.params["b1"], 0, atol=1e-13)
    assert np.allclose(br.data["l1"], 2 * br.params["b2"] / 1.5, atol=1e-12)
    assert np.allclose(br.data["omega"], 1.5, rtol=1e-12)
    assert np.array_equal(br.stable, br.data["l1"] < 0)   # super solid, sub dashed
    (gh,) = br.special_points("GH")
    assert gh.params["b2"] == pytest.approx(0, abs=1e-10)
    assert gh.data["omega"] == pytest.approx(1.5, rel=1e-12)
    assert br.params["b2"][0] == pytest.approx(-1) and br.params["b2"][-1] == pytest.approx(1)


def test_double_hopf_zero_hopf_and_rejections(osc):
    m = osc.with_params(c=1.0)
    br = continuation(m, "H-C", ZERO7, ["b1", "nu"], bounds={"b1": (-1, 1), "nu": (-1, 1)})
    (hh,) = br.special_points("HH")
    assert hh.params["nu"] == pytest.approx(0, abs=1e-10)
    assert hh.data["omega1"] == pytest.approx(1.5, rel=1e-10)
    assert hh.data["omega2"] == pytest.approx(2.0, rel=1e-8)
    (zh,) = br.special_points("ZH")
    assert zh.params["nu"] == pytest.approx(0.5, abs=1e-10)
    # l1 = -4/3 + (coupling through z) / (1/2 - nu): a genuine Bautin point below nu = 1/2,
    # checked with the independent l1 of normal_forms; at ZH l1 changes sign through a pole
    # (h11 = A^-1 B(q, qbar)), which is not a Bautin point
    (gh,) = br.special_points("GH")
    mg = m.with_params(**gh.params)
    l1_ref, omega = first_lyapunov_coefficient(mg, mg.pack(gh.state), mg.p)
    assert abs(l1_ref) < 1e-9 and omega == pytest.approx(1.5)
    assert 0.2 < gh.params["nu"] < 0.3
    nu, l1 = br.params["nu"], br.data["l1"]
    assert np.all(l1[nu > 0.5] < 0) and np.all(l1[(nu > gh.params["nu"]) & (nu < 0.5)] > 0)
    # the real pair's neutral saddle at nu = -1/2 is not a double Hopf point: only one HH
    assert np.isclose(nu, -0.5, atol=0.2).any()
    # the start lies on the nu = -1 bound: the backward direction adds no point
    assert np.count_nonzero(nu == -1.0) == 1


def test_user_points(osc):
    br = continuation(osc, "H-C", ZERO7, ["b1", "b2"], bounds={"b1": (-1, 1), "b2": (-1, 1)},
                      user_points={"b2": [-0.5, 0.25]})
    uz = br.special_points("UZ")
    assert [round(u.params["b2"], 12) for u in uz] == [-0.5, 0.25]
    assert uz[0].data["l1"] == pytest.approx(2 * -0.5 / 1.5, rel=1e-12)


@pytest.fixture(scope="module")
def bt(make_model):
    # Bogdanov-Takens normal form x' = y, y' = b1 + b2 x + x^2 - x y: folds on b1 = b2^2/4,
    # Hopf on b1 = 0 (b2 < 0, omega^2 = -b2), both ending at the BT point b1 = b2 = 0
    return make_model("c2_bt", ["x", "y"], {"b1": 0.0, "b2": -1.0},
                      lambda x, y, b1, b2: [y, b1 + b2 * x + x * x - x * y])


def test_bogdanov_takens_on_fold_and_hopf_curves(bt):
    m = bt.with_params(b1=0.25, b2=-1.0)
    lpc = continuation(m, "LP-C", {"x": 0.5, "y": 0.0}, ["b1", "b2"],
                       bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert np.allclose(lpc.params["b1"], lpc.params["b2"] ** 2 / 4, atol=1e-12)
    (pt,) = lpc.special_points("BT")
    assert pt.params["b2"] == pytest.approx(0, abs=1e-9)
    hc = continuation(bt, "H-C", {"x": 0.0, "y": 0.0}, ["b1", "b2"],
                      bounds={"b1": (-1, 1), "b2": (-1, 1)})
    assert "reached_end_point" in hc.status.values()   # the Hopf curve ends at BT
    assert np.allclose(hc.data["omega"][:-1] ** 2, -hc.params["b2"][:-1], rtol=1e-10)
    (pt,) = hc.special_points("BT")
    assert pt.params["b2"] == pytest.approx(0, abs=1e-9)
    assert hc.params["b2"][-1] == pytest.approx(0, abs=1e-9)   # the curve ends at BT
    assert np.all(hc.data["kappa"] >= -1e-12)


def test_node_focus_curve_of_a_damped_oscillator(make_model):
    # x' = y, y' = -k x - c y + x^2: the origin is a node for c^2 > 4k, a focus for c^2 < 4k
    m = make_model("c2_nf", ["x", "y"], {"k": 0.5, "c": 2.0},
                   lambda x, y, k, c: [y, -k * x - c * y + x * x])
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["k"], bounds={"k": (0.5, 2.0)},
                      direction="forward")
    (nf,) = ep.special_points("NF")
    br = continuation(m, "NF-C", nf, ["k", "c"], bounds={"k": (0.01, 4), "c": (0.2, 3)})
    assert np.allclose(br.params["c"] ** 2, 4 * br.params["k"], rtol=1e-10)
    assert np.allclose(br.data["mu"], -br.params["c"] / 2, rtol=1e-10)
    assert br.params["c"].min() == pytest.approx(0.2) and br.params["c"].max() == pytest.approx(3)


def test_closed_hopf_curve_stops_at_its_start(make_model):
    # trace 1 - a^2 - b^2: the Hopf curve is the unit circle in (a, b)
    def rhs(x, y, a, b):
        tr = 1 - a * a - b * b
        return [tr * x - y - x * (x * x + y * y), x + tr * y - y * (x * x + y * y)]
    m = make_model("c2_circle", ["x", "y"], {"a": 1.0, "b": 0.0}, rhs)
    br = continuation(m, "H-C", {"x": 0.0, "y": 0.0}, ["a", "b"], ds_max=0.2)
    assert br.status == {"backward": "closed_loop"}   # forward is skipped
    assert np.allclose(br.params["a"] ** 2 + br.params["b"] ** 2, 1, atol=1e-12)
    angles = np.unwrap(np.arctan2(br.params["b"], br.params["a"]))
    assert abs(angles[-1] - angles[0]) == pytest.approx(2 * math.pi, abs=1e-9)


def test_bad_input_gives_clear_errors(bt, cusp):
    with pytest.raises(ValueError, match="two different"):
        continuation(bt, "H-C", {"x": 0.0, "y": 0.0}, ["b1", "b1"])
    with pytest.raises(ValueError, match="complex pair"):   # a saddle: real eigenvalues
        continuation(bt.with_params(b2=1.0), "H-C", {"x": 0.0, "y": 0.0}, ["b1", "b2"])
    with pytest.raises(ValueError, match="outside its bounds"):
        continuation(bt, "LP-C", {"x": 0.0, "y": 0.0}, ["b1", "b2"], bounds={"b1": (1, 2)})
    with pytest.raises(ValueError, match="log continuation"):
        continuation(bt, "LP-C", {"x": 0.0, "y": 0.0}, ["b1", "b2"], log_params=["b2"])
    with pytest.raises(ValueError, match="ds_min"):
        continuation(cusp, "LP-C", {"x": 0.0, "y": 0.0}, ["mu", "nu"], ds=1.0, ds_max=0.1)


@pytest.fixture(scope="module")
def ei_hopfs(ei_equilibria):
    m, ep = ei_equilibria(D_ee=2.0)   # EP-C over I_e in [1e-5, 200] (conftest)
    _, ep158 = ei_equilibria(D_ee=1.58)
    return m, ep.special_points("H"), [h.params["I_e"] for h in ep158.special_points("H")]


@pytest.mark.parametrize("which,ie_158", [(0, "0.00029227953"), (1, "74.208629947")])
def test_ei_hopf_curve_passes_the_d_ee_158_hopf_points(ei_hopfs, which, ie_158, tmp_path):
    m, hs, ie_ep = ei_hopfs
    assert [h.data["criticality"] for h in hs] == ["supercritical", "subcritical"]
    br = continuation(m, "H-C", hs[which], ["I_e", "D_ee"],
                      bounds={"I_e": (1e-5, 200), "D_ee": (0.5, 4.0)}, log_params=["I_e"],
                      user_points={"D_ee": [1.58]})
    (uz,) = br.special_points("UZ")
    half_unit = 0.5 * 10.0 ** Decimal(ie_158).as_tuple().exponent  # of the last digit
    assert uz.params["I_e"] == pytest.approx(float(ie_158), abs=half_unit)
    assert uz.params["I_e"] == pytest.approx(ie_ep[which], rel=1e-10)  # EP-C at D_ee = 1.58
    assert (uz.data["l1"] < 0) == (which == 0)
    if which == 0:
        (gh,) = br.special_points("GH")   # Bautin point: l1 changes sign
        assert gh.params["D_ee"] == pytest.approx(3.836061562, rel=1e-8)
        assert gh.params["I_e"] == pytest.approx(0.03388149259, rel=1e-8)
    else:
        assert br.special_points("GH") == []   # l1 ~ +4e-7 > 0 for D_ee in [0.5, 4]
    back = Branch.load(br.save(tmp_path / "hc.npz"))   # l1 and labels travel with the branch
    assert np.array_equal(back.data["l1"], br.data["l1"])
    assert [s.label for s in back.special] == [s.label for s in br.special]


def test_zero_hopf_on_a_fold_curve_direction_and_max_points(make_model):
    # fold of x' = mu - x^2 at mu = 0 for every nu; the pair nu +- i crosses at nu = 0 (ZH)
    m = make_model("c2_zhfold", ["x", "y", "z"], {"mu": 0.0, "nu": -1.0},
                   lambda x, y, z, mu, nu: [mu - x * x, nu * y - z + x * y, y + nu * z])
    br = continuation(m, "LP-C", {"x": 0.0, "y": 0.0, "z": 0.0}, ["mu", "nu"],
                      bounds={"nu": (-2, 1)}, direction="forward")
    assert np.all(np.diff(br.params["nu"]) > 0) and br.params["nu"][0] == -1.0
    assert np.allclose(br.params["mu"], 0, atol=1e-14)
    (zh,) = br.special_points("ZH")
    assert zh.params["nu"] == pytest.approx(0, abs=1e-10)
    assert zh.data["omega"] == pytest.approx(1, rel=1e-10)
    assert np.array_equal(br.stable, br.params["nu"] < 0)   # the other eigenvalues nu +- i
    back = continuation(m, "LP-C", br.point(3), ["mu", "nu"], bounds={"nu": (-2, 1)},
                        direction="backward", max_points=5)
    # stored like EP-C: the backward part reversed, so the start is the last point
    assert len(back) == 5 and back.params["nu"][-1] == pytest.approx(br.params["nu"][3])
    assert np.all(np.diff(back.params["nu"]) > 0)
    assert back.status == {"backward": "max_points"}


def test_non_finite_model_ends_the_run_with_a_message(make_model):
    # sqrt(nu) is NaN for nu < 0: the fold curve mu = -sqrt(nu) x + ... cannot go there
    m = make_model("c2_nan", ["x"], {"mu": -0.25, "nu": 1.0},
                   lambda x, mu, nu: [mu + nu ** sp_half() - x * x])
    br = continuation(m, "LP-C", {"x": 0.0}, ["mu", "nu"], bounds={"mu": (-1, 1)})
    assert np.all(np.isfinite(br.x)) and br.params["nu"].min() >= 0
    # one end on the mu bound, the other where nu -> 0 (NaN beyond): the corrector fails
    assert sorted(br.status.values()) == ["bound", "step_underflow"]


def sp_half():
    import sympy
    return sympy.Rational(1, 2)


def test_ei_lower_hopf_curve_ends_in_its_bt_point_exactly():
    """Issue 15 check: the BT label of the E-I lower Hopf curve (Bi et al. 2021 Fig. 1a,
    K = 1000, D_ii = 0.3) sits at the degenerate point, not at the last H-C step
    (before: I_e = 0.0054179, D_ee > 0).  Independent reference: brentq on the model's
    closed-form BT condition at D_ee = 0 (as tests/test_ei_neural_mass.py, 0.0053954)."""
    from scipy.optimize import brentq
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, I_e=0.01, D_ee=0.1)
    I_bt = brentq(lambda I: m.with_params(I_e=I, D_ee=0.0).bt_condition(), 1e-3, 1e-2,
                  xtol=1e-15)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-5, 200.0)},
                      log_params=["I_e"])
    h = [s for s in ep.special_points("H") if s.params["I_e"] > 1e-2][0]
    hc = continuation(m, "H-C", h, ["I_e", "D_ee"], bounds={"I_e": (1e-5, 200.0),
                      "D_ee": (0.0, 4.0)}, log_params=["I_e"], max_points=3000)
    (bt,) = hc.special_points("BT")
    assert bt.params["I_e"] == pytest.approx(I_bt, rel=1e-8)
    assert abs(bt.params["D_ee"]) < 1e-10
    assert "reached_end_point" in hc.status.values()
    # R_e = 0 is invariant (eq. 6a has R_e as a factor): the BT is degenerate, a = 0
    assert bt.data["genuine"] is False and abs(bt.data["a"]) < 1e-10 and bt.data["b"] > 0
    assert "l1" not in bt.data
    assert [s.label for s in hc.special_points()] == ["BT", "GH", "GH"]


def test_a_start_far_from_the_curve_warns(make_model):
    """A rough start is corrected by Gauss-Newton (allowed), but a free parameter carried
    far from the given value is said (issue 20: LP-C from a Hopf point jumped silently).
    MPR-like fold x' = mu + nu - x^2 has its fold at mu = -nu for x = 0."""
    m = make_model("c2_far", ["x"], {"mu": 0.5, "nu": 1.0}, lambda x, mu, nu: [mu + nu - x * x])
    with pytest.warns(UserWarning, match="Newton moved"):
        br = continuation(m, "LP-C", {"x": 0.0}, ["mu", "nu"], bounds={"mu": (-3, 3)},
                          max_points=5)
    assert np.allclose(br.params["mu"], -br.params["nu"])
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a start on the curve: no warning
        continuation(m, "LP-C", {"state": {"x": 0.0}, "params": {"mu": -1.0, "nu": 1.0}},
                     ["mu", "nu"], bounds={"mu": (-3, 3)}, max_points=5)


def _circle_hopf(make_model):
    # trace 1 - a^2 - b^2: the Hopf curve is the unit circle in (a, b) (closed form)
    def rhs(x, y, a, b):
        tr = 1 - a * a - b * b
        return [tr * x - y - x * (x * x + y * y), x + tr * y - y * (x * x + y * y)]
    return make_model("c2_circle", ["x", "y"], {"a": 1.0, "b": 0.0}, rhs)


def _counting_core_run(monkeypatch):
    """Count the points the compiled loop computes (codim2.core.run's npts per call)."""
    curve_mod = importlib.import_module("bifkit.continuation.codim2.curve")
    count, run = [0], curve_mod.core.run

    def counting(*args):
        out = run(*args)
        count[0] += int(out[10])
        return out
    monkeypatch.setattr(curve_mod.core, "run", counting)
    return count


def test_stop_at_ends_a_codim2_run_early(make_model, monkeypatch):
    """stop_at on H-C stops the compiled loop near the event (chunks), not after the whole
    curve: on the unit circle from (1, 0) the first a = -0.5 is at (-1/2, sqrt(3)/2), a third
    of the way round (closed form), and the located point is the one the post-hoc event scan
    of a full run locates."""
    m = _circle_hopf(make_model)
    count = _counting_core_run(monkeypatch)
    kw = dict(ds_max=0.02, direction="forward", max_points=2000)
    full = continuation(m, "H-C", {"x": 0.0, "y": 0.0}, ["a", "b"],
                        events=[bifkit.crossing("a", -0.5)], **kw)
    n_full, count[0] = count[0], 0
    assert full.status == {"forward": "closed_loop"}
    br = continuation(m, "H-C", {"x": 0.0, "y": 0.0}, ["a", "b"],
                      stop_at=[bifkit.crossing("a", -0.5)], **kw)
    assert br.status == {"forward": "completed"}
    assert (br.params["a"][-1], br.params["b"][-1]) == pytest.approx((-0.5, math.sqrt(3) / 2),
                                                                     abs=1e-10)
    assert count[0] < 0.5 * n_full         # the whole loop is ~330 points, a third ~110
    first = min(full.special_points("UZ"), key=lambda s: s.index)
    assert br.params["b"][-1] == pytest.approx(first.params["b"], abs=1e-10)
    assert br.params["a"][-1] == pytest.approx(first.params["a"], abs=1e-10)
    assert [s.label for s in br.special] == ["UZ"]      # nothing beyond the stop
    assert np.all(br.params["b"] >= -1e-12)             # never went past the top of the circle


def test_stop_at_never_reached_on_a_closed_codim2_curve(make_model):
    """A stop event that never happens: the chunked run still recognises the closed curve
    (status closed_loop, ending exactly on the start) after several chunks."""
    m = _circle_hopf(make_model)
    kw = dict(ds_max=0.02, direction="forward", max_points=2000)
    plain = continuation(m, "H-C", {"x": 0.0, "y": 0.0}, ["a", "b"], **kw)
    br = continuation(m, "H-C", {"x": 0.0, "y": 0.0}, ["a", "b"],
                      stop_at=[bifkit.crossing("a", 5.0)], **kw)
    assert br.status == plain.status == {"forward": "closed_loop"}
    assert len(br.params["a"]) > 4 * 16                   # more than a few chunks
    assert (br.params["a"][-1], br.params["b"][-1]) == (br.params["a"][0], br.params["b"][0])
    assert np.allclose(br.params["a"] ** 2 + br.params["b"] ** 2, 1, atol=1e-12)
    angles = np.unwrap(np.arctan2(br.params["b"], br.params["a"]))
    assert abs(angles[-1] - angles[0]) == pytest.approx(2 * math.pi, abs=1e-9)
    assert br.special_points("UZ") == []
