"""A bifkit Model as an AUTO-07p user file (Fortran 90).

The generated file defines ``FUNC`` with the right-hand side, the analytic
Jacobian ``DFDU`` and the parameter derivatives ``DFDP`` (so AUTO runs with
``JAC=1``), and empty ``STPNT``, ``BCND``, ``ICND``, ``FOPT`` and ``PVLS``
(every run starts from a solution file written by :mod:`.solutions`).

Complex states are split into real and imaginary parts as in the numba
kernels (``bifkit.codegen``): each real row is the real or imaginary part of a
complex expression, and the expression is evaluated in ``COMPLEX(8)``
arithmetic.  This is the same real system as ``model.symbolic.f`` but avoids
``sympy.expand_complex``, which does not finish in reasonable time on the 2CC
shot-noise model.  Derivatives are taken of the complex expression with
respect to the real unknowns, then split the same way.

Parameters are mapped onto AUTO's ``PAR`` array by :class:`ParameterMap`,
skipping the indices AUTO reserves (11: period, 12: torus angle, 13-14).
Time is set to 0: the backend only continues autonomous systems (any
periodic forcing switched off), which the driver checks.
"""
from __future__ import annotations

import hashlib

import sympy as sp
from sympy.printing.fortran import FCodePrinter

GENERATOR_VERSION = "2"
RESERVED = (11, 12, 13, 14)   # PAR(11) period, PAR(12) torus angle, 13/14 other IPS
MIN_NPAR = 14                 # so that PAR(11), PAR(12) always exist


class ParameterMap:
    """bifkit parameter names <-> AUTO ``PAR`` indices (1-based)."""

    def __init__(self, names):
        self.names = list(names)
        idx, k = [], 0
        for _ in self.names:
            k += 1
            while k in RESERVED:
                k += 1
            idx.append(k)
        self.index = dict(zip(self.names, idx))
        self.npar = max([MIN_NPAR] + idx)

    def __getitem__(self, name) -> int:
        return self.index[name]

    def to_par(self, values) -> list:
        """A full PAR(1..npar) list from bifkit parameter values (array in name order)."""
        par = [0.0] * self.npar
        for name, v in zip(self.names, values):
            par[self.index[name] - 1] = float(v)
        return par

    def from_par(self, par):
        """bifkit parameter values (list in name order) from a PAR list."""
        return [float(par[self.index[n] - 1]) for n in self.names]


class _Printer(FCodePrinter):
    """Fortran printer: literals of the working kind, complex unit and pi as named constants."""

    def __init__(self, names, quad=False):
        super().__init__({"source_format": "free", "standard": 95})
        self.names = names
        self.quad = quad

    def _print_Rational(self, expr):  # noqa: N802
        if not self.quad:
            return super()._print_Rational(expr)
        return f"({int(expr.p)}.0_16/{int(expr.q)}.0_16)"

    def _print_Symbol(self, expr):  # noqa: N802 (sympy API)
        return self.names.get(expr) or super()._print_Symbol(expr)

    def _print_ImaginaryUnit(self, expr):  # noqa: N802
        return "II"

    def _print_Pi(self, expr):  # noqa: N802
        return "PI"

    def _print_conjugate(self, expr):
        return f"CONJG({self._print(expr.args[0])})"

    def _print_re(self, expr):
        return f"DBLE({self._print(expr.args[0])})"

    def _print_im(self, expr):
        return f"AIMAG({self._print(expr.args[0])})"

    def _print_Float(self, expr):  # noqa: N802
        return _float(expr, self.quad)


def _float(v, quad=False) -> str:
    s = repr(float(v))
    if quad:
        if "e" not in s and "." not in s:
            s += ".0"
        return s.upper() + "_16"
    if "e" in s:
        mant, exp = s.split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}d{exp}"
    return s + "d0"


def _is_complex(expr, complex_syms) -> bool:
    return expr.has(sp.I) or bool(expr.free_symbols & complex_syms)


def _block(rows, printer, tmp_prefix, decl_real, decl_cplx, complex_syms):
    """Lines computing ``rows`` [(target, expr, part)] with common subexpressions.

    Temporaries are declared REAL(8) unless their expression involves the
    complex unit or a complex temporary.
    """
    exprs = [e for _, e, _ in rows]
    reps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols(tmp_prefix),
                           optimizations=None)   # "basic" costs 15x the time on the 2CC model
    lines = []
    for s, e in reps:
        name = str(s)
        printer.names[s] = name
        if _is_complex(e, complex_syms):
            complex_syms.add(s)
            decl_cplx.append(name)
        else:
            decl_real.append(name)
        lines.append(f"{name} = {printer.doprint(e)}")
    for (target, original, part), e in zip(rows, reduced):
        code = printer.doprint(e)
        if part == "im":
            code = f"AIMAG({code})"
        elif part == "re" or _is_complex(e, complex_syms) or original.has(sp.I):
            code = f"DBLE({code})"
        lines.append(f"{target} = {code}")
    return lines


