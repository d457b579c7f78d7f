"""Issue 15: Floquet multipliers at long periods (bifkit.continuation.periodic_schur).

* Products of matrices with known eigenvalues (A_j = S_{j+1} D_j S_j^{-1}, so
  A_N ... A_1 = S_0 (D_N ... D_1) S_0^{-1}: eigenvalues the products of the
  D_j's, closed form), spread over thousands of orders of magnitude.
* The Lorenz cycle from its subcritical Hopf point towards the homoclinic
  orbit at r ~ 13.9266: the naive product of the transfer matrices loses the
  trivial multiplier (error 1e-3 .. 1) and the current QZ gives inf/NaN for the
  largest multiplier, while the periodic QR keeps every multiplier finite and
  the trivial one at the discretisation floor (the same as QZ's trivial error:
  an independent method on the same discretisation).  The largest multiplier is
  checked against a power iteration with renormalisation (independent).
* The engine's labels on that branch: none (QZ alone gave 17 PD + 1 LPC, issue 15), and
  the status "approaching_homoclinic" from the first unreliable point on.
"""
import math

import numpy as np
import pytest

import zoo_models as zoo
from bifkit.continuation import continuation
try:                                   # the engine's sub-package layout (issue 14 restructure)
    from bifkit.continuation.cycles import collocation as co
except ImportError:                    # the flat layout before it
    from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.periodic_schur import (floquet_from_blocks, interval_pairs,
                                                periodic_qr, product_multipliers)


def _product_with_known_spectrum(rng, N, log_rates, angle=None):
    """A_j = S_{j+1} D_j S_j^{-1} (S_N = S_0); D_j diagonal exp(log_rates), with an
    optional rotation by ``angle`` in the first two coordinates (a complex pair)."""
    n = len(log_rates)
    S = [np.linalg.qr(rng.normal(size=(n, n)))[0] + 0.3 * rng.normal(size=(n, n))
         for _ in range(N)]
    S.append(S[0])
    A = []
    for j in range(N):
        D = np.diag(np.exp(log_rates))
        if angle is not None:
            c, s = math.cos(angle), math.sin(angle)
            D[:2, :2] = math.exp(log_rates[0]) * np.array([[c, -s], [s, c]])
        A.append(S[j + 1] @ D @ np.linalg.inv(S[j]))
    return np.array(A)


def test_product_with_a_huge_spread_of_moduli():
    rng = np.random.default_rng(7)
    N = 300
    rates = np.array([4.0, 0.0, -0.5, -3.0, -12.0])      # per factor, ln|eigenvalue|
    A = _product_with_known_spectrum(rng, N, rates)
    r = product_multipliers(A)
    exact = N * rates                                    # closed form: 1200, 0, -150, -900, -3600
    assert r.finite and r.converged
    # each ln|mu| to a relative error set by the factors' conditioning (cond(A_j) ~ e^16)
    assert np.allclose(r.log_modulus, exact, rtol=1e-6, atol=1e-8)
    assert np.all(r.angle == 0.0)                        # all positive real
    assert r.trivial_error < 1e-10
    # the naive product overflows: nothing is left of the spectrum
    with np.errstate(all="ignore"):
        P = np.eye(5)
        for a in A:
            P = a @ P
    assert not np.all(np.isfinite(P))


def test_product_with_a_complex_pair():
    rng = np.random.default_rng(3)
    N, theta = 40, 0.37
    rates = np.array([0.5, 0.5, 0.0, -2.0])
    A = _product_with_known_spectrum(rng, N, rates, angle=theta)
    r = product_multipliers(A)
    mu = r.multipliers
    # closed form: exp(20) e^{+-i 40 theta}, 1, exp(-80)
    ang = math.remainder(N * theta, 2 * math.pi)
    assert r.blocks[0] == 2
    assert sorted(r.angle[:2]) == pytest.approx(sorted([ang, -ang]), abs=1e-9)
    assert r.log_modulus[:2] == pytest.approx([N * 0.5] * 2, rel=1e-10)
    assert r.log_modulus[2] == pytest.approx(0.0, abs=1e-10)
    assert r.log_modulus[3] == pytest.approx(-80.0, rel=1e-8)
    assert mu[2] == pytest.approx(1.0, abs=1e-10)


