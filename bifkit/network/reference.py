"""Brute-force fixed-step integration of a QIF network, the yardstick of the exact kernel.

Each neuron is integrated as a theta neuron (v = sqrt-free form v = tan(theta/2)):
``tau dtheta/dt = (1 - cos theta) + (1 + cos theta) I_x``, which is the QIF
``tau dv/dt = v^2 + I_x`` without the blow-up at the spike. RK4 with step ``dt``; a neuron spikes
when theta crosses pi (time from linear interpolation inside the step) and continues from
theta - 2 pi; the pulses of all spikes of a step are applied at the step's end, in spike order,
as v -> v + J (theta -> 2 atan(tan(theta/2) + J)). The spike times therefore converge at first
order in dt to the exact ones (pulse timing error <= dt), which the tests measure.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _rhs(theta, I, tau):
    return ((1.0 - np.cos(theta)) + (1.0 + np.cos(theta)) * I) / tau


@njit(cache=True)
def _run(theta, I_n, pop, tau, J, seg, targets, dt, T, max_spikes):
    n = theta.size
    st = np.empty(max_spikes)
    si = np.empty(max_spikes, np.int64)
    ns = 0
    nsteps = int(round(T / dt))
    order = np.empty(n, np.int64)
    tloc = np.empty(n)
    for step in range(nsteps):
        t = step * dt
        k1 = _rhs(theta, I_n, tau)
        k2 = _rhs(theta + 0.5 * dt * k1, I_n, tau)
        k3 = _rhs(theta + 0.5 * dt * k2, I_n, tau)
        k4 = _rhs(theta + dt * k3, I_n, tau)
        new = theta + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        m = 0
        for i in range(n):
            if new[i] >= math.pi:
                tloc[m] = t + dt * (math.pi - theta[i]) / (new[i] - theta[i])
                order[m] = i
                m += 1
                new[i] -= 2.0 * math.pi
        theta[:] = new
        # spikes of this step in time order
        idx = np.argsort(tloc[:m])
        for r in range(m):
            i = order[idx[r]]
            if ns < max_spikes:
                st[ns] = tloc[idx[r]]
                si[ns] = i
                ns += 1
            x = pop[i]
            for y in range(seg.shape[1] - 1):
                for e in range(seg[i, y], seg[i, y + 1]):
                    j = targets[e]
                    theta[j] = 2.0 * math.atan(math.tan(0.5 * theta[j]) + J[y, x])
    return st[:ns], si[:ns]


def reference_spikes(spec, conn, theta0, dt, T, max_spikes=100000):
    """Spike times and ids of the network ``spec`` (a ``QIFSpec``) wired by ``conn``.

    ``theta0`` are the initial theta phases (theta = psi, the genuine phase); returns
    ``(times, ids)`` in the order found.
    """
    P = len(spec.sizes)
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    I_n = np.asarray(spec.I, float)[pop]
    return _run(np.array(theta0, float), I_n, pop, float(spec.tau), np.asarray(spec.J, float),
                conn.seg, conn.targets, float(dt), float(T), int(max_spikes))


@njit(cache=True)
def _delayed_buffers(n, max_spikes):
    """(spike times, spike ids, end of refractoriness, pending delivery times and sources) of a
    network with delay: the deliveries are kept in emission order (a constant delay keeps them
    sorted)."""
    return (np.empty(max_spikes), np.empty(max_spikes, np.int64), np.full(n, -1.0),
            np.empty(max_spikes), np.empty(max_spikes, np.int64))


@njit(cache=True)
def _run_lif(V, mu, V_th, V_r, tau, tau_r, tau_d, pop, J, seg, targets, dt, T, max_spikes):
    n = V.size
    st, si, ref_end, qt, qi = _delayed_buffers(n, max_spikes)
    ns = 0
    qh = 0
    decay = math.exp(-dt / tau)
    for step in range(int(round(T / dt))):
        t1 = (step + 1) * dt
        # 1. free relaxation over the step (refractory neurons stay at V_r)
        for i in range(n):
            if t1 > ref_end[i]:
                if ref_end[i] > t1 - dt:  # refractoriness ends inside the step
                    V[i] = mu + (V_r - mu) * math.exp(-(t1 - ref_end[i]) / tau)
                else:
                    V[i] = mu + (V[i] - mu) * decay
        # 2. deliveries due by the end of the step, applied at the step's end
        while qh < ns and qt[qh] <= t1:
            src = qi[qh]
            qh += 1
            x = pop[src]
            for y in range(seg.shape[1] - 1):
                for e in range(seg[src, y], seg[src, y + 1]):
                    j = targets[e]
                    if t1 > ref_end[j]:
                        V[j] += J[y, x]
        # 3. threshold
        for i in range(n):
            if V[i] >= V_th and t1 > ref_end[i] and ns < max_spikes:
                st[ns] = t1
                si[ns] = i
                qt[ns] = t1 + tau_d
                qi[ns] = i
                ns += 1
                V[i] = V_r
                ref_end[i] = t1 + tau_r
    return st[:ns], si[:ns]


def reference_lif_spikes(spec, conn, V0, dt, T, max_spikes=200000):
    """Fixed-step LIF network (``spec`` a ``LIFSpec``): spike times (quantised to the step) and ids.

    Exact relaxation within a step; pulses and threshold checks at the step's end, so spike times
    converge at first order in dt to the exact event-driven ones.
    """
    P = len(spec.sizes)
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    return _run_lif(np.array(V0, float), spec.mu, spec.V_th, spec.V_r, spec.tau, spec.tau_r,
                    spec.tau_d, pop, np.asarray(spec.J, float), conn.seg, conn.targets,
                    float(dt), float(T), int(max_spikes))


@njit(cache=True)
def _theta_rhs(theta, theta0, tau):
    return ((1.0 + np.cos(theta)) + (1.0 - np.cos(theta)) * theta0) / tau


@njit(cache=True)
def _theta_kick(theta, c):
    """Pulse of size c (alpha J G) on eq. 5: u = -cot(theta/2) -> u + c, theta stays in its
    2 pi cell ((-2 pi, 0) or (0, 2 pi)): theta = 2 atan(u) - pi or + pi."""
    if theta < 0.0:
        return 2.0 * math.atan(-1.0 / math.tan(0.5 * theta) + c) - math.pi
    return 2.0 * math.atan(-1.0 / math.tan(0.5 * theta) + c) + math.pi


@njit(cache=True)
def _run_theta(theta, theta0, tau, tau_r, tau_d, pop, J, seg, targets, dt, T, max_spikes):
    n = theta.size
    st, si, ref_end, qt, qi = _delayed_buffers(n, max_spikes)
    ns = 0
    qh = 0
    for step in range(int(round(T / dt))):
        t = step * dt
        t1 = t + dt
        # 1. RK4 step of eq. 5 (refractory neurons held at -pi; the last refractory step starts
        #    late), spike when theta crosses pi (time by linear interpolation)
        for i in range(n):
            if t1 <= ref_end[i]:
                continue
            h = dt
            if ref_end[i] > t:
                h = t1 - ref_end[i]
            x = theta[i]
            k1 = _theta_rhs(x, theta0, tau)
            k2 = _theta_rhs(x + 0.5 * h * k1, theta0, tau)
            k3 = _theta_rhs(x + 0.5 * h * k2, theta0, tau)
            k4 = _theta_rhs(x + h * k3, theta0, tau)
            xn = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            if xn >= math.pi and ns < max_spikes:
                ts = t1 - h + h * (math.pi - x) / (xn - x)
                st[ns] = ts
                si[ns] = i
                qt[ns] = ts + tau_d
                qi[ns] = i
                ns += 1
                xn = -math.pi
                ref_end[i] = ts + tau_r
            theta[i] = xn
        # 2. deliveries due by the end of the step, applied at its end; threshold after all
        while qh < ns and qt[qh] <= t1:
            src = qi[qh]
            qh += 1
            x = pop[src]
            for y in range(seg.shape[1] - 1):
                for e in range(seg[src, y], seg[src, y + 1]):
                    j = targets[e]
                    if t1 > ref_end[j]:
                        theta[j] = _theta_kick(theta[j], J[y, x])
        for i in range(n):
            if theta[i] >= math.pi and t1 > ref_end[i] and ns < max_spikes:
                st[ns] = t1
                si[ns] = i
                qt[ns] = t1 + tau_d
                qi[ns] = i
                ns += 1
                theta[i] = -math.pi
                ref_end[i] = t1 + tau_r
    return st[:ns], si[:ns]


def reference_theta_spikes(spec, conn, theta0_init, dt, T, max_spikes=200000):
    """Fixed-step integration of eq. 5 of Ullner et al. 2018 (``spec`` a ``ThetaSpec``).

    RK4 on theta itself (no change of variable), spike when theta crosses pi (linear
    interpolation), reset to -pi held for tau_r; pulses delivered at the end of the step in which
    they are due, as the theta-flow of the pulse (u = -cot(theta/2) -> u + alpha J G, see
    ``_theta_kick``); threshold crossings caused by pulses are spikes at the step's end. Spike
    times converge at first order in dt to the exact event-driven ones.
    """
    P = len(spec.sizes)
    pop = np.repeat(np.arange(P, dtype=np.int64), spec.sizes)
    return _run_theta(np.array(theta0_init, float), spec.theta0, spec.tau, spec.tau_r,
                      spec.tau_d, pop, np.asarray(spec.J, float), conn.seg, conn.targets,
                      float(dt), float(T), int(max_spikes))
