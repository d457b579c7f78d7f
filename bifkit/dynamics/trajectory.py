"""The result of a time integration: :class:`Trajectory`.

Shaped like scipy's ``OdeResult`` (``t``, ``y``, ``status``, ``message``,
``success``) so code written for ``solve_ivp`` reads it unchanged, plus the
model's view of the same numbers: ``states`` (user-facing names, complex for
complex states) and ``observables`` (rates, potentials, ...), recorded at the
same sample times.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # annotations only (bifkit.model imports the dynamics lazily)
    from ..model import Model

# status codes, as in scipy.integrate.solve_ivp
SUCCESS = 0
FAILED = -1

# codes returned by the compiled loops (the Python shell turns them into text)
LOOP_OK = 0
LOOP_NONFINITE = 1
LOOP_BLOWUP = 2
LOOP_STEP_UNDERFLOW = 3
LOOP_MAX_STEPS = 4


@dataclass
class Trajectory:
    """A recorded solution ``x(t)`` of a bifkit model.

    Attributes
    ----------
    t : ndarray, shape (nt,)
        Sample times, in the model's time unit (``model.time_unit``).
    y : ndarray, shape (n, nt)
        Real-split states (``model.state_names`` order) at ``t``.
    status : int
        0: the end of ``t_span`` was reached; -1: the run stopped early
        (non-finite state, blow-up, step-size underflow, step limit); the
        samples recorded before the stop are kept.
    message : str
        Why the run ended, and what to try.
    states : dict name -> ndarray
        ``model.states`` names -> time series (complex for complex states).
    observables : dict name -> ndarray
        ``model.observable_names`` -> time series.
    method : str
    nfev : int
        Right-hand side evaluations.
    nsteps : int
        Accepted steps.
    nrejected : int
        Rejected steps (adaptive methods only).
    model : Model or None
        The model that was integrated (None for a trajectory built without one).
    """

    t: np.ndarray
    y: np.ndarray
    status: int
    message: str
    states: dict = field(repr=False)
    observables: dict = field(repr=False)
    method: str = ""
    nfev: int = 0
    nsteps: int = 0
    nrejected: int = 0
    model: Model | None = field(default=None, repr=False)

    @property
    def success(self) -> bool:
        """True when the run reached the end of ``t_span``."""
        return self.status >= 0

    @property
    def x_final(self) -> np.ndarray:
        """The last recorded real-split state (a restart point)."""
        return self.y[:, -1].copy()

    def __getitem__(self, name: str) -> np.ndarray:
        """Time series by name: a state (``"R_e"``, complex ``"z"``), a real-split
        unknown (``"z.re"``) or an observable (``"rate_e"``)."""
        if name in self.states:
            return self.states[name]
        if name in self.observables:
            return self.observables[name]
        if self.model is not None and name in self.model.state_names:
            return self.y[self.model.state_names.index(name)]
        known = list(self.states) + list(self.observables)
        raise KeyError(f"{name!r} is neither a state nor an observable; known: {', '.join(known)}")


def split_states(model: Any, y: np.ndarray) -> dict:
    """Real-split rows ``y`` (n, nt) -> dict state name -> series (complex for complex states)."""
    out, i = {}, 0
    for s in model.states:
        if s in model.complex_states:
            out[s] = y[i] + 1j * y[i + 1]
            i += 2
        else:
            out[s] = y[i].copy()
            i += 1
    return out


def loop_message(code: int, t: float, detail: str = "") -> str:
    """Human-readable message for a compiled loop's stop code at time ``t``."""
    if code == LOOP_OK:
        return "the end of the integration interval was reached"
    if code == LOOP_NONFINITE:
        return (f"the state became non-finite (NaN/inf) at t = {t:.6g}; the solution blows up "
                f"or the step is too large for this problem (reduce dt{detail})")
    if code == LOOP_BLOWUP:
        return (f"|x| exceeded the blow-up bound at t = {t:.6g}; the solution diverges "
                f"(check parameters and initial state, or raise `blowup`)")
    if code == LOOP_STEP_UNDERFLOW:
        return (f"the step size fell below the floating-point resolution of t at t = {t:.6g} "
                f"(a singularity, or tolerances too tight)")
    if code == LOOP_MAX_STEPS:
        return f"the step limit was reached at t = {t:.6g} (raise max_steps or loosen rtol/atol)"
    return f"unknown stop code {code} at t = {t:.6g}"
