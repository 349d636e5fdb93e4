"""The paper's route, readings "C" and "B": interband coherence S' (Eqs. 31-33) under the collision integral.

Behind the same interface as the golden rule (:mod:`.pipeline`); used by ``reproduce`` and the
errata for Eqs. 84, 85 and 103, whose printed forms it reproduces (reading C). Derivations and the
comparison with the golden rule: docs/skew_scattering.md.

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

Mirror shells. Reading C's mirror half is an artefact of the Markov treatment of the coherence
(:mod:`.golden_rule`): J_sk^T = 2 x (the Fermi-shell part of J_sk^C). The closed-form pipeline
locates the mirror shells numerically at a parameter point (:func:`mirror_spec`, :class:`MirrorShells`)
because which other circles cross E_c is a property of the point, not of the Fermi-circle scenario;
only these readings need them (:data:`.readings.MIRROR_READINGS`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sympy as sp

from ..expansion import expand
from ..bloch import BlochSystem, Point
from ..disorder import WHITE_NOISE, Correlator
from ..errors import SemiclassicalError
from ..fermi import Circle, Shell, circle_values, eF, find_circles, radial_functions
from ..kinetic import OTHER
from ..parsing import hbar
from .common import (FERMI, average, energy_gap, moved, other_point, put_back, resolve_leading, shell_of_band,
                     shell_weight, shells_of, tidy)

__all__ = ["Mirror", "MirrorCircle", "MirrorShells", "anomalous_driving", "band_of", "born_collision",
           "coherence_driving", "interband_coherence", "mirror_circle_values", "mirror_shells", "mirror_spec"]


# =========================================================================== mirror shells
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
    out = {}
    for tag, mirror in mirrors.items():
        for t, r in zip(mirror.shell.circles, spec[tag]["radii"]):
            vals = circle_values(bs, t, values, r)
            out.update({t.rho: vals[t.rho]} if t is mirror.partner else vals)
    return out


@dataclass(frozen=True)
class MirrorShells:
    """The mirror shells of a Fermi-circle scenario at one parameter point (readings C and B).

    ``key`` is what the symbolic derivation depends on: per Fermi circle (tag, partner vsign,
    ((band, vsign) of the other circles at its mirror energy)); a derivation caches its closed
    forms under it. ``data`` is the numeric spec of :func:`mirror_spec` (energies, radii) at the
    point, used for numbers only. Computed by :meth:`of` from (BlochSystem, values, scenario); the
    core ``Scenario`` of :mod:`semiclassical.derivation` knows nothing of them.
    """

    shell: Shell
    key: tuple = ()
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, bs: BlochSystem, values: dict, scenario) -> "MirrorShells":
        """Locate the mirror shells of ``scenario`` (its ``circles`` (band, vsign, k_c) at eF = values["eF"])."""
        if not scenario.circles:
            return cls(scenario.shell)
        spec = mirror_spec(bs, values, scenario.circles, float(values["eF"]))
        key = tuple((tag, s["partner_vsign"], tuple(s["extra"])) for tag, s in spec.items())
        return cls(scenario.shell, key, spec)

    @property
    def mirrors(self) -> dict[str, Mirror]:
        """{Fermi circle tag: :class:`Mirror`} (:func:`mirror_shells` of the key)."""
        spec = {tag: {"partner_vsign": pv, "extra": extra} for tag, pv, extra in self.key}
        return mirror_shells(self.shell, spec)

    def circle_substitution(self, subs: dict) -> dict:
        """Closed forms of the partner circles' densities of states, given those of the Fermi circles.

        The partner circle shares the Fermi circle's point: only its own rho is new. Other circles
        crossing a mirror energy have no closed form here.
        """
        if not self.key:
            return {}
        return {m.partner.rho: sp.sympify(m.partner.rho_value()).subs(subs) for m in self.mirrors.values()}

    def numeric_values(self, bs: BlochSystem, values: dict) -> dict:
        """Numeric values of the mirror circles' own symbols (:func:`mirror_circle_values`)."""
        return mirror_circle_values(bs, self.mirrors, self.data, values) if self.key else {}


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
    carry the outer band indices (module docstring, reading C). They differ only for off-diagonal f.
    """
    if markov not in ("rotating", "static"):
        raise SemiclassicalError(f"markov must be 'rotating' (Eq. 17) or 'static', not {markov!r}")
    rot = markov == "rotating"
    mirrors = mirror_shells(shell) if mirrors is None else mirrors
    shells = shells_of(shell, mirrors)
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
                    tot = shell_weight(bs, p, shells[shell_of_band(c, x if rot else y)], m, x, corr)
                    local(c, (m, y), expand(tot * Fxy))
            # third term: f^{ma}_k with (m, a) = (x, y); k' on the shell of (y, k) (static: of (x, k))
            for n in (+1, -1):
                if want(x, n):
                    tot = shell_weight(bs, p, shells[shell_of_band(c, y if rot else x)], y, n, corr)
                    local(c, (x, n), expand(tot * Fxy))
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
                    deltas = (((shell_of_band(c2, b), n), (shell_of_band(c2, a), m)) if rot
                              else ((shell_of_band(c2, a), n), (shell_of_band(c2, b), m)))
                    for key, band in deltas:
                        for t in shells[key].circles:
                            if t.band != band:
                                continue
                            p = t.point
                            q = other_point(c2.point, p)
                            val = c2.rho * average(corr(bs, m, p, a, q, b, n), p, q, moved(Fab, c2.point, q))
                            out[(key, t.tag)][(m, n)] -= val
    return {key: {mn: expand(sp.pi / hbar * v) for mn, v in d.items()} for key, d in out.items()}


# =========================================================================== D', S', J(S')
def anomalous_driving(bs: BlochSystem, shell: Shell, g: dict | None = None, mirrors=None,
                      corr: Correlator = WHITE_NOISE):
    """D'^{mn} (Eq. 33) = -[J(n^(-1))]^{mn}: ``{c.tag: {(m, n): X}}``, D' = sum_c delta(eps^{b_c}_k - eF) X_c.

    ``g`` is the leading distribution on the Fermi circles (default :func:`semiclassical.kinetic.leading_distribution`).
    Order W^0 (n^(-1) ~ 1/W).
    """
    g, subs = resolve_leading(bs, shell, g, corr)
    out = _anomalous_driving(bs, shell, g, mirrors, corr)
    return {t: {mn: put_back(x, subs) for mn, x in d.items()} for t, d in out.items()}


def _anomalous_driving(bs, shell, g, mirrors, corr):
    f = {c.tag: {(c.band, c.band): g[c.tag]} for c in shell.circles}
    J = born_collision(bs, shell, f, mirrors, "offdiagonal", corr)
    out = {}
    for c in shell.circles:
        d = J.get((FERMI, c.tag), {})
        out[c.tag] = {(m, OTHER[m]): tidy(-d.get((m, OTHER[m]), sp.Integer(0)), c.point.u) for m in (+1, -1)}
    return out


def interband_coherence(bs: BlochSystem, shell: Shell, g: dict | None = None, mirrors=None,
                        corr: Correlator = WHITE_NOISE):
    """S'^{mn} = hbar D'^{mn} / (i (eps^m_k - eps^n_k)) (Eq. 31, the anomalous part), on the Fermi circles.

    ``{c.tag: {(m, n): sigma}}`` with S'_k = sum_c delta(eps^{b_c}_k - eF) sigma_c(u_c); order W^0.
    """
    g, subs = resolve_leading(bs, shell, g, corr)
    out = _interband_coherence(bs, shell, g, mirrors, corr)
    return {t: {mn: put_back(x, subs) for mn, x in d.items()} for t, d in out.items()}


def _interband_coherence(bs, shell, g, mirrors, corr):
    Dp = _anomalous_driving(bs, shell, g, mirrors, corr)
    return {c.tag: {mn: tidy(hbar * x / (sp.I * energy_gap(c, *mn)), c.point.u) for mn, x in Dp[c.tag].items()}
            for c in shell.circles}


def coherence_driving(bs: BlochSystem, shell: Shell, g: dict, mirrors: dict, markov: str,
                      corr: Correlator = WHITE_NOISE) -> dict:
    """J_sk^m_k = [J(S')]^{mm}_k (Eq. 35, the text above it) on the Fermi and mirror shells.

    S' from D' = -[J(n^(-1))]^offdiag (Eqs. 31, 33), then the collision integral in the Markov
    form ``markov`` ("static": reading C, "rotating": reading B). Returns {(shell_key, tag): h}.
    """
    Sp = _interband_coherence(bs, shell, g, mirrors, corr)
    J = born_collision(bs, shell, Sp, mirrors, "diagonal", corr, markov)
    return {key: d.get((b, b), 0) for key, d in J.items() for b in [band_of(shell, mirrors, key)]}


def band_of(shell, mirrors, key):
    """The band of circle ``key`` = (shell_key, tag) of the Fermi or a mirror shell."""
    shell_key, tag = key
    sh = shell if shell_key == FERMI else mirrors[shell_key].shell
    return next(t.band for t in sh.circles if t.tag == tag)
