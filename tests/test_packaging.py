"""Packaging and habits: package discovery, one version, extras, logger, progress, BLAS threads.

The slow check (a fresh venv without dask: the sweep fails naming the extra, the rest works)
is documented in docs/install.md; these tests are the fast part.
"""
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import bifkit
from bifkit import _logging, _optional

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _setup_module():
    spec = importlib.util.spec_from_file_location("bifkit_setup", ROOT / "setup.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # __name__ is not "__main__": setup() is not called
    return mod


def test_every_package_directory_is_installed():
    """Every directory with an __init__.py under bifkit/, models/, diagrams/ is a package."""
    found = set(_setup_module().discover_packages())
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    expected = set()
    for name, directory in mapping.items():
        for init in (ROOT / directory).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / directory).parts
            if "__pycache__" not in rel:
                expected.add(".".join((name,) + rel))
    assert expected <= found, f"not installed: {sorted(expected - found)}"
    assert not any(p.startswith(("tests", "validation", "benchmarks")) for p in found)


def test_version_is_written_once():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bifkit.__version__"}
    assert importlib.metadata.version("bifkit") == bifkit.__version__
    assert bifkit.__version__ in (ROOT / "CHANGELOG.md").read_text()


def test_license_and_typing_marker():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "2026 bifkit developers" in text
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert (ROOT / "bifkit" / "py.typed").exists()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["bifkit"]


def _names(requirements):
    """Distribution names of requirement strings, with self-references (bifkit[x]) expanded."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    out = set()
    for req in requirements:
        name = re.match(r"[A-Za-z0-9_.-]+", req).group(0).lower()
        if name == "bifkit":
            for sub in re.search(r"\[(.*)\]", req).group(1).split(","):
                out |= _names(extras[sub])
        else:
            out.add(name)
            if "[distributed]" in req:
                out.add("distributed")
    return out


def test_extras_table_matches_pyproject():
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, packages in _optional.EXTRAS.items():
        assert _names(extras[extra]) == set(packages), extra
    assert _names(extras["all"]) == set().union(*_optional.EXTRAS.values())
    core = _names(PYPROJECT["project"]["dependencies"])
    for optional in ("dask", "distributed", "matplotlib", "tqdm", "pandas", "xarray", "zarr"):
        assert optional not in core, f"{optional} must be an extra, not a hard requirement"
    setup_sh = (ROOT / "tools" / "setup.sh").read_text()
    assert '".[all,test]"' in setup_sh  # the README's two commands install every extra


def test_import_bifkit_loads_no_optional_package():
    code = ("import sys, bifkit; print(json.dumps([m for m in "
            "('dask', 'distributed', 'matplotlib', 'tqdm', 'pandas', 'xarray', 'zarr') "
            "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True,
                         text=True, check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_missing_optional_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ImportError, match=r'pip install "bifkit\[dask\]"'):
        _optional.require("distributed", extra="dask")
    assert _optional.require("json", extra="dask") is json  # an installed module is returned
    with pytest.raises(ValueError, match="unknown bifkit extra"):
        _optional.require("json", extra="dsak")


def test_logger_is_silent_until_asked():
    log = logging.getLogger("bifkit")
    assert any(isinstance(h, logging.NullHandler) for h in log.handlers)
    stream = io.StringIO()
    before = list(log.handlers), log.level
    try:
        _logging.log_to_console("DEBUG", stream=stream)
        _logging.log_to_console("INFO", stream=stream)  # replaces, does not add a second one
        assert sum(getattr(h, "_bifkit_console", False) for h in log.handlers) == 1
        logging.getLogger("bifkit.some.module").info("hello %d", 7)
        logging.getLogger("bifkit.some.module").debug("not shown at INFO")
        assert "bifkit.some.module INFO: hello 7" in stream.getvalue()
        assert "not shown" not in stream.getvalue()
        with pytest.raises(ValueError, match="unknown logging level 'LOUD'"):
            _logging.log_to_console("LOUD")
    finally:
        log.handlers[:] = before[0]
        log.setLevel(before[1])


def test_progress_is_off_when_not_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert not _logging.progress_enabled(None, stream=io.StringIO())
    assert not _logging.progress_enabled(False, stream=Tty())
    assert _logging.progress_enabled(None, stream=Tty()) == (
        importlib.util.find_spec("tqdm") is not None)
    it = _logging.progress(range(3), desc="x")  # stderr under pytest is not a terminal
    assert type(it).__name__ == "range_iterator" and list(it) == [0, 1, 2]


BLAS_CHECK = ("import numpy, bifkit; from threadpoolctl import threadpool_info; "
              "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")


def _blas_threads(env):
    env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    out = subprocess.run([sys.executable, "-c", BLAS_CHECK], capture_output=True, text=True,
                         check=True, timeout=120, env=env)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs 2 cores to tell 1 BLAS thread from many")
def test_one_blas_thread_even_when_numpy_is_imported_first():
    unset = {v: None for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                               "BLIS_NUM_THREADS")}
    assert _blas_threads(unset) == 1       # numpy imported before bifkit: still one thread
    assert _blas_threads({**unset, "OPENBLAS_NUM_THREADS": "2"}) == 2  # the user's choice wins
    with pytest.raises(ValueError, match="integer >= 1"):
        from bifkit._threads import limit_blas_threads
        limit_blas_threads(0)


def test_data_files_are_shipped():
    """Every non-Python file that the installed code may read is matched by package-data
    (a new data file in models/ without a pattern would be missing from a wheel)."""
    import fnmatch
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    unshipped = []
    for package, directory in mapping.items():
        for path in (ROOT / directory).rglob("*"):
            rel = path.relative_to(ROOT / directory).as_posix()
            if (path.is_dir() or path.suffix in (".py", ".pyc", ".md")
                    or "__pycache__" in rel):
                continue
            if not any(fnmatch.fnmatch(rel, pat) for pat in data.get(package, [])):
                unshipped.append(f"{directory}/{rel}")
    assert not unshipped, f"not in [tool.setuptools.package-data]: {unshipped}"
