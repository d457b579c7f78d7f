"""bifkit: bifurcation and continuation for neural mass models of balanced spiking networks."""
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
