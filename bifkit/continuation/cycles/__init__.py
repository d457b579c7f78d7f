"""Periodic orbits: LC-C and the two-parameter cycle curves PD-C, LPC-C, NS-C.

==================  ==========================================================
``orbit.py``        the Orbit record and starting orbits (simulation, Hopf)
``lc.py``           LC-C: ``continue_cycles``, CycleBranch, CycleSpecialPoint
``lc_run.py``       the LC-C predictor-corrector (chord Newton, Floquet, events)
``curves.py``       PD-C, LPC-C, NS-C on the extended systems of ``systems.py``
``starts.py``       starts of the cycle curves; ``gh.py`` LPC-C from a Bautin point
``bifs.py``         test functions and location of LPC, PD, NS, Hopf returns
``collocation.py``  Gauss collocation; ``mesh.py`` adaptation; ``floquet.py``
``kernels.py``, ``ext.py``, ``linalg.py``  compiled kernels and condensation
==================  ==========================================================
"""
from .lc import CycleBranch, CycleSpecialPoint, continue_cycles
from .orbit import Orbit, orbit_from_hopf, orbit_from_samples, orbit_from_simulation, refine

__all__ = ["CycleBranch", "CycleSpecialPoint", "continue_cycles", "Orbit", "orbit_from_hopf",
           "orbit_from_samples", "orbit_from_simulation", "refine"]
