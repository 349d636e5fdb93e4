"""Closed forms evaluated on arrays: several expressions as one lambdified function, in float64.

The vectorized map (:mod:`.vector`) evaluates, per Fermi-circle class, a batch of closed forms at up to
millions of points. Two things make that fast (docs/maps.md, "Measured"):

- one function per batch, ``sympy.lambdify(args, [expr, ...], cse=True)`` (docs/design.md section 6): the
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

__all__ = ["blockwise", "chunks", "evaluate", "real_form", "real_part"]

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


#: points per step: every temporary (of the lambdified function and of the checks after it, 64 KiB of
#: float64) stays in the CPU's cache and is reused from the heap; on whole arrays of 10^6 points each
#: temporary would be a fresh 8 MB mapping, and first touches of fresh memory dominated (docs/maps.md)
CHUNK = 8192


def chunks(n: int) -> list[slice]:
    """Slices of ``CHUNK`` points covering 0..n."""
    return [slice(lo, lo + CHUNK) for lo in range(0, n, CHUNK)]


def blockwise(parts, n: int, dtype=float) -> np.ndarray:
    """One (len(parts), n) array: row j is ``parts[j](c)`` on each chunk ``c`` of the points (one
    allocation, whose pages are touched once; temporaries of one chunk only)."""
    block = np.empty((len(parts), n), dtype)
    for c in chunks(n):
        for row, part in zip(block, parts):
            row[c] = part(c)
    return block


def _run(f, xs, n, dtype, out=None):
    """The outputs of ``f`` at the n points of ``xs`` as the rows of ``out`` (made if None), in chunks."""
    for c in chunks(n):
        ys = f(*(x[c] for x in xs))
        if out is None:
            out = np.empty((len(ys), n), dtype)
        for row, y in zip(out, ys):
            row[c] = y                      # a constant output is broadcast
    return out if out is not None else np.empty((len(f(*xs)), 0), dtype)


def evaluate(exprs, at: dict, n: int, accept=real_part) -> list[np.ndarray]:
    """The float arrays of ``exprs`` (SymPy expressions) at the points ``at`` ({symbol: array of n}).

    One lambdified function for the expressions with a :func:`real_form` (float64; the points where
    some value is not finite again in complex arithmetic, each value replaced only where it was not
    finite), one for the others (complex); ``accept(complex array)`` gives the float value of a complex
    result or NaN (default: :func:`real_part`), and is applied to every complex or imaginary (odd)
    value. Everything runs ``CHUNK`` points at a time into one output array; a real constant is a
    read-only array of stride 0."""
    exprs = [sp.sympify(x) for x in exprs]
    syms = sorted(set().union(*(x.free_symbols for x in exprs)), key=str)
    missing = [s for s in syms if s not in at]
    if missing:
        raise SemiclassicalError(f"vectorized closed form: no value for {missing}")
    xs = [np.broadcast_to(np.asarray(at[s], float), (n,)) for s in syms]
    forms = [real_form(x) for x in exprs]
    # a real constant is one read-only array of stride 0 (no memory); the others are rows of one array
    const = {i: np.broadcast_to(float(x), (n,)) for i, x in enumerate(exprs)
             if not x.free_symbols and forms[i] is not None and not forms[i][1] and x.is_finite}
    real = [i for i, rp in enumerate(forms) if rp is not None and i not in const]
    other = [i for i, rp in enumerate(forms) if rp is None]
    out = {**dict(zip(real + other, np.empty((len(real) + len(other), n)))), **const}
    with np.errstate(all="ignore"):
        if real:
            f = _compiled(tuple(forms[i][0] for i in real), tuple(syms))
            rows = [out[i] for i in real]            # the values r, then each expression's value, in place
            _run(f, xs, n, float, rows)
            bad = np.zeros(n, bool)
            for c in chunks(n):
                bad[c] = ~np.isfinite(np.stack([r[c] for r in rows])).all(axis=0)
            where = np.flatnonzero(bad)
            # the points where some r is not finite, again in complex arithmetic (r = expr there too)
            again = _run(f, [x[where].astype(complex) for x in xs], len(where), complex) if len(where) else None
            redo = [~np.isfinite(r[where]) for r in rows] if again is not None else None
            for j, (i, row) in enumerate(zip(real, rows)):
                odd = forms[i][1]
                if odd:                     # an odd expression is I*r: accepted only where r is rounding
                    for c in chunks(n):
                        row[c] = accept(1j * row[c])
                if again is not None:
                    z = again[j, redo[j]]
                    row[where[redo[j]]] = accept(1j * z if odd else z)
        if other:
            f = _compiled(tuple(exprs[i] for i in other), tuple(syms))
            for c in chunks(n):
                for i, z in zip(other, f(*(x[c].astype(complex) for x in xs))):
                    out[i][c] = accept(np.broadcast_to(np.asarray(z, complex), (len(out[i][c]),)))
    return [out[i] for i in range(len(exprs))]
