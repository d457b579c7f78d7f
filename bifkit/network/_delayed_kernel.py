"""The exact event loop of networks with synaptic delay and refractoriness (numba), model-free.

Ullner, Politi, Torcini 2018 (eqs. 1-2 and 5): a spike reaches its targets tau_d later; a
refractory neuron ignores pulses; pulses arriving at the same instant are all applied before the
threshold test (the convention of a fixed-step integrator as dt -> 0). The loop below is the
same for every neuron model: the calendar queue of ``_queue.py`` (lazy lower-bound keys: a
pulse that only delays a neuron needs no queue work; one that advances it past its queue bound
re-queues it), a FIFO of emitted spikes (constant delay keeps it ordered), the sampling of the
observables, and the per-spike bookkeeping of ``_events.py``.

What depends on the neuron model is a handful of operations, declared here as stubs and
implemented, per model, with ``numba.extending.overload`` on the type of the model tuple ``mp``
(``_lif_kernel.LIFModel``, ``_theta_kernel.ThetaModel``); numba compiles one loop per model, with
the model's operations inlined:

- ``changed_since_queued(mp, i, st, bd)``: state differs from the one the neuron was queued with;
- ``next_time(mp, i, t, st)``: next spike time without further pulses, seen at time t;
- ``place(mp, j, T, st, bd, <queue>)``: queue neuron j under time T and store its bound in bd;
- ``sample(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2)``;
- ``pulse_frame(mp, t)``: constants of the pulses delivered at t (e.g. exp or cos/sin of t);
- ``deliver(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc) -> nc``:
  pulses of a neuron of population x to targets[a:b] (population y), ``cmat[y, x]`` the model's
  coupling; neurons possibly advanced past their bound are appended to ``cand`` (once,
  ``cflag``);
- ``fires_now(mp, frame, j, st)``: the summed pulses brought neuron j to threshold;
- ``advanced_past_bound(mp, j, st, bd)``: it now fires before its queue bound;
- ``reset(mp, i, t, st, bd, <queue>)``: state after a spike at t (refractory until t + tau_r)
  and its queue entry.

The kernels of the LIF and theta networks were two copies of this loop before; merging them
changed no spike time (``validation/network_raster_md5.py``).

No reference counting in the loop: ``delayed_advance``, ``_fire``, ``init_queue`` and the model
operations that are not inlined (``jit_options={"_nrt": False}`` on their overloads) are compiled
without numba's runtime (they allocate nothing). A call of a function compiled with the runtime
costs an atomic increment and decrement of the reference count of each array argument (~60 per
spike through ``_fire`` before). Inlining those operations instead (``inline="always"``) makes
numba's SSA pass warn (``NumbaIRAssumptionWarning``) on the nested loops.
"""
from __future__ import annotations

import math

from numba import njit

from ._events import fifo_pop, fifo_push, record_spike
from ._queue import HEAP, heap_pop


# ---- model operations (stubs; implementations are overloads in the model modules) ------------
def changed_since_queued(mp, i, st, bd):
    raise NotImplementedError("numba overload only")


def next_time(mp, i, t, st):
    raise NotImplementedError("numba overload only")


