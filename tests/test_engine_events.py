"""User events (crossing, extremum, any function of a point) and stop_at on every curve family.

Reference values are closed forms derived in each test; located points must satisfy both the
curve's equations (to the corrector tolerance) and the event.
"""
import math

import numpy as np
import pytest

import bifkit
from bifkit.continuation import continuation


@pytest.fixture(scope="module")
def fold(make_model):
    # x' = mu - x^2: equilibria x = +-sqrt(mu) (closed form), fold at mu = 0
    return make_model("ev_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])


def test_crossing_on_ep_c_located_to_1e_10(fold):
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.crossing("mu", 0.5), bifkit.crossing("x", 0.3)])
    uz = br.special_points("UZ")
    mus = [s for s in uz if s.data["event"] == "crossing('mu', 0.5)"]
    # mu = 0.5 on both sheets: x = -sqrt(0.5) and +sqrt(0.5)
    assert len(mus) == 2
    for s in mus:
        assert s.params["mu"] == pytest.approx(0.5, abs=1e-10)
        assert abs(s.state["x"]) == pytest.approx(math.sqrt(0.5), abs=1e-10)
        assert s.converged and s.data["value"] == 0.5
    (xs,) = [s for s in uz if s.data["event"] == "crossing('x', 0.3)"]
    assert xs.state["x"] == pytest.approx(0.3, abs=1e-10)
    assert xs.params["mu"] == pytest.approx(0.09, abs=1e-10)   # mu = x^2 on the curve
    # indices: each located point lies between its index and index + 1 in mu order
    for s in uz:
        i = s.index
        lo, hi = sorted(br.states["x"][[i, i + 1]])
        assert lo <= s.state["x"] <= hi


def test_no_false_events(fold):
    # mu = 5 lies beyond the bound, and x = 3 is never reached: no UZ point at all
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.crossing("mu", 5.0), bifkit.crossing("x", 3.0)])
    assert br.special_points("UZ") == []


def test_user_function_and_extremum_on_ep_c(fold):
    # g = x^2 + mu^2 - 1 on mu = x^2: mu^2 + mu - 1 = 0, mu = (sqrt 5 - 1) / 2 (both sheets)
    def circle(pt):
        return pt.value("x") ** 2 + pt.value("mu") ** 2 - 1.0
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[circle, bifkit.extremum("mu")])
    ring = [s for s in br.special_points("UZ") if s.data["event"] == "circle"]
    assert len(ring) == 2
    for s in ring:
        assert s.params["mu"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-10)
    # the curve turns in mu at the fold: a minimum of mu at mu = 0, where LP is
    (ex,) = [s for s in br.special_points("UZ") if s.data["event"] == "extremum('mu')"]
    (lp,) = br.special_points("LP")
    assert ex.params["mu"] == pytest.approx(0.0, abs=1e-12) and ex.data["extremum"] == "min"
    assert ex.state["x"] == pytest.approx(lp.state["x"], abs=1e-6)


def test_stop_at_ends_the_run_at_the_event(fold):
    br = continuation(fold, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      direction="forward", stop_at=[bifkit.crossing("mu", 1.5)])
    assert br.status == {"forward": "completed"}
    assert br.params["mu"][-1] == pytest.approx(1.5, abs=1e-10)   # the last point is the event
    assert br.states["x"][-1] == pytest.approx(math.sqrt(1.5), abs=1e-10)
    assert br.params["mu"].max() <= 1.5 + 1e-10                     # nothing beyond it
    assert [s.label for s in br.special] == ["UZ"]


def test_bad_events_are_clear_errors(fold):
    with pytest.raises(ValueError, match="unknown name 'nu' in an event"):
        continuation(fold, "EP-C", {"x": 1.0}, "mu", events=[bifkit.crossing("nu", 1.0)])
    with pytest.raises(ValueError, match="returned 'a', not a number"):
        continuation(fold, "EP-C", {"x": 1.0}, "mu", events=[lambda pt: "a"])
    with pytest.raises(ValueError, match="the value must be a finite number"):
        bifkit.crossing("mu", math.nan)


