"""Exact identity checks by evaluation at random rational points (tests' helper).

An expression that is a rational function of independent symbols (circle symbols, u = e^{i theta},
parameters) vanishes identically iff it vanishes at random points, with probability one
(Schwartz-Zippel): evaluated in exact rational arithmetic, one nonzero value disproves the identity,
and zero at several independent points confirms it with a failure chance below (degree/|range|)^n.
This replaces expand -> Laurent coefficients -> simplify, which cost seconds per coefficient on the
two-circle skew terms. The Bloch-sphere pair (C, S) of a point is put on the circle C^2 + S^2 = 1 by
the rational parametrization C = (1 - t^2)/(1 + t^2), S = 2t/(1 + t^2), 0 < t < 1 (S > 0: the Bloch
angle in (0, pi), as ``S = sqrt(1 - C^2)``).
"""
from __future__ import annotations

import random

import sympy as sp

__all__ = ["vanishes_identically"]


def vanishes_identically(expr, sphere_pairs=(), *, points: int = 3, seed: int = 0) -> bool:
    """True when ``expr`` is zero at ``points`` random rational points (exactly; see module docstring).

    ``sphere_pairs``: (C, S) symbol pairs with C^2 + S^2 = 1. Symbols declared positive get positive
    values, the others values of either sign. An expression that is not rational at rational points
    (radicals, exponentials) is compared at 60 digits against 1e-45 times its terms' size.
    """
    rng = random.Random(seed)
    expr = sp.sympify(expr)
    pinned = {s for pair in sphere_pairs for s in pair}
    free = sorted(expr.free_symbols - pinned, key=str)
    for _ in range(points):
        sub = {}
        for C, S in sphere_pairs:
            t = sp.Rational(rng.randint(1, 96), 97)
            sub[C], sub[S] = (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2)
        for s in free:
            q = sp.Rational(rng.randint(1, 997), rng.randint(1, 211))
            sub[s] = q if s.is_positive or rng.random() < 0.5 else -q
        value = sp.expand(expr.xreplace(sub))
        re, im = value.as_real_imag()
        if re.is_Rational and im.is_Rational:          # exact: a Gaussian rational
            if value != 0:
                return False
            continue
        size = sum(abs(sp.N(t, 60)) for t in sp.Add.make_args(value))
        if abs(sp.N(value, 60)) > sp.Float("1e-45", 60) * max(size, 1):
            return False
    return True
