"""Two-parameter curves of cycle bifurcations (PD-C, LPC-C, NS-C) and the LC-C Branch.

References
----------
* Stuart-Landau (Hopf normal form), closed form: radius sqrt(mu), period 2 pi / w,
  Floquet multipliers 1 and exp(-2 mu T).
* Langford's torus system (Langford 1984; Kuznetsov 2004, sec. 9.5 example), in the
  rotating frame a planar system (r, z): r' = r (a - b + z + d (1 - z^2)), z' = a z - r^2 - z^2,
  theta' = c.  The cycle r^2 = a z - z^2 with z + d (1 - z^2) = b - a has multipliers
  exp(lambda T), lambda the eigenvalues of [[0, r (1 - 2 d z)], [-2 r, a - 2 z]], T = 2 pi / c.
  Neimark-Sacker when the trace vanishes: z = a / 2, i.e. b = 3a/2 + d (1 - a^2/4), with
  kappa = T sqrt(a^2/2 (1 - d a)) (closed form of the NS curve and its angle).
* E-I neural mass (Bi et al. 2021, eq. 6) at K = 1000, D_ii = 0.3: the period-doubling curve in
  (I_e, D_ee) is a closed loop through the PD points of the D_ee = 2 branch; AUTO-07p (same
  equations, ntst = 100, ncol = 4) gives its folds in I_e at I_e = 10^-1.38260 (D_ee = 3.55062)
  and 10^-4.38278 (D_ee = 1.76368).  A Bautin point of the Hopf curve at D_ee ~ 3.8361 starts
  the saddle-node-of-cycles curve, which runs to lower D_ee (l2 > 0).
"""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from bifkit.continuation import continuation
from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient
from bifkit.continuation.branch import Branch, SpecialPoint
from bifkit.model import Model, ModelDefinition, real_symbols
from test_engine_save_load import assert_round_trip

# fixtures sl (Stuart-Landau), ei_hopf (E-I Hopf point by bisection): tests/conftest.py


# --------------------------------------------------------------------------- Stuart-Landau
def test_lc_branch_carries_period_amplitude_multipliers(sl, tmp_path):
    b = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                     ntst=20, bounds={"mu": (-1.0, 0.5)}, ds=0.02, ds_max=0.1)
    assert isinstance(b, Branch) and b.curve == "LC-C"
    mu = b.params["mu"]
    T = b.data["period"]
    # collocation error at ntst = 20, ncol = 4: ~1e-11 (test_cycles_collocation)
    assert np.max(np.abs(T - np.pi)) < 1e-8
    assert np.max(np.abs(b.data["amplitude_max_x"] - np.sqrt(mu))) < 1e-6  # node maxima
    assert np.max(np.abs(b.data["amplitude_min_y"] + np.sqrt(mu))) < 1e-6
    mults = b.data["multipliers"]
    assert mults.shape == (len(b), 2)
    assert np.allclose(mults[:, 1].real, np.exp(-2 * mu * T), rtol=1e-6, atol=1e-12)
    assert np.all(b.data["trivial_multiplier_error"] < 1e-8)
    assert b.stable.all()
    assert len(b.orbits) == len(b) and b.orbits[-1].T == pytest.approx(T[-1])
    assert b.save(tmp_path / "lc.npz").exists()  # load needs a registered model: see PD-C test


# --------------------------------------------------------------------------- Langford torus
@pytest.fixture(scope="module")
def langford():
    x, y, z, a, b, c, d = real_symbols("x y z a b c d")
    w = z + d * (1 - z ** 2)
    D = ModelDefinition.from_sympy(
        "langford_torus", [("x", x), ("y", y), ("z", z)],
        [(a, 1.7), (b, 3.0), (c, 0.25), (d, 0.2)],
        [(a - b) * x - c * y + x * w, c * x + (a - b) * y + y * w, a * z - (x ** 2 + y ** 2 + z ** 2)])
    aH = 5 - math.sqrt(11)  # Hopf of the equilibrium (0, 0, a): 2a - 2.8 - 0.2 a^2 = 0
    m = Model(D).with_params(a=aH)
    br = continuation(m, "LC-C", {"state": {"x": 0.0, "y": 0.0, "z": aH}, "params": {"a": aH}},
                      ["a"], bounds={"a": (1.0, 2.5)}, ntst=40, ds=0.01, ds_max=0.05)
    return m, br


