"""Figure recipes (bifkit.diagrams): the registry, the CLI, and the quick runs.

Issue 8: every recipe's ``--quick`` run is in the default suite and writes non-empty data and
an image.  Each recipe runs once per test session (the ``quick_run`` fixture caches its files),
and the recipe-specific checks read those files.  Reference values name their source.
"""
from __future__ import annotations

import argparse
import math

import pytest

from bifkit.diagrams import get_recipe, list_recipes, run_recipe
from bifkit.diagrams.cli import add_subcommands
from bifkit.diagrams.common import read_csv, write_csv

NAMES = {"bi2021-fig1a", "bi2021-fig1b", "bi2021-fig1c", "bi2021-fig2", "bi2021-fig4",
         "bi2021-fig7", "ag2025-fig1a", "ag2025-fig2", "ag2025-fig3", "shotnoise-reentrant",
         "ullner2018-fig2", "ullner2018-fig4", "symmetry-slow",  # issue 8's list
         "mpr-bistability"}  # the homoclinic issue's recipe


def parse(argv):
    ap = argparse.ArgumentParser(prog="bifkit")
    add_subcommands(ap.add_subparsers(dest="command", required=True))
    return ap.parse_args(argv)


def check_outputs(files, name):
    """Every recipe writes at least one non-empty CSV table, a PNG and a PDF."""
    assert files["png"].name == f"{name}.png" and files["pdf"].name == f"{name}.pdf"
    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert files["pdf"].read_bytes()[:4] == b"%PDF"
    tables = [p for p in files.values() if p.suffix == ".csv"]
    assert tables
    for path in tables:
        cols = read_csv(path)
        assert cols and all(len(v) > 0 for v in cols.values()), path


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """``quick_run(name)`` -> the files of ``run_recipe(name, quick=True)``, run once per session."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = run_recipe(name, quick=True, out=tmp_path_factory.mktemp(name))
        return cache[name]
    return get


def test_registry_lists_every_recipe_of_the_issue():
    recipes = list_recipes()
    assert {r.name for r in recipes} == NAMES
    assert all(r.title for r in recipes)


def test_unknown_recipe_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown diagram 'bi2021-fig9'.*did you mean"):
        get_recipe("bi2021-fig9")


def test_recipes_with_missing_machinery_say_what_is_missing(tmp_path):
    for r in list_recipes():
        if not r.available:
            with pytest.raises(NotImplementedError, match="needs machinery"):
                run_recipe(r.name, quick=True, out=tmp_path)


def test_cli_list_and_errors(capsys, tmp_path):
    args = parse(["diagram", "--list"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in NAMES)
    args = parse(["diagram", "no-such-figure", "--out", str(tmp_path)])
    from bifkit.cli import run_command  # the CLI's exit-code convention: a ValueError is 2
    assert run_command(args.func, args) == 2
    assert "unknown diagram" in capsys.readouterr().err


def test_write_csv_round_trip_and_ragged_columns(tmp_path):
    p = write_csv(tmp_path / "t.csv", {"a": [1.0, 2.0], "label": ["x", "y"]}, "comment")
    cols = read_csv(p)
    assert list(cols["a"]) == [1.0, 2.0] and list(cols["label"]) == ["x", "y"]
    with pytest.raises(ValueError, match="differ in length"):
        write_csv(tmp_path / "bad.csv", {"a": [1, 2], "b": [1]})


def test_bi2021_fig2_quick(quick_run):
    files = quick_run("bi2021-fig2")
    check_outputs(files, "bi2021-fig2")
    asy = {k: v[0] for k, v in read_csv(files["asymptotes"]).items()}
    # Bi et al. 2021, Fig. 2 caption (rounded): R0 = 3.18 / 11.28 Hz, I_a = 0.0284 / 0.4791,
    # Delta I_eff = 0.4623 / 0.4593 -- closed forms here, so agreement to the printed digits
    assert asy["R0_e"] == pytest.approx(3.18, abs=0.005)
    assert asy["R0_i"] == pytest.approx(11.28, abs=0.005)
    assert asy["Ia_e"] == pytest.approx(0.0284, abs=5e-5)
    assert asy["Ia_i"] == pytest.approx(0.4791, abs=5e-5)
    assert asy["dI_e"] == pytest.approx(0.4623, abs=5e-5)
    assert asy["dI_i"] == pytest.approx(0.4593, abs=5e-5)
    mf = read_csv(files["meanfield"])
    # the paper: R_e peaks near K = 450, R_i near K = 2500 (read off Fig. 2; 10 % tolerance)
    assert mf["K"][mf["Re_exact"].argmax()] == pytest.approx(450, rel=0.1)
    assert mf["K"][mf["Ri_exact"].argmax()] == pytest.approx(2500, rel=0.1)
    net = read_csv(files["network"])
    assert len(net["K"]) >= 3 and all(r > 0 for r in net["rate_e"])


def test_bi2021_fig4_quick(quick_run):
    files = quick_run("bi2021-fig4")
    check_outputs(files, "bi2021-fig4")
    ref = read_csv(files["reference"])
    row = {r: i for i, r in enumerate(ref["regime"])}
    # periodic point I_e = 0.0009: the exponents equal the Floquet exponents, which the
    # seed lists as (0, -0.0343, -0.0555, -0.1732)/tau_m; slope fit over 60 s: error < 1e-3
    i = row["periodic"]
    for k in (1, 2, 3, 4):
        assert ref[f"lambda{k}"][i] == pytest.approx(ref[f"paper_lambda{k}"][i], abs=1e-3)
    # stable focus I_e = 0.006: twice the real parts of two complex pairs
    i = row["stable focus"]
    assert ref["lambda1"][i] == pytest.approx(-0.0299, abs=1e-3)
    # chaotic point I_e = 0.00021: lambda_1 > 0 (seed: 0.0033), lambda_2 ~ 0
    i = row["chaotic"]
    assert ref["lambda1"][i] > 5e-4 and abs(ref["lambda2"][i]) < 5e-4
    bif = read_csv(files["bifurcations"])
    labels = list(bif["label"])
    assert labels.count("H") == 1 and labels.count("PD") >= 2
    # Hopf near I_e = 0.0015 and the PD window [0.00006177, 0.00047297] (seed; rounded, and
    # 6.177e-5 differs by 0.8 % from the exact 6.1273e-5, see bifkit/continuation/NOTES_cycles.md)
    assert bif["I_e"][labels.index("H")] == pytest.approx(0.0015, rel=0.05)
    pd = sorted(bif["I_e"][i] for i, l in enumerate(labels) if l == "PD")
    assert pd[0] == pytest.approx(6.177e-5, rel=0.02) and pd[-1] == pytest.approx(4.7297e-4,
                                                                                    rel=1e-3)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_quick_recipe_writes_data_and_figure(name, quick_run):
    check_outputs(quick_run(name), name)


def test_bi2021_fig7_hopf_and_network(quick_run):
    files = quick_run("bi2021-fig7")
    net = read_csv(files["network"])
    # below the Hopf point at I_e ~ 2 the network is asynchronous and on the stable focus
    i = list(net["I_e"]).index(2.048)
    assert net["rate_e"][i] == pytest.approx(net["mf_rate_e"][i], rel=0.05)
    header = files["equilibria"].read_text().splitlines()[0]
    hopf = float(header.rsplit("=", 1)[1])
    assert "subcritical" in header and hopf == pytest.approx(74.1709, rel=1e-3)  # seed, rounded
    assert math.isfinite(hopf)


def test_bi2021_fig1a_quick_curves_and_criticality(quick_run):
    """The README's main job: Hopf curves with the right criticality, the PD loop, LPC."""
    import importlib.util

    import numpy as np
    files = quick_run("bi2021-fig1a")
    check_outputs(files, "bi2021-fig1a")
    c = read_csv(files["curves"])
    kind = np.array(c["curve"], dtype=object)
    I, D, l1 = c["I_e"], c["D_ee"], c["l1"]

    def on_curve(k, x, y, tol=0.02):  # distance in (log10 I_e / 7 decades, D_ee / 4)
        sel = (kind == k) & np.isfinite(I)
        d = np.hypot((np.log10(I[sel]) - np.log10(x)) / 7.3, (D[sel] - y) / 4.0)
        return sel.nonzero()[0][np.argmin(d)] if d.size and d.min() < tol else None

    # D_ee = 2.0 cut (issue 3 / the seed): supercritical Hopf near I_e = 0.0015 (l1 < 0),
    # subcritical one at I_e ~ 50.65 (l1 > 0, EP-C of this model)
    i = on_curve("H", 0.00146, 2.0)
    assert i is not None and l1[i] < 0
    i = on_curve("H", 50.65, 2.0)
    assert i is not None and l1[i] > 0
    # D_ee = 1.58 cut: subcritical Hopf near I_e = 74.17 (seed: 74.1709)
    i = on_curve("H", 74.2, 1.58)
    assert i is not None and l1[i] > 0
    # the PD curve passes through both ends of the D_ee = 2.0 window (6.13e-5, 4.73e-4)
    assert on_curve("PD", 4.73e-4, 2.0) is not None and on_curve("PD", 6.13e-5, 2.0) is not None
    # Bautin points where the criticality changes
    sp = read_csv(files["codim2"])
    assert "GH" in list(sp["label"])
    if importlib.util.find_spec("bifkit.continuation.cycles.gh") is not None:
        assert np.any(kind == "LPC"), "LPC-C from the Bautin points gave no curve"
    else:
        assert "cycle_gh" in files["notes"].read_text()
    regions = set(read_csv(files["regions"])["region"])
    assert {"I", "II", "IV"} <= regions


