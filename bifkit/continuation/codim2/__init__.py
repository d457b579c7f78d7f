"""LP-C, H-C and NF-C: fold, Hopf and node/focus curves in two parameters.

=============  ===============================================================
``curve.py``   the curve types: start, directions, special points, Branch
``core.py``    the compiled minimally augmented systems and loop (numba)
``fnptr.py``   the model's kernels as function pointers for ``core``
``linalg.py``  small dense linear algebra of the bordered systems
=============  ===============================================================
"""
from .curve import continue_codim2_curve

__all__ = ["continue_codim2_curve"]
