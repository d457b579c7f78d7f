"""Bifurcations of cycles on an LC branch: test functions and location.

Test functions from the nontrivial Floquet multipliers mu_i (Kuznetsov 2004,
sec. 10.3.3; Govaerts 2000, *Numerical Methods for Bifurcations of Dynamical
Equilibria*, ch. 11; MatCont's ``limitcycle`` test functions):

* LPC (saddle-node of cycles): the parameter component of the branch tangent,
  psi = dtheta/ds, changes sign at a fold of the branch.
* PD (period doubling): psi = Re prod_i (mu_i + 1); complex pairs contribute
  |mu + 1|^2 > 0, so only a real multiplier through -1 changes its sign.
* NS (Neimark-Sacker / torus): psi = Re prod_{i<j} (mu_i mu_j - 1); zero when a
  complex pair has modulus 1 -- also when two real multipliers have product 1
  (a neutral saddle cycle), which location rejects.

Location: Illinois regula falsi on the arclength step between the two points
whose test function values bracket zero (Allgower & Georg 1990, sec. 9.2).
"""
from __future__ import annotations

import numpy as np

from .floquet import nontrivial


def psi_pd(mu):
    """Period-doubling test function (see module docstring)."""
    return float(np.real(np.prod(nontrivial(mu) + 1.0)))


def psi_ns(mu):
    """Neimark-Sacker test function (see module docstring)."""
    z = nontrivial(mu)
    out = 1.0 + 0j
    for i in range(len(z)):
        for j in range(i + 1, len(z)):
            out *= z[i] * z[j] - 1.0
    return float(np.real(out))


def test_values(state, labels):
    """Test-function values at a continuation state (has .mu and .ttheta)."""
    out = {}
    if "LPC" in labels:
        out["LPC"] = float(state.ttheta)
    if "PD" in labels:
        out["PD"] = psi_pd(state.mu)
    if "NS" in labels:
        out["NS"] = psi_ns(state.mu)
    return out


def is_genuine_ns(mu, tol=1e-6):
    """True when a complex pair (not a real pair with product 1) lies on |mu| = 1."""
    z = nontrivial(mu)
    cplx = z[np.abs(z.imag) > tol * np.maximum(1.0, np.abs(z))]
    return cplx.size > 0 and np.min(np.abs(np.abs(cplx) - 1.0)) < 1e-3


def is_half_period(U, mesh, scheme, rtol=1e-4):
    """True when u(t + 1/2) = u(t): the orbit is its own half-period copy.

    A fold of a period-doubled branch onto such an orbit is the pitchfork where
    the branch meets its parent at a PD point, a branch point (labelled BPC),
    not a saddle-node of cycles.
    """
    from .collocation import interpolate, node_times
    t = node_times(mesh, scheme)
    shifted = interpolate(U, mesh, scheme, np.mod(t + 0.5, 1.0))
    amp = np.max(U.max(axis=0) - U.min(axis=0))
    return bool(np.max(np.abs(shifted - U)) < rtol * max(amp, 1e-300))


def locate(evaluate, psi_a, psi_b, ds, theta_a, theta_b, tol, max_iter=40):
    """Illinois regula falsi for psi(s) = 0 on s in (0, ds).

    Parameters
    ----------
    evaluate : callable s -> (state, psi) or (None, None) when the corrector fails
    psi_a, psi_b : values at s = 0 and s = ds (opposite signs)
    theta_a, theta_b : parameter values at the ends (for the stopping test)
    tol : relative tolerance on the parameter

    Returns
    -------
    state, converged (bool), iterations
    """
    sa, sb, fa, fb = 0.0, ds, psi_a, psi_b
    ta, tb = theta_a, theta_b
    side = 0
    best = None
    for it in range(1, max_iter + 1):
        s = sb - fb * (sb - sa) / (fb - fa) if fb != fa else 0.5 * (sa + sb)
        if not (min(sa, sb) < s < max(sa, sb)):
            s = 0.5 * (sa + sb)
        st, fs = evaluate(s)
        if st is None:
            return best, False, it
        best = st
        if fs == 0.0 or abs(tb - ta) < tol * (1.0 + abs(st.theta)) or abs(sb - sa) < 1e-14 * ds:
            return st, True, it
        if np.sign(fs) == np.sign(fb):
            sb, fb, tb = s, fs, st.theta
            if side == 1:
                fa *= 0.5
            side = 1
        else:
            sa, fa, ta = s, fs, st.theta
            if side == -1:
                fb *= 0.5
            side = -1
        if abs(tb - ta) < tol * (1.0 + abs(st.theta)):
            return st, True, it
    return best, False, max_iter


def pd_eigenfunction(Jblk, n):
    """The Floquet eigenfunction of the multiplier -1 on the nodes of one period.

    v(0) spans the null space of P - Q (P v(0) + Q v(1) = 0 with v(1) = -v(0));
    the interior values follow interval by interval from the collocation
    equations.  This forward sweep amplifies errors only by the multipliers
    above 1 in modulus; it serves as a predictor direction, not as data.
    """
    from .collocation import condensed_pair
    P, Q = condensed_pair(Jblk)
    _, _, vt = np.linalg.svd(P - Q)
    v0 = vt[-1]
    N, mn, _ = Jblk.shape
    m = mn // n
    V = np.zeros((N * m + 1, n))
    V[0] = v0
    for j in range(N):
        rhs = -Jblk[j][:, :n] @ V[j * m]
        V[j * m + 1:(j + 1) * m + 1] = np.linalg.solve(Jblk[j][:, n:], rhs).reshape(m, n)
    return V
