"""The observables A of one Kubo-Streda evaluation, as 2x2 operators on the k plane.

Every response of the engine is chi(A, J_x) (module ``streda``) for one operator A(k): the charge
currents j_x, j_y = -e v_x, -e v_y, the model's spin operators s_x, s_y, s_z, the particle density n
(identity; its response must vanish, which fixes the ladder's zero mode) and every operator-valued
observable the problem asks for (``NumericModel.operators``: the spin current
j^a_y = (1/4){sigma_a, dH/dk_y} of ``spin_hall.<a>``, a model file's ``observables.<name>``). All of
them take one code path: evaluated on the nodes where an integrand is (the contour and radial nodes
of the Fermi-surface bubbles, the sea nodes), traced node by node. The constant spin operators are
simply operators that do not depend on k. Dressing J on the right sums the same ladder as dressing
A on the left, so a k-dependent A needs no vertex of its own: on every disorder path (white noise,
magnetic vertices, a correlated kernel's harmonics) it is contracted with the dressed current.

Unbounded operators (a spin current grows like k) can make the Fermi sea diverge at large k, or
the W^0 ladder term depend on the momentum cutoff of the disorder integrals, for some bands;
:func:`divergent_sea` and :func:`ladder_cutoff_slope` let the engine say so in one line rather
than return the finite, meaningless number of a mapped tail or a cut-off integral.
"""
from __future__ import annotations

import numpy as np

from ..numeric_model import NumericModel
from .linalg2 import SIGMA, bands, dagger, inv2

__all__ = ["BASE", "LABELS", "current_operators", "Operators", "pair_trace", "divergent_sea",
           "ladder_cutoff_slope"]

#: the operators every evaluation computes, in this order; the problem's operator observables follow
BASE = ("j_x", "j_y", "s_x", "s_y", "s_z", "n")
#: nested-result labels of the base operators (the observables' dotted paths; n is not reported)
LABELS = {"j_x": "sigma_xx", "j_y": "sigma_yx", "s_x": "spin_density.x",
          "s_y": "spin_density.y", "s_z": "spin_density.z"}


def current_operators(model: NumericModel, kx, ky):
    """Charge-current operators J_i = -e v_i = -(e/hbar) dH/dk_i at the given points."""
    dx, dy = model.dh(kx, ky)
    f = -model.e / model.hbar
    return f * dx, f * dy


class Operators:
    """The operators A_i of one evaluation: :data:`BASE`, then ``model.operators`` by observable key."""

    def __init__(self, model: NumericModel):
        self.model = model
        self.keys = tuple(model.operators)
        self.names = BASE + self.keys

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def label(self, name: str) -> str:
        """The observable key under which the response of ``name`` is reported."""
        return LABELS.get(name, name)

    def at(self, kx, ky):
        """(A, J_x): A of shape broadcast(kx, ky).shape + (len(names), 2, 2), and J_x = -e v_x."""
        jx, jy = current_operators(self.model, kx, ky)
        shape = jx.shape
        spin = np.asarray(self.model.spin, complex)
        ops = [jx, jy, *(np.broadcast_to(s, shape) for s in spin), np.broadcast_to(np.eye(2), shape)]
        ops += [np.broadcast_to(self.model.operators[key](kx, ky), shape) for key in self.keys]
        return np.stack(ops, axis=-3), jx

    def reference_norms(self, kx, ky) -> np.ndarray:
        """Largest spectral norm |a_0| + |a| of each operator A = a_0 + a.sigma over the points:
        the magnitude an operator's response is measured against (engine ``scales``)."""
        a, _ = self.at(kx, ky)
        a0 = 0.5 * (a[..., 0, 0] + a[..., 1, 1])
        az = 0.5 * (a[..., 0, 0] - a[..., 1, 1])
        norm = np.abs(a0) + np.sqrt(np.abs(a[..., 0, 1]) ** 2 + np.abs(az) ** 2)
        return norm.reshape(-1, len(self)).max(axis=0)


def pair_trace(proj, a, b):
    """Im Tr[P_1 A P_0 B] for stacked projectors (..., 2, 2, 2) and operators (..., n, 2, 2)."""
    p0, p1 = proj[..., 0, :, :], proj[..., 1, :, :]
    return np.einsum("...ij,...Ajk,...kl,...li->...A", p1, a, p0, b).imag


def _ring(model, k, n_theta):
    """(kx, ky) on a uniform angular grid (rows) at the radii k (columns)."""
    th = 2 * np.pi * np.arange(n_theta) / n_theta
    return np.cos(th)[:, None] * k, np.sin(th)[:, None] * k       # (N, len(k))


