"""Parameter sweeps of network simulations on a Dask cluster, resumable point by point.

>>> table = sweep("ei_qif", {"D_ii": [0.5, 1.0], "D_ee": [1.0, 2.0]}, out="fig1c",  # doctest: +SKIP
...               fixed=dict(K=1000, I_e=0.1, T=5000, transient=500), seed=1)

Each grid point is one ``simulate`` call run as a Dask task (``dask.distributed``: a
``LocalCluster`` by default, or ``scheduler="tcp://host:8786"`` for an existing cluster). As soon as
a point finishes, its scalar summary (``SimulationResult.row()``) is written to
``<out>/points/<key>.json`` (write to a temporary file, then atomic rename), so an interrupted sweep
loses only the running points; calling ``sweep`` again with the same ``out`` skips finished points.
A point's key is a hash of the canonical values of all its parameters (defaults filled in, every
number a float), so ``N=2000`` and ``N=2000.0`` are one point. ``<out>/sweep.json`` records the
sweep's specification (network, fixed parameters, grid); a sweep with another specification is
refused in that folder (or, with ``on_conflict="new"``, written to ``<out>-2``, ...), so points of
different runs never mix. With no live Dask worker the sweep warns and, after
``worker_timeout`` seconds, fails (finished points stay saved).
The client process writes every finished row into its grid point of ``<out>/sweep.zarr``, the
sweep as one xarray Dataset (a zarr store) with the grid parameters as dimensions and
coordinates, point by point (``sweep_store.py``);
``load_sweep(out)`` returns that Dataset, ``sweep(...)`` the table of rows (a dict of columns,
``pandas.DataFrame(table)`` if you like; ``table.to_xarray()`` is the Dataset);
``plot_sweep(table, x, value, y=None, ax=ax)`` draws it on a matplotlib axis, e.g. the axis of a
continuation diagram (``Branch.plot``) so that network results overlay the bifurcation curves.
"""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._optional import require
from ..errors import ComputationError
from .networks import get_family
from .sweep_store import DatasetWriter, _check_folder, journal_rows, load_sweep, rows_to_columns

__all__ = ["sweep", "load_sweep", "load_table", "plot_sweep", "SweepTable", "grid_points",
           "point_key", "sweep_spec"]

logger = logging.getLogger("bifkit.network.sweep")


