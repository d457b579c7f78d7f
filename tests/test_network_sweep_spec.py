"""Sweeps keyed by value, not by spelling; one specification per folder; no silent waits
(issue 20: "Sweeps mix runs", runaways with --workers and dead workers)."""
import os
import time

import numpy as np
import pytest

from bifkit.network.sweep import load_sweep, point_key, sweep

FIXED = dict(N=300, K=20, g0=1.0, T=5.0, transient=1.0, seed=1)
GRID = {"i0": [0.2, 0.4]}


def test_point_key_depends_on_values_not_spelling():
    base = point_key("inhibitory_qif", {"N": 2000, "i0": 0.4})
    assert point_key("inhibitory_qif", {"N": 2000.0, "i0": 0.4}) == base
    assert point_key("inhibitory_qif", {"N": np.int64(2000), "i0": np.float64(0.4)}) == base
    # a parameter given at its default value is the same point as leaving it out
    assert point_key("inhibitory_qif", {"N": 2000}) == base
    # ... but a different value, or another network, is another point
    assert point_key("inhibitory_qif", {"N": 2001, "i0": 0.4}) != base
    assert point_key("inhibitory_qif", {"N": 2000, "i0": 0.4, "T": 10.0}) != base
    assert point_key("ei_qif", {}) != point_key("inhibitory_qif", {})


def test_respelled_rerun_reuses_every_point(tmp_path, client):
    table = sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=client, progress=False)
    files = sorted((tmp_path / "points").glob("*.json"))
    assert len(files) == 2 and len(table["i0"]) == 2
    mtimes = {f: os.stat(f).st_mtime_ns for f in files}
    respelled = dict(FIXED, N=300.0, K=20.0, seed=1.0, T=5)
    table2 = sweep("inhibitory_qif", {"i0": [0.2, 0.40]}, tmp_path, fixed=respelled,
                   client=client, progress=False)
    assert sorted((tmp_path / "points").glob("*.json")) == files  # nothing new
    assert all(os.stat(f).st_mtime_ns == m for f, m in mtimes.items())  # nothing recomputed
    assert len(table2["i0"]) == 2
    np.testing.assert_array_equal(table2["rate_all"], table["rate_all"])


def test_other_specification_in_the_same_folder_is_refused_or_goes_to_a_new_one(tmp_path,
                                                                                client):
    sweep("inhibitory_qif", GRID, tmp_path / "s", fixed=FIXED, client=client, progress=False)
    before = sorted((tmp_path / "s" / "points").glob("*.json"))
    with pytest.raises(ValueError, match=r"different sweep.*fixed T: 5\.0 -> 6\.0"):
        sweep("inhibitory_qif", GRID, tmp_path / "s", fixed=dict(FIXED, T=6.0), client=client,
              progress=False)
    with pytest.raises(ValueError, match="grid i0"):
        sweep("inhibitory_qif", {"i0": [0.3]}, tmp_path / "s", fixed=FIXED, client=client,
              progress=False)
    with pytest.raises(ValueError, match="network"):
        sweep("ei_qif", {"I_e": [0.2]}, tmp_path / "s", fixed=dict(N_e=100, N_i=50, K=10, T=5.0),
              client=client, progress=False)
    assert sorted((tmp_path / "s" / "points").glob("*.json")) == before  # nothing mixed in
    assert len(load_sweep(tmp_path / "s")["i0"]) == 2
    t_new = sweep("inhibitory_qif", GRID, tmp_path / "s", fixed=dict(FIXED, T=6.0),
                  client=client, progress=False, on_conflict="new")
    assert t_new.folder == tmp_path / "s-2" and np.all(t_new["T"] == 6.0)
    assert len(load_sweep(tmp_path / "s")["i0"]) == 2  # the old sweep is untouched
    with pytest.raises(ValueError, match="on_conflict"):
        sweep("inhibitory_qif", GRID, tmp_path / "s", fixed=FIXED, client=client,
              progress=False, on_conflict="overwrite")


def test_points_without_a_recorded_specification_are_not_mixed(tmp_path, client):
    (tmp_path / "points").mkdir()
    (tmp_path / "points" / "0123456789abcdef.json").write_text('{"i0": 0.9}')
    with pytest.raises(ValueError, match="no sweep.json"):
        sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=client, progress=False)


def test_load_sweep_of_a_missing_folder_or_a_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_sweep(tmp_path / "nowhere")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="is a file"):
        load_sweep(tmp_path / "f.txt")
    with pytest.raises(FileNotFoundError, match="points"):
        load_sweep(tmp_path)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "2"])
def test_bad_worker_counts_are_refused_before_any_work(tmp_path, bad):
    with pytest.raises(ValueError, match="n_workers"):
        sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, n_workers=bad, progress=False)
    assert not (tmp_path / "points").exists()


@pytest.mark.parametrize("bad", ["-1", "0", "two"])
def test_cli_refuses_bad_worker_counts(tmp_path, capsys, bad):
    from bifkit.network.cli import main

    with pytest.raises(SystemExit) as e:
        main(["sweep", "inhibitory_qif", "--grid", "i0=0.2", "--out", str(tmp_path),
              "--workers", bad])
    assert e.value.code == 2
    assert "--workers" in capsys.readouterr().err
    assert not (tmp_path / "points").exists()


def test_sweep_without_a_live_worker_fails_with_a_message(tmp_path, caplog):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    c = distributed.Client(cluster)
    try:
        t0 = time.monotonic()
        with pytest.raises(RuntimeError, match="no live Dask worker for 1 s"):
            sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, client=c, progress=False,
                  worker_timeout=1.0)
        assert time.monotonic() - t0 < 30.0  # fails, does not wait forever
        assert "no live Dask worker" in caplog.text  # said while waiting, not only at the end
    finally:
        c.close()
        cluster.close()
    with pytest.raises(ValueError, match="worker_timeout"):
        sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, worker_timeout=0, progress=False)


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="cannot reach the Dask scheduler"):
        sweep("inhibitory_qif", GRID, tmp_path, fixed=FIXED, scheduler="tcp://127.0.0.1:9",
              progress=False, worker_timeout=2.0)
    assert time.monotonic() - t0 < 30.0
