"""A network sweep on disk as one dataset: ``<out>/sweep.nc``, coordinates = the grid.

Layout of a sweep folder (written by :func:`bifkit.sweep`)::

    <out>/sweep.json       the specification: network, fixed parameters, grid
    <out>/sweep.nc         THE result: one xarray Dataset (netCDF), written point by point
    <out>/points/<key>.json  the journal: one row per finished point, written by the worker
                           that computed it (atomic rename), what makes a sweep resumable

The dataset has one dimension per grid parameter (in the order of the grid, coordinates =
the grid values), one variable per observable of ``SimulationResult.row()`` (``rate_all``,
``rho_e``, ``events``, ``wall_time``, ...; float64, NaN where a point is not finished, never
left out or filled in), and ``finished`` (bool) saying which points have a result.
``attrs``: ``network``, ``fixed`` (JSON text of the fixed parameters), ``format``.

Why a journal beside the dataset: a sweep runs on many Dask worker processes (possibly on
other machines) at once, and a netCDF file has one writer. So each worker writes its own
row (atomically), and the client process, the only writer of ``sweep.nc``, puts every row
into the dataset as soon as it arrives (the file is replaced atomically, at most every
``flush_interval`` seconds and once at the end, also when the sweep is interrupted). A
point is finished when its row is in the journal; :func:`load_sweep` adds journal rows the
dataset does not have yet (a client stopped between a row and the next write), so the
dataset it returns is the same whether the sweep ran in one go or was interrupted and
resumed (``tests/test_sweep_dataset.py``).

netCDF-3 through scipy (xarray's ``engine="scipy"``): no package beyond the ``[data]``
extra (xarray) and scipy, which bifkit needs anyway.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Iterable, Mapping

import numpy as np

from .._json import dumps as json_dumps
from .._optional import require

if TYPE_CHECKING:  # annotations only: xarray stays optional
    import xarray as xr

DATASET_FILE = "sweep.nc"
DATASET_FORMAT = "bifkit-sweep/1"
_ENGINE: Final = "scipy"   # netCDF-3 with scipy's reader/writer: no extra package


def _check_folder(out: Path) -> None:
    """FileNotFoundError unless ``out`` is a sweep folder (message says what it is)."""
    if not out.is_dir():
        raise FileNotFoundError(f"no sweep folder at {str(out)!r}: it does not exist"
                                if not out.exists() else
                                f"{str(out)!r} is a file, not a sweep folder")
    if not (out / "points").is_dir():
        raise FileNotFoundError(f"{str(out)!r} is not a sweep folder: it has no 'points' "
                                f"sub-folder (written by bifkit.network.sweep)")


def journal_rows(out: Path) -> list[dict[str, Any]]:
    """The rows of the finished points (``<out>/points/*.json``), in file-name order."""
    rows = []
    for path in sorted(Path(out, "points").glob("*.json")):
        with open(path) as f:
            rows.append(json.load(f))
    return rows


class SweepGrid:
    """The result arrays of a sweep on its grid, filled row by row (the in-memory dataset).

    Parameters
    ----------
    spec : dict
        The sweep's specification (``sweep.json``: ``network``, ``fixed``, ``grid``), values
        spelled canonically (``bifkit.network.sweep.canonical_value``), so a row's grid
        values are found by equality.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.dims = list(spec["grid"])
        self.coords = {d: list(spec["grid"][d]) for d in self.dims}
        self.shape = tuple(len(self.coords[d]) for d in self.dims)
        self._index = {d: {v: k for k, v in enumerate(self.coords[d])} for d in self.dims}
        self.finished = np.zeros(self.shape, dtype=bool)
        self.columns: dict[str, np.ndarray] = {}
        self._skip = set(self.dims) | set(spec.get("fixed", {}))

    def where(self, row: Mapping[str, Any]) -> tuple[int, ...]:
        """Grid index of ``row`` (ValueError if its grid values are not on the grid)."""
        at = []
        for d in self.dims:
            k = self._index[d].get(row.get(d, math.nan))
            if k is None:
                raise ValueError(f"sweep point with {d} = {row.get(d)!r} is not on the grid "
                                 f"{self.coords[d]} of this sweep")
            at.append(k)
        return tuple(at)

    def add(self, row: Mapping[str, Any]) -> None:
        """Put one finished point's row into the arrays."""
        at = self.where(row)
        for name, value in row.items():
            if name in self._skip:
                continue
            numeric = value is None or isinstance(value, (bool, int, float, np.number))
            column = self.columns.get(name)
            if column is None:
                column = np.full(self.shape, np.nan if numeric else "", dtype=float
                                 if numeric else object)
                self.columns[name] = column
            elif numeric and column.dtype == object:
                value = str(value)
            elif not numeric and column.dtype != object:   # a word in a numeric column
                column = column.astype(object)
                self.columns[name] = column
            column[at] = (math.nan if value is None else float(value)) if numeric else str(value)
        self.finished[at] = True

    def to_dataset(self) -> xr.Dataset:
        """The arrays as one Dataset (variables in name order: independent of arrival order)."""
        xr = require("xarray", extra="data")
        variables: dict[str, Any] = {}
        for name in sorted(self.columns):
            column = self.columns[name]
            variables[name] = (self.dims, column.astype(str) if column.dtype == object
                               else column)
        variables["finished"] = (self.dims, self.finished.copy())
        coords = {d: np.asarray(self.coords[d]) for d in self.dims}
        return xr.Dataset(variables, coords=coords, attrs={
            "format": DATASET_FORMAT, "network": str(self.spec.get("network", "")),
            "fixed": json_dumps(self.spec.get("fixed", {}), sort_keys=True)})


def write_dataset(ds: xr.Dataset, out: Path) -> Path:
    """Write ``ds`` to ``<out>/sweep.nc`` atomically (temporary file, then rename)."""
    path = Path(out) / DATASET_FILE
    tmp = path.with_name(path.name + ".tmp")
    ds.to_netcdf(tmp, engine=_ENGINE)
    os.replace(tmp, path)
    return path


class DatasetWriter:
    """The client side of a running sweep: rows in, ``sweep.nc`` out (atomically).

    Starts from every row already in the journal (a resumed sweep); :meth:`add` takes
    each newly finished row; the file is replaced at most every ``flush_interval``
    seconds, and by :meth:`flush` (called at the end, also after an interruption).
    """

    def __init__(self, out: Path, spec: Mapping[str, Any], flush_interval: float = 1.0) -> None:
        self.out = Path(out)
        self.grid = SweepGrid(spec)
        for row in journal_rows(self.out):
            self.grid.add(row)
        self.flush_interval = flush_interval
        self._last = -math.inf
        self._dirty = True

    def add(self, row: Mapping[str, Any]) -> None:
        self.grid.add(row)
        self._dirty = True
        if time.monotonic() - self._last >= self.flush_interval:
            self.flush()

    def flush(self) -> None:
        if self._dirty:
            write_dataset(self.grid.to_dataset(), self.out)
            self._dirty = False
            self._last = time.monotonic()


def load_sweep(out: str | Path) -> xr.Dataset:
    """The dataset of a sweep folder: one dimension per grid parameter, NaN where unfinished.

    Parameters
    ----------
    out : str or Path
        The folder given to :func:`bifkit.sweep` as ``out`` (finished or not).

    Returns
    -------
    xarray.Dataset
        Dimensions and coordinates = the grid parameters and their values (in the order
        of the sweep's grid); one float64 variable per observable (``rate_all``,
        ``rho_e``, ...; NaN where a point is not finished); ``finished`` (bool);
        ``attrs``: ``network``, ``fixed`` (JSON text), ``format``. Read from
        ``<out>/sweep.nc``, plus any finished point its last write missed (from the
        journal ``<out>/points``); a folder of an older bifkit without ``sweep.nc`` is
        read from its journal alone. ``ds.to_dataframe()`` gives a flat table.

    Raises
    ------
    FileNotFoundError
        ``out`` does not exist, is a file, is not a sweep folder (no ``points``), or has
        no ``sweep.json``.
    MissingOptionalDependency
        xarray is not installed (``bifkit[data]``).
    ValueError
        A finished point whose grid values are not on the grid of ``sweep.json``.
    """
    xr = require("xarray", extra="data")
    out = Path(out)
    _check_folder(out)
    spec_path = out / "sweep.json"
    if not spec_path.exists():
        raise FileNotFoundError(f"{str(out)!r} has no sweep.json (the sweep's grid)")
    n_journal = sum(1 for _ in (out / "points").glob("*.json"))
    path = out / DATASET_FILE
    if path.exists():
        ds = xr.load_dataset(path, engine=_ENGINE)
        if int(ds["finished"].sum()) == n_journal:
            return ds
    grid = SweepGrid(json.loads(spec_path.read_text()))
    for row in journal_rows(out):
        grid.add(row)
    return grid.to_dataset()


def rows_to_columns(rows: Iterable[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Rows (dicts) -> columns (name -> array; float where every value is a number)."""
    rows = list(rows)
    table = {}
    for c in sorted({k for r in rows for k in r}):
        vals = [r.get(c, math.nan) for r in rows]
        try:
            table[c] = np.array(vals, dtype=float)
        except (TypeError, ValueError):
            table[c] = np.array(vals, dtype=object)
    return table
