"""The outputs of `semiclassical derive`: text, one complete LaTeX document, JSON (docs/design.md section 4).

All three render the same :func:`semiclassical.chain.derive_chain` results; long sums break across
lines (a fixed number of terms per line inside ``aligned``) instead of running off the page.
"""
from __future__ import annotations

import sympy as sp

from . import units
from .chain import CIRCLE_VARIABLES
from .results import Result, symbol_names

__all__ = ["as_text", "as_latex_document", "as_json", "TERMS_PER_LINE"]

TERMS_PER_LINE = 3
GAUGE = "canonical: |u+> = (cos a/2, sin a/2 w u^J), |u-> = (-sin a/2 w* u^-J, cos a/2), cos a = d_z/|d|, u = e^(i theta)"


def _variables_text():
    return [f"  {name:<6} {meaning}" for name, meaning in CIRCLE_VARIABLES.items()]


def _case(model) -> str:
    """Which signs of the parameters the printed forms assume (:meth:`TwoBandModel.sign_case`)."""
    return (f"{model.sign_description} (the forms assume these signs; another sign is another case: "
            "derive again with --set NAME=VALUE)") if model.parameters else "no parameters"


def as_text(model, geometry, scenarios) -> str:
    lines = [f"model {model.name}: H = {sp.sstr(model.matrix)}", f"sign case: {_case(model)}", f"gauge: {GAUGE}",
             units.statement(),
             "circle variables (c = 1, 2, ... numbers the circles of a scenario):", *_variables_text(), "",
             "geometry (generic point k, u = e^(i theta)):"]
    lines += [f"  {r}" for r in geometry]
    for label, results in scenarios:
        lines += ["", f"scenario {label}"]
        lines += ["  " + str(r).replace("\n", "\n  ") for r in results]
    return "\n".join(lines)


def _latex_body(expr) -> str:
    """LaTeX of one expression; a sum of many terms is split into lines of TERMS_PER_LINE terms."""
    expr = sp.sympify(expr)
    names = symbol_names(expr)
    if not isinstance(expr, sp.Add) or len(expr.args) <= TERMS_PER_LINE:
        return sp.latex(expr, symbol_names=names)
    terms = [sp.latex(t, symbol_names=names) for t in expr.as_ordered_terms()]
    signed = [t if n == 0 or t.startswith("-") else "+ " + t for n, t in enumerate(terms)]
    rows = [("& " if i == 0 else "&\\quad ") + " ".join(signed[i:i + TERMS_PER_LINE])
            for i in range(0, len(signed), TERMS_PER_LINE)]
    return "\\begin{aligned}" + " \\\\\n".join(rows) + "\\end{aligned}"


def _latex_result(r: Result) -> list[str]:
    from .results import DISPLAY_MAX_CHARS, FULL

    if r.size() > DISPLAY_MAX_CHARS and not FULL[0]:
        return [f"\\paragraph{{{_escape(r.name)}}} (Eq.~{_escape(r.equation)}): a form of {r.size()} characters, "
                "printed with \\texttt{--full}."]
    if r.expr is None:      # not derived (no closed form, a budget): the notes say why
        return [f"\\paragraph{{{_escape(r.name)}}}" + (f" (Eq.~{_escape(r.equation)})" if r.equation else "")
                + f": not derived: {_escape('; '.join(r.notes) or 'see the notes')}."]
    exprs = r.expr if r.is_vector else (r.expr,)
    comps = r.components or tuple(str(i) for i in range(len(exprs))) if r.is_vector else ("",)
    out = [f"\\paragraph{{{_escape(r.name)}}}" + (f" (Eq.~{_escape(r.equation)})" if r.equation else "")
           + (f", order ${r.order.replace('^0', '^{0}')}$" if r.order else "")]
    for c, x in zip(comps, exprs):
        sub = f"_{{\\mathrm{{{_escape(c)}}}}}" if c else ""
        out.append(f"\\[ {{{r.symbol}}}{sub} = {_latex_body(x)} \\]")
    if r.explicit is not None:
        ex = r.explicit if r.is_vector else (r.explicit,)
        out.append("In $\\epsilon_F$ and the parameters:")
        for c, x in zip(comps, ex):
            sub = f"_{{\\mathrm{{{_escape(c)}}}}}" if c else ""
            out.append(f"\\[ {{{r.symbol}}}{sub} = {_latex_body(x)} \\]")
    elif r.explicit_note:
        out.append(f"({_escape(r.explicit_note)})")
    return out


def _escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("^", r"\^{}"), ("<", r"$\langle$"), (">", r"$\rangle$"), ("{", r"\{"), ("}", r"\}")):
        text = text.replace(a, b)
    return text


def as_latex_document(model, geometry, scenarios) -> str:
    """One complete LaTeX document, preamble to ``\\end{document}`` (amsmath only)."""
    lines = [r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
             r"\usepackage{amsmath,amssymb}", r"\allowdisplaybreaks", r"\begin{document}",
             f"\\section*{{Semiclassical theory of {_escape(model.name)}}}",
             f"$H = {sp.latex(model.matrix)}$. Sign case: {_escape(_case(model))}. Gauge: {_escape(GAUGE)}.",
             _escape(units.statement()[0].upper() + units.statement()[1:]) + ".",
             r"\subsection*{Circle variables}", r"\begin{itemize}"]
    lines += [f"\\item \\texttt{{{_escape(n)}}}: {_escape(m)}" for n, m in CIRCLE_VARIABLES.items()]
    lines += [r"\end{itemize}", r"\subsection*{Geometry}"]
    for r in geometry:
        lines += _latex_result(r)
    for label, results in scenarios:
        lines.append(f"\\subsection*{{Scenario {_escape(label)}}}")
        for r in results:
            lines += _latex_result(r)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def as_json(model, geometry, scenarios) -> dict:
    results = [r.to_json("geometry") for r in geometry]
    for label, rs in scenarios:
        results += [r.to_json(label) for r in rs]
    return {"model": model.name, "hamiltonian": sp.sstr(model.matrix), "sign_case": _case(model), "gauge": GAUGE,
            "units": units.statement(), "variables": CIRCLE_VARIABLES, "results": results}
