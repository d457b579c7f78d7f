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
from .. import _lazy

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
    """Import the module of public ``name`` and return the name (PEP 562)."""
    return _lazy.load(__name__, _PUBLIC, name)


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


_lazy.lazy_package(__name__)
