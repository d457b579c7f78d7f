"""HC-C: homoclinic orbits to a saddle, continued in two parameters.

References (closed forms derived here; numbers from independent sources)
----------------------------------------------------------------------
* Planar family x' = y, y' = a x - x^2 + mu y + nu x y (a = 1).  At mu = nu = 0
  the system is Hamiltonian, H = y^2/2 - a x^2/2 + x^3/3, with the homoclinic
  orbit H = 0, x(t) = (3a/2) sech^2(sqrt(a) t / 2) (max x = 3a/2); dH/dt =
  (mu + nu x) y^2, so for nu = 0 a homoclinic orbit exists only at mu = 0
  (exactly), and Melnikov's integral along the orbit,
  mu int y^2 + nu int x y^2 = 0 with int x y^2 / int y^2 = (3a/2)(16/105)/(4/15)
  = 6a/7, gives the curve mu = -(6a/7) nu + O(nu^2).  The saddle (0, 0) has
  eigenvalues (mu +- sqrt(mu^2 + 4a))/2, sigma = mu: the neutral saddle is
  (mu, nu) = (0, 0) exactly.
* BT normal forms, s = -1.  Kuznetsov's unfolding y' = beta1 + beta2 x + x^2 + s x y:
  homoclinic curve beta1 = -(6/25) beta2^2 + O(|beta2|^3) (Kuznetsov 2004, eq. 8.53).
  The brief's unfolding y' = beta1 + beta2 y + x^2 + s x y: with x = d^2 u,
  t = tau / d, beta1 = -d^4, beta2 = g d^2 the leading system is u'' = u^2 - 1
  with u = 1 - 3 sech^2(tau / sqrt 2); Melnikov: g int v^2 + s int u v^2 = 0,
  int u v^2 / int v^2 = 1 - 3 (16/105)/(4/15) = -5/7, so g = 5 s / 7 and
  beta1 = -(49/25) beta2^2 / s^2.  (Substituting x -> x - beta2/2 in Kuznetsov's
  form gives the brief's with beta1' = beta1 - beta2^2/4, beta2' = -s beta2/2,
  and -(49/25)/4 + 1/4 = -6/25: the two agree.)
* AUTO-07p's demo 'ab' (A -> B reaction, demos/ab/ab.f90): u1' = -u1 + D (1 - u1) e^u2,
  u2' = -u2 + D B (1 - u1) e^u2 - beta u2 with B = 14, beta = 2: its cycle branch ends
  at a homoclinic orbit at D = 0.105507 (value quoted by issue 17; bifkit's LC-C
  to period 45 gives 0.10550707, HC-C at T = 22.7 and at other T the same to 1e-9).
"""
import numpy as np
import pytest

from bifkit.continuation.cycles.collocation import Scheme, node_times

from bifkit.continuation import continuation
from bifkit.continuation.homoclinic.curve import continue_homoclinic
from bifkit.errors import InputError
from bifkit.model import Model, ModelDefinition, real_symbols


@pytest.fixture(scope="module")
def plane(make_model):
    m = make_model("hc_plane", ["x", "y"], {"a": 1.0, "mu": -0.5, "nu": 0.5},
                   lambda x, y, a, mu, nu: [y, a * x - x ** 2 + mu * y + nu * x * y])
    lc = continuation(m, "LC-C", {"state": {"x": 1.0, "y": 0.0}, "params": m.params}, ["mu"],
                      ntst=60, bounds={"mu": (-1.0, 1.0)}, max_points=200)
    assert lc.period[-1] > 100          # the branch ends at a homoclinic orbit
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["mu", "nu"], direction="both",
                             max_points=40, bounds={"nu": (-0.6, 0.6)})
    return m, hc


