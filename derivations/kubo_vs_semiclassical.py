"""Semiclassical totals against the Kubo-Streda (NCA) engine, model by model.

The paper's claim (Sec. V, Fig. 1, and the text below Eq. 86): the semiclassical theory with the
extrinsic interband velocity, the field-corrected collision integral and the skew term reproduces
the non-crossing-approximation (NCA) Kubo result for white-noise disorder. This script puts three
independent evaluations side by side at each parameter point:

* closed form   ``Derivation(model).evaluate`` (symbolic pipeline, skew reading T, the default);
* quadrature    ``semiclassical.quadrature.evaluate`` (numbers from H(k) alone, reading T);
* Kubo          ``semiclassical.kubo.kubo_response`` (Kubo-Streda, Born self-energy, ladder
                vertex, W -> 0 by Richardson extrapolation; "+-" is its reported error).

and prints Markdown tables for sigma_yx (W^0 total), <s_x> (W^0 total) and <s_y> (its 1/W
Edelstein piece at W; the W^0 piece of <s_y> is not fixed at the Born/NCA level, see
``kubo.engine``). The last tables set the paper's own skew route beside it: reading C (the
interband coherence S' of Eqs. 31-33 under the collision integral of Eq. 16, with its "mirror"
shells at the coherence partner's energy) against the golden rule with the fourth-order
non-crossing T-matrix (reading T, module ``semiclassical.skew``).

    python derivations/kubo_vs_semiclassical.py                      # table on stdout
    python derivations/kubo_vs_semiclassical.py --out docs/kubo_vs_semiclassical.md
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from semiclassical import catalogue
from semiclassical.derivation import Derivation
from semiclassical.kubo import kubo_response
from semiclassical.model import TwoBandModel
from semiclassical.quadrature import evaluate as quad_evaluate

W_VALUE = 0.01
E_VALUE = 1.0

#: the massive Dirac model with the B k^2 sz term but no D k^2 (particle-hole symmetric part only)
DIRAC_B_ONLY = ("v*(kx*sy - ky*sx) + (M - B*k**2)*sz", {"v": 1.0, "M": 0.5, "B": 0.3})

#: (label, model factory, parameter point, what the point is)
POINTS = [
    ("ti-surface", lambda: catalogue.get("ti-surface"), {"v": 1.0, "M": 0.2, "eF": 1.0}, "M/eF = 0.2"),
    ("ti-surface", lambda: catalogue.get("ti-surface"), {"v": 1.0, "M": 0.5, "eF": 1.0}, "M/eF = 0.5"),
    ("ti-surface", lambda: catalogue.get("ti-surface"), {"v": 1.0, "M": 0.8, "eF": 1.0}, "M/eF = 0.8"),
    ("rashba-ferromagnet", lambda: catalogue.get("rashba-ferromagnet"), {"eF": 0.2},
     "eF = 0.2 (−Δ < eF < Δ)"),
    ("rashba-ferromagnet", lambda: catalogue.get("rashba-ferromagnet"), {"eF": 1.0},
     "eF = 1.0 (eF > Δ)"),
    ("rashba-ferromagnet", lambda: catalogue.get("rashba-ferromagnet"), {"eF": -0.55},
     "eF = -0.55 (annulus)"),
    ("chiral", lambda: catalogue.get("chiral"), {"eF": 1.0}, "M = 0.5, eF = 1"),
    ("dirac-quadratic", lambda: catalogue.get("dirac-quadratic"), {"eF": 1.0},
     "B = 0.3, D = 0.1, eF = 1"),
    ("dirac-quadratic, D = 0", lambda: TwoBandModel.from_string(*DIRAC_B_ONLY, name="dirac-B-only"),
     {"eF": 1.0}, "B = 0.3, eF = 1"),
    # anisotropic, d0 = t kx: no closed form; quadrature and Kubo integrate over 2D k
    ("tilted-dirac", lambda: catalogue.get("tilted-dirac"), {"eF": 1.0}, "t = 0.3, M = 0.5, eF = 1"),
]

_MODELS: dict = {}


def _model(label, factory):
    if label not in _MODELS:
        model = factory()
        _MODELS[label] = (model, Derivation(model) if model.is_covariant else None)
    return _MODELS[label]


def compare(label, factory, point, W=W_VALUE):
    """One row: closed form, quadrature and Kubo numbers, with timings (seconds)."""
    model, derivation = _model(label, factory)
    values = model.resolve_values(point)
    nm = model.numeric(values, e=E_VALUE)
    eF = float(values["eF"])
    row = {"model": label, "values": values}
    t0 = time.perf_counter()
    try:
        if derivation is None:
            raise ValueError(f"no closed form: {model.why_not_covariant}")
        closed = derivation.evaluate(values, W_value=W, e_value=E_VALUE)
        row["closed"] = closed
        row["circles"] = len(closed["circles"])
        row["bands"] = "".join("+" if c["band"] > 0 else "-" for c in closed["circles"])
    except Exception as exc:  # reported below the tables, never hidden
        row["closed"] = None
        row["closed_error"] = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
    t1 = time.perf_counter()
    quad = quad_evaluate(nm, eF, W)
    t2 = time.perf_counter()
    kubo = kubo_response(nm, eF, W)
    t3 = time.perf_counter()
    paper = quad_evaluate(nm, eF, W, skew_reading="C")      # the paper's route, mirror shells included
    row.update(quad=quad, kubo=kubo, paper=paper,
               seconds={"closed": t1 - t0, "quadrature": t2 - t1, "kubo": t3 - t2})
    row.setdefault("circles", kubo["meta"]["fermi_points_per_ray"])
    row["kubo_circles"] = kubo["meta"]["fermi_points_per_ray"]
    row["skew_reading"] = quad["meta"].get("skew_reading")
    return row


# ----------------------------------------------------------------------------- formatting
def _f(x, digits=8):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def _rel(a, b, err):
    """(a - b) and (a - b)/|b| (the latter only where |b| is well above its error)."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return "n/a"
    d = a - b
    if abs(b) > 100 * err and abs(b) > 1e-12:
        return f"{d:+.2e} ({d / abs(b):+.1e})"
    return f"{d:+.2e} (abs)"


