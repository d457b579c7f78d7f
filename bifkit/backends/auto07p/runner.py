"""Running a compiled AUTO-07p executable in a private directory.

AUTO reads its constants from ``fort.2`` (key = value format, manual ch. 10)
and the starting solution from ``fort.3``, and writes ``fort.7``, ``fort.8``
and ``fort.9`` into its working directory.  Two runs that shared a directory
would overwrite each other's files, so every :class:`Workspace` is a fresh
temporary directory; the runs of one continuation (e.g. the two directions
of ``direction="both"``) run one after the other inside it.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def format_constants(constants: dict) -> str:
    """AUTO constants as the text of a fort.2 / c. file."""
    def fmt(v):
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, bool):
            return str(int(v))
        if isinstance(v, float):
            if math.isinf(v):
                return "1.0e300" if v > 0 else "-1.0e300"
            return repr(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(fmt(a) for a in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{fmt(k)}: {fmt(a)}" for k, a in v.items()) + "}"
        if isinstance(v, str):
            return repr(v)
        return str(v)
    return "".join(f"{k} = {fmt(v)}\n" for k, v in constants.items())


@dataclass
class RunOutput:
    """The files of one AUTO run and its wall time (seconds, process start to exit)."""

    fort7: str
    fort8: str
    fort9: str
    stdout: str
    stderr: str
    returncode: int
    seconds: float


class Workspace:
    """A private temporary directory for the AUTO runs of one continuation.

    Use as a context manager; the directory is removed on exit unless
    ``keep=True`` (or ``$BIFKIT_AUTO_KEEP`` is set), for debugging.
    """

    def __init__(self, exe: Path, keep: bool = False):
        self.exe = Path(exe)
        self.keep = keep or bool(os.environ.get("BIFKIT_AUTO_KEEP"))
        self.path = Path(tempfile.mkdtemp(prefix="bifkit-auto07p-"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)

    def run(self, constants: dict, start: str | None, timeout: float = 600.0,
            exe: Path | None = None) -> RunOutput:
        """Run AUTO once with ``constants`` and the solution file text ``start``
        (with the workspace's executable, or ``exe``)."""
        for name in ("fort.7", "fort.8", "fort.9", "fort.3"):
            (self.path / name).unlink(missing_ok=True)
        (self.path / "fort.2").write_text(format_constants(constants))
        if start is not None:
            (self.path / "fort.3").write_text(start)
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([str(exe or self.exe)], cwd=self.path, capture_output=True,
                                  text=True, timeout=timeout, env=env,
                                  stdin=subprocess.DEVNULL)
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = -9, str(e.stdout or ""), f"AUTO-07p timed out after {timeout} s"
        seconds = time.perf_counter() - t0

        def read(name):
            p = self.path / name
            return p.read_text() if p.exists() else ""
        return RunOutput(read("fort.7"), read("fort.8"), read("fort.9"), out, err, rc, seconds)
