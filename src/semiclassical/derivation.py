"""The derivation pipeline: model -> Fermi-circle scenario -> closed forms -> numbers.

A :class:`Derivation` caches the symbolic work per scenario (which circles cross eF), so that
sweeping eF or parameters within one scenario re-uses one derivation and only lambdified
functions run (docs/design.md section 6).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from . import response, store
from .bloch import BlochSystem, Gauge
from .disorder import WHITE_NOISE, correlated_correlator, magnetic_correlator
from .errors import SemiclassicalError
from .fermi import Shell, circle_values, eF, fermi_surface, match_radius, radius_expressions
from .model import TwoBandModel, e, k
from .parsing import hbar

__all__ = ["EXPLICIT_SHORT", "Scenario", "Derivation", "with_defaults", "singly_filled_intervals",
           "SEA_DECADES", "sea_integral"]

#: an explicit closed form with at most this many operations after cancel/factor is kept as it is
EXPLICIT_SHORT = 40


@dataclass(frozen=True)
class Scenario:
    """The circles at eF (band, velocity sign, radius) and which bands are filled at k = 0, oo."""

    circles: tuple
    filled_at_zero: tuple
    filled_at_infinity: tuple

    @property
    def spec(self):
        return tuple((b, s) for b, s, _ in self.circles)

    @property
    def key(self):
        """What the closed forms of this scenario depend on: the circles' (band, velocity sign) and
        which bands are filled at k = 0 and k = oo (two scenarios without circles, a gap and a level
        above every band of bounded bands, differ only there)."""
        return self.spec, tuple(sorted(self.filled_at_zero)), tuple(sorted(self.filled_at_infinity))

    @property
    def shell(self) -> Shell:
        return Shell.of(self.spec)


@dataclass
class Derivation:
    """Closed forms of the paper's theory for one covariant model (any gauge)."""

    model: TwoBandModel
    gauge: Gauge = field(default_factory=Gauge)
    #: skew-scattering reading (:mod:`skew`): "T" (default, golden rule; agrees with Kubo-Streda),
    #: "C" or "B" (density-matrix readings with mirror shells), ...
    skew_reading: str | None = None
    #: closed forms for a q-dependent scalar correlator W c(|k - k'|), in the harmonics W_l of its
    #: shape (:func:`disorder.kernel_average`); False: white noise (the paper's Eq. 10)
    correlated: bool = False
    #: magnetic impurities V = u0 + u_m n.sigma with moments "z", "random" or "random-z": closed forms
    #: in W and W_m (Eq. 6 with matrix vertices, :func:`disorder.magnetic_correlator`); None: scalar
    magnetic: str | None = None

    def __post_init__(self):
        from .skew import DEFAULT_READING, READINGS, check_reading

        self.skew_reading = check_reading(self.skew_reading or DEFAULT_READING)
        if (self.correlated or self.magnetic) and READINGS[self.skew_reading].mirrors:
            raise SemiclassicalError(f"skew reading {self.skew_reading!r} (the paper's route, mirror shells) is "
                                     "derived for scalar white noise only; use the golden rule (reading T) for "
                                     f"{'magnetic' if self.magnetic else 'correlated'} disorder")
        if self.correlated and self.magnetic:
            raise SemiclassicalError("magnetic impurities are point-like: no correlated magnetic derivation")
        self.bs = BlochSystem(self.model, self.gauge)
        self.corr = (magnetic_correlator(self.magnetic) if self.magnetic
                     else correlated_correlator() if self.correlated else WHITE_NOISE)
        self._cache: dict = {}

    # ------------------------------------------------------------------ scenario
    def scenario(self, values: dict) -> Scenario:
        """Find the Fermi circles numerically at the point ``values`` (must contain eF).

        The mirror shells (other energies crossed by the skew term of readings C and B) are
        located here, at ``values``, only when the derivation's skew reading has them (reading T
        has none), and cached for :meth:`skew` (:class:`skew.MirrorShells`).
        """
        if "eF" not in values:
            raise SemiclassicalError("the Fermi energy is missing: give it with --set eF=VALUE")
        values = with_defaults(values)
        energy = float(values["eF"])
        surface = fermi_surface(self.bs, values, energy)  # every circle, from the band extrema
        sc = Scenario(surface.circles, surface.filled_at_zero, surface.filled_at_infinity)
        if self._needs_mirrors():
            # located now: skew(sc) has no parameter values to find them with
            self._mirror_shells(sc, values)
        return sc

    def _needs_mirrors(self, reading: str | None = None) -> bool:
        from .skew import READINGS

        return READINGS[reading or self.skew_reading].mirrors

    def _mirror_shells(self, scenario: Scenario, values: dict | None = None):
        """The :class:`skew.MirrorShells` of ``scenario``, cached under their own key; located at
        ``values`` the first time (None without values when :meth:`scenario` did not locate them)."""
        key = ("mirror-shells", scenario)
        if key not in self._cache:
            if values is None:
                return None
            from .skew import MirrorShells

            self._cache[key] = MirrorShells.of(self.bs, with_defaults(values), scenario)
        return self._cache[key]

    # ------------------------------------------------------------------ symbolic
    def leading(self, scenario: Scenario):
        """Leading-order and side-jump closed forms on the scenario's shell (circle symbols)."""
        def compute():
            shell = scenario.shell
            out = response.leading_order(self.bs, shell, self.corr) if len(shell) else {}
            out["sigma_yx_intrinsic"] = response.intrinsic_hall(
                self.bs, shell, {b: b in scenario.filled_at_zero for b in (1, -1)},
                {b: b in scenario.filled_at_infinity for b in (1, -1)})
            return out

        return self._stored(("leading", scenario.key), compute)

    def mirrors(self, scenario: Scenario):
        """The mirror shells of the scenario's Fermi circles (:func:`skew.mirror_shells`; partner
        circles only when :meth:`scenario` did not locate them)."""
        from .skew import mirror_shells

        ms = self._mirror_shells(scenario)
        return ms.mirrors if ms is not None else mirror_shells(scenario.shell)

    def skew(self, scenario: Scenario, reading: str | None = None):
        """Skew-scattering closed forms (Eqs. 35-36 -> 83-85, 102-103), order W^0.

        J_sk in the reading of :mod:`skew`: the derivation's ``skew_reading`` unless given
        ("T", the default: golden rule with the fourth-order non-crossing T-matrix, on the Fermi
        shell; "C": the interband coherence S' of Eqs. 31, 33 under the static steady state of
        Eq. 16, with mirror shells; "B" gives one third of the TI's Eq. 85). Keys: ``n_sk`` (the
        distribution), ``sigma_yx_skew``, ``sx_skew``, ``sy_skew``; in circle symbols (mirror
        circles included for the mirror readings) and, for several circles, in the harmonics of
        n^(-1) (symbols gcos_<c>_<l>, gsin_<c>_<l>), whose closed forms are ``harmonics``.
        """
        from . import skew

        reading = skew.check_reading(reading or self.skew_reading)
        ms = self._mirror_shells(scenario) if self._needs_mirrors(reading) else None
        if self._needs_mirrors(reading) and len(scenario.shell) and not (ms and ms.key):
            raise SemiclassicalError(
                f"skew reading {reading!r} needs the mirror shells: use Derivation(model, skew_reading={reading!r})")

        def compute():
            if not len(scenario.shell):
                return {"sigma_yx_skew": 0, "sx_skew": 0, "sy_skew": 0}
            shell = scenario.shell
            dist, harmonics = skew.skew_distribution(self.bs, shell, reading, ms.mirrors if ms else None,
                                                     self.corr), {}
            if len(shell) > 1 and dist.leading:
                # several circles: n^(-1) is a large rational function of the circle data and n^sk is
                # linear in its harmonics, so the skew forms keep those as symbols (defined in
                # ``harmonics``): the Rashba ferromagnet's two-circle sigma_yx^sk has 4e5 operations
                # with them put back, which took seconds to evaluate and to store
                dist, harmonics = dataclasses.replace(dist, leading={}), dict(dist.leading)
            sx, sy = skew.skew_spin_density(self.bs, shell, dist=dist)
            return {"n_sk": dist, "harmonics": harmonics, "sx_skew": sx, "sy_skew": sy,
                    "sigma_yx_skew": skew.skew_current(self.bs, shell, dist=dist)}

        return self._stored(("skew", scenario.spec, ms.key if ms else (), reading), compute)

    def pair_skew(self, scenario: Scenario) -> dict:
        """The pair-skew closed form of the scenario (:func:`skew.pair_closed.pair_skew_closed`: the
        massive-Dirac class, white noise, one circle; raises outside), derived once and stored."""
        from .skew.pair_closed import pair_skew_closed

        return self._stored(("pair-skew", scenario.key), lambda: pair_skew_closed(self.bs, scenario.shell, self.corr))

    def operator(self, scenario: Scenario, operator) -> dict:
        """The pieces of <O> for a k-local operator O(kx, ky) on the scenario (Eq. 63, sigma -> O).

        Keys ``leading`` (1/W), ``extrinsic``, ``side_jump`` (in the harmonics of n^(-1), n^sj whose
        definitions are ``leading(scenario)["harmonics"]``), ``skew`` (in those of ``skew(scenario)``),
        in circle symbols; the sea piece is :meth:`operator_sea`. Stored per operator.
        """
        op = sp.Matrix(operator)

        def compute():
            shell = scenario.shell
            if not len(shell):
                return {"leading": 0, "extrinsic": 0, "side_jump": 0, "skew": 0}
            from . import skew

            lead, sk = self.leading(scenario), self.skew(scenario)
            out = response.operator_pieces(self.bs, shell, self.corr, (op,), lead["g_series"],
                                           lead["gsj_series"])[0]
            out["skew"] = skew.skew_spin_density(self.bs, shell, dist=sk["n_sk"], operators=(op,))[0]
            return out

        return self._stored(("operator", scenario.key, self.skew_reading, sp.srepr(op)), compute)

    def operator_sea_integrands(self, operator) -> dict:
        """Explicit k-integrands (1/2pi) k <s^int_O>_theta of each band (Eq. 57 with T -> T_O)."""
        op = sp.Matrix(operator)
        return self._stored(("operator-sea", sp.srepr(op)), lambda: {
            b: self.bs.explicit(response.intrinsic_spin_density_integrand(self.bs, b, (op,))[0])
            for b in (1, -1)})

    def operator_sea(self, operator):
        """The sea integrand (1/2pi) k <s^int_O>_theta of each band for O(kx, ky), lambdified in
        (k, parameters, e, hbar), with the sum of the moduli of its terms (its rounding scale)."""
        op = sp.Matrix(operator)
        key = ("operator-sea-numeric", sp.srepr(op))
        if key not in self._cache:
            exprs = self.operator_sea_integrands(op)
            args = (k, *dict.fromkeys([*self.model.symbols.values(), e, hbar]))
            self._cache[key] = (args, {b: sp.lambdify(args, x, "numpy", cse=True) for b, x in exprs.items()},
                                {b: sp.lambdify(args, sum(sp.Abs(t) for t in sp.Add.make_args(x)), "numpy", cse=True)
                                 for b, x in exprs.items()})
        return self._cache[key]

    def intrinsic_spin_integrands(self):
        """Explicit k-integrands of <s>^int (Eq. 57) for each band: (1/2pi) k <s^int_m>."""
        return self._stored(("sint",), lambda: {
            b: tuple(self.bs.explicit(x) for x in response.intrinsic_spin_density_integrand(self.bs, b))
            for b in (1, -1)})

    def _stored(self, key, compute):
        """The symbolic result ``key`` of this derivation: from memory, else from the persistent
        store (:mod:`store`, keyed by the model's matrix and the gauge), else ``compute()``, stored."""
        if key not in self._cache:
            disk = store.model_key(self.model.matrix, self.gauge.winding, self.gauge.smooth,
                                   self.gauge.constant, self.corr.name, key)
            value = store.load(disk)
            if value is None:
                value = compute()
                store.save(disk, value)
            self._cache[key] = value
        return self._cache[key]

    def intrinsic_spin_functions(self):
        """The integrands of :meth:`intrinsic_spin_integrands` lambdified once, in (k, parameters, e, hbar)."""
        key = ("sint-numeric",)
        if key not in self._cache:
            args = (k, *dict.fromkeys([*self.model.symbols.values(), e, hbar]))
            self._cache[key] = (args, {b: tuple(sp.lambdify(args, x, "numpy", cse=True) for x in xs)
                                       for b, xs in self.intrinsic_spin_integrands().items()})
        return self._cache[key]

    def intrinsic_spin_sizes(self):
        """Sum of the moduli of the terms of each :meth:`intrinsic_spin_integrands` expression,
        lambdified like :meth:`intrinsic_spin_functions`: the rounding scale of the integrand (an
        integrand that is zero but not written as 0, such as two equal terms of opposite sign in
        different radical forms, evaluates to noise of that size)."""
        key = ("sint-size",)
        if key not in self._cache:
            args, _ = self.intrinsic_spin_functions()
            self._cache[key] = {b: tuple(sp.lambdify(args, sum(sp.Abs(t) for t in sp.Add.make_args(x)),
                                                     "numpy", cse=True) for x in xs)
                                for b, xs in self.intrinsic_spin_integrands().items()}
        return self._cache[key]

    # ------------------------------------------------------------------ explicit forms
    def circle_substitution(self, scenario: Scenario, values: dict):
        """{circle symbols: closed forms in eF and parameters} (radius branches matched at ``values``)."""
        values = with_defaults(values)
        subs = {}
        for c, (band, vsign, kc) in zip(scenario.shell.circles, scenario.circles):
            cands = radius_expressions(self.bs, band)
            kexpr = match_radius(self.bs, cands, band, values, float(values["eF"]), kc)
            if kexpr is None:
                raise SemiclassicalError(f"no closed form found for the radius of Fermi circle {c.tag}")
            p = c.point
            pv = self.bs.point_values(p, kexpr)
            subs.update(pv)
            subs[c.rho] = (kexpr / (2 * sp.pi * hbar * vsign * p.velocity(band))).subs(pv)
            subs[p.k] = kexpr
        if self._needs_mirrors():          # the partner circles' densities of states (readings C, B)
            subs.update(self._mirror_shells(scenario, values).circle_substitution(subs))
        return subs

    def explicit(self, expr, scenario: Scenario, values: dict, simplify=True):
        """A closed form in eF and the parameters, valid in the scenario of ``values``.

        ``simplify``: one rational normal form (``together`` -> ``cancel`` -> ``factor``), which for
        the paper's model is as short as ``sympy.simplify`` and 7x faster (docs/design.md section 6);
        ``simplify`` itself is tried only when that form stays long (radicals it cannot cancel),
        and the shorter of the two is kept.
        """
        out = sp.sympify(expr).subs(self.circle_substitution(scenario, values))
        if simplify:
            assumptions = sp.Q.positive(eF) if float(values["eF"]) > 0 else sp.Q.negative(eF)
            fast = sp.factor(sp.cancel(sp.together(out)))
            if sp.count_ops(fast) > EXPLICIT_SHORT:
                slow = sp.factor(sp.simplify(out))
                fast = slow if sp.count_ops(slow) < sp.count_ops(fast) else fast
            out = sp.refine(fast, assumptions)
        return out

    # ------------------------------------------------------------------ numbers
    def numeric_circle_values(self, scenario: Scenario, values: dict, digits: int | None = None):
        """The circle symbols' values at ``values`` (floats; with ``digits``, SymPy Floats of that
        precision: :func:`semiclassical.fermi.circle_values`)."""
        values = with_defaults(values)
        out = {}
        for c, (band, vsign, kc) in zip(scenario.shell.circles, scenario.circles):
            out.update(circle_values(self.bs, c, values, kc, digits))
        if self._needs_mirrors():          # the mirror circles' own symbols (readings C, B)
            out.update(self._mirror_shells(scenario, values).numeric_values(self.bs, values))
        return out

    def evaluate(self, values: dict, W_value: float = 1.0, e_value: float = 1.0):
        """The closed-form :class:`~semiclassical.engines.Response` at one point (E_x = 1).

        A convenience for notebooks: the same as ``ClosedForm().evaluate(Problem.at(...))``
        (:mod:`semiclassical.engines`) with this derivation's skew reading.
        """
        from .engines import ClosedForm, Problem

        problem = Problem.at(self.model, {**values, "W": W_value, "e": e_value}, skew_reading=self.skew_reading)
        return ClosedForm().evaluate_with(self, problem)


