"""Every import this sub-package (and :mod:`bifkit.prc`) takes from the rest of bifkit.

The continuation package is being restructured; when a module moves, only the
lines below change.
"""
from __future__ import annotations

from ..cycles.collocation import Scheme, interpolate, lagrange_matrices, node_times, uniform_mesh
from ..cycles import CycleSpecialPoint, Orbit, orbit_from_simulation, refine
from ..cycles.mesh import adapt as adapt_mesh
from ..branch import Branch, SpecialPoint
from ...errors import ConvergenceError, InputError

__all__ = ["Scheme", "interpolate", "lagrange_matrices", "node_times", "uniform_mesh",
           "CycleSpecialPoint", "Orbit", "orbit_from_simulation", "refine", "adapt_mesh",
           "Branch", "SpecialPoint", "ConvergenceError", "InputError"]
