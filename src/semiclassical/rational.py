"""One rational normal form for the circle-variable results, computed in a polynomial ring.

The kinetic layer hands the chain nested fractions: the solution of the coupled J0 system of two
circles divides by its determinant, which itself holds reciprocals of sums. ``sympy.together`` and
``sympy.cancel`` on the expression tree were most of `derive`'s time on a two-circle model
(docs/design.md, "Caching and cost"). Here the tree is walked once into a numerator polynomial
(sympy's sparse ``PolyRing`` over QQ, every symbol and other atom a generator, i an indeterminate)
over a denominator kept as a product of the polynomials it was built from, so that common
denominators need no gcd; the fraction is then reduced by the gcd of the numerator with each
denominator factor, which leaves it in lowest terms (a common irreducible factor of numerator and
denominator divides one of the factors). Equal, as a rational function, to ``cancel(together(x))``.
"""
from __future__ import annotations

import sympy as sp
from sympy.polys.orderings import lex
from sympy.polys.rings import PolyRing

__all__ = ["fraction_in_lowest_terms"]


def fraction_in_lowest_terms(expr, indeterminates=()):
    """(numerator, denominator) of ``expr`` in lowest terms, as SymPy expressions.

    ``expr``: sums, products and integer powers of symbols and other atoms (radicals, pi, functions:
    each an indeterminate); ``indeterminates``: further atoms to treat so (e.g. a stand-in for i).
    The denominator comes as a product of its factors (each expanded, not factored), the numerator as
    its rational content times its common monomial times the remaining polynomial (expanded).
    """
    gens = sorted(_atoms(expr) | set(indeterminates), key=sp.default_sort_key)
    if not gens:                           # a rational number
        return sp.fraction(expr)
    ring = PolyRing(gens, sp.QQ, lex)
    walker = _Walker(ring)
    num, den = walker.fraction(expr)
    num, den = _reduce(ring, num, den)
    denominator = sp.Mul(*[f.as_expr() ** e for f, e in den.items()])
    if num.is_zero:
        return sp.S.Zero, denominator
    # the numerator's rational content and common monomial stand in front (what factor_terms gives a
    # flat polynomial, without its pass over the expression tree)
    coeff, factors = _split(ring, num)
    rest = next((f for f in factors if not f.is_generator), ring.one)
    front = sp.Mul(sp.Rational(int(coeff.numerator), int(coeff.denominator)),
                   *[f.as_expr() ** e for f, e in factors.items() if f.is_generator])
    return front * rest.as_expr(), denominator


def _atoms(expr) -> set:
    """The indeterminates of ``expr``: everything that is not a sum, product, integer power or rational."""
    out, stack, seen = set(), [expr], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.is_Rational:
            continue
        if node.is_Add or node.is_Mul:
            stack.extend(node.args)
        elif node.is_Pow and node.exp.is_Integer:
            stack.append(node.base)
        else:
            out.add(node)
    return out


class _Walker:
    """Expression -> (numerator polynomial, {denominator factor polynomial: exponent})."""

    def __init__(self, ring):
        self.ring = ring
        self.index = {g: i for i, g in enumerate(ring.symbols)}
        self.memo: dict = {}

    def fraction(self, node):
        found = self.memo.get(node)
        if found is not None:
            return found
        ring = self.ring
        if node.is_Rational:
            out = (ring(sp.QQ(int(node.p), int(node.q))), {})
        elif node.is_Add:
            parts = [self.fraction(a) for a in node.args]
            den: dict = {}
            for _, d in parts:
                for f, e in d.items():
                    if den.get(f, 0) < e:
                        den[f] = e
            num = ring.zero
            for n, d in parts:
                for f, e in den.items():
                    if e > d.get(f, 0):
                        n = n * f ** (e - d.get(f, 0))
                num += n
            out = (num, den)
        elif node.is_Mul:
            num, den = ring.one, {}
            for a in node.args:
                n, d = self.fraction(a)
                num = num * n
                for f, e in d.items():
                    den[f] = den.get(f, 0) + e
            out = (num, den)
        elif node.is_Pow and node.exp.is_Integer:
            n, d = self.fraction(node.base)
            p = int(node.exp)
            if p >= 0:
                out = (n**p, {f: e * p for f, e in d.items()})
            else:
                # 1/(n/d)^|p| = d^|p| / n^|p|: the numerator n becomes denominator factors
                num = ring.one
                for f, e in d.items():
                    num = num * f ** (e * -p)
                coeff, factors = _split(ring, n)
                num = num * ring(1 / coeff) ** -p if coeff != 1 else num
                out = (num, {f: e * -p for f, e in factors.items()})
        else:
            out = (ring.gens[self.index[node]], {})
        self.memo[node] = out
        return out


def _split(ring, poly):
    """poly = coeff * prod(factors): its rational content, each generator of its common monomial,
    and the monic rest (a denominator factor is stored monic, so equal factors are one key)."""
    if poly.is_zero:
        raise ZeroDivisionError("a denominator of the expression is zero")
    monomial = tuple(min(es) for es in zip(*poly.itermonoms()))
    rest = poly.quo_term((monomial, poly.ring.domain.one)) if any(monomial) else poly
    coeff = rest.LC
    rest = rest.quo_ground(coeff)
    factors = {}
    for i, e in enumerate(monomial):
        if e:
            factors[ring.gens[i]] = e
    if rest != ring.one:
        factors[rest] = 1
    return coeff, factors


def _reduce(ring, num, den: dict):
    """Cancel every common factor of num and the factored denominator."""
    if num.is_zero:
        return num, {}
    out = {}
    for f, e in den.items():
        if f.is_generator:
            # a symbol of the common monomial (W, hbar, rho_c): its lowest power in num cancels at once
            i = ring.gens.index(f)
            n = min(e, min(m[i] for m in num.itermonoms()))
            if n:
                num = num.quo_term((tuple(n if j == i else 0 for j in range(ring.ngens)), ring.domain.one))
                e -= n
        while e and not num.is_zero and not f.is_generator:
            g = num.gcd(f)
            if g.is_ground:
                break
            num = num.exquo(g)
            rest = f.exquo(g)
            # f = g * rest: one copy of f becomes rest, which shares nothing with num / g (g was the
            # whole gcd); the remaining e - 1 copies of f are reduced against the new num in turn
            e -= 1
            if not rest.is_ground:
                out[rest] = out.get(rest, 0) + 1
        if e:
            out[f] = out.get(f, 0) + e
    return num, out
