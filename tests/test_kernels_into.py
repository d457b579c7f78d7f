"""Into-variants of the model kernels (bifkit.codegen.into_kernel, bifkit.binding slots).

``k_into(t, x, p, ..., out)`` must store exactly what ``k(t, x, p, ...)`` returns: the
reference is the model's own kernel at the same arguments (the same generated
expressions), so the comparison is bitwise; ``out`` is pre-filled with NaN so that an
entry the variant fails to write (a structural zero) shows up.
"""
from __future__ import annotations

import numpy as np
import pytest
from numba import njit

import bifkit
from bifkit import binding, codegen
from bifkit.continuation.cycles import ext, kernels as cycle_kernels

RNG = np.random.default_rng(7)


def _ei():
    return bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.01)


def _args(m):
    n, npar = m.n, len(m.param_names)
    x = 0.1 + RNG.random(n)                      # E-I rates must be positive: keep x > 0
    p = np.array(m.p) * (1 + 0.1 * RNG.random(npar))
    u, v, w = RNG.standard_normal((3, n))
    return x, p, u, v, w


@pytest.mark.parametrize("name", ["f", "jac", "dfdp", "dJdp", "B", "C"])
def test_generated_into_variant_equals_the_kernel_bitwise(name):
    m = _ei()
    k = getattr(m.compiled, name)
    k = getattr(k, "dispatcher", k)
    x, p, u, v, w = _args(m)
    extra = {"B": (u, v), "C": (u, v, w)}.get(name, ())
    ref = k(0.0, x, p, *extra)
    out = np.full_like(ref, np.nan)              # every entry must be written, zeros too
    into = codegen.into_kernel(name, getattr(m.compiled, name))
    assert into(0.0, x, p, *extra, out) is None
    assert np.array_equal(out, ref)              # same expressions: identical bits
    assert np.count_nonzero(ref == 0.0) > 0 or name in ("f", "B", "C")   # zeros were tested
    assert codegen.into_kernel(name, getattr(m.compiled, name)) is into  # memoised
    # from the generated source (cached on disk), not the copying wrapper
    assert into.py_func.__module__.endswith("_into" + codegen.INTO_VERSION)


def test_hand_written_kernel_gets_a_copying_wrapper():
    @njit
    def f(t, x, p):
        return np.array([p[0] * x[1], -x[0]])

    into = codegen.into_kernel("f", f)
    x, p = np.array([0.3, -1.5]), np.array([2.0])
    out = np.full(2, np.nan)
    into(0.0, x, p, out)
    assert np.array_equal(out, [2.0 * -1.5, -0.3])   # closed form of f above


def test_into_kernel_errors_name_the_problem():
    m = _ei()
    with pytest.raises(ValueError, match="no into-variant for kernel 'hess'"):
        codegen.into_kernel("hess", m.compiled.f)
    with pytest.raises(ValueError, match="kernel 'f' must be a numba njit function"):
        codegen.into_kernel("f", lambda t, x, p: x)
    with pytest.raises(ValueError, match="not in the expected form"):
        codegen.into_source("def f(t, x, p):\n    return x\n")   # no allocation line


def test_into_source_rewrites_only_signature_allocation_and_return():
    src = ("import numpy\n\ndef jac(t, x, p):\n    a = x[0]\n    out = zeros2(2, 2)\n"
           "    out[0, 1] = a\n    return out\n")
    assert codegen.into_source(src) == (
        "import numpy\n\ndef jac_into(t, x, p, out):\n    a = x[0]\n    out[:, :] = 0.0\n"
        "    out[0, 1] = a\n    return\n")


def test_address_array_has_into_slots_only_when_asked_for():
    m = _ei()
    K = binding.addresses(m.compiled, names=("f", "jac"))
    assert K.shape == (12,)                      # the model kernels' layout, unchanged
    K = binding.addresses(m.compiled, names=("f", "jac_into"))
    assert K.shape == (24,)
    s = 2 * binding.SLOT["jac_into"]
    assert np.all(K[s:s + 2] != 0) and np.all(K[:2] != 0)
    assert np.count_nonzero(K) == 4              # nothing else compiled or filled
    with pytest.raises(ValueError, match="unknown kernel name 'hess_into'"):
        binding.addresses(m.compiled, names=("hess_into",))


def test_cycle_kernels_bind_the_into_variants_and_agree_with_the_allocating_kernels():
    """coll_jacobian / ext_jacobian through the into-variants against the same sums
    written with the model's allocating kernels in numpy (independent of kernels.py)."""
    m = _ei()
    c = m.compiled
    kx = ext.kernels(f=c.f, jac=c.jac, dfdp=c.dfdp, B=c.B, dJdp=c.dJdp)
    assert kx.K.shape == (24,) and np.count_nonzero(kx.K[12:]) == 10   # 5 into-variants
    n, N, mcol = m.n, 3, 2
    mesh = np.array([0.0, 0.3, 0.7, 1.0])
    W = RNG.random((mcol, mcol + 1))
    Wd = RNG.standard_normal((mcol, mcol + 1))
    U = 0.05 + 0.1 * RNG.random((N * mcol + 1, n))
    T, p = 20.0, np.array(m.p)
    ifree = np.array([0, 1])
    Jblk = np.full((N, mcol * n, (mcol + 1) * n), np.nan)
    Jb = np.full((N, mcol * n, 3), np.nan)
    kx.coll_jacobian(U, T, p, ifree, mesh, W, Wd, Jblk, Jb)
    jac, f, dfdp = (getattr(k, "dispatcher", k) for k in (c.jac, c.f, c.dfdp))
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(mcol):
            u = W[k] @ U[j * mcol:j * mcol + mcol + 1]
            J = jac(0.0, u, p)
            ref = -h * T * np.kron(W[k][None, :], J) + np.kron(Wd[k][None, :], np.eye(n))
            np.testing.assert_allclose(Jblk[j, k * n:(k + 1) * n], ref, rtol=1e-13, atol=1e-13)
            np.testing.assert_allclose(Jb[j, k * n:(k + 1) * n, 0], -h * f(0.0, u, p),
                                       rtol=1e-14)
            np.testing.assert_allclose(Jb[j, k * n:(k + 1) * n, 1:],
                                       -h * T * dfdp(0.0, u, p)[:, ifree], rtol=1e-14)
    rcol = np.full((N, mcol * n), np.nan)
    kx.coll_residual(U, T, p, mesh, W, Wd, rcol)
    for j in range(N):
        h = mesh[j + 1] - mesh[j]
        for k in range(mcol):
            blk = U[j * mcol:j * mcol + mcol + 1]
            ref = Wd[k] @ blk - h * T * f(0.0, W[k] @ blk, p)
            np.testing.assert_allclose(rcol[j, k * n:(k + 1) * n], ref, rtol=1e-13, atol=1e-15)
    # the bound template without its into-variants would be an error, not a silent read
    assert getattr(cycle_kernels, "INTO_VARIANTS", False)
