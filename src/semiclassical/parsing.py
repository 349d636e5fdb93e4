"""Safe parsing of Hamiltonian strings and TOML model files (docs/design.md section 4).

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

__all__ = ["k", "hbar", "PAULI", "RESERVED", "MAX_DEGREE", "MAX_EXPONENT", "MAX_DEPTH", "MAX_LENGTH",
           "parameter_symbol", "namespace", "parse_expression", "parse_hamiltonian", "parse_scalar"]

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
#: limits that keep parsing and the symbolic pipeline within seconds (docs/model_file.md, README):
#: a power of a momentum-dependent expression has an integer exponent of at most MAX_DEGREE in size;
#: any other exponent is a number of at most MAX_EXPONENT in size; the expression tree is at most
#: MAX_DEPTH levels deep (a sum of n terms is n levels) and the string at most MAX_LENGTH characters
MAX_DEGREE = 32
MAX_EXPONENT = 100
MAX_DEPTH = 200
MAX_LENGTH = 10_000
_MOMENTA = {kx, ky, k}


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
        raise SemiclassicalError(f"cannot read Hamiltonian {_short(self.source)}: {what}")

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
                if not (right.is_Integer and 0 <= right <= MAX_DEGREE):
                    self.fail(f"a matrix may only be raised to an integer power 0..{MAX_DEGREE}")
                return left ** int(right)
            if left.free_symbols & _MOMENTA:
                if not (right.is_Integer and abs(right) <= MAX_DEGREE):
                    self.fail(f"the power {sp.sstr(right)[:20]} of a momentum-dependent term is not allowed: "
                              f"exponents of kx, ky, k must be integers up to {MAX_DEGREE} in size")
            elif not right.is_Number or abs(right) > MAX_EXPONENT:
                self.fail(f"the exponent {sp.sstr(right)[:20]} is not allowed: exponents must be numbers up to "
                          f"{MAX_EXPONENT} in size")
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
        if node.func.id in ("sin", "cos", "exp") and arg.free_symbols & _MOMENTA:
            self.fail(f"{node.func.id} of the momentum is not supported: lattice (periodic) and other "
                      "non-polynomial k-dependence is outside the toolkit, which treats continuum k.p models; "
                      "expand H near the band extremum in powers of kx, ky")
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
    """Names a Hamiltonian string may use (docs/design.md section 4)."""
    names = {"kx": kx, "ky": ky, "k": sp.sqrt(kx**2 + ky**2), "hbar": hbar}
    names.update(PAULI)
    names.update(_CONSTANTS)
    names.update(parameters)
    return names


def parse_expression(source: str, parameters: dict[str, sp.Symbol]):
    """Parse one string into a SymPy scalar or 2x2 Matrix, without eval."""
    if not isinstance(source, str) or not source.strip():
        raise SemiclassicalError("the Hamiltonian is empty: give an expression such as 'kx*sy - ky*sx + M*sz'")
    tree = _syntax_tree(source, "Hamiltonian")
    return _Builder(namespace(parameters), source).visit(tree)


def _short(source: str) -> str:
    """The input as quoted in an error line: at most 60 characters."""
    return repr(source if len(source) <= 60 else source[:57] + "...")


def _syntax_tree(source: str, what: str):
    """The Python syntax tree of ``source`` within the stated limits, or one clear error."""
    if len(source) > MAX_LENGTH:
        raise SemiclassicalError(f"the {what} is longer than {MAX_LENGTH} characters")
    # '^' means power, as physicists write it; it is rewritten before parsing so that it gets
    # the precedence of '**' (Python's '^' is XOR and binds looser than '+').
    try:
        tree = ast.parse(source.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        why = "nesting too deep" if "nest" in str(exc.msg) else f"syntax error at column {exc.offset}"
        raise SemiclassicalError(f"cannot read {what} {_short(source)}: {why}; write products with '*' and "
                                 "powers with '**' or '^'") from None
    except (RecursionError, MemoryError):
        raise SemiclassicalError(f"cannot read {what} {_short(source)}: nested more than {MAX_DEPTH} levels "
                                 "deep") from None
    depth, stack = 0, [(tree, 1)]
    while stack:      # iterative: a deep tree must not exhaust the interpreter's recursion
        node, d = stack.pop()
        depth = max(depth, d)
        if depth > MAX_DEPTH:
            raise SemiclassicalError(
                f"the {what} {_short(source)} is nested more than {MAX_DEPTH} levels deep (a sum of n terms "
                "counts n levels): simplify it or split long sums")
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return tree


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
        lengths = {len(r) if isinstance(r, (list, tuple)) else 1 for r in rows}
    except TypeError:
        return "not a matrix"
    if len(lengths) == 1:
        return f"{len(rows)}x{lengths.pop()}"
    return f"{len(rows)} rows of different lengths"


class _ScalarBuilder(_Builder):
    """The same allow-list for a scalar expression over a given set of names (`check`)."""

    def __init__(self, names: dict, source: str, what: str, functions: dict | None = None):
        super().__init__(names, source)
        self.what = what
        self.functions = functions or {}

    def fail(self, what: str):
        raise SemiclassicalError(f"cannot read {self.what} {_short(self.source)}: {what}")

    def visit_Call(self, node):
        # a function of several arguments the caller allows (check: the kernel harmonics W_l(n, k_a, k_b))
        name = getattr(node.func, "id", None)
        if name not in self.functions:
            return super().visit_Call(node)
        fn, nargs = self.functions[name]
        if node.keywords or len(node.args) != nargs:
            self.fail(f"{name} takes exactly {nargs} arguments")
        args = [self.visit(a) for a in node.args]
        if any(isinstance(a, sp.MatrixBase) for a in args):
            self.fail(f"{name} of a matrix is not allowed")
        return fn(*args)

    def visit_Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        close = difflib.get_close_matches(node.id, list(self.names), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.fail(f"unknown name {node.id!r}{hint}; allowed: {', '.join(sorted(self.names))}")


def parse_scalar(source: str, names: dict, what: str = "expression", functions: dict | None = None):
    """A scalar SymPy expression from ``source`` over ``names`` (plus I, pi, sqrt, exp, sin, cos), no eval.

    ``functions``: further callable names, name -> (SymPy function, number of arguments).
    """
    if not isinstance(source, str) or not source.strip():
        raise SemiclassicalError(f"the {what} is empty")
    tree = _syntax_tree(source, what)
    out = _ScalarBuilder({**_CONSTANTS, **names}, source, what, functions).visit(tree)
    if isinstance(out, sp.MatrixBase):
        raise SemiclassicalError(f"the {what} {source!r} is a matrix; give a scalar")
    return out
