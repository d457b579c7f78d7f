"""Extended boundary-value systems for PD-C, LPC-C and NS-C, with Newton and tangents.

Unknowns X = (U, z): ``U`` (N*m + 1, ne) the orbit u and the eigenfunction
copies on the collocation nodes (:mod:`cycle_ext`), and
z = (T, extras, theta_1, theta_2) with theta_i the two free parameters (or
their log10).  The systems (Doedel et al. 1991, sec. 6; Kuznetsov 2004,
sec. 10.3.3; Doedel, AUTO-07p manual, ch. 10 "ISW = 2"):

=======  ===========================  ==========================================
curve    extras                       boundary and integral conditions
=======  ===========================  ==========================================
PD-C     --                           u(0) = u(1), v(0) = -v(1);
                                      int <u, u_ref'> = 0, int <v, v_ref> = 1
LPC-C    sigma (= T'/T along          u(0) = u(1), v(0) = v(1);
         the null vector)             int <u, u_ref'> = 0, int <v, u_ref'> = 0,
                                      int <v, v_ref> + sigma sigma_ref = 1
NS-C     kappa (multipliers           u(0) = u(1), v(1) = e^{i kappa} v(0);
         e^{+-i kappa})               int <u, u_ref'> = 0,
                                      int <v_r, v_r,ref> + <v_i, v_i,ref> = 1,
                                      int <v_i, v_r,ref> - <v_r, v_i,ref> = 0
=======  ===========================  ==========================================

plus one pseudo-arclength row (or theta_i fixed) in the weighted inner product
int <du, du'> dt + dT dT' / T_0^2 + dtheta . dtheta' (the eigenfunctions and
extras do not enter it: they are normalised separately).

The linear algebra is the condensation of parameters of
:func:`collocation.bordered_solve_bc` in dimension ne = 2n (PD, LPC) or 3n (NS).
Floquet multipliers at every point come from the orbit's own blocks of the
last Jacobian (:func:`cycle_ext.orbit_blocks`).
"""
from __future__ import annotations

import math

import numpy as np

from . import collocation as co
from . import ext as ce
from . import floquet as fq
from . import ext_newton
from .linalg import Factor, condense_factor
from .linalg_tri import TriFactor

LN10 = math.log(10.0)

# curve -> (label of the start point, copies of the variational equation, extras, has sigma)
KINDS = {"PD-C": ("PD", 1, 0, False), "LPC-C": ("LPC", 1, 1, True), "NS-C": ("NS", 2, 1, False)}


def node_weights(mesh, scheme):
    """Trapezoid weights of int_0^1 g(t) dt at the collocation nodes, shape (N*m+1,).

    The last few (mesh, scheme) are remembered by identity (a mesh changes only when it is
    adapted; ~4 calls per point on the cycle curves); the array returned is read-only.
    """
    for entry in _NODE_WEIGHTS:
        if entry[0] is mesh and entry[1] is scheme:
            return entry[2]
    w = _node_weights(mesh, scheme)
    w.flags.writeable = False
    _NODE_WEIGHTS.insert(0, (mesh, scheme, w))
    del _NODE_WEIGHTS[4:]
    return w


#: (mesh, scheme, weights) of the last meshes seen by :func:`node_weights` (the entries keep
#: their mesh alive, so an identity cannot be recycled)
_NODE_WEIGHTS: list = []


def _node_weights(mesh, scheme):
    tn = co.node_times(mesh, scheme)
    d = np.diff(tn)
    w = np.zeros(len(tn))
    w[:-1] += 0.5 * d
    w[1:] += 0.5 * d
    return w