@pytest.fixture(scope="module")
def quartic_fold(make_model):
    # x' = mu + nu x - x^2 - nu^4 / 4, y' = -y.  Folds: f_x = nu - 2x = 0, x = nu / 2, so
    # f = mu + nu^2/4 - nu^4/4 = 0: the fold curve mu(nu) = (nu^4 - nu^2) / 4.  It turns in mu
    # where nu^3 - nu/2 = 0: at nu = 0 (max, mu = 0) and nu = +-1/sqrt 2 (min, mu = -1/16).
    return make_model("ev_quartic", ["x", "y"], {"mu": 0.0, "nu": 0.0},
                      lambda x, y, mu, nu: [mu + nu * x - x ** 2 - nu ** 4 / 4, -y])


def test_extremum_of_a_fold_curve_closed_form(quartic_fold):
    # start at nu = 0.2 (x = nu/2, mu = (nu^4 - nu^2)/4), not on an extremum
    m = quartic_fold.with_params(mu=(0.2 ** 4 - 0.2 ** 2) / 4, nu=0.2)
    br = continuation(m, "LP-C", {"x": 0.1, "y": 0.0}, ["mu", "nu"],
                      bounds={"nu": (-1.5, 1.5)}, events=[bifkit.extremum("mu"),
                                                          bifkit.crossing("nu", 0.3)])
    assert np.allclose(br.params["mu"], (br.params["nu"] ** 4 - br.params["nu"] ** 2) / 4,
                       atol=1e-10)
    ex = sorted((s for s in br.special_points("UZ") if s.data["event"] == "extremum('mu')"),
                key=lambda s: s.params["nu"])
    assert [s.data["extremum"] for s in ex] == ["min", "max", "min"]
    for s, nu in zip(ex, (-1 / math.sqrt(2), 0.0, 1 / math.sqrt(2))):
        assert s.params["nu"] == pytest.approx(nu, abs=1e-9)   # location (mu flat there)
        assert s.params["mu"] == pytest.approx(-1 / 16 if nu else 0.0, abs=1e-12)
        assert s.state["x"] == pytest.approx(s.params["nu"] / 2, abs=1e-9)
    (c,) = [s for s in br.special_points("UZ") if s.data["event"] == "crossing('nu', 0.3)"]
    assert c.params["nu"] == pytest.approx(0.3, abs=1e-10)
    assert c.params["mu"] == pytest.approx((0.3 ** 4 - 0.3 ** 2) / 4, abs=1e-10)


def test_stop_at_on_a_codim2_curve(quartic_fold):
    br = continuation(quartic_fold, "LP-C", {"x": 0.0, "y": 0.0}, ["mu", "nu"],
                      direction="forward", stop_at=[bifkit.crossing("nu", 0.5)])
    assert br.status == {"forward": "completed"}
    assert br.params["nu"][-1] == pytest.approx(0.5, abs=1e-10)
    assert br.params["mu"][-1] == pytest.approx((0.5 ** 4 - 0.5 ** 2) / 4, abs=1e-10)


def test_events_on_lc_c(sl):
    # Stuart-Landau: radius sqrt(mu), so the orbit's max of x is sqrt(mu); T = pi (w = 2)
    b = continuation(sl, "LC-C", {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0}},
                     ["mu"], ntst=20, bounds={"mu": (-1.0, 0.6)}, ds=0.02,
                     events=[bifkit.crossing("mu", 0.25), bifkit.crossing("period", 4.0)],
                     stop_at=[bifkit.crossing("mu", 0.45)])
    (uz, stop) = b.special_points("UZ")
    assert uz.params["mu"] == pytest.approx(0.25, abs=1e-10)
    assert uz.data["orbit"].U[:, 0].max() == pytest.approx(0.5, abs=1e-6)  # node maximum
    assert stop.params["mu"] == pytest.approx(0.45, abs=1e-10)
    assert b.status == {"forward": "completed"} and b.params["mu"][-1] == pytest.approx(0.45)
    # the period is pi everywhere: crossing("period", 4.0) never happens (no false label)
    assert all(s.data["event"] != "crossing('period', 4.0)" for s in b.special)


