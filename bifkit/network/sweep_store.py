"""A network sweep on disk as one dataset: ``<out>/sweep.zarr``, coordinates = the grid.

Layout of a sweep folder (written by :func:`bifkit.sweep`)::

    <out>/sweep.json       the specification: network, fixed parameters, grid
    <out>/sweep.zarr       THE result: one xarray Dataset (a zarr store), written point by point
    <out>/points/<key>.json  the journal: one row per finished point, written by the worker
                           that computed it (atomic rename), what makes a sweep resumable

The dataset has one dimension per grid parameter (in the order of the grid, coordinates =
the grid values), one variable per observable of ``SimulationResult.row()`` (``rate_all``,
``rho_e``, ``events``, ``wall_time``, ...; float64, NaN where a point is not finished, never
left out or filled in), and ``finished`` (bool) saying which points have a result.
``attrs``: ``network``, ``fixed`` (JSON text of the fixed parameters), ``format``.

Written point by point: the store is created once with every variable on the whole grid
(NaN / False); each finished point is then written into its own region
(``Dataset.to_zarr(region=...)``): its observables first, then its ``finished`` flag, so a
point marked finished has its values. Only a row that changes the store's layout (a new
observable, a longer string) rewrites the whole store (into a temporary folder, then
renamed). Chunks: one per value of the first grid parameter (a 20 x 20 grid with 13
variables: a store of 295 files, 1.3 MB on disk; one chunk per point made it 5235 files,
21 MB; ~40 ms per point written, measured 2026-12-06). A point's region is then part of a chunk, which zarr reads, updates and writes
back; that is safe because the client is the store's only writer (hence
``safe_chunks=False``). Chunks holding only the fill value are not written at all.

Why a journal beside the dataset: a sweep runs on many Dask worker processes (possibly on
other machines) at once, and the store has one writer. So each worker writes its own row
(atomically), and the client process, the only writer of ``sweep.zarr``, puts every row
into the dataset as soon as it arrives. A point is finished when its row is in the
journal; :func:`load_sweep` rebuilds the dataset from the journal when the store lacks a
row (a client stopped between a row and its write) or cannot be read, so the dataset it
returns is the same whether the sweep ran in one go or was interrupted and resumed
(``tests/test_sweep_dataset.py``).

Format: zarr format 2 (``zarr`` package, in the ``[data]`` extra). Format 3 has no
specified fixed-width string type yet (zarr-python warns on every string coordinate,
e.g. a grid over ``indegree = fixed, binomial``); format 2 stores them as plain numpy
``<U`` arrays and is read by every zarr implementation.
"""
from __future__ import annotations

import json
import logging
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Iterable, Mapping

import numpy as np

from .._json import dumps as json_dumps
from .._optional import require

if TYPE_CHECKING:  # annotations only: xarray stays optional
    import xarray as xr

DATASET_FILE = "sweep.zarr"
DATASET_FORMAT = "bifkit-sweep/2"   # /1: sweep.nc (netCDF-3), rebuilt from the journal
_ZARR_FORMAT: Final = 2   # see the module docstring

logger = logging.getLogger("bifkit.network.sweep")


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
        self.last: tuple[int, ...] | None = None   # grid index of the last row added
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
        self.last = at

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


def _require_zarr() -> None:
    require("zarr", extra="data")   # xarray's to_zarr / open_zarr import it


def _layout(ds: xr.Dataset) -> dict[str, str]:
    """Variable name -> dtype: what a region write needs unchanged in the store."""
    return {str(name): var.dtype.str for name, var in ds.data_vars.items()}


def write_dataset(ds: xr.Dataset, out: Path) -> Path:
    """Write ``ds`` as a new ``<out>/sweep.zarr`` (a chunk per value of the first grid
    parameter).

    Written into ``sweep.zarr.tmp`` first, then renamed over the old store, so a crash
    leaves either store whole (the journal covers the moment in between).
    """
    _require_zarr()
    path = Path(out) / DATASET_FILE
    tmp = path.with_name(path.name + ".tmp")
    old = path.with_name(path.name + ".old")
    for stale in (tmp, old):
        if stale.exists():
            shutil.rmtree(stale)
    first = next(iter(ds["finished"].dims))   # the first grid parameter
    encoding = {name: {"chunks": tuple(1 if d == first else ds.sizes[d] for d in var.dims)}
                for name, var in ds.data_vars.items()}
    ds.to_zarr(tmp, mode="w", encoding=encoding, zarr_format=_ZARR_FORMAT, consolidated=True)
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    if old.exists():
        shutil.rmtree(old)
    return path


