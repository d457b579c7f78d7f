"""Issue 15 item 2: l2 at GH without derivative tensors (bifkit.continuation.jets).

The normal-form nonlinearity N(H) (coefficients of w^j wbar^k of f(x0 + H)) is computed by
evaluating the model's sympy right-hand side on truncated bivariate Taylor series.
Independent references, named beside each check:
* the exact sympy derivative tensors (degeneracy.SymbolicDerivatives: the existing path),
* closed forms of the Bautin normal form (tests/zoo_models.py: l2 = 4 s / w),
* the compiled Jacobian and first Lyapunov coefficient (codegen kernels of the real-split
  rows: bifkit.continuation.ep.normal_forms.first_lyapunov_coefficient).
"""
import numpy as np
import pytest
import sympy as sp

import zoo_models as zoo
import bifkit
from bifkit import ModelDefinition
from bifkit.continuation import continuation
from bifkit.continuation.degeneracy import (SymbolicDerivatives, _nonlinear_coefficient,
                                            hopf_normal_form)
from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient
from bifkit.continuation.jets import Jet, JetRHS
from bifkit.model import complex_state, real_symbols


def _random_real_H(n, rng, max_degree=4):
    """A real centre-manifold-like expansion: H[(k, j)] = conj(H[(j, k)]), degrees 1..4."""
    H = {}
    for d in range(1, max_degree + 1):
        for j in range(d, -1, -1):
            k = d - j
            if j < k:
                break
            v = rng.normal(size=n) + 1j * rng.normal(size=n) if j != k else rng.normal(size=n) + 0j
            H[(j, k)], H[(k, j)] = v, np.conj(v)
    return H


def _assert_same_N(model, x, p, seed=0):
    tensors = SymbolicDerivatives(model).at(x, p, order=5)
    jets = JetRHS(model).at(x, p)
    np.testing.assert_allclose(jets.A, tensors.A, rtol=1e-12, atol=1e-13)
    rng = np.random.default_rng(seed)
    H_all = _random_real_H(len(x), rng)
    for degree in range(2, 6):
        H = {k: v for k, v in H_all.items() if sum(k) < degree}
        Nt = _nonlinear_coefficient(tensors, H, degree, maxform=5)
        Nj = _nonlinear_coefficient(jets, H, degree, maxform=5)
        scale = max(np.max(np.abs(v)) for v in Nt.values())
        for key in Nj:
            np.testing.assert_allclose(Nj[key], Nt.get(key, 0 * Nj[key]),
                                       rtol=1e-10, atol=1e-10 * scale, err_msg=f"{key}")


# ------------------------------------------------------------------ check (1): E-I at GH
@pytest.fixture(scope="module")
def ei_gh():
    m = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-5, 200.0)},
                      log_params=["I_e"])
    hc = continuation(m, "H-C", ep.special_points("H")[0], ["I_e", "D_ee"],
                      bounds={"I_e": (1e-5, 200.0), "D_ee": (0.5, 4.0)}, log_params=["I_e"])
    (gh,) = hc.special_points("GH")
    mg = m.with_params(**gh.params)
    return mg, m.pack(gh.state), np.array(mg.p, float), gh


def test_ei_jet_nonlinearity_equals_the_tensor_one_at_gh(ei_gh):
    m, x, p, _ = ei_gh
    _assert_same_N(m, x, p)                       # reference: exact sympy tensors


def test_ei_l2_from_jets_equals_the_tensor_l2(ei_gh):
    m, x, p, gh = ei_gh
    nt = hopf_normal_form(SymbolicDerivatives(m).at(x, p, order=5))   # reference: tensors
    nj = hopf_normal_form(JetRHS(m).at(x, p))
    assert nj.l2 == pytest.approx(nt.l2, rel=1e-10)
    assert nj.c2 == pytest.approx(nt.c2, rel=1e-10)
    assert nj.omega == pytest.approx(nt.omega, rel=1e-12)
    # the curve itself keeps the tensor path for the E-I model (4 real states)
    assert gh.data["l2"] == pytest.approx(nt.l2, rel=1e-12)


def test_functions_of_the_series_match_the_tensors():
    """exp, log, sqrt, sin, cos, tanh, a real power and a quotient: jets vs exact tensors."""
    m = zoo.model_from_rhs("jet_functions", ["x", "y", "z"], {"a": 0.7},
                           lambda x, y, z, a: [sp.exp(x * y) - sp.log(2 + z) + a * sp.tanh(y),
                                               sp.sqrt(3 + x) * sp.sin(z) - y / (2 + x ** 2),
                                               sp.cos(x - z) * (1.5 + y) ** sp.Rational(3, 2)
                                               + z ** 3])
    _assert_same_N(m, np.array([0.3, -0.2, 0.4]), m.p, seed=3)


