"""Exact event-driven network simulator: against brute force, mean field, and bad input."""
import math

import numpy as np
import pytest
from scipy.optimize import fsolve

from bifkit.network import simulate
from bifkit.network.connectivity import build_connectivity
from bifkit.network.networks import resolve
from bifkit.network.reference import reference_spikes


def _exact_and_reference(name, params, dts):
    """Spike trains of the exact kernel and of the RK4 reference at steps ``dts``."""
    res = simulate(name, **params)
    t_ex, i_ex = res.raster
    spec, opt = resolve(name, params)
    conn = build_connectivity(spec.sizes, spec.laws, opt["seed"], spec.reciprocity)
    # same initial state as simulate(): genuine phase psi = pi - 2 phi, phi ~ U(0, pi)
    phi0 = np.random.default_rng([opt["seed"], 1]).uniform(0.0, math.pi, conn.n)
    s = np.sqrt(np.asarray(spec.I))[np.repeat(np.arange(len(spec.sizes)), spec.sizes)]
    theta0 = 2.0 * np.arctan(s / np.tan(phi0))  # theta = 2 atan(v), v = s cot(phi)
    refs = [reference_spikes(spec, conn, theta0, dt, params["T"]) for dt in dts]
    return (t_ex, i_ex), refs


@pytest.mark.parametrize("name,params,dts", [
    ("inhibitory_qif", dict(N=50, K=10, i0=0.5, g0=1.0, T=8.0), [1e-3, 1e-4]),
    ("ei_qif", dict(N_e=40, N_i=20, K=10, I_e=0.2, D_ee=0.5, D_ii=0.3, T=200.0), [1e-2, 1e-3]),
])
def test_tiny_network_matches_fine_step_integration(name, params, dts):
    params = dict(params, transient=0.0, seed=3, n_raster=100, dt_sample=params["T"] / 4)
    (t_ex, i_ex), refs = _exact_and_reference(name, params, dts)
    assert len(t_ex) > 80  # enough spikes for the comparison to mean something
    errs = []
    for t_r, i_r in refs:
        assert len(t_r) == len(t_ex)
        errs.append(np.max(np.abs(t_r - t_ex)))
    # finest step: identical spike order, times within O(dt) (first-order pulse timing)
    assert np.array_equal(refs[-1][1], i_ex)
    assert errs[-1] < 30 * dts[-1]
    # the error shrinks with the step (first order: ~10x per decade; chaos allows some slack)
    assert errs[-1] < errs[0] / 4


def _mean_field_rate_2cc(K, i0, g0):
    """Stationary rate of the 2CC reduction (Ageeva & Goldobin 2025, eqs. 19-21), in 1/tau."""
    a = g0 / (K**0.75 * math.sqrt(i0))
    z1 = -a / (a - 2j)

    def nut(k1, k2):
        return np.real((1 - k1) / (1 + k1) + 2 * k2 / (1 + k1) ** 3) / math.pi

    def f(x):
        k1, k2 = x[0] + 1j * x[1], x[2] + 1j * x[3]
        n, d = nut(k1, k2), 1 - z1 * k1
        r1 = 2j * k1 + K * n * (z1 * (1 + k1) ** 2 / d + z1 * (1 + z1) ** 2 * k2 / d**3)
        r2 = 4j * k2 + K * n * (z1**2 * (1 + k1) ** 4 / d**2 - k2 * (
            1 - 2 * (1 + z1) ** 2 / d**2 + 4 * (1 + z1) ** 3 / d**3 - 3 * (1 + z1) ** 4 / d**4))
        return [r1.real, r1.imag, r2.real, r2.imag]

    x, info, ier, msg = fsolve(f, [0.5, 0.0, 0.0, 0.0], xtol=1e-13, full_output=True)
    assert ier == 1, msg
    return nut(x[0] + 1j * x[1], x[2] + 1j * x[3]) * K**0.25 * math.sqrt(i0)


