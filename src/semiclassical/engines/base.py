"""The engine interface: one call, the same inputs, one result type (docs/design.md, "Engines").

Each engine turns a :class:`~.problem.Problem` into a :class:`~.result.Response`; everything above
them (comparison, command line, report, figures) is written once against this interface, in the
way Kwant's solvers share one interface above their factorize/solve step.
"""
from __future__ import annotations

import functools
from abc import ABC, abstractmethod

from .problem import Problem
from .result import Response

__all__ = ["Engine", "ENGINES", "register_engine", "get_engine"]


class Engine(ABC):
    """An independent route from a :class:`Problem` to numbers.

    ``name`` is the engine's key in every output (``closed_form``, ``quadrature``, ``kubo``);
    ``relative_tolerance`` the accuracy the engine claims relative to the size of a response
    (used, with the engines' own error estimates, when engines are compared); ``correlated_disorder``
    whether it takes a correlator W(q) beyond white noise.
    """

    name: str = ""
    title: str = ""
    relative_tolerance: float = 1e-8
    #: whether the engine evaluates q-dependent scalar disorder W(|k - k'|) (else white noise only)
    correlated_disorder: bool = False
    #: whether the engine evaluates magnetic (spin-dependent) impurity vertices
    magnetic_disorder: bool = False
    #: the name of the engine's crossed (pair) piece with ``Problem.crossed`` (engines/crossed.py)
    crossed_piece: str = "pair_skew"

    def __init_subclass__(cls, **kwargs):
        # every engine answers at T > 0 through the one thermal wrapper (engines/thermal.py)
        super().__init_subclass__(**kwargs)
        if "evaluate" in cls.__dict__:
            cls.evaluate = _at_temperature(cls.__dict__["evaluate"])

    def unavailable(self, problem: Problem) -> str | None:
        """Why this engine cannot answer ``problem`` (None when it can)."""
        d = problem.disorder
        if d.is_magnetic and not self.magnetic_disorder:
            return f"it does not evaluate magnetic impurities yet ({d.describe()})"
        if not (d.is_white_noise or d.is_magnetic or self.correlated_disorder):
            return f"it evaluates white-noise disorder only, not {d.describe()}"
        return None

    @abstractmethod
    def evaluate(self, problem: Problem) -> Response:
        """Every registered observable of ``problem`` that the engine computes, piece by piece."""

    def crossed_pieces(self, problem: Problem):
        """({key: value}, {key: error}) of the crossed piece (default: the semiclassical pair skew)."""
        from .crossed import pair_skew_pieces

        return pair_skew_pieces(problem)


def _at_temperature(evaluate):
    """``evaluate`` at T = 0; at T > 0 the thermal convolution of its T = 0 answers (docs/temperature.md)."""
    @functools.wraps(evaluate)
    def wrapper(self, problem: Problem) -> Response:
        if problem.T > 0:
            from .thermal import convolve

            return convolve(self, problem, lambda p: evaluate(self, p))
        response = evaluate(self, problem)
        if problem.crossed:      # the crossed (pair) pieces, one wrapper for every engine (issue 17)
            from .crossed import add_crossed

            response = add_crossed(self, problem, response)
        return response
    return wrapper


ENGINES: dict[str, Engine] = {}


def register_engine(engine: Engine) -> Engine:
    ENGINES[engine.name] = engine
    return engine


def get_engine(name: str) -> Engine:
    from ..errors import SemiclassicalError

    if name not in ENGINES:
        raise SemiclassicalError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    return ENGINES[name]
