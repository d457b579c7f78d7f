"""bifkit.binding: model kernels reach compiled drivers as addresses, compiled once for all models.

Reference values: the Hopf points of FitzHugh-Nagumo in closed form (trace of
the Jacobian zero: 1 - v^2 - eps*b = 0, I from the nullclines).
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import bifkit
from bifkit import binding
from bifkit.continuation.cycles import kernels as cycle_kernels
from bifkit.continuation.ep import core as ep_core

A, B_, EPS = 0.7, 0.8, 0.08


def _fhn(name, scale):
    """FitzHugh-Nagumo with a factor ``scale`` (1 up to round-off): a new model for numba."""
    d = bifkit.define_model(name, states={"v": -1.2, "w": -0.6},
                            params={"I": 0.0, "a": A, "b": B_, "eps": EPS},
                            rhs=["v - v^3/3 - w + I", f"eps*{scale!r}*(v + a - b*w)"])
    return bifkit.Model(d)


def _hopf_closed_form():
    """I at the two Hopf points of FHN: v = -+sqrt(1 - eps b), w = (v + a)/b, I = w - v + v^3/3."""
    out = []
    for v in (-math.sqrt(1 - EPS * B_), math.sqrt(1 - EPS * B_)):
        w = (v + A) / B_
        out.append(w - v + v ** 3 / 3)
    return sorted(out)


def _hopf_values(model):
    eq = bifkit.find_equilibrium(model, model.default_guess())
    br = bifkit.continuation(model, "EP-C", eq, ["I"], bounds={"I": (0.0, 2.0)}, max_points=400)
    return sorted(s.params["I"] for s in br.special if s.label == "H")


def test_one_compiled_driver_serves_two_models():
    """EP-C on two different models: right Hopf points, and ep_run has ONE compiled signature."""
    ref = _hopf_closed_form()
    for i, scale in enumerate((1.0, 1.0 + 3e-15)):
        got = _hopf_values(_fhn(f"binding_fhn_{i}", scale))
        assert got == pytest.approx(ref, rel=1e-8, abs=1e-10)   # closed form above
    # one specialisation for every model: the kernels are values, not part of the type
    assert len(ep_core.ep_run.signatures) == 1
    assert len(ep_core.ep_run.overloads) == 1


def test_new_model_in_a_new_process_loads_the_driver_from_disk():
    """A never-seen model in a fresh process: the EP-C driver comes from numba's disk cache."""
    _hopf_values(_fhn("binding_warm", 1.0))          # make sure the cache is written
    scale = 1.0 + (time.time_ns() % 997 + 1) * 1e-15  # a model no process has compiled
    code = (
        "import json, sys\n"
        "sys.path.insert(0, %r)\n"
        "import test_binding as tb\n"
        "from bifkit.continuation.ep import core\n"
        "got = tb._hopf_values(tb._fhn('binding_new', %r))\n"
        "print(json.dumps(dict(hopf=got, hits=sum(core.ep_run.stats.cache_hits.values()),\n"
        "                      misses=sum(core.ep_run.stats.cache_misses.values()))))\n"
    ) % (os.path.dirname(__file__), scale)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, env=dict(os.environ))
    assert out.returncode == 0, out.stderr[-2000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["hopf"] == pytest.approx(_hopf_closed_form(), rel=1e-8, abs=1e-10)
    assert r["misses"] == 0 and r["hits"] >= 1      # loaded, not compiled


def test_address_array_layout_and_unknown_kernel():
    m = _fhn("binding_fhn_0", 1.0)
    K = binding.addresses(m.compiled, names=("f", "jac"))
    assert K.dtype == np.int64 and K.shape == (12,)
    assert np.all(K[:4] != 0) and np.all(K[4:] == 0)   # only f and jac were asked for
    with pytest.raises(ValueError, match="unknown kernel name.*'hess'"):
        binding.addresses(hess=m.compiled.f)
    with pytest.raises(ValueError, match="kernel 'f' must be a numba njit function"):
        binding.addresses(f=lambda t, x, p: x)
    with pytest.raises(ValueError, match="kernel 'B' does not compile for the signature"):
        binding.addresses(B=m.compiled.f)                 # f takes 3 arguments, B 5


def test_bound_function_missing_its_kernels_is_a_clear_error():
    m = _fhn("binding_fhn_0", 1.0)
    bound = binding.bind(cycle_kernels, f=m.compiled.f)
    assert callable(bound.coll_residual)                # needs f only
    with pytest.raises(ValueError, match=r"coll_jacobian calls the kernels .*'jac'"):
        bound.coll_jacobian
    with pytest.raises(ValueError, match="no KERNEL_FUNCTIONS table"):
        binding.bind(bifkit.binding, f=m.compiled.f)
