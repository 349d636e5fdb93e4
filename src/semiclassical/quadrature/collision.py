"""The on-shell Born collision integral on discretized shells (paper Eqs. 16-20, 28, 33).

White-noise disorder <U(r)U(r')> = W delta(r - r') (J0 also takes scalar correlated disorder,
``kernel`` of :func:`j0_matrix`, and magnetic impurity vertices, ``vertices``; the general J below, used by skew readings C and B only, is
white noise); the correlator is built from numeric overlaps only (README "Conventions" / docs/design.md section 3: the general form of Eq. 10, indices
kept distinct):

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W <u^a_k|u^b_{k'}> <u^c_{k'}|u^d_k>.

General collision integral acting on a band-matrix density f, in two Markov forms
(``markov=`` of :func:`collision`):

* ``"rotating"`` -- Eq. 17 as printed, g0 = -(i/hbar) int_0^inf dt [U(t), <rho(t)>] with the
  interaction-picture density taken slow; the energy deltas carry the *inner* band indices:

    J(f)^{mn}_k = (pi/hbar) sum_{k',a,b} [ C^{ma,ab}(k,k') delta(eps^a_{k'} - eps^b_k) f^{bn}_k
                   - C^{ma,bn}(k,k') f^{ab}_{k'} (delta(eps^b_{k'} - eps^n_k) + delta(eps^a_{k'} - eps^m_k))
                   + f^{ma}_k C^{ab,bn}(k,k') delta(eps^a_k - eps^b_{k'}) ];

* ``"static"`` -- the exact steady state of Eq. 16 for a density that is static in the
  Schroedinger picture (what a dc field drives, coherences included),
  g0 = -(i/hbar) int_0^inf dt e^{-iH0 t/hbar} [U, rho] e^{iH0 t/hbar}; its on-shell part is the same
  J with the energy deltas carrying the *outer* band indices m, n:

    J(f)^{mn}_k = (pi/hbar) sum_{k',a,b} [ C^{ma,ab}(k,k') delta(eps^a_{k'} - eps^n_k) f^{bn}_k
                   - C^{ma,bn}(k,k') f^{ab}_{k'} (delta(eps^a_{k'} - eps^n_k) + delta(eps^b_{k'} - eps^m_k))
                   + f^{ma}_k C^{ab,bn}(k,k') delta(eps^m_k - eps^b_{k'}) ].

The two forms agree on band-diagonal f (J0 of Eq. 28; D' of Eq. 33 is the same). On an
off-diagonal f (the coherence S' of skew scattering, Eq. 35) they differ only in the local terms
1 and 3: in the static form the intermediate state k' lies on the energy shell of the outer state
(m, k), in the rotating form on that of the coherence partner. The static form is the one that
reproduces the paper's Eqs. 84, 85 and 103 and, for the TI, the Kubo-Streda totals; the rotating
form gives one third of the skew terms (:mod:`semiclassical.skew`, readings C and B). Neither is
the default for skew scattering: the quadrature engine's default, reading T of :mod:`.subleading`,
takes the golden rule with the fourth-order non-crossing T-matrix on the Fermi shell and does not
use J(S'); twice the Fermi-shell part of the static J(S') equals its source exactly.

Delta-function bookkeeping (what :func:`collision` computes). The input is supported on one
shell E: f_k = sum_c delta(eps^c_k - E) F^{(c)}(k), given as a 2x2 band matrix F_i at each node i
(band c_i) of the shell. Products of deltas are resolved with
delta(x - E) delta(y - x) = delta(x - E) delta(y - E). The output has two kinds of pieces:

* on-shell:  J(f)^{mn}_k  contains  delta(eps^{c_i}_k - E) K_i^{mn} at the nodes i of the SAME
  shell, for every (m, n) (also the entries of the other band c-bar: they are in band c-bar at a
  momentum of the c-contour, i.e. at energy eps^{c-bar}_k != E). Terms 1 and 3 need
  Pi(eps) = sum_{a,k'} delta(eps^a_{k'} - eps)|u^a_{k'}><u^a_{k'}| at eps = E and at the
  other band's energy at each node (another shell, from the factory); term 2 contributes where
  its delta puts k on the shell E.
* off-shell: from term 2 with the other-band entries of F, supported on the shells through
  E''_j = eps^{c-bar_j}_{k_j} (other band's energy at node j):
      J(f)^{mn}_k  contains  delta(eps^n_k - E''_j) <u^m_k|A_j|u^n_k> + delta(eps^m_k - E''_j) <u^m_k|B_j|u^n_k>
  rotating: A_j = -(pi W/hbar) w_j (sum_a |u^a_j> F_j^{a cbar}) <u^cbar_j|,
            B_j = -(pi W/hbar) w_j |u^cbar_j> (sum_b F_j^{cbar b} <u^b_j|);
  static:   A and B exchanged (so A_j + B_j, all that a diagonal output needs, is the same).

For a diagonal f = n on the shell (f^{cc} = g at the c nodes) the diagonal of the on-shell part is
J0 of Eq. 28 (:func:`j0_matrix`) and its off-diagonal part is -D' of Eq. 33; there is no off-shell
part. Units: W in energy^2 x area; J in (input units)/time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from ..errors import SemiclassicalError
from .shell import Shell, ShellFactory
from .vertices import Channel, apply, pair_sum

__all__ = ["block_overlaps", "own_overlaps", "j0_matrix", "J0Solver", "CollisionResult", "MARKOV_FORMS",
           "collision"]


def block_overlaps(a: Shell, b: Shell, vertex: np.ndarray | None = None) -> np.ndarray:
    """Q[i, m, j, n] = <u^m_{k_i}|V|u^n_{k_j}> for all band pairs, shape (n_a, 2, n_b, 2).

    ``vertex``: the 2x2 impurity vertex V of one magnetic channel (:mod:`.vertices`); None: V = 1.
    """
    vb = b.data.vectors if vertex is None else np.einsum("op,jpn->jon", vertex, b.data.vectors)
    return np.einsum("iom,jon->imjn", np.conj(a.data.vectors), vb)


def own_overlaps(shell: Shell, vertex: np.ndarray | None = None) -> np.ndarray:
    """O[i, j] = <u^{c_i}_{k_i}|V|u^{c_j}_{k_j}> between the nodes' own bands, shape (n, n); V as above."""
    return np.conj(shell.own) @ apply(vertex, shell.own).T


