"""Writing results without losing them.

Two rules, used by every command that writes a file:

1. **Check the output path before computing** (:func:`check_output_path`,
   :func:`check_output_dir` for commands that write a folder): a
   missing folder is created, a path under a regular file, an existing folder in
   place of the file or an unwritable folder is an error at once, not after an
   hour of computing.
2. **Write atomically** (:func:`atomic_path`, :func:`write_text`): the result
   goes to a temporary file in the target folder, which is renamed over the
   target (``os.replace``) only when complete; a crash or a full disk never
   leaves a truncated file under the final name.  A failed write raises
   :class:`~bifkit.errors.OutputError`, which keeps the result in memory
   (``.result``) and names the file that failed.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import InputError, OutputError


def check_output_path(path, what: str = "--out", *, create: bool = True) -> Path:
    """Check that a result can be written to ``path``; create its folder if missing.

    Raises
    ------
    InputError
        The path is empty, an existing folder, below a regular file, or its
        folder cannot be created or is not writable.
    """
    if path is None or str(path).strip() == "":
        raise InputError(f"{what}: an output path is needed")
    p = Path(path).expanduser()
    if p.is_dir():
        raise InputError(f"{what} {str(path)!r} is a folder; give a file name inside it")
    for parent in p.parents:  # a component that exists as a regular file blocks the path
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{what} {str(path)!r}: {str(parent)!r} is a file, not a folder")
            break
    folder = p.parent
    if not folder.exists():
        if not create:
            raise InputError(f"{what} {str(path)!r}: folder {str(folder)!r} does not exist")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"{what} {str(path)!r}: cannot create folder {str(folder)!r} "
                             f"({e.strerror or e})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{what} {str(path)!r}: folder {str(folder)!r} is not writable")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(f"{what} {str(path)!r} exists and is not writable")
    return p


def check_output_dir(path, what: str = "--out") -> Path:
    """Check (and create if missing) an output folder before computing.

    Raises
    ------
    InputError
        The path is empty, an existing file, below a regular file, or cannot be
        created or written.
    """
    if path is None or str(path).strip() == "":
        raise InputError(f"{what}: an output folder is needed")
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise InputError(f"{what} {str(path)!r} is a file, not a folder")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{what} {str(path)!r}: {str(parent)!r} is a file, not a folder")
            break
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{what} {str(path)!r}: cannot create the folder "
                         f"({e.strerror or e})") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise InputError(f"{what} {str(path)!r}: folder is not writable")
    return p


@contextlib.contextmanager
def atomic_path(path, *, result=None):
    """A temporary path beside ``path``, renamed to ``path`` when the block succeeds.

    The temporary name keeps the suffix of ``path`` (``np.savez`` appends
    ``.npz`` to names without it), so any writer that takes a file name can be
    used::

        with atomic_path("out/run.npz") as tmp:
            np.savez(tmp, ...)

    On any error in the block the temporary file is removed and an
    :class:`OutputError` (carrying ``result``) is raised.
    """
    final = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}",
                                   dir=final.parent if str(final.parent) else ".")
        os.close(fd)
    except OSError as e:
        raise OutputError(_failed(final, e, result), final, result) from e
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, OutputError):
            raise OutputError(_failed(final, e, result), final, result) from e
        raise


def _failed(final: Path, e: OSError, result) -> str:
    """'cannot write X: reason' and, when the caller passed the result, where it is now."""
    msg = f"cannot write {str(final)!r}: {e.strerror or e}"
    if result is not None:
        msg += (f"; the result is kept in memory (OutputError.result): save it elsewhere, "
                f"e.g. under {tempfile.gettempdir()!r}")
    return msg


def atomic_save(save, path, *, suffixes=(".npz",), default=".npz", result=None) -> Path:
    """``save(tmp)`` for a writer that takes a file name, made atomic; returns the final path.

    For writers that append ``default`` to a name without one of ``suffixes``
    (``np.savez``, ``Branch.save``, ``SimulationResult.save``), the final name is
    what the writer would have produced.
    """
    final = Path(path)
    if final.suffix not in suffixes:
        final = final.with_name(final.name + default)
    with atomic_path(final, result=result) as tmp:
        save(tmp)
    return final


def save_or_rescue(save, path, **kw) -> Path:
    """:func:`atomic_save`, and if that fails, the same to a rescue file in the temporary
    folder; the OutputError then names where the result went (``.path`` the rescue file).

    Raises
    ------
    OutputError
        Always when ``path`` could not be written (with the rescue file, if any, named).
    """
    try:
        return atomic_save(save, path, **kw)
    except OutputError as first:
        rescue = Path(tempfile.gettempdir()) / f"bifkit-rescued-{os.getpid()}-{Path(path).name}"
        try:
            saved = atomic_save(save, rescue, **kw)
        except OutputError:
            raise first from None
        raise OutputError(f"{first}; the result was saved to {str(saved)!r} instead", saved,
                          kw.get("result")) from None


def write_text(path, text: str, *, result=None) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, result=result) as tmp:
        tmp.write_text(text)
    return Path(path)


def read_npz(path, what: str = "--from"):
    """Open an ``.npz`` input file with a clear error if it is missing or damaged.

    Returns the open ``numpy.lib.npyio.NpzFile`` (use it as a context manager).
    """
    import zipfile

    import numpy as np

    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} {str(path)!r}: no such file")
    if p.is_dir():
        raise InputError(f"{what} {str(path)!r} is a folder, not a file")
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":
        raise InputError(f"{what} {str(path)!r} is not an .npz file (no zip header; "
                         f"{'empty' if not head else 'another format'})")
    try:
        data = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{what} {str(path)!r} is truncated or damaged ({e})") from None
    if not hasattr(data, "files"):
        raise InputError(f"{what} {str(path)!r} holds a single array, not an .npz archive")
    try:  # a truncated archive can open and fail on the first member only
        for name in data.files:
            data[name]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        data.close()
        raise InputError(f"{what} {str(path)!r} is damaged (member unreadable: {e})") from None
    return data


def load_branch_file(path, what: str = "--from"):
    """``Branch.load(path)`` with a clear InputError for a missing, damaged or foreign file."""
    import json

    from .continuation.branch import Branch

    read_npz(path, what).close()
    try:
        return Branch.load(path)
    except (KeyError, ValueError, TypeError, json.JSONDecodeError) as e:
        raise InputError(f"{what} {str(path)!r} is not a branch saved by bifkit "
                         f"({type(e).__name__}: {e})") from None
