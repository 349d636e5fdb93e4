"""The report of ``semiclassical reproduce --out DIR``: Markdown, LaTeX (and PDF), figures.

    DIR/report.md          the table, the figures, the errata (GitHub-flavoured Markdown)
    DIR/report.tex         the same with every derived and printed form typeset; compiles with
                           pdflatex or lualatex (amsmath, geometry, graphicx, longtable, booktabs,
                           xcolor: texlive-latex-base + texlive-latex-recommended)
    DIR/figures/*.png      :mod:`semiclassical.figures`
    DIR/report.pdf         with ``--pdf`` (:func:`compile_pdf`)

Long SymPy expressions are shrunk to the line width (a ``\\fiteq`` macro built on graphicx's
``\\resizebox``), never broken by hand, so nothing runs off the page.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import sympy as sp

from . import errata, units

__all__ = ["SYMBOLS", "INTRO", "INTRO_TEX", "LATEX_NAMES", "tex_escape", "tex_text", "markdown", "PREAMBLE",
           "latex", "write", "tex_engine", "compile_pdf", "compile_or_explain"]

#: LaTeX symbol of each row's quantity (falls back to the escaped text)
SYMBOLS = {
    "68": r"H", "69": r"\epsilon^{\pm}_{\mathbf k},\ |u^{\pm}_{\mathbf k}\rangle",
    "70": r"\mathcal{R}^{d}_{\theta}", "71/92-93": r"\mathcal{R}^{+-}_{k},\ \mathcal{R}^{+-}_{\theta}",
    "72": r"\sigma_{yx}^{\mathrm{int}}", "73": r"\Omega^{+}_{z}", "74": r"\sigma_{yx}^{\mathrm{int}}",
    "75": r"\sigma_{yx}^{\mathrm{ext}}", "76": r"1/\tau_{tr}", "77": r"\beta^{+}_{\theta}",
    "78": r"\sigma_{yx}^{\mathrm{ext}}", "79": r"\sigma_{yx}^{\mathrm{sj}}", "80": r"v^{++}_{y}",
    "81": r"n^{(\mathrm{sj})++}", "82": r"\sigma_{yx}^{\mathrm{sj}}", "83": r"\sigma_{yx}^{\mathrm{sk}}",
    "84": r"n^{(\mathrm{sk})}", "85": r"\sigma_{yx}^{\mathrm{sk}}", "86": r"\sigma_{yx}",
    "87": r"\langle\mathbf{s}\rangle^{\mathrm{Edel}}", "88-89": r"s^{++}_{x},\ s^{++}_{y}",
    "90": r"\langle s_y\rangle^{\mathrm{Edel}}", "91": r"\langle\mathbf{s}\rangle^{\mathrm{int}}",
    "94-95": r"s^{-+}_{x},\ s^{-+}_{y}", "96": r"\langle s_x\rangle^{\mathrm{int}}",
    "97": r"\langle\mathbf{s}\rangle^{\mathrm{ext}}", "98": r"\gamma^{++}_{k}", "99": r"\langle s_x\rangle^{\mathrm{ext}}",
    "100": r"\langle s_x\rangle^{\mathrm{sj}}", "101": r"\langle s_x\rangle^{\mathrm{sj}}",
    "102": r"\langle\mathbf{s}\rangle^{\mathrm{sk}}", "103": r"\langle s_x\rangle^{\mathrm{sk}}",
    "104": r"\langle s_x\rangle", "105": r"\boldsymbol{\tau}",
}

INTRO = (
    "Every entry is derived by the toolkit from the Hamiltonian of Eq. 68, "
    "H = hbar v_F (k_x sigma_y - k_y sigma_x) + M sigma_z, in the scenario 0 < M < eF "
    "(derivations/ti_anomalous_hall.py, derivations/ti_spin_orbit_torque.py), compared with the paper's "
    "printed form (symbolic difference, else random numbers) and with the independent quadrature engine "
    "(numeric eigenvectors in a random k-dependent gauge, no closed form read). Conventions: charge -e, "
    "E = E_x xhat, per unit E_x and area, spin = Pauli sigma (the torque restores hbar/2), "
    "W = n_i u0^2, 1/tau = pi W rho/hbar, xi = M/eF."
)

INTRO_TEX = (
    r"Every entry is derived by the toolkit from the Hamiltonian of Eq.~68, "
    r"$H=\hbar v_F(k_x\sigma_y-k_y\sigma_x)+M\sigma_z$, in the scenario $0<M<\epsilon_F$ "
    r"(\texttt{derivations/\allowbreak{}ti\_anomalous\_hall.py} and "
    r"\texttt{derivations/\allowbreak{}ti\_spin\_orbit\_torque.py}), "
    r"compared with the paper's printed form (symbolic difference, else random numbers) and with the "
    r"independent quadrature engine (numeric eigenvectors in a random $\mathbf k$-dependent gauge; no closed "
    r"form is read). Conventions: charge $-e$, $\mathbf E=E_x\hat x$, results per unit $E_x$ and area, "
    r"spin $=$ Pauli $\boldsymbol\sigma$ (the torque restores $\hbar/2$), $W=n_iu_0^2$, "
    r"$1/\tau=\pi W\rho/\hbar$, $\xi=M/\epsilon_F$."
)

#: how symbols print in the LaTeX report (the paper's notation)
LATEX_NAMES = {"eF": r"\epsilon_F", "v": r"v_F", "theta": r"\theta"}


# ------------------------------------------------------------------------------ helpers
def tex_escape(s: str) -> str:
    """Plain text -> LaTeX text (default OT1 encoding: < > | as math or text symbols)."""
    out = []
    for ch in s:
        out.append({"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "{": r"\{", "}": r"\}", "&": r"\&",
                    "%": r"\%", "#": r"\#", "$": r"\$", "~": r"\~{}", "|": r"$|$", "<": r"$<$",
                    ">": r"$>$"}.get(ch, ch))
    return "".join(out)


def tex_text(s: str) -> str:
    """Text with $...$ math -> LaTeX: escape outside the math, keep the math."""
    parts = s.split("$")
    for i in range(0, len(parts), 2):
        parts[i] = tex_escape(parts[i])
    return "$".join(parts)


def _components(r):
    """[(label, derived, printed)] of a row."""
    d, p = r["derived"], r["printed"]
    if isinstance(p, tuple):
        labels = r.get("components") or tuple(str(i) for i in range(len(p)))
        d = d if d is not None else (None,) * len(p)
        return list(zip(labels, d, p))
    return [("", d, p)]


def _sstr(x):
    if x is None:
        return "pending"
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(_sstr(y) for y in x) + ")"
    return sp.sstr(x)


def _qtext(r, fmt="{:.1e}"):
    if r.get("quadrature") is None:
        return r.get("quadrature_note") or "-"
    return fmt.format(r["quadrature"])


def _tex_number(x: float) -> str:
    mant, exp = f"{x:.1e}".split("e")
    return rf"${mant}\times 10^{{{int(exp)}}}$"


def _verdict_tex(v: str) -> str:
    if v == "ERRATUM":
        return r"\textbf{\textcolor{red!70!black}{ERRATUM}}"
    if v.startswith("agrees"):
        return r"\textcolor{green!40!black}{" + v + "}"
    return r"\textit{" + tex_escape(v) + "}"


# ------------------------------------------------------------------------------ Markdown
def markdown(rows, timings: dict, figures=(), title="Reproduction of Sec. VI (magnetic TI surface, Eq. 68)") -> str:
    n_agree = sum(r["verdict"].startswith("agrees") for r in rows)
    n_err = sum(r["verdict"] == "ERRATUM" for r in rows)
    q = [r["quadrature"] for r in rows if r.get("quadrature") is not None]
    md = [f"# {title}", "", INTRO, "",
          f"**Summary:** {n_agree} equations reproduced, {n_err} {'erratum' if n_err == 1 else 'errata'} in the printed forms "
          f"(see below), {sum(r['verdict'] == 'definition' for r in rows)} defining sums; "
          f"closed forms vs quadrature: largest relative difference {max(q):.1e} over {len(q)} rows." if q else "",
          "", "Timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + ".", "",
          units.statement()[0].upper() + units.statement()[1:] + ".", "",
          "| Eq. | quantity | verdict | quadrature (max rel. diff.) | derived | printed |",
          "|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['equation']} | {r['quantity']} | **{r['verdict']}** | {_qtext(r)} | "
                  f"`{_sstr(r['derived']) if r['verdict'] != 'definition' else ''}` | "
                  f"`{_sstr(r['printed']) if r['printed'] is not None else ''}` |".replace("``", ""))
    if figures:
        md += ["", "## Figures", ""]
        for path, caption in figures:
            md += [f"![{Path(path).stem}](figures/{Path(path).name})", "", f"*{caption}*", ""]
    md += ["", "## Errata", "", errata.markdown()]
    bad = [r for r in rows if r["verdict"] == "ERRATUM"]
    if bad:
        md += ["Derived minus printed, per component, for the rows marked ERRATUM:", ""]
        for r in bad:
            for (label, d, p), diff in zip(_components(r), r["difference"] if isinstance(r["difference"], list)
                                           else [r["difference"]]):
                md.append(f"- Eq. {r['equation']} {label}: `{sp.sstr(diff)}`")
        md.append("")
    return "\n".join(md) + "\n"


# ------------------------------------------------------------------------------ LaTeX
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{longtable,booktabs,array}
\usepackage[table]{xcolor}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{3pt}
\newsavebox{\fitbox}
% a display that is shrunk to the available width when it is too long (never off the page)
\newcommand{\fiteq}[2]{\sbox{\fitbox}{$\displaystyle #2$}%
  \ifdim\wd\fitbox>#1\resizebox{#1}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}
\newcommand{\formline}[2]{\par\vspace{2pt}\noindent\makebox[6em][l]{#1}\fiteq{\dimexpr\linewidth-6em\relax}{#2}\par}
"""


