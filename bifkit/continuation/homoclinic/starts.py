"""Starting solutions of HC-C: from a long-period cycle, and from a Bogdanov-Takens point.

Each start returns ``(bvp, y0, fix)``: the problem, an approximate solution and a
vector ``fix`` such that the first Newton correction solves the BVP together
with ``fix . (y - y0) = 0`` (one coordinate of the curve held).
"""
from __future__ import annotations

import logging

import numpy as np

from ._deps import InputError, Scheme, adapt_mesh, interpolate, node_times, uniform_mesh
from .bvp import TIME, HomoclinicBVP

log = logging.getLogger("bifkit.continuation.homoclinic")

#: a cycle is "near a homoclinic orbit" if its closest approach to the saddle is
#: below this fraction of its amplitude (max over states of max - min)
MAX_GAP = 0.05


# --------------------------------------------------------------------------- #
# From a cycle                                                                 #
# --------------------------------------------------------------------------- #
def from_cycle(model, orbit, free_idx, *, ntst=None, ncol=None, max_gap=MAX_GAP):
    """Start from a long-period periodic orbit (an LC-C point near the end of its branch).

    The saddle is found by Newton from the slowest point of the orbit; the orbit
    is cut at its closest approach to the saddle, and the whole period becomes
    the truncated interval (T = period / 2).  The second free parameter is
    held in the first correction.

    Raises
    ------
    InputError
        The orbit does not pass close to a saddle (gap larger than ``max_gap``
        times its amplitude), or the equilibrium found is not a saddle.
    """
    p = orbit.p.copy()
    f, jac = model.compiled.f, model.compiled.jac
    s = np.linspace(0.0, 1.0, 4001)[:-1]
    X = interpolate(orbit.U, orbit.mesh, orbit.scheme, s)
    speed = np.linalg.norm(np.array([f(0.0, x, p) for x in X]), axis=1)
    x0 = _newton_equilibrium(model, X[int(np.argmin(speed))], p)
    amplitude = float(np.max(X.max(axis=0) - X.min(axis=0)))
    dist = np.linalg.norm(X - x0, axis=1)
    gap = float(dist.min()) / amplitude if amplitude > 0 else np.inf
    if x0 is None or gap > max_gap:
        raise InputError(f"the cycle (period {orbit.T:.6g}) is not near a homoclinic orbit: its "
                         f"closest approach to an equilibrium is {gap:.3g} of its amplitude "
                         f"(allowed {max_gap:g}); continue the LC-C branch further towards "
                         f"the end where the period grows (or, if it slows down near a fold "
                         f"of equilibria, a SNIC, use HSN-C)")
    J = jac(0.0, x0, p)
    n_unstable = _saddle_unstable_count(J)
    s_cut = s[int(np.argmin(dist))]
    ncol = orbit.scheme.ncol if ncol is None else int(ncol)
    ntst = orbit.ntst if ntst is None else int(ntst)
    sch = Scheme(ncol, orbit.scheme.kind)
    fine = uniform_mesh(4 * ntst)
    U = interpolate(orbit.U, orbit.mesh, orbit.scheme,
                    np.mod(s_cut + node_times(fine, sch), 1.0))
    U, mesh = adapt_mesh(U, fine, sch, ntst)
    bvp = HomoclinicBVP(model, np.asarray(free_idx), p, mesh, sch, 0.5 * orbit.T, n_unstable)
    y0 = bvp.pack(U, x0, bvp.alpha_of(p))
    fix = np.zeros(bvp.size)
    fix[-1] = 1.0
    log.info("HC-C from a cycle: T = %.6g, gap %.3g, saddle %s", bvp.T, gap, x0)
    return bvp, y0, fix


def _newton_equilibrium(model, x, p, tol=1e-12, maxit=30):
    f, jac = model.compiled.f, model.compiled.jac
    x = np.array(x, float)
    for _ in range(maxit):
        r = f(0.0, x, p)
        try:
            dx = np.linalg.solve(jac(0.0, x, p), -r)
        except np.linalg.LinAlgError:
            return None
        x += dx
        if np.linalg.norm(dx) < tol * (1 + np.linalg.norm(x)):
            return x
    return x if np.linalg.norm(f(0.0, x, p)) < 1e-9 else None


def _saddle_unstable_count(J) -> int:
    ev = np.linalg.eigvals(J)
    nu = int(np.sum(ev.real > 0))
    if nu == 0 or nu == len(ev) or np.min(np.abs(ev.real)) < 1e-12 * max(1.0, np.max(np.abs(ev))):
        raise InputError(f"the equilibrium is not a hyperbolic saddle (eigenvalues {ev}); "
                         f"HC-C needs a homoclinic orbit to a saddle")
    return nu


