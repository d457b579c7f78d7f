"""Pseudo-arclength continuation of periodic orbits (one free parameter).

A self-contained predictor-corrector for the collocation BVP
(:mod:`bifkit.continuation.collocation`), following AUTO (Doedel et al. 1991,
sec. 5; Doedel, AUTO-07p manual, ch. 10): unknowns X = (U, T, theta), theta the
free parameter (or its log10), with the integral phase condition against the
previous orbit and the pseudo-arclength condition in the weighted norm

    ||X||^2 = int_0^1 |u(t)|^2 dt + (T / T_0)^2 + theta^2.

Every Newton iteration is three compiled calls; each converged point carries
its Floquet multipliers from the condensed pair of the last Jacobian
(:mod:`bifkit.continuation.floquet`).  Special points (LPC, PD, NS) are found
by sign changes of test functions and located by the Illinois variant of
regula falsi on the arclength step (:mod:`bifkit.continuation.cycle_bifs`).

This module is the fast inner loop used by the "LC-C" curve type; it knows
nothing of the generic driver in ``core.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import collocation as co
from . import floquet as fq
from . import mesh as mesh_mod
from .cycle_linalg import Factor
from .cycles import Orbit

LN10 = math.log(10.0)


@dataclass
class LCOptions:
    """Options of a cycle continuation (AUTO names in brackets)."""

    ds: float = 0.01            # [DS] initial step in the weighted norm
    ds_min: float = 1e-7        # [DSMIN]
    ds_max: float = 0.2         # [DSMAX]
    max_points: int = 500       # [NMX]
    tol: float = 1e-9           # [EPSL, EPSU] Newton step tolerance (relative)
    max_iter: int = 10          # [ITNW] (chord iterations)
    adapt_every: int = 3        # [IAD]
    bounds: tuple = (-np.inf, np.inf)   # bounds of the parameter (not its log)
    direction: int = 1          # +1: increasing theta at start, -1 decreasing
    detect: tuple = ("LPC", "PD", "NS")
    locate_tol: float = 1e-8    # relative, on theta; the located point is then polished (exact)
    T_max: float = np.inf       # stop when the period exceeds this (homoclinic approach)
    polish: bool = True         # solve the LPC/PD/NS defining system at located points


@dataclass
class LCResult:
    """Points of a cycle branch (internal form; converted to a Branch by cycles.py)."""

    theta: list = field(default_factory=list)
    param: list = field(default_factory=list)
    T: list = field(default_factory=list)
    multipliers: list = field(default_factory=list)
    trivial_error: list = field(default_factory=list)
    orbits: list = field(default_factory=list)
    special: list = field(default_factory=list)
    stop_reason: str = ""
    newton_iterations: int = 0


class LCSystem:
    """The collocation BVP with one free parameter, in theta = p or log10 p."""

    def __init__(self, model, ipar, log, scheme):
        self.model = model
        self.k = model.compiled
        from .cycle_ext import kernels
        self.kc = kernels(f=self.k.f, jac=self.k.jac, dfdp=self.k.dfdp)
        self.ipar = int(ipar)
        self.log = bool(log)
        self.scheme = scheme
        self.ifree = np.array([self.ipar], dtype=np.int64)

    def p_of(self, theta, p):
        q = p.copy()
        q[self.ipar] = 10.0 ** theta if self.log else theta
        return q

    def theta_of(self, pval):
        return math.log10(pval) if self.log else float(pval)

    def residual(self, U, T, p, mesh):
        N, m = len(mesh) - 1, self.scheme.ncol
        rcol = np.zeros((N, m * U.shape[1]))
        self.kc.coll_residual(U, T, p, mesh, self.scheme.W, self.scheme.Wd, rcol)
        return rcol, U[0] - U[-1]

    def jacobian(self, U, T, p, mesh):
        N, m, n = len(mesh) - 1, self.scheme.ncol, U.shape[1]
        Jblk = np.empty((N, m * n, (m + 1) * n))
        Jb = np.empty((N, m * n, 2))
        self.kc.coll_jacobian(U, T, p, self.ifree, mesh, self.scheme.W, self.scheme.Wd, Jblk, Jb)
        if self.log:
            Jb[:, :, 1] *= p[self.ipar] * LN10
        return Jblk, Jb


class State:
    """A point (U, T, theta) with its mesh, tangent and multipliers."""

    def __init__(self, U, T, theta, mesh):
        self.U, self.T, self.theta, self.mesh = U, T, theta, mesh
        self.tU = self.tT = self.ttheta = None
        self.mu = None
        self.trivial_error = np.nan
        self.iterations = 0


_WCACHE: dict = {}


def _weights(mesh, scheme, n):
    """Quadrature weights of int_0^1 |u|^2 dt at the nodes (trapezoid per node gap).

    Cached for the last mesh seen (meshes change only at adaptation).
    """
    key = (id(mesh), id(scheme), n)
    hit = _WCACHE.get("last")
    if hit is not None and hit[0] == key and hit[1] is mesh:
        return hit[2]
    w = _weights_uncached(mesh, scheme, n)
    _WCACHE["last"] = (key, mesh, w)
    return w


def _weights_uncached(mesh, scheme, n):
    tn = co.node_times(mesh, scheme)
    d = np.diff(tn)
    w = np.zeros(len(tn))
    w[:-1] += 0.5 * d
    w[1:] += 0.5 * d
    return np.repeat(w[:, None], n, axis=1)


class Corrector:
    """Newton corrector and tangent solver on a fixed mesh."""

    def __init__(self, system, opts, T_scale):
        self.sys, self.opts = system, opts
        self.wT = 1.0 / T_scale ** 2

    def correct(self, prev, U0, T0, th0, tU, tT, tth, p, fix_theta=None):
        """Newton (chord) from (U0, T0, th0) with the hyperplane through it orthogonal to t.

        The Jacobian is factorised at the predictor (:class:`cycle_linalg.Factor`,
        condensation with partial pivoting) and kept while the steps contract
        by at least 2; at convergence it is evaluated and factorised once more
        at the solution: its condensed pair gives the Floquet multipliers and
        the factorisation serves the tangent.  ``fix_theta``: replace the
        arclength condition by theta = fix_theta.  Returns a State or None.
        """
        sys_, sch, mesh = self.sys, self.sys.scheme, prev.mesh
        N, m, n = len(mesh) - 1, sch.ncol, U0.shape[1]
        wU = _weights(mesh, sch, n)
        phi = np.zeros_like(U0)
        co.phase_row(prev.U, sch.W, sch.Wd, sch.wg, phi)
        C = np.empty((2, N * m + 1, n))
        C[0] = phi
        D = np.zeros((2, 2))
        if fix_theta is None:
            C[1] = wU * tU
            D[1] = (self.wT * tT, tth)
        else:
            C[1] = 0.0
            D[1] = (0.0, 1.0)
        B0, B1, Bz = np.eye(n), -np.eye(n), np.zeros((n, 2))
        U, T, th = U0.copy(), T0, th0
        F = None
        last = np.inf
        for it in range(1, self.opts.max_iter + 1):
            pp = sys_.p_of(th, p)
            rcol, rper = sys_.residual(U, T, pp, mesh)
            if fix_theta is None:
                rarc = np.sum(C[1] * (U - U0)) + D[1, 0] * (T - T0) + D[1, 1] * (th - th0)
            else:
                rarc = th - fix_theta
            rc = np.array([np.sum(phi * U), rarc])
            if not (np.all(np.isfinite(rcol)) and np.isfinite(T)):
                return None
            if F is None:
                F = Factor(*sys_.jacobian(U, T, pp, mesh)).borders(C, D, B0, B1, Bz)
            dU, dz = F.rhs(-rcol, -rper, -rc)
            U += dU
            T += dz[0]
            th += dz[1]
            scale = 1.0 + np.max(np.abs(U))
            step = max(np.max(np.abs(dU)) / scale, abs(dz[0]) / (1.0 + abs(T)),
                       abs(dz[1]) / (1.0 + abs(th)))
            if not np.isfinite(step) or T <= 0:
                return None
            if step < self.opts.tol:
                st = State(U, T, th, mesh)
                st.iterations = it
                Fc = Factor(*sys_.jacobian(U, T, sys_.p_of(th, p), mesh))
                st.mu, st.trivial_error = fq.multipliers_from_pair(Fc.f[6], Fc.f[7])
                st._jac = (Fc, C, D)
                return st
            if step > 0.5 * last:
                F = None  # slow contraction: refresh the Jacobian
            last = step
        return None

    def tangent(self, st, tU, tT, tth):
        """Tangent at st: J_ext t = (0, ..., 0, 1), arclength row = previous tangent."""
        Fc, C, D = st._jac
        n = st.U.shape[1]
        wU = _weights(st.mesh, self.sys.scheme, n)
        C = C.copy()
        D = D.copy()
        C[1] = wU * tU
        D[1] = (self.wT * tT, tth)
        N, mn = Fc.Jblk.shape[:2]
        dU, dz = Fc.solve(C, D, np.eye(n), -np.eye(n), np.zeros((n, 2)), np.zeros((N, mn)),
                          np.zeros(n), np.array([0.0, 1.0]))
        nrm = math.sqrt(np.sum(wU * dU * dU) + self.wT * dz[0] ** 2 + dz[1] ** 2)
        return dU / nrm, dz[0] / nrm, dz[1] / nrm

    def norm(self, st, dU, dT, dth):
        wU = _weights(st.mesh, self.sys.scheme, dU.shape[1])
        return math.sqrt(np.sum(wU * dU * dU) + self.wT * dT ** 2 + dth ** 2)


def adapt_state(st, scheme):
    """Redistribute the mesh of a state; the tangent is interpolated too."""
    U, mesh = mesh_mod.adapt(st.U, st.mesh, scheme)
    tn = co.node_times(mesh, scheme)
    new = State(U, st.T, st.theta, mesh)
    new.tU = co.interpolate(st.tU, st.mesh, scheme, tn)
    new.tT, new.ttheta = st.tT, st.ttheta
    new.mu, new.trivial_error, new._jac = st.mu, st.trivial_error, None
    return new


def _record(res, sys_, st, p):
    pp = sys_.p_of(st.theta, p)
    res.theta.append(st.theta)
    res.param.append(pp[sys_.ipar])
    res.T.append(st.T)
    res.multipliers.append(np.array(st.mu) if st.mu is not None else np.full(st.U.shape[1], np.nan))
    res.trivial_error.append(st.trivial_error)
    res.orbits.append(Orbit(st.U.copy(), st.mesh.copy(), st.T, pp, sys_.scheme,
                            st.mu, st.trivial_error))


def run(system, st0, p, opts: LCOptions, *, phase_ref=None, T_scale=None):
    """Continue the cycle branch from state ``st0`` (with its tangent set).

    Parameters
    ----------
    system : LCSystem
    st0 : State with tU, tT, ttheta (and mu, if known)
    p : parameter array (the free entry is overwritten from theta)
    opts : LCOptions
    phase_ref : array, optional
        Phase reference for the first step (the Hopf eigenfunction when st0 is
        the constant solution at a Hopf point, where u' = 0).

    Returns
    -------
    LCResult
    """
    from . import cycle_bifs as cb
    res = LCResult()
    corr = Corrector(system, opts, T_scale or st0.T)
    sch = system.scheme
    lo, hi = opts.bounds
    st = st0
    if st.mu is not None:
        _record(res, system, st, p)
    ds = opts.ds
    psi = cb.test_values(st, opts.detect) if st.mu is not None else None
    first = True
    nsteps = 0
    while len(res.theta) < opts.max_points:
        ref = State(phase_ref, st.T, st.theta, st.mesh) if (first and phase_ref is not None) else st
        U0 = st.U + ds * st.tU
        new = corr.correct(ref, U0, st.T + ds * st.tT, st.theta + ds * st.ttheta,
                           st.tU, st.tT, st.ttheta, p)
        if new is None:
            ds *= 0.5
            if ds < opts.ds_min:
                res.stop_reason = (f"corrector failed at the minimum step after point "
                                   f"{len(res.theta) - 1}; try a smaller ds_min or larger ntst")
                return res
            continue
        res.newton_iterations += new.iterations
        new.tU, new.tT, new.ttheta = corr.tangent(new, st.tU, st.tT, st.ttheta)
        pval = system.p_of(new.theta, p)[system.ipar]
        if not lo <= pval <= hi:
            bound = lo if pval < lo else hi
            fin = corr.correct(st, st.U, st.T, st.theta, st.tU, st.tT, st.ttheta, p,
                               fix_theta=system.theta_of(bound))
            if fin is not None:
                fin.tU, fin.tT, fin.ttheta = corr.tangent(fin, st.tU, st.tT, st.ttheta)
                _record(res, system, fin, p)
            res.stop_reason = f"parameter bound {bound:g} reached"
            return res
        new_psi = cb.test_values(new, opts.detect)
        if psi is not None and not first:
            for label in opts.detect:
                if np.sign(new_psi[label]) != np.sign(psi[label]) and psi[label] != 0:
                    sp = _locate(corr, system, st, new, ds, psi[label], new_psi[label], label,
                                 p, opts)
                    if sp is not None:
                        sp["index"] = len(res.theta)  # between points index-1 and index
                        res.special.append(sp)
        if res.special and res.special[-1]["label"] == "H" and \
                res.special[-1]["index"] == len(res.theta):
            h = res.special[-1]
            res.stop_reason = (f"the cycle shrank to an equilibrium at a Hopf point "
                               f"(parameter {h['param']:.10g})")
            return res
        _record(res, system, new, p)
        if new.T > opts.T_max:
            res.stop_reason = f"period {new.T:g} above T_max (homoclinic approach?)"
            return res
        psi, st, first = new_psi, new, False
        nsteps += 1
        if opts.adapt_every and nsteps % opts.adapt_every == 0:
            st = adapt_state(st, sch)
        if new.iterations <= opts.max_iter // 2:   # chord: ~4 iterations at a good step
            ds = min(1.5 * ds, opts.ds_max)
        elif new.iterations >= opts.max_iter - 1:
            ds *= 0.6
    res.stop_reason = f"max_points = {opts.max_points} reached"
    return res


def _locate(corr, system, st, new, ds, psi_a, psi_b, label, p, opts):
    from . import cycle_bifs as cb

    def evaluate(s):
        x = corr.correct(st, st.U + s * st.tU, st.T + s * st.tT, st.theta + s * st.ttheta,
                         st.tU, st.tT, st.ttheta, p)
        if x is None:
            return None, None
        x.tU, x.tT, x.ttheta = corr.tangent(x, st.tU, st.tT, st.ttheta)
        return x, cb.test_values(x, (label,))[label]

    x, ok, its = cb.locate(evaluate, psi_a, psi_b, ds, st.theta, new.theta, opts.locate_tol)
    if x is None:
        return None
    if label == "NS" and not cb.is_genuine_ns(x.mu):
        return None
    if label == "LPC" and _amplitude(x.U) < 0.5 * min(_amplitude(st.U), _amplitude(new.U)):
        # the parameter turns where the amplitude has a minimum near 0: the branch has
        # shrunk onto an equilibrium (a Hopf point) and would retrace itself, not a fold
        label = "H"
    elif label == "LPC" and cb.is_half_period(x.U, x.mesh, system.scheme):
        label = "BPC"  # a doubled branch meeting its parent at a PD: a pitchfork, not a fold
    pp = system.p_of(x.theta, p)
    orbit = Orbit(x.U.copy(), x.mesh.copy(), x.T, pp, system.scheme, x.mu, x.trivial_error)
    if label in ("PD", "LPC", "NS") and opts.polish:
        from .cycle_starts import polish
        exact = polish(system.model, label, orbit, system.ipar, system.log)
        if exact is not None:
            U, T, pp, mu, err = exact
            x.U, x.T, x.theta, x.mu, x.trivial_error = U, T, system.theta_of(pp[system.ipar]), mu, err
            orbit = Orbit(U.copy(), x.mesh.copy(), T, pp, system.scheme, mu, err)
    return {"label": label, "theta": x.theta, "param": pp[system.ipar], "T": x.T, "multipliers": x.mu,
            "orbit": orbit, "converged": ok, "iterations": its, "state": x}


def _amplitude(U):
    """Largest peak-to-peak range of the components of an orbit."""
    return float(np.max(U.max(axis=0) - U.min(axis=0)))


def hopf_state(system, x0, p, omega, q, ntst, T_scale=None):
    """Start state at a Hopf point: the constant orbit x0 and the tangent Re(q e^(2 pi i t)).

    Returns (state, phase_ref): the tangent's U part is the phase reference of
    the first step (Doedel et al. 1991, sec. 5: the branch of cycles leaves the
    equilibrium along the critical eigenfunction, with T and the parameter
    stationary to first order).
    """
    sch = system.scheme
    mesh = co.uniform_mesh(ntst)
    tn = co.node_times(mesh, sch)
    q = np.asarray(q, complex)
    q = q / q[np.argmax(np.abs(q))]
    tU = np.real(q[None, :] * np.exp(2j * np.pi * tn)[:, None])
    nrm = math.sqrt(np.sum(_weights(mesh, sch, len(x0)) * tU * tU))
    U = np.repeat(np.asarray(x0, float)[None, :], len(tn), axis=0)
    st = State(U, 2 * np.pi / omega, system.theta_of(p[system.ipar]), mesh)
    st.tU, st.tT, st.ttheta = tU / nrm, 0.0, 0.0
    return st, tU / nrm


def pd_switch_state(system, x, p):
    """Start state on the period-doubled branch at a located PD state ``x``.

    The orbit is traversed twice on the doubled mesh (period 2T); the tangent is
    the antiperiodic extension (v, -v) of the multiplier -1 eigenfunction
    (Kuznetsov 2004, sec. 10.3.3; Doedel et al. 1991, sec. 6).  Returns
    (state, phase_ref).
    """
    from . import cycle_bifs as cb
    sch = system.scheme
    n = x.U.shape[1]
    Jblk = system.jacobian(x.U, x.T, system.p_of(x.theta, p), x.mesh)[0]
    V = cb.pd_eigenfunction(Jblk, n)
    U2, mesh2 = mesh_mod.double_period(x.U, x.mesh, sch)
    V2 = np.concatenate((V[:-1], -V[:-1], -V[-1:]))
    nrm = math.sqrt(np.sum(_weights(mesh2, sch, n) * V2 * V2))
    st = State(U2, 2 * x.T, x.theta, mesh2)
    st.tU, st.tT, st.ttheta = V2 / nrm, 0.0, 0.0
    return st, U2
