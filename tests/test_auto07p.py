"""The AUTO-07p backend: file formats, and agreement with bifkit on known problems.

Tests that run AUTO are marked ``auto07p`` and skipped with a message when
AUTO-07p (or gfortran) is not installed; the file-format tests need neither.
"""
import math

import numpy as np
import pytest
import sympy as sp

import bifkit
from bifkit.backends import auto07p
from bifkit.backends.auto07p import files, labels
from bifkit.backends.auto07p.fortran import ParameterMap
from bifkit.backends.auto07p.runner import Workspace
from bifkit.model import ModelDefinition, complex_state, real_symbols

needs_auto = pytest.mark.skipif(not auto07p.available(),
                                reason=f"AUTO-07p backend unavailable: "
                                       f"{auto07p.missing_message()}")


def _hopf_normal_form(a=-1.0, omega=1.0):
    """x' = mu x - w y + a x r^2, y' = w x + mu y + a y r^2 (Hopf at mu = 0, frequency w).

    Closed forms: cycle radius sqrt(-mu/a), period 2 pi / w, nontrivial
    Floquet multiplier exp(2 mu T); l1 = 2 a / w with <q, q> = 1 (Kuznetsov).
    """
    x, y = real_symbols("x y")
    mu, w, aa = real_symbols("mu w a")
    r2 = x ** 2 + y ** 2
    d = ModelDefinition.from_sympy(
        "hopf_nf_auto", [("x", x), ("y", y)], [(mu, -0.5), (w, omega), (aa, a)],
        [mu * x - w * y + aa * x * r2, w * x + mu * y + aa * y * r2])
    return bifkit.Model(d)


# --------------------------------------------------------------------------- #
# formats (no AUTO needed)                                                     #
# --------------------------------------------------------------------------- #
def test_parameter_map_skips_the_indices_auto_reserves():
    pm = ParameterMap([f"p{i}" for i in range(13)])
    idx = [pm[f"p{i}"] for i in range(13)]
    assert idx[:10] == list(range(1, 11)) and idx[10:] == [15, 16, 17]
    assert pm.npar == 17
    assert pm.from_par(pm.to_par(np.arange(13.0))) == list(np.arange(13.0))


def test_solution_block_round_trip():
    u = np.array([1.5, -2.25e-7, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])   # 8 > 7: two lines per row
    par = list(np.linspace(-1, 1, 14))
    text = files.write_solution(u, par, itp=3, lab=7)
    (sol,) = files.read_fort8(text)
    assert sol.lab == 7 and sol.ty == 3 and sol.header["NDM"] == 8
    np.testing.assert_allclose(sol.state, u, rtol=1e-10)
    np.testing.assert_allclose(sol.par, par, rtol=1e-10, atol=1e-20)
    # a periodic block: NTPL rows with mesh times
    t = np.linspace(0, 1, 9)
    U = np.column_stack([np.cos(2 * np.pi * t), np.sin(2 * np.pi * t)])
    (orb,) = files.read_fort8(files.write_solution(U, par, t=t, itp=9, ntst=2, ncol=4, ips=2))
    np.testing.assert_allclose(orb.t, t, atol=1e-12)
    np.testing.assert_allclose(orb.u, U, atol=1e-10)


def test_fort7_and_fort9_readers():
    fort7 = (
        "   0    PT  TY  LAB    PAR(1)        L2-NORM         U(1)\n"
        "   1    -1   9    1  1.0000000000E-005  9.7267E-002  2.4506866968E-004\n"
        "   1    15   3    2  1.4597611607E-003  9.7267E-002  2.6958228429E-004\n")
    rows = files.read_fort7(fort7)
    assert [(r.pt, r.ty, r.lab) for r in rows] == [(-1, 9, 1), (15, 3, 2)]
    assert rows[0].stable and not rows[1].stable
    assert rows[1].values[0] == pytest.approx(1.4597611607e-3, rel=1e-12)
    fort9 = (
        "   1    15         Eigenvalues  :   Stable:   2\n"
        "   1    15         Eigenvalue  1:   2.42899E-03  -8.92837E-03\n"
        "   1    15         Eigenvalue  2:   2.42899E-03   8.92837E-03\n"
        "   2     4         GH   Function:  -2.08408E+00 (supercritical)\n"
        "   3     5         Multipliers:     Stable:   3\n"
        "   3     5         Multiplier  1  -1.00000E+00   0.00000E+00  Abs. Val.   1.00000E+00\n")
    d = files.read_fort9(fort9)
    np.testing.assert_allclose(d.eigenvalues[(1, 15)], [2.42899e-3 - 8.92837e-3j,
                                                        2.42899e-3 + 8.92837e-3j])
    assert d.gh[(2, 4)] == pytest.approx(-2.08408)
    assert d.multipliers[(3, 5)][0] == pytest.approx(-1.0)


