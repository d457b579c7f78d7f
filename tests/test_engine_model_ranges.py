"""Continuation stops at a model's valid parameter range with status "bound" (issue 20)."""
import math

import pytest

import bifkit
from bifkit.continuation.model_ranges import valid_interval


def test_valid_interval_from_constraints(ei_model):
    m = ei_model(D_ee=2.0)
    assert valid_interval(m, "D_ee") == (0.0, math.inf)     # Constraint D_ee >= 0
    assert valid_interval(m, "I_e") == (-math.inf, math.inf)  # no constraint
    lo, hi = valid_interval(m, "K")                          # K > 0 (strict): just above 0
    assert 0.0 < lo < 1e-50 and hi == math.inf


def test_ep_c_stops_at_d_ee_zero(ei_model):
    # before: EP-C in D_ee ran on to D_ee = -5, which the model itself rejects
    m = ei_model(D_ee=2.0, I_e=0.2)
    br = bifkit.continuation(m, "EP-C", m.steady_state()[0], "D_ee", max_points=200)
    assert br.status["backward"] == "bound"
    assert br.params["D_ee"].min() == 0.0                    # landed exactly on the edge
    assert (br.params["D_ee"] >= 0).all()
    # a user bound inside the valid range still wins
    b2 = bifkit.continuation(m, "EP-C", m.steady_state()[0], "D_ee", max_points=200,
                             bounds={"D_ee": (0.5, 3.0)})
    assert b2.params["D_ee"].min() == pytest.approx(0.5, abs=1e-12)


def test_user_model_ranges(tmp_path):
    m = bifkit.Model(bifkit.define_model("rng_fold", states={"x": 1.0},
                                         params={"mu": {"default": 1.0, "min": 0.25}},
                                         rhs={"x": "mu - x**2"}))
    assert valid_interval(m, "mu") == (0.25, math.inf)
    br = bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)})
    assert br.status == {"backward": "bound", "forward": "bound"}
    assert br.params["mu"].min() == pytest.approx(0.25, abs=1e-12)   # not through the fold
    assert br.special_points("LP") == []