# --------------------------------------------------------------------------- #
# From a Bogdanov-Takens point                                                 #
# --------------------------------------------------------------------------- #
def bt_data(model, x, p, free_idx):
    """Normal-form data of a BT point: Jordan chain, a, b and the parameter map.

    The reduction on the centre manifold, x = x_BT + w0 q0 + w1 q1 + ...,
    gives w0' = w1, w1' = mu1 + mu2 w0 + mu3 w1 + a w0^2 + b w0 w1 + ...
    with (Kuznetsov 2004, sec. 8.7, eqs. 8.81-8.83; Kuznetsov 2005, Int. J. Bif.
    Chaos 15, 3535) A q0 = 0, A q1 = q0, A^T p1 = 0, A^T p0 = p1,
    <p0, q0> = <p1, q1> = 1, <p0, q1> = <p1, q0> = 0,
    a = <p1, B(q0, q0)> / 2, b = <p0, B(q0, q0)> + <p1, B(q0, q1)>.
    To first order in a parameter change d (free parameters), mu1 = <p1, f_alpha d>
    and, with the equilibrium shift y_s (A y_s = -f_alpha d, <p0, y_s> = 0, for
    d in the kernel of mu1) and A1 = A_alpha d + B(y_s, .), mu2 = <p1, A1 q0>,
    mu3 = <p0, A1 q0> + <p1, A1 q1> (the linear part's entries in the Jordan basis).

    Returns
    -------
    dict with q0, q1, p0, p1, a, b, v (unit direction in the free-parameter plane
    with mu1 = 0), ys (shift per unit step along v), m2, m3 (mu2, mu3 per unit
    step along v), mu1_grad (gradient of mu1 in the free-parameter plane)

    Raises
    ------
    InputError
        Not a BT point: the Jacobian is not a nilpotent 2 x 2 Jordan block on its
        centre subspace, or a = 0 or b = 0 (degenerate).
    """
    jac, dfdp = model.compiled.jac, model.compiled.dfdp
    A = jac(0.0, x, p)
    n = len(x)
    scale = max(1.0, np.linalg.norm(A))
    ev = np.linalg.eigvals(A)
    small = np.sort(np.abs(ev))
    # two eigenvalues at zero, well separated from the others (relative: stiff models)
    if n < 2 or small[1] > (1e-6 * scale if n == 2 else 1e-5 * small[2]):
        raise InputError(f"not a Bogdanov-Takens point: a BT point has exactly two zero "
                         f"eigenvalues, the Jacobian has {ev}")
    Us, sv, Vt = np.linalg.svd(A)
    if sv[-2] <= 1e-8 * max(sv[0], np.finfo(float).tiny):
        raise InputError("not a Bogdanov-Takens point: the zero eigenvalue is semisimple "
                         f"(rank of the Jacobian {n - 2}), not a Jordan block")
    q0 = Vt[-1]
    p1 = Us[:, -1]
    q1 = _bordered(A, q0, q0)           # A q1 = q0 (solvable: <p1, q0> = 0 at a BT point)
    p0 = _bordered(A.T, p1, p1)         # A^T p0 = p1
    s0 = p0 @ q0                        # = <p1, q1> as well (<p1, q1> = <p0, A q1>)
    p0, p1 = p0 / s0, p1 / s0           # <p0, q0> = <p1, q1> = 1
    q1 = q1 - (p0 @ q1) * q0            # <p0, q1> = 0; A q1 = q0 and <p1, q1> unchanged
    B = _second_derivative(model, x, p)
    Bqq = B(q0, q0)
    a = 0.5 * p1 @ Bqq
    b = p0 @ Bqq + p1 @ B(q0, q1)
    if abs(a) < 1e-10 or abs(b) < 1e-10:
        raise InputError(f"degenerate Bogdanov-Takens point (a = {a:.3g}, b = {b:.3g}): no "
                         f"homoclinic predictor")
    fa = dfdp(0.0, x, p)[:, free_idx]
    grad = p1 @ fa                      # mu1 per unit change of each free parameter
    if np.linalg.norm(grad) < 1e-12:
        raise InputError("the free parameters do not unfold the BT point (mu1 does not change)")
    v = np.array([-grad[1], grad[0]]) / np.linalg.norm(grad)
    ys = _bordered(A, -fa @ v, p0)
    A1 = _jac_derivative(model, x, p, free_idx, v) + np.column_stack(
        [B(ys, e) for e in np.eye(n)])
    m2 = p1 @ A1 @ q0
    m3 = p0 @ A1 @ q0 + p1 @ A1 @ q1
    return dict(q0=q0, q1=q1, p0=p0, p1=p1, a=float(a), b=float(b), v=v, ys=ys,
                m2=float(m2), m3=float(m3), mu1_grad=grad)


