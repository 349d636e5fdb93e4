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

__all__ = ["resolve_disorder", "shell_kernel", "kernel_or_ones", "uniform_value"]

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
    """c[i, j] ~ W(|k_i - k_j|)/W between the nodes of ``shell``, or None for white noise (c = 1).

    Not the point values: the engine's sums over k' are periodic trapezoid rules in the angle,
    spectrally accurate only for smooth summands, and W(|k - k'|) of a correlator with odd powers
    of q (screened Coulomb: 1 - 2q/q_s + ...) has a kink |theta - theta'| on the diagonal of each
    contour, which made the rule converge like N^-4 (TI, q_s = k_F: 1e-6 at N = 512, where the
    engine asks 1e-10). So each row i is the band-limited kernel
        c[i, j] = sum_{|n| <= N/2} g_n(theta_i) e^{i n (theta_j - theta_i)},
        g_n(theta_i) = int_0^{2 pi} (dD/2pi) c(|k_a(theta_i) - k_b(theta_i + D)|) e^{-i n D},
    (a, b the contours of i and j), whose trapezoid sum against a smooth f is the exact integral up
    to f's own spectral tail. The kink sits at the ends of [0, 2 pi], where Gauss-Legendre in D
    converges spectrally; k_b off the grid is the trigonometric interpolant of its radii.
    A smooth correlator (Gaussian) is reproduced to rounding, so one construction serves every kind.
    A custom correlator is first checked to be real, finite and non-negative for every momentum
    transfer on the shell, 0 <= q <= 2 k_max (:meth:`Disorder.check_shape`).
    """
    # magnetic impurities are point-like (Disorder requires type white-noise with W_m > 0): c = 1
    if disorder.is_white_noise or disorder.is_magnetic or shell.size == 0:
        return None
    disorder.check_shape(2.0 * float(np.max(shell.k)))
    n = shell.n_theta
    x, wgl = np.polynomial.legendre.leggauss(2 * n + 64)
    delta, wgl = np.pi * (x + 1.0), np.pi * wgl / (2 * np.pi)           # D in [0, 2 pi], dD/2pi
    harmonics = np.exp(-1j * np.outer(delta, np.arange(n // 2 + 1)))   # (L, n/2 + 1)
    c = np.zeros((shell.size, shell.size))
    for a, ca in enumerate(shell.contours):
        rows = np.nonzero(shell.contour_id == a)[0]
        for b, cb in enumerate(shell.contours):
            cols = np.nonzero(shell.contour_id == b)[0]
            same_rows = ca.is_circle and cb.is_circle      # q depends on D only: one row serves all
            th = ca.theta[:1] if same_rows else ca.theta
            ka = ca.k[:1] if same_rows else ca.k
            kb = _radius_at(cb, th[:, None] + delta[None, :])              # (rows, L)
            phi = th[:, None] + delta[None, :]
            q = np.hypot(ka[:, None] * np.cos(th)[:, None] - kb * np.cos(phi),
                         ka[:, None] * np.sin(th)[:, None] - kb * np.sin(phi))
            g = (disorder.correlation(q) / disorder.W * wgl[None, :]) @ harmonics   # (rows, n/2+1)
            h = np.fft.irfft(g, n=n) * n                    # h[r, m] = sum_n g_n e^{2 pi i n m/N}
            if same_rows:
                h = np.broadcast_to(h, (rows.size, n))
            ti, tj = shell.theta_index[rows], shell.theta_index[cols]
            c[np.ix_(rows, cols)] = h[np.arange(rows.size)[:, None], (tj[None, :] - ti[:, None]) % n]
    # c_ij = c_ji holds for the exact kernel; the Born sums rely on it exactly (J0's weighted
    # symmetry, the reality of Eq. 47's brackets), so symmetrize the quadrature's rounding away
    return 0.5 * (c + c.T)


def _radius_at(contour, phi: np.ndarray) -> np.ndarray:
    """k(phi) of a star-shaped contour at any angles: trigonometric interpolant of its radii."""
    if contour.is_circle:
        return np.full(phi.shape, float(contour.k.mean()))
    n = contour.n_theta
    spec = np.fft.fft(contour.k) / n
    m = np.fft.fftfreq(n, 1.0 / n)
    if n % 2 == 0:                      # split the Nyquist mode evenly: a real interpolant
        spec = np.append(spec, spec[n // 2] / 2)
        spec[n // 2] /= 2
        m = np.append(m, n // 2)
        m[n // 2] = -n // 2
    return np.real(np.exp(1j * (phi[..., None] - contour.theta[0]) * m) @ spec)


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
