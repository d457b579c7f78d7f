"""A network sweep is one dataset (``<out>/sweep.zarr``, coordinates = the grid parameters),
written point by point (each finished point into its region of the zarr store), resumable:
interrupted and resumed gives the same dataset.

Reference: the dataset of the same sweep run without interruption (seeded networks are
deterministic: every observable is bit-identical; only ``wall_time``, the measured run
time of a point, differs between runs and is left out of the comparison).
"""
import json
import os

import numpy as np
import pytest

import bifkit
from bifkit.network import sweep_store

xr = pytest.importorskip("xarray")  # the [data] extra
pytest.importorskip("zarr")
GRID = {"i0": [0.2, 0.4], "g0": [0.5, 1.0]}
FIXED = dict(N=300, K=20, T=5.0, transient=1.0, seed=1)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, client):
    out = tmp_path_factory.mktemp("whole")
    bifkit.sweep("inhibitory_qif", GRID, out, fixed=FIXED, client=client, progress=False)
    return out, bifkit.load_sweep(out)


def test_uninterrupted_sweep_is_one_dataset_on_its_grid(reference):
    out, ds = reference
    assert isinstance(ds, xr.Dataset) and list(ds.sizes.items()) == [("i0", 2), ("g0", 2)]
    np.testing.assert_array_equal(ds["i0"].values, GRID["i0"])
    np.testing.assert_array_equal(ds["g0"].values, GRID["g0"])
    assert bool(ds["finished"].all()) and (ds["rate_all"] > 0).all()
    assert ds.attrs["network"] == "inhibitory_qif" and json.loads(ds.attrs["fixed"])["N"] == 300
    # each journal row landed at its own grid point
    for row in sweep_store.journal_rows(out):
        assert ds["rate_all"].sel(i0=row["i0"], g0=row["g0"]).item() == row["rate_all"]
    # the file on disk is that dataset (not rebuilt on reading)
    xr.testing.assert_identical(xr.open_zarr(out / "sweep.zarr").load(), ds)
    # stronger inhibition, lower rate (closed-form trend of the mean field, same i0)
    assert (ds["rate_all"].sel(g0=1.0) < ds["rate_all"].sel(g0=0.5)).all()


def test_interrupted_and_resumed_sweep_gives_the_same_dataset(tmp_path, client, reference,
                                                              monkeypatch):
    add = sweep_store.DatasetWriter.add
    seen = []

    def add_then_interrupt(self, row):   # Ctrl-C in the client after the second new point
        add(self, row)
        seen.append(row)
        if len(seen) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sweep_store.DatasetWriter, "add", add_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        bifkit.sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=client,
                     progress=False)
    monkeypatch.setattr(sweep_store.DatasetWriter, "add", add)
    # the dataset was written at the interruption: the two points, NaN (not dropped) elsewhere
    partial = xr.open_zarr(tmp_path / "sweep.zarr").load()
    assert int(partial["finished"].sum()) == 2 and dict(partial.sizes) == {"i0": 2, "g0": 2}
    assert np.isnan(partial["rate_all"].values[~partial["finished"].values]).all()
    done = {f: os.stat(f).st_mtime_ns for f in (tmp_path / "points").glob("*.json")}
    bifkit.sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=client, progress=False)
    assert all(os.stat(f).st_mtime_ns == m for f, m in done.items())  # not recomputed
    resumed = bifkit.load_sweep(tmp_path)
    _, whole = reference
    xr.testing.assert_identical(resumed.drop_vars("wall_time"), whole.drop_vars("wall_time"))


def test_journal_rows_missing_from_the_file_are_not_lost(tmp_path, reference):
    """A client stopped between a finished row and its write into sweep.zarr."""
    out, whole = reference
    import shutil
    shutil.copytree(out, tmp_path / "s")
    stale = whole.copy(deep=True)
    stale["finished"][0, 0] = False
    stale["rate_all"][0, 0] = np.nan
    sweep_store.write_dataset(stale, tmp_path / "s")
    xr.testing.assert_identical(bifkit.load_sweep(tmp_path / "s"), whole)
    shutil.rmtree(tmp_path / "s" / "sweep.zarr")  # an older bifkit's folder: journal only
    xr.testing.assert_identical(bifkit.load_sweep(tmp_path / "s"), whole)


def test_bad_folders_and_off_grid_rows_are_clear_errors(tmp_path, reference):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bifkit.load_sweep(tmp_path / "nowhere")
    (tmp_path / "points").mkdir()
    with pytest.raises(FileNotFoundError, match="no sweep.json"):
        bifkit.load_sweep(tmp_path)
    out, _ = reference
    grid = sweep_store.SweepGrid(json.loads((out / "sweep.json").read_text()))
    with pytest.raises(ValueError, match="i0 = 0.3 is not on the grid"):
        grid.add({"i0": 0.3, "g0": 0.5, "rate_all": 1.0})
    assert not grid.finished.any()  # nothing half-added


def test_without_xarray_the_sweep_calls_name_the_data_extra(tmp_path, monkeypatch):
    """Must NOT happen: a sweep that runs for hours and then cannot write its dataset."""
    import sys
    from bifkit._optional import MissingOptionalDependency
    monkeypatch.setitem(sys.modules, "xarray", None)  # import xarray now fails
    with pytest.raises(MissingOptionalDependency, match=r"bifkit\[data\]"):
        bifkit.load_sweep(tmp_path)
    with pytest.raises(MissingOptionalDependency, match=r"bifkit\[data\]"):
        bifkit.sweep("inhibitory_qif", GRID, tmp_path / "s", fixed=FIXED, progress=False)
    assert not (tmp_path / "s").exists()  # refused before any folder or work


def test_each_finished_point_is_written_into_its_region_of_the_store(tmp_path, client,
                                                                    monkeypatch):
    """Point by point: after the first row fixes the store's layout, every further row is a
    region write of its own grid point, never a rewrite of the whole store."""
    whole_writes, point_writes = [], []
    write_dataset, write_point = sweep_store.write_dataset, sweep_store.write_point

    def count_whole(ds, out):
        whole_writes.append(int(ds["finished"].sum()))
        return write_dataset(ds, out)

    def count_point(ds, out, at):
        point_writes.append(dict(at))
        # the store already holds every earlier point, and not this one yet
        stored = xr.open_zarr(tmp_path / "sweep.zarr").load()
        assert int(stored["finished"].sum()) == int(ds["finished"].sum()) - 1
        assert not bool(stored["finished"].isel(at))
        return write_point(ds, out, at)

    monkeypatch.setattr(sweep_store, "write_dataset", count_whole)
    monkeypatch.setattr(sweep_store, "write_point", count_point)
    bifkit.sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=client, progress=False)
    assert whole_writes == [0, 1]   # the empty store, then the first row's new variables
    assert len(point_writes) == 3   # the other three points, one region each
    assert len({tuple(p.values()) for p in point_writes}) == 3
    zarr = pytest.importorskip("zarr")
    # a chunk per value of the first grid parameter (i0), the whole g0 axis in it
    assert zarr.open_group(tmp_path / "sweep.zarr", mode="r")["rate_all"].chunks == (1, 2)


def test_a_damaged_store_is_rebuilt_from_the_journal(tmp_path, reference, caplog):
    out, whole = reference
    import shutil
    shutil.copytree(out, tmp_path / "s")
    for meta in (tmp_path / "s" / "sweep.zarr").rglob(".z*"):   # metadata destroyed
        meta.write_text("{not json")
    xr.testing.assert_identical(bifkit.load_sweep(tmp_path / "s"), whole)
    assert "rebuilding it from the journal" in caplog.text   # said, not silent
