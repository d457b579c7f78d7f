"""Issue 20: one exit-code convention for every subcommand, and no result lost on output.

Convention (bifkit/cli.py): 0 success; 1 the computation failed or its result could not be
written (then it is printed on stdout); 2 bad input or usage; 130 interrupted.  Output
paths are checked (missing folders created) before computing, and files are written
atomically (temporary file + rename), so a failed write never leaves a truncated file.
"""
import errno
import importlib
import json
import subprocess
import sys

import numpy as np
import pytest

import bifkit.dynamics  # noqa: F401  (loads the modules patched below)
from bifkit import _io
from bifkit.cli import main
from bifkit.errors import ComputationError, OutputError


def _patch_replace(monkeypatch, replace):
    """``os.replace`` as bifkit._io sees it, and only there (patching the os module itself
    would also fail numba's and the kernel cache's own writes on a cold cache)."""
    import os

    class OsOfIo:
        def __getattr__(self, name):
            return getattr(os, name)
    proxy = OsOfIo()
    proxy.replace = replace
    monkeypatch.setattr(_io, "os", proxy)

INTEGRATE = ["integrate", "mpr", "--T", "2", "--sample", "0.5"]


def test_out_in_a_missing_folder_is_created_before_the_run_and_written_atomically(tmp_path,
                                                                                  capsys):
    out = tmp_path / "new" / "deeper" / "run.npz"
    assert main(INTEGRATE + ["--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    with np.load(out) as d:
        assert d["t"].shape == (5,) and json.loads(str(d["summary"]))["samples"] == 5
    assert summary["samples"] == 5
    assert [p.name for p in out.parent.iterdir()] == ["run.npz"]   # no temporary file left


@pytest.mark.parametrize("suffix", [".json", ".csv", ".npz"])
def test_a_failed_write_prints_the_result_keeps_the_old_file_and_exits_1(tmp_path, capsys,
                                                                         monkeypatch, suffix):
    out = tmp_path / f"run{suffix}"
    out.write_text("previous result")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")
    _patch_replace(monkeypatch, disk_full)
    assert main(INTEGRATE + ["--out", str(out)]) == 1
    cap = capsys.readouterr()
    assert "No space left on device" in cap.err and str(out) in cap.err
    assert "printed on stdout" in cap.err
    assert len(cap.err.strip().splitlines()) == 1 and "Traceback" not in cap.err
    # the result is on stdout: the summary first, then the full result (all samples)
    lines = cap.out.strip().splitlines()
    assert json.loads(lines[0])["samples"] == 5
    if suffix == ".csv":
        assert lines[1].startswith("t,R,V") and len(lines) == 1 + 1 + 5
    else:
        full = json.loads("\n".join(lines[1:]))
        assert len(full["t"]) == 5 if suffix == ".npz" else len(full["x_final"]) == 2
    assert out.read_text() == "previous result"              # untouched, not truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]   # temp file removed


def test_lyapunov_output_is_checked_before_the_run(tmp_path, capsys, monkeypatch):
    # the run would take long; the bad path must be reported without starting it
    ly = importlib.import_module("bifkit.dynamics.lyapunov")
    monkeypatch.setattr(ly, "lyapunov_spectrum", lambda *a, **k: pytest.fail("computed"))
    (tmp_path / "f").write_text("")
    assert main(["lyapunov", "mpr", "--T", "1e9", "--dt", "0.01",
                 "--out", str(tmp_path / "f" / "l.npz")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_exit_codes_failed_computation_interrupt_and_internal_error(capsys, monkeypatch):
    integ = importlib.import_module("bifkit.dynamics.integrate")   # (the package exports the function)

    def boom(exc):
        def f(*a, **k):
            raise exc
        return f
    for exc, code, text in [(ComputationError("the transient did not finish"), 1,
                             "the transient did not finish"),
                            (KeyboardInterrupt(), 130, "interrupted"),
                            (ZeroDivisionError("oops"), 1, "internal error ZeroDivisionError")]:
        monkeypatch.setattr(integ, "integrate", boom(exc))
        assert main(INTEGRATE) == code
        err = capsys.readouterr().err
        assert text in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("BIFKIT_TRACEBACK", "1")
    assert main(INTEGRATE) == 1
    assert "Traceback" in capsys.readouterr().err   # on request


def test_a_run_that_stops_early_exits_1(capsys, monkeypatch):
    integ = importlib.import_module("bifkit.dynamics.integrate")
    real = integ.integrate
    monkeypatch.setattr(integ, "integrate", lambda *a, **k: real(*a, **{**k, "max_steps": 3}))
    assert main(INTEGRATE) == 1
    assert json.loads(capsys.readouterr().out)["status"] == -1


def test_atomic_path_removes_the_temporary_file_and_keeps_the_result(tmp_path):
    target = tmp_path / "x.npz"
    with pytest.raises(OutputError) as info:
        with _io.atomic_path(target, result={"answer": 42}) as tmp:
            assert tmp.suffix == ".npz" and tmp.parent == tmp_path
            tmp.write_text("half")
            raise OSError(errno.EIO, "I/O error")
    assert info.value.result == {"answer": 42} and info.value.path == str(target)
    assert "kept in memory" in str(info.value) and "I/O error" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    with _io.atomic_path(target) as tmp:
        np.savez(tmp, a=np.arange(3))
    with _io.read_npz(target) as d:
        assert list(d["a"]) == [0, 1, 2]


def test_the_installed_command_follows_the_convention():
    # the real entry point, in a subprocess: one line on stderr, exit code 2
    r = subprocess.run([sys.executable, "-m", "bifkit.cli", "integrate", "mpr", "--T", "1",
                        "--set", "J=abc"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip() == "bifkit: J = 'abc' is not a number"


def test_save_or_rescue_saves_to_the_temporary_folder_when_the_target_fails(tmp_path,
                                                                           monkeypatch):
    real, calls = _io.os.replace, []   # the real os.replace (before patching)

    def full_once(src, dst):   # the first rename (the real target) fails: disk full
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)
    _patch_replace(monkeypatch, full_once)
    with pytest.raises(OutputError, match="saved to .*bifkit-rescued-.*branch.npz") as info:
        _io.save_or_rescue(lambda p: np.savez(p, x=np.arange(4.0)), tmp_path / "branch")
    try:
        with np.load(info.value.path) as d:
            assert list(d["x"]) == [0, 1, 2, 3]
    finally:
        _io.os.unlink(info.value.path)
    assert list(tmp_path.iterdir()) == []


def test_continue_whose_save_fails_keeps_the_branch_in_a_rescue_file(tmp_path, capsys,
                                                                    monkeypatch):
    real, calls = _io.os.replace, []   # the real os.replace (before patching)

    def full_once(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)
    _patch_replace(monkeypatch, full_once)
    out = tmp_path / "ep.npz"
    code = main(["continue", "mpr", "--curve", "EP-C", "--free", "eta", "--bounds",
                 "eta=-10:0", "--max-points", "10", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "saved to" in err
    rescued = err.split("saved to '")[1].split("'")[0]
    try:
        import bifkit
        assert len(bifkit.Branch.load(rescued)) > 5   # the whole branch, reloadable
    finally:
        _io.os.unlink(rescued)
    assert not out.exists()
