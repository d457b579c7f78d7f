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

Scheduling, delays, refractoriness and same-instant summation are the event loop of
``_delayed_kernel.py`` (shared with the LIF); this module provides the theta model's operations
for it (overloads on ``ThetaModel``): the bound of a queued neuron is a vector bd[i] (its own
state in the heap, the angle pi - omega B w of its bucket B otherwise); inhibition only delays
(no queue work), an excitatory pulse re-queues the neuron when sin(Theta - Theta_bound) > 0
(one cross product); a refractory neuron ignores pulses and restarts at Psi = 0 at
t_s + tau_r (a unit vector).
"""
from __future__ import annotations

import math
from collections import namedtuple

from numba import njit
from numba.extending import overload

from . import _delayed_kernel as dk
from ._events import accumulate
from ._queue import enqueue
from ._simd import STREAM_AHEAD as _AHEAD
from ._simd import STREAM_LINE as _LINE
from ._simd import prefetch_stream

HALF_PI = 0.5 * math.pi

# model tuple: om = sqrt(theta0)/tau, s = sqrt(theta0); the loop's coupling matrix is
# cmat[x, y] = alpha J G / s
ThetaModel = namedtuple("ThetaModel", ["om", "s", "tau_r", "tau_d", "v_clip"])


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


@njit(cache=True, inline="always")
def theta_of(Psi, s):
    """(theta, u) of a neuron at uniform phase Psi in (-pi/2, 3 pi/2) (cell from Psi)."""
    if Psi < HALF_PI:
        u = s * math.tan(Psi)
        return 2.0 * math.atan(u) - math.pi, u
    u = s * math.tan(Psi - math.pi)
    return 2.0 * math.atan(u) + math.pi, u


@njit(cache=True, _nrt=False)
def _inhibit(st, ref_end, t, targets, a, b, C, S, cS, cC):
    """Inhibitory pulses to targets[a:b] (refractory ones excepted): the shear, nothing else."""
    for m in range(a, a + _AHEAD, _LINE):  # prefetch the out-list: its head at once,
        prefetch_stream(targets, m)
    for m in range(a, b):
        prefetch_stream(targets, m + _AHEAD)  # then _AHEAD targets ahead (as _qif_kernel)
        j = targets[m]
        if t < ref_end[j]:
            continue
        P = st[j, 0]
        Q = st[j, 1]
        p = C * P - S * Q
        st[j, 0] = P + cS * p
        st[j, 1] = Q + cC * p


def _is_theta(mp):
    return dk.is_model(mp, ThetaModel)


@overload(dk.changed_since_queued, inline="always")
def _changed(mp, i, st, bd):
    if _is_theta(mp):
        return lambda mp, i, st, bd: st[i, 0] != bd[i, 0] or st[i, 1] != bd[i, 1]


@overload(dk.next_time, jit_options={"_nrt": False})
def _next_time(mp, i, t, st):
    if _is_theta(mp):
        return lambda mp, i, t, st: _spike_time(i, t, mp.om, st)


@overload(dk.place, jit_options={"_nrt": False})
def _place(mp, j, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    if not _is_theta(mp):
        return None

    def impl(mp, j, T, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
        """Queue neuron j under time T; bd[j] = vector of the offset angle of its bound."""
        B = enqueue(j, T, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist)
        if B < 0:
            bd[j, 0] = st[j, 0]  # bound = exact time: its own vector (and the "unchanged" mark)
            bd[j, 1] = st[j, 1]
        else:
            ang = math.pi - mp.om * B * w  # T >= B w  <=>  Theta <= pi - om B w
            bd[j, 0] = math.cos(ang)
            bd[j, 1] = math.sin(ang)
    return impl


@overload(dk.sample, jit_options={"_nrt": False})
def _sample(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2):
    if not _is_theta(mp):
        return None

    def impl(mp, k, ts, starts, st, ref_end, vbar, psibar, sv, sv2, spsi, spsi2):
        """Genuine phase psi = 2 Psi - pi (uniform rotation) and u clipped to +-v_clip."""
        C = math.cos(mp.om * ts)
        S = math.sin(mp.om * ts)
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
                        v = min(max(mp.s * q / p, -mp.v_clip), mp.v_clip)
                    else:
                        v = mp.v_clip if q > 0.0 else -mp.v_clip
                acc_v += v
                acc_p += psi
                accumulate(i, v, psi, sv, sv2, spsi, spsi2)
            n = starts[y + 1] - starts[y]
            vbar[y, k] = acc_v / n
            psibar[y, k] = acc_p / n
    return impl


@overload(dk.pulse_frame, inline="always")
def _pulse_frame(mp, t):
    if _is_theta(mp):
        return lambda mp, t: (math.cos(mp.om * t), math.sin(mp.om * t))


@overload(dk.deliver, inline="always")
def _deliver(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc):
    if not _is_theta(mp):
        return None

    def impl(mp, frame, cmat, y, x, a, b, t, targets, st, bd, ref_end, cand, cflag, nc):
        """The shear of the module docstring for the non-refractory targets."""
        C, S = frame
        c = cmat[y, x]
        if c == 0.0:
            return nc
        cS = c * S
        cC = c * C
        if c < 0.0:
            _inhibit(st, ref_end, t, targets, a, b, C, S, cS, cC)
            return nc
        for m in range(a, a + _AHEAD, _LINE):
            prefetch_stream(targets, m)
        for m in range(a, b):
            prefetch_stream(targets, m + _AHEAD)
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
        return nc
    return impl


@overload(dk.fires_now, inline="always")
def _fires_now(mp, frame, j, st):
    if not _is_theta(mp):
        return None

    def impl(mp, frame, j, st):
        """Pushed to Psi >= pi (theta >= pi)."""
        C, S = frame
        p = C * st[j, 0] - S * st[j, 1]
        q = S * st[j, 0] + C * st[j, 1]
        return p < 0.0 and q <= 0.0
    return impl


@overload(dk.advanced_past_bound, inline="always")
def _advanced(mp, j, st, bd):
    if _is_theta(mp):
        return lambda mp, j, st, bd: st[j, 1] * bd[j, 0] - st[j, 0] * bd[j, 1] > 0.0


@overload(dk.reset, jit_options={"_nrt": False})
def _reset(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    if not _is_theta(mp):
        return None

    def impl(mp, i, t, st, bd, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
        """Psi = 0 (theta = -pi, u = 0) when refractoriness ends, the next spike a free period
        later."""
        ang = -mp.om * (t + mp.tau_r)
        st[i, 0] = math.cos(ang)
        st[i, 1] = math.sin(ang)
        dk.place(mp, i, t + mp.tau_r + math.pi / mp.om, st, bd, w, nb, head, nxt, prv, where,
                 qkey, hkey, hid, ist)
    return impl