def test_planar_family_neutral_saddle_and_explicit_orbit(plane):
    m, hc = plane
    assert hc.status == {"backward": "bound", "forward": "bound"}
    labels = [s.label for s in hc.special_points()]
    assert labels == ["NSS"]                         # one neutral saddle, no NCH (a 2-D saddle)
    nss = hc.special_points("NSS")[0]
    assert nss.converged
    # closed form: (mu, nu) = (0, 0); Newton tol 1e-9 on the scaled step
    assert abs(nss.data["free"]["mu"]) < 1e-8 and abs(nss.data["free"]["nu"]) < 1e-8
    assert abs(nss.data["saddle_quantity"]) < 1e-8
    # the orbit there is the explicit one: on H = 0, max x = 3/2
    U = nss.data["orbit"]["U"]
    H = U[:, 1] ** 2 / 2 - U[:, 0] ** 2 / 2 + U[:, 0] ** 3 / 3
    assert np.max(np.abs(H)) < 1e-6
    # max x = 3/2 on the orbit: the vertex of the parabola through the three mesh values around the
    # largest one (the largest node value alone depends on where the mesh puts its nodes: 1.4999)
    i = int(np.argmax(U[:, 0]))
    mesh = nss.data["orbit"]["mesh"]
    ncol = (len(U) - 1) // (len(mesh) - 1)
    t3 = node_times(mesh, Scheme(ncol))[i - 1:i + 2]        # the BVP's uniform basis nodes
    a, b, c = np.polyfit(t3, U[i - 1:i + 2, 0], 2)
    assert c - b * b / (4 * a) == pytest.approx(1.5, abs=1e-5)
    # Melnikov slope near the origin and sigma = mu along the whole curve
    mu, nu = hc.params["mu"], hc.params["nu"]
    near = (np.abs(nu) < 0.06) & (np.abs(nu) > 1e-3)
    assert near.sum() >= 2 and np.all(np.abs(mu[near] / nu[near] + 6 / 7) < 0.01)
    assert np.allclose(hc.saddle_quantity, mu, atol=1e-10)
    assert np.sum(np.diff(np.sign(hc.saddle_quantity)) != 0) == 1


def _bt_model(name, form):
    x, y, b1, b2, s = real_symbols("x y beta1 beta2 s")
    rhs = {"kuznetsov": [y, b1 + b2 * x + x ** 2 + s * x * y],
           "brief": [y, b1 + b2 * y + x ** 2 + s * x * y]}[form]
    return Model(ModelDefinition.from_sympy(name, [("x", x), ("y", y)],
                                            [(b1, 0.0), (b2, 0.0), (s, -1.0)], rhs))


def _bt_ratio(m, amplitude):
    hc = continue_homoclinic(m, "HC-C", {"state": {"x": 0.0, "y": 0.0}, "params": m.params,
                                         "bt": True},
                             ["beta1", "beta2"], bt_amplitude=amplitude, max_points=2, ds=1e-3)
    b1, b2 = hc.params["beta1"][0], hc.params["beta2"][0]
    return b1 / b2 ** 2, b2


@pytest.mark.parametrize("form, leading", [("kuznetsov", -6 / 25), ("brief", -49 / 25)])
def test_bt_start_gives_the_leading_homoclinic_curve(form, leading):
    m = _bt_model(f"bt_{form}", form)
    (r1, c1), (r2, c2) = _bt_ratio(m, 0.05), _bt_ratio(m, 0.02)
    assert c1 < 0 and c2 < 0                       # the side s beta2 > 0 (s = -1)
    # beta1 / beta2^2 = leading + k beta2 + ...: linear extrapolation to beta2 = 0
    r0 = (r1 * c2 - r2 * c1) / (c2 - c1)
    assert abs(r1 - leading) < 0.03 * abs(leading)          # close already at the first loop
    assert abs(r0 - leading) < 2e-3 * abs(leading)


