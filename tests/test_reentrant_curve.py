"""Issue 18: the re-entrant Hopf line of the shot-noise chain as a curve (H-C with the mode
count raised along it, ``bifkit.diagrams.shotnoise_common.converged_hopf_curve``).

References: Hopf points located independently by sampling K at a fixed i0/g0^2 and Brent's
method on the leading eigenvalue (``hopf_crossings``, M = 64); the 7e-4 upper crossing at
fixed M = 512 (tests/test_truncation.py: K = 216.224074768).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from bifkit.diagrams.shotnoise_common import (bautin_points, converged_hopf_crossings,
                                              converged_hopf_curve, curve_distance,
                                              hopf_crossings, trace_hopf_curves)
from bifkit.diagrams.shotnoise_reentrant import as_window, branches

BOUNDS = {"K": (2.0, 2000.0), "i0": (1e-4, 1e-2)}
TOL = 1e-8  # bifkit.truncation.DEFAULT_TOL


@pytest.fixture(scope="module")
def upper_start():
    """The chain's upper Hopf point (AS->GO) at i0/g0^2 = 7e-4, M = 64 (Brent)."""
    (K, x, d), = hopf_crossings("shotnoise_chain", 7e-4, np.geomspace(200.0, 230.0, 3), M=64,
                                start_K=216.0)
    assert d == "AS->GO"
    return dict(K=K, i0=7e-4, M=64, x=x)


@pytest.fixture(scope="module")
def curve64(upper_start):
    return converged_hopf_curve("shotnoise_chain", upper_start, BOUNDS, M_max=64)


def test_curve_passes_independent_brent_points(upper_start, curve64):
    """The H-C curve from the 7e-4 point passes the Brent crossing at another ratio (1.2e-3)
    and the fixed-M = 512 point at 7e-4, both to 1e-4 relative in K."""
    (K12, _x, _d), = hopf_crossings("shotnoise_chain", 1.2e-3, np.geomspace(190.0, 220.0, 3),
                                    M=64, start_K=205.0)
    for K_ref, r in ((K12, 1.2e-3), (216.224074768, 7e-4)):
        assert curve_distance(curve64, K_ref, r) < 1e-4 / math.log(10)  # 1e-4 relative
    # not everything is "on" it: a point 1 % off in K is not
    assert curve_distance(curve64, 1.01 * K12, 1.2e-3) > 1e-3


def test_curve_stops_where_M_max_is_not_enough(curve64):
    """Below i0/g0^2 ~ 4e-4 the M = 64 tail exceeds 1e-8: the curve must end there (not run
    on with a truncated chain); every point kept has a tail <= 1e-8."""
    assert "truncation (M_max)" in curve64["ends"]
    assert np.all(curve64["tail"] <= TOL) and np.all(curve64["M"] == 64)
    assert curve64["i0"].min() > 3e-4


def test_curve_raises_M_along_the_way(upper_start):
    """From the point where M = 64 stops being enough the curve goes on at M = 128, with
    every tail still <= 1e-8 (a short run: 6-point chunks)."""
    cv = converged_hopf_curve("shotnoise_chain", upper_start, BOUNDS, M_max=128, chunk=6,
                              max_points=24, ds_max=0.1)
    assert set(cv["M"]) == {64, 128}
    assert np.all(cv["tail"] <= TOL)
    i = np.flatnonzero(cv["M"] == 128)
    assert cv["i0"][i].max() < 4.5e-4  # M = 128 only where M = 64 fails (i0 < ~4e-4)


def test_bautin_points_and_branches_on_synthetic_curves():
    """l1 changes sign once between the 2nd and 3rd point: one GH at the linear zero;
    a nose at the smallest i0 splits the curve into lower and upper branch."""
    cv = {"K": np.array([10.0, 100.0, 1000.0]), "i0": np.array([1e-3, 1e-3, 1e-3]),
          "l1": np.array([-2.0, -1.0, 1.0])}
    (K, r), = bautin_points(cv)
    assert K == pytest.approx(10 ** 2.5) and r == pytest.approx(1e-3)
    assert bautin_points(dict(cv, l1=np.array([-1.0, -1.0, -1.0]))) == []
    nose = {"K": np.array([200.0, 150.0, 100.0, 20.0]), "i0": np.array([1e-2, 3e-4, 4e-4, 1e-3])}
    (Kl, rl), (Ku, ru) = branches(nose)
    assert list(Kl) == [150.0, 100.0, 20.0] and list(Ku) == [200.0, 150.0]
    Kw, rw = as_window([nose], [])
    assert Kw.size and np.all((rw >= 3e-4 - 1e-12) & (rw <= 1e-3 + 1e-12))
    lo, hi = branches({"K": np.array([1.0, 2.0]), "i0": np.array([1e-3, 2e-3])})
    assert lo is None and list(hi[0]) == [1.0, 2.0]


