"""Hopf curve in (K, i0/g0^2): full z_n chain, 2CC, diffusion approximation, K_D line -- not written yet: waits for its machinery."""
from __future__ import annotations

from pathlib import Path

from .common import require

NAME = "ag2025-fig1a"
TITLE = "Hopf curve in (K, i0/g0^2): full z_n chain, 2CC, diffusion approximation, K_D line"
REQUIRES = {'bifkit.continuation.codim2': 'H-C two-parameter Hopf curves'}


def run(quick: bool, out: Path) -> dict:
    require(REQUIRES, NAME)
    raise NotImplementedError(f"diagram {NAME!r}: the recipe is not written yet")
