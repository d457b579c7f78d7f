"""Shot-noise mean field of the sparse inhibitory QIF network and its reductions.

Ageeva & Goldobin (2025), seed 003.  Network: dV_j/dt = V_j^2 + I - a S_j(t)
with I = I0 = i0 sqrt(K), a = g0/sqrt(K), time in units of the membrane time
constant.  Every model here uses that ORIGINAL time t (not the paper's
rescaled tau = K^(1/4) sqrt(i0) t), so rates and frequencies are comparable
across the family; parameters are K, i0, g0 and the forcing eta(t) = eta0
cos(omega t) of the current I(t) = I0 (1 + eta(t)) (eqs. 22-25).  Only K and
i0/g0^2 matter after rescaling (alpha = g0 / (K^(3/4) sqrt(i0))).

Models
------
shotnoise_oa      Ott-Antonsen reduction: the 2CC model with kappa2 = 0.
shotnoise_2cc     two circular cumulants kappa1, kappa2 (eqs. 13-14 with the
                  forcing terms of eqs. 24-25).
shotnoise_chain   truncated chain of the Kuramoto-Daido parameters z_1..z_M (eqs. 6, 23).
diffusion_chain   the diffusion approximation of the chain (eq. 29).
diffusion_2cc     its 2CC reduction, derived below (eq. 30 as printed is
                  inconsistent with eq. 29).

Observables (all models): ``nu``, the firing rate per neuron per unit time
(eq. 15/16), and ``v``, the mean membrane potential (eq. 17); the chains also
``tail``, max|z_{M-3..M}| / max|z_n|, the truncation measure of every state
(:mod:`bifkit.truncation` continues with automatic M from it).

The chains (structural argument ``M``, the number of modes, default 64)
-----------------------------------------------------------------------
States z_1..z_M (complex), z_0 = 1, z_{M+1} = z_{M+2} = 0; s = sqrt(I0) =
K^(1/4) sqrt(i0), eta = eta0 cos(omega t) and, from eqs. (15), (17),

    pi nu - i v = s W,   W = 1 - 2 z_1 + 2 z_2 - ... + 2 (-1)^M z_M.

shotnoise_chain, eqs. (6) and (23):

    dz_n/dt = i n s [(2 + eta) z_n + eta (z_{n-1} + z_{n+1})/2]
              + K nu [sum_{m=0}^{M} I_nm z_m - z_n],

with I_nm(alpha) from :mod:`bifkit.models.shotnoise_coefficients` (a stable
recurrence, recomputed inside the compiled kernels from the parameters, or read from
the extended parameter vector of :func:`kernel_parameters` that integrators pass).

diffusion_chain, eq. (29), with A = eta - g0 nu / i0 and c = g0^2 / (i0 sqrt(K)):

    dz_n/dt = i n s [2 z_n + A (z_n + (z_{n-1} + z_{n+1})/2)]
              - (n c nu / 2) [(n-1)/4 z_{n-2} + (n - 1/2) z_{n-1} + 3n/2 z_n
                              + (n + 1/2) z_{n+1} + (n+1)/4 z_{n+2}].

Eq. (29) checks against eq. (28): the Fourier form of Q = d/dpsi[(1 + cos psi) .]
is (Q z)_n = -i n [z_n + (z_{n-1} + z_{n+1})/2]; alpha K nu Q gives the
-g0 nu / i0 part of A (alpha K = s g0 / i0), and (alpha^2/2) K nu Q^2 the
pentadiagonal bracket (alpha^2 K = c).

diffusion_2cc: the 2CC reduction of eq. (29), derived here
------------------------------------------------------------
Substitute the closure z_m = k1^m + m(m-1)/2 k2 k1^(m-2), i.e. z_0 = 1,
z_1 = k1, z_2 = k1^2 + k2, z_3 = k1^3 + 3 k1 k2, z_4 = k1^4 + 6 k1^2 k2, into
dk1/dt = dz_1/dt and dk2/dt = dz_2/dt - 2 z_1 dz_1/dt:

    dk1/dt = i s [2 k1 + (A/2) ((1 + k1)^2 + k2)] - (c nu / 4) [(1 + k1)^3 + 3 k2 (1 + k1)]
    dk2/dt = i s [4 k2 + 2 A (1 + k1) k2]        - (c nu / 4) [(1 + k1)^4 + 12 k2 (1 + k1)^2]

with nu, v from W = (1 - k1)/(1 + k1) + 2 k2/(1 + k1)^3 (eqs. 16-17: the sum of
the series (15) on the closure) and A = eta - g0 nu / i0.  Intermediate steps:
the drift part of dz_2 - 2 k1 dz_1 is 4 k2 + A (2 z_2 + z_1 + z_3 - 2 k1^2 - k1
- k1 z_2) = 4 k2 + 2 A (1 + k1) k2; its diffusion part is
-c nu [1/4 + k1 + 3/2 k1^2 + k1^3 + k1^4/4 + k2 (3 + 6 k1 + 3 k1^2)].
The closure is linear in k2 and, at fixed nu, the chain is linear in z, so the
brackets come out exactly linear in k2: "first order in k2" drops nothing
here; nu and A keep their full dependence on k1, k2 (as in the shot-noise 2CC,
eqs. 13-14).

Difference from the printed eq. (30): the drift of dk1/dt is
(A/2) ((1 + k1)^2 + k2), half the printed A ((1 + k1)^2 + k2).  The diffusion
term of eq. (30) and all of eq. (31) agree with the derivation.  The factor 1/2
is also the one of the forcing term of eq. (24) (eta in place of A), and
tests/test_shotnoise_chain.py checks the model against the chain on the closure.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from numba import njit

from bifkit.model import TIME, Constraint, ModelDefinition, complex_state, real_symbols

from .shotnoise_coefficients import coefficients, fill_columns, fill_columns_dalpha

DEFAULTS = dict(K=100.0, i0=0.4, g0=1.0, eta0=0.0, omega=2.0)

CONSTRAINTS = [
    Constraint("K", lambda v: v > 0, "K > 0 (the in-degree)"),
    Constraint("i0", lambda v: v > 0, "i0 > 0 (the genuine phase needs a positive current)"),
    Constraint("g0", lambda v: v > 0, "g0 > 0 (the inhibitory coupling)"),
]
UNITS = {"t": "tau_m", "nu": "1/tau_m", "v": "1", "omega": "1/tau_m"}


def _params():
    K, i0, g0, eta0, omega = real_symbols("K i0 g0 eta0 omega")
    return (K, i0, g0, eta0, omega), [(s, DEFAULTS[str(s)]) for s in (K, i0, g0, eta0, omega)]


def _re(w):
    return (w + sp.conjugate(w)) / 2


def _im(w):
    return (w - sp.conjugate(w)) / (2 * sp.I)


def twocc_rhs(k1, k2, K, i0, g0, eta):
    """d kappa1/dt, d kappa2/dt and (nu, v) of the 2CC model in original time.

    Eqs. (13)-(14) with the forcing terms of eqs. (24)-(25) multiplied by
    sqrt(I0) = K^(1/4) sqrt(i0) (the paper's rescaled time tau = sqrt(I0) t);
    nu and v from eqs. (16)-(17).  Inputs are sympy expressions.
    """
    s = K ** sp.Rational(1, 4) * sp.sqrt(i0)       # sqrt(I0)
    alpha = g0 / (K ** sp.Rational(3, 4) * sp.sqrt(i0))
    z1 = -alpha / (alpha - 2 * sp.I)                # zeta_1
    W = (1 - k1) / (1 + k1) + 2 * k2 / (1 + k1) ** 3
    nu = s / sp.pi * _re(W)
    v = -s * _im(W)
    q = 1 - z1 * k1
    dk1 = s * (2 * sp.I * k1 + sp.I * eta * ((1 + k1) ** 2 + k2) / 2) + K * nu * (
        z1 * (1 + k1) ** 2 / q + z1 * (1 + z1) ** 2 / q ** 3 * k2)
    dk2 = s * (4 * sp.I * k2 + 2 * sp.I * eta * (1 + k1) * k2) + K * nu * (
        z1 ** 2 * (1 + k1) ** 4 / q ** 2
        - k2 * (1 - 2 * (1 + z1) ** 2 / q ** 2 + 4 * (1 + z1) ** 3 / q ** 3
                - 3 * (1 + z1) ** 4 / q ** 4))
    return dk1, dk2, nu, v


def deterministic_rate(K, i0, g0):
    """Rate of the noise-free balance pi^2 nu^2 = I0 - g0 sqrt(K) nu (mean input only)."""
    I0 = i0 * math.sqrt(K)
    b = g0 * math.sqrt(K)
    return (-b + math.sqrt(b * b + 4 * math.pi ** 2 * I0)) / (2 * math.pi ** 2)


def oa_guess(model) -> complex:
    """kappa1 of the noise-free balanced state: pi nu - i v = sqrt(I0) (1-k)/(1+k), v = 0."""
    p = model.params
    sq = math.sqrt(p["i0"] * math.sqrt(p["K"]))
    w = math.pi * deterministic_rate(p["K"], p["i0"], p["g0"])
    return complex((sq - w) / (sq + w))


def _guess_2cc(model):
    k = oa_guess(model)
    return {"k1": k, "k2": 0j} if "k2" in model.states else {"k1": k}


@functools.lru_cache(maxsize=None)
def twocc_definition() -> ModelDefinition:
    """Two-circular-cumulant reduction (Ageeva & Goldobin 2025, eqs. 13-14, 24-25)."""
    (K, i0, g0, eta0, omega), params = _params()
    k1, k1s = complex_state("k1")
    k2, k2s = complex_state("k2")
    eta = eta0 * sp.cos(omega * TIME)
    dk1, dk2, nu, v = twocc_rhs(k1, k2, K, i0, g0, eta)
    return ModelDefinition.from_sympy(
        "shotnoise_2cc", states=[("k1", (k1, k1s)), ("k2", (k2, k2s))], params=params,
        rhs=[dk1, dk2], observables={"nu": nu, "v": v}, constraints=CONSTRAINTS,
        time_unit="tau_m", units=UNITS, forcing_amplitude="eta0", default_guess=_guess_2cc,
        description="2CC reduction of the shot-noise mean field (Ageeva & Goldobin 2025)")


@functools.lru_cache(maxsize=None)
def oa_definition() -> ModelDefinition:
    """Ott-Antonsen reduction: eqs. (13)/(24) with kappa2 = 0 (Ageeva & Goldobin 2025)."""
    (K, i0, g0, eta0, omega), params = _params()
    k1, k1s = complex_state("k1")
    eta = eta0 * sp.cos(omega * TIME)
    dk1, _, nu, v = twocc_rhs(k1, sp.Integer(0), K, i0, g0, eta)
    return ModelDefinition.from_sympy(
        "shotnoise_oa", states=[("k1", (k1, k1s))], params=params,
        rhs=[dk1], observables={"nu": nu, "v": v}, constraints=CONSTRAINTS,
        time_unit="tau_m", units=UNITS, forcing_amplitude="eta0", default_guess=_guess_2cc,
        description="Ott-Antonsen reduction of the shot-noise mean field (Ageeva & Goldobin 2025)")


@functools.lru_cache(maxsize=None)
def diffusion_2cc_definition() -> ModelDefinition:
    """2CC reduction of the diffusion approximation (derived in the module docstring).

    Differs from the printed eq. (30) of Ageeva & Goldobin (2025) by the factor
    1/2 of the drift term A ((1 + k1)^2 + k2), as eq. (29) requires.
    """
    (K, i0, g0, eta0, omega), params = _params()
    k1, k1s = complex_state("k1")
    k2, k2s = complex_state("k2")
    eta = eta0 * sp.cos(omega * TIME)
    dk1, dk2, nu, v = diffusion_twocc_rhs(k1, k2, K, i0, g0, eta)
    return ModelDefinition.from_sympy(
        "diffusion_2cc", states=[("k1", (k1, k1s)), ("k2", (k2, k2s))], params=params,
        rhs=[dk1, dk2], observables={"nu": nu, "v": v}, constraints=CONSTRAINTS,
        time_unit="tau_m", units=UNITS, forcing_amplitude="eta0", default_guess=_guess_2cc,
        description="2CC reduction of the diffusion approximation of the shot-noise "
                    "mean field (Ageeva & Goldobin 2025, eq. 29; eq. 30 corrected)")


def diffusion_twocc_rhs(k1, k2, K, i0, g0, eta):
    """d kappa1/dt, d kappa2/dt and (nu, v) of the diffusion 2CC model (sympy inputs).

    See the module docstring for the derivation from eq. (29).
    """
    s = K ** sp.Rational(1, 4) * sp.sqrt(i0)       # sqrt(I0)
    c = g0 ** 2 / (i0 * sp.sqrt(K))                 # alpha^2 K
    W = (1 - k1) / (1 + k1) + 2 * k2 / (1 + k1) ** 3
    nu = s / sp.pi * _re(W)
    v = -s * _im(W)
    A = eta - g0 * nu / i0
    dk1 = sp.I * s * (2 * k1 + A * ((1 + k1) ** 2 + k2) / 2) \
        - c * nu / 4 * ((1 + k1) ** 3 + 3 * k2 * (1 + k1))
    dk2 = sp.I * s * (4 * k2 + 2 * A * (1 + k1) * k2) \
        - c * nu / 4 * ((1 + k1) ** 4 + 12 * k2 * (1 + k1) ** 2)
    return dk1, dk2, nu, v


# --------------------------------------------------------------------------- #
# The chains: hand-written numba kernels (M = 64 is too large for sympy)        #
# --------------------------------------------------------------------------- #
# Parameter order of _params(): p = [K, i0, g0, eta0, omega].

@njit(cache=True)
def _modes(x):
    """z_0..z_{M+2} from the real-split state (z_0 = 1, z_{M+1} = z_{M+2} = 0)."""
    M = x.size // 2
    z = np.zeros(M + 3, dtype=np.complex128)
    z[0] = 1.0
    for n in range(1, M + 1):
        z[n] = complex(x[2 * n - 2], x[2 * n - 1])
    return z


@njit(cache=True)
def _scales(p):
    """(s, alpha, c): s = sqrt(I0), alpha = a/sqrt(I0), c = alpha^2 K = g0^2/(i0 sqrt(K))."""
    K, i0, g0 = p[0], p[1], p[2]
    s = math.sqrt(math.sqrt(K) * i0)
    return s, g0 / (math.sqrt(K) * s), g0 * g0 / (i0 * math.sqrt(K))


@njit(cache=True)
def _series_W(z, M):
    """W = 1 - 2 z_1 + 2 z_2 - ... (eq. 15): pi nu - i v = sqrt(I0) W."""
    W = 1.0 + 0j
    sign = -2.0
    for m in range(1, M + 1):
        W += sign * z[m]
        sign = -sign
    return W


@njit(cache=True)
def _put(out, n, val):
    out[2 * n - 2] = val.real
    out[2 * n - 1] = val.imag


@njit(cache=True)
def _add_block(J, n, m, c):
    """Add the real 2x2 block of multiplication by the complex number c at (z_n, z_m)."""
    i, j = 2 * n - 2, 2 * m - 2
    J[i, j] += c.real
    J[i, j + 1] -= c.imag
    J[i + 1, j] += c.imag
    J[i + 1, j + 1] += c.real


@njit(cache=True)
def _add_rate_column(J, M, s, dFdnu):
    """Add dF_n/dnu * dnu/dx: nu = (s/pi) Re W depends on Re z_m only, dnu/dRe z_m = 2 s (-1)^m / pi."""
    sign = -2.0 * s / math.pi
    for m in range(1, M + 1):
        j = 2 * m - 2
        for n in range(1, M + 1):
            J[2 * n - 2, j] += dFdnu[n].real * sign
            J[2 * n - 1, j] += dFdnu[n].imag * sign
        sign = -sign


@njit(cache=True)
def _coupling(T, z, M):
    """acc[n] = sum_{m=0}^{M} I_nm z_m for n = 0..M, with T[m, n] = I_nm (column order)."""
    acc = np.zeros(M + 1, dtype=np.complex128)
    for m in range(M + 1):
        zm = z[m]
        for n in range(M + 1):
            acc[n] += T[m, n] * zm
    return acc


# The coefficient matrix I_nm depends on alpha only (eq. 10) and costs more than the rest of
# the right-hand side (M = 64: 6.4 us to fill, 2.6 us to apply, 11 us per call of f).  A caller
# that evaluates f many times at fixed parameters (an integrator) passes the parameter vector
# extended by alpha and the matrix, ``kernel_parameters(model)``:
#     p = [K, i0, g0, eta0, omega, alpha, Re I_00, Im I_00, Re I_01, ...]  (T[m, n] = I_nm)
# The kernels use the stored matrix only when the stored alpha equals the alpha of p[0:3] and the
# size fits M, so a changed parameter cannot meet a stale matrix; otherwise they recompute it.
N_PARAMS = 5                 # K, i0, g0, eta0, omega
_ALPHA_SLOT = N_PARAMS       # p[5]: the alpha the stored matrix was computed for
_MATRIX_START = N_PARAMS + 1  # p[6:]: the matrix, complex128 pairs, C order T[m, n]


@njit(cache=True)
def _coefficient_matrix(p, alpha, M):
    """T[m, n] = I_nm (m, n = 0..M): the copy stored in ``p`` if it is for this alpha, else new."""
    size = (M + 1) * (M + 1)
    if p.size == _MATRIX_START + 2 * size and p[_ALPHA_SLOT] == alpha:
        return p[_MATRIX_START:].view(np.complex128).reshape((M + 1, M + 1))
    return fill_columns(alpha, np.empty((M + 1, M + 1), dtype=np.complex128))


@njit(cache=True)
def _with_coefficients(p, M):
    """p[:5] extended by alpha and T[m, n] = I_nm (the layout read by :func:`_coefficient_matrix`)."""
    alpha = _scales(p)[1]
    size = (M + 1) * (M + 1)
    out = np.empty(_MATRIX_START + 2 * size)
    out[:N_PARAMS] = p[:N_PARAMS]
    out[_ALPHA_SLOT] = alpha
    fill_columns(alpha, out[_MATRIX_START:].view(np.complex128).reshape((M + 1, M + 1)))
    return out


def kernel_parameters(model) -> np.ndarray:
    """The chain's parameter vector extended by its coefficient matrix (see above).

    ``f(t, x, kernel_parameters(model))`` equals ``f(t, x, model.p)`` bit for bit, about
    2.4 times faster at M = 64; integrators call it once per run
    (``extras["kernel_parameters"]``).
    """
    p = np.array(model.p, dtype=float)
    return _with_coefficients(p[:N_PARAMS].copy(), int(model.definition.structural["M"]))


@njit(cache=True)
def shotnoise_chain_f(t, x, p):
    """Right-hand side of the shot-noise chain, eqs. (6) and (23), real-split.

    ``p`` is [K, i0, g0, eta0, omega], optionally extended by alpha and I_nm
    (:func:`kernel_parameters`; same result, no recomputation of I_nm).
    """
    M = x.size // 2
    s, alpha, _ = _scales(p)
    K = p[0]
    eta = p[3] * math.cos(p[4] * t)
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    T = _coefficient_matrix(p, alpha, M)
    acc = _coupling(T, z, M)
    out = np.empty(2 * M)
    for n in range(1, M + 1):
        dz = 1j * n * s * ((2.0 + eta) * z[n] + 0.5 * eta * (z[n - 1] + z[n + 1])) \
            + K * nu * (acc[n] - z[n])
        _put(out, n, dz)
    return out


@njit(cache=True)
def shotnoise_chain_jac(t, x, p):
    """Jacobian of :func:`shotnoise_chain_f` (exact; nu enters through Re z_m; ``p`` as there)."""
    M = x.size // 2
    s, alpha, _ = _scales(p)
    K = p[0]
    eta = p[3] * math.cos(p[4] * t)
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    T = _coefficient_matrix(p, alpha, M)
    acc = _coupling(T, z, M)
    J = np.zeros((2 * M, 2 * M))
    dFdnu = np.zeros(M + 1, dtype=np.complex128)
    for n in range(1, M + 1):
        dFdnu[n] = K * (acc[n] - z[n])
        for m in range(1, M + 1):
            _add_block(J, n, m, K * nu * T[m, n])
        _add_block(J, n, n, 1j * n * s * (2.0 + eta) - K * nu)
        if n > 1:
            _add_block(J, n, n - 1, 0.5j * n * s * eta)
        if n < M:
            _add_block(J, n, n + 1, 0.5j * n * s * eta)
    _add_rate_column(J, M, s, dFdnu)
    return J


@njit(cache=True)
def _scale_derivatives(p):
    """d/dp of (log s, log alpha, log c) for p = [K, i0, g0, eta0, omega]: rows q, columns."""
    K, i0, g0 = p[0], p[1], p[2]
    out = np.zeros((5, 3))
    out[0, 0], out[0, 1], out[0, 2] = 0.25 / K, -0.75 / K, -0.5 / K
    out[1, 0], out[1, 1], out[1, 2] = 0.5 / i0, -0.5 / i0, -1.0 / i0
    out[2, 1], out[2, 2] = 1.0 / g0, 2.0 / g0
    return out


@njit(cache=True)
def _eta_derivatives(t, p):
    """eta = eta0 cos(omega t) and its derivatives by the five parameters."""
    eta0, omega = p[3], p[4]
    d = np.zeros(5)
    d[3] = math.cos(omega * t)
    d[4] = -eta0 * t * math.sin(omega * t)
    return eta0 * math.cos(omega * t), d


@njit(cache=True)
def shotnoise_chain_dfdp(t, x, p):
    """Parameter derivatives of :func:`shotnoise_chain_f` (exact; dI/dalpha by recurrence).

    nu and s scale like K^(1/4) i0^(1/2); alpha like g0 K^(-3/4) i0^(-1/2).
    """
    M = x.size // 2
    s, alpha, _ = _scales(p)
    K = p[0]
    eta, deta = _eta_derivatives(t, p)
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    T = np.empty((M + 1, M + 1), dtype=np.complex128)
    D = np.empty((M + 1, M + 1), dtype=np.complex128)
    fill_columns_dalpha(alpha, T, D)
    acc = _coupling(T, z, M)
    dacc = _coupling(D, z, M)
    L = _scale_derivatives(p)
    out = np.zeros((2 * M, 5))
    for q in range(5):
        ds = s * L[q, 0]                                   # d s / dq, and d nu/dq = nu L[q, 0]
        dKnu = K * nu * L[q, 0] + (nu if q == 0 else 0.0)  # d (K nu) / dq
        dalpha = alpha * L[q, 1]
        for n in range(1, M + 1):
            h = 0.5 * (z[n - 1] + z[n + 1])
            d = 1j * n * ds * ((2.0 + eta) * z[n] + eta * h) + 1j * n * s * deta[q] * (z[n] + h) \
                + dKnu * (acc[n] - z[n]) + K * nu * dalpha * dacc[n]
            out[2 * n - 2, q] = d.real
            out[2 * n - 1, q] = d.imag
    return out


@njit(cache=True)
def diffusion_chain_dfdp(t, x, p):
    """Parameter derivatives of :func:`diffusion_chain_f` (exact)."""
    M = x.size // 2
    s, _, c = _scales(p)
    i0, g0 = p[1], p[2]
    eta, deta = _eta_derivatives(t, p)
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    A = eta - g0 * nu / i0
    L = _scale_derivatives(p)
    out = np.zeros((2 * M, 5))
    for q in range(5):
        ds = s * L[q, 0]
        dnu = nu * L[q, 0]
        dc = c * L[q, 2]
        # A = eta - g0 nu / i0
        dA = deta[q] - g0 * dnu / i0
        if q == 1:
            dA += g0 * nu / (i0 * i0)
        elif q == 2:
            dA -= nu / i0
        for n in range(1, M + 1):
            zh = z[n] + 0.5 * (z[n - 1] + z[n + 1])
            d = 1j * n * ds * (2.0 * z[n] + A * zh) + 1j * n * s * dA * zh \
                - 0.5 * n * (dc * nu + c * dnu) * _diffusion_bracket(z, n)
            out[2 * n - 2, q] = d.real
            out[2 * n - 1, q] = d.imag
    return out


@njit(cache=True)
def chain_observables(t, x, p):
    """[nu, v, tail] of a chain state (eqs. 15, 17).

    ``tail`` = max(|z_{M-3}|, ..., |z_M|) / max_n |z_n|: how far the spectrum has decayed at
    the truncation (the measure of :func:`bifkit.truncation.tail`; Hopf points are off by
    ~300-1500 times it).
    """
    M = x.size // 2
    s = _scales(p)[0]
    z = _modes(x)
    W = _series_W(z, M)
    out = np.empty(3)
    out[0] = s / math.pi * W.real
    out[1] = -s * W.imag
    top, last = 0.0, 0.0
    for n in range(1, M + 1):
        a = abs(z[n])
        top = max(top, a)
        if n > M - 4:
            last = max(last, a)
    out[2] = last / top if top > 0 else 0.0
    return out


@njit(cache=True)
def _diffusion_bracket(z, n):
    """(n-1)/4 z_{n-2} + (n-1/2) z_{n-1} + 3n/2 z_n + (n+1/2) z_{n+1} + (n+1)/4 z_{n+2} (eq. 29)."""
    b = (n - 0.5) * z[n - 1] + 1.5 * n * z[n] + (n + 0.5) * z[n + 1] + 0.25 * (n + 1) * z[n + 2]
    if n >= 2:
        b += 0.25 * (n - 1) * z[n - 2]
    return b


@njit(cache=True)
def diffusion_chain_f(t, x, p):
    """Right-hand side of the diffusion-approximation chain, eq. (29), real-split."""
    M = x.size // 2
    s, _, c = _scales(p)
    i0, g0 = p[1], p[2]
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    A = p[3] * math.cos(p[4] * t) - g0 * nu / i0
    out = np.empty(2 * M)
    for n in range(1, M + 1):
        dz = 1j * n * s * (2.0 * z[n] + A * (z[n] + 0.5 * (z[n - 1] + z[n + 1]))) \
            - 0.5 * n * c * nu * _diffusion_bracket(z, n)
        _put(out, n, dz)
    return out


@njit(cache=True)
def diffusion_chain_jac(t, x, p):
    """Jacobian of :func:`diffusion_chain_f` (exact; nu enters through A and the diffusion)."""
    M = x.size // 2
    s, _, c = _scales(p)
    i0, g0 = p[1], p[2]
    z = _modes(x)
    nu = s / math.pi * _series_W(z, M).real
    A = p[3] * math.cos(p[4] * t) - g0 * nu / i0
    J = np.zeros((2 * M, 2 * M))
    dFdnu = np.zeros(M + 1, dtype=np.complex128)
    for n in range(1, M + 1):
        dFdnu[n] = -1j * n * s * g0 / i0 * (z[n] + 0.5 * (z[n - 1] + z[n + 1])) \
            - 0.5 * n * c * _diffusion_bracket(z, n)
        d = -0.5 * n * c * nu
        _add_block(J, n, n, 1j * n * s * (2.0 + A) + d * 1.5 * n)
        if n >= 2:
            _add_block(J, n, n - 1, 0.5j * n * s * A + d * (n - 0.5))
        if n >= 3:
            _add_block(J, n, n - 2, d * 0.25 * (n - 1))
        if n + 1 <= M:
            _add_block(J, n, n + 1, 0.5j * n * s * A + d * (n + 0.5))
        if n + 2 <= M:
            _add_block(J, n, n + 2, d * 0.25 * (n + 1))
    _add_rate_column(J, M, s, dFdnu)
    return J


# --------------------------------------------------------------------------- #
# Chain definitions                                                            #
# --------------------------------------------------------------------------- #
def _check_modes(M) -> int:
    if isinstance(M, bool) or not isinstance(M, (int, float, np.integer, np.floating)) \
            or not float(M).is_integer() or M < 2:
        raise ValueError(f"M = {M!r} is outside its valid range: the number of modes M "
                         f"must be an integer >= 2")
    return int(M)


def alpha_of(model) -> float:
    """Pulse size over sqrt(I0): alpha = g0 / (K^(3/4) sqrt(i0))."""
    p = model.params
    return p["g0"] / (p["K"] ** 0.75 * math.sqrt(p["i0"]))


def closure(k1: complex, k2: complex, M: int) -> np.ndarray:
    """z_1..z_M of the 2CC closure z_m = k1^m + m(m-1)/2 k2 k1^(m-2)."""
    m = np.arange(1, M + 1)
    k1 = complex(k1)
    powm2 = np.array([k1 ** (j - 2) if j >= 2 else 0.0 for j in m], dtype=complex)
    return k1 ** m + m * (m - 1) / 2 * complex(k2) * powm2


def _chain_guess(reduced_name):
    """Default guess of a chain: the closure of its 2CC model's equilibrium (OA if that fails)."""
    def guess(model):
        from bifkit.equilibrium import find_equilibrium
        from bifkit.errors import ConvergenceError
        from bifkit.registry import load_model
        M = model.definition.structural["M"]
        params = {**model.params, "eta0": 0.0}
        try:
            small = load_model(reduced_name, **params)
            st = find_equilibrium(small)
            k1, k2 = st["k1"], st["k2"]
            if not abs(k1) < 1:
                raise ConvergenceError("2CC equilibrium outside the unit disk")
        except ConvergenceError:
            k1, k2 = oa_guess(model), 0j
        return dict(zip(model.states, closure(k1, k2, M)))
    return guess


def _chain_definition(name, M, f, jac, dfdp, reduced, description, extras):
    M = _check_modes(M)
    _, params = _params()
    if [str(s) for s, _ in params] != ["K", "i0", "g0", "eta0", "omega"]:
        raise RuntimeError("the chain kernels assume p = [K, i0, g0, eta0, omega]")
    return ModelDefinition.from_kernels(
        name, [f"z{n}" for n in range(1, M + 1)], [f"z{n}" for n in range(1, M + 1)],
        [(str(s), v) for s, v in params], f, jac, dfdp=dfdp, observables=("nu", "v", "tail"),
        obs=chain_observables, constraints=CONSTRAINTS, time_unit="tau_m", units=UNITS,
        forcing_amplitude="eta0", default_guess=_chain_guess(reduced),
        description=description, structural={"M": M}, extras=extras)


@functools.lru_cache(maxsize=None)
def _shotnoise_chain(M: int) -> ModelDefinition:
    return _chain_definition(
        "shotnoise_chain", M, shotnoise_chain_f, shotnoise_chain_jac, shotnoise_chain_dfdp,
        "shotnoise_2cc",
        f"shot-noise mean field: chain of {M} Kuramoto-Daido parameters z_n "
        f"(Ageeva & Goldobin 2025, eqs. 6, 23)",
        {"alpha": alpha_of, "coefficients": lambda m: coefficients(alpha_of(m), M),
         "kernel_parameters": kernel_parameters})


@functools.lru_cache(maxsize=None)
def _diffusion_chain(M: int) -> ModelDefinition:
    return _chain_definition(
        "diffusion_chain", M, diffusion_chain_f, diffusion_chain_jac, diffusion_chain_dfdp,
        "diffusion_2cc",
        f"diffusion approximation of the shot-noise mean field: chain of {M} z_n "
        f"(Ageeva & Goldobin 2025, eq. 29)", {"alpha": alpha_of})


def chain_definition(M: int = 64) -> ModelDefinition:
    """Truncated z_n chain of the shot-noise mean field, M modes (eqs. 6, 23)."""
    return _shotnoise_chain(_check_modes(M))


def diffusion_chain_definition(M: int = 64) -> ModelDefinition:
    """Truncated z_n chain of the diffusion approximation, M modes (eq. 29)."""
    return _diffusion_chain(_check_modes(M))


chain_definition.structural = ("M",)
diffusion_chain_definition.structural = ("M",)
