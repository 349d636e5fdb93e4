"""The pair-skew results of `semiclassical derive` (issue 17; docs/pair_skew.md, Eqs. P5, P9, P10).

Keys ``sigma_yx.pair_skew``, ``spin_density.x.pair_skew`` and ``spin_density.y.pair_skew``: skew
scattering on pairs of impurities (the crossed pairings of the golden rule), order W^0, not part of
``total`` (the non-crossing total). For the massive-Dirac class
(:func:`semiclassical.skew.pair_closed.dirac_class`) they are derived in circle variables
(:func:`semiclassical.skew.pair_closed.pair_skew_closed`) within the time budget of ``derive``
(:func:`semiclassical.chain.time_limit`) and made explicit like every other result; for any other model
they are results without an expression whose note says why and points to ``evaluate --crossed``, and,
at a point with eF, give the quadrature engine's number (:func:`semiclassical.quadrature.pair_skew.
pair_skew_response`), labelled as such.
"""
from __future__ import annotations

import sympy as sp

from .errors import SemiclassicalError
from .results import Result

__all__ = ["PAIR_KEYS", "pair_results"]

#: the stable keys of the pair-skew piece
PAIR_KEYS = ("sigma_yx.pair_skew", "spin_density.x.pair_skew", "spin_density.y.pair_skew")
_NAMES = {"sigma_yx.pair_skew": ("sigma_yx pair_skew (skew scattering on pairs of impurities)",
                                 r"\sigma_{yx}^{\rm pair\ skew}"),
          "spin_density.x.pair_skew": ("<sigma_x> pair_skew", r"\langle\sigma_x\rangle^{\rm pair\ skew}"),
          "spin_density.y.pair_skew": ("<sigma_y> pair_skew", r"\langle\sigma_y\rangle^{\rm pair\ skew}")}
EQUATION = "P5, P9, P10 (docs/pair_skew.md)"


def _result(key: str, expr, notes=()) -> Result:
    name, symbol = _NAMES[key]
    return Result(name, symbol, expr, EQUATION, order="W^0", key=key, notes=list(notes),
                  description="crossed pairings of the two-impurity T-matrix; not included in total")


def pair_results(D, sc, point: dict | None = None, budget: float | None = None) -> list[Result]:
    """The pair-skew results of one scenario of ``D`` (a :class:`semiclassical.derivation.Derivation`).

    ``point``: the parameter values with eF when `derive` was given ``--set eF=`` (then a model
    outside the class gets the quadrature number in its note); ``budget``: seconds for the derivation
    (and for that quadrature).
    """
    from .chain import BudgetExceeded, time_limit
    from .skew.pair_closed import dirac_class

    if not sc.circles:
        return [_result(key, sp.Integer(0), ["no Fermi circle: the pair-skew piece lives on the Fermi surface"])
                for key in PAIR_KEYS]
    cls, why = dirac_class(D.model)
    if cls is not None and D.corr.name != "white-noise":
        why = "derived for white-noise disorder only (evaluate --crossed likewise)"
    if cls is not None and not why:
        try:
            with time_limit(budget):
                r = D.pair_skew(sc)
            values = (r["sigma_yx"], *r["spin_density"])
            return [_result(key, x) for key, x in zip(PAIR_KEYS, values)]
        except BudgetExceeded:
            why = f"not derived within the {budget:g} s budget (--budget)"
        except SemiclassicalError as exc:
            why = str(exc)
    at = point is not None and "eF" in point
    where = f"{float(point['eF']):g}" if at else "..."
    note = (f"no closed form for this model ({why}; the closed form covers massive Dirac up to a spin rotation "
            f"about z: d0 = 0, constant d_z, d_perp linear in k, |J| = 1); numbers: `semiclassical evaluate "
            f"{D.model.name} --crossed --set eF={where}`")
    extra = _quadrature_notes(D, point, budget) if at else {}
    return [_result(key, None, [note, *([extra[key]] if key in extra else [])]) for key in PAIR_KEYS]


def _quadrature_notes(D, point: dict, budget: float | None) -> dict:
    """{key: "quadrature ... = number"} at ``point`` (W-independent; e = hbar = 1 unless set)."""
    from .chain import BudgetExceeded, time_limit
    from .engines.crossed import refusal
    from .quadrature.pair_skew import pair_skew_response

    why = refusal(D.model, D.model.disorder, float(point.get("T", 0.0)))
    if why:
        return {key: f"quadrature: {why}" for key in PAIR_KEYS}
    values = {n: v for n, v in point.items() if n in D.model.parameters or n == "hbar"}
    try:
        with time_limit(budget):
            r = pair_skew_response(D.model.numeric(values, e=float(point.get("e", 1.0))), float(point["eF"]))
    except BudgetExceeded:
        return {key: f"quadrature not run within the {budget:g} s budget (--budget): use evaluate --crossed"
                for key in PAIR_KEYS}
    except SemiclassicalError as exc:
        return {key: f"quadrature: {exc}" for key in PAIR_KEYS}
    numbers = {"sigma_yx.pair_skew": r["sigma_yx"], "spin_density.x.pair_skew": r["spin_density"]["x"],
               "spin_density.y.pair_skew": r["spin_density"]["y"]}
    return {key: f"quadrature (pair_skew_response, not a closed form) at eF = {float(point['eF']):g}: "
                 f"{x:.12g} (error {r['error']:.1e})" for key, x in numbers.items()}
