"""Compile a job's numba functions on the second core while the job runs (issue 16, item 4).

On an empty numba cache the main job (``bifkit diagram bi2021-fig1a --quick``) spends
about four fifths of its CPU time compiling (``benchmarks/cold_compile.py``), one
function after the other, on one core.  :func:`background` starts a second process
that compiles, into the same numba disk cache, the functions the job will need
later, from the last one backwards, while the job itself computes and compiles
what it needs first, from the front (:func:`child_order`); they meet where their
work balances.

Coordination: one lock file per cached numba function (``fcntl.flock``), held by the
process that compiles the function until numba has saved it to the disk cache.  A
process that needs a function whose lock is held waits for it and then loads the
function from the disk cache instead of compiling it a second time.  Waits cannot
deadlock: a process holds the locks of a chain of callers only (compiling ``A`` holds
``A``'s lock while ``A``'s callees are compiled), and the call graph has no cycles;
a wait longer than :data:`WAIT_LIMIT` seconds ends the background process (the
operating system then releases its locks).  Holding the lock across numba's
save also keeps two processes from writing the same function's cache index at the
same time.  numba writes each cache file to a temporary name and renames it, so a
process that is stopped never leaves a partly written file.

What to compile, with which argument types, is read from
``_warmup_manifest.json`` next to this file: per job, the bifkit functions it
compiled on an empty cache, in the order they were compiled, recorded by
``python benchmarks/cold_compile.py --record``.  An entry that no longer matches
the code (a renamed function) is skipped; a function missing from it is compiled
by the job as before.  Either way the results are the same: only who compiles
what changes.

The background process is not started when ``NUMBA_DISABLE_JIT`` is set, when
``BIFKIT_WARMUP=0``, where ``fcntl`` is missing (Windows), when the manifest has
no entry for the job, or when the job has already finished once with this numba
cache (a marker file; it names the numba version and the manifest).  It is ended
(and reaped) when the job ends, and it stops by itself when its parent process is
gone.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("bifkit.warmup")

#: the manifest (``BIFKIT_WARMUP_MANIFEST`` replaces it, for tests)
MANIFEST = Path(os.environ.get("BIFKIT_WARMUP_MANIFEST")
                or Path(__file__).with_name("_warmup_manifest.json"))
#: seconds a process waits for another's lock before giving up on the background process
WAIT_LIMIT = 600.0

try:
    import fcntl
except ImportError:  # Windows: no background compile
    fcntl = None


# --------------------------------------------------------------------------- #
# The manifest: which functions a job compiles, with which argument types      #
# --------------------------------------------------------------------------- #
def _type_names() -> dict:
    """Names under which argument types are written in the manifest."""
    from numba.core import types

    from . import binding
    names = dict(vars(types))
    names.update({f"binding_{n}": t for n, t in vars(binding).items()
                  if isinstance(t, types.FunctionType)})
    return names


def encode_args(args) -> list | None:
    """Argument types as strings that :func:`decode_args` turns back into the same types.

    Returns None for a signature that does not round-trip (e.g. literal arguments).
    """
    from numba.core import types
    names = _type_names()
    functions = {t: n for n, t in names.items()
                 if n.startswith("binding_") and isinstance(t, types.FunctionType)}
    out = []
    for t in args:
        text = functions.get(t) or repr(t)
        try:
            ok = eval(text, {"__builtins__": {}}, names) == t  # noqa: S307 (numba type names only)
        except Exception:  # noqa: BLE001 (a repr that is not a constructor call)
            ok = False
        if not ok:
            return None
        out.append(text)
    return out


def decode_args(texts) -> tuple:
    """The numba argument types written by :func:`encode_args`."""
    names = _type_names()
    return tuple(eval(t, {"__builtins__": {}}, names) for t in texts)  # noqa: S307


def _read_manifest() -> dict:
    try:
        with open(MANIFEST) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def load_manifest() -> dict:
    """``{job: [[module, qualname, [arg types]], ...]}`` (empty if there is no manifest)."""
    return _read_manifest().get("jobs", {})


def child_order(job: str) -> list:
    """The manifest items of ``job`` in the order the background process compiles them.

    From the last to the first: the job compiles what it needs from the front of
    the manifest (its own order), the child from the back, so the two processes
    work on different functions from the start and meet once, wherever their work
    balances; a fixed split point could not follow changes in the code or in the
    machine's load.  (Working in the job's own order, the child was one function
    ahead of the job and the job waited for it function after function.)
    """
    return list(load_manifest().get(job, []))[::-1]


def _function(module: str, qualname: str):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


# --------------------------------------------------------------------------- #
# Locks around numba's compile-and-save                                        #
# --------------------------------------------------------------------------- #
class _Locks:
    """Per-function file locks taken around ``Dispatcher.compile`` of cached functions."""

    def __init__(self, directory: Path, on_timeout=None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.held: dict = {}          # path -> [fd, depth]
        self.on_timeout = on_timeout  # called once when a wait exceeds WAIT_LIMIT
        self.waited = 0.0             # seconds spent waiting for the other process

    def path_for(self, disp) -> Path | None:
        cache_file = getattr(getattr(disp, "_cache", None), "_cache_file", None)
        index = getattr(cache_file, "_index_path", None)
        if index is None:
            return None              # not cached on disk: nothing to share
        return self.directory / (hashlib.sha1(index.encode()).hexdigest()[:20] + ".lock")

    @contextlib.contextmanager
    def hold(self, disp):
        path = self.path_for(disp)
        if path is None or fcntl is None:
            yield
            return
        entry = self.held.get(path)
        if entry is not None:        # re-entered in this process (a nested compile)
            entry[1] += 1
            try:
                yield
            finally:
                entry[1] -= 1
            return
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            self._acquire(fd)
            self.held[path] = [fd, 1]
            try:
                yield
            finally:
                del self.held[path]
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _acquire(self, fd) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        t0 = time.perf_counter()
        while True:
            time.sleep(0.02)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.perf_counter() - t0 > WAIT_LIMIT and self.on_timeout is not None:
                    log.warning("waited %.0f s for a compile of the background process; "
                                "stopping it", WAIT_LIMIT)
                    self.on_timeout()
                    self.on_timeout = None
        self.waited += time.perf_counter() - t0


_active: _Locks | None = None


def _install(locks: _Locks) -> None:
    """Route numba's ``Dispatcher.compile`` through ``locks`` (once per process)."""
    global _active
    from numba.core import sigutils
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.dispatcher import Dispatcher

    _active = locks
    original = Dispatcher.compile
    if getattr(original, "_bifkit_warmup", False):
        return

    def compile(self, sig):
        locks = _active
        if locks is None:
            return original(self, sig)
        with global_compiler_lock:
            args, _ = sigutils.normalize_signature(sig)
            if tuple(args) in self.overloads:
                return original(self, sig)
            with locks.hold(self):
                return original(self, sig)   # loads what the other process saved, or compiles

    compile._bifkit_warmup = True
    compile.__wrapped__ = original
    Dispatcher.compile = compile


