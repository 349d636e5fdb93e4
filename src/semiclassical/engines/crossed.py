"""Beyond the non-crossing approximation (issue 17): the crossed pieces an engine adds to its response.

With ``Problem.crossed`` every engine answers, next to its non-crossing pieces, the W^0 contribution
of scattering on pairs of impurities, for ``sigma_yx`` and ``spin_density.x``:

* the semiclassical engines (closed form, quadrature): ``pair_skew``, the golden rule with the
  crossed pairings of the two-impurity T-matrix (docs/pair_skew.md): the quadrature engine's
  :func:`semiclassical.quadrature.pair_skew.pair_skew_response` (its principal values are exact); the
  closed-form engine's :func:`closed_pair_skew_pieces`, the derived closed form for the massive-Dirac
  class (:mod:`semiclassical.skew.pair_closed`), and the quadrature's number for any other model;
* Kubo-Streda: ``crossed``, the X and Psi diagrams at W -> 0 (docs/crossed_diagrams.md,
  :func:`semiclassical.kubo.crossed.crossed_response`);

and ``total_full`` = ``total`` (the non-crossing total, unchanged) + that piece. Engines compare on
``total_full``; the two crossed pieces are computed independently and must agree (tests/test_crossed_cli.py).
Scope: white-noise disorder, isotropic models, T = 0 (:func:`refusal`).
"""
from __future__ import annotations

from .problem import Problem
from .result import Response

__all__ = ["CROSSED_KEYS", "refusal", "add_crossed", "pair_skew_pieces", "closed_pair_skew_pieces",
           "kubo_crossed_pieces"]

#: the observables that carry the crossed pieces (docs/design.md section 4: sigma_yx and spin_density.x)
CROSSED_KEYS = ("sigma_yx", "spin_density.x")


def refusal(model, disorder, T: float) -> str | None:
    """Why the crossed diagrams cannot be computed for this input (None when they can)."""
    if not model.is_covariant:
        return (f"--crossed needs a rotationally covariant model; {model.name!r} is not (the crossed diagrams "
                "are reduced by isotropy)")
    if not disorder.is_white_noise:
        return f"--crossed is computed for white-noise disorder only, not {disorder.describe()}"
    if T > 0:
        return "--crossed is computed at T = 0 only: drop --set T or --crossed"
    return None


def pair_skew_pieces(problem: Problem):
    """({key: value}, {key: error}) of the semiclassical pair-skew piece (docs/pair_skew.md, Eq. P9)."""
    from ..quadrature.pair_skew import pair_skew_response

    # the closed form outside its class and the quadrature engine report this same number: one
    # evaluation per problem (a three-circle pair skew takes tens of seconds)
    r = problem.__dict__.get("_pair_skew_response")
    if r is None:
        r = problem.__dict__["_pair_skew_response"] = pair_skew_response(problem.numeric_model, problem.eF, problem.W)
    return {"sigma_yx": r["sigma_yx"], "spin_density.x": r["spin_density"]["x"]}, \
        {"sigma_yx": r["error"], "spin_density.x": r["error"]}


def closed_pair_skew_pieces(problem: Problem):
    """({key: value}, {key: error}) of the pair-skew closed form (:mod:`semiclassical.skew.pair_closed`;
    the circle form at the point's circle values; error 0, as for the other closed forms), or None outside
    its class."""
    import sympy as sp

    from ..fermi import W
    from ..model import e
    from ..parsing import hbar
    from ..skew.pair_closed import dirac_class
    from .closed_form import CIRCLE_DIGITS, derivation_for

    if dirac_class(problem.model)[0] is None:
        return None
    D = derivation_for(problem.model, problem.skew_reading, problem.values)
    sc = D.scenario(problem.values)
    if not sc.circles:
        return dict.fromkeys(CROSSED_KEYS, 0.0), dict.fromkeys(CROSSED_KEYS, 0.0)
    r = D.pair_skew(sc)
    subs = {s: problem.values[n] for n, s in D.model.symbols.items() if n in problem.values}
    subs.update(D.numeric_circle_values(sc, problem.values, digits=CIRCLE_DIGITS))   # as the other closed forms
    subs.update({W: problem.W, e: problem.e, hbar: problem.values["hbar"]})
    values = {key: float(sp.re(sp.sympify(x).xreplace(subs).evalf(17)))
              for key, x in zip(CROSSED_KEYS, (r["sigma_yx"], r["spin_density"][0]))}
    return values, dict.fromkeys(CROSSED_KEYS, 0.0)


def kubo_crossed_pieces(problem: Problem):
    """({key: value}, {key: error}) of the X + Psi diagrams at W -> 0 (docs/crossed_diagrams.md)."""
    from ..kubo.crossed import crossed_response

    r = crossed_response(problem.numeric_model, problem.eF)
    sx = r["spin_density"]["x"]
    return {"sigma_yx": r["sigma_yx"]["crossed"], "spin_density.x": sx["crossed"]}, \
        {"sigma_yx": r["sigma_yx"]["error"], "spin_density.x": sx["error"]}


def add_crossed(engine, problem: Problem, response: Response) -> Response:
    """``response`` with the engine's crossed piece and ``total_full`` for each of :data:`CROSSED_KEYS`."""
    piece = engine.crossed_piece
    if any(piece in response.values.get(key, {}) for key in CROSSED_KEYS):
        return response       # added already (ClosedForm.evaluate -> evaluate_with)
    values, errors = engine.crossed_pieces(problem)
    for key in CROSSED_KEYS:
        if key not in response.values:
            continue
        pieces = response.values[key]
        pieces[piece] = values[key]
        total = pieces.get("total")
        pieces["total_full"] = None if total is None else total + values[key]
        err = response.errors.setdefault(key, {})
        err[piece] = errors[key]
        if total is not None:
            err["total_full"] = (err.get("total") or 0.0) + errors[key]
    return response