def j0_matrix(shell: Shell, W: float, hbar: float, kernel: np.ndarray | None = None,
              vertices: list[Channel] | None = None) -> np.ndarray:
    """J0 of Eq. 28 on one shell: [J0 n] = delta(eps - E) (A g), A of shape (n, n).

    A_ij = (2 pi W/hbar) [delta_ij sum_l w_l c_il P_il - c_ij P_ij w_j], P_ij = |<u_i|u_j>|^2,
    c_ij = W(|k_i - k_j|)/W the correlated-disorder kernel (:mod:`.kernel`; None: white noise,
    c = 1): Eq. 28's one pair <U_kk' U_k'k> carries the momentum k - k'.
    Its null vector is g = const (particle conservation); diag(w) A is symmetric (c_ij = c_ji).
    ``vertices``: magnetic channels (:mod:`.vertices`; None: scalar), P_ij = sum_s r_s |<u_i|V_s|u_j>|^2,
    still symmetric (V_s Hermitian), so both properties hold; the bands' spin need not be conserved.
    """
    p = pair_sum(vertices, lambda v: np.abs(own_overlaps(shell, v)) ** 2)
    if kernel is not None:
        p = p * kernel
    pw = p * shell.weight[None, :]
    return (2 * np.pi * W / hbar) * (np.diag(pw.sum(axis=1)) - pw)


class J0Solver:
    """Solves J0[n] = s on one shell, s = delta(eps - E) b, with one zero mode per conserved sector.

    States that scatter into each other (directly or through others: P_ij > 0) form a sector; each
    sector conserves its own particle number, so J0 has one zero mode per sector (a single sector
    on a generic shell; two for d_perp = 0, whose spin-up and spin-down circles never mix). The
    right-hand side is made solvable by removing its average in every sector (the removed amount
    |sum w b| and the size sum w |b| are recorded in ``last_removed`` and ``last_magnitude``), and
    each zero mode is fixed by sum_{i in sector} w_i g_i = 0 (no density change at linear order),
    through the regularizing term lambda sum_sectors chi (chi w)^T, which does not change solutions
    that obey it. A residual that still fails is reported. ``kernel``, ``vertices``: as in
    :func:`j0_matrix` (spin-flipping magnetic channels join the spin sectors of d_perp = 0 into one).
    """

    def __init__(self, shell: Shell, W: float, hbar: float, kernel: np.ndarray | None = None,
                 vertices: list[Channel] | None = None):
        from scipy.sparse.csgraph import connected_components

        self.shell = shell
        self.A = j0_matrix(shell, W, hbar, kernel, vertices)
        w = shell.weight
        off = np.abs(self.A) > 1e-12 * max(np.abs(self.A).max(), 1e-300)
        self._n_sectors, self._sector = connected_components(off, directed=False)
        chi = np.eye(self._n_sectors)[self._sector]                  # (n, sectors)
        lam = np.abs(np.diag(self.A)).mean() / w.sum() if w.size else 0.0
        self._chi = chi
        self._lu = sla.lu_factor(self.A + lam * chi @ (chi * w[:, None]).T)
        self.last_removed = self.last_magnitude = 0.0

    def solve(self, b: np.ndarray) -> np.ndarray:
        w = self.shell.weight
        b = np.asarray(b, float)
        chi = self._chi
        sums = chi.T @ (w * b)                                           # per sector
        mean = chi @ (sums / (chi.T @ w))
        self.last_magnitude = float(np.sum(w * np.abs(b)))
        self.last_removed = float(np.sum(np.abs(sums)))
        rhs = b - mean
        g = sla.lu_solve(self._lu, rhs)
        res = np.max(np.abs(self.A @ g - rhs)) if g.size else 0.0
        if res > 1e-8 * max(np.max(np.abs(rhs)), 1e-300):
            raise SemiclassicalError(
                f"J0 on the shell E = {self.shell.energy:.6g} could not be solved (residual {res:.2e}); "
                "the leading-order distribution is not unique here")
        return g


