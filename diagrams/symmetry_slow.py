"""Partial symmetry and slow dynamics (seed 000, first abstract): autocorrelation time of the
activity versus the fraction of reciprocated links.

Inhibitory QIF network with shot noise (fixed in-degree K, I = i0 sqrt(K), pulses g0/sqrt(K)),
in a fluctuation-driven regime (K = 100, i0 = 0.4, g0 = 3: ISI CV ~ 0.5 without symmetry), with
a fraction r of reciprocated links (``reciprocity``).  A reciprocated inhibitory pair is an
effective excitatory self-coupling (a neuron inhibits the neuron that inhibits it), which the
abstract predicts to slow the activity down without breaking the balance.

Measured per r: the autocorrelation C(t) of single-neuron spike counts (1-tau bins, averaged
over the recorded neurons of the raster) and of the population rate; the autocorrelation time
tau_ac = int_0^{t_max} C(t) dt / C(0) (t_max = 200 tau; a renewal-like fast process gives
~ 0 here because of its refractory anticorrelation, slow fluctuations a positive tail); rate,
ISI CV and coherence rho.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import new_figure, save_figure, write_csv

NAME = "symmetry-slow"
TITLE = "Autocorrelation time of the activity vs fraction of reciprocated links (inhibitory QIF)"
REQUIRES = {"bifkit.network": "spiking-network simulation with reciprocity"}

PARAMS = dict(K=100, i0=0.4, g0=3.0)
BIN = 1.0       # tau
T_MAX = 200.0   # tau, upper limit of the ACF integral


def settings(quick: bool) -> dict:
    if quick:
        return dict(N=2000, r=[0.0, 0.5, 1.0], T=1000.0, transient=100.0, n_raster=100)
    return dict(N=10000, r=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], T=10000.0,
                transient=500.0, n_raster=200)


def autocorrelation(x) -> np.ndarray:
    """Normalised autocorrelation C(k)/C(0) of a series, k = 0..len-1 (FFT, zero padded)."""
    x = np.asarray(x, float) - np.mean(x)
    n = x.size
    ac = np.fft.irfft(np.abs(np.fft.rfft(x, 2 * n)) ** 2)[:n]
    if ac[0] <= 0:
        raise ValueError("a constant series has no autocorrelation")
    return ac / ac[0]


def neuron_acf(raster, t0, T, dt=BIN, min_spikes=5) -> np.ndarray:
    """Mean autocorrelation of the binned spike counts of the raster's neurons."""
    rt, ri = raster
    nb = int(T / dt)
    acs = []
    for j in np.unique(ri[ri >= 0]):
        counts = np.histogram(rt[ri == j] - t0, bins=nb, range=(0.0, T))[0]
        if counts.sum() >= min_spikes and np.ptp(counts) > 0:
            acs.append(autocorrelation(counts))
    if not acs:
        raise ValueError("no recorded neuron fired enough to estimate an autocorrelation")
    return np.mean(acs, axis=0)


def ac_time(ac, dt=BIN, t_max=T_MAX) -> float:
    """int_0^{t_max} C(t) dt (rectangle rule on the bins, C normalised to C(0) = 1)."""
    m = min(int(t_max / dt), ac.size)
    return float(np.sum(ac[:m]) * dt)


def run(quick: bool, out: Path) -> dict:
    import bifkit
    out = Path(out)
    st = settings(quick)
    cols = {k: [] for k in ("reciprocity", "tau_ac_neuron", "tau_ac_population", "rate", "cv",
                            "rho")}
    curves = {}
    for r in st["r"]:
        res = bifkit.simulate("inhibitory_qif", N=st["N"], reciprocity=r, T=st["T"],
                              transient=st["transient"], seed=1, dt_sample=BIN / 2,
                              n_raster=st["n_raster"], raster_max=10 ** 7, **PARAMS)
        acn = neuron_acf(res.raster, st["transient"], st["T"])
        x = np.asarray(res.rate_series["all"])
        acp = autocorrelation(x[: x.size // 2 * 2].reshape(-1, 2).mean(axis=1))
        curves[r] = (acn, acp)
        for k, v in (("reciprocity", r), ("tau_ac_neuron", ac_time(acn)),
                     ("tau_ac_population", ac_time(acp)), ("rate", res.rates["all"]),
                     ("cv", res.cv["all"]), ("rho", res.rho["all"])):
            cols[k].append(v)
    nlag = int(T_MAX / BIN)
    lags = np.arange(nlag) * BIN
    acf_cols = {"lag_tau": lags}
    for r, (acn, acp) in curves.items():
        acf_cols[f"neuron_r{r:g}"] = acn[:nlag]
        acf_cols[f"population_r{r:g}"] = acp[:nlag]
    files = {
        "summary": write_csv(out / f"{NAME}.csv", cols,
                             f"inhibitory_qif N={st['N']}, K={PARAMS['K']}, i0={PARAMS['i0']}, "
                             f"g0={PARAMS['g0']}; times in tau; tau_ac = int_0^{T_MAX:g} C dt"),
        "acf": write_csv(out / f"{NAME}_acf.csv", acf_cols),
    }
    fig, (ax_t, ax_n, ax_c) = new_figure(1, 3, figsize=(13, 4))
    ax_t.plot(cols["reciprocity"], cols["tau_ac_neuron"], "o-", color="k",
              label="single neurons (spike counts)")
    ax_t.plot(cols["reciprocity"], cols["tau_ac_population"], "s--", color="tab:blue",
              mfc="none", label="population rate")
    ax_t.set_xlabel("fraction of reciprocated links r")
    ax_t.set_ylabel("$\\tau_{ac}$ ($\\tau$)")
    ax_t.set_title("(a) autocorrelation time")
    ax_t.legend(fontsize=7)
    cmap = __import__("matplotlib").colormaps["viridis"]
    for r, (acn, _acp) in curves.items():
        ax_n.plot(lags[1:], acn[1:nlag], color=cmap(r), label=f"r = {r:g}")
    ax_n.axhline(0, color="0.6", lw=0.8)
    ax_n.set_xscale("log")
    ax_n.set_xlabel("lag t ($\\tau$)")
    ax_n.set_ylabel("C(t) / C(0)")
    ax_n.set_title("(b) single-neuron autocorrelation")
    ax_n.legend(fontsize=7)
    ax_c.plot(cols["reciprocity"], cols["cv"], "o-", color="tab:red", label="ISI CV")
    ax_c.plot(cols["reciprocity"], cols["rho"], "s-", color="tab:green", label="coherence $\\rho$")
    ax2 = ax_c.twinx()
    ax2.plot(cols["reciprocity"], cols["rate"], "^:", color="k", label="rate")
    ax2.set_ylabel("rate (1/$\\tau$)")
    ax_c.set_xlabel("fraction of reciprocated links r")
    ax_c.set_title("(c) balance is kept: rate, CV, $\\rho$")
    h1, l1 = ax_c.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax_c.legend(h1 + h2, l1 + l2, fontsize=7)
    fig.suptitle(f"Partial symmetry -> slow dynamics: inhibitory QIF, N={st['N']}, "
                 f"K={PARAMS['K']}, i0={PARAMS['i0']}, g0={PARAMS['g0']}"
                 + ("  (quick)" if quick else ""))
    fig.tight_layout()
    files.update(save_figure(fig, out, NAME))
    return files
