"""Issue 15 zoo: equilibrium branches (EP-C) of classic systems, labels found and NOT found.

Every reference value names its source beside it (closed form unless said
otherwise).  Location tolerance: the issue's 1e-6 relative (absolute where the
value is 0).  The models are in :mod:`zoo_models`.
"""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from bifkit.continuation import continuation
import zoo_models as zoo


def labels(branch):
    return sorted(sp.label for sp in branch.special_points())


def test_saddle_node_fold():
    m = zoo.saddle_node(mu=1.0)
    b = continuation(m, "EP-C", {"x": 1.0, "y": 0.0}, ["mu"], bounds={"mu": (-1, 2)})
    assert labels(b) == ["LP"]                      # and nothing else: no H, no BP
    (lp,) = b.special_points("LP")
    assert lp.params["mu"] == pytest.approx(0.0, abs=1e-10)    # closed form mu = 0
    assert lp.state["x"] == pytest.approx(0.0, abs=1e-6)       # x = sqrt(mu): sqrt of the error


@pytest.mark.parametrize("factory", [zoo.transcritical, zoo.pitchfork])
def test_branch_points(factory):
    m = factory(mu=-1.0)
    b = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-1, 1)})
    assert labels(b) == ["BP"]                      # no LP, no H on the trivial branch
    (bp,) = b.special_points("BP")
    assert bp.params["mu"] == pytest.approx(0.0, abs=1e-10)    # closed form mu = 0


def test_hopf_normal_form():
    w, a = 1.5, -1.0
    m = zoo.hopf(mu=-0.5, w=w, a=a)
    b = continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.5, 0.5)})
    assert labels(b) == ["H"]
    (h,) = b.special_points("H")
    assert h.params["mu"] == pytest.approx(0.0, abs=1e-10)     # closed form mu = 0
    assert h.data["omega"] == pytest.approx(w, rel=1e-10)     # closed form omega = w
    # closed form: with Kuznetsov's <q, q> = 1, z = x + i y = sqrt(2) w, so l1 = 2 Re c1 / w
    assert h.data["l1"] == pytest.approx(2 * a / w, rel=1e-8)


def test_brusselator_hopf():
    A = 1.3
    m = zoo.brusselator(A=A, B=1.5)
    b = continuation(m, "EP-C", {"x": A, "y": 1.5 / A}, ["B"], bounds={"B": (1.5, 4.0)})
    assert labels(b) == ["H"]                       # no LP, no BP: the equilibrium is unique
    (h,) = b.special_points("H")
    assert h.params["B"] == pytest.approx(1 + A ** 2, rel=1e-8)   # closed form B = 1 + A^2
    assert h.data["omega"] == pytest.approx(A, rel=1e-8)          # closed form omega = A
    assert h.data["l1"] < 0                                       # supercritical (Hopf 1942
    # example; the value is cross-checked by validation/zoo_auto.py)


def test_fitzhugh_nagumo_hopf_points():
    m = zoo.fitzhugh_nagumo(I=0.0)
    v0 = brentq(lambda v: v - v ** 3 / 3 - (v + 0.7) / 0.8, -3, 3)   # equilibrium at I = 0
    b = continuation(m, "EP-C", {"v": v0, "w": (v0 + 0.7) / 0.8}, ["I"],
                     bounds={"I": (-1.0, 3.0)}, direction="forward")
    # dI/dv = 1/b - 1 + v^2 > 0: no LP; det J = eps (1 - b + b v^2) > 0: no saddle
    assert labels(b) == ["H", "H", "NF"]
    got = sorted(h.params["I"] for h in b.special_points("H"))
    for g, (ref, _) in zip(got, zoo.fhn_hopf()):    # closed form v = +-sqrt(1 - eps b)
        assert g == pytest.approx(ref, rel=1e-8)
    # NF = node/focus transition (double real eigenvalue): tr^2 = 4 det, closed form in v,
    # tr = 1 - v^2 - eps b, det = eps (1 - b + b v^2); the root in v > sqrt(1 - eps b)
    a_, b_, eps = 0.7, 0.8, 0.08
    disc = lambda v: (1 - v * v - eps * b_) ** 2 - 4 * eps * (1 - b_ + b_ * v * v)  # noqa: E731
    v_nf = brentq(disc, math.sqrt(1 - eps * b_), 2.0, xtol=1e-15)
    i_nf = (v_nf + a_) / b_ - v_nf + v_nf ** 3 / 3
    (nf,) = b.special_points("NF")
    assert nf.params["I"] == pytest.approx(i_nf, rel=1e-7)
    ev = np.asarray(nf.data["eigenvalues"])
    assert np.all(np.abs(ev.imag) < 1e-6) and np.all(ev.real < 0)   # a stable node/focus


