"""One interface for the three engines (docs/design.md, "Engines").

    problem  = Problem.at(model, {"eF": 1.0, "W": 0.01, ...})     # the one input
    response = ClosedForm().evaluate(problem)                     # the one result type
    result   = compare(problem, ("closed_form", "quadrature", "kubo"))   # engines judged against each other

Engines: :class:`ClosedForm` (derived expressions, covariant models), :class:`Quadrature` (the
paper's defining sums from H(k) alone), :class:`KuboStreda` (diagrammatic NCA, W -> 0).
"""
from .base import ENGINES, Engine, get_engine, register_engine
from .closed_form import ClosedForm
from .compare import DEFAULT_ENGINES, Comparison, Disagreement, compare
from .kubo import KuboStreda
from .problem import DEFAULT_OBSERVABLES, Problem
from .quadrature import Quadrature
from .result import Response

__all__ = ["ENGINES", "DEFAULT_ENGINES", "DEFAULT_OBSERVABLES", "ClosedForm", "Comparison", "Disagreement",
           "Engine", "KuboStreda", "Problem", "Quadrature", "Response", "compare", "get_engine",
           "register_engine"]
