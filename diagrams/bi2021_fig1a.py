"""Plane (I_e, D_ee), K=1000, D_ii=0.3: Hopf (super/sub), LPC, PD, node/focus, regions I-V -- not written yet: waits for its machinery."""
from __future__ import annotations

from pathlib import Path

from .common import require

NAME = "bi2021-fig1a"
TITLE = "Plane (I_e, D_ee), K=1000, D_ii=0.3: Hopf (super/sub), LPC, PD, node/focus, regions I-V"
REQUIRES = {'bifkit.continuation.codim2': 'H-C / NF-C two-parameter curves', 'bifkit.continuation.cycle_curves': 'LPC-C / PD-C two-parameter cycle curves'}


def run(quick: bool, out: Path) -> dict:
    require(REQUIRES, NAME)
    raise NotImplementedError(f"diagram {NAME!r}: the recipe is not written yet")