def test_bi2021_fig1a_regions_from_all_equilibria(quick_run):
    """Issue 18: no "none" cell where a stable equilibrium exists; the former grey area
    (I_e < 3e-3, D_ee < 0.9) is region III (the stable silent state R_e = 0); the
    transcritical curve and the exact BT point are in the tables."""
    import numpy as np

    import bifkit
    files = quick_run("bi2021-fig1a")
    reg = read_csv(files["regions"])
    base = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3)
    low = []
    for I_e, D_ee, label in zip(reg["I_e"], reg["D_ee"], reg["region"]):
        eqs = base.with_params(I_e=float(I_e), D_ee=float(D_ee)).equilibria()
        if any(e["stable"] for e in eqs):  # a stable equilibrium: II or III (+IV where a
            # stable oscillation coexists, tests/test_ei_bistability.py), never grey
            assert label.split("+")[0] in ("II", "III"), (I_e, D_ee, label)
        else:
            assert label != "none" or not eqs
        if I_e < 3e-3 and D_ee < 0.9:
            low.append(label)
    assert low and set(low) == {"III"}
    cod = read_csv(files["codim2"])
    labels = list(cod["label"])
    assert labels.count("BT") == 1  # the exact one; the H-C run's approximate label is dropped
    i = labels.index("BT")
    # closed form (tests/test_ei_neural_mass.py: bt_condition = 0, checked there by Newton)
    assert cod["I_e"][i] == pytest.approx(0.0053953971, rel=1e-8) and cod["D_ee"][i] == 0.0
    c = read_csv(files["curves"])
    kind = np.array(c["curve"], dtype=object)
    tc = (kind == "TC") & np.isfinite(c["D_ee"])
    assert tc.any()
    # the curve passes the transcritical point at I_e = 1e-3: D_ee = 0.9740147 (issue 18)
    assert np.interp(-3.0, np.log10(c["I_e"][tc]), c["D_ee"][tc]) == pytest.approx(0.97401, abs=2e-3)


