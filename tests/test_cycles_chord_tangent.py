"""LC-C's tangent from the chord factorisation (lc_newton.correct) and its guard.

The main loop's tangent is solved with the corrector's chord factorisation (the Jacobian
at the predictor), not re-eliminated on the factorisation at the solution.  Reference:
the exact tangent at the solution, linalg.tangent_solve through Corrector.tangent (the
previous code's tangent).  Where d theta / ds is small the sign of the LPC test must be
the exact tangent's (lc_run.EXACT_TANGENT_BELOW): without that guard the E-I branch
returning to its upper Hopf point got a false LPC.
"""
from __future__ import annotations

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
    plain = lc_run.Corrector.correct

    def correct(self, prev, U0, T0, th0, tU, tT, tth, p, fix_theta=None,
                with_tangent=False):
        st = plain(self, prev, U0, T0, th0, tU, tT, tth, p, fix_theta, with_tangent)
        if st is not None and with_tangent and fix_theta is None:
            exact = self.tangent(st, tU, tT, tth)
            pairs.append(((st.tU, st.tT, st.ttheta), exact,
                          self.norm(st, st.tU - exact[0], st.tT - exact[1],
                                    st.ttheta - exact[2])))
        return st
    monkeypatch.setattr(lc_run.Corrector, "correct", correct)
    bifkit.continuation(m, "LC-C", start=ep.special_points("H")[0], free=["I_e"],
                        log_params=["I_e"], bounds=BOUNDS, ntst=50, ncol=4)
    assert len(pairs) > 40
    worst = max(d for _, _, d in pairs)
    # O(|predictor - solution|): measured 2e-2 at most on this branch (weighted norm of
    # unit tangents); a tangent from a wrong factorisation or borders is O(1) off
    assert 1e-8 < worst < 5e-2
    for chord, exact, _ in pairs:
        assert chord[2] * exact[2] > 0    # d theta / ds: the same sign at every point


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
