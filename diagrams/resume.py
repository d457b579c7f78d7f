"""Resumable recipe runs: every finished phase is saved and reused on a rerun.

A full-resolution figure takes from tens of minutes to hours on a loaded machine.  A recipe
splits its work into *phases* (a scan, one curve family, one row of a region grid, one
network point, ...) and runs each through :meth:`PhaseStore.run`.  With a directory given,
the result of a finished phase is pickled there under the phase's name and a digest of the
recipe's settings; a rerun with the same settings loads it instead of computing it again, so
an interrupted run (timeout, kill, crash) loses at most the phase it was in.  Changed
settings give another digest and nothing stale is reused.  The wall time each phase took
when it was computed is kept beside it (``timings.csv``), from which the cost of a whole run
can be estimated.

Only the settings enter the digest, not the code: after a change of the code that a phase
runs, delete the directory (or pass ``store=None``) to recompute.

>>> store = PhaseStore(out / "bi2021-fig1b_resume", settings)       # doctest: +SKIP
>>> seeds = store.run("scan", seed_scan, plane, y_lines, x_start)    # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("bifkit.diagrams.resume")

#: bumped when the pickled layout of the phases changes (old files are then ignored)
FORMAT = 1


def settings_digest(settings) -> str:
    """A short hex digest of ``settings`` (dicts, lists, numbers, strings, numpy arrays).

    Equal settings give equal digests across runs (a canonical JSON form: sorted keys,
    arrays as lists, floats by ``repr``); raises TypeError for anything else.
    """
    text = json.dumps(_plain(settings), sort_keys=True)
    return hashlib.sha256(f"{FORMAT}:{text}".encode()).hexdigest()[:12]


def _plain(v):
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, str) or v is None:
        return v
    raise TypeError(f"settings_digest: cannot digest a {type(v).__name__} ({v!r})")


def _safe(phase: str) -> str:
    """A file-name-safe form of a phase name ("regions row 3" -> "regions_row_3")."""
    if not phase:
        raise ValueError("a phase needs a non-empty name")
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", phase)


class PhaseStore:
    """Save and reuse the results of a recipe's phases (see the module docstring).

    Parameters
    ----------
    directory : path or None
        Where the phases are kept (created when needed).  None: nothing is saved or reused,
        :meth:`run` just calls the function (quick runs, tests).
    settings : dict
        The recipe's settings; their digest is part of every file name.
    """

    def __init__(self, directory, settings):
        self.directory = None if directory is None else Path(directory)
        self.digest = settings_digest(settings)
        self.timings: dict[str, tuple[float, bool]] = {}  # phase -> (seconds, reused)

    def path(self, phase: str) -> Path:
        if self.directory is None:
            raise ValueError("this PhaseStore keeps nothing (directory=None)")
        return self.directory / f"{_safe(phase)}-{self.digest}.pkl"

    def run(self, phase: str, compute, *args, **kwargs):
        """``compute(*args, **kwargs)``, or its saved result from an earlier run.

        The result is saved only when ``compute`` returns (an exception saves nothing); it
        is written to a temporary file and renamed, so a run killed while saving leaves no
        half-written phase.  The result must be picklable.
        """
        if self.directory is not None:
            path = self.path(phase)
            if path.exists():
                try:
                    with path.open("rb") as fh:
                        saved = pickle.load(fh)
                    self.timings[phase] = (float(saved["seconds"]), True)
                    log.info("phase %s: reused %s (computed in %.1f s)", phase, path.name,
                             saved["seconds"])
                    return saved["result"]
                except (OSError, EOFError, pickle.UnpicklingError, KeyError) as e:
                    log.warning("phase %s: %s unreadable (%s); computing again", phase,
                                path.name, e)
        t0 = time.perf_counter()
        result = compute(*args, **kwargs)
        seconds = time.perf_counter() - t0
        self.timings[phase] = (seconds, False)
        if self.directory is not None:
            self._save(phase, result, seconds)
        return result

    def _save(self, phase, result, seconds):
        path = self.path(phase)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump({"phase": phase, "seconds": seconds, "result": result}, fh)
        os.replace(tmp, path)
        with (path.parent / "timings.csv").open("a") as fh:
            fh.write(f"{self.digest},{_safe(phase)},{seconds:.2f},"
                     f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())}\n")
        log.info("phase %s: %.1f s, saved as %s", phase, seconds, path.name)

    def total(self, prefix: str = "") -> float:
        """Seconds the phases whose name starts with ``prefix`` took when computed
        (reused ones counted with their original time)."""
        return sum(s for p, (s, _r) in self.timings.items() if p.startswith(prefix))

    def summary(self) -> str:
        """One line: phases computed and reused in this run and their original time."""
        new = [s for s, r in self.timings.values() if not r]
        old = [s for s, r in self.timings.values() if r]
        return (f"{len(new)} phases computed ({sum(new):.0f} s), {len(old)} reused "
                f"(originally {sum(old):.0f} s)")


def resume_store(out, name: str, settings: dict, quick: bool) -> PhaseStore:
    """The store of recipe ``name``: ``<out>/<name>_resume`` in full mode, nothing kept in
    quick mode (quick runs are short and run in the tests)."""
    return PhaseStore(None if quick else Path(out) / f"{name}_resume", settings)
