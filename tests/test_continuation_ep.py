"""EP-C: equilibria, folds, Hopf points with l1, neutral saddles, persistence."""
import math

import numpy as np
import pytest
import sympy as sp

import bifkit
from bifkit.continuation import Branch, continuation


def test_fold_of_the_saddle_node_normal_form(make_model):
    # x' = mu - x^2: equilibria x = +-sqrt(mu), fold at mu = 0 (closed form)
    m = make_model("fold_nf", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    br = continuation(m, "EP-C", {"x": 1.0}, ["mu"], bounds={"mu": (-1, 2)}, ds=0.05)
    (lp,) = br.special_points("LP")
    assert lp.params["mu"] == pytest.approx(0.0, abs=1e-10)
    assert lp.state["x"] == pytest.approx(0.0, abs=1e-5)
    # both sheets are on the branch and satisfy x^2 = mu
    assert np.allclose(br.states["x"] ** 2, br.params["mu"], atol=1e-9)
    assert br.stable[np.argmax(br.states["x"])] and not br.stable[np.argmin(br.states["x"])]


@pytest.mark.parametrize("a,omega", [(-1.0, 1.0), (0.5, 2.0), (-3.0, 0.7)])
def test_first_lyapunov_coefficient_of_the_hopf_normal_form(make_model, a, omega):
    """x' = mu x - w y + a x r^2, y' = w x + mu y + a y r^2: l1 = 2 a / w.

    Kuznetsov's invariant formula (Elements, 3rd ed., eq. 3.20) with <q, q> = 1
    (MatCont's convention): with x = z q + conj(z q), r^2 = 2 |z|^2, so the
    radial equation r' = mu r + a r^3 reads |z|' = mu |z| + 2 a |z|^3, i.e.
    Re c1 = 2a and l1 = Re c1 / w = 2 a / w.
    """
    def rhs(x, y, mu, w, a):
        r2 = x * x + y * y
        return [mu * x - w * y + a * x * r2, w * x + mu * y + a * y * r2]
    m = make_model(f"hopf_nf", ["x", "y"], {"mu": -0.5, "w": omega, "a": a}, rhs)
    br = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.5, 0.5)},
                      ds=0.03)
    (h,) = br.special_points("H")
    assert h.params["mu"] == pytest.approx(0.0, abs=1e-12)
    assert h.data["omega"] == pytest.approx(omega, rel=1e-12)
    assert h.data["l1"] == pytest.approx(2 * a / omega, rel=1e-9)
    assert h.data["criticality"] == ("supercritical" if a < 0 else "subcritical")


def test_neutral_saddle_is_not_a_hopf_point(make_model):
    # x' = p x + 2 y, y' = 2 x: trace p changes sign at p = 0 with eigenvalues +-2 (real)
    m = make_model("neutral_saddle", ["x", "y"], {"p": -1.0},
                   lambda x, y, p: [p * x + 2 * y, 2 * x])
    br = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["p"], bounds={"p": (-1, 1)})
    assert br.special_points("H") == []


def test_ei_hopf_points_against_closed_form_equilibria(ei_equilibria):
    """Independent check: bisection on Re(leading eigenvalue) of the closed-form equilibria."""
    m, br = ei_equilibria(D_ee=2.0, I_e=0.2)   # EP-C over I_e in [1e-5, 200] (conftest)
    hs = br.special_points("H")
    assert [h.data["criticality"] for h in hs] == ["supercritical", "subcritical"]

    def lead(I):
        mm = m.with_params(I_e=I)
        return mm.eigenvalues(mm.steady_state()[0])[0].real

    for h in hs:
        I = h.params["I_e"]
        lo, hi = I * (1 - 1e-3), I * (1 + 1e-3)
        assert lead(lo) * lead(hi) < 0
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if lead(mid) * lead(hi) < 0 else (lo, mid)
        assert I == pytest.approx(math.sqrt(lo * hi), rel=1e-9)
    # the paper (Bi et al. 2021): supercritical Hopf near I_e = 0.0015 at D_ee = 2.0
    assert hs[0].params["I_e"] == pytest.approx(0.0015, rel=0.05)


def test_forward_and_backward_trace_the_same_curve():
    m = bifkit.load_model("mpr", Delta=1.0, J=15.0, eta=-5.0)
    s = m.steady_state()[0]
    b1 = continuation(m, "EP-C", s, ["eta"], bounds={"eta": (-10, 0)}, direction="both")
    lps = sorted(lp.params["eta"] for lp in b1.special_points("LP"))
    assert len(lps) == 2
    # every point is an equilibrium of the model at its own eta
    for i in range(0, len(b1), 7):
        mm = m.with_params(eta=b1.params["eta"][i])
        assert np.max(np.abs(mm.compiled.f(0.0, b1.x[i], mm.p))) < 1e-8
    # starting from the upper state and going the other way finds the same folds
    s2 = m.steady_state()[-1]
    b2 = continuation(m, "EP-C", s2, ["eta"], bounds={"eta": (-10, 0)}, direction="both")
    lps2 = sorted(lp.params["eta"] for lp in b2.special_points("LP"))
    assert np.allclose(lps, lps2, rtol=1e-8)


def test_save_load_csv_round_trip(ei_model, tmp_path):
    m = ei_model(D_ee=2.0, I_e=0.2)
    br = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-3, 1)},
                      log_params=["I_e"])
    path = br.save(tmp_path / "b.npz")
    br2 = Branch.load(path)
    assert np.array_equal(br.x, br2.x) and np.array_equal(br.p, br2.p)
    assert br2.model_params == br.model_params and br2.free == ["I_e"]
    assert [s.label for s in br2.special] == [s.label for s in br.special]
    assert br2.special[0].data["l1"] == br.special[0].data["l1"]
    csv = br.to_csv(tmp_path / "b.csv")
    rows = np.loadtxt(csv, delimiter=",", skiprows=1)
    assert rows.shape[0] == len(br)


def test_bad_starts_and_options_give_clear_errors(ei_model):
    m = ei_model(D_ee=2.0, I_e=0.2)
    with pytest.raises(ValueError, match="unknown parameter 'Ie'"):
        continuation(m, "EP-C", m.steady_state()[0], ["Ie"])
    with pytest.raises(ValueError, match="unknown curve"):
        continuation(m, "XX-C", m.steady_state()[0], ["I_e"])
    with pytest.raises(ValueError, match=r"ds_min <= \|ds\| <= ds_max"):
        continuation(m, "EP-C", m.steady_state()[0], ["I_e"], ds=10.0)
    with pytest.raises(ValueError, match="unknown option 'dss' .did you mean 'ds'"):
        continuation(m, "EP-C", m.steady_state()[0], ["I_e"], dss=0.1)
    with pytest.raises(bifkit.errors.ConvergenceError, match="not an equilibrium"):
        continuation(m, "EP-C", {"R_e": float("nan"), "V_e": 0, "R_i": 0, "V_i": 0}, ["I_e"])


def test_nan_in_the_model_ends_the_run_cleanly(make_model):
    # x' = x - sqrt(2 - mu): the branch x = sqrt(2 - mu) ends at mu = 2, beyond it NaN
    m = make_model("nan_model", ["x"], {"mu": 0.0}, lambda x, mu: [x - sp.sqrt(2 - mu)])
    br = continuation(m, "EP-C", {"x": math.sqrt(2.0)}, ["mu"], direction="forward",
                      bounds={"mu": (-1, 5)}, ds=0.05)
    assert 1.9 < br.params["mu"].max() <= 2.0
    assert br.status == {"forward": "diverged"}   # NaN beyond mu = 2
    assert np.all(np.isfinite(br.x))
