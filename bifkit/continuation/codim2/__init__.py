"""LP-C, H-C and NF-C: fold, Hopf and node/focus curves in two parameters.

=============  ===============================================================
``curve.py``   the curve types: start, directions, special points, Branch
``core.py``    the compiled minimally augmented systems and loop (numba), compiled
               once for all models; the model's kernels reach it through
               :mod:`bifkit.binding`
``linalg.py``  small dense linear algebra of the bordered systems
=============  ===============================================================
"""
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # import .curve where used: EP-C (which needs .linalg) need not load the core
    from .curve import continue_codim2_curve

__all__ = ["continue_codim2_curve"]