def test_ab_demo_folds_and_hopf():
    """AUTO-07p demo 'ab' at B = 14, beta = 2: folds and Hopf from the closed-form
    equilibrium curve u2 -> (u1, D), roots of det J and tr J in u2 by brentq."""
    m = zoo.ab(D=0.0)
    b = continuation(m, "EP-C", {"u1": 0.0, "u2": 0.0}, ["D"], bounds={"D": (0.0, 0.2)},
                     max_points=400)
    grid = np.linspace(1e-6, 14 / 3 - 1e-6, 20001)     # u1 = 3 u2 / 14 < 1
    td = np.array([zoo.ab_trace_det(u) for u in grid])
    def roots(k):
        s = np.sign(td[:, k])
        return [brentq(lambda u: zoo.ab_trace_det(u)[k], grid[i], grid[i + 1], xtol=1e-14)
                for i in np.nonzero(s[:-1] * s[1:] < 0)[0]]
    ref_lp = sorted(zoo.ab_equilibrium(u)[1] for u in roots(1))
    ref_h = sorted(zoo.ab_equilibrium(u)[1] for u in roots(0)
                   if zoo.ab_trace_det(u)[1] > 0)
    ref_lp = [d for d in ref_lp if d <= 0.2]
    ref_h = [d for d in ref_h if d <= 0.2]
    assert len(ref_lp) == 2 and len(ref_h) >= 1
    got_lp = sorted(s.params["D"] for s in b.special_points("LP"))
    got_h = sorted(s.params["D"] for s in b.special_points("H"))
    assert got_lp == pytest.approx(ref_lp, rel=1e-7)
    assert got_h == pytest.approx(ref_h, rel=1e-7)
    assert b.special_points("BP") == []


def test_lorenz_pitchfork_and_hopf():
    m = zoo.lorenz(r=0.5)
    b0 = continuation(m, "EP-C", {"x": 0.0, "y": 0.0, "z": 0.0}, ["r"], bounds={"r": (0.5, 2.0)})
    assert labels(b0) == ["BP"]
    assert b0.special_points("BP")[0].params["r"] == pytest.approx(1.0, abs=1e-10)  # closed form
    r0, beta = 20.0, 8 / 3
    x0 = math.sqrt(beta * (r0 - 1))                 # C+ = (sqrt(b(r-1)), same, r-1)
    m = zoo.lorenz(r=r0)
    b = continuation(m, "EP-C", {"x": x0, "y": x0, "z": r0 - 1}, ["r"], bounds={"r": (20, 30)})
    assert labels(b) == ["H"]
    (h,) = b.special_points("H")
    assert h.params["r"] == pytest.approx(zoo.lorenz_hopf_r(), rel=1e-9)   # closed form 470/19
    assert h.data["l1"] > 0                         # subcritical (Sparrow 1982, sec. 3.2)


def test_fold_hopf_point_on_an_equilibrium_branch_is_not_a_plain_hopf():
    """b2 = 0: the EP-C in b1 passes through the ZH point b1 = 0 (eigenvalues 0, +-i w).
    A fold is found there; an "H" label with l1 from a singular Jacobian must NOT be."""
    m = zoo.fold_hopf(b1=-1.0, b2=0.0)
    b = continuation(m, "EP-C", {"x": -1.0, "y": 0.0, "z": 0.0}, ["b1"], bounds={"b1": (-1, 0.5)})
    for h in b.special_points("H"):
        assert abs(h.params["b1"]) > 1e-3, f"H at the ZH point, l1 = {h.data.get('l1')}"
    lp = b.special_points("LP")
    assert len(lp) == 1 and lp[0].params["b1"] == pytest.approx(0.0, abs=1e-10)  # closed form
    (zh,) = b.special_points("ZH")                  # told apart: ZH, without l1
    assert zh.params["b1"] == pytest.approx(0.0, abs=1e-8)    # closed form b1 = b2 = 0
    assert zh.data["omega"] == pytest.approx(1.0, rel=1e-8)  # closed form: w (default 1)
    assert "l1" not in zh.data


def test_rossler_zero_hopf_point_is_not_a_plain_hopf():
    """Rossler with a = b: at c = 2a the equilibria (x, y, z) = (a, -1, 1) meet in a fold
    whose Jacobian has trace 0 and second invariant 2 - a^2: eigenvalues 0, +-i sqrt(2 - a^2)
    (closed form), a ZH point.  LP there is right; a plain H (and l1) is not."""
    a = 0.2
    c0 = 1.0
    y = (-c0 + math.sqrt(c0 * c0 - 4 * a * a)) / (2 * a)
    m = zoo.rossler(a=a, b=a, c=c0)
    b = continuation(m, "EP-C", {"x": -a * y, "y": y, "z": -y}, ["c"], bounds={"c": (0.05, 6.0)},
                     max_points=1000, ds_max=0.01)
    (lp,) = b.special_points("LP")
    assert lp.params["c"] == pytest.approx(2 * a, rel=1e-6)
    assert b.special_points("H") == []
