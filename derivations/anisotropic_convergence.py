"""Anisotropic models (no closed form): convergence of the quadrature engine in the contour nodes.

    python derivations/anisotropic_convergence.py > docs/anisotropic_convergence.md

For the two anisotropic models of the catalogue (src/semiclassical/catalogue.py),

    tilted massive Dirac     H = t kx + v (kx sy - ky sx) + M sz                   (v=1, M=0.5, t=0.3)
    hexagonal warping        H = v (kx sy - ky sx) + lam (kx^3 - 3 kx ky^2) sz + M sz   (v=1, M=0.5, lam=0.2)

at eF = 1 (one Fermi contour, upper band), every Fermi-surface piece of sigma_yx, <s_x> and <s_y>
(paper Eqs. 52 and 63: extrinsic velocity/spin with n^(-1), side jump n^sj, skew scattering n^sk in
reading T, and the 1/W Edelstein term) is computed by :func:`semiclassical.quadrature.fermi_surface_terms`
with N equally spaced angles per contour, i.e. N nodes on the Fermi contour (and N per skew shell),
in a random k-dependent eigenvector gauge. Nothing here reads a closed form: there is none for
these models. The first table of each model lists the values, the second the deviation from the
finest row, relative to the largest W^0 piece of the same kind (sigma_yx pieces; spin-density
pieces of <s_x> and <s_y> together; the 1/W Edelstein term relative to itself), so that pieces
that vanish by symmetry (here the W^0 pieces of <s_y>) are judged on the scale of the spin
density, as the engine's own convergence control does. The W^0 pieces do not depend on W; the Edelstein term is 1/W (given
at W = 0.01). The Fermi-sea (intrinsic) pieces do not use the contour nodes and are not listed.
"""
from __future__ import annotations

import sys
import time

from semiclassical.catalogue import MODELS, numeric_model
from semiclassical.quadrature import RandomGauge, fermi_surface_terms

EF = 1.0
W = 0.01
GAUGE_SEED = 7
N_VALUES = (8, 12, 16, 24, 32, 48, 64, 96, 128)
COMMAND = "python derivations/anisotropic_convergence.py > docs/anisotropic_convergence.md"

#: (key, model factory with the catalogue's parameters, title)
CASES = (
    ("tilted-dirac", lambda p: numeric_model("tilted-dirac", v=p["v"], M=p["M"], t=p["t"]), "tilted massive Dirac"),
    ("warped-dirac", lambda p: numeric_model("warped-dirac", v=p["v"], M=p["M"], lam=p["lam"]), "hexagonally warped Dirac"),
)
#: columns: (label, observable family, getter on fermi_surface_terms' result)
COLUMNS = (
    ("σ_yx ext", "sigma", lambda r: r["current"]["extrinsic"][1]),
    ("σ_yx sj", "sigma", lambda r: r["current"]["side_jump"][1]),
    ("σ_yx sk", "sigma", lambda r: r["current"]["skew"][1]),
    ("⟨s_x⟩ ext", "spin", lambda r: r["spin"]["extrinsic"][0]),
    ("⟨s_x⟩ sj", "spin", lambda r: r["spin"]["side_jump"][0]),
    ("⟨s_x⟩ sk", "spin", lambda r: r["spin"]["skew"][0]),
    ("⟨s_y⟩ Edelstein", "edelstein", lambda r: r["spin"]["edelstein"][1]),
    ("⟨s_y⟩ ext", "spin", lambda r: r["spin"]["extrinsic"][1]),
    ("⟨s_y⟩ sj", "spin", lambda r: r["spin"]["side_jump"][1]),
    ("⟨s_y⟩ sk", "spin", lambda r: r["spin"]["skew"][1]),
)