@pytest.mark.slow  # ~35 s of CPU (H-C of a 128-256-unknown chain on ~40 points)
def test_diffusion_chains_large_K_pair_is_one_curve():
    """The diffusion chain's second Hopf pair at i0/g0^2 = 1.6e-3 (Brent on the leading
    eigenvalue at M per point: K = 95945.19 and 170911.77, the issue quotes 95945 and 170928
    from another location method) is traced as ONE curve through both crossings (H-C at
    Newton tol 1e-6 there, shotnoise_common.LARGE_K_NEWTON_TOL; at 1e-10 it stopped after
    3 points with step_underflow), to 1e-4 relative in K, reaching the K = 3e5 bound."""
    cross, _s = converged_hopf_crossings("diffusion_chain", 1.6e-3,
                                         np.geomspace(20.0, 3e5, 14), M_max=256)
    big = [dict(c, ratio=1.6e-3) for c in cross if c["converged"] and c["K"] > 3e4]
    assert [round(c["K"]) for c in big] == [95945, 170912]
    curves, rows = trace_hopf_curves("diffusion_chain", big,
                                     {"K": (2.0, 3e5), "i0": (1e-4, 1e-2)}, M_max=256,
                                     ds_max=0.1)
    assert len(curves) == 1  # the second crossing lies on the curve from the first
    cv = curves[0]
    assert len(cv["K"]) > 30 and cv["K"].max() == pytest.approx(3e5)
    assert all(r["curve_distance"] < 1e-4 / math.log(10) for r in rows)
    assert np.all(cv["tail"] <= TOL)


@pytest.mark.parametrize("K, ratio", [(2.0, 1.5e-4), (3.0, 1e-3), (20.0, 7e-4), (200.0, 3.27e-4),
                                      (1000.0, 5e-3)])
def test_leading_eigenvalue_by_shift_invert_is_the_rightmost_of_the_full_spectrum(K, ratio):
    """shotnoise_common.leading_eigenvalue (ARPACK, the 16 eigenvalues nearest 0) against the
    full spectrum (LAPACK eigvals, the reference) of the M = 256 chain (512 unknowns) at
    points across the figure's plane: the same eigenvalue to 1e-9 relative."""
    import bifkit
    from bifkit.diagrams import shotnoise_common as sc
    m = bifkit.load_model("shotnoise_chain", M=256, K=K, i0=ratio, g0=1.0)
    x = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    assert len(x) > sc.DENSE_EIG_MAX  # the Arnoldi path is the one tested
    ev = np.linalg.eigvals(m.jacobian(m.unpack(x)))
    ref = ev[np.argmax(ev.real)]
    got = sc.leading_eigenvalue(m, x)
    assert abs(got.real - ref.real) < 1e-9 * abs(ref) and abs(abs(got.imag) - abs(ref.imag)) \
        < 1e-9 * abs(ref)


def test_leading_eigenvalue_falls_back_to_the_full_spectrum(monkeypatch, caplog):
    """With only 2 eigenvalues nearest 0 the rightmost lies on the edge of the disc they span:
    the full spectrum is computed instead (and gives the reference eigenvalue)."""
    import logging

    import bifkit
    from bifkit.diagrams import shotnoise_common as sc
    monkeypatch.setattr(sc, "N_NEAR_ZERO", 2)
    m = bifkit.load_model("shotnoise_chain", M=256, K=20.0, i0=7e-4, g0=1.0)
    x = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    ev = np.linalg.eigvals(m.jacobian(m.unpack(x)))
    with caplog.at_level(logging.INFO, logger="bifkit.diagrams.shotnoise"):
        got = sc.leading_eigenvalue(m, x)
    assert "full spectrum" in caplog.text
    assert got.real == pytest.approx(ev.real.max(), rel=1e-9)
