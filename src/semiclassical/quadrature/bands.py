"""Band data of a two-band Hamiltonian at arbitrary arrays of k, from numeric eigenvectors only.

Conventions (README "Conventions" section, docs/design.md section 3): band 0 = lower ("-"), 1 = upper ("+");
eigenvectors are the columns of ``vectors`` (orbital index first, band index last) in a random
k-dependent gauge (:class:`~semiclassical.quadrature.gauge.RandomGauge`). No eigenvector is ever
differentiated: every geometric quantity is built from matrix elements of dH/dk between
eigenvectors, which is gauge covariant pointwise (sum-over-states formulas):

- velocity            v^m = <m|grad H|m>/hbar                              (Hellmann-Feynman)
- Berry connection    R^{mn} = i <m|grad H|n>/(eps_n - eps_m),  m != n       (off-diagonal part R')
- Berry curvature     Omega^m = -2 Im sum_{n!=m} <m|dxH|n><n|dyH|m>/(eps_m - eps_n)^2   (Eq. 43)
- covariant derivative D|u^n> = sum_{l!=n} |u^l><u^l|grad H|u^n>/(eps_n - eps_l)
                      (= grad|u^n> minus its component along |u^n>; used by the side jump, Eq. 38)
- operators           O^{mn} = <m|O|n> for the stack of k-local operators (:func:`operator_stack`):
                      the model's three spin operators (Pauli by default), then every operator of
                      ``NumericModel.operators`` (spin currents, a model file's observables)
- T_O^{nm} = hbar O^{nm}/(i(eps_n - eps_m)), n != m                        (Eq. 56, sigma -> O)
- s^int,m_O = (i e/hbar) [T_O, E.R']^{mm}                                   (Eq. 57, sigma -> O)

The spin density is the first three members of that stack: one code path serves the constant
sigma_a and every k-dependent O (docs/design.md, "Quadrature engine").

Units: k in inverse length, energies as given by H, velocities in length/time (H/hbar per k).
Array layout: leading axes = the shape S of the k arrays; then a Cartesian component axis where
there is one (2 for x, y; n_op = 3 + len(model.operators) for the operator stack); then band (or
orbital, band) axes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .gauge import RandomGauge

__all__ = ["BandData", "band_energies", "radial_slope", "band_data", "operator_stack"]

#: smallest admissible direct gap relative to the energy scale at the same k
_DEGENERACY_TOL = 1e-10


@dataclass(frozen=True)
class BandData:
    """Eigen-system and its gauge-covariant matrix elements at an array of momenta."""

    kx: np.ndarray
    ky: np.ndarray
    energies: np.ndarray      # S + (2,)
    vectors: np.ndarray       # S + (2 orbital, 2 band), columns are |u^m>
    dh_band: np.ndarray       # S + (2 comp, 2, 2): <m|dH/dk_a|n>
    operator_band: np.ndarray  # S + (n_op, 2, 2): <m|O_a|n>, O = (s_x, s_y, s_z, *model.operators)
    hbar: float
    e: float

    @cached_property
    def _inverse_gaps(self) -> np.ndarray:
        """1/(eps_n - eps_m) for m != n, 0 on the diagonal; S + (2, 2) indexed [m, n]."""
        de = self.energies[..., None, :] - self.energies[..., :, None]
        off = ~np.eye(2, dtype=bool)
        out = np.zeros_like(de)
        out[..., off] = 1.0 / de[..., off]
        return out

    @cached_property
    def velocity(self) -> np.ndarray:
        """Band velocity v^m_a = <m|dH/dk_a|m>/hbar, shape S + (2 comp, 2 band)."""
        return np.real(np.diagonal(self.dh_band, axis1=-2, axis2=-1)) / self.hbar

    @cached_property
    def berry_connection(self) -> np.ndarray:
        """Off-diagonal Berry connection R'^{mn}_a = i<m|d_aH|n>/(eps_n - eps_m), S + (2, 2, 2)."""
        return 1j * self.dh_band * self._inverse_gaps[..., None, :, :]

    @cached_property
    def berry_curvature(self) -> np.ndarray:
        """Omega^m (Eq. 43) = -2 Im sum_{n!=m} <m|dxH|n><n|dyH|m>/(eps_m-eps_n)^2, shape S + (2,)."""
        dx, dy = self.dh_band[..., 0, :, :], self.dh_band[..., 1, :, :]
        prod = dx * np.swapaxes(dy, -1, -2)          # [m, n] -> <m|dxH|n><n|dyH|m>
        return -2.0 * np.imag(np.sum(prod * self._inverse_gaps**2, axis=-1))

    @cached_property
    def covariant_derivative(self) -> np.ndarray:
        """D|u^n>_a = sum_{l!=n} |u^l> <l|d_aH|n>/(eps_n - eps_l); S + (2 comp, 2 orbital, 2 band)."""
        coef = self.dh_band * self._inverse_gaps[..., None, :, :]    # [l, n]: <l|dH|n>/(eps_n-eps_l)
        return np.einsum("...ol,...aln->...aon", self.vectors, coef)

    @property
    def spin_band(self) -> np.ndarray:
        """<m|s_a|n> of the spin operators, the first three of the stack: S + (3, 2, 2)."""
        return self.operator_band[..., :3, :, :]

    @cached_property
    def interband_operator(self) -> np.ndarray:
        """T_O^{nm} = hbar O^{nm}/(i(eps_n - eps_m)), n != m (Eq. 56 with sigma -> O), every operator
        of the stack: S + (n_op, 2, 2) indexed [a, n, m]. For O = v (velocity) it is R' itself."""
        # _inverse_gaps[n, m] = 1/(eps_m - eps_n) = -1/(eps_n - eps_m)
        return -self.hbar * self.operator_band * self._inverse_gaps[..., None, :, :] / 1j

    def intrinsic_operator(self, field=(1.0, 0.0)) -> np.ndarray:
        """s^int,m_O = (i e/hbar) [T_O, E.R']^{mm} (Eq. 57, sigma -> O) per unit field, every operator
        of the stack: S + (n_op, 2 band)."""
        field = np.asarray(field, float)
        er = np.einsum("a,...amn->...mn", field, self.berry_connection)[..., None, :, :]
        t = self.interband_operator
        comm = t @ er - er @ t
        return np.real(1j * self.e / self.hbar * np.diagonal(comm, axis1=-2, axis2=-1))

    def intrinsic_spin(self, field=(1.0, 0.0)) -> np.ndarray:
        """s^int,m (Eq. 57) of the spin operators: the first three of :meth:`intrinsic_operator`."""
        return self.intrinsic_operator(field)[..., :3, :]

    @property
    def shape(self):
        return self.energies.shape[:-1]


