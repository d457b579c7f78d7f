"""``simulate(network, **params)``: one network run, exact and event driven.

>>> res = simulate("inhibitory_qif", N=2000, K=100, i0=0.4, g0=1.0, T=50, transient=10, seed=1)
>>> res.rates["all"], res.rho["all"], res.cv["all"]                     # doctest: +SKIP

The run is split in chunks of ``n_fft`` samples; the compiled kernel processes the spikes of a
chunk in exact time order and Python only folds the chunk into the online observables
(``observables.Accumulator``), so memory does not grow with T (except the optional series).
The same seed gives the same connectivity, initial state and result, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .networks import get_family


@dataclass
class SimulationResult:
    """Observables of one run; dicts are keyed by population ("all", or "e" and "i").

    Attributes
    ----------
    rates : mean rate per neuron (Hz for E-I and LIF networks, 1/tau for the inhibitory one).
    rho, rho_v : Golomb coherence on the genuine phase, and on v clipped to +-v_clip.
    cv : mean ISI coefficient of variation; silent : fraction of neurons without spikes.
    rate_neuron, cv_neuron : per-neuron arrays. peak_freq, spectrum, freqs : spectrum of the mean
    potential (frequencies in the rate unit). spike_spectrum : global spike-train spectrum / N^2.
    raster : (times, neuron ids) of the first ``n_raster`` neurons of each population.
    t : sample times of the series; rate_series, v_series, psi_series : time series (if kept).
    events, spikes, wall_time, events_per_s : synaptic events processed (spikes x out-degree),
    spikes, wall-clock seconds of the event loop, throughput.
    cpu_time : CPU seconds of the event loop's thread (``time.thread_time``; on a shared machine
    less than ``wall_time`` by the time other processes held the core).
    queue_stats : scheduler diagnostics (lazy-key refreshes, excitatory re-queues, bucket geometry).
    """

    network: str
    params: dict
    populations: tuple
    rates: dict
    rho: dict
    rho_v: dict
    cv: dict
    silent: dict
    rate_neuron: dict
    cv_neuron: dict
    v_mean: dict
    psi_mean: dict
    peak_freq: dict
    spectrum: dict
    freqs: np.ndarray
    spike_spectrum: np.ndarray
    raster: tuple
    t: np.ndarray
    rate_series: dict = field(default_factory=dict)
    v_series: dict = field(default_factory=dict)
    psi_series: dict = field(default_factory=dict)
    events: int = 0
    spikes: int = 0
    wall_time: float = 0.0
    events_per_s: float = 0.0
    cpu_time: float = 0.0
    time_unit: str = "tau"
    rate_unit: str = "1/tau"
    queue_stats: dict = field(default_factory=dict)

    def save(self, path) -> None:
        """Write the result: ``.json`` -> scalar summary and parameters; anything else -> ``.npz``
        with the summary (JSON string under ``summary``) plus every array (``rate_neuron_e``,
        ``spectrum_all``, ``raster_t``, ``t``, ...)."""
        from pathlib import Path

        from .. import _json   # bifkit's one JSON encoding (complex numbers kept, not float())
        from .._io import atomic_save, write_text   # temporary file, then rename
        path = Path(path)
        summary = {"network": self.network, "params": self.params, "time_unit": self.time_unit,
                   "rate_unit": self.rate_unit, **self.row()}
        if path.suffix == ".json":
            write_text(path, _json.dumps(summary, indent=1), result=self)
            return
        arrays = {"t": self.t, "freqs": self.freqs, "spike_spectrum": self.spike_spectrum,
                  "raster_t": self.raster[0], "raster_i": self.raster[1]}
        for key in ("rate_neuron", "cv_neuron", "spectrum", "rate_series", "v_series",
                    "psi_series"):
            for pname, arr in getattr(self, key).items():
                arrays[f"{key}_{pname}"] = np.asarray(arr)
        atomic_save(lambda tmp: np.savez_compressed(tmp, summary=_json.dumps(summary),
                                                    **arrays), path, result=self)

    def row(self) -> dict:
        """Flat scalar summary (used by sweeps): rate_x, rho_x, rho_v_x, cv_x, silent_x, ..."""
        r = {}
        extra = ("all",) if "all" in self.rates and "all" not in self.populations else ()
        for pname in tuple(self.populations) + extra:  # LIF/theta: also rate_all, cv_all, ...
            for key in ("rates", "rho", "rho_v", "cv", "silent", "peak_freq", "v_mean"):
                col = "rate" if key == "rates" else key
                if pname in getattr(self, key):
                    r[f"{col}_{pname}"] = getattr(self, key)[pname]
        r.update(events=self.events, spikes=self.spikes, wall_time=self.wall_time)
        return r


def simulate(network: str, **params) -> SimulationResult:
    """Simulate one of the papers' spiking networks exactly (event by event).

    Parameters
    ----------
    network : {"inhibitory_qif", "ei_qif", "lif_massive", "theta_massive"} or a registered name
        (the catalogue ``bifkit.network.networks.NETWORKS``).
    **params : model parameters (``NETWORKS[network].defaults``) and run options: ``T`` (recorded
        time after the transient), ``transient``, ``seed``, ``dt_sample`` (sampling step of
        potentials and rates), ``v_clip``, ``n_fft`` (samples per spectral segment),
        ``n_raster``, ``raster_max``, ``bucket_width`` (queue tuning), ``keep_series``. Times are
        in ms for ``ei_qif`` and the LIF/theta networks, in units of tau for ``inhibitory_qif``.

    Raises
    ------
    ValueError
        Unknown parameter names, values out of range (the message names the parameter and the
        admissible range), or excitable neurons (I <= 0) for the QIF kernel.
    """
    out = get_family(network).simulate_raw(params)
    return SimulationResult(network=network, params=dict(params), **out)
