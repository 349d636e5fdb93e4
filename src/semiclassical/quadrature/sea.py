"""Fermi-sea integrals: sigma^int (Eq. 72) and the intrinsic spin density (Eqs. 57, 63, 91).

    I = sum_m int d^2k/(2 pi)^2 X^m(k) n_FD(eps^m_k),   n_FD = Theta(eF - eps)  (T = 0)

in polar coordinates, with the angle on a uniform periodic grid (trapezoid, spectral) and the
radius adaptive (``scipy.integrate.quad_vec``):

* region I, 0 <= k <= K (K beyond every Fermi radius): angle outside, radius inside. For every
  band and angle the filled radial intervals are delimited by the Fermi radii at that angle
  (breakpoints, found by :mod:`.contours`), each mapped to t in [0, 1]; the integrand summed over
  angles and intervals is integrated in t, so every radial integrand is smooth.
* region II, k >= K: filled/empty no longer changes with k, so the angle is averaged inside
  (this is where the leading 1/k^2 terms of s^int cancel between angles) and k = K/t maps
  [K, inf) to (0, 1]; the integrand must decay faster than 1/k^2. The angular average at each k
  uses the n_theta grid and its midpoints (2 n_theta angles); their difference estimates the
  angular error. Where it exceeds the tolerance (anisotropic models whose angular structure
  sharpens without bound as k grows, e.g. hexagonal warping) the result carries the estimate
  ``unresolved_error`` and is not claimed to full accuracy.

X is evaluated from numeric eigenvectors (gauge invariant): X = (Omega, s^int_x, s^int_y, s^int_z).
Units: sigma^int in e^2/hbar x (dimensionless), s^int per unit E_x.
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad_vec

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bands import band_data, band_energies
from .contours import angle_grid, auto_kmax, find_contours
from .gauge import RandomGauge


def sea_integrand(model: NumericModel, kx, ky, gauge=None, field=(1.0, 0.0), *, with_size=False):
    """(Omega^m, s^int,m_x, s^int,m_y, s^int,m_z) at arrays of k: shape S + (2 band, 4).

    ``with_size``: also the sizes of the same components before cancellation, the moduli of the
    products of matrix elements that Eqs. 43 and 57 add (2 |<m|dxH|n><n|dyH|m>|/gap^2 and
    (e/hbar)(|T^mn E.R'^nm| + |E.R'^mn T^nm|)). They set the rounding level of a component that
    vanishes by symmetry, where |X| itself is only rounding noise (Omega of a model with d_z = 0).
    """
    bd = band_data(model, kx, ky, gauge)
    sint = bd.intrinsic_spin(field)                           # S + (3, 2)
    x = np.concatenate([bd.berry_curvature[..., None], np.swapaxes(sint, -1, -2)], axis=-1)
    if not with_size:
        return x
    dx, dy = bd.dh_band[..., 0, :, :], bd.dh_band[..., 1, :, :]
    omega = 2 * np.sum(np.abs(dx * np.swapaxes(dy, -1, -2)) * bd._inverse_gaps**2, axis=-1)
    er = np.abs(np.einsum("a,...amn->...mn", np.asarray(field, float), bd.berry_connection))
    t = np.abs(bd.torque_operator)
    spin = bd.e / bd.hbar * np.diagonal(t @ er[..., None, :, :] + er[..., None, :, :] @ t,
                                        axis1=-2, axis2=-1)   # S + (3, 2)
    size = np.concatenate([omega[..., None], np.swapaxes(spin, -1, -2)], axis=-1)
    return x, np.maximum(size, np.abs(x))


#: an angular sum of terms of size |x| is known to no better than about this many eps times sum |x|
_ROUNDING = 64 * np.finfo(float).eps


def _drop_rounding(total: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``total`` with each component that is below the rounding level of its sum set to exactly 0.

    A component that vanishes by symmetry (Omega of a model with d_z = 0; the cos(theta)/k^2 parts
    of s^int, whose angular average is zero) would otherwise be rounding noise of size eps sum|x|,
    which an adaptive rule tries in vain to resolve (at large k that noise is not even integrable:
    |s^int| ~ 1/k^2). Zeroing it changes the integral by less than its own rounding error.
    """
    return np.where(np.abs(total) <= _ROUNDING * size, 0.0, total)


def _open_intervals(model, eF, theta, K, contours):
    """[(0, a(theta), b(theta))]: the radial intervals inside [0, K] where exactly one band is filled.

    Omega^+ + Omega^- = 0 and s^int,+ + s^int,- = 0 pointwise (two bands: the band-diagonal
    elements of a commutator and of Eq. 43 are opposite), so sum_m n_FD(eps^m) X^m vanishes where
    both bands are filled, as where none is; only the lower band alone (eps^- < eF < eps^+)
    contributes. Leaving out the doubly filled disc is exact, and it keeps the integration away
    from a band touching (X ~ 1/k^2 at a Dirac point, which no adaptive rule resolves cheaply).
    """
    radii = [c.k for c in contours]
    edges = np.sort(np.stack([np.zeros_like(theta), *radii, np.full_like(theta, K)]), axis=0)
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        mid = 0.5 * (a + b)
        filled = np.sum(band_energies(model, mid * np.cos(theta), mid * np.sin(theta)) < eF, axis=-1)
        if np.all(filled == 1):
            out.append((0, a, b))
        elif np.any(filled == 1):
            raise SemiclassicalError("filled region of the Fermi sea is not star-shaped around k = 0")
    return out


