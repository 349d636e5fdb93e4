"""The grid of a parameter map: ``--grid NAME=START:STOP:N`` axes, their product, canonical points.

Points are dicts NAME -> float in C order (the first axis varies slowest), the order of the rows of
map.csv. A point's values are plain Python floats taken from ``numpy.linspace``, so the same command
gives the same points, hence the same cache keys, on every run.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import SemiclassicalError

__all__ = ["Axis", "parse_axis", "check_axes", "grid_points", "MAX_POINTS"]

#: the most points a map may have (a typo of N should not fill the disk)
MAX_POINTS = 10_000_000

_FORM = "write it as NAME=START:STOP:N with N >= 1, e.g. --grid eF=0.6:2.0:8"


@dataclass(frozen=True)
class Axis:
    """One grid axis: N evenly spaced values of the parameter ``name`` from ``start`` to ``stop``."""

    name: str
    start: float
    stop: float
    n: int

    @property
    def values(self) -> list[float]:
        return [float(x) for x in np.linspace(self.start, self.stop, self.n)]

    def as_dict(self) -> dict:
        return {"name": self.name, "start": self.start, "stop": self.stop, "n": self.n}


def parse_axis(text: str) -> Axis:
    """``NAME=START:STOP:N`` -> :class:`Axis`; anything else is one clear line."""
    if "=" not in text:
        raise SemiclassicalError(f"--grid {text!r}: no '=': {_FORM}")
    name, spec = (s.strip() for s in text.split("=", 1))
    if not name.isidentifier():
        raise SemiclassicalError(f"--grid {text!r}: {name!r} is not a parameter name: {_FORM}")
    parts = spec.split(":")
    if len(parts) != 3:
        raise SemiclassicalError(f"--grid {text!r}: {len(parts)} field(s) after '=', expected START:STOP:N: {_FORM}")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise SemiclassicalError(f"--grid {text!r}: START and STOP must be numbers: {_FORM}") from None
    try:
        n = int(parts[2])
    except ValueError:
        raise SemiclassicalError(f"--grid {text!r}: N = {parts[2]!r} must be a whole number: {_FORM}") from None
    if n < 1 or not (math.isfinite(start) and math.isfinite(stop)):
        raise SemiclassicalError(f"--grid {text!r}: N must be >= 1 and START, STOP finite: {_FORM}")
    if n == 1 and start != stop:
        raise SemiclassicalError(f"--grid {text!r}: N = 1 with START != STOP; give START=STOP or N >= 2")
    return Axis(name, start, stop, n)


def check_axes(axes: list[Axis], sets: dict) -> None:
    """No parameter twice, none both set and on the grid, a bounded number of points."""
    if not axes:
        raise SemiclassicalError(f"a map needs at least one --grid axis: {_FORM}")
    seen = set()
    for a in axes:
        if a.name in seen:
            raise SemiclassicalError(f"--grid {a.name} is given twice: one axis per parameter")
        if a.name in sets:
            raise SemiclassicalError(f"{a.name} is both set (--set {a.name}={sets[a.name]:g}) and on the grid "
                                     "(--grid): keep one")
        seen.add(a.name)
    total = math.prod(a.n for a in axes)
    if total > MAX_POINTS:
        raise SemiclassicalError(f"the grid has {total} points, more than {MAX_POINTS}: use fewer points per axis")


def grid_points(axes: list[Axis]) -> list[dict]:
    """Every point of the product grid, as {name: value}, first axis slowest (the rows of map.csv)."""
    names = [a.name for a in axes]
    return [dict(zip(names, xs)) for xs in itertools.product(*(a.values for a in axes))]
