"""Sub-leading distributions n^sj (Eqs. 37-38) and n^sk (Eqs. 31, 33, 35) on discretized shells.

Side jump (gauge-invariant reading of Eq. 38; README "Conventions", DESIGN.md section 3):
    [J_E(n_FD)]^m_k = (2 pi/hbar)(d n_FD/d eps) e E . sum_{m'k'} W |O|^2 dr delta(eps^{m'}_{k'} - eps^m_k),
    |O|^2 dr = Im[ conj(O) (<D u^m_k|u^{m'}_{k'}> + <u^m_k|D u^{m'}_{k'}>) ],  O = <u^m_k|u^{m'}_{k'}>.
With d n_FD/d eps = -delta(eps - eF) it lives on the Fermi shell: J_E = delta(eps - eF) j_i,
j_i = -(2 pi W/hbar) e sum_j w_j E . Im[...]_{ij}; then J0[n^sj] = -J_E (Eq. 37).

Skew scattering, delta functions kept explicit. Two readings of the collision integral J that
acts on the coherence S' (``reading=`` of :func:`skew_scattering`; :mod:`semiclassical.skew`
names them the same way):

* ``"C"`` (default) -- J in its *static* Markov form (:mod:`.collision`, ``markov="static"``): the
  exact steady-state solution of Eq. 16 for a density that is static in the Schroedinger picture,
  which the dc-driven coherence S' is. The energy deltas of the local terms carry the outer band
  indices. This reproduces the paper's Eqs. 84, 85, 103 (TI surface) exactly, and the total
  sigma_yx (Eq. 86) then agrees with the Kubo-Streda (non-crossing) result.
  Known limit (tests/test_quadrature_vs_kubo.py): when d0(k), the part of H proportional to the
  identity, depends on k (Rashba ferromagnet, tilted cone, Dirac + D k^2), the reading-C totals
  differ from the Kubo-Streda ones by 1e-3 to 2e-2; the Fermi-shell part of n^sk is right (twice
  it, with the mirror shells of step 4 dropped, gives the Kubo totals to ~1e-9), the part on the
  shells at the other band's energy is not. For d0 = const the two parts are equal (Eq. 83).
* ``"B"`` -- J in the *rotating* form of Eq. 17 as printed (interaction-picture density taken
  slow, deltas on the inner indices). Exact for band-diagonal n, not for a static coherence; its
  skew pieces are exactly 1/3 of reading C's for the TI surface (a recorded finding, kept as a test).

Both readings share steps 1-2 (J acts on a band-diagonal n there, where the two forms coincide):
1. D' = -[J(n^(-1))]^offdiag. n^(-1) = delta(eps - eF) g, and by the bookkeeping of
   :mod:`.collision` D'^{mn}_k = delta(eps^n_k - eF) a^{mn}(k) + delta(eps^m_k - eF) b^{mn}(k):
   at every Fermi-shell node i (band c_i) we store the 2x2 coefficient of delta(eps^{c_i}_k - eF).
2. S'^{mn}_k = hbar D'^{mn}_k/(i(eps^m_k - eps^n_k)), same support (either band at eF).
3. J_sk^m_k = [J(S')]^{mm}_k has three kinds of pieces (see :func:`collision`):
   a. delta(eps^m_k - eF) x (node value) in band m = c_i: a source on the Fermi shell;
   b. band cbar_i at the node momentum k_i of a c_i-contour: energy eps^{cbar}(k_i) != eF. It is
      a point source of strength w_i K_i^{cbar cbar} at that momentum, i.e. on the shell
      E' = eps^{cbar}(k_i) the node value K_i^{cbar cbar} w_i/w'_l at the node l of that shell at
      the same angle and radius (w'_l its weight there);
   c. off-shell term-2 pieces delta(eps^m_k - E''_j) <u^m_k|A_j + B_j|u^m_k>, E''_j = eps^{cbar}(k_j):
      smooth shell sources on the shells through E''_j (the same in both readings).
   Readings B and C differ only in the local pieces a and b.
   For a rotationally covariant model all E' of one contour coincide (one extra shell per contour);
   for an anisotropic model each angle may carry its own shell (all built on the same angular grid).
4. On every shell S: J0[n^sk] = -J_sk (Eq. 35), zero mode fixed by sum_{k in S} n^sk = 0 (the
   shell average of the source is removed; its size is reported as ``removed``: J0 conserves the
   population of every shell, so a source with a nonzero shell integral has no stationary
   solution within elastic scattering; for rotationally covariant models it vanishes by symmetry).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import SemiclassicalError
from .collision import CollisionResult, J0Solver, collision, own_overlaps
from .shell import Shell, ShellFactory

#: skew-scattering reading -> Markov form of the collision integral acting on S' (module docstring)
SKEW_READINGS = {"C": "static", "B": "rotating"}
DEFAULT_SKEW_READING = "C"


def check_skew_reading(reading: str) -> str:
    """Validate a skew-scattering reading name; returns it."""
    if reading not in SKEW_READINGS:
        raise SemiclassicalError(
            f"skew_reading must be 'C' (static Markov form: exact steady state of Eq. 16, the default) "
            f"or 'B' (rotating form of Eq. 17 as printed), not {reading!r}")
    return reading


# ----------------------------------------------------------------------------- side jump
def side_jump_source(shell: Shell, W: float, hbar: float, e: float, field=(1.0, 0.0)) -> np.ndarray:
    """Node values j_i of J_E(n_FD) = delta(eps - eF) j (Eq. 38, gauge-invariant form), shape (n,)."""
    idx = np.arange(shell.size)
    u = shell.own                                                    # (n, orb)
    du = shell.data.covariant_derivative[idx, :, :, shell.band]     # (n, comp, orb)
    o = own_overlaps(shell)                                          # <u_i|u_j>
    du_u = np.einsum("iao,jo->iaj", np.conj(du), u)                  # <D u_i|u_j>
    u_du = np.einsum("io,jao->iaj", np.conj(u), du)                  # <u_i|D u_j>
    dr = np.imag(np.conj(o)[:, None, :] * (du_u + u_du))             # |O|^2 dr, (i, comp, j)
    edr = np.einsum("a,iaj->ij", np.asarray(field, float), dr)
    return -(2 * np.pi * W / hbar) * e * (edr @ shell.weight)


def side_jump_distribution(solver: J0Solver, source: np.ndarray) -> np.ndarray:
    """g of n^sj = delta(eps - eF) g from J0[n^sj] = -J_E (Eq. 37)."""
    return solver.solve(-source)


# ----------------------------------------------------------------------------- skew scattering
@dataclass
class ShellDistribution:
    """n = delta(eps - E_S) g on shell S, with the source b it solves J0[n] = -b for."""

    shell: Shell
    source: np.ndarray
    g: np.ndarray
    removed: float = 0.0          # |sum_i w_i b_i|: shell population the source would create
    magnitude: float = 0.0        # sum_i w_i |b_i|


@dataclass
class SkewResult:
    d_prime: np.ndarray                  # (n, 2, 2) coefficient of delta(eps^{c_i}_k - eF) in D'
    s_prime: np.ndarray                  # (n, 2, 2) same for S'
    j_sk: CollisionResult                # J(S')
    parts: list[ShellDistribution] = field(default_factory=list)
    reading: str = DEFAULT_SKEW_READING  # "C" (static J) or "B" (rotating J) acting on S'

    def observable(self, per_node: str, absolute: bool = False) -> np.ndarray:
        """sum over shells of sum_i w_i g_i O_i for O = 'velocity' (2,) or 'spin' (3,).

        ``absolute``: sum of w |g| |O| instead (the size of the integrand, for error control).
        """
        total = 0.0
        for p in self.parts:
            o = p.shell.own_velocity() if per_node == "velocity" else p.shell.own_spin()
            if absolute:
                total = total + p.shell.integrate(np.abs(p.g), np.abs(o))
            else:
                total = total + p.shell.integrate(p.g, o)
        return np.asarray(total)

    @property
    def removed(self) -> float:
        """Largest |sum_S w b| over the shells (source not conserving the shell population)."""
        return max((p.removed for p in self.parts), default=0.0)

    @property
    def magnitude(self) -> float:
        return sum(p.magnitude for p in self.parts)


def anomalous_driving(shell: Shell, g: np.ndarray, W: float, hbar: float) -> np.ndarray:
    """D' of Eq. 33 for n^(-1) = delta(eps - eF) g: coefficient of delta(eps^{c_i}_k - eF) at node i."""
    n = shell.size
    F = np.zeros((n, 2, 2), complex)
    F[np.arange(n), shell.band, shell.band] = g
    # the static and rotating forms coincide on band-diagonal input
    return -collision(shell, F, W, hbar).offdiag_at_nodes()


