"""Skew scattering: interband coherence S' -> driving term J_sk -> n^sk (paper Eqs. 31-36, 83-85, 102-103).

Reading "T" (the default): golden rule with the fourth-order non-crossing T-matrix
-----------------------------------------------------------------------------------
Skew scattering at order W^0 is the antisymmetric part of the scattering rate at fourth order in
the disorder potential, with the Gaussian (white-noise) pairings that are not crossed -- the
non-crossing approximation (NCA) the paper compares with. From T = U + U G0 U + U G0 U G0 U,
G0 = (eF - H0 + i0)^-1 at the *on-shell* energy eF (Im Sigma only; Re Sigma renormalizes the bands),
the rate l -> l' between Fermi-shell states has three antisymmetric pieces: the self-energy
insertion on the incoming leg, on the outgoing leg, and the ladder term whose intermediate pair
(q, qbar) at one momentum is one state on shell (delta) and its interband partner off shell
(1/Delta). Summed, they collapse to a manifestly gauge-invariant closed form,

    J_sk(l) = (4 pi^2 W^2/hbar) sum_{j, q} delta(eps_j - eF) delta(eps_q - eF) g_j Omega(l, j, q)
              (1/Delta_l + 1/Delta_j + 1/Delta_q),      J0[n^sk] = -J_sk,

with n^(-1) = delta(eps - eF) g (Eq. 29), Omega(l, j, q) = Im <u_l|u_j><u_j|u_q><u_q|u_l> (the
Pancharatnam phase of three Fermi-surface states) and Delta_a = eps^{b_a}_{k_a} - eps^{bbar_a}_{k_a}
(:func:`_golden_rule`; a q-dependent correlator weights the three 1/Delta terms by its pairs). Its
massive-Dirac special case is the intrinsic skew-scattering rate w^(4a) of Sinitsyn et al., PRB 75,
045315 (2007). n^sk lives on the Fermi shell only.

Relation to the density-matrix readings below (derivation in docs/skew_scattering.md; checked in
``tests/test_skew.py``): J_sk^T = 2 x (the Fermi-shell part of J_sk^C). Reading C, the paper's
route through S' (Eqs. 31-36), gives exactly half of the golden-rule driving on the Fermi shell and
puts the other half on *mirror* shells, at the energy E_c != eF of the coherence partner: its
Markov treatment gives the virtual interband state an energy shell of its own. Energy is conserved
between the real incoming and outgoing states, both at eF; the partner enters only through 1/Delta.
For d0 = const the mirror half is the image of the Fermi half and gives the same current and spin
(why reading C reproduces Eqs. 85, 103 and the Kubo-Streda total of Eq. 86 for the TI); for d0(k)
varying (Rashba ferromagnet, Dirac + D k^2, tilted cone) only reading T agrees with Kubo-Streda
(docs/kubo_vs_semiclassical.md). Eq. 84 is the reading-C distribution (its sigma_z part is the
mirror half); :mod:`semiclassical.errata` records it.

Reading "B" (Eq. 17 as printed)
-------------------------------------
With the leading distribution n^(-1)_k = delta(eps^m_k - eF) g^m (Eqs. 27-29):

* D'^{mn}_k = -[J(n^(-1))]^{mn}, m != n (Eq. 33), J the on-shell Born collision integral of
  the README's Conventions acting on a band matrix (:func:`born_collision`);
* S'^{mn}_k = hbar D'^{mn}_k / (i (eps^m_k - eps^n_k))                        (Eq. 31, the D' part);
* J_sk^m_k = [J(S')]^{mm}_k                                                    (Eq. 35, text above it);
* J0[n^sk] = -J_sk                                                             (Eq. 35).

Delta-function bookkeeping. D'^{mn}_k = delta(eps^n_k - eF) X + delta(eps^m_k - eF) Y, so S' lives
at momenta on the Fermi circles c (band b_c): S'_k = sum_c delta(eps^{b_c}_k - eF) sigma_c(k). Its
coherence couples the Fermi state (b_c, k) with the state (bbar_c, k) of the *other* band at the
same k, whose energy is the *mirror energy* E_c = eps^{bbar_c}(k_c) = eF - 2 b_c |d|(k_c). J(S')
therefore has parts on the Fermi shell and parts on the mirror shell of each circle c: the shell
of all states at energy E_c (the "partner" circle: band bbar_c at radius k_c, plus whatever other
circles cross E_c). J0 conserves energy, so n^sk is found shell by shell. For the TI surface
(Eq. 68, eF > M > 0) the mirror shell is the lower band at k_F, energy -eF: that is the sigma_z of
Eq. 84. A delta(eps^{b_c}_k - eF) at the partner circle is rewritten as
delta(eps^{bbar_c}_k - E_c) rho_c / rho_partner (both are delta(|k| - k_c)/(hbar |v|)).

Reading "C" (exact steady state of Eq. 16 for the coherence; the paper's Eqs. 84-85)
-------------------------------------------------------------------------------------
The J of the README's Conventions comes from Eq. 17, g0 = -(i/hbar) int_0^inf dt [U(t), <rho(t)>] with
U(t) = e^{-iH0 t/hbar} U e^{iH0 t/hbar}: it assumes the interaction-picture density matrix is slow,
i.e. rho(t - t') = e^{iH0 t'/hbar} rho(t) e^{-iH0 t'/hbar}. That is exact for the band-diagonal n
but not for a coherence driven by a dc field, which is static in the Schroedinger picture. The
exact solution of Eq. 16 for a static rho is g0 = -(i/hbar) int_0^inf dt e^{-iH0 t/hbar} [U, rho] e^{iH0 t/hbar};
its on-shell part is the same J except that the energy deltas carry the *outer* band indices:

    J(f)^{mn}_k = (pi/hbar) sum [ <U^{ma}U^{ab}> delta(eps^a_k' - eps^n_k) f^{bn}_k
                  - <U^{ma}U^{bn}> f^{ab}_k' (delta(eps^a_k' - eps^n_k) + delta(eps^b_k' - eps^m_k))
                  + f^{ma}_k <U^{ab}U^{bn}> delta(eps^m_k - eps^b_k') ]

(``markov="static"`` in :func:`born_collision`). Both forms agree on diagonal f (Eq. 28, and D'
of Eq. 33 is the same); on S' only the two local terms differ: the intermediate state k' is on the
energy shell of the outer state (m, k), not of the coherence partner. Reading "C" reproduces the
paper's Eqs. 84, 85 and 103 for the TI exactly; reading "B" gives one third of them.

Reading "A"
-----------
Eq. 36 as printed, indices taken literally (:func:`skew_driving` with ``reading="A"``). It differs
from B in two places: the first correlator is printed <U^{m m''}_{kk'} U^{m'' m}_{k'k}> where the
derivation gives <U^{m m''}_{kk'} U^{m' m}_{k'k}> (the printed one is not gauge covariant: the
phase of S'^{m'' m'} survives), and the second denominator is printed eps^m_k - eps^{m''}_{k''}
where the derivation gives eps^m_k - eps^{m''}_k (with two bands at eF it vanishes on shell).
``reading="B36"`` is Eq. 36 with both corrections: it must equal reading B (a check of the
bookkeeping through an independent route). Its second term's outer delta
delta(eps^{m'}_{k'} - eps^{m''}_k) is the rotating (Eq. 17) form; with delta(eps^{m'}_{k'} - eps^m_k)
instead (``"C36"``) it equals reading C.

Representation. Every quantity supported on a circle t of a shell of energy E is stored as the
Laurent polynomial h_t(u_t) in u_t = e^{i theta} with quantity = delta(eps^{b_t}_k - E) h_t. The
field is E = E_x xhat, E_x = 1; results are per unit E_x, e > 0, electron charge -e; all in circle
symbols (bloch.Point of each circle, rho_tag densities of states), like :mod:`kinetic`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sympy as sp

from . import kinetic
from .bloch import BlochSystem, Point
from .disorder import WHITE_NOISE, Correlator
from .errors import SemiclassicalError
from .fermi import Circle, Shell, eF
from .kinetic import OTHER, full_angles
from .model import angular_average, conj_in, e, laurent_coefficients
from .parsing import hbar

#: key of the Fermi shell in the results (mirror shells are keyed by the tag of their Fermi circle)
FERMI = "F"
#: the project default: reading T, the golden rule with the fourth-order non-crossing T-matrix
#: (module docstring); it agrees with the Kubo-Streda engine for every model, and gives the
#: paper's Eqs. 85 and 103 for the TI
DEFAULT_READING = "T"
#: reading -> (route, Markov form of the collision integral); see the module docstring
READINGS = {
    "T": ("golden-rule", None),       # golden rule, fourth-order NCA T-matrix: Fermi shell only
    "B": ("collision", "rotating"),   # J(S') with the J of the README's Conventions (Eq. 17 as printed)
    "C": ("collision", "static"),     # J(S') with the exact steady-state solution of Eq. 16
    "A": ("eq36-literal", "rotating"),  # Eq. 36 exactly as printed
    "B36": ("eq36", "rotating"),      # Eq. 36 with corrected indices: an independent route to B
    "C36": ("eq36", "static"),        # ... and with the static outer delta: an independent route to C
}
#: readings whose J_sk has parts on mirror shells (energies other than eF): all but the golden rule
MIRROR_READINGS = tuple(r for r, (route, _) in READINGS.items() if route != "golden-rule")


# =========================================================================== shells
@dataclass(frozen=True)
class MirrorCircle(Circle):
    """A circle of a mirror shell. ``site`` is the tag of the Point whose symbols it uses.

    The partner circle (band bbar_c at the radius k_c of Fermi circle c) shares the symbols of
    c's point (same k, same Bloch angle) but has its own density of states ``rho_<tag>``.
    ``vsign = 0`` means the sign of its radial velocity was not given: :meth:`rho_value` then
    uses |v|.
    """

    site: str = ""

    @property
    def point(self) -> Point:
        return Point(self.site or self.tag)

    def rho_value(self):
        """rho_t = k_t / (2 pi hbar |v_t|) in the point symbols."""
        p = self.point
        v = p.velocity(self.band)
        return p.k / (2 * sp.pi * hbar * (self.vsign * v if self.vsign else sp.Abs(v)))


@dataclass(frozen=True)
class Mirror:
    """The mirror shell of Fermi circle ``source``: all states at E_c = eps^{bbar_c}(k_c)."""

    source: Circle
    shell: Shell
    partner: MirrorCircle

    @property
    def energy(self):
        """E_c = eF + (bbar_c - b_c)|d|(k_c) = eF - 2 b_c |d|_c."""
        return eF - 2 * self.source.band * self.source.point.dd


def mirror_shells(shell: Shell, spec: dict | None = None) -> dict[str, Mirror]:
    """Mirror shells of the Fermi circles of ``shell``.

    ``spec`` maps a Fermi circle's tag to ``{"partner_vsign": +-1, "extra": [(band, vsign), ...]}``
    (the other circles that cross the mirror energy; see :func:`mirror_spec`). Without a spec a
    mirror shell holds the partner circle only: exact when no other circle crosses E_c (TI
    surface, massive Dirac with one circle, ...), wrong otherwise.
    """
    spec = spec or {}
    out = {}
    for c in shell.circles:
        s = spec.get(c.tag, {})
        partner = MirrorCircle(OTHER[c.band], int(s.get("partner_vsign", 0)), f"{c.tag}m", c.tag)
        extra = tuple(MirrorCircle(b, int(v), f"{c.tag}m{i + 1}", "")
                      for i, (b, v) in enumerate(s.get("extra", ())))
        out[c.tag] = Mirror(c, Shell((partner, *extra)), partner)
    return out


def mirror_spec(bs: BlochSystem, values: dict, fermi_circles, energy: float, rtol=1e-7) -> dict:
    """Numeric scenario of the mirror shells at a parameter point (for :func:`mirror_shells`).

    ``fermi_circles`` is the list (band, vsign, k_c) of :func:`fermi.find_circles` at ``energy``, in
    the order of the Shell (``Shell.of`` tags 1, 2, ...). Returns the spec dict; each entry also
    carries the mirror energy (``"energy"``) and the numeric radii (``"radii"``, partner first).
    """
    from .fermi import find_circles, radial_functions

    f = radial_functions(bs, values)
    spec = {}
    for i, (band, _, kc) in enumerate(fermi_circles):
        E = float(f["d0"](kc) - band * f["dd"](kc))
        if abs(E - energy) <= 1e-12 * max(1.0, abs(energy)):
            raise SemiclassicalError("the mirror energy equals the Fermi energy: the bands touch on a Fermi circle")
        found = find_circles(bs, values, E)
        partner = [t for t in found if t[0] == -band and abs(t[2] - kc) <= rtol * max(1.0, kc)]
        if len(partner) != 1:
            raise SemiclassicalError(
                f"could not locate the partner of Fermi circle {i + 1} at the mirror energy {E:.6g}")
        rest = [t for t in found if t is not partner[0]]
        spec[str(i + 1)] = {"partner_vsign": partner[0][1], "extra": [(b, s) for b, s, _ in rest],
                            "radii": [partner[0][2]] + [r for _, _, r in rest], "energy": E}
    return spec


def mirror_circle_values(bs: BlochSystem, mirrors: dict, spec: dict, values: dict) -> dict:
    """Numeric values of the mirror circles' own symbols (partner rho; all symbols of extra circles).

    ``spec`` from :func:`mirror_spec` at the same parameter point ``values``; combine with
    :func:`fermi.circle_values` of the Fermi circles to evaluate a closed form.
    """
    from .fermi import circle_values

    out = {}
    for tag, mirror in mirrors.items():
        for t, r in zip(mirror.shell.circles, spec[tag]["radii"]):
            vals = circle_values(bs, t, values, r)
            out.update({t.rho: vals[t.rho]} if t is mirror.partner else vals)
    return out


# =========================================================================== helpers
def _shells(shell: Shell, mirrors: dict[str, Mirror]) -> dict[str, Shell]:
    return {FERMI: shell, **{tag: m.shell for tag, m in mirrors.items()}}


def _shell_of_band(c: Circle, band: int) -> str:
    """The shell holding the state (band, k) for k on Fermi circle c: the Fermi shell or c's mirror."""
    return FERMI if band == c.band else c.tag


