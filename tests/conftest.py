"""Fixtures shared by several test modules.

* ``make_model`` -- a Model from sympy right-hand sides written as a lambda of
  the named states and parameters (small closed-form test problems).
* ``sl`` -- the Stuart-Landau oscillator (Hopf normal form): radius sqrt(mu),
  period 2 pi / w, multipliers 1 and exp(-2 mu T).
* ``ei_model``, ``ei_hopf``, ``ei_equilibria`` -- the E-I neural mass (Bi et
  al. 2021, eq. 6) at K = 1000, D_ii = 0.3 (the paper's set), its Hopf point in
  I_e from the closed-form equilibria, and its EP-C branch in I_e.
* ``client`` -- an in-process Dask client with one worker (network sweeps), one per
  module; skips the test when ``distributed`` is not installed.

Factories are session-scoped (they hold no state); the models are built anew
by every call, so tests do not share objects through them.  ``sl`` is built
once per module.
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):  # small matrices: one BLAS thread
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

import bifkit  # noqa: E402
from bifkit.model import Model, ModelDefinition, real_symbols  # noqa: E402

EI_FIXED = dict(K=1000.0, D_ii=0.3)
EI_BOUNDS = {"I_e": (1e-5, 200.0)}


def _make_model(name, states, params, rhs):
    """Model ``name`` with the listed states, ``params`` {name: value} and
    ``rhs(**symbols)`` the list of right-hand sides."""
    syms = real_symbols(" ".join(states))
    psyms = real_symbols(" ".join(params))
    env = dict(zip(states, syms)) | dict(zip(params, psyms))
    d = ModelDefinition.from_sympy(name, list(zip(states, syms)),
                                   [(s, v) for s, v in zip(psyms, params.values())], rhs(**env))
    return bifkit.Model(d)


@pytest.fixture(scope="session")
def make_model():
    """``make_model(name, states, params, rhs)``: see :func:`_make_model`."""
    return _make_model


@pytest.fixture(scope="module")
def sl():
    """Stuart-Landau: x' = mu x - w y - x r^2, y' = w x + mu y - y r^2 (mu = 0, w = 2)."""
    x, y, mu, w = real_symbols("x y mu w")
    r2 = x ** 2 + y ** 2
    d = ModelDefinition.from_sympy(
        "sl_cycles", [("x", x), ("y", y)], [(mu, 0.0), (w, 2.0)],
        [mu * x - w * y - x * r2, w * x + mu * y - y * r2])
    return Model(d)


def _ei_model(D_ee=2.0, **params):
    return bifkit.load_model("ei_neural_mass", **EI_FIXED, D_ee=D_ee, **params)


@pytest.fixture(scope="session")
def ei_model():
    """``ei_model(D_ee=2.0, **params)``: the E-I neural mass at K = 1000, D_ii = 0.3."""
    return _ei_model


@pytest.fixture(scope="session")
def ei_hopf():
    """``ei_hopf(D_ee, lo, hi)`` -> (model at the Hopf point, LC-C start dict).

    The Hopf point in I_e in (lo, hi) at fixed D_ee, found independently of the
    continuation: bisection (brentq) on the leading real part of the eigenvalues
    at the closed-form equilibrium.
    """
    def hopf(D_ee, lo, hi):
        m0 = _ei_model(D_ee)

        def leading(ie):
            m = m0.with_params(I_e=ie)
            return m.eigenvalues(m.steady_state()[0])[0].real
        ih = brentq(leading, lo, hi, xtol=1e-17, rtol=1e-15)
        m = m0.with_params(I_e=ih)
        return m, {"state": m.steady_state()[0], "params": {"I_e": ih}}
    return hopf


@pytest.fixture(scope="session")
def ei_equilibria():
    """``ei_equilibria(D_ee=2.0, I_e=0.2)`` -> (model, bifkit EP-C branch).

    Equilibria in I_e over [1e-5, 200] (log scale) from the closed-form
    equilibrium at the given I_e.
    """
    def equilibria(D_ee=2.0, I_e=0.2):
        m = _ei_model(D_ee, I_e=I_e)
        br = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=EI_BOUNDS,
                                 log_params=["I_e"])
        return m, br
    return equilibria


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()
