"""Magnetic point impurities V = u0 + u_m n.sigma in the Kubo engine: the impurity-vertex map.

A point impurity is white noise in space, so the Born self-energy and the ladder vertex stay
k-independent 2x2 matrices (the constant-vertex path of ``self_energy`` and ``streda``); only the
impurity average of V (x) V changes, from W 1 (x) 1 to

    <V (x) V> = sum_{al,be} w_{al be} Gamma_al (x) Gamma_be,   Gamma = (1, sigma_x, sigma_y, sigma_z)    (M0)

(``Disorder.vertex_weights``: w_00 = W, w_ij = W_m <n_i n_j>, w_0i = sqrt(W W_m) <n_i>). Every rung of
the NCA then acts on a 2x2 matrix X as the map

    M(X) = sum_{al,be} w_{al be} Gamma_al X Gamma_be,                                          (M1)

which is Hermiticity- and positivity-preserving (w real symmetric; M(X) = n_i <V X V>):

* Born self-energy  Sigma^R = M(int d^2k/(2pi)^2 G0^R(k)), so its anti-Hermitian part is
  Gamma = M(Gamma_0/W) with Gamma_0 the scalar one of ``self_energy.gamma_matrix`` (exact on the
  Fermi contours), and Re Sigma = M(Re Sigma_0/W) (``real_part="cutoff"``; dropped by default, an
  O(W) renormalisation of eF and the band parameters that W^0 pieces do not depend on);        (M2)
* ladder  C = M(int G^R (J + C) G^A): with C = sum_b c_b sigma_b and the bubbles K, S of ``bubbles``,

      c = W T (S + K c),   T_ab = (1/2W) Tr[sigma_a M(sigma_b)],                                (M3)

  i.e. the white-noise solve with K -> T K and S -> T S (T = 1 for scalar disorder).

The weak-disorder extrapolation scales W and W_m together (w_ab / W fixed): T and Gamma per unit W
are then W-independent, and the 1/W and W^0 pieces are those of the Laurent series in that common
scale, reported at the disorder's own W.
"""
from __future__ import annotations

import numpy as np

from .linalg2 import SIGMA

__all__ = ["rung_matrix", "apply_rung"]


def rung_matrix(disorder) -> np.ndarray | None:
    """T of (M3), 4x4 real, per unit W (w_ab / W of the disorder); None for scalar disorder (T = 1),
    so that the white-noise path keeps its own arithmetic."""
    if disorder is None or not disorder.is_magnetic:
        return None
    w = disorder.vertex_weights() / disorder.W
    # M(sigma_b) = sum w_{al be} Gamma_al sigma_b Gamma_be (M1), then its Pauli components
    mapped = np.einsum("xy,xij,bjk,ykl->bil", w, SIGMA, SIGMA, SIGMA)
    t = 0.5 * np.einsum("aij,bji->ab", SIGMA, mapped)
    # real because w is symmetric: the two orders of every (al, be) pair are complex conjugates
    return t.real


def apply_rung(t: np.ndarray | None, x: np.ndarray) -> np.ndarray:
    """M(X)/W (M1) of a 2x2 matrix X through its Pauli components (T X in components); X for T = None."""
    if t is None:
        return x
    comps = 0.5 * np.einsum("aij,ji->a", SIGMA, x)
    return np.einsum("a,aij->ij", t @ comps, SIGMA)
