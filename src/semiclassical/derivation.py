"""The derivation pipeline: model -> Fermi-circle scenario -> closed forms -> numbers.

A :class:`Derivation` caches the symbolic work per scenario (which circles cross eF), so that
sweeping eF or parameters within one scenario re-uses one derivation and only lambdified
functions run (DESIGN.md section 6).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp

from . import kinetic, response
from .bloch import BlochSystem, Gauge, Point
from .errors import SemiclassicalError
from .fermi import W, Shell, circle_values, eF, find_circles, match_radius, radial_functions, radius_expressions
from .model import TwoBandModel, e, k
from .parsing import hbar

SIGMA_PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")
SPIN_PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")


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
    def shell(self) -> Shell:
        return Shell.of(self.spec)


@dataclass
class Derivation:
    """Closed forms of the paper's theory for one covariant model (any gauge)."""

    model: TwoBandModel
    gauge: Gauge = field(default_factory=Gauge)

    def __post_init__(self):
        self.bs = BlochSystem(self.model, self.gauge)
        self._cache: dict = {}

    # ------------------------------------------------------------------ scenario
    def scenario(self, values: dict) -> Scenario:
        """Find the Fermi circles numerically at the point ``values`` (must contain eF)."""
        if "eF" not in values:
            raise SemiclassicalError("the Fermi energy is missing: give it with --set eF=VALUE")
        energy = float(values["eF"])
        circles = tuple(find_circles(self.bs, values, energy))
        f = radial_functions(self.bs, values)
        tiny, huge = 1e-12, 1e6 * (1 + max([c[2] for c in circles], default=1.0))
        zero = tuple(b for b in (1, -1) if float(f["d0"](tiny) + b * f["dd"](tiny)) < energy)
        inf = tuple(b for b in (1, -1) if float(f["d0"](huge) + b * f["dd"](huge)) < energy)
        if not circles:
            return Scenario((), zero, inf)
        return Scenario(circles, zero, inf)

    # ------------------------------------------------------------------ symbolic
    def leading(self, scenario: Scenario):
        """Leading-order and side-jump closed forms on the scenario's shell (circle symbols)."""
        key = ("leading", scenario.spec)
        if key not in self._cache:
            shell = scenario.shell
            out = response.leading_order(self.bs, shell) if len(shell) else {}
            out["sigma_yx_intrinsic"] = response.intrinsic_hall(
                self.bs, shell, {b: b in scenario.filled_at_zero for b in (1, -1)},
                {b: b in scenario.filled_at_infinity for b in (1, -1)})
            self._cache[key] = out
        return self._cache[key]

    def skew(self, scenario: Scenario):
        """Skew-scattering pieces (Eqs. 35-36, 83-85, 102-103) if the skew module is available."""
        key = ("skew", scenario.spec)
        if key not in self._cache:
            try:
                from . import skew
            except ImportError:  # pragma: no cover - the module lands with issue 6
                self._cache[key] = None
            else:
                shell = scenario.shell
                self._cache[key] = {
                    "sigma_yx_skew": skew.skew_current(self.bs, shell),
                    **dict(zip(("sx_skew", "sy_skew"), skew.skew_spin_density(self.bs, shell))),
                } if len(shell) else {"sigma_yx_skew": 0, "sx_skew": 0, "sy_skew": 0}
        return self._cache[key]

    def intrinsic_spin_integrands(self):
        """Explicit k-integrands of <s>^int (Eq. 57) for each band: (1/2pi) k <s^int_m>."""
        key = ("sint",)
        if key not in self._cache:
            self._cache[key] = {b: tuple(self.bs.explicit(x) for x in response.intrinsic_spin_density_integrand(self.bs, b))
                                for b in (1, -1)}
        return self._cache[key]

    # ------------------------------------------------------------------ explicit forms
    def circle_substitution(self, scenario: Scenario, values: dict):
        """{circle symbols: closed forms in eF and parameters} (radius branches matched at ``values``)."""
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
        return subs

    def explicit(self, expr, scenario: Scenario, values: dict, simplify=True):
        """A closed form in eF and the parameters, valid in the scenario of ``values``."""
        out = sp.sympify(expr).subs(self.circle_substitution(scenario, values))
        if simplify:
            assumptions = sp.Q.positive(eF) if float(values["eF"]) > 0 else sp.Q.negative(eF)
            out = sp.refine(sp.factor(sp.simplify(out)), assumptions)
        return out

    # ------------------------------------------------------------------ numbers
    def numeric_circle_values(self, scenario: Scenario, values: dict):
        out = {}
        for c, (band, vsign, kc) in zip(scenario.shell.circles, scenario.circles):
            out.update(circle_values(self.bs, c, values, kc))
        return out

    def evaluate(self, values: dict, W_value: float = 1.0, e_value: float = 1.0):
        """Numbers from the closed forms at one parameter point (E_x = 1, DESIGN.md section 4)."""
        from scipy.integrate import quad

        sc = self.scenario(values)
        lead, sk = self.leading(sc), self.skew(sc)
        num = {self.model.symbols[n]: v for n, v in values.items() if n in self.model.symbols}
        num.update(self.numeric_circle_values(sc, values))
        num.update({W: W_value, e: e_value, hbar: values.get("hbar", 1.0)})

        def val(expr):
            x = complex(sp.sympify(expr).xreplace(num).evalf())
            if abs(x.imag) > 1e-9 * max(1.0, abs(x.real)):
                raise ArithmeticError(f"complex value {x} for a real observable")
            return x.real

        # <s>^int: closed-form integrand, radial quadrature over the filled intervals
        sint = [0.0, 0.0]
        integrands = self.intrinsic_spin_integrands()
        for band in (1, -1):
            for lo, hi in _filled_intervals(sc, band):
                for i in range(2):
                    f = sp.lambdify(k, integrands[band][i].subs({**num, e: e_value}), "numpy")
                    val_i, _ = quad(lambda x: float(np.real(f(x))), lo, hi, epsabs=0, epsrel=1e-12, limit=200)
                    sint[i] += val_i

        sigma = {"intrinsic": val(lead["sigma_yx_intrinsic"])}
        for piece in ("extrinsic", "side_jump"):
            sigma[piece] = val(lead.get(f"sigma_yx_{piece}", 0))
        def val_or_nan(expr):
            # the skew closed form may need data of a second energy shell not wired here yet
            try:
                return val(expr)
            except (TypeError, ArithmeticError):
                return float("nan")

        sigma["skew"] = val_or_nan(sk["sigma_yx_skew"]) if sk else float("nan")
        sigma["total"] = sum(sigma[p] for p in SIGMA_PIECES)
        spin = {}
        for i, ax in enumerate("xy"):
            d = {"edelstein": val(lead.get(f"s{ax}_edelstein", 0)), "intrinsic": sint[i],
                 "extrinsic": val(lead.get(f"s{ax}_extrinsic", 0)),
                 "side_jump": val(lead.get(f"s{ax}_side_jump", 0)),
                 "skew": val_or_nan(sk[f"s{ax}_skew"]) if sk else float("nan")}
            d["total"] = sum(d[p] for p in SPIN_PIECES)
            spin[ax] = d
        return {"sigma_yx": sigma, "sigma_xx": {"drude": val(lead.get("sigma_xx_drude", 0))},
                "spin_density": spin,
                "circles": [{"band": b, "kF": kc, "electron_like": s > 0} for b, s, kc in sc.circles]}


def _filled_intervals(sc: Scenario, band: int):
    """(lo, hi) radial intervals where ``band`` is occupied, from its circles and its k = 0 state."""
    radii = sorted(kc for b, s, kc in sc.circles if b == band)
    filled = band in sc.filled_at_zero
    edges, lo = [], 0.0
    for r in radii:
        if filled:
            edges.append((lo, r))
        filled, lo = not filled, r
    if filled:
        edges.append((lo, np.inf))
    return edges
