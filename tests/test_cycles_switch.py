"""LC-C branch switching: the period-doubled branch that rejoins its parent ("reconnected",
issue 15 item 4) and switching at a branch point of cycles (BPC, issue 14 item 6).

Closed forms (the two systems below are built so that every value is exact):

* PD bubble: a unit-circle oscillator (x, y), x + i y = e^(i w t), drives a plane
  (u, v) that, in the frame turning with half the oscillator's angle, obeys
  p' = a p - (p^2 + q^2) p, q' = -q - (p^2 + q^2) q with a = mu (1 - mu).  Written in
  (u, v) the field is polynomial (cos and sin of the full angle are x and y).  The
  cycle u = v = 0 (period T = 2 pi / w) has multipliers 1, exp(-2 T), -exp(a T),
  -exp(-T): period doubling exactly at mu = 0 and mu = 1.  Between them the
  period-2 cycle u + i v = sqrt(a) e^(i w t / 2) (period 4 pi / w, amplitude
  sqrt(mu (1 - mu))) joins the two PD points.
* Cycle pitchfork: the same oscillator and z' = (mu + c x) z - z^3.  The cycle z = 0
  has the multiplier exp(mu T) (the mean of x over a period is 0): a branch point
  of cycles at mu = 0 (Z2: z -> -z).  On the other branch, integrating z'/z over
  a period gives mu - <z^2> = 0: the time average of z^2 equals mu (exact).
"""
import numpy as np
import pytest

import zoo_models as zoo
from bifkit.continuation import ContinuationOptions, continuation
from bifkit.continuation.cycles import orbit_from_samples


def pd_bubble(**params):
    """The PD bubble (module doc): PD at mu = 0 and mu = 1, period-2 branch between."""
    def rhs(x, y, u, v, mu, w):
        a = mu * (1 - mu)
        r2, q = x ** 2 + y ** 2, u ** 2 + v ** 2
        return [x * (1 - r2) - w * y, y * (1 - r2) + w * x,
                (a - 1) / 2 * u + (a + 1) / 2 * (x * u + y * v) - w / 2 * v - q * u,
                (a - 1) / 2 * v + (a + 1) / 2 * (y * u - x * v) + w / 2 * u - q * v]
    return zoo.model_from_rhs("zoo_pd_bubble", ["x", "y", "u", "v"],
                              {"mu": -0.3, "w": 1.0} | params, rhs)


def cycle_pitchfork(**params):
    """The cycle pitchfork (module doc): BPC at mu = 0 on z = 0; <z^2> = mu on the other."""
    def rhs(x, y, z, mu, c, w):
        r2 = x ** 2 + y ** 2
        return [x * (1 - r2) - w * y, y * (1 - r2) + w * x, (mu + c * x) * z - z ** 3]
    return zoo.model_from_rhs("zoo_cycle_pitchfork", ["x", "y", "z"],
                              {"mu": -0.3, "c": 0.5, "w": 1.0} | params, rhs)


def circle_orbit(model, ntst=20):
    """The exact cycle x + i y = e^(i t) (w = 1) with the other states 0."""
    t = np.linspace(0, 2 * np.pi, 201)
    X = np.zeros((len(t), model.n))
    X[:, 0], X[:, 1] = np.cos(t), np.sin(t)
    return orbit_from_samples(t, X, model.p, ntst=ntst)


def labels(branch):
    return sorted(s.label for s in branch.special_points())


# ------------------------------------------------------------------ reconnection after PD
@pytest.fixture(scope="module")
def bubble():
    m = pd_bubble()
    lc = continuation(m, "LC-C", circle_orbit(m), ["mu"], bounds={"mu": (-0.5, 1.5)}, ntst=20,
                      max_points=100, direction="forward")
    return m, lc


def test_pd_bubble_primary_branch(bubble):
    _, lc = bubble
    assert labels(lc) == ["PD", "PD"]
    pds = sorted(s.params["mu"] for s in lc.special_points("PD"))
    assert pds == pytest.approx([0.0, 1.0], abs=1e-9)         # closed form: a(mu) = 0


def test_period_two_branch_stops_where_it_rejoins_its_parent(bubble):
    m, lc = bubble
    pd0 = min(lc.special_points("PD"), key=lambda s: s.params["mu"])
    b2 = continuation(m, "LC-C", pd0, ["mu"], bounds={"mu": (-0.5, 1.5)}, ntst=20,
                      max_points=300)
    assert b2.status == {"forward": "reconnected"}
    # no false LPC at the rejoin, no PD on the period-2 branch (closed form: its
    # multipliers are 1, exp(-4T), exp(-2 a 2T), exp(-(1 + a) 2T), all positive)
    assert labels(b2) == ["BPC"]
    (end,) = b2.special_points("BPC")
    assert end.data["reconnected"] and end.converged
    assert end.params["mu"] == pytest.approx(1.0, abs=1e-9)   # closed form: the parent's PD
    assert end.data["parent_period"] == pytest.approx(2 * np.pi, rel=1e-10)
    assert end.index == len(b2) - 1
    # traced once: mu increases monotonically from 0 to 1, far from max_points
    mu = b2.params["mu"]
    assert len(b2) < 100 and np.all(np.diff(mu) > 0) and mu[-1] < 1.0
    amp = np.array([np.max(np.hypot(o.U[:, 2], o.U[:, 3])) for o in b2.orbits])
    assert np.max(np.abs(amp - np.sqrt(mu * (1 - mu)))) < 1e-7      # closed form
    assert np.allclose(b2.period, 4 * np.pi, rtol=1e-9)               # closed form