def _verdict(d, err):
    return "agree" if abs(d) <= max(20 * err, 1e-9) else "**differ**"


def tables(rows):
    out = []
    head = ("| model | point | circles | closed form | quadrature | Kubo (± err) | "
            "quad − Kubo (rel.) | verdict |")
    sep = "|---|---|---|---|---|---|---|---|"

    def block(title, get_sc, get_k, get_err):
        out.extend([f"### {title}", "", head, sep])
        for r in rows:
            c = get_sc(r["closed"]) if r["closed"] else None
            q, k, e = get_sc(r["quad"]), get_k(r["kubo"]), get_err(r["kubo"])
            circles = f"{r['circles']}" + (f" ({r['bands']})" if r.get("bands") else "")
            if r["kubo_circles"] != r["circles"]:  # the engines find the circles independently
                circles += f" [Kubo: {r['kubo_circles']}]"
            out.append(f"| {r['model']} | {r['point']} | {circles} | {_f(c)} | "
                       f"{_f(q)} | {_f(k)} ± {e:.0e} | {_rel(q, k, e)} | {_verdict(q - k, e)} |")
        out.append("")

    block("σ_yx, W⁰ total (units e²/ħ)",
          lambda m: m["sigma_yx"]["total"], lambda k: k["sigma_yx"]["total"],
          lambda k: k["extrapolation_error"]["sigma_yx"]["total"])
    block("⟨s_x⟩, W⁰ total (per unit area per unit E_x)",
          lambda m: m["spin_density"]["x"]["total"], lambda k: k["spin_density"]["x"]["total"],
          lambda k: k["extrapolation_error"]["spin_density"]["x"]["total"])
    block(f"⟨s_y⟩, Edelstein (1/W) piece at W = {W_VALUE}",
          lambda m: m["spin_density"]["y"]["edelstein"], lambda k: k["spin_density"]["y"]["edelstein"],
          lambda k: k["extrapolation_error"]["spin_density"]["y"]["edelstein"])

    out.extend(["### The paper's skew route (reading C) against the golden rule (reading T)", "",
                "| model | point | σ_yx^sk, T | σ_yx^sk, C: Fermi shell + mirror shells | σ_yx: C − Kubo | "
                "σ_yx: T − Kubo | ⟨s_x⟩: C − Kubo | ⟨s_x⟩: T − Kubo | Kubo error |",
                "|---|---|---|---|---|---|---|---|---|"])
    for r in rows:
        q, c, k = r["quad"], r["paper"], r["kubo"]
        fermi = sum(p["sigma_yx"] for p in c["meta"]["skew_by_shell"] if p["fermi"])
        mirror = round(c["sigma_yx"]["skew"] - fermi, 6) + 0.0
        err = max(k["extrapolation_error"]["sigma_yx"]["total"],
                  k["extrapolation_error"]["spin_density"]["x"]["total"])
        ks, kx = k["sigma_yx"]["total"], k["spin_density"]["x"]["total"]
        out.append(f"| {r['model']} | {r['point']} | {round(q['sigma_yx']['skew'], 6) + 0.0:.6f} | "
                   f"{round(fermi, 6) + 0.0:.6f} + {mirror:.6f} | {c['sigma_yx']['total'] - ks:+.1e} | "
                   f"{q['sigma_yx']['total'] - ks:+.1e} | {c['spin_density']['x']['total'] - kx:+.1e} | "
                   f"{q['spin_density']['x']['total'] - kx:+.1e} | {err:.0e} |")
    out.append("")
    out.extend(["### Timings (seconds, this machine)", "",
                "| model | point | closed form | quadrature | Kubo |", "|---|---|---|---|---|"])
    for r in rows:
        s = r["seconds"]
        out.append(f"| {r['model']} | {r['point']} | {s['closed']:.1f} | {s['quadrature']:.2f} | {s['kubo']:.2f} |")
    out.append("")
    for r in rows:
        if r.get("closed_error"):
            out.append(f"- closed form unavailable for {r['model']} at {r['point']}: {r['closed_error']}")
    return "\n".join(out)