def _other(q: Point, p: Point) -> Point:
    """k' at the point q, given its own angle if it would coincide with k = p."""
    return q.primed() if q == p else q


def _moved(expr, src: Point, dst: Point):
    """A function of the angle of src rewritten at dst (same radius symbols, dst = src or src.primed())."""
    return expr if src == dst else sp.sympify(expr).xreplace({src.u: dst.u})


def _shell_weight(bs, p: Point, shell: Shell, left, right, corr):
    """sum_{a, k' on the shell} <U^{left a}_{kk'} U^{a right}_{k'k}> (k = p): the local-term weight of J."""
    return sum((s.rho * _average(corr(bs, left, p, s.band, _other(s.point, p), s.band, right), p, _other(s.point, p))
                for s in shell.circles), sp.Integer(0))


def _average(weight, p: Point, q: Point, factor=1):
    """<weight * factor>_{theta_q}: the half-angles of the (polynomial) weight eliminated at both
    points first, then the constant Laurent coefficient in u_q. ``factor`` must already be free of
    half-angles (distributions, coherences): converting only the weight keeps the polynomial
    domain small, which is what makes this fast.
    """
    try:
        return angular_average(sp.expand(full_angles(weight, p, q) * factor), q.u)
    except ValueError as exc:
        raise SemiclassicalError(
            f"angular average over k' failed ({str(exc)[:200]}): the integrand is not gauge covariant "
            "(a gauge phase of an interband coherence survives)"
        ) from None


