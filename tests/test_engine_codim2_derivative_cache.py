"""The exact derivative tensors of the codim-2 normal forms (degeneracy.SymbolicDerivatives)
are kept on disk as printed source: a second process loads them instead of differentiating
and lambdifying again (E-I model, orders 1-5: 1.45 s lambdified -> 0.01 s).  Reference:
sympy's own lambdify of the same derivatives (dummified, since the model has a parameter
named "exp": sympy orders the terms by symbol name, so sums may differ in the last bit,
1e-13 relative);
what the cache returns must equal what was built, bit for bit."""
import logging

import numpy as np
import sympy as sp

import zoo_models as zoo
from bifkit.continuation import degeneracy as dg


def _model():
    # exp, sqrt, tanh, a rational power and a parameter named like a numpy function ("exp")
    return zoo.model_from_rhs(
        "zoo_deriv_cache", ["x", "y"], {"a": 0.7, "exp": 1.3},
        lambda x, y, a, exp: [a * sp.exp(x) * sp.tanh(y) - exp * x ** 3,
                              sp.sqrt(1 + x ** 2) * y ** sp.Rational(5, 2) + sp.pi * exp * y])


def _reference(m, k, z):
    sym = m.symbolic
    arr = sp.Array(sym.f)
    for _ in range(k):
        arr = sp.derive_by_array(arr, list(sym.x))
    return np.array(sp.lambdify(list(sym.x) + list(sym.p), arr.tolist(), "numpy",
                                dummify=True)(*z), float)   # (a symbol named "exp")


def test_derivatives_come_back_from_the_disk_cache_identical(tmp_path, monkeypatch):
    m = _model()
    monkeypatch.setenv("BIFKIT_CACHE", str(tmp_path))
    x, p = np.array([0.3, 0.8]), np.array(m.p, float)
    z = np.concatenate([x, p])
    first = dg.SymbolicDerivatives(m)
    built = {k: first.tensor(k, x, p) for k in range(1, 6)}
    files = sorted(tmp_path.glob("bifkit_derivs_*.py"))
    assert len(files) == 5                      # one file per order
    for k in range(1, 6):
        assert np.allclose(built[k], _reference(m, k, z).reshape(built[k].shape),
                           rtol=1e-13, atol=1e-13)

    # a new instance (another process) loads the files: no differentiation at all
    second = dg.SymbolicDerivatives(m)
    monkeypatch.setattr(sp, "derive_by_array", lambda *a: (_ for _ in ()).throw(
        AssertionError("differentiated again instead of loading the cache")))
    for k in range(1, 6):
        assert np.array_equal(second.tensor(k, x, p), built[k])


def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch, caplog):
    m = _model()
    monkeypatch.setenv("BIFKIT_CACHE", str(tmp_path))
    x, p = np.array([0.3, 0.8]), np.array(m.p, float)
    good = dg.SymbolicDerivatives(m).tensor(2, x, p)
    (path,) = tmp_path.glob("bifkit_derivs_*.py")
    path.write_text("def f0(:\n")               # truncated / corrupt
    with caplog.at_level(logging.WARNING, logger="bifkit.continuation.degeneracy"):
        again = dg.SymbolicDerivatives(m).tensor(2, x, p)
    assert np.array_equal(again, good)
    assert "failed to load" in caplog.text
    assert "def f0(:" not in path.read_text()   # rewritten


def test_another_model_gets_its_own_cache_entry(tmp_path, monkeypatch):
    m1 = _model()
    m2 = zoo.bautin()
    monkeypatch.setenv("BIFKIT_CACHE", str(tmp_path))
    dg.SymbolicDerivatives(m1).tensor(3, np.zeros(2), np.array(m1.p, float))
    t2 = dg.SymbolicDerivatives(m2).tensor(3, np.zeros(2), np.array(m2.p, float))
    assert len(list(tmp_path.glob("bifkit_derivs_*.py"))) == 2
    z = np.concatenate([np.zeros(2), np.array(m2.p, float)])
    assert np.allclose(t2, _reference(m2, 3, z).reshape(t2.shape), rtol=1e-13, atol=1e-13)
