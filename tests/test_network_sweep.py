"""Network sweeps: table, resume after interruption, bad grids."""
import os

import numpy as np
import pytest

from bifkit.network.sweep import grid_points, load_sweep, sweep


FIXED = dict(N=300, K=20, g0=1.0, T=5.0, transient=1.0, seed=1)


def test_sweep_writes_every_point_and_resumes(tmp_path, client):
    grid = {"i0": [0.2, 0.4], "g0": [0.5, 1.0]}
    table = sweep("inhibitory_qif", grid, tmp_path, fixed=FIXED, client=client, progress=False)
    assert len(table["i0"]) == 4
    assert set(zip(table["i0"], table["g0"])) == {(0.2, 0.5), (0.2, 1.0), (0.4, 0.5), (0.4, 1.0)}
    assert np.all(table["rate_all"] > 0)
    # stronger inhibition, lower rate (same i0)
    for i0 in (0.2, 0.4):
        r = {g: table["rate_all"][k] for k, g in enumerate(table["g0"]) if table["i0"][k] == i0}
        assert r[1.0] < r[0.5]
    # "interrupt": lose one point; the rerun recomputes only that one
    files = sorted((tmp_path / "points").glob("*.json"))
    mtimes = {f: os.stat(f).st_mtime_ns for f in files[1:]}
    files[0].unlink()
    table2 = sweep("inhibitory_qif", grid, tmp_path, fixed=FIXED, client=client, progress=False)
    assert all(os.stat(f).st_mtime_ns == m for f, m in mtimes.items())
    assert files[0].exists()
    np.testing.assert_array_equal(np.sort(table2["rate_all"]), np.sort(table["rate_all"]))
    ds = load_sweep(tmp_path)  # the sweep's dataset: dims i0, g0 (2 x 2), all four finished
    assert dict(ds.sizes) == {"i0": 2, "g0": 2} and int(ds["finished"].sum()) == 4


def test_empty_grid_and_bad_points_are_errors_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        grid_points({})
    with pytest.raises(ValueError, match="no values"):
        sweep("inhibitory_qif", {"i0": []}, tmp_path)
    with pytest.raises(ValueError, match="i0"):
        sweep("inhibitory_qif", {"i0": [0.2, -1.0]}, tmp_path, fixed=FIXED)
    assert not (tmp_path / "points").exists() or not any((tmp_path / "points").iterdir())


def test_plot_sweep_draws_one_and_two_parameter_overlays():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bifkit.network.sweep import plot_sweep

    table = {"D_ii": np.array([0.5, 1.0, 0.5, 1.0]), "D_ee": np.array([1.0, 1.0, 2.0, 2.0]),
             "rho_e": np.array([0.1, 0.2, 0.3, 0.4])}
    fig, ax = plt.subplots()
    ax.plot([0.4, 1.1], [0.9, 2.1], "k-")  # stands for a continuation curve drawn first
    plot_sweep(table, "D_ii", "rho_e", y="D_ee", ax=ax)
    assert len(ax.collections) == 1 and ax.get_ylabel() == "D_ee"
    np.testing.assert_array_equal(ax.collections[0].get_array(), table["rho_e"])
    fig2, ax2 = plt.subplots()
    plot_sweep(table, "D_ii", "rho_e", ax=ax2)
    assert ax2.lines[0].get_xdata().tolist() == [0.5, 0.5, 1.0, 1.0]
    with pytest.raises(ValueError, match="rate_x"):
        plot_sweep(table, "D_ii", "rate_x", ax=ax2)
    plt.close("all")
