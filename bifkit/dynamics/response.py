"""Firing-rate response of the shot-noise mean field to a periodic modulation of the current.

Ageeva & Goldobin (2025, Sec. 6, eqs. 23-25, Figs. 3-4) modulate the excitatory current,
I(t) = I0 (1 + eta(t)) with eta(t) = eta0 cos(omega t), and compare the rate oscillations of the
full z_n chain and of its 2CC reduction. Two ways to get the response of an observable (the rate
``nu`` by default) of any model with the forcing parameters ``eta0`` and ``omega``:

- :func:`rate_response` simulates the forced model after a transient and reads off the first
  Fourier harmonic of the observable: o(t) ~ o_mean + Re(eta0 G e^{i omega t}), plus its mean,
  minimum and maximum (the strong-modulation curves of Fig. 3 use eta0 = 0.4);
- :func:`linear_response` linearises around the stationary state x* (eta0 = 0):
  G(omega) = grad o(x*) . (i omega I - J)^{-1} df/d eta, J the Jacobian at x* and df/d eta the
  derivative of the right-hand side with respect to the forcing (at t = 0, where
  d(eta0 cos(omega t))/d eta0 = 1). For small eta0 the two agree (tests).

Both return a :class:`RateResponse`: ``gain`` G (complex, per unit eta), ``amplitude`` =
eta0 |G| (amplitude of the first harmonic, in the observable's unit), ``phase`` = arg G in
(-pi, pi] (the response leads the forcing when > 0).

Time unit: the models' own (original time t, units of tau_m). The paper's rescaled frequency
omega_tau (tau = K^(1/4) sqrt(i0) t) is omega = omega_tau K^(1/4) sqrt(i0)
(:func:`omega_from_rescaled`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_int

from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

if TYPE_CHECKING:  # annotations only
    from ..model import Model

FORCING = ("eta0", "omega")


@dataclass
class RateResponse:
    """Response of one observable to eta(t) = eta0 cos(omega t), one entry per omega.

    Attributes
    ----------
    omega : frequencies (1/model time unit).
    eta0 : forcing amplitude (for a linearisation: the amplitude its predictions are scaled to).
    gain : complex first-harmonic gain G per unit eta: o(t) ~ mean + Re(eta0 G e^{i omega t}).
    amplitude, phase : eta0 |G| and arg G (rad).
    mean, minimum, maximum : of the observable over the recorded periods (simulation), or
        o(x*) and o(x*) -+ amplitude (linearisation).
    stationary : o(x*) at the stationary state without forcing.
    method : "simulation" or "linearisation"; observable : its name.
    decay_rate : -max Re(eigenvalue) at x* (the slowest relaxation rate; > 0 if stable).
    series : (t, o(t)) over the last recorded period per omega (simulation only).
    state_max : (n_omega, n_states) max over the recorded periods of |state| (complex modulus
        for complex states, in ``model.states`` order; simulation only): e.g. |z_1| <= 1 and the
        tail |z_M| of a chain tell whether the forced state is physical and resolved.
    dt_used : the ETD/RK4 step each frequency was finally run with (simulation only; smaller
        than the requested ``dt`` where a blow-up made :func:`rate_response` refine it).
    """

    omega: np.ndarray
    eta0: float
    gain: np.ndarray
    mean: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    stationary: float
    method: str
    observable: str = "nu"
    decay_rate: float = math.nan
    series: list = field(default_factory=list, repr=False)
    state_max: np.ndarray | None = field(default=None, repr=False)
    dt_used: np.ndarray | None = None

    @property
    def amplitude(self) -> np.ndarray:
        return self.eta0 * np.abs(self.gain)

    @property
    def phase(self) -> np.ndarray:
        return np.angle(self.gain)

    def table(self) -> dict:
        """Columns omega, amplitude, phase, gain_re, gain_im, mean, minimum, maximum."""
        return {"omega": self.omega, "amplitude": self.amplitude, "phase": self.phase,
                "gain_re": self.gain.real, "gain_im": self.gain.imag, "mean": self.mean,
                "minimum": self.minimum, "maximum": self.maximum}


def omega_from_rescaled(model: Model, omega_tau: ArrayLike) -> Any:
    """Model frequency of the paper's rescaled one: omega = omega_tau K^(1/4) sqrt(i0)."""
    p = model.params
    return np.asarray(omega_tau, float) * p["K"] ** 0.25 * math.sqrt(p["i0"])


def _check_forced_model(model, observable):
    missing = [n for n in FORCING if n not in model.params]
    if missing:
        raise ValueError(f"model {model.name!r} has no forcing parameter(s) {missing}: the "
                         f"response needs eta(t) = eta0 cos(omega t) (shot-noise models)")
    if observable not in model.observable_names:
        raise ValueError(f"observable {observable!r} is not one of model {model.name!r}'s "
                         f"{model.observable_names}")


