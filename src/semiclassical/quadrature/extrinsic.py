"""Extrinsic interband velocity beta (Eq. 47) and extrinsic gamma_O (Eq. 61) on the Fermi shell.

Both have the form of Eq. 47 with an off-diagonal operator field X (X = R' for beta, X = T_O of
Eq. 56 for gamma_O, O any k-local operator of the stack: the spin sigma_a, as in the paper, or a
spin current, a model file's observable), transcribed term by term with the correlator of numeric
overlaps:

    b^m_k = (pi/hbar) sum_{n,m',k'} { [X^{mn}_k C^{nm',m'm}(k,k') + C^{mm',m'n}(k,k') X^{nm}_k] delta(eps^m_k - eps^{m'}_{k'})
                                     - [C^{mn,m'm}(k,k') X^{nm'}_{k'} + C^{mm',nm}(k,k') X^{m'n}_{k'}] delta(eps^n_{k'} - eps^m_k) }

Bookkeeping: b is needed only where n^(-1) lives, k on the Fermi shell in band m = c_i. Both
deltas then put k' on the same shell: in the first bracket m' is the band of the node j
(eps^{m'}_{k'} = E), n is any band != m (X is off-diagonal); in the second bracket n is the band
of node j and m' != n is the other band at k' (its energy unconstrained). The two members of each
bracket are complex conjugates, so b is real (checked against the size of the summands, see below). Units: (pi W/hbar) x density of states
is a rate, so beta = rate x R' (a length) is a velocity and gamma_O = rate x T_O (T_O = hbar O/energy,
a time) has the units of O; both are O(W).
"""
from __future__ import annotations

import numpy as np

from .collision import block_overlaps
from .shell import Shell
from .vertices import Channel, pair_sum

__all__ = ["extrinsic_dressing", "extrinsic_velocity", "extrinsic_operator", "extrinsic_spin"]


