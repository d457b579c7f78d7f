"""Branch.save / Branch.load round trips for every curve type: the same class, every array,
special point, status and option back; the model rebuilt from the saved definition.

PD-C, LPC-C and NS-C round trips run inside tests/test_cycles_curves.py (they reuse its
expensive branches) through :func:`assert_round_trip`.
"""
import numpy as np
import pytest

import bifkit
from bifkit.continuation import continuation


def assert_round_trip(branch, tmp_path, name="b.npz"):
    """Save ``branch``, load it back and check that nothing changed; returns the loaded one."""
    back = bifkit.Branch.load(branch.save(tmp_path / name))
    assert type(back) is type(branch)
    assert (back.curve, back.free, back.status, back.message) == \
        (branch.curve, branch.free, branch.status, branch.message)
    assert np.array_equal(back.x, branch.x) and np.array_equal(back.p, branch.p)
    assert np.array_equal(back.eigenvalues, branch.eigenvalues, equal_nan=True)
    assert np.array_equal(back.stable, branch.stable)
    assert set(back.data) == set(branch.data)
    for k, v in branch.data.items():
        assert np.array_equal(back.data[k], v, equal_nan=True), k
    assert [(s.label, s.index, s.params) for s in back.special] == \
        [(s.label, s.index, s.params) for s in branch.special]
    assert back.options["bounds"] == branch.options["bounds"]
    assert back._model.params == branch._model.params
    if hasattr(branch, "orbits"):
        assert np.array_equal(back.period, branch.period)
        assert len(back.orbits) == len(branch.orbits)
        for a, b in zip(back.orbits, branch.orbits):
            assert np.array_equal(a.U, b.U) and np.array_equal(a.mesh, b.mesh) and a.T == b.T
            assert a.scheme.ncol == b.scheme.ncol
    return back


def test_ep_c_round_trip_of_an_unregistered_model(make_model, tmp_path):
    # x' = mu - x^2: an EP-C branch through the fold (mu = 0) with a UZ event point
    m = make_model("sl_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    br = continuation(m, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.crossing("mu", 0.5)])
    back = assert_round_trip(br, tmp_path)
    assert [s.label for s in back.special] == ["UZ", "LP", "UZ"]
    # the model came back from its saved definition (not in the registry): it computes
    assert back.model.compiled.f(0.0, np.array([2.0]), np.array([1.0]))[0] == -3.0
    # and restarts from a point of the reloaded branch through the public model
    k = len(back) // 2
    again = continuation(back.model, "EP-C", back.point(k), "mu", bounds={"mu": (-1, 2)},
                         max_points=5)
    at_start = np.isclose(again.p[:, 0], back.p[k, 0]) & np.isclose(again.x[:, 0], back.x[k, 0])
    assert at_start.any()                        # the restart begins on the reloaded point
    assert np.allclose(again.p[:, 0], again.x[:, 0] ** 2)   # and stays on mu = x^2


@pytest.fixture(scope="module")
def bt(make_model):
    # Bogdanov-Takens normal form x' = y, y' = b1 + b2 x + x^2 - x y
    return make_model("sl_bt", ["x", "y"], {"b1": 0.0, "b2": -1.0},
                      lambda x, y, b1, b2: [y, b1 + b2 * x + x * x - x * y])


@pytest.mark.parametrize("curve,start,params", [
    ("LP-C", {"x": 0.5, "y": 0.0}, {"b1": 0.25, "b2": -1.0}),   # fold: b1 = b2^2 / 4
    ("H-C", {"x": 0.0, "y": 0.0}, {"b1": 0.0, "b2": -1.0}),     # Hopf: b1 = 0, b2 < 0
    ("NF-C", {"x": 0.0, "y": 0.0}, {"b1": 0.0, "b2": -0.25}),   # node/focus: b2 = -1/4
])
def test_codim2_round_trip(bt, tmp_path, curve, start, params):
    br = continuation(bt.with_params(**params), curve, start, ["b1", "b2"],
                      bounds={"b1": (-1, 1), "b2": (-1, 1)}, max_points=60)
    assert len(br) > 5
    assert_round_trip(br, tmp_path)


def test_lc_c_round_trip_keeps_orbits_and_period(sl, tmp_path):
    b = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}},
                     ["mu"], ntst=20, bounds={"mu": (-1.0, 0.5)}, ds=0.02, ds_max=0.1)
    back = assert_round_trip(b, tmp_path)
    assert back.period == pytest.approx(np.pi, abs=1e-8)   # Stuart-Landau: T = 2 pi / w
    # a reloaded orbit is a valid LC-C start: the branch continues from it
    again = continuation(sl, "LC-C", back.point(3), ["mu"], ntst=20, max_points=3)
    assert again.params["mu"][0] == pytest.approx(b.params["mu"][3], abs=1e-12)
