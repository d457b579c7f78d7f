"""Exact event-driven kernel for networks of QIF neurons with delta pulses (numba).

Model (Bi et al. 2021, eqs. 1-2; Ageeva & Goldobin 2025, network of Sec. 2): neuron i of population
x obeys ``tau dv/dt = v^2 + I_x`` between pulses, spikes when v -> +inf and restarts from -inf; a
spike of a neuron of population y makes v of each target jump by J_xy (instantaneous, no delay).

Exact solution used here. With s_x = sqrt(I_x) > 0 write v = s_x cot(phi): phi in (0, pi) is half
the "remaining" genuine phase, phi = (pi - psi)/2 with psi = 2 atan(v / s_x). Between pulses phi
decreases uniformly, d phi/dt = -Omega_x = -s_x/tau, and the neuron spikes when phi reaches 0 (then
phi = pi). A pulse maps cot(phi) -> cot(phi) + J_xy/s_x.

Per neuron we store the *phase offset* theta_i = phi_i(t) + Omega_x t, which is constant between
pulses, as an (unnormalised, oriented) 2-vector ``st[i] = (p_i, q_i) ~ (cos theta_i, sin theta_i)``,
and the angle of its queue bound as a second vector ``bd[i]`` (kept apart so that the inhibitory
scatter loop touches 16 bytes per neuron). Then theta_i / Omega_x is (modulo the free period
pi/Omega_x) the neuron's next spike time, an untouched neuron costs nothing, and a pulse
received at time t (with C = cos Omega_x t, S = sin Omega_x t, c = J/s_x) is a *linear* shear

    q' = C q - S p          (= r sin phi, the rotated-frame coordinate)
    p <- p + c C q',   q <- q + c S q'

-- two multiply-adds per synaptic event and no transcendental function (C, S are computed once per
spike and target population). The orientation convention r > 0, q' > 0 during an interspike
interval is preserved by pulses (they do not change q'), so the next spike time
T = t + atan2(q', p') / Omega is recovered unambiguously when it is needed (queue refresh only).

Scheduling uses the lazy calendar queue of ``_queue.py``: inhibitory pulses (c < 0) only delay a
neuron, so they never touch the queue; an excitatory pulse compares the new angle with the angle of
the neuron's queue bound (one cross product, sin(theta_bound - theta_new) > 0 <=> the neuron now
fires before its bound) and re-queues only then. A neuron's next spike is never more than one
free period pi/Omega away, so the ring of buckets spans that; its length ``nb`` is a power of two
(slots by masking).

Where the time goes (N = 1e4, K = 1e3; measured with cycle counters): the pulse loops are the
bulk and run near the speed of a bare random scatter; they index flat views of the state arrays
with unsigned integers (no wraparound test, no row-stride multiply), update a target's (p, q) as
one 16-byte vector (``_simd.py``) and prefetch the out-list: its first 16 cache lines when a
delivery starts, then 256 targets ahead of the loop. Measured in CPU time against the scatter
ceiling (A/B runs alternated on the shared 2-core machine, N = 12500, K = 1000): the vector form
and a prefetch 64 targets ahead took the E-I network from 0.53-0.56 to 0.61-0.63 (load 3.2-3.4;
the vector form alone about half of it), the inhibitory one from 0.60-0.65 to 0.64-0.74; the
list-head burst and 256 ahead then raised the E-I median of eight A/B runs from 0.62 to 0.655
(load 1.2-1.3; micro-benchmarks of the two loops: 128 ahead beats 64 by ~7 %, the burst another
3-10 %). Everything else is per
spike or per queue refresh and avoids transcendental functions where it can: (cos, sin)(Omega_y t)
of the current time is computed once per spike and per population (``cs``) and reused by the
pulses, the reset and every queue refresh at that time (a refresh then costs one atan2); a bucket
is drained in one pass without unlinking neuron by neuron. None of this changes a single bit of
the arithmetic of the dynamics (same spike trains as the straightforward version).

No reference counting in the loop: ``qif_advance`` is compiled without numba's runtime
(``_nrt=False``; it allocates nothing, its scratch ``cs`` comes from the caller) and the queue
operations it calls are inlined. A call of a compiled function with array arguments otherwise
costs an atomic increment and decrement of each array's reference count (numba's pruning of
those pairs fails on functions with several exits): ``_place`` alone takes 15 arrays, and these
atomics were ~25 % of the inhibitory loop's samples under ``perf`` (N = 1e4, K = 1e3).

Excitable neurons (I_x <= 0) are not handled by this kernel (the caller refuses them).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._events import accumulate, record_spike
from ._queue import HEAP, heap_pop, heap_push, link, unlink
from ._simd import STREAM_AHEAD, STREAM_LINE, prefetch_stream, shear_pair, shear_pair_before


@njit(cache=True, inline="always")
def _phase_left(pj, qj, C, S):
    """Remaining half phase phi in [0, pi] of the state (pj, qj) at the time t whose
    (cos, sin)(Omega t) is (C, S): the neuron fires at t + phi / Omega."""
    pr = C * pj + S * qj
    qr = C * qj - S * pj
    phi = math.atan2(qr, pr)
    if phi < 0.0:  # rounding right after a reset (phi ~ pi) or right before a spike (phi ~ 0)
        phi = math.pi if phi < -0.5 * math.pi else 0.0
    return phi


@njit(cache=True, inline="always")
def _spike_time(j, t, om, st):
    """Next spike time of a neuron with state (p, q) seen at time t (t <= result)."""
    return t + _phase_left(st[j, 0], st[j, 1], math.cos(om * t), math.sin(om * t)) / om


@njit(cache=True, inline="always")
def _place(j, T, y, st, bd, bcs, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    """Queue neuron j (population y) under next-spike time T.

    ``bcs[y, slot]`` = (cos, sin) of Omega_y times the start of the bucket in ``slot``
    (kept up to date by ``_advance_table``), the angle of the queue bound of a neuron there.
    """
    unlink(j, head, nxt, prv, where)
    b_cur = ist[1]
    if T < (b_cur + 1) * w:
        where[j] = HEAP
        qkey[j] = T
        bd[j, 0] = st[j, 0]  # bound = exact time: the neuron's own angle (and "unchanged" mark)
        bd[j, 1] = st[j, 1]
        heap_push(T, j, hkey, hid, ist, where, qkey)
    else:
        B = math.floor(T / w)
        if B > b_cur + nb - 1:
            B = b_cur + nb - 1  # beyond the ring: park at its far end (still a lower bound)
        slot = B & (nb - 1)
        link(j, slot, head, nxt, prv, where)
        bd[j, 0] = bcs[y, slot, 0]
        bd[j, 1] = bcs[y, slot, 1]


@njit(cache=True)
def _set_table_slot(bcs, om, B, w, nb):
    """Slot B mod nb now stands for absolute bucket B: store its bound angles."""
    s = B & (nb - 1)
    for y in range(om.size):
        bcs[y, s, 0] = math.cos(om[y] * B * w)
        bcs[y, s, 1] = math.sin(om[y] * B * w)


@njit(cache=True)
def qif_init_queue(t, pop, om, st, bd, bcs, w, nb, head, nxt, prv, where, qkey,
                   hkey, hid, ist):
    """Place every neuron in an empty queue whose current bucket contains time t.

    ``nb`` must be a power of two (slots are found by masking, not by an integer division)."""
    if nb <= 0 or nb & (nb - 1) != 0:
        raise ValueError("the number of queue buckets nb must be a power of two")
    ist[0] = 0
    ist[1] = math.floor(t / w)
    for B in range(ist[1], ist[1] + nb):
        _set_table_slot(bcs, om, B, w, nb)
    for j in range(st.shape[0]):
        y = pop[j]
        _place(j, _spike_time(j, t, om[y], st), y, st, bd, bcs, w, nb, head, nxt, prv, where,
               qkey, hkey, hid, ist)


_U1 = np.uint64(1)
_U2 = np.uint64(2)
_AHEAD = np.uint64(STREAM_AHEAD)  # targets prefetched this many events ahead (16 cache lines)
_LINE = np.uint64(STREAM_LINE)  # targets per 64-byte cache line


@njit(cache=True, _nrt=False)
def _inhibit(stf, targets, a, b, C, S, cC, cS):
    """Inhibitory pulses to targets[a:b]: the shear of the module docstring, nothing else.

    ``stf`` is the flat (2N,) view of the states; unsigned indices spare numba's negative-index
    wraparound and the row-stride multiply in this, the hottest loop. The shear is one two-lane
    operation on the target's (p, q) (``_simd.shear_pair``: one 16-byte load and store, bit for
    bit the scalar arithmetic), and the out-list, read once as a stream, is prefetched with a
    non-temporal hint: its first ``_AHEAD`` targets at once, then ``_AHEAD`` ahead of the loop
    (each spike starts a new list, where the hardware's stream prefetch starts late). Its own
    function (not inlined into the event loop, whose register pressure would reload pointers in
    the loop); without reference counting, like the loop."""
    for m in range(np.uint64(a), np.uint64(a) + _AHEAD, _LINE):  # the list's head, at once
        prefetch_stream(targets, m)
    for m in range(np.uint64(a), np.uint64(b)):
        prefetch_stream(targets, m + _AHEAD)
        shear_pair(stf, np.uint64(targets[m]) * _U2, C, S, cC, cS)


@njit(cache=True, _nrt=False)
def _excite(stf, bdf, targets, a, b, C, S, cC, cS, cand):
    """Excitatory pulses to targets[a:b]: the same shear, and the bound test of each target
    (both in one two-lane operation, ``_simd.shear_pair_before``; the same prefetch).

    A target whose new angle lies before the angle of its queue bound (``bdf``, flat like
    ``stf``: one cross product) now fires before the bound; such targets are written to
    ``cand`` and their number is returned, and the caller re-queues them after the loop, from
    their final states (the out-lists hold no duplicate; a target listed twice would only be
    re-queued twice under the same time).
    """
    n = 0
    for m in range(np.uint64(a), np.uint64(a) + _AHEAD, _LINE):  # the list's head, at once
        prefetch_stream(targets, m)
    for m in range(np.uint64(a), np.uint64(b)):
        prefetch_stream(targets, m + _AHEAD)
        if shear_pair_before(stf, bdf, np.uint64(targets[m]) * _U2, C, S, cC, cS):
            cand[n] = targets[m]
            n += 1
    return n


@njit(cache=True, inline="always")
def _atan2_fast(y, x):
    """atan2(y, x) within 1e-6 rad (least-squares odd polynomial of degree 13 on [0, 1],
    fitted for this file; then octant symmetry, written as selects rather than branches).

    Used for the *observables* (the sampled genuine phase) and, with a margin, for queue
    bucket bounds (:func:`_queue_time`); never for a spike time.
    """
    ax = abs(x)
    ay = abs(y)
    a = min(ax, ay) / max(max(ax, ay), 1e-300)
    s = a * a
    r = a * (((((((0.00803127 * s - 0.03749579) * s + 0.08438828) * s - 0.13512496) * s
                 + 0.19887015) * s - 0.3332695) * s + 0.9999994))
    r = 0.5 * math.pi - r if ay > ax else r
    r = math.pi - r if x < 0.0 else r
    return -r if y < 0.0 else r


# _atan2_fast is within 6.9e-7 rad of math.atan2 (measured on 2e6 angles at radii 1e-5 .. 1e200;
# tests/test_network_qif_queue.py repeats the check); the margin keeps its bound safe.
_FAST_MARGIN = 4e-6


@njit(cache=True, inline="always")
def _queue_time(pj, qj, C, S, t, om, iom, lim):
    """The time under which to queue a neuron with state (pj, qj) seen at t.

    Its exact next spike time if that may fall before ``lim`` (the end of the heap window: heap
    keys are exact spike times); otherwise a lower bound >= lim, which is all a bucket needs
    (the bucket start is the neuron's bound). The bound comes from the polynomial atan2, so most
    queue refreshes (about 7 per spike in the inhibitory network) skip the libm atan2; spike
    times are unchanged (they are always exact), only a bucket may come out one earlier.
    ``iom`` = 1 / om: the bound multiplies by it (a division costs more; the rounding of either
    is far inside the margin).
    """
    pr = C * pj + S * qj
    qr = C * qj - S * pj
    T = t + max(_atan2_fast(qr, pr) - _FAST_MARGIN, 0.0) * iom
    if T < lim:
        T = t + _phase_left(pj, qj, C, S) / om
    return T


@njit(cache=True)
def _rescale_states(st, bd):
    """Keep the unnormalised phase vectors of neurons that do not spike in range.

    Pulses shear (p, q) and a neuron that keeps receiving pulses without spiking (no reset)
    sees |(p, q)| grow slowly but geometrically (about 1e-4 per pulse for a strongly inhibited
    neuron: overflow after ~1e7 pulses).  Vectors beyond 2^200 (or below 2^-200) are multiplied
    by 2^-200 (2^200): a power of two is exact in floating point and leaves every angle,
    product sign and spike time bit for bit unchanged.
    Called every 4096 spikes (each neuron receives a few hundred pulses in between).
    """
    big = 2.0 ** 200
    small = 2.0 ** -200
    for i in range(st.shape[0]):
        m = max(abs(st[i, 0]), abs(st[i, 1]))
        if m > big:
            f = small
        elif m < small:
            f = big
        else:
            continue
        same = st[i, 0] == bd[i, 0] and st[i, 1] == bd[i, 1]
        st[i, 0] *= f
        st[i, 1] *= f
        if same:  # bd == st marks "not hit since queued": keep the copy equal
            bd[i, 0] = st[i, 0]
            bd[i, 1] = st[i, 1]
        # otherwise bd is a bound angle whose use (the sign of a cross product with st) does
        # not depend on the lengths of either vector; it is renewed at the next queue refresh


@njit(cache=True, fastmath={"reassoc", "nsz", "contract", "arcp"})
def _sample(k, ts, starts, s, om, stf, v_clip, vbar, psibar, sv, sv2, spsi, spsi2):
    """Add the state at time ts to the accumulators (sample index k of the chunk).

    ``stf`` is the flat (2N,) view of the states. Observables only, so fast-math is allowed here
    (never in the event loop). Written so that LLVM vectorizes the neuron loop (flat unsigned
    indices, selects, no call): ~1 ns instead of ~20 ns per neuron and sample (N = 12500,
    ``time.thread_time``); the per-neuron sums are bit-identical to the scalar loop, the
    population means ``vbar``, ``psibar`` differ by the order of their summation (~1e-16).
    """
    for y in range(starts.size - 1):
        C = math.cos(om[y] * ts)
        S = math.sin(om[y] * ts)
        sy = s[y]
        acc_v = 0.0
        acc_psi = 0.0
        for i in range(np.uint64(starts[y]), np.uint64(starts[y + 1])):
            p = stf[_U2 * i]
            q = stf[_U2 * i + _U1]
            pr = C * p + S * q
            qr = C * q - S * p
            phi = _atan2_fast(qr, pr)
            phi = (math.pi if phi < -0.5 * math.pi else 0.0) if phi < 0.0 else phi
            psi = math.pi - 2.0 * phi  # sampled genuine phase, error <= 2e-6 rad
            v = sy * pr / max(qr, 1e-300)  # qr <= 0 only at a spike/reset: v = -+v_clip
            v = min(max(v, -v_clip), v_clip)
            acc_v += v
            acc_psi += psi
            accumulate(i, v, psi, sv, sv2, spsi, spsi2)
        n = starts[y + 1] - starts[y]
        vbar[y, k] = acc_v / n
        psibar[y, k] = acc_psi / n


@njit(cache=True, _nrt=False)
def qif_advance(t_stop, tnow, pop, starts, s, om, iom, cmat, seg, targets, cs, cand,
                st, bd, bcs, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist,
                nsamp, rec, t0, dt_s, v_clip, vbar, psibar, cnt, sv, sv2, spsi, spsi2,
                nspk, last, isi1, isi2, nisi, rmask, rast_t, rast_i, counters):
    """Process all spikes with time < t_stop in exact order.

    Parameters (units: time in the model's unit, ms or tau)
    ----------
    t_stop : end of this chunk; ``tnow[0]`` is set to it on return.
    nsamp, rec : if rec, take nsamp samples at t0 + (k+1) dt_s (the last one at t_stop)
        and accumulate the per-neuron spike statistics; if False only advance (transient).
    vbar, psibar, cnt : (P, n) per-sample population means of clipped v and of psi, and spike
        counts in (t_{k-1}, t_k].
    iom : 1 / om per population.
    cs : (P, 2) float scratch, (cos, sin)(Omega_y t) at the current time (filled here).
    cand : (N,) uint32 scratch, the targets of an excitatory spike to re-queue.
    counters : int64[5] = synaptic events, spikes, queue refreshes, excitatory re-queues,
        raster entries written.
    """
    P = starts.size - 1
    if not rec:
        nsamp = 0
    iw = 1.0 / w
    stf = st.reshape(st.size)  # flat views for the delivery loops
    bdf = bd.reshape(bd.size)
    for y in range(P):
        cs[y, 0] = math.cos(om[y] * tnow[0])
        cs[y, 1] = math.sin(om[y] * tnow[0])
    k = 0
    nr = counters[4]
    while True:
        if ist[0] == 0:
            wend = (ist[1] + 1) * w
            while k < nsamp and t0 + (k + 1) * dt_s < wend:
                _sample(k, t0 + (k + 1) * dt_s, starts, s, om, stf, v_clip, vbar, psibar,
                        sv, sv2, spsi, spsi2)
                k += 1
            if wend >= t_stop:
                break
            ist[1] += 1
            _set_table_slot(bcs, om, ist[1] - 1 + nb, w, nb)  # the expired slot moves to the end
            slot = ist[1] & (nb - 1)
            j = head[slot]
            head[slot] = -1  # the whole list leaves the bucket
            t = tnow[0]
            lim = (ist[1] + 1) * w
            while j >= 0:  # drain the new bucket: heap or a later bucket
                nj = nxt[j]
                y = pop[j]
                T = _queue_time(st[j, 0], st[j, 1], cs[y, 0], cs[y, 1], t, om[y], iom[y], lim)
                counters[2] += 1
                if T < lim:
                    where[j] = HEAP
                    qkey[j] = T
                    bd[j, 0] = st[j, 0]
                    bd[j, 1] = st[j, 1]
                    heap_push(T, j, hkey, hid, ist, where, qkey)
                else:
                    B = math.floor(T * iw)  # T is a bound with margin: * (1/w) is safe
                    if B > ist[1] + nb - 1:
                        B = ist[1] + nb - 1
                    s2 = B & (nb - 1)
                    link(j, s2, head, nxt, prv, where)
                    bd[j, 0] = bcs[y, s2, 0]
                    bd[j, 1] = bcs[y, s2, 1]
                j = nj
            continue
        key = hkey[0]
        i = hid[0]
        if where[i] != HEAP or qkey[i] != key:
            heap_pop(hkey, hid, ist)  # stale duplicate
            continue
        x = pop[i]
        o = om[x]
        if st[i, 0] != bd[i, 0] or st[i, 1] != bd[i, 1]:  # hit by pulses since queued
            T = _queue_time(st[i, 0], st[i, 1], cs[x, 0], cs[x, 1], tnow[0], o, iom[x],
                            (ist[1] + 1) * w)
            if T > key:  # delayed by inhibition since it was queued (key < the heap window end)
                heap_pop(hkey, hid, ist)
                _place(i, T, x, st, bd, bcs, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
                counters[2] += 1
                continue
        while k < nsamp and t0 + (k + 1) * dt_s < key:
            _sample(k, t0 + (k + 1) * dt_s, starts, s, om, stf, v_clip, vbar, psibar,
                    sv, sv2, spsi, spsi2)
            k += 1
        if key >= t_stop:
            break
        heap_pop(hkey, hid, ist)
        t = key
        tnow[0] = t
        # --- spike of i at t: observables
        counters[1] += 1
        if (counters[1] & 4095) == 0:
            _rescale_states(st, bd)
        if rec:
            nr = record_spike(i, x, t, k, nsamp, cnt, nspk, last, isi1, isi2, nisi, rmask,
                              rast_t, rast_i, nr)
        for y in range(P):  # (cos, sin)(Omega_y t) at the new current time
            cs[y, 0] = math.cos(om[y] * t)
            cs[y, 1] = math.sin(om[y] * t)
        # --- reset to phi = pi (v = -inf) and requeue one free period later
        st[i, 0] = -cs[x, 0]
        st[i, 1] = -cs[x, 1]
        _place(i, t + math.pi / o, x, st, bd, bcs, w, nb, head, nxt, prv, where, qkey, hkey, hid,
               ist)
        # --- deliver the pulses, one target population at a time
        for y in range(P):
            c = cmat[y, x]
            a = seg[i, y]
            b = seg[i, y + 1]
            if c == 0.0 or a == b:
                continue
            counters[0] += b - a
            oy = om[y]
            C = cs[y, 0]
            S = cs[y, 1]
            cC = c * C
            cS = c * S
            if c < 0.0:
                _inhibit(stf, targets, a, b, C, S, cC, cS)
            else:
                nc = _excite(stf, bdf, targets, a, b, C, S, cC, cS, cand)
                counters[3] += nc
                for r in range(nc):  # now fire before their bounds: re-queue
                    j = np.int64(cand[r])
                    T = _queue_time(st[j, 0], st[j, 1], C, S, t, oy, iom[y], (ist[1] + 1) * w)
                    _place(j, T, y, st, bd, bcs, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
    while k < nsamp:  # samples up to t_stop (no event before them)
        _sample(k, t0 + (k + 1) * dt_s, starts, s, om, stf, v_clip, vbar, psibar,
                sv, sv2, spsi, spsi2)
        k += 1
    tnow[0] = t_stop
    counters[4] = nr
