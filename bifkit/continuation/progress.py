"""``progress=True``: a tqdm bar over the points of a run, shown only on a terminal.

tqdm is an optional dependency (``pip install bifkit[progress]``); without it,
or when stderr is not a terminal (logs, CI, notebooks' captured output), the
bar is silently off.  The compiled loops (EP-C, LP-C, H-C, NF-C) update it
once per direction, the Python loops of the cycle curves once per point.
"""
from __future__ import annotations

import logging
import sys

log = logging.getLogger("bifkit.continuation")


class Progress:
    """A progress bar of at most ``total`` points (a no-op when off)."""

    def __init__(self, enabled: bool, total: int, desc: str):
        self.bar = None
        if not enabled:
            return
        if not getattr(sys.stderr, "isatty", lambda: False)():
            log.debug("progress bar off: stderr is not a terminal")
            return
        try:
            from tqdm import tqdm
        except ImportError:
            log.info("progress=True needs tqdm (pip install bifkit[progress]); no bar shown")
            return
        self.bar = tqdm(total=total, desc=desc, unit="pt", leave=False, file=sys.stderr)

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