def test_negative_real_multiplier_closed_form():
    # a single 2x2 factor repeated: diag(-2, 0.5) conjugated: eigenvalues (-2)^N, 0.5^N
    S = np.array([[1.0, 2.0], [0.5, 3.0]])
    a = S @ np.diag([-2.0, 0.5]) @ np.linalg.inv(S)
    N = 1001
    r = product_multipliers(np.repeat(a[None], N, axis=0))
    assert r.log_modulus == pytest.approx([N * math.log(2.0), -N * math.log(2.0)], rel=1e-10)
    assert abs(r.angle[0]) == pytest.approx(math.pi)     # (-2)^1001 < 0
    assert r.angle[1] == 0.0


@pytest.mark.parametrize("bad, match", [
    (dict(E=np.zeros((3, 2, 3)), F=np.zeros((3, 2, 3))), "shape"),
    (dict(E=np.zeros((0, 2, 2)), F=np.zeros((0, 2, 2))), "N >= 1"),
    (dict(E=np.full((2, 2, 2), np.nan), F=np.ones((2, 2, 2))), "finite"),
    (dict(E=np.ones((2, 2, 2)), F=np.ones((2, 2, 2)), max_sweeps=0), "max_sweeps"),
    (dict(E=np.ones((2, 2, 2)), F=np.ones((2, 2, 2)), tol=-1.0), "tol"),
])
def test_bad_input_is_a_clear_error(bad, match):
    with pytest.raises(ValueError, match=match):
        periodic_qr(**bad)


def test_singular_interval_block_is_unreliable_not_a_crash():
    E = np.repeat(np.eye(2)[None], 3, axis=0)
    F = E.copy()
    F[1] = 0.0                                            # no transfer matrix on interval 1
    r = periodic_qr(E, F)
    assert not r.is_reliable() and not r.converged


# ----------------------------------------------------------------------------- Lorenz
def _lorenz_branch():
    r0, beta = 20.0, 8 / 3
    x0 = math.sqrt(beta * (r0 - 1))
    m = zoo.lorenz(r=r0)
    ep = continuation(m, "EP-C", {"x": x0, "y": x0, "z": r0 - 1}, ["r"], bounds={"r": (20, 30)})
    h = ep.special_points("H")[0]
    lc = continuation(m, "LC-C", h, ["r"], bounds={"r": (13.0, 30.0)}, ntst=200,
                      max_points=64, ds_max=1.0)
    return m, lc


@pytest.fixture(scope="module")
def lorenz_cycles():
    """LC-C of Lorenz (sigma 10, b 8/3) from the subcritical Hopf point r = 470/19 down in r,
    ntst 200, with the engine's multipliers from QZ alone (as before issue 15: no periodic
    QR, no stop): the period grows from 0.65 to ~50 as r -> 13.9266 (homoclinic), so the
    branch runs into the region where QZ loses the trivial multiplier and overflows."""
    from bifkit.continuation.cycles import floquet as fq
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fq, "point_multipliers",
                   lambda P, Q, Jblk: fq.PointMultipliers(*fq.multipliers_from_pair(P, Q)))
        # the main loop's points (lc_newton.step computes QZ's values itself)
        mp.setattr(fq, "from_qz", lambda mu, err, finite, Jblk: fq.PointMultipliers(mu, err))
        return _lorenz_branch()


@pytest.fixture(scope="module")
def lorenz_engine():
    """The same LC-C run by the engine as it is (periodic QR where QZ is unsure, stop status)."""
    return _lorenz_branch()


