"""One check for the routines that need a model's sympy rows (degeneracy.symbolic_form):
exact derivative tensors (SymbolicDerivatives) and jets (JetRHS) refuse a model built from
hand-written kernels with the same clear ValueError."""
import numba as nb
import numpy as np
import pytest

import bifkit
from bifkit.continuation.degeneracy import SymbolicDerivatives, symbolic_form
from bifkit.continuation.jets import JetRHS
from bifkit.model import ModelDefinition


@nb.njit
def _f(t, x, p):
    return np.array([p[0] - x[0] * x[0]])


@nb.njit
def _jac(t, x, p):
    return np.array([[-2.0 * x[0]]])


def test_kernel_model_is_refused_by_both(make_model):
    m = bifkit.Model(ModelDefinition.from_kernels("sf_kernels", ["x"], [], [("mu", 1.0)],
                                                  _f, _jac))
    with pytest.raises(ValueError, match="'sf_kernels' has no symbolic form: degeneracy tests "
                                         "need its sympy right-hand sides"):
        SymbolicDerivatives(m)
    with pytest.raises(ValueError, match="'sf_kernels' has no symbolic form: the jet normal "
                                         "forms need its sympy right-hand sides"):
        JetRHS(m)
    sym = make_model("sf_sympy", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x * x])
    assert symbolic_form(sym, "anything") is sym.symbolic