def write_point(ds: xr.Dataset, out: Path, at: Mapping[str, int]) -> None:
    """Write the grid point ``at`` (dimension -> index) of ``ds`` into the store, by region.

    The observables first, ``finished`` last: a point is never marked finished in the
    store without its values. The store must have ``ds``'s layout (:func:`write_dataset`).
    """
    region = {d: slice(k, k + 1) for d, k in at.items()}
    point = ds.isel(region).drop_vars(list(ds.coords))
    path = Path(out) / DATASET_FILE
    values = [name for name in point.data_vars if name != "finished"]
    kw: dict[str, Any] = dict(region=region, zarr_format=_ZARR_FORMAT, consolidated=True,
                              safe_chunks=False)   # one writer: partial chunks are safe
    if values:
        point[values].to_zarr(path, **kw)
    point[["finished"]].to_zarr(path, **kw)


def read_dataset(out: Path) -> xr.Dataset | None:
    """The store ``<out>/sweep.zarr`` loaded into memory, or None if there is none or it
    cannot be read (logged; the journal then rebuilds the dataset)."""
    xr = require("xarray", extra="data")
    path = Path(out) / DATASET_FILE
    if not path.exists():
        return None
    _require_zarr()
    try:
        with xr.open_zarr(path, consolidated=True) as ds:
            return ds.load()
    except Exception as e:   # a damaged store: the journal has every finished row
        logger.warning("cannot read %s (%s: %s); rebuilding it from the journal", path,
                       type(e).__name__, e)
        return None


class DatasetWriter:
    """The client side of a running sweep: rows in, ``sweep.zarr`` out, point by point.

    Starts by writing the store from every row already in the journal (a resumed sweep, or
    a folder of an older bifkit with ``sweep.nc``); :meth:`add` writes each newly finished
    row into its region of the store at once; :meth:`flush` (called at the end, also after
    an interruption) rewrites the store only if a write was cut short.
    """

    def __init__(self, out: Path, spec: Mapping[str, Any]) -> None:
        self.out = Path(out)
        self.grid = SweepGrid(spec)
        for row in journal_rows(self.out):
            self.grid.add(row)
        self._layout: dict[str, str] | None = None
        self._stale = True   # the store does not yet hold every row of self.grid
        self.flush()

    def add(self, row: Mapping[str, Any]) -> None:
        """Put a finished row into the dataset and write its grid point to the store."""
        self.grid.add(row)
        self._stale = True
        ds = self.grid.to_dataset()
        if _layout(ds) != self._layout:   # a new variable or dtype: the whole store
            self._write_all(ds)
            return
        assert self.grid.last is not None   # set by grid.add
        write_point(ds, self.out, dict(zip(self.grid.dims, self.grid.last)))
        self._stale = False

    def flush(self) -> None:
        """Make the store hold every row added (rewrites it after an interrupted write)."""
        if self._stale:
            self._write_all(self.grid.to_dataset())

    def _write_all(self, ds: xr.Dataset) -> None:
        write_dataset(ds, self.out)
        self._layout = _layout(ds)
        self._stale = False


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
        ``attrs``: ``network``, ``fixed`` (JSON text), ``format``. Read from the zarr
        store ``<out>/sweep.zarr``; rebuilt from the journal ``<out>/points`` when the
        store misses a finished point (a client stopped between a row and its write),
        cannot be read, or does not exist (a folder of an older bifkit, whose
        ``sweep.nc`` is not read). ``ds.to_dataframe()`` gives a flat table.

    Raises
    ------
    FileNotFoundError
        ``out`` does not exist, is a file, is not a sweep folder (no ``points``), or has
        no ``sweep.json``.
    MissingOptionalDependency
        xarray or zarr is not installed (``bifkit[data]``).
    ValueError
        A finished point whose grid values are not on the grid of ``sweep.json``.
    """
    xr = require("xarray", extra="data")
    out = Path(out)
    _check_folder(out)
    spec_path = out / "sweep.json"
    if not spec_path.exists():
        raise FileNotFoundError(f"{str(out)!r} has no sweep.json (the sweep's grid)")
    _require_zarr()
    n_journal = sum(1 for _ in (out / "points").glob("*.json"))
    ds = read_dataset(out)
    if ds is not None and int(ds["finished"].sum()) == n_journal:
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
