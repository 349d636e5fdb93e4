"""Hamiltonians of the catalogue as plain numpy :class:`NumericModel` objects.

These are the *inputs* of the quadrature engine (H(k) and its exact k-derivatives, written by
hand), independent of the SymPy side, so that tests and cross-checks need nothing but numpy.
Definitions follow the README "Conventions" section (DESIGN.md section 3); ``hbar`` and ``e`` are carried by the model.
"""
from __future__ import annotations

import numpy as np

from ..numeric_model import PAULI, NumericModel

S0 = np.eye(2, dtype=complex)
SX, SY, SZ = PAULI


def _pauli_model(d, dd, *, hbar=1.0, e=1.0, name="model", isotropic=False) -> NumericModel:
    """H = d0 s0 + dx sx + dy sy + dz sz from d(kx, ky) -> (d0, dx, dy, dz) and its gradient."""
    mats = np.stack([S0, SX, SY, SZ])

    def h(kx, ky):
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        comps = np.stack([np.broadcast_to(c, kx.shape) for c in d(kx, ky)], axis=-1)
        return np.tensordot(comps, mats, axes=(-1, 0))

    def dh(kx, ky):
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        gx, gy = dd(kx, ky)
        out = []
        for g in (gx, gy):
            comps = np.stack([np.broadcast_to(c, kx.shape) for c in g], axis=-1)
            out.append(np.tensordot(comps, mats, axes=(-1, 0)))
        return out[0], out[1]

    return NumericModel(h=h, dh=dh, hbar=hbar, e=e, name=name, isotropic=isotropic)


def ti_surface(M=0.5, v=1.0, hbar=1.0, e=1.0) -> NumericModel:
    """Paper Eq. 68: H = hbar v (kx sy - ky sx) + M sz."""
    a = hbar * v
    return _pauli_model(lambda x, y: (0.0, -a * y, a * x, M),
                        lambda x, y: ((0.0, 0.0, a, 0.0), (0.0, -a, 0.0, 0.0)),
                        hbar=hbar, e=e, name="ti-surface", isotropic=True)


def rashba_ferromagnet(m=1.0, alpha=1.0, Delta=0.5, hbar=1.0, e=1.0) -> NumericModel:
    """H = k^2/(2m) + alpha (kx sy - ky sx) + Delta sz."""
    return _pauli_model(lambda x, y: ((x**2 + y**2) / (2 * m), -alpha * y, alpha * x, Delta),
                        lambda x, y: ((x / m, 0.0, alpha, 0.0), (y / m, -alpha, 0.0, 0.0)),
                        hbar=hbar, e=e, name="rashba-ferromagnet", isotropic=True)


def chiral(m=1.0, M=0.5, hbar=1.0, e=1.0) -> NumericModel:
    """H = ((kx^2 - ky^2) sx + 2 kx ky sy)/(2m) + M sz (winding 2)."""
    return _pauli_model(lambda x, y: (0.0, (x**2 - y**2) / (2 * m), x * y / m, M),
                        lambda x, y: ((0.0, x / m, y / m, 0.0), (0.0, -y / m, x / m, 0.0)),
                        hbar=hbar, e=e, name="chiral", isotropic=True)


def dirac_quadratic(v=1.0, M=0.5, B=0.3, D=0.1, hbar=1.0, e=1.0) -> NumericModel:
    """H = v (kx sy - ky sx) + (M - B k^2) sz + D k^2."""
    return _pauli_model(lambda x, y: (D * (x**2 + y**2), -v * y, v * x, M - B * (x**2 + y**2)),
                        lambda x, y: ((2 * D * x, 0.0, v, -2 * B * x), (2 * D * y, -v, 0.0, -2 * B * y)),
                        hbar=hbar, e=e, name="dirac-quadratic", isotropic=True)


def tilted_dirac(v=1.0, M=0.5, t=0.3, hbar=1.0, e=1.0) -> NumericModel:
    """Anisotropic: H = t kx + v (kx sy - ky sx) + M sz."""
    return _pauli_model(lambda x, y: (t * x, -v * y, v * x, M),
                        lambda x, y: ((t, 0.0, v, 0.0), (0.0, -v, 0.0, 0.0)),
                        hbar=hbar, e=e, name="tilted-dirac")


def warped_dirac(v=1.0, M=0.5, lam=0.2, hbar=1.0, e=1.0) -> NumericModel:
    """Anisotropic: H = v (kx sy - ky sx) + lam (kx^3 - 3 kx ky^2) sz + M sz (hexagonal warping)."""
    return _pauli_model(lambda x, y: (0.0, -v * y, v * x, M + lam * (x**3 - 3 * x * y**2)),
                        lambda x, y: ((0.0, 0.0, v, lam * (3 * x**2 - 3 * y**2)),
                                      (0.0, -v, 0.0, -6 * lam * x * y)),
                        hbar=hbar, e=e, name="warped-dirac")
