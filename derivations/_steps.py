"""The record of a worked example: one :class:`Step` per equation of the paper.

A step holds the equation number, what the quantity is, and the derived SymPy expression (or
a tuple of components); a *definition* step records a defining sum of the paper, which a later
step evaluates. Scripts print their steps as they go when run on their own (``verbose``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass
class Step:
    equation: str
    quantity: str
    expr: object = None           # SymPy expression, tuple of them, or None for a definition
    components: tuple = ()
    definition: str = ""          # for a definition: the sum, and where it is evaluated
    evaluated_in: str = ""


@dataclass
class Steps:
    """An ordered record of the steps of one derivation."""

    title: str
    verbose: bool = False
    steps: list = field(default_factory=list)

    def __post_init__(self):
        if self.verbose:
            print(self.title)
            print("=" * len(self.title))

    def __call__(self, equation, quantity, expr, components=()):
        """Record a derived result (and print it when verbose); returns ``expr``."""
        self.steps.append(Step(equation, quantity, expr, tuple(components)))
        if self.verbose:
            print(f"\nEq. {equation}: {quantity}")
            if isinstance(expr, (tuple, list)):
                for label, x in zip(components or range(len(expr)), expr):
                    print(f"    [{label}] = {_show(x)}")
            else:
                print(f"    = {_show(expr)}")
        return expr

    def define(self, equation, quantity, definition, evaluated_in):
        """Record a defining sum of the paper, evaluated in step ``evaluated_in``."""
        self.steps.append(Step(equation, quantity, None, (), definition, evaluated_in))
        if self.verbose:
            print(f"\nEq. {equation}: {quantity}\n    := {definition}   (evaluated in Eq. {evaluated_in})")

    def note(self, text):
        if self.verbose:
            print(f"\n# {text}")

    def forms(self) -> dict:
        """{equation: derived expression} of the derived (non-definition) steps."""
        return {s.equation: s.expr for s in self.steps if s.expr is not None}

    def __iter__(self):
        return iter(self.steps)


def _show(x):
    s = sp.sstr(x)
    if len(s) > 400:
        return s[:400] + " ..."
    return s
