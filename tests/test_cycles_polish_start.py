"""LC-C polishes a PD point after one regula-falsi trial (lc_run.POLISH_START_TRIALS).

The polish solves the PD defining system (tol 1e-11) on the trial's mesh, so the located
point must not depend on how close the regula falsi got first.  Reference: the same
branch with the regula falsi run to its fine tolerance (LOCATE_TOL = 1e-8) before the
polish, i.e. the located point without the shortcut; the E-I PD values themselves are
checked against AUTO-07p in validation/cross_check_auto.py (rows "E-I D_ee=2.0 LC-C").
"""
from __future__ import annotations

import pytest

import bifkit
from bifkit.continuation.cycles import lc_run

BOUNDS = {"I_e": (1e-5, 200.0)}


def _pd_points():
    m = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=BOUNDS,
                             log_params=["I_e"])
    lc = bifkit.continuation(m, "LC-C", start=ep.special_points("H")[0], free=["I_e"],
                             log_params=["I_e"], bounds=BOUNDS, ntst=50, ncol=4)
    return lc.special_points("PD")


def test_pd_polished_after_one_trial_is_the_fully_located_point(monkeypatch):
    fast = _pd_points()
    monkeypatch.setattr(lc_run, "POLISH_START_TRIALS", 40)
    monkeypatch.setattr(lc_run, "COARSE_LOCATE_TOL", lc_run.LOCATE_TOL)
    full = _pd_points()
    assert len(fast) == len(full) == 2            # AUTO-07p finds 2 PD points on this branch
    for a, b in zip(fast, full):
        assert a.params["I_e"] == pytest.approx(b.params["I_e"], rel=1e-10)
        assert a.data["period"] == pytest.approx(b.data["period"], rel=1e-10)
        # a polished point is converged (the defining system solved), not the trial's flag
        assert a.converged is True and b.converged is True
