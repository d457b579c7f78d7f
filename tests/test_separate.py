"""bifkit._separate: calls through a symbol, compiled once, valid across processes (issue 16).

Each case runs in fresh Python processes sharing one empty numba cache directory:
the first compiles and saves, the second loads everything from the disk cache
(numba's ``reload_init`` registers the symbol before the cached code is linked).
The reference values are numpy's own (numpy.linalg.solve on the same 2 x 2 system).
"""
import json
import os
import subprocess
import sys
import textwrap

import numba as nb
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODULE = textwrap.dedent('''
    import numba as nb
    import numpy as np
    from bifkit._separate import separate

    @nb.njit(cache=True)
    def big(A, b):
        if b.size == 0:
            raise ValueError("empty right-hand side")
        return np.linalg.solve(A, b), A.sum()

    sep_big = separate(big)

    @nb.njit(cache=True)
    def caller(A, b):
        x, s = sep_big(A, b)
        y, s2 = sep_big(A, x)
        return y, s + s2
''')

SCRIPT = textwrap.dedent('''
    import json, sys
    import numpy as np
    import sepmod
    A = np.array([[2.0, 1.0], [1.0, 3.0]]); b = np.array([1.0, 2.0])
    y, s = sepmod.caller(A, b)
    out = {"y": y.tolist(), "s": s,
           "hits": sum(sepmod.caller.stats.cache_hits.values()),
           "linked": [f.name for f in
                      sepmod.caller.overloads[sepmod.caller.signatures[0]].library
                      ._final_module.functions if not f.is_declaration]}
    try:
        sepmod.caller(A, np.empty(0))
        out["error"] = None
    except ValueError as e:
        out["error"] = str(e)
    print(json.dumps(out))
''')


def _run(tmp_path, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache),
               PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))
    env.pop("NUMBA_DISABLE_JIT", None)
    res = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.fixture
def module(tmp_path):
    (tmp_path / "sepmod.py").write_text(MODULE)
    return tmp_path


def test_compiled_then_loaded_from_cache_in_a_new_process(module, tmp_path):
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.linalg.solve(A, np.array([1.0, 2.0]))
    y_ref = np.linalg.solve(A, x)           # numpy's LAPACK solve, same system
    cache = tmp_path / "cache"
    first = _run(module, cache)             # compiles and saves
    second = _run(module, cache)            # loads caller (and big) from the disk cache
    assert first["hits"] == 0 and second["hits"] == 1
    for out in (first, second):
        np.testing.assert_allclose(out["y"], y_ref, rtol=1e-14)
        assert out["s"] == 14.0             # 2 * sum(A): exact
        assert out["error"] == "empty right-hand side"   # raised inside big, propagated
    assert first["y"] == second["y"]        # bitwise: the same compiled code
    # big's code (and numpy's solve) is not linked into the caller's module
    assert not any("big" in name or "solve" in name for name in first["linked"])


def test_stale_caller_is_a_clear_error():
    from numba import types

    from bifkit import _separate
    args = (types.float64[:, ::1], types.float64[::1])
    with pytest.raises(RuntimeError, match="stale numba cache"):
        # a caller compiled when the function returned a float64 (it returns a tuple)
        _separate.register(__name__, "_solve2", args, types.float64)


@nb.njit
def _solve2(A, b):
    return np.linalg.solve(A, b), A.sum()
