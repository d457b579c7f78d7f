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
equivalent value Aq of A (T < bound <=> A < Aq), so the check after an excitatory pulse is one
comparison; inhibitory pulses only delay. Emitted spikes wait in a FIFO until their delivery time
(a constant delay keeps it ordered). Pulses delivered at the same instant (spikes emitted at the
same instant, e.g. two neurons pushed over threshold by one pulse) are summed before the threshold
test, the convention of a fixed-step integrator in the limit dt -> 0.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._events import fifo_pop, fifo_push, record_spike
from ._queue import HEAP, heap_pop, heap_push, link, unlink


@njit(cache=True, inline="always")
def _time_of(A, mu_th, tref, tau):
    """Free-run time at which V reaches V_th (+inf if mu <= V_th: never without input)."""
    if mu_th <= 0.0:
        return math.inf
    if A <= 0.0:
        return -math.inf
    return tref + tau * math.log(A / mu_th)


@njit(cache=True)
def _place(j, T, st, mu_th, tref, tau, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    """Queue neuron j under time T (may be +inf when mu <= V_th)."""
    unlink(j, head, nxt, prv, where)
    b_cur = ist[1]
    if T < (b_cur + 1) * w:
        where[j] = HEAP
        qkey[j] = T
        st[j, 1] = st[j, 0]
        heap_push(T, j, hkey, hid, ist, where, qkey)
    else:
        if T < (b_cur + nb) * w:
            B = int(math.floor(T / w))
        else:
            B = b_cur + nb - 1
        link(j, B % nb, head, nxt, prv, where)
        # bound value of A; with mu <= V_th every excitatory pulse must be checked (+inf)
        st[j, 1] = mu_th * math.exp((B * w - tref) / tau) if mu_th > 0 else math.inf


@njit(cache=True)
def lif_rebase(st, tref_old, tref_new, tau):
    f = math.exp(-(tref_new - tref_old) / tau)
    for j in range(st.shape[0]):
        st[j, 0] *= f
        st[j, 1] *= f


@njit(cache=True)
def lif_init_queue(t, st, mu_th, tref, tau, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    ist[0] = 0
    ist[1] = math.floor(t / w)
    for j in range(st.shape[0]):
        T = _time_of(st[j, 0], mu_th, tref, tau)
        _place(j, max(T, t), st, mu_th, tref, tau, w, nb, head, nxt, prv, where, qkey, hkey,
               hid, ist)


@njit(cache=True)
def _sample(k, ts, starts, st, ref_end, mu, V_r, tref, tau, vbar, sv, sv2):
    e = math.exp(-(ts - tref) / tau)
    for y in range(starts.size - 1):
        acc = 0.0
        for i in range(starts[y], starts[y + 1]):
            v = V_r if ts < ref_end[i] else mu - st[i, 0] * e
            acc += v
            sv[i] += v
            sv2[i] += v * v
        vbar[y, k] = acc / (starts[y + 1] - starts[y])


@njit(cache=True)
def lif_advance(t_stop, tnow, pop, starts, mu, V_th, V_r, tau, tau_r, tau_d, J, seg, targets,
                st, ref_end, fifo_t, fifo_i, fist, cand, cflag, tref,
                w, nb, head, nxt, prv, where, qkey, hkey, hid, ist,
                nsamp, t0, dt_s, vbar, cnt, sv, sv2, nspk, last, isi1, isi2, nisi, rmask,
                rast_t, rast_i, counters):
    """Process all events (spikes and deliveries) with time < t_stop in exact order.

    ``st[:, 0]`` = A, ``st[:, 1]`` = queue-bound value Aq; ``fist = [head, count]`` of the FIFO;
    ``cand``/``cflag`` (int64[N], uint8[N]) scratch for the neurons advanced by simultaneous pulses.
    Other arguments as in ``_qif_kernel.qif_advance`` (``vbar`` holds the mean V).
    """
    P = starts.size - 1
    mu_th = mu - V_th
    a_reset = (mu - V_r) * 1.0
    cap = fifo_t.size
    k = 0
    nr = counters[4]
    while True:
        # earliest candidate spike from the queue (validated), else the window end
        t_fire = math.inf
        i = -1
        if ist[0] == 0:
            wend = (ist[1] + 1) * w
        else:
            key = hkey[0]
            i = hid[0]
            if where[i] != HEAP or qkey[i] != key:
                heap_pop(hkey, hid, ist)
                continue
            if st[i, 0] != st[i, 1]:  # changed since queued (inhibition only: later)
                T = _time_of(st[i, 0], mu_th, tref, tau)
                if T > key:
                    heap_pop(hkey, hid, ist)
                    _place(i, T, st, mu_th, tref, tau, w, nb, head, nxt, prv, where, qkey,
                           hkey, hid, ist)
                    counters[2] += 1
                    continue
            t_fire = key
            wend = math.inf  # a queued spike precedes the window end
        t_del = fifo_t[fist[0]] if fist[1] > 0 else math.inf
        t_next = min(t_fire, t_del, wend)
        while k < nsamp and t0 + (k + 1) * dt_s < min(t_next, t_stop):
            _sample(k, t0 + (k + 1) * dt_s, starts, st, ref_end, mu, V_r, tref, tau, vbar,
                    sv, sv2)
            k += 1
        if t_next >= t_stop:
            break
        if t_del <= t_fire and t_del <= wend:
            # ---- deliveries of all spikes due at t_del (emitted at t_del - tau_d). Pulses
            # arriving at the same instant are summed before the threshold test.
            t = t_del
            tnow[0] = t
            E = math.exp((t - tref) / tau)
            A_now = mu_th * E  # A at which V = V_th now
            nc = 0
            while fist[1] > 0 and fifo_t[fist[0]] == t:
                src = fifo_pop(fifo_i, fist, cap)
                x = pop[src]
                for y in range(P):
                    Jyx = J[y, x]
                    a = seg[src, y]
                    b = seg[src, y + 1]
                    counters[0] += b - a
                    dA = Jyx * E
                    for m in range(a, b):
                        j = targets[m]
                        if t < ref_end[j]:
                            continue
                        Aj = st[j, 0] - dA
                        st[j, 0] = Aj
                        if Jyx > 0.0 and Aj < st[j, 1] and not cflag[j]:
                            cflag[j] = 1  # advanced past its queue bound: settle below
                            cand[nc] = j
                            nc += 1
            for r in range(nc):
                j = cand[r]
                cflag[j] = 0
                Aj = st[j, 0]
                if Aj <= A_now:  # threshold reached by the jumps: fire now
                    nr = _fire(j, t, pop, mu_th, a_reset, tau, tau_r, tau_d, st, ref_end,
                               fifo_t, fifo_i, fist, tref, w, nb, head, nxt, prv, where, qkey,
                               hkey, hid, ist, nsamp, k, cnt, nspk, last, isi1, isi2, nisi,
                               rmask, rast_t, rast_i, nr, counters)
                elif Aj < st[j, 1] and mu_th > 0.0:
                    counters[3] += 1
                    _place(j, _time_of(Aj, mu_th, tref, tau), st, mu_th, tref, tau, w, nb, head,
                           nxt, prv, where, qkey, hkey, hid, ist)
        elif i >= 0 and t_fire <= wend:
            heap_pop(hkey, hid, ist)
            tnow[0] = t_fire
            nr = _fire(i, t_fire, pop, mu_th, a_reset, tau, tau_r, tau_d, st, ref_end, fifo_t,
                       fifo_i, fist, tref, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist,
                       nsamp, k, cnt, nspk, last, isi1, isi2, nisi, rmask, rast_t, rast_i, nr,
                       counters)
        else:
            # open the next bucket window
            ist[1] += 1
            slot = ist[1] % nb
            j = head[slot]
            while j >= 0:
                nj = nxt[j]
                T = _time_of(st[j, 0], mu_th, tref, tau)
                _place(j, max(T, tnow[0]), st, mu_th, tref, tau, w, nb, head, nxt, prv, where,
                       qkey, hkey, hid, ist)
                counters[2] += 1
                j = nj
    while k < nsamp:
        _sample(k, t0 + (k + 1) * dt_s, starts, st, ref_end, mu, V_r, tref, tau, vbar, sv, sv2)
        k += 1
    tnow[0] = t_stop
    counters[4] = nr


@njit(cache=True)
def _fire(i, t, pop, mu_th, a_reset, tau, tau_r, tau_d, st, ref_end, fifo_t, fifo_i, fist,
          tref, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist, nsamp, k, cnt, nspk, last,
          isi1, isi2, nisi, rmask, rast_t, rast_i, nr, counters):
    counters[1] += 1
    if nsamp > 0:
        nr = record_spike(i, pop[i], t, k, nsamp, cnt, nspk, last, isi1, isi2, nisi, rmask,
                          rast_t, rast_i, nr)
    fifo_push(fifo_t, fifo_i, fist, t + tau_d, i)
    ref_end[i] = t + tau_r
    st[i, 0] = a_reset * math.exp((t + tau_r - tref) / tau)
    T = _time_of(st[i, 0], mu_th, tref, tau)
    _place(i, T, st, mu_th, tref, tau, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
    return nr
