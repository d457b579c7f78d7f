"""Bivariate truncated Taylor series ("jets") for Hopf normal forms without derivative tensors.

The Hopf / Bautin normal form (:func:`bifkit.continuation.degeneracy.hopf_normal_form`)
needs, order by order, the coefficients of w^j conj(w)^k (j + k = degree <= 5) of
f(x0 + H(w, conj w)), H the centre-manifold expansion found so far (Kuznetsov 1999,
"Numerical normalization techniques for all codim 2 bifurcations of equilibria in ODE's",
SIAM J. Numer. Anal. 36, 1104).  The derivative tensors of order k have n^(k+1) entries,
and complex-valued models would first need sympy's (very slow) real/imaginary split.
Here the model's sympy right-hand sides are evaluated directly on truncated series in the
two variables (w, wbar): automatic differentiation of all orders at once.

* :class:`Jet` -- coefficients c[j, k] of w^j wbar^k, j + k <= degree, complex; +, -, *, /,
  powers and the analytic functions sympy prints for the models (exp, log, sqrt, sin, cos,
  tan, sinh, cosh, tanh).
* :class:`JetRHS` -- a model's rows lambdified once onto Jets (a module dictionary, not
  strings from users); complex rows ("re"/"im" parts) are split on the series:
  Re E = (E + E*) / 2 with E*[j, k] = conj(E[k, j]) (the conjugate of a function of
  (w, wbar)), so no symbolic expand_complex is needed.
* :class:`JetForms` -- what ``hopf_normal_form`` needs at a point: the Jacobian ``A`` and
  :meth:`JetForms.nonlinear_coefficient`.

Written for this project from the published method; no code from other packages.
"""
from __future__ import annotations

import cmath
import logging
import math

import numpy as np
import sympy as sp

from .degeneracy import finite_point, symbolic_form

log = logging.getLogger("bifkit.continuation.jets")

#: sympy function classes a JetRHS can evaluate (all analytic where the model is evaluated)
SUPPORTED = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh"}


def _triangle(degree):
    j, k = np.indices((degree + 1, degree + 1))
    return (j + k) <= degree


class Jet:
    """A truncated series sum c[j, k] w^j wbar^k over j + k <= degree (complex coefficients).

    Parameters
    ----------
    c : (degree + 1, degree + 1) complex array
        Entries with j + k > degree are ignored (set to 0).
    """

    __slots__ = ("c", "degree")
    __array_priority__ = 1000          # numpy scalars defer to Jet's operators

    def __init__(self, c):
        c = np.array(c, dtype=complex)
        self.degree = c.shape[0] - 1
        c[~_triangle(self.degree)] = 0.0
        self.c = c

    @classmethod
    def constant(cls, value, degree):
        c = np.zeros((degree + 1, degree + 1), complex)
        c[0, 0] = value
        return cls(c)

    # ------------------------------------------------------------ arithmetic
    def _coerce(self, other):
        if isinstance(other, Jet):
            if other.degree != self.degree:
                raise ValueError(f"jets of degrees {self.degree} and {other.degree} mixed")
            return other
        if isinstance(other, (int, float, complex, np.number)):
            return Jet.constant(complex(other), self.degree)
        return NotImplemented

    def __add__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is NotImplemented else Jet(self.c + o.c)

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.c)

    def __pos__(self):
        return self

    def __sub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is NotImplemented else Jet(self.c - o.c)

    def __rsub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is NotImplemented else Jet(o.c - self.c)

    def __mul__(self, other):
        if isinstance(other, (int, float, complex, np.number)):
            return Jet(self.c * other)
        o = self._coerce(other)
        if o is NotImplemented:
            return o
        d = self.degree
        out = np.zeros_like(self.c)
        for j, k in zip(*np.nonzero(self.c)):
            out[j:, k:] += self.c[j, k] * o.c[:d + 1 - j, :d + 1 - k]
        return Jet(out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, (int, float, complex, np.number)):
            return Jet(self.c / other)
        o = self._coerce(other)
        return NotImplemented if o is NotImplemented else self * o._reciprocal()

    def __rtruediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is NotImplemented else o * self._reciprocal()

    def __pow__(self, r):
        if isinstance(r, Jet):
            return exp(r * log(self))
        if isinstance(r, (int, np.integer)) or (isinstance(r, float) and r.is_integer()
                                                and abs(r) <= 64):
            m = int(r)
            base = self if m >= 0 else self._reciprocal()
            out = Jet.constant(1.0, self.degree)
            for _ in range(abs(m)):
                out = out * base
            return out
        if isinstance(r, (float, complex, np.number)):
            a = self.c[0, 0]
            if a == 0:
                raise ValueError(f"non-integer power {r} of a series with zero constant term "
                                 "(not differentiable there)")
            return self._series(lambda m: _binom(r, m) * complex(a) ** (r - m))
        return NotImplemented

    def __rpow__(self, base):
        if isinstance(base, (int, float, complex, np.number)):
            return exp(self * cmath.log(complex(base)))
        return NotImplemented

    # ------------------------------------------------------------ helpers
    def _series(self, deriv_over_fact):
        """sum_m a_m u^m with u = self - c00 and a_m = deriv_over_fact(m) (a Taylor series of
        a function of one variable at c00, the m-th derivative over m!)."""
        u = Jet(self.c.copy())
        u.c[0, 0] = 0.0
        out = Jet.constant(deriv_over_fact(0), self.degree)
        um = Jet.constant(1.0, self.degree)
        for m in range(1, self.degree + 1):
            um = um * u
            out = out + um * deriv_over_fact(m)
        return out

    def _reciprocal(self):
        a = self.c[0, 0]
        if a == 0:
            raise ZeroDivisionError("division by a series with zero constant term")
        return self._series(lambda m: (-1) ** m / a ** (m + 1))

    def conj_swap(self):
        """The complex conjugate as a function of (w, wbar): c*[j, k] = conj(c[k, j])."""
        return Jet(np.conj(self.c.T))

    def __repr__(self):
        return f"Jet(degree={self.degree}, c00={self.c[0, 0]!r})"


