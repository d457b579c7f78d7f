"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run), :func:`sweep` (a parameter grid on Dask, resumable)
and :func:`load_sweep` (the table of a sweep directory). Networks: ``"inhibitory_qif"``,
``"ei_qif"``, ``"lif_massive"``, ``"theta_massive"`` (see ``networks.py``, ``lif.py`` and
``theta.py`` for parameters and units).
"""
from .simulate import SimulationResult, simulate
from .sweep import load_sweep, sweep

__all__ = ["simulate", "sweep", "load_sweep", "SimulationResult"]
