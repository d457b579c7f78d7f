"""Issue 18: regions classified from all stable equilibria AND oscillations (diagrams/ei_plane.py).

Bi et al. 2021 Fig. 1a, K = 1000, D_ii = 0.3, cut D_ee = 0.12 (the lower Hopf branch).
Reference (collocation, not time integration): EP-C in I_e gives a subcritical Hopf point
at I_e = 0.018152 (l1 = +3.80); LC-C from it gives the unstable cycle turning at a saddle-node
of cycles (LPC) at I_e = 0.014529 into a stable cycle (Floquet multipliers inside the unit
circle up to I_e = 0.0303).  So for 0.014529 < I_e < 0.018152 a stable focus and a stable
cycle coexist; below the LPC only the focus is an attractor.
"""
from __future__ import annotations

import numpy as np
import pytest

import bifkit
from bifkit.diagrams.ei_plane import (Plane, classify_cell, coexisting_oscillation,
                                      region_grid)

FIXED = dict(K=1000.0, D_ii=0.3, D_ee=0.12)
LPC, HOPF = 0.014529, 0.018152  # LC-C / EP-C on this cut (module docstring)


@pytest.fixture(scope="module")
def cycle_state():
    """A state on the stable cycle at I_e = 0.022 (past the Hopf point: region IV)."""
    m = bifkit.load_model("ei_neural_mass", **FIXED, I_e=0.022)
    label, x = classify_cell(m)
    assert label == "IV" and x is not None
    return x


def test_the_hopf_point_of_the_reference():
    """EP-C locates the subcritical Hopf point the reference quotes (so the cut is right)."""
    m = bifkit.load_model("ei_neural_mass", **FIXED, I_e=0.012)
    ep = bifkit.continuation(m, "EP-C", m.equilibria()[0]["state"], ["I_e"],
                             bounds={"I_e": (0.012, 0.025)}, log_params=["I_e"])
    h = [s for s in ep.special_points("H")]
    assert len(h) == 1 and h[0].params["I_e"] == pytest.approx(HOPF, rel=1e-4)
    assert h[0].data["l1"] > 0


def test_bistable_between_lpc_and_subcritical_hopf(cycle_state):
    """Inside the window the trajectory from the neighbouring cycle stays on a cycle; below
    the LPC (no cycle exists) it must not (it goes to the focus)."""
    m = bifkit.load_model("ei_neural_mass", **FIXED, I_e=0.0165)
    assert any(e["stable"] for e in m.equilibria())
    x = coexisting_oscillation(m, cycle_state)
    assert x is not None
    eq = m.pack([e for e in m.equilibria() if e["stable"]][0]["state"])
    assert np.linalg.norm(x - eq) > 1e-3  # on the cycle, not at the focus
    below = m.with_params(I_e=0.013)
    assert coexisting_oscillation(below, cycle_state) is None


def test_no_stable_equilibrium_is_an_error(cycle_state):
    m = bifkit.load_model("ei_neural_mass", **FIXED, I_e=0.022)
    with pytest.raises(ValueError, match="stable equilibrium"):
        coexisting_oscillation(m, cycle_state)


def test_region_row_marks_the_bistable_cells():
    """A row of cells across the window: II below the LPC, II+IV between LPC and Hopf (found
    by spreading from the IV cells), IV past the Hopf point."""
    plane = Plane("I_e", "D_ee", (0.0125, 0.0225), (0.119, 0.121), dict(FIXED, I_e=0.015))
    xs, _ys, labels = region_grid(plane, 8, 1)
    for I_e, lab in zip(xs, labels[0]):
        if I_e < LPC * 0.98:
            assert lab == "II", (I_e, lab)
        elif LPC * 1.08 < I_e < HOPF * 0.98:  # just above the LPC the cycle's basin is small
            assert lab == "II+IV", (I_e, lab)
        elif I_e > HOPF * 1.02:
            assert lab in ("IV", "V"), (I_e, lab)
    assert "II+IV" in set(labels[0])


# --------------------------------------------------------------------------- #
# Next to a subcritical Hopf curve (Bi et al. Fig. 1b, I_e = 0.001, D_ii = 0.3)  #
# --------------------------------------------------------------------------- #
FIG1B = dict(I_e=0.001, D_ii=0.3, D_ee=0.1 / 3)  # the full run's lowest grid row
K_CELL = 94406.08762859226  # the full run's cell that was labelled IV (issue 18)
#: EP-C in K at D_ee = 1/30: subcritical Hopf point (l1 = +29.6) of the curve that starts at
#: the Bogdanov-Takens point (K, D_ee) = (39820.65, 0)
K_HOPF_SUB = 88560.0855


def test_slow_spiral_out_of_a_focus_next_to_a_subcritical_hopf_is_not_a_cycle():
    """At K_CELL the only equilibrium is a focus with growth rate 4.6e-6/ms (period ~2600 ms).
    Independent references: scipy LSODA (rtol 1e-10) on eq. 6 written out by hand, from
    R_e * 1.01, 1.5, 0.5 and 3 at the equilibrium, blows up (R_e + R_i > 1/ms) at t = 8.9e5,
    1.3e5, 3.9e4 and 2.8e4 ms; the cycle born at K_HOPF_SUB (LC-C) is unstable at K = 94201
    (multiplier -12.6) and a trajectory from it blows up at t = 6.0e3 ms.  So there is no
    stable solution: region I.  A transient cut at 2e5 ms (the former cap) was still
    spiralling out and the Lyapunov test called it a cycle (IV)."""
    m = bifkit.load_model("ei_neural_mass", **FIG1B, K=K_CELL)
    (eq,) = m.equilibria()
    growth = eq["eigenvalues"].real.max()
    assert not eq["stable"] and 0 < growth < 1e-5
    assert classify_cell(m)[0] == "I"
    assert classify_cell(m, max_transient=2e5)[0] == "IV"  # the former cap: the false label
    # left of the subcritical Hopf point the focus is stable (II), as in the full run
    left = bifkit.load_model("ei_neural_mass", **FIG1B, K=0.95 * K_HOPF_SUB)
    assert classify_cell(left)[0] == "II"


def test_subcritical_hopf_point_from_the_bt_point():
    """EP-C in K at D_ee = 1/30 from K = 60000: one Hopf point of the interior branch above
    the BT point, subcritical, at K_HOPF_SUB (the reference of the test above)."""
    m = bifkit.load_model("ei_neural_mass", **FIG1B, K=60000.0)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["K"],
                             bounds={"K": (45000.0, 2e5)}, log_params=["K"])
    (h,) = ep.special_points("H")
    assert h.params["K"] == pytest.approx(K_HOPF_SUB, rel=1e-8)
    assert h.data["l1"] > 0
