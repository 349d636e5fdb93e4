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

Unbounded operators (a spin current grows like k) can make the Fermi sea or the bare RR/AA
bubbles diverge at large k for some bands; :func:`check_tails` says so in one line rather than
letting the radial rule's mapped tail return a finite, meaningless number.
"""
from __future__ import annotations

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .linalg2 import bands, dagger, inv2

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


def _abs_pair(proj, a, b):
    """|P_1 A P_0| |P_0 B P_1| (Frobenius): the size of the terms of :func:`pair_trace`."""
    p0, p1 = proj[..., 0, None, :, :], proj[..., 1, None, :, :]
    left = np.linalg.norm(p1 @ a @ p0, axis=(-2, -1))
    right = np.linalg.norm(proj[..., 0, :, :] @ b @ proj[..., 1, :, :], axis=(-2, -1))
    return left * right[..., None]


def check_tails(ops: Operators, eF: float, k_ref: float, sigma, n_theta: int = 32) -> None:
    """Refuse operators whose Fermi-sea term or bare RR/AA bubbles diverge at large k.

    Both radial integrals end in a tail mapped to k = k_T/t, exact for decays k^-p, p >= 2 (after
    the k dk measure). On a uniform angular grid, the angle-summed integrand per ln k, k^2 I(k), is
    probed at k_1 = 10^3 and k_2 = 10^4 times k_ref: if it is above its rounding level and has not
    fallen by more than a factor 3, the integral does not converge, and the engine says so. Base
    operators (bounded) always pass; ``sigma``: the self-energy (2x2, or a callable of (kx, ky))
    at one W of the ladder, for the bubbles' tail.
    """
    if not ops.keys:
        return
    model = ops.model
    th = 2 * np.pi * np.arange(n_theta) / n_theta
    k = k_ref * np.array([1e3, 1e4])
    kx, ky = np.cos(th)[:, None] * k, np.sin(th)[:, None] * k      # (N, 2)
    h = model.h(kx, ky)
    e, proj = bands(h)
    a, jx = ops.at(kx, ky)
    gap = e[..., 0] - e[..., 1]
    occ = ((e[..., 0] < eF) & (e[..., 1] > eF)).astype(float)
    measure = (k ** 2 * occ * 2.0 / gap ** 2)[..., None]
    sea = (measure * pair_trace(proj, a, jx)).sum(axis=0)          # (2, A)
    sea_size = (measure * _abs_pair(proj, a, jx)).sum(axis=0)
    sig = sigma(kx, ky) if callable(sigma) else sigma
    gr = inv2(eF * np.eye(2) - h - sig)
    ga = dagger(gr)
    d = gr @ (sig - dagger(sig)) @ ga
    f = d @ jx @ ga - ga @ jx @ d - d @ jx @ d
    bub = (k[None, :, None] ** 2 * np.einsum("...Aij,...ji->...A", a, f)).sum(axis=0)
    bub_size = (k[None, :, None] ** 2 * np.linalg.norm(a, axis=(-2, -1))
                * np.linalg.norm(f, axis=(-2, -1))[..., None]).sum(axis=0)
    for what, val, size in (("Fermi-sea term", sea, sea_size), ("bare RR/AA bubble", bub, bub_size)):
        tail = np.abs(val)
        live = tail[1] > 1e-12 * size[1]
        grows = tail[1] > tail[0] / 3
        for i in np.nonzero(live & grows)[0]:
            name = ops.names[i]
            if name in BASE:
                continue
            raise SemiclassicalError(
                f"the Kubo-Streda engine cannot answer {name}: its {what} diverges at large k (the "
                f"operator grows too fast for this model's bands; its integrand per ln k grows by "
                f"{tail[1] / max(tail[0], 1e-300):.2g} from k = {k[0]:.3g} to {k[1]:.3g}); use a bounded "
                "operator or a model whose bands outgrow it")
