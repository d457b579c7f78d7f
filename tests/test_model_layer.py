"""Contracts of the model layer, checked for every model in the catalogue.

Reference: central finite differences; tolerances follow from the step
h ~ eps^(1/3) (truncation h^2 ~ 4e-11, round-off eps/h ~ 4e-11, relative to the
scale of the derivative).
"""
import numpy as np
import pytest
import sympy as sp

import bifkit
from bifkit.model import Constraint, ModelDefinition, complex_state, real_symbols

SMALL_MODELS = ["ei_neural_mass", "mpr", "shotnoise_oa", "shotnoise_2cc", "diffusion_2cc"]
CHAIN_MODELS = ["shotnoise_chain", "diffusion_chain"]


def _random_state(model, rng):
    """A state near the model's default guess (rates stay positive)."""
    x0 = model.pack(model.default_guess())
    return x0 * (1 + 0.05 * rng.standard_normal(x0.size)) + 0.01 * rng.standard_normal(x0.size)


def _fd(fun, x, h):
    """Central-difference Jacobian of fun at x, column by column."""
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h * max(1.0, abs(x[j]))
        cols.append((fun(x + e) - fun(x - e)) / (2 * e[j]))
    return np.array(cols).T


def _load(name):
    kw = {"M": 24} if name in CHAIN_MODELS else {}
    return bifkit.load_model(name, **kw)


@pytest.mark.parametrize("name", SMALL_MODELS + CHAIN_MODELS)
def test_jacobian_matches_finite_differences(name):
    model = _load(name)
    rng = np.random.default_rng(0)
    x = _random_state(model, rng)
    p = model.p
    f, jac = model.compiled.f, model.compiled.jac
    J = jac(0.0, x, p)
    Jfd = _fd(lambda y: f(0.0, y, p), x, 6e-6)
    scale = np.max(np.abs(J)) + 1e-300
    assert np.max(np.abs(J - Jfd)) / scale < 1e-7


@pytest.mark.parametrize("name", SMALL_MODELS + CHAIN_MODELS)
def test_parameter_derivatives_match_finite_differences(name):
    model = _load(name)
    x = _random_state(model, np.random.default_rng(1))
    p = np.array(model.p)
    f = model.compiled.f
    D = model.compiled.dfdp(0.0, x, p)
    for k in range(p.size):
        h = 6e-6 * max(1.0, abs(p[k]))
        q1, q2 = p.copy(), p.copy()
        q1[k] += h
        q2[k] -= h
        col = (f(0.0, x, q1) - f(0.0, x, q2)) / (2 * h)
        scale = np.max(np.abs(col)) + np.max(np.abs(D)) * 1e-3 + 1e-300
        assert np.max(np.abs(D[:, k] - col)) / scale < 1e-6, model.param_names[k]


@pytest.mark.parametrize("name", SMALL_MODELS)
def test_multilinear_forms_match_finite_differences(name):
    """B(x)[u,v] = d/ds J(x+s v) u and C(x)[u,v,w] = d/ds B(x+s w)[u,v]; dJdp."""
    model = _load(name)
    rng = np.random.default_rng(2)
    x = _random_state(model, rng)
    p = model.p
    c = model.compiled
    u, v, w = (rng.standard_normal(x.size) * 0.1 for _ in range(3))
    h = 1e-5
    Bfd = (c.jac(0.0, x + h * v, p) @ u - c.jac(0.0, x - h * v, p) @ u) / (2 * h)
    B = c.B(0.0, x, p, u, v)
    assert np.max(np.abs(B - Bfd)) <= 1e-6 * (np.max(np.abs(B)) + 1e-12)
    Cfd = (c.B(0.0, x + h * w, p, u, v) - c.B(0.0, x - h * w, p, u, v)) / (2 * h)
    C = c.C(0.0, x, p, u, v, w)
    assert np.max(np.abs(C - Cfd)) <= 1e-5 * (np.max(np.abs(C)) + 1e-12)
    assert np.allclose(c.B(0.0, x, p, u, v), c.B(0.0, x, p, v, u), rtol=1e-12, atol=1e-14)
    dJ = c.dJdp(0.0, x, p)
    for k in range(p.size):
        hk = 1e-6 * max(1.0, abs(p[k]))
        q1, q2 = np.array(p), np.array(p)
        q1[k] += hk
        q2[k] -= hk
        ref = (c.jac(0.0, x, q1) - c.jac(0.0, x, q2)) / (2 * hk)
        assert np.max(np.abs(dJ[k] - ref)) <= 1e-6 * (np.max(np.abs(ref)) + np.max(np.abs(dJ)) * 1e-3 + 1e-12)


