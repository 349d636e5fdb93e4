"""Judging a hand calculation: is the user's expression the derived one? (`semiclassical check`)

:func:`check` parses the user's expression with the safe parser over the names of the problem (the
model's parameters, eF, W, e, hbar, the circle variables of the scenario, k and u = e^{i theta} for
functions of the momentum), then compares it with the derived result of the same key:

- numerically at several random points of the scenario (parameters scaled by random factors that
  keep their signs, eF moved inside the same Fermi-circle scenario, hbar, e, W varied, random
  directions u and momenta k), which always decides;
- symbolically when SymPy can show the difference vanishes within a time budget (reported, never
  required).

Verdicts: ``equal`` (every point within 1e-9 relative: rounding of the circle values, found to
~1e-15, and of the radial integral of <s>^int, 1e-12), ``factor`` (a constant ratio, named: a
number, or a number times a power of hbar when the ratio follows hbar), ``different`` (with the
relative difference at each point and, when the expression equals another derived piece or a sum of
two pieces of the same family, which one).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from . import chain
from .errors import SemiclassicalError

__all__ = ["Verdict", "check", "RTOL"]

#: relative agreement that counts as equal (see module docstring)
RTOL = 1e-9
_CIRCLE_NAMES = ("k", "C", "S", "dd", "d0p", "ddp", "ap", "rho", "u")


@dataclass
class Verdict:
    """The answer of :func:`check`: ``verdict`` in {equal, factor, different}."""

    key: str
    verdict: str
    factor: float | None = None
    factor_expression: str | None = None
    matches: str | None = None
    symbolic: bool | None = None
    scenario: str = ""
    points: list = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.verdict == "equal"

    def as_dict(self):
        return {"key": self.key, "verdict": self.verdict, "factor": self.factor,
                "factor_expression": self.factor_expression, "matches": self.matches,
                "symbolic": self.symbolic, "scenario": self.scenario, "points": self.points}

    def __str__(self):
        worst = max((p["relative_difference"] for p in self.points), default=0.0)
        n = len(self.points)
        if self.verdict == "equal":
            how = "symbolically and " if self.symbolic else ""
            return f"equal: your expression is {self.key} ({how}numerically at {n} points, max relative difference {worst:.1e})"
        if self.verdict == "factor":
            return f"factor: your expression is {self.factor_expression} times {self.key} (at {n} points)"
        tail = f"; it equals {self.matches}" if self.matches else ""
        diffs = ", ".join(f"{p['relative_difference']:.2e}" for p in self.points)
        return f"different: your expression is not {self.key} (relative differences {diffs}){tail}"


def _split_key(key: str):
    if key.endswith("]") and "[" in key:
        base, comp = key[:-1].split("[", 1)
        return base, comp
    return key, None


def _pick(results, key):
    base, comp = _split_key(key)
    for r in results:
        if r.key != base:
            continue
        if r.is_vector:
            comps = list(r._components(r.expr))
            if comp is None or comp not in comps:
                raise SemiclassicalError(f"{base} has components {', '.join(comps)}: write the key as "
                                         f"{base}[{comps[0]}]")
            return r, sp.sympify(r.expr[comps.index(comp)])
        if comp is not None:
            raise SemiclassicalError(f"{base} is a scalar: drop [{comp}]")
        if r.expr is None:
            raise SemiclassicalError(f"{base} is not derived for this model: {'; '.join(r.notes)}")
        return r, sp.sympify(r.expr)
    valid = ", ".join(r.key for r in results)
    raise SemiclassicalError(f"unknown key {base!r} for this model and scenario; valid keys: {valid}")


def _names(model, sc, geometry: bool, magnetic: bool = False) -> dict:
    from .fermi import W, W_m, eF
    from .model import e, k, u
    from .parsing import hbar

    names = {n: s for n, s in model.parameters.items()}
    names.update({"eF": eF, "W": W, "e": e, "hbar": hbar})
    if magnetic:   # a magnetic derivation's forms hold W_m = n_i u_m^2 besides W (docs/magnetic_impurities.md)
        names["W_m"] = W_m
    if geometry:
        names.update({"k": k, "u": u})
    for c in sc.shell.circles:
        p = c.point
        for n in _CIRCLE_NAMES:
            sym = c.rho if n == "rho" else getattr(p, n)
            names[sym.name] = sym
    return names


def _random_points(D, sc, base: dict, n: int, rng):
    """Parameter points of the same scenario: (values, scenario) pairs."""
    out, tries = [], 0
    while len(out) < n:
        tries += 1
        if tries > 50 * n:
            raise SemiclassicalError("could not find points of this Fermi-circle scenario nearby; move eF "
                                     "away from a band edge")
        vals = {name: v * (1 + 0.2 * rng.uniform(-1, 1)) if name != "eF" else v * (1 + 0.05 * rng.uniform(-1, 1))
                for name, v in base.items()}
        vals["hbar"] = base.get("hbar", 1.0) * rng.uniform(0.7, 1.4)
        here = D.scenario(vals)
        if here.spec == sc.spec:
            out.append((vals, here))
    return out


def _value(expr, num, disorder=None):
    """The number of ``expr`` at the point ``num``; the kernel harmonics W_l of a correlated disorder
    evaluated at that point (:meth:`Disorder.harmonic`)."""
    from .disorder import W_l

    x = sp.sympify(expr).xreplace(num)
    if disorder is not None:
        x = x.xreplace({h: disorder.harmonic(int(h.args[0]), float(h.args[1]), float(h.args[2]))
                        for h in x.atoms(W_l)})
    return complex(x.evalf(30))


def check(model, key: str, expression: str, values: dict | None = None, *, n_points: int = 6, seed: int = 0,
          skew_reading: str = "T", budget: float = chain.DEFAULT_BUDGET) -> Verdict:
    """Compare the user's ``expression`` with the derived result ``key`` (see module docstring)."""
    from .engines.closed_form import derivation_for
    from .fermi import W, W_m
    from .model import e, k, u
    from .parsing import hbar, parse_scalar

    model.require_covariant("`check`")
    base = model.resolve_values({n: v for n, v in (values or {}).items()})
    D = derivation_for(model, skew_reading, base, correlated=not model.disorder.is_white_noise)
    model = D.model
    geometry = _split_key(key)[0] in chain.GEOMETRY_KEYS
    if "eF" not in base:
        # the first scenario with a Fermi circle at the default parameters
        base["eF"] = next((x for x in chain.scenario_energies(D.bs, base)
                           if D.scenario({**base, "eF": x}).circles), 0.0)
    sc = D.scenario(base)
    if not geometry and not sc.circles:
        raise SemiclassicalError(f"eF = {base['eF']:g}: {chain.where_without_circles(sc)}, no Fermi circle; "
                                 "choose eF on a band with --set eF=VALUE")
    results = chain.geometry(D.bs) if geometry else chain.scenario_results(D, sc, getattr(model, "magnetization", None), budget)
    result, derived = _pick(results, key)
    derived = derived.xreplace(result.definitions)
    from .disorder import W_l

    # a correlated derivation's forms hold the kernel harmonics W_l(n, k_a, k_b): the user may write them
    functions = {"W_l": (W_l, 3)} if D.correlated else None
    yours = parse_scalar(expression, _names(model, sc, geometry, bool(D.magnetic)), "expression", functions)
    disorder = model.disorder if D.correlated else None

    rng = np.random.default_rng(seed)
    pts = []
    for vals, here in _random_points(D, sc, base, n_points, rng):
        num = {model.symbols[n]: v for n, v in vals.items() if n in model.symbols}
        num.update(D.numeric_circle_values(here, vals))
        from .fermi import eF

        num.update({eF: vals["eF"], W: rng.uniform(0.01, 0.1), e: rng.uniform(0.7, 1.4), hbar: vals["hbar"],
                    u: np.exp(1j * rng.uniform(0, 2 * np.pi))})
        if D.magnetic:   # W_m independent of W: a form that confuses the two disagrees at these points
            num[W_m] = num[W] * rng.uniform(0.2, 2.0)
        if geometry:
            # a generic point's k; in a scenario result k is only ever the variable of a sea integral
            num[k] = rng.uniform(0.3, 2.0)
        for c in here.shell.circles:
            num[c.point.u] = np.exp(1j * rng.uniform(0, 2 * np.pi))
        a, b = _value(derived, num, disorder), _value(yours, num, disorder)
        pts.append({"values": {s.name: (v if not isinstance(v, complex) else str(v)) for s, v in num.items()
                               if s in (eF, W, W_m, e, hbar) or s.name in model.parameters},
                    "derived": a, "yours": b, "_num": num})
    verdict = _judge(result.key if not _split_key(key)[1] else key, pts, derived, yours, results, budget)
    verdict.scenario = chain.scenario_label(sc)
    for p in verdict.points:
        p.pop("_num", None)
        for name in ("derived", "yours"):
            z = p[name]
            p[name] = z.real if abs(z.imag) <= 1e-12 * max(1.0, abs(z)) else str(z)
    return verdict


