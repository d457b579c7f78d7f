"""A Bautin (GH) point on H-C of a model without a symbolic form: the shot-noise z_n chain
(Ageeva & Goldobin 2025, eqs. 6, 23; hand-written kernels, l1 from finite-difference B and C).

Its l1 along H-C is noisy at the 1e-6 level (finite differences at n = 64 real states), so the
located l1 zero is not ~0 to rounding; the pole-versus-root test used to require |l1| <= 1e-4
of the smaller end value and dropped this genuine GH (l1 changed sign along the curve with no
label).  Independent check: EP-C Hopf points at i0 3 % on either side of the located GH, with
l1 from ``first_lyapunov_coefficient`` (numpy eigenvectors of the full Jacobian, not H-C's
bordered ones), have opposite signs.
"""
import numpy as np
import pytest

import bifkit
from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient

M = 32   # the GH is near K = 211, i0 = 9.4e-4 at M = 32 (K = 209, i0 = 9.9e-4 at M = 64)


def _hopf_l1(m, i0):
    """(K, l1) of the Hopf point of EP-C in K (150..260) at this i0, l1 by the numpy route."""
    mi = m.with_params(i0=i0, K=180.0)
    ep = bifkit.continuation(mi, "EP-C", bifkit.find_equilibrium(mi), ["K"],
                             bounds={"K": (150.0, 260.0)}, log_params=["K"], direction="forward")
    (h,) = ep.special_points("H")
    mh = m.with_params(**h.params)
    return h.params["K"], first_lyapunov_coefficient(mh, mh.pack(h.state), mh.p)[0]


@pytest.fixture(scope="module")
def chain_hopf_curve():
    m = bifkit.load_model("shotnoise_chain", M=M, K=180.0, i0=1e-3, g0=1.0)
    ep = bifkit.continuation(m, "EP-C", bifkit.find_equilibrium(m), ["K"],
                             bounds={"K": (150.0, 260.0)}, log_params=["K"], direction="forward")
    (h,) = ep.special_points("H")
    hc = bifkit.continuation(m, "H-C", h, ["K", "i0"],
                             bounds={"K": (100.0, 400.0), "i0": (5e-4, 2e-3)},
                             log_params=["K", "i0"], ds_max=0.05)
    return m, hc


def test_every_l1_sign_change_is_a_gh_point(chain_hopf_curve):
    _, hc = chain_hopf_curve
    l1 = hc.data["l1"]
    changes = np.flatnonzero(np.sign(l1[:-1]) * np.sign(l1[1:]) < 0)
    gh = hc.special_points("GH")
    assert len(changes) == 1                      # a single Bautin point in this window
    assert [s.index for s in gh] == list(changes)
    (s,) = gh
    assert min(l1[s.index], l1[s.index + 1]) < 0 < max(l1[s.index], l1[s.index + 1])
    assert abs(s.data["l1"]) <= 0.1 * max(abs(l1[s.index]), abs(l1[s.index + 1]))
    assert 200 < s.params["K"] < 220 and 8e-4 < s.params["i0"] < 1.1e-3


def test_gh_against_independent_hopf_points(chain_hopf_curve):
    m, hc = chain_hopf_curve
    (s,) = hc.special_points("GH")
    K_lo, l1_lo = _hopf_l1(m, 0.97 * s.params["i0"])
    K_hi, l1_hi = _hopf_l1(m, 1.03 * s.params["i0"])
    assert l1_lo > 0 > l1_hi                      # subcritical below, supercritical above
    # l1 at the GH itself by the numpy route: small against its change over +-3 % in i0
    mg = m.with_params(**s.params)
    l1_gh = first_lyapunov_coefficient(mg, mg.pack(s.state), mg.p)[0]
    assert abs(l1_gh) <= 0.02 * min(abs(l1_lo), abs(l1_hi))