def with_defaults(values: dict) -> dict:
    """hbar = 1 unless given (docs/design.md section 3: numerics take hbar and e as parameters, default 1)."""
    return {"hbar": 1.0, **values}


def singly_filled_intervals(sc: Scenario):
    """(lo, hi) radial intervals where exactly one band (then the lower, -1) is occupied.

    The Fermi-sea integrands of the two bands are opposite pointwise (Omega^+ = -Omega^-,
    s^int,+ = -s^int,-: Eqs. 43, 57 for two bands), so sum_m n_FD X^m vanishes where both bands
    are filled and only these intervals contribute, with the lower band's integrand. Integrating
    the bands separately instead adds two large, nearly opposite integrals of a function that
    varies on the scale of a small gap (k ~ M/v) or is singular at a band touching.
    """
    radii = sorted({kc for _, _, kc in sc.circles})
    filled = {b: b in sc.filled_at_zero for b in (1, -1)}
    edges, lo = [], 0.0
    for r in radii:
        if sum(filled.values()) == 1:
            edges.append((lo, r))
        for b, _, kc in sc.circles:
            if kc == r:
                filled[b] = not filled[b]
        lo = r
    if sum(filled.values()) == 1:
        edges.append((lo, np.inf))
    return edges


#: decades of k (model units) given to the radial quadrature of :func:`sea_integral` as break points
SEA_DECADES = tuple(10.0**j for j in range(-16, 5))