def place(mp, j, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    raise NotImplementedError("numba overload only")


def sample(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2):
    raise NotImplementedError("numba overload only")


def pulse_frame(mp, t):
    raise NotImplementedError("numba overload only")


def deliver(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc):
    raise NotImplementedError("numba overload only")


def fires_now(mp, frame, j, st):
    raise NotImplementedError("numba overload only")


def advanced_past_bound(mp, j, st, bd):
    raise NotImplementedError("numba overload only")


def reset(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    raise NotImplementedError("numba overload only")


def is_model(mp, cls) -> bool:
    """True if the numba type ``mp`` is the named tuple ``cls`` (for overload dispatch)."""
    return getattr(mp, "instance_class", None) is cls


# ---- the loop -----------------------------------------------------------------------------------
@njit(cache=True, _nrt=False)
def init_queue(mp, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    """Place every neuron in an empty queue whose current bucket contains time t."""
    ist[0] = 0
    ist[1] = math.floor(t / w)
    for j in range(st.shape[0]):
        place(mp, j, max(next_time(mp, j, t, st), t), st, bd, w, nb, head, nxt, prv, where,
              qkey, hkey, hid, ist)


@njit(cache=True, _nrt=False)
def _fire(mp, i, t, pop, st, bd, ref_end, fifo_t, fifo_i, fist, w, nb, head, nxt, prv, where,
          qkey, hkey, hid, ist, nsamp, k, cnt, nspk, last, isi1, isi2, nisi, rmask, rast_t,
          rast_i, nr, counters):
    """Spike of neuron i at t: observables, delivery scheduled at t + tau_d, reset."""
    counters[1] += 1
    if nsamp > 0:
        nr = record_spike(i, pop[i], t, k, nsamp, cnt, nspk, last, isi1, isi2, nisi, rmask,
                          rast_t, rast_i, nr)
    fifo_push(fifo_t, fifo_i, fist, t + mp.tau_d, i)
    ref_end[i] = t + mp.tau_r
    reset(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
    return nr


@njit(cache=True, _nrt=False)
def delayed_advance(mp, cmat, t_stop, tnow, pop, starts, seg, targets, st, bd, ref_end, fifo_t,
                    fifo_i, fist, cand, cflag, w, nb, head, nxt, prv, where, qkey, hkey, hid,
                    ist, nsamp, t0, dt_s, vbar, psibar, cnt, sv, sv2, spsi, spsi2, nspk, last,
                    isi1, isi2, nisi, rmask, rast_t, rast_i, counters):
    """Process all events (spikes and deliveries) with time < t_stop in exact order.

    ``mp`` the model tuple (scalars only: an array in it would be reference-counted at every
    call of a model operation), ``cmat`` its coupling matrix; ``st`` the neuron states, ``bd``
    their queue bounds; ``fist = [head, count]`` of the FIFO; ``cand``/``cflag`` (int64[N],
    uint8[N]) scratch for the neurons advanced by simultaneous pulses. Other arguments as in
    ``_qif_kernel.qif_advance``.
    """
    P = starts.size - 1
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
            if changed_since_queued(mp, i, st, bd):  # only inhibition is left here: later
                T = next_time(mp, i, tnow[0], st)
                if T > key:
                    heap_pop(hkey, hid, ist)
                    place(mp, i, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
                    counters[2] += 1
                    continue
            t_fire = key
            wend = math.inf  # a queued spike precedes the window end
        t_del = fifo_t[fist[0]] if fist[1] > 0 else math.inf
        t_next = min(t_fire, t_del, wend)
        while k < nsamp and t0 + (k + 1) * dt_s < min(t_next, t_stop):
            sample(mp, k, t0 + (k + 1) * dt_s, starts, st, ref_end, vbar, psibar, sv, sv2, spsi,
                   spsi2)
            k += 1
        if t_next >= t_stop:
            break
        if t_del <= t_fire and t_del <= wend:
            # ---- deliveries of all spikes due at t_del (emitted at t_del - tau_d), summed
            # before the threshold test
            t = t_del
            tnow[0] = t
            frame = pulse_frame(mp, t)
            nc = 0
            while fist[1] > 0 and fifo_t[fist[0]] == t:
                src = fifo_pop(fifo_i, fist, cap)
                x = pop[src]
                for y in range(P):
                    a = seg[src, y]
                    b = seg[src, y + 1]
                    counters[0] += b - a
                    nc = deliver(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end,
                                 cand, cflag, nc)
            for r in range(nc):
                j = cand[r]
                cflag[j] = 0
                if fires_now(mp, frame, j, st):  # threshold reached by the jumps: fire now
                    nr = _fire(mp, j, t, pop, st, bd, ref_end, fifo_t, fifo_i, fist, w, nb,
                               head, nxt, prv, where, qkey, hkey, hid, ist, nsamp, k, cnt, nspk,
                               last, isi1, isi2, nisi, rmask, rast_t, rast_i, nr, counters)
                elif advanced_past_bound(mp, j, st, bd):
                    counters[3] += 1
                    place(mp, j, next_time(mp, j, t, st), st, bd, w, nb, head, nxt, prv, where,
                          qkey, hkey, hid, ist)
        elif i >= 0 and t_fire <= wend:
            heap_pop(hkey, hid, ist)
            tnow[0] = t_fire
            nr = _fire(mp, i, t_fire, pop, st, bd, ref_end, fifo_t, fifo_i, fist, w, nb, head,
                       nxt, prv, where, qkey, hkey, hid, ist, nsamp, k, cnt, nspk, last, isi1,
                       isi2, nisi, rmask, rast_t, rast_i, nr, counters)
        else:
            # open the next bucket window: its neurons go to the heap or a later bucket
            ist[1] += 1
            slot = ist[1] % nb
            j = head[slot]
            while j >= 0:
                nj = nxt[j]
                place(mp, j, max(next_time(mp, j, tnow[0], st), tnow[0]), st, bd, w, nb, head,
                      nxt, prv, where, qkey, hkey, hid, ist)
                counters[2] += 1
                j = nj
    while k < nsamp:
        sample(mp, k, t0 + (k + 1) * dt_s, starts, st, ref_end, vbar, psibar, sv, sv2, spsi,
               spsi2)
        k += 1
    tnow[0] = t_stop
    counters[4] = nr