@dataclass
class CollisionResult:
    """J(f) for f on shell ``shell`` (see module docstring for the meaning of each piece)."""

    shell: Shell
    on_shell: np.ndarray            # (n, 2, 2): K_i^{mn}, coefficient of delta(eps^{c_i}_k - E) at node i
    off_energy: np.ndarray          # (n,): E''_j = eps^{cbar_j}(k_j)
    off_A: np.ndarray               # (n, 2, 2) orbital
    off_B: np.ndarray               # (n, 2, 2) orbital

    def offdiag_at_nodes(self) -> np.ndarray:
        """On-shell off-diagonal part (for diagonal input this is -D' of Eq. 33), (n, 2, 2)."""
        out = self.on_shell.copy()
        out[:, 0, 0] = 0
        out[:, 1, 1] = 0
        return out

    def off_shell_diagonal(self, target: Shell, select: np.ndarray) -> np.ndarray:
        """Diagonal off-shell part on ``target``: sum_{j in select} <u_l|A_j + B_j|u_l> at its nodes.

        That is the coefficient of delta(eps^m_k - E_target) in J(f)^{mm}_k, for the sources j whose
        E''_j is the target's energy.
        """
        if target.size == 0 or len(select) == 0:
            return np.zeros(target.size)
        x = (self.off_A[select] + self.off_B[select]).sum(axis=0)
        return np.real(np.einsum("lo,op,lp->l", np.conj(target.own), x, target.own))


MARKOV_FORMS = ("static", "rotating")