@pytest.mark.parametrize("ty,label", [(3, "H"), (2, "LP"), (5, "LPC"), (7, "PD"), (8, "NS"),
                                      (-32, "GH"), (-31, "BT"), (-23, "ZH"), (4, None),
                                      (-4, None), (9, None), (34, None), (32, None), (78, "LPD")])
def test_auto_types_map_to_bifkit_labels(ty, label):
    assert labels.label(ty) == label


def test_unknown_option_is_an_error():
    m = _hopf_normal_form()
    with pytest.raises(ValueError, match="unknown option"):
        auto07p.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], step=0.1)
    with pytest.raises(ValueError, match="NF-C"):
        auto07p.continuation(m, "NF-C", {"x": 0.0, "y": 0.0}, ["mu", "w"])


def test_every_workspace_is_a_private_directory_removed_afterwards(tmp_path):
    with Workspace(tmp_path / "exe") as a, Workspace(tmp_path / "exe") as b:
        assert a.path != b.path and a.path.is_dir() and b.path.is_dir()
        pa, pb = a.path, b.path
    assert not pa.exists() and not pb.exists()


# --------------------------------------------------------------------------- #
# runs (AUTO needed)                                                           #
# --------------------------------------------------------------------------- #
@pytest.mark.auto07p
@needs_auto
def test_hopf_normal_form_hopf_point_frequency_and_l1():
    m = _hopf_normal_form(a=-1.0, omega=1.0)
    br = auto07p.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"],
                              bounds={"mu": (-0.5, 0.5)}, ds=0.01, ds_max=0.05)
    (h,) = br.special_points("H")
    assert h.params["mu"] == pytest.approx(0.0, abs=1e-8)
    assert h.data["omega"] == pytest.approx(1.0, rel=1e-9)
    # AUTO's l1 (finite differences) against the closed form 2 a / w = -2
    assert h.data["l1"] == pytest.approx(-2.0, rel=1e-4)
    assert h.data["criticality"] == "supercritical"
    # stability and eigenvalues mu +- i w from fort.9 (6 digits)
    i = np.argmin(np.abs(br.params["mu"] + 0.25))
    assert br.stable[i] and not br.stable[np.argmin(np.abs(br.params["mu"] - 0.25))]
    np.testing.assert_allclose(sorted(br.eigenvalues[i].imag), [-1, 1], rtol=1e-5)


@pytest.mark.auto07p
@needs_auto
def test_hopf_normal_form_cycles_period_amplitude_multipliers():
    m = _hopf_normal_form(a=-1.0, omega=2.0)
    br = auto07p.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-0.5, 0.5)},
                              ds=0.01, ds_max=0.05, l1=False)
    lc = auto07p.continuation(m, "LC-C", br.special_points("H")[0], ["mu"],
                              bounds={"mu": (-1, 0.3)}, ntst=20, ncol=4, max_points=200)
    mu = lc.params["mu"]
    ok = mu > 0.01
    assert ok.sum() > 5
    np.testing.assert_allclose(lc.data["period"][ok], math.pi, rtol=1e-8)
    # the orbit is the circle of radius sqrt(mu) (every mesh value of fort.8)
    radius = np.hypot(lc.data["orbit_u"][ok, :, 0], lc.data["orbit_u"][ok, :, 1])
    np.testing.assert_allclose(radius, np.broadcast_to(np.sqrt(mu[ok])[:, None], radius.shape),
                               rtol=1e-6)
    assert np.all(lc.data["max"][ok, 0] <= np.sqrt(mu[ok]) * (1 + 1e-9))
    mult = np.sort(np.abs(lc.data["multipliers"][ok]), axis=1)
    np.testing.assert_allclose(mult[:, 1], 1.0, atol=1e-5)          # trivial multiplier
    np.testing.assert_allclose(mult[:, 0], np.exp(-2 * mu[ok] * math.pi), rtol=1e-4, atol=1e-6)
    assert lc.stop_reason.startswith("forward: bound reached")