def test_inhibitory_rate_approaches_mean_field():
    # i0 = 0.4, K = 100, g0 = 1: stationary (asynchronous) state of the shot-noise mean field.
    nu_mf = _mean_field_rate_2cc(100, 0.4, 1.0)  # 0.3075 / tau
    res = simulate("inhibitory_qif", N=10000, K=100, i0=0.4, g0=1.0, T=40.0, transient=10.0,
                   seed=1)
    nu = res.rates["all"]
    # 2% = finite-K non-Poisson input (measured 0.6% at N = 1e4 and 4e4) plus statistics
    assert abs(nu - nu_mf) / nu_mf < 0.02
    # asynchronous: coherence of order 1/sqrt(N) -- far below a synchronous state's O(1)
    assert res.rho["all"] < 0.2
    assert res.silent["all"] == 0.0


def test_free_neurons_fire_at_the_closed_form_rate():
    # g0 = 0: uncoupled QIF, rate sqrt(I)/pi with I = i0 sqrt(K); CV = 0
    res = simulate("inhibitory_qif", N=200, K=10, i0=0.3, g0=0.0, T=30.0, transient=1.0, seed=2)
    expected = math.sqrt(0.3 * math.sqrt(10)) / math.pi
    # counting error: at most one spike per neuron over T -> 1/(T nu) relative
    assert res.rates["all"] == pytest.approx(expected, rel=1.0 / (30 * expected))
    # CV from running sums of ISIs ~ 2: cancellation in E[d^2] - E[d]^2 leaves ~1e-8
    assert res.cv["all"] < 1e-6


def test_same_seed_same_result_bit_for_bit_and_seed_matters():
    kw = dict(N_e=400, N_i=100, K=40, T=100.0, transient=10.0)
    a = simulate("ei_qif", seed=7, **kw)
    b = simulate("ei_qif", seed=7, **kw)
    c = simulate("ei_qif", seed=8, **kw)
    assert np.array_equal(a.raster[0], b.raster[0]) and a.rates == b.rates and a.rho == b.rho
    assert not np.array_equal(a.rate_neuron["e"], c.rate_neuron["e"])


@pytest.mark.parametrize("name,kw", [
    ("inhibitory_qif", dict(N=300, K=30, i0=0.3, g0=1.0, T=15.0)),
    ("ei_qif", dict(N_e=200, N_i=100, K=20, T=150.0)),
])
def test_queue_geometry_does_not_change_the_spike_train(name, kw):
    # The lazy calendar queue only decides *when* bounds are re-checked, never the dynamics:
    # very different bucket widths (heap-heavy vs bucket-heavy) give the same spikes in the same
    # order, times equal up to rounding (the time of a refresh enters t + phi/Omega).
    runs = [simulate(name, **kw, transient=0.0, seed=4, n_raster=10**4, bucket_width=bw)
            for bw in (None, 1e-3, 0.5)]
    t0, i0 = runs[0].raster
    assert len(t0) > 200
    for r in runs[1:]:
        t, i = r.raster
        assert np.array_equal(i, i0)
        assert np.max(np.abs(t - t0)) < 1e-9 * max(1.0, t0[-1])


def test_lorentzian_indegrees_have_the_requested_median_and_width():
    spec, opt = resolve("ei_qif", dict(N_e=4000, N_i=1000, K=100, D_ee=2.0, D_ii=1.0, seed=1))
    conn = build_connectivity(spec.sizes, spec.laws, 1)
    kee = conn.indegree[:4000, 0]
    q1, med, q3 = np.percentile(kee, [25, 50, 75])
    # Lorentzian: quartiles at median -+ HWHM = 2 sqrt(100) = 20; sampling error ~ 1.5 here
    assert med == pytest.approx(100, abs=3)
    assert (q3 - q1) / 2 == pytest.approx(20, abs=3)
    assert np.all(conn.indegree[:4000, 1] == 100) and np.all(conn.indegree[4000:, 0] == 100)
    # no autapses, no duplicates
    src = np.repeat(np.arange(conn.n), conn.outdegree())
    assert not np.any(src == conn.targets)
    pairs = src * conn.n + conn.targets
    assert np.unique(pairs).size == pairs.size


