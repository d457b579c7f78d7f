"""numba's disk cache sees edits to the functions a cached function calls (bifkit/_numba_cache.py).

numba keys a cached function on its own file only; a caller in another file kept
running the edited callee's old code from the cache.  The scenario below is a
two-file package compiled, then its callee edited: with the dependency digest
installed the caller's next run uses the new callee.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bifkit import _numba_cache

RUN = textwrap.dedent("""
    import sys, pathlib
    if sys.argv[1] == "install":
        from bifkit._numba_cache import install
        install(pathlib.Path("pkgx").resolve())
    from pkgx.a import f
    print(f(1.0))
""")


def _package(root: Path, add: float) -> None:
    (root / "pkgx" / "sub").mkdir(parents=True, exist_ok=True)
    (root / "pkgx" / "__init__.py").write_text("")
    (root / "pkgx" / "sub" / "__init__.py").write_text("")
    (root / "pkgx" / "sub" / "b.py").write_text(
        f"import numba as nb\n\n\n@nb.njit(cache=True)\ndef g(x):\n    return x + {add!r}\n")
    (root / "pkgx" / "a.py").write_text(
        "import numba as nb\n\nfrom .sub.b import g\n\n\n"
        "@nb.njit(cache=True)\ndef f(x):\n    return 2.0 * g(x)\n")
    (root / "run.py").write_text(RUN)


def _f_after_callee_edit(root: Path, mode: str) -> tuple[float, float]:
    """f(1) = 2 (1 + add) before and after editing the callee g (add 1.0 -> 5.0)."""
    _package(root, 1.0)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(root / f"cache-{mode}")}

    def run():
        out = subprocess.run([sys.executable, "run.py", mode], cwd=root, env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return float(out.stdout.split()[-1])
    before = run()
    _package(root, 5.0)
    return before, run()


def test_edited_callee_recompiles_the_caller(tmp_path):
    assert _f_after_callee_edit(tmp_path, "install") == (4.0, 12.0)


def test_numba_alone_runs_the_stale_callee(tmp_path):
    """The behaviour the digest mends (if numba ever mends it itself, this says so)."""
    before, after = _f_after_callee_edit(tmp_path, "plain")
    if after == 12.0:
        pytest.skip("this numba rebuilds callers of an edited callee by itself")
    assert (before, after) == (4.0, 4.0)


def test_imported_files_follow_the_imports(tmp_path):
    pkg = tmp_path / "pkgy"
    (pkg / "sub").mkdir(parents=True)
    for name in ("__init__.py", "sub/__init__.py", "sub/b.py", "sub/c.py", "d.py", "e.py"):
        (pkg / name).write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .c import h\n")
    (pkg / "a.py").write_text(textwrap.dedent("""
        import os
        from .sub import b            # a submodule by name: b only, not sub/__init__
        from .sub import h            # a name re-exported by sub/__init__
        import pkgy.d
        def later():
            from . import e           # imports inside functions count too
    """))
    (pkg / "sub" / "b.py").write_text("from ..d import x\n")    # two levels up
    files = {p.relative_to(tmp_path).as_posix()
             for p in _numba_cache.imported_files((pkg / "a.py").resolve(), pkg.resolve())}
    assert files == {"pkgy/sub/b.py", "pkgy/sub/__init__.py", "pkgy/d.py", "pkgy/e.py"}
    files = {p.relative_to(tmp_path).as_posix()
             for p in _numba_cache.imported_files((pkg / "sub" / "b.py").resolve(), pkg.resolve())}
    assert files == {"pkgy/d.py"}


def test_digest_changes_with_a_dependency_only(tmp_path):
    pkg = tmp_path / "pkgz"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import g\n")
    (pkg / "b.py").write_text("g = 1\n")
    (pkg / "c.py").write_text("k = 1\n")   # not imported by a
    a = pkg / "a.py"
    d0 = _numba_cache.dependency_digest(a, pkg.resolve())
    (pkg / "c.py").write_text("k = 2\n")
    assert _numba_cache.dependency_digest(a, pkg.resolve()) == d0
    (pkg / "b.py").write_text("g = 22\n")   # another size: another (mtime, size) key
    assert _numba_cache.dependency_digest(a, pkg.resolve()) != d0


def test_bifkit_functions_use_the_dependency_locator():
    import bifkit  # noqa: F401 (installs the locators when numba's caching loads)
    from bifkit.continuation.cycles import lc_newton
    locator = lc_newton.correct._cache._impl._locator
    assert type(locator).__name__.startswith("Dependency")
    stamp = locator.get_source_stamp()
    assert stamp[1] == _numba_cache.dependency_digest(lc_newton.__file__)
