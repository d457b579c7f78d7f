"""Finding the installed AUTO-07p and compiling user files against it.

The Debian package ``auto-07p`` installs AUTO's compiled objects in
``/usr/lib/auto-07p/lib`` (``*.o``); its ``cmds.make`` links a Fortran user
file as ``gfortran -fopenmp <user>.o $AUTO_DIR/lib/*.o -o <user>.exe``.  We do
the same, once per generated source: the executable is cached under the
bifkit cache directory by a hash of the source and of the compiler command, so
a second run (or a second Python process) never recompiles.

``AUTO_DIR`` (environment) overrides the location, as for AUTO's own scripts.
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

FFLAGS = ["-O2", "-fPIC", "-std=legacy", "-fopenmp", "-ffree-line-length-none"]


def auto_dir() -> Path | None:
    """The AUTO-07p installation directory (with ``lib/*.o``), or None."""
    candidates = [os.environ.get("AUTO_DIR"), "/usr/lib/auto-07p"]
    exe = shutil.which("auto-07p")
    if exe:
        candidates.append(str(Path(exe).resolve().parent.parent / "lib" / "auto-07p"))
    for c in candidates:
        if c and glob.glob(os.path.join(c, "lib", "*.o")):
            return Path(c)
    return None


def compiler() -> str | None:
    """The Fortran compiler (``$FC`` or gfortran), or None."""
    fc = os.environ.get("FC") or "gfortran"
    return shutil.which(fc)


def available() -> bool:
    """Whether AUTO-07p's objects and a Fortran compiler are installed."""
    return auto_dir() is not None and compiler() is not None


def missing_message() -> str:
    """Why the backend is unavailable (empty string if it is available)."""
    if auto_dir() is None:
        return ("AUTO-07p is not installed (no lib/*.o under $AUTO_DIR or /usr/lib/auto-07p); "
                "install it with `apt-get install -y auto-07p gfortran`")
    if compiler() is None:
        return "no Fortran compiler (gfortran) found; install it with `apt-get install -y gfortran`"
    return ""


def _cache_root() -> Path:
    root = os.environ.get("BIFKIT_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "bifkit")
    path = Path(root) / "auto07p"
    path.mkdir(parents=True, exist_ok=True)
    return path


class BuildInfo:
    """Path of a compiled executable and how long compiling took (0 when cached)."""

    def __init__(self, exe: Path, compile_seconds: float, source: Path):
        self.exe, self.compile_seconds, self.source = exe, compile_seconds, source


def build(source: str, tag: str = "model") -> BuildInfo:
    """Compile ``source`` (Fortran 90) and link it with AUTO; cached by content hash.

    Raises
    ------
    RuntimeError
        If AUTO or the compiler is missing, or compilation fails (with the
        compiler's message).
    """
    msg = missing_message()
    if msg:
        raise RuntimeError(msg)
    fc, adir = compiler(), auto_dir()
    objects = sorted(glob.glob(str(adir / "lib" / "*.o")))
    stamp = "|".join([fc, *FFLAGS, *objects])
    digest = hashlib.sha256((stamp + "\n" + source).encode()).hexdigest()[:20]
    safe = "".join(c if c.isalnum() else "_" for c in tag)
    folder = _cache_root() / f"{safe}_{digest}"
    exe = folder / f"{safe}.exe"
    src = folder / f"{safe}.f90"
    if exe.exists():
        return BuildInfo(exe, 0.0, src)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp_src = folder / f"{safe}.{os.getpid()}.f90"
    tmp_src.write_text(source)
    obj = folder / f"{safe}.{os.getpid()}.o"
    tmp_exe = folder / f"{safe}.{os.getpid()}.exe"
    for cmd in ([fc, *FFLAGS, "-c", str(tmp_src), "-o", str(obj)],
                [fc, *FFLAGS, str(obj), *objects, "-o", str(tmp_exe)]):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=folder)
        if proc.returncode != 0:
            raise RuntimeError(f"compiling the AUTO-07p user file failed:\n{' '.join(cmd)}\n"
                               f"{proc.stderr[-4000:]}")
    os.replace(tmp_src, src)
    os.replace(tmp_exe, exe)  # atomic: concurrent builds never see half a file
    obj.unlink(missing_ok=True)
    return BuildInfo(exe, time.perf_counter() - t0, src)
