"""One validation layer for every entry point (API and command line).

Numbers are parsed and type-checked here, once, with messages that name the
parameter (``"N = 'abc' is not a number"``, never ``"invalid literal for
int()"``), so that nothing untyped reaches a numba kernel.  Every check raises
:class:`~bifkit.errors.InputError` (a ``ValueError``).

Also here: the memory estimate that guards recording loops (samples, rasters)
against runaways; the cap is ``max_memory`` (bytes) where an API offers it, else
the environment variable ``BIFKIT_MAX_MEMORY`` (e.g. ``8G``), else 2 GiB.
"""
from __future__ import annotations

import math
import numbers
import os

from .errors import InputError

DEFAULT_MAX_MEMORY = 2 * 1024 ** 3   # bytes; a recording above this needs an explicit cap
_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


# ------------------------------------------------------------------ parsing text
def parse_number(text, name: str, *, integer: bool = False, finite: bool = True):
    """A number from the text ``text`` (command line, ``NAME=VALUE``) for parameter ``name``.

    ``integer=True`` returns an ``int`` and accepts integral spellings such as
    ``2000``, ``2000.0`` or ``2e3`` (a sweep keyed by value, not by spelling),
    but rejects ``2000.5`` instead of truncating it.  ``finite=True`` rejects
    ``inf`` and ``nan``.
    """
    s = str(text).strip()
    try:
        value = float(s)
    except ValueError:
        raise InputError(f"{name} = {s!r} is not a number") from None
    if math.isnan(value):
        raise InputError(f"{name} = {s!r} is not a number")
    if finite and not math.isfinite(value):
        raise InputError(f"{name} = {s!r} must be finite")
    if integer:
        return as_int(value, name)
    return value


def parse_value(text, name: str):
    """``int`` (integral values, however spelt) or ``float`` if ``text`` spells a number,
    else the stripped string.

    For parameters that may be words (``indegree=binomial``); whether a word is
    allowed is for the receiving API to check.  ``inf`` and ``nan`` are rejected
    here: no parameter of bifkit takes them.
    """
    s = str(text).strip()
    if s == "":
        raise InputError(f"{name} has an empty value")
    try:
        value = float(s)
    except ValueError:
        return s
    if not math.isfinite(value):
        raise InputError(f"{name} = {s!r} must be finite")
    if value.is_integer() and abs(value) < 2 ** 53:
        return int(value)   # keyed by value, not spelling: "2000", "2000.0", "2e3" -> 2000
    return value


def parse_assignments(items, what: str = "--set", *, numeric: bool = True,
                      integers=()) -> dict:
    """``["K=1000", "D_ee=2"]`` -> ``{"K": 1000.0, "D_ee": 2.0}``.

    Parameters
    ----------
    items : list of str
    what : str
        The option the items came from, for messages.
    numeric : bool
        True: every value must be a finite number (float; ``integers`` names
        the ones that must be integers, e.g. ``M``).  False: numbers where they
        parse as numbers (see :func:`parse_value`), words otherwise.
    """
    out = {}
    for item in items or []:
        if "=" not in str(item):
            raise InputError(f"{what} expects NAME=VALUE, got {item!r}")
        key, text = str(item).split("=", 1)
        key = key.strip()
        if not key:
            raise InputError(f"{what} {item!r} has no parameter name before '='")
        if key in out:
            raise InputError(f"{what}: parameter {key!r} is given twice")
        if numeric:
            out[key] = parse_number(text, key, integer=key in integers)
        else:
            out[key] = parse_value(text, key)
    return out


def parse_point_spec(spec, what: str = "--point"):
    """``"H:0"`` -> ``("H", 0)``; ``"12"`` -> ``(None, 12)`` (a point index); else an error."""
    s = str(spec).strip()
    label, _, idx = s.rpartition(":") if ":" in s else (None, None, s)
    if label is not None and not label.strip():
        raise InputError(f"{what} {s!r}: expected LABEL:K (e.g. H:0) or a point index")
    try:
        k = int(idx)
    except ValueError:
        raise InputError(f"{what} {s!r}: expected LABEL:K (e.g. H:0) or a point index; "
                         f"{idx!r} is not an integer") from None
    return (label.strip() if label is not None else None), k