def _tidy(expr, u):
    """Group expr by powers of u (each coefficient through the cheap ``factor_terms``).

    No polynomial factoring here: with complex coefficients it dominated the run time (tens of
    seconds for two Fermi circles) and buys nothing for exactness.
    """
    try:
        coeffs = laurent_coefficients(expr, u)
    except ValueError:
        return sp.expand(expr)
    return sp.Add(*[sp.factor_terms(c) * u**n for n, c in coeffs.items()])


def _imag(expr, points):
    """Im of an expression whose only complex symbols are I and the angle variables of ``points``."""
    us = tuple(p.u for p in points)
    return sp.expand((expr - conj_in(expr, us)) / (2 * sp.I))


def _energy_gap(c: Circle, m: int, n: int):
    """eps^m_k - eps^n_k at k on circle c: (m - n)|d|_c."""
    return (m - n) * c.point.dd


def leading_placeholders(shell: Shell, g: dict):
    """Real symbols for the harmonics of the leading distribution, and their values.

    g_c = sum_l gcos_{c,l} cos(l theta) + gsin_{c,l} sin(l theta). Everything downstream is linear
    in n^(-1), so the derivation runs on these symbols (small polynomial expressions even with
    several circles, where g itself is a large rational function) and the values are put back at
    the end. Returns ({c.tag: g_c in the symbols}, {symbol: value}).
    """
    gp, subs = {}, {}
    for c in shell.circles:
        u_c = c.point.u
        coeffs = laurent_coefficients(g[c.tag], u_c)
        expr = sp.Integer(0)
        for l in sorted({abs(n) for n in coeffs}):
            a = sp.Symbol(f"gcos_{c.tag}_{l}", real=True)
            subs[a] = coeffs.get(l, 0) + (coeffs.get(-l, 0) if l else 0)
            expr += a * ((u_c**l + u_c**-l) / 2 if l else 1)
            if l:
                b = sp.Symbol(f"gsin_{c.tag}_{l}", real=True)
                subs[b] = sp.I * (coeffs.get(l, 0) - coeffs.get(-l, 0))
                expr += b * (u_c**l - u_c**-l) / (2 * sp.I)
        gp[c.tag] = sp.expand(expr)
    return gp, subs