def band_energies(model: NumericModel, kx, ky) -> np.ndarray:
    """Both eigenvalues (ascending) of a 2x2 Hermitian H at arrays of k, without eigenvectors.

    eps = (H00 + H11)/2 -+ sqrt(((H00 - H11)/2)^2 + |H01|^2); used by the contour search, where
    millions of evaluations are needed and eigenvectors are not.
    """
    h = model.h(np.asarray(kx, float), np.asarray(ky, float))
    mean = 0.5 * np.real(h[..., 0, 0] + h[..., 1, 1])
    half = np.hypot(0.5 * np.real(h[..., 0, 0] - h[..., 1, 1]), np.abs(h[..., 0, 1]))
    return np.stack([mean - half, mean + half], axis=-1)


def radial_slope(model: NumericModel, kx, ky) -> np.ndarray:
    """d eps_m/dk along the radial direction khat, both bands (Hellmann-Feynman), shape S + (2,).

    With H = d0 + d.sigma: d eps_-+ = d(d0) -+ (d . d(d))/|d|, written with matrix entries.
    """
    kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
    h = model.h(kx, ky)
    hx, hy = model.dh(kx, ky)
    k = np.hypot(kx, ky)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(k > 0, kx / np.where(k > 0, k, 1), 1.0)
        s = np.where(k > 0, ky / np.where(k > 0, k, 1), 0.0)
    dr = c[..., None, None] * hx + s[..., None, None] * hy
    dz = 0.5 * np.real(h[..., 0, 0] - h[..., 1, 1])
    b = h[..., 0, 1]
    half = np.hypot(dz, np.abs(b))
    dmean = 0.5 * np.real(dr[..., 0, 0] + dr[..., 1, 1])
    ddz = 0.5 * np.real(dr[..., 0, 0] - dr[..., 1, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        dhalf = (dz * ddz + np.real(np.conj(b) * dr[..., 0, 1])) / half
    return np.stack([dmean - dhalf, dmean + dhalf], axis=-1)


def band_data(model: NumericModel, kx, ky, gauge: RandomGauge | None = None) -> BandData:
    """Eigen-system and matrix elements at arrays of k (any common shape), in a random gauge."""
    kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
    h = model.h(kx, ky)
    energies, vectors = np.linalg.eigh(h)
    scale = np.maximum(np.abs(energies).max(axis=-1), 1e-300)
    gap = energies[..., 1] - energies[..., 0]
    if np.any(gap <= _DEGENERACY_TOL * scale):
        bad = np.argmin(gap / scale)
        raise SemiclassicalError(
            f"bands touch at k = ({kx.ravel()[bad]:.6g}, {ky.ravel()[bad]:.6g}); the semiclassical "
            "quantities need a direct gap everywhere they are evaluated (e.g. give the mass M != 0)"
        )
    if gauge is not None:
        vectors = vectors * gauge.phases(kx, ky)[..., None, :]
    hx, hy = model.dh(kx, ky)
    vdag = np.conj(np.swapaxes(vectors, -1, -2))
    dh_band = np.stack([vdag @ hx @ vectors, vdag @ hy @ vectors], axis=-3)
    ops = operator_stack(model, kx, ky)
    operator_band = np.einsum("...mo,...aop,...pn->...amn", vdag, ops, vectors)
    return BandData(kx=kx, ky=ky, energies=energies, vectors=vectors, dh_band=dh_band,
                    operator_band=operator_band, hbar=float(model.hbar), e=float(model.e))


def operator_stack(model: NumericModel, kx, ky) -> np.ndarray:
    """The k-local operators every engine piece is computed for, in the orbital basis:
    (s_x, s_y, s_z, *model.operators.values()) at arrays of k, shape S + (n_op, 2, 2).

    The spin operators are constant (broadcast); the others are O(kx, ky) of the operator-valued
    observables (``NumericModel.operators``: spin currents, a model file's ``[observables]``).
    """
    kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
    spin = np.broadcast_to(np.asarray(model.spin, complex), kx.shape + (3, 2, 2))
    if not model.operators:
        return spin
    extra = [np.broadcast_to(np.asarray(op(kx, ky), complex), kx.shape + (2, 2))
             for op in model.operators.values()]
    return np.concatenate([spin, np.stack(extra, axis=-3)], axis=-3)
