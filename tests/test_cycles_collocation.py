"""Collocation, Floquet multipliers and mesh adaptation on the Stuart-Landau oscillator.

Exact cycle (Kuznetsov 2004, eq. 3.20 in polar form r' = r (mu - r^2), theta' = w):
radius sqrt(mu), period 2 pi / w, Floquet multipliers 1 and exp(-2 mu T).
"""
import numpy as np
import pytest

from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import floquet as fq
from bifkit.model import Model, ModelDefinition, real_symbols

MU, W = 0.5, 2.0


@pytest.fixture(scope="module")
def sl():
    x, y, mu, w = real_symbols("x y mu w")
    r2 = x ** 2 + y ** 2
    d = ModelDefinition.from_sympy(
        "sl_cycles", [("x", x), ("y", y)], [(mu, MU), (w, W)],
        [mu * x - w * y - x * r2, w * x + mu * y - y * r2])
    return Model(d)


def _solve(model, ntst, ncol=4, kind="uniform"):
    sch = co.Scheme(ncol, kind)
    mesh = co.uniform_mesh(ntst)
    tn = co.node_times(mesh, sch)
    # a deliberately wrong start: ellipse, wrong period
    U0 = np.c_[0.6 * np.cos(2 * np.pi * tn), 0.75 * np.sin(2 * np.pi * tn)]
    U, T, it, ok, res, P, Q = co.newton_orbit(model.compiled, U0, 3.0, model.p, mesh, sch, 1e-12, 20)
    assert ok, (it, res)
    return U, T, P, Q, mesh, sch


def test_exact_cycle(sl):
    U, T, P, Q, mesh, sch = _solve(sl, 40)
    # ntst=40, ncol=4: error O(h^8) ~ 1e-13 (measured below)
    assert abs(T - 2 * np.pi / W) < 1e-11
    r = np.hypot(U[:, 0], U[:, 1])
    assert np.max(np.abs(r - np.sqrt(MU))) < 1e-10
    mu, err = fq.multipliers_from_pair(P, Q)
    assert err < 1e-9
    assert abs(mu[1] - np.exp(-2 * MU * T)) < 1e-9


@pytest.mark.parametrize("kind", ["uniform", "lobatto"])
def test_superconvergence_order(sl, kind):
    """Period error ~ h^(2 ncol) at mesh points (de Boor & Swartz 1973): slope ~ 2m."""
    ncol = 3
    errs, hs = [], []
    for ntst in (6, 12, 24):
        T = _solve(sl, ntst, ncol, kind)[1]
        errs.append(abs(T - 2 * np.pi / W))
        hs.append(1.0 / ntst)
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 5.0 < slope < 7.5, (slope, errs)


def test_bordered_solve_matches_dense(sl):
    """The condensation solver against numpy's dense solve of the assembled system."""
    rng = np.random.default_rng(1)
    N, m, n, nbd = 5, 3, 2, 2
    Jblk = rng.standard_normal((N, m * n, (m + 1) * n))
    Jb = rng.standard_normal((N, m * n, nbd))
    C = rng.standard_normal((nbd, N * m + 1, n))
    D = rng.standard_normal((nbd, nbd))
    rcol = rng.standard_normal((N, m * n))
    rper = rng.standard_normal(n)
    rc = rng.standard_normal(nbd)
    nu = (N * m + 1) * n
    A = np.zeros((nu + nbd, nu + nbd))
    for j in range(N):
        rows = slice(j * m * n, (j + 1) * m * n)
        A[rows, j * m * n:(j * m + m + 1) * n] = Jblk[j]
        A[rows, nu:] = Jb[j]
    r0 = N * m * n
    A[r0:r0 + n, :n] = np.eye(n)
    A[r0:r0 + n, nu - n:nu] = -np.eye(n)
    A[r0 + n:, :nu] = C.reshape(nbd, -1)
    A[r0 + n:, nu:] = D
    b = np.concatenate((rcol.ravel(), rper, rc))
    x = np.linalg.solve(A, b)
    U, z, P, Q = co.bordered_solve(Jblk, Jb, C, D, rcol, rper, rc)
    assert np.allclose(U.ravel(), x[:nu], atol=1e-10)
    assert np.allclose(z, x[nu:], atol=1e-10)


def test_jacobian_against_differences(sl):
    rng = np.random.default_rng(2)
    sch, mesh = co.Scheme(3), co.uniform_mesh(4)
    mesh[1:-1] += 0.02 * rng.standard_normal(3)
    U = rng.standard_normal((13, 2))
    T, p = 2.5, sl.p.copy()
    ifree = np.array([0], dtype=np.int64)
    Jblk = np.zeros((4, 6, 8))
    Jb = np.zeros((4, 6, 2))
    c = sl.compiled
    co.collocation_jacobian(c.jac, c.f, c.dfdp, U, T, p, ifree, mesh, sch.W, sch.Wd, Jblk, Jb)

    def res(U, T, p):
        out = np.zeros((4, 6))
        co.collocation_residual(c.f, U, T, p, mesh, sch.W, sch.Wd, out)
        return out
    dU = rng.standard_normal(U.shape)
    h = 1e-6
    fd = (res(U + h * dU, T, p) - res(U - h * dU, T, p)) / (2 * h)
    an = np.array([Jblk[j] @ dU[3 * j:3 * j + 4].ravel() for j in range(4)])
    assert np.allclose(fd, an, atol=1e-7)
    dp = np.array([1.0, 0.0])
    fd = (res(U, T, p + h * dp) - res(U, T, p - h * dp)) / (2 * h)
    assert np.allclose(fd, Jb[:, :, 1], atol=1e-7)
    fd = (res(U, T + h, p) - res(U, T - h, p)) / (2 * h)
    assert np.allclose(fd, Jb[:, :, 0], atol=1e-7)


def test_small_multipliers_stay_accurate(sl):
    """mu_2 = exp(-2 mu T) ~ 2e-14 for mu = 5, far below round-off of the trivial
    multiplier 1: the QZ of the condensed pair keeps it to relative ~1e-8."""
    m = sl.with_params(mu=5.0)
    sch, mesh = co.Scheme(4), co.uniform_mesh(80)
    tn = co.node_times(mesh, sch)
    r = np.sqrt(5.0)
    U0 = np.c_[r * np.cos(2 * np.pi * tn), r * np.sin(2 * np.pi * tn)]
    U, T, it, ok, res, P, Q = co.newton_orbit(m.compiled, U0, np.pi, m.p, mesh, sch, 1e-12, 20)
    assert ok
    mu, _ = fq.multipliers_from_pair(P, Q)
    exact = np.exp(-2 * 5.0 * T)
    # measured relative error 5e-9 (ntst=80); 1e-6 leaves room for platform round-off
    assert abs(mu[1] / exact - 1) < 1e-6, (mu, exact)