def test_bad_starts(sl, make_model):
    # a cycle far from any homoclinic orbit: Stuart-Landau's circle around the focus
    lc = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                      ntst=20, bounds={"mu": (-1.0, 0.5)}, ds=0.02, ds_max=0.1)
    with pytest.raises(InputError, match="not near a homoclinic orbit"):
        continue_homoclinic(sl, "HC-C", lc.point(len(lc) - 1), ["mu", "w"])
    m = _bt_model("bt_kuznetsov", "kuznetsov")
    # not a BT point: beta1 = -0.01 is a saddle and a focus, no double zero eigenvalue
    with pytest.raises(InputError, match="not a Bogdanov-Takens point"):
        continue_homoclinic(m, "HC-C", {"state": {"x": 0.1, "y": 0.0},
                                        "params": {**m.params, "beta1": -0.01}, "bt": True},
                            ["beta1", "beta2"])
    # a degenerate BT point (s = 0: b = 0, no homoclinic predictor)
    with pytest.raises(InputError, match="degenerate"):
        continue_homoclinic(m, "HC-C", {"state": {"x": 0.0, "y": 0.0},
                                        "params": {**m.params, "s": 0.0}, "bt": True},
                            ["beta1", "beta2"])
    # a double zero eigenvalue that is semisimple (J = 0): not a Jordan block
    z = make_model("zero2", ["x", "y"], {"c": 0.0, "d": 0.0},
                   lambda x, y, c, d: [c + x ** 2, d + y ** 2])
    with pytest.raises(InputError, match="semisimple"):
        continue_homoclinic(z, "HC-C", {"state": {"x": 0.0, "y": 0.0},
                                        "params": {"c": 0.0, "d": 0.0}, "bt": True}, ["c", "d"])
    with pytest.raises(InputError, match="two different free parameters"):
        continue_homoclinic(m, "HC-C", {"state": {}, "params": {}}, ["beta1"])
    with pytest.raises(InputError, match="unknown option"):
        continue_homoclinic(m, "HC-C", {"state": {}, "params": {}}, ["beta1", "beta2"], nstt=3)


def test_non_central_saddle_node_homoclinic(make_model):
    """3-D: the planar family plus z' = (nu + 0.1) - z^2, decoupled.  The homoclinic orbit
    lies in the plane z = z0 = sqrt(nu + 0.1) (the saddle's weak stable direction is z,
    eigenvalue -2 z0); at nu = -0.1 the saddle merges with (0, 0, -z0) in a fold while
    the orbit still returns along the planar stable direction: a non-central saddle-node
    homoclinic point, exactly at nu = -0.1 (closed form)."""
    m = make_model("hc_nch", ["x", "y", "z"], {"mu": -0.5, "nu": 0.5},
                   lambda x, y, z, mu, nu: [y, x - x ** 2 + mu * y + nu * x * y,
                                            nu + 0.1 - z ** 2])
    lc = continuation(m, "LC-C", {"state": {"x": 1.0, "y": 0.0, "z": np.sqrt(0.6)},
                                  "params": m.params}, ["mu"],
                      ntst=60, bounds={"mu": (-1.0, 1.0)}, max_points=200)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["mu", "nu"],
                             direction="backward", max_points=80, ds=0.02)
    assert hc.status == {"backward": "NCH"}
    nch = hc.special_points("NCH")
    assert len(nch) == 1 and nch[0].converged
    assert nch[0].data["free"]["nu"] == pytest.approx(-0.1, abs=1e-8)
    assert np.min(np.abs(nch[0].data["eigenvalues"])) < 1e-6
    assert np.all(hc.params["nu"][:-1] > -0.1)        # nothing reported beyond the fold


@pytest.fixture(scope="module")
def auto_ab():
    from bifkit.continuation.homoclinic.auto_homcont import ab_model
    return ab_model()


def test_auto_ab_demo_homoclinic_point(auto_ab):
    m = auto_ab
    ep = continuation(m, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m.params}, ["D"],
                      bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    h = ep.special_points("H")[0]
    lc = continuation(m, "LC-C", h, ["D"], bounds={"D": (0, 0.3)}, max_points=300, ntst=80)
    assert lc.period[-1] > 40
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["D", "beta"], max_points=6,
                             ds=0.01)
    assert hc.params["beta"][0] == 2.0                 # the first point holds beta
    # AUTO-07p demo 'ab': D = 0.105507 (6 digits)
    assert hc.params["D"][0] == pytest.approx(0.105507, abs=1e-5)
    assert hc.params["D"][0] == pytest.approx(lc.params["D"][-1], abs=1e-7)
    assert np.all(np.isfinite(hc.saddle_quantity)) and len(hc) == 6


