"""LC-C: the cycle family arriving at a Hopf point (amplitude -> 0) stops there with "H".

Closed forms (planar normal forms in polar coordinates, r' = r g(r^2, p),
theta' = w(p) + r^2 / 2):

* supercritical: g = mu(p) - r^2, mu = p (1 - p): Hopf points at p = 0 and p = 1,
  cycles r^2 = mu(p) for 0 < p < 1; the branch from p = 0 ends at p = 1 with
  period 2 pi / w(1).
* with folds: g = mu(p) + 2 r^2 - r^4, mu = p (1 - p): cycles r^2 = 1 -+ sqrt(1 + mu),
  folds (LPC) where mu = -1, i.e. p = (1 -+ sqrt 5) / 2; the branch from p = 0 goes
  round both folds and shrinks onto the Hopf point at p = 1.

E-I neural mass, K=1000, D_ii=0.3, D_ee=4: the cycles of the lower (subcritical)
Hopf point end at the upper one (I_e = 0.12456), which must agree with EP-C.
"""
import numpy as np
import pytest

import bifkit
from bifkit.continuation import continuation
from bifkit.model import Model, ModelDefinition, real_symbols

W1 = 3.0  # w(p) = 2 + p at p = 1


def _planar(name, g):
    x, y, p = real_symbols("x y p")
    r2 = x ** 2 + y ** 2
    w = 2 + p + r2 / 2
    gr = g(r2, p)
    return Model(ModelDefinition.from_sympy(
        name, [("x", x), ("y", y)], [(p, 0.0)], [gr * x - w * y, w * x + gr * y]))


@pytest.fixture(scope="module")
def nf():
    return _planar("hopf_return_nf", lambda r2, p: p * (1 - p) - r2)


@pytest.fixture(scope="module")
def nf_folds():
    return _planar("hopf_return_folds", lambda r2, p: p * (1 - p) + 2 * r2 - r2 ** 2)


HOPF0 = {"state": {"x": 0.0, "y": 0.0}, "params": {"p": 0.0}}


def _check_h_at_one(b):
    assert b.status == {"forward": "reached_end_point"}   # shrank onto the equilibrium
    h = b.special_points("H")
    assert len(h) == 1 and b.special_points()[-1] is h[0]
    h = h[0]
    assert h.converged
    assert h.params["p"] == pytest.approx(1.0, abs=1e-9)
    assert h.data["period"] == pytest.approx(2 * np.pi / W1, rel=1e-9)
    assert np.allclose(h.data["orbit"].U, 0.0, atol=1e-12)   # the equilibrium
    mu = h.data["multipliers"]
    assert np.allclose(mu, 1.0, atol=1e-9)                   # exp(+-i w T), w T = 2 pi
    assert h.index == len(b.orbits) - 1


@pytest.mark.parametrize("steps", [{}, {"ds": 0.05, "ds_max": 0.3}, {"ds_max": 0.02}])
def test_branch_from_p0_stops_at_p1(nf, steps):
    b = continuation(nf, "LC-C", HOPF0, ["p"], ntst=20, bounds={"p": (-1.0, 2.0)}, **steps)
    _check_h_at_one(b)
    p = b.params["p"]
    assert np.all((p > 0) & (p < 1))
    r = np.array([np.max(np.hypot(o.U[:, 0], o.U[:, 1])) for o in b.orbits])
    assert np.max(np.abs(r - np.sqrt(p * (1 - p)))) < 1e-8
    assert not b.special_points("LPC")


def test_detected_without_the_fold_test(nf):
    """The arrival is a stop condition, not one of the detected test functions."""
    b = continuation(nf, "LC-C", HOPF0, ["p"], ntst=20, detect=("PD", "NS"))
    _check_h_at_one(b)


def test_both_directions_from_an_orbit_end_at_both_hopf_points(nf):
    b0 = continuation(nf, "LC-C", HOPF0, ["p"], ntst=20, max_points=8)
    orb = b0.orbits[-1]
    b = continuation(nf, "LC-C", orb, ["p"], ntst=20, direction="both")
    hs = b.special_points("H")
    assert [h.index for h in hs] == [0, len(b.orbits) - 1]
    assert hs[0].params["p"] == pytest.approx(0.0, abs=1e-9)
    assert hs[0].data["period"] == pytest.approx(np.pi, rel=1e-9)
    assert hs[1].params["p"] == pytest.approx(1.0, abs=1e-9)
    assert b.status == {"backward": "reached_end_point", "forward": "reached_end_point"}


def test_folds_then_return(nf_folds):
    b = continuation(nf_folds, "LC-C", HOPF0, ["p"], ntst=20, bounds={"p": (-3.0, 3.0)})
    labels = [s.label for s in b.special_points()]
    assert labels == ["LPC", "LPC", "H"]
    lpc = sorted(s.params["p"] for s in b.special_points("LPC"))
    assert lpc == pytest.approx([(1 - 5 ** 0.5) / 2, (1 + 5 ** 0.5) / 2], abs=1e-7)
    _check_h_at_one(b)


def test_ei_subcritical_branch_ends_at_upper_hopf():
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=4.0, I_e=1e-5)
    state = {k: v for k, v in m.steady_state()[0].items() if k in m.states}
    ep = bifkit.continuation(m, "EP-C", state, ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                             log_params=["I_e"])
    lower, upper = sorted(ep.special_points("H"), key=lambda s: s.params["I_e"])
    b = bifkit.continuation(m, "LC-C", lower, ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                            log_params=["I_e"])
    (h,) = b.special_points("H")
    assert not b.special_points("LPC")
    assert h.converged and b.status == {"forward": "reached_end_point"}
    assert h.params["I_e"] == pytest.approx(upper.params["I_e"], rel=1e-9)
    assert h.data["period"] == pytest.approx(2 * np.pi / upper.data["omega"], rel=1e-9)
    assert np.max(b.params["I_e"]) < h.params["I_e"]