def collision(shell: Shell, F: np.ndarray, W: float, hbar: float,
              factory: ShellFactory | None = None, markov: str = "static") -> CollisionResult:
    """J(f) of the general on-shell Born collision integral for f = sum_c delta(eps^c - E) F^{(c)}.

    ``F`` has shape (n, 2, 2): the band matrix at each node of ``shell``. ``factory`` supplies the
    shells at the other band's energies when F has entries in the other band's row/column.
    ``markov``: ``"static"`` (exact steady state of Eq. 16, deltas on the outer band indices) or
    ``"rotating"`` (Eq. 17 as printed); see the module docstring. Identical for diagonal F.
    """
    if markov not in MARKOV_FORMS:
        raise SemiclassicalError(f"markov must be 'static' (exact steady state of Eq. 16) or "
                                 f"'rotating' (Eq. 17 as printed), not {markov!r}")
    static = markov == "static"
    n = shell.size
    F = np.asarray(F, complex)
    pre = np.pi * W / hbar
    idx = np.arange(n)
    c = shell.band
    cb = 1 - c
    U = shell.data.vectors                                   # (n, orb, band)
    Udag = np.conj(np.swapaxes(U, -1, -2))
    w = shell.weight
    # Pi(eps^b_k) for b = own band (this shell) and b = other band (shell through eps^{cbar}_k);
    # both forms need the other band's Pi exactly where F has an entry in the other band's
    # row or column (rotating: Pi(eps^b) for f^{bn}, f^{ma}; static: Pi(eps^n), Pi(eps^m))
    pi_own = shell.projector_sum
    pi_other = np.zeros((n, 2, 2), complex)
    needs_other = np.any(np.abs(F[idx, cb, :]) > 0, axis=-1) | np.any(np.abs(F[idx, :, cb]) > 0, axis=-1)
    if np.any(needs_other):
        if factory is None:
            raise SemiclassicalError("collision(): off-diagonal input needs a ShellFactory for other shells")
        for sh, sel in factory.group(shell.other_energy[needs_other]):
            pi_other[np.nonzero(needs_other)[0][sel]] = sh.projector_sum
    pis = np.empty((n, 2, 2, 2), complex)        # pis[i, b] = Pi at band-b energy of node i
    pis[idx, c] = pi_own
    pis[idx, cb] = pi_other
    if static:
        # term 1: sum_b <m_i|Pi(eps^n_i)|b_i> F^{bn};  term 3: sum_a F^{ma} <a_i|Pi(eps^m_i)|n_i>
        term1 = pre * np.einsum("imo,inop,ipb,ibn->imn", Udag, pis, U, F)
        term3 = pre * np.einsum("ima,iao,imop,ipn->imn", F, Udag, pis, U)
    else:
        # term 1: sum_b <m_i|Pi(eps^b_i)|b_i> F^{bn};  term 3: sum_a F^{ma} <a_i|Pi(eps^a_i)|n_i>
        m1 = np.einsum("imo,ibop,ipb->imb", Udag, pis, U)
        term1 = pre * np.einsum("imb,ibn->imn", m1, F)
        m3 = np.conj(np.swapaxes(m1, -1, -2))    # <a|Pi(eps^a)|n>
        term3 = pre * np.einsum("ima,ian->imn", F, m3)
    # term 2, on-shell part (the delta puts k on the shell E)
    Q = block_overlaps(shell, shell)              # Q[i, m, j, a] = <m_i|a_j>
    qj_to_i_own = Q[idx[:, None], c[:, None], idx[None, :], c[None, :]]   # <c_i|c_j>  [i, j]
    fcol = F[idx, :, c]                           # (n_j, a): F_j^{a c_j}
    frow = F[idx, c, :]                           # (n_j, b): F_j^{c_j b}
    if static:
        # delta(eps^a_{k'} - eps^n_k), a = c_j: n = c_i;  delta(eps^b_{k'} - eps^m_k), b = c_j: m = c_i
        # K_i^{m c_i} -= pre sum_j w_j sum_b <m_i|c_j> F_j^{c_j b} <b_j|c_i>
        qm = Q[:, :, idx, c]                      # (i, m, j): <m_i|c_j>
        bn = np.einsum("jbo,io->jbi", Udag, U[idx, :, c])   # (j, b, i): <b_j|c_i>
        g1 = -pre * np.einsum("imj,jb,j,jbi->im", qm, frow, w, bn)
        # K_i^{c_i n} -= pre sum_j w_j sum_a <c_i|a_j> F_j^{a c_j} <c_j|n_i>
        ca = np.einsum("io,joa->ija", np.conj(U[idx, :, c]), U)   # (i, j, a): <c_i|a_j>
        cn = np.conj(Q[:, :, idx, c]).transpose(0, 2, 1)           # (i, j, n): <c_j|n_i>
        g2 = -pre * np.einsum("ija,ja,j,ijn->in", ca, fcol, w, cn)
    else:
        # delta(eps^b_{k'} - eps^n_k), b = c_j: n = c_i;  delta(eps^a_{k'} - eps^m_k), a = c_j: m = c_i
        # G1_i^m = -pre sum_j w_j sum_a <m_i|a_j> F_j^{a c_j} <c_j|c_i>   -> K_i^{m c_i}
        g1 = -pre * np.einsum("imja,ja,j,ij->im", Q, fcol, w, np.conj(qj_to_i_own))
        # G2_i^n = -pre sum_j w_j sum_b <c_i|c_j> F_j^{c_j b} <b_j|n_i>   -> K_i^{c_i n}
        g2 = -pre * np.einsum("ij,jb,j,injb->in", qj_to_i_own, frow, w, np.conj(Q))
    on = term1 + term3
    on[idx, :, c] += g1
    on[idx, c, :] += g2
    # off-shell pieces from the other-band entries of F
    ucb = U[idx, :, cb]                           # |u^{cbar}_j>
    x = np.einsum("joa,ja->jo", U, F[idx, :, cb])                 # sum_a |a_j> F^{a cbar}
    y = np.einsum("jb,jbo->jo", F[idx, cb, :], Udag)              # sum_b F^{cbar b} <b_j|
    col = -pre * w[:, None, None] * np.einsum("jo,jp->jop", x, np.conj(ucb))   # from f^{a cbar}
    row = -pre * w[:, None, None] * np.einsum("jo,jp->jop", ucb, y)            # from f^{cbar b}
    off_a, off_b = (row, col) if static else (col, row)
    return CollisionResult(shell=shell, on_shell=on, off_energy=shell.other_energy.copy(),
                           off_A=off_a, off_B=off_b)
