"""Degenerate points told apart: ZH, HH, genuine BT, genuine CP, l2 at GH (issue 15).

Functions the continuation engine calls at a candidate codimension-2 point,
given the model (its exact sympy derivatives) and the point (x, p):

* :func:`classify_spectrum` -- which critical eigenvalues the Jacobian has:
  "LP" (one zero), "H" (one pair +-i w), "ZH" (zero and +-i w), "HH" (two
  pairs), "BT" (a double zero with one eigenvector: a Jordan block),
  "ZZ" (a double zero with two eigenvectors: not BT), or "regular".  A Hopf
  label (and l1) must not be produced unless this says "H": at a ZH point the
  Jacobian is singular and l1 is meaningless.
* :func:`bt_coefficients` -- Bogdanov-Takens normal-form coefficients a, b
  (Kuznetsov 2004, eq. 8.54 / sec. 8.7.3); a genuine BT needs a != 0, b != 0.
* :func:`cusp_coefficient` -- the cusp coefficient c and the checks a genuine
  CP needs (c != 0, one zero eigenvalue, the parameters move the fold).
* :func:`hopf_normal_form` -- c1 and c2 of w' = i w0 w + c1 w|w|^2 + c2 w|w|^4
  on the centre manifold, hence l1 = Re c1 / w0 and, at a Bautin (GH) point,
  l2 = Re c2 / w0 (Kuznetsov 2004, sec. 8.3; Kuznetsov 1999, "Numerical
  normalization techniques for all codim 2 bifurcations of equilibria in
  ODE's", SIAM J. Numer. Anal. 36, 1104).

Method.  All coefficients come from one routine that solves the homological
equation order by order (the "numerical normalization" of Kuznetsov 1999):
the centre manifold x = H(w, conj w) = q w + conj(q w) + sum h_jk w^j conj(w)^k
and the normal form w' = sum g_jk w^j conj(w)^k satisfy

    H_w w' + H_wbar wbar' = A H + N(H),   N = B/2! + C/3! + D/4! + E/5!,

and the coefficient of w^j conj(w)^k gives (i (j - k) w0 - A) h_jk = rhs, with
the resonant terms (j - k = 1) put into g_jk by the solvability condition
<p, rhs> = 0.  The multilinear forms B..E are the exact derivatives of the
model's sympy right-hand sides (:class:`SymbolicDerivatives`), not finite
differences.  Normalisation as :mod:`normal_forms` (Kuznetsov): A q = i w0 q,
A^T p = -i w0 p, <q, q> = 1, <p, q> = conj(p) . q = 1; so l1 agrees with
``normal_forms.first_lyapunov_coefficient``.  Written for this project from
the published method; no code taken from MatCont, AUTO-07p or BifurcationKit.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

log = logging.getLogger("bifkit.continuation.degeneracy")


# ---------------------------------------------------------------- derivatives
def symbolic_form(model, needed_for: str):
    """``model.symbolic`` (its sympy right-hand sides), or a ValueError naming the model and
    what needs them (``needed_for``, e.g. "degeneracy tests").  The one check of the
    routines that work on the symbolic rows: :class:`SymbolicDerivatives` and
    :class:`bifkit.continuation.jets.JetRHS`."""
    sym = getattr(model, "symbolic", None)
    if sym is None:
        raise ValueError(f"model {getattr(model, 'name', model)!r} has no symbolic form: "
                         f"{needed_for} need its sympy right-hand sides")
    return sym


def finite_point(x, p, n: int):
    """(x, p) as float arrays, or a ValueError when x does not have ``n`` entries or a value
    is not finite.  The point check of :meth:`SymbolicDerivatives.at` and
    :meth:`bifkit.continuation.jets.JetRHS.at`."""
    x = np.asarray(x, float)
    p = np.asarray(p, float)
    if x.shape != (n,):
        raise ValueError(f"x must have {n} entries; got shape {x.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(p))):
        raise ValueError("x and p must be finite")
    return x, p


class SymbolicDerivatives:
    """Exact derivative tensors of a model's right-hand side, evaluated numerically.

    ``SymbolicDerivatives(model).at(x, p)`` returns :class:`Forms` at the point.
    Tensors are built by sympy once per order (orders up to 5, each from the one
    below), printed as Python source of their nonzero entries and kept in the kernel
    cache directory, so another process loads them instead of differentiating again.

    Parameters
    ----------
    model : bifkit.Model
        A model defined symbolically (``model.symbolic`` is not None).
    """

    def __init__(self, model):
        sym = symbolic_form(model, "degeneracy tests")
        self.n = len(sym.x)
        self._args = list(sym.x) + list(sym.p)
        self._t = sym.t
        self._f = sp.Array(sym.f)
        self._p = list(sym.p)
        self._fn = {}
        self._arr = {0: self._f}           # symbolic d^k f / dx^k, built on each other
        self._key = None

    def _derivative_array(self, k):
        if k not in self._arr:
            self._arr[k] = sp.derive_by_array(self._derivative_array(k - 1), self._x_syms())
        return self._arr[k]

    def _at_t0(self, arr):
        return arr.subs(self._t, 0) if self._t is not None else arr

    def _tensor_fn(self, k):
        if k not in self._fn:
            self._fn[k] = self._cached(
                f"x{k}", lambda: [self._at_t0(self._derivative_array(k))])[0]
        return self._fn[k]

    def _x_syms(self):
        return self._args[:self.n]

    def _param_fn(self):
        if "p" not in self._fn:
            def build():
                fp = sp.derive_by_array(self._f, self._p)                    # (np, n)
                fxp = sp.derive_by_array(self._derivative_array(1), self._p)
                return [self._at_t0(fp), self._at_t0(fxp)]
            self._fn["p"] = tuple(self._cached("p", build))
        return self._fn["p"]

    def _cached(self, tag, build):
        """Functions of (x, p) for the arrays ``build()`` returns, from the disk cache.

        Building a 5th-order tensor and lambdifying it takes ~1 s for the E-I model (every
        process that locates a GH point paid it); its printed source is kept in the
        kernel cache (:func:`bifkit.codegen.cache_dir`), keyed by the sympy form of the
        model's right-hand side, and loaded in milliseconds.  A damaged or unreadable file
        is rebuilt; an expression the NumPy printer cannot write is lambdified uncached.
        """
        from ..codegen import cache_dir
        if self._key is None:
            self._key = sp.srepr((self._f, self._args, self._t))
        digest = hashlib.sha256(f"{_DERIV_CACHE_VERSION}|{sp.__version__}|{tag}|"
                                f"{self._key}".encode()).hexdigest()[:20]
        try:
            path = cache_dir() / f"bifkit_derivs_{digest}.py"
        except OSError:
            path = None
        if path is not None and path.exists():
            try:
                return _load_functions(path.read_text(), str(path))
            except Exception as exc:  # noqa: BLE001 (any damage: syntax, truncation, I/O)
                log.warning("cached derivative source %s failed to load (%s: %s); rebuilding",
                            path, type(exc).__name__, exc)
        arrays = build()
        try:
            text = _function_source(arrays, self._args)
        except Exception as exc:  # noqa: BLE001 (a function the printer cannot write)
            log.info("derivatives lambdified without the disk cache (%s: %s)",
                     type(exc).__name__, exc)
            return [sp.lambdify(self._args, a.tolist(), "numpy") for a in arrays]
        fns = _load_functions(text, "<derivatives>")
        if path is not None:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            try:
                tmp.write_text(text)
                os.replace(tmp, path)      # atomic: concurrent processes never see half a file
            except OSError as exc:
                log.info("derivative cache not written (%s)", exc)
        return fns

    def tensor(self, k, x, p) -> np.ndarray:
        """d^k f / dx^k at (x, p) as an array indexed [j1, ..., jk, i] (output index last)."""
        vals = np.concatenate([np.asarray(x, float).ravel(), np.asarray(p, float).ravel()])
        shape = (self.n,) * (k + 1)
        return np.broadcast_to(np.array(self._tensor_fn(k)(*vals), dtype=float), shape).copy()

    def at(self, x, p, order: int = 5) -> "Forms":
        """The multilinear forms up to ``order`` (1..5) and parameter derivatives at (x, p).

        Tensors of order >= 2 are evaluated when first used (a 5th-order tensor has
        n^6 entries; classifying a spectrum needs only the Jacobian).
        """
        x, p = finite_point(x, p, self.n)
        if order not in (1, 2, 3, 4, 5):
            raise ValueError(f"order must be 1..5; got {order!r}")
        fp, fxp = self._param_fn()
        vals = np.concatenate([x, p])
        Fp = np.broadcast_to(np.array(fp(*vals), float), (len(p), self.n)).T.copy()  # (n, np)
        T1 = self.tensor(1, x, p)
        return Forms(A=T1.T.copy(), tensors=_LazyTensors(self, x, p, order, T1), fp=Fp,
                     Ap=np.broadcast_to(np.array(fxp(*vals), float),
                                        (len(p), self.n, self.n)).copy())


#: bump when the printed source of cached derivative functions changes
_DERIV_CACHE_VERSION = "2"


class _ArgPrinter(NumPyPrinter):
    """NumPy printer with fully qualified module names and the arguments renamed a0, a1, ...
    (model symbols may have names that are not identifiers, or clash with numpy's)."""

    def __init__(self, names):
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})
        self._names = names

    def _print_Symbol(self, expr):  # noqa: N802 (sympy API)
        if expr not in self._names:
            raise ValueError(f"free symbol {expr} is not an argument")
        return self._names[expr]


