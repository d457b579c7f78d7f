"""Codimension-2 points of cycles on the two-parameter cycle curves (issue 15): strong
resonances R1 / R2 where a Neimark-Sacker curve ends (on an LPC / PD curve), R1 on LPC-C,
R2 on PD-C.

Both test systems are a stable limit cycle (Hopf normal form, |z| = 1, period T = 2 pi
exactly) driving a planar system whose equilibrium sets the other two Floquet multipliers in
closed form, so every codimension-2 point has an exact location:

* :func:`bt_oscillator` -- the planar part is the Bogdanov-Takens normal form (Kuznetsov
  2004, eq. 8.51) u' = v, v' = b1 + b2 u + u^2 + s u v.  At an equilibrium with Jacobian
  eigenvalues lambda the cycle has multipliers exp(2 pi lambda): NS of the cycle on the Hopf
  curve b1 = 0, b2 < 0 (kappa = 2 pi sqrt(-b2)); LPC on the fold curve b1 = b2^2 / 4; the
  generic 1:1 resonance R1 (Jordan block at +1) at the BT point (0, 0), where the NS curve
  ends on the LPC curve.  Semisimple resonances (the pair e^{+-i kappa}, the map linear part
  diagonalisable) where 2 pi sqrt(-b2) = 2 pi k / q: R4 at b2 = -1/16, R3 at -1/9 and -4/9,
  R2 at -1/4; the NS curve passes them.
* :func:`mobius_oscillator` -- the planar part y is a Z2-symmetric BT system
  z1' = z2, z2' = a1 z1 + a2 z2 + e z1^3 + q z1^2 z2 (Kuznetsov 2004, sec. 8.5) seen in a
  frame turning by half a revolution per period, y = R(theta / 2) z (theta the driving
  oscillator's angle; products of cos(theta/2), sin(theta/2) of even degree written in
  cos theta, sin theta, exact on |z| = 1).  The return map of y is -Phi_z(2 pi): the cycle y = 0
  has multipliers -exp(2 pi lambda(a1, a2)), lambda the eigenvalues of [[0, 1], [a1, a2]]:
  PD on a1 = 0 (the other multiplier -exp(2 pi a2)); NS on a2 = 0, a1 < 0 with
  kappa = pi + 2 pi sqrt(-a1); the generic 1:2 resonance R2 (Jordan block at -1) at (0, 0),
  where the NS curve ends on the PD curve; on the NS curve R3 at a1 = -1/36, R4 at -1/16 and
  the semisimple R1 at -1/4 (passed).
  PD normal form (:mod:`bifkit.continuation.cycles.pd_normal_form`, dxi/dt = c xi^3 with
  int_0^T |phi|^2 dtau = 1): y = 0 is invariant and the eigenfunction is
  phi = R(tau/2) (1, 0) / sqrt(T); on the centre manifold of the Z2 system z1' = -(e / a2) z1^3
  + ... (left null vector (1, -1/a2) of [[0, 1], [0, a2]]), so c = -e / (a2 T) (closed form):
  generalised period doubling (GPD) at e = 0 on the PD curve a1 = 0.
* :func:`mobius_mixed` -- the same flow after the near-identity change of coordinates
  X = x + d y1^2, Y = y + b y1 y2, Y2 = y2 + al y1^2 (identity on the cycle) and the time
  rescaling by g = 1 + ep (y1^2 + y1 y2) (1 on the cycle): orbits, multipliers, eigenfunction
  and the Poincare map are unchanged, so c = -e / (a2 T) still, but the computation now runs
  through the quadratic terms (B(phi, phi) != 0, h2 != 0) and a nonzero period correction a.
* :func:`septic_bautin` -- z' = z (mu + i w + (nu + i br) |z|^2 + s |z|^4 + k |z|^6): cycles
  |z|^2 = rho with h(rho) = mu + nu rho + s rho^2 + k rho^3 = 0, folds (LPC) where also
  h'(rho) = 0, cusp of cycles (CPC) where also h''(rho) = 0: rho = -s / (3k); at s = 1,
  k = -1: rho = 1/3, nu = -1/3, mu = 1/27 (closed form).  Fold normal form dtau/dt = 1 - xi,
  dxi/dt = b xi^2: the phase tau = theta / Omega0 (Omega0 = w + br rho0) gives
  xi = -(br / Omega0)(rho - rho0) and rho' = 2 rho h(rho), so b = -rho0 h''(rho0) Omega0 / br
  = -rho0 (2 s + 6 k rho0) (w + br rho0) / br (closed form).  b is defined by the flow alone
  (xi measures the period change), so it is the same in any coordinates:
  :func:`septic_mixed` adds a slaved state z' = -z + g x^2 and the change of coordinates
  X = x + al y^2 + d z, Y = y + be z^2, Z = z (the B and A phi terms of b then both enter;
  dropping 2 A phi moves b by 0.5 %).
* NS normal form (:mod:`bifkit.continuation.cycles.ns_normal_form`, dz/dt = i omega z +
  d z |z|^2, int_0^T |phi|^2 dtau = 1): for :func:`bt_oscillator` the planar part is
  decoupled from the driving cycle, so Re d = omega l1 / T with l1 the first Lyapunov
  coefficient of the planar equilibrium's Hopf point (computed independently by
  ``ep.normal_forms.first_lyapunov_coefficient``, Kuznetsov's convention) and T = 2 pi.
  :func:`bt_cubic_oscillator` adds 25 e u^2 v: l1 = 0 (a Chenciner point CH of the NS curve
  b1 = 0) where the planar l1 vanishes, at e = 1 (its zero by brentq).
"""
import math

