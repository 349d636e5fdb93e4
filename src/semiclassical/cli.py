"""The `semiclassical` command (DESIGN.md section 4).

    semiclassical reproduce [--json] [--out DIR]
    semiclassical derive MODEL [--latex | --json] [--set eF=...]
    semiclassical evaluate MODEL --set NAME=VALUE ... [--json]

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
    from . import reproduce

    t0 = time.perf_counter()
    rows, t_derive = reproduce.table()
    wall = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"model": "ti-surface", "derivation_seconds": t_derive, "wall_seconds": wall,
                          "rows": [{"equation": r["equation"], "quantity": r["quantity"],
                                    "printed": _str(r["printed"]), "derived": _str(r["derived"]),
                                    "verdict": r["verdict"], "difference": _str(r["difference"])} for r in rows]},
                         indent=2))
    else:
        print("Sec. VI of Burgos Atencia, Niu, Culcer (2021) derived from H = hbar v (kx sy - ky sx) + M sz")
        print(f"{'Eq.':<9} {'verdict':<19} quantity")
        for r in rows:
            print(f"{r['equation']:<9} {r['verdict']:<19} {r['quantity']}")
            if r["verdict"] not in ("agrees",):
                print(f"{'':<9}   derived: {_str(r['derived'])}")
        print(f"symbolic derivation {t_derive:.1f} s, total {wall:.1f} s")
    if args.out:
        _write_report(Path(args.out), rows, t_derive)
        if not args.json:
            print(f"report written to {args.out}/report.md and {args.out}/report.tex")
    return 0


def _str(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return [_str(y) for y in x]
    return sp.sstr(x)


def _latex(x):
    if x is None:
        return r"\text{pending}"
    if isinstance(x, (tuple, list)):
        return r",\ ".join(_latex(y) for y in x)
    return sp.latex(x)


def _write_report(out: Path, rows, t_derive):
    out.mkdir(parents=True, exist_ok=True)
    md = ["# Reproduction of Sec. VI (TI surface model, Eq. 68)", "",
          f"Symbolic derivation time: {t_derive:.1f} s.", "",
          "| Eq. | quantity | verdict | derived |", "|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['equation']} | {r['quantity']} | {r['verdict']} | `{_str(r['derived'])}` |")
    (out / "report.md").write_text("\n".join(md) + "\n")
    tex = [r"\documentclass{article}", r"\usepackage{amsmath}", r"\usepackage[margin=2cm]{geometry}",
           r"\begin{document}", r"\section*{Sec.~VI of Burgos Atencia, Niu, Culcer derived}"]
    for r in rows:
        tex.append(rf"\paragraph{{Eq.~{r['equation']} ({r['verdict']})}} {_tex_escape(r['quantity'])}")
        tex.append(r"\begin{align*}\text{derived: }&" + _latex(r["derived"]) + r"\\ \text{printed: }&"
                   + _latex(r["printed"]) + r"\end{align*}")
    tex.append(r"\end{document}")
    (out / "report.tex").write_text("\n".join(tex) + "\n")


def _tex_escape(s):
    return s.replace("_", r"\_").replace("^", r"\^{}").replace("{", r"\{").replace("}", r"\}")


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
            print(f"% {r.name} (Eq. {r.equation})\n\\[ {r.latex()} \\]")
    else:
        print(f"model {model.name}: H = {sp.sstr(model.matrix)}  (u = e^(i theta), canonical gauge)")
        for r in results:
            print(str(r))
    return 0


# ------------------------------------------------------------------------------ evaluate
def cmd_evaluate(args):
    from . import catalogue
    from .derivation import Derivation

    model = catalogue.get(args.model)
    sets = _parse_sets(args.set)
    values = model.resolve_values(sets)
    if "eF" not in values:
        raise SemiclassicalError("the Fermi energy is missing: add --set eF=VALUE")
    W_value = values.pop("W", model.disorder.get("W", 0.01))
    if W_value <= 0:
        raise SemiclassicalError(f"W = {W_value} must be positive (W = n_i u0^2, the white-noise strength)")
    e_value = values.pop("e", 1.0)
    out = {"model": model.name, "parameters": {**values, "W": W_value, "e": e_value}}
    if model.is_covariant:
        closed = Derivation(model).evaluate(values, W_value=W_value, e_value=e_value)
        if not closed["circles"]:
            raise SemiclassicalError(
                f"eF = {values['eF']} lies in a gap: no Fermi circle, only the intrinsic Fermi-sea terms exist;"
                " move eF into a band for the full set of closed forms")
        out.update(closed)
    else:
        out["closed_form"] = f"none: {model.why_not_covariant}"
    quad = _quadrature(model, values, W_value, e_value)
    if quad is not None:
        out["quadrature"] = quad
    if args.json:
        print(json.dumps(out, indent=2, default=_json_number))
    else:
        _print_evaluate(out)
    return 0


def _quadrature(model, values, W_value, e_value):
    try:
        from .quadrature import evaluate as quad_evaluate
    except ImportError:
        return None
    nm = model.numeric(values, e=e_value)
    return quad_evaluate(nm, values["eF"], W_value)


def _print_evaluate(out):
    print(f"model {out['model']}  parameters {out['parameters']}")
    for name in ("sigma_yx",):
        if name in out:
            print(f"{name}: " + ", ".join(f"{k}={v:.10g}" for k, v in out[name].items()))
    for ax in ("x", "y"):
        if "spin_density" in out:
            print(f"<s_{ax}>: " + ", ".join(f"{k}={v:.10g}" for k, v in out["spin_density"][ax].items()))
    if "quadrature" in out:
        print("quadrature:", json.dumps(out["quadrature"].get("sigma_yx", {}), default=str))


# ------------------------------------------------------------------------------ main
def build_parser():
    ap = argparse.ArgumentParser(prog="semiclassical", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reproduce", help="derive Sec. VI of the paper and compare with the print")
    r.add_argument("--json", action="store_true")
    r.add_argument("--out", metavar="DIR")
    d = sub.add_parser("derive", help="closed forms for a built-in model or a TOML model file")
    d.add_argument("model")
    g = d.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true")
    g.add_argument("--json", action="store_true")
    e = sub.add_parser("evaluate", help="numbers at one parameter point: closed form and quadrature")
    e.add_argument("model")
    e.add_argument("--set", action="append", metavar="NAME=VALUE")
    e.add_argument("--json", action="store_true")
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    handler = {"reproduce": cmd_reproduce, "derive": cmd_derive, "evaluate": cmd_evaluate}[args.command]
    try:
        return handler(args)
    except SemiclassicalError as exc:
        print(f"semiclassical: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal failure still gets one line, not a traceback
        if os.environ.get("SEMICLASSICAL_DEBUG"):
            raise
        print(f"semiclassical: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
              " (rerun with SEMICLASSICAL_DEBUG=1 for details)", file=sys.stderr)
        return 1
