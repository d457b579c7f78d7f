"""Exact event-driven kernel for the theta (QIF) variant of Ullner, Politi, Torcini 2018 (numba).

Model (eq. 5 as printed): tau dtheta/dt = (1 + cos theta) + (1 - cos theta)(theta0 + alpha R I_i),
R I_i = tau J sum G_ij delta(t - t_j - tau_d); threshold theta_th = pi, reset theta_r = -pi held
for tau_r; the spike reaches the targets tau_d later.

Closed form. With u = -cot(theta/2) eq. 5 is the QIF tau du/dt = u^2 + theta0 + alpha R I_i, and
a delta pulse (the theta-flow of the pulse field (1 - cos theta) c, i.e. the limit of smooth
pulses) is the jump u -> u + alpha J G_ij. The map u = -cot(theta/2) has period 2 pi in theta,
so theta in (-2 pi, pi) is described by u and a *cell* k: k = 0 for theta in (-2 pi, 0) (reset
theta = -pi is u = 0 here; inhibitory kicks may push theta below -pi, never below -2 pi) and
k = 1 for theta in (0, pi) (after the blow-up of u at theta = 0; threshold theta = pi is u = 0).
Pulses never change the cell (they fix theta = 0 mod 2 pi, where u = +-inf).

With s = sqrt(theta0) > 0 the *uniform phase* Psi = atan(u/s) + k pi rotates at omega = s/tau
between pulses: Psi = 0 at reset, pi/2 at the blow-up, pi at threshold; theta = 2 atan(u) +
(2k - 1) pi. Since u/s = tan(Psi) in both cells, a pulse is tan(Psi) -> tan(Psi) + c
(c = alpha J G / s), i.e. the *linear shear* (p, q) -> (p, q + c p) of the vector
(p, q) ~ (cos Psi, sin Psi); it keeps p, hence the cell (sign of p) and the orientation.

Per neuron we store the offset vector st[i] = (P, Q) ~ (cos Theta, sin Theta), Theta = Psi - omega t
(constant between pulses). With C = cos(omega t), S = sin(omega t) the rotated vector is
p = C P - S Q, q = S P + C Q, and a pulse received at time t is

    p = C P - S Q;   P <- P + c S p;   Q <- Q + c C p

-- three multiply-adds per synaptic event, no transcendental function. A pulse fires the neuron
at once when it lands at Psi >= pi: p < 0 (cell 1) and q <= 0. The next spike time is
t + (pi - atan2(q, p))/omega, needed only for queue refreshes.

Scheduling, delays, refractoriness and same-instant summation follow ``_lif_kernel.py``: the
calendar queue of ``_queue.py`` with the bound of a queued neuron kept as a vector bd[i] (its own
state in the heap, the angle pi - omega B w of its bucket B otherwise): inhibition only delays
(no queue work), an excitatory pulse re-queues the neuron when sin(Theta - Theta_bound) > 0
(one cross product); spikes wait in a FIFO for tau_d; pulses arriving at the same instant are all
applied before the threshold test; a refractory neuron ignores pulses and restarts at Psi = 0 at
t_s + tau_r. Vectors are renormalised at every spike.
"""
from __future__ import annotations

import math

from numba import njit

from ._events import accumulate, fifo_pop, fifo_push, record_spike
from ._queue import HEAP, heap_pop, heap_push, link, unlink

HALF_PI = 0.5 * math.pi


@njit(cache=True, inline="always")
def _spike_time(j, t, om, st):
    """Next free-run spike time of neuron j seen at time t (t if already at Psi >= pi)."""
    C = math.cos(om * t)
    S = math.sin(om * t)
    p = C * st[j, 0] - S * st[j, 1]
    q = S * st[j, 0] + C * st[j, 1]
    Psi = math.atan2(q, p)
    if Psi < -HALF_PI:  # p < 0, q < 0: past threshold (Psi in [pi, 3 pi / 2))
        return t
    return t + (math.pi - Psi) / om


