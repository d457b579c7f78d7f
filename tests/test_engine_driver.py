"""The one driver (bifkit/continuation/driver.py): every moved curve family runs through it.

Reference values are the same curve's single-direction runs (the joined branch of
direction="both" must be the backward run reversed followed by the forward run
without its repeated start) and closed forms of the normal forms used.
"""
import numpy as np
import pytest

from bifkit.continuation import CURVE_TYPES, continuation, driver


@pytest.fixture
def spy(monkeypatch):
    """The curve titles and directions that went through driver.run_direction."""
    calls = []
    inner = driver.run_direction

    def run_direction(curve, sign, opts):
        calls.append((curve.title.split()[0], sign))
        return inner(curve, sign, opts)
    monkeypatch.setattr(driver, "run_direction", run_direction)
    return calls


def _fold(make_model):
    # x' = mu - x^2: equilibria x = +-sqrt(mu), one fold at mu = 0 (closed form)
    return make_model("drv_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])


def _hopf(make_model):
    # x' = mu x - w y - x r^2, y' = w x + mu y - y r^2: Hopf curve mu = 0 for every w > 0
    def rhs(x, y, mu, w):
        r2 = x * x + y * y
        return [mu * x - w * y - x * r2, w * x + mu * y - y * r2]
    return make_model("drv_hopf", ["x", "y"], {"mu": -0.3, "w": 1.0}, rhs)


def _assert_joined(both, back, fwd):
    """both == back[:-1] + fwd (a single backward run is stored reversed, its start last),
    statuses of both directions, the start once."""
    np.testing.assert_array_equal(back.x[-1], fwd.x[0])
    assert set(both.status) == {"backward", "forward"}
    assert both.status["backward"] == back.status["backward"]
    assert both.status["forward"] == fwd.status["forward"]
    assert len(both) == len(back) + len(fwd) - 1          # the start point once
    np.testing.assert_array_equal(both.x, np.concatenate([back.x[:-1], fwd.x]))
    np.testing.assert_array_equal(both.p, np.concatenate([back.p[:-1], fwd.p]))
    rows = np.hstack([both.x, both.p])
    start = np.concatenate([fwd.x[0], fwd.p[0]])
    assert np.sum(np.all(rows == start, axis=1)) == 1
    assert both.message.startswith("backward: ") and "; forward: " in both.message


def test_curve_table_maps_moved_families_to_curve_classes():
    for name in ("EP-C", "LP-C", "H-C", "NF-C", "LC-C"):
        module, cls = CURVE_TYPES[name][1]
        assert cls in ("EquilibriumCurve", "Codim2Curve", "CycleCurve")


def test_ep_c_both_directions_are_joined_by_the_driver(make_model, spy):
    m = _fold(make_model)
    kw = dict(bounds={"mu": (-1, 2)}, ds=0.05)
    both = continuation(m, "EP-C", {"x": 1.0}, ["mu"], direction="both", **kw)
    assert spy == [("EP-C", -1), ("EP-C", 1)]
    back = continuation(m, "EP-C", {"x": 1.0}, ["mu"], direction="backward", **kw)
    fwd = continuation(m, "EP-C", {"x": 1.0}, ["mu"], direction="forward", **kw)
    _assert_joined(both, back, fwd)
    # the fold (mu = 0, x = 0 in closed form) once, between the joined points index, index + 1
    (lp,) = both.special_points("LP")
    assert lp.params["mu"] == pytest.approx(0.0, abs=1e-10)
    i = lp.index
    assert both.x[i, 0] * both.x[i + 1, 0] < 0
    assert both.status == {"backward": "bound", "forward": "bound"}


def test_h_c_both_directions_are_joined_by_the_driver(make_model, spy):
    m = _hopf(make_model)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.3, 0.3)},
                      ds=0.05, direction="forward")
    (h,) = ep.special_points("H")
    spy.clear()
    kw = dict(bounds={"mu": (-1, 1), "w": (0.5, 2.0)}, ds=0.1)
    both = continuation(m, "H-C", h, ["mu", "w"], direction="both", **kw)
    assert spy == [("H-C", -1), ("H-C", 1)]
    back = continuation(m, "H-C", h, ["mu", "w"], direction="backward", **kw)
    fwd = continuation(m, "H-C", h, ["mu", "w"], direction="forward", **kw)
    _assert_joined(both, back, fwd)
    w = both.params["w"]
    assert np.all(np.diff(w) > 0)                         # one sweep, backward part first
    assert w[0] == pytest.approx(0.5) and w[-1] == pytest.approx(2.0)
    np.testing.assert_allclose(both.params["mu"], 0.0, atol=1e-9)   # closed form mu = 0
    assert both.status == {"backward": "bound", "forward": "bound"}


