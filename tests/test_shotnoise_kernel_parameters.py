"""The chain's coefficient matrix computed once per run (models/shotnoise.py kernel_parameters).

Reference values are the kernels themselves called with the plain parameter vector model.p
(which recompute I_nm(alpha) by the recurrence at every call): the extended vector must give the
same numbers bit for bit, and a stored matrix must never be used for other parameters.
"""
import numpy as np

import bifkit
from bifkit.dynamics.etd import kernel_parameters as run_parameters
from bifkit.models.shotnoise import kernel_parameters


def _chain(M=12, **params):
    return bifkit.load_model("shotnoise_chain", M=M, **{"K": 100.0, "i0": 0.4, "g0": 1.0,
                                                         "eta0": 0.1, "omega": 2.0, **params})


def _states(m, n=3):
    x0 = m.pack(m.default_guess())
    rng = np.random.default_rng(4)
    return [x0, *(x0 + 0.01 * rng.standard_normal(x0.size) for _ in range(n))]


def test_extended_parameters_give_bit_identical_f_and_jacobian():
    m = _chain()
    p, pe = np.array(m.p), kernel_parameters(m)
    assert pe.size == 5 + 1 + 2 * 13 * 13 and np.array_equal(pe[:5], p)
    for x in _states(m):
        assert np.array_equal(m.compiled.f(0.7, x, pe), m.compiled.f(0.7, x, p))
        assert np.array_equal(m.compiled.jac(0.7, x, pe), m.compiled.jac(0.7, x, p))


def test_stored_matrix_is_not_used_for_other_parameters():
    m = _chain()
    pe = kernel_parameters(m)
    x = _states(m)[1]
    for k, value in ((0, 150.0), (1, 0.5), (2, 1.3)):   # K, i0, g0: each changes alpha
        stale = pe.copy()
        stale[k] = value
        fresh = np.array(m.p)
        fresh[k] = value
        f_fresh = m.compiled.f(0.7, x, fresh)
        # the coupling term differs between the two alphas, so a reused matrix would show
        pe_other = kernel_parameters(m.with_params(**{("K", "i0", "g0")[k]: value}))
        assert np.array_equal(m.compiled.f(0.7, x, pe_other), f_fresh)
        assert np.array_equal(m.compiled.f(0.7, x, stale), f_fresh)
        assert np.array_equal(m.compiled.jac(0.7, x, stale), m.compiled.jac(0.7, x, fresh))
        wrong = stale.copy()
        wrong[5] = pe_other[5]                          # claims the new alpha, old matrix
        assert not np.array_equal(m.compiled.f(0.7, x, wrong), f_fresh)


def test_matrix_of_another_size_is_not_used():
    small, big = _chain(M=8), _chain(M=12)
    x = _states(small)[2]
    assert np.array_equal(small.compiled.f(0.2, x, kernel_parameters(big)),
                          small.compiled.f(0.2, x, np.array(small.p)))


def test_etd_runs_use_the_extended_vector_only_where_a_model_declares_it():
    m = _chain()
    assert np.array_equal(run_parameters(m), kernel_parameters(m))
    two = bifkit.load_model("shotnoise_2cc")
    assert np.array_equal(run_parameters(two), np.array(two.p))
    # an ETD run of the chain equals the same run driven by the plain-p right-hand side
    from bifkit.dynamics import integrate
    from bifkit.dynamics.integrate import linear_part
    from numba import njit
    f = m.compiled.f
    L = linear_part(m, 0.0, m.pack(m.default_guess()))
    x0 = m.pack(m.default_guess())
    Lr, Li = L.real.copy(), L.imag.copy()

    @njit
    def plain_nonlinear(t, x, p):               # f(t, x, p[:5]) - L x: the matrix recomputed
        out = f(t, x, p[:5].copy())
        for k in range(Lr.size):
            a, b = x[2 * k], x[2 * k + 1]
            out[2 * k] -= Lr[k] * a - Li[k] * b
            out[2 * k + 1] -= Lr[k] * b + Li[k] * a
        return out

    a = integrate(m, (0, 1.0), x0, method="etd", dt=0.05, sample=0.25)
    b = integrate(m, (0, 1.0), x0, method="etd", dt=0.05, sample=0.25, L=L,
                  nonlinear=plain_nonlinear)
    np.testing.assert_allclose(a.y, b.y, rtol=0, atol=1e-13)
