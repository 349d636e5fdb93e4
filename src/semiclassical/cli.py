"""The `semiclassical` command (docs/design.md section 4).

    semiclassical reproduce [--json] [--out DIR [--pdf]]
    semiclassical derive MODEL [--set eF=X] [--only KEY,...] [--latex | --json]
    semiclassical check MODEL KEY "EXPRESSION" [--set eF=X] [--json]
    semiclassical schema
    semiclassical evaluate MODEL --set NAME=VALUE ... [--json] [--skew-reading T|C|B] [--engines ...] [--kubo] [--crossed]
    semiclassical map MODEL --grid NAME=START:STOP:N ... [--set ...] [--engines ...] [--workers N]
                      [--scheduler ADDRESS] --out DIR

Exit status: 0 numbers printed and every engine agrees; 2 bad input (one line on stderr, never a
traceback); 3 numbers printed but two engines disagree on one of them (each named on stderr);
1 internal error (set SEMICLASSICAL_DEBUG=1 to see its traceback). `check` exits 0 only when the
expression equals the derived one, 4 when it does not.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path

import sympy as sp

from . import observables, units
from .errors import SemiclassicalError
from .skew.readings import DEFAULT_READING, READINGS, reading_help

__all__ = ["TEXT_SETTINGS", "cmd_reproduce", "cmd_derive", "EXIT_NOT_EQUAL", "cmd_check", "EXIT_DISAGREE",
           "cmd_evaluate", "cmd_map", "cmd_schema", "build_parser", "main"]


def _parse_sets(items):
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SemiclassicalError(f"--set {item!r} must look like NAME=VALUE, e.g. --set eF=1.2")
        name, value = item.split("=", 1)
        name = name.strip()
        if name in out:
            # no silent override: which of the two did the user mean?
            raise SemiclassicalError(f"--set {name} is given twice ({out[name]} and {value.strip()}): keep one")
        if name in TEXT_SETTINGS:
            out[name] = value.strip()      # a word, checked where it is used (e.g. moments = z|x|random|random-z)
            continue
        try:
            out[name] = float(value)
        except ValueError:
            raise SemiclassicalError(f"--set {item!r}: {value!r} is not a number") from None
    return out


#: --set names whose value is a word, not a number
TEXT_SETTINGS = ("moments",)


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
                                    "quadrature": r["quadrature"], "quadrature_note": r["quadrature_note"],
                                    "derive_key": reproduce.DERIVE_KEYS.get(r["equation"])}
                                   for r in rows],
                          "errata": [vars(x) for x in errata.ERRATA], "units": units.statement(),
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
    print(f"{n['agrees'] + n['agrees numerically']} reproduced, {n['ERRATUM']} "
          f"{'erratum' if n['ERRATUM'] == 1 else 'errata'}, {n['pending']} pending; "
          f"errata recorded: Eqs. {', '.join(x.equation for x in errata.ERRATA)}")
    if report_paths:
        print("report written: " + ", ".join(str(p) for p in report_paths))
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print(units.statement())
    return 0


def _check_out(out: Path, force: bool, marker: str = "report.md"):
    """--out DIR: a directory to create, or one whose report (``marker``) may be replaced only with --force."""
    if out.exists() and not out.is_dir():
        raise SemiclassicalError(f"--out {out}: this is a file, not a directory; give a directory for the report")
    if (out / marker).exists() and not force:
        raise SemiclassicalError(f"--out {out} holds a report already ({marker}): add --force to overwrite it, "
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
        paths.append(report.compile_or_explain(out / "report.tex"))
    return paths


# ------------------------------------------------------------------------------ derive
def cmd_derive(args):
    """The whole chain of Sec. VI for one model (:mod:`semiclassical.chain`), text, LaTeX or JSON."""
    from . import catalogue, chain, chain_document

    from .results import FULL

    model = catalogue.get(args.model)
    model.require_covariant("`derive`")
    sets = _parse_sets(args.set)
    if args.out:
        _check_out(Path(args.out), args.force, "derive.md")
    elif args.pdf or args.force:
        raise SemiclassicalError(f"{'--pdf' if args.pdf else '--force'} needs --out DIR (where the report goes)")
    FULL[0] = args.full
    only = _only_keys(args.only)
    geometry, scenarios = chain.derive_chain(model, sets or None, budget=args.budget,
                                             magnetization=getattr(model, "magnetization", None),
                                             skew_reading=args.skew_reading,
                                             select=(lambda key: _selected(key, only)) if only else None)
    model = model.sign_case(model.resolve_values(sets))   # the forms below hold in this sign case
    if args.out:
        from .derive_report import write_derive_report

        paths = write_derive_report(Path(args.out), model, geometry, scenarios, _dump, pdf=args.pdf, values=sets)
        print("derivation written: " + ", ".join(str(p) for p in paths))
    elif args.json:
        print(_dump(chain_document.as_json(model, geometry, scenarios)))
    elif args.latex:
        print(chain_document.as_latex_document(model, geometry, scenarios), end="")
    else:
        print(chain_document.as_text(model, geometry, scenarios))
    return 0


def _only_keys(text):
    """--only KEY,...: stable keys of `derive` (a prefix such as sigma_yx selects its pieces)."""
    from .chain import GEOMETRY_KEYS, SCENARIO_KEYS

    if not text:
        return ()
    keys = [x.strip() for x in text.split(",") if x.strip()]
    valid = (*GEOMETRY_KEYS, *SCENARIO_KEYS)
    for key in keys:
        # a model file's own observables (observables.<name>) are checked against the model later
        if not any(_selected(v, (key,)) for v in valid) and not key.startswith("observables"):
            import difflib

            near = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise SemiclassicalError(f"--only: unknown key {key!r}{hint}; valid keys: {', '.join(valid)}")
    return tuple(keys)


def _selected(key, only):
    return any(key == o or key.startswith(o + ".") for o in only)


# ------------------------------------------------------------------------------ check
#: exit status of `check` when the expression is not the derived one (a factor off, or different)
EXIT_NOT_EQUAL = 4


def cmd_check(args):
    """Is a hand-derived expression the derived result KEY? (:mod:`semiclassical.check`)"""
    from . import catalogue
    from .check import check

    model = catalogue.get(args.model)
    verdict = check(model, args.key, args.expression, _parse_sets(args.set) or None,
                    skew_reading=args.skew_reading)
    print(_dump(verdict.as_dict()) if args.json else str(verdict))
    return 0 if verdict.equal else EXIT_NOT_EQUAL


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
    """JSON without NaN or Infinity (docs/design.md section 4): a non-finite number becomes null."""
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
    result = _compare(model, sets, args.skew_reading, engines, args.crossed)
    print(_dump(result.as_dict()) if args.json else str(result))
    _warn(result)
    return 0 if result.agree else EXIT_DISAGREE


def _compare(model, sets, skew_reading, engines, crossed=False):
    from .engines import Problem, compare

    from .engines.problem import EVALUATE_OBSERVABLES

    problem = Problem.at(model, sets, skew_reading=skew_reading, crossed=crossed, observables_=(
        *EVALUATE_OBSERVABLES, *(observables.USER_PREFIX + n for n in model.observables)))
    quiet = set(engines) <= {"closed_form", "quadrature"}   # the fast engines report no progress
    return compare(problem, engines, progress=None if quiet else _progress)


def _warn(result):
    if result.validity is not None and result.validity.applicable is False:
        print(f"semiclassical: warning: {result.validity.line}", file=sys.stderr)
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
        points.append(_compare(model, {**sets, name: float(x)}, args.skew_reading, engines, args.crossed))
        _warn(points[-1])
        _progress(f"point {i + 1}/{len(grid)} ({name}={x:.6g}) done, {time.perf_counter() - t0:.1f} s")
    if args.json:
        print(_dump({"sweep": name, "points": [p.as_dict() for p in points]}))
    else:
        for p in points:
            print(p)
    return 0 if all(p.agree for p in points) else EXIT_DISAGREE


# ------------------------------------------------------------------------------ map
def cmd_map(args):
    """A parameter map (:mod:`semiclassical.maps`, docs/maps.md): DIR/map.csv, map.json, figures/."""
    from .maps import MapSpec, parse_axis, run_map

    axes = tuple(parse_axis(g) for g in args.grid or [])
    spec = MapSpec(args.model, axes, _parse_sets(args.set), _engines(args), args.skew_reading)
    if args.workers is not None and args.workers < 0:
        raise SemiclassicalError(f"--workers {args.workers}: give 0 (one process) or a positive number")
    try:
        result = run_map(spec, args.out, workers=args.workers, scheduler=args.scheduler,
                         progress=not args.quiet, figures=not args.no_figures)
    except KeyboardInterrupt:
        print(f"semiclassical: interrupted; the finished points are stored in {Path(args.out) / 'cache'}: "
              "rerun the same command to compute only the missing ones", file=sys.stderr)
        return 130
    done = ", ".join(f"{e} {n}" for e, n in result.computed.items()) or "none"
    _progress(f"map of {result.points} points ({result.parallel}); computed now: {done}; the rest from the "
              f"cache; {result.seconds['total']:.1f} s; wrote {Path(args.out) / 'map.csv'}, map.json"
              + (f" and {len(result.files) - 2} figures" if len(result.files) > 2 else ""))
    return 0


# ------------------------------------------------------------------------------ schema
def cmd_schema(args):
    """The JSON Schema of the model file (semiclassical.modelfile), on stdout."""
    from .modelfile import schema_text

    sys.stdout.write(schema_text())
    return 0


# ------------------------------------------------------------------------------ main
class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (docs/design.md section 4: never more than one line)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser():
    from . import __version__
    from .catalogue import MODELS

    ap = _Parser(prog="semiclassical", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"semiclassical {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    model_help = (f"a built-in model ({', '.join(MODELS)}) or a model file (TOML, the format in docs/model_file.md); "
                  "--set takes eF, the model's parameters, W, e, hbar, T and the disorder's parameters")
    r = sub.add_parser("reproduce", help="derive Sec. VI of the paper and compare with the print")
    r.add_argument("--json", action="store_true", help="the table as JSON (with the quadrature column)")
    r.add_argument("--out", metavar="DIR",
                   help="write DIR/report.md, DIR/report.tex and DIR/figures/*.png")
    r.add_argument("--force", action="store_true", help="with --out: overwrite a report already in DIR")
    r.add_argument("--pdf", action="store_true",
                   help="with --out: also compile DIR/report.pdf (needs pdflatex or lualatex)")
    d = sub.add_parser("derive", help="the whole chain of Sec. VI in closed form for a built-in model or a TOML file")
    d.add_argument("model", help=model_help)
    d.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="parameter values; with eF, only the Fermi-circle scenario of that point")
    d.add_argument("--only", metavar="KEY,...", help="only these results (stable keys, e.g. beta,sigma_yx)")
    d.add_argument("--budget", type=float, default=5.0, metavar="SECONDS",
                   help="time allowed to make one result explicit in eF and the parameters (default 5)")
    d.add_argument("--skew-reading", choices=tuple(READINGS), default=DEFAULT_READING, help=reading_help())
    d.add_argument("--full", action="store_true", help="print forms longer than 20000 characters too")
    g = d.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true", help="one complete LaTeX document")
    g.add_argument("--json", action="store_true", help='{"results": [...]} with stable keys')
    g.add_argument("--out", metavar="DIR", help="write DIR/derive.md, derive.tex, derive.json and "
                   "figures/sigma_yx.png (the closed-form pieces versus eF)")
    d.add_argument("--force", action="store_true", help="with --out: overwrite a derivation already in DIR")
    d.add_argument("--pdf", action="store_true", help="with --out: also compile DIR/derive.pdf (pdflatex or lualatex)")
    c = sub.add_parser("check", help="is a hand-derived expression equal to the derived result KEY?")
    c.add_argument("model", help=model_help)
    c.add_argument("key", help="a stable key of derive (e.g. sigma_yx.skew, tau_tr, energies[+])")
    c.add_argument("expression", help="in eF, the parameters, W, e, hbar and the circle variables (k_1, C_1, rho_1, ...)")
    c.add_argument("--set", action="append", metavar="NAME=VALUE", help="the point (eF picks the scenario)")
    c.add_argument("--skew-reading", choices=tuple(READINGS), default=DEFAULT_READING, help=reading_help())
    c.add_argument("--json", action="store_true")
    e = sub.add_parser("evaluate", help="numbers at one parameter point: closed form and quadrature")
    e.add_argument("model", help=model_help)
    e.add_argument("--set", action="append", metavar="NAME=VALUE")
    e.add_argument("--json", action="store_true")
    e.add_argument("--sweep", metavar="NAME=START:STOP:N",
                   help="evaluate on N evenly spaced values of one parameter (progress on stderr)")
    e.add_argument("--skew-reading", choices=tuple(READINGS), default=DEFAULT_READING, help=reading_help())
    e.add_argument("--engines", metavar="NAME,...",
                   help="engines to run and compare: closed, quadrature, kubo (default closed,quadrature; "
                        "'closed' alone skips the numerical checks). Every number two engines share is "
                        f"compared; a disagreement is a warning and exit status {EXIT_DISAGREE}")
    e.add_argument("--crossed", action="store_true",
                   help="also the crossed (pair) contributions beyond the non-crossing approximation (docs/pair_skew.md, "
                        "docs/crossed_diagrams.md): sigma_yx and spin_density.x gain 'pair_skew' (closed form, quadrature) "
                        "or 'crossed' (kubo: X and Psi diagrams) and 'total_full' ('total' stays the non-crossing total); "
                        "white noise, isotropic models, T = 0")
    e.add_argument("--kubo", action="store_true",
                   help="also run the Kubo-Streda (NCA) engine, extrapolated to W -> 0 (same as adding kubo to "
                        "--engines); adds a 'kubo' map shaped like the closed-form maps (pieces the Kubo side "
                        "does not split are null), with 'error' (the same tree: absolute extrapolation + "
                        "quadrature error of each number), 'scheme_dependent' and 'meta' (its own split "
                        "fermi_surface/ladder/fermi_sea, the W values used). About 1 s for covariant models, "
                        "1-40 s for anisotropic ones (2D k integration; warped-dirac ~35 s)")
    mp = sub.add_parser("map", help="a parameter map: every engine on a grid, cached and resumable (docs/maps.md)")
    mp.add_argument("model", help=model_help)
    mp.add_argument("--grid", action="append", metavar="NAME=START:STOP:N", required=True,
                    help="one grid axis: N evenly spaced values of NAME (repeat for a 2D or larger grid)")
    mp.add_argument("--set", action="append", metavar="NAME=VALUE", help="fixed values at every point")
    mp.add_argument("--engines", metavar="NAME,...",
                    help="closed, quadrature, kubo (default closed,quadrature); the closed form runs vectorized "
                         "in this process, the numerical engines on Dask workers")
    mp.add_argument("--kubo", action="store_true", help="also the Kubo-Streda engine (as in evaluate)")
    mp.add_argument("--skew-reading", choices=tuple(READINGS), default=DEFAULT_READING, help=reading_help())
    mp.add_argument("--workers", type=int, metavar="N",
                    help="local Dask worker processes (default: every core; 0: everything in this process)")
    mp.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="run on an existing Dask cluster instead of a local one")
    mp.add_argument("--out", metavar="DIR", required=True,
                    help="writes DIR/map.csv, DIR/map.json, DIR/figures/; the point cache is DIR/cache "
                         "(a rerun computes only what is missing there)")
    mp.add_argument("--no-figures", action="store_true", help="skip DIR/figures/")
    mp.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("schema", help="print the JSON Schema of the model file (for editors and validators)")
    return ap


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:   # usage error (one line already printed) or --help
        return exc.code
    handler = {"reproduce": cmd_reproduce, "derive": cmd_derive, "check": cmd_check,
               "evaluate": cmd_evaluate, "map": cmd_map, "schema": cmd_schema}[args.command]
    try:
        with warnings.catch_warnings():
            # numerical warnings (overflow in a trial step, an integrator's remark) are not for the
            # terminal: the engines' own convergence checks and the comparison of engines judge the numbers
            warnings.simplefilter("ignore")
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
