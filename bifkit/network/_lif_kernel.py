"""Exact event-driven kernel for LIF networks with delay and refractoriness (numba).

Model (Ullner, Politi, Torcini 2018, eqs. 1-2): tau dV/dt = mu - V with mu = R I0 between pulses;
V >= V_th -> spike, V = V_r held for tau_r, the spike reaches the targets tau_d later and makes
their V jump by J_xy (unless they are refractory).

Exact solution: mu - V(t) = A exp(-(t - t_ref)/tau) with A constant between pulses, so we store
A_i (the "phase offset" of the LIF), and a pulse is A <- A - J exp((t - t_ref)/tau):
one multiply-add.
The next spike time without further pulses is T = t_ref + tau ln(A/(mu - V_th)) (mu > V_th), and a
pulse fires the neuron at once when V + J >= V_th, i.e. A <= (mu - V_th) exp((t - t_ref)/tau).
A refractory neuron is stored as if it restarted from V_r at t_s + tau_r (pulses before that
instant are ignored). ``t_ref`` is moved forward between chunks by the driver (``lif_rebase``)
so that the exponentials stay bounded.

Scheduling: the calendar queue of ``_queue.py``. The queue bound of a neuron is kept as the
equivalent value Aq of A (T < bound <=> A < Aq) in ``st[:, 1]``, beside A in the same cache line
(the loop's ``bd`` is unused here), so the check after an excitatory pulse is one comparison;
inhibitory pulses only delay. The event loop (delays, refractoriness, same-instant summation)
is ``_delayed_kernel.delayed_advance``; this module provides the LIF's operations for it
(overloads on ``LIFModel``).
"""
from __future__ import annotations

import math
from collections import namedtuple

from numba import njit
from numba.extending import overload

from . import _delayed_kernel as dk
from ._queue import enqueue
from ._simd import STREAM_AHEAD as _AHEAD
from ._simd import STREAM_LINE as _LINE
from ._simd import prefetch_stream

# model tuple of one chunk (tref moves between chunks); mu_th = mu - V_th, a_reset = mu - V_r
LIFModel = namedtuple("LIFModel", ["mu", "V_r", "tau", "tau_r", "tau_d", "mu_th", "a_reset",
                                   "tref"])


def lif_model(spec, tref):
    """The model tuple of ``spec`` (a ``LIFSpec``) with exponentials referred to ``tref``."""
    return LIFModel(float(spec.mu), float(spec.V_r), float(spec.tau), float(spec.tau_r),
                    float(spec.tau_d), spec.mu - spec.V_th, (spec.mu - spec.V_r) * 1.0,
                    float(tref))


@njit(cache=True, inline="always")
def _time_of(A, mu_th, tref, tau):
    """Free-run time at which V reaches V_th (+inf if mu <= V_th: never without input)."""
    if mu_th <= 0.0:
        return math.inf
    if A <= 0.0:
        return -math.inf
    return tref + tau * math.log(A / mu_th)


@njit(cache=True)
def lif_rebase(st, tref_old, tref_new, tau):
    """Refer A and its queue bound to a new t_ref (keeps the exponentials bounded)."""
    f = math.exp(-(tref_new - tref_old) / tau)
    for j in range(st.shape[0]):
        st[j, 0] *= f
        st[j, 1] *= f


def _is_lif(mp):
    return dk.is_model(mp, LIFModel)


@overload(dk.changed_since_queued, inline="always")
def _changed(mp, i, st, bd):
    if _is_lif(mp):
        return lambda mp, i, st, bd: st[i, 0] != st[i, 1]


@overload(dk.next_time, jit_options={"_nrt": False})
def _next_time(mp, i, t, st):
    if not _is_lif(mp):
        return None

    def impl(mp, i, t, st):
        return _time_of(st[i, 0], mp.mu_th, mp.tref, mp.tau)
    return impl


@overload(dk.place, jit_options={"_nrt": False})
def _place(mp, j, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    if not _is_lif(mp):
        return None

    def impl(mp, j, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
        """Queue neuron j under time T (may be +inf when mu <= V_th); its bound in st[j, 1]."""
        B = enqueue(j, T, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
        if B < 0:
            st[j, 1] = st[j, 0]  # in the heap: its own A (and the "unchanged" mark)
        else:
            # bound value of A; with mu <= V_th every excitatory pulse must be checked (+inf)
            st[j, 1] = (mp.mu_th * math.exp((B * w - mp.tref) / mp.tau) if mp.mu_th > 0
                        else math.inf)
    return impl


@overload(dk.sample, jit_options={"_nrt": False})
def _sample(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2):
    if not _is_lif(mp):
        return None

    def impl(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2):
        """Mean V per population and per-neuron sums of V (psibar, spsi: filled by the driver:
        V is bounded, so its coherence stands for the phase coherence)."""
        e = math.exp(-(ts - mp.tref) / mp.tau)
        for y in range(starts.size - 1):
            acc = 0.0
            for i in range(starts[y], starts[y + 1]):
                v = mp.V_r if ts < ref_end[i] else mp.mu - st[i, 0] * e
                acc += v
                sv[i] += v
                sv2[i] += v * v
            vbar[y, k] = acc / (starts[y + 1] - starts[y])
    return impl


@overload(dk.pulse_frame, inline="always")
def _pulse_frame(mp, t):
    if _is_lif(mp):
        def impl(mp, t):
            E = math.exp((t - mp.tref) / mp.tau)
            return E, mp.mu_th * E  # (pulse factor, A at which V = V_th now)
        return impl


@overload(dk.deliver, inline="always")
def _deliver(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc):
    if not _is_lif(mp):
        return None

    def impl(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc):
        """A <- A - J exp((t - t_ref)/tau) for the non-refractory targets (cmat = J, mV)."""
        Jyx = cmat[y, x]
        dA = Jyx * frame[0]
        for m in range(a, a + _AHEAD, _LINE):  # prefetch the out-list: its head at once,
            prefetch_stream(targets, m)
        for m in range(a, b):
            prefetch_stream(targets, m + _AHEAD)  # then _AHEAD targets ahead (as _qif_kernel)
            j = targets[m]
            if t < ref_end[j]:
                continue
            Aj = st[j, 0] - dA
            st[j, 0] = Aj
            if Jyx > 0.0 and Aj < st[j, 1] and not cflag[j]:
                cflag[j] = 1  # advanced past its queue bound: settle after all pulses
                cand[nc] = j
                nc += 1
        return nc
    return impl


@overload(dk.fires_now, inline="always")
def _fires_now(mp, frame, j, st):
    if _is_lif(mp):
        return lambda mp, frame, j, st: st[j, 0] <= frame[1]


@overload(dk.advanced_past_bound, inline="always")
def _advanced(mp, j, st, bd):
    if _is_lif(mp):
        return lambda mp, j, st, bd: st[j, 0] < st[j, 1] and mp.mu_th > 0.0


@overload(dk.reset, jit_options={"_nrt": False})
def _reset(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    if not _is_lif(mp):
        return None

    def impl(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
        """V = V_r held until t + tau_r: stored as the A of a restart from V_r then."""
        st[i, 0] = mp.a_reset * math.exp((t + mp.tau_r - mp.tref) / mp.tau)
        dk.place(mp, i, _time_of(st[i, 0], mp.mu_th, mp.tref, mp.tau), st, bd, w, nb, head,
                 nxt, prv, where, qkey, hkey, hid, ist)
    return impl
