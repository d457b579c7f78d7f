"""One BLAS thread by default, set at call time with threadpoolctl.

bifkit's dense linear algebra is small (eigenvalues of <= 512 x 512 Jacobians,
bordered solves): a multi-threaded BLAS is slower there, up to 11x on a loaded
2-core machine (eigvals of the 128-unknown chain's Jacobian: 0.100 s CPU vs
0.009 s with one thread). Setting ``OPENBLAS_NUM_THREADS`` in ``os.environ`` only
works before numpy is first imported; threadpoolctl changes the thread count of
the BLAS libraries already loaded, whatever the import order.
"""
from __future__ import annotations

import logging
import os

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
