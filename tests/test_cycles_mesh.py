"""Mesh adaptation and orbits from simulation: van der Pol relaxation oscillator.

x' = y, y' = a (1 - x^2) y - x with a = 5: fast jumps, so a uniform mesh wastes
intervals.  Reference period from ntst = 400 on the adapted mesh (the period
agrees with the classical value 11.6127 for a = 5, Dorodnicyn's asymptotics give
~11.6).
"""
import numpy as np
import pytest

from bifkit.continuation.cycles import collocation as co
from bifkit.continuation import cycles
from bifkit.continuation.cycles import mesh as mesh_mod
from bifkit.model import Model, ModelDefinition, real_symbols


@pytest.fixture(scope="module")
def vdp():
    x, y, a = real_symbols("x y a")
    d = ModelDefinition.from_sympy("vdp_cycles", [("x", x), ("y", y)], [(a, 5.0)],
                                   [y, a * (1 - x ** 2) * y - x])
    return Model(d)


@pytest.fixture(scope="module")
def reference(vdp):
    orb = cycles.orbit_from_simulation(vdp, [2.0, 0.0], 50.0, ntst=100, ncol=4)
    for _ in range(3):
        U, m = mesh_mod.adapt(orb.U, orb.mesh, orb.scheme, 200 if _ == 2 else None)
        orb = cycles.refine(vdp, cycles.Orbit(U, m, orb.T, orb.p, orb.scheme))
    return orb


def test_simulation_start_and_period(reference):
    assert abs(reference.T - 11.6127) < 1e-3
    assert reference.trivial_error < 1e-8


def test_adaptation_reduces_error(vdp, reference):
    orb = cycles.orbit_from_samples(reference.times, reference.U, vdp.p, ntst=30)
    uni = cycles.refine(vdp, orb)
    err_uni = abs(uni.T - reference.T)
    ad = uni
    for _ in range(3):
        U, m = mesh_mod.adapt(ad.U, ad.mesh, ad.scheme)
        ad = cycles.refine(vdp, cycles.Orbit(U, m, ad.T, ad.p, ad.scheme))
    err_ad = abs(ad.T - reference.T)
    assert err_ad < 0.05 * err_uni, (err_uni, err_ad)
    # the adapted mesh is finer where the orbit jumps
    h = np.diff(ad.mesh)
    assert h.max() / h.min() > 3


def test_uniform_density_for_circle():
    """Stuart-Landau-like circle: the m-th derivative has constant size, the mesh stays uniform."""
    sch = co.Scheme(4)
    mesh = co.uniform_mesh(20)
    tn = co.node_times(mesh, sch)
    U = np.c_[np.cos(2 * np.pi * tn), np.sin(2 * np.pi * tn)]
    _, new = mesh_mod.adapt(U, mesh, sch)
    assert np.max(np.abs(new - mesh)) < 1e-3


def test_double_period_mesh():
    sch = co.Scheme(3)
    mesh = np.array([0, 0.3, 1.0])
    U = np.arange(7.0)[:, None]
    U2, m2 = mesh_mod.double_period(U, mesh, sch)
    assert np.allclose(m2, [0, 0.15, 0.5, 0.65, 1.0])
    assert U2.shape == (13, 1) and U2[6, 0] == U2[0, 0] and U2[-1, 0] == 6.0


def test_multipliers_superconverge_at_order_2m():
    """Floquet multipliers from Gauss collocation converge like h^(2 ncol), not h^ncol.

    Stuart-Landau x' = mu x - w y - x r^2, y' = w x + mu y - y r^2: the cycle r^2 = mu has
    the nontrivial multiplier exp(-2 mu T), T = 2 pi / w.  Collocation at the ncol Gauss
    points is superconvergent at the mesh points (de Boor & Swartz 1973), so are the
    monodromy matrix and its multipliers: the error of a multiplier, hence of a PD or
    NS location, falls by 2^(2 ncol) when the mesh is halved.  This is why a PD point
    that agrees to 7 digits at ntst = 50, ncol = 4 agrees to 9-10 at ntst = 100, and why
    ncol = 5 at ntst = 50 is the cheaper way to 8 digits
    (validation/pd_mesh_convergence.py).
    """
    import math
    x, y, mu, w = real_symbols("x y mu w")
    r2 = x ** 2 + y ** 2
    d = ModelDefinition.from_sympy("sl_superconvergence", [("x", x), ("y", y)],
                                   [(mu, 0.5), (w, 1.0)],
                                   [mu * x - w * y - x * r2, w * x + mu * y - y * r2])
    m = Model(d)
    exact = math.exp(-2 * 0.5 * 2 * math.pi)
    for ncol, (n1, n2) in ((2, (12, 24)), (3, (6, 12)), (4, (6, 12))):
        errs = []
        for ntst in (n1, n2):
            sch, mesh = co.Scheme(ncol), co.uniform_mesh(ntst)
            tn = co.node_times(mesh, sch)
            U = math.sqrt(0.5) * np.c_[np.cos(2 * np.pi * tn), np.sin(2 * np.pi * tn)]
            orb = cycles.refine(m, cycles.Orbit(U, mesh, 2 * np.pi, m.p.copy(), sch))
            small = orb.multipliers[np.argmin(np.abs(orb.multipliers))]
            errs.append(abs(small - exact) / exact)
        order = math.log2(errs[0] / errs[1])
        assert abs(order - 2 * ncol) < 0.4, (ncol, errs, order)