def grid_points(grid: dict) -> list[dict]:
    """Cartesian product of ``grid`` (name -> sequence of values) as a list of dicts."""
    if not grid:
        raise ValueError("grid is empty: give at least one parameter with at least one value")
    names = list(grid)
    values = []
    for name in names:
        v = list(np.atleast_1d(grid[name]).tolist())
        if len(v) == 0:
            raise ValueError(f"grid[{name!r}] has no values: the sweep would have no points")
        values.append(v)
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def canonical_value(value: Any) -> Any:
    """One spelling per value: every real number becomes a float (``2000``, ``2000.0`` and
    ``np.int64(2000)`` are the same grid point); booleans, strings and None stay as they are."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise ValueError(f"sweep parameter value {value!r} of type {type(value).__name__} is not a "
                     f"number, a string, a boolean or None")


def canonical_params(network: str, params: dict) -> dict:
    """All parameters of a point (network defaults filled in), spelled canonically.

    Giving a parameter at its default value and leaving it out are the same point."""

    full = get_family(network).full_params(params)
    return {k: canonical_value(v) for k, v in sorted(full.items())}


def point_key(network: str, params: dict) -> str:
    """Stable file name of a grid point: a hash of the network and its canonical parameters,
    so the key depends on the values, not on how they were spelled."""
    blob = json.dumps([network, sorted(canonical_params(network, params).items())])
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def sweep_spec(network: str, grid: dict, fixed: dict) -> dict:
    """The full specification of a sweep, as recorded in ``<out>/sweep.json``: network, fixed
    parameters (network defaults filled in, so T, transient and seed are always there), and the
    grid, all spelled canonically."""
    base = canonical_params(network, {k: v for k, v in fixed.items() if k not in grid})
    return {"format": SPEC_FORMAT, "network": network,
            "fixed": {k: v for k, v in base.items() if k not in grid},
            "grid": {k: [canonical_value(x) for x in np.atleast_1d(v).tolist()]
                     for k, v in grid.items()}}


SPEC_FORMAT = 2


def _spec_difference(old: dict, new: dict) -> str:
    """Human-readable list of what differs between two sweep specifications."""
    diffs = []
    for key in ("format", "network"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    for part in ("fixed", "grid"):
        a, b = old.get(part) or {}, new.get(part) or {}
        for name in sorted(set(a) | set(b)):
            if a.get(name, "<absent>") != b.get(name, "<absent>"):
                diffs.append(f"{part} {name}: {a.get(name, '<absent>')!r} -> "
                             f"{b.get(name, '<absent>')!r}")
    return "; ".join(diffs)


def _claim_folder(out: Path, spec: dict, on_conflict: str) -> Path:
    """Return the folder the sweep writes to, after checking it against ``spec``.

    A folder holding another sweep (different specification) is refused (``on_conflict=
    "refuse"``) or skipped for the first free ``<out>-2``, ``<out>-3``, ... (``"new"``)."""
    if on_conflict not in ("refuse", "new"):
        raise ValueError(f"on_conflict={on_conflict!r} is not one of 'refuse', 'new'")
    candidate, n = out, 1
    while True:
        conflict = _conflict(candidate, spec)
        if conflict is None:
            return candidate
        if on_conflict == "refuse":
            raise ValueError(f"sweep folder {str(candidate)!r} holds a different sweep "
                             f"({conflict}); its points would mix with this one's. Use another "
                             f"folder, or on_conflict='new' (CLI: --new-folder) to write to a "
                             f"new one")
        n += 1
        candidate = out.with_name(f"{out.name}-{n}")


def _conflict(folder: Path, spec: dict):
    """None if ``folder`` is free or holds this very sweep, else what differs."""
    if folder.exists() and not folder.is_dir():
        return "it is a file"
    spec_file = folder / "sweep.json"
    if spec_file.exists():
        try:
            old = json.loads(spec_file.read_text())
        except (OSError, ValueError) as e:
            return f"its sweep.json is unreadable: {e}"
        diff = _spec_difference(old, spec)
        return diff or None
    points = folder / "points"
    if points.is_dir() and any(points.glob("*.json")):
        return "it has points but no sweep.json recording their specification"
    return None


def run_point(network: str, params: dict, path: str) -> dict:
    """Simulate one point and write its row to ``path`` atomically (executed on a worker)."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from .simulate import simulate
    res = simulate(network, **params)
    row = {**{k: canonical_value(v) for k, v in params.items()}, **res.row()}
    row = {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in row.items()}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(row, f)
    os.replace(tmp, path)
    return row


class SweepTable(dict):
    """The table of a sweep (dict column -> numpy array); ``folder`` is where its points are."""

    folder: Path | None = None

    def to_xarray(self) -> Any:
        """The sweep as one Dataset on its grid (:func:`load_sweep` of ``folder``)."""
        if self.folder is None:
            raise ValueError("this table has no sweep folder to read the dataset from")
        return load_sweep(self.folder)


def check_workers(n_workers: Any) -> int | None:
    """``n_workers`` must be None (one per CPU) or an integer >= 1."""
    if n_workers is None:
        return None
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)):
        raise ValueError(f"n_workers={n_workers!r} must be an integer >= 1 (or None for one "
                         f"worker per CPU)")
    if n_workers < 1:
        raise ValueError(f"n_workers={n_workers!r} must be >= 1: a sweep without workers "
                         f"would wait forever")
    return int(n_workers)


