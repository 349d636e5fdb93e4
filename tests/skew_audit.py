"""Audit readings of Eq. 36 for tests/test_skew.py: "A" (as printed), "B36" and "C36" (indices corrected).

Not readings of the toolkit (semiclassical.skew.readings): they exist to test the paper's printed
Eq. 36 and to cross-check the bookkeeping of readings B and C through an independent route. Built
on the helpers of the package (semiclassical.skew.common, .paper_route): the leading distribution in
placeholders, D' of Eq. 33, the mirror shells, the J0 solve and the observables.

Reading "A" is Eq. 36 as printed, indices taken literally. It differs from B in two places: the
first correlator is printed <U^{m m''}_{kk'} U^{m'' m}_{k'k}> where the derivation gives
<U^{m m''}_{kk'} U^{m' m}_{k'k}> (the printed one is not gauge covariant: the phase of S'^{m'' m'}
survives), and the second denominator is printed eps^m_k - eps^{m''}_{k''} where the derivation
gives eps^m_k - eps^{m''}_k (with two bands at eF it vanishes on shell). "B36" is Eq. 36 with both
corrections: it must equal reading B. Its second term's outer delta delta(eps^{m'}_{k'} - eps^{m''}_k)
is the rotating (Eq. 17) form; with delta(eps^{m'}_{k'} - eps^m_k) instead ("C36") it equals
reading C. The errata (semiclassical.errata) cite the tests that use them.
"""
from __future__ import annotations

import time
from collections import defaultdict

import sympy as sp

from semiclassical.disorder import WHITE_NOISE
from semiclassical.errors import SemiclassicalError
from semiclassical.kinetic import OTHER
from semiclassical.parsing import hbar
from semiclassical.skew import skew_current as _current
from semiclassical.skew.common import (FERMI, average, driving_field, energy_gap, imag_part, moved, other_point,
                                       resolve_leading, shell_of_band, shell_weight, shells_of, solve_driving)
from semiclassical.skew.paper_route import anomalous_driving, mirror_shells

__all__ = ["AUDIT_READINGS", "skew_current", "skew_distribution", "skew_driving"]

#: audit reading -> (indices as printed?, Markov form of the second term's outer delta)
AUDIT_READINGS = {"A": (True, "rotating"), "B36": (False, "rotating"), "C36": (False, "static")}


def skew_driving(bs, shell, reading, mirrors=None, corr=WHITE_NOISE):
    """J_sk of an audit reading (Eq. 36 term by term), as a SkewField like skew.skew_driving's."""
    literal, markov = AUDIT_READINGS[reading]
    if not len(shell):
        raise SemiclassicalError("no Fermi circle: the skew-scattering term needs a Fermi surface")
    t0 = time.perf_counter()
    mirrors = mirror_shells(shell) if mirrors is None else mirrors
    g, subs = resolve_leading(bs, shell, None, corr)
    t1 = time.perf_counter()
    values = _eq36(bs, shell, mirrors, g, literal, markov, corr)
    return driving_field(reading, shell, mirrors, values, subs,
                         {"leading": t1 - t0, "driving": time.perf_counter() - t1})


def skew_distribution(bs, shell, reading, mirrors=None, corr=WHITE_NOISE):
    """n^sk of an audit reading: J0[n^sk] = -J_sk shell by shell (Eq. 35)."""
    return solve_driving(bs, skew_driving(bs, shell, reading, mirrors, corr), corr)


def skew_current(bs, shell, reading, mirrors=None):
    """sigma_yx^sk (Eq. 83) of an audit reading."""
    return _current(bs, shell, dist=skew_distribution(bs, shell, reading, mirrors))


def _eq36(bs, shell, mirrors, g, literal: bool, markov: str, corr):
    """Eq. 36 term by term on the Fermi and mirror shells.

    First (gain) term, with S'^{m''m'} = hbar D'/(i(eps^{m''} - eps^{m'})) and K1 = -(hbar/pi) D':
        (2 pi^2/hbar) sum_{k', m'' != m'} Im[C1 K1^{m''m'}_k' / (eps^{m''}_k' - eps^{m'}_k')] delta(eps^{m''}_k' - eps^m_k),
        C1 = <U^{mm''}_{kk'} U^{m''m}_{k'k}> (printed, literal) or <U^{mm''}_{kk'} U^{m'm}_{k'k}> (derived).
    Second (local) term at k on Fermi circle c, m'' = mbar:
        -(2 pi^2/hbar) Im[L K],  L = sum_{k',m'} <U^{m''m'}_{kk'} U^{m'm}_{k'k}> delta(eps^{m'}_k' - eps^{m''}_k),
        K = sum_{k'',n} <U^{mn}_{kk''} U^{nm''}_{k''k}> (n_k - n^n_k'') / Delta,
        Delta = eps^m_k - eps^{m''}_{k''} (printed) or eps^m_k - eps^{m''}_k (derived).
    """
    shells = shells_of(shell, mirrors)
    Dp = anomalous_driving(bs, shell, g, mirrors, corr)
    out: dict = defaultdict(lambda: sp.Integer(0))
    pref = 2 * sp.pi**2 / hbar
    # ---- first term: k' on Fermi circle c2; (m'', m') = (b', bbar') -> k on the Fermi shell,
    #      (bbar', b') -> k on the mirror shell of c2
    for c2 in shell.circles:
        b2 = c2.band
        for key, (m2, m1) in ((FERMI, (b2, OTHER[b2])), (c2.tag, (OTHER[b2], b2))):
            K1 = -hbar / sp.pi * Dp[c2.tag][(m2, m1)]
            for t in shells[key].circles:
                m, p = t.band, t.point
                q = other_point(c2.point, p)
                C1 = corr(bs, m, p, m2, q, m2, m) if literal else corr(bs, m, p, m2, q, m1, m)
                # Im commutes with the (real) angular average over theta_q
                X = average(C1, p, q, moved(K1, c2.point, q) / energy_gap(c2, m2, m1))
                out[(key, t.tag)] += pref * c2.rho * imag_part(X, (p,))
    # ---- second term
    for c in shell.circles:
        b, p = c.band, c.point
        for m in (b, OTHER[b]):
            m2 = OTHER[m]
            L = shell_weight(bs, p, shells[shell_of_band(c, m2 if markov == "rotating" else m)], m2, m, corr)
            K = sp.Integer(0)
            for s in shell.circles:
                q = other_point(s.point, p)
                if literal:  # eps^m_k - eps^{m''}_{k''}, k on c (band b at eF), k'' on s (band b_s at eF)
                    gap = sp.expand((m - b) * c.point.dd - (m2 - s.band) * s.point.dd)
                    if gap == 0:
                        raise SemiclassicalError(
                            "Eq. 36 as printed is singular here: its denominator eps^m_k - eps^m''_k'' "
                            f"vanishes on shell (k on circle {c.tag}, k'' on circle {s.tag} of the other band); "
                            "use reading 'B'")
                else:
                    gap = energy_gap(c, m, m2)
                w = corr(bs, m, p, s.band, q, s.band, m2)
                K += s.rho * average(w, p, q, (g[c.tag] - moved(g[s.tag], s.point, q)) / gap)
            val = -pref * imag_part(sp.expand(L * K), (p,))
            if m == b:
                out[(FERMI, c.tag)] += val
            else:
                partner = mirrors[c.tag].partner
                out[(c.tag, partner.tag)] += val * c.rho / partner.rho
    return dict(out)