def off_diagonal_density(shell: Shell, d_prime: np.ndarray, hbar: float) -> np.ndarray:
    """S'^{mn} = hbar D'^{mn}/(i(eps^m - eps^n)) (Eq. 31 with D -> D'), m != n, at the nodes."""
    en = shell.data.energies
    de = en[:, :, None] - en[:, None, :]
    s = np.zeros_like(d_prime)
    off = ~np.eye(2, dtype=bool)
    s[:, off] = hbar * d_prime[:, off] / (1j * de[:, off])
    return s


def skew_scattering(factory: ShellFactory, shell: Shell, g: np.ndarray, W: float, hbar: float,
                    solvers: dict | None = None, reading: str = DEFAULT_SKEW_READING) -> SkewResult:
    """n^sk (Eq. 35) from n^(-1) = delta(eps - eF) g on the Fermi shell ``shell``.

    ``reading``: "C" (default; J(S') in the static Markov form, the exact steady state of Eq. 16)
    or "B" (J(S') in the rotating form of Eq. 17 as printed); see the module docstring.
    """
    markov = SKEW_READINGS[check_skew_reading(reading)]
    solvers = {} if solvers is None else solvers

    def solver_for(sh: Shell) -> J0Solver:
        key = id(sh)
        if key not in solvers:
            solvers[key] = J0Solver(sh, W, hbar)
        return solvers[key]

    n = shell.size
    idx = np.arange(n)
    c, cb = shell.band, 1 - shell.band
    d_prime = anomalous_driving(shell, g, W, hbar)
    s_prime = off_diagonal_density(shell, d_prime, hbar)
    jsk = collision(shell, s_prime, W, hbar, factory, markov=markov)
    if np.any(np.abs(np.imag(jsk.on_shell[idx, c, c])) > 1e-9 * max(np.abs(jsk.on_shell).max(), 1e-300)):
        raise AssertionError("J(S') diagonal is not real: bookkeeping broken")
    sources: dict[int, tuple[Shell, np.ndarray]] = {id(shell): (shell, np.real(jsk.on_shell[idx, c, c]))}

    def add(sh: Shell, b: np.ndarray):
        if id(sh) in sources:
            sources[id(sh)] = (sh, sources[id(sh)][1] + b)
        else:
            sources[id(sh)] = (sh, b)

    # (b) band cbar at the node momenta: point sources on the shells eps^{cbar}(k_i)
    point = np.real(jsk.on_shell[idx, cb, cb]) * shell.weight
    for sh, sel in factory.group(shell.other_energy):
        b = np.zeros(sh.size)
        for i in idx[sel]:
            l = sh.find_node(int(cb[i]), int(shell.theta_index[i]), float(shell.k[i]))
            b[l] += point[i] / sh.weight[l]
        add(sh, b)
    # (c) smooth term-2 pieces on the shells through E''_j
    for sh, sel in factory.group(jsk.off_energy):
        add(sh, jsk.off_shell_diagonal(sh, sel))
    parts = []
    for sh, b in sources.values():
        if sh.size == 0:
            continue
        solver = solver_for(sh)
        gsk = solver.solve(-b)
        parts.append(ShellDistribution(shell=sh, source=b, g=gsk, removed=solver.last_removed,
                                       magnitude=solver.last_magnitude))
    return SkewResult(d_prime=d_prime, s_prime=s_prime, j_sk=jsk, parts=parts, reading=reading)
