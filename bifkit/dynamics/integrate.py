"""``integrate(model, t_span, ...)``: time integration of any bifkit model.

A thin Python shell: it validates the options, builds the output grid, calls
one compiled loop (:mod:`.integrators`, :mod:`.etd`) with the model's numba
kernels and wraps the samples in a :class:`~.trajectory.Trajectory`.
"""
from __future__ import annotations

import math

import numpy as np

from .._dispatchers import on_first_call
from .._validate import as_float, as_int, check_memory
from ..errors import InputError
from . import etd as _etd
from .integrators import A1, A2, I64, RHS, dopri_loop, rk4_loop
from .trajectory import FAILED, LOOP_OK, SUCCESS, Trajectory, loop_message, split_states

from typing import TYPE_CHECKING, Any, Sequence

from numpy.typing import ArrayLike

if TYPE_CHECKING:  # annotations only
    from ..model import Model

METHODS = ("rk4", "dopri", "etd")
DEFAULT_DOPRI_SAMPLES = 1000


def output_times(t_span: Sequence[float] | np.ndarray, sample: float | None = None,
                 t_eval: ArrayLike | None = None,
                 default_sample: float | None = None) -> np.ndarray:
    """Recording times: ``t_eval``, or ``t0 + k*sample`` up to and including ``t1``.

    The grid always starts at ``t0`` and ends at ``t1`` (the last interval may
    be shorter than ``sample``).
    """
    t0, t1 = time_span(t_span)
    if t_eval is not None:
        te = np.asarray(t_eval, dtype=float)
        if te.ndim != 1 or te.size == 0 or np.any(np.diff(te) <= 0):
            raise InputError("t_eval must be a non-empty increasing 1-d array")
        if te[0] < t0 or te[-1] > t1:
            raise InputError(f"t_eval must lie within t_span = ({t0}, {t1})")
        return te if te[0] == t0 else np.concatenate([[t0], te])
    step = sample if sample is not None else default_sample
    step = as_float(step, "sample", positive=True)
    nfull = int(math.floor((t1 - t0) / step * (1 + 1e-12)))
    grid = t0 + step * np.arange(nfull + 1)
    if t1 - grid[-1] > 1e-9 * step:
        grid = np.append(grid, t1)
    else:
        grid[-1] = t1
    return grid