def test_ns_point_and_curve_closed_form(langford, tmp_path):
    m, br = langford
    (ns,) = br.special_points("NS")
    assert ns.params["a"] == pytest.approx(2.0, abs=1e-10)   # b = 3: 1.5 a + 0.2 (1 - a^2/4) = 3
    kappa0 = math.sqrt(1.2) * 8 * math.pi                      # T sqrt(a^2/2 (1 - d a)) at a = 2
    assert np.min(np.abs(ns.data["multipliers"] - np.exp(1j * kappa0))) < 1e-6
    cv = continuation(m, "NS-C", ns, ["a", "b"], direction="both", bounds={"a": (1.0, 4.0)},
                      max_points=300)
    assert cv.curve == "NS-C" and cv.status == {"forward": "bound", "backward": "bound"}
    assert sorted(cv.params["a"][[0, -1]]) == pytest.approx([1.0, 4.0], abs=1e-12)
    assert_round_trip(cv, tmp_path)   # a CycleBranch comes back with every orbit
    A, B = cv.params["a"], cv.params["b"]
    assert A.min() == pytest.approx(1.0, abs=1e-12) and A.max() == pytest.approx(4.0, abs=1e-12)
    # the curve is exact for any mesh (the cycle is a circle); Newton tol 1e-9
    assert np.max(np.abs(B - (1.5 * A + 0.2 * (1 - A ** 2 / 4)))) < 1e-9
    assert np.max(np.abs(cv.data["period"] - 8 * np.pi)) < 1e-9
    kappa = np.sqrt(A ** 2 / 2 * (1 - 0.2 * A)) * 8 * np.pi
    err = np.abs(np.mod(cv.data["kappa"] - kappa + np.pi, 2 * np.pi) - np.pi)
    assert err.max() < 5e-6   # measured 6.4e-7 at ntst = 40 (1.5e-4 at 20: order h^8)
    # multipliers e^{+-i kappa} on the unit circle at every point
    for mu, k in zip(cv.data["multipliers"], cv.data["kappa"]):
        assert np.min(np.abs(mu - np.exp(1j * k))) < 1e-5