@njit(cache=True)
def _place(j, T, st, bd, om, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    """Queue neuron j under time T; bd[j] = vector of the offset angle of its queue bound."""
    unlink(j, head, nxt, prv, where)
    b_cur = ist[1]
    if T < (b_cur + 1) * w:
        where[j] = HEAP
        qkey[j] = T
        bd[j, 0] = st[j, 0]  # bound = exact time: its own vector (and the "unchanged" mark)
        bd[j, 1] = st[j, 1]
        heap_push(T, j, hkey, hid, ist, where, qkey)
    else:
        B = math.floor(T / w)
        if B > b_cur + nb - 1:
            B = b_cur + nb - 1  # beyond the ring (not reached: T <= t + 1.5 periods + tau_r)
        link(j, B % nb, head, nxt, prv, where)
        ang = math.pi - om * B * w  # T >= B w  <=>  Theta <= pi - om B w
        bd[j, 0] = math.cos(ang)
        bd[j, 1] = math.sin(ang)


@njit(cache=True)
def theta_init_queue(t, st, bd, om, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    ist[0] = 0
    ist[1] = math.floor(t / w)
    for j in range(st.shape[0]):
        _place(j, _spike_time(j, t, om, st), st, bd, om, w, nb, head, nxt, prv, where, qkey,
               hkey, hid, ist)


@njit(cache=True, inline="always")
def theta_of(Psi, s):
    """(theta, u) of a neuron at uniform phase Psi in (-pi/2, 3 pi/2) (cell from Psi)."""
    if Psi < HALF_PI:
        u = s * math.tan(Psi)
        return 2.0 * math.atan(u) - math.pi, u
    u = s * math.tan(Psi - math.pi)
    return 2.0 * math.atan(u) + math.pi, u


@njit(cache=True)
def _sample(k, ts, starts, st, ref_end, om, s, v_clip, vbar, psibar, sv, sv2, spsi, spsi2):
    """Genuine phase psi = 2 Psi - pi (uniform rotation) and u clipped to +-v_clip."""
    C = math.cos(om * ts)
    S = math.sin(om * ts)
    for y in range(starts.size - 1):
        acc_v = 0.0
        acc_p = 0.0
        for i in range(starts[y], starts[y + 1]):
            if ts < ref_end[i]:
                psi = -math.pi
                v = 0.0
            else:
                p = C * st[i, 0] - S * st[i, 1]
                q = S * st[i, 0] + C * st[i, 1]
                Psi = math.atan2(q, p)
                if Psi < -HALF_PI:
                    Psi += 2.0 * math.pi  # at threshold (rounding)
                psi = 2.0 * Psi - math.pi
                if p != 0.0:
                    v = min(max(s * q / p, -v_clip), v_clip)
                else:
                    v = v_clip if q > 0.0 else -v_clip
            acc_v += v
            acc_p += psi
            accumulate(i, v, psi, sv, sv2, spsi, spsi2)
        n = starts[y + 1] - starts[y]
        vbar[y, k] = acc_v / n
        psibar[y, k] = acc_p / n


@njit(cache=True)
def _inhibit(st, ref_end, t, targets, a, b, C, S, cS, cC):
    """Inhibitory pulses to targets[a:b] (refractory ones excepted): the shear, nothing else."""
    for m in range(a, b):
        j = targets[m]
        if t < ref_end[j]:
            continue
        P = st[j, 0]
        Q = st[j, 1]
        p = C * P - S * Q
        st[j, 0] = P + cS * p
        st[j, 1] = Q + cC * p


@njit(cache=True)
def theta_advance(t_stop, tnow, pop, starts, om, s, tau_r, tau_d, cmat, seg, targets,
                  st, bd, ref_end, fifo_t, fifo_i, fist, cand, cflag,
                  w, nb, head, nxt, prv, where, qkey, hkey, hid, ist,
                  nsamp, t0, dt_s, v_clip, vbar, psibar, cnt, sv, sv2, spsi, spsi2, nspk, last,
                  isi1, isi2, nisi, rmask, rast_t, rast_i, counters):
    """Process all events (spikes and deliveries) with time < t_stop in exact order.

    ``st`` offset vectors, ``bd`` queue-bound vectors (see the module docstring); ``cmat[x, y]``
    = pulse to a neuron of x per spike of y in units of s (alpha J G / s). Other arguments as in
    ``_lif_kernel.lif_advance``.
    """
    P = starts.size - 1
    cap = fifo_t.size
    k = 0
    nr = counters[4]
    while True:
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
            if st[i, 0] != bd[i, 0] or st[i, 1] != bd[i, 1]:  # inhibited since queued: later
                T = _spike_time(i, tnow[0], om, st)
                if T > key:
                    heap_pop(hkey, hid, ist)
                    _place(i, T, st, bd, om, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
                    counters[2] += 1
                    continue
            t_fire = key
            wend = math.inf
        t_del = fifo_t[fist[0]] if fist[1] > 0 else math.inf
        t_next = min(t_fire, t_del, wend)
        while k < nsamp and t0 + (k + 1) * dt_s < min(t_next, t_stop):
            _sample(k, t0 + (k + 1) * dt_s, starts, st, ref_end, om, s, v_clip, vbar, psibar,
                    sv, sv2, spsi, spsi2)
            k += 1
        if t_next >= t_stop:
            break
        if t_del <= t_fire and t_del <= wend:
            t = t_del
            tnow[0] = t
            C = math.cos(om * t)
            S = math.sin(om * t)
            nc = 0
            while fist[1] > 0 and fifo_t[fist[0]] == t:
                src = fifo_pop(fifo_i, fist, cap)
                x = pop[src]
                for y in range(P):
                    c = cmat[y, x]
                    a = seg[src, y]
                    b = seg[src, y + 1]
                    counters[0] += b - a
                    if c == 0.0:
                        continue
                    cS = c * S
                    cC = c * C
                    if c < 0.0:
                        _inhibit(st, ref_end, t, targets, a, b, C, S, cS, cC)
                        continue
                    for m in range(a, b):
                        j = targets[m]
                        if t < ref_end[j]:
                            continue
                        Pj = st[j, 0]
                        Qj = st[j, 1]
                        p = C * Pj - S * Qj
                        Pj += cS * p
                        Qj += cC * p
                        st[j, 0] = Pj
                        st[j, 1] = Qj
                        # sin(Theta - Theta_bound) > 0: now fires before its queue bound
                        if Qj * bd[j, 0] - Pj * bd[j, 1] > 0.0 and not cflag[j]:
                            cflag[j] = 1
                            cand[nc] = j
                            nc += 1
            for r in range(nc):
                j = cand[r]
                cflag[j] = 0
                Pj = st[j, 0]
                Qj = st[j, 1]
                p = C * Pj - S * Qj
                q = S * Pj + C * Qj
                if p < 0.0 and q <= 0.0:  # pushed to Psi >= pi (theta >= pi): fire now
                    nr = _fire(j, t, pop, om, tau_r, tau_d, st, bd, ref_end, fifo_t, fifo_i,
                               fist, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist, nsamp,
                               k, cnt, nspk, last, isi1, isi2, nisi, rmask, rast_t, rast_i, nr,
                               counters)
                elif Qj * bd[j, 0] - Pj * bd[j, 1] > 0.0:
                    counters[3] += 1
                    _place(j, _spike_time(j, t, om, st), st, bd, om, w, nb, head, nxt, prv,
                           where, qkey, hkey, hid, ist)
        elif i >= 0 and t_fire <= wend:
            heap_pop(hkey, hid, ist)
            tnow[0] = t_fire
            nr = _fire(i, t_fire, pop, om, tau_r, tau_d, st, bd, ref_end, fifo_t, fifo_i, fist,
                       w, nb, head, nxt, prv, where, qkey, hkey, hid, ist, nsamp, k, cnt, nspk,
                       last, isi1, isi2, nisi, rmask, rast_t, rast_i, nr, counters)
        else:
            ist[1] += 1
            slot = ist[1] % nb
            j = head[slot]
            while j >= 0:
                nj = nxt[j]
                _place(j, max(_spike_time(j, tnow[0], om, st), tnow[0]), st, bd, om, w, nb,
                       head, nxt, prv, where, qkey, hkey, hid, ist)
                counters[2] += 1
                j = nj
    while k < nsamp:
        _sample(k, t0 + (k + 1) * dt_s, starts, st, ref_end, om, s, v_clip, vbar, psibar,
                sv, sv2, spsi, spsi2)
        k += 1
    tnow[0] = t_stop
    counters[4] = nr


@njit(cache=True)
def _fire(i, t, pop, om, tau_r, tau_d, st, bd, ref_end, fifo_t, fifo_i, fist, w, nb, head, nxt,
          prv, where, qkey, hkey, hid, ist, nsamp, k, cnt, nspk, last, isi1, isi2, nisi, rmask,
          rast_t, rast_i, nr, counters):
    counters[1] += 1
    if nsamp > 0:
        nr = record_spike(i, pop[i], t, k, nsamp, cnt, nspk, last, isi1, isi2, nisi, rmask,
                          rast_t, rast_i, nr)
    fifo_push(fifo_t, fifo_i, fist, t + tau_d, i)
    ref_end[i] = t + tau_r
    ang = -om * (t + tau_r)  # Psi = 0 (theta = -pi, u = 0) when refractoriness ends
    st[i, 0] = math.cos(ang)
    st[i, 1] = math.sin(ang)
    _place(i, t + tau_r + math.pi / om, st, bd, om, w, nb, head, nxt, prv, where, qkey, hkey,
           hid, ist)
    return nr