def sweep(network: str, grid: dict, out: str | Path, fixed: dict | None = None,
          scheduler: str | None = None,
          n_workers: int | None = None, progress: bool = True, client: Any = None,
          on_conflict: str = "refuse", worker_timeout: float = 120.0) -> SweepTable:
    """Run ``network`` on every point of ``grid`` in parallel; return the table of all points.

    Parameters
    ----------
    network : network name accepted by ``simulate``.
    grid : dict name -> values; the sweep runs the Cartesian product.
    out : directory for the per-point files (created; reused to resume).
    fixed : parameters common to all points (e.g. T, transient, seed, K).
    scheduler : address of a running Dask scheduler; default: a LocalCluster of ``n_workers``
        single-threaded processes (default: number of CPUs).
    n_workers : integer >= 1, or None (one per CPU).
    progress : show a tqdm progress bar (the only output of this function).
    client : an existing ``distributed.Client`` (overrides ``scheduler``).
    on_conflict : ``"refuse"`` (default): a folder that holds a sweep with another
        specification (network, fixed parameters, grid -- T and seed included) is an error;
        ``"new"``: write to the first free ``<out>-2``, ``<out>-3``, ... instead (the returned
        table's ``folder`` says which).
    worker_timeout : seconds (> 0) the sweep tolerates with no live Dask worker before it fails
        with RuntimeError (finished points stay saved; rerun to resume). Each such wait is also
        logged as a warning on the ``bifkit.network.sweep`` logger.

    Points are keyed by the canonical values of all their parameters (``N=2000`` and
    ``N=2000.0`` are one point). The specification is recorded in ``<out>/sweep.json``.

    Raises
    ------
    ValueError
        Empty grid, a point whose parameters ``simulate`` rejects (checked before any work), a
        bad ``n_workers``/``worker_timeout``, or a folder holding a different sweep.
    bifkit.errors.ComputationError
        (a RuntimeError) No live Dask worker for ``worker_timeout`` seconds, or the scheduler
        at ``scheduler`` cannot be reached.
    """

    require("distributed", extra="dask")  # before any folder is made: names the missing extra
    require("xarray", extra="data")         # the sweep's dataset (sweep.zarr)
    require("zarr", extra="data")
    n_workers = check_workers(n_workers)
    if not (isinstance(worker_timeout, (int, float)) and worker_timeout > 0
            and math.isfinite(worker_timeout)):
        raise ValueError(f"worker_timeout={worker_timeout!r} must be a finite number of seconds "
                         f"> 0")
    family = get_family(network)
    fixed = dict(fixed or {})
    points = [{**fixed, **p} for p in grid_points(grid)]
    for p in points:  # validate everything up front: a typo must not cost a cluster run
        family.resolve(p)
    spec = sweep_spec(network, grid, fixed)
    out = _claim_folder(Path(out), spec, on_conflict)
    (out / "points").mkdir(parents=True, exist_ok=True)
    tmp = out / "sweep.json.tmp"
    tmp.write_text(json.dumps(spec, indent=1))
    os.replace(tmp, out / "sweep.json")
    todo, seen = [], set()
    for p in points:
        key = point_key(network, p)
        if key in seen:  # the grid lists one value twice (e.g. 2000 and 2000.0)
            continue
        seen.add(key)
        path = out / "points" / f"{key}.json"
        if not path.exists():
            todo.append((p, str(path)))
    writer = DatasetWriter(out, spec)   # the dataset: every journal row so far, then new ones
    try:
        if todo:
            _run_on_dask(network, todo, len(seen), scheduler, n_workers, progress, client,
                         worker_timeout, out, writer.add)
    finally:
        writer.flush()   # also after an interruption: sweep.zarr holds every finished point
    return load_table(out)


def _live_workers(client) -> int:
    return len(client.scheduler_info().get("workers", {}))


