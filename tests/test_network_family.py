"""The network-family protocol: a new network is a definition, not a copied driver."""
import math

import numpy as np
import pytest

from bifkit.network import NetworkFamily, register, simulate, unregister
from bifkit.network.qif import QIFSpec, run_qif


def _one_population_qif(p):
    """Inhibitory QIF network given by its raw input I and jump J (tau dv/dt = v^2 + I)."""
    K = p["K"]
    return QIFSpec(sizes=(p["N"],), names=("all",), I=(p["I"],), J=np.array([[-p["J"]]]),
                   tau=1.0, laws={(0, 0): ("fixed", K)})


RAW_QIF = NetworkFamily(
    "raw_inhibitory_qif", defaults={"N": 500, "K": 20, "I": 1.0, "J": 0.1},
    ranges={"N": (2, math.inf, False), "K": (1, math.inf, False), "I": (0.0, math.inf, True),
            "J": (0.0, math.inf, False)},
    integer=("N", "K"), build=_one_population_qif, engine=run_qif,
    time_defaults=(20.0, 2.0, 0.1))


@pytest.fixture
def raw_family():
    register(RAW_QIF)
    yield RAW_QIF
    unregister(RAW_QIF.name)


def test_a_new_family_runs_through_the_shared_engine(raw_family):
    # the same network as inhibitory_qif at I = i0 sqrt(K), J = g0 / sqrt(K): identical spikes
    K, i0, g0 = 20, 0.4, 1.0
    run = dict(N=300, K=K, T=10.0, transient=1.0, seed=2)
    new = simulate("raw_inhibitory_qif", I=i0 * math.sqrt(K), J=g0 / math.sqrt(K), **run)
    ref = simulate("inhibitory_qif", i0=i0, g0=g0, **run)
    assert new.spikes == ref.spikes > 100
    assert np.array_equal(new.raster[0], ref.raster[0])
    assert np.array_equal(new.raster[1], ref.raster[1])
    # uncoupled: every neuron fires at the closed-form rate sqrt(I)/pi (1/tau)
    free = simulate("raw_inhibitory_qif", N=100, K=5, I=2.0, J=0.0, T=200.0, transient=1.0)
    assert free.rates["all"] == pytest.approx(math.sqrt(2.0) / math.pi, rel=1 / (200 * 0.45))


def test_a_new_family_gets_the_parameter_checks_of_the_protocol(raw_family):
    with pytest.raises(ValueError, match="I=0.0 is out of range"):
        simulate("raw_inhibitory_qif", I=0.0)
    with pytest.raises(ValueError, match="N=10.5 must be an integer"):
        simulate("raw_inhibitory_qif", N=10.5)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['i0'\]"):
        simulate("raw_inhibitory_qif", i0=0.4)
    with pytest.raises(ValueError, match="already registered"):
        register(RAW_QIF)


def test_unknown_and_removed_networks_are_clear_errors():
    with pytest.raises(ValueError, match="unknown network 'raw_inhibitory_qif'"):
        simulate("raw_inhibitory_qif")
    with pytest.raises(ValueError, match="built-in"):
        unregister("ei_qif")
    with pytest.raises(TypeError, match="NetworkFamily"):
        register({"name": "x"})


@pytest.mark.parametrize("bad,word", [
    (dict(transient=math.inf), "transient=inf"), (dict(T=math.inf), "T=inf"),
    (dict(T=math.nan), "T=nan"), (dict(g0=math.inf), "g0=inf"),
    (dict(dt_sample=1e-9, keep_series=False), "dt_sample"),
    (dict(T=1e6, dt_sample=1e-2), "max_series_bytes"), (dict(keep_series="yes"), "keep_series"),
    (dict(seed=1.5), "seed"), (dict(N=100.5), "N"), (dict(n_raster=-1), "n_raster"),
])
def test_runaway_and_bad_run_options_are_refused_before_the_run(bad, word):
    # issue 20: transient=inf ran forever, dt_sample=1e-9 grew memory without bound, a float
    # seed was truncated; each must be a ValueError naming the option, raised before any work
    with pytest.raises(ValueError, match=word):
        simulate("inhibitory_qif", **{"N": 100, "K": 10, **bad})


def test_cached_kernels_are_dropped_when_a_kernel_source_changes(tmp_path, monkeypatch):
    # numba keys a cache entry on the function's own file; the delayed-network loop calls the
    # model operations of other files, so a stale entry would run old code (it crashed once)
    from bifkit.network import _kernel_cache as kc

    monkeypatch.setattr(kc, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(kc, "_checked", False)
    entries = [tmp_path / "_delayed_kernel.delayed_advance-110.py311.nbi",
               tmp_path / "_lif_kernel._place-85.py311.1.nbc"]
    other = tmp_path / "unrelated_module.f-1.py311.nbi"  # not a network kernel: kept
    for p in entries + [other]:
        p.write_text("x")
    (tmp_path / kc.STAMP).write_text("hash of older sources\n")
    kc.ensure_consistent_cache()
    assert not any(p.exists() for p in entries) and other.exists()
    assert (tmp_path / kc.STAMP).read_text().strip() == kc.sources_hash()
    # sources unchanged since: the next process keeps its cache
    entries[0].write_text("x")
    monkeypatch.setattr(kc, "_checked", False)
    kc.ensure_consistent_cache()
    assert entries[0].exists()


def test_wall_time_excludes_the_first_call_compile():
    """``run_chunks`` makes one event-free call before the clock starts (numba compiles the
    kernels on the first call; issue 20: the first ``simulate`` counted it in wall_time)."""
    import time
    from types import SimpleNamespace

    from bifkit.network.driver import run_chunks

    calls = []

    def advance(t_stop, nsamp, t0):
        if not calls:
            time.sleep(0.5)            # stands for the compile of a first call
        calls.append((t_stop, nsamp, t0))

    acc = SimpleNamespace(n_fft=4, add_chunk=lambda m: None)
    timing, t_rec = run_chunks(acc, {"transient": 1.0, "T": 2.0, "dt_sample": 0.5}, advance)
    assert calls[0] == (0.0, 0, 0.0)                 # the warm-up processes no events
    assert timing.wall < 0.25 and timing.cpu < 0.25 and t_rec == 2.0


def test_cpu_time_does_not_count_waiting():
    """``cpu_time`` is the loop thread's CPU time: a chunk that waits (as when other processes
    hold the core) adds to ``wall`` but not to ``cpu`` (the benchmark's CPU-time ratios)."""
    import time
    from types import SimpleNamespace

    from bifkit.network.driver import run_chunks

    def advance(t_stop, nsamp, t0):
        if nsamp:
            time.sleep(0.3)            # waiting, no CPU work

    acc = SimpleNamespace(n_fft=4, add_chunk=lambda m: None)
    timing, _ = run_chunks(acc, {"transient": 0.0, "T": 2.0, "dt_sample": 0.5}, advance)
    assert timing.wall >= 0.3
    assert timing.cpu < 0.1


def test_simulate_reports_cpu_time():
    from bifkit.network import simulate
    r = simulate("inhibitory_qif", N=200, K=20, T=2.0, transient=0.0, seed=1)
    assert 0.0 < r.cpu_time and r.events_per_s > 0
