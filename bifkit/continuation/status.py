"""Why a direction of a continuation run ended: the one fixed vocabulary.

Every curve type reports, per direction ("forward", "backward"), one of the
keys of :data:`STATUSES` in ``branch.status`` and a human sentence in
``branch.message`` (also ``branch.stop_reason``).  A stopped branch is a
result, not an error: tests and callers compare ``status`` values, never
substrings of the message.
"""
from __future__ import annotations

#: status value -> what it means
STATUSES = {
    "completed": "the run ended where it was asked to: at a stop_at event (AUTO-07p's STOP)",
    "bound": "a parameter bound was reached (the user's bounds or the model's valid range)",
    "max_points": "max_points points were computed",
    "closed_loop": "the curve returned to its start point (a closed curve, an isola)",
    "step_underflow": "the corrector failed at the minimum step ds_min",
    "diverged": "non-finite values (NaN/inf) in the model's equations just ahead",
    "reached_end_point": ("the curve ends: cycles shrank onto an equilibrium (a Hopf point), "
                          "a Hopf curve reached a Bogdanov-Takens point, or a cycle curve's "
                          "amplitude tends to zero"),
    "reconnected": "a period-doubled branch rejoined its parent cycle (traversed twice) at a PD point",
    "period_limit": "the period exceeded T_max (a homoclinic approach?)",
    # cycles whose Floquet multipliers can no longer be trusted (issue 15); LC-C keeps its
    # converged orbits beyond that point (homoclinic starts) but takes no special point there
    "approaching_homoclinic": ("the period grows while the orbit lingers near an equilibrium "
                               "and the trivial Floquet multiplier is lost: a homoclinic orbit "
                               "is near (no special point is taken from there on)"),
    "multipliers_unreliable": ("the Floquet multipliers are not finite or the trivial one is "
                               "far from 1 (no special point is taken; refine the mesh: larger "
                               "ntst)"),
    # NS-C ends at a generic strong resonance (issue 15): the Neimark-Sacker pair collides
    "resonance_1_1": ("a Neimark-Sacker curve ended at a 1:1 resonance (R1): the multipliers "
                      "e^{+-i kappa} collided at +1, where the NS curve meets an LPC curve"),
    "resonance_1_2": ("a Neimark-Sacker curve ended at a 1:2 resonance (R2): the multipliers "
                      "e^{+-i kappa} collided at -1, where the NS curve meets a PD curve"),
    # homoclinic orbits (HC-C, bifkit/continuation/homoclinic)
    "truncation": "the orbit's ends left the saddle: the truncation time T is too short",
    "NCH": "a non-central saddle-node homoclinic point ends the curve",
}


def check(status: str) -> str:
    """``status`` if it belongs to the vocabulary (ValueError otherwise: a programming error)."""
    if status not in STATUSES:
        raise ValueError(f"unknown branch status {status!r}; one of {sorted(STATUSES)}")
    return status
