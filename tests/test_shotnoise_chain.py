"""The shot-noise z_n chain, its coefficients I_nm, and the diffusion-approximation models.

Ageeva & Goldobin (2025): chain eqs. (6), (23); coefficients eqs. (7)-(10);
rate and voltage eqs. (15)-(17); diffusion chain eq. (29) and its 2CC reduction
(derived in models/shotnoise.py; eq. 30 as printed differs by a factor 1/2).
"""
import math

import numpy as np
import pytest

import bifkit
from bifkit.models.shotnoise import closure
from bifkit.models.shotnoise_coefficients import (coefficients, coefficients_mp,
                                                  coefficients_quadrature, zetas)

ALPHAS = [1e-4, 0.05, 1.0, 10.0]
BASE = dict(K=100.0, i0=0.4)            # alpha = g0 / (K^(3/4) sqrt(i0)) = g0 / 20
SQ = BASE["K"] ** 0.75 * math.sqrt(BASE["i0"])


def _rel_row_error(I, ref):
    return np.max(np.abs(I - ref)) / np.max(np.abs(ref))


# --------------------------------------------------------------------------- #
# Coefficients I_nm                                                            #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("alpha", ALPHAS)
def test_coefficients_match_mpmath_on_sample_rows(alpha):
    """Rows n = 1, 2, 37, 128 (all m <= 128) against the residue sum (10) in mpmath.

    Required: 1e-12 relative to the largest entry of each row (issue 2); the
    recurrence reaches a few 1e-15 (round-off, no growth along m).
    """
    I = coefficients(alpha, 128)
    for n in (1, 2, 37, 128):
        ref = coefficients_mp(alpha, n, 128)
        assert _rel_row_error(I[n], ref) < 1e-12, (alpha, n)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [1e-4, 1e-3, 1e-2, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0])
def test_coefficients_match_mpmath_full_grid(alpha):
    """Every row n = 1..128, m = 0..128 against mpmath (about 20 s per alpha)."""
    I = coefficients(alpha, 128)
    worst = max(_rel_row_error(I[n], coefficients_mp(alpha, n, 128)) for n in range(1, 129))
    assert worst < 1e-12, worst


def test_coefficients_match_the_printed_matrix():
    """Entries of matrix (10): I = 4/(alpha(alpha - 2i)) * calI, calI_n0 = zeta1^n/(zeta1 - zeta2)."""
    for alpha in (0.3, 2.0):
        z1, p = zetas(alpha)
        z2 = p / z1
        c = 4 / (alpha * (alpha - 2j))
        I = coefficients(alpha, 4)
        expected = {(1, 0): z1 / (z1 - z2), (1, 3): z1 ** 3, (2, 1): 2 * z1 ** 2,
                    (2, 2): 3 * z1 ** 3 - z1 ** 2 * z2,
                    (3, 3): 10 * z1 ** 5 - 8 * z1 ** 4 * z2 + z1 ** 3 * z2 ** 2,
                    (4, 4): 35 * z1 ** 7 - 45 * z1 ** 6 * z2 + 15 * z1 ** 5 * z2 ** 2
                    - z1 ** 4 * z2 ** 3}
        for (n, m), cal in expected.items():
            assert I[n, m] == pytest.approx(c * cal, rel=1e-13, abs=1e-15)
        assert np.array_equal(I[0], np.eye(5)[0])        # I_0m = delta_m0


@pytest.mark.parametrize("alpha", [1e-4, 1.0, 10.0])
def test_coefficients_match_trapezoid_quadrature(alpha):
    """Independent method: trapezoid rule on |zeta| = 1 with a Cauchy-bound node count."""
    I = coefficients(alpha, 128)
    Q = coefficients_quadrature(alpha, 128)
    rowmax = np.max(np.abs(I[1:]), axis=1)
    assert np.max(np.max(np.abs(I[1:] - Q[1:]), axis=1) / rowmax) < 1e-12


def test_coefficients_are_cached_and_validated():
    a = coefficients(0.7, 64)
    assert coefficients(0.7, 64) is a and not a.flags.writeable
    assert coefficients(0.7, 32) is not a
    np.testing.assert_array_equal(coefficients(0.7, 32), a[:33, :33])
    with pytest.raises(ValueError, match="alpha"):
        coefficients(0.0, 8)
    with pytest.raises(ValueError, match="M"):
        coefficients(0.5, 0)


