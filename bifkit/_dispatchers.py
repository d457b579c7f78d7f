"""Two numba dispatchers that compile less on an empty cache (issue 16, item 4).

:func:`on_first_call` -- ``njit`` with one explicit signature, compiled (or loaded
from numba's disk cache) at the function's first Python call instead of when its
module is imported.  ``njit(sig)`` compiles at import: importing
:mod:`bifkit.dynamics` compiled the RK4 and ETD loops, which the main job never
calls (1.8 s of its CPU, ``benchmarks/cold_compile.py``).

:func:`compiled_only` -- ``njit`` for a function that compiled code calls (linked
into its callers, or through :func:`bifkit._separate.separate` or
:func:`bifkit.binding.compiled_function`) but Python code normally does not.  It is
compiled without numba's Python wrapper (``no_cpython_wrapper``: the code that
unboxes Python arguments and boxes the result, 15 % of the LLVM code of the cold
main job).  A Python call still works: the first one for a set of argument types
compiles (or loads) a second, Python-callable copy, ``disp.python`` (a normal
``njit`` dispatcher of the same Python function, cached under the qualified name
``<name>.python``), logs that at DEBUG level, and numba's dispatcher then sends
later Python calls of those argument types straight to it.  The cost of such a
call is that compile, never a crash (numba's own dispatcher would call the
missing wrapper's address 0).

Both keep numba's disk cache valid across processes: nothing here is written into
compiled code (``tests/test_dispatchers.py`` loads in a second process what a first
one compiled).
"""
from __future__ import annotations

import logging
import types as pytypes

from numba.core import sigutils
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import CPUDispatcher

log = logging.getLogger("bifkit.dispatchers")


def _dispatcher(cls, py_func, options: dict):
    """``cls`` for ``py_func`` with njit's ``options`` (as ``numba.njit`` builds it)."""
    options = dict(options)
    cache = options.pop("cache", False)
    local_types = options.pop("locals", {})
    targetoptions = {"nopython": True, "boundscheck": options.pop("boundscheck", None),
                     **options}
    disp = cls(py_func=py_func, locals=local_types, targetoptions=targetoptions)
    disp.njit_options = {"cache": cache, "locals": local_types, **options}
    if cache:
        disp.enable_caching()
    return disp


# --------------------------------------------------------------------------- #
# One signature, compiled at the first call                                   #
# --------------------------------------------------------------------------- #
class FirstCallDispatcher(CPUDispatcher):
    """A dispatcher that compiles its one signature :attr:`first_call_signature` when first called."""

    first_call_signature = None

    def compile(self, sig):
        # numba's disk cache keys an entry on ``sig`` exactly as given: a compile for the
        # argument types alone (the background compile, bifkit/_warmup.py) and one for
        # the full signature would miss each other's entries.  Both use the full one.
        args, _ = sigutils.normalize_signature(sig)
        if tuple(args) == tuple(self.first_call_signature.args):
            sig = self.first_call_signature
        return super().compile(sig)

    def _compile_for_args(self, *args, **kws):
        # numba's C dispatcher calls this when no compiled signature matches the
        # arguments; while compiling is allowed it looks for exact matches only.
        with global_compiler_lock:
            if self._can_compile:
                self.compile(self.first_call_signature)
                self.disable_compile()    # as njit(sig): convert arguments, never add a signature
        return self    # numba calls the returned object: the dispatcher again, now compiled


def on_first_call(signature, **options):
    """``numba.njit(signature, **options)``, compiled at the first call instead of at import.

    Parameters
    ----------
    signature : numba signature
        The one signature (as for ``njit``: argument types with a first-class
        function type keep one compiled version for every model's kernels).
    **options
        ``njit`` options (``cache=True``, ``nogil=True``, ...).

    Returns
    -------
    callable
        Decorator.  A compiled caller or the background compile
        (:mod:`bifkit._warmup`) may compile the signature before the first call.
    """
    def decorate(py_func):
        disp = _dispatcher(FirstCallDispatcher, py_func, options)
        disp.first_call_signature = signature
        return disp
    return decorate


# --------------------------------------------------------------------------- #
# Compiled code's callees without numba's Python wrapper                       #
# --------------------------------------------------------------------------- #
class CompiledOnlyDispatcher(CPUDispatcher):
    """Compiled without a Python wrapper; Python calls go to :attr:`python` (see the module doc)."""

    _python = None

    def add_overload(self, cres):
        # Not entered in numba's C dispatch table: its Python entry point does not
        # exist (address 0).  Python calls reach _compile_for_args instead.
        self.overloads[tuple(cres.signature.args)] = cres

    @property
    def python(self):
        """The Python-callable copy of this function (created at first use, compiled per call)."""
        if self._python is None:
            with global_compiler_lock:
                if self._python is None:
                    fn = self.py_func
                    copy = pytypes.FunctionType(fn.__code__, fn.__globals__, fn.__name__,
                                                fn.__defaults__, fn.__closure__)
                    copy.__kwdefaults__ = fn.__kwdefaults__
                    copy.__module__, copy.__doc__ = fn.__module__, fn.__doc__
                    copy.__qualname__ = fn.__qualname__ + ".python"   # its own cache files
                    options = {k: v for k, v in self.njit_options.items()
                               if k != "no_cpython_wrapper"}
                    self._python = _dispatcher(CPUDispatcher, copy, options)
        return self._python

    def _compile_for_args(self, *args, **kws):
        twin = self.python
        known = set(twin.overloads)
        log.debug("Python call of the compiled-only function %s.%s: compiling (or loading) "
                  "its Python-callable copy", self.py_func.__module__, self.py_func.__qualname__)
        entry = twin._compile_for_args(*args, **kws)
        with global_compiler_lock:
            for sig, cres in twin.overloads.items():
                if sig not in known:   # later calls with these types: numba's C dispatch
                    self._insert([a._code for a in sig], cres.entry_point, cres.objectmode)
        return entry


def compiled_only(**options):
    """``numba.njit(**options)`` without numba's Python wrapper (see the module doc).

    Parameters
    ----------
    **options
        ``njit`` options (``cache=True``, ``no_cfunc_wrapper=True``, ...).

    Returns
    -------
    callable
        Decorator giving a :class:`CompiledOnlyDispatcher`.
    """
    def decorate(py_func):
        return _dispatcher(CompiledOnlyDispatcher, py_func,
                           {**options, "no_cpython_wrapper": True})
    return decorate
