"""Figure recipes: the source papers' figures, regenerated end to end.

Each recipe is one module of this package with

* ``NAME`` -- the name given to ``bifkit diagram NAME`` (e.g. ``"bi2021-fig1a"``);
* ``TITLE`` -- one line saying what the figure shows;
* ``REQUIRES`` -- {module: what it provides} of the machinery it needs;
* ``run(quick: bool, out: Path) -> dict`` -- writes the data (CSV) and the figure
  (PNG and PDF) into ``out`` and returns ``{key: Path}`` of the written files.
  ``quick=True`` uses coarse grids and small networks (about a minute on 2 cores);
  ``quick=False`` the paper's resolution.

A recipe whose machinery is missing raises NotImplementedError naming it, and
:func:`list_recipes` reports it as such.

>>> from bifkit.diagrams import list_recipes, run_recipe      # doctest: +SKIP
>>> [r.name for r in list_recipes()]                           # doctest: +SKIP
>>> run_recipe("bi2021-fig2", quick=True, out="results/diagrams")  # doctest: +SKIP
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from .common import missing

# recipe modules, in the order of the listing
_MODULES = [
    "bi2021_fig1a", "bi2021_fig1b", "bi2021_fig1c", "bi2021_fig2", "bi2021_fig4", "bi2021_fig7",
    "ag2025_fig1a", "ag2025_fig2", "ag2025_fig3", "shotnoise_reentrant",
    "ullner2018_fig2", "ullner2018_fig4", "symmetry_slow", "mpr_bistability",
]


@dataclass(frozen=True)
class RecipeInfo:
    """A recipe's name, one-line title, module, and the machinery it still lacks."""

    name: str
    title: str
    module: str
    missing: tuple = field(default=())

    @property
    def available(self) -> bool:
        return not self.missing


def _load(module: str):
    return importlib.import_module(f"{__name__}.{module}")


def list_recipes() -> list[RecipeInfo]:
    """Every recipe, in listing order, with what it still needs (empty when runnable)."""
    out = []
    for mod in _MODULES:
        m = _load(mod)
        out.append(RecipeInfo(m.NAME, m.TITLE, mod, tuple(missing(getattr(m, "REQUIRES", {})))))
    return out


def _module_of(name: str) -> str:
    """``"bi2021-fig1a"`` -> ``"bi2021_fig1a"`` (recipe names are module names with dashes)."""
    return name.replace("-", "_")


def get_recipe(name: str):
    """The module of recipe ``name``; ValueError listing the known names otherwise."""
    if _module_of(name) in _MODULES:
        return _load(_module_of(name))
    import difflib
    names = [m.replace("_", "-") for m in _MODULES]
    hint = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise ValueError(f"unknown diagram {name!r}{hint}; known: {', '.join(names)}")


def run_recipe(name: str, quick: bool = False, out="results/diagrams") -> dict:
    """Run recipe ``name`` writing into ``out``; returns {key: Path} of the written files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return get_recipe(name).run(bool(quick), out)


__all__ = ["list_recipes", "get_recipe", "run_recipe", "RecipeInfo"]
