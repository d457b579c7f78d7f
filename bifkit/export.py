"""Data out: a continuation branch as a pandas DataFrame or an xarray Dataset.

Where users analyse and plot, in pandas and xarray. Nothing is lost or rounded:
values are the branch's own float64 / complex128 arrays, so a round trip gives
equal values (tests/test_export.py). Needs the ``data`` extra
(``pip install "bifkit[data]"``: pandas, xarray).

Layout (both functions)
-----------------------
One row (DataFrame) or one entry of dimension ``point`` (Dataset) per computed
point of the branch, with

* every parameter (free and fixed, model units), by name;
* every state, real-split names as in ``branch.state_names`` (``z_1_re``,
  ``z_1_im`` for complex states); for cycle branches the state at t = 0;
* ``stable`` (bool): eigenvalues with Re < 0 (equilibria) or nontrivial Floquet
  multipliers inside the unit circle (cycles), as ``branch.stable``;
* ``eigenvalue_<k>`` (complex): the eigenvalues of equilibria, the Floquet
  multipliers of cycles (a 2-D variable ``eigenvalues(point, eig)`` in xarray);
* the per-point data of the curve (``branch.data``: ``l1`` along H-C,
  ``period`` and ``amplitude_max_<state>`` along cycle curves, ...): 1-D arrays
  as one column, 2-D arrays as columns ``<key>_<k>``;
* ``special`` (str): the labels of the special points located between this
  point and the next one (``SpecialPoint.index``: the point just before it),
  joined by "," where there are several; "" elsewhere. The special points
  themselves (located between points) are a separate table:
  :func:`special_points_to_dataframe`.

The branch's identity (model name, curve type, free parameters, stop reason,
``status_<direction>``) goes into ``DataFrame.attrs`` / ``Dataset.attrs``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._json import COMPLEX_KEY, from_jsonable, to_jsonable  # noqa: F401  (re-exported)
from ._optional import require

if TYPE_CHECKING:  # for the annotations only: pandas and xarray stay optional
    import pandas as pd
    import xarray as xr

    from .continuation.branch import Branch

#: columns / variables that are not parameters, states or per-point data
EXTRA_COLUMNS = ("stable", "special")


def _per_point_data(branch) -> dict:
    """``branch.data`` entries with one value (1-D) or one row (2-D) per point."""
    n = len(branch)
    out = {}
    for key, value in getattr(branch, "data", {}).items():
        value = np.asarray(value)
        if value.ndim in (1, 2) and value.shape[0] == n:
            out[key] = value
    return out


def _special_labels(branch) -> np.ndarray:
    """Per point: the labels of the special points just after it ("," joined), else ""."""
    labels: list[list[str]] = [[] for _ in range(len(branch))]
    for s in branch.special:
        if not 0 <= s.index < len(branch):
            raise ValueError(f"special point {s.label} has index {s.index} outside the branch's "
                             f"{len(branch)} points")
        labels[s.index].append(s.label)
    return np.array([",".join(lab) for lab in labels], dtype=object)


def _attrs(branch) -> dict:
    """Branch identity as plain strings (netCDF-safe attributes)."""
    attrs = {"model": str(branch.model_name), "curve": str(branch.curve),
             "free": ",".join(branch.free), "stop_reason": str(branch.stop_reason)}
    for direction, status in (getattr(branch, "status", None) or {}).items():
        attrs[f"status_{direction}"] = str(status)  # a key of continuation.status.STATUSES
    return attrs


def _check_names(branch) -> None:
    """Columns come from parameter, state and data names: they must not collide."""
    names = list(branch.param_names) + list(branch.state_names)
    names += list(EXTRA_COLUMNS) + list(_per_point_data(branch))
    seen: set[str] = set()
    dup: set[str] = set()
    for name in names:
        (dup if name in seen else seen).add(name)
    if dup:
        raise ValueError(f"branch names collide as table columns: {sorted(dup)} (parameter, "
                         "state, per-point data or the reserved names 'stable', 'special')")


def branch_to_dataframe(branch: Branch) -> pd.DataFrame:
    """One row per point of ``branch``: parameters, states, stability, data, special labels.

    Parameters
    ----------
    branch : bifkit.Branch
        Any branch (equilibria, cycles, two-parameter curves).

    Returns
    -------
    pandas.DataFrame
        Index ``point`` (0 .. len(branch) - 1); columns as in the module docstring;
        ``attrs`` = model, curve, free, stop_reason.

    Raises
    ------
    MissingOptionalDependency
        pandas not installed (``bifkit[data]``).
    ValueError
        Names that collide as columns.
    """
    pd = require("pandas", extra="data")
    _check_names(branch)
    cols = {}
    for i, name in enumerate(branch.param_names):
        cols[name] = branch.p[:, i]
    for i, name in enumerate(branch.state_names):
        cols[name] = branch.x[:, i]
    cols["stable"] = np.asarray(branch.stable, dtype=bool)
    eig = np.asarray(branch.eigenvalues)
    if eig.ndim == 2:
        for k in range(eig.shape[1]):
            cols[f"eigenvalue_{k}"] = eig[:, k]
    for key, value in _per_point_data(branch).items():
        if value.ndim == 1:
            cols[key] = value
        else:
            for k in range(value.shape[1]):
                cols[f"{key}_{k}"] = value[:, k]
    cols["special"] = _special_labels(branch)
    df = pd.DataFrame(cols, index=pd.RangeIndex(len(branch), name="point"))
    df.attrs.update(_attrs(branch))
    return df


def special_points_to_dataframe(branch: Branch) -> pd.DataFrame:
    """One row per special point: label, index, converged, parameters, states, scalar data.

    States are those of ``SpecialPoint.state`` (complex values for complex states);
    ``data`` entries that are numbers become columns (``l1``, ``omega``, ``period``, ...),
    other entries (arrays, orbits, nested dicts) are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``label``, ``index``, ``converged``, then parameters, states, scalar data.
    """
    pd = require("pandas", extra="data")
    rows = []
    for s in branch.special:
        row = {"label": s.label, "index": s.index, "converged": bool(s.converged)}
        row.update(s.params)
        row.update(s.state)
        row.update({k: v for k, v in s.data.items()
                    if isinstance(v, (int, float, complex, str, np.number, np.bool_))
                    and k not in row})
        rows.append(row)
    df = pd.DataFrame(rows, columns=None if rows else ["label", "index", "converged"])
    df.attrs.update(_attrs(branch))
    return df


def branch_to_xarray(branch: Branch) -> xr.Dataset:
    """``branch`` as an xarray Dataset with dimension ``point``.

    Parameters
    ----------
    branch : bifkit.Branch

    Returns
    -------
    xarray.Dataset
        Dimension ``point``; the free parameters are also coordinates (so
        ``ds.swap_dims(point="I_e")`` or ``ds.plot.scatter(x="I_e", y="R_e")`` work);
        data variables: every parameter and state, ``stable``, ``eigenvalues(point, eig)``,
        per-point data (2-D arrays get a dimension ``<key>_dim``), ``special`` (labels);
        ``attrs`` = model, curve, free, stop_reason.

    Raises
    ------
    MissingOptionalDependency
        xarray not installed (``bifkit[data]``).
    ValueError
        Names that collide.
    """
    xr = require("xarray", extra="data")
    _check_names(branch)
    variables: dict[str, tuple[Any, np.ndarray]] = {}
    for i, name in enumerate(branch.param_names):
        variables[name] = ("point", branch.p[:, i])
    for i, name in enumerate(branch.state_names):
        variables[name] = ("point", branch.x[:, i])
    variables["stable"] = ("point", np.asarray(branch.stable, dtype=bool))
    eig = np.asarray(branch.eigenvalues)
    if eig.ndim == 2:
        variables["eigenvalues"] = (("point", "eig"), eig)
    for key, value in _per_point_data(branch).items():
        dims = ("point",) if value.ndim == 1 else ("point", f"{key}_dim")
        variables[key] = (dims, value)
    variables["special"] = ("point", _special_labels(branch).astype(str))
    coords = {"point": np.arange(len(branch))}
    ds = xr.Dataset(variables, coords=coords)
    ds = ds.set_coords([name for name in branch.free if name in ds])
    ds.attrs.update(_attrs(branch))
    return ds


# --------------------------------------------------------------------------- sweeps
def sweep_to_xarray(out: str | Path | dict) -> xr.Dataset:
    """A network sweep folder as one xarray Dataset on its grid: :func:`bifkit.load_sweep`.

    Parameters
    ----------
    out : str or Path or SweepTable
        The folder written by :func:`bifkit.sweep` (or the table :func:`bifkit.sweep`
        returned, which knows its folder).

    Returns
    -------
    xarray.Dataset
        One dimension per grid parameter, in the order of the sweep's grid, with the grid
        values as coordinates; one variable per observable (``rate_all``, ``rho_e``, ...)
        and ``finished``. Points not finished yet are NaN, never left out or filled in.
        ``attrs``: ``network``, ``fixed`` (the fixed parameters as JSON text), ``format``.
        See ``bifkit/network/sweep_store.py`` for how the dataset is written.
    """
    from .network.sweep_store import load_sweep
    folder = getattr(out, "folder", None) or out
    return load_sweep(folder)  # type: ignore[arg-type]