import numpy as np
import pytest
import sympy as sp

import zoo_models as zoo
from bifkit import continuation
from bifkit.continuation.cycles import orbit_from_samples

T_GRID = np.linspace(0.0, 2.0 * np.pi, 201)


def bt_oscillator(**params):
    """Limit cycle x Bogdanov-Takens normal form (module docstring)."""
    def rhs(x, y, u, v, b1, b2, s):
        r = x ** 2 + y ** 2
        return [x - y - r * x, x + y - r * y, v, b1 + b2 * u + u ** 2 + s * u * v]
    return zoo.model_from_rhs("zoo_bt_osc", ["x", "y", "u", "v"],
                              {"b1": -0.002, "b2": -0.04, "s": -1.0} | params, rhs)


def _half_angle(expr, x, y):
    """expr, a polynomial of even total degree in c = cos(theta/2), s = sin(theta/2), written in
    x = cos theta, y = sin theta (c^2 = (1 + x)/2, s^2 = (1 - x)/2, c s = y/2)."""
    c, s = sp.symbols("c s")
    out = 0
    for (i, j), coef in sp.Poly(sp.expand(expr), c, s).terms():
        assert (i + j) % 2 == 0
        if i % 2:
            out += coef * y / 2 * ((1 + x) / 2) ** ((i - 1) // 2) * ((1 - x) / 2) ** ((j - 1) // 2)
        else:
            out += coef * ((1 + x) / 2) ** (i // 2) * ((1 - x) / 2) ** (j // 2)
    return sp.expand(out)


def mobius_oscillator(**params):
    """Limit cycle x Z2-symmetric BT system in a half-turning frame (module docstring)."""
    def rhs(x, y, y1, y2, a1, a2, e, q):
        c, s = sp.symbols("c s")
        w1, w2 = c * y1 + s * y2, -s * y1 + c * y2            # z = R(-theta/2) y
        g1, g2 = w2, a1 * w1 + a2 * w2 + e * w1 ** 3 + q * w1 ** 2 * w2
        r = x ** 2 + y ** 2
        return [x - y - r * x, x + y - r * y,
                _half_angle(c * g1 - s * g2 - y2 / 2, x, y),   # y' = R g(z) + (theta'/2) J y
                _half_angle(s * g1 + c * g2 + y1 / 2, x, y)]
    return zoo.model_from_rhs("zoo_mobius_osc", ["x", "y", "y1", "y2"],
                              {"a1": -0.1, "a2": -1.0, "e": -1.0, "q": -1.0} | params, rhs)


def mobius_mixed(**params):
    """:func:`mobius_oscillator` in mixed coordinates and rescaled time (module docstring)."""
    al, be, de, ep = sp.Rational(1, 2), sp.Rational(-3, 10), sp.Rational(7, 10), sp.Rational(2, 5)

    def rhs(X, Y, Y1, Y2, a1, a2, e, q):
        y1 = Y1                          # the old coordinates from the new (explicit inverse)
        y2 = Y2 - al * Y1 ** 2
        x = X - de * Y1 ** 2
        y = Y - be * y1 * y2
        c, s = sp.symbols("c s")
        w1, w2 = c * y1 + s * y2, -s * y1 + c * y2
        g1, g2 = w2, a1 * w1 + a2 * w2 + e * w1 ** 3 + q * w1 ** 2 * w2
        r = x ** 2 + y ** 2
        dx, dy = x - y - r * x, x + y - r * y
        dy1 = _half_angle(c * g1 - s * g2 - y2 / 2, x, y)
        dy2 = _half_angle(s * g1 + c * g2 + y1 / 2, x, y)
        g = 1 + ep * (y1 ** 2 + y1 * y2)
        return [sp.expand(g * (dx + 2 * de * y1 * dy1)),
                sp.expand(g * (dy + be * (dy1 * y2 + y1 * dy2))),
                sp.expand(g * dy1), sp.expand(g * (dy2 + 2 * al * y1 * dy1))]
    return zoo.model_from_rhs("zoo_mobius_mixed", ["X", "Y", "Y1", "Y2"],
                              {"a1": -0.1, "a2": -1.0, "e": -1.0, "q": -1.0} | params, rhs)


def _cycle(m, planar):
    """The driving cycle with the planar part at its equilibrium ``planar`` (2 values)."""
    U = np.column_stack([np.cos(T_GRID), np.sin(T_GRID), planar[0] + 0 * T_GRID,
                         planar[1] + 0 * T_GRID])
    return orbit_from_samples(T_GRID, U, m.p, ntst=20)


def found(branch):
    return [(s.label, s.params) for s in branch.special_points()]


@pytest.fixture(scope="module")
def bt_lc():
    b1, b2 = -0.002, -0.04
    m = bt_oscillator(b1=b1, b2=b2)
    ue = (-b2 - math.sqrt(b2 ** 2 - 4 * b1)) / 2     # the equilibrium that has the Hopf point
    lc = continuation(m, "LC-C", _cycle(m, (ue, 0.0)), ["b1"], bounds={"b1": (-0.002, 0.002)},
                      ntst=20, max_points=50)
    return m, lc


def test_bt_oscillator_cycle_bifurcations(bt_lc):
    m, lc = bt_lc
    assert [s.label for s in lc.special_points()] == ["NS", "LPC"]
    ns, lpc = lc.special_points()
    assert ns.params["b1"] == pytest.approx(0.0, abs=1e-10)              # closed form b1 = 0
    assert lpc.params["b1"] == pytest.approx(0.04 ** 2 / 4, abs=1e-10)   # closed form b2^2/4


def test_ns_curve_ends_at_a_generic_1_1_resonance(bt_lc):
    m, lc = bt_lc
    c = continuation(m, "NS-C", lc.special_points("NS")[0], ["b1", "b2"],
                     bounds={"b1": (-1, 1), "b2": (-0.5, 0.5)}, ntst=20, max_points=300,
                     direction="forward")
    # was: step_underflow "corrector failed ... try a smaller ds_min or larger ntst"
    assert c.status == {"forward": "resonance_1_1"}
    assert "1:1 resonance" in c.message
    assert [lab for lab, _ in found(c)] == ["R1"]           # nothing else on b2 in (-0.04, 0)
    (r1,) = c.special_points("R1")
    assert r1.converged and r1.index == len(c) - 2            # the curve's last point
    assert r1.params["b1"] == pytest.approx(0.0, abs=1e-9)   # closed form: the BT point (0, 0)
    assert r1.params["b2"] == pytest.approx(0.0, abs=1e-9)
    assert c.params["b2"][-1] == r1.params["b2"]
    # the curve never runs back: b2 increases monotonically to the end
    assert np.all(np.diff(c.params["b2"]) > 0)
    mu = np.asarray(r1.data["multipliers"])
    assert np.sum(np.abs(mu - 1.0) < 1e-3) == 3              # trivial + the collided pair


def test_ns_curve_passes_semisimple_resonances(bt_lc):
    m, lc = bt_lc
    c = continuation(m, "NS-C", lc.special_points("NS")[0], ["b1", "b2"],
                     bounds={"b1": (-1, 1), "b2": (-0.5, 0.5)}, ntst=20, max_points=300,
                     direction="backward")
    assert c.status == {"backward": "bound"}
    # closed form: 2 pi sqrt(-b2) = 2 pi k / q (kappa continued without wrapping)
    expected = [("R3", -4 / 9), ("R2", -1 / 4), ("R3", -1 / 9), ("R4", -1 / 16)]
    assert [lab for lab, _ in found(c)] == [lab for lab, _ in expected]
    for (_, p), (_, b2) in zip(found(c), expected):
        assert p["b2"] == pytest.approx(b2, rel=1e-8)
        assert p["b1"] == pytest.approx(0.0, abs=1e-9)


def test_lpc_curve_r1_at_the_bt_point(bt_lc):
    m, lc = bt_lc
    lpc = lc.special_points("LPC")[0]
    runs = {d: continuation(m, "LPC-C", lpc, ["b1", "b2"], bounds={"b1": (-1, 1),
                            "b2": (-0.1, 0.1)}, ntst=20, max_points=300, direction=d)
            for d in ("forward", "backward")}
    for c in runs.values():
        assert np.allclose(c.params["b1"], c.params["b2"] ** 2 / 4, atol=1e-12)  # closed form
    assert found(runs["backward"]) == []                      # b2 < 0: nothing
    assert [lab for lab, _ in found(runs["forward"])] == ["R1"]
    (r1,) = runs["forward"].special_points("R1")
    assert r1.converged
    assert r1.params["b2"] == pytest.approx(0.0, abs=1e-9)   # closed form: the BT point
    assert r1.params["b1"] == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def mobius():
    m = mobius_oscillator(a1=-0.1, a2=-1.0)
    pd_lc = continuation(m, "LC-C", _cycle(m, (0.0, 0.0)), ["a1"], bounds={"a1": (-0.1, 0.1)},
                         ntst=20, max_points=50)
    m2 = mobius_oscillator(a1=-0.04, a2=-0.1)
    ns_lc = continuation(m2, "LC-C", _cycle(m2, (0.0, 0.0)), ["a2"],
                         bounds={"a2": (-0.1, 0.1)}, ntst=20, max_points=50)
    return m, pd_lc, m2, ns_lc


def test_mobius_cycle_bifurcations(mobius):
    m, pd_lc, m2, ns_lc = mobius
    assert [s.label for s in pd_lc.special_points()] == ["PD"]
    assert pd_lc.special_points("PD")[0].params["a1"] == pytest.approx(0.0, abs=1e-10)
    assert [s.label for s in ns_lc.special_points()] == ["NS"]
    assert ns_lc.special_points("NS")[0].params["a2"] == pytest.approx(0.0, abs=1e-10)


def test_ns_curve_ends_at_a_generic_1_2_resonance(mobius):
    _, _, m2, ns_lc = mobius
    c = continuation(m2, "NS-C", ns_lc.special_points("NS")[0], ["a2", "a1"],
                     bounds={"a1": (-0.5, 0.5), "a2": (-0.5, 0.5)}, ntst=20, max_points=300,
                     direction="forward")
    assert c.status == {"forward": "resonance_1_2"}
    assert "1:2 resonance" in c.message
    # closed form: kappa = pi + 2 pi sqrt(-a1): R3 at a1 = -1/36, then R2 at (0, 0)
    assert [lab for lab, _ in found(c)] == ["R3", "R2"]
    r3, r2 = c.special_points()
    assert r3.params["a1"] == pytest.approx(-1 / 36, rel=1e-8)
    assert r2.converged
    assert r2.params["a1"] == pytest.approx(0.0, abs=1e-9)
    assert r2.params["a2"] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(c.params["a1"]) > 0)                # never runs back
    mu = np.asarray(r2.data["multipliers"])
    assert np.sum(np.abs(mu + 1.0) < 1e-3) == 2


def test_ns_curve_passes_the_semisimple_1_1_resonance(mobius):
    _, _, m2, ns_lc = mobius
    c = continuation(m2, "NS-C", ns_lc.special_points("NS")[0], ["a2", "a1"],
                     bounds={"a1": (-0.5, 0.5), "a2": (-0.5, 0.5)}, ntst=20, max_points=300,
                     direction="backward")
    assert c.status == {"backward": "bound"}
    assert [lab for lab, _ in found(c)] == ["R1", "R4"]      # closed form, a1 = -1/4, -1/16
    r1, r4 = c.special_points()
    assert r1.params["a1"] == pytest.approx(-0.25, rel=1e-8)
    assert r4.params["a1"] == pytest.approx(-1 / 16, rel=1e-8)


def test_pd_curve_r2(mobius):
    m, pd_lc, _, _ = mobius
    pd = pd_lc.special_points("PD")[0]
    runs = {d: continuation(m, "PD-C", pd, ["a1", "a2"], bounds={"a1": (-0.5, 0.5),
                            "a2": (-1.5, 0.5)}, ntst=20, max_points=300, direction=d)
            for d in ("forward", "backward")}
    for c in runs.values():
        assert np.allclose(c.params["a1"], 0.0, atol=1e-9)   # closed form: PD on a1 = 0
    assert found(runs["backward"]) == []                     # a2 < -1: the other multiplier
    assert [lab for lab, _ in found(runs["forward"])] == ["R2"]   # -exp(2 pi a2) != -1
    (r2,) = runs["forward"].special_points("R2")
    assert r2.converged
    assert r2.params["a2"] == pytest.approx(0.0, abs=1e-9)   # closed form: -exp(2 pi a2) = -1


def test_pd_curve_gpd_and_its_coefficient(mobius):
    m, pd_lc, _, _ = mobius
    c = continuation(m, "PD-C", pd_lc.special_points("PD")[0], ["a1", "e"],
                     bounds={"e": (-2.0, 2.0)}, ntst=20, max_points=300, direction="both")
    assert c.status == {"forward": "bound", "backward": "bound"}
    assert c.params["e"].min() == -2.0 and c.params["e"].max() == 2.0
    # closed form c = -e / (a2 T), a2 = -1, T = 2 pi, at every point (measured 1.8e-12)
    assert np.allclose(c.data["pd_coefficient"], c.params["e"] / (2 * np.pi), atol=1e-9)
    assert [lab for lab, _ in found(c)] == ["GPD"]           # nothing else (no R2: a2 = -1)
    (gpd,) = c.special_points("GPD")
    assert gpd.converged
    assert gpd.params["e"] == pytest.approx(0.0, abs=1e-9)   # closed form: e = 0
    assert gpd.params["a1"] == pytest.approx(0.0, abs=1e-9)
    assert abs(gpd.data["c"]) < 1e-9


def test_detect_selects_the_cycle_codim2_labels(mobius):
    """``detect`` chooses the labels of a cycle curve: without GPD the PD coefficient is not
    computed at all (no data, no GPD), with R2 alone only R2 is reported; an unknown label is
    named in the error."""
    m, pd_lc, _, _ = mobius
    pd = pd_lc.special_points("PD")[0]
    kw = dict(bounds={"e": (-2.0, 2.0)}, ntst=20, max_points=300, direction="both")
    c = continuation(m, "PD-C", pd, ["a1", "e"], detect=["R2", "LPPD"], **kw)
    assert found(c) == [] and "pd_coefficient" not in c.data
    r2 = continuation(m, "PD-C", pd, ["a1", "a2"], bounds={"a1": (-0.5, 0.5), "a2": (-1.5, 0.5)},
                      ntst=20, max_points=300, detect=["GPD"])
    assert found(r2) == []                                   # R2 is there but not asked for
    with pytest.raises(ValueError, match="GPX"):
        continuation(m, "PD-C", pd, ["a1", "e"], detect=["GPX"], **kw)


# slow (-m slow): the coordinate-changed models' third-derivative kernels compile for minutes
# on an empty cache (measured 226 s and 221 s in a cold suite run on the loaded machine)
@pytest.mark.slow
@pytest.mark.parametrize("a2, e", [(-1.0, -1.0), (-0.5, 0.7)])
def test_pd_coefficient_is_invariant_under_coordinates_and_time(a2, e):
    """c of the mixed-coordinate, rescaled-time system equals the closed form of the plain one
    (the quadratic terms and the period correction a enter the computation; dropping the
    3 B(phi, h2) or the 6 a A phi term changes c by ~10 %)."""
    m = mobius_mixed(a1=-0.1, a2=a2, e=e)
    lc = continuation(m, "LC-C", _cycle(m, (0.0, 0.0)), ["a1"], bounds={"a1": (-0.1, 0.1)},
                      ntst=20, max_points=50)
    (pd,) = lc.special_points()
    assert pd.label == "PD" and pd.params["a1"] == pytest.approx(0.0, abs=1e-10)
    c = continuation(m, "PD-C", pd, ["a1", "e"], bounds={"e": (-2.0, 2.0)}, ntst=20,
                     max_points=3)
    # closed form -e / (a2 T); collocation error at ntst = 20: measured 5e-12 relative
    assert c.data["pd_coefficient"][0] == pytest.approx(-e / (a2 * 2 * np.pi), rel=1e-8)
    from bifkit.continuation.cycles.pd_normal_form import pd_coefficient
    o = c.orbits[0]
    nf = pd_coefficient(m, o.U, o.info["eigenfunction"], o.T, o.p, o.mesh, o.scheme)
    assert abs(nf["a"]) > 1e-2                                # the time rescaling shows in a


def septic_bautin(**params):
    """Bautin normal form with a septic term (module docstring)."""
    def rhs(x, y, mu, nu, w, br, s, k):
        r = x ** 2 + y ** 2
        h, om = mu + nu * r + s * r ** 2 + k * r ** 3, w + br * r
        return [x * h - om * y, y * h + om * x]
    return zoo.model_from_rhs("zoo_septic_bautin", ["x", "y"],
                              {"mu": -0.1, "nu": -0.2, "w": 1.0, "br": 0.5, "s": 1.0, "k": -1.0}
                              | params, rhs)


def test_lpc_curve_cusp_of_cycles_and_fold_coefficient():
    m = septic_bautin()
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.5, 0.5)})
    (h,) = ep.special_points("H")
    lc = continuation(m, "LC-C", h, ["mu"], bounds={"mu": (-1, 1)}, ntst=20, max_points=200)
    assert [s.label for s in lc.special_points()] == ["LPC", "LPC"]
    lpc = lc.special_points("LPC")[0]
    c = continuation(m, "LPC-C", lpc, ["mu", "nu"], bounds={"nu": (-0.6, 0.2), "mu": (-1, 1)},
                     ntst=20, max_points=300, direction="both")
    # forward: to the Bautin point (mu, nu) = (0, 0); backward: through the cusp to nu = 0.2
    assert c.status == {"forward": "reached_end_point", "backward": "bound"}
    rho = np.array([np.mean(o.U[:, 0] ** 2 + o.U[:, 1] ** 2) for o in c.orbits])
    b = -rho * (2 - 6 * rho) * (1 + 0.5 * rho) / 0.5           # closed form (docstring)
    ok = np.isfinite(c.data["lpc_coefficient"])
    assert ok.sum() >= len(c) - 1                               # all but the end at the Bautin point
    assert np.allclose(c.data["lpc_coefficient"][ok], b[ok], atol=1e-6)   # measured 7e-8
    assert [lab for lab, _ in found(c)] == ["CPC"]              # nothing else
    (cpc,) = c.special_points("CPC")
    assert cpc.converged
    assert cpc.params["nu"] == pytest.approx(-1 / 3, abs=1e-9)  # closed form
    assert cpc.params["mu"] == pytest.approx(1 / 27, abs=1e-9)
    assert abs(cpc.data["b"]) < 1e-9