def _blocks(model, orbit):
    N, mm, n = len(orbit.mesh) - 1, orbit.scheme.ncol, model.n
    Jblk = np.zeros((N, mm * n, (mm + 1) * n))
    Jb = np.zeros((N, mm * n, 1))
    c = model.compiled
    co.collocation_jacobian(c.jac, c.f, c.dfdp, orbit.U, orbit.T, orbit.p,
                            np.zeros(0, dtype=np.int64), orbit.mesh, orbit.scheme.W,
                            orbit.scheme.Wd, Jblk, Jb)
    return Jblk


def _naive(E, F):
    with np.errstate(all="ignore"):
        P = np.eye(E.shape[1])
        for e, f in zip(E, F):
            P = -np.linalg.solve(f, e) @ P
        if not np.all(np.isfinite(P)):
            return np.inf
        return float(np.min(np.abs(np.linalg.eigvals(P) - 1.0)))


def _power_log_growth(E, F, periods=6, seed=0):
    """ln|mu_1| by power iteration with renormalisation after every interval (independent)."""
    v = np.random.default_rng(seed).normal(size=E.shape[1])
    total = []
    for _ in range(periods):
        s = 0.0
        for e, f in zip(E, F):
            v = -np.linalg.solve(f, e @ v)
            nv = np.linalg.norm(v)
            s += math.log(nv)
            v /= nv
        total.append(s)
    return total[-1]


def test_lorenz_long_period_multipliers(lorenz_cycles):
    m, lc = lorenz_cycles
    T = lc.period
    checked, naive_errors = 0, []
    # points with a long period whose discretisation still resolves the orbit (QZ's
    # trivial error, the floor of this mesh, below 1e-5)
    for i in np.nonzero((T > 4.0) & (lc.trivial_error < 1e-5))[0]:
        Jblk = _blocks(m, lc.orbits[i])
        r = floquet_from_blocks(Jblk)
        E, F = interval_pairs(Jblk)
        assert r.finite
        # the discretisation floor: QZ on the Lust pair (independent) has the same trivial error
        assert r.trivial_error == pytest.approx(lc.trivial_error[i], rel=0.05, abs=1e-9)
        assert r.trivial_error < 2e-5
        assert r.log_modulus[0] == pytest.approx(_power_log_growth(E, F), rel=1e-8)
        naive = _naive(E, F)
        assert naive > 10 * r.trivial_error     # the naive product loses the trivial multiplier
        naive_errors.append(naive)
        checked += 1
    assert checked >= 3
    assert max(naive_errors) > 0.5              # ... entirely at the longest of these periods
    # where QZ's largest multiplier is inf/NaN, the log form is finite and matches the power method
    bad = [i for i in range(len(T)) if not np.all(np.isfinite(lc.multipliers[i]))]
    assert bad, "expected QZ to overflow somewhere on this branch"
    r = floquet_from_blocks(_blocks(m, lc.orbits[bad[0]]))
    E, F = interval_pairs(_blocks(m, lc.orbits[bad[0]]))
    assert r.finite and r.log_modulus[0] == pytest.approx(_power_log_growth(E, F), rel=1e-8)


def test_lorenz_unresolved_orbit_is_reported_unreliable(lorenz_cycles):
    """Beyond T ~ 6.5 at ntst 200 the discretised orbit no longer has a multiplier near 1:
    the periodic QR says so (is_reliable() False) instead of producing labels."""
    m, lc = lorenz_cycles
    i = int(np.nonzero(lc.period > 12.0)[0][0])
    r = floquet_from_blocks(_blocks(m, lc.orbits[i]))
    assert r.finite and r.trivial_error > 0.1 and not r.is_reliable()


def test_qz_alone_gives_false_labels_and_non_finite_multipliers(lorenz_cycles):
    """What issue 15 reported, reproduced with QZ alone (the reason for the periodic QR)."""
    _, lc = lorenz_cycles
    assert "PD" in [s.label for s in lc.special_points()]
    assert not np.all(np.isfinite(lc.multipliers))


