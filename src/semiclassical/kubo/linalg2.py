"""Vectorised 2x2 matrix algebra for the Kubo engine.

Every Green's function, projector and vertex of a two-band model is a 2x2 matrix; the engine
evaluates them on tens of thousands of k points at once, so the few operations it needs are
written out in closed form over stacked arrays of shape (..., 2, 2) (no LAPACK calls, no gauge:
band projectors replace eigenvectors).
"""
from __future__ import annotations

import numpy as np

__all__ = ["SIGMA", "inv2", "mul2", "dagger", "bands", "energies"]

#: sigma_0 (identity), sigma_x, sigma_y, sigma_z: the basis in which k-independent vertices
#: and self-energies are expanded (X = sum_a x_a sigma_a, x_a = Tr[sigma_a X]/2).
SIGMA = np.array(
    [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex
)


def inv2(m: np.ndarray) -> np.ndarray:
    """Inverse of stacked 2x2 matrices (adjugate over determinant)."""
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    out = np.empty_like(m, dtype=complex)
    out[..., 0, 0] = d / det
    out[..., 0, 1] = -b / det
    out[..., 1, 0] = -c / det
    out[..., 1, 1] = a / det
    return out


def mul2(*ms: np.ndarray) -> np.ndarray:
    """The product of stacked (broadcasting) 2x2 matrices, written out in the entries: numpy's matmul
    over a stack of 2x2 matrices loops over tiny products (measured: 5-10x slower here)."""
    out = ms[0]
    for m in ms[1:]:
        a00, a01, a10, a11 = out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1]
        b00, b01, b10, b11 = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
        c00 = a00 * b00 + a01 * b10
        prod = np.empty(c00.shape + (2, 2), dtype=np.result_type(out, m))
        prod[..., 0, 0] = c00
        prod[..., 0, 1] = a00 * b01 + a01 * b11
        prod[..., 1, 0] = a10 * b00 + a11 * b10
        prod[..., 1, 1] = a10 * b01 + a11 * b11
        out = prod
    return out


def dagger(m: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(m, -1, -2))


def bands(h: np.ndarray):
    """Energies (..., 2) ascending and band projectors (..., 2, 2, 2) of Hermitian 2x2 stacks.

    With H = h0 + hvec.sigma, eps_{0,1} = h0 -/+ |hvec| and P_{0,1} = (1 -/+ hvec.sigma/|hvec|)/2.
    Index 0 is the lower band (the paper's "-"), 1 the upper ("+"). Projectors are gauge free.
    """
    h0 = 0.5 * (h[..., 0, 0] + h[..., 1, 1]).real
    hz = 0.5 * (h[..., 0, 0] - h[..., 1, 1]).real
    hx = h[..., 0, 1].real
    hy = -h[..., 0, 1].imag
    r = np.sqrt(hx * hx + hy * hy + hz * hz)
    energies = np.stack([h0 - r, h0 + r], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.stack([hx, hy, hz], axis=-1) / r[..., None]
    nsig = np.einsum("...a,aij->...ij", n, SIGMA[1:])
    eye = np.broadcast_to(SIGMA[0], nsig.shape)
    proj = np.stack([0.5 * (eye - nsig), 0.5 * (eye + nsig)], axis=-3)
    return energies, proj


def energies(h: np.ndarray) -> np.ndarray:
    """Band energies (..., 2), ascending, of Hermitian 2x2 stacks (closed form)."""
    h0 = 0.5 * (h[..., 0, 0] + h[..., 1, 1]).real
    hz = 0.5 * (h[..., 0, 0] - h[..., 1, 1]).real
    r = np.sqrt(np.abs(h[..., 0, 1]) ** 2 + hz * hz)
    return np.stack([h0 - r, h0 + r], axis=-1)
