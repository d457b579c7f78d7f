"""User events (crossing, extremum, any function of a point) and stop_at on every curve family.

Reference values are closed forms derived in each test; located points must satisfy both the
curve's equations (to the corrector tolerance) and the event.
"""
import math

import numpy as np
import pytest

import bifkit
from bifkit.continuation import continuation


@pytest.fixture(scope="module")
def fold(make_model):
    # x' = mu - x^2: equilibria x = +-sqrt(mu) (closed form), fold at mu = 0
    return make_model("ev_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])


def test_crossing_on_ep_c_located_to_1e_10(fold):
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.crossing("mu", 0.5), bifkit.crossing("x", 0.3)])
    uz = br.special_points("UZ")
    mus = [s for s in uz if s.data["event"] == "crossing('mu', 0.5)"]
    # mu = 0.5 on both sheets: x = -sqrt(0.5) and +sqrt(0.5)
    assert len(mus) == 2
    for s in mus:
        assert s.params["mu"] == pytest.approx(0.5, abs=1e-10)
        assert abs(s.state["x"]) == pytest.approx(math.sqrt(0.5), abs=1e-10)
        assert s.converged and s.data["value"] == 0.5
    (xs,) = [s for s in uz if s.data["event"] == "crossing('x', 0.3)"]
    assert xs.state["x"] == pytest.approx(0.3, abs=1e-10)
    assert xs.params["mu"] == pytest.approx(0.09, abs=1e-10)   # mu = x^2 on the curve
    # indices: each located point lies between its index and index + 1 in mu order
    for s in uz:
        i = s.index
        lo, hi = sorted(br.states["x"][[i, i + 1]])
        assert lo <= s.state["x"] <= hi


def test_no_false_events(fold):
    # mu = 5 lies beyond the bound, and x = 3 is never reached: no UZ point at all
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.crossing("mu", 5.0), bifkit.crossing("x", 3.0)])
    assert br.special_points("UZ") == []


def test_user_function_and_extremum_on_ep_c(fold):
    # g = x^2 + mu^2 - 1 on mu = x^2: mu^2 + mu - 1 = 0, mu = (sqrt 5 - 1) / 2 (both sheets)
    def circle(pt):
        return pt.value("x") ** 2 + pt.value("mu") ** 2 - 1.0
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[circle, bifkit.extremum("mu")])
    ring = [s for s in br.special_points("UZ") if s.data["event"] == "circle"]
    assert len(ring) == 2
    for s in ring:
        assert s.params["mu"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-10)
    # the curve turns in mu at the fold: a minimum of mu at mu = 0, where LP is
    (ex,) = [s for s in br.special_points("UZ") if s.data["event"] == "extremum('mu')"]
    (lp,) = br.special_points("LP")
    assert ex.params["mu"] == pytest.approx(0.0, abs=1e-12) and ex.data["extremum"] == "min"
    assert ex.state["x"] == pytest.approx(lp.state["x"], abs=1e-6)


def test_stop_at_ends_the_run_at_the_event(fold):
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      direction="forward", stop_at=[bifkit.crossing("mu", 1.5)])
    assert br.status == {"forward": "completed"}
    assert br.params["mu"][-1] == pytest.approx(1.5, abs=1e-10)   # the last point is the event
    assert br.states["x"][-1] == pytest.approx(math.sqrt(1.5), abs=1e-10)
    assert br.params["mu"].max() <= 1.5 + 1e-10                     # nothing beyond it
    assert [s.label for s in br.special] == ["UZ"]


def test_bad_events_are_clear_errors(fold):
    with pytest.raises(ValueError, match="unknown name 'nu' in an event"):
        continuation(fold, "EP-C", {"x": 1.0}, "mu", events=[bifkit.crossing("nu", 1.0)])
    with pytest.raises(ValueError, match="returned 'a', not a number"):
        continuation(fold, "EP-C", {"x": 1.0}, "mu", events=[lambda pt: "a"])
    with pytest.raises(ValueError, match="the value must be a finite number"):
        bifkit.crossing("mu", math.nan)


