"""The test zoo: classic systems with known bifurcations (issue 15).

Each factory returns a :class:`bifkit.Model` built with
:meth:`bifkit.ModelDefinition.from_sympy`, as a new user would write it.  The
closed-form facts the tests use are stated in each docstring with their
source; values that have no closed form come from AUTO-07p runs on the same
equations (``python validation/zoo_auto.py``, table in ``validation/ZOO.md``).

Kuznetsov = Yu. A. Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd
ed. (Springer 2004).  Conventions: l1 = Re c1 / omega and l2 = Re c2 / omega
(at l1 = 0) of the normal form w' = i omega w + c1 w|w|^2 + c2 w|w|^4 in the
coordinate x = q w + conj(q w) with <q, q> = 1 (Kuznetsov sec. 3.5, 8.3).  For a
system written in z = x + i y this gives z = sqrt(2) w: l1 = 2 Re(cubic)/omega,
l2 = 4 Re(quintic)/omega.

The names are prefixed ``zoo_`` so that their numba caches do not collide with
other tests' models.
"""
from __future__ import annotations

import math

import sympy as sp

import bifkit
from bifkit.model import ModelDefinition, real_symbols


def model_from_rhs(name, states, params, rhs):
    """Model from state names, {param: default} and ``rhs(**symbols)`` (list of sympy exprs)."""
    xs = real_symbols(" ".join(states))
    xs = xs if isinstance(xs, (list, tuple)) else [xs]
    ps = real_symbols(" ".join(params))
    ps = ps if isinstance(ps, (list, tuple)) else [ps]
    env = dict(zip(states, xs)) | dict(zip(params, ps))
    d = ModelDefinition.from_sympy(name, list(zip(states, xs)),
                                   [(s, v) for s, v in zip(ps, params.values())], rhs(**env))
    return bifkit.Model(d)


# ---------------------------------------------------------------- codim 1 normal forms
def saddle_node(**params):
    """x' = mu - x^2, y' = -y.  Fold (LP) at mu = 0, x = 0 (Kuznetsov eq. 3.1)."""
    return model_from_rhs("zoo_saddle_node", ["x", "y"], {"mu": 1.0} | params,
                  lambda x, y, mu: [mu - x ** 2, -y])


def transcritical(**params):
    """x' = mu x - x^2, y' = -y.  Branch point (BP) at mu = 0, x = 0: the branches x = 0
    and x = mu cross (Kuznetsov sec. 3.3 exercise)."""
    return model_from_rhs("zoo_transcritical", ["x", "y"], {"mu": -1.0} | params,
                  lambda x, y, mu: [mu * x - x ** 2, -y])


def pitchfork(**params):
    """x' = mu x - x^3, y' = -y.  Branch point (BP) at mu = 0 on x = 0; x = +-sqrt(mu)."""
    return model_from_rhs("zoo_pitchfork", ["x", "y"], {"mu": -1.0} | params,
                  lambda x, y, mu: [mu * x - x ** 3, -y])


def hopf(**params):
    """Hopf normal form in Cartesian form (Kuznetsov eq. 3.18 with c1 = a + i b):

        z' = (mu + i w) z + (a + i b) z |z|^2,   z = x + i y.

    Hopf at mu = 0 with omega = w and l1 = 2 a / w (closed form, module doc).  For a < 0 the
    cycle has radius R = sqrt(-mu / a), period 2 pi / (w + b R^2) and
    nontrivial multiplier exp(-2 mu T).
    """
    def rhs(x, y, mu, w, a, b):
        r2 = x ** 2 + y ** 2
        return [mu * x - w * y + r2 * (a * x - b * y), w * x + mu * y + r2 * (b * x + a * y)]
    return model_from_rhs("zoo_hopf", ["x", "y"], {"mu": -0.5, "w": 1.5, "a": -1.0, "b": 0.5} | params,
                  rhs)


