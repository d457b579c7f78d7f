"""Dynamics: time integration (RK4, Dormand-Prince, ETDRK4), Lyapunov spectra,
orbit diagrams, regime classification and linear response of bifkit models."""
from .integrate import integrate
from .lyapunov import LyapunovResult, lyapunov_spectrum
from .orbit_diagram import OrbitDiagram, orbit_diagram
from .regimes import REGIMES, classify, regime_map
from .response import RateResponse, linear_response, rate_response
from .trajectory import Trajectory

__all__ = ["integrate", "Trajectory", "lyapunov_spectrum", "LyapunovResult", "orbit_diagram",
           "OrbitDiagram", "classify", "regime_map", "REGIMES", "linear_response",
           "rate_response", "RateResponse"]