def _omegas(omega):
    om = np.atleast_1d(np.asarray(omega, dtype=float))
    if om.ndim != 1 or om.size == 0 or not np.all(np.isfinite(om)) or np.any(om <= 0):
        raise ValueError(f"omega = {omega!r} must be one or more positive finite frequencies")
    return om


def stationary_state(model: Model, x0: Any = None) -> tuple[Model, np.ndarray]:
    """Real-split stationary state x* of ``model`` without forcing (Newton from ``x0``)."""
    from ..equilibrium import find_equilibrium

    free = model.with_params(eta0=0.0)
    guess = None if x0 is None else free.unpack(free.pack(x0))
    return free, free.pack(find_equilibrium(free, guess))


def _observable_gradient(model, x, index, t=0.0):
    """d o / d x by central differences of the compiled observables (error ~1e-10 relative)."""
    p = np.array(model.p)
    g = np.empty(x.size)
    for k in range(x.size):
        h = 1e-6 * max(1.0, abs(x[k]))
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        g[k] = (model.compiled.obs(t, xp, p)[index] - model.compiled.obs(t, xm, p)[index]) / (2 * h)
    return g


def _forcing_derivative(model, x, h=1e-4):
    """df/d eta at (t = 0, x): central difference in eta0 (exact up to rounding for the
    shot-noise models, whose right-hand sides are affine in eta; cheaper than compiling the
    finite-difference ``dfdp`` kernel of a hand-written chain)."""
    i = model.param_index("eta0")
    pp, pm = np.array(model.p), np.array(model.p)
    pp[i] += h
    pm[i] -= h
    return (model.compiled.f(0.0, x, pp) - model.compiled.f(0.0, x, pm)) / (2 * h)


def linear_response(model: Model, omega: ArrayLike, *, x0: Any = None,
                    observable: str = "nu", eta0: float = 1.0) -> RateResponse:
    """Transfer function of ``observable`` around the stationary state (eta0 -> 0).

    Parameters
    ----------
    model : Model with parameters ``eta0`` and ``omega`` (shot-noise models).
    omega : float or array of forcing frequencies (1/model time unit).
    x0 : guess for the stationary state (default: the model's).
    observable : observable name ("nu", the rate, or "v").
    eta0 : amplitude at which ``amplitude``, ``minimum`` and ``maximum`` are predicted
        (default 1: ``amplitude`` = |G|, the response per unit eta).
    """
    _check_forced_model(model, observable)
    om = _omegas(omega)
    if not (eta0 > 0 and math.isfinite(eta0)):
        raise ValueError(f"eta0 = {eta0!r} must be a positive finite amplitude")
    free, xs = stationary_state(model, x0)
    p = np.array(free.p)
    J = free.compiled.jac(0.0, xs, p)
    b = _forcing_derivative(free, xs)
    iobs = free.observable_names.index(observable)
    grad = _observable_gradient(free, xs, iobs)
    eye = np.eye(xs.size)
    gain = np.array([grad @ np.linalg.solve(1j * w * eye - J, b) for w in om])
    o0 = float(free.compiled.obs(0.0, xs, p)[iobs])
    ev = np.linalg.eigvals(J)
    amp = eta0 * np.abs(gain)
    return RateResponse(omega=om, eta0=float(eta0), gain=gain, mean=np.full(om.size, o0),
                        minimum=o0 - amp, maximum=o0 + amp, stationary=o0,
                        method="linearisation", observable=observable,
                        decay_rate=float(-ev.real.max()))


class ForcedRunError(RuntimeError):
    """A forced run failed at every step tried; ``state_max`` (per state, max |state| over the
    samples recorded before the failure, one per forcing period in the transient) tells where
    the state was heading, e.g. a chain's |z_1| -> 1 (a synchronising population)."""

    def __init__(self, message, state_max):
        super().__init__(message)
        self.state_max = state_max


def _state_max(model, traj, n=None):
    return np.array([np.abs(traj.states[s][:n]).max() for s in model.states])


def _forced_run(forced, x, tr, period, periods, samples_per_period, method, h, tol):
    """Transient (sampled once per period) then recording of one frequency at step ``h``:
    (recording Trajectory, None, None) or (None, reason, state_max so far) on a failure."""
    from .integrate import integrate

    if tr > 0:
        run = integrate(forced, (0.0, tr), x, method=method, dt=h, sample=min(period, tr),
                        **tol)
        if not run.success:
            return None, f"transient failed: {run.message.split(';')[0]}", \
                _state_max(forced, run)
        x = run.x_final
    rec = integrate(forced, (tr, tr + periods * period), x, method=method, dt=h,
                    sample=period / samples_per_period, **tol)
    if not rec.success:
        return None, f"recording failed: {rec.message.split(';')[0]}", _state_max(forced, rec)
    return rec, None, None


