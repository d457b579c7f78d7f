"""Exceptions raised by bifkit.

One hierarchy, so that callers (and the command line) can tell bad input from a
computation that failed:

* :class:`InputError` (a ``ValueError``): an argument, parameter, option or input
  file is wrong; nothing was computed.  The message names the culprit.
* :class:`ComputationError` (a ``RuntimeError``): the input was fine but the
  computation failed (a run blew up before the part that was asked for);
  :class:`ConvergenceError` is one (also a ``ValueError``, for backward
  compatibility): an iterative solve did not converge; the message says why.
* :class:`OutputError` (an ``OSError``): a result was computed but could not be
  written; ``.result`` keeps it and the message says where it could be saved.
"""


class BifkitError(Exception):
    """Base class of bifkit's own errors."""


class InputError(BifkitError, ValueError):
    """Bad input: an argument, parameter, option or input file; the message names it."""


class ComputationError(BifkitError, RuntimeError):
    """The input was valid but the computation failed; the message says why and what to try."""


class ConvergenceError(ComputationError, ValueError):
    """An iterative solve (Newton, corrector) did not converge; the message says why."""


class OutputError(BifkitError, OSError):
    """A computed result could not be written.

    Attributes
    ----------
    path : str
        The file that could not be written.
    result : object
        The result itself (still in memory: save it elsewhere).
    """

    def __init__(self, message: str, path=None, result=None):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.result = result
