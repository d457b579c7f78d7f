"""bifkit's compiled functions are optimised at LLVM -O2, not numba's -O3 (issue 16, item 4).

On an empty numba cache the main job spends most of its CPU time compiling, and
LLVM's optimisation passes are a large part of that.  -O3 runs more and costlier
passes than -O2 (Julia, for one, compiles at -O2 by default).  For bifkit's code
the measured difference is in the compile only: the continuation benchmark
(``benchmarks/continuation_vs_auto.py``) gives the same times at both levels and
the same numbers, while the cold main job needs several seconds less CPU
(``docs/cold_start.md``, section "2026-12-07, 06:02-09:00 UTC").

How: numba reads its optimisation level (``numba.core.config.OPT``) each time it
builds the passes for a module.  A listener on numba's ``numba:compile`` event sets
it, for the duration of the compile of a function of bifkit (the package, and the
kernels it generates for models, modules ``bifkit_*``), to :func:`level`, and puts
the previous value back when that compile ends.  Functions of the user's own code
keep numba's level (``NUMBA_OPT``), also when they are compiled inside a bifkit
compile.  The machine-code generator's level is set once per process by numba and
is not changed.

``BIFKIT_NUMBA_OPT`` (0-3) chooses another level for bifkit's functions, e.g. 3 to
get numba's default.  The level is part of the disk-cache key of bifkit's functions
(``bifkit/_numba_cache.py``), so a cache never mixes code of two levels.
"""
from __future__ import annotations

import os

#: environment variable that sets the LLVM optimisation level of bifkit's functions
ENV = "BIFKIT_NUMBA_OPT"
#: the level used when ``BIFKIT_NUMBA_OPT`` is not set
DEFAULT = 2

_installed = False


def level() -> int:
    """The LLVM optimisation level (0-3) for bifkit's compiled functions."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT
    if text not in ("0", "1", "2", "3"):
        raise ValueError(f"{ENV} must be one of 0, 1, 2, 3 (LLVM optimisation level); "
                         f"got {text!r}")
    return int(text)


def is_bifkit_function(py_func) -> bool:
    """True for a function of the bifkit package or of a model kernel bifkit generated."""
    module = getattr(py_func, "__module__", None) or ""
    return module == "bifkit" or module.startswith(("bifkit.", "bifkit_"))


def install() -> None:
    """Register the listener that compiles bifkit's functions at :func:`level`.  Idempotent."""
    global _installed
    if _installed:
        return
    from numba.core import config, event

    ours = config._OptLevel(level())
    saved = []          # the level before each compile that is in progress (a stack)

    class _Level(event.Listener):
        def on_start(self, ev):
            saved.append(config.OPT)
            disp = ev.data.get("dispatcher") if isinstance(ev.data, dict) else None
            if is_bifkit_function(getattr(disp, "py_func", None)):
                config.OPT = ours
            elif len(saved) > 1:
                config.OPT = saved[0]      # the user's own level, also inside a bifkit compile

        def on_end(self, ev):
            config.OPT = saved.pop()

    event.register("numba:compile", _Level())
    _installed = True


def install_on_import() -> None:
    """:func:`install` now if numba's event module is loaded, else when it loads."""
    from ._threads import when_imported
    level()                          # a bad BIFKIT_NUMBA_OPT is an error at once
    when_imported("numba.core.event", install, tag="numba opt level")
