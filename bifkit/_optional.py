"""Optional dependencies: import them on demand, or say which extra installs them.

bifkit's core (models, equilibria, continuation, network simulation) needs numpy,
scipy, sympy and numba only. Everything else is an extra of the ``pip install``:

==========  =====================================  ==========================================
extra       installs                               needed for
==========  =====================================  ==========================================
dask        dask[distributed]                      ``bifkit.sweep`` (points run as Dask tasks)
network     the ``dask`` extra                     network sweeps (``simulate`` needs nothing)
plot        matplotlib                             ``Branch.plot``, ``bifkit diagram``
data        pandas, xarray, zarr                   ``bifkit.export`` (DataFrame / Dataset out),
                                                   sweeps (``sweep.zarr``, ``load_sweep``)
progress    tqdm                                   progress bars (``bifkit._logging.progress``)
docs        mkdocs-material, mkdocstrings-python   building the documentation site
all         every extra above
==========  =====================================  ==========================================

Call :func:`require` where a function first needs the optional package::

    distributed = require("distributed", extra="dask")
"""
from __future__ import annotations

import importlib
from types import ModuleType

#: extra name -> the packages it installs (pip names); kept equal to pyproject.toml's extras
#: (tests/test_packaging.py checks)
EXTRAS = {
    "dask": ("dask", "distributed"),
    "network": ("dask", "distributed"),
    "plot": ("matplotlib",),
    "data": ("pandas", "xarray", "zarr"),
    "progress": ("tqdm",),
    "docs": ("mkdocs", "mkdocs-material", "mkdocstrings", "mkdocstrings-python"),
}


class MissingOptionalDependency(ImportError):
    """An optional package is not installed; the message names the extra that installs it."""


def require(module: str, *, extra: str) -> ModuleType:
    """Import ``module``, or raise an ImportError naming the extra that installs it.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"distributed"`` or ``"matplotlib.pyplot"``.
    extra : str
        The bifkit extra that provides it (a key of :data:`EXTRAS`).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingOptionalDependency
        (an ImportError) when ``module`` cannot be imported, with the command that fixes it:
        ``pip install "bifkit[<extra>]"``.
    ValueError
        When ``extra`` is not one of bifkit's extras (a programming error).
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown bifkit extra {extra!r}; one of {', '.join(sorted(EXTRAS))}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise MissingOptionalDependency(
            f"{module!r} is needed here but is not installed; it comes with bifkit's "
            f"[{extra}] extra: pip install \"bifkit[{extra}]\" (or \"bifkit[all]\")."
            f" (import {top!r} failed: {exc})") from exc
