"""The background compile of a job's later kernels (bifkit/_warmup.py, issue 16 item 4).

What must hold: argument types survive the manifest; a process that needs a
function another process is compiling waits for it and then loads it from the
disk cache (it is not compiled twice); the background process is off when it
must be (NUMBA_DISABLE_JIT, BIFKIT_WARMUP=0, no manifest entry, warm cache), is
reaped when the job ends (no zombie) and never changes a result.  The full
diagram job with and without it: ``test_diagram_numbers_same_with_and_without``
(slow) and ``benchmarks/cold_compile.py --keep DIR [--no-background]``.
"""
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(tmp_path, **extra):
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"),
               BIFKIT_CACHE=str(tmp_path / "bifkit"), PYTHONPATH=path)
    env.pop("NUMBA_DISABLE_JIT", None)
    env.pop("BIFKIT_WARMUP", None)
    env.update(extra)
    return env


def _run(code, env, timeout=600):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_argument_types_round_trip():
    from numba.core import types

    from bifkit import binding
    from bifkit._warmup import decode_args, encode_args
    args = (binding.F_TYPE, binding.JAC_TYPE, binding.C_TYPE, types.float64[:, ::1],
            types.float64[::1, :], types.int64[::1], types.complex128[::1], types.int64,
            types.boolean, types.float64, types.UniTuple(types.float64, 3))
    text = encode_args(args)
    assert all(isinstance(t, str) for t in text)
    assert decode_args(text) == args
    # a literal argument does not round-trip: left out of the manifest, not mistyped
    assert encode_args((types.IntegerLiteral(4),)) is None


def test_shipped_manifest_matches_the_code():
    """Every entry of the shipped manifest names a cached numba function of bifkit and
    argument types that decode (a renamed function means: rerun
    ``python benchmarks/cold_compile.py --record``)."""
    from numba.core.registry import CPUDispatcher

    from bifkit._warmup import _function, decode_args, load_manifest
    jobs = load_manifest()
    assert "diagram bi2021-fig1a --quick" in jobs
    items = jobs["diagram bi2021-fig1a --quick"]
    assert len(items) > 50
    for module, qualname, texts in items:
        assert module.startswith("bifkit."), module
        fn = _function(module, qualname)
        assert isinstance(fn, CPUDispatcher) and fn._cache.__class__.__name__ != "NullCache", \
            f"{module}.{qualname}"
        decode_args(texts)


def test_child_order(tmp_path, monkeypatch):
    """The child compiles the job's functions from the last one backwards (the job goes
    forwards: the two work on different functions and meet once)."""
    from bifkit import _warmup
    items = [["m", f"f{i}", []] for i in range(5)]
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"jobs": {"job": items}}))
    monkeypatch.setattr(_warmup, "MANIFEST", manifest)
    assert [q for _, q, _ in _warmup.child_order("job")] == ["f4", "f3", "f2", "f1", "f0"]
    assert _warmup.child_order("another") == []


def test_off_switches(tmp_path, monkeypatch):
    import numba

    from bifkit import _warmup
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"jobs": {"job": [["bifkit._kernel_support", "zeros1",
                                                      ["int64"]]]}}))
    monkeypatch.setattr(_warmup, "MANIFEST", manifest)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.delenv("BIFKIT_WARMUP", raising=False)
    assert _warmup.enabled_for("job") is not None
    assert _warmup.enabled_for("another job") is None            # no manifest entry
    monkeypatch.setenv("BIFKIT_WARMUP", "0")
    assert _warmup.enabled_for("job") is None
    monkeypatch.delenv("BIFKIT_WARMUP")
    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    assert _warmup.enabled_for("job") is None
    monkeypatch.setattr(numba.config, "DISABLE_JIT", False)
    marker = _warmup._marker("job", _warmup.load_manifest()["job"])
    marker.parent.mkdir(parents=True)
    marker.write_text("warm")
    assert _warmup.enabled_for("job") is None                    # the job ran on this cache


HOLDER = """
import os, sys, time
from bifkit import _warmup
from bifkit.dynamics import integrators
locks = _warmup._Locks(sys.argv[1])
with locks.hold(getattr(integrators, sys.argv[2])):
    print("held", flush=True)
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.01)
"""

WAITER = """
import sys, time
from bifkit import _warmup
from bifkit.dynamics import integrators
locks = _warmup._Locks(sys.argv[1])
fn = getattr(integrators, sys.argv[2])
print("trying", flush=True)
t = time.perf_counter()
with locks.hold(fn):
    pass
print(time.perf_counter() - t, flush=True)
"""


