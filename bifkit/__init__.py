"""bifkit: bifurcation and continuation for neural mass models of balanced spiking networks."""
from ._logging import logger as _logger  # the "bifkit" logger: silent until log_to_console()
from ._threads import limit_blas_threads as _limit_blas_threads
import scipy.linalg as _scipy_linalg  # noqa: F401  (load numpy's and scipy's BLAS, then limit)

# One BLAS thread (small matrices: up to 11x faster, bifkit/_threads.py), set with
# threadpoolctl whatever the import order; OPENBLAS/MKL/OMP_NUM_THREADS set by the user win.
_limit_blas_threads(1)
from .model import Model, ModelDefinition
from .registry import list_models, load_model, register_model
from .model_files.define import define_model
from .equilibrium import find_equilibrium
from .continuation import (Branch, ContinuationOptions, MeshOptions, SpecialPoint, continuation,
                           crossing, extremum)
from .network import SimulationResult, load_sweep, simulate, sweep
from .dynamics import (REGIMES, LyapunovResult, OrbitDiagram, Trajectory, classify, integrate,
                       lyapunov_spectrum, orbit_diagram, regime_map)
from .prc import prc, prc_finite

__all__ = ["prc", "prc_finite", "Model", "ModelDefinition", "list_models", "load_model", "find_equilibrium",
           "continuation", "Branch", "SpecialPoint", "ContinuationOptions", "MeshOptions",
           "crossing", "extremum",
           "simulate", "sweep", "load_sweep", "SimulationResult",
           "integrate", "lyapunov_spectrum", "orbit_diagram", "classify", "regime_map",
           "Trajectory", "LyapunovResult", "OrbitDiagram", "REGIMES",
           "define_model", "register_model"]
__version__ = "0.1.0"