class _FakeCurve:
    """A curve whose runs are given arrays (no equations): tests the joining alone."""

    title = "fake"

    def __init__(self, runs):
        self.runs = runs

    def run_direction(self, sign, opts):
        m, status, specials = self.runs[sign]
        pts = np.arange(m, dtype=float) * sign
        from bifkit.continuation.branch import SpecialPoint
        run = driver.Run(sign, m, status, status, np.zeros((m, 1)), np.ones(m), {"X": pts})
        run.special = [SpecialPoint("S", i, {}, {}) for i in specials]
        return run

    def scanned(self, run, opts):
        return []

    def finish(self, run, opts):
        pass

    def rows(self, run):
        return {"X": run.arrays["X"][:run.m]}

    def branch(self, rows, special, status, message, opts):
        return rows, special, status, message


class _Opts:
    progress, max_points, events, stop_at = False, 10, (), ()

    def __init__(self, signs):
        self.signs = signs

    def directions(self):
        return self.signs


def test_join_reverses_the_backward_run_and_moves_special_indices():
    curve = _FakeCurve({-1: (4, "bound", [1]), 1: (3, "max_points", [0])})
    rows, special, status, message = driver.continue_curve(curve, _Opts([-1, 1]))
    np.testing.assert_array_equal(rows["X"], [-3, -2, -1, 0, 1, 2])   # start 0 once
    # backward special after run point 1 (between -1 and -2) -> joined index 1 (-2 .. -1);
    # forward special after run point 0 -> joined index 3 (0 .. 1)
    assert [s.index for s in special] == [1, 3]
    assert status == {"backward": "bound", "forward": "max_points"}
    assert message == "backward: bound; forward: max_points"


def test_a_closed_curve_is_not_run_in_the_other_direction():
    curve = _FakeCurve({-1: (5, "closed_loop", []), 1: (3, "bound", [])})
    rows, _, status, _ = driver.continue_curve(curve, _Opts([-1, 1]))
    assert status == {"backward": "closed_loop"}          # forward never ran
    np.testing.assert_array_equal(rows["X"], [-4, -3, -2, -1, 0])


