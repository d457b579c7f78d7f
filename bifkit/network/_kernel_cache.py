"""Keep numba's on-disk cache of the network kernels consistent with their sources.

numba keys a cached function on its *own* source file only. The network kernels call compiled
code from other files: the event loop of ``_delayed_kernel.py`` calls the model operations of
``_lif_kernel.py`` and ``_theta_kernel.py`` (overloads), every kernel calls ``_queue.py`` and
``_events.py``. After an edit of one of those, the cached loop would still run the old code (with
a changed state layout: out-of-bounds writes and a crash). So, once per process, a hash of all
kernel sources is compared with the one recorded beside the cache; if it differs (or is missing),
the package's cached kernels are removed and numba compiles them again.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

logger = logging.getLogger("bifkit.network.kernels")

HERE = Path(__file__).resolve().parent
STAMP = "bifkit_network_kernels.sha1"
_checked = False


def kernel_sources() -> list[Path]:
    """Source files whose compiled functions call each other (the hash covers all of them)."""
    return sorted([*HERE.glob("_*.py"), HERE / "connectivity.py", HERE / "reference.py"])


def sources_hash() -> str:
    h = hashlib.sha1()
    for path in kernel_sources():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path:
    """Where numba caches this package's functions (in-tree ``__pycache__`` or the user cache)."""
    try:
        from ._queue import heap_push
        return Path(heap_push._cache._cache_path)
    except Exception:  # noqa: BLE001 - internal numba attribute; fall back to numba's default
        return HERE / "__pycache__"


def ensure_consistent_cache() -> None:
    """Drop the package's cached kernels if any kernel source changed since they were written."""
    global _checked
    if _checked:
        return
    _checked = True
    try:
        folder = cache_dir()
        digest = sources_hash()
        stamp = folder / STAMP
        if stamp.exists() and stamp.read_text().strip() == digest:
            return
        stale = [p for p in folder.glob("*.nb[ic]")
                 if p.name.split(".")[0] in {s.stem for s in kernel_sources()}]
        for p in stale:
            try:
                p.unlink()
            except FileNotFoundError:  # another process got there first
                pass
        if stale:
            logger.info("network kernel sources changed: %d cached entries removed, they are "
                        "compiled again", len(stale))
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{STAMP}.{os.getpid()}.tmp"
        tmp.write_text(digest + "\n")
        os.replace(tmp, stamp)
    except OSError as e:  # read-only install: numba then uses its user-wide cache
        logger.debug("network kernel cache check skipped: %s", e)
