"""Clean retarded Green's function G^R_0(r) = int d^2k/(2pi)^2 e^{ik.r} (eF + i0 - H(k))^-1 in real
space, for a rotationally covariant two-band model whose H is polynomial in k along a ray.

Covariance (module ``kernel``): H(k, theta) = U H(k, 0) U^+, U = exp(-i J theta sigma_z / 2), so the
entries of G(k, theta) are g_00(k), g_11(k), e^{-iJ theta} g_01(k), e^{iJ theta} g_10(k), with
g_ij = adj(eF - H(k, 0))_ij / D(k), D(k) = det(eF - H(k, 0)), all polynomials in k (fitted on real
k, checked exact to rounding). The angular integral gives (docs/crossed_diagrams.md Eq. C7)

    G_ij(r, theta_r) = i^m e^{i m theta_r} I_m[g_ij](r) / (2 pi),   I_m[g](r) = int_0^inf k dk g(k) J_m(kr),

m = 0, 0, -J, +J. I_m is conditionally convergent on the real axis (g ~ 1/k for a Dirac cone);
it is evaluated by contour rotation (Eq. C8): J_m = (H^(1)_m + H^(2)_m)/2, the H^(1) half on the ray
k = t e^{+i phi}, the H^(2) half on k = t e^{-i phi} (both decay like e^{-t r sin phi}), plus the
residues of the Fermi poles the rotation sweeps: a pole k_F + i0 s (s = sign of the band slope
there, the i0 of eF + i0) contributes  +i pi k_F N(k_F) H^(1)_m(k_F r)/D'(k_F)  for s > 0 and
-i pi k_F N(k_F) H^(2)_m(k_F r)/D'(k_F)  for s < 0. phi is half the smallest argument of a complex
root of D (pi/4 at most), so no complex pole lies in the swept sectors. Beyond r_ray the ray
integrals are below 1e-14 of |G| and are skipped (measured, :meth:`RealSpaceGreen.r_ray`).

Check: the free particle g = 1/(eF - k^2/2m) gives G = -(i m/2) H^(1)_0(k_F r) exactly, the massive
Dirac cone its closed form (tests/test_kubo_crossed.py).
"""
from __future__ import annotations

import numpy as np
from numpy.polynomial import polynomial as P
from scipy.special import hankel1, hankel2

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .radial import gauss_legendre

__all__ = ["RealSpaceGreen"]

_MAX_DEGREE = 12


def _fit_entries(model: NumericModel, k_ref: float):
    """Coefficients (2, 2, deg+1) of H(k, 0) as polynomials in k, exact to rounding, or an error."""
    n = 2 * _MAX_DEGREE + 1
    k = 2.0 * k_ref * (1 - np.cos(np.pi * (np.arange(n) + 0.5) / n))  # Chebyshev in [0, 4 k_ref]
    h = model.h(k, 0 * k)
    probe = k_ref * np.array([0.37, 1.3, 2.9, 5.1, 7.7])
    hp = model.h(probe, 0 * probe)
    scale = np.abs(hp).max() + np.abs(h).max()
    coef = np.zeros((2, 2, _MAX_DEGREE + 1), complex)
    for i in range(2):
        for j in range(2):
            for deg in range(0, _MAX_DEGREE + 1):
                x = k / k_ref
                c = P.polyfit(x, h[:, i, j].real, deg) + 1j * P.polyfit(x, h[:, i, j].imag, deg)
                if np.abs(P.polyval(probe / k_ref, c) - hp[:, i, j]).max() <= 1e-11 * scale:
                    coef[i, j, :deg + 1] = c / k_ref ** np.arange(deg + 1)
                    break
            else:
                raise SemiclassicalError(
                    "the crossed (X, Psi) diagrams need H(k) polynomial in |k| along a ray "
                    f"(degree <= {_MAX_DEGREE}); entry ({i},{j}) of this model is not")
    # drop rounding-level coefficients
    coef[np.abs(coef) * (4 * k_ref) ** np.arange(_MAX_DEGREE + 1) < 1e-13 * scale] = 0
    return coef