@pytest.fixture(scope="module")
def quartic_fold(make_model):
    # x' = mu + nu x - x^2 - nu^4 / 4, y' = -y.  Folds: f_x = nu - 2x = 0, x = nu / 2, so
    # f = mu + nu^2/4 - nu^4/4 = 0: the fold curve mu(nu) = (nu^4 - nu^2) / 4.  It turns in mu
    # where nu^3 - nu/2 = 0: at nu = 0 (max, mu = 0) and nu = +-1/sqrt 2 (min, mu = -1/16).
    return make_model("ev_quartic", ["x", "y"], {"mu": 0.0, "nu": 0.0},
                      lambda x, y, mu, nu: [mu + nu * x - x ** 2 - nu ** 4 / 4, -y])


def test_extremum_of_a_fold_curve_closed_form(quartic_fold):
    # start at nu = 0.2 (x = nu/2, mu = (nu^4 - nu^2)/4), not on an extremum
    m = quartic_fold.with_params(mu=(0.2 ** 4 - 0.2 ** 2) / 4, nu=0.2)
    br = continuation(m, "LP-C", {"x": 0.1, "y": 0.0}, ["mu", "nu"],
                      bounds={"nu": (-1.5, 1.5)}, events=[bifkit.extremum("mu"),
                                                          bifkit.crossing("nu", 0.3)])
    assert np.allclose(br.params["mu"], (br.params["nu"] ** 4 - br.params["nu"] ** 2) / 4,
                       atol=1e-10)
    ex = sorted((s for s in br.special_points("UZ") if s.data["event"] == "extremum('mu')"),
                key=lambda s: s.params["nu"])
    assert [s.data["extremum"] for s in ex] == ["min", "max", "min"]
    for s, nu in zip(ex, (-1 / math.sqrt(2), 0.0, 1 / math.sqrt(2))):
        assert s.params["nu"] == pytest.approx(nu, abs=1e-9)   # location (mu flat there)
        assert s.params["mu"] == pytest.approx(-1 / 16 if nu else 0.0, abs=1e-12)
        assert s.state["x"] == pytest.approx(s.params["nu"] / 2, abs=1e-9)
    (c,) = [s for s in br.special_points("UZ") if s.data["event"] == "crossing('nu', 0.3)"]
    assert c.params["nu"] == pytest.approx(0.3, abs=1e-10)
    assert c.params["mu"] == pytest.approx((0.3 ** 4 - 0.3 ** 2) / 4, abs=1e-10)


def test_stop_at_on_a_codim2_curve(quartic_fold):
    br = continuation(quartic_fold, "LP-C", {"x": 0.0, "y": 0.0}, ["mu", "nu"],
                      direction="forward", stop_at=[bifkit.crossing("nu", 0.5)])
    assert br.status == {"forward": "completed"}
    assert br.params["nu"][-1] == pytest.approx(0.5, abs=1e-10)
    assert br.params["mu"][-1] == pytest.approx((0.5 ** 4 - 0.5 ** 2) / 4, abs=1e-10)


def test_events_on_lc_c(sl):
    # Stuart-Landau: radius sqrt(mu), so the orbit's max of x is sqrt(mu); T = pi (w = 2)
    b = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}},
                     ["mu"], ntst=20, bounds={"mu": (-1.0, 0.6)}, ds=0.02,
                     events=[bifkit.crossing("mu", 0.25), bifkit.crossing("period", 4.0)],
                     stop_at=[bifkit.crossing("mu", 0.45)])
    (uz, stop) = b.special_points("UZ")
    assert uz.params["mu"] == pytest.approx(0.25, abs=1e-10)
    assert uz.data["orbit"].U[:, 0].max() == pytest.approx(0.5, abs=1e-6)  # node maximum
    assert stop.params["mu"] == pytest.approx(0.45, abs=1e-10)
    assert b.status == {"forward": "completed"} and b.params["mu"][-1] == pytest.approx(0.45)
    # the period is pi everywhere: crossing("period", 4.0) never happens (no false label)
    assert all(s.data["event"] != "crossing('period', 4.0)" for s in b.special)