def _resolve_leading(bs, shell, g, corr):
    """(g to derive with, substitution to apply at the end)."""
    if g is not None:
        return g, {}
    return leading_placeholders(shell, kinetic.leading_distribution(bs, shell, corr))


def _put_back(expr, subs):
    return sp.sympify(expr).xreplace(subs) if subs else expr


# =========================================================================== general Born J
def born_collision(bs: BlochSystem, shell: Shell, f: dict, mirrors: dict | None = None,
                   components: str = "all", corr: Correlator = WHITE_NOISE, markov: str = "rotating"):
    """The on-shell Born collision integral J(f)^{mn}_k of the README's Conventions for a band-matrix f.

    J(f)^{mn}_k = (pi/hbar) sum_{k',a,b} [ <U^{ma}_{kk'}U^{ab}_{k'k}> delta(eps^a_k' - eps^b_k) f^{bn}_k
                  - <U^{ma}_{kk'}U^{bn}_{k'k}> f^{ab}_k' (delta(eps^b_k' - eps^n_k) + delta(eps^a_k' - eps^m_k))
                  + f^{ma}_k <U^{ab}_{kk'}U^{bn}_{k'k}> delta(eps^a_k - eps^b_k') ]
    (Eqs. 17-20 with the on-shell part of the time integral; its diagonal for diagonal f is Eq. 28,
    its off-diagonal is -D' of Eq. 33).

    ``f = {c.tag: {(a, b): F^{ab}_c(u_c)}}`` means f_k = sum_c delta(eps^{b_c}_k - eF) F_c(k) on the
    Fermi circles of ``shell``. Returns ``{(shell_key, circle_tag): {(m, n): h}}`` with
    J^{mn}_k = delta(eps^{b_t}_k - E_shell) h_t(u_t) on circle t (b_t in {m, n}); shell_key is
    :data:`FERMI` or the tag of the Fermi circle whose mirror shell holds t.
    ``components``: "all", "diagonal" or "offdiagonal". ``markov="rotating"`` is the form above
    (Eq. 17, the README's Conventions); ``"static"`` the exact steady-state solution of Eq. 16, whose deltas
    carry the outer band indices (module docstring). They differ only for off-diagonal f.
    """
    if markov not in ("rotating", "static"):
        raise SemiclassicalError(f"markov must be 'rotating' (Eq. 17) or 'static', not {markov!r}")
    rot = markov == "rotating"
    mirrors = mirror_shells(shell) if mirrors is None else mirrors
    shells = _shells(shell, mirrors)
    want = {"all": lambda m, n: True, "diagonal": lambda m, n: m == n,
            "offdiagonal": lambda m, n: m != n}[components]
    out: dict = defaultdict(lambda: defaultdict(lambda: sp.Integer(0)))

    def local(c: Circle, mn, val):
        """A term proportional to f_k at k on c: delta(eps^{b_c}_k - eF) val."""
        if c.band in mn:
            out[(FERMI, c.tag)][mn] += val
        else:  # the state (bbar_c, k_c): partner circle of the mirror shell
            partner = mirrors[c.tag].partner
            out[(c.tag, partner.tag)][mn] += val * c.rho / partner.rho

    for c in shell.circles:
        p = c.point
        for (x, y), Fxy in f.get(c.tag, {}).items():
            if Fxy == 0:
                continue
            # first term: f^{bn}_k with (b, n) = (x, y); k' on the shell of (x, k) (static: of (y, k))
            for m in (+1, -1):
                if want(m, y):
                    tot = _shell_weight(bs, p, shells[_shell_of_band(c, x if rot else y)], m, x, corr)
                    local(c, (m, y), sp.expand(tot * Fxy))
            # third term: f^{ma}_k with (m, a) = (x, y); k' on the shell of (y, k) (static: of (x, k))
            for n in (+1, -1):
                if want(x, n):
                    tot = _shell_weight(bs, p, shells[_shell_of_band(c, y if rot else x)], y, n, corr)
                    local(c, (x, n), sp.expand(tot * Fxy))
    # second term: f^{ab}_k' at k' on Fermi circle c'; the deltas put k on the shell of (b, k')
    # in band n and on the shell of (a, k') in band m (static: (a, k') in band n, (b, k') in band m)
    for c2 in shell.circles:
        for (a, b), Fab in f.get(c2.tag, {}).items():
            if Fab == 0:
                continue
            for m in (+1, -1):
                for n in (+1, -1):
                    if not want(m, n):
                        continue
                    deltas = (((_shell_of_band(c2, b), n), (_shell_of_band(c2, a), m)) if rot
                              else ((_shell_of_band(c2, a), n), (_shell_of_band(c2, b), m)))
                    for key, band in deltas:
                        for t in shells[key].circles:
                            if t.band != band:
                                continue
                            p = t.point
                            q = _other(c2.point, p)
                            val = c2.rho * _average(corr(bs, m, p, a, q, b, n), p, q, _moved(Fab, c2.point, q))
                            out[(key, t.tag)][(m, n)] -= val
    return {key: {mn: sp.expand(sp.pi / hbar * v) for mn, v in d.items()} for key, d in out.items()}