def _function_source(arrays, args):
    """Self-contained Python source defining f0, f1, ... : (args) -> float array, one per
    sympy array; only the nonzero entries are written (the E-I model is quadratic in its
    states: its tensors of order 3 to 5, up to 4096 entries, are all zero)."""
    printer = _ArgPrinter({s: f"a{i}" for i, s in enumerate(args)})
    params = ", ".join(f"a{i}" for i in range(len(args)))
    bodies = []
    for j, a in enumerate(arrays):
        lines = [f"def f{j}({params}):", f"    out = numpy.zeros({tuple(a.shape)!r})"]
        for index in itertools.product(*(range(d) for d in a.shape)):
            e = a[index]
            if e != 0:
                lines.append(f"    out[{index!r}] = {printer.doprint(e)}")
        bodies.append("\n".join(lines + ["    return out\n"]))
    mods = set(printer.module_imports) | {"numpy"}
    head = "".join(f"import {mod}\n" for mod in sorted(mods))
    return (f"# derivative tensors generated by bifkit.continuation.degeneracy\n{head}\n"
            f"N_FUNCTIONS = {len(arrays)}\n\n" + "\n".join(bodies))


def _load_functions(text, filename):
    """The functions f0, f1, ... of a source written by :func:`_function_source`."""
    ns = {}
    exec(compile(text, filename, "exec"), ns)   # noqa: S102 (our own cache, like codegen)
    return [ns[f"f{j}"] for j in range(ns["N_FUNCTIONS"])]


