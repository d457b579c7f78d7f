"""Dynamics: time integration (RK4, Dormand-Prince, ETDRK4), Lyapunov spectra,
orbit diagrams, regime maps and linear response of bifkit models."""
from .integrate import integrate
from .trajectory import Trajectory

__all__ = ["integrate", "Trajectory"]