def septic_mixed(**params):
    """:func:`septic_bautin` with a slaved state, in mixed coordinates (module docstring)."""
    al, be, de, ga = sp.Rational(1, 2), sp.Rational(-3, 10), sp.Rational(7, 10), sp.Rational(6, 5)

    def rhs(X, Y, Z, mu, nu, w, br, s, k):
        z = Z                                  # old coordinates from the new (explicit inverse)
        y = Y - be * z ** 2
        x = X - al * y ** 2 - de * z
        r = x ** 2 + y ** 2
        h, om = mu + nu * r + s * r ** 2 + k * r ** 3, w + br * r
        dx, dy, dz = x * h - om * y, y * h + om * x, -z + ga * x ** 2
        return [sp.expand(dx + 2 * al * y * dy + de * dz), sp.expand(dy + 2 * be * z * dz),
                sp.expand(dz)]
    return zoo.model_from_rhs("zoo_septic_mixed", ["X", "Y", "Z"],
                              {"mu": -0.1, "nu": -0.2, "w": 1.0, "br": 0.5, "s": 1.0, "k": -1.0}
                              | params, rhs)


@pytest.mark.slow
def test_fold_coefficient_is_the_same_in_other_coordinates():
    from bifkit.continuation.cycles.lpc_normal_form import lpc_coefficient
    rho = 0.3                                   # a cycle |z|^2 = 0.3: h(0.3) = 0 gives mu
    m = septic_mixed(mu=-(-0.2 * rho + rho ** 2 - rho ** 3))
    om = 1 + 0.5 * rho
    t = np.linspace(0, 2 * np.pi / om, 400)
    x, y = np.sqrt(rho) * np.cos(om * t), np.sqrt(rho) * np.sin(om * t)
    z = 1.2 * rho / 2 * (1 + (np.cos(2 * om * t) + 2 * om * np.sin(2 * om * t)) / (1 + 4 * om ** 2))
    Y = y - 0.3 * z ** 2
    orb = orbit_from_samples(t, np.column_stack([x + 0.5 * y ** 2 + 0.7 * z, Y, z]),
                             m.p, ntst=30)
    lc = continuation(m, "LC-C", orb, ["mu"], bounds={"mu": (-1, 1)}, ntst=30, max_points=200)
    lpc = lc.special_points("LPC")[0]
    c = continuation(m, "LPC-C", lpc, ["mu", "nu"], bounds={"nu": (-0.6, 0.2)}, ntst=30,
                     max_points=3)
    o = c.orbits[0]
    b = lpc_coefficient(m, o.U, o.info["eigenfunction"], c.data["sigma"][0], o.T, o.p, o.mesh,
                        o.scheme)
    assert c.data["lpc_coefficient"][0] == b
    Z = o.U[:, 2]
    yy = o.U[:, 1] + 0.3 * Z ** 2
    xx = o.U[:, 0] - 0.5 * yy ** 2 - 0.7 * Z
    rho0 = float(np.mean(xx ** 2 + yy ** 2))
    assert rho0 == pytest.approx((2 - math.sqrt(4 - 2.4)) / 6, rel=1e-7)   # h' = 0: smaller root
    # closed form of the plain system (docstring); measured 1.4e-10 relative at ntst = 30
    assert b == pytest.approx(-rho0 * (2 - 6 * rho0) * (1 + 0.5 * rho0) / 0.5, rel=1e-6)


