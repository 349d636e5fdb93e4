"""Closed forms evaluated on arrays: several expressions as one lambdified function, in float64.

The vectorized map (:mod:`.vector`) evaluates, per Fermi-circle class, a batch of closed forms at up to
millions of points. Two things make that fast (docs/maps.md, "Measured"):

- one function per batch, ``sympy.lambdify(args, [expr, ...], cse=True)`` (DESIGN.md section 6): the
  common subexpressions of all the pieces of a class (radii, densities of states, the half-angle
  cosines) are computed once, not once per piece;
- float64 arithmetic where it is exact to do so. An expression built only from real numbers, the
  symbols, + * and powers with rational exponents, and the functions of :data:`_REAL_FUNCTIONS`, takes
  on real arguments the principal value of its complex evaluation wherever every intermediate lies in
  its function's real domain; outside it numpy's real operation returns NaN (sqrt or a fractional power
  of a negative number, log of a negative number, asin of 2), and these functions carry a NaN through.
  So a finite float64 result *is* the (real) complex value, and every point where the float64 result is
  not finite is evaluated again in complex arithmetic and accepted only where the imaginary part is
  rounding (``accept``; NaN otherwise, where the per-point engine raises). Closed forms with explicit
  factors of I (spin matrix elements) are first rewritten exactly as such an expression where they are
  even in I (:func:`real_form`). No imaginary part is ever dropped: any other expression (odd in I,
  ``re``, ``im``, ``conjugate``, ``Piecewise``, a symbolic exponent, ...) is evaluated in complex
  arithmetic at every point, with the same check.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import SemiclassicalError

__all__ = ["evaluate", "real_form", "real_part"]

#: functions whose numpy float64 version is the complex principal value on the real domain and NaN
#: outside it, and that propagate NaN (Abs, exp, log, sqrt-like powers, trigonometric, hyperbolic)
_REAL_FUNCTIONS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh,
                   sp.asin, sp.acos, sp.atan, sp.Abs)

#: lambdified batches of this process, by (expressions, arguments): each compiled once
_COMPILED: dict = {}


def real_part(z) -> np.ndarray:
    """Real part; NaN where the imaginary part is not rounding (where the per-point engine raises)."""
    z = np.asarray(z, complex)
    return np.where(np.abs(z.imag) <= 1e-9 * np.maximum(1.0, np.abs(z.real)), z.real, np.nan)


#: I**n = I**(n mod 2) times this sign, by n mod 4
_I_POWER_SIGN = (1, 1, -1, -1)


def real_form(expr):
    """(r, p) with ``expr`` = I**p * r and r an expression of real arithmetic, or None.

    ``expr`` is split node by node as I**p * r (p = 0, 1, "parity" in I) with r built only from real
    numbers, the symbols, + * rational powers and :data:`_REAL_FUNCTIONS` (I -> (1, 1); a sum needs one
    parity throughout; a product adds parities, I*I = -1 going into r; an integer power n of an odd
    base gives I**n's sign; a fractional power or a function needs an even argument). Each step is an
    identity, so I**p * r equals ``expr`` for any values of the symbols, complex included; for real
    values an even ``expr`` (p = 0) is r, an odd one (p = 1) is imaginary, I*r. Linear in the size of
    the tree (no expansion). None for a node outside that class."""
    memo: dict = {}

    def split(node):
        if node in memo:
            return memo[node]
        if node is sp.I:
            out = (sp.Integer(1), 1)
        elif node.is_Symbol or ((node.is_Number or node.is_NumberSymbol) and node.is_real):
            out = (node, 0)
        elif node.is_Add or node.is_Mul:
            parts = [split(a) for a in node.args]
            if any(p is None for p in parts):
                out = None
            elif node.is_Add:
                out = (sp.Add(*(r for r, _ in parts)), parts[0][1]) if len({q for _, q in parts}) == 1 else None
            else:
                m = sum(q for _, q in parts)
                out = (_I_POWER_SIGN[m % 4] * sp.Mul(*(r for r, _ in parts)), m % 2)
        elif node.is_Pow and node.exp.is_Rational:   # x**y with a symbolic exponent: 1**nan = 1 hides a NaN
            base = split(node.base)
            if base is None or (base[1] and not node.exp.is_Integer):
                out = None
            else:
                n = int(node.exp) if base[1] else 0
                out = (_I_POWER_SIGN[n % 4] * base[0] ** node.exp, n % 2)
        elif isinstance(node, _REAL_FUNCTIONS) and len(node.args) == 1:
            arg = split(node.args[0])
            out = (node.func(arg[0]), 0) if arg is not None and arg[1] == 0 else None
        else:
            out = None
        memo[node] = out
        return out

    return split(sp.sympify(expr))


def _compiled(exprs: tuple, args: tuple):
    key = (exprs, args)
    if key not in _COMPILED:
        _COMPILED[key] = sp.lambdify(args, list(exprs), "numpy", cse=True)
    return _COMPILED[key]


def _run(f, xs, n, dtype):
    return [np.broadcast_to(np.asarray(y, dtype), (n,)) for y in f(*xs)]


def _spread(values, where, n):
    full = np.full(n, np.nan)
    full[where] = values
    return full


def evaluate(exprs, at: dict, n: int, accept=real_part) -> list[np.ndarray]:
    """The float arrays of ``exprs`` (SymPy expressions) at the points ``at`` ({symbol: array of n}).

    One lambdified function for the expressions with a :func:`real_form` (float64, complex
    re-evaluation of the points where it is not finite), one for the others (complex);
    ``accept(complex array)`` gives the float value of a complex result or NaN (default:
    :func:`real_part`), and is applied to every complex or imaginary (odd) value."""
    exprs = [sp.sympify(x) for x in exprs]
    syms = sorted(set().union(*(x.free_symbols for x in exprs)), key=str)
    missing = [s for s in syms if s not in at]
    if missing:
        raise SemiclassicalError(f"vectorized closed form: no value for {missing}")
    xs = [np.broadcast_to(np.asarray(at[s], float), (n,)) for s in syms]
    forms = [real_form(x) for x in exprs]
    real = [i for i, rp in enumerate(forms) if rp is not None]
    other = [i for i, rp in enumerate(forms) if rp is None]
    out: list = [None] * len(exprs)
    with np.errstate(all="ignore"):
        if real:
            f = _compiled(tuple(forms[i][0] for i in real), tuple(syms))
            got = _run(f, xs, n, float)
            finite = [np.isfinite(y) for y in got]
            bad = ~np.logical_and.reduce(finite)
            # the points where some r is not finite, again in complex arithmetic
            again = _run(f, [x[bad].astype(complex) for x in xs], int(bad.sum()), complex) if bad.any() else None
            for j, (i, y, ok) in enumerate(zip(real, got, finite)):
                odd = forms[i][1]
                value = accept(1j * y) if odd else y          # an odd expression is I*r: accepted if r is rounding
                if not ok.all():
                    value = np.where(ok, value, _spread(accept(1j * again[j] if odd else again[j]), bad, n))
                out[i] = value
        if other:
            f = _compiled(tuple(exprs[i] for i in other), tuple(syms))
            for i, z in zip(other, _run(f, [x.astype(complex) for x in xs], n, complex)):
                out[i] = accept(z)
    return out