def test_ei_period_two_branch_reconnects_at_the_lower_pd(ei_hopf):
    """E-I (K=1000, D_ii=0.3, D_ee=2): the period-2 branch from the upper PD (4.73e-4) runs
    through the period-4 PDs and ends at the lower PD of the same cycle branch; before,
    it was labelled LPC there and re-traced the loop until max_points (issue 15)."""
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    kw = dict(bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    b = continuation(m, "LC-C", h, ["I_e"], **kw)
    assert labels(b) == ["PD", "PD"]                          # no BPC on a generic branch
    pd_lo, pd_hi = sorted(b.special_points("PD"), key=lambda s: s.params["I_e"])
    b2 = continuation(m, "LC-C", pd_hi, ["I_e"], max_points=400, **kw)
    assert b2.status == {"forward": "reconnected"}
    assert not b2.special_points("LPC")
    assert labels(b2) == ["BPC", "PD", "PD"]                 # each period-4 PD once
    pd4 = sorted(s.params["I_e"] for s in b2.special_points("PD"))
    # 3.0556497e-4: tests/test_cycles_lc.py (bifkit, ntst 50); 1.7001666e-4 this branch
    assert pd4[1] == pytest.approx(3.0556497e-4, rel=1e-6)
    (end,) = b2.special_points("BPC")
    # the parent's PD as LC-C on the parent locates it (mesh-limited to ~2e-7 at ntst 50,
    # tests/test_cycles_lc.py; AUTO-07p 6.1272717e-5 at ntst 50, validation/pd_mesh_convergence)
    assert end.params["I_e"] == pytest.approx(pd_lo.params["I_e"], rel=1e-6)
    assert end.data["parent_period"] == pytest.approx(pd_lo.data["period"], rel=1e-6)
    assert len(b2) < 300


# ------------------------------------------------------------------ switching at a BPC
@pytest.fixture(scope="module")
def pitchfork():
    m = cycle_pitchfork()
    lc = continuation(m, "LC-C", circle_orbit(m), ["mu"], bounds={"mu": (-0.5, 0.5)}, ntst=20,
                      max_points=60, direction="forward")
    return m, lc


def test_bpc_is_detected_on_the_symmetric_cycle(pitchfork):
    _, lc = pitchfork
    assert labels(lc) == ["BPC"]                              # not LPC: mu does not turn
    (bpc,) = lc.special_points("BPC")
    assert bpc.params["mu"] == pytest.approx(0.0, abs=1e-8)   # closed form: exp(mu T) = 1
    assert np.all(np.abs(np.array([o.U[:, 2] for o in lc.orbits])) < 1e-12)


def test_bpc_switch_follows_the_other_branch(pitchfork):
    m, lc = pitchfork
    bpc = lc.special_points("BPC")[0]
    other = continuation(m, "LC-C", bpc, ["mu"], bounds={"mu": (-0.5, 0.5)}, ntst=20,
                         max_points=60, direction="both")    # default at a BPC: "other"
    assert other.status == {"backward": "bound", "forward": "bound"}
    assert labels(other) == []
    zmax = np.array([np.max(np.abs(o.U[:, 2])) for o in other.orbits])
    mu = other.params["mu"]
    # the other branch, not the symmetric one re-traced: z != 0, on both sides (z -> -z)
    away = np.abs(mu) > 1e-3
    assert np.all(zmax[away] > 1e-2) and np.all(mu > -1e-9)
    signs = {np.sign(o.U[0, 2]) for o, a in zip(other.orbits, away) if a}
    assert signs == {-1.0, 1.0}
    # closed form: <z^2> = mu on every orbit of the branch
    for o in other.orbits[::4]:
        t = np.linspace(0.0, o.T, 4001)[:-1]
        assert np.mean(o(t)[:, 2] ** 2) == pytest.approx(o.p[0], rel=1e-7, abs=1e-10)
    assert mu.max() == pytest.approx(0.5, abs=1e-12)


def test_bpc_switch_same_branch(pitchfork):
    m, lc = pitchfork
    bpc = lc.special_points("BPC")[0]
    same = continuation(m, "LC-C", bpc, ["mu"], branch="same",
                        bounds={"mu": (-0.5, 0.5)}, ntst=20, max_points=60, direction="both")
    assert same.params["mu"][[0, -1]] == pytest.approx([-0.5, 0.5], abs=1e-12)
    assert max(np.max(np.abs(o.U[:, 2])) for o in same.orbits) < 1e-10   # z = 0: the same one


def test_branch_switch_needs_a_bpc(pitchfork, bubble):
    m, lc = pitchfork
    with pytest.raises(ValueError, match="BPC"):
        continuation(m, "LC-C", lc.point(3), ["mu"], options=ContinuationOptions(branch="other"),
                     ntst=20)
    with pytest.raises(ValueError, match="same parameter"):
        continuation(m, "LC-C", lc.special_points("BPC")[0], ["c"], ntst=20)
