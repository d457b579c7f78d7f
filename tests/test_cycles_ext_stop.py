"""Where the cycle-curve corrector and its locations stop (issue 14, PD-C speed).

* ``ext_newton.correct`` stops when the error left after a chord step, step r / (1 - r)
  with r the measured linear rate, is below tol (one iteration before the step itself
  is): the point must be the fully converged one to the tolerance, and the step control
  must count the iterations to a step below tol (``Point.iterations_to_tol``).
* ``curves._locate_on_step`` ends a location at a sign change of the test function
  within ``LOCATE_RESOLUTION`` of the step's arclength: the located points must be those
  of the location run to the locator's own 1e-13 bracket, to the corrector's tolerance.

Reference values: the same computations with the stopping rule switched off (tol 1e-13
for the corrector; LOCATE_RESOLUTION = 0 for the locations), an independent run of the
same equations to a tighter stop.
"""
import numpy as np
import pytest

from bifkit.continuation import continuation
from bifkit.continuation.cycles import curves, systems


@pytest.fixture(scope="module")
def ei_pd_start(ei_hopf):
    # the benchmark's PD-C start (benchmarks/continuation_vs_auto.py: D_ee = 2, ntst 50)
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    lc = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"],
                      ntst=50, ncol=4)
    return m, lc.special_points("PD")[0]


def _pd_curve(m, pd, **kw):
    return continuation(m, "PD-C", pd, ["I_e", "D_ee"], bounds={"I_e": (1e-5, 200.0),
                        "D_ee": (0.5, 6.0)}, log_params=["I_e"], ntst=100, ncol=4, **kw)


def test_early_stop_is_the_converged_point(ei_pd_start, monkeypatch):
    m, pd = ei_pd_start
    calls = []
    plain = systems.ExtendedSystem.correct

    def correct(self, ref, U0, z0, tU, tz, fix=None, guess=None, jac=None):
        out = plain(self, ref, U0, z0, tU, tz, fix=fix, guess=guess, jac=jac)
        if out is not None and fix is None and guess is not None and jac is None:
            calls.append((self, ref, U0, z0, tU, tz, guess, out))
        return out
    monkeypatch.setattr(systems.ExtendedSystem, "correct", correct)
    _pd_curve(m, pd, max_points=30)
    monkeypatch.setattr(systems.ExtendedSystem, "correct", plain)
    early = [c for c in calls if c[-1].iterations_to_tol == c[-1].iterations + 1]
    assert len(early) >= 10         # measured: 19 of the first 29 main steps
    assert all(c[-1].iterations_to_tol in (c[-1].iterations, c[-1].iterations + 1)
               for c in calls)
    for sysm, ref, U0, z0, tU, tz, guess, out in early:
        tol = sysm.tol
        sysm.tol = 1e-13                # the same correction run to a step below 1e-13
        try:
            tight = plain(sysm, ref, U0, z0, tU, tz, guess=guess)
        finally:
            sysm.tol = tol
        assert tight.iterations > out.iterations
        du = np.max(np.abs(out.U - tight.U)) / (1.0 + np.max(np.abs(tight.U)))
        dz = np.max(np.abs(out.z - tight.z) / (1.0 + np.abs(tight.z)))
        # the estimate promised an error below tol = 1e-9 in this (relative max) measure
        assert max(du, dz) < tol


def test_location_ends_at_the_resolution(ei_pd_start, monkeypatch):
    m, pd = ei_pd_start
    trials = []
    locate = curves.ev_mod.locate_zero

    def counting(g_of, *a, **k):
        return locate(lambda h: trials.append(h) or g_of(h), *a, **k)
    monkeypatch.setattr(curves.ev_mod, "locate_zero", counting)
    fast = _pd_curve(m, pd)
    n_fast = len(trials)
    trials.clear()
    monkeypatch.setattr(curves, "LOCATE_RESOLUTION", 0.0)   # to the locator's 1e-13 bracket
    full = _pd_curve(m, pd)
    n_full = len(trials)
    labels = [s.label for s in fast.special_points()]
    assert labels == [s.label for s in full.special_points()] == ["LPPD", "GPD", "LPPD", "GPD"]
    assert n_fast < 0.8 * n_full    # measured 36 against 54 trials
    for a, b in zip(fast.special_points(), full.special_points()):
        for name in ("I_e", "D_ee"):
            # both are points of the corrector (tol 1e-9) on the same step
            assert a.params[name] == pytest.approx(b.params[name], rel=1e-9)
        assert a.converged and b.converged
    # a GPD is still a zero of c: far below c at the ends of its step
    cc = np.abs(np.asarray(fast.data["pd_coefficient"], float))
    for g in fast.special_points("GPD"):
        assert abs(g.data["c"]) < 1e-3 * min(cc[g.index], cc[g.index + 1])
