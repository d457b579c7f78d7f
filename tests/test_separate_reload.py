"""A caller compiled against a callee loaded from numba's disk cache keeps the callee's
symbol registrations (bifkit/_separate.py, ``_keep_reload_init_on_cache_load``).

Three processes on one numba cache: (1) compile f -> g -> separate(h); (2) after an
edit of f's file only, f is compiled again while g (whose code calls h's symbol) is
loaded from the cache; (3) f is loaded from the cache and called.  Without the fix,
f's cache entry in (2) missed the registration of h's symbol and (3) called address 0.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RUN = textwrap.dedent("""
    import sys
    import bifkit._separate
    if sys.argv[1] == "plain":   # numba's own behaviour, without the fix
        from numba.core import compiler
        original = compiler.CompileResult._rebuild.__func__._bifkit_original
        compiler.CompileResult._rebuild = classmethod(original)
    from pkgs.a import f
    print(f(1.5))
""")


def _write(root: Path, comment: str) -> None:
    pkg = root / "pkgs"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "c.py").write_text(textwrap.dedent("""
        import numba as nb

        @nb.njit(cache=True)
        def h(x):
            return 3.0 * x
    """))
    (pkg / "b.py").write_text(textwrap.dedent("""
        import numba as nb
        from bifkit._separate import separate
        from .c import h

        sep_h = separate(h)

        @nb.njit(cache=True)
        def g(x):
            return sep_h(x) + 1.0
    """))
    (pkg / "a.py").write_text(textwrap.dedent(f"""
        # {comment}
        import numba as nb
        from .b import g

        @nb.njit(cache=True)
        def f(x):
            return 2.0 * g(x)
    """))
    (root / "run.py").write_text(RUN)


def _three_processes(root: Path, mode: str) -> list[tuple[int, str]]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(root / f"cache-{mode}")}
    out = []
    for i, comment in enumerate(("first", "edited", "edited")):
        _write(root, comment)
        run = subprocess.run([sys.executable, "run.py", mode], cwd=root, env=env,
                             capture_output=True, text=True, timeout=300)
        out.append((run.returncode, run.stdout.strip()))
    return out


def test_caller_recompiled_against_a_cached_callee_runs_in_the_next_process(tmp_path):
    assert _three_processes(tmp_path, "fixed") == [(0, "11.0")] * 3   # 2 (3 x 1.5 + 1)


def test_without_the_fix_the_next_process_crashes(tmp_path):
    """The failure the fix prevents (if numba ever keeps reload_init itself, this says so)."""
    runs = _three_processes(tmp_path, "plain")
    assert runs[:2] == [(0, "11.0")] * 2
    if runs[2] == (0, "11.0"):
        pytest.skip("this numba keeps a cached library's reload_init by itself")
    assert runs[2][0] != 0