def test_reciprocity_option_raises_the_fraction_of_reciprocated_links():
    laws = {(0, 0): ("fixed", 20)}
    r0 = build_connectivity((500,), laws, 1).reciprocity()
    r5 = build_connectivity((500,), laws, 1, reciprocity=0.5).reciprocity()
    assert r0 < 0.1  # chance level K/N = 0.04
    assert r5 > 0.4
    assert np.all(build_connectivity((500,), laws, 1, reciprocity=0.5).indegree == 20)


@pytest.mark.parametrize("name,bad,word", [
    ("inhibitory_qif", dict(N=50, K=100), "K"),
    ("inhibitory_qif", dict(K=0), "K"),
    ("inhibitory_qif", dict(i0=-0.1), "i0"),
    ("inhibitory_qif", dict(i0=0.0), "excitable"),
    ("inhibitory_qif", dict(g0=-1.0), "g0"),
    ("inhibitory_qif", dict(Kk=10), "Kk"),
    ("inhibitory_qif", dict(T=-1.0), "T"),
    ("ei_qif", dict(D_ee=-0.5), "D_ee"),
    ("ei_qif", dict(N_e=100, K=200), "K"),
    ("ei_qif", dict(I_e=0.2, I_i=-0.1), "I_i"),
    ("ei_qif", dict(indegree="gauss"), "indegree"),
    ("no_such_net", dict(), "unknown network"),
])
def test_bad_input_is_a_clear_value_error(name, bad, word):
    with pytest.raises(ValueError, match=word):
        simulate(name, **{"T": 1.0, **bad})


def test_uncoupled_lif_fires_at_the_closed_form_rate():
    # Jbar = 0: ISI = tau_r + tau ln((mu - V_r)/(mu - V_th)) = 0.5 + 20 ln(14/4) ms
    res = simulate("lif_massive", N=500, K=50, Jbar=0.0, T=500.0, transient=10.0, seed=1)
    expected = 1000.0 / (0.5 + 20.0 * math.log(14.0 / 4.0))  # Hz
    # one spike per neuron of counting error over 0.5 s -> 1/(0.5 * 39) relative
    assert res.rates["all"] == pytest.approx(expected, rel=1.0 / (0.5 * expected))
    assert res.cv["all"] < 1e-6


def test_lif_strong_current_setup_rate_near_the_papers_fit():
    # Ullner et al. 2018, Fig. 4: nu(N) = 30 - 1742.18/sqrt(N) Hz at Jbar = 0.2 mV, setup (S).
    # N = 10^4 gives 12.58 Hz; collective irregular fluctuations of a 1 s run are a few percent.
    res = simulate("lif_massive", N=10000, setup="S", Jbar=0.2, T=1000.0, transient=100.0, seed=1)
    assert res.rates["all"] == pytest.approx(30 - 1742.18 / 100.0, rel=0.06)
    assert res.rho["e"] > 0.1  # collective irregular dynamics: rho stays finite


@pytest.mark.parametrize("bad,word", [(dict(b=1.0), "b"), (dict(Jbar=-0.1), "Jbar"),
                                      (dict(setup="X"), "setup"), (dict(N=100, K=200), "K"),
                                      (dict(V_r=30.0), "V_r")])
def test_lif_bad_input(bad, word):
    with pytest.raises(ValueError, match=word):
        simulate("lif_massive", **{"T": 1.0, **bad})


def test_free_neurons_are_asynchronous_and_the_spectrum_peaks_at_their_frequency():
    # g0 = 0, random phases: the population mean only fluctuates like 1/sqrt(N), periodically
    # with the common frequency nu = sqrt(I)/pi (every neuron is the same oscillator); the clipped
    # potential is a pulse train, so the peak may sit on any harmonic k nu
    N = 400
    res = simulate("inhibitory_qif", N=N, K=10, i0=0.3, g0=0.0, T=200.0, transient=1.0,
                   seed=4, n_fft=1024)
    nu = math.sqrt(0.3 * math.sqrt(10)) / math.pi
    assert res.rho["all"] < 3.0 / math.sqrt(N)  # a sample of N iid phases: O(1/sqrt(N))
    df = 1.0 / (1024 * 0.1)  # frequency resolution of one segment
    k = round(res.peak_freq["all"] / nu)
    assert k >= 1 and abs(res.peak_freq["all"] - k * nu) <= df


