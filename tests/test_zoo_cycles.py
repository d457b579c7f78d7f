"""Issue 15 zoo: cycle branches (LC-C, LPC-C) of normal forms and planar systems.

Closed forms (tests/zoo_models.py): Hopf normal form cycle R^2 = -mu / a,
period 2 pi / (w + b R^2), nontrivial multiplier exp(-2 mu T); Bautin fold of
cycles mu = nu^2 / (4 s).  Planar systems have no period doubling and no
Neimark-Sacker (a planar cycle has one nontrivial multiplier, which is real
and positive: exp of the integral of the divergence).
"""
import math

import numpy as np
import pytest

import zoo_models as zoo
from bifkit.continuation import continuation


def labels(branch):
    return sorted(s.label for s in branch.special_points())


def test_hopf_normal_form_cycle():
    w, a, b = 1.5, -1.0, 0.5
    m = zoo.hopf(mu=-0.5, w=w, a=a, b=b)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.5, 0.5)})
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["mu"], bounds={"mu": (-0.5, 0.5)},
                      ntst=20, max_points=60)
    assert labels(lc) == []                         # no LPC, PD, NS on a supercritical branch
    mu = lc.params["mu"]
    R2 = -mu / a
    assert np.allclose(lc.period, 2 * np.pi / (w + b * R2), rtol=1e-8)       # closed form
    amp = lc.data["amplitude_max_x"]
    assert np.allclose(amp[mu > 1e-3], np.sqrt(R2[mu > 1e-3]), rtol=1e-6)    # closed form
    mu_nt = np.array([row[np.argmax(np.abs(row - 1))] for row in lc.multipliers])
    ok = mu > 1e-3
    assert np.allclose(mu_nt[ok].real, np.exp(-2 * mu[ok] * lc.period[ok]), rtol=1e-5, atol=1e-9)


@pytest.fixture(scope="module")
def bautin_lpc():
    m = zoo.bautin(mu=-0.2, nu=0.5, w=2.0, s=-1.0)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    (h,) = ep.special_points("H")
    assert h.data["l1"] > 0                         # subcritical: l1 = 2 nu / w = 0.5
    lc = continuation(m, "LC-C", h, ["mu"], bounds={"mu": (-0.5, 0.5)}, ntst=20, max_points=100)
    return m, lc


def test_bautin_fold_of_cycles(bautin_lpc):
    _, lc = bautin_lpc
    assert labels(lc) == ["LPC"]                    # planar: no PD, no NS
    (lpc,) = lc.special_points("LPC")
    assert lpc.params["mu"] == pytest.approx(0.5 ** 2 / (4 * -1.0), rel=1e-6)   # nu^2/(4 s)


def test_bautin_fold_of_cycles_curve(bautin_lpc):
    m, lc = bautin_lpc
    c = continuation(m, "LPC-C", lc.special_points("LPC")[0], ["mu", "nu"],
                     bounds={"mu": (-1, 1), "nu": (-1, 1)}, ntst=20, max_points=200)
    nu = c.params["nu"]
    assert np.allclose(c.params["mu"], nu ** 2 / (4 * -1.0), atol=1e-9)       # closed form
    assert labels(c) == []
    # traced once: nu monotone along the curve (no return run over the same points)
    d = np.diff(nu)
    assert np.all(d > 0) or np.all(d < 0)


def test_planar_cycle_to_homoclinic_has_no_period_doubling():
    m = zoo.bogdanov_takens(b1=-0.5, b2=-1.0)
    ep = continuation(m, "EP-C", {"x": (1 - math.sqrt(3)) / 2, "y": 0.0}, ["b1"],
                      bounds={"b1": (-0.5, 0.5)})
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["b1"], bounds={"b1": (-1, 1)},
                      ntst=40, max_points=300)
    assert "PD" not in labels(lc) and "NS" not in labels(lc)
    # the trivial multiplier is lost near the homoclinic orbit: the status says so (issue 15)
    assert list(lc.status.values())[0] in ("approaching_homoclinic", "multipliers_unreliable")
    ok = lc.trivial_error < 1e-4
    assert ok[:10].all() and np.all(np.isfinite(lc.multipliers[ok]))


@pytest.fixture(scope="module")
def rossler_cycles():
    """Rossler a = b = 0.2: the period-1 cycle at c = 2.5 from a simulation, LC-C in c."""
    from bifkit.continuation.cycles import orbit_from_simulation
    m = zoo.rossler(a=0.2, b=0.2, c=2.5)
    orb = orbit_from_simulation(m, {"x": 1.0, "y": 1.0, "z": 0.0}, 200.0, ntst=60)
    lc = continuation(m, "LC-C", orb, ["c"], bounds={"c": (2.0, 4.5)}, ntst=60, max_points=200,
                      direction="forward")
    return m, lc


def test_rossler_period_doubling(rossler_cycles):
    m, lc = rossler_cycles
    assert labels(lc) == ["PD"]                     # one PD on the period-1 branch up to 4.5
    (pd,) = lc.special_points("PD")
    assert pd.params["c"] == pytest.approx(2.8324450279, rel=1e-6)   # AUTO-07p (ZOO.md)
    # the period-2 branch from it: the next PD of the cascade
    b2 = continuation(m, "LC-C", pd, ["c"], bounds={"c": (2.0, 4.5)}, ntst=60, max_points=300)
    assert labels(b2) == ["PD"]                     # each PD once (no re-traced loop)
    assert b2.special_points("PD")[0].params["c"] == pytest.approx(3.8373581604, rel=1e-6)  # AUTO
    assert b2.period[0] == pytest.approx(2 * pd.data.get("period", lc.period[pd.index]),
                                         rel=2e-2)  # born with twice the period


