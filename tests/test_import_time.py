"""``import bifkit`` is light (issue 16, item 4) and the lazy public surface keeps every name.

Deterministic checks, not timings: each case runs in a fresh interpreter and
inspects ``sys.modules``; the time itself is printed by
``benchmarks/time_to_first_result.py``.
"""
import json
import os
import subprocess
import sys

import pytest

import bifkit

#: packages that take 0.2-0.4 s each to import; none is needed by ``import bifkit``
HEAVY = ("sympy", "numba", "scipy", "numpy", "dask", "distributed", "matplotlib", "tqdm",
         "pandas", "xarray", "llvmlite")


def _run(code: str, env=None) -> str:
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_import_bifkit_loads_no_heavy_package():
    code = ("import sys, json, bifkit; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert json.loads(_run(code)) == []


def test_continuation_does_not_load_the_network_or_integrators():
    """EP-C needs models and continuation; the simulator and the integrators stay unloaded."""
    code = ("import sys, json, bifkit; bifkit.continuation; bifkit.define_model; "
            "bifkit.find_equilibrium; bifkit.Model; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith("
            "('bifkit.network', 'bifkit.dynamics', 'bifkit.prc', 'dask', 'matplotlib')))))")
    assert json.loads(_run(code)) == []


def test_every_public_name_resolves():
    for name in bifkit.__all__:
        assert getattr(bifkit, name) is not None, name
    assert set(bifkit.__all__) <= set(dir(bifkit))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        bifkit.not_a_name  # noqa: B018


# ``bifkit.continuation`` is both a function and a sub-package (``bifkit.prc`` both a
# function and a module): whatever is imported first, the attribute is the function.
IMPORT_ORDERS = [
    "import bifkit",
    "import bifkit.continuation",
    "import bifkit.continuation.options",
    "from bifkit.continuation import options",
    "from bifkit.continuation.ep import curve",
    "import bifkit.prc",
    "from bifkit import continuation, prc",
    "import bifkit; bifkit.Branch; import bifkit.continuation.cycles.lc",
    "from bifkit.continuation import continuation as c; import bifkit; assert bifkit.continuation is c",
]


@pytest.mark.parametrize("first", IMPORT_ORDERS)
def test_continuation_is_the_function_in_every_import_order(first):
    code = (f"{first}\n"
            "import sys, types, bifkit\n"
            "import bifkit.continuation, bifkit.prc\n"
            "print(type(bifkit.continuation).__name__, type(bifkit.prc).__name__,\n"
            "      *('module' if isinstance(sys.modules[m], types.ModuleType) else 'other'\n"
            "        for m in ('bifkit.continuation', 'bifkit.prc')))")
    assert _run(code).split() == ["function", "function", "module", "module"]


BLAS = ("from threadpoolctl import threadpool_info; "
        "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}), "
        "len([i for i in threadpool_info() if i['user_api'] == 'blas']))")
UNSET = {v: None for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                           "BLIS_NUM_THREADS")}


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs 2 cores to tell 1 BLAS thread from many")
@pytest.mark.parametrize("imports", ["import bifkit, numpy, scipy.linalg",
                                     "import bifkit, numpy; import scipy.linalg",
                                     "import numpy, bifkit, scipy.linalg",
                                     "import scipy.linalg, bifkit"])
def test_blas_loaded_after_bifkit_gets_one_thread(imports):
    """numpy's and scipy's BLAS (two libraries) both get one thread, whenever they load."""
    assert _run(f"{imports}; {BLAS}", env=UNSET) == "[1] 2"


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs 2 cores to tell 1 BLAS thread from many")
def test_blas_threads_left_alone_without_bifkit_or_when_the_user_chose():
    # the control: without bifkit the BLAS libraries use more than one thread here,
    # so the test above can fail
    assert _run(f"import numpy, scipy.linalg; {BLAS}", env=UNSET) != "[1] 2"
    assert _run(f"import bifkit, scipy.linalg; {BLAS}",
                env={**UNSET, "OPENBLAS_NUM_THREADS": "2"}) == "[2] 2"


def test_cli_parser_compiles_no_integrator_and_loads_no_simulator():
    """``bifkit --help`` builds every sub-command's parser (bifkit.dynamics.cli,
    bifkit.network.cli): with lazy sub-package ``__init__`` files it loads no
    integrator (each one a numba compile on a fresh clone) and no Dask."""
    code = ("import sys, json, contextlib, io\n"
            "from bifkit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(("
            "'bifkit.dynamics.integrat', 'bifkit.dynamics.lyapunov', 'bifkit.dynamics.etd', "
            "'bifkit.network.simulate', 'bifkit.network.sweep', 'dask')))))")
    assert json.loads(_run(code)) == []


# ``integrate``/``orbit_diagram`` (bifkit.dynamics) and ``simulate``/``sweep``
# (bifkit.network) are functions and modules of the same name.
@pytest.mark.parametrize("first", ["pass", "import bifkit.dynamics.integrate",
                                   "import bifkit.dynamics.orbit_diagram",
                                   "import bifkit.network.simulate", "import bifkit.network.sweep"])
def test_subpackage_names_are_the_functions_in_every_import_order(first):
    code = (f"{first}\n"
            "from bifkit.dynamics import integrate, orbit_diagram, __all__ as dyn\n"
            "from bifkit.network import simulate, sweep, __all__ as net\n"
            "import bifkit.dynamics as d, bifkit.network as n\n"
            "assert all(getattr(d, k) is not None for k in dyn)\n"
            "assert all(getattr(n, k) is not None for k in net)\n"
            "print(*(type(f).__name__ for f in (integrate, orbit_diagram, simulate, sweep)))")
    assert _run(code).split() == ["function"] * 4


# ``bifkit.continuation`` is the function; its package's submodules stay importable under an
# alias in every order (before the fix: ImportError "cannot import name 'cycles' from
# 'continuation'").
@pytest.mark.parametrize("first", ["pass", "import bifkit", "import bifkit.continuation",
                                   "from bifkit.continuation.cycles import lc",
                                   "import bifkit.continuation.ep.core"])
def test_continuation_submodules_import_under_an_alias(first):
    code = (f"{first}\n"
            "import bifkit.continuation.cycles.lc as lc, bifkit.continuation.branch as br\n"
            "import bifkit.continuation.codim2 as c2, bifkit.continuation.ep.core as core\n"
            "import bifkit\n"
            "print(lc.__name__, br.__name__, c2.__name__, core.__name__,\n"
            "      type(bifkit.continuation).__name__, lc.CycleCurve.__module__)")
    assert _run(code).split() == ["bifkit.continuation.cycles.lc", "bifkit.continuation.branch",
                                  "bifkit.continuation.codim2", "bifkit.continuation.ep.core",
                                  "function", "bifkit.continuation.cycles.lc"]
