"""Safe parsing of Hamiltonian strings and TOML model files (DESIGN.md section 4).

No ``eval`` of any kind: SymPy's ``sympify``/``parse_expr`` evaluate their input, so a string is
parsed with Python's :mod:`ast` and the SymPy expression is built node by node from an
allow-list (numbers, names, ``+ - * / **``, unary minus, calls of a few functions). ``^`` is
accepted as a power, as physicists write it. Everything else is rejected with one line.
"""
from __future__ import annotations

import ast
import difflib
import re

import sympy as sp

from .errors import SemiclassicalError

#: Momentum symbols. Real; k = sqrt(kx^2 + ky^2) is positive.
kx, ky = sp.symbols("k_x k_y", real=True)
k = sp.Symbol("k", positive=True)
hbar = sp.Symbol("hbar", positive=True)

PAULI = {
    "s0": sp.eye(2),
    "sx": sp.Matrix([[0, 1], [1, 0]]),
    "sy": sp.Matrix([[0, -sp.I], [sp.I, 0]]),
    "sz": sp.Matrix([[1, 0], [0, -1]]),
}

_FUNCTIONS = {"sqrt": sp.sqrt, "exp": sp.exp, "sin": sp.sin, "cos": sp.cos}
_CONSTANTS = {"I": sp.I, "pi": sp.pi}
RESERVED = {"kx", "ky", "k", "hbar", *PAULI, *_FUNCTIONS, *_CONSTANTS}
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parameter_symbol(name: str, negative: bool = False) -> sp.Symbol:
    """The SymPy symbol of a model parameter: real, and positive unless declared negative."""
    if not _IDENTIFIER.match(name) or name in RESERVED or name.startswith("__"):
        raise SemiclassicalError(
            f"parameter name {name!r} is not allowed: use a plain identifier (letters, digits, "
            f"underscore) that is not one of {', '.join(sorted(RESERVED))}"
        )
    return sp.Symbol(name, negative=True) if negative else sp.Symbol(name, positive=True)


class _Builder(ast.NodeVisitor):
    """Turn an allow-listed AST into a SymPy expression (scalar or 2x2 Matrix)."""

    def __init__(self, names: dict, source: str):
        self.names = names
        self.source = source

    def fail(self, what: str):
        raise SemiclassicalError(f"cannot read Hamiltonian {self.source!r}: {what}")

    def generic_visit(self, node):
        self.fail(
            f"'{type(node).__name__}' is not allowed; use numbers, names, + - * / ** ^, "
            f"parentheses and the functions {', '.join(sorted(_FUNCTIONS))}"
        )

    def visit_Expression(self, node):
        return self.visit(node.body)

    def visit_Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            self.fail(f"constant {node.value!r} is not a number")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)

    def visit_Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        if node.id in _FUNCTIONS:
            self.fail(f"function {node.id} must be called, e.g. {node.id}(k)")
        close = difflib.get_close_matches(node.id, list(self.names), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.fail(
            f"unknown name {node.id!r}{hint}; declare it under [parameters] or use one of "
            f"kx, ky, k, s0, sx, sy, sz, hbar, I, pi"
        )

    def visit_UnaryOp(self, node):
        val = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -val
        if isinstance(node.op, ast.UAdd):
            return val
        self.fail(f"unary operator '{type(node.op).__name__}' is not allowed")

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        op = node.op
        if isinstance(op, ast.Add):
            return _add(left, right)
        if isinstance(op, ast.Sub):
            return _add(left, -right)
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.Div):
            if isinstance(right, sp.MatrixBase):
                self.fail("division by a matrix is not allowed")
            return left / right
        if isinstance(op, (ast.Pow, ast.BitXor)):
            if isinstance(right, sp.MatrixBase):
                self.fail("a matrix cannot be an exponent")
            if isinstance(left, sp.MatrixBase):
                if not (right.is_Integer and right >= 0):
                    self.fail("a matrix may only be raised to a non-negative integer power")
                return left ** int(right)
            return left ** right
        self.fail(f"operator '{type(op).__name__}' is not allowed")

    def visit_Call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            name = getattr(node.func, "id", type(node.func).__name__)
            self.fail(f"call of {name!r} is not allowed; allowed functions: {', '.join(sorted(_FUNCTIONS))}")
        if node.keywords or len(node.args) != 1:
            self.fail(f"{node.func.id} takes exactly one argument")
        arg = self.visit(node.args[0])
        if isinstance(arg, sp.MatrixBase):
            self.fail(f"{node.func.id} of a matrix is not allowed")
        return _FUNCTIONS[node.func.id](arg)