def test_lpc_curve_from_a_bautin_point_is_traced_once():
    """The fold of cycles mu = nu^2 / (4 s) exists for nu > 0 only (s < 0) and ends at the GH
    point nu = 0 (cycle amplitude R^2 = -nu / (2 s) -> 0): nu must be monotone along it."""
    m = zoo.bautin(mu=-0.2, nu=-1.0, w=2.0, s=-1.0)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    hc = continuation(m, "H-C", ep.special_points("H")[0], ["mu", "nu"],
                      bounds={"mu": (-1, 1), "nu": (-1, 1)})
    c = continuation(m, "LPC-C", hc.special_points("GH")[0], ["mu", "nu"],
                     bounds={"mu": (-1, 1), "nu": (-1, 1)}, ntst=20, max_points=200)
    nu = c.params["nu"]
    assert np.allclose(c.params["mu"], nu ** 2 / (4 * -1.0), atol=1e-9)       # closed form
    d = np.diff(nu)
    assert np.all(d > 0) or np.all(d < 0)


@pytest.fixture(scope="module")
def skew_ns():
    from bifkit.continuation.cycles import orbit_from_samples
    m = zoo.skew_torus(mu=-0.2, w2=0.7)
    t = np.linspace(0, 2 * np.pi, 201)
    orb = orbit_from_samples(t, np.column_stack([np.cos(t), np.sin(t), 0 * t, 0 * t]), m.p,
                             ntst=30)
    lc = continuation(m, "LC-C", orb, ["mu"], bounds={"mu": (-0.2, 0.2)}, ntst=30, max_points=50)
    return m, lc


def test_neimark_sacker_of_the_skew_torus(skew_ns):
    m, lc = skew_ns
    assert labels(lc) == ["NS"]                     # no PD, no LPC
    (ns,) = lc.special_points("NS")
    assert ns.params["mu"] == pytest.approx(0.0, abs=1e-8)       # closed form mu = 0
    mu = np.asarray(ns.data["multipliers"]) if "multipliers" in ns.data else \
        lc.multipliers[ns.index]
    crit = mu[np.argmin(np.abs(np.abs(mu) - 1) + (np.abs(mu.imag) < 1e-6))]
    assert abs(np.angle(crit)) == pytest.approx(abs(math.remainder(0.7 * 2 * np.pi, 2 * np.pi)),
                                                abs=1e-3)         # closed form w2 T
    c = continuation(m, "NS-C", ns, ["mu", "w2"], bounds={"mu": (-1, 1), "w2": (0.0, 1.5)},
                     ntst=30, max_points=200)
    assert np.allclose(c.params["mu"], 0.0, atol=1e-9)            # closed form: NS at mu = 0
    assert c.params["w2"].max() > 1.2                              # passes the 1:1 resonance


def test_ns_curve_lists_its_strong_resonances(skew_ns):
    m, lc = skew_ns
    c = continuation(m, "NS-C", lc.special_points("NS")[0], ["mu", "w2"],
                     bounds={"mu": (-1, 1), "w2": (0.0, 1.5)}, ntst=30, max_points=200)
    found = [(s.label, s.params["w2"]) for s in c.special_points()]
    # closed form: multipliers exp(+-i w2 2 pi) (T = 2 pi): R4 at w2 = 3/4 and 5/4, R1 at 1,
    # R3 at 4/3, R2 at 1/2 and 3/2; the curve runs from w2 = 0.7 up to the bound 1.5
    w2_max = c.params["w2"].max()
    expected = [(lab, w) for lab, w in (("R4", 0.75), ("R1", 1.0), ("R4", 1.25), ("R3", 4 / 3))
                if w < w2_max]
    assert [lab for lab, _ in found] == [lab for lab, _ in expected]     # nothing else (no R2)
    for (_, w), (_, w_ref) in zip(found, expected):
        assert w == pytest.approx(w_ref, rel=1e-6)
    assert expected[:2] == [("R4", 0.75), ("R1", 1.0)]


def test_lpns_on_the_fold_of_cycles_of_a_product_system():
    """Bautin cycle times a decoupled oscillator (zoo_models.bautin_oscillator): the LPC-C in
    (mu, beta) keeps mu = nu^2 / (4 s) and meets LPNS at beta = 0 (closed form: the pair
    exp((beta +- i om) T) crosses the unit circle), nothing else (no LPPD: no multiplier -1)."""
    m = zoo.bautin_oscillator()
    zero = {"x": 0.0, "y": 0.0, "u": 0.0, "v": 0.0}
    ep = continuation(m, "EP-C", zero, ["mu"], bounds={"mu": (-0.2, 0.2)})
    h = [s for s in ep.special_points("H") if abs(s.params["mu"]) < 1e-8][0]
    lc = continuation(m, "LC-C", h, ["mu"], bounds={"mu": (-0.5, 0.5)}, ntst=20, max_points=100)
    (lpc,) = lc.special_points("LPC")
    c = continuation(m, "LPC-C", lpc, ["mu", "beta"], bounds={"mu": (-1, 1), "beta": (-0.3, 0.3)},
                     ntst=20, max_points=200)
    assert np.allclose(c.params["mu"], 0.5 ** 2 / (4 * -1.0), atol=1e-9)      # closed form
    assert c.params["beta"].min() < 0 < c.params["beta"].max()
    assert labels(c) == ["LPNS"]
    (pt,) = c.special_points("LPNS")
    assert pt.params["beta"] == pytest.approx(0.0, abs=1e-8)                 # closed form
    assert pt.params["mu"] == pytest.approx(-0.0625, abs=1e-9)