# --------------------------------------------------------------------------- E-I PD isola
# Independent reference: single shooting (scipy DOP853, rtol 1e-12, atol 1e-13) of the
# period-doubling condition det(M + I) = 0 with periodicity and a Poincare phase condition,
# the extreme found by Brent's method over the other parameter (_pd_shooting_extreme below;
# recomputed by the slow test test_pd_isola_extremes_against_shooting).  Measured agreement
# with the PD-C extremum events at the LC-C mesh (ntst = 50, ncol = 4): 4e-10, 1.3e-10,
# 2.3e-7 (the long-period end, T = 1470) and 1.3e-9.
SHOOTING_MAX_IE = (0.04143806293915627, 3.5506246698521933)     # (I_e, D_ee)
SHOOTING_MAX_DEE = (3.5594115429989515, 0.038927714361097356)   # (D_ee, I_e)
SHOOTING_MIN_IE = (4.142050036813884e-05, 1.76368125900391)     # (I_e, D_ee), T ~ 1470
SHOOTING_MIN_DEE = (1.6877481373376049, 6.46424369480252e-05)   # (D_ee, I_e), T ~ 1292


@pytest.fixture(scope="module")
def pd_isola(ei_hopf):
    """PD-C of the E-I model (K = 1000, D_ii = 0.3) from the first PD of the D_ee = 2 cycles."""
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    lc = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    pd1 = max(lc.special_points("PD"), key=lambda s: s.params["I_e"])
    c = continuation(m, "PD-C", pd1, ["I_e", "D_ee"], log_params=["I_e"], max_points=600,
                     events=[bifkit.extremum("I_e"), bifkit.extremum("D_ee")])
    return m, c


def _extreme(c, name, kind):
    (s,) = [s for s in c.special_points("UZ")
            if s.data["event"] == f"extremum({name!r})" and s.data["extremum"] == kind]
    return s


def test_pd_isola_extremes(pd_isola):
    m, c = pd_isola
    assert c.status == {"forward": "closed_loop"}
    # each turn of the loop in I_e and in D_ee: a max and a min of each
    kinds = sorted((s.data["event"], s.data["extremum"]) for s in c.special_points("UZ"))
    assert kinds == [("extremum('D_ee')", "max"), ("extremum('D_ee')", "min"),
                     ("extremum('I_e')", "max"), ("extremum('I_e')", "min")]
    top = _extreme(c, "I_e", "max")
    assert top.params["I_e"] == pytest.approx(SHOOTING_MAX_IE[0], rel=1e-6)
    assert top.params["D_ee"] == pytest.approx(SHOOTING_MAX_IE[1], rel=1e-6)
    right = _extreme(c, "D_ee", "max")
    assert right.params["D_ee"] == pytest.approx(SHOOTING_MAX_DEE[0], rel=1e-6)
    assert right.params["I_e"] == pytest.approx(SHOOTING_MAX_DEE[1], rel=1e-6)
    low = _extreme(c, "I_e", "min")
    assert low.params["I_e"] == pytest.approx(SHOOTING_MIN_IE[0], rel=1e-6)
    assert low.params["D_ee"] == pytest.approx(SHOOTING_MIN_IE[1], rel=1e-6)
    left = _extreme(c, "D_ee", "min")
    assert left.params["D_ee"] == pytest.approx(SHOOTING_MIN_DEE[0], rel=1e-6)
    assert left.params["I_e"] == pytest.approx(SHOOTING_MIN_DEE[1], rel=1e-6)
    # the sampled points alone miss the extreme by ~1 % (0.04098 at the default steps)
    assert c.params["I_e"].max() < top.params["I_e"] * (1 - 1e-3)
    # every located point is a period-doubling point: a multiplier -1
    for s in (top, right):
        assert np.min(np.abs(s.data["multipliers"] + 1)) < 1e-6


