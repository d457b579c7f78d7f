"""The cache heals itself (issue 20, item 7).

A damaged generated kernel file, or garbage in numba's cache files of a
kernel, must not break later runs: the next run regenerates / recompiles with a
warning and gives the same numbers.  Reference values: the right-hand side
written in numpy here (x' = -a x + y^2, y' = x - y).
"""
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

RUN = textwrap.dedent("""
    import warnings, numpy as np, bifkit
    warnings.simplefilter("always")
    d = bifkit.define_model("cachetest", ["x", "y"], {"a": 1.5}, ["-a*x + y^2", "x - y"])
    print(repr(float(bifkit.Model(d).rhs(np.array([0.3, 0.7]))[0])))
""")
EXPECTED = -1.5 * 0.3 + 0.7 ** 2


def _run(cache: Path):
    # numba caches a generated module next to it (cache/__pycache__) when
    # NUMBA_CACHE_DIR is unset; bifkit's own functions keep their warm cache
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["BIFKIT_CACHE"] = str(cache)
    out = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    return float(out.stdout.split()[-1]), out.stderr


def _kernel_file(cache: Path) -> Path:
    (path,) = [p for p in cache.glob("bifkit_cachetest_*.py")]   # the core kernels module
    return path


def test_damaged_kernel_file_is_regenerated_with_warning(tmp_path):
    value, err = _run(tmp_path)
    assert value == pytest.approx(EXPECTED, rel=1e-15) and "Warning" not in err
    path = _kernel_file(tmp_path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])           # truncated mid-file
    value, err = _run(tmp_path)
    assert value == pytest.approx(EXPECTED, rel=1e-15)
    assert "RuntimeWarning" in err and "failed to load" in err and "regenerating" in err
    assert path.read_text() == text                   # healed: the same source again
    value, err = _run(tmp_path)                       # and quiet from then on
    assert "Warning" not in err


def test_file_without_kernel_is_regenerated(tmp_path):
    _run(tmp_path)
    path = _kernel_file(tmp_path)
    path.write_text("# empty: every kernel missing\n")
    value, err = _run(tmp_path)
    assert value == pytest.approx(EXPECTED, rel=1e-15)
    assert "defines no kernel f, jac, dfdp, obs" in err


@pytest.mark.parametrize("suffix", [".nbi", ".nbc"])
def test_garbage_in_numba_cache_is_discarded_with_warning(tmp_path, suffix):
    _run(tmp_path)
    files = [p for p in tmp_path.rglob(f"*cachetest*{suffix}")]
    assert files, "numba wrote no cache entry for the kernels"
    for p in files:
        p.write_bytes(b"\x80\x04garbage" * 3)
    value, err = _run(tmp_path)
    assert value == pytest.approx(EXPECTED, rel=1e-15)
    assert "numba's cache entry" in err and "discarding it and recompiling" in err
    value, err = _run(tmp_path)                       # the fresh entry loads quietly
    assert value == pytest.approx(EXPECTED, rel=1e-15) and "Warning" not in err


def test_clear_error_when_regeneration_fails_too(tmp_path, monkeypatch):
    from bifkit import codegen
    monkeypatch.setenv("BIFKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(codegen, "_source", lambda *a: "def f(:\n")   # unimportable output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(codegen.CacheError, match=r"failed to load even after "
                                                     r"regenerating it .*delete the cache"):
            codegen.compile_kernels("broken", "k-unique-1", lambda: [], [], [], None,
                                    expect=("f",))