def test_hsn_along_the_snic_fold(make_model, sl):
    """HSN-C: r' = r (c - r^2), theta' = b - r cos(theta).  On the invariant circle
    r = sqrt(c) a saddle-node at theta = 0 exists for b = sqrt(c) (closed form), and the
    circle is the (central) homoclinic orbit.  The truncated orbit ends on the tangent line
    of the circle at x0 (the centre eigenspace), a distance d from x0, so its radius deviates
    from sqrt(c) by at most d^2 / (2 sqrt(c)) (geometry of the circle)."""
    from bifkit.continuation.homoclinic._deps import orbit_from_simulation
    m = make_model("snic_bc", ["x", "y"], {"b": 1.002, "c": 1.0},
                   lambda x, y, b, c: [x * (c - x * x - y * y) - y * (b - x),
                                       y * (c - x * x - y * y) + x * (b - x)])
    o = orbit_from_simulation(m, np.array([0.0, 1.0]), 10.0, t_max=1000.0, ntst=80)
    h = continue_homoclinic(m, "HSN-C", o, ["b", "c"], direction="both", max_points=12,
                            ds=0.05, bounds={"c": (0.5, 2.0)})
    b, c = h.params["b"], h.params["c"]
    assert c.min() < 0.75 and c.max() > 1.5
    assert np.max(np.abs(b - np.sqrt(c))) < 1e-10
    for orb, x0, bb, cc in zip(h.orbits, h.x, b, c):
        U = orb["U"]
        d2 = max(np.sum((U[0] - x0) ** 2), np.sum((U[-1] - x0) ** 2))
        dev = np.max(np.abs(np.hypot(U[:, 0], U[:, 1]) - np.sqrt(cc)))
        assert dev <= 1.1 * d2 / (2 * np.sqrt(cc)) + 1e-7
        # x0 is a saddle-node: one eigenvalue zero
        assert np.min(np.abs(np.linalg.eigvals(m.jacobian(x0, b=bb, c=cc)))) < 1e-8
    assert np.all(np.isnan(h.saddle_quantity)) and not h.special_points()
    # a cycle far from any saddle-node: Stuart-Landau
    lc = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}}, ["mu"],
                      ntst=20, bounds={"mu": (-1.0, 0.5)}, ds=0.02, ds_max=0.1)
    with pytest.raises(InputError, match="not near a saddle-node homoclinic orbit"):
        continue_homoclinic(sl, "HSN-C", lc.point(len(lc) - 1), ["mu", "w"])


def test_free_half_return_time_ab(auto_ab):
    """HC-C in (D, T) at beta = 2: D stays at the 'ab' homoclinic value while T grows
    (the truncation error decays like exp(-2 lambda T)); T rises along the curve."""
    m = auto_ab
    ep = continuation(m, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m.params}, ["D"],
                      bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["D"], bounds={"D": (0, 0.3)},
                      max_points=300, ntst=80)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["D", "T"], max_points=8,
                             ds=0.5, ds_max=2.0)
    T, D = hc.data["T"], hc.params["D"]
    assert T[0] == pytest.approx(lc.period[-1] / 2) and np.all(np.diff(T) > 0) and T[-1] > T[0] + 2
    assert np.all(hc.params["beta"] == 2.0)
    assert np.max(np.abs(D - 0.10550707003)) < 1e-9     # HomCont: 0.10550707003 at 2T = 45.5
    with pytest.raises(InputError, match="free T only from a cycle start"):
        continue_homoclinic(_bt_model("bt_kuznetsov", "kuznetsov"), "HC-C",
                            {"state": {"x": 0.0, "y": 0.0}, "params": {}, "bt": True},
                            ["beta1", "T"])


