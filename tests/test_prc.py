"""Phase response curves (bifkit.prc): adjoint of the collocation system and kicks.

References
----------
* Sheared Stuart-Landau oscillator z' = (mu + i w) z - (1 + i c)|z|^2 z, in polar
  form r' = mu r - r^3, theta' = w - c r^2.  Closed form of the asymptotic phase:
  Theta = theta - c ln r satisfies dTheta/dt = w - c mu =: Omega for every r
  (d/dt(-c ln r) = -c (mu - r^2)), so the isochrons are the curves
  theta - c ln r = const, the period is 2 pi / Omega and the time-phase is
  Theta / Omega.  Its gradient on the cycle r = sqrt(mu) is the PRC (time
  advance per unit kick):
      Z_x = (-sin th - c cos th) / (Omega sqrt(mu)),
      Z_y = ( cos th - c sin th) / (Omega sqrt(mu)),
  and for the parameter mu (df/dmu = (x, y)): Z . (x, y) = -c / Omega.
* Type-I oscillator near a SNIC: r' = r (1 - r^2), theta' = b - r cos theta
  (x' = x (1 - r^2) - y (b - x), y' = y (1 - r^2) + x (b - x)), SNIC at b = 1.
  On r = 1, theta' = b - cos theta is the theta-neuron form, whose PRC in the
  tangential direction is proportional to 1 - cos(2 pi (phase - phase_spike))
  (Ermentrout 1996, Neural Comput. 8, 979); at the bottleneck theta = 0 the
  tangent is +y.  Period 2 pi / sqrt(b^2 - 1) (closed form).
"""
import dataclasses

import numpy as np
import pytest

from bifkit.continuation import continuation
from bifkit.continuation.homoclinic._deps import orbit_from_simulation
from bifkit.errors import ConvergenceError, InputError
from bifkit.prc import prc, prc_finite

C_SHEAR = 0.5


@pytest.fixture(scope="module")
def sheared_sl(make_model):
    m = make_model("sl_shear", ["x", "y"], {"mu": 0.0, "w": 2.0, "c": C_SHEAR},
                   lambda x, y, mu, w, c: [mu * x - w * y - (x * x + y * y) * (x - c * y),
                                           w * x + mu * y - (x * x + y * y) * (y + c * x)])
    b = continuation(m, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": m.params}, ["mu"],
                        ntst=20, bounds={"mu": (-1.0, 0.5)}, ds=0.02, ds_max=0.1)
    return m, b.point(len(b) - 1)


def _sl_closed_form(orbit, phase):
    mu = orbit.p[0]
    omega = 2.0 - C_SHEAR * mu
    X = orbit(phase * orbit.T)
    th = np.arctan2(X[:, 1], X[:, 0])
    zx = (-np.sin(th) - C_SHEAR * np.cos(th)) / (omega * np.sqrt(mu))
    zy = (np.cos(th) - C_SHEAR * np.sin(th)) / (omega * np.sqrt(mu))
    return zx, zy, -C_SHEAR / omega


def test_stuart_landau_prc_closed_form(sheared_sl):
    m, pt = sheared_sl
    orbit = pt["orbit"]
    assert orbit.p[0] == pytest.approx(0.5)
    ph, zx = prc(pt, "x", model=m)
    _, zy = prc(pt, "y", model=m)
    ex, ey, emu = _sl_closed_form(orbit, ph)
    assert np.all((ph >= 0) & (ph < 1)) and np.all(np.diff(ph) > 0)
    # collocation at ntst 20, ncol 4 on a smooth orbit: ~1e-8 measured; the
    # amplitude of Z is ~0.9 (time units per unit kick)
    assert np.max(np.abs(zx - ex)) < 1e-6
    assert np.max(np.abs(zy - ey)) < 1e-6
    _, zmu = prc(pt, "mu", model=m, n_phases=7)
    assert np.allclose(zmu, emu, atol=1e-6)
    # on a uniform grid (interpolated from the Gauss points)
    g, zg = prc(pt, "x", model=m, n_phases=16)
    assert np.allclose(g, np.arange(16) / 16)
    assert np.max(np.abs(zg - _sl_closed_form(orbit, g)[0])) < 1e-5


