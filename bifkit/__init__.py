"""bifkit: bifurcation and continuation for neural mass models of balanced spiking networks."""
import os as _os
import sys as _sys

# bifkit's dense linear algebra is small (eigenvalues of <= 512 x 512 Jacobians, bordered
# solves): a multi-threaded BLAS is slower there, up to 11x on a loaded 2-core machine
# (eigvals of the 128-unknown chain's Jacobian: 0.100 s CPU vs 0.009 s with one thread).
# One thread is the default when bifkit is imported before numpy; an explicit setting wins.
if "numpy" not in _sys.modules:
    for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ.setdefault(_var, "1")
from .model import Model, ModelDefinition
from .registry import list_models, load_model
from .equilibrium import find_equilibrium
from .continuation import Branch, SpecialPoint, continuation
from .network import SimulationResult, load_sweep, simulate, sweep
from .dynamics import (REGIMES, LyapunovResult, OrbitDiagram, Trajectory, classify, integrate,
                       lyapunov_spectrum, orbit_diagram, regime_map)

__all__ = ["Model", "ModelDefinition", "list_models", "load_model", "find_equilibrium",
           "continuation", "Branch", "SpecialPoint",
           "simulate", "sweep", "load_sweep", "SimulationResult",
           "integrate", "lyapunov_spectrum", "orbit_diagram", "classify", "regime_map",
           "Trajectory", "LyapunovResult", "OrbitDiagram", "REGIMES"]
__version__ = "0.1.0"