class _LazyTensors(dict):
    """{k: d^k f/dx^k} filled on first access, up to a maximum order."""

    def __init__(self, deriv, x, p, order, T1):
        super().__init__({1: T1})
        self._deriv, self._x, self._p, self._order = deriv, x, p, order

    def __missing__(self, k):
        if not 1 <= k <= self._order:
            raise KeyError(f"derivative of order {k} not available (order={self._order})")
        self[k] = self._deriv.tensor(k, self._x, self._p)
        return self[k]


@dataclass
class Forms:
    """Jacobian A (n x n), derivative tensors and parameter derivatives at one point.

    ``form(v1, ..., vk)`` is the k-linear form d^k f[v1, ..., vk] (B for k = 2,
    C for 3, D for 4, E for 5 in Kuznetsov's notation), complex vectors allowed.
    ``fp`` (n, np) = df/dp; ``Ap`` (np, n_j, n_i) = d^2 f_i / dx_j dp.
    """

    A: np.ndarray
    tensors: dict
    fp: np.ndarray
    Ap: np.ndarray = field(default=None)

    def form(self, *vs) -> np.ndarray:
        res = self.tensors[len(vs)]
        for v in vs:
            res = np.tensordot(np.asarray(v), res, axes=(0, 0))
        return res


# ---------------------------------------------------------------- spectrum
@dataclass(frozen=True)
class SpectrumClass:
    """Result of :func:`classify_spectrum`.

    label : "regular", "LP", "H", "ZH", "HH", "BT", "ZZ" or "degenerate" (more critical
        eigenvalues than a codimension-2 point has)
    n_zero : number of eigenvalues within the tolerance of 0
    omegas : imaginary parts (> 0) of the critical pairs
    eigenvalues : the spectrum
    """

    label: str
    n_zero: int
    omegas: tuple
    eigenvalues: np.ndarray


