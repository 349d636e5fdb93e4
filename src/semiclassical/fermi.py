"""Fermi circles of a covariant model and exact Fermi-surface sums.

For an energy shell eps, each band m contributes the circles k_c with eps^m(k_c) = eps. Then

    sum_k' delta(eps - eps^{m'}_{k'}) F(k') = sum_{circles c of band m'} rho_c <F>_theta',
    rho_c = k_c / (2 pi hbar |v_c|),   hbar v_c = d eps^{m'}/dk at k_c       (docs/design.md section 3)

and <F>_theta' is the constant Fourier harmonic of F (exact; no ``integrate``).

Which circles exist depends on the parameter point, so a :class:`Shell` is a *scenario*: the
list of (band, velocity sign) of its circles, found numerically by :func:`find_circles`. The
closed forms are derived per scenario in the circle data (radius, Bloch angle, velocity, density
of states of each circle), and made explicit in eF by :func:`radius_expressions`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .bloch import BlochSystem, Point
from .errors import SemiclassicalError
from .model import k
from .parsing import hbar

eF = sp.Symbol("eF", real=True)
W = sp.Symbol("W", positive=True)


@dataclass(frozen=True)
class Circle:
    """One Fermi circle: its band (+1/-1), the sign of its radial velocity, and its symbols."""

    band: int
    vsign: int
    tag: str

    @property
    def point(self) -> Point:
        return Point(self.tag)

    @property
    def rho(self):
        """Density of states of the circle (a positive symbol)."""
        return sp.Symbol(f"rho_{self.tag}", positive=True)

    def rho_value(self):
        """rho_c = k_c / (2 pi hbar |v_c|) in the point symbols."""
        p = self.point
        return p.k / (2 * sp.pi * hbar * self.vsign * p.velocity(self.band))

    def label(self):
        return f"{'+' if self.band > 0 else '-'}{self.tag}"


@dataclass(frozen=True)
class Shell:
    """The circles at one energy (a scenario: band and velocity sign of each)."""

    circles: tuple[Circle, ...]

    @classmethod
    def of(cls, spec, prefix=""):
        """Shell from a sequence of (band, vsign) pairs; tags are prefix + 1, 2, ..."""
        return cls(tuple(Circle(b, s, f"{prefix}{i + 1}") for i, (b, s) in enumerate(spec)))

    def __len__(self):
        return len(self.circles)

    def describe(self):
        return ", ".join(f"circle {c.tag}: band {'+' if c.band > 0 else '-'}, "
                         f"{'electron' if c.vsign > 0 else 'hole'}-like" for c in self.circles)


def fermi_average(bs: BlochSystem, shell: Shell, integrand):
    """sum_k' delta(eps - eps_k') F(k') -> sum_c rho_c <F(circle c)>: ``integrand(circle)``."""
    from .model import angular_average

    return sp.Add(*[c.rho * angular_average(integrand(c), c.point.u) for c in shell.circles])


# ---------------------------------------------------------------------------- numerics
def radial_functions(bs: BlochSystem, values: dict):
    """Numeric callables of k for |d|, cos a, sin a, a', d0, d0', |d|' at a parameter point."""
    subs = {bs.model.symbols[n]: v for n, v in values.items() if n in bs.model.symbols}
    return {n: sp.lambdify(k, sp.sympify(expr).subs(subs), "numpy") for n, expr in bs.radial.items()}


def find_circles(bs: BlochSystem, values: dict, energy: float, kmax=None, samples=4000):
    """Numeric Fermi circles at ``energy``: list of (band, vsign, k_c), sorted by band then k.

    Radii are bracketed on a radial grid up to ``kmax`` (default: well beyond the largest
    scale of the model) and refined with Brent's method to machine precision.
    """
    from scipy.optimize import brentq

    f = radial_functions(bs, values)

    def eps(band, kk):
        return np.asarray(f["d0"](kk) + band * f["dd"](kk), float) * np.ones_like(kk)

    if kmax is None:
        kmax = _kmax(eps, energy)
    grid = np.concatenate([np.linspace(1e-9, kmax, samples)])
    out = []
    for band in (+1, -1):
        vals = eps(band, grid) - energy
        for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]:
            kc = brentq(lambda x: float(eps(band, x) - energy), grid[i], grid[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
            h = 1e-6 * max(kc, 1e-6)
            slope = (eps(band, kc + h) - eps(band, kc - h)) / (2 * h)
            if abs(slope) < 1e-12:
                raise SemiclassicalError(
                    f"the Fermi level {energy} touches a band edge of band {band:+d} (zero velocity at k = {kc:.6g}); "
                    "the semiclassical expansion needs a non-zero Fermi velocity: move eF"
                )
            out.append((band, int(np.sign(slope)), kc))
    return sorted(out, key=lambda t: (-t[0], t[2]))


def _kmax(eps, energy):
    """A radius beyond which no band returns to ``energy`` (dispersions grow at large k)."""
    kk = 1.0
    for _ in range(60):
        lo = min(eps(+1, kk), eps(-1, kk))
        hi = max(eps(+1, kk), eps(-1, kk))
        if (lo > abs(energy) * 4 + 1 or hi < -abs(energy) * 4 - 1) and kk > 8:
            return kk
        kk *= 2
    return kk


def circle_values(bs: BlochSystem, circle: Circle, values: dict, kc: float) -> dict:
    """Numeric values of a circle's symbols at radius kc."""
    f = radial_functions(bs, values)
    p = circle.point
    out = {p.k: kc}
    for name in ("dd", "C", "S", "ap", "d0p", "ddp"):
        out[getattr(p, name)] = float(np.real(f[name](kc)))
    out[circle.rho] = kc / (2 * np.pi * values.get("hbar", 1.0) * abs((out[p.d0p] + circle.band * out[p.ddp]) / values.get("hbar", 1.0)))
    return out


def radius_expressions(bs: BlochSystem, band: int, energy=eF):
    """Candidate closed forms k(eF) of the circles of ``band``: positive roots of (eF - d0)^2 = |d|^2.

    Returns a list of SymPy expressions (branches); which branch is a given circle is decided
    numerically at a parameter point (:func:`match_radius`).
    """
    cov = bs.cov
    q = sp.Symbol("q", positive=True)  # q = k^2 when the equation is even in k
    poly = sp.expand((energy - cov.d0) ** 2 - cov.dnorm**2)
    even = sp.expand(poly.subs(k, -k) - poly) == 0
    try:
        if even:
            sols = sp.solve(poly.subs(k, sp.sqrt(q)), q)
            return [sp.sqrt(s) for s in sols]
        return sp.solve(poly, k)
    except NotImplementedError:
        return []


def match_radius(bs: BlochSystem, candidates, band, values, energy_value, kc, rtol=1e-9):
    """The candidate expression that equals the numeric radius kc (or None)."""
    subs = {bs.model.symbols[n]: v for n, v in values.items() if n in bs.model.symbols}
    subs[eF] = energy_value
    for cand in candidates:
        try:
            val = complex(sp.N(cand.subs(subs), 20))
        except (TypeError, ValueError):
            continue
        if abs(val.imag) < 1e-9 * max(1, abs(val)) and abs(val.real - kc) < rtol * max(1, kc):
            return cand
    return None