def _binom(r, m):
    out = 1.0 + 0j
    for i in range(m):
        out *= (r - i) / (i + 1)
    return out


def exp(x):
    if not isinstance(x, Jet):
        return cmath.exp(x) if isinstance(x, complex) else math.exp(x)
    e0 = cmath.exp(x.c[0, 0])
    return x._series(lambda m: e0 / math.factorial(m))


def log(x):
    if not isinstance(x, Jet):
        return cmath.log(x) if isinstance(x, complex) or x <= 0 else math.log(x)
    a = x.c[0, 0]
    if a == 0:
        raise ValueError("log of a series with zero constant term")
    return x._series(lambda m: cmath.log(a) if m == 0 else (-1) ** (m + 1) / (m * a ** m))


def sqrt(x):
    if not isinstance(x, Jet):
        return cmath.sqrt(x) if isinstance(x, complex) or x < 0 else math.sqrt(x)
    a = x.c[0, 0]
    if a == 0:
        raise ValueError("sqrt of a series with zero constant term (not differentiable there)")
    s = cmath.sqrt(a)
    return x._series(lambda m: _binom(0.5, m) * s / a ** m)


def _cyclic(x, derivs):
    """Series of sin or cos at x's constant term from its derivative cycle ``derivs``."""
    a = x.c[0, 0]
    vals = [d(a) for d in derivs]
    return x._series(lambda m: vals[m % 4] / math.factorial(m))


def sin(x):
    if not isinstance(x, Jet):
        return cmath.sin(x) if isinstance(x, complex) else math.sin(x)
    return _cyclic(x, (cmath.sin, cmath.cos, lambda a: -cmath.sin(a), lambda a: -cmath.cos(a)))


def cos(x):
    if not isinstance(x, Jet):
        return cmath.cos(x) if isinstance(x, complex) else math.cos(x)
    return _cyclic(x, (cmath.cos, lambda a: -cmath.sin(a), lambda a: -cmath.cos(a), cmath.sin))


def tan(x):
    return sin(x) / cos(x)


def sinh(x):
    return (exp(x) - exp(-x)) / 2


def cosh(x):
    return (exp(x) + exp(-x)) / 2


def tanh(x):
    if not isinstance(x, Jet):
        return cmath.tanh(x) if isinstance(x, complex) else math.tanh(x)
    return 1 - 2 / (exp(2 * x) + 1)