def extrinsic_dressing(shell: Shell, X: np.ndarray, W: float, hbar: float, *, with_size: bool = False,
                       kernel: np.ndarray | None = None, vertices: list[Channel] | None = None):
    """Eq. 47 / Eq. 61 form for an off-diagonal field X at the nodes, shape (n, ncomp, 2, 2).

    ``kernel``: c_ij = W(|k_i - k_j|)/W of correlated disorder (:mod:`.kernel`; None: white
    noise). Every correlator of Eq. 47 pairs U_{kk'} with U_{k'k}, so each summand of node pair
    (i, j) carries c_ij, in both brackets. ``vertices``: magnetic channels (:mod:`.vertices`; None:
    scalar); each correlator is sum_s r_s <.|V_s|.><.|V_s|.>, so b is the r_s-weighted sum of the
    summands with every overlap <a|b> -> <a|V_s|b> (V_s Hermitian: each bracket stays a sum of
    complex-conjugate pairs, b stays real).

    Returns b^{c_i}_i of shape (n, ncomp) (real); with ``with_size`` also the size of its summands,
    (pi W/hbar) sum |summand| of the same shape: the scale of its rounding error (b may vanish by
    symmetry while its summands do not).
    """
    def channel(vertex):
        # one pair per summand: the scalar summands with <a|b> -> <a|V|b> (V = 1: scalar)
        n = shell.size
        idx = np.arange(n)
        c = shell.band
        w = shell.weight
        Q = block_overlaps(shell, shell, vertex)                # <a_i|V|b_j>: Q[i, a, j, b]
        # first bracket: m = c_i, m' = c_j
        q_i_to_jown = Q[:, :, idx, c]                           # [i, a, j] = <a_i|c_j>
        # the kernel enters once per summand: on one factor of each product (None: no change at all)
        qk = q_i_to_jown if kernel is None else q_i_to_jown * kernel[:, None, :]
        z = np.einsum("iaj,j,ibj->iab", qk, w, np.conj(q_i_to_jown))  # <a_i|Pi_c(i)|b_i>
        x_i = X[idx, :, c, :]                                   # X^{m n}_i with m = c_i: (n, comp, nband)
        x_i_col = X[idx, :, :, c]                               # X^{n m}_i: (n, comp, nband)
        z_row = z[idx, :, c]                                    # Z^{n m} = <n_i|Pi|m_i>: (n, nband)
        z_col = z[idx, c, :]                                    # Z^{m n}
        first = (np.einsum("ian,in->ia", x_i, z_row) + np.einsum("in,ian->ia", z_col, x_i_col))
        # second bracket: n = c_j, m' = other band at j
        cb = 1 - c
        own_ij = Q[idx[:, None], c[:, None], idx[None, :], c[None, :]]        # <m_i|c_j>, m = c_i
        oth_ij = Q[idx[:, None], c[:, None], idx[None, :], cb[None, :]]       # <m_i|cbar_j>
        own_k, oth_k = (own_ij, oth_ij) if kernel is None else (own_ij * kernel, oth_ij * kernel)
        x_j_ncb = X[idx, :, c, cb]                              # X^{c_j cbar_j}_j: (n, comp)
        x_j_cbn = X[idx, :, cb, c]                              # X^{cbar_j c_j}_j
        # C^{mn,m'm} X^{nm'} = W <m_i|c_j><cbar_j|m_i> X^{c cbar}_j ; C^{mm',nm} X^{m'n} = W <m_i|cbar_j><c_j|m_i> X^{cbar c}_j
        second = (np.einsum("ij,ij,j,ja->ia", own_k, np.conj(oth_ij), w, x_j_ncb)
                  + np.einsum("ij,ij,j,ja->ia", oth_k, np.conj(own_ij), w, x_j_cbn))
        aq, aq_own, aq_oth = np.abs(q_i_to_jown), np.abs(own_k), np.abs(oth_ij)
        z_abs = np.einsum("iaj,j,ibj->iab", np.abs(qk), w, aq)
        size = (np.einsum("ian,in->ia", np.abs(x_i), z_abs[idx, :, c])
                + np.einsum("in,ian->ia", z_abs[idx, c, :], np.abs(x_i_col))
                + np.einsum("ij,ij,j,ja->ia", aq_own, aq_oth, w, np.abs(x_j_ncb) + np.abs(x_j_cbn)))
        return first - second, size

    raw, size = pair_sum(vertices, channel)
    b = (np.pi * W / hbar) * raw
    # Reality check. Each bracket is a sum of complex-conjugate pairs, so Im b is rounding noise of
    # the *summands*, eps x sum |summand|, not of b: b itself vanishes identically whenever the
    # shell projector Pi = sum_j w_j |c_j><c_j| has no interband element and the second bracket
    # averages out (every model with d_z = 0: Pi = (rho/2) 1, beta = gamma = 0 by time reversal),
    # and then Im b / |b| is O(1) for a correct zero. The scale is therefore the summands' size.
    if np.any(np.abs(b.imag) > 1e-9 * (np.pi * W / hbar) * max(size.max(), 1e-300)):
        raise AssertionError("Eq. 47 dressing is not real: overlap bookkeeping broken")
    return (b.real, (np.pi * W / hbar) * size) if with_size else b.real


def extrinsic_velocity(shell: Shell, W: float, hbar: float, *, with_size: bool = False,
                       kernel: np.ndarray | None = None, vertices: list[Channel] | None = None):
    """beta^{c_i} at the Fermi-shell nodes (Eq. 47), shape (n, 2) (x, y); ``with_size``, ``kernel``, ``vertices`` as above."""
    return extrinsic_dressing(shell, shell.data.berry_connection, W, hbar, with_size=with_size, kernel=kernel,
                              vertices=vertices)


def extrinsic_operator(shell: Shell, W: float, hbar: float, *, with_size: bool = False,
                       kernel: np.ndarray | None = None, vertices: list[Channel] | None = None):
    """gamma_O^{c_i} (Eq. 61, T -> T_O of Eq. 56) at the Fermi-shell nodes for every operator of the
    stack (:func:`~semiclassical.quadrature.bands.operator_stack`: s_x, s_y, s_z, then the model's
    operators), shape (n, n_op); ``with_size``, ``kernel``, ``vertices`` as above."""
    return extrinsic_dressing(shell, shell.data.interband_operator, W, hbar, with_size=with_size, kernel=kernel,
                              vertices=vertices)


def extrinsic_spin(shell: Shell, W: float, hbar: float, *, with_size: bool = False,
                   kernel: np.ndarray | None = None, vertices: list[Channel] | None = None):
    """gamma^{c_i} of the spin (Eq. 61), the first three of :func:`extrinsic_operator`: shape (n, 3)."""
    out = extrinsic_operator(shell, W, hbar, with_size=with_size, kernel=kernel, vertices=vertices)
    return tuple(x[:, :3] for x in out) if with_size else out[:, :3]