class Point:
    """A point X = (U, z) of an extended system on its mesh, with tangent and multipliers.

    The Floquet multipliers of a corrected point (``mu``, ``trivial_error``, ``pm``) are
    computed when first read (:meth:`ExtendedSystem.attach_multipliers`): the trial points
    of a location whose test is not a multiplier (a normal-form coefficient, kappa, a user
    event) never pay for them.  Assigning any of the three replaces the pending computation.
    """

    __slots__ = ("U", "z", "mesh", "tU", "tz", "_mu", "_trivial_error", "iterations", "jac",
                 "_pm", "nf", "_pending", "kU", "kz", "t_behind", "borders", "codim2",
                 "iterations_to_tol")

    def __init__(self, U, z, mesh):
        self.U, self.z, self.mesh = U, np.asarray(z, float), mesh
        self.tU = self.tz = None
        self._mu = None
        self._trivial_error = np.nan
        self.iterations = 0
        # the step control's count: chord iterations until the step itself is below tol
        # (one more than taken where the error estimate after a step stopped them earlier,
        # ext_newton.correct): its thresholds keep the meaning they had with that criterion
        self.iterations_to_tol = 0
        self.jac = None
        self._pm = None    # floquet.PointMultipliers, set by attach_multipliers
        self.nf = None     # PD-C: the PD normal-form coefficient c (curves._pd_coefficient)
        self._pending = None   # the ExtendedSystem that computes the multipliers on demand
        # curvature dt/ds of the curve (curves._curvature) and how far behind the point its
        # tangent (tU, tz) sits along the curve: 0 for an exact tangent, half the last step
        # for a secant
        self.kU = self.kz = None
        self.t_behind = 0.0
        self.borders = None   # (system, its border rows against this point) when a reference
        self.codim2 = None    # curves._codim2_tests at this point, once computed

    def _resolve(self):
        if self._pending is not None:
            system, self._pending = self._pending, None
            system.attach_multipliers(self)

    @property
    def mu(self):
        self._resolve()
        return self._mu

    @mu.setter
    def mu(self, value):
        self._pending = None
        self._mu = value

    @property
    def trivial_error(self):
        self._resolve()
        return self._trivial_error

    @trivial_error.setter
    def trivial_error(self, value):
        self._pending = None
        self._trivial_error = value

    @property
    def pm(self):
        self._resolve()
        return self._pm

    @pm.setter
    def pm(self, value):
        self._pending = None
        self._pm = value

    @property
    def T(self) -> float:
        return float(self.z[0])


