"""Fermi-sea integrals: sigma^int (Eq. 72) and the intrinsic pieces of every operator (Eqs. 57, 63, 91).

    I = sum_m int d^2k/(2 pi)^2 X^m(k) n_FD(eps^m_k),   n_FD = Theta(eF - eps)  (T = 0)

in polar coordinates, with the angle on a uniform periodic grid (trapezoid, spectral) and the
radius adaptive (``scipy.integrate.quad_vec``):

* only where exactly one band is filled: Omega^+ + Omega^- = 0 and s^int,+ + s^int,- = 0 (two
  bands), so the doubly filled disc gives nothing and is left out (also where the bands touch).
* region I, 0 <= k <= K (K beyond every Fermi radius): angle outside, radius inside. For every
  angle the singly filled radial intervals are delimited by the Fermi radii at that angle
  (breakpoints, found by :mod:`.contours`), each mapped to t in [0, 1]; the integrand summed over
  angles and intervals is integrated in t, so every radial integrand is smooth.
* region II, k >= K: filled/empty no longer changes with k, so the angle is averaged inside
  (this is where the leading 1/k^2 terms of s^int cancel between angles) and k = K e^s, s in
  [0, 48]; the integrand must decay faster than 1/k^2 (the remainder beyond e^48 K enters the
  error). In s, rounding noise of the summands (|X| ~ 1/k^2, i.e. ~ ds) has a bounded density;
  in k = K/t it grows like 1/t and the adaptive rule subdivides it without end once the value is
  much smaller than its summands (Omega ~ M/k^3 at a small gap M). The angular average at each k
  uses the n_theta grid and its midpoints (2 n_theta angles); their difference estimates the
  angular error. Where it exceeds the tolerance (anisotropic models whose angular structure
  sharpens without bound as k grows, e.g. hexagonal warping) the result carries the estimate
  ``unresolved_error`` and is not claimed to full accuracy.

X = (Omega, s^int_O for each O of the operator stack) of the lower band, the stack being
(s_x, s_y, s_z, *model.operators) (:func:`~.bands.operator_stack`), is evaluated from the Pauli
components of H, dH/dk and O(k) (:func:`lower_band_integrand`, the sum over states of Eqs. 43 and 57
written as a triple product: gauge invariant, exact zeros where d_z = 0, accurate where the gap is
small); the eigenvector form :func:`sea_integrand` is its cross-check (tests/test_gapless.py,
tests/test_quadrature_operators.py). An operator that grows with k can make the sea piece diverge
where the lower band alone stays filled to k = oo; that component is reported as NaN and named in
``divergent`` (it never spoils the accuracy of the others).
Units: sigma^int in e^2/hbar x (dimensionless), s^int_O in units of O per unit E_x.
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad_vec

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bands import _DEGENERACY_TOL, band_data, band_energies, operator_stack
from .contours import angle_grid, auto_kmax, find_contours

__all__ = ["sea_integrand", "lower_band_integrand", "fermi_sea"]


def sea_integrand(model: NumericModel, kx, ky, gauge=None, field=(1.0, 0.0)) -> np.ndarray:
    """(Omega^m, s^int,m_O for O = s_x, s_y, s_z, *model.operators) at arrays of k from numeric
    eigenvectors (Eqs. 43, 57 as sums over states, :mod:`.bands`): shape S + (2 band, 1 + n_op).
    The cross-check of :func:`lower_band_integrand`, which :func:`fermi_sea` integrates."""
    bd = band_data(model, kx, ky, gauge)
    sint = bd.intrinsic_operator(field)                       # S + (n_op, 2)
    return np.concatenate([bd.berry_curvature[..., None], np.swapaxes(sint, -1, -2)], axis=-1)


def _bloch(m: np.ndarray) -> np.ndarray:
    """The Pauli components (a_x, a_y, a_z) of 2x2 Hermitian matrices a_0 + a.sigma: S + (3,)."""
    return np.stack([np.real(m[..., 0, 1]), -np.imag(m[..., 0, 1]),
                     0.5 * np.real(m[..., 0, 0] - m[..., 1, 1])], axis=-1)


def _triple_terms(u, a, b):
    """sum over the six terms of the determinant u.(a x b) of their moduli: its rounding scale."""
    u, a, b = np.abs(u), np.abs(a), np.abs(b)
    return (u[..., 0] * (a[..., 1] * b[..., 2] + a[..., 2] * b[..., 1])
            + u[..., 1] * (a[..., 2] * b[..., 0] + a[..., 0] * b[..., 2])
            + u[..., 2] * (a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]))


def lower_band_integrand(model: NumericModel, kx, ky, field=(1.0, 0.0)):
    """(Omega^-, s^int,-_O for every O of the stack) at arrays of k, and the rounding scale of each:
    two arrays S + (1 + n_op,) (n_op = 3 + len(model.operators); 4 components for the spin alone).

    Two bands, H = d_0 + d.sigma, A = a_0 + a.sigma, B = b_0 + b.sigma: with the projectors
    P_-+ = (1 -+ d^.sigma)/2, <-|A|+><+|B|-> = Tr(P_- A P_+ B) and Im Tr(P_- A P_+ B) = -d^.(a x b)
    (check: d^ = z^, <down|A|up><up|B|down> = (a_x + i a_y)(b_x - i b_y)).
    So the sums over states of Eq. 43 and Eq. 57 (with T of Eq. 56 and R' of Eq. 39, gap 2|d|) are

        Omega^-    = -2 Im <-|dxH|+><+|dyH|->/(2|d|)^2         = d^.(d_x d x d_y d)/(2|d|^2)
        s^int,-_O  = -2 e Im <-|O|+><+|E.dH|->/(2|d|)^2        = e d^.(o x E.dd)/(2|d|^2)

    (o(k): the Pauli vector of O(k) = o_0 + o.sigma at the same k, the spin operators' constant
    s_a or a k-dependent operator's (a spin current, a model file's observable): the identity is
    pointwise, so o_0 drops out and o may vary with k; hbar cancels between T_O and R'). The
    triple product is free of the cancellation that limits the eigenvector form (Omega ~ M/k^3 out
    of products of size 1/k^2 at a small gap M; :func:`sea_integrand` there is rounding noise
    eps k/M in relative terms), and it is exactly 0 where d_z = 0 makes d, a, b coplanar. The upper
    band's values are the negatives (the traces with P_- and P_+ exchanged). The rounding scale
    returned is the sum of the moduli of the six terms of each triple product (over 2|d|^2): a
    value far below it is rounding noise, a value near it (a small d_z in a single term) is not.
    """
    kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
    h = model.h(kx, ky)
    hx, hy = model.dh(kx, ky)
    d, dx, dy = _bloch(h), _bloch(hx), _bloch(hy)
    norm = np.linalg.norm(d, axis=-1)
    scale = np.maximum(np.abs(h).max(axis=(-2, -1)), 1e-300)
    if np.any(norm <= 0.5 * _DEGENERACY_TOL * scale):
        bad = np.argmin(norm / scale)
        raise SemiclassicalError(
            f"bands touch at k = ({kx.ravel()[bad]:.6g}, {ky.ravel()[bad]:.6g}) inside the Fermi sea "
            "where only one band is filled; the intrinsic terms are singular there")
    dhat = d / norm[..., None]
    de = field[0] * dx + field[1] * dy
    ops = _bloch(operator_stack(model, kx, ky))                                      # S + (n_op, 3)
    den = 2 * norm**2
    omega = np.einsum("...i,...i->...", dhat, np.cross(dx, dy)) / den
    cross = np.cross(ops, de[..., None, :])                                          # S + (n_op, 3)
    sint = model.e * np.einsum("...i,...ai->...a", dhat, cross) / den[..., None]
    x = np.concatenate([omega[..., None], sint], axis=-1)
    size = np.concatenate([(_triple_terms(dhat, dx, dy) / den)[..., None],
                           model.e * _triple_terms(dhat[..., None, :], ops, de[..., None, :])
                           / den[..., None]], axis=-1)
    return x, size


#: region II runs over k = K e^s, 0 <= s <= _S_MAX (k up to ~1e21 K): see fermi_sea
_S_MAX = 48.0

#: a sea component whose density per unit s at k = K e^_S_MAX exceeds this fraction of its region-I
#: size does not converge (a convergent one decays like e^-s there: ~1e-21 of it)
_DIVERGENT = 1e-8

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
    """[(a(theta), b(theta))]: the radial intervals inside [0, K] where exactly one band is filled.

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
            out.append((a, b))
        elif np.any(filled == 1):
            raise SemiclassicalError("filled region of the Fermi sea is not star-shaped around k = 0")
    return out


def fermi_sea(model: NumericModel, eF: float, n_theta: int, *, kmax: float | None = None,
              epsrel: float = 1e-12, field=(1.0, 0.0)) -> dict:
    """sum_m int d^2k/(2pi)^2 X^m n_FD for X = (Omega, s^int_O) on an n_theta angle grid (Eqs. 57, 72).

    Returns {"sigma_int": (e^2/hbar) sum Omega n_FD, "operator_int": (n_op,) the intrinsic piece of
    every operator of the stack (s_x, s_y, s_z, *model.operators), "spin_int": its first three,
    "error": quad estimate (1 + n_op,), "size": integrals of the summand sizes (sea_integrand) over
    region I, the scale for error control, "K": K, "divergent": indices into the stack whose sea
    piece diverges (NaN in "operator_int")}.
    """
    ncomp = 1 + 3 + len(model.operators)
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
        total = np.zeros(ncomp)
        for a, b in intervals:
            k = a + (b - a) * t
            x, bound = lower_band_integrand(model, k * cos, k * sin, field)
            w = ((b - a) * k)[:, None]
            size = np.sum(w * np.abs(x), axis=0)
            total += dtheta * (size if absolute else
                               _drop_rounding(np.sum(w * x, axis=0), size + np.sum(w * bound, axis=0)))
        return total

    # region II: which bands stay filled beyond K (per angle; must not depend on the angle)
    en_far = band_energies(model, 2 * K * cos, 2 * K * sin)
    filled_far = en_far < eF
    if np.any(filled_far != filled_far[:1]):
        raise SemiclassicalError("occupation at large k depends on the direction; the Fermi sea is unbounded")
    # as in region I, only the lower band alone contributes (both filled: Omega^+ + Omega^- = 0)
    bands_far = [0] if filled_far[0].sum() == 1 else []

    unresolved = {"density": 0.0, "k": np.inf}
    keep = np.ones(ncomp)             # 0 for a component whose sea piece diverges (see below)

    # an offset that is an irrational fraction of the spacing: no grid of the nested family falls
    # exactly on a symmetry ray (where, e.g., the warping term of an anisotropic model vanishes)
    offset = 0.6180339887498949 * 2 * np.pi / n_theta

    def theta_sum(k, th):
        """Sum over the angles th of the lower band's integrand, and its rounding scale."""
        x, bound = lower_band_integrand(model, k * np.cos(th), k * np.sin(th), field)
        return x.sum(axis=0), (np.abs(x) + bound).sum(axis=0)

    def region2(s, absolute=False):
        # angle average inside, on the n_theta grid and on its midpoints: the difference of the two
        # trapezoid sums estimates the angular error (anisotropic models develop angular structure
        # that sharpens with k, e.g. hexagonal warping: ridges of width ~ v/(lam k^2) on rays)
        if not bands_far:
            return np.zeros(ncomp)
        k = K * np.exp(s)
        jac = k * k / (2 * np.pi)           # d^2k/(2 pi)^2 = k^2 ds dtheta/(2 pi)^2, theta averaged
        n = n_theta
        total, size = theta_sum(k, offset + 2 * np.pi * np.arange(n) / n)
        mid, msize = theta_sum(k, offset + 2 * np.pi * (np.arange(n) + 0.5) / n)
        if absolute:
            return jac * (size + msize) / (2 * n)
        avg = _drop_rounding((total + mid) / (2 * n), (size + msize) / (2 * n))
        change = np.abs(mid - total) / (2 * n) * jac
        floor = _ROUNDING * (size + msize) / (2 * n) * jac
        if np.any(keep * change > np.maximum(1e-3 * epsrel * unit, floor)):
            unresolved["density"] = max(unresolved["density"], float((keep * change).max()))
            unresolved["k"] = min(unresolved["k"], float(k))
        return jac * avg

    # size of the integrand, int |X| over region I (rough: fixed 24-point Gauss-Legendre in t);
    # each component is integrated relative to its own size (a small-gap Omega ~ M next to an
    # s^int_z of order 1 would otherwise get an absolute tolerance set by s^int_z), and a component
    # that vanishes identically in region I by the largest size
    tg, wg = np.polynomial.legendre.leggauss(24)
    size = sum(0.5 * wi * region1(0.5 * (ti + 1), absolute=True) for ti, wi in zip(tg, wg))
    unit = np.where(size > 0, size, max(size.max(), 1e-300))
    # tolerance relative to that size, never below its rounding level (_ROUNDING); asking for more
    # makes the adaptive rule subdivide rounding noise without end
    epsabs = max(1e-3 * epsrel, _ROUNDING)
    # an operator that grows with k (kx^2 sx on a Dirac cone) can have a sea piece that does not
    # decay where the lower band alone is filled to k = oo: its density per unit s at the far end
    # is then not small against its region-I size. It is left out of the integration (the
    # max-norm error control would otherwise be set by a number ~ e^48) and reported as NaN.
    divergent = np.abs(region2(_S_MAX)) > _DIVERGENT * unit
    keep[divergent] = 0.0
    # the scale also counts region II, where the lower band alone stays filled out to k = oo: with
    # the circles at tiny k (eF next to a touching at k = 0, profile case 847) region I is tiny
    # against region II, and a tolerance relative to region I alone asked quad_vec for digits below
    # region II's rounding (84 000 evaluations, minutes); 48-point Gauss-Legendre in s is a rough
    # integral of the summand sizes, enough for a scale (a divergent component keeps region I's)
    if bands_far:
        sg, swg = np.polynomial.legendre.leggauss(48)
        size2 = sum(0.5 * _S_MAX * wi * region2(0.5 * _S_MAX * (si + 1), absolute=True) for si, wi in zip(sg, swg))
        unit = np.where(divergent, unit, np.maximum(unit, size2))
    unresolved.update(density=0.0, k=np.inf)
    r1, e1 = quad_vec(lambda t: keep * region1(t) / unit, 0.0, 1.0, epsrel=epsrel, epsabs=epsabs,
                      norm="max", limit=2000)
    r2, e2 = quad_vec(lambda s: keep * region2(s) / unit, 0.0, _S_MAX, epsrel=epsrel, epsabs=epsabs,
                      norm="max", limit=2000)
    # the part beyond k = K e^S_MAX: the integrand decays at least like e^-s there (X ~ k^-3), so
    # its last value bounds the remainder; it enters the error estimate
    error = (e1 + e2) * unit + keep * np.abs(region2(_S_MAX))
    total = np.where(divergent, np.nan, (r1 + r2) * unit)
    e2x = model.e**2 / model.hbar
    return {"sigma_int": float(e2x * total[0]), "operator_int": total[1:].copy(),
            "spin_int": total[1:4].copy(),
            "size": np.concatenate([[e2x * size[0]], size[1:]]),
            "error": np.concatenate([[e2x * error[0]], error[1:]]), "K": float(K),
            "divergent": [int(i) - 1 for i in np.flatnonzero(divergent)],
            "filled_beyond_K": bands_far,
            # beyond unresolved_k the angular average is not resolved by 2 n_theta angles; the
            # integrand there is uncertain by about unresolved_error per unit s (k = K e^s)
            "unresolved_k": unresolved["k"], "unresolved_error": unresolved["density"]}
