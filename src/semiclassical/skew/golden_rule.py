"""Reading "T", the main path: the golden rule with the fourth-order non-crossing T-matrix.

Skew scattering at order W^0 is the antisymmetric part of the scattering rate at fourth order in
the disorder potential, with the Gaussian (white-noise) pairings that are not crossed -- the
non-crossing approximation (NCA) the paper compares with. From T = U + U G0 U + U G0 U G0 U,
G0 = (eF - H0 + i0)^-1 at the *on-shell* energy eF (Im Sigma only; Re Sigma renormalizes the bands),
the rate l -> l' between Fermi-shell states has three antisymmetric pieces: the self-energy
insertion on the incoming leg, on the outgoing leg, and the ladder term whose intermediate pair
(q, qbar) at one momentum is one state on shell (delta) and its interband partner off shell
(1/Delta). Summed, they collapse to a manifestly gauge-invariant closed form,

    J_sk(l) = (4 pi^2 W^2/hbar) sum_{j, q} delta(eps_j - eF) delta(eps_q - eF) g_j Omega(l, j, q)
              (1/Delta_l + 1/Delta_j + 1/Delta_q),      J0[n^sk] = -J_sk   (Eq. 35),

with n^(-1) = delta(eps - eF) g (Eq. 29), Omega(l, j, q) = Im <u_l|u_j><u_j|u_q><u_q|u_l> (the
Pancharatnam phase of three Fermi-surface states) and Delta_a = eps^{b_a}_{k_a} - eps^{bbar_a}_{k_a}
(a q-dependent correlator weights the three 1/Delta terms by its pairs). Its massive-Dirac special
case is the intrinsic skew-scattering rate w^(4a) of Sinitsyn et al., PRB 75, 045315 (2007).
n^sk lives on the Fermi shell only; for the TI it is twice the upper-band part of Eq. 84 and gives
Eqs. 85 and 103 (docs/skew_scattering.md, which derives the closed form and the identity below).

Relation to the paper's route (:mod:`.paper_route`; checked in ``tests/test_skew.py``):
J_sk^T = 2 x (the Fermi-shell part of J_sk^C). Reading C gives exactly half of the golden-rule
driving on the Fermi shell and puts the other half on mirror shells, at the energy E_c != eF of the
coherence partner; energy is conserved between the real incoming and outgoing states, both at eF,
and the partner enters only through 1/Delta. For d0 = const the mirror half is the image of the
Fermi half (why reading C reproduces Eqs. 85, 103 and the Kubo-Streda total of Eq. 86 for the
TI); for d0(k) varying only reading T agrees with Kubo-Streda (docs/kubo_vs_semiclassical.md).
"""
from __future__ import annotations

import sympy as sp

from ..expansion import expand
from ..bloch import Point
from ..errors import SemiclassicalError
from ..kinetic import OTHER, full_angles
from ..parsing import hbar
from .common import FERMI, energy_gap, imag_part, moved

__all__ = ["golden_rule_driving"]


def golden_rule_driving(bs, shell, g, corr):
    """J_sk of reading T on the Fermi shell (module docstring; Eq. 35): {(FERMI, tag): h_tag(u)}.

    ``g``: the leading distribution n^(-1) on the Fermi circles (Eq. 29), usually in the
    placeholders of :func:`.common.leading_placeholders`; ``corr``: the disorder correlator.

    J_sk(l) = (4 pi^2/hbar) sum_{j, q on the Fermi shell} g_j Omega(l, j, q)
              [S_lj S_lq/Delta_l + S_lj S_jq/Delta_j + S_lq S_qj/Delta_q],
    Omega(l, j, q) = Im <u_l|u_j><u_j|u_q><u_q|u_l> (gauge invariant), S_ab = <U_q U_-q> at
    q = k_a - k_b (W for white noise), Delta_a = eps^{b_a} - eps^{bbar_a} at k_a. Each sum over a
    Fermi circle is rho_c times an angular average; j and q get angle variables of their own.
    """
    if corr.channels is not None:
        return _vertex_driving(bs, shell, g, corr)
    out = {}
    for t in shell.circles:
        p = t.point
        total = sp.Integer(0)
        for cj in shell.circles:
            j = Point(cj.point.tag, "j")
            gj = moved(g[cj.tag], cj.point, j)
            for cq in shell.circles:
                q = Point(cq.point.tag, "q")
                loop = (bs.overlap(t.band, p, cj.band, j) * bs.overlap(cj.band, j, cq.band, q)
                        * bs.overlap(cq.band, q, t.band, p))
                omega = imag_part(full_angles(loop, p, j, q), (p, j, q))
                S = corr.strength
                # each term averaged first over the point that only one of its two correlators holds
                # (for a q-dependent kernel the other order would convolve two sets of harmonics)
                terms = ((S(p, j) * S(p, q) / energy_gap(t, t.band, OTHER[t.band]), q, j),
                         (S(p, j) * S(j, q) / energy_gap(cj, cj.band, OTHER[cj.band]), q, j),
                         (S(p, q) * S(q, j) / energy_gap(cq, cq.band, OTHER[cq.band]), j, q))
                if not corr.correlated:      # white noise: one pass, q first
                    terms = ((sp.Add(*(w for w, _, _ in terms)), q, j),)
                try:
                    for weight, first, second in terms:
                        # g_j enters where j is averaged: after q when q goes first (smaller expressions)
                        inner = corr.average(expand(omega * weight * (gj if first is j else 1)), first)
                        total += cj.rho * cq.rho * corr.average(expand(inner * (gj if first is q else 1)),
                                                                second)
                except ValueError as exc:
                    raise SemiclassicalError(
                        f"angular average in the golden-rule skew rate failed ({str(exc)[:200]}): the "
                        "disorder correlator must be a polynomial in the angles") from None
        out[(FERMI, t.tag)] = expand(4 * sp.pi**2 / hbar * total)
    return out


