"""bifkit: bifurcation and continuation for neural mass models of balanced spiking networks.

The public names below are loaded on first use (PEP 562 ``__getattr__``), so
``import bifkit`` costs milliseconds, not the second it takes to load sympy,
numba and scipy (issue 16, item 4); ``bifkit.continuation(...)`` imports what
continuation needs and nothing else (no network simulator, no integrators).
"""
from . import _lazy
from ._logging import logger as _logger  # noqa: F401 (the "bifkit" logger: silent until log_to_console())
from ._threads import limit_blas_threads_on_import as _limit_blas_threads_on_import

# One BLAS thread (small matrices: up to 11x faster, bifkit/_threads.py), set with
# threadpoolctl for numpy's and scipy's BLAS whenever they load, whatever the import
# order; OPENBLAS/MKL/OMP_NUM_THREADS set by the user win.
_limit_blas_threads_on_import(1)

# numba's disk cache entries of bifkit's functions are keyed on the files they import too,
# so an edited callee is never run from a stale cache (bifkit/_numba_cache.py)
from ._numba_cache import install_on_import as _cache_sees_callees  # noqa: E402
_cache_sees_callees()

# bifkit's own functions compile at LLVM -O2 (numba's default -O3 costs compile time and
# gains nothing measurable here; BIFKIT_NUMBA_OPT chooses another level; bifkit/_opt_level.py)
from ._opt_level import install_on_import as _opt_level_on_import  # noqa: E402
_opt_level_on_import()

# numba's compile flags hashed and compared from a defaults dict (identical values; ~5 % of
# a cold compile's CPU; bifkit/_fast_flags.py)
from ._fast_flags import install_on_import as _fast_flags_on_import  # noqa: E402
_fast_flags_on_import()

#: public name -> the module that defines it (imported on first access)
_PUBLIC = {
    "Model": ".model", "ModelDefinition": ".model",
    "list_models": ".registry", "load_model": ".registry", "register_model": ".registry",
    "define_model": ".model_files.define",
    "find_equilibrium": ".equilibrium",
    **dict.fromkeys(["Branch", "ContinuationOptions", "MeshOptions", "SpecialPoint",
                     "continuation", "crossing", "extremum"], ".continuation"),
    **dict.fromkeys(["SimulationResult", "load_sweep", "simulate", "sweep"], ".network"),
    **dict.fromkeys(["REGIMES", "LyapunovResult", "OrbitDiagram", "Trajectory", "classify",
                     "integrate", "lyapunov_spectrum", "orbit_diagram", "regime_map"],
                    ".dynamics"),
    "prc": ".prc", "prc_finite": ".prc",
}
__all__ = list(_PUBLIC)
__version__ = "0.1.0"


def __getattr__(name):
    """Import the module of public ``name`` and return the name (PEP 562)."""
    return _lazy.load(__name__, _PUBLIC, name)


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


_lazy.lazy_package(__name__)
