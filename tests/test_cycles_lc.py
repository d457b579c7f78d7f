"""LC-C: cycle branches from a Hopf point, PD detection/location and PD switching.

References: Stuart-Landau closed form (radius sqrt(mu), period 2 pi / w,
multipliers 1 and exp(-2 mu T)); E-I neural mass (Bi et al. 2021, eq. 6) at
K=1000, D_ii=0.3, D_ee=2.0: Floquet exponents at I_e = 0.0009 listed by the seed
(0, -0.0343, -0.0555, -0.1732 in 1/tau_m), PD window ends (seed: 0.00047297 and
0.00006177; bifkit ntst=50/100/200 agree on 0.000473005295 and 6.12727e-05, see
NOTES_cycles.md for the discrepancy with the paper's second value).
"""
import numpy as np
import pytest

from bifkit.continuation import continuation

# fixtures sl (Stuart-Landau), ei_hopf (E-I Hopf point by bisection): tests/conftest.py


def test_hopf_start_stuart_landau(sl):
    b = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                        ntst=20, bounds={"mu": (-1.0, 0.6)}, ds=0.02, ds_max=0.1)
    assert b.status == {"forward": "bound"}
    mu = b.params["mu"]
    assert mu[-1] == pytest.approx(0.6, abs=1e-12)
    assert np.all(mu > 0)  # supercritical: cycles on the unstable side of the equilibrium
    mx, _ = b.amplitude()
    r = np.array([np.max(np.hypot(o.U[:, 0], o.U[:, 1])) for o in b.orbits])
    # collocation error at ntst=20, ncol=4 is ~1e-11 (test_cycles_collocation)
    assert np.max(np.abs(r - np.sqrt(mu))) < 1e-8
    assert np.max(np.abs(b.period - np.pi)) < 1e-8
    mu2 = np.array([m[1] for m in b.multipliers])
    assert np.allclose(mu2.real, np.exp(-2 * mu * np.pi), rtol=1e-6, atol=1e-12)
    assert not b.special_points()


@pytest.fixture(scope="module")
def ei(ei_hopf):
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    b = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    return m, b


def test_ei_period_doubling_window(ei):
    m, b = ei
    pds = sorted(s.params["I_e"] for s in b.special_points("PD"))
    assert len(pds) == 2
    # bifkit ntst=50/100/200: 4.730052953e-4 and 6.12727(1-2)e-5 (mesh-converged to 7 digits)
    assert pds[1] == pytest.approx(4.730052953e-4, rel=1e-8)
    assert pds[0] == pytest.approx(6.127272e-5, rel=1e-6)
    for s in b.special_points("PD"):
        mu = s.data["multipliers"]
        assert np.min(np.abs(mu + 1)) < 1e-6   # located: a multiplier at -1
        assert s.converged
    assert not b.special_points("LPC")


def test_ei_lyapunov_exponents_at_0009(ei):
    """ln|mu| tau_m / T at I_e = 0.0009 against the seed's (0, -0.0343, -0.0555, -0.1732)."""
    m, b = ei
    from bifkit.continuation import cycles
    i = int(np.argmin(np.abs(b.params["I_e"] - 0.0009)))
    orb = b.orbits[i]
    p = orb.p.copy()
    p[m.param_index("I_e")] = 0.0009
    orb = cycles.refine(m, cycles.Orbit(orb.U, orb.mesh, orb.T, p, orb.scheme))
    le = np.sort(np.log(np.abs(orb.multipliers)) * 20.0 / orb.T)[::-1]
    # the seed gives 3-4 significant digits
    assert np.allclose(le, [0.0, -0.0343, -0.0555, -0.1732], atol=6e-5)
    assert orb.T == pytest.approx(488.148, abs=1e-3)


def test_pd_switching_finds_period_four(ei):
    m, b = ei
    pd = max(b.special_points("PD"), key=lambda s: s.params["I_e"])
    b2 = continuation(m, "LC-C", pd, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"],
                         max_points=60)
    assert b2.period[0] == pytest.approx(2 * pd.data["period"], rel=1e-3)
    assert b2.params["I_e"][-1] < pd.params["I_e"]  # the doubled branch leaves towards lower I_e
    pd4 = b2.special_points("PD")
    assert pd4 and pd4[0].params["I_e"] == pytest.approx(3.0556497e-4, rel=1e-6)


def _sl_branch(sl):
    return continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                           ntst=20, bounds={"mu": (-1.0, 0.6)}, ds=0.02, ds_max=0.1)


