"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run), :func:`sweep` (a parameter grid on Dask,
resumable), :func:`load_sweep` (the table of a sweep directory) and :func:`plot_sweep` (its overlay
on a continuation diagram). Networks: ``"inhibitory_qif"``, ``"ei_qif"``, ``"lif_massive"``,
``"theta_massive"`` (see ``networks.py``, ``lif.py`` and ``theta.py`` for parameters and units).
"""
from .simulate import SimulationResult, simulate
from .sweep import load_sweep, plot_sweep, sweep

__all__ = ["simulate", "sweep", "load_sweep", "plot_sweep", "SimulationResult"]