def latex(rows, timings: dict, figures=(), title="Reproduction of Sec.~VI of Burgos Atencia, Niu, Culcer (2021)") -> str:
    t = [PREAMBLE, r"\begin{document}", r"\sloppy", r"\renewcommand{\arraystretch}{1.3}", r"\begin{center}{\Large " + title + r"}\\[4pt]",
         r"{\normalsize magnetic topological-insulator surface, "
         r"$H=\hbar v_F(k_x\sigma_y-k_y\sigma_x)+M\sigma_z$ (Eq.~68)}\end{center}", "",
         INTRO_TEX, "",
         r"Timings: " + tex_escape(", ".join(f"{k} {v:.1f} s" for k, v in timings.items())) + ".", "",
         tex_escape(units.statement()[0].upper() + units.statement()[1:]) + ".", "",
         r"\section*{Summary}",
         r"\begin{longtable}{@{}l>{\raggedright\arraybackslash}p{0.3\linewidth}"
         r">{\raggedright\arraybackslash}p{0.17\linewidth}>{\raggedright\arraybackslash}p{0.33\linewidth}@{}}",
         r"\toprule Eq. & quantity & verdict (vs print) & quadrature, max rel.\ diff. \\ \midrule \endhead",
         r"\bottomrule \endfoot"]
    for r in rows:
        sym = SYMBOLS.get(r["equation"])
        what = (f"${sym}$" + (r" \emph{(definition)}" if r["verdict"] == "definition" else "")) if sym \
            else tex_escape(r["quantity"])
        if r.get("quadrature") is not None:
            qcell = _tex_number(r["quadrature"])
        else:
            qcell = r"\textit{" + tex_escape(r.get("quadrature_note") or "-") + "}"
        t.append(f"{tex_escape(r['equation'])} & {what} & {_verdict_tex(r['verdict'])} & {qcell} \\\\")
    t.append(r"\end{longtable}")
    t.append(r"Quadrature column: the derived closed form (lambdified) against the independent quadrature engine "
             r"at $\epsilon_F/M = 1.2, 2, 4$ with $\hbar=0.8$, $v_F=1.3$, $e=1.1$, $W=0.05$, in a random gauge; "
             r"for functions of $\mathbf k$ over the quadrature nodes or random momenta.")
    if figures:
        t.append(r"\section*{Figures}")
        for path, caption in figures:
            t += [r"\begin{figure}[!htbp]\centering",
                  rf"\includegraphics[width=\linewidth]{{figures/{Path(path).name}}}",
                  rf"\caption{{{tex_text(caption)}}}", r"\end{figure}"]
    t += [r"\section*{Errata}", r"{\sloppy", errata.latex_items(), r"\par}"]
    t += [r"\section*{Equation by equation}",
          r"Derived: the toolkit's result; printed: the paper's equation as a comparison target "
          r"($\rho=\epsilon_F/2\pi\hbar^2v_F^2$, $1/\tau=\pi W\rho/\hbar$, $\xi=M/\epsilon_F$, "
          r"$\lambda_k=\sqrt{\hbar^2v_F^2k^2+M^2}$)."]
    for r in rows:
        sym = SYMBOLS.get(r["equation"])
        head = rf"Eq.~{tex_escape(r['equation'])}" + (f": ${sym}$" if sym else "")
        t.append(rf"\subsection*{{{head}}}")
        words = tex_escape(r["quantity"]) + ". " if (not sym or "(" in r["quantity"]
                                                     or r["verdict"] == "definition") else ""
        t.append(words + r"Verdict: " + _verdict_tex(r["verdict"])
                 + (r"; quadrature: " + _tex_number(r["quadrature"]) if r.get("quadrature") is not None else
                    (r"; quadrature: \textit{" + tex_escape(r["quadrature_note"]) + "}" if r.get("quadrature_note")
                     else "")) + ".")
        if r["verdict"] == "definition":
            continue
        verdicts = r.get("component_verdicts") or []
        diffs = r["difference"] if isinstance(r["difference"], list) else [r["difference"]]
        for i, (label, d, p) in enumerate(_components(r)):
            if label:
                t.append(r"\par\smallskip\noindent\textit{component " + tex_escape(str(label)) + r"}")
            t.append(rf"\formline{{derived:}}{{{_latex_expr(d)}}}")
            t.append(rf"\formline{{printed:}}{{{_latex_expr(p)}}}")
            bad = verdicts[i] == "ERRATUM" if i < len(verdicts) else r["verdict"] == "ERRATUM"
            if bad and i < len(diffs) and diffs[i] is not None:
                t.append(rf"\formline{{difference:}}{{{_latex_expr(diffs[i])}}}")
    t.append(r"\end{document}")
    return "\n".join(t) + "\n"