def _bordered(A, rhs, border):
    """Solve A z = rhs with <border, z> = 0 (A singular with a one-dimensional
    kernel not orthogonal to ``border``), least squares on the bordered system."""
    n = A.shape[0]
    M = np.zeros((n + 1, n))
    M[:n] = A
    M[n] = border
    z, *_ = np.linalg.lstsq(M, np.concatenate([rhs, [0.0]]), rcond=None)
    return z


def _second_derivative(model, x, p, h=1e-5):
    """B(u, v) = d/de [J(x + e u) v] by central differences of the analytic Jacobian."""
    jac = model.compiled.jac

    def B(u, v):
        return (jac(0.0, x + h * u, p) @ v - jac(0.0, x - h * u, p) @ v) / (2 * h)
    return B


def _jac_derivative(model, x, p, free_idx, d, h=1e-6):
    jac = model.compiled.jac
    pp, pm = p.copy(), p.copy()
    pp[free_idx] += h * d
    pm[free_idx] -= h * d
    return (jac(0.0, x, pp) - jac(0.0, x, pm)) / (2 * h)


def from_bt(model, x, p, free_idx, *, amplitude=0.1, T=None, ntst=60, ncol=4, tail=1e-4):
    """First-order asymptotic homoclinic orbit near a BT point (Beyn 1994).

    In the normal form w0' = w1, w1' = beta1 + beta2 w1 + a xi^2 + b xi w1
    (xi = w0 + mu2 / (2a), beta1 = mu1 - mu2^2 / (4a), beta2 = mu3 - b mu2 / (2a)),
    the rescaling X = a xi, tau = delta t, X = delta^2 u gives the Hamiltonian
    u'' = u^2 - 1 at leading order with the homoclinic orbit
    u = 1 - 3 sech^2(tau / sqrt 2); Melnikov's condition then fixes
    beta2 = 5 b delta^2 / (7 a) and beta1 = -delta^4 / a (so that
    beta1 = -(49/25) a beta2^2 / b^2; in Kuznetsov's unfolding with beta2 w0
    instead of beta2 w1 this is his beta1 = -(6/25) beta2^2).  The parameters move
    along v (mu1 = 0 to first order) by c = beta2 / (m3 - b m2 / (2a)); the
    remaining O(delta^4) parameter change and the orbit's corrections are left
    to Newton with the step along v held.

    Parameters
    ----------
    amplitude : float
        delta^2 / |a|: the size of the homoclinic loop in w0 (state units) is
        3 delta^2 / |a|; smaller is closer to the BT point.
    T : float, optional
        Half-return time; default so that the loop's tails reach ``tail`` of its size.
    """
    free_idx = np.asarray(free_idx)
    if TIME in free_idx:
        raise InputError("a BT start needs two free model parameters (the unfolding); "
                         "free T only from a cycle start")
    d = bt_data(model, np.asarray(x, float), np.asarray(p, float), free_idx)
    a, b = d["a"], d["b"]
    delta2 = amplitude * abs(a)
    delta = np.sqrt(delta2)
    beta2 = 5.0 * b * delta2 / (7.0 * a)
    denom = d["m3"] - b * d["m2"] / (2 * a)
    if abs(denom) < 1e-12:
        raise InputError("degenerate Bogdanov-Takens point: the free parameters do not unfold "
                         "the trace (beta2) to first order")
    c = beta2 / denom
    if T is None:
        T = np.log(12.0 / tail) / (np.sqrt(2.0) * delta)
    sch = Scheme(ncol)
    mesh = uniform_mesh(ntst)
    t = -T + 2 * T * node_times(mesh, sch)
    sech2 = 1.0 / np.cosh(delta * t / np.sqrt(2.0)) ** 2
    xi = delta2 / a * (1 - 3 * sech2)
    # d/dt sech^2(k t) = -2 k sech^2 tanh
    dxi = delta2 / a * 6 * (delta / np.sqrt(2.0)) * sech2 * np.tanh(delta * t / np.sqrt(2.0))
    w0 = xi - c * d["m2"] / (2 * a)
    x = np.asarray(x, float)
    U = x[None, :] + c * d["ys"][None, :] + w0[:, None] * d["q0"][None, :] \
        + dxi[:, None] * d["q1"][None, :]
    x0 = x + c * d["ys"] + (delta2 / a - c * d["m2"] / (2 * a)) * d["q0"]
    p = np.asarray(p, float).copy()
    alpha = p[free_idx] + c * d["v"]
    p[free_idx] = alpha
    n_unstable = _saddle_unstable_count(model.compiled.jac(0.0, x0, p))
    bvp = HomoclinicBVP(model, free_idx, p, mesh, sch, float(T), n_unstable)
    y0 = bvp.pack(U, x0, alpha)
    fix = np.zeros(bvp.size)
    fix[-2:] = d["v"]
    log.info("HC-C from BT: a = %.6g, b = %.6g, delta^2 = %.3g, T = %.4g", a, b, delta2, T)
    return bvp, y0, fix