def test_towards_the_bt_point_stops_when_T_is_too_short():
    """With T fixed, the loop's time scale 1/delta outgrows T as beta2 -> 0: the truncated
    orbit stops closing near the saddle and the run must stop ("truncation") before it
    leaves the homoclinic curve; the points kept follow beta1 = -(6/25) beta2^2 (+ O(beta2))."""
    m = _bt_model("bt_kuznetsov", "kuznetsov")
    hc = continue_homoclinic(m, "HC-C", {"state": {"x": 0.0, "y": 0.0}, "params": m.params,
                                         "bt": True},
                             ["beta1", "beta2"], bt_amplitude=0.05, direction="backward",
                             max_points=200, ds=0.01, ds_max=0.2)
    assert hc.status == {"backward": "truncation"}
    b1, b2 = hc.params["beta1"], hc.params["beta2"]
    assert len(hc) >= 3 and np.all(np.diff(b2) > 0) and b2[-1] < 0
    assert np.all(np.abs(b1 / b2 ** 2 + 6 / 25) < 0.04 * np.abs(b2) + 1e-4)
    assert np.all(hc.data["end_gap"] <= 0.05)


def test_ei_bt_point_is_degenerate(ei_model):
    """The E-I model's BT point (Bi et al. 2021 Fig. 1a; R_e = V_e = 0, D_ee = 0, I_e where
    ``bt_condition`` vanishes, 0.0053953971) lies on the invariant line R_e = 0 of eq. 6a at
    D_ee = 0, which forces the normal-form coefficient a = 0: no generic homoclinic curve
    leaves it, and HC-C must say so rather than start."""
    from scipy.optimize import brentq
    m0 = ei_model(0.0)
    ie = brentq(lambda v: m0.with_params(I_e=v).bt_condition(), 1e-3, 1e-2, xtol=1e-15,
                rtol=1e-14)
    assert ie == pytest.approx(0.0053953971, rel=1e-8)     # the model docstring's value
    m = m0.with_params(I_e=ie)
    st = [e["state"] for e in m.equilibria() if e["kind"] == "R_e=0"][0]
    with pytest.raises(InputError, match="degenerate Bogdanov-Takens point"):
        continue_homoclinic(m, "HC-C", {"state": st, "params": m.params, "bt": True},
                            ["I_e", "D_ee"])


def test_bt_start_from_an_lp_c_special_point():
    """The BT point as bifkit's LP-C labels it (not a hand-made dict) starts HC-C, with the
    same first point as the closed-form start (beta1/beta2^2 = -0.23796 at beta2 = -1/14);
    an LP point is refused."""
    m = _bt_model("bt_kuznetsov", "kuznetsov").with_params(beta1=-0.5, beta2=-0.3)
    ep = continuation(m, "EP-C", {"x": 0.15 + np.sqrt(0.0225 + 0.5), "y": 0.0}, ["beta1"],
                      bounds={"beta1": (-1, 1)})
    lp = ep.special_points("LP")[0]
    lpc = continuation(m, "LP-C", lp, ["beta1", "beta2"],
                       bounds={"beta1": (-1, 1), "beta2": (-1, 1)})
    bt = lpc.special_points("BT")[0]
    hc = continue_homoclinic(m, "HC-C", bt, ["beta1", "beta2"], max_points=2)
    b1, b2 = hc.params["beta1"][0], hc.params["beta2"][0]
    assert b2 == pytest.approx(-1 / 14, rel=1e-6)            # the predictor at bt_amplitude 0.05
    assert b1 / b2 ** 2 == pytest.approx(-0.23796, abs=2e-4)
    with pytest.raises(InputError, match="not from a 'LP' point"):
        continue_homoclinic(m, "HC-C", lp, ["beta1", "beta2"])


