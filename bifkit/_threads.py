"""One BLAS thread by default, set at call time with threadpoolctl.

bifkit's dense linear algebra is small (eigenvalues of <= 512 x 512 Jacobians,
bordered solves): a multi-threaded BLAS is slower there, up to 11x on a loaded
2-core machine (eigvals of the 128-unknown chain's Jacobian: 0.100 s CPU vs
0.009 s with one thread). Setting ``OPENBLAS_NUM_THREADS`` in ``os.environ`` only
works before numpy is first imported; threadpoolctl changes the thread count of
the BLAS libraries already loaded, whatever the import order.
"""
from __future__ import annotations

import importlib.abc
import logging
import os
import sys

logger = logging.getLogger("bifkit.threads")

#: environment variables by which a user sets the BLAS thread count; any of them wins
USER_SETTINGS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                 "BLIS_NUM_THREADS")


def limit_blas_threads(n: int = 1) -> bool:
    """Use ``n`` BLAS threads in the loaded BLAS libraries, unless the user chose a number.

    Parameters
    ----------
    n : int
        Number of threads (>= 1).

    Returns
    -------
    bool
        True if the limit was applied; False if an environment variable of
        :data:`USER_SETTINGS` is set (the user's choice is kept) or threadpoolctl
        is not installed.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"BLAS thread count must be an integer >= 1; got {n!r}")
    if any(os.environ.get(v) for v in USER_SETTINGS):
        return False
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        logger.debug("threadpoolctl not installed: BLAS thread count left as it is")
        return False
    threadpool_limits(limits=n, user_api="blas")
    return True


#: modules whose import loads a BLAS library (numpy's, and scipy's own copy)
BLAS_MODULES = ("numpy", "scipy.linalg")


def limit_blas_threads_on_import(n: int = 1) -> None:
    """Limit the BLAS libraries to ``n`` threads now and whenever numpy or scipy.linalg loads.

    ``import bifkit`` loads neither numpy nor scipy (issue 16: import in
    milliseconds); a BLAS library loaded later still gets the limit: a
    meta-path finder (:class:`_AfterImport`) calls :func:`limit_blas_threads`
    once each module of :data:`BLAS_MODULES` not yet imported has finished
    loading, then removes itself.  A user's ``OPENBLAS_NUM_THREADS`` (etc.)
    still wins.

    Parameters
    ----------
    n : int
        Number of threads (>= 1).
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"BLAS thread count must be an integer >= 1; got {n!r}")
    if any(name in sys.modules for name in BLAS_MODULES):
        limit_blas_threads(n)
    pending = [name for name in BLAS_MODULES if name not in sys.modules]
    if pending:
        run_after_import(pending, lambda: limit_blas_threads(n), tag="blas threads")


def run_after_import(names, callback, tag: str) -> None:
    """Call ``callback()`` after each module of ``names`` (not yet imported) has loaded.

    A meta-path finder (:class:`_AfterImport`), one per ``tag`` (a second call
    with the same tag does nothing); an exception in ``callback`` is logged
    (debug) and never breaks the import.
    """
    if not any(getattr(f, "tag", None) == tag for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(names, callback, tag))


def when_imported(name: str, callback, tag: str) -> None:
    """Call ``callback()`` now if module ``name`` is loaded, else once it has loaded
    (:func:`run_after_import`)."""
    if name in sys.modules:
        callback()
    else:
        run_after_import([name], callback, tag=tag)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Run ``callback`` after each of the modules ``names`` has been imported (once each).

    The finder finds nothing itself: it asks the other finders for the spec and
    wraps the spec's loader so that ``callback`` runs after the module's code.
    """

    def __init__(self, names, callback, tag):
        self.names, self.callback, self.tag = set(names), callback, tag

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names:
            return None
        self.names.discard(fullname)
        if not self.names and self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _ThenLoader(spec.loader, self.callback, self.tag)
        return spec


class _ThenLoader(importlib.abc.Loader):
    """``loader`` followed by ``callback``; the module keeps the original loader."""

    def __init__(self, loader, callback, tag):
        self._loader, self._callback, self._tag = loader, callback, tag

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        try:
            self._callback()
        except Exception:  # noqa: BLE001 (a thread limit must never break an import)
            logger.debug("%s after importing %s failed", self._tag, module.__name__,
                         exc_info=True)

    def __getattr__(self, name):
        return getattr(self._loader, name)
