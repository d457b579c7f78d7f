"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run), :func:`sweep` (a parameter grid on Dask,
resumable), :func:`load_sweep` (the table of a sweep directory) and :func:`plot_sweep` (its overlay
on a continuation diagram). Networks: ``"inhibitory_qif"``, ``"ei_qif"``, ``"lif_massive"``,
``"theta_massive"`` (the catalogue ``networks.py``; families are defined in ``qif.py``,
``lif.py`` and ``theta.py`` by the protocol of ``family.py``).
"""
from .family import NetworkFamily
from .networks import get_family, register, unregister
from .simulate import SimulationResult, simulate
from .sweep import load_sweep, plot_sweep, sweep

__all__ = ["simulate", "sweep", "load_sweep", "plot_sweep", "SimulationResult", "NetworkFamily",
           "register", "unregister", "get_family"]
