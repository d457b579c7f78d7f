"""mypy on the public API (``[tool.mypy]`` in pyproject.toml: the modules defining what
``bifkit`` exports, the CLI and the JSON encoding): no error beyond the baseline below.

The baseline lists the errors still open, per file, in code of other work (bodies that
issue 19 could only annotate, not change; its report names each one); the test fails on any new error, in any file, and says when a
count went down so that the baseline can be lowered. Seconds with mypy's cache (in
``.pytest_cache/mypy``), ~30 s cold.
"""
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

pytest.importorskip("mypy")  # the [test] extra
ROOT = Path(__file__).resolve().parents[1]

#: file -> number of mypy errors still open there (none: mypy is clean on the public API, and
#: any new error fails)
BASELINE: dict[str, int] = {}
ERROR = re.compile(r"^(?P<file>[^:\n]+):\d+: error: (?P<message>.*)$", re.MULTILINE)


def mypy_errors() -> dict[str, list[str]]:
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    if run.returncode not in (0, 1) or "error: " in run.stderr:  # 2: mypy itself failed
        raise RuntimeError(f"mypy did not run:\n{run.stdout}\n{run.stderr}")
    errors: dict[str, list[str]] = {}
    for m in ERROR.finditer(run.stdout):
        errors.setdefault(m["file"].replace("\\", "/"), []).append(m.group(0))
    return errors


def test_public_api_has_no_new_mypy_errors():
    errors = mypy_errors()
    new = {f: e for f, e in errors.items() if len(e) > BASELINE.get(f, 0)}
    assert not new, "new mypy errors on the public API:\n" + "\n".join(
        line for lines in new.values() for line in lines)
    fixed = {f: n for f, n in BASELINE.items() if len(errors.get(f, [])) < n}
    if fixed:
        warnings.warn(f"fewer mypy errors than the baseline in {sorted(fixed)}: lower "
                      f"BASELINE in tests/test_typing.py")
