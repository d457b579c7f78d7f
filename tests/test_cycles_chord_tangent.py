"""LC-C's tangent from the chord factorisation (lc_newton.correct) and its guard.

The main loop's tangent is solved with the corrector's chord factorisation (the Jacobian
at the predictor), not re-eliminated on the factorisation at the solution.  Reference:
the exact tangent at the solution, linalg.tangent_solve through Corrector.tangent (the
previous code's tangent).  Where d theta / ds is small the sign of the LPC test must be
the exact tangent's (lc_run.EXACT_TANGENT_BELOW): without that guard the E-I branch
returning to its upper Hopf point got a false LPC.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import bifkit
from bifkit.continuation.cycles import lc_run

BOUNDS = {"I_e": (1e-5, 200.0)}


def _ei(D_ee):
    return bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=D_ee, I_e=1e-5)


def test_chord_tangent_close_to_the_exact_one(monkeypatch):
    m = _ei(2.0)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=BOUNDS,
                             log_params=["I_e"])
    pairs = []
    plain = lc_run.Corrector.step

    def step(self, st, ds, p, ref_U, exact_below, curvature):
        new, crossed = plain(self, st, ds, p, ref_U, exact_below, curvature)
        if new is not None:
            # the same step with the tangent from the chord factorisation and with the
            # exact one at the solution (same Newton: the same orbit)
            chord, _ = plain(self, st, ds, p, ref_U, 0.0, curvature)
            exact, _ = plain(self, st, ds, p, ref_U, math.inf, curvature)
            assert np.array_equal(chord.U, exact.U)
            pairs.append(((chord.tU, chord.tT, chord.ttheta),
                          (exact.tU, exact.tT, exact.ttheta),
                          self.norm(exact, chord.tU - exact.tU, chord.tT - exact.tT,
                                    chord.ttheta - exact.ttheta)))
        return new, crossed
    monkeypatch.setattr(lc_run.Corrector, "step", step)
    bifkit.continuation(m, "LC-C", start=ep.special_points("H")[0], free=["I_e"],
                        log_params=["I_e"], bounds=BOUNDS, ntst=50, ncol=4)
    assert len(pairs) > 40
    worst = max(d for _, _, d in pairs)
    # O(|predictor - solution|): measured 2e-2 at most on this branch (weighted norm of
    # unit tangents); a tangent from a wrong factorisation or borders is O(1) off
    assert 1e-8 < worst < 5e-2
    for chord, exact, _ in pairs:
        assert chord[2] * exact[2] > 0    # d theta / ds: the same sign at every point


def test_exact_tangent_of_the_step_is_corrector_tangent():
    """lc_newton.step's exact tangent (and its orbit, multipliers) are those of the
    corrector called from Python followed by Corrector.tangent, bit for bit."""
    m = _ei(2.0)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=BOUNDS,
                             log_params=["I_e"])
    lc = bifkit.continuation(m, "LC-C", start=ep.special_points("H")[0], free=["I_e"],
                             log_params=["I_e"], bounds=BOUNDS, ntst=50, ncol=4,
                             max_points=6)
    assert len(lc) == 6
    x = lc.orbits[3]
    system = lc_run.LCSystem(m, m.param_names.index("I_e"), True, x.scheme)
    st = lc_run.State(x.U, x.T, system.theta_of(x.p[system.ipar]), x.mesh)
    corr = lc_run.Corrector(system, bifkit.ContinuationOptions(), x.T)
    tU = np.ones_like(x.U)
    # a unit tangent with d theta/ds = 0.8 (a step along it leaves the orbit; Newton
    # comes back onto the branch on the hyperplane)
    st.tU, st.tT, st.ttheta = 0.6 * tU / corr.norm(st, tU, 0.0, 0.0), 0.0, 0.8
    ds = 1e-3
    p = np.asarray(x.p, float)
    new, _ = corr.step(st, ds, p, st.U, math.inf, False)
    old = corr.correct(st, st.U + ds * st.tU, st.T + ds * st.tT, st.theta + ds * st.ttheta,
                       st.tU, st.tT, st.ttheta, p, with_tangent=True)
    assert new is not None and old is not None
    assert np.array_equal(new.U, old.U) and new.T == old.T and new.theta == old.theta
    assert np.array_equal(new.mu, old.mu)
    tU, tT, tth = corr.tangent(old, st.tU, st.tT, st.ttheta)
    assert np.array_equal(new.tU, tU) and new.tT == tT and new.ttheta == tth
    # and the chord tangent (exact_below 0) is the corrector's own
    chord, _ = corr.step(st, ds, p, st.U, 0.0, False)
    assert np.array_equal(chord.tU, old.tU) and chord.ttheta == old.ttheta
    # its multipliers from floquet.lu_condensed_pair, not the factorisation: the same
    assert np.array_equal(chord.mu, old.mu) and chord.trivial_error == old.trivial_error
    # and the test functions computed with them in the step are the Python ones
    from bifkit.continuation.cycles import floquet
    assert chord.qz_tests == (*floquet.cycle_tests(old.mu), floquet.bpc_test(old.mu))
    assert lc_run._test_values(chord, ("PD", "NS", "BPC", "LPC")) == \
        {"PD": old.pm.tests()[0], "NS": old.pm.tests()[1], "BPC": floquet.bpc_test(old.mu),
         "LPC": chord.ttheta}
    assert not np.array_equal(chord.tU, new.tU)
    # a step's state keeps no factorisation: asking it for the exact tangent is an error
    with pytest.raises(ValueError, match="no factorisation"):
        corr.tangent(new, st.tU, st.tT, st.ttheta)


def test_without_the_guard_a_false_lpc_near_the_hopf_return(monkeypatch):
    """What the guard prevents: E-I at D_ee = 4, the branch from the lower Hopf point
    shrinks onto the upper one (no fold on it: AUTO-07p and the exact tangents agree,
    tests/test_cycles_hopf_return.py).  With the chord tangent's sign trusted everywhere
    an LPC appears next to the Hopf point; with the guard (default) none."""
    m = _ei(4.0)
    state = {k: v for k, v in m.steady_state()[0].items() if k in m.states}
    ep = bifkit.continuation(m, "EP-C", state, ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                             log_params=["I_e"])
    lower = min(ep.special_points("H"), key=lambda s: s.params["I_e"])

    def branch():
        return bifkit.continuation(m, "LC-C", lower, ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                                   log_params=["I_e"])
    assert not branch().special_points("LPC")
    monkeypatch.setattr(lc_run, "EXACT_TANGENT_BELOW", 0.0)
    unguarded = branch().special_points("LPC")     # measured: I_e = 0.1245399
    assert len(unguarded) == 1
    assert unguarded[0].params["I_e"] == pytest.approx(0.12454, rel=1e-3)