def classify_spectrum(A, rtol: float = 1e-6, atol: float = 1e-12) -> SpectrumClass:
    """Which critical eigenvalues A has (zero, +-i w), relative to its spectral scale.

    An eigenvalue lam counts as zero when |lam| <= tol and as a critical pair
    when |Re lam| <= tol < Im lam, with tol = rtol * max(1, max|eig|) + atol.  A double
    zero is "BT" when A has rank n - 1 (one eigenvector, a Jordan block), "ZZ"
    when the rank is n - 2 (two eigenvectors: no BT).
    """
    A = np.asarray(A, float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.all(np.isfinite(A)):
        raise ValueError(f"A must be a finite square matrix; got shape {A.shape}")
    ev = np.linalg.eigvals(A)
    scale = max(1.0, float(np.max(np.abs(ev)))) if ev.size else 1.0
    tol = rtol * scale + atol
    zero = np.abs(ev) <= tol
    # a Jordan block splits a double zero into +-sqrt(eps * scale): widen for that case
    zero_jb = np.abs(ev) <= math.sqrt(tol * scale)
    pairs = tuple(sorted(float(l.imag) for l in ev
                         if abs(l.real) <= tol and l.imag > tol and abs(l) > math.sqrt(tol * scale)))
    nz = int(zero.sum())
    if nz < 2 and int(zero_jb.sum()) == 2:
        nz = 2
    if nz == 2:
        s = np.linalg.svd(A, compute_uv=False)
        rank_def = int(np.sum(s <= math.sqrt(tol * scale) * s[0] / scale + atol))
        label = "BT" if rank_def <= 1 else "ZZ"
        if pairs:
            label = "degenerate"
    elif nz == 1:
        label = {0: "LP", 1: "ZH"}.get(len(pairs), "degenerate")
    elif nz == 0:
        label = {0: "regular", 1: "H", 2: "HH"}.get(len(pairs), "degenerate")
    else:
        label = "degenerate"
    return SpectrumClass(label, nz, pairs, ev)


# ---------------------------------------------------------------- helpers
def _null_vectors(A, omega=0.0):
    """q, p with (A - i w) q = 0, (A^T + i w) p = 0, |q| = 1, <p, q> = conj(p).q = 1."""
    n = A.shape[0]
    M = A - 1j * omega * np.eye(n)
    _, _, Vh = np.linalg.svd(M)
    q = np.conj(Vh[-1])
    _, _, Vh2 = np.linalg.svd(M.conj().T)   # conj(p)^T M = 0  <=>  M^H p = 0
    pv = np.conj(Vh2[-1])
    if omega == 0.0:
        q, pv = q.real.copy(), pv.real.copy()
        q /= np.linalg.norm(q)
    pv = pv / np.conj(np.vdot(pv, q))
    return q, pv


def _bordered_solve(M, q, pv, rhs):
    """h with M h = rhs - (<p, rhs>) q ... solved in the bordered form
    [[M, q], [p^H, 0]] [h; s] = [rhs; 0]  (M singular with null vector q, left p)."""
    n = M.shape[0]
    K = np.zeros((n + 1, n + 1), dtype=complex)
    K[:n, :n] = M
    K[:n, n] = q
    K[n, :n] = np.conj(pv)
    sol = np.linalg.solve(K, np.concatenate([rhs, [0.0]]))
    return sol[:n]


# ---------------------------------------------------------------- Hopf / Bautin
@dataclass(frozen=True)
class HopfNormalForm:
    """Normal form w' = i omega w + c1 w|w|^2 + c2 w|w|^4 at a Hopf point.

    l1 = Re c1 / omega (first Lyapunov coefficient); l2 = Re c2 / omega is the
    second Lyapunov coefficient where l1 = 0 (a Bautin / GH point; away from it
    c2 depends on the normalisation and l2 is not an invariant).
    """

    omega: float
    c1: complex
    c2: complex
    l1: float
    l2: float


#: {(items, m, degree): (keys, S)}: which m-tuples of centre-manifold items give each
#: monomial w^j wbar^k of the given degree (a 0/1 matrix), per item layout
_SELECTION: dict = {}


def _monomial_selection(items, m, degree):
    """(keys, S, present): S[t, c] = 1 when the m-tuple t of ``items`` (flat, first item
    slowest) has total degree ``degree`` and monomial keys[c] = (sum of j, sum of k);
    ``present`` lists the columns some tuple reaches."""
    cache_key = (items, m, degree)
    hit = _SELECTION.get(cache_key)
    if hit is None:
        js = np.array([it[0] for it in items])
        ks = np.array([it[1] for it in items])
        grids = np.meshgrid(*([np.arange(len(items))] * m), indexing="ij")
        jsum = sum(js[g] for g in grids).ravel()
        ksum = sum(ks[g] for g in grids).ravel()
        keys = [(j, degree - j) for j in range(degree, -1, -1)]
        S = np.zeros((jsum.size, len(keys)))
        for c, (j, k) in enumerate(keys):
            S[(jsum == j) & (ksum == k), c] = 1.0
        present = [c for c in range(len(keys)) if S[:, c].any()]
        hit = _SELECTION[cache_key] = (keys, S, present)
    return hit


def _nonlinear_coefficient(forms, H, degree, maxform):
    """{(j, k): coefficient of w^j wbar^k, j + k = degree, in N(H) = sum_m M_m(H..H)/m!}.

    Each m-linear form is applied to every m-tuple of the items of H at once (the
    tensor contracted m times with the matrix of item vectors), and the tuples of
    each monomial are summed by a 0/1 selection matrix: a few array operations per
    order instead of one contraction per tuple (l2 at a GH point: 7 ms -> well
    under 1 ms for the E-I model).  ``forms`` may instead be a
    :class:`bifkit.continuation.jets.JetForms` (large or complex-valued models): the same
    coefficients from f evaluated on truncated series, without tensors.
    """
    if hasattr(forms, "nonlinear_coefficient"):     # jets.JetForms: no tensors (issue 15)
        return forms.nonlinear_coefficient(H, degree)
    n = forms.A.shape[0]
    N = {}
    for m in range(2, min(degree, maxform) + 1):
        # only items of degree <= degree - (m - 1) can appear
        T = forms.tensors[m]
        if not T.any():         # a form that vanishes (a polynomial model of lower degree)
            continue
        items = tuple(k for k in H if sum(k) <= degree - (m - 1))
        V = np.array([H[k] for k in items])                       # (K, n)
        C = T.reshape(1, n, -1)                                    # [tuples, j, rest]
        for _ in range(m):      # contract j1, j2, ... in turn: [tuples, t, rest]
            C = np.matmul(V, C).reshape(-1, n, C.shape[2] // n)
        # C: [(t1, ..., tm), i, 1] with the first item slowest
        keys, S, present = _monomial_selection(items, m, degree)
        coeff = C.reshape(-1, n).T @ S / math.factorial(m)         # (n, len(keys))
        for c in present:
            N[keys[c]] = N.get(keys[c], 0) + coeff[:, c]
    return N


def hopf_normal_form(forms: Forms, order: int = 5) -> HopfNormalForm:
    """c1 (and, with order 5, c2) of the Hopf normal form on the centre manifold.

    Parameters
    ----------
    forms : Forms or jets.JetForms
        At the Hopf point (``SymbolicDerivatives(model).at(x, p)`` or
        ``jets.JetRHS(model).at(x, p)``: no tensors, complex models); A must have
        exactly one pair +-i omega on the imaginary axis and no zero eigenvalue.
    order : 3 or 5
        3 gives c1 (l1); 5 also c2 (l2).

    Raises
    ------
    ValueError
        When A has no simple critical pair, or a zero eigenvalue (a ZH or BT
        point: l1 is not defined there, the issue's "l1 at a singular Jacobian").
    """
    if order not in (3, 5):
        raise ValueError(f"order must be 3 or 5; got {order!r}")
    A = forms.A
    n = A.shape[0]
    cls = classify_spectrum(A)
    if cls.label != "H":
        raise ValueError(f"not a Hopf point: the critical spectrum is {cls.label!r} "
                         f"(eigenvalues {np.round(cls.eigenvalues, 8)}); l1/l2 need exactly one "
                         "pair +-i omega and no zero eigenvalue")
    ev = cls.eigenvalues
    k = int(np.argmin(np.abs(ev.real) + (ev.imag <= 0) * 1e300))
    omega = float(ev[k].imag)
    q, pv = _null_vectors(A, omega)
    q = q / np.linalg.norm(q)
    pv = pv / np.conj(np.vdot(pv, q))
    H = {(1, 0): q, (0, 1): np.conj(q)}
    g = {(1, 0): 1j * omega}
    eye = np.eye(n)
    for degree in range(2, order + 1):
        N = _nonlinear_coefficient(forms, H, degree, maxform=order)
        new = {}
        for j in range(degree, -1, -1):
            kk = degree - j
            if j < kk:
                break
            if degree == order and j - kk != 1:
                continue      # the last order gives only g (c1 or c2); h_jk would be unused
            rhs = N.get((j, kk), np.zeros(n, dtype=complex)).copy()
            # normal-form corrections from lower-order h and g (not g_10 on h_jk, not g_jk q)
            for (a, b), gab in g.items():
                if (a, b) == (1, 0):
                    continue
                jp, kp = j - a + 1, kk - b          # H_w w' term
                if (jp, kp) in H and jp >= 1:
                    rhs -= jp * H[(jp, kp)] * gab
                jp, kp = j - b, kk - a + 1          # H_wbar wbar' term
                if (jp, kp) in H and kp >= 1:
                    rhs -= kp * H[(jp, kp)] * np.conj(gab)
            M = 1j * (j - kk) * omega * eye - A
            if j - kk == 1:
                gjk = complex(np.vdot(pv, rhs))
                g[(j, kk)] = gjk
                new[(j, kk)] = _bordered_solve(M, q, pv, rhs - gjk * q)
            else:
                new[(j, kk)] = np.linalg.solve(M, rhs)
        for (j, kk), v in new.items():
            H[(j, kk)] = v
            H[(kk, j)] = np.conj(v)
        if degree == 3 and order == 3:
            break
    c1 = g.get((2, 1), complex("nan"))
    c2 = g.get((3, 2), complex("nan"))
    return HopfNormalForm(omega, c1, c2, c1.real / omega, c2.real / omega)


def second_lyapunov_coefficient(model, x, p) -> float:
    """l2 at a Bautin (GH) point (x, p) of ``model`` (exact derivatives; see module doc).

    Kuznetsov's convention (<q, q> = 1): for z' = (i w) z + s z|z|^4 with z = x + i y,
    l2 = 4 s / w.  Units: 1/(time unit) times (state unit)^-4.
    """
    return hopf_normal_form(SymbolicDerivatives(model).at(x, p), order=5).l2


# ---------------------------------------------------------------- BT
@dataclass(frozen=True)
class BTCoefficients:
    """Bogdanov-Takens normal form w0' = w1, w1' = a w0^2 + b w0 w1 (Kuznetsov eq. 8.54).

    (a, b) are defined up to a common sign (w -> -w); here q0's largest component is
    positive.  The invariant is sign(a b) (Kuznetsov's s).

    genuine : a and b both nonzero (relative to ``tol``) and the double zero has one
    eigenvector.
    """

    a: float
    b: float
    genuine: bool
    reason: str


def bt_coefficients(forms: Forms, tol: float = 1e-8) -> BTCoefficients:
    """Normal-form coefficients a, b at a double-zero point (Kuznetsov 2004, sec. 8.7.3).

    A q0 = 0, A q1 = q0, A^T p1 = 0, A^T p0 = p1, <p0, q0> = <p1, q1> = 1,
    <p0, q1> = <p1, q0> = 0, |q0| = 1, <q0, q1> = 0;
    a = <p1, B(q0, q0)> / 2,  b = <p0, B(q0, q0)> + <p1, B(q0, q1)>.
    """
    A = forms.A
    cls = classify_spectrum(A)
    if cls.label not in ("BT", "ZZ"):
        return BTCoefficients(math.nan, math.nan, False,
                              f"no double zero eigenvalue (spectrum {cls.label!r})")
    U, s, Vh = np.linalg.svd(A)
    if cls.label == "ZZ" and not abs(np.dot(U[:, -1], Vh[-1])) <= 1e-6:
        # classify_spectrum's rank test is relative to the largest singular value, so a
        # badly scaled Jordan block can look like two eigenvectors; the scale-free sign of
        # a Jordan block is a left null vector orthogonal to the right one (<p1, q0> = 0)
        return BTCoefficients(math.nan, math.nan, False,
                              "double zero with two eigenvectors (no Jordan block): not BT")
    q0 = Vh[-1].copy()
    q0 *= np.sign(q0[np.argmax(np.abs(q0))])     # orientation: (a, b) ~ (-a, -b) otherwise
    p1 = U[:, -1].copy()
    n = A.shape[0]
    K = np.zeros((n + 1, n + 1))
    K[:n, :n], K[:n, n], K[n, :n] = A, p1, q0     # A q1 + t p1 = q0, <q0, q1> = 0
    q1 = np.linalg.solve(K, np.concatenate([q0, [0.0]]))[:n]
    p1 = p1 / np.dot(p1, q1)                      # <p1, q1> = 1
    K[:n, :n], K[:n, n], K[n, :n] = A.T, q0, p1   # A^T p0 + t q0 = p1
    p0 = np.linalg.solve(K, np.concatenate([p1, [0.0]]))[:n]
    p0 = p0 - np.dot(p0, q1) * p1                 # <p0, q1> = 0
    p0 = p0 / np.dot(p0, q0)
    B00 = forms.form(q0, q0)
    a = 0.5 * float(np.dot(p1, B00))
    b = float(np.dot(p0, B00) + np.dot(p1, forms.form(q0, q1)))
    scale = max(1.0, float(np.max(np.abs(forms.tensors[2]))))
    genuine = abs(a) > tol * scale and abs(b) > tol * scale
    reason = "genuine BT" if genuine else f"degenerate BT: a = {a:.3g}, b = {b:.3g}"
    return BTCoefficients(a, b, genuine, reason)


# ---------------------------------------------------------------- cusp
@dataclass(frozen=True)
class CuspTest:
    """Result of :func:`cusp_coefficient`.

    a : quadratic fold coefficient <p, B(q, q)> / 2 (zero at a cusp)
    c : cusp coefficient <p, C(q,q,q) + 3 B(q, h2)> / 6 (Kuznetsov eq. 8.6)
    p_fp : <p, df/dp> for each parameter (all zero: the parameters do not move the fold)
    n_zero : zero eigenvalues of A (2 or more: BT or worse, not a cusp)
    genuine : one zero eigenvalue, c != 0 and some <p, df/dp> != 0
    reason : why not genuine (or "genuine CP")
    """

    a: float
    c: float
    p_fp: np.ndarray
    n_zero: int
    genuine: bool
    reason: str


def cusp_coefficient(forms: Forms, free=None, tol: float = 1e-8) -> CuspTest:
    """Cusp coefficient and the nondegeneracy checks of a CP (Kuznetsov 2004, sec. 8.2).

    Parameters
    ----------
    forms : Forms at the candidate point
    free : sequence of int, optional
        Indices of the two free parameters (default: all).
    tol : float
        Relative threshold (scaled by the size of the derivative tensors).
    """
    A = forms.A
    cls = classify_spectrum(A)
    q, pv = _null_vectors(A)
    a = 0.5 * float(np.dot(pv, forms.form(q, q)))
    fp = forms.fp if free is None else forms.fp[:, list(free)]
    if cls.n_zero != 1:      # the bordered system is singular: no cusp coefficient
        why = "no zero eigenvalue: not on a fold" if cls.n_zero == 0 else \
            f"a second zero eigenvalue ({cls.label}): not a cusp"
        return CuspTest(a, math.nan, pv @ fp, cls.n_zero, False, why)
    h2 = _bordered_solve(A.astype(complex), q, pv, -forms.form(q, q) + 2 * a * q).real
    # h2 (Kuznetsov's, without 1/2): A h2 = -B(q,q) + <p, B(q,q)> q, <p, h2> = 0
    c = float(np.dot(pv, forms.form(q, q, q) + 3.0 * forms.form(q, h2))) / 6.0
    p_fp = pv @ fp
    s2 = max(1.0, float(np.max(np.abs(forms.tensors[2]))))
    s3 = max(1.0, float(np.max(np.abs(forms.tensors[3]))), s2 * s2)
    if abs(c) <= tol * s3:
        reason = f"cusp coefficient c = {c:.3g} vanishes: degenerate, not a cusp"
    elif np.max(np.abs(p_fp)) <= tol * max(1.0, float(np.max(np.abs(fp)))):
        reason = "<p, df/dp> = 0 for the free parameters: they do not unfold the fold"
    else:
        reason = "genuine CP"
    return CuspTest(a, c, p_fp, cls.n_zero, reason == "genuine CP", reason)


# ---------------------------------------------------------------- BT location
def bt_point(f, jac, params_of, z0, n: int, tol: float = 1e-12, max_iter: int = 40):
    """A Bogdanov-Takens point as the zero of a regular system, by Newton from z0.

    Unknowns z = (x, s1, s2): the state and the two free parameters in the caller's
    coordinates (``params_of(z)`` gives the full parameter vector).  Equations
    (Govaerts 2000, sec. 4.4, minimally augmented fold system plus the BT test):

        f(x, p) = 0,   g = 0,   <w, v> = 0,

    with [[J, b], [c^T, 0]] [v; g] = [0; 1] and [[J^T, c], [b^T, 0]] [w; g] = [0; 1]
    (b, c the left / right singular vectors of J(z0)'s smallest singular value):
    g = 0 is the fold, and at a fold the left null vector w is orthogonal to the
    right one v exactly when the zero eigenvalue is double with a Jordan block.
    Unlike the Hopf system (J^2 + kappa I, rank 0 at BT) this system stays regular at
    a genuine BT point, so the point is placed to the solver tolerance, not at the
    nearest step (issue 15).  The Jacobian of the system is taken by differences.

    Returns
    -------
    z : (n + 2,) array, converged : bool
    """
    z = np.array(z0, dtype=float)
    x0, p0 = z[:n], params_of(z)
    U, _, Vh = np.linalg.svd(np.asarray(jac(0.0, np.ascontiguousarray(x0), p0), float))
    b, c = U[:, -1].copy(), Vh[-1].copy()
    M = np.zeros((n + 1, n + 1))
    rhs = np.zeros(n + 1)
    rhs[-1] = 1.0

    def system(zz):
        x = np.ascontiguousarray(zz[:n])
        p = params_of(zz)
        M[:n, :n] = jac(0.0, x, p)
        M[:n, n], M[n, :n], M[n, n] = b, c, 0.0
        vg = np.linalg.solve(M, rhs)
        wg = np.linalg.solve(M.T, rhs)
        return np.concatenate([np.asarray(f(0.0, x, p), float), [vg[n], np.dot(wg[:n], vg[:n])]])

    for _ in range(max_iter):
        try:
            F = system(z)
            D = np.empty((n + 2, n + 2))
            for k in range(n + 2):
                h = 1e-7 * (1.0 + abs(z[k]))
                zk = z.copy()
                zk[k] += h
                D[:, k] = (system(zk) - F) / h
            dz = np.linalg.solve(D, -F)
        except np.linalg.LinAlgError:
            return z, False
        if not np.all(np.isfinite(dz)):
            return z, False
        z = z + dz
        if np.all(np.abs(dz) <= tol * (1.0 + np.abs(z))):
            return z, True
    return z, False