def _run_on_dask(network, todo, n_total, scheduler, n_workers, progress, client,
                 worker_timeout=120.0, out=None, on_row=None):
    import time

    from distributed import Client, LocalCluster, wait

    own = client is None
    cluster = None
    if own:
        if scheduler:
            try:
                client = Client(scheduler, timeout=min(30.0, worker_timeout))
            except (OSError, TimeoutError) as e:
                raise ComputationError(f"cannot reach the Dask scheduler at {scheduler!r} ({e}); "
                                   f"nothing was computed") from e
        else:
            cluster = LocalCluster(n_workers=n_workers or os.cpu_count(), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
    bar = None
    if progress:
        tqdm = require("tqdm.auto", extra="progress").tqdm
        bar = tqdm(total=n_total, initial=n_total - len(todo), desc=f"sweep {network}")
    try:
        params_of = {client.submit(run_point, network, p, path, pure=False): p
                     for p, path in todo}
        pending = set(params_of)
        no_worker_since = None
        poll = min(2.0, worker_timeout / 4)
        while pending:
            try:
                done, pending = wait(pending, timeout=poll, return_when="FIRST_COMPLETED")
            except (TimeoutError, asyncio.TimeoutError):
                done = set()
            for fut in done:
                try:
                    row = fut.result()  # re-raise a worker error here
                except Exception as e:
                    if type(e).__name__ != "KilledWorker":
                        raise
                    raise ComputationError(
                        f"sweep {network}: the point {params_of[fut]} killed its Dask worker "
                        f"repeatedly (out of memory?); the finished points are saved in "
                        f"{str(out)!r}") from e
                if on_row is not None:
                    on_row(row)
                if bar is not None:
                    bar.update(1)
            if done or not pending:
                no_worker_since = None
                continue
            if _live_workers(client) > 0:
                no_worker_since = None
                continue
            now = time.monotonic()
            if no_worker_since is None:
                no_worker_since = now
                logger.warning("sweep %s: no live Dask worker; %d points waiting (fails after "
                               "%g s without a worker)", network, len(pending), worker_timeout)
            elif now - no_worker_since >= worker_timeout:
                raise ComputationError(
                    f"sweep {network}: no live Dask worker for {worker_timeout:g} s "
                    f"({len(pending)} of {n_total} points unfinished); the finished points are "
                    f"saved in {str(out)!r}: start workers and rerun the same sweep to resume")
    finally:
        if bar is not None:
            bar.close()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def load_table(out: str | Path) -> SweepTable:
    """The finished points of a sweep folder as a table: dict column -> numpy array.

    One row per finished point (grid and fixed parameters, and the observables); for the
    sweep on its grid use :func:`load_sweep` (an xarray Dataset).

    Raises
    ------
    FileNotFoundError
        ``out`` does not exist or is not a sweep folder (no ``points`` sub-folder).
    """
    out = Path(out)
    _check_folder(out)
    table = SweepTable(rows_to_columns(journal_rows(out)))
    table.folder = out
    return table


def plot_sweep(table: Any, x: str, value: str, y: str | None = None, ax: Any = None,
               **kw: Any) -> Any:
    """Draw a sweep table (or the Dataset of :func:`load_sweep`) on ``ax`` (default: the
    current axis), for overlays on diagrams.

    One-parameter view (``y`` None): ``value`` against ``x`` as markers (e.g. the network rate
    over a continuation branch of the mean-field rate). Two-parameter view: the points of the
    (x, y) plane coloured by ``value`` (e.g. rho on the (D_ii, D_ee) plane behind the Hopf
    curves), with a colour bar. Extra keywords go to ``ax.plot`` / ``ax.scatter``.
    """
    plt = require("matplotlib.pyplot", extra="plot")

    if hasattr(table, "to_dataframe"):  # the Dataset of load_sweep: its finished points
        frame = table.to_dataframe().reset_index()
        table = {c: frame[c].to_numpy()[frame["finished"].to_numpy(bool)] for c in frame}
    ax = ax or plt.gca()
    for col in (x, value) + ((y,) if y else ()):
        if col not in table:
            raise ValueError(f"column {col!r} is not in the sweep table; columns: "
                             f"{sorted(table)}")
    X = np.asarray(table[x], float)
    V = np.asarray(table[value], float)
    if y is None:
        order = np.argsort(X)
        kw.setdefault("marker", "o")
        kw.setdefault("linestyle", "none")
        kw.setdefault("label", f"network {value}")
        ax.plot(X[order], V[order], **kw)
        ax.set_xlabel(x)
        return ax
    Y = np.asarray(table[y], float)
    kw.setdefault("s", 40)
    kw.setdefault("cmap", "viridis")
    sc = ax.scatter(X, Y, c=V, zorder=0, **kw)
    ax.figure.colorbar(sc, ax=ax, label=value)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax
