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

import contextlib
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from .bloch import BlochSystem, Point
from .model import k
from .parsing import hbar

__all__ = ["eF", "W", "W_m", "Circle", "Shell", "fermi_average", "radial_functions", "fermi_surface",
           "find_circles", "circle_values", "radius_expressions", "match_radius"]

eF = sp.Symbol("eF", real=True)
W = sp.Symbol("W", positive=True)
#: the magnetic-impurity strength W_m = n_i u_m^2 (docs/magnetic_impurities.md)
W_m = sp.Symbol("W_m", positive=True)


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
def radial_functions(bs: BlochSystem, values: dict, module: str = "numpy"):
    """Numeric callables of k for |d|, cos a, sin a, a', d0, d0', |d|' at a parameter point
    (``module`` "mpmath": at mpmath's working precision)."""
    subs = {bs.model.symbols[n]: v for n, v in values.items() if n in bs.model.symbols}
    return {n: sp.lambdify(k, sp.sympify(expr).subs(subs), module) for n, expr in bs.radial.items()}


def fermi_surface(bs: BlochSystem, values: dict, energy: float):
    """The complete Fermi surface at ``energy``: a :class:`~semiclassical.fermi_scan.BandScan`.

    Every root of eps_m(k) = energy on both bands, bracketed between the band extrema (module
    :mod:`semiclassical.fermi_scan`: exact extremum candidates for bands polynomial in k, kmax from
    the Cauchy bound of (energy - d0)^2 - |d|^2), and the occupation of each band at k = 0, oo.
    """
    from .fermi_scan import scan

    subs = {bs.model.symbols[n]: v for n, v in values.items() if n in bs.model.symbols}
    cov = bs.cov
    d0 = sp.sympify(cov.d0).subs(subs)
    dd2 = sp.expand(sp.sympify(cov.dperp**2 + cov.dz**2).subs(subs))
    return scan(d0, dd2, energy)


def find_circles(bs: BlochSystem, values: dict, energy: float):
    """Numeric Fermi circles at ``energy``: list of (band, vsign, k_c), sorted by band then k.

    All of them (:func:`fermi_surface`), refined with Brent's method to machine precision; an
    energy within the stated resolution of a band extremum raises (``fermi_scan.EXTREMUM_RTOL``).
    """
    return list(fermi_surface(bs, values, energy).circles)


def circle_values(bs: BlochSystem, circle: Circle, values: dict, kc: float, digits: int | None = None) -> dict:
    """Numeric values of a circle's symbols at radius kc: floats, or with ``digits`` SymPy Floats of that
    many digits (from the double inputs taken as exact). The closed forms hold 1 - cos a and the like,
    which lose all but a few digits in double precision on a tiny circle next to a band edge (cos a =
    1 - 5e-11: profile case 531, a 3e-6 relative error in a side-jump piece); evaluated from digits = 40
    they keep double precision."""
    p = circle.point
    with mpmath.workdps(digits + 5) if digits else contextlib.nullcontext():
        if digits:
            values = {n: mpmath.mpf(v) if isinstance(v, float) else v for n, v in values.items()}
            k_c, pi, real, number = mpmath.mpf(kc), mpmath.pi, mpmath.re, lambda x: sp.Float(x, digits)
        else:
            k_c, pi, real, number = kc, np.pi, np.real, float
        f = radial_functions(bs, values, "mpmath" if digits else "numpy")
        raw = {name: real(f[name](k_c)) for name in ("dd", "C", "S", "ap", "d0p", "ddp")}
        hbar_value = values.get("hbar", 1.0)
        rho = k_c / (2 * pi * hbar_value * abs((raw["d0p"] + circle.band * raw["ddp"]) / hbar_value))
        out = {p.k: number(k_c), circle.rho: number(rho)}
        out.update({getattr(p, name): number(x) for name, x in raw.items()})
    return out


def radius_expressions(bs: BlochSystem, band: int, energy=eF):
    """Candidate closed forms k(eF) of the circles of ``band``: positive roots of (eF - d0)^2 = |d|^2.

    Returns a list of SymPy expressions (branches); which branch is a given circle is decided
    numerically at a parameter point (:func:`match_radius`).
    """
    cov = bs.cov
    key = (cov.d0, cov.dnorm, energy)
    if key not in _RADII:
        # solved once per model (every result made explicit asks again: 150 solves of one quadratic,
        # 3 s of `derive ti-surface --out`); the bands share the roots, match_radius picks the branch
        q = sp.Symbol("q", positive=True)  # q = k^2 when the equation is even in k
        poly = sp.expand((energy - cov.d0) ** 2 - cov.dnorm**2)
        even = sp.expand(poly.subs(k, -k) - poly) == 0
        try:
            _RADII[key] = [sp.sqrt(s) for s in sp.solve(poly.subs(k, sp.sqrt(q)), q)] if even else sp.solve(poly, k)
        except NotImplementedError:
            _RADII[key] = []
    return list(_RADII[key])


_RADII: dict = {}


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
