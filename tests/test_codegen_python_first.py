"""B and C run uncompiled for their first calls from Python (bifkit.codegen.PythonFirst).

Why: compiling a kernel costs 0.1-0.5 s; the first Lyapunov coefficient at a
Hopf point calls B and C about a dozen times (issue 16, item 4).  The values
must be the compiled kernel's, compiled code must still get a compiled kernel,
and a division by zero must give inf/nan as the compiled kernel does
(``error_model="numpy"``), not an exception.
"""
import time
import warnings

import numpy as np
import pytest

import bifkit
from bifkit import binding
from bifkit.codegen import PythonFirst


def _new_fhn():
    """FitzHugh-Nagumo with a literal factor that makes its kernels new in every run."""
    scale = repr(1.0 + (time.time_ns() % 10 ** 6) * 1e-13)
    d = bifkit.define_model(f"pyfirst_fhn_{time.time_ns() % 10 ** 6}",
                            states={"v": -1.2, "w": -0.6},
                            params={"I": 0.0, "a": 0.7, "b": 0.8, "eps": 0.08},
                            rhs=["v - v^3/3 - w + I", f"eps*{scale}*(v + a - b*w)"])
    return bifkit.Model(d)


def test_first_calls_are_uncompiled_and_exact():
    c = _new_fhn().compiled
    assert isinstance(c.B, PythonFirst) and isinstance(c.C, PythonFirst)
    rng = np.random.default_rng(1)
    x, p = rng.normal(size=2), np.array([0.3, 0.7, 0.8, 0.08])
    u, v, w = rng.normal(size=(3, 2))
    # closed form: f0 = v - v^3/3 - w + I has d2f0/dv2 = -2 v, d3f0/dv3 = -2; f1 is linear
    B, C = c.B(0.0, x, p, u, v), c.C(0.0, x, p, u, v, w)
    assert B == pytest.approx([-2 * x[0] * u[0] * v[0], 0.0], rel=1e-15, abs=0)
    assert C == pytest.approx([-2 * u[0] * v[0] * w[0], 0.0], rel=1e-15, abs=0)
    assert c.B.calls == 1 and c.C.calls == 1
    assert not c.B.dispatcher.signatures and not c.C.dispatcher.signatures  # nothing compiled
    # the compiled kernel gives the same numbers (same operations, same order)
    assert np.array_equal(c.B.dispatcher(0.0, x, p, u, v), B)
    assert np.array_equal(c.C.dispatcher(0.0, x, p, u, v, w), C)


def test_compiled_after_python_calls_and_for_compiled_code(monkeypatch):
    c = _new_fhn().compiled
    monkeypatch.setattr(PythonFirst, "python_calls", 3)
    x, p, u = np.ones(2), np.array([0.3, 0.7, 0.8, 0.08]), np.ones(2)
    for _ in range(3):
        c.B(0.0, x, p, u, u)
    assert not c.B.dispatcher.signatures
    c.B(0.0, x, p, u, u)                      # the 4th call compiles
    assert c.B.dispatcher.signatures and c.B.calls == 3
    # compiled code asks for the address: the kernel is compiled (C was never called)
    K = binding.addresses(c, names=("f", "jac", "dfdp", "B", "C"))
    assert np.all(K[2 * binding.SLOT["C"]:2 * binding.SLOT["C"] + 2] != 0)
    assert c.C.dispatcher.signatures


def test_division_by_zero_gives_inf_not_an_exception():
    d = bifkit.define_model(f"pyfirst_pole_{time.time_ns() % 10 ** 6}", states={"x": 0.0},
                            params={"a": 1.0}, rhs=["a/(x - 1)"])
    c = bifkit.Model(d).compiled
    x, p, u = np.array([1.0]), np.array([1.0]), np.array([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no RuntimeWarning either, like compiled code
        B = c.B(0.0, x, p, u, u)
    assert not np.isfinite(B[0])
    assert np.isnan(B[0]) == np.isnan(c.B.dispatcher(0.0, x, p, u, u)[0])


def test_hopf_l1_of_a_new_model_compiles_neither_B_nor_C():
    """EP-C through two Hopf points: l1 from the uncompiled forms, nothing compiled for it."""
    m = _new_fhn()
    eq = bifkit.find_equilibrium(m, m.default_guess())
    br = bifkit.continuation(m, "EP-C", eq, ["I"], bounds={"I": (0.0, 2.0)}, max_points=400)
    hopf = [s for s in br.special if s.label == "H"]
    assert len(hopf) == 2 and all(np.isfinite(h.data["l1"]) for h in hopf)
    assert not m.compiled.B.dispatcher.signatures and not m.compiled.C.dispatcher.signatures
