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
                        inner = corr.average(sp.expand(omega * weight * (gj if first is j else 1)), first)
                        total += cj.rho * cq.rho * corr.average(sp.expand(inner * (gj if first is q else 1)),
                                                                second)
                except ValueError as exc:
                    raise SemiclassicalError(
                        f"angular average in the golden-rule skew rate failed ({str(exc)[:200]}): the "
                        "disorder correlator must be a polynomial in the angles") from None
        out[(FERMI, t.tag)] = sp.expand(4 * sp.pi**2 / hbar * total)
    return out
