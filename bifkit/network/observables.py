"""Online observables of a network run: memory O(N + n_fft), independent of the simulated time.

The kernels fill, per chunk of ``n_fft`` samples taken every ``dt_sample``:
population means of the clipped potential and of the genuine phase, spike counts per sample
interval, and per-neuron running sums (v, v^2, psi, psi^2, spike counts, ISI sums). At the end of
each chunk :meth:`Accumulator.add_chunk` folds the chunk into running sums and averaged spectra
(Welch without overlap, rectangular window, mean removed per segment), then the buffers are reused.
Only the optional time series (``keep_series=True``) grow with T: 3 numbers per population and
sample.

Definitions (Bi et al. 2021, Sec. 2.1; Ullner et al. 2018, eq. 3)
------------------------------------------------------------------
- rate of a population: spikes / (neurons x recorded time), in the network's rate unit;
- CV of a neuron: std/mean of its ISIs (neurons with >= 2 ISIs); the population CV is the mean;
- silent fraction: neurons without any spike in the recorded window;
- coherence (Golomb 2007): rho^2 = var_t(mean_i x_i) / mean_i var_t(x_i), computed for
  x = psi, the genuine phase in (-pi, pi) (``rho``; psi = 2 atan(v/sqrt(I)), i.e. the potential of
  the equivalent theta neuron, bounded and continuous between reset and threshold), and for
  x = v clipped to [-v_clip, v_clip] (``rho_v``; v itself has infinite variance: its stationary
  density decays like 1/v^2);
- spectrum of the mean (clipped) potential per population, S(f) = |FFT|^2 dt/n averaged over
  segments, and its peak frequency (f > 0);
- global spike-train spectrum (Ullner et al. 2018, Fig. 3): Y(t) = spikes of all neurons per
  unit time in bins of dt_sample, S_g(f) = <|FFT(Y - mean)|^2> dt/n / N^2.
"""
from __future__ import annotations

import numpy as np