def table(model, n_values=N_VALUES, eF=EF, W=W, gauge_seed=GAUGE_SEED) -> list[dict]:
    """One row per N: {"N", "nodes", "skew_shells", "seconds", label: value for every column}."""
    rows = []
    for n in n_values:
        t0 = time.perf_counter()
        r = fermi_surface_terms(model, eF, W, int(n), gauge=RandomGauge(gauge_seed))
        row = {"N": int(n), "nodes": int(r["shell"].size), "skew_shells": len(r["skew"].parts),
               "skew_reading": r["skew_reading"]}
        row.update({label: float(get(r)) for label, _, get in COLUMNS})
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def deviations(rows: list[dict]) -> list[dict]:
    """|X(N) - X(N_max)| / scale of X's observable family (see the module docstring)."""
    ref = rows[-1]
    scale = {}
    for label, fam, _ in COLUMNS:
        scale[fam] = max(scale.get(fam, 0.0), abs(ref[label]))
    return [{label: abs(r[label] - ref[label]) / max(scale[fam], 1e-300) for label, fam, _ in COLUMNS}
            for r in rows]


def converged_from(rows: list[dict], tol: float = 1e-12) -> int | None:
    """Smallest N from which every later row (except the reference) deviates by <= tol."""
    dev = deviations(rows)
    first = None
    for r, d in zip(rows[:-1], dev[:-1]):
        if max(d.values()) <= tol:
            first = r["N"] if first is None else first
        else:
            first = None
    return first


def markdown(results: dict) -> str:
    labels = [c[0] for c in COLUMNS]
    out = ["# Anisotropic models: convergence in the number of Fermi-contour nodes", "",
           f"Produced by `{COMMAND}` (quadrature engine, skew scattering in reading T (golden rule), eF = {EF}, "
           f"W = {W}, random eigenvector gauge seed {GAUGE_SEED}; e = hbar = 1; per unit E_x, E = x).", ""]
    summary = []
    for key, (title, params, rows) in results.items():
        dev = deviations(rows)
        n_conv = converged_from(rows)
        out += [f"## {title} (`{key}`: " + ", ".join(f"{k} = {v}" for k, v in params.items()) + ")", "",
                "Values:", "",
                "| N | nodes | skew shells | " + " | ".join(labels) + " |",
                "|---" * (3 + len(labels)) + "|"]
        for r in rows:
            out.append(f"| {r['N']} | {r['nodes']} | {r['skew_shells']} | "
                       + " | ".join(f"{r[lab]:.13g}" for lab in labels) + " |")
        out += ["", f"Deviation from N = {rows[-1]['N']}, relative to the largest W^0 piece of the same kind "
                "(sigma_yx; spin density; Edelstein term itself):", "",
                "| N | " + " | ".join(labels) + " | max |", "|---" * (2 + len(labels)) + "|"]
        for r, d in zip(rows[:-1], dev[:-1]):
            out.append(f"| {r['N']} | " + " | ".join(f"{d[lab]:.1e}" for lab in labels)
                       + f" | {max(d.values()):.1e} |")
        secs = ", ".join(f"N={r['N']}: {r['seconds']:.2f}" for r in rows)
        out += ["", f"Seconds per row: {secs}.", ""]
        steps = ", ".join(f"{max(d.values()):.0e} (N = {r['N']})" for r, d in zip(rows[:4], dev[:4]))
        summary.append(f"{title}: largest deviation {steps}, "
                       + (f"at most 1e-12 from N = {n_conv} on (rounding level, ~1e-15)" if n_conv
                          else "not yet at 1e-12"))
    out += ["## Summary", "",
            "Every Fermi-surface piece converges geometrically (spectrally) in the number of contour "
            "nodes, as the periodic trapezoid rule does for analytic integrands: "
            + "; ".join(summary) + ". The tilted cone converges fastest (its contour and "
            "eigenvectors carry only low angular harmonics); the warping term's cos 3 theta harmonics "
            "and their products need more nodes. The W^0 pieces of <s_y> vanish by symmetry in both "
            "models (rounding level at every N).", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    results = {}
    for key, make, title in CASES:
        params = dict(MODELS[key][1])
        rows = table(make(params))
        results[key] = (title, params, rows)
    sys.stdout.write(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
