"""Named results: a SymPy expression that knows its symbol, paper equation, order and LaTeX."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["symbol_names", "DISPLAY_MAX_CHARS", "FULL", "Result"]

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
                pretty = pretty.replace(r"\alpha", rf"\alpha_{{{tag}}}") if r"\alpha" in pretty else rf"{{{pretty}}}_{{{tag}}}"
            names[s] = pretty
        elif s.name == "eF":
            names[s] = r"\epsilon_F"
    return names


#: text and LaTeX forms longer than this are summarized unless FULL[0] is set (`derive --full`)
DISPLAY_MAX_CHARS = 20000
FULL = [False]


@dataclass
class Result:
    """One derived quantity.

    ``expr`` is a SymPy expression (or a tuple for vectors: polar (k, theta) components unless
    ``components`` says otherwise); ``equation`` is the paper's equation number it corresponds to;
    ``order`` its order in the disorder strength W (e.g. "W^0", "1/W", "W"). ``expr`` None: not
    derived (a time budget, no explicit form to differentiate), and ``notes`` say why.
    """

    name: str
    symbol: str
    expr: object
    equation: str = ""
    order: str = ""
    description: str = ""
    components: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    #: the stable key of `derive` (README): "beta", "sigma_yx.skew", ...
    key: str = ""
    #: the form explicit in eF and the parameters (None: not made explicit), and why not
    explicit: object = None
    explicit_note: str = ""
    #: symbols the expression uses that another result defines: {symbol: value}
    definitions: dict = field(default_factory=dict)
    _size: tuple | None = field(default=None, repr=False, compare=False)

    def size(self) -> int:
        """Characters of the plain-text circle form (measured once: printing a huge form is slow)."""
        if self._size is None or self._size[0] is not self.expr:
            self._size = (self.expr, len(self.text()))
        return self._size[1]

    def map(self, f):
        """``f`` applied to the expression (to each component of a vector)."""
        if self.is_vector:
            return tuple(f(sp.sympify(x)) for x in self.expr)
        return f(sp.sympify(self.expr))

    @property
    def is_vector(self) -> bool:
        return isinstance(self.expr, (tuple, list))

    def _components(self, expr):
        return self.components or tuple(str(i) for i in range(len(expr)))

    def latex(self, expr=None) -> str:
        """``symbol = expr`` in LaTeX (``expr``: the explicit form, say; default the circle form)."""
        expr = self.expr if expr is None else expr
        if expr is None:
            return rf"{self.symbol}\ \text{{(not derived: {'; '.join(self.notes) or 'see the notes'})}}"

        def one(x):
            return sp.latex(x, symbol_names=symbol_names(x))

        if isinstance(expr, (tuple, list)):
            return r",\quad ".join(f"{self.symbol}_{{{c}}} = {one(x)}" for c, x in zip(self._components(expr), expr))
        return f"{self.symbol} = {one(expr)}"

    def _repr_latex_(self):
        tag = f"\\quad\\text{{(Eq. {self.equation})}}" if self.equation else ""
        return f"$\\displaystyle {self.latex()}{tag}$"

    def text(self, expr=None) -> str:
        expr = self.expr if expr is None else expr
        if expr is None:
            return f"(not derived: {'; '.join(self.notes) or 'see the notes'})"
        if isinstance(expr, (tuple, list)):
            return "; ".join(f"{c}: {sp.sstr(x)}" for c, x in zip(self._components(expr), expr))
        return sp.sstr(expr)

    def __str__(self):
        eq = f"  [Eq. {self.equation}]" if self.equation else ""
        body = self.text()
        if len(body) > DISPLAY_MAX_CHARS and not FULL[0]:
            body = f"<form of {len(body)} characters: --full prints it>"
        out = f"{self.name} = {body}{eq}"
        if self.explicit is not None:
            out += f"\n    explicit: {self.text(self.explicit)}"
        elif self.explicit_note:
            out += f"\n    ({self.explicit_note})"
        return out

    def free_symbols(self):
        if self.expr is None:
            return set()
        exprs = self.expr if self.is_vector else (self.expr,)
        return set().union(*(sp.sympify(x).free_symbols for x in exprs))

    def to_json(self, scenario: str = ""):
        """The JSON record of `derive --json`: ``expr``/``explicit`` are strings sympify reads back."""
        def strings(x):
            if x is None:
                return None
            return [sp.sstr(y) for y in x] if isinstance(x, (tuple, list)) else sp.sstr(x)

        big = self.size() > DISPLAY_MAX_CHARS and not FULL[0]
        out = {"key": self.key, "name": self.name, "symbol": self.symbol, "equation": self.equation,
               "order": self.order, "scenario": scenario, "expr": strings(self.expr),
               "latex": None if big else self.latex(), "description": self.description}
        if big:
            out["latex_note"] = f"form of {self.size()} characters: LaTeX with --full"
        if self.is_vector:
            out["components"] = list(self._components(self.expr))
        if self.notes:
            out["notes"] = list(self.notes)
        if self.definitions:
            out["defined_in"] = {s.name: "n_leading.harmonics" for s in self.definitions}
        if self.explicit is not None:
            out["explicit"] = strings(self.explicit)
            out["explicit_latex"] = self.latex(self.explicit)
        elif self.explicit_note:
            out["explicit_note"] = self.explicit_note
        return out