def test_lorenz_homoclinic_explosion(make_model):
    """Lorenz (sigma = 10, b = 8/3): the cycle from the subcritical Hopf point
    r = sigma (sigma + b + 3)/(sigma - b - 1) = 470/19 ends at the homoclinic orbit of the
    origin at r = 13.92656 (issue 17; Sparrow 1982, 'The Lorenz equations', r ~ 13.926).
    HC-C from a cycle of period only 2.6, then (r, T) with T growing: r converges (measured
    13.9265574 from T = 2.5 on).  The origin's eigenvalues are -b and
    (-(sigma + 1) +- sqrt((sigma + 1)^2 + 4 sigma (r - 1)))/2, so sigma_saddle =
    (-11 + sqrt(81 + 40 r))/2 - 8/3 (closed form)."""
    m = make_model("lorenz_hc", ["x", "y", "z"], {"sigma": 10.0, "r": 24.0, "b": 8 / 3},
                   lambda x, y, z, sigma, r, b: [sigma * (y - x), r * x - y - x * z,
                                                 x * y - b * z])
    c = np.sqrt(8 / 3 * 23.0)
    ep = continuation(m, "EP-C", {"x": c, "y": c, "z": 23.0}, ["r"], bounds={"r": (1.5, 30)})
    (h,) = ep.special_points("H")
    assert h.params["r"] == pytest.approx(470 / 19, rel=1e-8)
    lc = continuation(m, "LC-C", h, ["r"], bounds={"r": (1.5, 30)}, max_points=300, ntst=100)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["r", "T"], max_points=25,
                             ds=0.5, ds_max=2.0, bounds={"T": (0, 6)})
    r, T = hc.params["r"], hc.data["T"]
    assert hc.status == {"forward": "bound"} and T[-1] > 5
    assert r[-1] == pytest.approx(13.92656, abs=1e-5)
    assert np.max(np.abs(r[T > 3] - r[-1])) < 1e-7           # converged in T
    assert np.allclose(hc.x, 0.0, atol=1e-10)                  # homoclinic to the origin
    sigma = (-11 + np.sqrt(81 + 40 * r)) / 2 - 8 / 3
    assert np.allclose(hc.saddle_quantity, sigma, rtol=1e-9)
    assert not hc.special_points()                              # sigma > 0 all along


def test_auto_ab_homoclinic_curve_ends_at_nch_on_the_fold(auto_ab):
    """The 'ab' demo's homoclinic curve in (D, beta) from beta = 2 ends at a non-central
    saddle-node homoclinic point: there the saddle is a fold of equilibria, so an EP-C in D
    at that beta (independent run) has a fold at the same D."""
    m = auto_ab
    ep = continuation(m, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m.params}, ["D"],
                      bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["D"], bounds={"D": (0, 0.3)},
                      max_points=300, ntst=80)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["D", "beta"], ds=0.05,
                             ds_max=0.2, bounds={"beta": (1.0, 3.0)})
    assert hc.status == {"forward": "NCH"}
    (nch,) = hc.special_points("NCH")
    D, beta = nch.data["free"]["D"], nch.data["free"]["beta"]
    assert nch.converged and 2.3 < beta < 2.5            # measured (0.1252759, 2.383582)
    m2 = m.with_params(beta=beta)
    ep2 = continuation(m2, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m2.params},
                       ["D"], bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    folds = [s.params["D"] for s in ep2.special_points("LP")]
    assert min(abs(f - D) for f in folds) < 1e-9          # measured 3e-17


def test_hc_c_through_the_public_entry_point():
    """``bifkit.continuation(model, "HC-C", ...)`` dispatches to the homoclinic curve and
    gives the same first point as the direct call (same BT start, same options)."""
    import bifkit
    m = _bt_model("bt_kuznetsov", "kuznetsov")
    start = {"state": {"x": 0.0, "y": 0.0}, "params": m.params, "bt": True}
    via_entry = bifkit.continuation(m, "HC-C", start, ["beta1", "beta2"], bt_amplitude=0.05,
                                    max_points=2, ds=1e-3)
    direct = continue_homoclinic(m, "HC-C", start, ["beta1", "beta2"], bt_amplitude=0.05,
                                 max_points=2, ds=1e-3)
    assert type(via_entry) is type(direct)
    assert via_entry.params["beta1"][0] == direct.params["beta1"][0]
    from bifkit.continuation import CURVES
    assert {"HC-C", "HSN-C"} <= set(CURVES)
    with pytest.raises(ValueError, match="ContinuationOptions"):
        bifkit.continuation(m, "HC-C", start, ["beta1", "beta2"],
                            options=bifkit.ContinuationOptions())
