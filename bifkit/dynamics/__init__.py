"""Dynamics: time integration (RK4, Dormand-Prince, ETDRK4), Lyapunov spectra,
orbit diagrams, regime classification and linear response of bifkit models.

The public names are loaded on first use (PEP 562 ``__getattr__``, as in
``bifkit/__init__.py``): importing ``bifkit.dynamics.cli`` (the CLI parser) or
one integrator does not load, let alone compile, the others (issue 16, item 4).
"""
from .. import _lazy

#: public name -> the submodule that defines it (imported on first access)
_PUBLIC = {
    "integrate": ".integrate",
    "LyapunovResult": ".lyapunov", "lyapunov_spectrum": ".lyapunov",
    "OrbitDiagram": ".orbit_diagram", "orbit_diagram": ".orbit_diagram",
    "REGIMES": ".regimes", "classify": ".regimes", "regime_map": ".regimes",
    "RateResponse": ".response", "linear_response": ".response", "rate_response": ".response",
    "Trajectory": ".trajectory",
}

__all__ = ["integrate", "Trajectory", "lyapunov_spectrum", "LyapunovResult", "orbit_diagram",
           "OrbitDiagram", "classify", "regime_map", "REGIMES", "linear_response",
           "rate_response", "RateResponse"]


def __getattr__(name):
    """Import the module of public ``name`` and return the name (PEP 562)."""
    return _lazy.load(__name__, _PUBLIC, name)


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


_lazy.lazy_package(__name__)
