"""Semiclassical totals against the Kubo-Streda (NCA) engine, model by model.

The paper's claim (Sec. V, Fig. 1, and the text below Eq. 86): the semiclassical theory with the
extrinsic interband velocity, the field-corrected collision integral and the skew term reproduces
the non-crossing-approximation (NCA) Kubo result for white-noise disorder. This script puts three
independent evaluations side by side at each parameter point:

* closed form   ``Derivation(model).evaluate`` (symbolic pipeline, skew reading C);
* quadrature    ``semiclassical.quadrature.evaluate`` (numbers from H(k) alone, reading C);
* Kubo          ``semiclassical.kubo.kubo_response`` (Kubo-Streda, Born self-energy, ladder
                vertex, W -> 0 by Richardson extrapolation; "+-" is its reported error).

and prints Markdown tables for sigma_yx (W^0 total), <s_x> (W^0 total) and <s_y> (its 1/W
Edelstein piece at W; the W^0 piece of <s_y> is not fixed at the Born/NCA level, see
``kubo.engine``). A last table is the diagnosis of the disagreement found for models without
particle-hole symmetry: "SC*" replaces the mirror-shell part of the skew response (states of the
other band at energy E_c != eF, module ``quadrature.subleading``) by a copy of its Fermi-shell
part, i.e. SC* = (W^0 total without skew) + 2 x (skew response of the Fermi shell).

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
from semiclassical.quadrature.gauge import RandomGauge
from semiclassical.quadrature.response import fermi_surface_terms

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


def fermi_shell_skew(nm, eF, W, n_theta):
    """(sigma_yx, <s_x>) of the part of n^sk that lives on the Fermi shell (reading C)."""
    terms = fermi_surface_terms(nm, eF, W, n_theta, gauge=RandomGauge(0))
    for part in terms["skew"].parts:
        if abs(part.shell.energy - eF) <= 1e-12 * max(1.0, abs(eF)):
            v = part.shell.integrate(part.g, part.shell.own_velocity())
            s = part.shell.integrate(part.g, part.shell.own_spin())
            return -float(nm.e) * float(v[1]), float(s[0])
    return 0.0, 0.0


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
    sk_s, sk_x = fermi_shell_skew(nm, eF, W, quad["meta"]["n_theta"])
    row.update(quad=quad, kubo=kubo, fermi_skew=(sk_s, sk_x),
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

    out.extend(["### Diagnosis: SC* = (W⁰ total − skew) + 2 × (Fermi-shell part of the skew response)", "",
                "| model | point | skew (C): Fermi shell + mirror shells | σ_yx: SC* − Kubo | "
                "⟨s_x⟩: SC* − Kubo | Kubo error |", "|---|---|---|---|---|---|"])
    for r in rows:
        q, k = r["quad"], r["kubo"]
        fs, fx = r["fermi_skew"]
        star_s = q["sigma_yx"]["total"] - q["sigma_yx"]["skew"] + 2 * fs
        star_x = q["spin_density"]["x"]["total"] - q["spin_density"]["x"]["skew"] + 2 * fx
        err = max(k["extrapolation_error"]["sigma_yx"]["total"],
                  k["extrapolation_error"]["spin_density"]["x"]["total"])
        mirror = round(q["sigma_yx"]["skew"] - fs, 6) + 0.0
        out.append(f"| {r['model']} | {r['point']} | {round(fs, 6) + 0.0:.6f} + {mirror:.6f} | "
                   f"{star_s - k['sigma_yx']['total']:+.1e} | {star_x - k['spin_density']['x']['total']:+.1e} | "
                   f"{err:.0e} |")
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
## Finding: the skew term departs from the NCA when the bands lack particle-hole symmetry

* Closed form and quadrature (two independent implementations of skew reading C) agree with each
  other to ~1e-14 everywhere. Kubo agrees with both, to its reported extrapolation error, for the
  TI surface, the gapped chiral model and massive Dirac with B k² σ_z only (D = 0), and for the
  Edelstein (1/W) piece of ⟨s_y⟩ of every model.
* It disagrees for every model with d0(k) ≠ 0 (Rashba ferromagnet: k²/2m; massive Dirac with
  D k²; tilted cone: t k_x), by 1e-4..2e-2, five or more orders of magnitude above the Kubo error.
  The difference vanishes at d0 = 0 and grows with it (sweep table below: linear in D, quadratic
  in the tilt t, which is odd under k -> -k).
* Which side is wrong: the semiclassical side as read (reading C), not the Kubo engine. (1) It reproduces the published NCA result for the Rashba
  ferromagnet with both subbands occupied, σ_yx = 0 (Nunner et al., PRB 76, 235312 (2007)); the
  semiclassical side gives −0.0137 there. (2) Its W⁰ totals do not depend on the scheme (Re Σ
  dropped or from a cutoff) or on the W ladder (eta, n_w) beyond 6e-8. (3) The whole
  disagreement is the part of the skew response n^sk that reading C puts on the *mirror* shells:
  states of the other band at the Fermi momenta, energy E_c = ε^{c̄}(k_F) ≠ eF, relaxed by the
  Born J0 of the shell E_c (which for the Rashba ferromagnet at eF = 0.2 also holds a second
  circle of the lower band at E_c ≈ 4.77). Replacing that part by a copy of the Fermi-shell part,
  SC* = (W⁰ total − skew) + 2 × (Fermi-shell skew), reproduces Kubo to 1e-9 or better in every
  case, σ_yx and ⟨s_x⟩, one and two circles, isotropic and anisotropic (diagnosis table). A
  T = 0 Kubo-Streda response has no pinched G^R G^A product at any energy but eF, so the NCA
  cannot contain a W⁰ population at E_c. For d0 = 0 the mirror shell is the exact image of the
  Fermi shell (ε → −ε), which is why the paper's TI example (Eqs. 84-86) agrees.
* So the paper's statement that its semiclassical theory reproduces the NCA holds, with skew
  reading C, for particle-hole symmetric two-band models, not in general. The fix on the
  semiclassical side must be in how J(S') feeds the band diagonal away from eF (Eqs. 35-36),
  not in the Kubo engine.
"""


def sweep():
    """K - SC (sigma_yx) against the strength of d0(k), numeric models only (kubo.examples)."""
    from semiclassical.kubo import examples

    lines = ["### Disagreement against the particle-hole-breaking term d0(k)", "",
             "| model | d0 | σ_yx: quadrature − Kubo | σ_yx: SC* − Kubo | Kubo error |",
             "|---|---|---|---|---|"]
    cases = [("dirac-quadratic (B = 0.3)", f"D k², D = {d}", examples.dirac_quadratic(v=1.0, M=0.5, B=0.3, D=d))
             for d in (0.0, 0.05, 0.1)]
    cases += [("tilted-dirac (M = 0.5)", f"t k_x, t = {t}", examples.tilted_dirac(t=t, v=1.0, M=0.5))
              for t in (0.0, 0.1, 0.3)]
    for name, d0, nm in cases:
        q, k = quad_evaluate(nm, 1.0, W_VALUE), kubo_response(nm, 1.0, W_VALUE)
        fs, _ = fermi_shell_skew(nm, 1.0, W_VALUE, q["meta"]["n_theta"])
        star = q["sigma_yx"]["total"] - q["sigma_yx"]["skew"] + 2 * fs
        kt = k["sigma_yx"]["total"]
        lines.append(f"| {name} | {d0} | {q['sigma_yx']['total'] - kt:+.2e} | {star - kt:+.1e} | "
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
