"""numba's compile flags compared without rebuilding them option by option (issue 16, item 4).

numba keys the implementations of every ``@overload`` it types (``np.empty``,
``len``, ``np.linalg.solve``, ...) on the current compile flags, an object with
~40 options.  Hashing or comparing two flag objects calls ``values()``, which
builds a dict with one property lookup per option; on the cold main job that is
~500k calls and ~5 % of its CPU time (``python -m cProfile``: ``targetconfig.values``
under ``templates._get_impl``; ``docs/cold_start.md``, section "2026-12-07, 06:02-09:00 UTC").

:func:`install` replaces ``TargetConfig.values`` by an equivalent that copies a
per-class dict of the defaults and updates it with the options set on the object:
the same dict, same keys, same order, same values.  It is installed only if the
two agree on a flags object with options set (so a numba whose ``values`` means
something else keeps its own); ``tests/test_fast_flags.py`` compares them on
random option sets.
"""
from __future__ import annotations

_installed = False


def fast_values(self):
    """``TargetConfig.values()``: every option's value, by name (defaults included)."""
    cls = type(self)
    defaults = cls.__dict__.get("_bifkit_defaults")
    if defaults is None:
        defaults = {name: option.default for name, option in cls.options.items()}
        cls._bifkit_defaults = defaults
    out = dict(defaults)
    out.update(self._values)
    return out


def _agree(original, flags) -> bool:
    try:
        a, b = original(flags), fast_values(flags)
    except Exception:  # noqa: BLE001 (a numba this was not written for)
        return False
    return a == b and list(a) == list(b)


def install() -> bool:
    """Use :func:`fast_values` for numba's TargetConfig; True if it is in use.  Idempotent."""
    global _installed
    if _installed:
        return True
    from numba.core import targetconfig
    from numba.core.compiler import Flags
    original = targetconfig.TargetConfig.values
    probe = Flags()
    probe.nrt = True
    probe.no_cpython_wrapper = True
    probe.error_model = "numpy"
    if not (_agree(original, Flags()) and _agree(original, probe)):
        return False
    targetconfig.TargetConfig.values = fast_values
    targetconfig.TargetConfig._bifkit_original_values = original
    _installed = True
    return True


def install_on_import() -> None:
    """:func:`install` once numba's compiler module has loaded (at once if it has)."""
    from ._threads import when_imported
    when_imported("numba.core.compiler", install, tag="numba fast flags")
