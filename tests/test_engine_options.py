"""ContinuationOptions: validated when made, each bad value named; unknown keywords suggested;
the status vocabulary is fixed."""
import dataclasses
import math

import pytest

import bifkit
from bifkit.continuation.options import (CURVE_DEFAULTS, ContinuationOptions, MeshOptions,
                                         make_options)
from bifkit.continuation import CURVE_TYPES
from bifkit.continuation.status import STATUSES, check


@pytest.mark.parametrize("kw,named", [
    ({"ds": 10.0}, "ds_min <= |ds| <= ds_max"),
    ({"ds": 0.0}, "ds_min <= |ds| <= ds_max"),
    ({"ds_min": 0.0}, "ds_min <= |ds| <= ds_max"),
    ({"ds_min": -1.0}, "ds_min <= |ds| <= ds_max"),
    ({"ds": float("nan")}, "ds must be a finite number"),
    ({"ds_max": math.inf}, "ds_max must be a finite number"),
    ({"ds": "0.1"}, "ds must be a finite number"),
    ({"max_points": 2.5}, "max_points must be an integer >= 1; got 2.5"),
    ({"max_points": True}, "max_points must be an integer >= 1; got True"),
    ({"max_points": 0}, "max_points must be an integer >= 1; got 0"),
    ({"max_points": -5}, "max_points must be an integer >= 1; got -5"),
    ({"max_iter": 1}, "max_iter must be an integer >= 2"),
    ({"tol": -1.0}, "tol must be in (0, 1); got -1.0"),
    ({"tol": 0.0}, "tol must be in (0, 1)"),
    ({"tol": float("inf")}, "tol must be a finite number"),
    ({"direction": "up"}, "direction must be one of"),
    ({"bounds": {"I_e": (2.0, 1.0)}}, "bounds of 'I_e' must be (low, high)"),
    ({"bounds": {"I_e": (float("nan"), 1.0)}}, "bounds of 'I_e'"),
    ({"bounds": {"I_e": 3.0}}, "bounds of 'I_e'"),
    ({"bounds": [(0, 1)]}, "bounds must be a dict"),
    ({"log_params": "I_e"}, "log_params must be a list"),
    ({"events": [3.0]}, "events must be a list of events"),
    ({"stop_at": ["D_ee"]}, "stop_at must be a list of events"),
    ({"branch": "left"}, "branch must be 'other' or 'same'"),
    ({"progress": "yes"}, "progress must be True or False"),
    ({"T_max": -1.0}, "T_max must be a positive number"),
    ({"user_points": [1.0]}, "user_points must be a dict"),
])
def test_each_bad_value_is_named(kw, named):
    with pytest.raises(ValueError) as e:
        ContinuationOptions(**kw)
    assert named in str(e.value)


@pytest.mark.parametrize("kw,named", [
    ({"ntst": 1}, "ntst must be an integer >= 2; got 1"),
    ({"ntst": 20.5}, "ntst must be an integer >= 2; got 20.5"),
    ({"ncol": 0}, "ncol must be an integer >= 1"),
    ({"adapt_every": -1}, "adapt_every must be an integer >= 0"),
])
def test_mesh_options_are_validated(kw, named):
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(".", r"\.")):
        MeshOptions(**kw)


def test_options_are_frozen_and_the_valid_ones_pass():
    o = ContinuationOptions(ds=-0.02, ds_min=1e-6, ds_max=0.5, max_points=1, tol=1e-8,
                            direction="forward", bounds={"a": (-math.inf, 1)},
                            log_params=["b"], events=[bifkit.crossing("a", 0.5)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.ds = 1.0
    assert o.step == 0.02 and o.bounds == {"a": (-math.inf, 1.0)} and o.log_params == ("b",)
    assert o.directions() == [-1]    # a negative ds reverses a single direction (AUTO-07p)
    assert ContinuationOptions(direction="both", ds=-0.01).directions() == [-1, 1]


def test_unknown_keyword_lists_the_valid_names_with_a_suggestion():
    with pytest.raises(ValueError) as e:
        make_options("EP-C", dss=0.1)
    msg = str(e.value)
    assert "unknown option 'dss' (did you mean 'ds'?)" in msg
    assert "max_points" in msg and "ntst" in msg      # the list of valid names
    with pytest.raises(ValueError, match="did you mean 'max_points'"):
        make_options("LC-C", max_point=3)


def test_keywords_a_curve_does_not_take_are_refused():
    with pytest.raises(ValueError, match="option 'ntst' applies to LC-C, PD-C, LPC-C, NS-C only"):
        make_options("EP-C", ntst=20)
    with pytest.raises(ValueError, match="'stop_at_bt' applies to H-C only"):
        make_options("LP-C", stop_at_bt=False)
    with pytest.raises(ValueError, match="unknown labels to detect on EP-C: \\['PD'\\]"):
        make_options("EP-C", detect=["PD"])


def test_curve_defaults_and_overrides():
    # the defaults of the former per-curve options classes (same numbers as before)
    ep, lc, pd = make_options("EP-C"), make_options("LC-C"), make_options("PD-C")
    assert (ep.ds_min, ep.max_points, ep.tol, ep.max_iter, ep.direction) == \
        (1e-9, 2000, 1e-10, 8, "both")
    assert (lc.ds_min, lc.max_points, lc.tol, lc.max_iter, lc.direction) == \
        (1e-7, 500, 1e-10, 10, "forward")
    assert (lc.mesh.ntst, lc.mesh.ncol, lc.mesh.adapt_every) == (50, 4, 3)
    assert (pd.ds_min, pd.max_points, pd.tol, pd.max_iter, pd.mesh.ntst) == \
        (1e-6, 1000, 1e-9, 12, None)
    assert set(CURVE_DEFAULTS) == set(CURVE_TYPES)   # HC-C/HSN-C have options of their own
    base = ContinuationOptions(ds_max=0.05, ds=0.01)
    o = make_options("LC-C", base, ntst=30, max_points=7)
    assert (o.ds_max, o.max_points, o.mesh.ntst) == (0.05, 7, 30)


def test_plain_keywords_and_an_options_object_give_the_same_run(make_model):
    m = make_model("opt_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    a = bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu", ds=0.05, bounds={"mu": (-1, 2)})
    b = bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu",
                            ContinuationOptions(ds=0.05, bounds={"mu": (-1, 2)}))
    assert len(a) == len(b) and (a.x == b.x).all()
    # both directions end on the bound mu = 2 (x = +-sqrt 2), through the fold
    assert a.status == {"backward": "bound", "forward": "bound"}
    assert a.options["bounds"] == {"mu": [-1.0, 2.0]}


def test_status_vocabulary_is_fixed():
    assert {"completed", "bound", "max_points", "closed_loop", "step_underflow", "diverged",
            "reached_end_point"} <= set(STATUSES)
    assert check("bound") == "bound"
    with pytest.raises(ValueError, match="unknown branch status 'ended'"):
        check("ended")


def test_status_of_max_points_and_saved_round_trip(make_model, tmp_path):
    m = make_model("opt_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    br = bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu", max_points=3, direction="forward")
    assert len(br) == 3 and br.status == {"forward": "max_points"}
    assert "max_points (3) reached" in br.message   # the human sentence
    back = bifkit.Branch.load(br.save(tmp_path / "b.npz"))
    assert back.status == br.status and back.message == br.message