def _add(a, b):
    """Add scalars and matrices, a scalar meaning scalar x identity (as physicists write H)."""
    am, bm = isinstance(a, sp.MatrixBase), isinstance(b, sp.MatrixBase)
    if am and not bm:
        return a + b * sp.eye(2)
    if bm and not am:
        return a * sp.eye(2) + b
    return a + b


def namespace(parameters: dict[str, sp.Symbol]) -> dict:
    """Names a Hamiltonian string may use (DESIGN.md section 4)."""
    names = {"kx": kx, "ky": ky, "k": sp.sqrt(kx**2 + ky**2), "hbar": hbar}
    names.update(PAULI)
    names.update(_CONSTANTS)
    names.update(parameters)
    return names


def parse_expression(source: str, parameters: dict[str, sp.Symbol]):
    """Parse one string into a SymPy scalar or 2x2 Matrix, without eval."""
    if not isinstance(source, str) or not source.strip():
        raise SemiclassicalError("the Hamiltonian is empty: give an expression such as 'kx*sy - ky*sx + M*sz'")
    if len(source) > 10_000:
        raise SemiclassicalError("the Hamiltonian string is longer than 10000 characters")
    # '^' means power, as physicists write it; it is rewritten before parsing so that it gets
    # the precedence of '**' (Python's '^' is XOR and binds looser than '+').
    try:
        tree = ast.parse(source.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise SemiclassicalError(
            f"cannot read Hamiltonian {source!r}: syntax error at column {exc.offset}; "
            f"write products with '*' and powers with '**' or '^'"
        ) from None
    return _Builder(namespace(parameters), source).visit(tree)


def parse_hamiltonian(source, parameters: dict[str, sp.Symbol]) -> sp.Matrix:
    """A Hamiltonian as a 2x2 SymPy Matrix from a Pauli-matrix string or a 2x2 list of strings."""
    if isinstance(source, (list, tuple)):
        if len(source) != 2 or any(not isinstance(r, (list, tuple)) or len(r) != 2 for r in source):
            raise SemiclassicalError(
                f"the Hamiltonian matrix must be 2x2, got {_shape(source)}: this toolkit treats two-band models"
            )
        entries = [[parse_expression(str(e), parameters) for e in row] for row in source]
        if any(isinstance(e, sp.MatrixBase) for row in entries for e in row):
            raise SemiclassicalError("matrix entries must be scalars: do not use s0, sx, sy, sz inside a 2x2 list")
        return sp.Matrix(entries)
    expr = parse_expression(source, parameters)
    if not isinstance(expr, sp.MatrixBase):
        raise SemiclassicalError(
            f"Hamiltonian {source!r} is a scalar: a two-band model needs Pauli matrices sx, sy, sz "
            f"(a scalar term multiplies the identity s0 automatically)"
        )
    return sp.Matrix(expr)


def _shape(rows) -> str:
    try:
        return f"{len(rows)}x{','.join(str(len(r)) for r in rows)}"
    except TypeError:
        return "not a matrix"


class _ScalarBuilder(_Builder):
    """The same allow-list for a scalar expression over a given set of names (`check`)."""

    def __init__(self, names: dict, source: str, what: str):
        super().__init__(names, source)
        self.what = what

    def fail(self, what: str):
        raise SemiclassicalError(f"cannot read {self.what} {self.source!r}: {what}")

    def visit_Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        close = difflib.get_close_matches(node.id, list(self.names), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.fail(f"unknown name {node.id!r}{hint}; allowed: {', '.join(sorted(self.names))}")


def parse_scalar(source: str, names: dict, what: str = "expression"):
    """A scalar SymPy expression from ``source`` over ``names`` (plus I, pi, sqrt, exp, sin, cos), no eval."""
    if not isinstance(source, str) or not source.strip():
        raise SemiclassicalError(f"the {what} is empty")
    if len(source) > 10_000:
        raise SemiclassicalError(f"the {what} is longer than 10000 characters")
    try:
        tree = ast.parse(source.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise SemiclassicalError(f"cannot read {what} {source!r}: syntax error at column {exc.offset}") from None
    out = _ScalarBuilder({**_CONSTANTS, **names}, source, what).visit(tree)
    if isinstance(out, sp.MatrixBase):
        raise SemiclassicalError(f"the {what} {source!r} is a matrix; give a scalar")
    return out