def test_shotnoise_reentrant_converged_crossing(quick_run):
    """At i0/g0^2 = 7e-4 the chain is AS between K ~ 17.28 and K ~ 216.22 (issue 18).  The
    figure's converged crossings (M per point) agree with an independent fixed-M = 512
    computation (Brent on the leading eigenvalue, tests/test_truncation.py: 17.281572875 and
    216.224074768) to 1e-4, and every drawn chain crossing is converged or flagged."""
    import numpy as np
    files = quick_run("shotnoise-reentrant")
    h = read_csv(files["hopf"])
    sel = (h["model"] == "shotnoise_chain") & (h["ratio"] == 7e-4)
    K = np.sort(h["K"][sel & (h["converged"] == True)])  # noqa: E712 (CSV booleans)
    assert len(K) == 2
    assert K[0] == pytest.approx(17.281572875, rel=1e-4)
    assert K[1] == pytest.approx(216.224074768, rel=1e-4)
    assert np.all(h["tail"][sel & (h["converged"] == True)] <= 1e-8)  # noqa: E712
    # the fixed M = 64 chain has more crossings there (artefacts), kept only in the CSV
    f = read_csv(files["fixed_M"])
    assert np.sum((f["M"] == 64) & (f["i0_over_g0sq"] == 7e-4)) > 2