def test_cli_simulate_writes_a_result(tmp_path, capsys):
    from bifkit.network.cli import main
    out = tmp_path / "r.json"
    assert main(["simulate", "inhibitory_qif", "--set", "N=300", "K=20", "--T", "5",
                 "--transient", "1", "--out", str(out)]) == 0
    assert "rate_all" in out.read_text()
    assert main(["simulate", "inhibitory_qif", "--set", "N=30", "K=50"]) == 2
    assert "K=50" in capsys.readouterr().err


def test_tiny_lif_network_matches_fine_step_integration():
    # strong coupling (J = 2.7 mV, g = 17): many spikes are triggered by the jumps themselves and
    # arrive simultaneously, exercising delay, refractoriness and same-instant summation
    from bifkit.network.lif import LIF_NETWORKS
    from bifkit.network.reference import reference_lif_spikes

    params = dict(N=60, K=12, Jbar=0.3, T=200.0, transient=0.0, seed=3, n_raster=100,
                  dt_sample=50.0)
    t_ex, i_ex = simulate("lif_massive", **params).raster
    order = np.lexsort((i_ex, t_ex))  # ties (same-instant spikes) by neuron id, as the reference
    t_ex, i_ex = t_ex[order], i_ex[order]
    spec, opt = LIF_NETWORKS["lif_massive"].resolve(params)
    laws = {(0, 0): ("fixed", spec.K_e), (1, 0): ("fixed", spec.K_e),
            (0, 1): ("fixed", spec.K_i), (1, 1): ("fixed", spec.K_i)}
    conn = build_connectivity(spec.sizes, laws, opt["seed"])
    V0 = np.random.default_rng([opt["seed"], 1]).uniform(spec.V_r, spec.V_th, conn.n)
    errs = []
    for dt in (1e-3, 1e-4):
        t_r, i_r = reference_lif_spikes(spec, conn, V0, dt, params["T"])
        assert len(t_r) == len(t_ex) > 1000
        assert np.array_equal(i_r, i_ex)  # same spike order
        errs.append(np.max(np.abs(t_r - t_ex)))
    # first order in dt (measured 0.069 -> 0.0062 ms); near-threshold grazes amplify the constant
    assert errs[1] < errs[0] / 5 and errs[1] < 100 * 1e-4


def test_rescale_states_is_exact_and_keeps_the_not_hit_marker():
    """Phase vectors of neurons that never spike grow under pulses; the kernel rescales them
    by powers of two (exact: same angles, same spike times)."""
    import numpy as np
    from bifkit.network._qif_kernel import _rescale_states
    st = np.array([[3.0e70, -4.0e70], [0.6, 0.8], [1e-70, 2e-70], [5e61, 1e61]])
    bd = np.array([[3.0e70, -4.0e70], [0.6, 0.8], [0.3, 0.1], [1.0, 0.0]])
    st0, bd0 = st.copy(), bd.copy()
    _rescale_states(st, bd)
    assert np.all(np.abs(st) < 2.0 ** 200) and np.all(np.max(np.abs(st), axis=1) > 2.0 ** -200)
    ratio = st / st0
    assert np.all(ratio[:, 0] == ratio[:, 1])                     # same factor per vector
    assert set(np.log2(ratio[:, 0]).tolist()) <= {-200.0, 0.0, 200.0}  # powers of two: exact
    assert np.array_equal(bd[0], st[0])          # bd == st ("not hit since queued") kept
    assert np.array_equal(bd[1:], bd0[1:])       # other bounds untouched (only their sign matters)


@pytest.mark.slow
def test_ei_network_rho_finite_for_long_silent_neurons():
    """Regression: strongly inhibited inhibitory neurons that never spike used to overflow
    their phase vectors after ~1e7 pulses (rho_i = nan at I_e = 0.016, D_ee = 1.58)."""
    import math
    import bifkit
    r = bifkit.simulate("ei_qif", N_e=10000, N_i=2500, K=1000, I_e=0.016, D_ee=1.58, D_ii=0.3,
                        T=10000, transient=5000, seed=1)
    assert all(math.isfinite(v) for v in list(r.rho.values()) + list(r.rho_v.values()))