def bautin(**params):
    """Bautin (generalised Hopf) normal form, Kuznetsov eq. 8.21 with complex cubic term:

        z' = (mu + i w) z + (nu + i b) z |z|^2 + s z |z|^4.

    Hopf curve mu = 0 with l1 = 2 nu / w; GH point at mu = nu = 0 with
    l2 = 4 s / w (closed form, module doc: at Re c1 = 0 the radial equation in
    the angle is dr/dphi = r (Re c2 / w) r^4 + ...).  Fold of cycles (LPC) where
    mu + nu R^2 + s R^4 = 0 = nu + 2 s R^2: mu = nu^2 / (4 s), R^2 = -nu / (2 s).
    """
    def rhs(x, y, mu, nu, w, b, s):
        r2 = x ** 2 + y ** 2
        g = nu * r2 + s * r2 ** 2
        return [mu * x - w * y + g * x - b * r2 * y, w * x + mu * y + g * y + b * r2 * x]
    return model_from_rhs("zoo_bautin", ["x", "y"],
                  {"mu": -0.2, "nu": -1.0, "w": 2.0, "b": 0.3, "s": -1.0} | params, rhs)


def bogdanov_takens(**params):
    """Bogdanov-Takens normal form (Kuznetsov eq. 8.52, s = -1):

        x' = y,   y' = b1 + b2 x + x^2 - x y.

    Equilibria x = (-b2 +- sqrt(b2^2 - 4 b1)) / 2, y = 0; folds on b2^2 = 4 b1;
    the Jacobian has trace -x and determinant -(b2 + 2 x), so Hopf where x = 0
    and -b2 > 0: b1 = 0, b2 < 0, omega = sqrt(-b2).  BT at
    b1 = b2 = 0 with normal-form coefficients a = 1, b = -1 (the form itself).
    The cycle from the Hopf point at fixed b2 < 0 ends in a homoclinic orbit
    (Kuznetsov sec. 8.4: b1 ~ -(6/25) b2^2 to leading order); planar, so its
    cycle branch has no PD, NS and (near the Hopf point) no LPC.
    """
    return model_from_rhs("zoo_bt", ["x", "y"], {"b1": 0.0, "b2": -1.0} | params,
                  lambda x, y, b1, b2: [y, b1 + b2 * x + x ** 2 - x * y])


def fold_hopf(**params):
    """Fold-Hopf (zero-Hopf) truncated normal form (Kuznetsov eq. 8.80 type):

        x' = b1 + x^2 + s (y^2 + z^2),
        y' = (b2 + th x) y - w z,   z' = w y + (b2 + th x) z.

    Equilibria x = +-sqrt(-b1), y = z = 0 with eigenvalues 2x, b2 + th x +- i w.
    Fold curve b1 = 0; Hopf curve b1 = -(b2 / th)^2 (x = -b2 / th); the ZH point
    is b1 = b2 = 0 with eigenvalues 0, +-i w.
    """
    def rhs(x, y, z, b1, b2, s, th, w):
        return [b1 + x ** 2 + s * (y ** 2 + z ** 2), (b2 + th * x) * y - w * z,
                w * y + (b2 + th * x) * z]
    return model_from_rhs("zoo_fold_hopf", ["x", "y", "z"],
                  {"b1": -1.0, "b2": 0.0, "s": 1.0, "th": -2.0, "w": 1.0} | params, rhs)


def double_hopf(**params):
    """Two Hopf normal forms with a cubic coupling (double-Hopf, Kuznetsov sec. 8.6):

        z1' = (m1 + i w1) z1 - z1 |z1|^2 + c z1 |z2|^2,
        z2' = (m2 + i w2) z2 - z2 |z2|^2 + c z2 |z1|^2.

    The origin has eigenvalues m1 +- i w1, m2 +- i w2: Hopf curves m1 = 0 and
    m2 = 0, HH at m1 = m2 = 0 (frequencies w1, w2).
    """
    def rhs(x1, y1, x2, y2, m1, m2, w1, w2, c):
        r1, r2 = x1 ** 2 + y1 ** 2, x2 ** 2 + y2 ** 2
        return [m1 * x1 - w1 * y1 - r1 * x1 + c * r2 * x1, w1 * x1 + m1 * y1 - r1 * y1 + c * r2 * y1,
                m2 * x2 - w2 * y2 - r2 * x2 + c * r1 * x2, w2 * x2 + m2 * y2 - r2 * y2 + c * r1 * y2]
    return model_from_rhs("zoo_double_hopf", ["x1", "y1", "x2", "y2"],
                  {"m1": -1.0, "m2": -0.5, "w1": 1.0, "w2": math.sqrt(2.0), "c": 0.5} | params,
                  rhs)