# ------------------------------------------------------------------ check (2): closed forms
@pytest.mark.parametrize("w, s", [(2.0, -1.0), (0.7, 0.25)])
def test_l2_of_the_bautin_normal_form_via_jets(w, s):
    m = zoo.bautin(mu=0.0, nu=0.0, w=w, b=0.3, s=s)
    nf = hopf_normal_form(JetRHS(m).at(np.zeros(2), m.p))
    assert nf.l1 == pytest.approx(0.0, abs=1e-14)                 # closed form l1 = 2 nu / w
    assert nf.l2 == pytest.approx(4 * s / w, rel=1e-12)           # closed form l2 = 4 s / w


def _complex_bautin(w, s, b=0.3):
    """The Bautin normal form written with a complex state z (rows split re/im on the
    series): z' = i w z + i b z|z|^2 + s z|z|^4; l1 = 0, l2 = 4 s / w (closed form)."""
    z, zs = complex_state("z")
    ww, bb, ss = real_symbols("w b s")
    r2 = z * sp.conjugate(z)
    rhs = sp.I * ww * z + sp.I * bb * z * r2 + ss * z * r2 ** 2
    d = ModelDefinition.from_sympy("jet_cbautin", [("z", (z, zs))],
                                   [(ww, w), (bb, b), (ss, s)], [rhs])
    return bifkit.Model(d)


@pytest.mark.parametrize("w, s", [(2.0, -1.0), (0.7, 0.25)])
def test_l2_of_a_complex_valued_bautin_model_via_jets(w, s):
    m = _complex_bautin(w, s)
    assert m.complex_states == frozenset({"z"})
    nf = hopf_normal_form(JetRHS(m).at(np.zeros(2), m.p))
    assert nf.omega == pytest.approx(w, rel=1e-12)
    assert nf.l1 == pytest.approx(0.0, abs=1e-14)                 # closed form: no Re cubic
    assert nf.l2 == pytest.approx(4 * s / w, rel=1e-12)           # closed form l2 = 4 s / w


# ------------------------------------------------------------------ check (3): the 2CC model
@pytest.fixture(scope="module")
def twocc_hopf_curve():
    m = bifkit.load_model("shotnoise_2cc", K=10.0, i0=0.4, g0=1.0)
    x = bifkit.find_equilibrium(m, m.default_guess())
    ep = continuation(m, "EP-C", x, ["K"], bounds={"K": (1.0, 3e5)}, log_params=["K"])
    hc = continuation(m, "H-C", ep.special_points("H")[0], ["K", "i0"],
                      bounds={"K": (1.0, 3e5), "i0": (1e-4, 10.0)}, log_params=["K", "i0"],
                      max_points=3000)
    return m, hc, ep.special_points("H")[0]


def test_2cc_gh_point_gets_a_finite_l2(twocc_hopf_curve):
    m, hc, _ = twocc_hopf_curve
    ghs = hc.special_points("GH")
    assert len(ghs) == 1                  # measured: one GH at K = 77.02, i0 = 0.1971
    gh = ghs[0]
    assert np.isfinite(gh.data["l2"]) and gh.data["l2"] != 0.0
    assert abs(gh.data["l1"]) < 1e-9      # it is a zero of l1 (compiled l1)
    mg = m.with_params(**gh.params)
    x, p = m.pack(gh.state), np.array(mg.p, float)
    forms = JetRHS(mg).at(x, p)
    # the jets' Jacobian of the re/im-split rows equals the compiled (codegen) Jacobian
    np.testing.assert_allclose(forms.A, mg.compiled.jac(0.0, x, p), rtol=1e-12, atol=1e-12)
    nf = hopf_normal_form(forms)
    assert nf.l2 == gh.data["l2"]
    assert abs(nf.l1) < 1e-9


def test_2cc_jet_l1_equals_the_compiled_l1(twocc_hopf_curve):
    """Orders 2 and 3 of the complex split against the compiled B, C kernels (independent
    codegen of the real-split rows): at the EP-C Hopf point (Re lambda ~ 1e-13) to 1e-10;
    at H-C points (corrector tolerance: Re lambda ~ 1e-9, where the two formulas differ
    at that order; measured 2.6e-8 relative) to 1e-6."""
    m, hc, h = twocc_hopf_curve
    mh = m.with_params(**h.params)
    x, p = m.pack(h.state), np.array(mh.p, float)
    l1_ref, w_ref = first_lyapunov_coefficient(mh, x, p)          # reference: compiled kernels
    nf = hopf_normal_form(JetRHS(mh).at(x, p), order=3)
    assert nf.omega == pytest.approx(w_ref, rel=1e-12)
    assert nf.l1 == pytest.approx(l1_ref, rel=1e-10)
    for i in np.linspace(0, len(hc.params["K"]) - 1, 5).astype(int):
        x, p = hc.x[i], hc.p[i]
        mi = m.with_params(K=hc.params["K"][i], i0=hc.params["i0"][i])
        assert np.array_equal(np.array(mi.p, float), p)
        l1_ref, w_ref = first_lyapunov_coefficient(mi, x, p)
        nf = hopf_normal_form(JetRHS(mi).at(x, p), order=3)
        assert nf.omega == pytest.approx(w_ref, rel=1e-8)
        assert nf.l1 == pytest.approx(l1_ref, rel=1e-6, abs=1e-12)


