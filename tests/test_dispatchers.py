"""bifkit/_dispatchers.py: functions compiled without numba's Python wrapper, and one
signature compiled at the first call instead of at import (issue 16, item 4).

Reference values: each function's own Python code run by the interpreter
(``disp.py_func``), an independent evaluation of the same expression.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numba as nb
import numpy as np
import pytest
from numba import types

from bifkit._dispatchers import CompiledOnlyDispatcher, compiled_only, on_first_call


@compiled_only(cache=False)
def _scaled(x, a):
    return x * a + 1.0


@nb.njit(cache=False)
def _caller(x):
    return _scaled(x, 2.0).sum()


def _python_entry(disp, sig):
    """Address of numba's Python wrapper of ``disp`` compiled for ``sig`` (0: none)."""
    cres = disp.overloads[sig]
    return cres.library.get_pointer_to_function(cres.fndesc.llvm_cpython_wrapper_name)


def test_compiled_only_has_no_python_wrapper_and_serves_compiled_callers():
    x = np.linspace(0.0, 1.0, 5)
    assert _caller(x) == pytest.approx(_caller.py_func(x), rel=1e-15)
    sig = (types.float64[::1], types.float64)
    assert isinstance(_scaled, CompiledOnlyDispatcher)
    assert _python_entry(_scaled, sig) == 0    # what must not exist: the wrapper's code


def test_a_python_call_compiles_a_python_callable_copy_never_crashes():
    x = np.arange(4.0)
    expected = _scaled.py_func(x, 3.0)
    np.testing.assert_array_equal(_scaled(x, 3.0), expected)    # first call: the copy compiles
    np.testing.assert_array_equal(_scaled(x, 3.0), expected)    # then numba's C dispatch
    assert _scaled(2, 3) == 7                                   # other types: another copy
    sig = (types.float64[::1], types.float64)
    assert sig in _scaled.python.overloads
    assert _python_entry(_scaled.python, sig) != 0
    assert _scaled.python.py_func.__qualname__ == "_scaled.python"   # its own cache files


def test_errors_inside_reach_the_python_caller():
    @compiled_only(cache=False)
    def checked(x):
        if x < 0:
            raise ValueError("x must be >= 0")
        return x

    with pytest.raises(ValueError, match="x must be >= 0"):
        checked(-1.0)


SIG = types.float64(types.FunctionType(types.float64(types.float64)), types.float64[::1])


@on_first_call(SIG, cache=False)
def _total(g, x):
    s = 0.0
    for v in x:
        s += g(v)
    return s


@nb.njit(cache=False)
def _square(v):
    return v * v


@nb.njit(cache=False)
def _cube(v):
    return v * v * v


def test_on_first_call_compiles_its_signature_at_the_first_call_only():
    assert _total.signatures == []          # nothing compiled at import (what must not happen)
    x = np.arange(5.0)
    assert _total(_square, x) == sum(v * v for v in x)   # 30, the Python sum
    assert _total.signatures == [SIG.args]
    assert _total(_cube, x) == sum(v ** 3 for v in x)    # 100: another function, same code
    assert _total.signatures == [SIG.args]  # one signature for both kernels, no recompile
    with pytest.raises(TypeError, match="No matching definition"):
        _total(_square, np.arange(5))       # int64 array: a clear error, no new signature


MODULE = textwrap.dedent("""
    import numba as nb
    import numpy as np
    from numba import types
    from bifkit._dispatchers import compiled_only, on_first_call
    from bifkit._separate import separate

    @compiled_only(cache=True)
    def inner(x):
        return 2.0 * x + 1.0

    @compiled_only(cache=True, no_cfunc_wrapper=True)
    def far(x):
        return x - 0.5

    sep_far = separate(far)

    @nb.njit(cache=True)
    def outer(x):
        return inner(x).sum() + sep_far(3.0)

    @on_first_call(types.float64(types.float64[::1]), cache=True)
    def total(x):
        return x.sum()
""")

RUN = textwrap.dedent("""
    import json
    import numpy as np
    import mod
    x = np.arange(3.0)
    out = {"outer": mod.outer(x), "inner": mod.inner(x).tolist(), "total": mod.total(x),
           "hits": sum(sum(d.stats.cache_hits.values()) for d in (mod.outer, mod.total))}
    print(json.dumps(out))
""")


def test_a_second_process_loads_them_from_the_disk_cache(tmp_path):
    (tmp_path / "mod.py").write_text(MODULE)
    (tmp_path / "run.py").write_text(RUN)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    # inner(x) = 2x + 1 = [1, 3, 5] (sum 9), far(3) = 2.5, sum(x) = 3 (by hand)
    for run in runs:
        assert run["outer"] == 11.5 and run["inner"] == [1.0, 3.0, 5.0] and run["total"] == 3.0
    assert runs[0]["hits"] == 0     # the first process compiled
    assert runs[1]["hits"] == 2     # the second loaded outer and total, and called them


WARM = textwrap.dedent("""
    import json, sys
    import numpy as np
    from numba import types
    import mod
    if sys.argv[1] == "compile":   # as the background compile does: the argument types only
        mod.total.compile((types.float64[::1],))
    else:
        out = mod.total(np.arange(3.0))
        print(json.dumps({"total": out, "hits": sum(mod.total.stats.cache_hits.values()),
                          "misses": sum(mod.total.stats.cache_misses.values())}))
""")


def test_the_first_call_loads_what_a_compile_of_the_argument_types_saved(tmp_path):
    """bifkit/_warmup.py compiles ``fn.compile(argument types)``; the job's first call
    compiles the full signature; numba keys its disk cache on the signature as given."""
    (tmp_path / "mod.py").write_text(MODULE)
    (tmp_path / "warm.py").write_text(WARM)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    for step in ("compile", "call"):
        proc = subprocess.run([sys.executable, "warm.py", step], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res == {"total": 3.0, "hits": 1, "misses": 0}   # loaded, not compiled again