def fermi_sea(model: NumericModel, eF: float, n_theta: int, *, kmax: float | None = None,
              epsrel: float = 1e-12, gauge: RandomGauge | None = None, field=(1.0, 0.0)) -> dict:
    """sum_m int d^2k/(2pi)^2 X^m n_FD for X = (Omega, s^int) on an n_theta angle grid.

    Returns {"sigma_int": (e^2/hbar) sum Omega n_FD, "spin_int": (3,), "error": quad estimate,
    "size": integrals of the summand sizes (sea_integrand) over region I, the scale for error
    control, "K": K}.
    """
    if kmax is None:
        kmax = auto_kmax(model, eF)
    theta = angle_grid(n_theta, 0.5 * 2 * np.pi / n_theta)   # offset: avoid theta = 0 exactly
    probe = find_contours(model, eF, n_theta, kmax=kmax, theta0=theta[0])
    rmax = max((c.k.max() for c in probe), default=0.0)
    K = max(2.0 * rmax, kmax / 16.0)
    intervals = _open_intervals(model, eF, theta, K, probe)
    dtheta = 2 * np.pi / n_theta / (2 * np.pi) ** 2
    cos, sin = np.cos(theta), np.sin(theta)

    def region1(t, absolute=False):
        total = np.zeros(4)
        for m, a, b in intervals:
            k = a + (b - a) * t
            x, size = sea_integrand(model, k * cos, k * sin, gauge, field, with_size=True)
            w = ((b - a) * k)[:, None]
            size = np.sum(w * size[:, m, :], axis=0)
            total += dtheta * (size if absolute else _drop_rounding(np.sum(w * x[:, m, :], axis=0), size))
        return total

    # region II: which bands stay filled beyond K (per angle; must not depend on the angle)
    en_far = band_energies(model, 2 * K * cos, 2 * K * sin)
    filled_far = en_far < eF
    if np.any(filled_far != filled_far[:1]):
        raise SemiclassicalError("occupation at large k depends on the direction; the Fermi sea is unbounded")
    # as in region I, only the lower band alone contributes (both filled: Omega^+ + Omega^- = 0)
    bands_far = [0] if filled_far[0].sum() == 1 else []

    unresolved = {"density": 0.0, "k": np.inf}

    # an offset that is an irrational fraction of the spacing: no grid of the nested family falls
    # exactly on a symmetry ray (where, e.g., the warping term of an anisotropic model vanishes)
    offset = 0.6180339887498949 * 2 * np.pi / n_theta

    def theta_sum(k, th):
        """Sum over the angles th of the lower band's integrand, and of its size."""
        x, size = sea_integrand(model, k * np.cos(th), k * np.sin(th), gauge, field, with_size=True)
        return x[:, 0, :].sum(axis=0), size[:, 0, :].sum(axis=0)

    def region2(t):
        # angle average inside, on the n_theta grid and on its midpoints: the difference of the two
        # trapezoid sums estimates the angular error (anisotropic models develop angular structure
        # that sharpens with k, e.g. hexagonal warping: ridges of width ~ v/(lam k^2) on rays)
        if not bands_far or t == 0:
            return np.zeros(4)
        k = K / t
        jac = (K / t**2) * k / (2 * np.pi)
        n = n_theta
        total, size = theta_sum(k, offset + 2 * np.pi * np.arange(n) / n)
        mid, msize = theta_sum(k, offset + 2 * np.pi * (np.arange(n) + 0.5) / n)
        avg = _drop_rounding((total + mid) / (2 * n), (size + msize) / (2 * n))
        change = np.abs(mid - total).max() / (2 * n) * jac
        floor = _ROUNDING * ((size + msize) / (2 * n)).max() * jac
        if change > max(1e-3 * epsrel * tol_scale, floor):
            unresolved["density"] = max(unresolved["density"], float(change))
            unresolved["k"] = min(unresolved["k"], float(k))
        return jac * avg

    # size of the integrand, int |X| over region I (rough: fixed 24-point Gauss-Legendre in t);
    # it sets the absolute tolerance, so that components vanishing by symmetry (Omega of a model
    # with d_z = 0: rounding noise only) converge instead of refining noise
    tg, wg = np.polynomial.legendre.leggauss(24)
    size = sum(0.5 * wi * region1(0.5 * (ti + 1), absolute=True) for ti, wi in zip(tg, wg))
    scale = max(np.abs(size).max(), 1e-300)
    tol_scale = scale
    r1, e1 = quad_vec(region1, 0.0, 1.0, epsrel=epsrel, epsabs=1e-3 * epsrel * scale, norm="max",
                      limit=2000)
    r2, e2 = quad_vec(region2, 0.0, 1.0, epsrel=epsrel, epsabs=1e-3 * epsrel * scale, norm="max",
                      limit=2000)
    total = r1 + r2
    e2x = model.e**2 / model.hbar
    return {"sigma_int": float(e2x * total[0]), "spin_int": total[1:].copy(),
            "size": np.concatenate([[e2x * size[0]], size[1:]]),
            "error": float(e1 + e2), "K": float(K), "filled_beyond_K": bands_far,
            # beyond unresolved_k the angular average is not resolved by 2 n_theta angles; the
            # integrand there is uncertain by about unresolved_error per unit t (k = K/t)
            "unresolved_k": unresolved["k"], "unresolved_error": unresolved["density"]}
