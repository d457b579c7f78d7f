"""Bind a compiled algorithm template to a model's kernels, with on-disk caching.

Numba cannot cache a function that receives other jitted functions as
arguments (their types change from one process to the next), so an algorithm
that calls a model's ``f``/``jac``/``dfdp`` in its inner loop would be
recompiled in every process.  Instead, such an algorithm is written as a
*template module* whose kernels are module globals, declared in a marked block::

    # --- kernels: bound to a model's compiled f, jac, dfdp by bifkit.binding.bind ---
    f = jac = dfdp = None
    # --- end kernels ---

:func:`bind` copies the template's source into the cache directory with that
block replaced by imports of the model's kernels, and imports the copy: numba
compiles it once per (template, model) and caches it on disk like the kernels.
"""
from __future__ import annotations

import hashlib
import inspect
import re
import sys
import types

from .codegen import CODEGEN_VERSION, import_source

_BLOCK = re.compile(r"^# --- kernels:.*?^# --- end kernels ---$", re.S | re.M)
_bound: dict = {}


def _importable(fn) -> bool:
    py = getattr(fn, "py_func", None)
    mod = sys.modules.get(getattr(py, "__module__", None) or "")
    return (py is not None and mod is not None and getattr(mod, py.__name__, None) is fn
            and "<locals>" not in py.__qualname__)


def bind(template: types.ModuleType, **kernels) -> types.ModuleType:
    """A copy of ``template`` whose kernel globals are ``kernels`` (name -> njit function)."""
    key = (template.__name__,) + tuple((k, id(v)) for k, v in sorted(kernels.items()))
    if key in _bound:
        return _bound[key]
    src = inspect.getsource(template)
    if not _BLOCK.search(src):
        raise ValueError(f"{template.__name__} has no '# --- kernels:' block to bind")
    if all(_importable(fn) for fn in kernels.values()):
        header = "".join(f"from {fn.py_func.__module__} import {fn.py_func.__name__} as {name}\n"
                         for name, fn in sorted(kernels.items()))
        bound_src = _BLOCK.sub(lambda _: header.rstrip("\n"), src)
        digest = hashlib.sha256((CODEGEN_VERSION + bound_src).encode()).hexdigest()[:16]
        short = template.__name__.rsplit(".", 1)[-1]
        module = import_source(f"bifkit_bound_{short}_{digest}", bound_src)
    else:
        # kernels built at run time (closures): bind in memory, compiled per process
        module = types.ModuleType(f"{template.__name__}_bound")
        module.__dict__.update(kernels)
        code = _BLOCK.sub("", src).replace("cache=True", "cache=False")
        exec(compile(code, f"<bound {template.__name__}>", "exec"), module.__dict__)
    _bound[key] = module
    return module
