"""Eigen-system and Berry geometry of a covariant two-band model at a symbolic k-point.

Bloch-sphere form (docs/design.md section 6): with d = |d|(sin a cos phi, sin a sin phi, cos a),
cos a = d_z/|d|, sin a = d_perp/|d|, e^{i phi} = w e^{i J theta}, the canonical gauge is

    |u^+> = ( cos(a/2),  sin(a/2) w u^J )^T ,      |u^-> = ( -sin(a/2) w* u^-J,  cos(a/2) )^T ,

u = e^{i theta}. It is smooth where d_z > 0 (a -> 0, "north pole"); where d_z < 0 with
d_perp -> 0 (a -> pi) |u^+> is singular (its phase winds with theta), as any global gauge of
a band with non-zero Chern flux must be somewhere. A user gauge multiplies |u^m> by
e^{i chi_m(k, theta)} (:class:`Gauge`); gauge-invariant results do not depend on it.

A :class:`Point` carries symbols for everything a k-point needs: k, u = e^{i theta}, the
half-angles cos(a/2), sin(a/2) (eliminated at the end in favour of cos a, sin a), a'(k), |d|,
d0'(k), |d|'(k). Derivatives act by the chain rule d/dk cos(a/2) = -a'/2 sin(a/2).
Vectors are kept in polar components (V_k, V_theta): V = V_k khat + V_theta thetahat.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from .expansion import expand
from .model import TwoBandModel, conj_in, hbar, k, u

__all__ = ["BANDS", "Point", "Gauge", "BlochSystem"]

BANDS = (+1, -1)


@dataclass(frozen=True)
class Point:
    """Symbols of one k-point; ``tag`` distinguishes points (k, k', circle c, ...)."""

    tag: str = ""
    #: distinguishes two points of the same circle (same radius data, other angle): k and k'
    angle: str = ""

    def primed(self) -> "Point":
        """A second point on the same circle (same radius symbols, its own angle u)."""
        return Point(self.tag, self.angle + "p")

    def _s(self, name, **assumptions):
        return sp.Symbol(f"{name}_{self.tag}" if self.tag else name, **assumptions)

    @property
    def k(self):
        return k if not self.tag else self._s("k", positive=True)

    @property
    def u(self):
        if not self.tag and not self.angle:
            return u
        return sp.Symbol(f"u_{self.tag}{self.angle}", nonzero=True)

    @property
    def ch(self):  # cos(a/2)
        return self._s("ch", real=True)

    @property
    def sh(self):  # sin(a/2)
        return self._s("sh", real=True)

    @property
    def C(self):  # cos a
        return self._s("C", real=True)

    @property
    def S(self):  # sin a
        return self._s("S", real=True)

    @property
    def ap(self):  # da/dk
        return self._s("ap", real=True)

    @property
    def dd(self):  # |d|
        return self._s("dd", positive=True)

    @property
    def d0p(self):  # d d0/dk
        return self._s("d0p", real=True)

    @property
    def ddp(self):  # d|d|/dk
        return self._s("ddp", real=True)

    def energy(self, band, d0):
        """eps^band at the point; d0 is the symbol/expression of d0 there."""
        return d0 + band * self.dd

    def velocity(self, band):
        """Radial band velocity v^band = (1/hbar) d eps/dk (Eqs. 29, 80)."""
        return (self.d0p + band * self.ddp) / hbar

    def to_full_angles(self, expr):
        """Replace cos(a/2)^p sin(a/2)^q (p + q even) by polynomials in cos a, sin a.

        Gauge-invariant quantities are bilinear in the spinors of each point, hence even in the
        half-angles; an odd monomial signals a gauge-dependent request and raises.
        """
        expr = expand(expr)
        ch, sh, C, S = self.ch, self.sh, self.C, self.S
        if not expr.has(ch, sh):
            return expr
        # term by term (after expand the half-angles are plain factors): a Poly in (ch, sh) over
        # every other symbol cost a third of a whole derivation (profiled: derive of the TI)
        monos, out = {}, []
        for term in sp.Add.make_args(expr):
            powers = term.as_powers_dict()
            p, q = int(powers.get(ch, 0)), int(powers.get(sh, 0))
            if not p and not q:
                out.append(term)
                continue
            if (p + q) % 2:
                raise ValueError("odd power of half-angles: the expression is not gauge covariant")
            if (p, q) not in monos:
                if p % 2 == 0:
                    mono = ((1 + C) / 2) ** (p // 2) * ((1 - C) / 2) ** (q // 2)
                else:
                    mono = (S / 2) * ((1 + C) / 2) ** ((p - 1) // 2) * ((1 - C) / 2) ** ((q - 1) // 2)
                monos[(p, q)] = expand(mono)
            out.append(term.xreplace({ch: 1, sh: 1}) * monos[(p, q)])
        return expand(sp.Add(*out))

    def d_dk(self, expr):
        """Total radial derivative at this point (chain rule through the Bloch-sphere angle a)."""
        ch, sh, C, S = self.ch, self.sh, self.C, self.S
        return (sp.diff(expr, self.k)
                + self.ap / 2 * (-sh * sp.diff(expr, ch) + ch * sp.diff(expr, sh))
                + self.ap * (-S * sp.diff(expr, C) + C * sp.diff(expr, S)))

    def d_dtheta(self, expr):
        """Angular derivative: d/dtheta = i u d/du."""
        return sp.I * self.u * sp.diff(expr, self.u)

    def cartesian(self, vec):
        """(V_k, V_theta) -> (V_x, V_y) at this point."""
        c, s = (self.u + 1 / self.u) / 2, (self.u - 1 / self.u) / (2 * sp.I)
        vk, vt = vec
        return (expand(c * vk - s * vt), expand(s * vk + c * vt))

    def momentum(self, expr):
        """A function of (kx, ky) at this point: kx = k (u + 1/u)/2, ky = k (u - 1/u)/(2i).

        Bases of powers are expanded, so k = sqrt(kx^2 + ky^2) of a Hamiltonian string becomes this
        point's (positive) k rather than sqrt of a Laurent polynomial in u.
        """
        from .parsing import kx, ky

        expr = sp.sympify(expr)
        if not expr.has(kx, ky):
            return expr
        c, s = (self.u + 1 / self.u) / 2, (self.u - 1 / self.u) / (2 * sp.I)
        out = expr.xreplace({kx: self.k * c, ky: self.k * s})
        return out.replace(lambda x: x.is_Pow and not x.exp.is_Integer,
                           lambda x: sp.Pow(expand(x.base), x.exp))

    def polar(self, vec):
        """(V_x, V_y) -> (V_k, V_theta) at this point."""
        c, s = (self.u + 1 / self.u) / 2, (self.u - 1 / self.u) / (2 * sp.I)
        vx, vy = vec
        return (expand(c * vx + s * vy), expand(-s * vx + c * vy))


@dataclass(frozen=True)
class Gauge:
    """Phases e^{i chi_m}: chi_m = n_m theta + f_m(k, u), f_m real (a real Laurent polynomial in u).

    ``Gauge()`` is the canonical gauge. The paper's Eq. 69 gauge is ``Gauge.paper_ti()``.
    """

    winding: tuple[int, int] = (0, 0)           # (n_+, n_-)
    smooth: tuple[sp.Expr, sp.Expr] = (sp.Integer(0), sp.Integer(0))   # (f_+, f_-) in (k, u)
    constant: tuple[sp.Expr, sp.Expr] = (sp.Integer(0), sp.Integer(0))

    def index(self, band):
        return 0 if band == +1 else 1

    def phase(self, band, point: Point):
        i = self.index(band)
        f = sp.sympify(self.smooth[i]).xreplace({k: point.k, u: point.u})
        return point.u ** self.winding[i] * sp.exp(sp.I * (f + self.constant[i]))

    @classmethod
    def paper_ti(cls):
        """Eq. 69: |u^+> = e^{-i theta}(cos, i e^{i theta} sin), |u^-> = -i x canonical."""
        return cls(winding=(-1, 0), constant=(sp.Integer(0), -sp.pi / 2))

    @classmethod
    def random(cls, seed: int):
        """A k-dependent gauge with integer windings and smooth real phases, for tests."""
        import random

        rng = random.Random(seed)
        parts = []
        for _ in range(2):
            a, b, c = (sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(3))
            # f = a k^2 + b k cos(theta) + c k^2 sin(2 theta): real, smooth at k = 0
            parts.append(a * k**2 + b * k * (u + 1 / u) / 2 + c * k**2 * (u**2 - u**-2) / (2 * sp.I))
        wind = (rng.randint(-2, 2), rng.randint(-2, 2))
        return cls(winding=wind, smooth=tuple(parts))


@dataclass
class BlochSystem:
    """Eigenvectors and their geometry for a covariant model, in a chosen gauge."""

    model: TwoBandModel
    gauge: Gauge = field(default_factory=Gauge)

    def __post_init__(self):
        self.cov = self.model.require_covariant("the symbolic eigen-system")

    # ------------------------------------------------------------------ spinors
    def spinor(self, band, p: Point) -> sp.Matrix:
        """|u^band> at point p (column), canonical gauge times the gauge phase."""
        J, w = self.cov.winding, self.cov.phase
        wc = sp.conjugate(w)
        if band == +1:
            vec = sp.Matrix([p.ch, p.sh * w * p.u**J])
        else:
            vec = sp.Matrix([-p.sh * wc * p.u ** (-J), p.ch])
        return vec * self.gauge.phase(band, p)

    def bra(self, band, p: Point) -> sp.Matrix:
        return conj_in(self.spinor(band, p), (p.u,)).T

    def overlap(self, m, p: Point, n, q: Point):
        """<u^m_p | u^n_q> (Eqs. 4, 10)."""
        return expand((self.bra(m, p) * self.spinor(n, q))[0])

    def d_spinor(self, band, p: Point):
        """(d/dk |u>, (1/k) d/dtheta |u>): polar components of grad_k |u>."""
        s = self.spinor(band, p)
        return (s.applyfunc(p.d_dk), s.applyfunc(p.d_dtheta) / p.k)

    # ------------------------------------------------------------------ geometry
    def berry_connection(self, m, n, p: Point = Point()):
        """R^{mn} = i <u^m | grad_k u^n> in polar components (Eqs. 39, 70-71, 92-93)."""
        bra = self.bra(m, p)
        return tuple(expand(p.to_full_angles(sp.I * (bra * d)[0])) for d in self.d_spinor(n, p))

    def berry_curvature(self, band, p: Point = Point()):
        """Omega_z^m = curl R^{mm} = (1/k)[d_k(k R_theta) - d_theta R_k] (Eqs. 43, 73)."""
        rk, rt = self.berry_connection(band, band, p)
        return expand(p.to_full_angles((p.d_dk(p.k * rt) - p.d_dtheta(rk)) / p.k))

    def spin(self, m, n, p: Point = Point(), operators=None):
        """Spin matrix elements s_i^{mn} = <u^m|sigma_i|u^n>, i = x, y, z (Eqs. 88-89, 94-95).

        ``operators``: other k-local 2x2 operators O(kx, ky) in place of the Pauli matrices (an
        observable's operator, :mod:`semiclassical.observables`): <u^m_k|O(k)|u^n_k> at p.
        """
        from .parsing import PAULI

        ops = operators or (PAULI["sx"], PAULI["sy"], PAULI["sz"])
        bra, ket = self.bra(m, p), self.spinor(n, p)
        return tuple(expand(p.to_full_angles((bra * sp.Matrix(op).applyfunc(p.momentum) * ket)[0]))
                     for op in ops)

    def velocity_matrix(self, m, n, p: Point = Point()):
        """v^{mn} = (1/hbar)[d eps^m/dk delta_mn + i (eps^m - eps^n) R^{mn}] (Eq. 39), polar."""
        if m == n:
            return (p.velocity(m), sp.Integer(0))
        de = (m - n) * p.dd  # eps^m - eps^n
        return tuple(expand(sp.I * de * r / hbar) for r in self.berry_connection(m, n, p))

    def spin_torque_operator(self, m, n, p: Point = Point(), operators=None):
        """T^{mn} = hbar s^{mn} / (i (eps^m - eps^n)), m != n (Eq. 56); with ``operators``, T_O of each."""
        if m == n:
            return (sp.Integer(0),) * (len(operators) if operators else 3)
        de = (m - n) * p.dd
        return tuple(expand(hbar * s / (sp.I * de)) for s in self.spin(m, n, p, operators))

    # ------------------------------------------------------------------ explicit values
    @cached_property
    def radial(self):
        """Radial functions of the global k: |d|, cos a, sin a, a', d0', |d|'."""
        cov = self.cov
        dd = cov.dnorm
        dz, dp = cov.dz, cov.dperp
        ap = sp.simplify((dz * sp.diff(dp, k) - dp * sp.diff(dz, k)) / (dp**2 + dz**2)) if dp != 0 else 0
        return {"dd": dd, "C": dz / dd, "S": dp / dd, "ap": ap,
                "d0p": sp.diff(cov.d0, k), "ddp": sp.simplify(sp.diff(dd, k)), "d0": cov.d0}

    def point_values(self, p: Point, at=None):
        """Substitution {symbol of p: explicit expression at radius ``at`` (default p.k)}."""
        at = p.k if at is None else at
        r = {n: sp.sympify(v).subs(k, at) for n, v in self.radial.items()}
        return {p.dd: r["dd"], p.C: r["C"], p.S: r["S"], p.ap: r["ap"], p.d0p: r["d0p"], p.ddp: r["ddp"]}

    def explicit(self, expr, p: Point = Point()):
        """Substitute a generic point's symbols by functions of k (and the parameters)."""
        return sp.sympify(expr).subs(self.point_values(p))
