"""Spiking-network validator: exact event-driven simulation of the papers' networks.

Public entry points: :func:`simulate` (one run) and :func:`sweep` (a parameter grid on Dask).
"""
from .simulate import SimulationResult, simulate

__all__ = ["simulate", "SimulationResult"]