class ExtendedSystem:
    """One of the extended systems of the module docstring for a model and two free parameters.

    Parameters
    ----------
    model : Model
    curve : "PD-C" | "LPC-C" | "NS-C"
    ifree : two parameter indices;  logs : two bools (theta = log10 p)
    scheme : collocation.Scheme
    p0 : parameter array (the non-free entries are kept)
    """

    def __init__(self, model, curve, ifree, logs, scheme, p0):
        if curve not in KINDS:
            raise ValueError(f"unknown cycle curve {curve!r}; one of {', '.join(KINDS)}")
        self.curve = curve
        self.label, self.nv, self.nextra, self.has_sigma = KINDS[curve]
        self.model = model
        self.k = model.compiled
        self.kx = ce.kernels(f=self.k.f, jac=self.k.jac, dfdp=self.k.dfdp, B=self.k.B,
                             dJdp=self.k.dJdp)
        self.kc = ce.kernels(f=self.k.f, jac=self.k.jac, dfdp=self.k.dfdp)
        self.n = model.n
        self.ne = self.n * (1 + self.nv)
        self.nz = 3 + self.nextra
        self.ifree = np.asarray(ifree, dtype=np.int64)
        self.logs = tuple(bool(v) for v in logs)
        self._logs = np.array(self.logs, dtype=np.bool_)
        self.scheme = scheme
        self.p0 = np.asarray(p0, float).copy()
        self.T_scale = 1.0
        self.max_iter = 8
        self.tol = 1e-9

    # ------------------------------------------------------------ parameters
    def p_of(self, z) -> np.ndarray:
        p = self.p0.copy()
        for i, (k, lg) in enumerate(zip(self.ifree, self.logs)):
            th = z[self.nz - 2 + i]
            p[k] = 10.0 ** th if lg else th
        return p

    def theta_of(self, p) -> np.ndarray:
        return np.array([math.log10(p[k]) if lg else float(p[k])
                         for k, lg in zip(self.ifree, self.logs)])

    def sigma(self, z) -> float:
        return float(z[1]) if self.has_sigma else 0.0

    # ------------------------------------------------------------- equations
    def residual(self, U, z, mesh):
        N, m = len(mesh) - 1, self.scheme.ncol
        out = np.empty((N, m * self.ne))
        self.kx.ext_residual(self.nv, U, z[0], self.p_of(z), self.sigma(z), mesh,
                             self.scheme.W, self.scheme.Wd, out)
        return out

    def jacobian(self, U, z, mesh):
        N, m, ne = len(mesh) - 1, self.scheme.ncol, self.ne
        Jblk = np.empty((N, m * ne, (m + 1) * ne))
        Jb = np.empty((N, m * ne, self.nz))
        p = self.p_of(z)
        self.kx.ext_jacobian(self.nv, U, z[0], p, self.sigma(z), self.has_sigma, self.nextra,
                             self.ifree, mesh, self.scheme.W, self.scheme.Wd, Jblk, Jb)
        for i, (k, lg) in enumerate(zip(self.ifree, self.logs)):
            if lg:
                Jb[:, :, self.nz - 2 + i] *= p[k] * LN10
        return Jblk, Jb

    def boundary(self, U, z, matrices=True):
        """(B0, B1, Bz, residual) of the two-point conditions (matrices None if not asked)."""
        n, ne, nz = self.n, self.ne, self.nz
        u0, u1 = U[0], U[-1]
        r = u0 - u1
        if self.label == "PD":
            r[n:] = u0[n:] + u1[n:]
        elif self.label == "NS":
            c, s = math.cos(z[1]), math.sin(z[1])
            vr0, vi0 = u0[n:2 * n], u0[2 * n:]
            # rows: v_r(1) - (c v_r(0) - s v_i(0)),  v_i(1) - (s v_r(0) + c v_i(0))
            r[n:2 * n] = u1[n:2 * n] - (c * vr0 - s * vi0)
            r[2 * n:] = u1[2 * n:] - (s * vr0 + c * vi0)
        if not matrices:
            return None, None, None, r
        B0 = np.eye(ne)
        B1 = -np.eye(ne)
        Bz = np.zeros((ne, nz))
        if self.label == "PD":
            B1[n:, n:] = np.eye(n)
        elif self.label == "NS":
            I = np.eye(n)
            B0[n:, n:] = np.block([[-c * I, s * I], [-s * I, -c * I]])
            B1[n:, n:] = np.eye(2 * n)
            Bz[n:2 * n, 1] = s * vr0 + c * vi0
            Bz[2 * n:, 1] = -c * vr0 + s * vi0
        return B0, B1, Bz, r

    def borders(self, ref: Point):
        """Integral conditions against the reference point: (C, D, target), nz - 1 rows
        (kept on ``ref``: a step's corrector and its location trials share them)."""
        if ref.borders is None or ref.borders[0] is not self:
            ref.borders = (self, self._borders(ref))
        return ref.borders[1]

    def _borders(self, ref: Point):
        n, ne, nz = self.n, self.ne, self.nz
        sch, mesh = self.scheme, ref.mesh
        M = ref.U.shape[0]
        w = node_weights(mesh, sch)[:, None]
        phi = np.zeros((M, n))
        co.phase_row(np.ascontiguousarray(ref.U[:, :n]), sch.W, sch.Wd, sch.wg, phi)
        C = np.zeros((nz - 1, M, ne))
        D = np.zeros((nz - 1, nz))
        tgt = np.zeros(nz - 1)
        C[0, :, :n] = phi
        if self.label == "PD":
            C[1, :, n:] = w * ref.U[:, n:]
            tgt[1] = 1.0
        elif self.label == "LPC":
            C[1, :, n:] = phi
            C[2, :, n:] = w * ref.U[:, n:]
            D[2, 1] = ref.z[1]
            tgt[2] = 1.0
        else:
            vr, vi = ref.U[:, n:2 * n], ref.U[:, 2 * n:]
            C[1, :, n:2 * n] = w * vr
            C[1, :, 2 * n:] = w * vi
            tgt[1] = 1.0
            C[2, :, n:2 * n] = -w * vi
            C[2, :, 2 * n:] = w * vr
        return C, D, tgt

    # ---------------------------------------------------------- arclength norm
    def arc_weights(self, mesh):
        """Weights (wU (N*m+1, ne), wz (nz,)) of the arclength inner product (cached per mesh)."""
        cached = getattr(self, "_arc_cache", None)
        if cached is not None and cached[0] is mesh:
            return cached[1], cached[2]
        wU = np.zeros((len(co.node_times(mesh, self.scheme)), self.ne))
        wU[:, :self.n] = node_weights(mesh, self.scheme)[:, None]
        wz = np.zeros(self.nz)
        wz[0] = 1.0 / self.T_scale ** 2
        wz[-2:] = 1.0
        self._arc_cache = (mesh, wU, wz)
        return wU, wz

    def norm(self, mesh, dU, dz) -> float:
        wU, wz = self.arc_weights(mesh)
        return math.sqrt(np.sum(wU * dU * dU) + np.sum(wz * dz * dz))

    # ------------------------------------------------------------- Newton
    def factor(self, U, z, mesh):
        """Jacobian at (U, z), factorised (:class:`cycle_linalg.Factor`)."""
        Jblk, Jb = self.jacobian(U, z, mesh)
        return Factor(Jblk, Jb)

    def correct(self, ref: Point, U0, z0, tU, tz, fix=None, guess=None, jac=None):
        """Newton (chord) from (U0, z0) on the hyperplane through it orthogonal to (tU, tz).

        The Jacobian is factorised at the start and kept while the steps
        contract by at least a factor 2 (chord method; refreshed otherwise, at
        most ``max_iter`` iterations in all).  ``fix = (i, value)`` replaces the
        arclength row by z[i] = value.  Returns a converged Point (with its
        chord Jacobian in ``.jac``; Floquet multipliers computed when first read) or None.

        ``guess = (U, z)``: start the iterations there instead of at (U0, z0) (the
        hyperplane stays the one through (U0, z0): the point found is the same, to the
        tolerance).  ``jac``: the ``.jac`` of a point corrected with the same reference,
        tangent and ``fix`` (same border rows): its factorisation is the chord Jacobian
        of the first iterations (refreshed as usual when the steps contract slowly);
        ignored when its border rows differ.
        """
        mesh = ref.mesh
        Cb, Db, tgt = self.borders(ref)
        nz = self.nz
        C = np.empty((nz,) + Cb.shape[1:])
        D = np.empty((nz, nz))
        C[:-1], D[:-1] = Cb, Db
        if fix is None:
            wU, wz = self.arc_weights(mesh)
            C[-1], D[-1] = wU * tU, wz * tz
        else:
            C[-1], D[-1] = 0.0, 0.0
            D[-1, fix[0]] = 1.0
        if guess is None:
            Ug, zg = U0, z0
        else:
            Ug, zg = guess
        reuse = (jac is not None and self.label != "NS" and jac[1].shape == C.shape
                 and np.array_equal(jac[1], C) and np.array_equal(jac[2], D))
        # PD/LPC boundary matrices are constant; NS's depend on kappa (not reused)
        if reuse:
            F0 = jac[0]
            f_in, J_in, b_in, B_in = F0.f, (F0.Jblk, F0.Jb), F0.b, tuple(jac[3:])
        else:
            f_in, J_in, b_in, B_in = self._no_factor()
        sch = self.scheme
        out = ext_newton.correct(
            self.kx.K, _LABELS[self.label], self.nv, np.ascontiguousarray(U0, float),
            np.asarray(z0, float), np.ascontiguousarray(Ug, float), np.asarray(zg, float),
            self.p0, self.ifree, self._logs, self.has_sigma, self.nextra, mesh, sch.W, sch.Wd,
            C, D, tgt, -1 if fix is None else int(fix[0]), 0.0 if fix is None else float(fix[1]),
            float(self.tol), int(self.max_iter), reuse, f_in, J_in[0], J_in[1], b_in, B_in)
        ok, it, early, U, z, f, Jblk, Jb, b, BC = out
        if not ok:
            return None
        F = TriFactor.from_arrays(f, Jblk, Jb, self.nv)
        F.b = b
        pt = Point(U, z, mesh)
        pt.iterations = it
        pt.iterations_to_tol = it + 1 if early else it
        pt.jac = (F, C, D) + tuple(BC)
        pt._pending = self     # multipliers when first read
        return pt

    def _no_factor(self):
        """Placeholder arguments of :func:`.ext_newton.correct` when no factorisation is
        reused (typed like a real one, so that one compiled version serves both)."""
        if getattr(self, "_placeholder", None) is None:
            e3, e2 = np.zeros((1, 1, 1)), np.zeros((1, 1))
            i2 = np.zeros((1, 1), dtype=np.int64)
            self._placeholder = ((e3, e3, i2, e3, e3, i2, e2, e2, e2), (e3, e3), (e3, e3, e2),
                                 (e2, e2, e2))
        return self._placeholder

    def tangent(self, pt: Point, tU, tz):
        """Unit tangent at pt whose product with (tU, tz) is positive.

        Uses the factorised Jacobian of the last Newton iteration (an
        O(step) approximation at the converged point, enough for a predictor).
        """
        F, C, D, B0, B1, Bz = pt.jac
        wU, wz = self.arc_weights(pt.mesh)
        C = C.copy()
        D = D.copy()
        C[-1], D[-1] = wU * tU, wz * tz
        rhs = np.zeros(self.nz)
        rhs[-1] = 1.0
        N, mne = F.Jblk.shape[:2]
        dU, dz = F.solve(C, D, B0, B1, Bz, np.zeros((N, mne)), np.zeros(self.ne), rhs)
        nrm = self.norm(pt.mesh, dU, dz)
        return dU / nrm, dz / nrm

    def exact_tangent(self, pt: Point, tU, tz):
        """Unit tangent at pt from the Jacobian factorised at pt itself (not the chord one).

        One extra factorisation: used where d/ds along the curve must be exact
        (events such as ``extremum``), not for predictors.
        """
        _, C, D = pt.jac[:3]
        B0, B1, Bz, _ = self.boundary(pt.U, pt.z)
        q = Point(pt.U, pt.z, pt.mesh)
        q.jac = (self.factor(pt.U, pt.z, pt.mesh).borders(C, D, B0, B1, Bz), C, D, B0, B1, Bz)
        return self.tangent(q, tU, tz)

    def secant(self, old: Point, new: Point, with_length=False):
        """Unit secant (new - old) in the arclength norm (AUTO's direction vector update);
        ``with_length``: also the length of new - old in that norm."""
        dU, dz = new.U - old.U, new.z - old.z
        nrm = self.norm(new.mesh, dU, dz)
        if with_length:
            return dU / nrm, dz / nrm, nrm
        return dU / nrm, dz / nrm

    def orbit_jacobian(self, pt: Point):
        """The collocation blocks of the orbit u at pt alone (variational equation; no free
        parameter), (N, m n, (m + 1) n)."""
        sch, n = self.scheme, self.n
        N, m = len(pt.mesh) - 1, sch.ncol
        Ju = np.empty((N, m * n, (m + 1) * n))
        Jt = np.empty((N, m * n, 1))
        u = np.ascontiguousarray(pt.U[:, :n])
        self.kc.coll_jacobian(u, pt.z[0], self.p_of(pt.z), _NO_FREE, pt.mesh, sch.W, sch.Wd,
                              Ju, Jt)
        return Ju

    def attach_multipliers(self, pt: Point):
        """Floquet multipliers of the orbit u at pt (its own collocation blocks; QZ, or the
        periodic QR in log form where QZ's trivial multiplier is off, floquet.point_multipliers)."""
        Ju = self.orbit_jacobian(pt)
        # the condensed pair of Gaussian elimination with partial pivoting, as LC-C's
        # (lc_newton.correct): ~5x cheaper than the Householder one (collocation.condensed_pair)
        f = condense_factor(Ju, np.zeros((Ju.shape[0], Ju.shape[1], 1)))
        self.set_multipliers(pt, f[6], f[7], Ju)

    @staticmethod
    def set_multipliers(pt: Point, P, Q, Ju):
        """The multipliers of pt from the condensed pair (P, Q) of its orbit blocks ``Ju``
        (also given by a factorisation of ``Ju`` with border columns: the pair does not
        depend on them)."""
        pt.pm = fq.point_multipliers(P, Q, Ju)      # periodic QR where QZ is unsure
        pt.mu, pt.trivial_error = pt.pm.mu, pt.pm.trivial_error


_NO_FREE = np.zeros(0, dtype=np.int64)
#: the boundary conditions' codes of :mod:`.ext_newton`
_LABELS = {"PD": ext_newton.PD, "LPC": ext_newton.LPC, "NS": ext_newton.NS}
