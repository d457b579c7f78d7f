"""Exceptions raised by bifkit."""


class BifkitError(Exception):
    """Base class of bifkit's own errors."""


class ConvergenceError(BifkitError, ValueError):
    """An iterative solve (Newton, corrector) did not converge; the message says why."""