def user_source(symbolic, pmap: ParameterMap, name: str = "model",
                precision: str = "double") -> str:
    """Fortran 90 source of an AUTO-07p user file for ``symbolic`` (a ``Model.symbolic``).

    ``precision="quad"`` evaluates FUNC internally in REAL(16)/COMPLEX(16)
    (inputs and outputs stay double, as AUTO passes them).  AUTO computes the
    first Lyapunov coefficient by finite differences of FUNC; when the
    right-hand side is a small difference of large terms (the E-I model at
    large I_e: sqrt(K) I_e ~ 1600 against f ~ 0) double rounding inside FUNC,
    amplified by 1/h^2 ~ 1e10, swamps l1.  In quad only the rounding of the
    small result remains.

    Raises
    ------
    ValueError
        If the model has no symbolic form (hand-written kernels).
    """
    if symbolic is None:
        raise ValueError(f"model {name!r} has no symbolic form (hand-written kernels); the "
                         f"AUTO-07p backend needs sympy right-hand sides")
    x, p = symbolic.x, symbolic.p
    n, npar = len(x), pmap.npar
    names = {s: f"X{i + 1}" for i, s in enumerate(x)}
    names.update({s: f"P{pmap[str(s)]}" for s in p})
    if precision not in ("double", "quad"):
        raise ValueError(f"precision must be 'double' or 'quad'; got {precision!r}")
    quad = precision == "quad"
    real_t, cplx_t = ("REAL(16)", "COMPLEX(16)") if quad else ("DOUBLE PRECISION", "COMPLEX(8)")
    printer = _Printer(names, quad)
    subs_t = {symbolic.t: sp.Integer(0)}
    rows = [(e.xreplace(subs_t), part) for e, part in symbolic.rows]

    f_rows = [(f"F({i + 1})", e, part) for i, (e, part) in enumerate(rows)]
    jac_rows, dfdp_rows = [], []
    for i, (e, part) in enumerate(rows):
        for j, xj in enumerate(x):
            d = sp.diff(e, xj)
            if d != 0:
                jac_rows.append((f"DFDU({i + 1},{j + 1})", d, part))
        for k, pk in enumerate(p):
            d = sp.diff(e, pk)
            if d != 0:
                dfdp_rows.append((f"DFDP({i + 1},{pmap[str(pk)]})", d, part))

    decl_real, decl_cplx = [], []
    complex_syms: set = set()
    body_f = _block(f_rows, printer, "a", decl_real, decl_cplx, complex_syms)
    body_j = _block(jac_rows, printer, "b", decl_real, decl_cplx, complex_syms)
    body_p = _block(dfdp_rows, printer, "c", decl_real, decl_cplx, complex_syms)

    def decl(kind, vars_):
        out = []
        for i in range(0, len(vars_), 8):
            out.append(f"  {kind} :: {', '.join(vars_[i:i + 8])}")
        return out

    ind = "  "
    lines = [
        f"! AUTO-07p user file for bifkit model {name!r}.",
        "! Generated by bifkit.backends.auto07p.fortran; do not edit.",
        "! Parameter map (bifkit name -> PAR index): " + ", ".join(
            f"{k}->{v}" for k, v in pmap.index.items()),
        "SUBROUTINE FUNC(NDIM,U,ICP,PAR,IJAC,F,DFDU,DFDP)",
        "  IMPLICIT NONE",
        "  INTEGER, INTENT(IN) :: NDIM, ICP(*), IJAC",
        "  DOUBLE PRECISION, INTENT(IN) :: U(NDIM), PAR(*)",
        "  DOUBLE PRECISION, INTENT(OUT) :: F(NDIM)",
        "  DOUBLE PRECISION, INTENT(INOUT) :: DFDU(NDIM,NDIM), DFDP(NDIM,*)",
        f"  {real_t}, PARAMETER :: PI = 3.14159265358979323846264338327950288"
        f"{'_16' if quad else 'd0'}",
        f"  {cplx_t}, PARAMETER :: II = (0, 1)",
    ]
    lines += decl(real_t, [f"X{i + 1}" for i in range(n)])
    lines += decl(real_t, sorted({f"P{pmap[str(s)]}" for s in p}))
    lines += decl(real_t, decl_real)
    lines += decl(cplx_t, decl_cplx)
    lines += [ind + f"X{i + 1} = U({i + 1})" for i in range(n)]
    lines += [ind + f"P{pmap[str(s)]} = PAR({pmap[str(s)]})" for s in p]
    lines += [ind + ln for ln in body_f]
    lines += [ind + "IF (IJAC == 0) RETURN", ind + "DFDU(1:NDIM,1:NDIM) = 0.0d0"]
    lines += [ind + ln for ln in body_j]
    lines += [ind + "IF (IJAC == 1) RETURN", ind + f"DFDP(1:NDIM,1:{npar}) = 0.0d0"]
    lines += [ind + ln for ln in body_p]
    lines += ["END SUBROUTINE FUNC", ""]
    for stub in ("STPNT", "BCND", "ICND", "FOPT", "PVLS"):
        lines += [f"SUBROUTINE {stub}", f"END SUBROUTINE {stub}", ""]
    return "\n".join(lines) + "\n"


def symbolic_key(symbolic, pmap: ParameterMap, precision: str = "double") -> str:
    """A hash that determines the generated source (for caching the sympy work)."""
    text = sp.srepr((symbolic.rows, symbolic.x, symbolic.p)) + repr(pmap.index) + precision
    return hashlib.sha256((GENERATOR_VERSION + text).encode()).hexdigest()[:20]