def test_lc_c_runs_through_the_driver_and_joins_like_ep_c(make_model, spy):
    # Hopf normal form: the cycles are the circles r = sqrt(mu) of period 2 pi / w (closed form)
    m = _hopf(make_model)
    ep = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.3, 0.3)},
                      ds=0.05, direction="forward")
    (h,) = ep.special_points("H")
    # runs end at max_points (with bounds={"mu": (0.02, 0.5)} the Hopf start mu = 0 lies below
    # the bound and lc_run's bound landing raises numpy's LinAlgError: a separate bug, reported)
    kw = dict(ntst=20, ncol=4, ds=0.02, ds_max=0.02, max_points=8)
    spy.clear()
    lc = continuation(m, "LC-C", h, ["mu"], direction="both", **kw)
    # a Hopf start has one branch: one forward run whatever the direction asked for
    assert spy == [("LC-C", 1)]
    assert lc.status == {"forward": "max_points"} and lc.message.startswith("forward: ")
    mu = lc.params["mu"]
    np.testing.assert_allclose(lc.period, 2 * np.pi, rtol=1e-8)           # w = 1
    np.testing.assert_allclose(lc.amplitude()[0][:, 0], np.sqrt(mu), rtol=1e-6)
    assert lc.special == []          # no LPC/PD/NS/BPC on a family of circles
    # from an orbit of that branch: two runs, joined by the driver (backward reversed first)
    start = lc.point(len(lc) // 2)
    spy.clear()
    both = continuation(m, "LC-C", start, ["mu"], direction="both", **kw)
    assert spy == [("LC-C", -1), ("LC-C", 1)]
    back = continuation(m, "LC-C", start, ["mu"], direction="backward", **kw)
    fwd = continuation(m, "LC-C", start, ["mu"], direction="forward", **kw)
    _assert_joined(both, back, fwd)
    # backward the circles shrink onto the Hopf point mu = 0 (closed form) and the run ends there
    assert both.status == {"backward": "reached_end_point", "forward": "max_points"}
    assert np.all(np.diff(both.params["mu"]) > 0)   # backward part reversed: one sweep upwards
    (hp,) = both.special_points("H")
    assert hp.index == 0 and hp.params["mu"] == pytest.approx(0.0, abs=1e-10)
    assert len(both.orbits) == len(both)
    np.testing.assert_array_equal(both.period, np.concatenate([back.period[:-1], fwd.period]))


def _langford(make_model):
    # Langford's torus system: the cycle x^2 + y^2 = a - z^2 ... has a Neimark-Sacker curve
    # b = 1.5 a + 0.2 (1 - a^2 / 4) (closed form, as in tests/test_cycles_curves.py)
    def rhs(x, y, z, a, b, c, d):
        w = z + d * (1 - z ** 2)
        return [(a - b) * x - c * y + x * w, c * x + (a - b) * y + y * w,
                a * z - (x ** 2 + y ** 2 + z ** 2)]
    return make_model("drv_langford", ["x", "y", "z"], {"a": 1.7, "b": 3.0, "c": 0.25, "d": 0.2},
                      rhs)


def test_ns_c_runs_through_the_driver_forward_first_backward_joined_first(make_model, spy):
    m = _langford(make_model)
    aH = 5 - np.sqrt(11)   # Hopf of the equilibrium (0, 0, a): 2a - 2.8 - 0.2 a^2 = 0
    br = continuation(m.with_params(a=aH), "LC-C",
                      {"state": {"x": 0.0, "y": 0.0, "z": aH}, "params": {"a": aH}}, ["a"],
                      bounds={"a": (1.0, 2.5)}, ntst=40, ds=0.01, ds_max=0.05)
    (ns,) = br.special_points("NS")
    kw = dict(bounds={"a": (1.0, 4.0)}, max_points=300)
    spy.clear()
    both = continuation(m, "NS-C", ns, ["a", "b"], direction="both", **kw)
    # the cycle bifurcation curves run forward first (a closed curve is traced with its
    # second parameter increasing); the joined branch still has the backward run first
    assert spy == [("NS-C", 1), ("NS-C", -1)]
    back = continuation(m, "NS-C", ns, ["a", "b"], direction="backward", **kw)
    fwd = continuation(m, "NS-C", ns, ["a", "b"], direction="forward", **kw)
    assert both.status == {"forward": "bound", "backward": "bound"}
    assert both.message.startswith("forward: ") and "; backward: " in both.message
    assert back.status == {"backward": "bound"} and fwd.status == {"forward": "bound"}
    np.testing.assert_array_equal(back.p[-1], fwd.p[0])    # backward-only: start last
    assert len(both) == len(back) + len(fwd) - 1
    np.testing.assert_array_equal(both.p, np.concatenate([back.p[:-1], fwd.p]))
    np.testing.assert_array_equal(both.period, np.concatenate([back.period[:-1], fwd.period]))
    A, B = both.params["a"], both.params["b"]
    assert sorted(A[[0, -1]]) == pytest.approx([1.0, 4.0], abs=1e-12)   # both bounds landed on
    assert np.max(np.abs(B - (1.5 * A + 0.2 * (1 - A ** 2 / 4)))) < 1e-9   # closed form
    assert not [s for s in both.special if s.label not in ("R1", "R2", "R3", "R4", "LPNS",
                                                            "PDNS", "CH")]
