"""Energy shells: every contour of every band at one energy, flattened into quadrature nodes.

A distribution that conserves energy under the Born collision integral J0 (Eq. 28) lives on one
shell, n^m_k = delta(eps^m_k - E) g^m(k); it is represented by its values g_i at the nodes
i = (band, contour, theta_j) with weights w_i (:mod:`.contours`), so that
    sum_{m,k} n^m_k F^m_k = sum_i w_i g_i F_i.
A :class:`ShellFactory` builds shells on demand on one common angular grid (the skew-scattering
source of Eq. 35 lives on the shells through the other band's energy at the Fermi contour, and
its nodes must coincide in angle with the Fermi-contour nodes) and caches them by energy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bands import BandData, band_data
from .contours import Contour, find_contours
from .gauge import RandomGauge

__all__ = ["Shell", "build_shell", "ShellFactory"]


@dataclass
class Shell:
    """All nodes at one energy. Node arrays have shape (n,), ``data`` holds the band data there."""

    energy: float
    n_theta: int
    contours: list[Contour]
    band: np.ndarray
    contour_id: np.ndarray
    theta_index: np.ndarray
    theta: np.ndarray
    k: np.ndarray
    weight: np.ndarray
    data: BandData | None = field(repr=False)

    @property
    def size(self) -> int:
        return int(self.band.size)

    @cached_property
    def own(self) -> np.ndarray:
        """Eigenvector of each node's own band, shape (n, 2 orbital)."""
        return self.data.vectors[np.arange(self.size), :, self.band]

    @cached_property
    def other_energy(self) -> np.ndarray:
        """Energy of the other band at each node's momentum (two bands), shape (n,)."""
        return self.data.energies[np.arange(self.size), 1 - self.band]

    @cached_property
    def projector_sum(self) -> np.ndarray:
        """Pi(E) = sum_i w_i |u_i><u_i| (orbital 2x2): int d^2k/(2pi)^2 sum_m delta(E-eps_m) P_m(k)."""
        if self.size == 0:
            return np.zeros((2, 2), complex)
        return np.einsum("i,io,ip->op", self.weight, self.own, np.conj(self.own))

    def own_velocity(self) -> np.ndarray:
        """(n, 2) band velocity of each node's band."""
        return self.data.velocity[np.arange(self.size), :, self.band]

    def own_operator(self) -> np.ndarray:
        """(n, n_op) <m|O_a|m> of each node's band, every operator of the stack (s_x, s_y, s_z, then
        the model's operators; :func:`~semiclassical.quadrature.bands.operator_stack`)."""
        s = self.data.operator_band[np.arange(self.size), :, self.band, self.band]
        return np.real(s)

    def operator_size(self) -> np.ndarray:
        """(n, n_op) sum_{m,n} |O^{mn}| at each node: the rounding scale of <m|O|m> (an operator whose
        diagonal elements vanish by symmetry, j^z_y of the Rashba 2DEG, is known to eps times it)."""
        return np.abs(self.data.operator_band[np.arange(self.size)]).sum(axis=(-2, -1))

    def own_spin(self) -> np.ndarray:
        """(n, 3) <m|s_a|m> of each node's band: the first three of :meth:`own_operator`."""
        return self.own_operator()[:, :3]

    def integrate(self, g, f) -> np.ndarray:
        """sum_i w_i g_i f_i (f may carry trailing component axes)."""
        f = np.asarray(f)
        return np.tensordot(self.weight * g, f, axes=(0, 0))

    def find_node(self, band: int, theta_index: int, k: float) -> int:
        """Index of the node of ``band`` at angle index ``theta_index`` whose radius is nearest k."""
        sel = np.nonzero((self.band == band) & (self.theta_index == theta_index))[0]
        if sel.size == 0:
            raise SemiclassicalError(
                f"no band-{band} node at angle index {theta_index} on the shell E = {self.energy:.15g}"
            )
        i = sel[np.argmin(np.abs(self.k[sel] - k))]
        if abs(self.k[i] - k) > 1e-7 * max(k, 1e-300):
            raise SemiclassicalError(
                f"shell E = {self.energy:.15g}: node radius {self.k[i]:.15g} does not match {k:.15g}"
            )
        return int(i)

    def summary(self) -> list[dict]:
        return [c.summary() for c in self.contours]


def build_shell(model: NumericModel, energy: float, n_theta: int, *, gauge: RandomGauge | None = None,
                kmax: float | None = None, n_radial: int = 512, theta0: float = 0.0) -> Shell:
    contours = find_contours(model, energy, n_theta, kmax=kmax, n_radial=n_radial, theta0=theta0)
    if not contours:
        empty = np.zeros(0)
        return Shell(energy=float(energy), n_theta=n_theta, contours=[], band=empty.astype(int),
                     contour_id=empty.astype(int), theta_index=empty.astype(int), theta=empty, k=empty,
                     weight=empty, data=None)
    cat = np.concatenate
    band = cat([np.full(c.n_theta, c.band) for c in contours])
    cid = cat([np.full(c.n_theta, j) for j, c in enumerate(contours)])
    tidx = cat([np.arange(c.n_theta) for c in contours])
    theta = cat([c.theta for c in contours])
    k = cat([c.k for c in contours])
    w = cat([c.weight for c in contours])
    data = band_data(model, k * np.cos(theta), k * np.sin(theta), gauge)
    return Shell(energy=float(energy), n_theta=n_theta, contours=contours, band=band, contour_id=cid,
                 theta_index=tidx, theta=theta, k=k, weight=w, data=data)


class ShellFactory:
    """Shells on one angular grid and gauge, cached by energy (energies equal to ``rtol`` share one)."""

    def __init__(self, model: NumericModel, n_theta: int, *, gauge: RandomGauge | None = None,
                 kmax: float | None = None, n_radial: int = 512, theta0: float = 0.0,
                 energy_rtol: float = 1e-11):
        self.model, self.n_theta, self.gauge = model, int(n_theta), gauge
        self.kmax, self.n_radial, self.theta0 = kmax, n_radial, theta0
        self.energy_rtol = energy_rtol
        self._cache: dict[float, Shell] = {}
        self.scale = 0.0

    def _key(self, energy: float) -> float | None:
        tol = self.energy_rtol * max(abs(energy), self.scale, 1e-300)
        for key in self._cache:
            if abs(key - energy) <= tol:
                return key
        return None

    def get(self, energy: float) -> Shell:
        energy = float(energy)
        key = self._key(energy)
        if key is not None:
            return self._cache[key]
        shell = build_shell(self.model, energy, self.n_theta, gauge=self.gauge, kmax=self.kmax,
                            n_radial=self.n_radial, theta0=self.theta0)
        self.scale = max(self.scale, abs(energy))
        self._cache[energy] = shell
        return shell

    def group(self, energies) -> list[tuple[Shell, np.ndarray]]:
        """Cluster ``energies`` into shells: [(shell, indices of the energies it holds)]."""
        energies = np.asarray(energies, float)
        out: dict[float, list[int]] = {}
        for i, en in enumerate(energies):
            shell = self.get(en)
            out.setdefault(shell.energy, []).append(i)
        return [(self._cache[key], np.array(idx)) for key, idx in out.items()]

    @property
    def shells(self) -> list[Shell]:
        return list(self._cache.values())