class Accumulator:
    """Buffers handed to a kernel plus the running sums of the chunks already folded in."""

    def __init__(self, sizes, n_fft, dt, n_raster, raster_max, keep_series):
        P = len(sizes)
        n = int(sum(sizes))
        self.sizes = tuple(sizes)
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.dt = float(dt)
        self.n_fft = int(n_fft)
        # per-chunk buffers
        self.vbar = np.zeros((P, n_fft))
        self.psibar = np.zeros((P, n_fft))
        self.cnt = np.zeros((P, n_fft), np.int64)
        # per-neuron running sums
        self.sv = np.zeros(n)
        self.sv2 = np.zeros(n)
        self.spsi = np.zeros(n)
        self.spsi2 = np.zeros(n)
        self.nspk = np.zeros(n, np.int64)
        self.last = np.full(n, -1.0)
        self.isi1 = np.zeros(n)
        self.isi2 = np.zeros(n)
        self.nisi = np.zeros(n, np.int64)
        self.rmask = np.zeros(n, np.bool_)
        for y in range(P):  # the first n_raster neurons of every population
            self.rmask[self.starts[y]:self.starts[y] + min(n_raster, sizes[y])] = True
        self.rast_t = np.zeros(int(raster_max))
        self.rast_i = np.full(int(raster_max), -1, np.int64)
        # population sums over samples
        self.n_samples = 0
        self.sum_vbar = np.zeros(P)
        self.sum_vbar2 = np.zeros(P)
        self.sum_psibar = np.zeros(P)
        self.sum_psibar2 = np.zeros(P)
        self.spec_v = np.zeros((P, n_fft // 2 + 1))
        self.spec_g = np.zeros(n_fft // 2 + 1)
        self.n_seg = 0
        self.keep_series = keep_series
        self.series_v, self.series_psi, self.series_cnt = [], [], []

    def add_chunk(self, m):
        """Fold the first ``m`` samples of the buffers into the running sums."""
        vb, pb, cn = self.vbar[:, :m], self.psibar[:, :m], self.cnt[:, :m]
        self.n_samples += m
        self.sum_vbar += vb.sum(axis=1)
        self.sum_vbar2 += (vb * vb).sum(axis=1)
        self.sum_psibar += pb.sum(axis=1)
        self.sum_psibar2 += (pb * pb).sum(axis=1)
        if m == self.n_fft:
            x = vb - vb.mean(axis=1, keepdims=True)
            self.spec_v += np.abs(np.fft.rfft(x, axis=1)) ** 2 * self.dt / m
            y = cn.sum(axis=0) / self.dt
            y = y - y.mean()
            n = float(sum(self.sizes))
            self.spec_g += np.abs(np.fft.rfft(y)) ** 2 * self.dt / m / n**2
            self.n_seg += 1
        if self.keep_series:
            self.series_v.append(vb.copy())
            self.series_psi.append(pb.copy())
            self.series_cnt.append(cn.copy())
        self.cnt[:] = 0

    def summary(self, names, t_rec, rate_scale, n_raster_written):
        """Dict of final observables (see the module docstring for the definitions)."""
        ns = max(self.n_samples, 1)
        out = {"rates": {}, "rate_neuron": {}, "cv": {}, "cv_neuron": {}, "silent": {},
               "rho": {}, "rho_v": {}, "v_mean": {}, "psi_mean": {}, "peak_freq": {},
               "spectrum": {}}
        with np.errstate(invalid="ignore", divide="ignore"):
            m1 = self.isi1 / self.nisi
            cv_all = np.sqrt(np.maximum(self.isi2 / self.nisi - m1**2, 0.0)) / m1
        cv_all[self.nisi < 2] = np.nan
        freqs = np.fft.rfftfreq(self.n_fft, self.dt) * rate_scale
        for y, name in enumerate(names):
            sl = slice(self.starts[y], self.starts[y + 1])
            r = self.nspk[sl] / t_rec * rate_scale
            out["rate_neuron"][name] = r
            out["rates"][name] = float(r.mean())
            out["silent"][name] = float(np.mean(self.nspk[sl] == 0))
            cvs = cv_all[sl]
            out["cv_neuron"][name] = cvs
            out["cv"][name] = float(np.nanmean(cvs)) if np.any(np.isfinite(cvs)) else float("nan")
            out["rho"][name] = _rho(self.sum_psibar[y], self.sum_psibar2[y], self.spsi[sl],
                                    self.spsi2[sl], ns)
            out["rho_v"][name] = _rho(self.sum_vbar[y], self.sum_vbar2[y], self.sv[sl],
                                      self.sv2[sl], ns)
            out["v_mean"][name] = float(self.sum_vbar[y] / ns)
            out["psi_mean"][name] = float(self.sum_psibar[y] / ns)
            if self.n_seg:
                S = self.spec_v[y] / self.n_seg
                out["spectrum"][name] = S
                out["peak_freq"][name] = float(freqs[1 + np.argmax(S[1:])])
            else:
                out["peak_freq"][name] = float("nan")
        out["freqs"] = freqs
        out["spike_spectrum"] = self.spec_g / max(self.n_seg, 1)
        nr = n_raster_written
        out["raster"] = (self.rast_t[:nr].copy(), self.rast_i[:nr].copy())
        if self.keep_series and self.series_v:
            out["v_series"] = dict(zip(names, np.concatenate(self.series_v, axis=1)))
            out["psi_series"] = dict(zip(names, np.concatenate(self.series_psi, axis=1)))
            cnt = np.concatenate(self.series_cnt, axis=1)
            out["rate_series"] = {nm: cnt[y] / (self.sizes[y] * self.dt) * rate_scale
                                  for y, nm in enumerate(names)}
        return out


def _rho(s1, s2, n1, n2, ns):
    """Golomb's coherence from sums of the population mean (s1, s2) and of each neuron (n1, n2)."""
    var_pop = s2 / ns - (s1 / ns) ** 2
    var_i = np.maximum(n2 / ns - (n1 / ns) ** 2, 0.0)
    den = var_i.mean()
    return float(np.sqrt(max(var_pop, 0.0) / den)) if den > 0 else float("nan")
