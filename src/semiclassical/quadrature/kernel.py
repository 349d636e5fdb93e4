"""The Born kernel of scalar correlated disorder on one shell: c_ij = W(|k_i - k_j|)/W.

Scalar disorder with <U_q U_-q> = W(q) (paper Eq. 6; :class:`semiclassical.disorder.Disorder`)
gives every pair of U's that Gaussian statistics contracts the factor W(|q|) of the momentum that
pair carries:

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W c(|k - k'|) <u^a_k|u^b_{k'}> <u^c_{k'}|u^d_k>,

white noise being c = 1. Every Fermi-surface sum of the engine runs over pairs of nodes of one
shell, so the kernel is the (n, n) matrix ``c[i, j] = c(|k_i - k_j|)`` of those nodes; the summand
of each Born-level sum is multiplied by the entry of its own momentum transfer (which pair that is
for each sum: docs/correlated_disorder_quadrature.md). The strength W stays the scalar prefactor
it always was, and ``None`` stands for c = 1 (white noise): multiplying by an exact 1.0 changes no
bit, so white noise gives today's numbers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import SemiclassicalError
from .shell import Shell

if TYPE_CHECKING:       # the quadrature package stays SymPy-free at import (disorder imports SymPy)
    from ..disorder import Disorder


def resolve_disorder(W: float, disorder: Disorder | None) -> Disorder:
    """The disorder an evaluation uses: white noise of strength W unless ``disorder`` is given.

    A given disorder must carry the same W (the strength is stated once; two values would leave
    it unclear which one the numbers belong to).
    """
    from ..disorder import Disorder

    if disorder is None:            # a caller that gives only W: <U(r)U(r')> = W delta(r - r')
        return Disorder("white-noise", W)
    if not isinstance(disorder, Disorder):
        raise SemiclassicalError(f"disorder must be a semiclassical.disorder.Disorder, got {disorder!r}")
    if float(disorder.W) != float(W):
        raise SemiclassicalError(f"W = {W!r} differs from the disorder's W = {disorder.W!r} "
                                 f"({disorder.describe()}); pass the same strength")
    return disorder


def shell_kernel(shell: Shell, disorder: Disorder) -> np.ndarray | None:
    """c[i, j] = W(|k_i - k_j|)/W between the nodes of ``shell``, or None for white noise (c = 1).

    A custom correlator is first checked to be real, finite and non-negative for every momentum
    transfer on the shell, 0 <= q <= 2 k_max (:meth:`Disorder.check_shape`).
    """
    if disorder.is_white_noise or shell.size == 0:
        return None
    disorder.check_shape(2.0 * float(np.max(shell.k)))
    kx, ky = shell.k * np.cos(shell.theta), shell.k * np.sin(shell.theta)
    q = np.hypot(kx[:, None] - kx[None, :], ky[:, None] - ky[None, :])
    c = disorder.correlation(q) / disorder.W
    # |k_i - k_j| is symmetric up to rounding; the Born sums rely on c_ij = c_ji exactly (J0's
    # weighted symmetry, the reality of Eq. 47's brackets), so symmetrize the rounding away
    return 0.5 * (c + c.T)


def kernel_or_ones(kernel: np.ndarray | None, n: int) -> np.ndarray:
    """The kernel as an (n, n) matrix: white noise (None) is the all-ones matrix."""
    return np.ones((n, n)) if kernel is None else np.asarray(kernel, float)


def uniform_value(kernel: np.ndarray | None) -> float | None:
    """The constant c of a q-independent kernel (1 for white noise), None for a q-dependent one.

    A constant kernel factorizes out of every sum; the skew ladder (:mod:`.subleading`) uses that
    to contract its intermediate momentum in O(n) instead of O(n^3).
    """
    if kernel is None:
        return 1.0
    c = np.asarray(kernel, float)
    return float(c.flat[0]) if c.size and np.all(c == c.flat[0]) else None