def bt_cubic_oscillator(**params):
    """:func:`bt_oscillator` with the term 25 e u^2 v (module docstring)."""
    def rhs(x, y, u, v, b1, b2, s, e):
        r = x ** 2 + y ** 2
        return [x - y - r * x, x + y - r * y, v,
                b1 + b2 * u + u ** 2 + s * u * v + 25 * e * u ** 2 * v]
    return zoo.model_from_rhs("zoo_bt3s_osc", ["x", "y", "u", "v"],
                              {"b1": -0.002, "b2": -0.04, "s": -1.0, "e": 0.0} | params, rhs)


def _planar_l1(b2, s, e=0.0):
    """(l1, omega) of the planar BT part's Hopf point (b1 = 0, u = v = 0), by the equilibrium
    normal-form code (independent of the cycle computations)."""
    from bifkit.continuation.ep.normal_forms import first_lyapunov_coefficient
    pl = zoo.model_from_rhs("zoo_bt3s_planar", ["u", "v"], {"b1": 0.0, "b2": b2, "s": s, "e": e},
                            lambda u, v, b1, b2, s, e: [v, b1 + b2 * u + u ** 2 + s * u * v
                                                        + 25 * e * u ** 2 * v])
    l1, omega = first_lyapunov_coefficient(pl, np.zeros(2), pl.p)[:2]
    return l1, omega