def test_lorenz_cycle_branch_has_no_false_labels(lorenz_engine):
    _, lc = lorenz_engine
    # the unstable cycle of Lorenz 1963 shrinks onto the homoclinic orbit without PD or LPC
    # (Sparrow 1982, ch. 3); a branch may stop there, it may not label it
    assert [s.label for s in lc.special_points()] == []


def test_lorenz_cycle_branch_multipliers_are_finite_where_reliable(lorenz_engine):
    _, lc = lorenz_engine
    ok = lc.trivial_error < 1e-4                   # the reliable points (cycle_status)
    assert ok[:10].all() and not ok[-1]            # the branch runs on towards the homoclinic
    assert np.all(np.isfinite(lc.multipliers[ok]))


def test_lorenz_branch_status_approaching_the_homoclinic_orbit(lorenz_engine, lorenz_cycles):
    """The engine's status says "approaching_homoclinic" from the point where the periodic
    QR first says the multipliers are unreliable (computed here from the QZ-only branch's
    orbits, an independent run), and takes no special point beyond it; the orbits go on
    (they are converged, and a homoclinic continuation starts from the longest)."""
    from bifkit.continuation.periodic_schur import cycle_status, speed_ratio
    m, lc = lorenz_engine
    _, raw = lorenz_cycles
    first_bad = next(i for i, o in enumerate(raw.orbits)
                     if cycle_status(floquet_from_blocks(_blocks(m, o)),
                                     raw.period[max(0, i - 5):i + 1],
                                     speed_ratio(m.compiled.f, o.U, o.p)) is not None)
    assert raw.period[first_bad] > 2.0              # long cycles kept, not cut at the Hopf end
    assert list(lc.status.values()) == ["approaching_homoclinic"]
    assert f"from point {first_bad} on" in lc.stop_reason
    assert len(lc.period) == len(raw.period)        # same orbits as the QZ-only run
    assert np.allclose(lc.period, raw.period, rtol=1e-9)


def test_lorenz_branch_status_near_the_homoclinic_orbit(lorenz_cycles):
    """The first point whose trivial multiplier is off by more than 1e-4 is where the
    engine must stop: the period has been growing and the orbit lingers near the origin."""
    from bifkit.continuation.periodic_schur import cycle_status, speed_ratio
    m, lc = lorenz_cycles
    statuses = []
    for i, o in enumerate(lc.orbits):
        r = floquet_from_blocks(_blocks(m, o))
        st = cycle_status(r, lc.period[max(0, i - 5):i + 1], speed_ratio(m.compiled.f, o.U, o.p))
        statuses.append(st)
        if st is not None:
            break
    assert statuses[:-1] == [None] * (len(statuses) - 1)
    assert statuses[-1] == "approaching_homoclinic"
    assert lc.period[len(statuses) - 1] > 2.0          # not at the small cycles near Hopf


def test_unreliable_without_homoclinic_signature():
    from bifkit.continuation.periodic_schur import cycle_status
    E = np.repeat(np.eye(2)[None], 3, axis=0)
    F = E.copy()
    F[1] = 0.0
    r = periodic_qr(E, F)
    assert cycle_status(r, [1.0, 1.0], 0.5) == "multipliers_unreliable"