def _evaluable(f, xs):
    """The leading points of ``xs`` at which ``f`` is a finite number (overflow stops the list)."""
    out = []
    for x in xs:
        try:
            # a Python float, as quad passes: numpy scalars overflow to inf silently (k^16/k^14 -> 0)
            y = float(f(float(x)))
        except (OverflowError, ZeroDivisionError, SemiclassicalError):
            break
        if not math.isfinite(y):
            break
        out.append(x)
    return np.asarray(out)


def _removable(f):
    """f, continued across a band touching on a ring (|d| = 0 at k_0 with d = g(k) n(k)): there the
    closed form is 0/0 in |d| although the integrand, a function of the unit vector d/|d| = sign(g) n,
    is regular; at such a point (and only there) the mean of the two neighbours 1e-6 k away is used."""
    def safe(x):
        try:
            y = float(f(x))
        except ZeroDivisionError:
            y = math.nan
        except OverflowError:
            raise SemiclassicalError(
                f"the closed form's Fermi-sea integrand overflows double precision at k = {x:.3g} (high powers "
                "of k); use the numerical engines (--engines quadrature,kubo)") from None
        if math.isfinite(y):
            return y
        h = 1e-6 * max(abs(x), 1e-300)   # outside the rounding zone of the expanded |d|^2 (double root)
        return 0.5 * (float(f(x - h)) + float(f(x + h)))
    return safe