@pytest.mark.parametrize("s", [-1.0, 0.5])
def test_ns_coefficient_against_the_planar_lyapunov_coefficient(s):
    from bifkit.continuation.cycles.ns_normal_form import ns_coefficient
    b1, b2 = -0.002, -0.04
    m = bt_oscillator(b1=b1, b2=b2, s=s)
    ue = (-b2 - math.sqrt(b2 ** 2 - 4 * b1)) / 2
    lc = continuation(m, "LC-C", _cycle(m, (ue, 0.0)), ["b1"], bounds={"b1": (-0.002, 0.002)},
                      ntst=20, max_points=50)
    c = continuation(m, "NS-C", lc.special_points("NS")[0], ["b1", "b2"],
                     bounds={"b1": (-1, 1), "b2": (-0.5, 0.5)}, ntst=20, max_points=4)
    for i in range(3):
        o = c.orbits[i]
        E = o.info["eigenfunction"]
        d = ns_coefficient(m, o.U, E[:, :4], E[:, 4:], c.data["kappa"][i], o.T, o.p, o.mesh,
                           o.scheme)["d"]
        l1, omega = _planar_l1(c.params["b2"][i], s)
        assert omega == pytest.approx(math.sqrt(-c.params["b2"][i]), rel=1e-12)
        # measured 1e-11 .. 3e-11 relative at ntst = 20
        assert d.real == pytest.approx(omega * l1 / o.T, rel=1e-8)
        assert c.data["ns_coefficient_real"][i] == pytest.approx(d.real, rel=1e-12)


