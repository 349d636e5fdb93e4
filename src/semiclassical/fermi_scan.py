"""Every Fermi circle of a covariant model, from the extrema of its radial bands.

The bands of a rotationally covariant model are radial functions eps_m(k) = d0(k) + m |d|(k),
|d|^2 = d_perp^2 + d_z^2 (m = +1, -1; docs/design.md section 2). Between two consecutive extrema
(zeros of d eps_m/dk, and the touchings |d| = 0 where |d| has a kink) a band is monotonic, so it
crosses eps at most once there: bracketing every monotonic piece finds *every* root, however many
a band has (a Mexican hat has two, a ring three) and however thin an annulus is.

- Polynomial bands (d0 and |d|^2 polynomials in k, which covers every built-in model): the
  extremum candidates of both bands are the positive real roots of the polynomial
  4 d0'^2 |d|^2 - (|d|^2')^2 (from d0' = -m |d|' = -m (|d|^2)'/(2|d|), squared) and of |d|^2.
  Every root of eps_m(k) = eps is a root of (eps - d0)^2 - |d|^2, so none lies beyond the Cauchy
  bound of that polynomial: that is ``kmax``, from the leading powers of the bands.
- Other bands: the extrema are bracketed on a radial grid by sign changes of d eps_m/dk and
  refined with Brent's method; ``kmax`` is where both bands recede from eps with a stable leading
  power (log-log slope constant to 0.02 over three doublings of k).

Resolution (the stated limit): a band extremum eps_ext with |eps - eps_ext| > EXTREMUM_RTOL * S,
S = |d0| + |d| + |eps| at the extremum (the roundoff scale of eps_m there), is resolved: an annulus
that close to its extremum has relative width 2 sqrt(2 |eps - eps_ext| / eps'') / k_ext, about
3e-6 for a band whose curvature eps'' k^2 is of the order S. Closer than that the Fermi surface is
singular (vanishing Fermi velocity, divergent density of states) and :func:`scan` raises a
:class:`SemiclassicalError` saying so; it never reports a gap there.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from .errors import SemiclassicalError
from .model import k

__all__ = ["EXTREMUM_RTOL", "BandScan", "scan", "touching_radii"]

#: |eps - eps_extremum| <= EXTREMUM_RTOL * S is a singular Fermi surface (module docstring)
EXTREMUM_RTOL = 1e-12
_BRENT = dict(xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)


@dataclass(frozen=True)
class BandScan:
    """The Fermi circles at one energy and the occupation of each band at k = 0 and k -> oo.

    ``circles``: (band, vsign, k_c), sorted by band (+ first) then radius; ``extrema``: per band
    the (k, eps) of its extrema at k > 0; ``kmax``: no band crosses the energy beyond it.
    """

    circles: tuple
    filled_at_zero: tuple
    filled_at_infinity: tuple
    extrema: dict
    kmax: float


def _poly(expr):
    """numpy coefficients (highest first) of ``expr`` as a polynomial in k with real numbers, or None."""
    expr = sp.expand(expr)
    if expr.free_symbols - {k} or not expr.is_polynomial(k):
        return None
    try:
        c = [complex(x) for x in sp.Poly(expr, k).all_coeffs()]
    except (TypeError, ValueError):
        return None
    if any(abs(x.imag) > 1e-14 * max(1.0, abs(x.real)) for x in c):
        return None
    return np.trim_zeros(np.array([x.real for x in c]), "f")


def _positive_roots(coeffs):
    """Positive real roots of a polynomial (numpy order), polished by two Newton steps."""
    if coeffs is None or len(coeffs) < 2:
        return []
    der = np.polyder(coeffs)
    out = []
    for r in np.roots(coeffs):
        if abs(r.imag) > 1e-7 * max(1.0, abs(r)) or r.real <= 0:
            continue
        x = r.real
        for _ in range(2):
            d = np.polyval(der, x)
            if d != 0:
                x = x - np.polyval(coeffs, x) / d
        out.append(abs(x))
    return out


def _cauchy_bound(coeffs):
    """Every root z of the polynomial has |z| < 1 + max |a_i / a_n| (Cauchy)."""
    c = np.trim_zeros(np.asarray(coeffs, float), "f")
    if len(c) < 2:
        return 1.0
    return 1.0 + float(np.max(np.abs(c[1:] / c[0])))


def touching_radii(dnorm2) -> list[float]:
    """Radii k > 0 where the two bands touch (|d|^2 = 0), for |d|^2 polynomial in k (else [])."""
    p2 = _poly(sp.expand(sp.sympify(dnorm2)))
    if p2 is None or len(p2) < 2:
        return []
    # |d|^2 >= 0, so a touching is a double root: a simple root of (|d|^2)', where Newton converges
    cand = _positive_roots(np.polyder(p2)) + _positive_roots(p2)
    found = [x for x in cand if abs(np.polyval(p2, x)) <= 1e-9 * np.polyval(np.abs(p2), x)]
    return sorted({round(x, 12) for x in found})


def scan(d0, dnorm2, energy: float, *, samples: int = 4001) -> BandScan:
    """Circles of eps_m = d0 + m sqrt(dnorm2) at ``energy``; ``d0``, ``dnorm2``: SymPy in k only."""
    energy = float(energy)
    d0, dnorm2 = sp.sympify(d0), sp.expand(sp.sympify(dnorm2))
    f0 = sp.lambdify(k, d0, "numpy")
    f2 = sp.lambdify(k, dnorm2, "numpy")
    g0 = sp.lambdify(k, sp.diff(d0, k), "numpy")
    g2 = sp.lambdify(k, sp.diff(dnorm2, k), "numpy")

    def eps(m, x):
        return float(f0(x)) + m * float(np.sqrt(max(float(f2(x)), 0.0)))

    def slope(m, x):
        dd = np.sqrt(max(float(f2(x)), 0.0))
        return float(g0(x)) + (m * float(g2(x)) / (2 * dd) if dd > 0 else 0.0)

    p0, p2 = _poly(d0), _poly(dnorm2)
    if p0 is not None and p2 is not None:
        dp0, dp2 = np.polyder(p0) if len(p0) > 1 else np.zeros(1), np.polyder(p2) if len(p2) > 1 else np.zeros(1)
        cand = np.polysub(4 * np.polymul(np.polymul(dp0, dp0), p2), np.polymul(dp2, dp2))
        cand = np.trim_zeros(cand, "f")
        cross = np.polysub(np.polymul(np.polysub([energy], p0), np.polysub([energy], p0)), p2)
        if len(cand) == 0 or len(np.trim_zeros(cross, "f")) == 0:
            raise SemiclassicalError(
                f"a band is flat (the same energy at every k) at energy {energy:g}: no Fermi circle is defined; "
                "change the parameters")
        points = sorted(set(_positive_roots(cand) + _positive_roots(p2)))
        kmax = 2.0 * max([_cauchy_bound(cross), *points, 1.0])
        grid = np.array([0.0, *points, kmax])
    else:
        kmax = _receding_radius(eps, slope, energy)
        grid = np.unique(np.concatenate([np.linspace(0.0, kmax, samples), np.geomspace(1e-8 * kmax, kmax, samples // 2)]))

    circles, extrema, zero, inf = [], {}, [], []
    for m in (+1, -1):
        mids = 0.5 * (grid[:-1] + grid[1:])
        sgn = np.sign([slope(m, x) for x in mids])
        ext = []
        for i in np.nonzero(sgn[:-1] * sgn[1:] < 0)[0]:
            a, b = mids[i], mids[i + 1]
            ext.append(brentq(lambda x: slope(m, x), a, b, **_BRENT))
        extrema[m] = [(x, eps(m, x)) for x in ext]
        scale0 = abs(float(f0(0.0))) + np.sqrt(max(float(f2(0.0)), 0.0)) + abs(energy)
        if abs(eps(m, 0.0) - energy) <= EXTREMUM_RTOL * scale0:
            raise SemiclassicalError(
                f"eF = {energy:g} is at the band edge of band {m:+d} at k = 0 (a Fermi circle of zero radius); "
                "the semiclassical expansion needs a finite Fermi surface: move eF")
        for x, ex in extrema[m]:
            s = abs(float(f0(x))) + np.sqrt(max(float(f2(x)), 0.0)) + abs(energy)
            if abs(ex - energy) <= EXTREMUM_RTOL * s:
                raise SemiclassicalError(
                    f"eF = {energy:g} is within {EXTREMUM_RTOL:g} (relative) of an extremum of band {m:+d} "
                    f"(eps = {ex:.12g} at k = {x:.6g}): the Fermi surface there is singular (an annulus thinner than "
                    "the resolvable width, vanishing Fermi velocity); move eF")
        nodes = [0.0, *ext, float(grid[-1])]
        fn = [eps(m, x) - energy for x in nodes]
        for (a, fa), (b, fb) in zip(zip(nodes, fn), zip(nodes[1:], fn[1:])):
            if fa * fb < 0:
                kc = brentq(lambda x: eps(m, x) - energy, a, b, **_BRENT)
                v = slope(m, kc)
                if v == 0:
                    raise SemiclassicalError(
                        f"the Fermi level {energy:g} touches a band edge of band {m:+d} (zero velocity at k = {kc:.6g}); "
                        "the semiclassical expansion needs a non-zero Fermi velocity: move eF")
                circles.append((m, int(np.sign(v)), kc))
        if fn[0] < 0:
            zero.append(m)
        if fn[-1] < 0:
            inf.append(m)
    circles.sort(key=lambda t: (-t[0], t[2]))
    return BandScan(tuple(circles), tuple(zero), tuple(inf), extrema, float(grid[-1]))


def _receding_radius(eps, slope, energy):
    """A radius beyond which both bands move away from ``energy`` with a stable leading power.

    Doubling k from 1: accept K when at K, 2K, 4K, 8K every band lies on one side of ``energy``,
    its slope points away from it, and the log-log slope d ln|eps - energy|/d ln k of successive
    doublings agrees to 0.02 (the leading power has taken over).
    """
    K = 2.0**-20
    for _ in range(160):
        ks = K * 2.0 ** np.arange(4)
        ok = True
        for m in (+1, -1):
            f = np.array([eps(m, x) - energy for x in ks])
            s = np.array([slope(m, x) for x in ks])
            if not (np.all(np.sign(f) == np.sign(f[0])) and np.all(np.sign(s) == np.sign(f[0]))
                    and np.all(np.abs(f) > 0)):
                ok = False
                break
            p = np.diff(np.log(np.abs(f))) / np.log(2.0)
            if np.ptp(p) > 0.02 or p.min() <= 0:
                ok = False
                break
        if ok:
            return float(ks[-1])
        K *= 2.0
    raise SemiclassicalError(
        f"could not find a radius beyond which the bands leave energy {energy:g} for good (bands that do not "
        "grow at large k); the Fermi circles cannot be certified complete")