def _rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def _judge(key, pts, derived, yours, results, budget):
    for p in pts:
        p["relative_difference"] = float(_rel(p["derived"], p["yours"]))
    out = Verdict(key, "different", points=pts)
    if all(p["relative_difference"] <= RTOL for p in pts):
        out.verdict = "equal"
        out.symbolic = _symbolic_zero(derived - yours, budget)
        return out
    ratios = [p["yours"] / p["derived"] for p in pts if abs(p["derived"]) > 0]
    hbars = [p["_num"][next(s for s in p["_num"] if s.name == "hbar")] for p in pts if abs(p["derived"]) > 0]
    if len(ratios) == len(pts):
        for power in (0, 1, -1, 2, -2):
            scaled = [r / h**power for r, h in zip(ratios, hbars)]
            if all(_rel(s, scaled[0]) <= RTOL for s in scaled):
                c = scaled[0]
                c = c.real if abs(c.imag) <= RTOL * abs(c) else c
                number = sp.nsimplify(c, [sp.pi], tolerance=1e-10, rational=False) if isinstance(c, float) else c
                out.verdict = "factor"
                out.factor = float(c) if power == 0 and isinstance(c, float) else None
                hb = {0: "", 1: "*hbar", -1: "/hbar", 2: "*hbar**2", -2: "/hbar**2"}[power]
                out.factor_expression = f"{sp.sstr(number)}{hb}"
                return out
    out.matches = _which_sum(pts, results, key)
    return out


def _which_sum(pts, results, key):
    """The derived piece, or sum of two pieces of the key's family, that the expression equals (or None)."""
    family = key.rsplit(".", 1)[0] if "." in key else None
    if family is None:
        return None
    pieces = [r for r in results if r.key.startswith(family + ".") and not r.is_vector and r.key != key
              and r.expr is not None]
    values = []
    for r in pieces:
        values.append((r.key, [_value(sp.sympify(r.expr).xreplace(r.definitions), p["_num"]) for p in pts]))
    for n in (1, 2):
        for combo in itertools.combinations(values, n):
            total = [sum(v[i] for _, v in combo) for i in range(len(pts))]
            if all(_rel(t, p["yours"]) <= RTOL for t, p in zip(total, pts)):
                return " + ".join(name for name, _ in combo)
    return None


def _symbolic_zero(expr, budget):
    """True when SymPy shows ``expr`` vanishes within ``budget`` seconds; None when it cannot tell."""
    try:
        with chain.time_limit(budget):
            return True if sp.simplify(expr) == 0 else None
    except chain.BudgetExceeded:
        return None