def _uninstall() -> None:
    global _active
    _active = None


# --------------------------------------------------------------------------- #
# The main process side                                                        #
# --------------------------------------------------------------------------- #
def _state_dir() -> Path:
    """Where locks and markers live: beside numba's cache (one set per cache)."""
    import numba
    root = numba.config.CACHE_DIR
    if not root:
        root = os.environ.get("BIFKIT_CACHE") or os.path.join(
            os.path.expanduser("~"), ".cache", "bifkit")
    return Path(root) / "bifkit-warmup"


def _marker(job: str, items: list) -> Path:
    import numba
    key = json.dumps([job, numba.__version__, sys.version, items])
    return _state_dir() / ("done-" + hashlib.sha1(key.encode()).hexdigest()[:20])


def enabled_for(job: str) -> list | None:
    """The manifest items of ``job`` if a background compile should run for it, else None."""
    if fcntl is None or os.environ.get("BIFKIT_WARMUP", "1") == "0":
        return None
    import numba
    if numba.config.DISABLE_JIT:
        return None
    items = load_manifest().get(job)
    if not items or _marker(job, items).exists():
        return None
    return items


class Background:
    """A running background compile; :meth:`close` ends and reaps it."""

    def __init__(self, job: str, items: list):
        self.job, self.items = job, items
        directory = _state_dir()
        self.locks = _Locks(directory / "locks", on_timeout=self.stop)
        env = dict(os.environ, BIFKIT_WARMUP_CHILD="1")
        directory.mkdir(parents=True, exist_ok=True)
        self.log_path = directory / "background.log"   # a file, not a pipe: never blocks
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bifkit._warmup", "child", job, str(directory / "locks")],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _install(self.locks)
        log.info("background compile of %d functions for %s started (pid %d)",
                 len(items), job, self.proc.pid)

    def stop(self) -> None:
        """End the background process (if running) and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)   # it stops after saving the current function
            try:
                self.proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()

    def close(self, completed: bool) -> None:
        """Stop the background process; mark the cache warm if the job ``completed``."""
        self.stop()
        _uninstall()
        note = (f"{self.job}: background compile ended (exit {self.proc.returncode}); the job "
                f"waited {self.locks.waited:.1f} s for it")
        log.info(note)
        with contextlib.suppress(OSError), open(self.log_path, "a") as f:
            f.write(note + "\n")
        if completed:
            marker = _marker(self.job, self.items)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{self.job}: numba cache warm for this manifest\n")


@contextlib.contextmanager
def background(job: str):
    """Run the body with a background compile of ``job``'s functions (when useful).

    Parameters
    ----------
    job : str
        A key of the manifest, e.g. ``"diagram bi2021-fig1a --quick"``.

    Yields
    ------
    Background or None
        None when no background process was started (see the module docstring).
    """
    items = None if os.environ.get("BIFKIT_WARMUP_CHILD") else enabled_for(job)
    if items is None:
        yield None
        return
    bg = Background(job, items)
    completed = False
    try:
        yield bg
        completed = True
    finally:
        bg.close(completed)


# --------------------------------------------------------------------------- #
# The background process                                                       #
# --------------------------------------------------------------------------- #
_stop_requested = False


def _request_stop(signum, frame) -> None:
    global _stop_requested
    _stop_requested = True


def child(job: str, lock_dir: str) -> int:
    """Compile ``job``'s manifest functions in :func:`child_order` (the child's main)."""
    signal.signal(signal.SIGTERM, _request_stop)
    parent = os.getppid()
    importlib.import_module("bifkit._kernel_support")   # compile as the job does (see there)
    _install(_Locks(Path(lock_dir)))
    items = child_order(job)
    trace = os.environ.get("BIFKIT_WARMUP_TRACE")   # a file: one line per item, wall times
    if trace:
        with open(trace, "a") as f:
            f.write(json.dumps([time.time(), time.time(), "<child started>"]) + "\n")
    done = 0
    for module, qualname, texts in items:
        if _stop_requested or os.getppid() != parent:
            break
        t0 = time.time()
        try:
            fn, args = _function(module, qualname), decode_args(texts)
            if args not in fn.overloads:   # (explicit signatures: compiled at import)
                fn.compile(args)
            done += 1
        except Exception as exc:  # noqa: BLE001 (a stale entry: the job compiles it itself)
            log.warning("skipped %s.%s: %s: %s", module, qualname, type(exc).__name__,
                        str(exc)[:300])
        if trace:
            with open(trace, "a") as f:
                f.write(json.dumps([t0, time.time(), f"{module}.{qualname}"]) + "\n")
    log.info("compiled or found %d of %d functions", done, len(items))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        raise SystemExit(child(sys.argv[2], sys.argv[3]))
    raise SystemExit("usage: python -m bifkit._warmup child JOB LOCK_DIR")
