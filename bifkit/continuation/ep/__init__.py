"""EP-C: branches of equilibria in one parameter.

=================  ==========================================================
``curve.py``       the curve type: start, directions, test functions, Branch
``core.py``        the compiled predictor-corrector loop and location (numba)
``switch.py``      branch switching at branch points (BP)
``normal_forms.py``  the first Lyapunov coefficient of Hopf points
=================  ==========================================================
"""
from .curve import continue_equilibria

__all__ = ["continue_equilibria"]