def test_coefficient_columns_satisfy_parseval():
    """sum_n |I_nm|^2 = (1/2pi) int |g|^(2m) / D^2 dpsi = 1 + alpha^2/2 for every m >= 1.

    |g| = 1 on the circle and I_nm = 0 for n < 0 when m >= 1 (F_m is analytic
    outside |zeta1|), and mean(1/D^2) = A/(A^2 - R^2)^(3/2) with A = 1 + alpha^2/2,
    R^2 = alpha^2 + alpha^4/4, A^2 - R^2 = 1.  A global check of whole columns.
    """
    for alpha in (0.05, 0.5):
        I = coefficients(alpha, 400)
        col = np.sum(np.abs(I[:, 1:60]) ** 2, axis=0)   # converged: |zeta1|^340 negligible
        np.testing.assert_allclose(col, 1 + alpha ** 2 / 2, rtol=1e-12)


# --------------------------------------------------------------------------- #
# Models                                                                       #
# --------------------------------------------------------------------------- #
def _fd_jac(f, x, h=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(cols).T


@pytest.mark.parametrize("name,kw", [("shotnoise_chain", {"M": 40}),
                                     ("diffusion_chain", {"M": 40}),
                                     ("diffusion_2cc", {})])
def test_jacobian_matches_finite_differences_with_forcing(name, kw):
    """Exact Jacobians (incl. the non-holomorphic dependence through nu) vs central differences.

    h = 1e-6 on entries of order 0.1-1: truncation h^2 |f'''| and round-off eps |f|/h
    are both ~1e-10 of the Jacobian's scale.
    """
    m = bifkit.load_model(name, **kw, **BASE, g0=30.0, eta0=0.3, omega=2.0)
    rng = np.random.default_rng(4)
    x = m.pack(m.default_guess())
    x = x + 0.02 * rng.standard_normal(x.size) * (np.abs(x) > 1e-3)
    t = 0.37
    J = m.compiled.jac(t, x, m.p)
    Jfd = _fd_jac(lambda y: m.compiled.f(t, y, m.p), x)
    assert np.max(np.abs(J - Jfd)) < 1e-8 * np.max(np.abs(J))


@pytest.mark.parametrize("name", ["shotnoise_chain", "diffusion_chain"])
def test_parameter_derivatives_match_finite_differences_with_forcing(name):
    """Exact dfdp (dI/dalpha by the differentiated recurrence) vs central differences.

    h = 1e-6 relative: truncation and round-off ~1e-10 of the column's scale.
    """
    m = bifkit.load_model(name, M=40, **BASE, g0=30.0, eta0=0.3, omega=2.0)
    x = m.pack(m.default_guess())
    t = 0.37
    D = m.compiled.dfdp(t, x, m.p)
    for k in range(m.p.size):
        h = 1e-6 * max(1.0, abs(m.p[k]))
        q1, q2 = np.array(m.p), np.array(m.p)
        q1[k] += h
        q2[k] -= h
        col = (m.compiled.f(t, x, q1) - m.compiled.f(t, x, q2)) / (2 * h)
        assert np.max(np.abs(D[:, k] - col)) < 1e-8 * np.max(np.abs(col)), m.param_names[k]


def test_coefficient_alpha_derivative():
    """dI/dalpha from the differentiated recurrence vs a central difference of I (h = 1e-6 alpha)."""
    from bifkit.models.shotnoise_coefficients import fill_columns_dalpha
    for alpha in (0.05, 1.0, 10.0):
        T = np.empty((65, 65), dtype=complex)
        D = np.empty_like(T)
        fill_columns_dalpha(alpha, T, D)
        np.testing.assert_allclose(T.T, coefficients(alpha, 64), rtol=0, atol=1e-15)
        h = 1e-6 * alpha
        fd = (coefficients(alpha + h, 64) - coefficients(alpha - h, 64)) / (2 * h)
        assert np.max(np.abs(D.T - fd)) < 1e-8 * np.max(np.abs(D))


def _closure_pairs(rng, count=4):
    k1 = 0.4 * np.sqrt(rng.uniform(size=count)) * np.exp(2j * np.pi * rng.uniform(size=count))
    k2 = 0.05 * rng.uniform(size=count) * np.exp(2j * np.pi * rng.uniform(size=count))
    return zip(k1, k2)


@pytest.mark.parametrize("chain,reduced", [("shotnoise_chain", "shotnoise_2cc"),
                                           ("diffusion_chain", "diffusion_2cc")])
@pytest.mark.parametrize("alpha", [0.01, 0.3, 1.0, 3.0])
def test_2cc_equals_chain_on_the_closure(chain, reduced, alpha):
    """d kappa1 = dz1 and d kappa2 = dz2 - 2 z1 dz1 of the chain on z_m = k1^m + m(m-1)/2 k2 k1^(m-2).

    The closure is linear in kappa2 and the brackets of the 2CC models are the
    exact sums on it, so with M = 64 modes (|k1| <= 0.4: truncation 0.4^64 ~ 1e-26)
    the two must agree to round-off: 1e-12 of the size of the terms (K nu ~ 1e2).
    Checked with forcing on (eta0 = 0.3, t = 0.8) and off.
    """
    params = dict(BASE, g0=alpha * SQ)
    rng = np.random.default_rng(int(alpha * 1000))
    for eta0 in (0.0, 0.3):
        big = bifkit.load_model(chain, M=64, **params, eta0=eta0)
        small = bifkit.load_model(reduced, **params, eta0=eta0)
        for k1, k2 in _closure_pairs(rng):
            z = closure(k1, k2, 64)
            dz = big.rhs(z, t=0.8)
            ref = small.rhs({"k1": k1, "k2": k2}, t=0.8)
            nu = small.observables({"k1": k1, "k2": k2})["nu"]
            scale = max(1.0, BASE["K"] * abs(nu), abs(ref["k1"]))
            assert abs(dz[0] - ref["k1"]) < 1e-12 * scale
            assert abs(dz[1] - 2 * k1 * dz[0] - ref["k2"]) < 1e-12 * scale


def test_printed_eq30_disagrees_with_the_diffusion_chain():
    """Eq. (30) as printed has A((1+k1)^2 + k2) where eq. (29) gives A((1+k1)^2 + k2)/2.

    The chain's dz1 minus the printed drift is off by exactly i s A ((1+k1)^2+k2)/2;
    the derived model (diffusion_2cc) is not.
    """
    params = dict(BASE, g0=6.0, eta0=0.2)
    chain = bifkit.load_model("diffusion_chain", M=64, **params)
    derived = bifkit.load_model("diffusion_2cc", **params)
    k1, k2, t = 0.25 + 0.1j, 0.02 - 0.01j, 0.4
    dz1 = chain.rhs(closure(k1, k2, 64), t=t)[0]
    s = BASE["K"] ** 0.25 * math.sqrt(BASE["i0"])
    nu = derived.observables({"k1": k1, "k2": k2})["nu"]
    A = 0.2 * math.cos(2.0 * t) - params["g0"] * nu / params["i0"]
    c = params["g0"] ** 2 / (params["i0"] * math.sqrt(BASE["K"]))
    printed = 1j * s * (2 * k1 + A * ((1 + k1) ** 2 + k2)) \
        - c * nu / 4 * ((1 + k1) ** 3 + 3 * k2 * (1 + k1))
    half = 1j * s * A * ((1 + k1) ** 2 + k2) / 2
    assert abs(derived.rhs({"k1": k1, "k2": k2}, t=t)["k1"] - dz1) < 1e-12 * abs(dz1)
    assert abs((printed - dz1) - half) < 1e-12 * abs(dz1)
    assert abs(half) > 0.1 * abs(dz1)          # the discrepancy is not small


@pytest.mark.parametrize("alpha", [0.01, 1.0])
def test_rate_formula_16_equals_series_15_on_closure(alpha):
    """nu, v of eq. (16)-(17) (2CC models) against the truncated series (15) of the chain."""
    params = dict(BASE, g0=alpha * SQ)
    chain = bifkit.load_model("shotnoise_chain", M=64, **params)
    small = bifkit.load_model("shotnoise_2cc", **params)
    for k1, k2 in _closure_pairs(np.random.default_rng(7)):
        a = chain.observables(closure(k1, k2, 64))
        b = small.observables({"k1": k1, "k2": k2})
        assert a["nu"] == pytest.approx(b["nu"], rel=1e-13, abs=1e-14)
        assert a["v"] == pytest.approx(b["v"], rel=1e-13, abs=1e-14)


def test_forcing_enters_the_chain_as_eq_23():
    """f(eta0) - f(0) = i n s eta [z_n + (z_{n-1} + z_{n+1})/2] (z_0 = 1, z_{M+1} = 0)."""
    M = 12
    m0 = bifkit.load_model("shotnoise_chain", M=M, **BASE, g0=1.0)
    m1 = m0.with_params(eta0=0.4, omega=3.0)
    z = closure(0.3 - 0.1j, 0.01 + 0.02j, M)
    t = 0.7
    d = m1.rhs(z, t=t) - m0.rhs(z, t=t)
    eta = 0.4 * math.cos(3.0 * t)
    s = BASE["K"] ** 0.25 * math.sqrt(BASE["i0"])
    zz = np.concatenate([[1.0], z, [0.0]])
    n = np.arange(1, M + 1)
    np.testing.assert_allclose(d, 1j * n * s * eta * (zz[1:-1] + (zz[:-2] + zz[2:]) / 2),
                               atol=1e-12)


@pytest.mark.parametrize("params", [dict(K=100.0, i0=0.4, g0=1.0), dict(K=1000.0, i0=0.2, g0=1.0),
                                    dict(K=30.0, i0=0.05, g0=1.0)])
def test_chain_stationary_state_by_newton(params):
    """find_equilibrium converges from the default guess (the 2CC equilibrium on the closure).

    The chain's rate is close to, but not equal to, the 2CC rate (Ageeva & Goldobin
    2025, Fig. 2: within a few per cent for i0/g0^2 >= 0.03).
    """
    m = bifkit.load_model("shotnoise_chain", M=64, **params)
    eq = bifkit.find_equilibrium(m, tol=1e-12)
    x = m.pack(eq)
    assert np.max(np.abs(m.compiled.f(0.0, x, m.p))) < 1e-9
    nu = m.observables(eq)["nu"]
    nu2 = bifkit.load_model("shotnoise_2cc", **params).observables(
        bifkit.find_equilibrium(bifkit.load_model("shotnoise_2cc", **params)))["nu"]
    assert 0 < nu and abs(nu - nu2) < 0.05 * nu
    # modes decay: the truncation at M = 64 is harmless
    assert abs(eq["z64"]) < 1e-10 * abs(eq["z1"])


def test_diffusion_chain_stationary_state_by_newton():
    m = bifkit.load_model("diffusion_chain", M=64, K=1e4, i0=0.4, g0=1.0)
    eq = bifkit.find_equilibrium(m, tol=1e-12)
    assert np.max(np.abs(m.compiled.f(0.0, m.pack(eq), m.p))) < 1e-9
    # large K: balance nu -> i0/g0 (the mean input vanishes)
    assert m.observables(eq)["nu"] == pytest.approx(0.4, rel=0.05)


@pytest.mark.parametrize("name", ["shotnoise_chain", "diffusion_chain"])
def test_mode_count_is_structural_and_validated(name):
    m = bifkit.load_model(name, M=8)
    assert m.states == [f"z{n}" for n in range(1, 9)] and m.n == 16
    assert m.complex_states == frozenset(m.states)
    assert bifkit.load_model(name).definition.structural == {"M": 64}
    m2 = m.with_params(M=5, K=50.0)
    assert m2.n == 10 and m2.params["K"] == 50.0
    assert m.with_params(K=3.0).compiled is m.compiled
    for bad in (1, 0, -3, 2.5, True, "4"):
        with pytest.raises(ValueError, match=r"M = .*integer >= 2"):
            bifkit.load_model(name, M=bad)


@pytest.mark.parametrize("name", ["shotnoise_chain", "diffusion_chain", "diffusion_2cc"])
@pytest.mark.parametrize("bad,match", [({"K": 0.0}, "K > 0"), ({"K": -1.0}, "K > 0"),
                                       ({"i0": 0.0}, "i0 > 0"), ({"i0": -0.2}, "i0 > 0"),
                                       ({"g0": 0.0}, "g0 > 0"), ({"Kx": 1.0}, "unknown parameter")])
def test_domain_errors(name, bad, match):
    kw = {"M": 4} if "chain" in name else {}
    with pytest.raises(ValueError, match=match):
        bifkit.load_model(name, **kw, **bad)


def test_chain_extras_and_observables():
    m = bifkit.load_model("shotnoise_chain", M=16, K=100.0, i0=0.4, g0=2.0)
    assert m.alpha() == pytest.approx(2.0 / (100 ** 0.75 * math.sqrt(0.4)))
    np.testing.assert_array_equal(m.coefficients(), coefficients(m.alpha(), 16))
    obs = m.observables(m.default_guess())
    assert set(obs) == {"nu", "v", "tail"} and obs["nu"] > 0 and 0 <= obs["tail"] < 1
