"""Plane (D_ii, D_ee), K=1000, I_e=0.1: bifurcation curves with the network's rho^(e) -- not written yet: waits for its machinery."""
from __future__ import annotations

from pathlib import Path

from .common import require

NAME = "bi2021-fig1c"
TITLE = "Plane (D_ii, D_ee), K=1000, I_e=0.1: bifurcation curves with the network's rho^(e)"
REQUIRES = {'bifkit.continuation.codim2': 'H-C / NF-C two-parameter curves', 'bifkit.continuation.cycle_curves': 'LPC-C / PD-C two-parameter cycle curves'}


def run(quick: bool, out: Path) -> dict:
    require(REQUIRES, NAME)
    raise NotImplementedError(f"diagram {NAME!r}: the recipe is not written yet")
