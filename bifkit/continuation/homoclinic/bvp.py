"""The truncated boundary-value problem of a homoclinic orbit to a saddle ("HC-C").

On s in [0, 1] (time t = -T + 2 T s, T the half-return time, fixed)::

    u'(s) - 2T f(u(s), alpha) = 0                   collocation (as the cycles)
    f(x0, alpha) = 0                                the saddle
    L_s^T (u(0) - x0) = 0,  L_u^T (u(1) - x0) = 0    projection conditions (saddle.py)
    int_0^1 <u(s) - u_ref(s), u_ref'(s)> ds = 0      integral phase condition

Unknowns y = (U (nodes x n, row-major), x0 (n), alpha (2 free parameters)):
(N m + 2) n + 2 unknowns and (N m + 2) n + 1 equations, a curve (Champneys,
Kuznetsov & Sandstede 1996, Int. J. Bif. Chaos 6, 867, eqs. 2.1-2.6; Kuznetsov
2004, sec. 10.3.3).  Continuation adds the pseudo-arclength row.

Homoclinic to a saddle-node ("HSN-C"): the equilibrium has one zero eigenvalue
(fold row g(x0, alpha) = 0), u(0) - x0 lies in the centre-unstable and u(1) - x0
in the centre-stable eigenspace (n_s + n_u = n - 1 projection rows), the same
count of equations (Champneys, Kuznetsov & Sandstede 1996, sec. 3.2: the
central saddle-node homoclinic orbit, along the fold curve between the NCH points).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sps

from . import _colloc, saddle

#: entry of ``HomoclinicBVP.free`` standing for the half-return time T (free T)
TIME = -1


@dataclass
class HomoclinicBVP:
    """Discretisation and bookkeeping of one HC-C problem.

    Attributes
    ----------
    model : Model
    free : (2,) indices of the free parameters in the model's parameter array;
        :data:`TIME` for the half-return time T (then ``T`` is its start value)
    p : full parameter array (the free entries are overwritten by the unknowns)
    mesh : (N + 1,) mesh on [0, 1];  scheme : collocation Scheme
    T : half-return time (model time units)
    n_unstable : dimension of the unstable eigenspace of the saddle
    n_stable : dimension of the stable eigenspace; None for a saddle (n - n_unstable),
        n - n_unstable - 1 for a saddle-node (HSN-C: the zero eigenvalue is in neither)
    border : (b, c) bordering vectors of the fold condition (HSN-C only)
    """

    model: object
    free: np.ndarray
    p: np.ndarray
    mesh: np.ndarray
    scheme: object
    T: float
    n_unstable: int
    n_stable: int | None = None
    border: tuple | None = None

    # ------------------------------------------------------------ packing
    @property
    def n(self) -> int:
        return self.model.n

    @property
    def n_nodes(self) -> int:
        return (len(self.mesh) - 1) * self.scheme.ncol + 1

    @property
    def size(self) -> int:
        return (self.n_nodes + 1) * self.n + 2

    def pack(self, U, x0, alpha) -> np.ndarray:
        return np.concatenate([np.ravel(U), np.ravel(x0), np.ravel(alpha)])

    def unpack(self, y):
        n, k = self.n, self.n_nodes * self.n
        return y[:k].reshape(self.n_nodes, n), y[k:k + n], y[k + n:k + n + 2]

    def params(self, alpha) -> np.ndarray:
        """The full parameter array with the free model parameters from ``alpha``."""
        p = self.p.copy()
        for k, idx in enumerate(self.free):
            if idx != TIME:
                p[idx] = alpha[k]
        return p

    def half_time(self, alpha) -> float:
        """T: from ``alpha`` when it is free, else the fixed value."""
        for k, idx in enumerate(self.free):
            if idx == TIME:
                return float(alpha[k])
        return float(self.T)

    def alpha_of(self, p) -> np.ndarray:
        """The two free unknowns at parameters ``p`` (and the current T)."""
        return np.array([self.T if idx == TIME else p[idx] for idx in self.free], float)

    def weights(self) -> np.ndarray:
        """Weights of the arclength inner product: node values averaged over the
        orbit (1 / number of nodes), saddle and parameters weight 1."""
        w = np.ones(self.size)
        w[: self.n_nodes * self.n] = 1.0 / self.n_nodes
        return w

    # ------------------------------------------------------------ equations
    def phase_row(self, Uref) -> np.ndarray:
        """Row of int <u, u_ref'> ds over the node values (h_j cancels, as in LC-C)."""
        sch, m = self.scheme, self.scheme.ncol
        N = len(self.mesh) - 1
        idx = np.arange(N)[:, None] * m + np.arange(m + 1)[None, :]
        B = Uref[idx]                                          # (N, m+1, n)
        dU = np.einsum("ki,jia->jka", sch.Wd, B)               # h_j u_ref'(z_jk)
        row = np.zeros_like(Uref)
        contrib = np.einsum("k,ki,jka->jia", sch.wg, sch.W, dU)
        np.add.at(row, idx, contrib)
        return row.ravel()

    def boundary(self, U, x0, alpha, bases):
        """Projection rows L_s^T (u(0) - x0), L_u^T (u(1) - x0) with the equilibrium's
        bases at (x0, alpha) aligned to ``bases``; for a saddle-node (HSN-C) also the
        fold condition (one row, :meth:`fold`)."""
        J = self.model.compiled.jac(0.0, x0, self.params(alpha))
        Ls, Lu = saddle.left_bases(J, self.n_unstable, bases, n_stable=self.n_stable)
        rows = [Ls.T @ (U[0] - x0), Lu.T @ (U[-1] - x0)]
        if self.border is not None:
            rows.append([self.fold(J)])
        return np.concatenate(rows), (Ls, Lu)

    def fold(self, J) -> float:
        """g with [[J, b], [c^T, 0]] (v, g) = (0, 1): zero iff J is singular (Govaerts 2000,
        *Numerical Methods for Bifurcations of Dynamical Equilibria*, sec. 3.4)."""
        b, c = self.border
        n = len(b)
        M = np.zeros((n + 1, n + 1))
        M[:n, :n] = J
        M[:n, n] = b
        M[n, :n] = c
        rhs = np.zeros(n + 1)
        rhs[n] = 1.0
        return float(np.linalg.solve(M, rhs)[n])

    def residual(self, y, ref) -> np.ndarray:
        """All rows except the arclength one; ``ref`` = (U_ref, bases_ref)."""
        U, x0, alpha = self.unpack(y)
        p = self.params(alpha)
        Uref, bases = ref
        col = _colloc.residual(self.model, U, self.mesh, self.scheme, 2 * self.half_time(alpha), p)
        eq = self.model.compiled.f(0.0, x0, p)
        bc, _ = self.boundary(U, x0, alpha, bases)
        ph = self.phase_row(Uref) @ (U - Uref).ravel()
        return np.concatenate([col, eq, bc, [ph]])

    def jacobian(self, y, ref):
        """Sparse Jacobian of :meth:`residual` (analytic except the dependence of the
        projection bases on (x0, alpha): central differences, n + 2 Schur forms)."""
        U, x0, alpha = self.unpack(y)
        p = self.params(alpha)
        Uref, bases = ref
        n, nU = self.n, self.n_nodes * self.n
        T = self.half_time(alpha)
        Jc, F, X = _colloc.jacobian(self.model, U, self.mesh, self.scheme, 2 * T, p)
        h = np.repeat(np.diff(self.mesh), self.scheme.ncol)
        dfdp = self.model.compiled.dfdp
        Ja = np.zeros((len(X) * n, 2))                      # d(collocation)/d(free unknowns)
        Jeq_a = np.zeros((n, 2))
        for k, idx in enumerate(self.free):
            if idx == TIME:                                 # r = dU - 2 T h f
                Ja[:, k] = (-2 * h[:, None] * F).ravel()
            else:
                Ja[:, k] = np.concatenate([-2 * T * h[g] * dfdp(0.0, X[g], p)[:, idx]
                                           for g in range(len(X))])
                Jeq_a[:, k] = dfdp(0.0, x0, p)[:, idx]
        Jx = self.model.compiled.jac(0.0, x0, p)
        # boundary rows: linear in u(0), u(1); bases depend on (x0, alpha)
        g0, (Ls, Lu) = self.boundary(U, x0, alpha, bases)
        ks, ku = Ls.shape[1], Lu.shape[1]
        Bu = np.zeros((len(g0), nU))
        Bu[:ks, :n] = Ls.T
        Bu[ks:ks + ku, nU - n:] = Lu.T
        z = np.concatenate([x0, alpha])
        Bz = np.zeros((len(g0), n + 2))
        for i in range(n + 2):
            step = 1e-6 * max(1.0, abs(z[i]))
            zp, zm = z.copy(), z.copy()
            zp[i] += step
            zm[i] -= step
            gp, _ = self.boundary(U, zp[:n], zp[n:], bases)
            gm, _ = self.boundary(U, zm[:n], zm[n:], bases)
            Bz[:, i] = (gp - gm) / (2 * step)
        ph = self.phase_row(Uref)
        top = sps.hstack([Jc, sps.csr_matrix((Jc.shape[0], n)), sps.csr_matrix(Ja)])
        eq = sps.hstack([sps.csr_matrix((n, nU)), sps.csr_matrix(Jx), sps.csr_matrix(Jeq_a)])
        bc = sps.hstack([sps.csr_matrix(Bu), sps.csr_matrix(Bz)])
        phase = sps.csr_matrix(np.concatenate([ph, np.zeros(n + 2)])[None, :])
        return sps.vstack([top, eq, bc, phase]).tocsc()
