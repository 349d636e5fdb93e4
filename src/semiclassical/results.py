"""Named results: a SymPy expression that knows its symbol, paper equation, order and LaTeX."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

# Point symbols print as the physics they stand for (bloch.Point).
_PRETTY = {"C": r"\cos\alpha", "S": r"\sin\alpha", "ap": r"\alpha'", "dd": r"|d|",
           "d0p": r"d_0'", "ddp": r"|d|'", "ch": r"\cos\tfrac{\alpha}{2}", "sh": r"\sin\tfrac{\alpha}{2}",
           "rho": r"\rho", "kF": r"k_F"}


def symbol_names(expr) -> dict:
    """LaTeX names for the toolkit's internal symbols (C_1 -> cos(alpha_1), ...)."""
    names = {}
    for s in sp.sympify(expr).free_symbols:
        base, _, tag = s.name.partition("_")
        if base in _PRETTY:
            pretty = _PRETTY[base]
            if tag:
                pretty = pretty.replace(r"\alpha", rf"\alpha_{{{tag}}}") if r"\alpha" in pretty else rf"{pretty}_{{{tag}}}"
            names[s] = pretty
        elif s.name == "eF":
            names[s] = r"\epsilon_F"
    return names


@dataclass
class Result:
    """One derived quantity.

    ``expr`` is a SymPy expression (or a tuple for vectors: polar (k, theta) components unless
    ``components`` says otherwise); ``equation`` is the paper's equation number it corresponds to;
    ``order`` its order in the disorder strength W (e.g. "W^0", "1/W", "W").
    """

    name: str
    symbol: str
    expr: object
    equation: str = ""
    order: str = ""
    description: str = ""
    components: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def is_vector(self) -> bool:
        return isinstance(self.expr, (tuple, list))

    def latex(self) -> str:
        def one(x):
            return sp.latex(x, symbol_names=symbol_names(x))

        if self.is_vector:
            comps = self.components or tuple(str(i) for i in range(len(self.expr)))
            body = r",\quad ".join(f"{self.symbol}_{{{c}}} = {one(x)}" for c, x in zip(comps, self.expr))
            return body
        return f"{self.symbol} = {one(self.expr)}"

    def _repr_latex_(self):
        tag = f"\\quad\\text{{(Eq. {self.equation})}}" if self.equation else ""
        return f"$\\displaystyle {self.latex()}{tag}$"

    def __str__(self):
        eq = f"  [Eq. {self.equation}]" if self.equation else ""
        if self.is_vector:
            comps = self.components or tuple(str(i) for i in range(len(self.expr)))
            body = "; ".join(f"{c}: {sp.sstr(x)}" for c, x in zip(comps, self.expr))
        else:
            body = sp.sstr(self.expr)
        return f"{self.name} = {body}{eq}"

    def free_symbols(self):
        exprs = self.expr if self.is_vector else (self.expr,)
        return set().union(*(sp.sympify(x).free_symbols for x in exprs))

    def to_json(self):
        exprs = self.expr if self.is_vector else (self.expr,)
        return {"name": self.name, "symbol": self.symbol, "equation": self.equation, "order": self.order,
                "expr": [sp.sstr(x) for x in exprs] if self.is_vector else sp.sstr(self.expr),
                "latex": self.latex(), "description": self.description}
