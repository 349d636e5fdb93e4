"""Disorder correlators <U^{ab}_{kk'} U^{cd}_{k'k}> (paper Eqs. 4-10).

White noise <U(r)U(r')> = W delta(r - r') gives <U_q U_-q> = W, so

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W <u^a_k|u^b_k'> <u^c_k'|u^d_k>

(Eq. 6 with its indices kept distinct; Eq. 10 as printed repeats ``n``, a misprint). A
q-dependent correlator plugs in through :class:`Correlator.strength`, a function of the two
points (the Fourier transform <U_q U_-q> at q = k - k').
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .bloch import BlochSystem, Point
from .fermi import W


@dataclass(frozen=True)
class Correlator:
    """<U_q U_-q> as a function of the two points; white noise by default."""

    strength: Callable[[Point, Point], sp.Expr] = lambda p, q: W
    name: str = "white-noise"

    def __call__(self, bs: BlochSystem, a, p: Point, b, q: Point, c, d):
        """<U^{ab}_{pq} U^{cd}_{qp}> (Eq. 6)."""
        return self.strength(p, q) * bs.overlap(a, p, b, q) * bs.overlap(c, q, d, p)


WHITE_NOISE = Correlator()
