"""Parameter sweeps of network simulations on a Dask cluster, resumable point by point.

>>> table = sweep("ei_qif", {"D_ii": [0.5, 1.0], "D_ee": [1.0, 2.0]}, out="fig1c",  # doctest: +SKIP
...               fixed=dict(K=1000, I_e=0.1, T=5000, transient=500), seed=1)

Each grid point is one ``simulate`` call run as a Dask task (``dask.distributed``: a
``LocalCluster`` by default, or ``scheduler="tcp://host:8786"`` for an existing cluster). As soon as
a point finishes, its scalar summary (``SimulationResult.row()``) is written to
``<out>/points/<key>.json`` (write to a temporary file, then atomic rename), so an interrupted sweep
loses only the running points; calling ``sweep`` again with the same ``out`` skips finished points.
``load_sweep(out)`` returns the table (a dict of columns; ``pandas.DataFrame(table)`` if you like);
``plot_sweep(table, x, value, y=None, ax=ax)`` draws it on a matplotlib axis, e.g. the axis of a
continuation diagram (``Branch.plot``) so that network results overlay the bifurcation curves.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from pathlib import Path

import numpy as np


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


def point_key(network: str, params: dict) -> str:
    """Stable file name of a grid point (hash of network and sorted parameters)."""
    blob = json.dumps([network, sorted(params.items())], default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def run_point(network: str, params: dict, path: str) -> dict:
    """Simulate one point and write its row to ``path`` atomically (executed on a worker)."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from .simulate import simulate
    res = simulate(network, **params)
    row = {**{k: v for k, v in params.items()}, **res.row()}
    row = {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in row.items()}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(row, f)
    os.replace(tmp, path)
    return row


def sweep(network: str, grid: dict, out, fixed: dict | None = None, scheduler: str | None = None,
          n_workers: int | None = None, progress: bool = True, client=None) -> dict:
    """Run ``network`` on every point of ``grid`` in parallel; return the table of all points.

    Parameters
    ----------
    network : network name accepted by ``simulate``.
    grid : dict name -> values; the sweep runs the Cartesian product.
    out : directory for the per-point files (created; reused to resume).
    fixed : parameters common to all points (e.g. T, transient, seed, K).
    scheduler : address of a running Dask scheduler; default: a LocalCluster of ``n_workers``
        single-threaded processes (default: number of CPUs).
    progress : show a tqdm progress bar (the only output of this function).
    client : an existing ``distributed.Client`` (overrides ``scheduler``).

    Raises
    ------
    ValueError
        Empty grid, or a point whose parameters ``simulate`` rejects (checked before any work).
    """
    from .networks import resolve

    fixed = dict(fixed or {})
    points = [{**fixed, **p} for p in grid_points(grid)]
    for p in points:  # validate everything up front: a typo must not cost a cluster run
        resolve(network, p)
    out = Path(out)
    (out / "points").mkdir(parents=True, exist_ok=True)
    with open(out / "sweep.json", "w") as f:
        json.dump({"network": network, "grid": {k: list(np.atleast_1d(v).tolist())
                                                for k, v in grid.items()},
                   "fixed": fixed}, f, default=str)
    todo = []
    for p in points:
        path = out / "points" / f"{point_key(network, p)}.json"
        if not path.exists():
            todo.append((p, str(path)))
    if todo:
        _run_on_dask(network, todo, len(points), scheduler, n_workers, progress, client)
    return load_sweep(out)


def _run_on_dask(network, todo, n_total, scheduler, n_workers, progress, client):
    from distributed import Client, LocalCluster, as_completed

    own = client is None
    cluster = None
    if own:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=n_workers or os.cpu_count(), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=n_total, initial=n_total - len(todo), desc=f"sweep {network}")
    try:
        futures = [client.submit(run_point, network, p, path, pure=False) for p, path in todo]
        for fut in as_completed(futures):
            fut.result()  # re-raise a worker error here
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def load_sweep(out) -> dict:
    """Table of the finished points of a sweep directory: dict column -> numpy array."""
    rows = []
    for path in sorted(Path(out, "points").glob("*.json")):
        with open(path) as f:
            rows.append(json.load(f))
    cols = sorted({k for r in rows for k in r})
    table = {}
    for c in cols:
        vals = [r.get(c, math.nan) for r in rows]
        try:
            table[c] = np.array(vals, dtype=float)
        except (TypeError, ValueError):
            table[c] = np.array(vals, dtype=object)
    return table


def plot_sweep(table: dict, x: str, value: str, y: str | None = None, ax=None, **kw):
    """Draw a sweep table on ``ax`` (default: the current axis), for overlays on diagrams.

    One-parameter view (``y`` None): ``value`` against ``x`` as markers (e.g. the network rate
    over a continuation branch of the mean-field rate). Two-parameter view: the points of the
    (x, y) plane coloured by ``value`` (e.g. rho on the (D_ii, D_ee) plane behind the Hopf
    curves), with a colour bar. Extra keywords go to ``ax.plot`` / ``ax.scatter``.
    """
    import matplotlib.pyplot as plt

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
