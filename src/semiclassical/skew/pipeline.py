"""One interface for every skew-scattering reading: J_sk -> n^sk -> current and spin density.

    J_sk (Eqs. 35-36)  --  reading T: :mod:`.golden_rule` (the default, Fermi shell only);
                           readings C, B: :mod:`.paper_route` (S' of Eqs. 31-33, mirror shells)
    J0[n^sk] = -J_sk   (Eq. 35, shell by shell; Eq. 84 for the TI)      :func:`.common.solve_driving`
    sigma_yx^sk        (Eqs. 83, 85)                                     :func:`skew_current`
    <s>^sk             (Eqs. 102-103)                                    :func:`skew_spin_density`

Reading names are checked against the one registry, :mod:`.readings`. Derivations:
docs/skew_scattering.md.
"""
from __future__ import annotations

import time

from ..bloch import BlochSystem
from ..disorder import WHITE_NOISE, Correlator
from ..errors import SemiclassicalError
from ..fermi import Shell
from ..model import e
from . import paper_route
from .common import SkewField, band_velocity_y, driving_field, finish, resolve_leading, solve_driving
from .golden_rule import golden_rule_driving
from .readings import DEFAULT_READING, READINGS, check_reading

__all__ = ["skew_driving", "skew_distribution", "skew_current", "skew_spin_density"]


def skew_driving(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None, g=None,
                 corr: Correlator = WHITE_NOISE) -> SkewField:
    """The skew-scattering driving term J_sk^m_k (Eqs. 35-36), order W.

    Readings (:mod:`.readings`): "T" (default) the golden rule with the fourth-order non-crossing
    T-matrix, on the Fermi shell only (``mirrors`` ignored); "C" [J(S')]^{mm} with the exact
    steady-state solution of Eq. 16; "B" the same with the rotating form of Eq. 17 (the J of the
    README's Conventions). ``mirrors``: see :func:`.paper_route.mirror_shells` (default: partner
    circles only). ``g``: the leading distribution (default: derived).
    """
    r = READINGS[check_reading(reading)]
    if not len(shell):
        raise SemiclassicalError("no Fermi circle: the skew-scattering term needs a Fermi surface")
    t0 = time.perf_counter()
    if not r.mirrors:
        mirrors = {}                   # energy conservation at eF: no mirror shells
    mirrors = paper_route.mirror_shells(shell) if mirrors is None else mirrors
    g, subs = resolve_leading(bs, shell, g, corr)
    t1 = time.perf_counter()
    if r.mirrors:
        values = paper_route.coherence_driving(bs, shell, g, mirrors, r.markov, corr)
    else:
        values = golden_rule_driving(bs, shell, g, corr)
    return driving_field(reading, shell, mirrors, values, subs,
                         {"leading": t1 - t0, "driving": time.perf_counter() - t1})


def skew_distribution(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                      corr: Correlator = WHITE_NOISE) -> SkewField:
    """n^sk from J0[n^sk] = -J_sk (Eq. 35; Eq. 84 for the TI), order W^0.

    Solved shell by shell (J0 conserves energy): on the Fermi shell and on each mirror shell, with
    that shell's own circles and densities of states (:func:`.common.solve_driving`). Pieces:
    n^sk = delta(eps^{b_t}_k - E) g^sk_t(u_t).
    """
    return solve_driving(bs, skew_driving(bs, shell, reading, mirrors, corr=corr), corr)


def skew_current(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                 dist: SkewField | None = None, shells=None, simplify=None, corr: Correlator = WHITE_NOISE):
    """sigma_yx^sk = -e sum_{m,k} v_y^{mm} n^sk_m (Eqs. 83, 85), per unit E_x, order W^0.

    All shells (Fermi and mirror) by default; ``shells`` restricts to some keys (e.g. ("F",)).
    In circle symbols; for one circle of band + (any covariant model with winding 1) reading T gives
    3 e^2 C S^2 rho (d0' + |d|')^2 / (2 hbar |d| (1 + 3 C^2)^2), i.e. (hbar v_F)^2 in place of the
    |d|' (d0' + |d|') of reading C; both are Eq. 85 for the TI (d0' = 0).
    """
    dist = skew_distribution(bs, shell, reading, mirrors, corr) if dist is None else dist
    return finish(-e * dist.circle_sum(band_velocity_y, shells), dist, simplify)


def skew_spin_density(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                      dist: SkewField | None = None, shells=None, simplify=None,
                      corr: Correlator = WHITE_NOISE, operators=None):
    """(<s_x>, <s_y>)^sk = sum_{m,k} s^{mm} n^sk_m (Eqs. 102-103), Pauli spin, per unit E_x; with
    ``operators``, sum_{m,k} O^{mm} n^sk_m for each k-local operator O (one entry per operator)."""
    dist = skew_distribution(bs, shell, reading, mirrors, corr) if dist is None else dist
    spins = {}

    def component(i):
        def weight(t):
            key = (t.point, t.band)
            if key not in spins:
                spins[key] = bs.spin(t.band, t.band, t.point, operators)
            return spins[key][i]
        return weight

    n = len(operators) if operators else 2
    return tuple(finish(dist.circle_sum(component(i), shells), dist, simplify) for i in range(n))
