"""Expansion of Laurent-polynomial expressions, the symbolic core's most frequent operation.

The kinetic layer multiplies out products of spinor components, overlaps and matrix elements: sums
of products of symbols (circle data, parameters, half-angles), integer powers of them, e^{i theta}
and its inverse, and a few atoms (radicals, reciprocals of sums). ``sympy.expand`` does this on the
expression tree, building and canonicalizing every intermediate product; profiled on a two-circle
derivation it was more than half of the time (docs/design.md, "Caching and cost"). :func:`expand`
gives the same expansion (every product of sums multiplied out, the bases of reciprocal sums
expanded) through sparse dictionaries {monomial: rational coefficient}, where a monomial is the
integer vector of exponents of the atoms packed into one Python integer (signed digits, so
negative powers of e^{i theta} and of the circle symbols cost nothing extra) and i is an atom whose
square is -1. Only the result is built as a SymPy expression.

Nodes that are not sums, products, integer powers or rationals (a radical, a function, pi, a
float) are expanded by SymPy itself and then enter as atoms, so the result is the one
``sympy.expand`` gives, up to the order SymPy's own constructors choose (equal as expressions:
tests/test_expansion.py).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp
from sympy.core.add import _addsort
from sympy.core.mul import _mulsort

__all__ = ["expand"]

#: digit width of a packed monomial: exponents of one atom stay within +-2^23
_BITS = 24
_BASE = 1 << _BITS
_HALF = _BASE >> 1


def expand(expr):
    """``sympy.expand(expr)`` for sums of products of integer powers, by sparse dictionaries."""
    expr = sp.sympify(expr)
    if expr.is_Atom or getattr(expr, "is_Matrix", False) or not expr.is_commutative:
        return sp.expand(expr)
    atoms: dict = {sp.I: 0}
    memo: dict = {}
    poly = _poly(expr, atoms, memo)
    return _build(poly, atoms)


def _atom(node, atoms: dict, memo: dict):
    """The monomial of an atom (registered on first sight)."""
    index = atoms.setdefault(node, len(atoms))
    return {1 << (_BITS * index): 1}


def _poly(node, atoms: dict, memo: dict) -> dict:
    found = memo.get(node)
    if found is not None:
        return found
    if node.is_Rational:
        out = {} if node == 0 else {0: int(node)} if node.is_Integer else {0: Fraction(int(node.p), int(node.q))}
    elif node is sp.I:
        out = {1: 1}
    elif node.is_Add:
        out = {}
        for arg in node.args:
            _add_into(out, _poly(arg, atoms, memo))
    elif node.is_Mul:
        parts = sorted((_poly(arg, atoms, memo) for arg in node.args), key=len)
        out = parts[0]
        for part in parts[1:]:
            out = _mul(out, part)
    elif node.is_Pow and node.exp.is_Integer:
        base, n = node.base, int(node.exp)
        if base.is_Add and n < 0:
            # 1/(x + y)^2 is the square of the atom 1/(x + y) (sympy.expand writes 1/(x^2 + 2 x y + y^2)):
            # the same reciprocal met as a square and as a product of two is one atom
            out = _power(_reciprocal(expand(base), atoms, memo), -n)
        elif base.is_Add:
            out = _power(_poly(base, atoms, memo), n)
        elif base.is_Symbol or not (base.is_Add or base.is_Mul or base.is_Pow):
            inner = _poly(base, atoms, memo)
            if len(inner) == 1 and next(iter(inner.values())) == 1 and next(iter(inner)) != 1:
                (mono,) = inner
                out = {mono * n: 1}
            else:
                out = _power(inner, n) if n > 0 else _atom(node, atoms, memo)
        else:
            out = _atom(sp.expand(node), atoms, memo) if n < 0 else _power(_poly(base, atoms, memo), n)
    elif node.is_Symbol:
        out = _atom(node, atoms, memo)
    else:
        # a radical, a function, pi, a float: SymPy's own expansion, whose parts are then atoms
        done = sp.expand(node)
        if done == node or not (done.is_Add or done.is_Mul):
            out = _atom(done, atoms, memo) if not done.is_Rational else _poly(done, atoms, memo)
        else:
            out = {}
            for term in sp.Add.make_args(done):
                mono = {0: 1}
                for factor in sp.Mul.make_args(term):
                    mono = _mul(mono, _atom(factor, atoms, memo) if factor == node else _poly(factor, atoms, memo))
                _add_into(out, mono)
    memo[node] = out
    return out


def _reciprocal(denominator, atoms: dict, memo: dict) -> dict:
    """1/denominator for an expanded sum. Its rational content and its common monomial (the lowest
    power of each symbol over its terms, which may be negative) come out as factors:
    1/(2 u x + 2 u y) = (1/2) u^-1 (x + y)^-1. The remaining sum is one atom, so a power of
    e^{i theta} or of a half-angle never hides in a denominator, and equal reciprocals are one atom."""
    content, rest = denominator.primitive()
    terms = sp.Add.make_args(rest)
    powers = [t.as_powers_dict() for t in terms]
    symbols = {b for p in powers for b, e in p.items() if b.is_Symbol and e.is_Integer}
    # a term without b has b^0; a fractional power of b counts as 0 too (only integer powers come out)
    common = {b: min(int(p[b]) if b in p and p[b].is_Integer else 0 for p in powers) for b in symbols}
    common = {b: n for b, n in common.items() if n}
    if common:
        monomial = sp.Mul(*[b**n for b, n in common.items()])
        rest = sp.Add(*[t / monomial for t in terms])
    out = {0: Fraction(int(content.q), int(content.p))} if content != 1 else {0: 1}
    out = _mul(out, _atom(sp.Pow(rest, -1), atoms, memo) if rest.is_Add else _poly(1 / rest, atoms, memo))
    for b, n in common.items():
        (mono,) = _poly(b, atoms, memo)
        out = _mul(out, {-n * mono: 1})
    return out


def _add_into(out: dict, other: dict) -> None:
    for mono, c in other.items():
        s = out.get(mono, 0) + c
        if s:
            out[mono] = s
        else:
            out.pop(mono, None)


def _mul(a: dict, b: dict) -> dict:
    out: dict = {}
    get = out.get
    for ma, ca in a.items():
        for mb, cb in b.items():
            m, c = ma + mb, ca * cb
            if m & (_BASE - 1) == 2:     # i^2 = -1 (i is atom 0, its digit kept in {0, 1})
                m, c = m - 2, -c
            s = get(m, 0) + c
            if s:
                out[m] = s
            else:
                del out[m]
    return out


def _power(p: dict, n: int) -> dict:
    out, base = {0: 1}, p
    while n:
        if n & 1:
            out = _mul(out, base)
        n >>= 1
        if n:
            base = _mul(base, base)
    return out


def _digits(mono: int, n: int):
    """The signed exponents of a packed monomial."""
    out = []
    for _ in range(n):
        d = mono & (_BASE - 1)
        if d >= _HALF:
            d -= _BASE
        out.append(d)
        mono = (mono - d) >> _BITS
    return out


def _build(poly: dict, atoms: dict):
    """The SymPy sum of a sparse polynomial, built in SymPy's canonical order directly.

    SymPy's ``Mul(...)``/``Add(...)`` constructors would flatten, collect and sort each of the (up to
    10^4) terms again; here every monomial is distinct and its factors are powers of distinct bases,
    so sorting the factors and the terms as those constructors do (``_mulsort``, ``_addsort``) gives
    the same expression (tests/test_expansion.py compares both). Atoms sharing a base (sqrt(b) and b)
    take the constructors' path, which combines them.
    """
    order = list(atoms)
    n = len(order)
    canonical = len({a.as_base_exp()[0] for a in order}) == n
    powers: dict = {}
    terms, again, constant, collect = [], [], sp.S.Zero, not canonical
    for mono, c in poly.items():
        coeff = sp.Integer(c) if isinstance(c, int) else sp.Rational(c.numerator, c.denominator)
        factors = []
        for i, e in enumerate(_digits(mono, n)):
            if e:
                f = powers.get((i, e))
                if f is None:
                    f = powers[(i, e)] = order[i] if e == 1 else order[i] ** e
                factors.append(f)
        if not factors:
            constant = coeff
        elif not canonical or any(_unexpanded(f) or f.is_Number or f.is_Mul for f in factors):
            # a power of one base met as two atoms (sqrt(b) sqrt(b) = b), or a sum that appears so:
            # SymPy's constructor combines, and a sum is multiplied out in a second pass
            # (the term may now equal another one's monomial: sqrt(6)^2 x^3 = 6 x^3, so the sum collects)
            term, collect = sp.Mul(coeff, *factors), True
            (again if any(_unexpanded(f) for f in sp.Mul.make_args(term)) else terms).append(term)
        elif len(factors) == 1 and coeff is sp.S.One:
            terms.append(factors[0])
        else:
            _mulsort(factors)
            if coeff is not sp.S.One:
                factors.insert(0, coeff)
            terms.append(sp.Mul._from_args(factors))
    if collect or again:
        return sp.Add(constant, *terms, expand(sp.Add(*again)) if again else 0)
    if not terms:
        return constant
    _addsort(terms)
    if constant is not sp.S.Zero:
        terms.insert(0, constant)
    return terms[0] if len(terms) == 1 else sp.Add._from_args(terms)


def _unexpanded(factor) -> bool:
    return factor.is_Add or (factor.is_Pow and factor.base.is_Add and factor.exp.is_Integer and factor.exp > 0)
