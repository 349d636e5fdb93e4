"""The `semiclassical` command (DESIGN.md section 4).

    semiclassical reproduce [--json] [--out DIR [--pdf]]
    semiclassical derive MODEL [--latex | --json]
    semiclassical evaluate MODEL --set NAME=VALUE ... [--json] [--skew-reading T|C|B] [--kubo]
    semiclassical schema

Bad input exits with status 2 and one line on stderr; never a traceback (set
SEMICLASSICAL_DEBUG=1 to see one for an internal error).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import sympy as sp

from .errors import SemiclassicalError


def _parse_sets(items):
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SemiclassicalError(f"--set {item!r} must look like NAME=VALUE, e.g. --set eF=1.2")
        name, value = item.split("=", 1)
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise SemiclassicalError(f"--set {item!r}: {value!r} is not a number") from None
    return out


def _json_number(x):
    return None if (isinstance(x, float) and math.isnan(x)) else x


# ------------------------------------------------------------------------------ reproduce
def cmd_reproduce(args):
    """Sec. VI derived from Eq. 68: table on the terminal (or JSON); ``--out DIR`` writes the report."""
    from . import errata, reproduce

    t0 = time.perf_counter()
    rows, t_derive = reproduce.table()
    timings = {"symbolic derivation": t_derive, "table (comparisons + quadrature)": time.perf_counter() - t0 - t_derive}
    report_paths = None
    if args.out:
        report_paths = _write_report(Path(args.out), rows, timings, pdf=args.pdf)
    wall = time.perf_counter() - t0
    timings["total"] = wall
    if args.json:
        print(json.dumps({"model": "ti-surface", "derivation_seconds": t_derive, "wall_seconds": wall,
                          "seconds": timings,
                          "quadrature_points": list(reproduce.QUADRATURE_POINTS),
                          "rows": [{"equation": r["equation"], "quantity": r["quantity"],
                                    "printed": _str(r["printed"]), "derived": _str(r["derived"]),
                                    "verdict": r["verdict"], "difference": _str(r["difference"]),
                                    "components": list(r["components"]),
                                    "component_verdicts": list(r["component_verdicts"]),
                                    "quadrature": r["quadrature"], "quadrature_note": r["quadrature_note"]}
                                   for r in rows],
                          "errata": [vars(x) for x in errata.ERRATA],
                          "report": None if report_paths is None else [str(p) for p in report_paths]},
                         indent=2))
        return 0
    print("Sec. VI of Burgos Atencia, Niu, Culcer (2021) derived from H = hbar v (kx sy - ky sx) + M sz")
    print("verdict: derived form vs the paper's print; quadrature: max relative difference derived vs the")
    print(f"independent quadrature engine (random gauge, eF/M = {', '.join(f'{x:g}' for x in reproduce.QUADRATURE_RATIOS)})")
    print(f"{'Eq.':<9} {'verdict':<19} {'quadrature':<11} quantity")
    for r in rows:
        q = f"{r['quadrature']:.1e}" if r["quadrature"] is not None else "-"
        print(f"{r['equation']:<9} {r['verdict']:<19} {q:<11} {r['quantity']}")
        if r["verdict"] not in ("agrees", "definition"):
            for i, (label, d, p) in enumerate(_row_components(r)):
                v = r["component_verdicts"][i] if r["component_verdicts"] else r["verdict"]
                lab = f" [{label}]" if label else ""
                print(f"{'':<9}   derived{lab}: {_str(d)}")
                print(f"{'':<9}   printed{lab}: {_str(p)}   ({v})")
    n = {v: sum(r["verdict"] == v for r in rows) for v in ("agrees", "agrees numerically", "ERRATUM", "pending")}
    print(f"{n['agrees'] + n['agrees numerically']} reproduced, {n['ERRATUM']} erratum, {n['pending']} pending; "
          f"errata recorded: Eqs. {', '.join(x.equation for x in errata.ERRATA)}")
    if report_paths:
        print("report written: " + ", ".join(str(p) for p in report_paths))
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return 0


def _row_components(r):
    if isinstance(r["printed"], tuple):
        d = r["derived"] if r["derived"] is not None else (None,) * len(r["printed"])
        return list(zip(r["components"] or range(len(r["printed"])), d, r["printed"]))
    return [("", r["derived"], r["printed"])]


def _str(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return [_str(y) for y in x]
    return sp.sstr(x)


def _write_report(out: Path, rows, timings, pdf=False):
    """report.md, report.tex and figures/*.png in ``out`` (report.pdf too with ``pdf``)."""
    from . import figures, report

    t0 = time.perf_counter()
    forms = {r["equation"]: r["derived"] for r in rows if r["derived"] is not None}
    figs = figures.make_figures(forms, out / "figures")
    timings["figures"] = time.perf_counter() - t0
    paths = list(report.write(out, rows, timings, figs)) + [p for p, _ in figs]
    if pdf:
        if report.tex_engine() is None:
            raise SemiclassicalError("--pdf needs pdflatex or lualatex on PATH (Debian: apt-get install "
                                     "texlive-latex-base texlive-latex-recommended); report.tex was written")
        try:
            paths.append(report.compile_pdf(out / "report.tex"))
        except RuntimeError as exc:
            raise SemiclassicalError(f"compiling {out / 'report.tex'} failed: {str(exc).splitlines()[0]}") from None
    return paths


# ------------------------------------------------------------------------------ derive
def cmd_derive(args):
    from . import catalogue
    from .bloch import BlochSystem
    from .results import Result

    model = catalogue.get(args.model)
    cov = model.require_covariant("`derive`")
    bs = BlochSystem(model)
    results = [
        Result("d-vector", "d", (cov.d0, cov.dperp, cov.dz), description=f"winding J = {cov.winding}, phase {cov.phase}",
               components=("0", "perp", "z")),
        Result("energies", r"\epsilon", tuple(model.radial_energy(b) for b in (1, -1)), "69", components=("+", "-")),
        Result("Berry connection R^{++}", "R^{++}", tuple(bs.explicit(x) for x in bs.berry_connection(1, 1)), "70",
               components=("k", r"\theta")),
        Result("Berry connection R^{+-}", "R^{+-}", tuple(bs.explicit(x) for x in bs.berry_connection(1, -1)),
               "71, 92-93", components=("k", r"\theta")),
        Result("Berry curvature", r"\Omega^{+}", sp.simplify(bs.explicit(bs.berry_curvature(1))), "43, 73"),
        Result("spin s^{++}", "s^{++}", tuple(sp.simplify(bs.explicit(x)) for x in bs.spin(1, 1)), "88-89",
               components=("x", "y", "z")),
        Result("spin s^{-+}", "s^{-+}", tuple(sp.simplify(bs.explicit(x)) for x in bs.spin(-1, 1)), "94-95",
               components=("x", "y", "z")),
    ]
    if args.json:
        print(json.dumps({"model": model.name, "hamiltonian": sp.sstr(model.matrix),
                          "gauge": "canonical: |u+> = (cos a/2, sin a/2 w e^{iJt}), u = e^{it}",
                          "results": [r.to_json() for r in results]}, indent=2))
    elif args.latex:
        for r in results:
            label = f" (Eq. {r.equation})" if r.equation else ""
            print(f"% {r.name}{label}\n\\[ {r.latex()} \\]")
    else:
        print(f"model {model.name}: H = {sp.sstr(model.matrix)}  (u = e^(i theta), canonical gauge)")
        for r in results:
            print(str(r))
    return 0


# ------------------------------------------------------------------------------ evaluate
def cmd_evaluate(args):
    from . import catalogue

    model = catalogue.get(args.model)
    sets = _parse_sets(args.set)
    if args.sweep:
        return _sweep(args, model, sets)
    out = _evaluate_point(model, sets, getattr(args, "kubo", False), args.skew_reading)
    if args.json:
        print(json.dumps(out, indent=2, default=_json_number))
    else:
        _print_evaluate(out)
    return 0


def _sweep(args, model, sets):
    """``--sweep NAME=START:STOP:N``: the same point evaluation on N values, progress on stderr."""
    import numpy as np

    try:
        name, spec = args.sweep.split("=", 1)
        start, stop, n = spec.split(":")
        grid = np.linspace(float(start), float(stop), int(n))
    except ValueError:
        raise SemiclassicalError(f"--sweep {args.sweep!r}: write it as NAME=START:STOP:N, e.g. eF=0.6:2.0:8") from None
    points, t0 = [], time.perf_counter()
    for i, x in enumerate(grid):
        points.append(_evaluate_point(model, {**sets, name.strip(): float(x)}, getattr(args, "kubo", False),
                                      args.skew_reading))
        print(f"semiclassical: point {i + 1}/{len(grid)} ({name}={x:.6g}) done, {time.perf_counter() - t0:.1f} s",
              file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"sweep": name.strip(), "points": points}, indent=2, default=_json_number))
    else:
        for out in points:
            _print_evaluate(out)
    return 0


def _evaluate_point(model, sets, kubo, skew_reading="T"):
    """The ``evaluate`` map at one parameter point (DESIGN.md section 4); ``skew_reading`` as in
    :mod:`semiclassical.skew` (closed form and quadrature use the same one, recorded in the output)."""
    from .derivation import Derivation

    values = model.resolve_values(sets)
    if "eF" not in values:
        raise SemiclassicalError("the Fermi energy is missing: add --set eF=VALUE")
    W_value = values.pop("W", model.disorder.W)
    if W_value <= 0:
        raise SemiclassicalError(f"W = {W_value} must be positive (W = n_i u0^2, the white-noise strength)")
    e_value = values.pop("e", 1.0)
    out = {"model": model.name, "parameters": {**values, "W": W_value, "e": e_value}, "skew_reading": skew_reading}
    if model.is_covariant:
        closed = Derivation(model, skew_reading=skew_reading).evaluate(values, W_value=W_value, e_value=e_value)
        if not closed["circles"]:
            # a physicist asks for this on purpose (the quantized intrinsic term): numbers, and a note
            closed["note"] = (f"eF = {values['eF']} lies in a gap: no Fermi circle, so every Fermi-surface "
                              "piece vanishes and only the intrinsic (Fermi-sea) terms remain")
        out.update(closed)
    else:
        out["closed_form"] = (f"none: the model is not rotationally covariant ({model.why_not_covariant}); "
                              "the numbers are from the quadrature engine alone")
    quad = _quadrature(model, values, W_value, e_value, skew_reading)
    if quad is not None:
        out["quadrature"] = quad
    if kubo:
        out["kubo"] = _kubo(model, values, W_value, e_value)
    return out


def _quadrature(model, values, W_value, e_value, skew_reading="T"):
    try:
        from .quadrature import evaluate as quad_evaluate
    except ImportError:
        return None
    nm = model.numeric(values, e=e_value)
    return quad_evaluate(nm, values["eF"], W_value, skew_reading=skew_reading)


def _kubo(model, values, W_value, e_value):
    """The ``kubo`` map of ``evaluate --kubo``: the Kubo-Streda (NCA) engine at the same point.

    Same shape as the closed-form maps (DESIGN.md section 4)::

        sigma_yx          {intrinsic, extrinsic, side_jump, skew: null, total}
        spin_density.x|y|z {intrinsic, extrinsic, side_jump, skew: null, total, edelstein}
        sigma_xx          {drude, total}
        error             the same tree, each number replaced by its absolute error estimate
                          (W -> 0 Richardson extrapolation + radial/angular quadrature)
        pieces            the Kubo side's own W^0 split: fermi_surface (bare bubbles), ladder
                          (vertex correction), fermi_sea, per sigma_yx / spin_density.x|y|z
        W                 the W at which the 1/W pieces (drude, edelstein) are reported
        W_ladder          the disorder strengths W_j the W -> 0 extrapolation used
        scheme_dependent  W^0 numbers not fixed at the Born/NCA level (a 1/W piece exists):
                          sigma_xx.total and, for most models, spin_density.y.total
        converged, seconds, method

    The Kubo side does not split its total into the semiclassical pieces: those keys are null.
    ``total`` is the W^0 coefficient (independent of W); ``edelstein``/``drude`` the 1/W piece at W.
    """
    from .kubo import kubo_response

    nm = model.numeric(values, e=e_value)
    kind = "rotationally covariant, 1D radial" if model.is_covariant else "anisotropic, 2D k integration"
    print(f"semiclassical: Kubo-Streda engine at eF = {values['eF']:g} ({kind}; "
          f"W -> 0 from 6 disorder strengths)...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    r = kubo_response(nm, float(values["eF"]), float(W_value))
    meta, err = r["meta"], r["extrapolation_error"]
    split = dict.fromkeys(("intrinsic", "extrinsic", "side_jump", "skew"))
    out = {"sigma_yx": {**split, "total": float(r["sigma_yx"]["total"])},
           "spin_density": {a: {**split, "total": float(r["spin_density"][a]["total"]),
                                "edelstein": float(r["spin_density"][a]["edelstein"])} for a in "xyz"},
           "sigma_xx": {"drude": float(r["sigma_xx"]["drude"]), "total": float(r["sigma_xx"]["total"])},
           "error": {"sigma_yx": {"total": float(err["sigma_yx"]["total"])},
                     "spin_density": {a: {"total": float(err["spin_density"][a]["total"]),
                                          "edelstein": float(err["spin_density"][a]["edelstein"])}
                                      for a in "xyz"},
                     "sigma_xx": {"drude": float(err["sigma_xx"]["drude"]),
                                  "total": float(err["sigma_xx"]["total"])}},
           "pieces": {"sigma_yx": {p: float(r["sigma_yx"][p]) for p in ("fermi_surface", "ladder", "fermi_sea")},
                      "spin_density": {a: {p: float(r["spin_density"][a][p])
                                           for p in ("fermi_surface", "ladder", "fermi_sea")} for a in "xyz"}},
           "W": float(W_value),
           "W_ladder": [float(w) for w in meta["W_ladder"]],
           "scheme_dependent": list(meta["scheme_dependent"]),
           "converged": bool(meta["theta_converged"]),
           "n_theta": int(meta["n_theta"]),
           "seconds": time.perf_counter() - t0,
           "method": meta["method"]}
    if not out["converged"]:
        out["warning"] = (f"angular integration not converged with {meta['n_theta']} angles "
                          f"(last relative change {meta['theta_change']:.1e}); error estimates may be low")
        print(f"semiclassical: warning: Kubo {out['warning']}", file=sys.stderr)
    print(f"semiclassical: Kubo-Streda done in {out['seconds']:.1f} s", file=sys.stderr, flush=True)
    return out


def _print_evaluate(out):
    print(f"model {out['model']}  parameters {out['parameters']}  skew reading {out.get('skew_reading', 'T')}")
    for key in ("note", "closed_form"):
        if key in out:
            print(f"{key.replace('_', ' ')}: {out[key]}")
    for name in ("sigma_yx",):
        if name in out:
            print(f"{name}: " + ", ".join(f"{k}={v:.10g}" for k, v in out[name].items()))
    for ax in ("x", "y"):
        if "spin_density" in out:
            print(f"<s_{ax}>: " + ", ".join(f"{k}={v:.10g}" for k, v in out["spin_density"][ax].items()))
    if "quadrature" in out:
        print("quadrature:", json.dumps(out["quadrature"].get("sigma_yx", {}), default=str))
    if "kubo" in out:
        kb, er = out["kubo"], out["kubo"]["error"]
        print(f"kubo: sigma_yx total={kb['sigma_yx']['total']:.10g} +- {er['sigma_yx']['total']:.1g}")
        for ax in ("x", "y"):
            d, e = kb["spin_density"][ax], er["spin_density"][ax]
            flag = " (scheme dependent)" if f"spin_density.{ax}" in kb["scheme_dependent"] else ""
            print(f"kubo: <s_{ax}> total={d['total']:.10g} +- {e['total']:.1g}{flag}, "
                  f"edelstein={d['edelstein']:.10g} +- {e['edelstein']:.1g}")


# ------------------------------------------------------------------------------ schema
def cmd_schema(args):
    """The JSON Schema of the model file (semiclassical.modelfile), on stdout."""
    from .modelfile import schema_text

    sys.stdout.write(schema_text())
    return 0


# ------------------------------------------------------------------------------ main
class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (DESIGN.md section 4: never more than one line)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser():
    ap = _Parser(prog="semiclassical", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reproduce", help="derive Sec. VI of the paper and compare with the print")
    r.add_argument("--json", action="store_true", help="the table as JSON (with the quadrature column)")
    r.add_argument("--out", metavar="DIR",
                   help="write DIR/report.md, DIR/report.tex and DIR/figures/*.png")
    r.add_argument("--pdf", action="store_true",
                   help="with --out: also compile DIR/report.pdf (needs pdflatex or lualatex)")
    d = sub.add_parser("derive", help="closed forms for a built-in model or a TOML model file")
    d.add_argument("model")
    g = d.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true")
    g.add_argument("--json", action="store_true")
    e = sub.add_parser("evaluate", help="numbers at one parameter point: closed form and quadrature")
    e.add_argument("model")
    e.add_argument("--set", action="append", metavar="NAME=VALUE")
    e.add_argument("--json", action="store_true")
    e.add_argument("--sweep", metavar="NAME=START:STOP:N",
                   help="evaluate on N evenly spaced values of one parameter (progress on stderr)")
    e.add_argument("--skew-reading", choices=("T", "C", "B"), default="T",
                   help="skew scattering: T = golden rule with the fourth-order non-crossing T-matrix "
                        "(default; agrees with Kubo-Streda), C = the paper's route through the interband "
                        "coherence S' (Eqs. 31-36, with mirror shells), B = C with the rotating Markov form "
                        "of Eq. 17")
    e.add_argument("--kubo", action="store_true",
                   help="also run the Kubo-Streda (NCA) engine, extrapolated to W -> 0; adds a 'kubo' map "
                        "shaped like the closed-form maps: sigma_yx.total, spin_density.{x,y,z}.{total,edelstein} "
                        "(pieces the Kubo side does not split are null), 'error' (same tree: absolute "
                        "extrapolation + quadrature error of each number), 'pieces' (fermi_surface, ladder, "
                        "fermi_sea), 'W_ladder' (the W values used) and 'scheme_dependent'. About 1 s for "
                        "covariant models, 1-40 s for anisotropic ones (2D k integration; warped-dirac ~35 s)")
    sub.add_parser("schema", help="print the JSON Schema of the model file (for editors and validators)")
    return ap


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:   # usage error (one line already printed) or --help
        return exc.code
    handler = {"reproduce": cmd_reproduce, "derive": cmd_derive, "evaluate": cmd_evaluate,
               "schema": cmd_schema}[args.command]
    try:
        return handler(args)
    except SemiclassicalError as exc:
        print(f"semiclassical: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # an internal failure still gets one line, not a traceback
        if os.environ.get("SEMICLASSICAL_DEBUG"):
            raise
        print(f"semiclassical: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
              " (rerun with SEMICLASSICAL_DEBUG=1 for details)", file=sys.stderr)
        return 1