# ------------------------------------------------------------------ bad input
def test_non_analytic_function_is_a_clear_error():
    m = zoo.model_from_rhs("jet_abs", ["x", "y"], {"a": 1.0},
                           lambda x, y, a: [-y + sp.Abs(x) * x, x - a * y])
    with pytest.raises(ValueError, match="Abs"):
        JetRHS(m)


def test_jets_of_different_degrees_do_not_mix():
    with pytest.raises(ValueError, match="degrees"):
        Jet.constant(1.0, 3) * Jet.constant(1.0, 5)


def test_2cc_l2_sign_agrees_with_the_lpc_curve_from_gh(twocc_hopf_curve):
    """Bautin geometry (Kuznetsov 2004 sec. 8.3; zoo Bautin: LPC at R^2 = -nu / (2 s)): the
    fold-of-cycles curve leaves the GH point on the side of the Hopf curve where l1 has the
    sign opposite to l2.  Independent of the jets: LPC-C is a collocation computation."""
    m, hc, _ = twocc_hopf_curve
    (gh,) = hc.special_points("GH")
    lpc = continuation(m, "LPC-C", gh, ["K", "i0"], bounds={"K": (1.0, 3e5), "i0": (1e-4, 10.0)},
                       log_params=["K", "i0"], max_points=30)
    g = np.log([gh.params["K"], gh.params["i0"]])
    L = np.c_[np.log(lpc.params["K"]), np.log(lpc.params["i0"])]
    Hc = np.c_[np.log(hc.params["K"]), np.log(hc.params["i0"])]
    near = [i for i in range(len(lpc)) if 1e-3 < np.linalg.norm(L[i] - g) < 0.05]
    assert len(near) >= 3
    for i in near:
        j = int(np.argmin(np.linalg.norm(Hc - L[i], axis=1)))
        assert np.sign(hc.data["l1"][j]) == -np.sign(gh.data["l2"])   # measured l2 = -0.329


def test_a_row_without_states_is_a_constant_series():
    """A row that does not depend on the states (lambdify returns a number) is a constant."""
    m = zoo.model_from_rhs("jet_const_row", ["x", "y", "z"], {"a": 0.5},
                           lambda x, y, z, a: [-y + x * z, x + y ** 2, a])
    forms = JetRHS(m).at(np.array([0.1, 0.2, 0.3]), m.p)
    np.testing.assert_allclose(forms.A, m.compiled.jac(0.0, np.array([0.1, 0.2, 0.3]), m.p),
                               atol=1e-15)                  # reference: compiled Jacobian
    assert not forms.A[2].any()
    N = forms.nonlinear_coefficient({(1, 0): np.ones(3) + 0j, (0, 1): np.ones(3) + 0j}, 2)
    assert all(v[2] == 0 for v in N.values())


def test_gh_of_a_model_the_series_cannot_evaluate_keeps_the_point_without_l2(caplog):
    """curve._jet_l2: a non-analytic row (Abs) gives no l2 and a logged reason, not a crash,
    and the point is kept (True); a model the jets can evaluate gets l2 (closed form)."""
    from types import SimpleNamespace
    from bifkit.continuation.codim2.curve import _jet_l2
    bad = zoo.model_from_rhs("jet_abs_gh", ["x", "y"], {"a": 1.0},
                             lambda x, y, a: [-y + sp.Abs(x) * x, x - a * y])
    good = _complex_bautin(2.0, -1.0)
    for m, expect in ((bad, None), (good, 4 * -1.0 / 2.0)):      # closed form 4 s / w
        prob = SimpleNamespace(model=m, n=2, _jets=None, params=lambda y, m=m: np.array(m.p))
        info = {}
        assert _jet_l2(prob, np.zeros(2), info) is True
        if expect is None:
            assert "l2" not in info and "Abs" in caplog.text
        else:
            assert info["l2"] == pytest.approx(expect, rel=1e-12)
