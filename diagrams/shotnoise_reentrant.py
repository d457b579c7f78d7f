"""Re-entrant Hopf line of the full shot-noise chain at weak drive, with network rho and mode convergence -- not written yet: waits for its machinery."""
from __future__ import annotations

from pathlib import Path

from .common import require

NAME = "shotnoise-reentrant"
TITLE = "Re-entrant Hopf line of the full shot-noise chain at weak drive, with network rho and mode convergence"
REQUIRES = {'bifkit.continuation.codim2': 'H-C two-parameter Hopf curves'}


def run(quick: bool, out: Path) -> dict:
    require(REQUIRES, NAME)
    raise NotImplementedError(f"diagram {NAME!r}: the recipe is not written yet")
