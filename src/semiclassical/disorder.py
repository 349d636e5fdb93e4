"""Disorder correlators <U^{ab}_{kk'} U^{cd}_{k'k}> (paper Eqs. 4-10).

White noise <U(r)U(r')> = W delta(r - r') gives <U_q U_-q> = W, so

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W <u^a_k|u^b_k'> <u^c_k'|u^d_k>

(Eq. 6 with its indices kept distinct; Eq. 10 as printed repeats ``n``, a misprint). A
q-dependent correlator plugs in through :class:`Correlator.strength`, a function of the two
points (the Fourier transform <U_q U_-q> at q = k - k').
"""
from __future__ import annotations

from dataclasses import dataclass, field
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


#: the disorder kinds every engine supports today (the others are known to the model file)
SUPPORTED_KINDS = ("white-noise",)
#: W when neither the model file nor --set gives one
DEFAULT_W = 0.01


@dataclass(frozen=True)
class Disorder:
    """The impurity ensemble an engine is asked about: one input for every engine.

    ``kind`` names the correlator (white noise <U(r)U(r')> = W delta(r - r') today; the q-dependent
    and magnetic kinds of DESIGN.md section 4 enter here with their ``parameters``); ``W`` its
    strength (the paper's n_i u0^2); ``defaulted`` the fields that were not given by the user.
    """

    kind: str = "white-noise"
    W: float = DEFAULT_W
    parameters: dict = field(default_factory=dict)
    defaulted: tuple[str, ...] = ()

    def describe(self) -> str:
        w = f"W = {self.W:g}" + (" (default)" if "W" in self.defaulted else "")
        return f"{self.kind.replace('-', ' ')}, {w}"