# --------------------------------------------------------------------------- #
# HSN-C: from a cycle near a saddle-node homoclinic orbit (SNIC)                #
# --------------------------------------------------------------------------- #
def from_cycle_saddle_node(model, orbit, free_idx, *, ntst=None, ncol=None, max_gap=MAX_GAP):
    """Start HSN-C from a long-period cycle passing close to a saddle-node (a SNIC).

    Beyond the fold there is no equilibrium: the saddle-node (x0, alpha_1) is
    solved by Newton from the slowest point of the orbit, with the fold
    condition g = 0 (:meth:`HomoclinicBVP.fold`, bordering vectors from the SVD
    of the Jacobian there) and alpha_2 held.  The orbit is cut at its closest
    approach; T = period / 2.

    Raises
    ------
    InputError
        No saddle-node near the orbit (Newton fails, or the orbit stays farther
        than ``max_gap`` of its amplitude from it).
    """
    p = orbit.p.copy()
    free_idx = np.asarray(free_idx)
    if free_idx[0] == TIME:
        raise InputError("HSN-C from a cycle solves the fold in the first free parameter: "
                         "give a model parameter first (T second)")
    f, jac = model.compiled.f, model.compiled.jac
    s = np.linspace(0.0, 1.0, 4001)[:-1]
    X = interpolate(orbit.U, orbit.mesh, orbit.scheme, s)
    speed = np.linalg.norm(np.array([f(0.0, x, p) for x in X]), axis=1)
    xs = X[int(np.argmin(speed))]
    Us, _, Vt = np.linalg.svd(jac(0.0, xs, p))
    border = (Us[:, -1].copy(), Vt[-1].copy())
    probe = HomoclinicBVP(model, free_idx, p, np.zeros(2), None, 0.0, 0, 0, border)
    n = model.n

    def G(z):
        pp = p.copy()
        pp[free_idx[0]] = z[n]
        return np.concatenate([f(0.0, z[:n], pp), [probe.fold(jac(0.0, z[:n], pp))]])
    z = np.concatenate([xs, [p[free_idx[0]]]])
    ok = False
    for _ in range(30):
        g = G(z)
        Jz = np.empty((n + 1, n + 1))
        for i in range(n + 1):
            h = 1e-7 * max(1.0, abs(z[i]))
            e = np.zeros(n + 1)
            e[i] = h
            Jz[:, i] = (G(z + e) - G(z - e)) / (2 * h)
        try:
            dz = np.linalg.solve(Jz, -g)
        except np.linalg.LinAlgError:
            break
        z += dz
        if np.linalg.norm(dz) < 1e-12 * (1 + np.linalg.norm(z)):
            ok = True
            break
    amplitude = float(np.max(X.max(axis=0) - X.min(axis=0)))
    x0 = z[:n]
    gap = float(np.min(np.linalg.norm(X - x0, axis=1))) / amplitude if ok else np.inf
    if not ok or gap > max_gap:
        raise InputError(f"the cycle (period {orbit.T:.6g}) is not near a saddle-node homoclinic "
                         f"orbit: no fold of equilibria found within {max_gap:g} of its "
                         f"amplitude (gap {gap:.3g})")
    p[free_idx[0]] = z[n]
    ev = np.linalg.eigvals(jac(0.0, x0, p))
    scale = max(1.0, np.max(np.abs(ev)))
    zero = np.abs(ev) < 1e-6 * scale
    n_u, n_s = int(np.sum((ev.real > 0) & ~zero)), int(np.sum((ev.real < 0) & ~zero))
    if zero.sum() != 1:
        raise InputError(f"the equilibrium near the cycle is not a saddle-node (eigenvalues {ev})")
    ncol = orbit.scheme.ncol if ncol is None else int(ncol)
    ntst = orbit.ntst if ntst is None else int(ntst)
    sch = Scheme(ncol, orbit.scheme.kind)
    fine = uniform_mesh(4 * ntst)
    s_cut = s[int(np.argmin(np.linalg.norm(X - x0, axis=1)))]
    U = interpolate(orbit.U, orbit.mesh, orbit.scheme, np.mod(s_cut + node_times(fine, sch), 1.0))
    U, mesh = adapt_mesh(U, fine, sch, ntst)
    bvp = HomoclinicBVP(model, free_idx, p, mesh, sch, 0.5 * orbit.T, n_u, n_s, border)
    y0 = bvp.pack(U, x0, bvp.alpha_of(p))
    fix = np.zeros(bvp.size)
    fix[-1] = 1.0
    log.info("HSN-C from a cycle: T = %.6g, gap %.3g, saddle-node %s", bvp.T, gap, x0)
    return bvp, y0, fix