def test_unknown_parameter_is_named():
    with pytest.raises(ValueError, match=r"unknown parameter 'Ie'.*did you mean 'I_e'"):
        bifkit.load_model("ei_neural_mass", Ie=0.2)
    with pytest.raises(ValueError, match="unknown model"):
        bifkit.load_model("ei_neural_mas")


@pytest.mark.parametrize("name,bad,match", [
    ("ei_neural_mass", {"K": 0.0}, "K = 0.0.*K > 0"),
    ("ei_neural_mass", {"K": -5}, "K > 0"),
    ("ei_neural_mass", {"D_ee": -0.1}, "D_ee >= 0"),
    ("mpr", {"Delta": -1.0}, "Delta >= 0"),
    ("ei_neural_mass", {"I_e": float("nan")}, "finite"),
])
def test_domain_errors_name_the_parameter(name, bad, match):
    with pytest.raises(ValueError, match=match):
        bifkit.load_model(name, **bad)
    with pytest.raises(ValueError, match=match):
        bifkit.load_model(name).with_params(**bad)


def test_complex_states_round_trip_and_rhs():
    """A complex Stuart-Landau model: users see complex numbers, numerics real pairs."""
    z, (zr, zi) = complex_state("z")
    a, w = real_symbols("a w")
    d = ModelDefinition.from_sympy("test_stuart_landau", [("z", (z, (zr, zi)))],
                                   [(a, 1.0), (w, 2.0)],
                                   [(a + sp.I * w) * z - z * z * sp.conjugate(z)],
                                   constraints=[Constraint("w", lambda v: v != 0, "w != 0")])
    m = bifkit.Model(d, {"a": 0.5})
    assert m.state_names == ["z.re", "z.im"]
    z0 = 0.3 - 0.4j
    assert m.unpack(m.pack({"z": z0})) == {"z": z0}
    expected = (0.5 + 2j) * z0 - z0 * abs(z0) ** 2
    assert abs(m.rhs({"z": z0})["z"] - expected) < 1e-15
    assert abs(m.rhs(np.array([z0]))[0] - expected) < 1e-15
    # the real-split Jacobian of a non-holomorphic map
    J = m.jacobian({"z": z0})
    x, y = z0.real, z0.imag
    Jref = np.array([[0.5 - 3 * x * x - y * y, -2.0 - 2 * x * y],
                     [2.0 - 2 * x * y, 0.5 - x * x - 3 * y * y]])
    assert np.allclose(J, Jref, atol=1e-14)
    with pytest.raises(ValueError, match="lacks z"):
        m.pack({})


def test_undeclared_symbol_is_rejected():
    x, = real_symbols("x")
    q = sp.Symbol("q")
    with pytest.raises(ValueError, match="undeclared symbols.*q"):
        ModelDefinition.from_sympy("bad", [("x", x)], [], [q * x])


def test_with_params_does_not_touch_original():
    m = bifkit.load_model("ei_neural_mass", I_e=0.2)
    m2 = m.with_params(I_e=0.3)
    assert m.params["I_e"] == 0.2 and m2.params["I_e"] == 0.3
    assert m2.compiled is m.compiled  # no recompilation


def test_find_equilibrium_errors_are_clear():
    m = bifkit.load_model("mpr", Delta=1.0, J=15.0, eta=-5.0)
    with pytest.raises(ValueError, match="guess .* is not finite"):   # bad input, named
        bifkit.find_equilibrium(m, {"R": float("nan"), "V": 0.0})


@pytest.mark.parametrize("name", SMALL_MODELS)
def test_generated_code_matches_sympy_evaluation(name):
    """The compiled kernels against sympy's own arbitrary-precision evaluation.

    This checks the printer (operator precedence, powers, complex parts),
    independently of any finite difference.
    """
    model = _load(name)
    sym = model.symbolic
    x = _random_state(model, np.random.default_rng(3))
    subs = {**dict(zip(sym.x, x)), **dict(zip(sym.p, model.p)), sym.t: 0.3}
    f = model.compiled.f(0.3, x, model.p)
    ref = np.array([complex(sp.N(e.subs(subs), 30)) for e, _ in sym.rows])
    ref = np.array([r.real if part in (None, "re") else r.imag
                    for r, (_, part) in zip(ref, sym.rows)])
    assert np.allclose(f, ref, rtol=1e-12, atol=1e-12 * np.max(np.abs(ref)))
    J = model.compiled.jac(0.3, x, model.p)
    i = int(np.argmax(np.abs(ref)))
    e, part = sym.rows[i]
    for j, xj in enumerate(sym.x):
        d = complex(sp.N(sp.diff(e, xj).subs(subs), 30))
        d = d.real if part in (None, "re") else d.imag
        assert J[i, j] == pytest.approx(d, rel=1e-11, abs=1e-12 * np.max(np.abs(J)))