def test_both_directions_from_an_orbit_join_in_order(sl):
    b = _sl_branch(sl)
    start = b.point(10)
    mu0 = start["params"]["mu"]
    kw = dict(ntst=20, bounds={"mu": (0.05, 0.5)}, ds=0.02, ds_max=0.1)
    both = continuation(sl, "LC-C", start, ["mu"], direction="both", **kw)
    fwd = continuation(sl, "LC-C", start, ["mu"], direction="forward", **kw)
    bwd = continuation(sl, "LC-C", start, ["mu"], direction="backward", **kw)
    mu = both.params["mu"]
    # backward part reversed, then forward; the start once; both bounds landed on exactly
    assert len(both) == len(fwd) + len(bwd) - 1
    assert np.all(np.diff(mu) > 0)
    assert mu[0] == pytest.approx(0.05, abs=1e-12) and mu[-1] == pytest.approx(0.5, abs=1e-12)
    assert np.sum(np.abs(mu - mu0) < 1e-12) == 1
    assert np.allclose(mu[len(bwd) - 1:], fwd.params["mu"], rtol=0, atol=1e-14)
    # a backward-only run is stored reversed (its start last), as every curve type's
    assert np.allclose(mu[:len(bwd)], bwd.params["mu"], rtol=0, atol=1e-14)
    assert bwd.params["mu"][-1] == mu0
    assert both.status == {"backward": "bound", "forward": "bound"}
    assert both.params["mu"][[0, -1]] == pytest.approx([0.05, 0.5], abs=1e-12)
    r = np.array([np.max(np.hypot(o.U[:, 0], o.U[:, 1])) for o in both.orbits])
    assert np.max(np.abs(r - np.sqrt(mu))) < 1e-8
    # forward-only starts at the start; backward-only ends there (stored reversed)
    assert bwd.params["mu"][-1] == pytest.approx(mu0) and fwd.params["mu"][0] == pytest.approx(mu0)
    assert bwd.params["mu"][0] == pytest.approx(0.05, abs=1e-12)


def test_both_directions_at_a_hopf_point_is_the_one_branch(sl):
    b = _sl_branch(sl)
    b2 = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                         ntst=20, bounds={"mu": (-1.0, 0.6)}, ds=0.02, ds_max=0.1,
                         direction="both")
    assert len(b2) == len(b) and np.allclose(b2.params["mu"], b.params["mu"], rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="direction"):
        continuation(sl, "LC-C", b.point(3), ["mu"], ntst=20, direction="up")


def test_both_directions_special_points_keep_their_place(ei):
    """From an orbit inside the PD window both ways: each PD lies between its index points."""
    m, b = ei
    ie = b.params["I_e"]
    i = int(np.argmin(np.abs(ie - 2e-4)))
    both = continuation(m, "LC-C", b.point(i), ["I_e"], bounds={"I_e": (4e-5, 7e-4)},
                           log_params=["I_e"], direction="both")
    pds = both.special_points("PD")
    assert len(pds) == 2
    ref = sorted(s.params["I_e"] for s in b.special_points("PD"))
    # another path gives other adapted meshes: the lower PD is mesh-limited at ntst=50 (~2e-7)
    assert sorted(s.params["I_e"] for s in pds) == pytest.approx(ref, rel=1e-6)
    x = both.params["I_e"]
    assert np.all(np.diff(x) > 0)
    for s in pds:
        k = s.index
        assert x[k] <= s.params["I_e"] <= x[k + 1]


def test_compiled_multipliers_and_test_functions_match_the_reference():
    """floquet's compiled post-processing and PD/NS tests against scipy and cycle_bifs."""
    import scipy.linalg
    from bifkit.continuation.cycles import bifs as cycle_bifs, floquet
    rng = np.random.default_rng(7)
    for _ in range(200):
        P, Q = rng.standard_normal((2, 4, 4))
        mu, err = floquet.multipliers_from_pair(P, Q)
        ref = scipy.linalg.eigvals(-P, Q)
        assert np.all(np.diff(np.abs(mu)) <= 1e-15 * np.abs(mu[:-1]))       # decreasing modulus
        dist = np.abs(mu[:, None] - ref[None, :])
        assert np.all(dist.min(axis=1) < 1e-10 * (1 + np.abs(mu)))   # the same spectrum
        assert np.all(dist.min(axis=0) < 1e-10 * (1 + np.abs(ref)))
        assert err == pytest.approx(np.min(np.abs(ref - 1.0)), rel=1e-9)
        pd, ns = floquet.cycle_tests(mu)
        assert pd == pytest.approx(cycle_bifs.psi_pd(mu), rel=1e-12, abs=1e-300)
        assert ns == pytest.approx(cycle_bifs.psi_ns(mu), rel=1e-12, abs=1e-300)
    mu, err = floquet.multipliers_from_pair(np.full((4, 4), np.nan), np.eye(4))
    assert np.all(np.isnan(mu)) and np.isnan(err)


def test_lc_c_from_a_point_that_is_not_a_hopf_point(sl):
    # Stuart-Landau at mu = -0.5: eigenvalues -0.5 +- 2i, not on the imaginary axis (issue 20:
    # this raised LinAlgError "Matrix is singular")
    with pytest.raises(ValueError, match="not a Hopf point: the eigenvalue pair nearest"):
        continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": -0.5}},
                     ["mu"], ntst=20)