@pytest.mark.auto07p
@needs_auto
def test_complex_state_model_is_split_into_real_and_imaginary_parts():
    """z' = (mu + i w) z - |z|^2 z as one complex state: Hopf at mu = 0, omega = w."""
    z, zs = complex_state("z")
    mu, w = real_symbols("mu w")
    zbar = zs[0] - sp.I * zs[1]
    d = ModelDefinition.from_sympy("hopf_complex_auto", [("z", (z, zs))],
                                   [(mu, -0.5), (w, 1.5)], [(mu + sp.I * w) * z - z * z * zbar])
    m = bifkit.Model(d)
    br = auto07p.continuation(m, "EP-C", {"z": 0j}, ["mu"], bounds={"mu": (-0.5, 0.5)})
    (h,) = br.special_points("H")
    assert h.params["mu"] == pytest.approx(0.0, abs=1e-9)
    assert h.data["omega"] == pytest.approx(1.5, rel=1e-9)
    assert h.data["l1"] == pytest.approx(-2 / 1.5, rel=1e-4)    # 2 a / w with a = -1


@pytest.mark.auto07p
@needs_auto
def test_fold_curve_of_a_quadratic_is_the_parabola(make_model):
    """x' = mu + a x - x^2: folds at x = a/2, mu = -a^2/4 (closed form)."""
    m = make_model("fold2_auto", ["x"], {"mu": 1.0, "a": 1.0},
                   lambda x, mu, a: [mu + a * x - x ** 2])
    x0 = (1 + math.sqrt(5)) / 2   # an equilibrium at mu = a = 1
    br = auto07p.continuation(m, "EP-C", {"x": x0}, ["mu"], bounds={"mu": (-2, 2)})
    (lp,) = br.special_points("LP")
    assert lp.params["mu"] == pytest.approx(-0.25, abs=1e-9)
    fold = auto07p.continuation(m, "LP-C", lp, ["mu", "a"], bounds={"a": (-2, 2)})
    a, mu = fold.params["a"], fold.params["mu"]
    assert a.min() == pytest.approx(-2) and a.max() == pytest.approx(2)
    np.testing.assert_allclose(mu, -a ** 2 / 4, atol=1e-9)
    np.testing.assert_allclose(fold.states["x"], a / 2, atol=1e-9)


@pytest.mark.auto07p
@needs_auto
def test_hopf_curve_of_a_shifted_normal_form(make_model):
    """x' = (mu - b^2) x - y - x r^2, y' = x + (mu - b^2) y - y r^2: Hopf curve mu = b^2,
    omega = 1, l1 = -2 (AUTO's GH function along the curve)."""
    def rhs(x, y, mu, b):
        s = mu - b ** 2
        r2 = x ** 2 + y ** 2
        return [s * x - y - x * r2, x + s * y - y * r2]
    m = make_model("hopf2_auto", ["x", "y"], {"mu": -0.5, "b": 0.5}, rhs)
    br = auto07p.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (-1, 1)})
    (h,) = br.special_points("H")
    assert h.params["mu"] == pytest.approx(0.25, abs=1e-9)
    hc = auto07p.continuation(m, "H-C", h, ["mu", "b"], bounds={"b": (-1, 1)})
    b, mu = hc.params["b"], hc.params["mu"]
    assert b.min() == pytest.approx(-1) and b.max() == pytest.approx(1)
    np.testing.assert_allclose(mu, b ** 2, atol=1e-9)
    np.testing.assert_allclose(hc.data["omega"], 1.0, rtol=1e-9)
    l1 = hc.data["l1"][np.isfinite(hc.data["l1"])]
    assert l1.size > 5 and np.allclose(l1, -2.0, rtol=1e-4)