_MODULE = {"exp": exp, "log": log, "sqrt": sqrt, "sin": sin, "cos": cos, "tan": tan,
           "sinh": sinh, "cosh": cosh, "tanh": tanh, "pi": math.pi, "E": math.e,
           "I": 1j}


class JetRHS:
    """A symbolic model's right-hand side evaluated on :class:`Jet` states.

    Parameters
    ----------
    model : bifkit.Model
        Defined symbolically (``model.symbolic``); real or complex states.  The rows are
        lambdified once (complex rows kept complex, split on the series).

    Raises
    ------
    ValueError
        Without a symbolic form, or when a row uses a function that is not analytic or
        not supported (Abs, Min, Max, Heaviside, re, im, ...: listed by name).
    """

    def __init__(self, model):
        sym = symbolic_form(model, "the jet normal forms")
        self.n = len(sym.x)
        rows = [e.subs(sym.t, 0) if sym.t is not None else e for e, _ in sym.rows]
        bad = set()
        for e in rows:
            for a in sp.preorder_traversal(e):
                if isinstance(a, sp.Function) and type(a).__name__ not in SUPPORTED:
                    bad.add(type(a).__name__)
        if bad:
            raise ValueError(f"model {model.name!r}: the jet normal form cannot evaluate "
                             f"{sorted(bad)} (only analytic {sorted(SUPPORTED)})")
        self.parts = [part for _, part in sym.rows]
        args = list(sym.x) + list(sym.p)
        self._fn = sp.lambdify(args, rows, modules=[_MODULE])

    def __call__(self, xs, p):
        """The n real rows at the states ``xs`` (Jets or numbers) and parameters ``p``."""
        vals = self._fn(*xs, *[float(v) for v in p])
        out = []
        for v, part in zip(vals, self.parts):
            if not isinstance(v, Jet):          # a row that does not depend on the states
                v = Jet.constant(complex(v), xs[0].degree if isinstance(xs[0], Jet) else 0)
            if part == "re":
                v = (v + v.conj_swap()) * 0.5
            elif part == "im":
                v = (v - v.conj_swap()) * (-0.5j)
            out.append(v)
        return out

    def at(self, x, p) -> "JetForms":
        x, p = finite_point(x, p, self.n)
        return JetForms(self, x, p)


class JetForms:
    """Jacobian ``A`` and the normal-form nonlinearity N(H) at (x, p), from jets.

    ``A[i, j]`` = d f_i / d x_j: the w coefficient of f(x + e_j (w + wbar)) (exact: the
    jets differentiate automatically).  The centre-manifold expansion H passed to
    :meth:`nonlinear_coefficient` must be real (H[k, j] = conj(H[j, k])), as
    ``hopf_normal_form`` keeps it: complex rows are split on that assumption.
    """

    def __init__(self, rhs: JetRHS, x, p):
        self.rhs, self.x, self.p = rhs, x, p
        n = rhs.n
        A = np.zeros((n, n))
        for j in range(n):
            # x_j + w + wbar: a real perturbation (the re/im split needs real states)
            xs = [self._state(i, {(1, 0): 1.0, (0, 1): 1.0} if i == j else {}, 1)
                  for i in range(n)]
            A[:, j] = [v.c[1, 0].real for v in rhs(xs, p)]
        self.A = A

    def _state(self, i, items, degree):
        c = np.zeros((degree + 1, degree + 1), complex)
        c[0, 0] = self.x[i]
        for (j, k), v in items.items():
            if j + k <= degree:
                c[j, k] += v
        return Jet(c)

    def nonlinear_coefficient(self, H, degree):
        """{(j, k): coefficient of w^j wbar^k (j + k = degree) of f(x + H(w, wbar))}.

        Equal to N(H) = sum_m d^m f[H, ..., H] / m! of the tensor path as long as H holds
        items of degree < ``degree`` only (then the linear part A H adds nothing here).
        """
        n = self.rhs.n
        xs = [self._state(i, {key: vec[i] for key, vec in H.items()}, degree)
              for i in range(n)]
        vals = self.rhs(xs, self.p)
        return {(j, degree - j): np.array([v.c[j, degree - j] for v in vals])
                for j in range(degree, -1, -1)}
