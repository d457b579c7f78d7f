"""validation/reductions_vs_network.py --quick: the table is complete and its verdicts follow
from its numbers (issue 8, item 4)."""
import importlib.util
import math
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "validation" / "reductions_vs_network.py"


def _load():
    spec = importlib.util.spec_from_file_location("reductions_vs_network", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    mod = _load()
    out = tmp_path_factory.mktemp("reductions") / "table.csv"
    rows = mod.main(["--quick", "--out", str(out)])
    return mod, rows, mod.read_csv(out)


def test_verdict_thresholds():
    mod = _load()
    assert [mod.verdict(x) for x in (0.0, -0.0099, 0.0101, -0.049, 0.051, math.nan)] == \
        ["<1%", "<1%", "<5%", "<5%", "fail", "fail"]


def test_quick_table_is_complete(run):
    mod, rows, table = run
    assert len(table) == len(rows)
    inh = [r for r in table if r["table"] == "inhibitory"]
    points = {(float(r["K"]), float(r["i0"])) for r in inh}
    assert len(points) >= 2
    # every point has every reduction, with a rate, a state and a verdict
    for p in points:
        names = sorted(r["reduction"] for r in inh if (float(r["K"]), float(r["i0"])) == p)
        assert names == sorted(mod.REDUCTIONS)
    for r in inh:
        assert r["state"] in ("stable", "oscillatory")
        assert math.isfinite(float(r["nu_red"])) and float(r["nu_red"]) > 0
        assert math.isfinite(float(r["nu_net"])) and float(r["sem_net"]) > 0
        assert r["verdict"] in mod.VERDICTS
        if r["reduction"] in mod.CHAINS:
            assert int(float(r["M"])) >= mod.M_START and float(r["dnu_M"]) < mod.M_TOL
    # an oscillatory 2-variable reduction is compared by its time average on the attractor
    osc = [r for r in inh if r["state"] == "oscillatory" and r["reduction"] not in mod.CHAINS]
    assert osc, "quick points should include an oscillatory reduction (2CC at K = 300)"
    for r in osc:
        assert r["rate_source"] == "time-average"
        assert float(r["nu_min"]) < float(r["nu_red"]) < float(r["nu_max"])
    ei = [r for r in table if r["table"] == "ei"]
    assert sorted(r["population"] for r in ei) == ["e", "i"]


def test_verdicts_follow_from_the_numbers(run):
    mod, _, table = run
    for r in table:
        rel = float(r["nu_red"]) / float(r["nu_net"]) - 1
        assert float(r["rel_err"]) == pytest.approx(rel, rel=1e-12, abs=1e-15)
        assert r["verdict"] == mod.verdict(rel)
    # the stationary rates are the models' own (recompute one)
    r = next(r for r in table if r["reduction"] == "shotnoise_oa")
    st = mod.stationary_converged("shotnoise_oa", float(r["K"]), float(r["i0"]), float(r["g0"]))
    assert st["nu_eq"] == pytest.approx(float(r["nu_eq"]), rel=1e-10)


def test_summary_counts_every_row(run):
    mod, rows, _ = run
    counts = mod.summary(rows)
    assert sum(sum(c.values()) for c in counts.values()) == len(rows)
    md = mod.markdown(rows).splitlines()
    start = next(i for i, ln in enumerate(md) if ln.startswith("| table | K |"))
    end = md.index("", start)
    assert end - start == len(rows) + 2  # header, rule, one line per row
    # the compact table: one line per point of table 1
    points = {(r["K"], r["i0"]) for r in rows if r["table"] == "inhibitory"}
    assert md.index("") == len(points) + 2