def _pd_shooting_extreme(model, guess, fixed, solved, sign, width):
    """Extreme of parameter ``solved`` over PD points (sign +1: max, -1: min), by shooting.

    For each value of ``fixed`` the PD point is solved by single shooting: unknowns x0, T and
    ``solved``; equations phi_T(x0) = x0, x0[j] = c (a transversal section) and
    det(M + I) = 0 (M the monodromy matrix).  Brent's method maximises sign * solved over
    ``fixed`` in a bracket of relative ``width`` around the guess.
    """
    from scipy.integrate import solve_ivp
    from scipy.optimize import minimize_scalar, root
    f, jac, n = model.compiled.f, model.compiled.jac, model.n
    k_fix, k_sol = model.param_index(fixed), model.param_index(solved)
    x0 = np.array(guess["x0"], float)
    j = int(np.argmax(np.abs(f(0.0, x0, model.p))))
    c = x0[j]
    z0 = {"z": np.concatenate([x0, [guess["T"], guess[solved]]])}

    def residual(z, pfix):
        p = model.p.copy()
        p[k_fix], p[k_sol] = pfix, z[n + 1]

        def rhs(t, y):
            phi = y[n:].reshape(n, n)
            return np.concatenate([f(0.0, y[:n], p), (jac(0.0, y[:n], p) @ phi).ravel()])
        y = solve_ivp(rhs, (0.0, z[n]), np.concatenate([z[:n], np.eye(n).ravel()]),
                      method="DOP853", rtol=1e-12, atol=1e-13).y[:, -1]
        M = y[n:].reshape(n, n)
        return np.concatenate([y[:n] - z[:n], [z[j] - c, np.linalg.det(M + np.eye(n))]])

    def value(pfix):
        r = root(residual, z0["z"], args=(pfix,), method="hybr", options={"xtol": 1e-13})
        assert np.max(np.abs(r.fun)) < 1e-9, f"shooting failed at {fixed} = {pfix}"
        z0["z"] = r.x
        return r.x[n + 1]
    p0 = guess[fixed]
    res = minimize_scalar(lambda v: -sign * value(v), method="brent", tol=1e-10,
                          bracket=(p0 * (1 - width), p0, p0 * (1 + width)))
    return sign * -res.fun, res.x


@pytest.mark.slow
def test_pd_isola_extremes_against_shooting(pd_isola):
    """Recomputes the shooting references above (about 90 s)."""
    m, c = pd_isola
    for name, other, kind, ref, width in (
            ("I_e", "D_ee", "max", SHOOTING_MAX_IE, 1e-3),
            ("D_ee", "I_e", "max", SHOOTING_MAX_DEE, 2e-2),
            ("I_e", "D_ee", "min", SHOOTING_MIN_IE, 1e-3),
            ("D_ee", "I_e", "min", SHOOTING_MIN_DEE, 2e-2)):
        s = _extreme(c, name, kind)
        guess = {"x0": s.data["orbit"].U[0], "T": s.data["period"], **s.params}
        sign = 1 if kind == "max" else -1
        ext, at = _pd_shooting_extreme(m.with_params(**s.params), guess, other, name, sign,
                                       width)
        assert ext == pytest.approx(ref[0], rel=1e-9) and at == pytest.approx(ref[1], rel=1e-6)
        assert s.params[name] == pytest.approx(ext, rel=1e-6)


def test_events_on_a_model_observable():
    # x' = mu - x^2 with the observable e = (x - 1/2)^2: along the branch mu = x^2 (closed
    # form) e turns only at x = 1/2 (a minimum, mu = 1/4) and equals 1 at x = -1/2 (mu = 1/4;
    # x = 3/2 lies beyond the bound mu = 2)
    from bifkit.model import Model, ModelDefinition, real_symbols
    x, mu = real_symbols("x mu")
    d = ModelDefinition.from_sympy("ev_obs", [("x", x)], [(mu, 1.0)], [mu - x ** 2],
                                   observables={"e": (x - sp_half()) ** 2})
    br = continuation(Model(d), "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)},
                      events=[bifkit.extremum("e"), bifkit.crossing("e", 1.0)])
    (ex,) = [s for s in br.special_points("UZ") if s.data["event"] == "extremum('e')"]
    assert ex.data["extremum"] == "min" and ex.state["x"] == pytest.approx(0.5, abs=1e-9)
    assert ex.params["mu"] == pytest.approx(0.25, abs=1e-9) and ex.data["value"] < 1e-16
    (c,) = [s for s in br.special_points("UZ") if s.data["event"] == "crossing('e', 1.0)"]
    assert c.state["x"] == pytest.approx(-0.5, abs=1e-10)


def sp_half():
    import sympy
    return sympy.Rational(1, 2)
