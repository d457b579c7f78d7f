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

import math

import numba as nb
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


# --- the branch of cycles arriving at a Hopf point (the cycle shrinks to an equilibrium) ---
#
# Near a nondegenerate Hopf point the cycles are u(t) = x0(p) + a Re(q e^(2 pi i t)) + O(a^2)
# with p - p_H = c a^2 + O(a^4), and the orbit with amplitude -a is the one with +a shifted by
# half a period.  Pseudo-arclength continuation with the integral phase condition passes
# smoothly through a = 0 (the phase condition holds for both signs), so the branch retraces
# itself: the step that crosses a = 0 turns the orbit into its half-period shift, and the
# deviations from the mean of the two orbits (on one mesh) are anti-correlated.  The Hopf point
# itself is then located on the equilibrium, where it is regular (Re lambda = 0 at x(p), the
# equilibrium near the orbit mean), not on the cycle system, which is singular there (the
# constant solutions meet the cycle branch).


@nb.njit(cache=True)
def orbit_deviation(U, w):
    """(mean, rms amplitude) of an orbit with node quadrature weights ``w`` (sum 1).

    The amplitude is sqrt(int_0^1 |u - mean|^2 dt), proportional to the cycle's
    amplitude near a Hopf point.
    """
    npt, n = U.shape
    mean = np.zeros(n)
    for i in range(npt):
        for j in range(n):
            mean[j] += w[i] * U[i, j]
    s = 0.0
    for i in range(npt):
        for j in range(n):
            d = U[i, j] - mean[j]
            s += w[i] * d * d
    return mean, math.sqrt(s)


@nb.njit(cache=True)
def crossed_equilibrium(U_a, mean_a, amp_a, U_b, mean_b, amp_b, w):
    """True when two orbits on one mesh are anti-correlated: the step went through a = 0.

    Correlation int <u_a - mean_a, u_b - mean_b> dt / (amp_a amp_b) below -1/2
    (near the Hopf point it is -1 after the crossing, ~ +1 between any two
    close orbits otherwise).
    """
    if not (amp_a > 0.0 and amp_b > 0.0):
        return False
    npt, n = U_a.shape
    s = 0.0
    for i in range(npt):
        for j in range(n):
            s += w[i] * (U_a[i, j] - mean_a[j]) * (U_b[i, j] - mean_b[j])
    return s < -0.5 * amp_a * amp_b


def extrapolate_hopf_param(params, amps):
    """The parameter where the amplitude vanishes, from the last points of the branch.

    ``amps`` are signed amplitudes (the points after the crossing negative);
    p is even in a near the Hopf point, p = p_H + c a^2 + O(a^4): quadratic
    through three points (p = p_H + b a + c a^2, b ~ 0, error O(a^3)), or
    p_H = p - c a^2 through two.  This is the start of the location on the
    equilibrium (:func:`locate_hopf_on_equilibrium`).
    """
    a = np.asarray(amps, float)
    q = np.asarray(params, float)
    if len(a) >= 3:
        V = np.vander(a[-3:], 3)
        try:
            c2, c1, c0 = np.linalg.solve(V, q[-3:])
            if np.isfinite(c0):
                return float(c0)
        except np.linalg.LinAlgError:
            pass
    if len(a) >= 2 and a[-1] ** 2 != a[-2] ** 2:
        c = (q[-1] - q[-2]) / (a[-1] ** 2 - a[-2] ** 2)
        return float(q[-1] - c * a[-1] ** 2)
    return float(q[-1])


def _equilibrium(k, x, p, tol=1e-13, max_iter=30):
    """Newton for f(x, p) = 0 from x; (x, converged)."""
    x = np.array(x, float)
    for _ in range(max_iter):
        fx = np.asarray(k.f(0.0, x, p))
        if not np.all(np.isfinite(fx)):
            return x, False
        try:
            dx = np.linalg.solve(np.asarray(k.jac(0.0, x, p)), fx)
        except np.linalg.LinAlgError:
            return x, False
        x = x - dx
        if not np.all(np.isfinite(x)):
            return x, False
        if np.max(np.abs(dx)) <= tol * (1.0 + np.max(np.abs(x))):
            return x, True
    return x, False


def locate_hopf_on_equilibrium(k, x0, p, ipar, p_a, p_b, omega, tol=1e-13, max_iter=30):
    """Hopf point of the equilibrium near x0: secant on Re lambda(p) from p_a, p_b.

    For each trial p, Newton on f(x, p) = 0 (from the last equilibrium,
    starting at ``x0``, e.g. the mean of a small orbit) and lambda = the
    eigenvalue of f_x with Im > 0 closest to i ``omega`` (the orbits'
    frequency 2 pi / T).  The secant stops when the parameter step is below
    ``tol`` (relative).

    Returns
    -------
    dict with "param", "x", "eigenvalues", "omega", "converged", "iterations",
    or None when the equilibrium or a complex pair near i omega is lost.
    """
    x = np.array(x0, float)
    pp = np.array(p, float)

    def g(pv):
        nonlocal x
        pp[ipar] = pv
        xe, ok = _equilibrium(k, x, pp)
        if not ok:
            return None
        ev = np.linalg.eigvals(np.asarray(k.jac(0.0, xe, pp)))
        up = ev[ev.imag > 0]
        if up.size == 0:
            return None
        lam = up[np.argmin(np.abs(up - 1j * omega))]
        x = xe
        return float(lam.real), lam, ev

    ga, gb = g(p_a), g(p_b)
    if ga is None or gb is None:
        return None
    pa, pb = float(p_a), float(p_b)
    fa, fb = ga[0], gb[0]
    last = gb
    converged = False
    for it in range(1, max_iter + 1):
        if fb == 0.0:
            converged = True
            break
        if fb == fa:
            break
        pn = pb - fb * (pb - pa) / (fb - fa)
        gn = g(pn)
        if gn is None:
            return None
        pa, fa, pb, fb, last = pb, fb, pn, gn[0], gn
        if abs(pb - pa) <= tol * (1.0 + abs(pb)):
            converged = True
            break
    pp[ipar] = pb
    lam, ev = last[1], last[2]
    if abs(lam.imag - omega) > 0.5 * omega:   # not the pair the cycles shrink onto
        return None
    return {"param": pb, "x": x.copy(), "eigenvalues": ev, "omega": float(lam.imag),
            "converged": converged, "iterations": it}