# ---------------------------------------------------------------- classic systems
def lorenz(**params):
    """Lorenz 1963: x' = sigma (y - x), y' = r x - y - x z, z' = x y - b z.

    Pitchfork (BP) at r = 1; Hopf of the nontrivial equilibria at
    r = sigma (sigma + b + 3) / (sigma - b - 1) = 470/19 for sigma = 10, b = 8/3
    (closed form), subcritical (l1 > 0).  The cycle born there grows to the
    homoclinic orbit at r ~ 13.926 (Kaplan & Yorke 1979; Sparrow 1982).
    """
    return model_from_rhs("zoo_lorenz", ["x", "y", "z"],
                  {"sigma": 10.0, "r": 20.0, "b": 8.0 / 3.0} | params,
                  lambda x, y, z, sigma, r, b: [sigma * (y - x), r * x - y - x * z, x * y - b * z])


def lorenz_hopf_r(sigma=10.0, b=8.0 / 3.0):
    """Closed-form Hopf value of r of the Lorenz system (nontrivial equilibria)."""
    return sigma * (sigma + b + 3.0) / (sigma - b - 1.0)


def rossler(**params):
    """Rossler 1976: x' = -y - z, y' = x + a y, z' = b + z (x - c).

    Its cycle undergoes the period-doubling cascade as c grows (a = b = 0.1);
    PD values from AUTO-07p (validation/zoo_auto.py).
    """
    return model_from_rhs("zoo_rossler", ["x", "y", "z"], {"a": 0.1, "b": 0.1, "c": 4.0} | params,
                  lambda x, y, z, a, b, c: [-y - z, x + a * y, b + z * (x - c)])


def brusselator(**params):
    """Brusselator: x' = A - (B + 1) x + x^2 y, y' = B x - x^2 y.

    Equilibrium (A, B / A); Hopf at B = 1 + A^2 with omega = A (closed form:
    trace B - 1 - A^2, determinant A^2); supercritical.
    """
    return model_from_rhs("zoo_brusselator", ["x", "y"], {"A": 1.0, "B": 1.5} | params,
                  lambda x, y, A, B: [A - (B + 1) * x + x ** 2 * y, B * x - x ** 2 * y])


def ab(**params):
    """AUTO-07p demo 'ab': the A -> B reaction in a CSTR (Uppal, Ray & Poore 1974):

        u1' = -u1 + D (1 - u1) exp(u2),
        u2' = -u2 + B D (1 - u1) exp(u2) - beta u2.

    Equilibria parametrised by u2: u1 = (1 + beta) u2 / B,
    D = u1 exp(-u2) / (1 - u1) (closed form); folds where det J = 0, Hopf
    where tr J = 0 < det J, each a 1-D root in u2 (:func:`ab_roots`).
    """
    def rhs(u1, u2, D, B, beta):
        e = sp.exp(u2)
        return [-u1 + D * (1 - u1) * e, -u2 + B * D * (1 - u1) * e - beta * u2]
    return model_from_rhs("zoo_ab", ["u1", "u2"], {"D": 0.0, "B": 14.0, "beta": 2.0} | params, rhs)


def ab_equilibrium(u2, B=14.0, beta=2.0):
    """(u1, D) of the 'ab' equilibrium with second component u2 (closed form)."""
    u1 = (1.0 + beta) * u2 / B
    return u1, u1 * math.exp(-u2) / (1.0 - u1)