@pytest.mark.auto07p
@needs_auto
def test_ei_hopf_points_agree_with_bifkit(ei_equilibria):
    """Core of validation/cross_check_auto.py: E-I D_ee = 2, Hopf points to 1e-6."""
    # bifkit: EP-C from I_e = 1e-5 over I_e in [1e-5, 200], log scale (conftest); AUTO alike
    m, b = ei_equilibria(D_ee=2.0, I_e=1e-5)
    kw = dict(bounds={"I_e": (1e-5, 200)}, log_params=["I_e"])
    a = auto07p.continuation(m, "EP-C", m.steady_state()[0], ["I_e"], **kw)
    ha, hb = a.special_points("H"), b.special_points("H")
    assert len(ha) == len(hb) == 2
    for x, y in zip(ha, hb):
        assert x.params["I_e"] == pytest.approx(y.params["I_e"], rel=1e-6)
        assert x.data["omega"] == pytest.approx(y.data["omega"], rel=1e-6)
    # criticality of the lower Hopf point (l1 ~ -2.09); at the upper one l1 ~ 4e-7 is below
    # the noise of AUTO's finite-difference l1 (see validation/cross_check_auto.py)
    assert ha[0].data["criticality"] == hb[0].data["criticality"] == "supercritical"
    assert ha[0].data["l1"] == pytest.approx(hb[0].data["l1"], rel=1e-4)
    assert a.params["I_e"].min() == pytest.approx(1e-5)
    assert a.params["I_e"].max() == pytest.approx(200)


# --------------------------------------------------------------------------- #
# issue 20: no NaN points, no runaway, the native starts                      #
# --------------------------------------------------------------------------- #
def _ab_demo(make_model):
    """AUTO-07p's own demo 'ab' (demos/ab/ab.f90): the A -> B reaction with heat release,
    u1' = -u1 + p1 (1 - u1) e^u2, u2' = -u2 + p1 p2 (1 - u1) e^u2 - p3 u2 (p2 = 14, p3 = 2)."""
    return make_model("ab_demo", ["u1", "u2"], {"p1": 0.0, "p2": 14.0, "p3": 2.0},
                      lambda u1, u2, p1, p2, p3: [-u1 + p1 * (1 - u1) * sp.exp(u2),
                                                  -u2 + p1 * p2 * (1 - u1) * sp.exp(u2)
                                                  - p3 * u2])


def _p_at_period(branch, T):
    """p1 of a native cycle branch at periods T (cubic spline of p1(T); T is monotone there)."""
    from scipy.interpolate import CubicSpline
    per, p1 = branch.data["period"], branch.p[:, 0]
    order = np.argsort(per)
    return CubicSpline(per[order], p1[order])(T)


def _ab_hopf(m):
    ep = bifkit.continuation(m, "EP-C", {"u1": 0.0, "u2": 0.0}, ["p1"],
                             bounds={"p1": (0.0, 0.2)})
    return ep, ep.special_points("H")[0]


