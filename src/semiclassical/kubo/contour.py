"""Fermi contours of a numeric two-band model, found along rays from k = 0.

The Kubo engine needs, for every polar angle theta of its angular grid, the radii where a band
crosses the Fermi level (conventions: contours are star-shaped around k = 0). They serve twice:
as exact supports of the clean delta functions (Born self-energy, the Fermi-surface part of the
Fermi-sea term) and as the places where the disordered Green's functions G^R G^A peak, which the
radial quadrature must resolve (module ``radial``).

    int d^2k/(2pi)^2 delta(eF - eps_n(k)) F(k) = int dtheta/(2pi)^2 sum_{roots} k_r F / |d eps_n/dk|,

the radial derivative coming from Hellmann-Feynman, d eps_n/dk = Tr[P_n dH/dk].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .linalg2 import bands, energies

__all__ = ["SEARCH_GRID", "ray_hamiltonian", "FermiPoints", "fermi_points", "touching_radius"]

#: radial search grid (model units): k = 0 plus a geometric grid over 14 decades. Bands of a
#: continuum model are smooth in k, so a sign change of eps_n - eF between two grid points
#: (ratio 1.011) brackets a Fermi radius; bisection then refines it to machine precision.
SEARCH_GRID = np.concatenate([[0.0], np.geomspace(1e-7, 1e7, 3001)])


def ray_hamiltonian(model: NumericModel, k, theta):
    """H and dH/dk (radial derivative) at polar points (k, theta), broadcast together."""
    k, theta = np.broadcast_arrays(np.asarray(k, float), np.asarray(theta, float))
    c, s = np.cos(theta), np.sin(theta)
    kx, ky = k * c, k * s
    h = model.h(kx, ky)
    dx, dy = model.dh(kx, ky)
    return h, c[..., None, None] * dx + s[..., None, None] * dy


def touching_radius(model: NumericModel, n_theta: int = 8) -> float | None:
    """The smallest k > 0 at which the two bands touch on some ray (a ring of touchings for a
    covariant model whose d-vector vanishes at k_0), or None.

    The gap e_1 - e_0 along each ray of the search grid: each interior local minimum is refined by
    a bounded Brent search (its x tolerance ~1e-8 relative leaves ~1e-8 of the V-shaped gap,
    |d| ~ |k - k_0|); a touching is a minimum below 1e-6 of the gap at the neighbouring grid points (a
    true gap that small is, for this engine, a touching: its integrands are as singular).
    """
    from scipy.optimize import minimize_scalar

    theta = 2 * np.pi * (np.arange(n_theta) + 0.5) / n_theta
    k = SEARCH_GRID[1:]
    e = energies(model.h(np.outer(np.cos(theta), k), np.outer(np.sin(theta), k)))   # (N, M, 2)
    gap = e[..., 1] - e[..., 0]
    found = []
    for j, i in zip(*np.nonzero((gap[:, 1:-1] <= gap[:, :-2]) & (gap[:, 1:-1] <= gap[:, 2:]))):
        i += 1
        c, s = np.cos(theta[j]), np.sin(theta[j])

        def g(x):
            ee = energies(model.h(np.array([x * c]), np.array([x * s])))[0]
            return float(ee[1] - ee[0])

        r = minimize_scalar(g, bounds=(k[i - 1], k[i + 1]), method="bounded", options={"xatol": 1e-14 * k[i]})
        if r.fun <= 1e-6 * min(gap[j, i - 1], gap[j, i + 1]):
            found.append(float(r.x))
    return min(found) if found else None


def _hidden_annuli(model, theta, kk, e, eF):
    """Extrema of a band strictly between grid points whose neighbours lie on one side of eF while
    the extremum lies on the other: (ray, band, a, x_ext, c, e(a) - eF, e(x_ext) - eF) per such extremum,
    located by a vectorised golden-section search on [a, c] = the grid points around it."""
    de = np.diff(e, axis=1)                                          # (N, M-1, 2)
    turn = de[:, :-1] * de[:, 1:] < 0                                # extremum near grid point i + 1
    same = (np.sign(e[:, :-2]) == np.sign(e[:, 1:-1])) & (np.sign(e[:, 1:-1]) == np.sign(e[:, 2:]))
    t, i, b = np.nonzero(turn & same)
    a, c = kk[i].copy(), kk[i + 2].copy()
    minimum = de[t, i, b] < 0                                        # falling, then rising
    th = theta[t]

    def f(x):                                                        # the band, sign-flipped at maxima
        h, _ = ray_hamiltonian(model, x, th)
        v = energies(h)[np.arange(len(x)), b] - eF
        return np.where(minimum, v, -v)

    lo, hi = a.copy(), c.copy()
    g = (np.sqrt(5.0) - 1) / 2
    for _ in range(90):                                              # (0.618)^90 ~ 1e-19 of a grid step
        x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
        left = f(x1) < f(x2)
        hi, lo = np.where(left, x2, hi), np.where(left, lo, x1)
    x = 0.5 * (lo + hi)
    fx = np.where(minimum, f(x), -f(x)) if len(x) else np.zeros(0)
    hidden = np.sign(fx) != np.sign(e[t, i + 1, b])
    sel = np.nonzero(hidden)[0]
    return (t[sel], b[sel], a[sel], x[sel], c[sel], e[t[sel], i[sel], b[sel]], fx[sel])


@dataclass(frozen=True)
class FermiPoints:
    """Fermi radii on an angular grid.

    ``theta`` (N,); ``k``, ``band``, ``slope`` of shape (N, R): R roots per ray, sorted by radius,
    with their band index (0 lower, 1 upper) and radial slope d eps/dk (energy per unit k).
    """

    eF: float
    theta: np.ndarray
    k: np.ndarray
    band: np.ndarray
    slope: np.ndarray

    @property
    def count(self) -> int:
        return self.k.shape[1]

    def contour_sum(self, values: np.ndarray) -> np.ndarray:
        """int d^2k/(2pi)^2 delta(eF - eps_n) F for F given at the roots, shape (N, R, ...).

        Trapezoid rule in theta (periodic, spectrally accurate for smooth contours).
        """
        n = len(self.theta)
        jac = (self.k / np.abs(self.slope)).reshape(self.k.shape + (1,) * (values.ndim - 2))
        return (2 * np.pi / n) / (2 * np.pi) ** 2 * np.sum(values * jac, axis=(0, 1))


def fermi_points(model: NumericModel, eF: float, n_theta: int) -> FermiPoints:
    """All Fermi radii on the rays theta_j = 2 pi j / n_theta.

    Raises SemiclassicalError when the number of crossings changes with the angle (a contour
    that is not star-shaped around k = 0) or when eF touches a band extremum (zero velocity).
    """
    theta = 2 * np.pi * np.arange(n_theta) / n_theta
    kk = SEARCH_GRID
    h = model.h(np.outer(np.cos(theta), kk), np.outer(np.sin(theta), kk))
    e = energies(h) - eF  # (N, M, 2)
    scale = np.abs(e + eF) + abs(eF) + 1e-300  # local energy scale of each grid value
    flat = np.abs(e) <= 1e-13 * scale
    if np.any(flat):
        # eF on a grid point: a crossing if the neighbours differ in sign, else an extremum
        # (k = 0 is an extremum of a smooth radial function: its mirror is the opposite ray)
        t, i, b = np.nonzero(flat)
        left = np.where(i > 0, e[t, np.maximum(i - 1, 0), b], e[t, np.minimum(i + 1, len(kk) - 1), b])
        right = e[t, np.minimum(i + 1, len(kk) - 1), b]
        if np.any(np.sign(left) == np.sign(right)):
            raise SemiclassicalError(
                f"the Fermi level eF = {eF:g} touches a band extremum (zero Fermi velocity); move eF")
        e = np.where(flat, scale * 1e-13, e)
    sign = np.sign(e)
    cross = sign[:, :-1, :] * sign[:, 1:, :] < 0  # (N, M-1, 2)
    it, ik, ib = np.nonzero(cross)
    lo, hi, flo = kk[ik].copy(), kk[ik + 1].copy(), e[it, ik, ib]
    # a thin annulus (the rim of a Mexican hat) can hide both its radii between two grid points:
    # each extremum of a band between grid points on the same side of eF is located, and if it lies
    # on the other side, its two brackets join the list (found by the model-space profile: a ring
    # 0.013 wide against a grid step of 0.015 left the engine without a Fermi surface)
    ht, hb, ha, hx, hc, hfa, hfx = _hidden_annuli(model, theta, kk, e, eF)
    it, ib = np.concatenate([it, ht, ht]), np.concatenate([ib, hb, hb])
    lo, hi = np.concatenate([lo, ha, hx]), np.concatenate([hi, hx, hc])
    flo = np.concatenate([flo, hfa, hfx])
    counts = np.bincount(it, minlength=n_theta)
    if np.any(counts != counts[0]):
        raise SemiclassicalError(
            f"the Fermi contour at eF = {eF:g} is not star-shaped around k = 0 (the number of "
            "crossings changes with the angle); the Kubo engine needs star-shaped contours"
        )
    nroot = int(counts[0])
    if nroot == 0:
        empty = np.zeros((n_theta, 0))
        return FermiPoints(eF, theta, empty, empty.astype(int), empty)
    order = np.argsort(it, kind="stable")      # grouped by theta (the reshape below)
    it, ib, lo, hi, flo = it[order], ib[order], lo[order], hi[order], flo[order]
    th = theta[it]
    for _ in range(64):  # bisection to machine precision, vectorised over every bracket
        mid = 0.5 * (lo + hi)
        hm, _ = ray_hamiltonian(model, mid, th)
        fm = energies(hm)[np.arange(len(mid)), ib] - eF
        left = np.sign(fm) == np.sign(flo)
        lo = np.where(left, mid, lo)
        flo = np.where(left, fm, flo)
        hi = np.where(left, hi, mid)
    root = 0.5 * (lo + hi)
    hr, dr = ray_hamiltonian(model, root, th)
    _, proj = bands(hr)
    p = proj[np.arange(len(root)), ib]
    slope = np.einsum("nij,nji->n", p, dr).real
    scale = np.max(np.abs(energies(hr)), axis=-1) + abs(eF) + 1e-300
    if np.any(np.abs(slope) * np.maximum(root, 1e-300) < 1e-9 * scale):
        raise SemiclassicalError(
            f"the Fermi level eF = {eF:g} touches a band extremum (zero Fermi velocity); move eF"
        )
    # group per theta, sort by radius
    k = root.reshape(n_theta, nroot)
    band = ib.reshape(n_theta, nroot)
    slope = slope.reshape(n_theta, nroot)
    order = np.argsort(k, axis=1)
    take = np.take_along_axis
    return FermiPoints(eF, theta, take(k, order, 1), take(band, order, 1), take(slope, order, 1))
