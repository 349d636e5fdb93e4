"""Disorder correlators <U^{ab}_{kk'} U^{cd}_{k'k}> (paper Eqs. 4-10).

White noise <U(r)U(r')> = W delta(r - r') gives <U_q U_-q> = W, so

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W <u^a_k|u^b_k'> <u^c_k'|u^d_k>

(Eq. 6 with its indices kept distinct; Eq. 10 as printed repeats ``n``, a misprint). A
q-dependent correlator plugs in through :class:`Correlator.strength`, a function of the two
points (the Fourier transform <U_q U_-q> at q = k - k').

:class:`Disorder` is the disorder *input* of a model (the ``[disorder]`` section of a model file:
type, strength, which values were defaulted); :class:`Correlator` is its symbolic form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import sympy as sp

from .bloch import BlochSystem, Point
from .errors import SemiclassicalError
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


# ------------------------------------------------------------------ the disorder of a model
#: The white-noise strength W (energy^2 x area, the paper's n_i u0^2) used when a model states none.
DEFAULT_W = 0.01
#: Disorder types the engines evaluate today.
SUPPORTED_KINDS = ("white-noise",)


@dataclass(frozen=True)
class Disorder:
    """The disorder a model is evaluated with: the ``[disorder]`` section of a model file.

    ``kind`` is the correlator type ("white-noise": <U(r)U(r')> = W delta(r - r'), W = n_i u0^2 in
    energy^2 x area); ``W`` its strength; ``parameters`` the further parameters of later correlator
    types (gaussian ``d``, screened Coulomb ``q_s``; empty for white noise); ``defaulted`` the names
    of the values that were not given and took their default (``("type", "W")`` with no
    ``[disorder]`` section at all). The keys, defaults and meanings are defined once, in
    :mod:`semiclassical.modelfile`.
    """

    kind: str = "white-noise"
    W: float = DEFAULT_W
    parameters: Mapping[str, float] = field(default_factory=dict)
    defaulted: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in SUPPORTED_KINDS:
            raise SemiclassicalError(f"disorder type {self.kind!r} is not supported yet; "
                                     f"supported: {', '.join(SUPPORTED_KINDS)}")
        if isinstance(self.W, bool) or not isinstance(self.W, (int, float)) or not math.isfinite(self.W) \
                or self.W <= 0:
            raise SemiclassicalError(f"W = {self.W!r} must be positive and finite (W = n_i u0^2, the "
                                     "disorder strength)")
        object.__setattr__(self, "W", float(self.W))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "defaulted", tuple(self.defaulted))

    @classmethod
    def default(cls) -> "Disorder":
        """No disorder stated: white noise with W = DEFAULT_W, both values marked as defaulted."""
        return cls(defaulted=("type", "W"))

    @classmethod
    def from_mapping(cls, data) -> "Disorder":
        """From a mapping {"type": ..., "W": ...} (the old dict form); absent values are defaulted."""
        if isinstance(data, Disorder):
            return data
        data = dict(data or {})
        unknown = set(data) - {"type", "W"}
        if unknown:
            raise SemiclassicalError(f"unknown disorder key(s) {', '.join(sorted(unknown))}; "
                                     "supported: type, W")
        return cls(data.get("type", "white-noise"), data.get("W", DEFAULT_W),
                   defaulted=tuple(x for x in ("type", "W") if x not in data))

    def override(self, **values) -> "Disorder":
        """The same disorder with some values set (e.g. ``--set W=...``): those are no longer defaulted."""
        given = set(values)
        kind, W = values.pop("type", self.kind), values.pop("W", self.W)
        return Disorder(kind, W, {**self.parameters, **values}, tuple(n for n in self.defaulted if n not in given))

    def describe(self) -> str:
        """One line, e.g. ``white noise, W = 0.01 (default)``."""
        def mark(name):
            return " (default)" if name in self.defaulted else ""
        parts = [f"{self.kind.replace('-', ' ')}{mark('type') if self.kind != 'white-noise' else ''}",
                 f"W = {self.W:g}{mark('W')}"]
        parts += [f"{n} = {v:g}{mark(n)}" for n, v in self.parameters.items()]
        return ", ".join(parts)

    def to_json(self) -> dict:
        """{"type", "W", further parameters, "defaulted": [names]} for JSON outputs."""
        return {"type": self.kind, "W": self.W, **dict(self.parameters), "defaulted": list(self.defaulted)}

    def __hash__(self):
        return hash((self.kind, self.W, tuple(sorted(self.parameters.items())), self.defaulted))