def test_finite_prc_converges_to_infinitesimal(sheared_sl):
    m, pt = sheared_sl
    orbit = pt["orbit"]
    errs = []
    for a in (2e-3, 1e-3):
        ph, zf = prc_finite(pt, "y", a, 6, model=m)
        errs.append(np.max(np.abs(zf - _sl_closed_form(orbit, ph)[1])))
    # the kick response is Z a + O(a^2): the error per unit kick is O(a) (ratio ~2 on halving)
    assert errs[1] < 2e-3 and 1.6 < errs[0] / errs[1] < 2.4
    # a negative kick mirrors the first-order term
    ph, zneg = prc_finite(pt, "y", -1e-3, 6, model=m)
    assert np.max(np.abs(zneg - _sl_closed_form(orbit, ph)[1])) < 2e-3


@pytest.fixture(scope="module")
def snic(make_model):
    b = 1.01
    m = make_model("snic_plane", ["x", "y"], {"b": b},
                   lambda x, y, b: [x * (1 - x * x - y * y) - y * (b - x),
                                    y * (1 - x * x - y * y) + x * (b - x)])
    orbit = orbit_from_simulation(m, np.array([0.0, 1.0]), 10.0, ntst=80)
    return m, orbit, b


def test_type_one_prc_near_snic_is_one_minus_cos(snic):
    m, orbit, b = snic
    assert orbit.T == pytest.approx(2 * np.pi / np.sqrt(b * b - 1), rel=1e-6)  # closed form
    ph, zy = prc(orbit, "y", model=m)
    F = np.array([m.compiled.f(0.0, u, orbit.p) for u in orbit(ph * orbit.T)])
    spike = ph[np.argmax(np.hypot(F[:, 0], F[:, 1]))]       # fastest point of the orbit
    shape = 1 - np.cos(2 * np.pi * (ph - spike))
    assert np.corrcoef(zy, shape)[0, 1] > 0.99
    # type I: (almost) no delays for the tangential kick at the bottleneck side
    assert zy.min() > -0.05 * zy.max()
    # the Stuart-Landau (type II) PRC is not of this shape: sign changes, equal lobes
    assert np.max(zy) > 10 * abs(np.min(zy))


def test_bad_inputs(sheared_sl):
    m, pt = sheared_sl
    with pytest.raises(InputError, match="unknown variable 'z'"):
        prc(pt, "z", model=m)
    with pytest.raises(InputError, match="is a parameter"):
        prc_finite(pt, "mu", 1e-3, 4, model=m)
    with pytest.raises(InputError, match="amplitude"):
        prc_finite(pt, "x", 0.0, 4, model=m)
    with pytest.raises(InputError, match="orbit"):
        prc({"state": pt["state"], "params": pt["params"]}, "x", model=m)
    unstable = dataclasses.replace(pt["orbit"], multipliers=np.array([1.0, 1.5]))
    with pytest.raises(InputError, match="not attracting"):
        prc_finite(unstable, "x", 1e-3, 4, model=m)
    # a perturbed orbit is no periodic solution: the adjoint must refuse it
    o = pt["orbit"]
    bent = dataclasses.replace(o, U=o.U + 0.05 * np.sin(7 * np.arange(o.U.size)).reshape(o.U.shape))
    with pytest.raises(ConvergenceError, match="Z . f varies"):
        prc(bent, "x", model=m)


def test_ei_collective_oscillation_finite_vs_infinitesimal(ei_model):
    """E-I neural mass (Bi et al. 2021, eq. 6), D_ee = 2, cycle at I_e ~ 1e-3 (T ~ 473 ms):
    kicks of R_e of size a give advance / a = Z + O(a); measured relative differences 5.0 %
    (a = 1e-5 /ms) and 2.6 % (5e-6): first order in a."""
    m = ei_model(2.0)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-5, 200)},
                      log_params=["I_e"])
    h = [s for s in ep.special_points("H") if s.params["I_e"] < 0.01][0]
    lc = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1)}, log_params=["I_e"],
                      max_points=40)
    pt = lc.point(int(np.argmin(np.abs(lc.params["I_e"] - 0.001))))
    _, Z = prc(pt, "R_e", model=m, n_phases=6)
    rel = []
    for a in (1e-5, 5e-6):
        _, zf = prc_finite(pt, "R_e", a, 6, model=m)
        rel.append(np.max(np.abs(zf - Z)) / np.max(np.abs(Z)))
    assert rel[1] < 0.05 and 1.6 < rel[0] / rel[1] < 2.4
