"""Constant-energy contours eps_m(k, theta) = E on a uniform periodic grid of angles.

For every band m and every angle theta_j = theta0 + 2 pi j/N, the radii k with eps_m = E are
bracketed by sign changes on a radial grid reaching out to ``kmax`` and refined to machine
precision by a vectorised safeguarded Newton iteration (Hellmann-Feynman slope, bisection
fallback). A band may have several contours (a Rashba ferromagnet below the band crossing has an
annulus); contour c of band m is made of the c-th smallest root at every angle, which requires
the same number of roots at every angle (contours star-shaped around k = 0); otherwise the radius
is ambiguous and a :class:`~semiclassical.errors.SemiclassicalError` is raised.

Quadrature (README "Conventions" section, docs/design.md section 3): int d^2k/(2 pi)^2 delta(E - eps_m(k)) F
    = int dtheta/(2 pi)^2 k_c F/|d eps_m/dk|_radial  ->  sum_j w_j F_j,
    w_j = k_c(theta_j)/|d eps_m/dk|_radial (2 pi/N)/(2 pi)^2,
the periodic trapezoid rule, spectrally convergent for an analytic integrand.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bands import band_energies, radial_slope

__all__ = ["Contour", "angle_grid", "auto_kmax", "radial_grid", "find_contours"]

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Contour:
    """One closed contour of band ``band`` at energy ``energy`` (index ``index`` from inside out)."""

    band: int
    index: int
    energy: float
    theta: np.ndarray     # (N,) uniform grid
    k: np.ndarray         # (N,) radii
    slope: np.ndarray     # (N,) d eps/dk along khat (signed)
    weight: np.ndarray    # (N,) quadrature weights of int d^2k/(2pi)^2 delta(E - eps) (...)

    @property
    def kx(self):
        return self.k * np.cos(self.theta)

    @property
    def ky(self):
        return self.k * np.sin(self.theta)

    @property
    def n_theta(self):
        return self.theta.size

    @property
    def is_circle(self) -> bool:
        """Radius constant along the contour to 1e-12 relative (rotational symmetry)."""
        return bool(np.ptp(self.k) <= 1e-12 * self.k.max())

    def summary(self) -> dict:
        return {"band": int(self.band), "index": int(self.index), "energy": float(self.energy),
                "k_min": float(self.k.min()), "k_max": float(self.k.max()),
                "outward_velocity_sign": int(np.sign(self.slope[0])),
                "density_of_states": float(self.weight.sum())}


def angle_grid(n_theta: int, theta0: float = 0.0) -> np.ndarray:
    return theta0 + 2 * np.pi * np.arange(n_theta) / n_theta


def auto_kmax(model: NumericModel, energy: float, n_probe: int = 16) -> float:
    """A radius beyond which no band comes back to ``energy`` (heuristic, scale free).

    Energy scale S = max(|E|, |eps_m(0)|, gap at 0). Candidate kmax = 4 k0 with k0 the first power of
    two at which every band, at ``n_probe`` angles, lies more than 4 S away from E at k0, 2 k0 and 4 k0,
    on the same side and moving away (bands that never do -- flat, bounded -- are one clear error).
    Bands can turn back later (a gapless cone with d0 ~ k^2: receding at k ~ 1e-3, crossing E again at
    k ~ 1): the candidate holds only if, on a geometric grid of 16 radii per octave out to k = 2^42,
    no band crosses E and no radial slope changes sign beyond it; otherwise the search resumes past the
    last such radius (found by the large model-space profile, docs/model_space.md).
    """
    e0 = band_energies(model, 0.0, 0.0)
    scale = max(abs(energy), float(np.abs(e0).max()), float(e0[1] - e0[0]), 1e-300)
    theta = angle_grid(n_probe, 0.5 * 2 * np.pi / n_probe)
    start = -30
    while start <= 40:
        for j in range(start, 41):
            ks = 2.0**j * np.array([1.0, 2.0, 4.0])
            kk = ks[:, None]
            d = band_energies(model, kk * np.cos(theta), kk * np.sin(theta)) - energy  # (3, P, 2)
            far = np.all(np.abs(d) > 4 * scale)
            same_side = np.all(np.sign(d) == np.sign(d[0]))
            receding = np.all(np.diff(np.abs(d), axis=0) > 0)
            if far and same_side and receding:
                break
        else:
            break
        turn = _last_turn(model, energy, theta, float(ks[-1]))
        if turn is None:
            return float(ks[-1])
        start = int(np.ceil(np.log2(turn))) + 1
    raise SemiclassicalError(
        f"the bands do not leave energy {energy:g} for good at large k (probed up to k = 2^42 along "
        f"{n_probe} directions): flat, bounded or periodic bands are outside the toolkit, which needs "
        "bands that grow away from eF at large k"
    )


def _last_turn(model: NumericModel, energy: float, theta: np.ndarray, k_from: float) -> float | None:
    """The largest radius beyond ``k_from`` (geometric grid, 16 per octave, to 2^42) at which some band
    crosses ``energy`` or its radial slope changes sign; None if there is none."""
    if k_from >= 2.0**42:
        return None
    ks = k_from * 2.0 ** (np.arange(0, 16 * (42 - np.log2(k_from)) + 1) / 16)
    kx, ky = ks[:, None] * np.cos(theta), ks[:, None] * np.sin(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        d = band_energies(model, kx, ky) - energy          # (G, P, 2)
        slope = radial_slope(model, kx, ky)
    ok = np.all(np.isfinite(d), axis=(1, 2)) & np.all(np.isfinite(slope), axis=(1, 2))
    d, slope, ks = d[ok], slope[ok], ks[ok]                # where double precision still holds
    change = np.any(d[1:] * d[:-1] <= 0, axis=(1, 2)) | np.any(slope[1:] * slope[:-1] < 0, axis=(1, 2))
    idx = np.nonzero(change)[0]
    return float(ks[idx[-1] + 1]) if len(idx) else None


def radial_grid(kmax: float, n_radial: int) -> np.ndarray:
    """Linear grid on [0, kmax] merged with a geometric one on [1e-8 kmax, kmax] (small-k detail)."""
    lin = np.linspace(0.0, kmax, n_radial)
    geo = np.geomspace(1e-8 * kmax, kmax, n_radial // 2)
    return np.unique(np.concatenate([lin, geo]))


def _refine(model, band, energy, c, s, a, b, fa):
    """Safeguarded Newton on brackets [a, b] (arrays) of eps_band(k c, k s) - energy."""
    x = 0.5 * (a + b)
    for _ in range(200):
        f = band_energies(model, x * c, x * s)[..., band] - energy
        df = radial_slope(model, x * c, x * s)[..., band]
        same = np.sign(f) == np.sign(fa)
        a = np.where(same, x, a)
        fa = np.where(same, f, fa)
        b = np.where(same, b, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            xn = x - f / df
        inside = np.isfinite(xn) & (xn > np.minimum(a, b)) & (xn < np.maximum(a, b))
        xn = np.where(inside, xn, 0.5 * (a + b))
        step = np.abs(xn - x)
        x = np.where(f == 0, x, xn)
        if np.all((step <= 4 * _EPS * np.abs(x)) | (f == 0)):
            break
    return x


def _brackets(model, m, energy, c, s, grid, f):
    """Every root bracket of eps_m - energy along each ray: (rows, a, b, f(a)).

    Between two grid points the band is monotonic unless its radial slope changes sign there; such
    an extremum is located by bisection on the slope (Hellmann-Feynman, :func:`radial_slope`) and
    splits the interval in two, so a thin annulus whose two radii fall between the same two grid
    points (the bottom of a Mexican hat) is found too. Resolution: one extremum per grid interval
    (docs/design.md, quadrature engine).
    """
    kk = grid[None, :]
    slope = radial_slope(model, kk * c[:, None], kk * s[:, None])[..., m]          # (N, G)
    turn = slope[:, :-1] * slope[:, 1:] < 0
    rows_t, cols_t = np.nonzero(turn)
    lo, hi = grid[cols_t].copy(), grid[cols_t + 1].copy()
    s_lo = slope[rows_t, cols_t]
    for _ in range(80):                                   # bisection: 2^-80 of a grid step
        mid = 0.5 * (lo + hi)
        sm = radial_slope(model, mid * c[rows_t], mid * s[rows_t])[..., m]
        left = np.sign(sm) == np.sign(s_lo)
        lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
    kext = 0.5 * (lo + hi)
    fext = band_energies(model, kext * c[rows_t], kext * s[rows_t])[..., m] - energy
    if np.any(fext == 0):
        raise SemiclassicalError(f"energy {energy:g} is exactly at an extremum of band {m} (vanishing radial "
                                 "velocity on a ring: the Fermi-surface weight diverges); move it slightly")
    # plain intervals: a sign change of f between grid points with no extremum inside
    plain = (f[:, :-1] * f[:, 1:] < 0) & ~turn
    rows, cols = np.nonzero(plain)
    out_r, out_a, out_b, out_f = [rows], [grid[cols]], [grid[cols + 1]], [f[rows, cols]]
    # split intervals: [k_i, k_ext] and [k_ext, k_i+1]
    fa, fb = f[rows_t, cols_t], f[rows_t, cols_t + 1]
    left, right = fa * fext < 0, fext * fb < 0
    out_r += [rows_t[left], rows_t[right]]
    out_a += [grid[cols_t][left], kext[right]]
    out_b += [kext[left], grid[cols_t + 1][right]]
    out_f += [fa[left], fext[right]]
    return tuple(np.concatenate(x) for x in (out_r, out_a, out_b, out_f))


def find_contours(model: NumericModel, energy: float, n_theta: int, *, kmax: float | None = None,
                  n_radial: int = 512, theta0: float = 0.0, bands=(0, 1)) -> list[Contour]:
    """All contours eps_m = energy of the requested bands on the grid theta_j = theta0 + 2 pi j/N."""
    if n_theta < 4:
        raise SemiclassicalError(f"n_theta must be at least 4, got {n_theta}")
    energy = float(energy)
    if kmax is None:
        kmax = auto_kmax(model, energy)
    theta = angle_grid(n_theta, theta0)
    c, s = np.cos(theta), np.sin(theta)
    grid = radial_grid(kmax, n_radial)
    eps = band_energies(model, grid[None, :] * c[:, None], grid[None, :] * s[:, None])  # (N, G, 2)
    contours: list[Contour] = []
    for m in bands:
        f = eps[..., m] - energy
        if np.any(f[:, 0] == 0):
            raise SemiclassicalError(
                f"energy {energy:g} is exactly at the band edge of band {m} at k = 0; move it slightly"
            )
        if np.any(f[:, -1] * f[:, -2] <= 0):
            raise SemiclassicalError(
                f"band {m} still crosses energy {energy:g} near k = {kmax:g}, the largest radius searched; "
                "bands that return to eF at large k are outside the toolkit"
            )
        exact = (f[:, 1:-1] == 0)
        if np.any(exact):
            raise SemiclassicalError(f"contour search hit a grid point exactly (band {m}); change theta0")
        rows, a, b, fa = _brackets(model, m, energy, c, s, grid, f)
        counts = np.bincount(rows, minlength=n_theta)
        if counts.max() == 0:
            continue
        if np.any(counts != counts[0]):
            j = int(np.argmax(counts != counts[0]))
            raise SemiclassicalError(
                f"band {m} at energy {energy:g}: the contour is not star-shaped around k = 0 "
                f"({counts[0]} radii at theta = {theta[0]:.4g} but {counts[j]} at theta = {theta[j]:.4g}); "
                "the radius is ambiguous"
            )
        k = _refine(model, m, energy, c[rows], s[rows], a, b, fa)
        order = np.lexsort((k, rows))              # roots of each angle in increasing k
        k = k[order].reshape(n_theta, counts[0])
        slope = radial_slope(model, k * c[:, None], k * s[:, None])[..., m]
        if np.any(np.abs(slope) * k <= 1e-12 * max(abs(energy), 1e-300)):
            raise SemiclassicalError(
                f"band {m} touches energy {energy:g} tangentially (vanishing radial velocity); "
                "the contour weight diverges there"
            )
        for idx in range(counts[0]):
            kk, sl = k[:, idx], slope[:, idx]
            if np.any(np.sign(sl) != np.sign(sl[0])):
                raise SemiclassicalError(
                    f"band {m} contour {idx} at energy {energy:g} is not star-shaped around k = 0 "
                    "(the radial velocity changes sign along it)"
                )
            w = kk / np.abs(sl) * (2 * np.pi / n_theta) / (2 * np.pi) ** 2
            contours.append(Contour(band=int(m), index=idx, energy=energy, theta=theta.copy(),
                                    k=kk, slope=sl, weight=w))
    return contours
