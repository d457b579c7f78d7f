"""Truncations you can trust (issue 18): tail measure, automatic M, warning for a fixed M.

Reference Hopf points come from an independent computation at a fixed M: Brent's method on the
leading eigenvalue of the stationary chain (Newton + dense eigenvalues, no continuation), see
:func:`brent_hopf`.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import bifkit
from bifkit import truncation
from bifkit.models.shotnoise import closure


def chain(M=64, **params):
    return bifkit.load_model("shotnoise_chain", M=M, g0=1.0, **params)


def brent_hopf(ratio, K_lo, K_hi, M, xtol=1e-10):
    """Independent Hopf point of the M-mode chain: brentq in log10 K on Re(leading eigenvalue)
    of the stationary state (Newton from the previous one), in the bracket (K_lo, K_hi)."""
    from scipy.optimize import brentq
    m = chain(M, K=K_hi, i0=ratio)
    last = {"x": m.pack(bifkit.find_equilibrium(m, m.default_guess()))}

    def lead(lk):
        mk = m.with_params(K=10 ** lk)
        s = bifkit.find_equilibrium(mk, last["x"])
        last["x"] = mk.pack(s)
        return float(mk.eigenvalues(s)[0].real)
    return 10 ** brentq(lead, math.log10(K_lo), math.log10(K_hi), xtol=xtol)


def test_tail_of_a_geometric_spectrum_and_bad_input():
    m = chain(M=32)
    k1 = 0.5 * np.exp(0.3j)
    z = closure(k1, 0.0, 32)  # z_n = k1^n: max |z_n| = 0.5, last four modes 0.5^29..0.5^32
    assert truncation.tail(m, dict(zip(m.states, z))) == pytest.approx(0.5 ** 28, rel=1e-12)
    x = np.column_stack([z.real, z.imag]).ravel()  # the real-split vector gives the same
    assert truncation.tail(m, x) == pytest.approx(0.5 ** 28, rel=1e-12)
    # the chain models report the same measure as an observable of every state
    assert m.observables(dict(zip(m.states, z)))["tail"] == pytest.approx(0.5 ** 28, rel=1e-12)
    with pytest.raises(ValueError, match="no truncation order"):
        truncation.truncation_order(bifkit.load_model("ei_neural_mass"))
    s = bifkit.find_equilibrium(m, m.default_guess())
    with pytest.raises(ValueError, match="truncation_tol"):
        truncation.continuation(m, "EP-C", s, ["K"], truncation_tol=0.0, bounds={"K": (50, 200)})
    with pytest.raises(ValueError, match="M = 3.5"):
        truncation.continuation(m, "EP-C", s, ["K"], M=3.5, bounds={"K": (50, 200)})


def test_fixed_M64_too_small_at_weak_drive_warns_with_the_M_needed():
    """i0/g0^2 = 0.001, K in [9, 12]: M = 64 has spurious Hopf points there (issue 18: six
    below K = 11 where the converged chain has one); the warning names the M needed."""
    m = chain(M=64, K=12.0, i0=1e-3)
    s = bifkit.find_equilibrium(m, m.default_guess())
    with pytest.warns(truncation.TruncationWarning, match=r"M = 64 modes .* M = (\d+) is needed"
                      ) as rec:
        res = truncation.continuation(m, "EP-C", s, ["K"], M=64, bounds={"K": (9.0, 12.0)},
                                      log_params=["K"])
    needed = int(str(rec[0].message).split(" is needed")[0].rsplit("M = ", 1)[1])
    assert needed >= 256  # M = 256 still has spurious points at K ~ 2-3 (issue 18)
    assert res.mode == "fixed" and np.all(res.M == 64) and res.max_tail > truncation.DEFAULT_TOL
    # the claimed M is enough: the state at the worst point has its tail below the tolerance
    i = int(np.argmax(res.tail))
    K = float(res.params["K"][i])
    st = truncation.lift_state(m, res.segments[0].branch.x[i], needed, {"K": K})
    assert truncation.tail(truncation.at_order(m, needed), st) <= truncation.DEFAULT_TOL


def test_fixed_M_large_enough_does_not_warn():
    m = chain(M=64, K=300.0, i0=7e-4)
    s = bifkit.find_equilibrium(m, m.default_guess())
    with warnings.catch_warnings():
        warnings.simplefilter("error", truncation.TruncationWarning)
        res = truncation.continuation(m, "EP-C", s, ["K"], M=64, truncation_tol=1e-6,
                                      bounds={"K": (250.0, 300.0)}, log_params=["K"])
    assert res.max_tail < 1e-6


def test_automatic_M_per_point_upper_hopf_at_7e_4():
    """Automatic M on K in [150, 300] at i0/g0^2 = 7e-4 with truncation_tol = 1e-9 (M = 64 has
    tails up to 5e-9 there): M = 128 below K ~ 245, 64 above (M per point), every point's tail
    below the tolerance; the Hopf point agrees with Brent on the fixed M = 128 chain
    (independent: no continuation) to 1e-8 relative."""
    tol = 1e-9
    m = chain(M=64, K=300.0, i0=7e-4)
    s = bifkit.find_equilibrium(m, m.default_guess())
    res = truncation.continuation(m, "EP-C", s, ["K"], bounds={"K": (150.0, 300.0)},
                                  log_params=["K"], truncation_tol=tol)
    assert res.mode == "per point"
    assert set(res.M) == {64, 128} and np.all(res.tail <= tol)
    K = res.params["K"]
    assert np.all(res.M[K < 200] == 128) and np.all(res.M[K > 260] == 64)
    (h,) = res.special_points("H")
    assert h.data["M"] == 128 and h.data["tail"] <= tol
    ref = brent_hopf(7e-4, 200.0, 230.0, M=128)
    assert h.params["K"] == pytest.approx(ref, rel=1e-8)
    # the first run (M = 64 everywhere) had points above the tolerance
    assert res.history[0][0] == 64 and res.history[0][1] > tol


@pytest.mark.slow
@pytest.mark.parametrize("ratio,K_range,lower,upper", [
    (7e-4, (14.0, 400.0), (15.0, 20.0), (200.0, 230.0)),
    (1e-3, (6.6, 250.0), (6.6, 7.5), (195.0, 225.0)),
])
def test_converged_hopf_points_agree_with_fixed_M512(ratio, K_range, lower, upper):
    """Issue 18's check: the automatic-M chain's two Hopf points (lower, upper) agree with an
    independent fixed-M = 512 computation (Brent) to 1e-4 relative.  Measured (2026-12-06,
    loaded 2-core machine, 5 and 11 min): 7e-4: 17.281572875 (M = 512 chosen) / 216.2243579
    (M = 64) against 17.281572875 / 216.2240748; 1e-3: 6.966267123 (M = 1024) / 209.2124335
    (M = 64) against 6.965829993 / 209.2124769, i.e. 6.3e-5 (the M = 512 value's own
    truncation error: its tail is 5.7e-8) and 2.1e-7."""
    m = chain(M=64, K=K_range[1], i0=ratio)
    s = bifkit.find_equilibrium(m, m.default_guess())
    res = truncation.continuation(m, "EP-C", s, ["K"], bounds={"K": K_range}, log_params=["K"])
    hs = sorted(h.params["K"] for h in res.special_points("H"))
    assert len(hs) == 2, hs
    for K_h, bracket in zip(hs, (lower, upper)):
        assert K_h == pytest.approx(brent_hopf(ratio, *bracket, M=512), rel=1e-4)
