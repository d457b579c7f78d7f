"""Expressions from strings, and a JSON tree form that rebuilds a sympy expression exactly.

Strings are read with Python's own parser (:func:`ast.parse`) and the tree is
walked node by node: only arithmetic, numbers, the declared names and an
allow-list of functions are accepted.  Nothing is evaluated as code (no
``eval``, no ``sympify``), so a model file cannot run code, and names such as
``E``, ``I``, ``gamma`` or ``beta`` stay plain user symbols.  ``^`` is a power
(as in XPPAUT), like ``**``.

The tree form (:func:`to_tree`, :func:`from_tree`) is what a saved branch
stores: nested JSON lists such as ``["Mul", ["Int", "2"], ["S", "x"]]``, with
floats written by ``repr`` (exact for IEEE doubles).
"""
from __future__ import annotations

import ast
from typing import Callable, Mapping

import sympy as sp

# Functions a model string may call: name -> sympy constructor.
FUNCTIONS: dict[str, Callable] = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "atan2": sp.atan2,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign,
    "Heaviside": sp.Heaviside, "heav": sp.Heaviside,  # heav: XPPAUT's name
    "min": sp.Min, "max": sp.Max, "pow": lambda a, b: a ** b,
}
# Constants a string may name (a declared name of the same spelling wins).
CONSTANTS = {"pi": sp.pi}

_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a ** b}


def parse_expression(text: str, symbols: Mapping[str, sp.Symbol],
                     functions: Mapping[str, Callable] | None = None, *,
                     where: str = "expression") -> sp.Expr:
    """Parse ``text`` into a sympy expression over the declared ``symbols``.

    Parameters
    ----------
    text : str
        E.g. ``"-x + y^2 * exp(-E/theta)"``.
    symbols : mapping name -> Symbol
        The only names the expression may use (besides ``pi`` and functions).
    functions : mapping name -> callable, optional
        Extra functions (e.g. user functions of an .ode file), on top of
        :data:`FUNCTIONS`.
    where : str
        What is being parsed, for error messages (e.g. "rhs of x").

    Raises
    ------
    ValueError
        If the text does not parse, uses an undeclared name or an unknown
        function, or contains anything but arithmetic; the message names it.
    """
    if not isinstance(text, str):
        raise ValueError(f"{where}: expected a string, got {type(text).__name__} {text!r}")
    funcs = {**FUNCTIONS, **(functions or {})}
    # "^" is a power with the precedence of "**" (Python's "^" binds looser than "+")
    source = text.strip().replace("^", "**")
    if not source:
        raise ValueError(f"{where}: empty expression")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"{where}: cannot parse {text!r} ({e.msg} at column "
                         f"{e.offset})") from None
    return _Walker(text, symbols, funcs, where).visit(tree.body)


class _Walker:
    def __init__(self, text, symbols, functions, where):
        self.text, self.symbols, self.functions, self.where = text, symbols, functions, where

    def fail(self, what):
        raise ValueError(f"{self.where}: {what} in {self.text!r}")

    def visit(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(f"unsupported constant {v!r}")
            return sp.Integer(v) if isinstance(v, int) else sp.Float(v)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in self.functions:
                self.fail(f"function {node.id!r} used without arguments")
            self.fail(f"unknown symbol {node.id!r} (declared: "
                      f"{', '.join(sorted(self.symbols)) or 'none'})")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                self.fail("only calls of named functions are allowed")
            name = node.func.id
            if name not in self.functions:
                self.fail(f"unknown function {name!r} (allowed: "
                          f"{', '.join(sorted(self.functions))})")
            if node.keywords:
                self.fail(f"keyword arguments in a call of {name!r}")
            args = [self.visit(a) for a in node.args]
            try:
                return self.functions[name](*args)
            except (TypeError, ValueError) as e:
                self.fail(f"bad call of {name!r} with {len(args)} argument(s): {e}")
        self.fail(f"unsupported syntax {ast.unparse(node)!r}")


def user_function(name: str, args: list, body: sp.Expr) -> Callable:
    """A function ``name(args) = body`` for :func:`parse_expression` (substitutes its arguments)."""
    def call(*values):
        if len(values) != len(args):
            raise TypeError(f"{name} takes {len(args)} argument(s)")
        return body.xreplace(dict(zip(args, values)))
    return call


# --------------------------------------------------------------------------- #
# Tree form                                                                    #
# --------------------------------------------------------------------------- #
_NAMED = {"pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo, "-oo": -sp.oo,
          "nan": sp.nan, "zoo": sp.zoo, "EulerGamma": sp.EulerGamma}
_NODES = {cls.__name__: cls for cls in (
    sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.asin, sp.acos, sp.atan,
    sp.atan2, sp.sinh, sp.cosh, sp.tanh, sp.Abs, sp.sign, sp.Heaviside, sp.Min, sp.Max,
    sp.conjugate, sp.re, sp.im, sp.arg)}


def to_tree(expr) -> list:
    """A JSON-serialisable tree of ``expr`` (see the module docstring).

    Raises ValueError naming the node for anything outside the supported set.
    """
    expr = sp.sympify(expr) if isinstance(expr, (int, float)) else expr
    if isinstance(expr, sp.Symbol):
        return ["S", expr.name]
    if isinstance(expr, sp.Integer):
        return ["Int", str(int(expr))]
    if isinstance(expr, sp.Rational):
        return ["Q", str(expr.p), str(expr.q)]
    if isinstance(expr, sp.Float):
        if expr._prec != 53:
            raise ValueError(f"cannot store {expr} with {expr._prec}-bit precision "
                             f"(only double precision floats)")
        return ["F", repr(float(expr))]
    for key, value in _NAMED.items():
        if expr is value or expr == value:
            return ["C", key]
    head = type(expr).__name__
    if head not in _NODES:
        raise ValueError(f"cannot store the expression node {head} ({expr}); "
                         f"supported: {', '.join(sorted(_NODES))}")
    return [head] + [to_tree(a) for a in expr.args]


def from_tree(tree, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Rebuild the expression of :func:`to_tree` over ``symbols`` (name -> Symbol)."""
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise ValueError(f"malformed expression tree {tree!r}")
    head, args = tree[0], tree[1:]
    if head == "S":
        if args[0] not in symbols:
            raise ValueError(f"expression tree names an undeclared symbol {args[0]!r}")
        return symbols[args[0]]
    if head == "Int":
        return sp.Integer(int(args[0]))
    if head == "Q":
        return sp.Rational(int(args[0]), int(args[1]))
    if head == "F":
        return sp.Float(float(args[0]))
    if head == "C":
        if args[0] not in _NAMED:
            raise ValueError(f"unknown constant {args[0]!r} in expression tree")
        return _NAMED[args[0]]
    if head not in _NODES:
        raise ValueError(f"unknown expression node {head!r} in expression tree")
    cls = _NODES[head]
    children = [from_tree(a, symbols) for a in args]
    # unevaluated, functions too: Abs(1/x) must not become 1/Abs(x), or the rebuilt
    # expression (and the digest of a reloaded model) would differ from the saved one
    return cls(*children, evaluate=False)