def _latex_expr(x):
    if x is None:
        return r"\text{pending}"
    x = sp.sympify(x)
    names = {sym: LATEX_NAMES[sym.name] for sym in x.free_symbols if sym.name in LATEX_NAMES}
    return sp.latex(x, symbol_names=names)


# ------------------------------------------------------------------------------ files
def write(out: Path, rows, timings: dict, figures=()):
    """Write report.md and report.tex into ``out`` (figures already under out/figures)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(markdown(rows, timings, figures))
    (out / "report.tex").write_text(latex(rows, timings, figures))
    return out / "report.md", out / "report.tex"


def tex_engine():
    """The first of pdflatex, lualatex on PATH (None if neither)."""
    for name in ("pdflatex", "lualatex"):
        path = shutil.which(name)
        if path:
            return path
    return None


def compile_pdf(tex_path: Path, engine: str | None = None, timeout: float = 240) -> Path:
    """Compile ``report.tex`` twice (longtable widths) in its folder; returns the PDF path.

    Raises RuntimeError with the end of the log when the engine fails.
    """
    tex_path = Path(tex_path)
    engine = engine or tex_engine()
    if engine is None:
        raise RuntimeError("no TeX engine: install pdflatex or lualatex (e.g. apt-get install "
                           "texlive-latex-base texlive-latex-recommended)")
    for _ in range(2):
        proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex_path.name],
                              cwd=tex_path.parent, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("!")] or ["(see the log)"]
            raise RuntimeError(f"{Path(engine).name} failed on {tex_path}: {errors[0]}\n" + proc.stdout[-3000:])
    return tex_path.with_suffix(".pdf")


def compile_or_explain(tex_path: Path) -> Path:
    """:func:`compile_pdf` for the command line: a missing TeX engine or a failed compile is one
    :class:`SemiclassicalError` line (the .tex stays written)."""
    from .errors import SemiclassicalError

    tex_path = Path(tex_path)
    if tex_engine() is None:
        raise SemiclassicalError(f"--pdf needs pdflatex or lualatex on PATH (Debian: apt-get install "
                                 f"texlive-latex-base texlive-latex-recommended); {tex_path.name} was written")
    try:
        return compile_pdf(tex_path)
    except RuntimeError as exc:
        raise SemiclassicalError(f"compiling {tex_path} failed: {str(exc).splitlines()[0]}") from None