class RealSpaceGreen:
    """G^R_0(r) at eF for a covariant model of winding J (module docstring, Eqs. C7-C8)."""

    def __init__(self, model: NumericModel, eF: float, J: int, k_ref: float, n_gl: int = 16,
                 ratio: float = 2 ** 0.25, ray_angle: float | None = None):
        self.eF, self.J, self.k_ref = float(eF), int(J), float(k_ref)
        h = _fit_entries(model, k_ref)
        e = np.zeros(1, complex)
        e[0] = eF
        a = P.polysub(e, h[0, 0])          # eF - h00
        d = P.polysub(e, h[1, 1])          # eF - h11
        self.det = P.polysub(P.polymul(a, d), P.polymul(h[0, 1], h[1, 0]))
        self.det = np.trim_zeros(self.det, "b")
        # adjugate of (eF - H): [[eF - h11, h01], [h10, eF - h00]]
        self.num = {(0, 0): d, (1, 1): a, (0, 1): h[0, 1], (1, 0): h[1, 0]}
        self.m = {(0, 0): 0, (1, 1): 0, (0, 1): -self.J, (1, 0): self.J}
        if abs(P.polyval(0.0, self.det)) <= 1e-12 * np.abs(self.det).max():
            raise SemiclassicalError("eF sits on a band energy at k = 0; the crossed diagrams need it off")
        roots = np.roots(self.det[::-1])
        scale = np.abs(roots).max()
        real = np.abs(roots.imag) <= 1e-9 * scale
        fermi = np.sort(roots[real & (roots.real > 0)].real)
        ddet = P.polyder(self.det)
        tr_adj = P.polyadd(a, d)
        self.poles = []
        for p in fermi:
            # D(k; eF + i delta) = 0 -> dk = -i delta (dD/deF)/(dD/dk)
            s = -np.sign((P.polyval(p, tr_adj) / P.polyval(p, ddet)).real)
            self.poles.append((float(p), int(s), complex(P.polyval(p, ddet))))
        cplx = roots[~real]
        args = np.abs(np.angle(cplx[cplx.real > 0])) if cplx.size else np.array([])
        self.phi = min(np.pi / 4, 0.5 * args.min()) if args.size else np.pi / 4
        if ray_angle is not None:   # any angle below that of the first complex pole gives the same G
            if args.size and ray_angle >= args.min():
                raise SemiclassicalError(f"ray angle {ray_angle:g} sweeps a complex pole (arg {args.min():g})")
            self.phi = float(ray_angle)
        self.kappa = float(np.abs(cplx.imag).min()) if cplx.size else np.inf
        # ray nodes t (shared by all r): geometric panels from 1e-8 k_ref to 1e5 k_ref
        x, w = gauss_legendre(n_gl)
        edges = k_ref * ratio ** np.arange(np.floor(np.log(1e-8) / np.log(ratio)),
                                           np.ceil(np.log(1e5) / np.log(ratio)) + 1)
        edges = np.concatenate([[0.0], edges])
        lo, hi = edges[:-1, None], edges[1:, None]
        self.t = (0.5 * (lo + hi) + 0.5 * (hi - lo) * x).ravel()
        self.tw = (0.5 * (hi - lo) * w).ravel()

    @property
    def fermi_radii(self):
        return [p for p, _, _ in self.poles]

    def _g(self, key, k):
        return P.polyval(k, self.num[key]) / P.polyval(k, self.det)

    def radial(self, r: np.ndarray, rays: bool = True) -> dict:
        """{(i, j): I_m[g_ij](r)} (Eq. C8) at radii r > 0 (1-D array)."""
        r = np.asarray(r, float)
        out = self._poles(r)
        if rays:
            near = r < self.r_ray()
            if near.any():
                for key, val in self._rays(r[near]).items():
                    out[key][near] += val
        return out

    def _poles(self, r):
        out = {key: np.zeros(r.shape, complex) for key in self.m}
        for p, s, dd in self.poles:
            hank = {}
            for key, m in self.m.items():
                if m not in hank:
                    hank[m] = hankel1(m, p * r) if s > 0 else hankel2(m, p * r)
                res = p * P.polyval(p, self.num[key]) / dd
                out[key] += (1j * np.pi if s > 0 else -1j * np.pi) * res * hank[m]
        return out

    def r_ray(self) -> float:
        """Radius beyond which the ray integrals of Eq. C8 are below 1e-14 of |G| (measured on a
        geometric set of radii; they decay like exp(-kappa r), kappa the smallest imaginary part of a
        complex pole, and vanish identically for radial functions of definite parity without complex
        poles, e.g. the massive Dirac cone). 0 when they are negligible everywhere."""
        if not hasattr(self, "_r_ray"):
            test = np.geomspace(0.01, 200.0, 48) / self.k_ref
            rays = self._rays(test)
            poles = self._poles(test)
            size = sum(np.abs(poles[key] + rays[key]) for key in self.m)
            big = np.nonzero(sum(np.abs(v) for v in rays.values()) > 1e-14 * size)[0]
            if not len(big):
                self._r_ray = 0.0
            elif big[-1] == len(test) - 1:
                self._r_ray = np.inf
            else:
                self._r_ray = float(test[big[-1] + 1]) * 1.5
        return self._r_ray

    def _rays(self, r, chunk=64):
        """Both ray integrals of Eq. C8 for every entry, at radii r."""
        up = np.exp(1j * self.phi)
        kp, km = self.t * up, self.t * np.conj(up)
        gp = {key: (kp * up) * self._g(key, kp) * self.tw for key in self.m}
        gm = {key: (km * np.conj(up)) * self._g(key, km) * self.tw for key in self.m}
        out = {key: np.empty(r.shape, complex) for key in self.m}
        for s in range(0, len(r), chunk):
            rr = r[s:s + chunk, None]
            hank = {}
            for key, m in self.m.items():
                if m not in hank:
                    hank[m] = (hankel1(m, kp * rr), hankel2(m, km * rr))
                h1, h2 = hank[m]
                out[key][s:s + chunk] = 0.5 * (h1 @ gp[key] + h2 @ gm[key])
        return out

    def matrix(self, r: np.ndarray, theta: np.ndarray, rays: bool = True, rad=None) -> np.ndarray:
        """G^R_0(r, theta_r) (len(r), len(theta), 2, 2) (Eq. C7); ``rad`` reuses :meth:`radial`."""
        rad = self.radial(r, rays) if rad is None else rad
        out = np.empty((len(r), len(theta), 2, 2), complex)
        for (i, j), m in self.m.items():
            out[:, :, i, j] = (1j ** m) * np.exp(1j * m * theta)[None] * rad[(i, j)][:, None] / (2 * np.pi)
        return out
