"""OA and 2CC reductions of the shot-noise mean field (Ageeva & Goldobin 2025)."""
import math

import numpy as np
import pytest

import bifkit


def _leading_ratio(K, i0, g0=1.0):
    m = bifkit.load_model("shotnoise_oa", K=K, i0=i0, g0=g0)
    s = bifkit.find_equilibrium(m)
    lead = m.eigenvalues(s)[0].real
    return lead / (-g0 ** 2 / (2 * math.pi * math.sqrt(i0) * K ** 0.25))


def test_oa_leading_eigenvalue_asymptotics():
    """MODELS.md section 4: Re(lambda) ~ -g0^2/(2 pi sqrt(i0) K^(1/4)) for large K or i0/g0^2."""
    in_K = [_leading_ratio(K, 0.4) for K in (1e6, 1e8, 1e10)]
    in_i0 = [_leading_ratio(100.0, i0) for i0 in (1.0, 10.0, 100.0)]
    for ratios in (in_K, in_i0):
        errs = [abs(r - 1) for r in ratios]
        assert errs[0] > errs[1] > errs[2] and errs[2] < 0.02, ratios


def test_rate_tends_to_balance_for_large_K():
    """The balanced rate nu -> i0/g0 as K -> infinity (mean input vanishes)."""
    errs = []
    for K in (1e4, 1e6, 1e8):
        m = bifkit.load_model("shotnoise_2cc", K=K, i0=0.4, g0=1.0)
        s = bifkit.find_equilibrium(m)
        errs.append(abs(m.observables(s)["nu"] - 0.4))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3


def test_weak_noise_rate_is_deterministic_qif():
    """alpha -> 0 (tiny coupling): nu = sqrt(I0)/pi, the noise-free QIF rate."""
    K, i0 = 100.0, 0.4
    for name in ("shotnoise_oa", "shotnoise_2cc"):
        m = bifkit.load_model(name, K=K, i0=i0, g0=1e-6)
        s = bifkit.find_equilibrium(m)
        assert m.observables(s)["nu"] == pytest.approx(math.sqrt(i0 * math.sqrt(K)) / math.pi,
                                                        rel=1e-5)


def test_forced_model_refuses_equilibrium():
    m = bifkit.load_model("shotnoise_2cc", eta0=0.4)
    assert not m.is_autonomous()
    with pytest.raises(ValueError, match="forced"):
        bifkit.find_equilibrium(m)


def test_forcing_enters_through_time():
    """eta(t) = eta0 cos(omega t) changes the rhs by i sqrt(I0) eta ((1+k1)^2 + k2)/2 (eq. 24)."""
    m0 = bifkit.load_model("shotnoise_2cc", K=100, i0=0.4, g0=1.0)
    m1 = m0.with_params(eta0=0.4, omega=2.0)
    st = {"k1": 0.3 - 0.1j, "k2": 0.01 + 0.02j}
    t = 0.7
    d = m1.rhs(st, t=t)["k1"] - m0.rhs(st, t=t)["k1"]
    eta = 0.4 * math.cos(2.0 * t)
    expected = 1j * math.sqrt(0.4 * 10) * eta * ((1 + st["k1"]) ** 2 + st["k2"]) / 2
    assert abs(d - expected) < 1e-13


@pytest.mark.parametrize("bad,match", [({"i0": 0.0}, "i0 > 0"), ({"K": -1.0}, "K > 0"),
                                       ({"g0": 0.0}, "g0 > 0")])
def test_domain(bad, match):
    with pytest.raises(ValueError, match=match):
        bifkit.load_model("shotnoise_2cc", **bad)