def test_planes_fig1b_fig1c_curves_and_regions(quick_run):
    """Fig. 1b: Hopf and PD curves, regions IV (cycle) and V (chaos); Fig. 1c: both Hopf
    criticalities, the Bautin point and the LPC born there; network rho^(e) in [0, 1]."""
    import numpy as np
    files = quick_run("bi2021-fig1b")
    c = read_csv(files["curves"])
    assert {"H", "PD"} <= set(c["curve"])
    assert {"II", "IV", "V"} <= set(read_csv(files["regions"])["region"])
    # the subcritical Hopf curve from the BT point (39820.65, 0) at the bottom right: through
    # (K, D_ee) = (88560.09, 1/30) (EP-C, tests/test_ei_bistability.py), l1 > 0 along it
    kind = np.array(c["curve"], dtype=object)
    low = (kind == "H") & (c["D_ee"] < 0.05) & (c["K"] > 4e4)
    assert low.sum() >= 5 and np.all(c["l1"][low] > 0)
    j = np.argsort(c["K"][low])
    assert np.interp(np.log(88560.09), np.log(c["K"][low][j]), c["D_ee"][low][j]) == \
        pytest.approx(1 / 30, abs=5e-4)
    files = quick_run("bi2021-fig1c")
    c = read_csv(files["curves"])
    kind = np.array(c["curve"], dtype=object)
    assert np.any((kind == "H") & (c["l1"] < 0)) and np.any((kind == "H") & (c["l1"] > 0))
    assert np.any(kind == "LPC") and "GH" in list(read_csv(files["codim2"])["label"])
    rho = read_csv(files["network"])["rho_e"]
    assert len(rho) >= 4 and np.all((rho >= 0) & (rho <= 1))


def test_ullner2018_fig4_rates_follow_the_paper_fit(quick_run):
    """(S) setup: the rate grows with N and stays within 2 Hz of nu = 30 - 1742.18/sqrt(N)
    (Ullner et al. 2018, Fig. 4; quick runs 0.2-0.7 Hz off)."""
    import numpy as np
    net = read_csv(quick_run("ullner2018-fig4")["network"])
    assert np.all(np.diff(net["rate"]) > 0)
    assert np.all(np.abs(net["rate"] - net["paper_fit"]) < 2.0)


def test_symmetry_slow_reciprocity_slows_single_neurons(quick_run):
    """Fully reciprocated links: single-neuron autocorrelation time well above r = 0
    (quick: 5.4 vs 0.6 tau) at an unchanged rate (balance kept)."""
    t = read_csv(quick_run("symmetry-slow")["summary"])
    r = list(t["reciprocity"])
    i0, i1 = r.index(0.0), r.index(1.0)
    assert t["tau_ac_neuron"][i1] > 3 * t["tau_ac_neuron"][i0]
    assert t["rate"][i1] == pytest.approx(t["rate"][i0], rel=0.2)


def test_ag2025_fig1a_both_chains_and_2cc_curve(quick_run):
    """Hopf crossings for the full and the diffusion-approximation chain, and an H-C curve
    for the 2CC reduction."""
    files = quick_run("ag2025-fig1a")
    assert {"shotnoise_chain", "diffusion_chain"} <= set(read_csv(files["sampled"])["model"])
    assert "shotnoise_2cc" in set(read_csv(files["curves"])["model"])


