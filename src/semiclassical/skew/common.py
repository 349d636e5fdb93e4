"""Shared machinery of the skew-scattering readings: shells, angular averages, result types, J0 solve.

Both routes -- the golden rule (:mod:`.golden_rule`) and the paper's route through S'
(:mod:`.paper_route`) -- produce a driving term J_sk (Eqs. 35-36) as Laurent polynomials on the
circles of one or more energy shells; everything after that (J0[n^sk] = -J_sk shell by shell,
Eq. 35; the current, Eqs. 83, 85; the spin density, Eqs. 102-103) is the same for every reading
and lives here and in :mod:`.pipeline`. Derivations: docs/skew_scattering.md.

Representation. Every quantity supported on a circle t of a shell of energy E is stored as the
Laurent polynomial h_t(u_t) in u_t = e^{i theta} with quantity = delta(eps^{b_t}_k - E) h_t. The
field is E = E_x xhat, E_x = 1; results are per unit E_x, e > 0, electron charge -e; all in circle
symbols (bloch.Point of each circle, rho_tag densities of states), like :mod:`semiclassical.kinetic`.
Shells are keyed by :data:`FERMI` (the Fermi shell) or by the tag of the Fermi circle whose mirror
shell they are (:mod:`.paper_route`; the golden rule has the Fermi shell only).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp

from ..expansion import expand
from .. import kinetic
from ..bloch import BlochSystem, Point
from ..disorder import WHITE_NOISE, Correlator
from ..errors import SemiclassicalError
from ..fermi import Circle, Shell, eF
from ..kinetic import full_angles
from ..kinetic import leading_placeholders
from ..model import angular_average, conj_in, laurent_coefficients

__all__ = ["FERMI", "CirclePiece", "SkewField", "all_circles", "average", "band_velocity_y", "driving_field",
           "energy_gap", "finish", "imag_part", "leading_placeholders", "moved", "other_point", "put_back",
           "resolve_leading", "shell_of_band", "shell_weight", "shells_of", "solve_driving", "solve_shell", "tidy"]

#: key of the Fermi shell in the results (mirror shells are keyed by the tag of their Fermi circle)
FERMI = "F"


# =========================================================================== shells, averages
def shells_of(shell: Shell, mirrors: dict) -> dict[str, Shell]:
    """{FERMI: the Fermi shell, tag: mirror shell of Fermi circle tag} (``mirrors`` of :mod:`.paper_route`)."""
    return {FERMI: shell, **{tag: m.shell for tag, m in mirrors.items()}}


def shell_of_band(c: Circle, band: int) -> str:
    """The shell holding the state (band, k) for k on Fermi circle c: the Fermi shell or c's mirror."""
    return FERMI if band == c.band else c.tag


def other_point(q: Point, p: Point) -> Point:
    """k' at the point q, given its own angle if it would coincide with k = p."""
    return q.primed() if q == p else q


def moved(expr, src: Point, dst: Point):
    """A function of the angle of src rewritten at dst (same radius symbols, dst = src or src.primed())."""
    return expr if src == dst else sp.sympify(expr).xreplace({src.u: dst.u})


def shell_weight(bs, p: Point, shell: Shell, left, right, corr):
    """sum_{a, k' on the shell} <U^{left a}_{kk'} U^{a right}_{k'k}> (k = p): the local-term weight of J."""
    return sum((s.rho * average(corr(bs, left, p, s.band, other_point(s.point, p), s.band, right), p, other_point(s.point, p))
                for s in shell.circles), sp.Integer(0))


def average(weight, p: Point, q: Point, factor=1):
    """<weight * factor>_{theta_q}: the half-angles of the (polynomial) weight eliminated at both
    points first, then the constant Laurent coefficient in u_q. ``factor`` must already be free of
    half-angles (distributions, coherences): converting only the weight keeps the polynomial
    domain small, which is what makes this fast.
    """
    try:
        return angular_average(expand(full_angles(weight, p, q) * factor), q.u)
    except ValueError as exc:
        raise SemiclassicalError(
            f"angular average over k' failed ({str(exc)[:200]}): the integrand is not gauge covariant "
            "(a gauge phase of an interband coherence survives)"
        ) from None


def tidy(expr, u):
    """Group expr by powers of u (each coefficient as it is expanded).

    No factoring here, not even ``factor_terms``: the next step multiplies out again (polynomial
    factoring with complex coefficients took tens of seconds for two Fermi circles; factor_terms
    0.4 s of a correlated two-circle derivation), and it buys nothing for exactness.
    """
    try:
        coeffs = laurent_coefficients(expr, u)
    except ValueError:
        return expand(expr)
    return sp.Add(*[c * u**n for n, c in coeffs.items()])


