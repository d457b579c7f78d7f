"""Classify the attractor at a parameter point, and on a two-parameter grid.

Labels follow the regions of Bi et al. (2021), Fig. 1: a stable equilibrium
reached by the simulation is a ``stable node`` (all eigenvalues real) or a
``stable focus`` (leading pair complex); otherwise the Lyapunov spectrum
decides: ``chaotic`` (lambda_1 > tol), ``quasi-periodic`` (lambda_1 ~ lambda_2
~ 0), ``periodic`` (lambda_1 ~ 0 > lambda_2); a run that blows up is
``unstable``.  ``tol`` must exceed the O(1/T) bias of the finite-time
exponents (see :mod:`.lyapunov`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..equilibrium import find_equilibrium
from ..errors import ConvergenceError
from .integrate import integrate
from .lyapunov import lyapunov_spectrum

from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

if TYPE_CHECKING:  # annotations only
    from ..model import Model

REGIMES = ("stable node", "stable focus", "periodic", "quasi-periodic", "chaotic", "unstable")


@dataclass
class Regime:
    """Classification of one point: ``label`` (one of REGIMES) and the evidence."""

    label: str
    exponents: np.ndarray | None = None
    eigenvalues: np.ndarray | None = None
    x_final: np.ndarray | None = field(default=None, repr=False)


def classify(model: Model, *, T: float, transient: float, dt: float, x0: Any = None,
             tol: float | None = None, eq_tol: float = 1e-6) -> Regime:
    """Classify the attractor reached from ``x0`` (default guess if omitted).

    Parameters
    ----------
    T, transient, dt : float
        Lyapunov averaging time, transient and RK4 step (model time unit).
    tol : float, optional
        Threshold for a zero exponent; default ``10 / T``.
    eq_tol : float
        Relative distance to an equilibrium below which the simulation is
        taken to have converged to it.
    """
    from .._validate import as_float
    T = as_float(T, "T", positive=True)
    transient = as_float(transient, "transient", positive=True)
    dt = as_float(dt, "dt", positive=True)
    tol = 10.0 / T if tol is None else as_float(tol, "tol", positive=True)
    tr = integrate(model, (0.0, transient), x0, method="rk4", dt=dt, sample=transient)
    if not tr.success:
        return Regime("unstable")
    x = tr.x_final
    try:
        eq = model.pack(find_equilibrium(model, x))
    except ConvergenceError:
        eq = None
    if eq is not None and np.max(np.abs(x - eq)) <= eq_tol * (1 + np.max(np.abs(eq))):
        ev = model.eigenvalues(eq)
        if ev[0].real < 0:
            label = "stable focus" if abs(ev[0].imag) > 0 else "stable node"
            return Regime(label, eigenvalues=ev, x_final=x)
    ly = lyapunov_spectrum(model, T, dt=dt, x0=x, k=min(2, model.n))
    if ly.status != 0:
        return Regime("unstable", x_final=ly.x_final)
    lam = ly.exponents
    if lam[0] > tol:
        label = "chaotic"
    elif lam[0] < -tol:
        # converging but slower than the transient: still the equilibrium's regime
        slow_ev = model.eigenvalues(eq) if eq is not None else None
        label = ("stable focus" if slow_ev is not None and abs(slow_ev[0].imag) > 0
                 else "stable node")
    elif lam.size > 1 and abs(lam[1]) <= tol:
        label = "quasi-periodic"
    else:
        label = "periodic"
    return Regime(label, exponents=lam, x_final=ly.x_final)


def regime_map(model: Model, p1: str, values1: ArrayLike, p2: str, values2: ArrayLike, *,
               progress: bool = False, **options: Any) -> Any:
    """Classify every point of the grid ``values1 x values2``.

    Rows follow ``values2``, columns ``values1``; along each row the attractor
    of the previous point is the start of the next.  ``options`` go to
    :func:`classify`.  Returns ``labels`` (object array, shape
    (len(values2), len(values1))) and the list of REGIMES.
    """
    v1, v2 = np.asarray(values1, float), np.asarray(values2, float)
    labels = np.empty((v2.size, v1.size), dtype=object)
    bar = None
    if progress:
        from .._optional import require
        tqdm = require("tqdm.auto", extra="progress").tqdm
        bar = tqdm(total=labels.size, desc=f"regime map {p1} x {p2}")
    for i, b in enumerate(v2):
        x = None
        for j, a in enumerate(v1):
            m = model.with_params(**{p1: float(a), p2: float(b)})
            r = classify(m, x0=x, **options)
            labels[i, j] = r.label
            x = r.x_final if r.label != "unstable" else None
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    return labels, REGIMES
