"""Errata of Burgos Atencia, Niu, Culcer (2021) found while deriving Sec. VI from Eq. 68.

One :class:`Erratum` per misprint: the equation, what is printed, what the derivation gives
(and the toolkit uses), the evidence, and the test that checks it. The report of
``semiclassical reproduce`` and the README render this list; nothing computes from it.

Strings are plain text with light LaTeX (``$...$``) so that both Markdown and LaTeX can show
them (:func:`markdown`, :func:`latex_items`).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Erratum", "ERRATA", "markdown", "latex_items"]


@dataclass(frozen=True)
class Erratum:
    equation: str        # the paper's equation number(s)
    topic: str           # one line: what the equation is
    printed: str         # what the paper prints (the part that is wrong)
    derived: str         # what the derivation gives / what the toolkit uses
    evidence: str        # how we know
    test: str            # pytest node id of the check


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        equation="10",
        topic="white-noise disorder correlator",
        printed=r"$\langle U^{mm'}_{kk'}U^{nn'}_{k'k}\rangle = u_0^2\langle u^m_k|u^{m'}_{k'}\rangle"
                r"\langle u^n_{k'}|u^{n}_k\rangle$ (the last index repeats $n$; Eq. 6 has the same slip)",
        derived=r"$W\langle u^m_k|u^{m'}_{k'}\rangle\langle u^n_{k'}|u^{n'}_k\rangle$, $W = n_i u_0^2$",
        evidence="With $n' = n$ the correlators are not gauge covariant: e.g. $\\langle U^{+-}_{kk'}U^{-+}_{k'k}"
                 "\\rangle$ would read $W\\langle u^+_k|u^-_{k'}\\rangle\\langle u^-_{k'}|u^-_k\\rangle$, which a "
                 "k-dependent phase of the eigenvectors changes; the general form gives "
                 "$W|\\langle u^+_k|u^-_{k'}\\rangle|^2$ and reproduces Eqs. 76-77 and 98 in any gauge.",
        test="tests/test_paper_ti.py::test_erratum_eq10_printed_correlator_is_not_gauge_invariant",
    ),
    Erratum(
        equation="38",
        topic="field correction to the collision integral (side jump)",
        printed=r"first term $\langle U^{mm}_{kk'}U^{m'm}_{k'k}\rangle[\mathcal{R}^{mm}_{k'}-\mathcal{R}^{mm}_{k}]"
                r"\,\delta(\epsilon^m_{k'}-\epsilon^m_k)$: intraband only, not gauge covariant",
        derived=r"gauge-invariant coordinate shift: $\sum_{m'k'}W|O|^2\,[\mathcal{R}^{m'm'}_{k'}-\mathcal{R}^{mm}_k"
                r"+(\nabla_k+\nabla_{k'})\arg O]\,\delta(\epsilon^{m'}_{k'}-\epsilon^m_k)$, "
                r"$O=\langle u^m_k|u^{m'}_{k'}\rangle$",
        evidence="A k-dependent phase of $|u^m_k\\rangle$ changes the printed first term; the coordinate-shift form is "
                 "gauge invariant and reproduces Eq. 81 (hence Eqs. 82 and 101) exactly.",
        test="tests/test_paper_ti.py::test_leading_order_and_side_jump_equations_reproduced_symbolically[81]",
    ),
    Erratum(
        equation="36",
        topic="skew-scattering driving term",
        printed=r"first correlator $\langle U^{mm''}_{kk'}U^{m''m}_{k'k}\rangle$; second denominator "
                r"$\epsilon^m_k-\epsilon^{m''}_{k''}$; outer delta $\delta(\epsilon^{m'}_{k'}-\epsilon^{m''}_k)$",
        derived=r"$\langle U^{mm''}_{kk'}U^{m'm}_{k'k}\rangle$; $\epsilon^m_k-\epsilon^{m''}_{k}$; "
                r"$\delta(\epsilon^{m'}_{k'}-\epsilon^m_k)$ (the exact static steady state of Eq. 16, "
                "'reading C')",
        evidence="As printed the integrand is not gauge covariant (the phase of $S'^{m''m'}$ survives) and, "
                 "in the canonical gauge, the driving term does not conserve particle number. Corrected, "
                 "it reproduces Eqs. 84, 85, 103 exactly and, for the TI, the total Eq. 86 equals the "
                 "Kubo-Streda (non-crossing) result. With the rotating Markov form of Eq. 17 (delta on the "
                 "inner indices) the skew terms are exactly 1/3 of Eqs. 84, 85, 103. Beyond the TI see the "
                 "entry for Eqs. 35-36, 84.",
        test="tests/test_skew.py::test_reading_A_is_gauge_dependent_for_the_ti",
    ),
    Erratum(
        equation="17",
        topic="Markov approximation of the collision integral acting on an interband coherence",
        printed=r"$g_0=-\frac{i}{\hbar}\int_0^\infty dt'\,[e^{-iH_0t'/\hbar}Ue^{iH_0t'/\hbar},\langle\rho(t)\rangle]$ "
                r"applied to the dc coherence $S'$",
        derived=r"for a density static in the Schroedinger picture: "
                r"$g_0=-\frac{i}{\hbar}\int_0^\infty dt\,e^{-iH_0t/\hbar}[U,\rho]e^{iH_0t/\hbar}$",
        evidence="Both forms agree on band-diagonal $n$ (Eq. 28); on $S'$ the rotating form gives 1/3 of the "
                 "paper's skew terms, the static form gives Eqs. 84-86 and 103 exactly.",
        test="tests/test_skew.py::test_ti_reading_B_is_one_third_of_eq85",
    ),
    Erratum(
        equation="35-36, 84",
        topic="where the skew-scattering distribution lives (physics, beyond the misprints above)",
        printed=r"$n^{(\mathrm{sk})}\propto\delta(\epsilon_F-\epsilon^+_k)\,e\mathbf E\cdot\hat\theta\,\sigma_z$: "
                r"half of it a lower-band population at $k_F$, energy $-\epsilon_F$ (in general: on 'mirror' "
                r"shells at the coherence partner's energy $\epsilon^{\bar m}_{k_F}\neq\epsilon_F$)",
        derived=r"golden rule with the fourth-order non-crossing T-matrix (the default, 'reading T'): "
                r"$J_{sk}(l)=\frac{4\pi^2W^2}{\hbar}\sum_{j,q}\delta_j\delta_q\,g_j\,"
                r"\mathrm{Im}\langle u_l|u_j\rangle\langle u_j|u_q\rangle\langle u_q|u_l\rangle"
                r"\,(\Delta_l^{-1}+\Delta_j^{-1}+\Delta_q^{-1})$, all three states on the Fermi shell, "
                r"$\Delta=\epsilon^m-\epsilon^{\bar m}$; it equals exactly twice the Fermi-shell part of the "
                r"paper's driving term, and for the TI $n^{(\mathrm{sk})}$ is $2\times$ the ++ entry of Eq. 84 "
                r"with no lower-band ($-{}-$) entry",
        evidence=r"Energy is conserved between the real incoming and outgoing states of a scattering event, "
                 r"both at $\epsilon_F$; the interband partner in the coherence is virtual and enters only through "
                 r"$1/\Delta$, so no $W^0$ population can sit at another energy (a $T = 0$ Kubo-Streda response "
                 r"has no pinched $G^RG^A$ there). For constant $d_0$ the mirror half gives the same current and "
                 r"spin as the Fermi half: Eqs. 85, 86, 103 stand. For $d_0(k)$ varying the paper's route disagrees "
                 r"with the Kubo-Streda NCA by $10^{-4}$ to $2\times10^{-2}$ (Rashba ferromagnet with both subbands "
                 r"occupied: $-0.0137$ instead of the published 0, Nunner et al. PRB 76, 235312 (2007)); the golden "
                 r"rule agrees with it to the Kubo error ($\le 10^{-9}$) for every model, one and two circles, "
                 r"isotropic and anisotropic (docs/kubo_vs_semiclassical.md, docs/skew_scattering.md).",
        test="tests/test_kubo_vs_semiclassical.py::test_closed_form_totals_equal_kubo",
    ),
    Erratum(
        equation="105",
        topic="spin-orbit torque, field-like (Edelstein) term",
        printed=r"$-\frac{e\tau\epsilon_F M\rho(\epsilon_F)}{2\pi\hbar^2 v_F}\frac{1-\xi_F^2}{1+3\xi_F^2}\,"
                r"\mathbf{m}\times(\hat z\times\mathbf{E})$",
        derived=r"$-\frac{e\tau\epsilon_F M}{2\pi\hbar^2 v_F}\frac{1-\xi_F^2}{1+3\xi_F^2}\,"
                r"\mathbf{m}\times(\hat z\times\mathbf{E})$ $= -e\tau v_F M\rho(\epsilon_F)\cdots$",
        evidence=r"$\boldsymbol\tau = (2M/\hbar)\,\mathbf m\times\langle\mathbf s\rangle$ with "
                 r"$\mathbf s = (\hbar/2)\boldsymbol\sigma$ is $M\,\mathbf m\times\langle\boldsymbol\sigma\rangle$; "
                 r"with Eq. 104 the first term is $-e\tau v_F M\rho(\epsilon_F)(\ldots)$, and substituting "
                 r"$\rho = \epsilon_F/2\pi\hbar^2v_F^2$ removes the factor $\rho$. The printed form keeps it as "
                 "well: one factor rho(eF) too many, dimensionally inconsistent with the second (damping-like) "
                 "term, which agrees.",
        test="tests/test_paper_ti.py::test_eq105_torque",
    ),
)


def markdown() -> str:
    """A Markdown list (README, report.md)."""
    out = []
    for e in ERRATA:
        out.append(f"- **Eq. {e.equation}** ({e.topic}). Printed: {e.printed}. Derived/used: {e.derived}. "
                   f"{e.evidence} Checked by `{e.test}`.")
    return "\n".join(out) + "\n"


def _tex_text(s: str) -> str:
    """Escape a plain-text fragment for LaTeX, leaving $...$ math alone."""
    parts = s.split("$")
    for i in range(0, len(parts), 2):  # outside math
        parts[i] = (parts[i].replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("&", r"\&")
                    .replace("%", r"\%").replace("#", r"\#").replace("^", r"\^{}")
                    .replace("<", r"\textless{}").replace(">", r"\textgreater{}").replace("|", r"\textbar{}"))
    return "$".join(parts)


def _tex_breakable(s: str) -> str:
    """A test id for \\texttt, with break points after '::', '/' and '_' (long ids would run off the page)."""
    return (_tex_text(s).replace("::", r"::\allowbreak{}").replace("/", r"/\allowbreak{}")
            .replace(r"\_", r"\_\allowbreak{}"))


def latex_items() -> str:
    """An itemize environment (report.tex)."""
    out = [r"\begin{itemize}"]
    for e in ERRATA:
        out.append(rf"\item \textbf{{Eq.~{e.equation}}} ({_tex_text(e.topic)}). "
                   rf"\emph{{Printed:}} {_tex_text(e.printed)}. \emph{{Derived/used:}} {_tex_text(e.derived)}. "
                   rf"{_tex_text(e.evidence)} Checked by \texttt{{{_tex_breakable(e.test)}}}.")
    out.append(r"\end{itemize}")
    return "\n".join(out)
