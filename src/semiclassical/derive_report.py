"""`semiclassical derive MODEL --out DIR`: the whole chain of one model as a report on disk.

DIR/derive.md (the chain as `derive` prints it, under a Markdown title), DIR/derive.tex (the LaTeX
document of `derive --latex`), DIR/derive.json (the `--json` map) and DIR/figures/sigma_yx.png: the
closed-form pieces of sigma_yx versus eF across the model's scenarios (the closed-form engine at each
energy; points at a band edge or extremum, where the theory is singular, are left out and counted in
the caption). With ``pdf``, DIR/derive.pdf (report.compile_pdf).
"""
from __future__ import annotations

from pathlib import Path

from . import chain_document
from .errors import SemiclassicalError

__all__ = ["write_derive_report", "sigma_versus_energy"]

#: energies of the sigma_yx figure
N_ENERGIES = 41


def sigma_versus_energy(model, values: dict, energies) -> tuple[list, dict, int]:
    """(energies used, {piece: [sigma_yx values]}, points left out) from the closed-form engine.

    Models with a pair-skew closed form (the massive-Dirac class, white noise, T = 0:
    :func:`semiclassical.skew.pair_closed.dirac_class`) also get pair_skew and total_full, the total
    with the crossed diagrams (docs/pair_skew.md); the others would need the pair-skew quadrature at
    every energy, which `evaluate --crossed` gives point by point."""
    from .engines import Problem, compare
    from .engines.crossed import refusal
    from .skew.pair_closed import dirac_class

    T = float(values.get("T", 0.0))
    crossed = dirac_class(model)[0] is not None and refusal(model, model.disorder, T) is None
    pieces = ("intrinsic", "extrinsic", "side_jump", "skew", "total") + (("pair_skew", "total_full") if crossed else ())
    used, out, skipped = [], {p: [] for p in pieces}, 0
    for energy in energies:
        try:
            # sigma_yx alone: the spin density's Fermi-sea pieces (a radial quadrature each) are not drawn
            c = compare(Problem.at(model, {**values, "eF": float(energy)}, crossed=crossed,
                                   observables_=("sigma_yx",)), ("closed_form",))
        except SemiclassicalError:     # a band edge or extremum: singular there, not a number
            skipped += 1
            continue
        sigma = c.responses["closed_form"].values["sigma_yx"]
        used.append(float(energy))
        for p in pieces:
            out[p].append(sigma[p])
    return used, out, skipped


def _figure(model, values, path: Path) -> tuple[Path, str] | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from .chain import scenario_energies
    from .engines.closed_form import derivation_for

    base = model.resolve_values({k: v for k, v in values.items() if k != "eF"})
    windows = scenario_energies(derivation_for(model, "T", base).bs, base)
    lo, hi = min(windows), max(windows)
    energies, sigma, skipped = sigma_versus_energy(model, base, np.linspace(lo, hi, N_ENERGIES))
    if not energies:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for piece, ys in sigma.items():
        ax.plot(energies, ys, marker="o", ms=2.5, lw=1.8 if piece.startswith("total") else 1.2,
                ls="--" if piece in ("pair_skew", "total_full") else "-",
                label={"pair_skew": "pair skew (crossed)", "total_full": "total with crossed"}.get(
                    piece, piece.replace("_", " ")))
    ax.set_xlabel(r"$\epsilon_F$")
    ax.set_ylabel(r"$\sigma_{yx}$ ($e^2/\hbar$)")
    ax.legend(fontsize=8)
    ax.set_title(f"{model.name}: closed forms, {model.disorder.describe()}", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    crossed = " and the crossed diagrams' pair skew (dashed)" if "pair_skew" in sigma else ""
    caption = (f"sigma_yx of {model.name} versus eF, piece by piece{crossed} (closed forms, units e^2/hbar), at "
               f"{len(energies)} energies" + (f"; {skipped} at band edges or extrema left out" if skipped else ""))
    return path, caption


def write_derive_report(out: Path, model, geometry, scenarios, dump, pdf: bool = False,
                        values: dict | None = None) -> list[Path]:
    """Write the report files into ``out``; ``dump`` serializes the JSON map (strict JSON)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figure = _figure(model, values or {}, out / "figures" / "sigma_yx.png")
    text = chain_document.as_text(model, geometry, scenarios)
    md = [f"# The semiclassical chain of {model.name}", "", "Derived by `semiclassical derive`: every result "
          "in the circle variables below and, where the radii are explicit, in eF and the parameters.", "",
          "```text", text, "```", ""]
    if figure:
        md += [f"![{figure[1]}](figures/{figure[0].name})", "", figure[1], ""]
    (out / "derive.md").write_text("\n".join(md))
    tex = chain_document.as_latex_document(model, geometry, scenarios)
    (out / "derive.tex").write_text(tex)
    (out / "derive.json").write_text(dump(chain_document.as_json(model, geometry, scenarios)) + "\n")
    paths = [out / "derive.md", out / "derive.tex", out / "derive.json"] + ([figure[0]] if figure else [])
    if pdf:
        from .report import compile_or_explain

        paths.append(compile_or_explain(out / "derive.tex"))
    return paths
