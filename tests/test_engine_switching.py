"""Branch switching at branch points (BP) of EP-C: the other branch by default from a BP,
the same one when asked.  References are closed forms (the branches' equations)."""
import math

import numpy as np
import pytest

import bifkit
from bifkit.continuation import continuation


def _bp_and_switch(m, start, free, bounds, **kw):
    br = continuation(m, "EP-C", start, free, bounds=bounds)
    (bp,) = br.special_points("BP")
    return bp, continuation(m, "EP-C", bp, free, bounds=bounds, **kw)


def test_transcritical_normal_form(make_model):
    # x' = mu x - x^2: branches x = 0 and x = mu cross at the origin (transcritical BP)
    m = make_model("sw_tc", ["x"], {"mu": -1.0}, lambda x, mu: [mu * x - x ** 2])
    bp, other = _bp_and_switch(m, {"x": 0.0}, "mu", {"mu": (-1, 1)})
    assert bp.params["mu"] == pytest.approx(0.0, abs=1e-10)
    assert np.max(np.abs(other.states["x"] - other.params["mu"])) < 1e-12   # on x = mu
    assert np.ptp(other.params["mu"]) == pytest.approx(2.0)                # the whole of it
    assert other.status == {"backward": "bound", "forward": "bound"}
    (bp2,) = other.special_points("BP")   # it passes the BP again (the crossing)
    assert bp2.params["mu"] == pytest.approx(0.0, abs=1e-10)
    same = continuation(m, "EP-C", bp, "mu", bounds={"mu": (-1, 1)}, branch="same")
    assert np.max(np.abs(same.states["x"])) < 1e-12                       # back on x = 0


def test_pitchfork_normal_form(make_model):
    # x' = mu x - x^3: x = 0 and the parabola x^2 = mu meet at the origin (pitchfork BP)
    m = make_model("sw_pf", ["x"], {"mu": -1.0}, lambda x, mu: [mu * x - x ** 3])
    bp, other = _bp_and_switch(m, {"x": 0.0}, "mu", {"mu": (-1, 1)})
    assert np.max(np.abs(other.states["x"] ** 2 - other.params["mu"])) < 1e-12
    x = other.states["x"]
    assert x.min() == pytest.approx(-1.0, abs=1e-12) and x.max() == pytest.approx(1.0, abs=1e-12)
    assert other.params["mu"].min() > -1e-9   # never on x = 0 at mu < 0: not re-traced


def test_lorenz_at_r_1(make_model):
    # Lorenz: the origin loses stability at r = 1 where x = y = +-sqrt(b (r - 1)), z = r - 1
    # branch off (pitchfork, by the x -> -x, y -> -y symmetry)
    s, b = 10.0, 8.0 / 3.0

    def rhs(x, y, z, r, sigma, beta):
        return [sigma * (y - x), r * x - y - x * z, x * y - beta * z]
    m = make_model("sw_lorenz", ["x", "y", "z"], {"r": 0.5, "sigma": s, "beta": b}, rhs)
    bp, other = _bp_and_switch(m, {"x": 0.0, "y": 0.0, "z": 0.0}, "r", {"r": (0.0, 3.0)})
    assert bp.params["r"] == pytest.approx(1.0, abs=1e-10)
    r, X = other.params["r"], other.states
    assert np.max(np.abs(X["z"] - (r - 1))) < 1e-10
    assert np.max(np.abs(X["x"] ** 2 - b * (r - 1))) < 1e-10
    assert np.max(np.abs(X["x"] - X["y"])) < 1e-12
    assert X["x"].min() < -2.0 and X["x"].max() > 2.0   # both halves: +-sqrt(8/3 * 2) = +-2.31
    assert r.max() == pytest.approx(3.0, abs=1e-12) and r.min() > 1 - 1e-9


def test_ei_transcritical_point_switches_onto_r_e_zero(ei_model):
    # E-I (K = 1000, D_ii = 0.3) at I_e = 1e-3: the interior equilibrium meets R_e = 0 at
    # D_ee = 0.9740147 (issue 14); with R_e = 0 the E population is silent, so along the
    # R_e = 0 branch the other states do not depend on D_ee (closed form: model.steady_state)
    m = ei_model(D_ee=2.0, I_e=1e-3)
    interior = m.steady_state()[0]
    assert interior["R_e"] > 0
    bp, other = _bp_and_switch(m, interior, "D_ee", {"D_ee": (0.5, 3.0)})
    assert bp.params["D_ee"] == pytest.approx(0.9740147, abs=1e-7)
    assert np.max(np.abs(other.states["R_e"])) < 1e-15        # on R_e = 0, not re-traced
    silent = [s for s in m.steady_state() if s["R_e"] == 0.0 and s["V_e"] < 0][0]
    for k in ("V_e", "R_i", "V_i"):
        assert np.allclose(other.states[k], silent[k], rtol=1e-10, atol=0)
    assert other.params["D_ee"][[0, -1]] == pytest.approx([0.5, 3.0], abs=1e-12)


def test_switching_errors(make_model):
    m = make_model("sw_tc", ["x"], {"mu": -1.0}, lambda x, mu: [mu * x - x ** 2])
    with pytest.raises(ValueError, match="branch='other' needs a start at a branch point"):
        continuation(m, "EP-C", {"x": 0.0}, "mu", branch="other")
    # LC-C switches at BPC points too (branch='other' from a BPC); other curves have no branch
    with pytest.raises(ValueError, match="branch='other' needs a start at a branch point of "
                                         "cycles"):
        continuation(m, "LC-C", {"x": 0.0}, "mu", branch="other")
    m2 = make_model("sw_tc2", ["x"], {"mu": -1.0, "nu": 0.0},
                    lambda x, mu, nu: [mu * x - x ** 2 + nu])
    with pytest.raises(ValueError, match="option 'branch' applies to EP-C, LC-C only"):
        continuation(m2, "LP-C", {"x": 0.0}, ["mu", "nu"], branch="other")