def imag_part(expr, points):
    """Im of an expression whose only complex symbols are I and the angle variables of ``points``."""
    us = tuple(p.u for p in points)
    return expand((expr - conj_in(expr, us)) / (2 * sp.I))


def energy_gap(c: Circle, m: int, n: int):
    """eps^m_k - eps^n_k at k on circle c: (m - n)|d|_c."""
    return (m - n) * c.point.dd


# =========================================================================== leading distribution
def resolve_leading(bs, shell, g, corr):
    """(g to derive with, substitution to apply at the end)."""
    if g is not None:
        return g, {}
    return leading_placeholders(shell, kinetic.leading_distribution(bs, shell, corr, harmonics=True))


def put_back(expr, subs):
    return sp.sympify(expr).xreplace(subs) if subs else expr


# =========================================================================== results
@dataclass(frozen=True)
class CirclePiece:
    """delta(eps^{band}_k - energy) * expr(u) on one circle of one shell."""

    circle: Circle
    shell: str          # FERMI or the tag of the Fermi circle whose mirror shell this is
    energy: sp.Expr     # eF or the mirror energy E_c
    expr: sp.Expr       # Laurent polynomial in circle.point.u
    #: {l: coefficient of u^l}, kept unexpanded (expanding large rational coefficients is costly)
    harmonics: dict | None = field(default=None, compare=False, repr=False)

    def coefficients(self) -> dict:
        return self.harmonics if self.harmonics is not None else laurent_coefficients(self.expr, self.circle.point.u)

    @property
    def band(self) -> int:
        return self.circle.band

    @property
    def radius(self):
        """The radius symbol of the circle (k_<site>)."""
        return self.circle.point.k

    @property
    def rho(self):
        return self.circle.rho


@dataclass
class SkewField:
    """A skew-scattering quantity (J_sk or n^sk) on the Fermi shell and the mirror shells.

    ``generic`` lists every (shell, circle) piece as a Laurent polynomial in the circle's u, linear
    in the harmonics of the leading distribution (symbols gcos_<c>_<l>, gsin_<c>_<l>, see
    :func:`leading_placeholders`); ``leading`` maps those symbols to their values (empty when the
    caller passed g). :attr:`pieces` has the values put back. ``mirrors`` are the mirror shells
    used; ``equation`` the paper's equation; ``order`` the order in W.
    """

    name: str
    reading: str
    shell: Shell
    mirrors: dict
    generic: tuple
    leading: dict = field(default_factory=dict)
    equation: str = ""
    order: str = ""
    timings: dict = field(default_factory=dict)

    @property
    def pieces(self) -> tuple:
        return tuple(CirclePiece(pc.circle, pc.shell, pc.energy, put_back(pc.expr, self.leading))
                     for pc in self.generic)

    def __getitem__(self, key):
        """field[(shell_key, circle_tag)] -> the Laurent polynomial (0 if absent)."""
        for pc in self.generic:
            if (pc.shell, pc.circle.tag) == key:
                return put_back(pc.expr, self.leading)
        return sp.Integer(0)

    def rho_values(self):
        """{rho symbol of a mirror circle: k/(2 pi hbar |v|) in its point symbols}."""
        return {t.rho: t.rho_value() for m in self.mirrors.values() for t in m.shell.circles}

    def circle_sum(self, weight, shells=None):
        """sum over shells and circles of rho_t <weight(t) h_t>_theta (``shells``: keys to keep)."""
        tot = sp.Integer(0)
        for pc in self.generic:
            if shells is None or pc.shell in shells:
                # constant term of weight * h = sum_l weight_{-l} h_l (no expansion of h_l)
                w = laurent_coefficients(weight(pc.circle), pc.circle.point.u)
                h = pc.coefficients()
                tot += pc.rho * sp.Add(*[w[-l] * h[l] for l in h if -l in w])
        return put_back(tot, self.leading)

    def __str__(self):
        lines = [f"{self.name} (reading {self.reading}) [Eq. {self.equation}]"]
        for pc in self.generic:
            lines.append(f"  shell {pc.shell} (E = {pc.energy}), circle {pc.circle.tag} "
                         f"(band {'+' if pc.band > 0 else '-'}): {sp.sstr(pc.expr)}")
        if self.leading:
            lines.append("  with " + ", ".join(f"{k} = {sp.sstr(v)}" for k, v in self.leading.items()))
        return "\n".join(lines)


def all_circles(shell, mirrors):
    """(shell key, shell energy, circle) for every circle of the Fermi shell and the mirror shells."""
    for key, sh in shells_of(shell, mirrors).items():
        energy = eF if key == FERMI else mirrors[key].energy
        for t in sh.circles:
            yield key, energy, t


