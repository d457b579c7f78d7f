"""The CSV tables that ``bifkit diagram`` writes go through the csv module (issue 19).

A field holding a comma (special-point labels such as ``"H,LP"``) must come back as one
field; a ragged row is an error naming the file, never a silently shifted column.
"""
import numpy as np
import pytest

from bifkit.diagrams.common import read_csv, write_csv


def test_a_field_with_a_comma_round_trips(tmp_path):
    cols = {"p": [0.5, np.nan, 2.0], "label": ["H,LP", "", "EP"], "stable": [True, False, True]}
    path = write_csv(tmp_path / "t.csv", cols, comment="K = 1000\nrates in 1/ms")
    back = read_csv(path)
    assert list(back) == ["p", "label", "stable"]            # no extra column from "H,LP"
    assert list(back["label"]) == ["H,LP", "", "EP"]
    np.testing.assert_array_equal(back["p"], [0.5, np.nan, 2.0])   # repr(float) is exact
    np.testing.assert_array_equal(back["stable"], [1.0, 0.0, 1.0])
    assert path.read_text().startswith("# K = 1000\n# rates in 1/ms\n")


def test_ragged_and_empty_tables_are_errors_naming_the_file(tmp_path):
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ValueError, match=r"ragged.csv: data row 2 has 1 fields"):
        read_csv(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("# only a comment\n")
    with pytest.raises(ValueError, match="empty.csv: no header row"):
        read_csv(empty)
