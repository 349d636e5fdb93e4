"""Random k-dependent gauges for the eigenvectors.

Every quantity of the semiclassical theory is gauge invariant (or gauge covariant, and then only
gauge-invariant combinations are summed). The quadrature engine never differentiates an
eigenvector, so any pointwise phase is admissible; to make that a *test* rather than a hope, the
eigenvectors returned by numpy's ``eigh`` (whose phase is whatever LAPACK chose) are multiplied by
``exp(i chi_m(k))`` with ``chi_m`` a smooth random function of k fixed by a seed:

    chi_m(k) = w_m theta + a_m k^2 + b_m cos(theta) + c_m k sin(2 theta) + d_m,

with an integer winding ``w_m`` in {-2, ..., 2} so that the phase is single valued.
"""
from __future__ import annotations

import numpy as np

__all__ = ["RandomGauge"]


class RandomGauge:
    """exp(i chi_m(k)) for the two bands; ``seed=None`` leaves numpy's own gauge untouched."""

    def __init__(self, seed: int | None = 0):
        self.seed = seed
        if seed is None:
            self._coef = None
            return
        rng = np.random.default_rng(seed)
        self.winding = rng.integers(-2, 3, size=2)
        self._coef = rng.normal(scale=2.0, size=(4, 2))

    def phases(self, kx, ky) -> np.ndarray:
        """Phase factors of shape ``broadcast(kx, ky).shape + (2,)``, one per band (unit modulus)."""
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        if self._coef is None:
            return np.ones(kx.shape + (2,), dtype=complex)
        theta = np.arctan2(ky, kx)[..., None]
        k2 = (kx**2 + ky**2)[..., None]
        a, b, c, d = self._coef
        chi = (self.winding * theta + a * k2 + b * np.cos(theta)
               + c * np.sqrt(k2) * np.sin(2 * theta) + d)
        return np.exp(1j * chi)

    def __repr__(self):
        return f"RandomGauge(seed={self.seed})"