def ab_trace_det(u2, B=14.0, beta=2.0):
    """Trace and determinant of the 'ab' Jacobian at the equilibrium with u2 (closed form).

    With g = D (1 - u1) e^{u2} = u1:  J = [[-1 - D e, u1], [-B D e, -1 - beta + B u1]]
    where D e = u1 / (1 - u1).
    """
    u1, _ = ab_equilibrium(u2, B, beta)
    de = u1 / (1.0 - u1)
    j11, j12, j21, j22 = -1.0 - de, u1, -B * de, -1.0 - beta + B * u1
    return j11 + j22, j11 * j22 - j12 * j21


def fitzhugh_nagumo(**params):
    """FitzHugh-Nagumo neuron: v' = v - v^3/3 - w + I, w' = eps (v + a - b w).

    Equilibrium w = (v + a) / b, I = w - v + v^3 / 3; Hopf where the trace
    1 - v^2 - eps b vanishes: v = +-sqrt(1 - eps b) (closed form).  Planar: no
    PD or NS on its cycles.
    """
    return model_from_rhs("zoo_fhn", ["v", "w"], {"I": 0.0, "a": 0.7, "b": 0.8, "eps": 0.08} | params,
                  lambda v, w, I, a, b, eps: [v - v ** 3 / 3 - w + I, eps * (v + a - b * w)])


def fhn_hopf(a=0.7, b=0.8, eps=0.08):
    """The two Hopf points (I, v) of FitzHugh-Nagumo in I, closed form, sorted by I."""
    out = []
    for v in (-math.sqrt(1.0 - eps * b), math.sqrt(1.0 - eps * b)):
        w = (v + a) / b
        out.append((w - v + v ** 3 / 3.0, v))
    return sorted(out)


def skew_torus(**params):
    """A limit cycle driving a damped/excited oscillator (skew product, cheap NS example):

        z1' = (1 + i) z1 - z1 |z1|^2,     z2' = (mu + i w2) z2 - z2 |z2|^2.

    The cycle |z1| = 1, z2 = 0 has period T = 2 pi and, besides the trivial multiplier
    and exp(-2 T), the pair exp((mu +- i w2) T) (closed form): Neimark-Sacker at mu = 0;
    on the NS curve mu = 0 the strong resonances sit at w2 T = 2 pi k / q, i.e. R1 at
    w2 = 1, R2 at 1/2 and 3/2, R3 at 2/3 and 4/3, R4 at 3/4 and 5/4 (mod 1).  Being
    decoupled, the R1 point has a semisimple double multiplier 1 (not the generic Jordan block).
    """
    def rhs(x1, y1, x2, y2, mu, w2):
        r1, r2 = x1 ** 2 + y1 ** 2, x2 ** 2 + y2 ** 2
        return [x1 - y1 - r1 * x1, x1 + y1 - r1 * y1,
                mu * x2 - w2 * y2 - r2 * x2, w2 * x2 + mu * y2 - r2 * y2]
    return model_from_rhs("zoo_skew_torus", ["x1", "y1", "x2", "y2"],
                          {"mu": -0.2, "w2": 0.7} | params, rhs)


def bautin_oscillator(**params):
    """Bautin normal form (:func:`bautin`) times a decoupled linear oscillator

        u' = beta u - om v,   v' = om u + beta v.

    The product cycle (Bautin cycle, u = v = 0) has the Bautin multipliers and
    exp((beta +- i om) T): on the fold of cycles mu = nu^2 / (4 s) (any beta) the pair
    crosses the unit circle at beta = 0: an LPNS point (fold - Neimark-Sacker), closed
    form beta = 0, mu = nu^2 / (4 s), unless om T is a multiple of pi.
    """
    def rhs(x, y, u, v, mu, nu, w, b, s, beta, om):
        r2 = x ** 2 + y ** 2
        g = nu * r2 + s * r2 ** 2
        return [mu * x - w * y + g * x - b * r2 * y, w * x + mu * y + g * y + b * r2 * x,
                beta * u - om * v, om * u + beta * v]
    return model_from_rhs("zoo_bautin_osc", ["x", "y", "u", "v"],
                          {"mu": -0.2, "nu": 0.5, "w": 2.0, "b": 0.3, "s": -1.0, "beta": -0.3,
                           "om": 0.7} | params, rhs)