# =========================================================================== D', S'
def anomalous_driving(bs: BlochSystem, shell: Shell, g: dict | None = None, mirrors=None,
                      corr: Correlator = WHITE_NOISE):
    """D'^{mn} (Eq. 33) = -[J(n^(-1))]^{mn}: ``{c.tag: {(m, n): X}}``, D' = sum_c delta(eps^{b_c}_k - eF) X_c.

    ``g`` is the leading distribution on the Fermi circles (default :func:`kinetic.leading_distribution`).
    Order W^0 (n^(-1) ~ 1/W).
    """
    g, subs = _resolve_leading(bs, shell, g, corr)
    out = _anomalous_driving(bs, shell, g, mirrors, corr)
    return {t: {mn: _put_back(x, subs) for mn, x in d.items()} for t, d in out.items()}


def _anomalous_driving(bs, shell, g, mirrors, corr):
    f = {c.tag: {(c.band, c.band): g[c.tag]} for c in shell.circles}
    J = born_collision(bs, shell, f, mirrors, "offdiagonal", corr)
    out = {}
    for c in shell.circles:
        d = J.get((FERMI, c.tag), {})
        out[c.tag] = {(m, OTHER[m]): _tidy(-d.get((m, OTHER[m]), sp.Integer(0)), c.point.u) for m in (+1, -1)}
    return out


