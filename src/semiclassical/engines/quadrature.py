"""The quadrature engine behind the engine interface: :func:`semiclassical.quadrature.evaluate`.

It reads H(k) alone (numeric eigenvectors in a random gauge, exact delta functions on numerically
found contours, Boltzmann equations solved on the contour nodes; see :mod:`semiclassical.quadrature`),
with the problem's disorder: white noise, scalar correlated W(|k - k'|) (paper Eq. 6), or magnetic
impurities u0 + u_m n.sigma (vertex weights w_ab; docs/magnetic_impurities.md).
Error estimates: the engine converges every Fermi-surface family to ``rtol`` relative to the size of
its integrand (sum of |.| over the nodes), so that size times the achieved accuracy bounds each
piece's error, also where a piece vanishes by symmetry; the sea pieces carry the adaptive
integrator's own error.
"""
from __future__ import annotations

from .. import observables
from ..quadrature.response import rounding_floors
from .base import Engine, register_engine
from .problem import Problem
from .result import Response, from_tree

__all__ = ["Quadrature", "RTOL"]

#: relative accuracy requested from the engine (its angular refinement stops there)
RTOL = 1e-10
#: the name under which the engine's sizes and floors carry each observable's family; an operator
#: (spin current, a model file's observable) is a family of its own, under its key
_FAMILY = {"current": lambda key: "sigma", "spin": lambda key: "spin", "operator": lambda key: key}


def _errors(res: dict, values: dict) -> dict:
    """Absolute error estimates of every number, from the engine's convergence record."""
    meta = res["meta"]
    acc = max(meta["rtol_requested"], meta["estimated_relative_accuracy"])
    sizes = meta.get("integrand_sizes", {})
    # a W^0 family that vanishes by symmetry is known to its summands' rounding level, not better
    floors = rounding_floors({**sizes, "summands": meta.get("summand_sizes", {})})
    sea = meta.get("sea_errors", {})
    out = {}
    for key, pieces in values.items():
        obs = observables.get(key)
        fam = _FAMILY[obs.family](key)
        floor = floors.get(fam, {"1/W": 0.0, "W0": 0.0})
        err = {obs.leading: max(acc * sizes.get(f"{fam}_1/W", 0.0), floor["1/W"])}
        for p in ("extrinsic", "side_jump", "skew"):
            err[p] = max(acc * sizes.get(f"{fam}_W0", 0.0), floor["W0"])
        err["intrinsic"] = sea.get(key, 0.0)
        err["total"] = sum(err[p] for p in observables.W0_PIECES)
        out[key] = {p: (err[p] if pieces.get(p) is not None else None) for p in obs.pieces}
    return out


class Quadrature(Engine):
    """The paper's defining sums evaluated from the Hamiltonian alone (any model, isotropic or not)."""

    name = "quadrature"
    title = "quadrature"
    relative_tolerance = 1e-8      # docs/design.md section 5: agreement with each closed form to ~1e-8
    correlated_disorder = True     # every Born-level sum with W(|k_i - k_j|) on the contour (quadrature.kernel)
    magnetic_disorder = True       # every Born-level sum and the skew rate with the vertex weights (quadrature.vertices)

    def __init__(self, rtol: float = RTOL, gauge_seed: int = 0):
        self.rtol, self.gauge_seed = rtol, gauge_seed

    def evaluate(self, problem: Problem) -> Response:
        from ..quadrature import evaluate

        # scalar correlated disorder (quadrature.kernel) and magnetic vertices (quadrature.vertices)
        # enter every Born-level sum; readings C and B refuse either with one line
        res = evaluate(problem.numeric_model, problem.eF, problem.W, rtol=self.rtol,
                       gauge_seed=self.gauge_seed, skew_reading=problem.skew_reading,
                       disorder=problem.disorder)
        values = from_tree(res, problem.observables)
        meta = res["meta"]
        doubts = []
        if meta.get("sea_converged") is False:
            doubts.append("Fermi-sea integrals not converged (sea_converged: false)")
        if meta["estimated_relative_accuracy"] > 10 * meta["rtol_requested"]:
            doubts.append(f"estimated relative accuracy {meta['estimated_relative_accuracy']:.1e} "
                          f"above the requested {meta['rtol_requested']:.0e}")
        notes = [f"{key}: the Fermi-sea piece diverges (O grows with k where the lower band alone is "
                 "filled to k = oo); no intrinsic piece and no total" for key in meta.get("sea_divergent", ())
                 if key in values]
        return Response(self.name, values, _errors(res, values), meta=meta, doubts=doubts, notes=notes)


register_engine(Quadrature())