def _sandwich(bs, left, pl, D, right, pr):
    """<u^left_pl| D |u^right_pr> for a 2x2 matrix D."""
    return expand((bs.bra(left, pl) * D * bs.spinor(right, pr))[0])


def _vertex_driving(bs, shell, g, corr):
    """J_sk of reading T with magnetic vertices (docs/magnetic_impurities.md, section 4; Eq. 35).

    The two Gaussian pairs of each fourth-order term carry independent channel sums, so every pair
    is a dressed projector D(x) = sum_s w_s V_s |x><x| V_s (:meth:`Correlator.dressed`; scalar: W P_x)
    and the rate i -> j through a third Fermi-shell state q is (2 pi/hbar) 2 pi Im Z(i, j; q),

        Z = <i|D(j)|ibar><ibar|D(q)|i>/Delta_i + <jbar|D(i)|j><j|D(q)|jbar>/Delta_j
            - <qbar|D(i)|q><q|D(j)|qbar>/Delta_q                      (pieces A^a, A^b, A^c).

    The Pancharatnam collapse (|ibar><ibar| = 1 - P_i between plain overlaps) is not available with
    V_s in between, so the rate is kept as it stands and J_sk(l) = -(1/2) sum_{j, q}
    [rate(j -> l) - rate(l -> j)] (g_j + g_l): the antisymmetric part, in and out (the quadrature
    engine's b_i). For W_m = 0 it equals the Omega form exactly (tests/test_magnetic_closed_form.py).
    """
    out = {}
    for t in shell.circles:
        p, b = t.point, t.band
        total = sp.Integer(0)
        for cj in shell.circles:
            j, bj = Point(cj.point.tag, "j"), cj.band
            gj = moved(g[cj.tag], cj.point, j)
            Dl, Dj = corr.dressed(bs, b, p), corr.dressed(bs, bj, j)
            inner = sp.Integer(0)
            for cq in shell.circles:
                q, bq = Point(cq.point.tag, "q"), cq.band
                Dq = corr.dressed(bs, bq, q)
                gap = {x: energy_gap(c, c.band, OTHER[c.band]) for x, c in (("l", t), ("j", cj), ("q", cq))}

                def z(i, bi, Di, gi, jj, bjj, Dk, gk):
                    """Z(i -> jj; q) of the docstring."""
                    return (_sandwich(bs, bi, i, Dk, OTHER[bi], i) * _sandwich(bs, OTHER[bi], i, Dq, bi, i) / gi
                            + _sandwich(bs, OTHER[bjj], jj, Di, bjj, jj) * _sandwich(bs, bjj, jj, Dq, OTHER[bjj], jj) / gk
                            - _sandwich(bs, OTHER[bq], q, Di, bq, q) * _sandwich(bs, bq, q, Dk, OTHER[bq], q) / gap["q"])

                # rate(j -> l) - rate(l -> j), averaged over q first (g does not depend on it)
                diff = z(j, bj, Dj, gap["j"], p, b, Dl, gap["l"]) - z(p, b, Dl, gap["l"], j, bj, Dj, gap["j"])
                inner += cq.rho * corr.average(full_angles(diff, p, j, q), q)
            im = imag_part(expand(inner), (p, j))
            total += cj.rho * corr.average(expand(im * (gj + g[t.tag])), j)
        out[(FERMI, t.tag)] = expand(-sp.Rational(1, 2) * (2 * sp.pi / hbar) * 2 * sp.pi * total)
    return out
