"""Montbrio-Pazo-Roxin model: closed-form equilibria."""
import math

import numpy as np
import pytest

import bifkit


def test_three_equilibria_in_the_bistable_region():
    # MPR 2015 Fig. 1: eta = -5, J = 15, Delta = 1 lies inside the cusp (bistability)
    m = bifkit.load_model("mpr", Delta=1.0, J=15.0, eta=-5.0)
    ss = m.steady_state()
    assert len(ss) == 3
    stable = [bool(np.all(m.eigenvalues(s).real < 0)) for s in ss]
    assert stable == [True, False, True]
    for s in ss:
        assert np.max(np.abs(m.compiled.f(0.0, m.pack(s), m.p))) < 1e-12


def test_single_equilibrium_outside_and_closed_form_without_coupling():
    # J = 0: R = Delta/(2 pi V*), V* = ... closed form: V^2 + eta = pi^2 R^2, R V = -Delta/(2 pi)
    m = bifkit.load_model("mpr", Delta=0.5, J=0.0, eta=2.0)
    (s,) = m.steady_state()
    R, V = s["R"], s["V"]
    assert R * V == pytest.approx(-0.5 / (2 * math.pi), rel=1e-12)
    assert V * V + 2.0 == pytest.approx((math.pi * R) ** 2, rel=1e-12)


def test_coupling_heterogeneity_enters_like_bi_eq5():
    m = bifkit.load_model("mpr", Delta=0.0, Gamma=0.4, J=1.0, eta=1.0)
    for s in m.steady_state():
        assert s["V"] == pytest.approx(-0.4 / (2 * math.pi), rel=1e-12)
