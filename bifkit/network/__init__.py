"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run), :func:`sweep` (a parameter grid on Dask,
resumable), :func:`load_sweep` (the table of a sweep directory) and :func:`plot_sweep` (its overlay
on a continuation diagram). Networks: ``"inhibitory_qif"``, ``"ei_qif"``, ``"lif_massive"``,
``"theta_massive"`` (the catalogue ``networks.py``; families are defined in ``qif.py``,
``lif.py`` and ``theta.py`` by the protocol of ``family.py``).

The public names are loaded on first use (PEP 562 ``__getattr__``, as in
``bifkit/__init__.py``): importing ``bifkit.network.cli`` (the CLI parser) loads
neither Dask nor the simulator's kernels (issue 16, item 4).
"""
import importlib as _importlib
import sys as _sys
import types as _types

from ._kernel_cache import ensure_consistent_cache

ensure_consistent_cache()  # before any compiled kernel is loaded from numba's cache

#: public name -> the submodule that defines it (imported on first access)
_PUBLIC = {
    "NetworkFamily": ".family",
    "get_family": ".networks", "register": ".networks", "unregister": ".networks",
    "SimulationResult": ".simulate", "simulate": ".simulate",
    "load_sweep": ".sweep", "plot_sweep": ".sweep", "sweep": ".sweep",
}

__all__ = ["simulate", "sweep", "load_sweep", "plot_sweep", "SimulationResult", "NetworkFamily",
           "register", "unregister", "get_family"]


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

    ``simulate`` and ``sweep`` are both functions and modules of this package.
    Importing a submodule makes Python set it as an attribute of the package;
    this class ignores that assignment for public names, so
    ``from bifkit.network import simulate`` is the function in every import
    order (the modules stay importable by their dotted names).
    """

    def __setattr__(self, name, value):
        if (name in _PUBLIC and isinstance(value, _types.ModuleType)
                and value.__name__ == f"{__name__}.{name}"):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
