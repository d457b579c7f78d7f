"""Orbit (bifurcation) diagrams from simulation: extrema of a variable on the attractor.

For each value of a parameter the model is integrated past a transient and the
local maxima (and minima) of one state or observable are collected, as in
Bi et al. (2021), Fig. 4 c-d (maxima of R_e versus I_e).  Each run starts
from the final state of the previous one, so an attractor is followed along
the sweep (sweep up and down to expose hysteresis).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .integrate import integrate

from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

if TYPE_CHECKING:  # annotations only
    from ..model import Model


def local_extrema(t: np.ndarray, y: np.ndarray, *, kind: str = "max",
                  rel_tol: float = 1e-7) -> np.ndarray:
    """Local maxima or minima of a sampled series, refined by a parabola through 3 samples.

    Returns the extremal values (array); a series whose range is below
    ``rel_tol * (1 + max|y|)`` counts as stationary and gives its last value.
    """
    y = np.asarray(y, dtype=float)
    if y.size < 3 or np.ptp(y) <= rel_tol * (1 + np.max(np.abs(y))):
        return np.array([y[-1]]) if y.size else np.array([])
    s = 1.0 if kind == "max" else -1.0
    a, b, c = s * y[:-2], s * y[1:-1], s * y[2:]
    idx = np.nonzero((b > a) & (b >= c))[0]
    a, b, c = a[idx], b[idx], c[idx]
    den = a - 2 * b + c
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.where(den != 0, b - 0.125 * (a - c) ** 2 / den, b)
    return s * peak


@dataclass
class OrbitDiagram:
    """Extrema of ``variable`` on the attractor at each parameter value.

    Attributes
    ----------
    param : str
    values : ndarray
    variable : str
    maxima, minima : list of ndarray
        Extremal values at each parameter value (one entry when stationary).
    x_final : ndarray (len(values), n)
        Final state at each value (restart points).
    status : list of int
        0, or -1 where the run stopped early (then no extrema are recorded).
    """

    param: str
    values: np.ndarray
    variable: str
    maxima: list = field(repr=False)
    minima: list = field(repr=False)
    x_final: np.ndarray = field(repr=False)
    status: list = field(repr=False)

    def points(self, kind: str = "max") -> tuple[np.ndarray, np.ndarray]:
        """Flattened (parameter, extremum) pairs for a scatter plot."""
        data = self.maxima if kind == "max" else self.minima
        ps = np.concatenate([np.full(len(d), v) for v, d in zip(self.values, data)]) \
            if data else np.array([])
        return ps, np.concatenate(data) if data else np.array([])


def orbit_diagram(model: Model, param: str, values: ArrayLike, variable: str, *, T: float,
                  transient: float, dt: float, sample: float | None = None,
                  method: str = "rk4", x0: Any = None, progress: bool = False,
                  **integrate_options: Any) -> OrbitDiagram:
    """Sweep ``param`` over ``values`` and record extrema of ``variable`` on the attractor.

    Parameters
    ----------
    model : Model
    param : str
        Parameter to sweep (e.g. ``"I_e"``).
    values : array
        Parameter values, in sweep order (continuation follows this order).
    variable : str
        State or observable name (e.g. ``"R_e"`` or ``"rate_e"``); for a
        complex state its modulus is used.
    T, transient : float
        Recorded time and discarded transient, in ``model.time_unit``.
    dt : float
        Integration step; ``sample`` the recording interval (default ``dt``).
    progress : bool
        Show a tqdm progress bar (on stderr).
    **integrate_options
        Passed to :func:`~bifkit.dynamics.integrate`.

    Returns
    -------
    OrbitDiagram
    """
    values = np.asarray(values, dtype=float)
    model.param_index(param)  # validates the name
    it = values
    if progress:
        from .._optional import require
        tqdm = require("tqdm.auto", extra="progress").tqdm
        it = tqdm(values, desc=f"orbit diagram {param}")
    x = x0
    maxima, minima, finals, status = [], [], [], []
    for v in it:
        m = model.with_params(**{param: float(v)})
        if transient > 0:
            tr = integrate(m, (0.0, transient), x, method=method, dt=dt, sample=transient,
                           **integrate_options)
            if tr.success:
                x = tr.x_final
        if transient <= 0 or tr.success:
            tr = integrate(m, (0.0, T), x, method=method, dt=dt, sample=sample or dt,
                           **integrate_options)
        status.append(tr.status)
        finals.append(tr.x_final)
        if not tr.success:
            maxima.append(np.array([]))
            minima.append(np.array([]))
            x = None  # restart from the default guess after a failure
            continue
        series = np.abs(tr[variable]) if np.iscomplexobj(tr[variable]) else tr[variable]
        maxima.append(local_extrema(tr.t, series, kind="max"))
        minima.append(local_extrema(tr.t, series, kind="min"))
        x = tr.x_final
    return OrbitDiagram(param=param, values=values, variable=variable, maxima=maxima,
                        minima=minima, x_final=np.array(finals), status=status)
