"""The ``bifkit`` logger and progress bars.

Library code logs to ``logging.getLogger("bifkit.<module>")`` and never prints.
By default nothing is shown (the ``bifkit`` logger has a NullHandler, as the
logging HOWTO asks of libraries); :func:`log_to_console` turns on console output
in a script or notebook. Progress bars (tqdm) are shown only when stderr is a
terminal, so batch jobs and CI logs stay clean.
"""
from __future__ import annotations

import logging
import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

logger = logging.getLogger("bifkit")
logger.addHandler(logging.NullHandler())

_CONSOLE_FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"


def log_to_console(level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """Show bifkit's log messages at ``level`` and above on ``stream`` (default stderr).

    Calling it again replaces the handler it added before (no duplicated lines).

    Parameters
    ----------
    level : int or str
        A logging level (``logging.DEBUG``, ``"INFO"``, ...).
    stream : file-like, optional
        Where to write; ``sys.stderr`` if not given.

    Returns
    -------
    logging.Handler
        The handler added to the ``bifkit`` logger.
    """
    if isinstance(level, str):
        if level.upper() not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown logging level {level!r}; one of DEBUG, INFO, WARNING, "
                             "ERROR, CRITICAL")
        level = logging.getLevelNamesMapping()[level.upper()]
    for h in list(logger.handlers):
        if getattr(h, "_bifkit_console", False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(_CONSOLE_FORMAT))
    setattr(handler, "_bifkit_console", True)  # marks the handler this function added
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler


def progress_enabled(requested: bool | None = None, stream=None) -> bool:
    """Whether to draw a progress bar.

    ``requested=None`` (automatic) means: only if ``stream`` (default stderr) is a
    terminal and tqdm is installed. ``True`` forces a bar where tqdm is installed (no
    error without it: a progress bar is never worth failing a run); ``False`` disables it.
    """
    if requested is False:
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        logger.debug("no progress bar: tqdm is not installed (bifkit[progress] extra)")
        return False
    if requested:
        return True
    stream = stream if stream is not None else sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str = "",
             enabled: bool | None = None) -> Iterator[T]:
    """Iterate over ``iterable``, with a tqdm bar on stderr when :func:`progress_enabled`.

    Parameters
    ----------
    iterable : iterable
        What to iterate over.
    total : int, optional
        Number of items, if ``len(iterable)`` does not give it.
    desc : str
        Label of the bar.
    enabled : bool or None
        ``None``: a bar only on a terminal; ``True``/``False``: force on/off.
    """
    if not progress_enabled(enabled):
        return iter(iterable)
    from tqdm.auto import tqdm
    return iter(tqdm(iterable, total=total, desc=desc))