def driving_field(reading: str, shell: Shell, mirrors: dict, values: dict, leading: dict, timings: dict) -> SkewField:
    """J_sk (Eqs. 35-36, order W) as a :class:`SkewField` from ``{(shell_key, tag): h}``.

    Every circle of every shell gets a piece (0 where ``values`` has none), so that the J0 solve
    of :func:`solve_driving` sees each shell whole; ``leading`` maps the placeholders of
    :func:`leading_placeholders` to their values.
    """
    pieces = tuple(CirclePiece(t, key, energy, tidy(values.get((key, t.tag), sp.Integer(0)), t.point.u))
                   for key, energy, t in all_circles(shell, mirrors))
    return SkewField("J_sk", reading, shell, mirrors, pieces, leading, "35-36", "W", timings)


# =========================================================================== J0 solve, observables
def solve_shell(bs: BlochSystem, shell: Shell, source: dict, corr: Correlator = WHITE_NOISE) -> dict:
    """J0[h] = source on one energy shell (Eq. 28), harmonic by harmonic: {tag: {l: h_l}}.

    The same equation as :func:`semiclassical.kinetic.solve_on_shell` (its collision matrix), without the
    per-harmonic ``factor``, which is slow on the large coefficients of several circles; one circle
    gets a cheap ``factor_terms``. An l = 0 source (no particle conservation) raises ValueError.
    """
    coeffs = {c.tag: laurent_coefficients(source.get(c.tag, 0), c.point.u) for c in shell.circles}
    out = {c.tag: {} for c in shell.circles}
    for l in sorted(set().union(*[set(v) for v in coeffs.values()])):
        b = sp.Matrix([coeffs[c.tag].get(l, 0) for c in shell.circles])
        if l == 0:
            if any(sp.simplify(x) != 0 for x in b):
                raise ValueError("isotropic (l = 0) source: J0 cannot be inverted there")
            continue
        A = kinetic.collision_matrix(bs, shell, l, corr)
        h = A.LUsolve(b) if len(shell) > 1 else sp.Matrix([sp.factor_terms(b[0] / A[0, 0])])
        for c, hl in zip(shell.circles, h):
            out[c.tag][l] = hl
    return out


def band_velocity_y(circle: Circle):
    """v_y^{mm} = (1/hbar) d eps^m/dk sin(theta) on a circle (Eq. 80 for the TI)."""
    p = circle.point
    return p.cartesian((p.velocity(circle.band), sp.Integer(0)))[1]


def finish(expr, dist: SkewField, simplify):
    """``simplify=None``: cancel and factor when every shell has one circle (cheap there, and the
    result is a short closed form); with several circles the rational functions are large and a
    full cancellation takes minutes, so they are left as sums (exact all the same)."""
    if simplify is None:
        simplify = len(dist.shell) == 1 and all(len(m.shell) == 1 for m in dist.mirrors.values())
    return sp.factor(sp.cancel(expr)) if simplify else expr


def solve_driving(bs: BlochSystem, J: SkewField, corr: Correlator = WHITE_NOISE) -> SkewField:
    """n^sk from J0[n^sk] = -J_sk (Eq. 35; Eq. 84 for the TI), order W^0, for a driving term of any reading.

    Solved shell by shell (J0 conserves energy): on the Fermi shell and on each mirror shell, with
    :func:`solve_shell` (that shell's own circles and densities of states). Pieces:
    n^sk = delta(eps^{b_t}_k - E) g^sk_t(u_t).
    """
    t0 = time.perf_counter()
    generic = {(pc.shell, pc.circle.tag): pc.expr for pc in J.generic}
    pieces = []
    for key, sh in shells_of(J.shell, J.mirrors).items():
        source = {t.tag: -generic.get((key, t.tag), 0) for t in sh.circles}
        try:
            sol = solve_shell(bs, sh, source, corr)
        except ValueError as exc:
            raise SemiclassicalError(
                f"J0[n^sk] = -J_sk has no solution on shell {key} ({exc}): the driving term of reading "
                f"{J.reading!r} does not conserve particle number there") from None
        energy = eF if key == FERMI else J.mirrors[key].energy
        pieces += [CirclePiece(t, key, energy, sp.Add(*[c * t.point.u**l for l, c in sol[t.tag].items()]),
                               sol[t.tag]) for t in sh.circles]
    timings = dict(J.timings, solve=time.perf_counter() - t0)
    return SkewField("n^sk", J.reading, J.shell, J.mirrors, tuple(pieces), J.leading, "35, 84", "W^0", timings)
