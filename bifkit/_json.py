"""The one JSON encoding of bifkit (saved branches, CLI output, model specs, sweeps).

JSON has no complex numbers and no numpy types, and every writer of bifkit used to
invent its own way around that (``{"re", "im"}``, ``{"__complex__"}``, ``default=float``
dropping imaginary parts, non-finite floats as strings).  This module is the only one:

* a complex number is ``{"__complex__": [re, im]}`` (the form saved branches have used
  from the start, so old files still read);
* numpy scalars and arrays become Python numbers and (nested) lists, tuples become lists;
* non-finite floats stay floats, written as ``NaN`` / ``Infinity`` / ``-Infinity`` (what
  :func:`json.dumps` writes and :func:`json.loads` reads back; pass ``allow_nan=False``
  to :func:`dumps` where strict JSON is required);
* anything else is a :class:`TypeError` naming the type, never a silent ``float()``.

Use :func:`dumps` / :func:`loads` for text, :func:`to_jsonable` / :func:`from_jsonable`
for the plain-Python form (e.g. inside a larger structure).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["COMPLEX_KEY", "to_jsonable", "from_jsonable", "dumps", "loads"]

#: the key of the one JSON form of a complex number: ``{"__complex__": [re, im]}``
COMPLEX_KEY = "__complex__"


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON types, losslessly (see the module docstring).

    Parameters
    ----------
    value
        ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, numpy scalars and
        arrays, and lists, tuples and ``dict`` s (string keys) of these, nested.

    Returns
    -------
    Any
        The same data as ``None`` / bool / int / float / str / list / dict only.

    Raises
    ------
    TypeError
        For a value of any other type (named in the message), a non-string dict key,
        or a dict whose only key is ``"__complex__"`` (it would read back as a number).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (complex, np.complexfloating)):
        return {COMPLEX_KEY: [float(value.real), float(value.imag)]}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufcU":
            raise TypeError(f"cannot write an array of dtype {value.dtype} as JSON")
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise TypeError(f"JSON object keys must be strings; got {bad[0]!r}")
        if set(value) == {COMPLEX_KEY}:
            raise TypeError(f"a dict with the single key {COMPLEX_KEY!r} would read back as "
                            "a complex number")
        return {k: to_jsonable(v) for k, v in value.items()}
    raise TypeError(f"cannot write a {type(value).__name__} as JSON: {value!r}")


def from_jsonable(value: Any) -> Any:
    """Inverse of :func:`to_jsonable`: ``{"__complex__": [re, im]}`` -> ``complex``.

    Recursive. Lists stay lists (the JSON form does not record whether it was an array).
    """
    if isinstance(value, dict):
        if set(value) == {COMPLEX_KEY}:
            re, im = value[COMPLEX_KEY]
            return complex(re, im)
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps(to_jsonable(value), **kwargs)``: bifkit's JSON text of ``value``.

    Keyword arguments (``indent``, ``sort_keys``, ``allow_nan`` ...) go to
    :func:`json.dumps`; ``default`` is refused, as it would bypass the one encoding.
    """
    if "default" in kwargs:
        raise TypeError("bifkit._json.dumps takes no 'default': every type it writes is "
                        "encoded by to_jsonable")
    return json.dumps(to_jsonable(value), **kwargs)


def loads(text: str | bytes) -> Any:
    """``from_jsonable(json.loads(text))``: the inverse of :func:`dumps`."""
    return from_jsonable(json.loads(text))
