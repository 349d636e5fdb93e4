"""Radial quadrature rules on [0, infinity) for polar k integrals.

Two kinds of integrand occur:

* Fermi-surface bubbles at finite disorder, Tr[A G^R B G^A]: Lorentzian-like peaks of width
  w = Gamma_n / |d eps_n/dk| around every Fermi radius (the poles of G^R and G^A sit at
  k = c -/+ i w). A window [c - L, c + L] around each peak is mapped by k = c + w sinh(u): the
  Lorentzian becomes 1/cosh(u), analytic in a strip of half-width pi/2, so Gauss-Legendre panels
  of unit length in u converge geometrically however small w is (cost ~ log(L/w)).
* Smooth integrands with kinks at given radii (the clean Fermi-sea term): Gauss-Legendre panels
  with the kinks as breakpoints.

Both end with geometrically growing panels and a tail [k_T, infinity) mapped by k = k_T / t,
which integrates power-law decays k^-p (p >= 2, after the k dk measure) to machine precision.
A finite ``upper`` replaces the tail by a hard cutoff. ``extra`` radii become panel edges, so
a cutoff that applies to only some integrals (an indicator k < Lambda) is integrated exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["gauss_legendre", "RadialOptions", "radial_rule", "windows_for"]


@lru_cache(maxsize=None)
def gauss_legendre(n: int):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


@dataclass(frozen=True)
class RadialOptions:
    """Resolution of the radial rules.

    n_gl: nodes per ordinary panel; n_win: nodes per unit-length panel of a sinh window;
    n_tail: nodes of the mapped tail; refine multiplies all three (for error estimates).
    """

    n_gl: int = 24
    n_win: int = 20
    n_tail: int = 32
    du: float = 1.0
    refine: float = 1.0

    def scaled(self, factor: float) -> "RadialOptions":
        return RadialOptions(self.n_gl, self.n_win, self.n_tail, self.du, self.refine * factor)

    def n(self, base: int) -> int:
        return max(4, int(round(base * self.refine)))


def _panel(a, b, n):
    x, w = gauss_legendre(n)
    half = 0.5 * (b - a)
    return a + half * (x + 1.0), half * w


def _segments(a, b, h_max):
    m = max(1, int(np.ceil((b - a) / h_max)))
    edges = np.linspace(a, b, m + 1)
    return list(zip(edges[:-1], edges[1:]))


def _split(segments, extra):
    out = []
    for a, b in segments:
        cuts = sorted(x for x in extra if a < x < b)
        edges = [a, *cuts, b]
        out.extend(zip(edges[:-1], edges[1:]))
    return out


def radial_rule(k_ref: float, windows=(), breaks=(), *, upper=None, extra=(),
                opts: RadialOptions = RadialOptions()):
    """Nodes and weights for int_0^upper dk f(k) (upper=None: infinity).

    ``windows``: (c, w, L) sinh-mapped peaks at c of width w, half-width L (disjoint, inside
    (0, upper)); ``breaks``: kinks; ``k_ref``: the momentum scale of the model (largest Fermi
    radius), which sets ordinary panel lengths.
    """
    n_gl, n_win, n_tail = opts.n(opts.n_gl), opts.n(opts.n_win), opts.n(opts.n_tail)
    extra = [x for x in extra if x is not None]
    xs, ws = [], []
    # ordered list of special intervals: windows [c-L, c+L] and zero-width breaks
    specials = sorted([(c - L, c + L, (c, w)) for c, w, L in windows]
                      + [(b, b, None) for b in breaks if b > 0])
    pos = 0.0
    segs = []
    first = True
    for lo, hi, win in specials:
        lo = max(lo, 0.0)
        if lo > pos:
            if first:
                # grade geometrically towards k = 0 (small-k structure, e.g. small gaps)
                edges = [0.0] + [lo * 2.0 ** (-j) for j in range(6, -1, -1)]
                segs.extend(zip(edges[:-1], edges[1:]))
            else:
                segs.extend(_segments(pos, lo, 0.25 * k_ref))
        first = False
        if win is not None:
            c, w = win
            ua, ub = np.arcsinh((lo - c) / w), np.arcsinh((hi - c) / w)
            m = max(2, int(np.ceil((ub - ua) / opts.du)))
            edges = np.linspace(ua, ub, m + 1)
            # an extra radius inside the window (a panel edge of the vertex basis of a
            # correlated kernel, module ``kernel``) becomes a panel edge in u as well
            cuts = [np.arcsinh((x - c) / w) for x in extra if x is not None and lo < x < hi]
            if cuts:
                edges = np.sort(np.concatenate([edges, cuts]))
            for a, b in zip(edges[:-1], edges[1:]):
                u, wu = _panel(a, b, n_win)
                xs.append(c + w * np.sinh(u))
                ws.append(wu * w * np.cosh(u))
        pos = max(pos, hi)
    start = pos if pos > 0 else k_ref
    if pos == 0:
        edges = [0.0] + [k_ref * 2.0 ** (-j) for j in range(6, -1, -1)]
        segs.extend(zip(edges[:-1], edges[1:]))
    # geometric panels to k_t, beyond every extra breakpoint (those must be panel edges)
    n_geo = 6
    while start * 2.0 ** n_geo < 2.0 * max(extra, default=0.0):
        n_geo += 1
    k_t = start * 2.0 ** n_geo
    edges = [start * 2.0 ** j for j in range(0, n_geo + 1)]
    segs.extend(zip(edges[:-1], edges[1:]))
    if upper is not None:
        segs = [(a, min(b, upper)) for a, b in segs if a < upper]
        if k_t < upper:
            edges = list(np.geomspace(k_t, upper, max(2, int(np.ceil(np.log2(upper / k_t)))) + 1))
            segs.extend(zip(edges[:-1], edges[1:]))
    segs = _split(segs, extra)
    for a, b in segs:
        if b > a:
            x, w = _panel(a, b, n_gl)
            xs.append(x)
            ws.append(w)
    if upper is None:
        # k = k_t / t, dk = k_t / t^2 dt, t in (0, 1]; two panels resolve the t ~ 1 end
        for a, b in ((0.0, 0.5), (0.5, 1.0)):
            t, wt = _panel(a, b, n_tail)
            xs.append(k_t / t)
            ws.append(wt * k_t / t ** 2)
    return np.concatenate(xs), np.concatenate(ws)


def windows_for(centers, widths, k_scale):
    """Disjoint sinh windows around sorted peak centres: half-width 0.45 x the distance to the
    neighbours (and to k = 0), at most 0.5 k_scale."""
    centers = np.asarray(centers, float)
    out = []
    for i, (c, w) in enumerate(zip(centers, widths)):
        left = c if i == 0 else c - centers[i - 1]
        right = np.inf if i == len(centers) - 1 else centers[i + 1] - c
        L = min(0.45 * left, 0.45 * right, 0.5 * k_scale)
        out.append((c, max(w, 1e-300), L))
    return out
