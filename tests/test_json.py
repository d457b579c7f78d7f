"""The one JSON encoding of bifkit (bifkit/_json.py): round trips, numpy values, errors.

Reference values: the values themselves (a round trip must give them back, same types),
and ``{"__complex__": [re, im]}``, the form saved branches have always stored.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bifkit import _json, export
from bifkit.continuation import Branch, SpecialPoint

json_leaves = (st.none() | st.booleans() | st.integers() | st.text(max_size=5)
               | st.floats(allow_nan=False) | st.complex_numbers(allow_nan=False))
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=4).filter(
                               lambda k: k != _json.COMPLEX_KEY), inner, max_size=4),
                           max_leaves=20)


def _same_types(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b))
    return type(a) is type(b)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_round_trip_keeps_values_and_types(value):
    back = _json.loads(_json.dumps(value))
    assert back == value and _same_types(back, value)


def test_numpy_values_non_finite_floats_and_errors():
    v = {"z": np.complex128(1 - 2j), "a": np.array([1.5, np.nan, np.inf]), "i": np.int64(3),
         "b": np.bool_(True), "c": np.array([1j, 2])}
    text = _json.dumps(v)
    raw = json.loads(text)
    assert raw["z"] == {"__complex__": [1.0, -2.0]} and raw["i"] == 3 and raw["b"] is True
    assert raw["c"] == [{"__complex__": [0.0, 1.0]}, {"__complex__": [2.0, 0.0]}]
    assert "NaN" in text and "Infinity" in text  # floats stay floats (not "inf" strings)
    back = _json.loads(text)
    assert back["z"] == 1 - 2j and back["i"] == 3 and np.isnan(back["a"][1])
    assert back["a"][2] == np.inf and back["c"] == [1j, 2 + 0j]
    with pytest.raises(TypeError, match="keys must be strings"):
        _json.to_jsonable({1: 2})
    with pytest.raises(TypeError, match="cannot write a set"):
        _json.to_jsonable({1, 2})
    with pytest.raises(TypeError, match="would read back as a complex"):
        _json.to_jsonable({"__complex__": [1, 2]})
    with pytest.raises(TypeError, match="dtype object"):
        _json.to_jsonable(np.array([object()]))
    with pytest.raises(TypeError, match="no 'default'"):
        _json.dumps(1j, default=float)   # would drop the imaginary part silently
    with pytest.raises(ValueError):
        _json.dumps(float("nan"), allow_nan=False)  # strict JSON on request
    assert export.to_jsonable is _json.to_jsonable  # the old import path is the same code


def test_saved_branch_keeps_complex_special_point_data(tmp_path):
    """A branch file goes through the same encoding: complex data comes back complex."""
    from bifkit.model import Model, ModelDefinition, real_symbols
    x, mu = real_symbols("x mu")
    m = Model(ModelDefinition.from_sympy("fold_json", [("x", x)], [(mu, 1.0)], [mu - x ** 2]))
    sp = SpecialPoint("H", 0, {"x": 0.5}, {"mu": 0.25},
                      data={"eig": [1j, -2.0 + 0.5j], "l1": np.float64(-0.3), "n": np.int64(2)})
    br = Branch(m, "EP-C", ["mu"], [[0.5], [0.6]], [[0.25], [0.36]], [[-1.0], [-1.2]], [sp],
                {"ds": 0.01, "bounds": {"mu": (0.0, 1.0)}})
    back = Branch.load(br.save(tmp_path / "b.npz"))
    data = back.special[0].data
    assert data["eig"] == [1j, -2.0 + 0.5j] and type(data["eig"][0]) is complex
    assert data["l1"] == -0.3 and data["n"] == 2
    assert back.options["bounds"] == {"mu": [0.0, 1.0]}  # JSON has no tuples


ROOT = Path(__file__).resolve().parents[1] / "bifkit"
# writers that still bypass bifkit/_json.py: none (network results used default=float
# until issue 19, which dropped imaginary parts silently)
KNOWN_OUTSIDE: set[str] = set()


def test_no_other_json_encoder_of_complex_numbers():
    """Guard: no module invents its own complex encoding or float() fallback again."""
    pattern = re.compile(r"default\s*=\s*float|\{\s*\"re\"\s*:|__complex__|def _jsonable")
    offenders = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                 if p.name != "_json.py" and pattern.search(p.read_text())}
    assert offenders <= KNOWN_OUTSIDE, offenders - KNOWN_OUTSIDE