def interband_coherence(bs: BlochSystem, shell: Shell, g: dict | None = None, mirrors=None,
                        corr: Correlator = WHITE_NOISE):
    """S'^{mn} = hbar D'^{mn} / (i (eps^m_k - eps^n_k)) (Eq. 31, the anomalous part), on the Fermi circles.

    ``{c.tag: {(m, n): sigma}}`` with S'_k = sum_c delta(eps^{b_c}_k - eF) sigma_c(u_c); order W^0.
    """
    g, subs = _resolve_leading(bs, shell, g, corr)
    out = _interband_coherence(bs, shell, g, mirrors, corr)
    return {t: {mn: _put_back(x, subs) for mn, x in d.items()} for t, d in out.items()}


def _interband_coherence(bs, shell, g, mirrors, corr):
    Dp = _anomalous_driving(bs, shell, g, mirrors, corr)
    return {c.tag: {mn: _tidy(hbar * x / (sp.I * _energy_gap(c, *mn)), c.point.u) for mn, x in Dp[c.tag].items()}
            for c in shell.circles}


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
        return tuple(CirclePiece(pc.circle, pc.shell, pc.energy, _put_back(pc.expr, self.leading))
                     for pc in self.generic)

    def __getitem__(self, key):
        """field[(shell_key, circle_tag)] -> the Laurent polynomial (0 if absent)."""
        for pc in self.generic:
            if (pc.shell, pc.circle.tag) == key:
                return _put_back(pc.expr, self.leading)
        return sp.Integer(0)

    def on(self, shell_key):
        """Pieces on one shell (FERMI or a Fermi circle's tag)."""
        return tuple(pc for pc in self.pieces if pc.shell == shell_key)

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
        return _put_back(tot, self.leading)

    def __str__(self):
        lines = [f"{self.name} (reading {self.reading}) [Eq. {self.equation}]"]
        for pc in self.generic:
            lines.append(f"  shell {pc.shell} (E = {pc.energy}), circle {pc.circle.tag} "
                         f"(band {'+' if pc.band > 0 else '-'}): {sp.sstr(pc.expr)}")
        if self.leading:
            lines.append("  with " + ", ".join(f"{k} = {sp.sstr(v)}" for k, v in self.leading.items()))
        return "\n".join(lines)


def _all_circles(shell, mirrors):
    for key, sh in _shells(shell, mirrors).items():
        energy = eF if key == FERMI else mirrors[key].energy
        for t in sh.circles:
            yield key, energy, t