@needs_auto
@pytest.mark.auto07p
def test_ab_demo_cycles_stop_before_the_homoclinic_runaway_without_nan(make_model):
    # Before issue 20 this run went on to periods of 1.2e5 and then 1799 NaN points (AUTO
    # diverges as the orbit approaches the homoclinic orbit at p1 ~ 0.1055 and goes on writing
    # NaN rows); the multipliers lose the trivial 1 from period ~45 (measured).
    m = _ab_demo(make_model)
    _, h = _ab_hopf(m)
    lc = auto07p.continuation(m, "LC-C", h, ["p1"], bounds={"p1": (0.0, 0.2)}, ds_max=0.05,
                              max_points=300)
    assert np.all(np.isfinite(lc.x)) and np.all(np.isfinite(lc.p))
    assert np.all(np.isfinite(lc.data["period"]))
    assert "no longer resolved" in lc.stop_reason and len(lc) < 300
    assert 20 < lc.data["period"].max() < 100   # far along the branch, but not the runaway
    mu = lc.data["multipliers"]
    known = np.all(np.isfinite(mu), axis=1)
    assert np.all(np.min(np.abs(mu[known] - 1), axis=1) <= 1e-2)   # no wrong multipliers
    # AUTO labels an "LPC" at period 41 from a 1e-9 wiggle of p1 (multipliers 1.0014, 2e-7:
    # no fold of cycles); bifkit's LC-C finds no LPC on this branch up to period 76: dropped
    assert not lc.special_points("LPC") and "LPC labels" in lc.options["dropped_labels"]
    # independent engine on the same equations: bifkit's LC-C gives the same p1 at the same
    # period (both collocation, ncol = 4; p1(T) of the native points by a cubic spline)
    nat = bifkit.continuation(m, "LC-C", h, ["p1"], bounds={"p1": (0.0, 0.2)}, max_points=60)
    sel = (lc.data["period"] > 3) & (lc.data["period"] < 6)
    assert sel.sum() >= 3
    np.testing.assert_allclose(lc.p[sel, 0], _p_at_period(nat, lc.data["period"][sel]),
                               rtol=1e-6)


@needs_auto
@pytest.mark.auto07p
def test_lorenz_cycles_stop_at_the_homoclinic_orbit_without_nan():
    # Lorenz (sigma 10, beta 8/3): the subcritical Hopf cycles at rho_H = 24.7368 (closed form
    # sigma (sigma + beta + 3) / (sigma - beta - 1)) end at the homoclinic orbit at
    # rho = 13.926 (Sparrow 1982, sec. 3.1; Kaplan & Yorke 1979)
    from bifkit.dynamics.testproblems import lorenz
    m = lorenz()
    q = math.sqrt(m.params["beta"] * (m.params["rho"] - 1))
    ep = auto07p.continuation(m, "EP-C", {"x": q, "y": q, "z": m.params["rho"] - 1}, ["rho"],
                              bounds={"rho": (1.5, 30)}, max_points=300)
    h = ep.special_points("H")[0]
    assert h.params["rho"] == pytest.approx(10 * (10 + 8 / 3 + 3) / (10 - 8 / 3 - 1), rel=1e-8)
    lc = auto07p.continuation(m, "LC-C", h, ["rho"], bounds={"rho": (1.5, 30)}, ds_max=0.5)
    assert np.all(np.isfinite(lc.x)) and np.all(np.isfinite(lc.data["period"]))
    rho = lc.p[:, m.param_index("rho")]
    assert rho.min() == pytest.approx(13.926, abs=0.01)   # reached the homoclinic approach
    assert lc.data["period"].max() < 20                    # and stopped there
    assert "no longer resolved" in lc.stop_reason


@needs_auto
@pytest.mark.auto07p
def test_native_cycle_branch_point_is_a_start_and_a_non_hopf_state_is_refused(make_model):
    m = _ab_demo(make_model)
    ep, h = _ab_hopf(m)
    nat = bifkit.continuation(m, "LC-C", h, ["p1"], bounds={"p1": (0.0, 0.2)}, max_points=40)
    start = nat.point(30)   # {"state", "params", "orbit"}: was "unknown state 'state'"
    lc = auto07p.continuation(m, "LC-C", start, ["p1"], bounds={"p1": (0.0, 0.2)},
                              max_points=12, direction="forward")
    assert lc.p[0, 0] == pytest.approx(start["params"]["p1"], rel=1e-10)
    assert lc.data["period"][0] == pytest.approx(nat.data["period"][30], rel=1e-8)
    # AUTO's later points lie on the native branch (independent engine): p1 at equal period
    np.testing.assert_allclose(lc.p[3:, 0], _p_at_period(nat, lc.data["period"][3:]),
                               rtol=1e-6)
    assert np.all(np.isfinite(lc.x))
    # an equilibrium that is not a Hopf point (eigenvalues -1.3 +- 0.36i): a clear error
    with pytest.raises(ValueError, match="not a Hopf point"):
        auto07p.continuation(m, "LC-C", ep.point(10), ["p1"], max_points=5)