def argparse_number(*, positive: bool = False, nonnegative: bool = False):
    """An argparse ``type=`` for a finite float (usage error, exit 2, naming the option)."""
    import argparse

    def convert(text):
        try:
            value = parse_number(text, "value")
            return as_float(value, "value", positive=positive, nonnegative=nonnegative)
        except InputError as e:
            raise argparse.ArgumentTypeError(str(e).replace("value = ", "")) from None
    convert.__name__ = "finite number"
    return convert


def point_index(k: int, n: int, what: str) -> int:
    """``k`` if ``0 <= k < n`` (an index into ``n`` points), else an InputError naming ``what``."""
    if not 0 <= k < n:
        raise InputError(f"{what}: index {k} is out of range; there are {n} "
                         f"({'0..' + str(n - 1) if n else 'none'})")
    return k


# ------------------------------------------------------------- checking values
def as_float(value, name: str, *, positive: bool = False, nonnegative: bool = False,
             finite: bool = True) -> float:
    """``value`` as a float; a clear error for strings, booleans, None, NaN and,
    as asked, infinite, non-positive or negative values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} = {value!r} must be a real number")
    v = float(value)
    if math.isnan(v):
        raise InputError(f"{name} = {value!r} is not a number")
    if finite and not math.isfinite(v):
        raise InputError(f"{name} = {value!r} must be finite")
    if positive and not v > 0:
        raise InputError(f"{name} = {value!r} must be positive")
    if nonnegative and not v >= 0:
        raise InputError(f"{name} = {value!r} must be >= 0")
    return v


def as_int(value, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int; integral floats (``2000.0``) are accepted, ``1.5`` is an
    error (never truncated), as are strings, booleans and None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} = {value!r} must be an integer")
    if not isinstance(value, numbers.Integral):
        v = float(value)
        if not math.isfinite(v) or not v.is_integer():
            raise InputError(f"{name} = {value!r} must be an integer")
    out = int(value)
    if minimum is not None and out < minimum:
        raise InputError(f"{name} = {value!r} must be >= {minimum}")
    return out


def as_seed(value, name: str = "seed") -> int:
    """A seed for ``numpy.random.default_rng``: an integer >= 0 (a float is not truncated)."""
    return as_int(value, name, minimum=0)


# ------------------------------------------------------------------- memory cap
def memory_cap(max_memory=None) -> int:
    """The recording cap in bytes: ``max_memory``, else ``$BIFKIT_MAX_MEMORY``, else 2 GiB."""
    if max_memory is not None:
        return int(as_float(max_memory, "max_memory", positive=True))
    text = os.environ.get("BIFKIT_MAX_MEMORY", "").strip().upper().rstrip("IB") or None
    if text is None:
        return DEFAULT_MAX_MEMORY
    unit = text[-1] if text[-1] in _UNITS else ""
    number = text[:-1] if unit else text
    return int(parse_number(number, "BIFKIT_MAX_MEMORY") * _UNITS[unit])


def check_memory(n_bytes: float, what: str, *, max_memory=None, hint: str = "") -> None:
    """Raise before a run whose recording would need more than the cap.

    Parameters
    ----------
    n_bytes : float
        Estimated size of what the run would record.
    what : str
        What is recorded and why it is that big (``"1e12 samples x 4 states"``).
    max_memory : float, optional
        The cap in bytes (see :func:`memory_cap`).
    hint : str
        How to record less (``"use a larger sample"``).
    """
    cap = memory_cap(max_memory)
    if not n_bytes <= cap:
        raise InputError(f"recording {what} would need {_human(n_bytes)}, above the memory cap "
                         f"of {_human(cap)}{'; ' + hint if hint else ''}; to allow it, raise the "
                         f"cap (max_memory=... or the environment variable BIFKIT_MAX_MEMORY, "
                         f"e.g. BIFKIT_MAX_MEMORY=16G)")


def _human(n: float) -> str:
    if not math.isfinite(n):
        return "unbounded memory"
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PB"  # pragma: no cover