def skew_driving(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None, g=None,
                 corr: Correlator = WHITE_NOISE) -> SkewField:
    """The skew-scattering driving term J_sk^m_k (Eqs. 35-36), order W.

    Readings (module docstring): "T" (default) the golden rule with the fourth-order non-crossing
    T-matrix, on the Fermi shell only (``mirrors`` ignored); "B" [J(S')]^{mm} with the J of the README's Conventions; "C" the same with
    the exact steady-state solution of Eq. 16; "A" Eq. 36 as printed; "B36"/"C36" Eq. 36 with
    corrected indices (independent routes to B/C). ``mirrors``: see :func:`mirror_shells` (default:
    partner circles only). ``g``: the leading distribution (default: derived).
    """
    import time

    if reading not in READINGS:
        raise SemiclassicalError(f"unknown reading {reading!r}: use one of {', '.join(READINGS)}")
    if not len(shell):
        raise SemiclassicalError("no Fermi circle: the skew-scattering term needs a Fermi surface")
    route, markov = READINGS[reading]
    t0 = time.perf_counter()
    if route == "golden-rule":
        mirrors = {}                   # energy conservation at eF: no mirror shells
    mirrors = mirror_shells(shell) if mirrors is None else mirrors
    g, subs = _resolve_leading(bs, shell, g, corr)
    t1 = time.perf_counter()
    if route == "golden-rule":
        values = _golden_rule(bs, shell, g, corr)
    elif route == "collision":
        Sp = _interband_coherence(bs, shell, g, mirrors, corr)
        J = born_collision(bs, shell, Sp, mirrors, "diagonal", corr, markov)
        values = {key: d.get((b, b), 0) for key, d in J.items() for b in [_band_of(shell, mirrors, key)]}
    else:
        values = _eq36(bs, shell, mirrors, g, route == "eq36-literal", markov, corr)
    t2 = time.perf_counter()
    pieces = tuple(CirclePiece(t, key, energy, _tidy(values.get((key, t.tag), sp.Integer(0)), t.point.u))
                   for key, energy, t in _all_circles(shell, mirrors))
    return SkewField("J_sk", reading, shell, mirrors, pieces, subs, "35-36", "W",
                     {"leading": t1 - t0, "driving": time.perf_counter() - t1})


def _golden_rule(bs, shell, g, corr):
    """J_sk of reading T on the Fermi shell: {(FERMI, tag): h_tag(u)}.

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
            gj = _moved(g[cj.tag], cj.point, j)
            for cq in shell.circles:
                q = Point(cq.point.tag, "q")
                loop = (bs.overlap(t.band, p, cj.band, j) * bs.overlap(cj.band, j, cq.band, q)
                        * bs.overlap(cq.band, q, t.band, p))
                omega = _imag(full_angles(loop, p, j, q), (p, j, q))
                S = corr.strength
                weight = (S(p, j) * S(p, q) / _energy_gap(t, t.band, OTHER[t.band])
                          + S(p, j) * S(j, q) / _energy_gap(cj, cj.band, OTHER[cj.band])
                          + S(p, q) * S(q, j) / _energy_gap(cq, cq.band, OTHER[cq.band]))
                try:
                    inner = angular_average(sp.expand(omega * weight), q.u)
                    total += cj.rho * cq.rho * angular_average(sp.expand(inner * gj), j.u)
                except ValueError as exc:
                    raise SemiclassicalError(
                        f"angular average in the golden-rule skew rate failed ({str(exc)[:200]}): the "
                        "disorder correlator must be a polynomial in the angles") from None
        out[(FERMI, t.tag)] = sp.expand(4 * sp.pi**2 / hbar * total)
    return out


def _band_of(shell, mirrors, key):
    shell_key, tag = key
    sh = shell if shell_key == FERMI else mirrors[shell_key].shell
    return next(t.band for t in sh.circles if t.tag == tag)


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
    shells = _shells(shell, mirrors)
    Dp = _anomalous_driving(bs, shell, g, mirrors, corr)
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
                q = _other(c2.point, p)
                C1 = corr(bs, m, p, m2, q, m2, m) if literal else corr(bs, m, p, m2, q, m1, m)
                # Im commutes with the (real) angular average over theta_q
                X = _average(C1, p, q, _moved(K1, c2.point, q) / _energy_gap(c2, m2, m1))
                out[(key, t.tag)] += pref * c2.rho * _imag(X, (p,))
    # ---- second term
    for c in shell.circles:
        b, p = c.band, c.point
        for m in (b, OTHER[b]):
            m2 = OTHER[m]
            L = _shell_weight(bs, p, shells[_shell_of_band(c, m2 if markov == "rotating" else m)], m2, m, corr)
            K = sp.Integer(0)
            for s in shell.circles:
                q = _other(s.point, p)
                if literal:  # eps^m_k - eps^{m''}_{k''}, k on c (band b at eF), k'' on s (band b_s at eF)
                    gap = sp.expand((m - b) * c.point.dd - (m2 - s.band) * s.point.dd)
                    if gap == 0:
                        raise SemiclassicalError(
                            "Eq. 36 as printed is singular here: its denominator eps^m_k - eps^m''_k'' "
                            f"vanishes on shell (k on circle {c.tag}, k'' on circle {s.tag} of the other band); "
                            "use reading 'B'")
                else:
                    gap = _energy_gap(c, m, m2)
                w = corr(bs, m, p, s.band, q, s.band, m2)
                K += s.rho * _average(w, p, q, (g[c.tag] - _moved(g[s.tag], s.point, q)) / gap)
            val = -pref * _imag(sp.expand(L * K), (p,))
            if m == b:
                out[(FERMI, c.tag)] += val
            else:
                partner = mirrors[c.tag].partner
                out[(c.tag, partner.tag)] += val * c.rho / partner.rho
    return dict(out)


def solve_shell(bs: BlochSystem, shell: Shell, source: dict, corr: Correlator = WHITE_NOISE) -> dict:
    """J0[h] = source on one energy shell (Eq. 28), harmonic by harmonic: {tag: {l: h_l}}.

    The same equation as :func:`kinetic.solve_on_shell` (its collision matrix), without the
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


