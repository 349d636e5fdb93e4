"""Magnetic impurity vertices as independent scalar channels (paper Eq. 6 with matrix vertices).

Point impurities V = u0 + u_m n.sigma (:meth:`semiclassical.disorder.Disorder.vertex_weights`) give

    <U^{ab}_{kk'} U^{cd}_{k'k}> = sum_{al,be} w_{al be} <u^a_k|G_al|u^b_k'> <u^c_k'|G_be|u^d_k>,

G = (1, sx, sy, sz). w = n_i <v v^T>, v = (u0, u_m n), is a covariance: real, symmetric, positive
semi-definite. Its eigen-decomposition w = sum_s lam_s e_s e_s^T therefore writes the disorder as
independent white-noise channels s with Hermitian vertices V_s = sum_al (e_s)_al G_al:

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W sum_s r_s <u^a_k|V_s|u^b_k'> <u^c_k'|V_s|u^d_k>,   r_s = lam_s/W,

and each Gaussian pair of U's contracts one channel with itself (docs/magnetic_impurities.md). Every
Born-level sum of the engine is linear in its one pair, so it is the channel sum of the scalar sum
with the overlaps <a|b> replaced by <a|V_s|b> (:func:`pair_sum`); the skew rate has two pairs and two
independent channel sums. ``None`` (no channels) stands for scalar disorder: :func:`pair_sum` then
calls the scalar summand once, untouched, so scalar numbers keep every bit. r_s = lam_s/W is
invariant when W and W_m scale together: W^0 pieces stay W^0.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from ..errors import SemiclassicalError

__all__ = ["PAULI", "Channel", "vertex_channels", "channels_from_weights", "apply", "pair_sum",
           "dressed_projector"]

if TYPE_CHECKING:       # the quadrature package stays SymPy-free at import (disorder imports SymPy)
    from ..disorder import Disorder

#: the impurity vertices G_al = (1, sigma_x, sigma_y, sigma_z), in the order of vertex_weights()
PAULI = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], complex)

#: a channel: (r_s, V_s), r_s = lam_s/W > 0 and V_s the Hermitian 2x2 vertex of unit norm vector e_s
Channel = tuple[float, np.ndarray]


def vertex_channels(disorder: Disorder) -> list[Channel] | None:
    """The channels of magnetic disorder, None for scalar disorder (every engine sum unchanged)."""
    if not disorder.is_magnetic:
        return None
    return channels_from_weights(disorder.vertex_weights(), disorder.W)


def channels_from_weights(w, W: float) -> list[Channel]:
    """[(r_s, V_s)] with w/W = sum_s r_s e_s e_s^T (eigen-decomposition of the 4x4 weights w).

    w is a covariance, so its eigenvalues are >= 0; ones below 1e-14 of the largest are rounding of
    a rank-deficient w (aligned moments: rank 1) and carry no channel.
    """
    w = np.asarray(w, float)
    if w.shape != (4, 4) or not np.allclose(w, w.T, rtol=0, atol=1e-15 * np.abs(w).max()):
        raise SemiclassicalError("vertex weights must be a real symmetric 4x4 matrix over (1, sx, sy, sz)")
    # a zero diagonal entry of a PSD matrix is a zero row: that vertex never occurs. Solving only
    # the block of the vertices that do occur keeps the channels free of rounding-level components
    # along the others (a spin-conserving sz channel stays exactly diagonal), so a W^0 piece that
    # vanishes by symmetry stays an exact zero, as the engine's rounding floors expect
    support = np.nonzero(np.diag(w) > 0)[0]
    lam, sub = np.linalg.eigh(0.5 * (w + w.T)[np.ix_(support, support)])
    vec = np.zeros((4, lam.size))
    vec[support] = sub
    if lam[-1] <= 0 or lam[0] < -1e-12 * lam[-1]:
        raise SemiclassicalError(f"vertex weights are not positive semi-definite (eigenvalues {lam}): "
                                 "not the covariance of any impurity potential")
    out = []
    for s in np.nonzero(lam > 1e-14 * lam[-1])[0]:
        e = vec[:, s] * np.sign(vec[np.argmax(np.abs(vec[:, s])), s])   # sign fixed: reproducible V
        out.append((float(lam[s] / W), np.einsum("a,aop->op", e, PAULI)))
    return out


def apply(vertex: np.ndarray | None, vectors: np.ndarray) -> np.ndarray:
    """V|v> for vectors with the orbital index LAST (..., orb); None: the vectors themselves."""
    return vectors if vertex is None else vectors @ vertex.T


def pair_sum(vertices: list[Channel] | None, term: Callable):
    """sum_s r_s term(V_s) (tuples summed entry by entry); term(None) alone for scalar disorder."""
    if vertices is None:
        return term(None)
    total = None
    for r, vertex in vertices:
        part = term(vertex)
        part = tuple(r * p for p in part) if isinstance(part, tuple) else r * part
        total = part if total is None else (tuple(a + b for a, b in zip(total, part))
                                            if isinstance(part, tuple) else total + part)
    return total


def dressed_projector(projector: np.ndarray, vertices: list[Channel] | None) -> np.ndarray:
    """Pi_V = sum_s r_s V_s Pi V_s: the shell projector as the self-energy pair sees it (Im Sigma = -pi W Pi_V)."""
    return pair_sum(vertices, lambda v: projector if v is None else v @ projector @ v)