def _popen(code, *args, env):
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, text=True, cwd=str(ROOT))


def test_a_held_lock_makes_the_other_process_wait(tmp_path):
    """The lock of a function is per cache file and blocks a second process until released."""
    env, locks, release = _env(tmp_path), tmp_path / "locks", tmp_path / "release"
    holder = _popen(HOLDER, locks, "n_substeps", release, env=env)
    try:
        assert holder.stdout.readline().strip() == "held"
        other = _popen(WAITER, locks, "check_state", env=env)     # another function: free
        assert other.stdout.readline().strip() == "trying"
        assert float(other.stdout.readline()) < 0.5
        assert other.wait(timeout=30) == 0
        waiter = _popen(WAITER, locks, "n_substeps", env=env)
        assert waiter.stdout.readline().strip() == "trying"
        time.sleep(1.0)
        assert waiter.poll() is None                               # blocked by the holder
        release.write_text("")
        assert float(waiter.stdout.readline()) > 0.9
        assert waiter.wait(timeout=30) == 0
    finally:
        release.write_text("")
        holder.wait(timeout=30)


JOB = """
import json, os, sys, time
import numpy as np
import bifkit
from bifkit import _warmup
from bifkit.dynamics import integrators
_warmup.MANIFEST = __import__("pathlib").Path(os.environ["BIFKIT_WARMUP_MANIFEST"])
m = bifkit.Model(bifkit.define_model("wu_vdp", states={"x": 1.0, "y": 0.0},
                                     params={"mu": 1.5}, rhs=["y", "mu*(1 - x^2)*y - x"]))
with _warmup.background("job") as bg:
    started = bg is not None
    tr = bifkit.integrate(m, (0.0, 20.0), np.array([1.0, 0.0]), method="dopri",
                          rtol=1e-9, atol=1e-12)
    pid = bg.proc.pid if started else None
alive = False
if pid is not None:
    try:
        os.kill(pid, 0)
        alive = True          # still there (running or a zombie)
    except ProcessLookupError:
        pass
print(json.dumps(dict(started=started, alive=alive, y=tr.y[:, -1].tolist(),
                      n=len(tr.t))))
"""


def test_background_job_same_numbers_and_reaped(tmp_path):
    """A job with a background compile: same numbers as without, child reaped, marker set."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"jobs": {"job": [
        ["bifkit.dynamics.integrators", "n_substeps", ["float64", "float64"]],
        ["bifkit.dynamics.integrators", "no_such_function", ["float64"]],   # stale: skipped
    ]}}))
    runs = {}
    for name, switch in (("with", "1"), ("without", "0")):
        env = _env(tmp_path / name, BIFKIT_WARMUP=switch, BIFKIT_WARMUP_MANIFEST=str(manifest))
        runs[name] = json.loads(_run(JOB, env).strip().splitlines()[-1])
    assert runs["with"]["started"] and not runs["without"]["started"]
    assert not runs["with"]["alive"]                        # ended and reaped
    assert runs["with"]["y"] == runs["without"]["y"]        # bit for bit
    assert runs["with"]["n"] == runs["without"]["n"]
    log = (tmp_path / "with" / "numba" / "bifkit-warmup" / "background.log").read_text()
    assert "no_such_function" in log                        # the stale entry was skipped
    # the second run on the same cache finds the marker: no background process
    env = _env(tmp_path / "with", BIFKIT_WARMUP_MANIFEST=str(manifest))
    assert json.loads(_run(JOB, env).strip().splitlines()[-1])["started"] is False


@pytest.mark.slow
def test_diagram_numbers_same_with_and_without(tmp_path):
    """The main job on empty caches, with and without the background compile: same CSVs."""
    outs = {}
    for name, switch in (("with", "1"), ("without", "0")):
        env = _env(tmp_path / name, BIFKIT_WARMUP=switch)
        out = tmp_path / name / "out"
        proc = subprocess.run([sys.executable, "-m", "bifkit.cli", "diagram", "bi2021-fig1a",
                               "--quick", "--out", str(out)], env=env, capture_output=True,
                              text=True, timeout=3600, cwd=str(tmp_path))
        assert proc.returncode == 0, proc.stderr[-3000:]
        outs[name] = {p.name: p.read_text().splitlines() for p in sorted(out.glob("*.csv"))}
    assert outs["with"].keys() == outs["without"].keys() and outs["with"]
    for name, lines in outs["with"].items():
        # the first line holds the timings of the run; everything else must be identical
        assert lines[1:] == outs["without"][name][1:], name