def skew_distribution(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                      corr: Correlator = WHITE_NOISE) -> SkewField:
    """n^sk from J0[n^sk] = -J_sk (Eq. 35; Eq. 84 for the TI), order W^0.

    Solved shell by shell (J0 conserves energy): on the Fermi shell and on each mirror shell, with
    :func:`kinetic.solve_on_shell` (that shell's own circles and densities of states). Pieces:
    n^sk = delta(eps^{b_t}_k - E) g^sk_t(u_t).
    """
    import time

    J = skew_driving(bs, shell, reading, mirrors, corr=corr)
    t0 = time.perf_counter()
    generic = {(pc.shell, pc.circle.tag): pc.expr for pc in J.generic}
    pieces = []
    for key, sh in _shells(shell, J.mirrors).items():
        source = {t.tag: -generic.get((key, t.tag), 0) for t in sh.circles}
        try:
            sol = solve_shell(bs, sh, source, corr)
        except ValueError as exc:
            raise SemiclassicalError(
                f"J0[n^sk] = -J_sk has no solution on shell {key} ({exc}): the driving term of reading "
                f"{reading!r} does not conserve particle number there") from None
        energy = eF if key == FERMI else J.mirrors[key].energy
        pieces += [CirclePiece(t, key, energy, sp.Add(*[c * t.point.u**l for l, c in sol[t.tag].items()]),
                               sol[t.tag]) for t in sh.circles]
    timings = dict(J.timings, solve=time.perf_counter() - t0)
    return SkewField("n^sk", reading, shell, J.mirrors, tuple(pieces), J.leading, "35, 84", "W^0", timings)


def band_velocity_y(circle: Circle):
    """v_y^{mm} = (1/hbar) d eps^m/dk sin(theta) on a circle (Eq. 80 for the TI)."""
    p = circle.point
    return p.cartesian((p.velocity(circle.band), sp.Integer(0)))[1]


def _finish(expr, dist: SkewField, simplify):
    """``simplify=None``: cancel and factor when every shell has one circle (cheap there, and the
    result is a short closed form); with several circles the rational functions are large and a
    full cancellation takes minutes, so they are left as sums (exact all the same)."""
    if simplify is None:
        simplify = len(dist.shell) == 1 and all(len(m.shell) == 1 for m in dist.mirrors.values())
    return sp.factor(sp.cancel(expr)) if simplify else expr


def skew_current(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                 dist: SkewField | None = None, shells=None, simplify=None, corr: Correlator = WHITE_NOISE):
    """sigma_yx^sk = -e sum_{m,k} v_y^{mm} n^sk_m (Eqs. 83, 85), per unit E_x, order W^0.

    All shells (Fermi and mirror) by default; ``shells`` restricts to some keys (e.g. ("F",)).
    In circle symbols; for one circle of band + (any covariant model with winding 1) reading T gives
    3 e^2 C S^2 rho (d0' + |d|')^2 / (2 hbar |d| (1 + 3 C^2)^2), i.e. (hbar v_F)^2 in place of the
    |d|' (d0' + |d|') of reading C; both are Eq. 85 for the TI (d0' = 0).
    """
    dist = skew_distribution(bs, shell, reading, mirrors, corr) if dist is None else dist
    return _finish(-e * dist.circle_sum(band_velocity_y, shells), dist, simplify)


def skew_spin_density(bs: BlochSystem, shell: Shell, reading: str = DEFAULT_READING, mirrors=None,
                      dist: SkewField | None = None, shells=None, simplify=None,
                      corr: Correlator = WHITE_NOISE):
    """(<s_x>, <s_y>)^sk = sum_{m,k} s^{mm} n^sk_m (Eqs. 102-103), Pauli spin, per unit E_x."""
    dist = skew_distribution(bs, shell, reading, mirrors, corr) if dist is None else dist
    spins = {}

    def component(i):
        def weight(t):
            key = (t.point, t.band)
            if key not in spins:
                spins[key] = bs.spin(t.band, t.band, t.point)
            return spins[key][i]
        return weight

    return tuple(_finish(dist.circle_sum(component(i), shells), dist, simplify) for i in range(2))