def divergent_sea(ops: Operators, eF: float, k_ref: float, n_theta: int = 32) -> dict[str, str]:
    """{operator name: why} for the operators whose Fermi-sea term diverges at large k (the lower band
    alone filled out to k = infinity while O does not decay fast enough: a spin current k sigma_z on
    a Dirac cone); the engine declines those and answers the others.

    The sea's radial rule ends in a tail mapped to k = k_T/t, exact for decays k^-p, p >= 2 (after
    the k dk measure), and finite (meaningless) for a divergent one. On a uniform angular grid the
    angle-summed integrand per ln k, k^2 I(k), is probed at k_1 = 10^3 and k_2 = 10^4 times k_ref:
    above its rounding level (1e-12 of the angular sum of |A| |J_x| times the measure: an integrand
    that vanishes analytically, P_1 P_0 = 0 for A ~ 1, or cancels over angles, is rounding) and
    fallen by less than a factor 3, the integral does not converge, and the engine says so. The bare
    RR/AA bubbles need no such check: far from the Fermi contours they are O(W) at every k, so a
    divergent tail (on the W-independent tail nodes) only reaches the O(W) coefficient, which the
    extrapolation removes. Base operators (bounded) always pass.
    """
    if not ops.keys:
        return {}
    k = k_ref * np.array([1e3, 1e4])
    kx, ky = _ring(ops.model, k, n_theta)
    e, proj = bands(ops.model.h(kx, ky))
    a, jx = ops.at(kx, ky)
    occ = ((e[..., 0] < eF) & (e[..., 1] > eF)).astype(float)
    measure = (k ** 2 * occ * 2.0 / (e[..., 0] - e[..., 1]) ** 2)[..., None]
    tail = np.abs((measure * pair_trace(proj, a, jx)).sum(axis=0))  # (2, A)
    norms = np.linalg.norm(a, axis=(-2, -1)) * np.linalg.norm(jx, axis=(-2, -1))[..., None]
    size = (measure * norms).sum(axis=0)
    return {ops.names[i]: (
        f"the Kubo-Streda engine cannot answer {ops.names[i]}: its Fermi-sea term diverges at "
        f"large k (the lower band alone is filled out to k = infinity and the operator does not "
        f"decay: the integrand per ln k changes by a factor {tail[1, i] / max(tail[0, i], 1e-300):.2g} "
        f"from k = {k[0]:.3g} to {k[1]:.3g}); use a bounded operator, or a model whose bands are "
        "both filled (or both empty) at large k")
        for i in np.nonzero((tail[1] > 1e-12 * size[1]) & (tail[1] > tail[0] / 3))[0] if ops.names[i] not in BASE}


def ladder_cutoff_slope(ops: Operators, eF: float, c: np.ndarray, k_cut: float, hbar: float,
                        n_theta: int = 32) -> np.ndarray:
    """d/d ln(Lambda) of each operator's ladder term (hbar/4pi) 2 sum_b O_b c_b at Lambda = k_cut/10
    and at the kernel cutoff k_cut (array (2, A); constant vertex c = (c_0, c_x, c_y, c_z), white
    noise or magnetic vertices).

    The ladder moments O_b = int Tr[A G^R sigma_b G^A] stop at Lambda (module ``bubbles``); for a
    bounded operator the vertex has no weight in channels where they diverge (covariant models), but
    an operator that grows with k can make the W^0 ladder term depend on the cutoff. Far from the
    Fermi contours G^R G^A -> G_0 G_0 (clean, W -> 0): the slope is the angle-summed integrand per
    ln k there: a convergent tail falls with Lambda (for a velocity on a Dirac cone like 1/Lambda^2),
    a divergent one does not, which the engine checks against the operator's own error and scale.
    """
    k = np.array([0.1 * k_cut, k_cut])
    kx, ky = _ring(ops.model, k, n_theta)
    h = ops.model.h(kx, ky)
    g = inv2(eF * np.eye(2) - h)
    a, _ = ops.at(kx, ky)
    # a constant identity part couples to the density only, whose response the conserving ladder
    # fixes at every cutoff (K^I(n, J) = 0), and a wholly constant operator is cut off like the spin
    # operators: only the k-dependent rest is probed
    flat = a.reshape(-1, a.shape[-3], 4)
    size = np.abs(flat).max(axis=0).max(axis=-1) + 1e-300
    constant = np.ptp(flat.real, axis=0).max(axis=-1) + np.ptp(flat.imag, axis=0).max(axis=-1) <= 1e-12 * size
    a0 = 0.5 * (a[..., 0, 0] + a[..., 1, 1])
    flat_a0 = np.ptp(a0.reshape(-1, a.shape[-3]).real, axis=0) <= 1e-12 * size
    a = a - np.where(flat_a0, a0, 0)[..., None, None] * np.eye(2)
    a = np.where(constant[:, None, None], 0, a)
    x = g[..., None, :, :] @ SIGMA @ dagger(g)[..., None, :, :]               # (N, 2, 4, 2, 2)
    tr = np.einsum("...Aij,...bji->...Ab", a, x) @ c                           # (N, 2, A)
    f = k[:, None] ** 2 * (2 * np.pi / n_theta) / (2 * np.pi) ** 2
    return np.abs(2 * hbar / (4 * np.pi) * f * tr.sum(axis=0).real)
