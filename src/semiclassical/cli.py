"""The `semiclassical` command (DESIGN.md section 4).

    semiclassical reproduce [--json] [--out DIR [--pdf]]
    semiclassical derive MODEL [--latex | --json]
    semiclassical evaluate MODEL --set NAME=VALUE ... [--json] [--skew-reading T|C|B] [--engines ...] [--kubo]

Exit status: 0 numbers printed and every engine agrees; 2 bad input (one line on stderr, never a
traceback); 3 numbers printed but two engines disagree on one of them (each named on stderr);
1 internal error (set SEMICLASSICAL_DEBUG=1 to see its traceback).
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
        name = name.strip()
        if name in out:
            # no silent override: which of the two did the user mean?
            raise SemiclassicalError(f"--set {name} is given twice ({out[name]:g} and {value.strip()}): keep one")
        try:
            out[name] = float(value)
        except ValueError:
            raise SemiclassicalError(f"--set {item!r}: {value!r} is not a number") from None
    return out


# ------------------------------------------------------------------------------ reproduce
def cmd_reproduce(args):
    """Sec. VI derived from Eq. 68: table on the terminal (or JSON); ``--out DIR`` writes the report."""
    from . import errata, reproduce

    if args.out:
        _check_out(Path(args.out), args.force)
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


def _check_out(out: Path, force: bool):
    """--out DIR: a directory to create, or one whose report may be replaced only with --force."""
    if out.exists() and not out.is_dir():
        raise SemiclassicalError(f"--out {out}: this is a file, not a directory; give a directory for the report")
    if (out / "report.md").exists() and not force:
        raise SemiclassicalError(f"--out {out} holds a report already: add --force to overwrite it, "
                                 "or give another directory")


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
#: exit status of `evaluate` when it printed numbers but two engines disagree on one of them
EXIT_DISAGREE = 3
_ENGINE_ALIASES = {"closed": "closed_form", "closed_form": "closed_form", "quadrature": "quadrature",
                   "kubo": "kubo"}


def _engines(args):
    """The engines `evaluate` runs: --engines NAME,... (closed, quadrature, kubo), --kubo adds kubo."""
    names = [x.strip() for x in args.engines.split(",") if x.strip()] if args.engines else ["closed", "quadrature"]
    bad = [x for x in names if x not in _ENGINE_ALIASES]
    if bad or not names:
        raise SemiclassicalError(f"--engines {args.engines!r}: use a comma-separated list of closed, quadrature, kubo")
    if args.kubo:
        names.append("kubo")
    return tuple(dict.fromkeys(_ENGINE_ALIASES[x] for x in names))


def _progress(line):
    print(f"semiclassical: {line}", file=sys.stderr, flush=True)


def _strict(x):
    """JSON without NaN or Infinity (DESIGN.md section 4): a non-finite number becomes null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _strict(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_strict(v) for v in x]
    return x


def _dump(obj):
    return json.dumps(_strict(obj), indent=2, allow_nan=False, default=str)


def cmd_evaluate(args):
    from . import catalogue

    model = catalogue.get(args.model)
    sets = _parse_sets(args.set)
    engines = _engines(args)
    if args.sweep:
        return _sweep(args, model, sets, engines)
    result = _compare(model, sets, args.skew_reading, engines)
    print(_dump(result.as_dict()) if args.json else str(result))
    _warn(result)
    return 0 if result.agree else EXIT_DISAGREE


def _compare(model, sets, skew_reading, engines):
    from .engines import Problem, compare

    problem = Problem.at(model, sets, skew_reading=skew_reading)
    quiet = set(engines) <= {"closed_form", "quadrature"}   # the fast engines report no progress
    return compare(problem, engines, progress=None if quiet else _progress)


def _warn(result):
    for d in result.disagreements:
        print(f"semiclassical: warning: engines disagree on {d}", file=sys.stderr)


def _sweep(args, model, sets, engines):
    """``--sweep NAME=START:STOP:N``: the same point evaluation on N values, progress on stderr."""
    import numpy as np

    try:
        name, spec = args.sweep.split("=", 1)
        start, stop, n = spec.split(":")
        grid = np.linspace(float(start), float(stop), int(n))
        if int(n) < 1:
            raise ValueError
    except ValueError:
        raise SemiclassicalError(f"--sweep {args.sweep!r}: write it as NAME=START:STOP:N with N >= 1, "
                                 "e.g. eF=0.6:2.0:8") from None
    name = name.strip()
    if name in sets:
        raise SemiclassicalError(f"{name} is both set (--set {name}={sets[name]:g}) and swept (--sweep): keep one")
    points, t0 = [], time.perf_counter()
    for i, x in enumerate(grid):
        points.append(_compare(model, {**sets, name: float(x)}, args.skew_reading, engines))
        _warn(points[-1])
        _progress(f"point {i + 1}/{len(grid)} ({name}={x:.6g}) done, {time.perf_counter() - t0:.1f} s")
    if args.json:
        print(_dump({"sweep": name, "points": [p.as_dict() for p in points]}))
    else:
        for p in points:
            print(p)
    return 0 if all(p.agree for p in points) else EXIT_DISAGREE


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
    r.add_argument("--force", action="store_true", help="with --out: overwrite a report already in DIR")
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
    e.add_argument("--engines", metavar="NAME,...",
                   help="engines to run and compare: closed, quadrature, kubo (default closed,quadrature; "
                        "'closed' alone skips the numerical checks). Every number two engines share is "
                        f"compared; a disagreement is a warning and exit status {EXIT_DISAGREE}")
    e.add_argument("--kubo", action="store_true",
                   help="also run the Kubo-Streda (NCA) engine, extrapolated to W -> 0 (same as adding kubo to "
                        "--engines); adds a 'kubo' map shaped like the closed-form maps (pieces the Kubo side "
                        "does not split are null), with 'error' (the same tree: absolute extrapolation + "
                        "quadrature error of each number), 'scheme_dependent' and 'meta' (its own split "
                        "fermi_surface/ladder/fermi_sea, the W values used). About 1 s for covariant models, "
                        "1-40 s for anisotropic ones (2D k integration; warped-dirac ~35 s)")
    return ap


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:   # usage error (one line already printed) or --help
        return exc.code
    handler = {"reproduce": cmd_reproduce, "derive": cmd_derive, "evaluate": cmd_evaluate}[args.command]
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