def test_ns_curve_chenciner_point():
    b1, b2 = -0.002, -0.04
    m = bt_cubic_oscillator(b1=b1, b2=b2)
    ue = (-b2 - math.sqrt(b2 ** 2 - 4 * b1)) / 2
    lc = continuation(m, "LC-C", _cycle(m, (ue, 0.0)), ["b1"], bounds={"b1": (-0.002, 0.002)},
                      ntst=20, max_points=50)
    c = continuation(m, "NS-C", lc.special_points("NS")[0], ["b1", "e"],
                     bounds={"b1": (-1, 1), "e": (-1, 3)}, ntst=20, max_points=100,
                     direction="both")
    assert c.status == {"forward": "bound", "backward": "bound"}
    from scipy.optimize import brentq
    e_ref = brentq(lambda e: _planar_l1(b2, -1.0, e)[0], 0.0, 2.0, xtol=1e-14)   # = 1
    assert [lab for lab, _ in found(c)] == ["CH"]              # nothing else
    (ch,) = c.special_points("CH")
    assert ch.converged
    assert ch.params["e"] == pytest.approx(e_ref, abs=1e-9)
    assert ch.params["b1"] == pytest.approx(0.0, abs=1e-12)    # closed form: NS on b1 = 0
    assert abs(ch.data["re_d"]) < 1e-9
    red = c.data["ns_coefficient_real"]
    assert np.all(np.sign(red) == np.sign(e_ref - c.params["e"]) * -1)