FINDING = """\
## Finding: the skew term is the golden rule at eF; the paper's route agrees only with particle-hole symmetry

* Closed form and quadrature (two independent implementations of the default skew reading T)
  agree with each other to ~1e-14 and with Kubo, to its reported extrapolation error, for every
  model: σ_yx and ⟨s_x⟩ W⁰ totals, one and two Fermi circles, isotropic and anisotropic; also the
  Edelstein (1/W) piece of ⟨s_y⟩. That includes the published NCA zero of the Rashba ferromagnet
  with both subbands occupied (Nunner et al., PRB 76, 235312 (2007)).
* The paper's own route (reading C: the coherence S' of Eqs. 31-33 fed through the collision
  integral of Eq. 16, Eqs. 35-36 with corrected indices) agrees with Kubo only when d0 = const
  (TI, gapped chiral, Dirac with B k² σ_z). With d0(k) varying (Rashba ferromagnet; Dirac + D k²;
  tilted cone) it is off by 1e-4..2e-2, five or more orders above the Kubo error, growing with
  d0 (sweep table: linear in D, quadratic in the tilt t).
* Why. Skew scattering at order W⁰ is the antisymmetric part of the fourth-order scattering rate
  with the non-crossed Gaussian pairings: self-energy insertions on the incoming and outgoing
  legs and one ladder rung whose intermediate pair (q, q̄) is one on-shell state and its virtual
  interband partner. Everything is at eF; the partner enters only through 1/Δ, Δ = ε^m − ε^m̄.
  The rate collapses to J_sk(l) = (4π²W²/ħ) Σ_{j,q} δ_j δ_q g_j Im⟨l|j⟩⟨j|q⟩⟨q|l⟩
  (1/Δ_l + 1/Δ_j + 1/Δ_q) on the Fermi shell. Reading C's driving term on the Fermi shell is
  exactly half of it (proved; checked symbolically and pointwise); the other half it places on
  *mirror* shells at the partner's energy E_c = ε^{c̄}(k_F) ≠ eF, because its Markov treatment gives
  the virtual state an energy shell of its own. For d0 = 0 the mirror shell is the image of the
  Fermi shell (ε → −ε) and both halves give the same current and spin: that is why the paper's TI
  example (Eqs. 84-86, 103) is right. A T = 0 Kubo-Streda response has no pinched G^R G^A at any
  energy but eF, which the golden rule respects.
* Its massive-Dirac case is the intrinsic skew-scattering rate w^(4a) of Sinitsyn et al., PRB 75,
  045315 (2007).
"""


def sweep():
    """sigma_yx: reading C - Kubo and reading T - Kubo against the strength of d0(k) (catalogue.numeric_model)."""
    from semiclassical.catalogue import numeric_model

    lines = ["### Disagreement of the paper's route against the particle-hole-breaking term d0(k)", "",
             "| model | d0 | σ_yx: C − Kubo | σ_yx: T − Kubo | Kubo error |",
             "|---|---|---|---|---|"]
    cases = [("dirac-quadratic (B = 0.3)", f"D k², D = {d}", numeric_model("dirac-quadratic", v=1.0, M=0.5, B=0.3, D=d))
             for d in (0.0, 0.05, 0.1)]
    cases += [("tilted-dirac (M = 0.5)", f"t k_x, t = {t}", numeric_model("tilted-dirac", t=t, v=1.0, M=0.5))
              for t in (0.0, 0.1, 0.3)]
    for name, d0, nm in cases:
        k = kubo_response(nm, 1.0, W_VALUE)
        kt = k["sigma_yx"]["total"]
        c, t_ = (quad_evaluate(nm, 1.0, W_VALUE, skew_reading=r)["sigma_yx"]["total"] for r in ("C", "T"))
        lines.append(f"| {name} | {d0} | {c - kt:+.2e} | {t_ - kt:+.1e} | "
                     f"{k['extrapolation_error']['sigma_yx']['total']:.0e} |")
    return "\n".join(lines + [""])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the tables (with the command used) to this Markdown file")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    for label, factory, point, what in POINTS:
        print(f"... {label} {what}", file=sys.stderr, flush=True)
        row = compare(label, factory, point)
        row["point"] = what
        rows.append(row)
    text = tables(rows) + "\n\n" + sweep()
    readings = sorted({str(r["skew_reading"]) for r in rows})
    footer = (f"W = {W_VALUE} (only the 1/W Edelstein column depends on it), e = ħ = 1, quadrature "
              f"skew reading {', '.join(readings)}; total wall time {time.perf_counter() - t0:.0f} s.")
    print(text)
    print(footer)
    if args.out:
        cmd = "python derivations/kubo_vs_semiclassical.py --out " + args.out
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(f"# Semiclassical theory vs Kubo-Streda (NCA)\n\nGenerated by `{cmd}`.\n\n"
                                  + (__doc__.split("\n\n", 1)[1].split("    python")[0]).strip()
                                  + "\n\n" + FINDING + "\n" + text + "\n" + footer + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