def time_span(t_span: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """``(t0, t1)`` as two finite floats with ``t1 > t0`` (InputError naming t_span otherwise)."""
    try:
        t0, t1 = t_span
    except (TypeError, ValueError):
        raise InputError(f"t_span = {t_span!r} must be a pair (t0, t1)") from None
    t0, t1 = as_float(t0, "t_span[0]"), as_float(t1, "t_span[1]")
    if not t1 > t0:
        raise InputError(f"t_span = {t_span!r} must have t1 > t0")
    return t0, t1


def check_recording(model: Model, t_span: Sequence[float] | np.ndarray, sample: float,
                    t_eval: ArrayLike | None, max_memory: float | None = None) -> None:
    """Raise before a run whose samples (states + observables, float64) exceed the memory cap."""
    if t_eval is not None:
        return  # the caller already holds an array of that length
    t0, t1 = time_span(t_span)
    n_samples = (t1 - t0) / sample + 2
    width = model.n + len(model.observable_names)
    check_memory(16.0 * n_samples * width,
                 f"{n_samples:.3g} samples (t_span / sample) of {width} values",
                 max_memory=max_memory, hint="use a larger sample or pass t_eval")


def _initial_state(model, x0):
    if x0 is None:
        x0 = model.default_guess()
    try:
        x = model.pack(x0)
    except (ValueError, TypeError) as e:
        raise InputError(f"x0: {e}") from None
    if x.size != model.n:
        raise InputError(f"x0 has {x.size} entries; model {model.name!r} has {model.n} "
                         f"real unknowns ({', '.join(model.state_names)})")
    if not np.all(np.isfinite(x)):
        raise InputError(f"x0 = {x!r} is not finite")
    return x


@on_first_call(A2(RHS, A1, A2, A1, I64), cache=True)
def _observe(obs, t, Y, p, n_obs):
    out = np.empty((n_obs, t.size))
    xk = np.empty(Y.shape[0])
    for k in range(t.size):
        xk[:] = Y[:, k]
        out[:, k] = obs(t[k], xk, p)[:n_obs]
    return out


def observables_of(model: Model, t: np.ndarray, Y: np.ndarray) -> dict:
    """Observables of ``model`` along the samples ``Y`` (n, nt) at times ``t``."""
    names = model.observable_names
    if not names or Y.shape[1] == 0:
        return {k: np.empty(Y.shape[1]) for k in names}
    vals = _observe(model.compiled.obs, np.ascontiguousarray(t, dtype=float),
                    np.ascontiguousarray(Y, dtype=float), np.array(model.p), len(names))
    return dict(zip(names, vals))


def integrate(model: Model, t_span: Sequence[float] | np.ndarray, x0: Any = None, *,
              method: str = "dopri",
              dt: float | None = None, sample: float | None = None,
              t_eval: ArrayLike | None = None, rtol: float = 1e-6,
              atol: float | np.ndarray = 1e-9, max_step: float = math.inf,
              max_steps: int = 10 ** 8, blowup: float = 1e10, forcing: dict | None = None,
              L: Any = None, nonlinear: Any = None,
              max_memory: float | None = None) -> Trajectory:
    """Integrate ``model`` over ``t_span`` and record states and observables.

    Parameters
    ----------
    model : Model
    t_span : (float, float)
        Start and end time, in ``model.time_unit``.
    x0 : dict or array, optional
        Initial state (dict name -> value, or real-split vector); the model's
        default guess if omitted.
    method : {"dopri", "rk4", "etd"}
        Default ``dopri`` (works without a step: ``integrate(model, (0, 1))``).
        ``rk4``: classical fixed-step Runge-Kutta (order 4).  ``dopri``:
        adaptive Dormand-Prince 5(4) with dense output (``rtol``, ``atol``).
        ``etd``: ETDRK4 (Cox & Matthews 2002) for stiff semilinear systems,
        fixed step; see ``L``.
    dt : float
        Step size (``rk4``, ``etd``: required, the maximal step; the step is
        shrunk so that samples fall on the grid) or the initial step
        (``dopri``, optional).
    sample : float, optional
        Recording interval.  Default: every step (``rk4``, ``etd``) or
        (t1 - t0)/1000 (``dopri``).
    t_eval : array, optional
        Explicit recording times (instead of ``sample``).
    rtol, atol : float
        Tolerances of ``dopri`` (atol may be an array over ``state_names``).
    max_step : float
        Largest step of ``dopri``.
    max_steps : int
        Step limit: ``dopri`` stops with status -1 when it is reached; for
        ``rk4`` and ``etd`` a span needing more steps of ``dt`` is an error
        before the run.
    blowup : float
        The run stops with status -1 when ``max|x|`` exceeds this bound.
    max_memory : float, optional
        Cap in bytes on the recorded samples, checked before the run (default
        ``$BIFKIT_MAX_MEMORY`` or 2 GiB): ``sample=1e-9`` over a long span is
        an error at once, not a process that grows without bound.
    forcing : dict, optional
        Forcing parameters, e.g. ``{"eta0": 0.1, "omega": 2.0}`` for
        eta(t) = eta0 cos(omega t) of the shot-noise models (Ageeva & Goldobin
        2025, eqs. 23-25); the kernels contain the forcing, this only sets
        parameters.
    L : array, optional
        ``etd`` only: the diagonal linear part, one (complex) entry per
        user-facing state (``model.states``).  Default: the model's
        ``extras["etd_linear"](model)`` if it defines one, else the
        complex-linear diagonal of the Jacobian at (t0, x0)
        (:func:`.etd.jacobian_diagonal`).
    nonlinear : numba function, optional
        ``etd`` only: ``N(t, x, p)`` in real-split form with ``f = L x + N``;
        default ``f - L x`` computed from the model's right-hand side.  ``p`` is
        :func:`.etd.kernel_parameters` of the model: ``model.p``, possibly extended
        by parameter-only data its kernels precompute (its first entries are ``model.p``).

    Returns
    -------
    Trajectory
        ``t``, ``y``, ``status`` (0 reached t1, -1 stopped early), ``message``,
        ``states``, ``observables``.

    Raises
    ------
    InputError
        A bad argument (named in the message), or a recording above the memory cap.
    """
    if method not in METHODS:
        raise InputError(f"method = {method!r}; choose one of {', '.join(METHODS)}")
    if forcing:
        model = model.with_params(**forcing)
    x = _initial_state(model, x0)
    t0, t1 = time_span(t_span)
    if sample is not None:
        sample = as_float(sample, "sample", positive=True)
    if method in ("rk4", "etd"):
        if dt is None:
            raise InputError(f"method={method!r} needs a positive step dt (got None); or use "
                             f"the default method='dopri', which chooses its own steps")
        step = as_float(dt, "dt", positive=True)   # the fixed step of rk4 / etd
        max_steps = as_int(max_steps, "max_steps", minimum=1)
        if (t1 - t0) / step > max_steps:
            raise InputError(f"dt = {step!r} over t_span = ({t0:g}, {t1:g}) would take "
                             f"{(t1 - t0) / step:.3g} steps, above max_steps = {max_steps}; "
                             f"use a larger dt or raise max_steps")
        default_sample = step
    else:
        # dopri: dt is only the first trial step; 0.0 lets the loop choose it
        step = 0.0 if dt is None else as_float(dt, "dt", positive=True)
        default_sample = (t1 - t0) / DEFAULT_DOPRI_SAMPLES
    check_recording(model, (t0, t1), sample or default_sample, t_eval, max_memory)
    t_out = output_times((t0, t1), sample, t_eval, default_sample=default_sample)
    blowup = as_float(blowup, "blowup", positive=True)
    f, p = model.compiled.f, np.array(model.p)  # writable copy: the loops' declared type
    nrej, nfev = 0, 0
    if method == "rk4":
        Y, n_rec, code, t_stop, nsteps = rk4_loop(f, p, x, t_out, step, float(blowup))
        nfev = 4 * nsteps
    elif method == "dopri":
        rtol = as_float(rtol, "rtol", positive=True)
        if not (np.all(np.isfinite(np.asarray(atol, dtype=float)))
                and np.all(np.asarray(atol, dtype=float) > 0)):
            raise InputError(f"atol = {atol!r} must be positive and finite")
        max_step = as_float(max_step, "max_step", positive=True, finite=False)
        max_steps = as_int(max_steps, "max_steps", minimum=1)
        atol_arr = np.broadcast_to(np.asarray(atol, dtype=float), (model.n,)).copy()
        Y, n_rec, code, t_stop, nsteps, nrej, nfev = dopri_loop(
            f, p, x, t_out, float(rtol), atol_arr, step, float(max_step), int(max_steps),
            float(blowup))
    else:
        Y, n_rec, code, t_stop, nsteps = _run_etd(model, x, t_out, step, L, nonlinear,
                                                  float(blowup))
        nfev = 4 * nsteps
    t = t_out[:n_rec].copy()
    Y = Y[:, :n_rec].copy()
    detail = ", or try method='etd' for stiff chains" if method == "rk4" else ""
    message = loop_message(code, t_stop, detail)
    return Trajectory(t=t, y=Y, status=SUCCESS if code == LOOP_OK else FAILED,
                      message=message, states=split_states(model, Y),
                      observables=observables_of(model, t, Y), method=method, nfev=nfev,
                      nsteps=nsteps, nrejected=nrej, model=model)


def linear_part(model: Model, t0: float, x0: np.ndarray, L: Any = None) -> np.ndarray:
    """The diagonal linear part used by ``method='etd'`` (see :func:`integrate`)."""
    if L is None:
        maker = model.definition.extras.get("etd_linear")
        L = maker(model) if maker is not None else _etd.jacobian_diagonal(model, t0, x0)
    L = np.asarray(L, dtype=complex).ravel()
    nst = len(model.states)
    if L.size != nst:
        raise ValueError(f"L has {L.size} entries; model {model.name!r} has {nst} states "
                         f"({', '.join(model.states)})")
    for k, s in enumerate(model.states):
        if s not in model.complex_states and L[k].imag != 0:
            raise ValueError(f"L[{k}] = {L[k]} is complex but state {s!r} is real")
    if not np.all(np.isfinite(L)):
        raise ValueError("L is not finite")
    return L


def _run_etd(model, x, t_out, dt, L, nonlinear, blowup):
    L = linear_part(model, t_out[0], x, L)
    h_main, h_last = _etd.etd_step_sizes(t_out, dt)
    C_main = _etd.etd_coefficients(L, h_main)
    C_last = C_main if h_last == h_main else _etd.etd_coefficients(L, h_last)
    C_main, C_last = np.ascontiguousarray(C_main), np.ascontiguousarray(C_last)
    re, im = _etd.state_maps(model)
    fun = model.compiled.f if nonlinear is None else nonlinear
    return _etd.etd_loop(fun, _etd.kernel_parameters(model), x, t_out, L, C_main, h_main,
                         C_last, h_last, nonlinear is None, re, im, blowup)
