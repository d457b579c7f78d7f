"""Dynamics: time integration (RK4, Dormand-Prince, ETDRK4), Lyapunov spectra,
orbit diagrams, regime classification and linear response of bifkit models.

The public names are loaded on first use (PEP 562 ``__getattr__``, as in
``bifkit/__init__.py``): importing ``bifkit.dynamics.cli`` (the CLI parser) or
one integrator does not load, let alone compile, the others (issue 16, item 4).
"""
import importlib as _importlib
import sys as _sys
import types as _types

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
    """Import the submodule of public ``name`` and return the name (PEP 562)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


class _Package(_types.ModuleType):
    """A sub-module never hides the public function of its name.

    ``integrate`` and ``orbit_diagram`` are both functions and modules of this
    package.  Importing a submodule makes Python set it as an attribute of the
    package; this class ignores that assignment for public names, so
    ``from bifkit.dynamics import integrate`` is the function in every import
    order (the modules stay importable by their dotted names).
    """

    def __setattr__(self, name, value):
        if (name in _PUBLIC and isinstance(value, _types.ModuleType)
                and value.__name__ == f"{__name__}.{name}"):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
