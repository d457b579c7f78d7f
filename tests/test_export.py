"""Data out (bifkit/export.py): branch -> pandas DataFrame / xarray Dataset, values equal.

Reference values: the branch's own arrays (a round trip must reproduce them bit for bit),
and for the fold branch the closed form of x' = mu - x^2 (equilibria x = +-sqrt(mu),
eigenvalue -2x, one fold at mu = 0).
"""
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bifkit import export
from bifkit._optional import MissingOptionalDependency, require
from bifkit.continuation import Branch, SpecialPoint, continuation

pd = pytest.importorskip("pandas")  # the [data] extra; tools/setup.sh installs it
xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def fold_branch():
    """EP-C of x' = mu - x^2 from x = 1, mu = 1 over mu in [-1, 2]: both sheets, one LP."""
    from bifkit.model import Model, ModelDefinition, real_symbols
    x, mu = real_symbols("x mu")
    m = Model(ModelDefinition.from_sympy("fold_nf", [("x", x)], [(mu, 1.0)], [mu - x ** 2]))
    return continuation(m, "EP-C", {"x": 1.0}, ["mu"], bounds={"mu": (-1, 2)}, ds=0.05)


def test_fold_branch_to_dataframe(fold_branch):
    br = fold_branch
    df = export.branch_to_dataframe(br)
    assert len(df) == len(br) and df.index.name == "point"
    np.testing.assert_array_equal(df["x"].to_numpy(), br.states["x"])
    np.testing.assert_array_equal(df["mu"].to_numpy(), br.params["mu"])
    np.testing.assert_array_equal(df["stable"].to_numpy(), br.stable)
    np.testing.assert_array_equal(df["eigenvalue_0"].to_numpy(), br.eigenvalues[:, 0])
    # closed form: eigenvalue -2x, stable exactly on the upper sheet x > 0
    np.testing.assert_allclose(df["eigenvalue_0"].to_numpy().real, -2 * df["x"], atol=1e-8)
    assert (df["stable"] == (df["x"] > 0)).all()
    # one LP (at mu = 0), on the row just before it; no other row carries a label
    (lp,) = br.special_points("LP")
    assert df.loc[lp.index, "special"] == "LP"
    assert (df["special"] != "").sum() == 1
    assert df.attrs == {"model": "fold_nf", "curve": "EP-C", "free": "mu",
                        "stop_reason": br.stop_reason,
                        **{f"status_{d}": s for d, s in getattr(br, "status", {}).items()}}
    sp = export.special_points_to_dataframe(br)
    assert list(sp["label"]) == [s.label for s in br.special]
    assert sp.loc[0, "mu"] == pytest.approx(0.0, abs=1e-10)  # closed form: fold at mu = 0


def test_branch_methods_give_the_same_tables(fold_branch):
    pd.testing.assert_frame_equal(fold_branch.to_dataframe(),
                                  export.branch_to_dataframe(fold_branch), check_exact=True)
    xr.testing.assert_identical(fold_branch.to_xarray(), export.branch_to_xarray(fold_branch))


def test_fold_branch_to_xarray(fold_branch):
    br = fold_branch
    ds = export.branch_to_xarray(br)
    assert ds.sizes["point"] == len(br)
    assert "mu" in ds.coords  # the free parameter is a coordinate
    np.testing.assert_array_equal(ds["x"].values, br.states["x"])
    np.testing.assert_array_equal(ds["mu"].values, br.params["mu"])
    np.testing.assert_array_equal(ds["eigenvalues"].values, br.eigenvalues)
    np.testing.assert_array_equal(ds["stable"].values, br.stable)
    (lp,) = br.special_points("LP")
    assert ds["special"].values[lp.index] == "LP"
    assert (ds["special"].values != "").sum() == 1
    assert ds.attrs["curve"] == "EP-C"


# ------------------------------------------------------------------ property tests
def _stub_model(n_states, n_params):
    return SimpleNamespace(name="stub", params={f"p{i}": float(i) for i in range(n_params)},
                           state_names=[f"s{i}" for i in range(n_states)],
                           param_names=[f"p{i}" for i in range(n_params)])


floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@st.composite
def random_branches(draw):
    """Branches of any size with arbitrary float/complex values (NaN and inf included),
    per-point 1-D, 2-D and complex data, and special points at random indices."""
    npts = draw(st.integers(1, 12))
    n, npar, neig = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(0, 4))
    model = _stub_model(n, npar)
    x = draw(hnp.arrays(np.float64, (npts, n), elements=floats))
    p = draw(hnp.arrays(np.float64, (npts, npar), elements=floats))
    ev = draw(hnp.arrays(np.complex128, (npts, neig),
                         elements=st.complex_numbers(allow_nan=True, allow_infinity=True)))
    data = {"period": draw(hnp.arrays(np.float64, npts, elements=floats)),
            "multipliers": draw(hnp.arrays(np.complex128, (npts, 2),
                                           elements=st.complex_numbers(allow_nan=False))),
            "not_per_point": np.zeros(npts + 1)}
    stable = draw(hnp.arrays(np.bool_, npts))
    labels = draw(st.lists(st.tuples(st.sampled_from(["LP", "H", "BP", "PD"]),
                                     st.integers(0, npts - 1)), max_size=4))
    special = [SpecialPoint(lab, i, {"s0": 0.0}, {"p0": 1.0}) for lab, i in labels]
    return Branch(model, "EP-C", ["p0"], x, p, ev, special, {}, "max_points", data=data,
                  stable=stable)


def _expected_labels(br):
    want = [[] for _ in range(len(br))]
    for s in br.special:
        want[s.index].append(s.label)
    return [",".join(w) for w in want]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_branches())
def test_dataframe_round_trip_gives_equal_values(br):
    df = export.branch_to_dataframe(br)
    for i, name in enumerate(br.param_names):
        np.testing.assert_array_equal(df[name].to_numpy(), br.p[:, i])
    for i, name in enumerate(br.state_names):
        np.testing.assert_array_equal(df[name].to_numpy(), br.x[:, i])
    for k in range(br.eigenvalues.shape[1]):
        np.testing.assert_array_equal(df[f"eigenvalue_{k}"].to_numpy(), br.eigenvalues[:, k])
    np.testing.assert_array_equal(df["period"].to_numpy(), br.data["period"])
    for k in range(2):
        np.testing.assert_array_equal(df[f"multipliers_{k}"].to_numpy(),
                                      br.data["multipliers"][:, k])
    np.testing.assert_array_equal(df["stable"].to_numpy(), br.stable)
    assert list(df["special"]) == _expected_labels(br)
    assert "not_per_point" not in df  # a data entry that is not per point is not a column
    assert df["s0"].dtype == np.float64 and df["stable"].dtype == bool


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_branches())
def test_xarray_round_trip_gives_equal_values(br):
    ds = export.branch_to_xarray(br)
    for i, name in enumerate(br.param_names):
        np.testing.assert_array_equal(ds[name].values, br.p[:, i])
    for i, name in enumerate(br.state_names):
        np.testing.assert_array_equal(ds[name].values, br.x[:, i])
    np.testing.assert_array_equal(ds["eigenvalues"].values, br.eigenvalues)
    np.testing.assert_array_equal(ds["multipliers"].values, br.data["multipliers"])
    np.testing.assert_array_equal(ds["period"].values, br.data["period"])
    np.testing.assert_array_equal(ds["stable"].values, br.stable)
    assert list(ds["special"].values) == _expected_labels(br)
    assert "not_per_point" not in ds
    # and back from the Dataset through pandas: the same table as branch_to_dataframe
    back = ds[br.param_names + br.state_names].to_dataframe()
    np.testing.assert_array_equal(back[br.state_names].to_numpy(), br.x)


def test_csv_round_trip_through_pandas(fold_branch, tmp_path):
    """Real columns written by pandas and read back: equal to the last bit."""
    df = export.branch_to_dataframe(fold_branch)
    real = df[["mu", "x", "stable", "special"]]
    real.to_csv(tmp_path / "b.csv")
    back = pd.read_csv(tmp_path / "b.csv", index_col="point", keep_default_na=False)
    pd.testing.assert_frame_equal(back, real, check_exact=True)


# ------------------------------------------------------------------ errors
def test_bad_branches_give_clear_errors():
    model = _stub_model(1, 1)
    outside = Branch(model, "EP-C", ["p0"], np.zeros((3, 1)), np.zeros((3, 1)),
                     np.zeros((3, 1)), [SpecialPoint("H", 5, {}, {})], {})
    with pytest.raises(ValueError, match="index 5 outside"):
        export.branch_to_dataframe(outside)
    clash = SimpleNamespace(**vars(_stub_model(1, 1)))
    clash.param_names = ["stable"]
    clashing = Branch(clash, "EP-C", ["stable"], np.zeros((2, 1)), np.zeros((2, 1)),
                      np.zeros((2, 1)), [], {})
    with pytest.raises(ValueError, match="collide.*stable"):
        export.branch_to_xarray(clashing)


def test_missing_extra_names_it(monkeypatch, fold_branch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(MissingOptionalDependency, match=r"bifkit\[data\]"):
        export.branch_to_dataframe(fold_branch)
    with pytest.raises(ValueError, match="unknown bifkit extra 'nope'"):
        require("numpy", extra="nope")
