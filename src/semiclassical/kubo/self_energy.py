"""Born self-energy of white-noise disorder, a k-independent 2x2 matrix.

For <U(r)U(r')> = W delta(r - r') the (non-self-consistent) Born self-energy is

    Sigma^R(eF) = W int d^2k/(2pi)^2 G0^R(eF, k),     G0^R = (eF + i0 - H)^-1,

k-independent, with

    Im:  Sigma^R - Sigma^A = -2 i W pi sum_n int d^2k/(2pi)^2 delta(eF - eps_n) P_n = -2 i Gamma,
    Re:  W PV int d^2k/(2pi)^2 (eF - H)^-1, logarithmically divergent in 2D (Dirac and k^2 bands).

Gamma (Hermitian, positive; e.g. hbar/(2tau) (1 + xi sigma_z) for the paper's model with
1/tau = pi W rho/hbar) is computed exactly on the Fermi contours. The real part only renormalises
eF and the band parameters at O(W); ``real_part="drop"`` omits it, ``real_part="cutoff"`` keeps
it with a hard momentum cutoff. Quantities of order W^0 (and 1/W coefficients) must not depend
on that choice; tests check it.
"""
from __future__ import annotations

import numpy as np

from ..numeric_model import NumericModel
from .contour import FermiPoints, fermi_points, ray_hamiltonian
from .linalg2 import bands, inv2
from .radial import gauss_legendre

__all__ = ["gamma_matrix", "real_part_per_w", "born_self_energy"]


def gamma_matrix(model: NumericModel, eF: float, n_theta: int = 16, tol: float = 1e-14):
    """Gamma/W = pi sum_n int d^2k/(2pi)^2 delta(eF - eps_n) P_n (Gamma = -Im Sigma^R, per unit W).

    For the paper's model: Gamma = (pi W rho/2)(1 + xi sigma_z) = (hbar/2tau)(1 + xi sigma_z).

    Returns (Gamma_per_W (2x2 Hermitian), FermiPoints used). The angular trapezoid rule is
    doubled until two successive values agree to ``tol`` (relative).
    """
    prev = None
    while True:
        fp = fermi_points(model, eF, n_theta)
        val = _gamma_on(model, fp)
        if prev is not None and np.max(np.abs(val - prev)) <= tol * max(np.max(np.abs(val)), 1e-300):
            return val, fp
        if n_theta > 4096:
            return val, fp
        prev = val
        n_theta *= 2


def _gamma_on(model, fp: FermiPoints):
    if fp.count == 0:
        return np.zeros((2, 2), complex)
    h, _ = ray_hamiltonian(model, fp.k, fp.theta[:, None])
    _, proj = bands(h)
    p = np.take_along_axis(proj, fp.band[..., None, None, None], axis=2)[:, :, 0]
    return np.pi * fp.contour_sum(p)


def real_part_per_w(model: NumericModel, eF: float, cutoff: float, n_theta: int = 32,
                    n_gl: int = 32):
    """PV int_{|k| < cutoff} d^2k/(2pi)^2 (eF - H)^-1 (Re Sigma^R / W, a 2x2 Hermitian matrix).

    Principal values: around each Fermi radius r a symmetric interval [r - h, r + h] is
    integrated as int_0^h [F(r + u) + F(r - u)] du, in which the 1/u poles cancel.
    """
    fp = fermi_points(model, eF, n_theta)
    total = np.zeros((2, 2), complex)
    x, wgl = gauss_legendre(n_gl)
    for j, th in enumerate(fp.theta):
        roots = [r for r in fp.k[j] if r < cutoff]
        nodes, weights = [], []
        pts = [0.0]
        for i, r in enumerate(roots):
            left = r - (roots[i - 1] if i else 0.0)
            right = (roots[i + 1] if i + 1 < len(roots) else cutoff) - r
            h = 0.45 * min(left, right)
            # symmetric pair: nodes r +/- u with the same weight
            u = 0.5 * h * (x + 1.0)
            wu = 0.5 * h * wgl
            nodes += [r + u, r - u]
            weights += [wu, wu]
            pts += [r - h, r + h]
        pts.append(cutoff)
        edges = []
        for a, b in zip(pts[::2], pts[1::2]):
            # geometric grading towards k = 0 on the first interval, uniform-ish elsewhere
            m = max(2, int(np.ceil(np.log2(max(b, 1e-300) / max(a, b * 2 ** -8)))) + 2)
            sub = np.concatenate([[a], np.geomspace(max(a, b * 2 ** -8), b, m)]) if a == 0 else \
                np.geomspace(a, b, m)
            edges.extend(zip(sub[:-1], sub[1:]))
        for a, b in edges:
            if b > a:
                half = 0.5 * (b - a)
                nodes.append(a + half * (x + 1.0))
                weights.append(half * wgl)
        kk = np.concatenate(nodes)
        ww = np.concatenate(weights)
        h, _ = ray_hamiltonian(model, kk, np.full_like(kk, th))
        g = inv2(eF * np.eye(2) - h)
        total += np.einsum("n,nij->ij", ww * kk, g)
    return total * (2 * np.pi / len(fp.theta)) / (2 * np.pi) ** 2


def born_self_energy(model: NumericModel, eF: float, W: float, real_part: str = "drop",
                     cutoff: float | None = None, gamma=None):
    """Sigma^R(eF) = W R - i Gamma as a 2x2 complex matrix (R = Re Sigma/W, or 0).

    ``real_part``: "drop" (Re Sigma = 0) or "cutoff" (needs ``cutoff``, a momentum).
    """
    if gamma is None:
        gamma, _ = gamma_matrix(model, eF)
    sigma = -1j * W * gamma
    if real_part == "cutoff":
        sigma = sigma + W * real_part_per_w(model, eF, cutoff)
    elif real_part != "drop":
        raise ValueError("real_part must be 'drop' or 'cutoff'")
    return sigma
