"""The failure classes of the ag2025-fig3 recipe (forced shot-noise mean fields, eta0 = 0.4).

- numerical: a fixed-step run that blows up is rerun with the step halved (``refine``);
- dynamics: near-resonant forcing at i0/g0^2 = 0.8, small K drives the population to full
  synchrony (|kappa_1| -> 1), off resonance it does not; the recipe reports such runs as
  "synchrony", not as failures.
"""
import math

import numpy as np
import pytest

import bifkit
from bifkit.dynamics.integrate import integrate
from bifkit.dynamics.response import (ForcedRunError, omega_from_rescaled, rate_response,
                                      stationary_state)


def _forcing(name, K, ratio, omega_tau):
    m = bifkit.load_model(name, K=K, i0=ratio, g0=1.0)
    w = float(omega_from_rescaled(m, omega_tau))
    return m, w, 2 * math.pi / w


def test_blown_up_run_is_refined_and_reports_the_step():
    # 2CC, K = 1000, i0/g0^2 = 0.2: ETD with transient step 0.1 blows up, 0.05 does not
    m, w, period = _forcing("shotnoise_2cc", 1000.0, 0.2, 2.0)
    kw = dict(transient=20 * period, periods=2)
    with pytest.raises(ForcedRunError, match=r"dt=0\.1: transient failed") as err:
        rate_response(m, w, 0.4, dt=0.1, **kw)
    reached = err.value.state_max  # |kappa_1|, |kappa_2| over the samples before the blow-up
    assert reached.shape == (2,) and np.all(np.isfinite(reached))
    refined = rate_response(m, w, 0.4, dt=0.1, refine=2, **kw)
    direct = rate_response(m, w, 0.4, dt=0.05, **kw)
    assert refined.dt_used[0] == 0.05
    assert refined.maximum[0] == direct.maximum[0] and refined.gain[0] == direct.gain[0]
    with pytest.raises(ValueError, match="refine"):
        rate_response(m, w, 0.4, dt=0.1, refine=-1, **kw)


def test_state_max_is_the_largest_modulus_over_the_record():
    m, w, period = _forcing("shotnoise_oa", 100.0, 0.4, 3.0)
    r = rate_response(m, w, 0.4, transient=10 * period, periods=2, dt=0.005)
    # the same run by hand: transient, then two periods sampled as rate_response does
    free, xs = stationary_state(m)
    forced = free.with_params(eta0=0.4, omega=w)
    x = integrate(forced, (0, 10 * period), xs, method="etd", dt=0.005,
                  sample=period).x_final  # the transient is sampled once per period
    rec = integrate(forced, (10 * period, 12 * period), x, method="etd", dt=0.005,
                    sample=period / 64)
    assert r.state_max.shape == (1, 1)
    assert r.state_max[0, 0] == pytest.approx(np.abs(rec.states["k1"][:128]).max(), rel=1e-12)
    assert 0 < r.state_max[0, 0] < 1


def _max_k1(name, omega_tau, periods=64):
    """max |kappa_1| over the last 4 of ``periods`` forcing periods (tight dopri)."""
    m, w, period = _forcing(name, 20.0, 0.8, omega_tau)
    free, xs = stationary_state(m)
    run = integrate(free.with_params(eta0=0.4, omega=w), (0, periods * period), xs,
                    method="dopri", rtol=1e-10, atol=1e-12, sample=period / 200)
    assert run.success
    return np.abs(run.states["k1"][-800:]).max()


def test_near_resonant_forcing_synchronises_and_off_resonance_does_not():
    # measured: OA 1 - 2e-9 at omega_tau = 2 (a delta-peaked population), 0.30 at omega_tau = 3
    assert _max_k1("shotnoise_oa", 2.0) > 0.999
    assert _max_k1("shotnoise_oa", 3.0) < 0.5


def test_recipe_check_classifies_runs():
    fig3 = pytest.importorskip("diagrams.ag2025_fig3")
    ok = dict(first=0.6, last=1e-10, mean=0.2)
    assert fig3.check("shotnoise_chain", 0.05, 0.4, ok) is None
    sync = fig3.check("shotnoise_chain", -2.0, 21.0, dict(first=1.01, last=1.2, mean=0.32))
    assert sync.startswith(fig3.SYNC)
    blown = ForcedRunError("omega = 5: dt=0.002: transient failed", np.array([0.997, 0.3]))
    assert fig3.check_blowup("shotnoise_chain", blown).startswith(fig3.SYNC)
    blown.state_max = np.array([0.7, 1e5])
    assert not fig3.check_blowup("shotnoise_chain", blown).startswith(fig3.SYNC)
    assert fig3.check("shotnoise_oa", 1e-9, 1e-5, dict(first=1.0, last=1.0, mean=0.0)) \
        .startswith(fig3.SYNC)
    tail = fig3.check("shotnoise_chain", 0.05, 0.4, dict(first=0.9, last=5e-3, mean=0.2))
    assert tail.startswith("M-mode truncation")
    neg = fig3.check("shotnoise_2cc", -0.4, 7.2, dict(first=0.92, last=0.02, mean=0.3))
    assert neg.startswith("unphysical rate range")
