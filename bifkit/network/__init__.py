"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run), :func:`sweep` (a parameter grid on Dask,
resumable), :func:`load_sweep` (the table of a sweep directory) and :func:`plot_sweep` (its overlay
on a continuation diagram). Networks: ``"inhibitory_qif"``, ``"ei_qif"``, ``"lif_massive"``,
``"theta_massive"`` (the catalogue ``networks.py``; families are defined in ``qif.py``,
``lif.py`` and ``theta.py`` by the protocol of ``family.py``).
"""
from ._kernel_cache import ensure_consistent_cache

ensure_consistent_cache()  # before any compiled kernel is loaded from numba's cache

from .family import NetworkFamily  # noqa: E402
from .networks import get_family, register, unregister  # noqa: E402
from .simulate import SimulationResult, simulate  # noqa: E402
from .sweep import load_sweep, plot_sweep, sweep  # noqa: E402

__all__ = ["simulate", "sweep", "load_sweep", "plot_sweep", "SimulationResult", "NetworkFamily",
           "register", "unregister", "get_family"]