def test_equal_moduli_at_a_period_doubling_and_scalar_case():
    """Multipliers 1 and -1 (a PD point: equal moduli never split in orthogonal
    iteration) are resolved in one 2x2 block; n = 1 works too (closed forms)."""
    rng = np.random.default_rng(11)
    N = 25
    S = [rng.normal(size=(3, 3)) for _ in range(N)]
    S.append(S[0])
    d = [np.diag([1.0, 1.0, math.exp(-5.0)]) for _ in range(N)]
    d[7] = np.diag([1.0, -1.0, math.exp(-5.0)])         # one flip: eigenvalue -1
    A = np.array([S[j + 1] @ d[j] @ np.linalg.inv(S[j]) for j in range(N)])
    r = product_multipliers(A)
    mu = r.multipliers
    assert mu[:2].real == pytest.approx(sorted([1.0, -1.0], reverse=True), abs=1e-9) or \
        mu[:2].real == pytest.approx([-1.0, 1.0], abs=1e-9)
    assert np.all(np.abs(mu[:2].imag) < 1e-9)
    assert r.log_modulus[2] == pytest.approx(-5.0 * N, rel=1e-9)
    assert r.trivial_error < 1e-9
    r1 = product_multipliers(np.full((10, 1, 1), -2.0))   # (-2)^10 = 1024
    assert r1.multipliers[0] == pytest.approx(1024.0, rel=1e-12)


def test_log_form_test_functions_match_the_engine_and_stay_finite(lorenz_cycles):
    """Same values as the engine's compiled cycle_tests where its multipliers are finite
    (independent implementation), finite with the right sign where they are not."""
    from bifkit.continuation.periodic_schur import cycle_test_functions
    try:
        from bifkit.continuation.cycles.floquet import cycle_tests
    except ImportError:
        from bifkit.continuation.floquet import cycle_tests
    m, lc = lorenz_cycles
    for i in range(0, 46, 5):                          # reliable points: trivial error < 1e-4
        r = floquet_from_blocks(_blocks(m, lc.orbits[i]))
        pd, ns = cycle_test_functions(r)
        pd_ref, ns_ref = cycle_tests(lc.multipliers[i])
        assert pd == pytest.approx(pd_ref, rel=1e-6, abs=1e-12)
        assert ns == pytest.approx(ns_ref, rel=1e-6, abs=1e-12)
    # multipliers e^808, 1, -e^-808 (closed form, N = 101 factors): direct products overflow
    A = np.repeat(np.diag([math.exp(8.0), 1.0, -math.exp(-8.0)])[None], 101, axis=0)
    r = product_multipliers(A)
    pd, ns = cycle_test_functions(r)
    assert pd == pytest.approx(math.exp(700.0))       # (e^808 + 1)(1 - e^-808) > 0, capped
    assert ns == pytest.approx(-2.0, rel=1e-12)       # e^808 (-e^-808) - 1 = -2


def test_ei_cycle_branch_unchanged_by_the_log_form():
    """Issue 15 check 'E-I labels unchanged': on the E-I LC-C at D_ee = 2 (Bi et al. 2021,
    K = 1000, D_ii = 0.3) the log-form multipliers give the engine's psi_PD to 1e-6 with
    the same sign at every point, the same trivial error, and no stop status (the trivial
    error there reaches 2.7e-5, below cycle_status's 1e-4)."""
    import bifkit
    from bifkit.continuation.periodic_schur import (cycle_status, cycle_test_functions,
                                                    speed_ratio)
    try:
        from bifkit.continuation.cycles.floquet import cycle_tests
    except ImportError:
        from bifkit.continuation.floquet import cycle_tests
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0)
    ep = continuation(m, "EP-C", m.steady_state()[0], ["I_e"], bounds={"I_e": (1e-5, 200)},
                      log_params=["I_e"])
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                      log_params=["I_e"])
    assert [s.label for s in lc.special_points()] == ["PD", "PD"]
    for i, o in enumerate(lc.orbits):
        r = floquet_from_blocks(_blocks(m, o))
        pd, _ = cycle_test_functions(r)
        pd_ref, _ = cycle_tests(lc.multipliers[i])
        assert np.sign(pd) == np.sign(pd_ref) and pd == pytest.approx(pd_ref, rel=1e-6)
        # the same discretisation error; the two factorisations differ by round-off ~1e-9
        assert r.trivial_error == pytest.approx(lc.trivial_error[i], rel=0.1, abs=1e-9)
        assert cycle_status(r, lc.period[max(0, i - 5):i + 1],
                            speed_ratio(m.compiled.f, o.U, o.p)) is None
