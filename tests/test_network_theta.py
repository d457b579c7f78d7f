"""theta_massive (Ullner et al. 2018, eq. 5): exact kernel against brute force and closed forms."""
import math

import numpy as np
import pytest

from bifkit.network import simulate
from bifkit.network._theta_kernel import theta_of
from bifkit.network.connectivity import build_connectivity
from bifkit.network.reference import reference_theta_spikes
from bifkit.network.theta import THETA_NETWORKS, initial_phases, theta_laws


def _sorted_raster(params):
    t, i = simulate("theta_massive", **params).raster
    order = np.lexsort((i, t))  # same-instant spikes by neuron id, as the reference
    return t[order], i[order]


@pytest.mark.parametrize("extra", [{}, {"g": 4.0}])
def test_tiny_theta_network_matches_fine_step_integration(extra):
    # N = 200, K = 20: J = 0.1 sqrt(1000/20) = 0.71 per excitatory pulse, g J per inhibitory one;
    # the threshold theta = pi sits at the slow point u = 0, so most spikes are pulse-triggered
    params = dict(N=200, K=20, Jbar=0.1, T=80.0, transient=0.0, seed=3, n_raster=200,
                  dt_sample=20.0, **extra)
    t_ex, i_ex = _sorted_raster(params)
    spec, opt = THETA_NETWORKS["theta_massive"].resolve(params)
    conn = build_connectivity(spec.sizes, theta_laws(spec), opt["seed"])
    s = math.sqrt(spec.theta0)
    theta0 = np.array([theta_of(p, s)[0] for p in initial_phases(spec, opt["seed"], conn.n)])
    spike_times = set(np.round(t_ex, 9))
    triggered = sum(round(t - spec.tau_d, 9) in spike_times for t in t_ex)
    assert len(t_ex) > 100 and triggered > 50
    errs = []
    for dt in (1e-2, 1e-3):
        t_r, i_r = reference_theta_spikes(spec, conn, theta0, dt, params["T"])
        assert len(t_r) == len(t_ex)
        assert np.array_equal(i_r, i_ex)  # same spike order
        errs.append(np.max(np.abs(t_r - t_ex)))
    # first order in dt (measured 0.14 -> 0.0047 ms and 0.053 -> 0.0041 ms)
    assert errs[1] < errs[0] / 5 and errs[1] < 10 * 1e-3


def test_uncoupled_theta_neurons_fire_at_the_closed_form_rate():
    # Jbar = 0: ISI = tau_r + pi tau / sqrt(theta0) = 0.5 + 20 pi / sqrt(0.2) ms
    res = simulate("theta_massive", N=400, K=40, Jbar=0.0, T=3000.0, transient=10.0, seed=1)
    expected = 1000.0 / (0.5 + 20.0 * math.pi / math.sqrt(0.2))
    assert res.rates["all"] == pytest.approx(expected, rel=1.0 / (3.0 * expected))
    assert res.cv["all"] < 1e-6
    assert res.rho["e"] < 3.0 / math.sqrt(320)  # independent phases: O(1/sqrt(N_e))


def test_theta_run_is_reproducible_and_reports_all_observables():
    p = dict(N=1000, K=100, Jbar=0.2, T=300.0, transient=50.0, seed=5)
    a, b = simulate("theta_massive", **p), simulate("theta_massive", **p)
    assert np.array_equal(a.raster[0], b.raster[0]) and a.rates == b.rates
    for key in ("e", "i", "all"):
        assert a.rates[key] > 0 and 0 <= a.silent[key] <= 1
    assert set(a.rho) == {"e", "i"} and all(0 <= a.rho[k] <= 1 for k in a.rho)
    assert a.events > 0 and a.spike_spectrum.size == a.freqs.size


@pytest.mark.parametrize("bad,word", [(dict(theta0=0.0), "theta0"), (dict(setup="S"), "setup"),
                                      (dict(N=100, K=200), "K"), (dict(Jbar=-1.0), "Jbar"),
                                      (dict(b=1.0), "b"), (dict(RI0=24.0), "RI0")])
def test_theta_bad_input(bad, word):
    with pytest.raises(ValueError, match=word):
        simulate("theta_massive", **{"T": 1.0, **bad})


def test_cli_simulates_the_theta_network(tmp_path):
    from bifkit.network.cli import main
    out = tmp_path / "theta.json"
    assert main(["simulate", "theta_massive", "--set", "N=500", "K=50", "--T", "100",
                 "--transient", "10", "--out", str(out)]) == 0
    assert "rate_all" in out.read_text()