def rate_response(model: Model, omega: ArrayLike, eta0: float, *, x0: Any = None,
                  observable: str = "nu",
                  periods: int = 4, samples_per_period: int = 64, transient: float | None = None,
                  method: str = "etd", dt: float | None = None, refine: int = 0,
                  rtol: float = 1e-6, atol: float = 1e-9, keep_series: bool = True,
                  progress: bool = False) -> RateResponse:
    """Simulated response of ``observable`` to eta(t) = eta0 cos(omega t), per frequency.

    Each frequency is run from the stationary state x* (eta0 = 0) over ``transient`` and then
    recorded over ``periods`` forcing periods at ``samples_per_period`` points per period; the
    first harmonic is the exact DFT coefficient of those samples.

    Parameters
    ----------
    model : Model with parameters ``eta0`` and ``omega``.
    omega : float or array of frequencies (1/model time unit).
    eta0 : forcing amplitude (relative modulation of the current), > 0.
    transient : time before recording. Default: 16 relaxation times 1/decay_rate of x* (so the
        free transient has decayed by e^-16) but at least 4 periods; x* must then be stable
        (ValueError otherwise: give ``transient`` explicitly to study the forced attractor).
    method, dt : integrator (``bifkit.integrate``; "etd" suits the stiff chain) and its
        largest step (default: min(period / samples_per_period, 0.01); the initial step of
        "dopri").
    rtol, atol : tolerances of ``method="dopri"`` (adaptive: resolves the sharp rate spikes of
        a nearly synchronous population that a fixed step misses).
    refine : how many times a frequency whose run blew up (fixed-step methods: the step was
        too large for the stiffest part the linear ETD operator does not absorb, e.g. the
        chain's K nu(t) coupling at a rate peak) is rerun from x* with the step halved;
        ``dt_used`` reports the step that succeeded.  :class:`ForcedRunError` (a RuntimeError
        with the ``state_max`` reached before the failure) if the last try fails too.
    keep_series : keep (t, o(t)) of the last recorded period per frequency.
    """
    _check_forced_model(model, observable)
    om = _omegas(omega)
    if not (eta0 > 0 and math.isfinite(eta0)):
        raise ValueError(f"eta0 = {eta0!r} must be a positive finite amplitude")
    periods = as_int(periods, "periods", minimum=1)          # never truncated
    samples_per_period = as_int(samples_per_period, "samples_per_period", minimum=8)
    if transient is not None and not (transient >= 0 and math.isfinite(transient)):
        raise ValueError(f"transient = {transient!r} must be a non-negative finite time")
    if isinstance(refine, bool) or int(refine) != refine or refine < 0:
        raise ValueError(f"refine = {refine!r} must be a non-negative integer (step halvings)")
    free, xs = stationary_state(model, x0)
    p = np.array(free.p)
    iobs = free.observable_names.index(observable)
    o0 = float(free.compiled.obs(0.0, xs, p)[iobs])
    decay = float(-np.linalg.eigvals(free.compiled.jac(0.0, xs, p)).real.max())
    if transient is None and not decay > 0:
        raise ValueError(f"the stationary state of {model.name!r} is not stable (slowest "
                         f"eigenvalue real part {-decay:.3g}): the response is not a small "
                         f"oscillation around it; give transient= explicitly")
    n = om.size
    gain = np.empty(n, complex)
    mean, lo, hi, used = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    smax = np.empty((n, len(free.states)))
    series = []
    it = range(n)
    if progress:
        from .._optional import require
        tqdm = require("tqdm.auto", extra="progress").tqdm
        it = tqdm(it, desc=f"response {model.name}")
    ns = int(periods) * int(samples_per_period)
    tol = dict(rtol=rtol, atol=atol) if method == "dopri" else {}
    for k in it:
        w = om[k]
        period = 2 * math.pi / w
        h = dt if dt is not None else min(period / samples_per_period, 0.01)
        tr = transient if transient is not None else max(16.0 / decay, 4 * period)
        forced = free.with_params(eta0=float(eta0), omega=float(w))
        reasons = []
        for attempt in range(int(refine) + 1):
            rec, why, reached = _forced_run(forced, xs, tr, period, int(periods),
                                            int(samples_per_period), method, h, tol)
            if rec is not None:
                break
            reasons.append(f"dt={h:.3g}: {why}")
            h = 0.5 * h
        if rec is None:
            raise ForcedRunError(f"omega = {w:g}: " + "; ".join(reasons), reached)
        used[k] = h
        t, o = rec.t[:ns], rec.observables[observable][:ns]  # one full set of periods
        c1 = 2.0 * np.mean(o * np.exp(-1j * w * t))
        gain[k] = c1 / eta0
        mean[k], lo[k], hi[k] = o.mean(), o.min(), o.max()
        smax[k] = _state_max(free, rec, ns)
        if keep_series:
            last = slice(ns - samples_per_period, ns)
            series.append((t[last].copy(), o[last].copy()))
    return RateResponse(omega=om, eta0=float(eta0), gain=gain, mean=mean, minimum=lo,
                        maximum=hi, stationary=o0, method="simulation", observable=observable,
                        decay_rate=decay, series=series, state_max=smax, dt_used=used)