# --------------------------------------------------------------------------- E-I neural mass
def _lc(ei_hopf, D_ee, lo, hi, **kw):
    """LC-C from the Hopf point in I_e in (lo, hi) at D_ee (``ei_hopf``: conftest)."""
    m, h = ei_hopf(D_ee, lo, hi)
    opts = dict(bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    opts.update(kw)
    return m, continuation(m, "LC-C", h, ["I_e"], **opts)


@pytest.fixture(scope="module")
def ei_lc(ei_hopf):
    return _lc(ei_hopf, 2.0, 0.0011, 0.003)


def test_pd_curve_is_a_closed_loop(ei_lc, tmp_path):
    m, b = ei_lc
    pd1, pd2 = sorted(b.special_points("PD"), key=lambda s: -s.params["I_e"])
    # ds_max = 0.05 (half the default) so that the sampled folds below sit within 2e-3 of AUTO's
    c = continuation(m, "PD-C", pd1, ["I_e", "D_ee"], log_params=["I_e"], max_points=600,
                     ds_max=0.05)
    assert c.status == {"forward": "closed_loop"}   # the backward run is skipped
    assert_round_trip(c, tmp_path)
    I, D = c.params["I_e"], c.params["D_ee"]
    assert I[-1] == I[0] and D[-1] == D[0]
    # every point has a multiplier -1 (Newton tol 1e-9; collocation error ntst = 50)
    assert all(np.min(np.abs(mu + 1)) < 1e-6 for mu in c.data["multipliers"])
    # the loop passes the second PD point of the D_ee = 2 branch
    k = [i for i in range(len(c) - 1) if (D[i] - 2.0) * (D[i + 1] - 2.0) < 0
         and I[i] < 0.5 * pd1.params["I_e"]]   # the other crossings are at the start
    assert len(k) == 1
    i = k[0]
    s = (2.0 - D[i]) / (D[i + 1] - D[i])
    ie = 10 ** ((1 - s) * np.log10(I[i]) + s * np.log10(I[i + 1]))
    assert ie == pytest.approx(pd2.params["I_e"], rel=2e-3)   # linear interpolation error
    # folds of the loop in I_e: AUTO-07p (ntst = 100) 10^-1.38260 at D_ee = 3.55062 and
    # 10^-4.38278 at D_ee = 1.76368 (point sampling: ds_max = 0.05 in log10 I_e)
    j, l = np.argmax(I), np.argmin(I)
    assert np.log10(I[j]) == pytest.approx(-1.38260, abs=2e-3)
    assert D[j] == pytest.approx(3.55062, abs=2e-2)
    assert np.log10(I[l]) == pytest.approx(-4.38278, abs=2e-3)
    assert D[l] == pytest.approx(1.76368, abs=2e-2)
    assert np.all(np.diff(c.data["period"][:5]) < 0)   # period shrinks towards larger I_e
    c2 = Branch.load(c.save(tmp_path / "pdc.npz"))
    assert c2.curve == "PD-C" and np.array_equal(c2.data["period"], c.data["period"])
    b2 = Branch.load(b.save(tmp_path / "lc.npz"))
    assert [s.label for s in b2.special] == ["PD", "PD"]
    assert b2.special[0].data["orbit"]["T"] == pytest.approx(b.special[0].data["period"])


@pytest.mark.parametrize("ntst", [100, 200])
def test_pd_location_mesh_convergence(ei_lc, ei_hopf, ntst):
    """PD points at ntst = 50 against 100 and 200 (ncol = 4; located points solve the PD system).

    First PD (T = 632 ms): 8 digits at every ntst (measured 1.1e-10 between 50 and 200).
    Second PD (T = 1350 ms, spiky orbit): 8 digits between 100 and 200 (measured 7e-10); at
    ntst = 50 the ncol = 4 discretisation error is 1.4e-7 (AUTO-07p on the same equations:
    4.9e-8; an oracle mesh equidistributing the measured per-interval errors still 1.3e-8), so
    7 digits only; with ncol >= 5 ntst = 50 gives 8 digits (7.2e-10).  Table and error budget:
    ``python validation/pd_mesh_convergence.py``.
    """
    _, b50 = ei_lc
    _, b = _lc(ei_hopf, 2.0, 0.0011, 0.003, ntst=ntst)
    p50 = sorted(s.params["I_e"] for s in b50.special_points("PD"))
    p = sorted(s.params["I_e"] for s in b.special_points("PD"))
    assert p[1] == pytest.approx(p50[1], rel=1e-8)
    assert p[0] == pytest.approx(p50[0], rel=1e-6)
    if ntst == 200:
        _, b100 = _lc(ei_hopf, 2.0, 0.0011, 0.003, ntst=100)
        p100 = sorted(s.params["I_e"] for s in b100.special_points("PD"))
        assert p[0] == pytest.approx(p100[0], rel=1e-8)
        assert p[1] == pytest.approx(p100[1], rel=1e-8)


@pytest.fixture(scope="module")
def bautin(ei_hopf):
    """The Bautin point of the lower Hopf curve: l1 = 0 (closed-form equilibria, bisection)."""
    def l1(dee):
        m, h = ei_hopf(dee, 0.005, 0.09)
        return first_lyapunov_coefficient(m, m.pack(h["state"]), m.p)[0]
    dgh = brentq(l1, 3.5, 4.0, xtol=1e-12)
    m, h = ei_hopf(dgh, 0.005, 0.09)
    omega = first_lyapunov_coefficient(m, m.pack(h["state"]), m.p)[1]
    return m, SpecialPoint("GH", 0, h["state"], m.params, {"omega": omega})


def test_lpc_curve_from_bautin_matches_lc_branches(bautin, ei_hopf, tmp_path):
    m, gh = bautin
    assert gh.params["D_ee"] == pytest.approx(3.8361, abs=1e-3)
    c = continuation(m, "LPC-C", gh, ["I_e", "D_ee"], log_params=["I_e"], max_points=300,
                     bounds={"D_ee": (3.7, 4.5)})
    assert c.curve == "LPC-C"
    D, I = c.params["D_ee"], c.params["I_e"]
    # one end on the bound, the other at the Bautin point (amplitude -> 0)
    assert D.min() == pytest.approx(3.7, abs=1e-12)
    assert abs(D.max() - gh.params["D_ee"]) < 2e-3
    assert "reached_end_point" in c.status.values() and "bound" in c.status.values()
    assert_round_trip(c, tmp_path)
    # LPC points of LC-C branches at fixed D_ee: the curve's end and an inner point
    for dee in (3.7, 3.8):
        _, b = _lc(ei_hopf, dee, 0.005, 0.09, max_points=40)
        (lpc,) = b.special_points("LPC")
        if dee == 3.7:
            k = int(np.argmin(D))
            assert I[k] == pytest.approx(lpc.params["I_e"], rel=1e-8)
            assert c.data["period"][k] == pytest.approx(lpc.data["period"], rel=1e-8)
        else:  # between two curve points: linear interpolation in D_ee
            cross = [i for i in range(len(c) - 1) if (D[i] - dee) * (D[i + 1] - dee) < 0]
            i = cross[0]
            s = (dee - D[i]) / (D[i + 1] - D[i])
            assert (1 - s) * I[i] + s * I[i + 1] == pytest.approx(lpc.params["I_e"], rel=1e-4)
        # a double multiplier 1 at an LPC (Jordan block: split by ~sqrt(discretisation error))
        assert np.sum(np.abs(lpc.data["multipliers"] - 1) < 1e-2) == 2
    # the LPC curve from an LC-C point traces the same curve: lands on D_ee = 3.7 alike
    _, b = _lc(ei_hopf, 3.8, 0.005, 0.09, max_points=40)
    c2 = continuation(m, "LPC-C", b.special_points("LPC")[0], ["I_e", "D_ee"],
                      log_params=["I_e"], direction="backward", bounds={"D_ee": (3.7, 4.5)})
    assert c2.params["D_ee"][0] == pytest.approx(3.7, abs=1e-12)
    assert c2.params["I_e"][0] == pytest.approx(I[np.argmin(D)], rel=1e-8)


def test_cycle_curve_input_errors(ei_lc):
    m, b = ei_lc
    pd = b.special_points("PD")[0]
    with pytest.raises(ValueError, match="two different free parameters"):
        continuation(m, "PD-C", pd, ["I_e", "I_e"])
    with pytest.raises(ValueError, match="starts from a LPC point"):
        continuation(m, "LPC-C", pd, ["I_e", "D_ee"])
    with pytest.raises(ValueError, match=r"ds_min <= \|ds\| <= ds_max"):
        continuation(m, "PD-C", pd, ["I_e", "D_ee"], ds=1.0)
    with pytest.raises(ValueError, match="unknown option 'not_an_option'; valid options: "):
        continuation(m, "PD-C", pd, ["I_e", "D_ee"], not_an_option=1)


def test_cycle_curves_start_from_a_saved_branch(ei_lc, tmp_path):
    """PD-C and LC-C start from special points read back from a file (orbits saved as arrays);
    PD switching needs the in-memory point and says so."""
    from bifkit import Branch
    m, b = ei_lc
    path = b.save(tmp_path / "lc.npz")
    loaded = Branch.load(path)
    pd_saved = max(loaded.special_points("PD"), key=lambda s: s.params["I_e"])
    pd_live = max(b.special_points("PD"), key=lambda s: s.params["I_e"])
    c = continuation(m, "PD-C", pd_saved, ["I_e", "D_ee"], log_params=["I_e"], max_points=6)
    c_live = continuation(m, "PD-C", pd_live, ["I_e", "D_ee"], log_params=["I_e"], max_points=6)
    assert c.params["I_e"][0] == pytest.approx(c_live.params["I_e"][0], rel=1e-9)
    assert c.params["I_e"][-1] == pytest.approx(c_live.params["I_e"][-1], rel=1e-6)
    with pytest.raises(ValueError, match="period-doubled"):
        continuation(m, "LC-C", pd_saved, ["I_e"], log_params=["I_e"], max_points=3)


def test_lpc_c_from_a_bautin_point_ends_there(make_model):
    """Bautin normal form r' = r (mu + nu r^2 + s r^4), theta' = w (s = -1): the fold of cycles
    mu = nu^2 / (4 s) (closed form) exists for nu > 0 and ends at the GH point nu = 0 (cycle
    amplitude -> 0).  Run both ways from GH, the branch must end there, not pass through it and
    trace the same cycles again (half a period shifted)."""
    def rhs(x, y, mu, nu, w, s):
        r2 = x * x + y * y
        g = mu + nu * r2 + s * r2 * r2
        return [g * x - w * y, w * x + g * y]
    m = make_model("cc_bautin", ["x", "y"], {"mu": -0.2, "nu": -1.0, "w": 2.0, "s": -1.0}, rhs)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.2, 0.2)})
    hc = continuation(m, "H-C", ep.special_points("H")[0], ["mu", "nu"],
                      bounds={"mu": (-1, 1), "nu": (-1, 1)})
    c = continuation(m, "LPC-C", hc.special_points("GH")[0], ["mu", "nu"],
                     bounds={"mu": (-1, 1), "nu": (-1, 1)}, ntst=20, max_points=200)
    nu = c.params["nu"]
    assert np.allclose(c.params["mu"], -nu ** 2 / 4, atol=1e-9)
    assert np.all(np.diff(nu) > 0)                       # traced once, towards nu = 1
    assert nu[0] == pytest.approx(0.0, abs=5e-3) and nu[-1] == pytest.approx(1.0, abs=1e-12)
    assert sorted(c.status.values()) == ["bound", "reached_end_point"]
