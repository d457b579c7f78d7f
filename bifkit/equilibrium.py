"""Equilibria by Newton's method on the compiled right-hand side."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ._validate import as_float, as_int
from .errors import ConvergenceError, InputError

if TYPE_CHECKING:  # annotations only
    from .model import Model


def newton(f: Callable[[np.ndarray], np.ndarray], jac: Callable[[np.ndarray], np.ndarray],
           x0: Any, *, tol: float = 1e-10, maxiter: int = 50, max_step: float | None = None,
           name: str = "Newton") -> tuple[np.ndarray, int]:
    """Damped Newton iteration for f(x) = 0.

    Parameters
    ----------
    f, jac : callable
        ``f(x) -> (n,)`` and ``jac(x) -> (n, n)``.
    x0 : array
    tol : float
        Converged when the scaled step and the residual are both below ``tol``
        (residual relative to 1 + |x|).
    max_step : float, optional
        Cap on the step's infinity norm relative to ``1 + |x|``.

    Returns
    -------
    x, iterations

    Raises
    ------
    ConvergenceError
        Singular Jacobian, NaN, divergence or no convergence in ``maxiter``.
    """
    x = np.array(x0, dtype=float)
    fx = f(x)
    if not np.all(np.isfinite(fx)):
        raise ConvergenceError(f"{name}: the right-hand side is not finite at the start point")
    for it in range(1, maxiter + 1):
        J = jac(x)
        try:
            dx = np.linalg.solve(J, -fx)
        except np.linalg.LinAlgError:
            raise ConvergenceError(f"{name}: singular Jacobian at iteration {it}") from None
        if not np.all(np.isfinite(dx)):
            raise ConvergenceError(f"{name}: non-finite Newton step at iteration {it} "
                                   f"(singular or ill-conditioned Jacobian)")
        scale = 1.0 + np.max(np.abs(x))
        if max_step is not None:
            s = np.max(np.abs(dx)) / scale
            if s > max_step:
                dx *= max_step / s
        # backtracking: accept the step when the residual does not grow too much
        lam, r0 = 1.0, np.linalg.norm(fx)
        for _ in range(20):
            xn = x + lam * dx
            fn = f(xn)
            if np.all(np.isfinite(fn)) and np.linalg.norm(fn) <= (1 - 1e-4 * lam) * r0 + 1e-300:
                break
            lam *= 0.5
        else:
            if not np.all(np.isfinite(fn)):
                raise ConvergenceError(f"{name}: the Newton step leads to non-finite values "
                                       f"(diverging) at iteration {it}")
        x, fx = xn, fn
        if np.max(np.abs(lam * dx)) <= tol * (1.0 + np.max(np.abs(x))) and \
                np.max(np.abs(fx)) <= max(tol, 1e-12) * (1.0 + np.max(np.abs(x))) * 1e2:
            return x, it
        if np.max(np.abs(x)) > 1e12:
            raise ConvergenceError(f"{name}: iterates diverge (|x| = {np.max(np.abs(x)):.3g})")
    raise ConvergenceError(f"{name}: no convergence in {maxiter} iterations "
                           f"(residual {np.max(np.abs(fx)):.3g})")


def admissibility_problem(model: Model, state: dict) -> str | None:
    """Why ``state`` is not physical for ``model``, or None if it is (or nothing is declared).

    A model declares admissibility in one of two ways (``ModelDefinition``
    attribute, or the same key in its ``extras``):

    * ``state_ranges``: ``{state name: (low, high)}``, e.g. ``{"R_e": (0, inf)}``
      for a rate (checked to a relative tolerance of 1e-9 of the state's size);
    * ``admissible``: ``admissible(model, state) -> bool or str`` (a str is the
      reason it is not admissible; True/None: admissible).
    """
    d = model.definition
    ranges = getattr(d, "state_ranges", None) or d.extras.get("state_ranges") or {}
    scale = max([abs(complex(v)) for v in state.values()] + [1e-300])
    for name, (lo, hi) in ranges.items():
        if name not in state:
            continue
        v = float(np.real(state[name]))
        tol = 1e-9 * scale
        if not (lo - tol <= v <= hi + tol):
            return (f"{name} = {v:.6g} is outside its admissible range "
                    f"[{lo:g}, {hi:g}] declared by model {model.name!r}")
    hook = getattr(d, "admissible", None) or d.extras.get("admissible")
    if hook is not None:
        verdict = hook(model, state)
        if isinstance(verdict, str):
            return verdict
        if verdict is False:
            return f"the model {model.name!r} declares this state not admissible"
    return None


def find_equilibrium(model: Model, guess: Any = None, *, tol: float = 1e-10, maxiter: int = 50,
                     admissible_only: bool = True, **params: float) -> dict:
    """Equilibrium of ``model`` by Newton's method from ``guess``.

    Parameters
    ----------
    model : Model
    guess : dict or array, optional
        Start point; the model's default guess if omitted.
    tol : float
        Newton tolerance (relative step and residual).
    admissible_only : bool
        Reject an equilibrium outside the model's declared admissible set
        (e.g. a negative rate; see :func:`admissibility_problem`).
    **params
        Parameter changes for this solve.

    Returns
    -------
    dict
        The equilibrium as {state name: value} (complex for complex states).

    Raises
    ------
    ConvergenceError
        When Newton does not converge, or converges to a state the model
        declares non-physical (the message says why).
    InputError
        A bad tolerance, iteration count, guess or parameter.
    """
    tol = as_float(tol, "tol", positive=True)
    if not tol < 1:
        raise InputError(f"tol = {tol!r} must be below 1 (a relative tolerance)")
    maxiter = as_int(maxiter, "maxiter", minimum=1)
    amplitude = model.definition.forcing_amplitude   # None: the model has no forcing
    if amplitude is not None and not model.is_autonomous() and params.get(amplitude) != 0:
        raise ValueError(f"model {model.name!r} is periodically forced "
                         f"({amplitude} != 0): it has no equilibria")
    if guess is None:
        guess = model.default_guess()
    x0 = model.pack(guess)
    if not np.all(np.isfinite(x0)):
        raise InputError(f"guess = {guess!r} is not finite")
    p = model.param_array(**params)
    f, jac = model.compiled.f, model.compiled.jac
    name = f"find_equilibrium({model.name})"
    x, _ = newton(lambda x: f(0.0, x, p), lambda x: jac(0.0, x, p), x0, tol=tol,
                  maxiter=maxiter, name=name)
    state = model.unpack(x)
    if admissible_only:
        why = admissibility_problem(model, state)
        if why is not None:
            raise ConvergenceError(f"{name}: Newton converged to a non-physical equilibrium: "
                                   f"{why}; try a guess nearer a physical one (or "
                                   f"admissible_only=False to get it anyway)")
    return state