# --------------------------------------------------------------------------- #
# Resumable full runs (issue 18): diagrams/resume.py                           #
# --------------------------------------------------------------------------- #
def test_phase_store_reuses_only_finished_phases_with_the_same_settings(tmp_path):
    from bifkit.diagrams.resume import PhaseStore
    calls = []

    def work(v):
        calls.append(v)
        return {"v": v, "a": [1.0, 2.0]}

    s1 = PhaseStore(tmp_path, {"grid": (3, 2), "x": [0.1, 0.2]})
    assert s1.run("scan", work, 1) == {"v": 1, "a": [1.0, 2.0]}
    with pytest.raises(RuntimeError):  # an interrupted phase saves nothing
        s1.run("row 0", lambda: (_ for _ in ()).throw(RuntimeError("killed")))
    assert not s1.path("row 0").exists()
    s2 = PhaseStore(tmp_path, {"grid": (3, 2), "x": [0.1, 0.2]})
    assert s2.run("scan", work, 99) == {"v": 1, "a": [1.0, 2.0]}  # reused, not recomputed
    assert calls == [1] and s2.timings["scan"][1] is True
    s3 = PhaseStore(tmp_path, {"grid": (3, 3), "x": [0.1, 0.2]})  # other settings: recompute
    assert s3.run("scan", work, 2)["v"] == 2 and calls == [1, 2]
    assert (tmp_path / "timings.csv").read_text().count("\n") == 2
    nothing = PhaseStore(None, {})  # quick runs keep nothing
    nothing.run("scan", work, 3)
    assert calls == [1, 2, 3] and len(list(tmp_path.glob("*.pkl"))) == 2


def test_settings_digest_is_canonical_and_refuses_unknown_types():
    import numpy as np
    from bifkit.diagrams.resume import settings_digest
    a = settings_digest({"b": np.geomspace(1, 10, 3), "a": 1})
    assert a == settings_digest({"a": 1, "b": [1.0, 10 ** 0.5, 10.0]})
    assert a != settings_digest({"a": 1, "b": [1.0, 3.0, 10.0]})
    with pytest.raises(TypeError, match="cannot digest"):
        settings_digest({"f": object()})


def test_interrupted_region_grid_resumes_without_recomputing(tmp_path, monkeypatch):
    """A region grid killed in its second row: the rerun computes only the missing rows and
    gives the same labels as a run without a store (the silent-excitatory node region of
    Fig. 1a at low I_e, D_ee: cheap cells, III and II)."""
    from bifkit.diagrams import ei_plane
    from bifkit.diagrams.resume import PhaseStore
    plane = ei_plane.Plane("I_e", "D_ee", (1e-5, 1e-3), (0.2, 1.8),
                           dict(K=1000.0, D_ii=0.3, I_e=1e-4, D_ee=1.0))
    _xs, _ys, reference = ei_plane.region_grid(plane, 3, 3)
    real, calls, killed = ei_plane.classify_cell, [], []

    class Killed(Exception):
        """stands for a timeout or kill in the middle of a row"""

    def counting(model, *a, **k):
        calls.append(model.params["D_ee"])
        if len(calls) == 5 and not killed:
            killed.append(True)
            raise Killed  # stopped in row 1
        return real(model, *a, **k)
    monkeypatch.setattr(ei_plane, "classify_cell", counting)
    store = PhaseStore(tmp_path, {"grid": (3, 3)})
    with pytest.raises(Killed):
        ei_plane.region_grid(plane, 3, 3, store=store)
    assert len(list(tmp_path.glob("regions_row_*.pkl"))) == 1
    calls.clear()
    _xs, _ys, labels = ei_plane.region_grid(plane, 3, 3,
                                            store=PhaseStore(tmp_path, {"grid": (3, 3)}))
    assert len(calls) == 6  # rows 1 and 2 only
    assert (labels == reference).all() and "III" in set(reference.ravel())


def test_plane_legend_has_keys_only_for_drawn_curves():
    """A quick Fig. 1b has no LPC curve and no subcritical Hopf part: no key may say it has
    (issue 18: false labels are bugs); once they are there, their keys appear."""
    import numpy as np
    from bifkit.diagrams.ei_plane import Plane, legend_keys
    plane = Plane("K", "D_ee", (10.0, 1e5), (0.0, 4.0), dict(I_e=0.001, D_ii=0.3))
    plane.add("H", [10.0, 100.0], [1.5, 1.6], l1=np.array([-1.0, -0.5]), special=[])
    plane.add("LPC", [np.nan, np.nan], [np.nan, np.nan])  # a curve left out entirely
    labels = [k[2] for k in legend_keys(plane)]
    assert labels == ["Hopf, supercritical"]
    plane.add("H", [1e3, 1e4], [2.0, 2.1], l1=np.array([0.2, 0.3]), special=[])
    plane.add("LPC", [10.0, 20.0], [2.8, 2.7])
    labels = [k[2] for k in legend_keys(plane)]
    assert labels == ["Hopf, supercritical", "Hopf, subcritical",
                      "saddle-node of cycles (LPC)"]