def _require_decay(f, size, k_end: float):
    """One clear line if the tail integral of f to k = oo diverges: f ~ k^p with p >= -1 there.

    A k-dependent observable (a spin current, a user's operator growing like k^2) on a model whose
    lower band is filled to k = oo alone (a Dirac cone above its gap) has an ultraviolet-divergent
    Fermi-sea piece: the continuum model needs a cutoff there, which the toolkit does not invent.
    A tail that is rounding noise (|f| at the level of its terms' moduli) is not a divergence.
    """
    k1, k2 = k_end / math.e**4, k_end
    f1, f2 = abs(float(f(k1))), abs(float(f(k2)))
    noise = 64 * np.finfo(float).eps * (abs(float(size(k2))) if size else f2)
    if f2 <= noise or f1 == 0.0:
        return
    power = math.log(f2 / f1) / math.log(k2 / k1)
    if power >= -1.0 - 1e-3:
        raise SemiclassicalError(
            f"the Fermi-sea piece diverges: its integrand falls off only like k^{power:.2f} at large k (the filled "
            "lower band reaches k = oo while the observable does not decay); the continuum model needs a "
            "cutoff there, which the toolkit does not choose for you: use a bounded observable or a model "
            "whose bands are both filled (or both empty) at large k")


def sea_integral(f, lo: float, hi: float, size=None, epsrel: float = 1e-12) -> float:
    """int_lo^hi f(k) dk for a Fermi-sea integrand, with the decades k = 10^-16 ... 10^4 as breaks.

    A singly filled interval reaching k = 0 holds the structure of a small gap at k ~ M/v (the
    in-gap intrinsic terms of a nearly massless Dirac cone), which one adaptive pass over [0, oo)
    can miss entirely; with break points every scale is sampled from the first pass, under one
    global tolerance (QAGP). A tail beyond the last break (hi = oo) is integrated to the finite
    part's accuracy, in log k. ``size(k)``: the rounding scale of f (sum of the moduli of its
    terms, :meth:`Derivation.intrinsic_spin_sizes`); a result below its rounding level is 0.
    """
    from scipy.integrate import quad

    f, size = _removable(f), (_removable(size) if size else None)
    size_fn = size
    top = min(hi, SEA_DECADES[-1]) if lo < SEA_DECADES[-1] else hi
    # absolute tolerance: epsrel times the largest |k f(k)| on a log grid (the integral is at most
    # that per unit log k); a part of the integrand that is rounding noise (a tail that vanishes)
    # then no longer demands relative accuracy of noise
    grid = _evaluable(size or f, np.geomspace(max(lo, SEA_DECADES[0]), min(top, 1e30) if np.isfinite(top) else 1e30, 256))
    size = max(abs(float((size or f)(x)) * x) for x in grid)
    total = 0.0
    if top > lo and np.isfinite(top):
        cuts = [c for c in SEA_DECADES if lo < c < top]
        total, _ = quad(f, lo, top, points=cuts or None, epsabs=epsrel * size, epsrel=epsrel, limit=500)
    if hi > max(top, lo):
        # the tail in k = start e^s (s <= 48, k up to ~1e21 start): rounding noise of the integrand
        # has a bounded density in s, while QAGI's map of [start, oo) to (0, 1] amplifies it into a
        # "divergent" verdict (seen for Dirac + B k^2 sz, whose tail is exactly 0 up to noise)
        start = max(top, lo)
        s_max = min(48.0, math.log(hi / start)) if np.isfinite(hi) else 48.0
        # high powers of k overflow double precision before the tail has decayed (k^16 at k ~ 1e20):
        # stop where the integrand can still be evaluated, if what lies beyond is negligible
        probe = np.linspace(0.0, s_max, 97)
        # f and its rounding scale (a sum of moduli, larger: it overflows first) must both evaluate
        n_ok = min(len(_evaluable(g, start * np.exp(probe))) for g in (f, size_fn) if g is not None)
        if n_ok < len(probe):
            s_max = float(probe[n_ok - 1]) if n_ok else 0.0
            beyond = abs(float(f(start * math.exp(s_max)))) * start * math.exp(s_max)
            if beyond > 1e-10 * max(size, abs(total), 1e-300):
                raise SemiclassicalError(
                    f"the closed form's Fermi-sea integrand overflows double precision at k = {start * math.exp(s_max):.3g} "
                    "before its tail is negligible; use the numerical engines (--engines quadrature,kubo)")
        _require_decay(f, size_fn, start * math.exp(s_max))
        tail, _ = quad(lambda s: f(start * math.exp(s)) * start * math.exp(s), 0.0, s_max,
                       epsabs=epsrel * max(size, abs(total)), epsrel=epsrel, limit=200)
        total += tail
    # the integral is at most size per unit log k over the grid's span (< 106 e-folds)
    floor = 64 * np.finfo(float).eps * size * math.log(grid[-1] / grid[0])
    return 0.0 if abs(total) <= floor else float(total)
