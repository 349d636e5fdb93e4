"""Numeric versions of the catalogue models (conventions.md), built directly in numpy.

They give the Kubo engine's tests and benchmarks inputs that share nothing with the symbolic
side (no SymPy, no closed forms): H(kx, ky) and its exact k-derivatives, written by hand.
Energies in the units of the parameters, hbar = 1 unless given.
"""
from __future__ import annotations

import numpy as np

from ..numeric_model import PAULI, NumericModel

S0 = np.eye(2, dtype=complex)
SX, SY, SZ = PAULI


def _model(terms, dterms, name, hbar=1.0, isotropic=True):
    """terms(kx, ky) -> list of (coefficient array, 2x2 matrix); likewise d/dkx, d/dky."""

    def assemble(pairs, shape):
        out = np.zeros(shape + (2, 2), complex)
        for coef, mat in pairs:
            out += np.asarray(coef, float)[..., None, None] * mat
        return out

    def h(kx, ky):
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        return assemble(terms(kx, ky), kx.shape)

    def dh(kx, ky):
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        dx, dy = dterms(kx, ky)
        return assemble(dx, kx.shape), assemble(dy, kx.shape)

    return NumericModel(h=h, dh=dh, hbar=hbar, name=name, isotropic=isotropic)


def massive_dirac(v=1.0, M=0.3, hbar=1.0):
    """The paper's Eq. 68: hbar v (kx sy - ky sx) + M sz."""
    one = lambda kx: np.ones_like(kx)
    return _model(
        lambda kx, ky: [(hbar * v * kx, SY), (-hbar * v * ky, SX), (M * one(kx), SZ)],
        lambda kx, ky: ([(hbar * v * one(kx), SY)], [(-hbar * v * one(kx), SX)]),
        "massive-dirac", hbar)


def rashba_ferromagnet(m=1.0, alpha=1.0, Delta=0.5, hbar=1.0):
    """hbar^2 k^2/(2m) + alpha (kx sy - ky sx) + Delta sz."""
    c = hbar ** 2 / (2 * m)
    one = lambda kx: np.ones_like(kx)
    return _model(
        lambda kx, ky: [(c * (kx ** 2 + ky ** 2), S0), (alpha * kx, SY), (-alpha * ky, SX),
                        (Delta * one(kx), SZ)],
        lambda kx, ky: ([(2 * c * kx, S0), (alpha * one(kx), SY)],
                        [(2 * c * ky, S0), (-alpha * one(kx), SX)]),
        "rashba-ferromagnet", hbar)


def gapped_chiral(m=1.0, M=0.5, hbar=1.0):
    """((kx^2 - ky^2) sx + 2 kx ky sy) hbar^2/(2m) + M sz (winding 2)."""
    c = hbar ** 2 / (2 * m)
    return _model(
        lambda kx, ky: [(c * (kx ** 2 - ky ** 2), SX), (2 * c * kx * ky, SY),
                        (M * np.ones_like(kx), SZ)],
        lambda kx, ky: ([(2 * c * kx, SX), (2 * c * ky, SY)],
                        [(-2 * c * ky, SX), (2 * c * kx, SY)]),
        "gapped-chiral", hbar)


def dirac_quadratic(v=1.0, M=0.5, B=0.3, D=0.1, hbar=1.0):
    """v (kx sy - ky sx) + (M - B k^2) sz + D k^2 (hbar v absorbed in v)."""
    one = lambda kx: np.ones_like(kx)
    return _model(
        lambda kx, ky: [(v * kx, SY), (-v * ky, SX), (M - B * (kx ** 2 + ky ** 2), SZ),
                        (D * (kx ** 2 + ky ** 2), S0)],
        lambda kx, ky: ([(v * one(kx), SY), (-2 * B * kx, SZ), (2 * D * kx, S0)],
                        [(-v * one(kx), SX), (-2 * B * ky, SZ), (2 * D * ky, S0)]),
        "dirac-quadratic", hbar)


def tilted_dirac(t=0.3, v=1.0, M=0.3, hbar=1.0):
    """t kx + v (kx sy - ky sx) + M sz (anisotropic)."""
    one = lambda kx: np.ones_like(kx)
    return _model(
        lambda kx, ky: [(t * kx, S0), (v * kx, SY), (-v * ky, SX), (M * one(kx), SZ)],
        lambda kx, ky: ([(t * one(kx), S0), (v * one(kx), SY)], [(-v * one(kx), SX)]),
        "tilted-dirac", hbar, isotropic=False)


def warped_dirac(v=1.0, lam=0.2, M=0.3, hbar=1.0):
    """v (kx sy - ky sx) + lam (kx^3 - 3 kx ky^2) sz + M sz (hexagonal warping, anisotropic)."""
    one = lambda kx: np.ones_like(kx)
    return _model(
        lambda kx, ky: [(v * kx, SY), (-v * ky, SX), (M + lam * (kx ** 3 - 3 * kx * ky ** 2), SZ)],
        lambda kx, ky: ([(v * one(kx), SY), (lam * (3 * kx ** 2 - 3 * ky ** 2), SZ)],
                        [(-v * one(kx), SX), (-6 * lam * kx * ky, SZ)]),
        "warped-dirac", hbar, isotropic=False)
