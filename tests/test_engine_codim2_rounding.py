"""H-C where the equations fix the curve only to ~1e-7 in double precision: the diffusion
z_n chain (Ageeva & Goldobin 2025, eq. 29; M = 64) at i0/g0^2 = 1.6e-3, K ~ 1e5.

There the bordered Hopf system has cond ~1e9 and a residual at rounding level ~5e-11, so the
compiled corrector's relative Newton steps stall at ~1e-7, above tol = 1e-10, and the run ends
with "step_underflow" after a few points.  The message must name that cause and the remedy (a
tolerance the measured level satisfies), and the remedy must work.  A step underflow of another
cause (NaN ahead) must not be blamed on rounding.
"""
import re

import numpy as np
import pytest

import bifkit


@pytest.mark.slow   # ~20 s: EP-C and H-C of a 128-state chain, H-C halving its step to ds_min
def test_rounding_stall_names_cause_and_remedy():
    m = bifkit.load_model("diffusion_chain", M=64, K=8e4, i0=1.6e-3, g0=1.0)
    ep = bifkit.continuation(m, "EP-C", bifkit.find_equilibrium(m), ["K"],
                             bounds={"K": (8e4, 1e5)}, log_params=["K"], direction="forward")
    (h,) = ep.special_points("H")
    assert h.params["K"] == pytest.approx(95945, rel=1e-4)   # the recipe's Brent crossing
    kw = dict(bounds={"K": (1e3, 1e7), "i0": (1e-4, 1e-1)}, log_params=["K", "i0"],
              ds_max=0.05)
    hc = bifkit.continuation(m, "H-C", h, ["K", "i0"], max_points=40, **kw)
    assert set(hc.status.values()) == {"step_underflow"}
    assert "stalls at rounding level" in hc.message
    fix = float(re.search(r"rerun with tol=([0-9.e+-]+)\)", hc.message).group(1))
    assert 1e-8 <= fix <= 1e-4
    again = bifkit.continuation(m, "H-C", h, ["K", "i0"], max_points=6, tol=fix,
                                direction="forward", **kw)
    assert again.status == {"forward": "max_points"}
    # every point is a Hopf point: a pair of eigenvalues on the imaginary axis (numpy's
    # eigenvalues of the model's Jacobian at the point, not the curve's test functions)
    for x, p in zip(again.x, again.p):
        ev = np.linalg.eigvals(m.compiled.jac(0.0, np.ascontiguousarray(x), p))
        lead = ev[np.argmin(np.abs(ev.real))]
        assert abs(lead.real) <= 1e-5 * abs(lead.imag)
    assert again.params["K"].max() > 1.01 * h.params["K"] or \
        again.params["K"].min() < 0.99 * h.params["K"]


def test_other_step_underflow_is_not_blamed_on_rounding(make_model):
    import sympy
    # sqrt(nu) is NaN for nu < 0: the fold curve ends where nu -> 0 (test_continuation_codim2)
    m = make_model("c2_nan_r", ["x"], {"mu": -0.25, "nu": 1.0},
                   lambda x, mu, nu: [mu + nu ** sympy.Rational(1, 2) - x * x])
    br = bifkit.continuation(m, "LP-C", {"x": 0.0}, ["mu", "nu"], bounds={"mu": (-1, 1)})
    assert "step_underflow" in br.status.values()
    assert "rounding" not in br.message
