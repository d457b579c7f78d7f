"""Per-spike bookkeeping shared by the exact kernels (numba, inlined into each kernel).

- ``record_spike``: the observables of one spike (spike count of the sample bin, ISI moments,
  raster), identical for every neuron model;
- ``fifo_push`` / ``fifo_pop``: the ring buffer of emitted spikes waiting for their delivery
  time ``t + tau_d`` (a constant delay keeps it in time order; ``_lif_kernel``, ``_theta_kernel``);
- ``accumulate``: the per-neuron sums of a sampled potential and phase (Golomb's coherence).

None of these touches the dynamics: moving them here changed no spike time.
"""
from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def record_spike(i, x, t, k, nsamp, cnt, nspk, last, isi1, isi2, nisi, rmask, rast_t, rast_i,
                 nr):
    """Observables of a spike of neuron i (population x) at t, in sample bin k of ``nsamp``.

    Returns the new number of raster entries ``nr``."""
    if k < nsamp:
        cnt[x, k] += 1
    if last[i] >= 0.0:
        d = t - last[i]
        isi1[i] += d
        isi2[i] += d * d
        nisi[i] += 1
    last[i] = t
    nspk[i] += 1
    if rmask[i] and nr < rast_t.size:
        rast_t[nr] = t
        rast_i[nr] = i
        nr += 1
    return nr


@njit(cache=True, inline="always")
def fifo_push(fifo_t, fifo_i, fist, t, i):
    """Append the spike of neuron i to be delivered at t; ``fist = [head, count]``."""
    cap = fifo_t.size
    if fist[1] >= cap:
        raise RuntimeError("spike FIFO overflow (delay window holds too many spikes)")
    pos = (fist[0] + fist[1]) % cap
    fifo_t[pos] = t
    fifo_i[pos] = i
    fist[1] += 1


@njit(cache=True, inline="always")
def fifo_pop(fifo_i, fist, cap):
    """Remove the oldest spike of the FIFO; returns its neuron."""
    src = fifo_i[fist[0]]
    fist[0] = (fist[0] + 1) % cap
    fist[1] -= 1
    return src


@njit(cache=True, inline="always")
def accumulate(i, v, psi, sv, sv2, spsi, spsi2):
    """Add one sample (v, psi) of neuron i to its running sums."""
    sv[i] += v
    sv2[i] += v * v
    spsi[i] += psi
    spsi2[i] += psi * psi
