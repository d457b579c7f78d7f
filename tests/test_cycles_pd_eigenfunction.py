"""The PD eigenfunction from the LC-C factorisation (starts.pd_eigenfunction_from_factor).

LC-C's polish of a located PD takes the eigenfunction that starts the PD defining system
from the factorisation the corrector left at the trial orbit, instead of a new bordered
solve (starts.eigenfunction).  Independent references: the collocation equations
themselves (the blocks from collocation_jacobian applied to V, and v(1) = -v(0)), the
bordered solve with random borders, and the polish without the factorisation.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import bifkit
from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import starts
from bifkit.continuation.cycles.lc_run import LCSystem
from bifkit.continuation.cycles.linalg import Factor
from bifkit.continuation.cycles.systems import node_weights

BOUNDS = {"I_e": (1e-5, 200.0)}


@pytest.fixture(scope="module")
def ei():
    m = bifkit.load_model("ei_neural_mass", K=1000.0, D_ii=0.3, D_ee=2.0, I_e=1e-5)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds=BOUNDS,
                             log_params=["I_e"])
    lc = bifkit.continuation(m, "LC-C", start=ep.special_points("H")[0], free=["I_e"],
                             log_params=["I_e"], bounds=BOUNDS, ntst=50, ncol=4)
    return m, lc


def _factor(m, orbit):
    """The LC-C factorisation (T and log10 I_e border columns) of an orbit's Jacobian."""
    system = LCSystem(m, m.param_names.index("I_e"), True, orbit.scheme)
    return Factor(*system.jacobian(orbit.U, orbit.T, np.asarray(orbit.p, float), orbit.mesh))


def _blocks(m, orbit):
    n, N, k = m.n, orbit.ntst, m.compiled
    mc = orbit.scheme.ncol
    Jblk = np.empty((N, mc * n, (mc + 1) * n))
    JbT = np.empty((N, mc * n, 1))
    co.collocation_jacobian(k.jac, k.f, k.dfdp, orbit.U, orbit.T, np.asarray(orbit.p, float),
                            np.zeros(0, np.int64), orbit.mesh, orbit.scheme.W, orbit.scheme.Wd,
                            Jblk, JbT)
    return Jblk, JbT


def test_solves_the_collocation_equations_at_a_pd_orbit(ei):
    m, lc = ei
    orbit = lc.special_points("PD")[0].orbit          # polished: the PD defining system solved
    V = starts.pd_eigenfunction_from_factor(_factor(m, orbit), orbit.mesh, orbit.scheme, m.n)
    Jblk, _ = _blocks(m, orbit)
    mc = orbit.scheme.ncol
    # the homogeneous collocation rows, interval by interval (Jblk from collocation.py)
    worst = max(np.max(np.abs(Jblk[j] @ V[j * mc:(j + 1) * mc + 1].ravel()))
                for j in range(orbit.ntst))
    assert worst < 1e-9 * np.max(np.abs(Jblk))        # ~ sigma_min(P - Q) at the polished PD
    np.testing.assert_array_equal(V[-1], -V[0])       # antiperiodic: multiplier -1
    w = node_weights(orbit.mesh, orbit.scheme)
    assert math.sqrt(np.sum(w[:, None] * V * V)) == pytest.approx(1.0, rel=1e-14)
    # the same function as the bordered solve with random borders (up to its sign)
    Vb, _, g = starts.eigenfunction("PD", Jblk, None, orbit.U, orbit.mesh, orbit.scheme, m.n)
    assert abs(g) < 1e-8                              # the bordered check: at the PD
    s = np.sign(np.sum(w[:, None] * V * Vb))
    assert np.max(np.abs(V - s * Vb)) < 1e-7


def test_polish_with_and_without_the_factorisation_agree(ei):
    m, lc = ei
    ipar = m.param_names.index("I_e")
    for sp in lc.special_points("PD"):
        orbit = sp.orbit
        with_f = starts.polish(m, "PD", orbit, ipar, True, factor=_factor(m, orbit))
        without = starts.polish(m, "PD", orbit, ipar, True)
        assert with_f is not None and without is not None
        # both solve the PD defining system to tol 1e-11 from slightly different starts
        assert with_f[2][ipar] == pytest.approx(without[2][ipar], rel=1e-10)
        assert with_f[1] == pytest.approx(without[1], rel=1e-10)


def test_factor_ignored_on_another_mesh(ei, monkeypatch):
    """start_from_orbit on another ntst re-meshes: the factorisation (of the old mesh) must
    not be used."""
    m, lc = ei
    orbit = lc.special_points("PD")[0].orbit

    def refuse(*a, **k):
        raise AssertionError("factor used on a re-meshed orbit")
    monkeypatch.setattr(starts, "pd_eigenfunction_from_factor", refuse)
    from bifkit.continuation.cycles.systems import ExtendedSystem
    ipar = m.param_names.index("I_e")
    other = [k for k in range(len(m.param_names)) if k != ipar][0]
    system = ExtendedSystem(m, "PD-C", [ipar, other], [True, False],
                            co.Scheme(orbit.scheme.ncol, orbit.scheme.kind), orbit.p)
    system.T_scale = orbit.T
    pt, _ = starts.start_from_orbit(system, orbit, "PD", 40, system.nz - 1, with_info=False,
                                    factor=_factor(m, orbit))
    assert pt is not None
