"""Running the engines on one problem and judging them against each other (docs/design.md, "Engines").

:func:`compare` asks every requested engine the same :class:`~.problem.Problem` and checks every
number that two engines both report: engines agree on ``key.piece`` when

    |a - b| <= 20 (err_a + err_b) + max(tol_a, tol_b) * scale,

with err the engines' own absolute error estimates (0 for the closed form), tol their stated
relative accuracies (closed form 1e-12, quadrature and Kubo-Streda 1e-8: docs/design.md section 5) and
scale the largest magnitude among the W^0 pieces of that observable in either engine (for the 1/W
piece: its own magnitude). The factor 20 is the margin the Kubo-vs-semiclassical tests use on the
Richardson-extrapolation error estimate (tests/test_kubo_vs_semiclassical.py). Numbers an engine marks
as not fixed by its approximation (``scheme_dependent``: the W^0 total of an observable with a 1/W
piece, and its ``total_full``) are not compared. The Fermi circles two
engines found independently are compared too (:func:`judge_fermi_surface`: same bands, radii to 1e-8).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import observables, units
from ..errors import SemiclassicalError
from ..validity import Validity, assess
from .base import ENGINES, get_engine
from .problem import Problem
from .result import Response, tree

__all__ = ["Comparison", "Disagreement", "compare", "DEFAULT_ENGINES", "fermi_circles"]

DEFAULT_ENGINES = ("closed_form", "quadrature")
#: margin on the engines' own error estimates (see module docstring)
ERROR_MARGIN = 20.0


@dataclass(frozen=True)
class Disagreement:
    """Two engines' values of one number that differ by more than the tolerance."""

    key: str
    engines: tuple[str, str]
    values: tuple[float, float]
    tolerance: float

    @property
    def difference(self) -> float:
        return abs(self.values[0] - self.values[1])

    def __str__(self):
        (a, b), (x, y) = self.engines, self.values
        return (f"{self.key}: {a} = {x:.10g} but {b} = {y:.10g} (difference {self.difference:.2e} > "
                f"tolerance {self.tolerance:.2e})")

    def as_dict(self):
        return {"key": self.key, "engines": list(self.engines), "values": list(self.values),
                "difference": self.difference, "tolerance": self.tolerance}


def _scale(key: str, piece: str, ra: Response, rb: Response) -> float:
    obs = observables.get(key)
    names = (obs.leading,) if piece == obs.leading else (*observables.W0_PIECES, "total")
    vals = [abs(v) for r in (ra, rb) for p in names if (v := r.value(key, p)) is not None]
    return max(vals, default=0.0)


def judge(ra: Response, rb: Response, tols: tuple[float, float]) -> tuple[int, list[Disagreement]]:
    """(numbers compared, disagreements) between two responses."""
    checked, bad = 0, []
    skip = set(ra.scheme_dependent) | set(rb.scheme_dependent)
    for key in ra.values.keys() & rb.values.keys():
        for piece, a in ra.values[key].items():
            b = rb.value(key, piece)
            # a scheme-dependent W^0 total (the observable has a 1/W piece) is not compared, nor is the
            # total with the crossed diagrams built on it (their W^0 part of a 1/W response, like the
            # crossed corrections to sigma_xx, is beyond the pair skew: seed-2 --crossed profile)
            if a is None or b is None or (key in skip and piece in ("total", "total_full")):
                continue
            checked += 1
            tol = (ERROR_MARGIN * (ra.error(key, piece) + rb.error(key, piece))
                   + max(tols) * _scale(key, piece, ra, rb))
            if abs(a - b) > tol:
                bad.append(Disagreement(f"{key}.{piece}", (ra.engine, rb.engine), (a, b), tol))
    return checked, bad


#: Fermi radii found by two engines agree to this relative accuracy (both locate them by root finding
#: to ~1e-12 relative; quadrature/contours.py, fermi_scan.py)
RADIUS_RTOL = 1e-8


def fermi_circles(r: Response) -> list[tuple[int, float]] | None:
    """(band, radius) of every Fermi circle an engine used, sorted; None if it does not say (or the
    contours are not circles). Band +1 is the upper band."""
    if "circles" in r.meta:
        return sorted((int(c["band"]), float(c["kF"])) for c in r.meta["circles"])
    contours = r.meta.get("contours")
    if contours is None or r.meta.get("isotropy") != "isotropic":
        return None
    # the quadrature engine indexes bands 0 (lower), 1 (upper)
    return sorted((1 if c["band"] == 1 else -1, 0.5 * (c["k_min"] + c["k_max"])) for c in contours)


def judge_fermi_surface(ra: Response, rb: Response) -> tuple[int, list[Disagreement]]:
    """Do two engines work on the same Fermi circles (each found independently)? A missed circle makes
    every Fermi-surface number wrong; naming it here says why."""
    a, b = fermi_circles(ra), fermi_circles(rb)
    if a is None or b is None:
        return 0, []
    engines = (ra.engine, rb.engine)
    if [band for band, _ in a] != [band for band, _ in b]:
        return 1, [Disagreement("fermi_surface.number_of_circles", engines, (float(len(a)), float(len(b))), 0.0)]
    bad = [Disagreement(f"fermi_surface.radius[band {ba:+d}]", engines, (ka, kb), RADIUS_RTOL * max(ka, kb))
           for (ba, ka), (_, kb) in zip(a, b) if abs(ka - kb) > RADIUS_RTOL * max(ka, kb)]
    return len(a), bad


@dataclass
class Comparison:
    """The engines' responses to one problem, which engines could not answer and why, and their agreement."""

    problem: Problem
    responses: dict[str, Response]
    unavailable: dict[str, str] = field(default_factory=dict)
    checked: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    #: is the weak-disorder expansion applicable here (:mod:`semiclassical.validity`)?
    validity: Validity | None = None

    @property
    def agree(self) -> bool:
        return not self.disagreements

    def single_engine_note(self) -> str | None:
        """Said when one engine alone answered although others were asked: nothing checked its numbers."""
        if len(self.responses) != 1 or not self.unavailable:
            return None
        (name,) = self.responses
        return (f"only the {ENGINES[name].title} engine evaluates this problem; no other engine has checked its "
                "numbers")

    def agreement(self) -> dict:
        out = {"agree": self.agree, "checked": self.checked, "engines": list(self.responses),
               "rule": "|a - b| <= 20 (err_a + err_b) + max(tol_a, tol_b) * scale (docs/design.md)",
               "disagreements": [d.as_dict() for d in self.disagreements]}
        if self.single_engine_note():
            out["note"] = self.single_engine_note()
        return out

    def as_dict(self) -> dict:
        """The ``evaluate --json`` map (docs/design.md section 4): closed-form maps at the top level,
        one map per other engine, ``agreement``."""
        p = self.problem
        out = {"model": p.model.name, "T": p.T, "parameters": p.parameters, "disorder": {**p.disorder.to_json(), "description": p.disorder.describe()},
               "skew_reading": p.skew_reading, "units": units.statement(p.values.get("hbar", 1.0), p.e)}
        closed = self.responses.get("closed_form")
        if closed is not None:
            out.update(tree(closed.values))
            out["circles"] = closed.meta["circles"]
            if closed.notes:
                out["note"] = " ".join(closed.notes)
        elif "closed_form" in self.unavailable:
            out["closed_form"] = (f"none: {self.unavailable['closed_form']}; the numbers are from the "
                                  "numerical engines alone")
        for name, r in self.responses.items():
            if name != "closed_form":
                out[name] = r.as_dict()
        out["agreement"] = self.agreement()
        if self.validity is not None:
            out["validity"] = self.validity.as_dict()
        return out

    def __str__(self):
        return "\n".join(text_lines(self))

    def _repr_pretty_(self, p, _cycle):
        p.text(str(self))


def compare(problem: Problem, engines=DEFAULT_ENGINES, progress=None) -> Comparison:
    """Every requested engine on ``problem``, and the check of each against the others.

    ``engines``: names from :data:`~.base.ENGINES`; an engine that cannot treat the problem (the
    closed form for an anisotropic model) is listed in ``unavailable`` with its reason.
    ``progress``: optional callable receiving one line per engine (the CLI sends them to stderr).
    """
    import time

    responses, unavailable, first_error = {}, {}, None
    for name in engines:
        engine = get_engine(name)
        why = engine.unavailable(problem)
        if why:
            unavailable[name] = why
            continue
        t0 = time.perf_counter()
        if progress:
            progress(f"{engine.title} engine at eF = {problem.eF:g}...")
        try:
            responses[name] = engine.evaluate(problem)
        except SemiclassicalError as exc:
            # one engine that cannot vouch for its numbers here (not converged, a singular point for
            # its method) leaves the others to answer; said in `unavailable`, and with nothing left,
            # the first reason is the error (below)
            unavailable[name] = str(exc)
            first_error = first_error or exc
            continue
        J = problem.model.magnetization
        if J is not None and J in problem.values:
            # the torque J m x <sigma>, formed alike from every engine's spin density
            from ..torque import add_torque

            add_torque(responses[name], problem.values[J], problem.magnetization_direction)
        if progress:
            progress(f"{engine.title} done in {time.perf_counter() - t0:.1f} s")
    if not responses and first_error is not None and len(unavailable) == 1:
        raise first_error
    if not responses:
        raise SemiclassicalError("no requested engine evaluates this problem: "
                                 + "; ".join(f"{get_engine(n).title}: {why}" for n, why in unavailable.items()))
    out = Comparison(problem, responses, unavailable, validity=_validity(problem))
    names = list(responses)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            n, bad = judge(responses[a], responses[b], (ENGINES[a].relative_tolerance, ENGINES[b].relative_tolerance))
            m, wrong = judge_fermi_surface(responses[a], responses[b])
            out.checked += n + m
            out.disagreements.extend(wrong + bad)
    return out


def _validity(problem: Problem) -> Validity:
    try:
        return assess(problem.model, problem.values, problem.disorder.scattering_bound)
    except SemiclassicalError as exc:   # a singular point: the engines say so themselves
        return Validity(None, None, str(exc), None)


def text_lines(c: Comparison):
    """The terminal form: one row per number, one column per engine, doubts and disagreements named."""
    p = c.problem
    yield (f"model {p.model.name}  parameters {p.parameters}  disorder {p.disorder.describe()}  "
           f"skew reading {p.skew_reading}")
    yield units.statement(p.values.get("hbar", 1.0), p.e)
    for name, why in c.unavailable.items():
        yield f"{ENGINES[name].title}: none ({why})"
    if c.validity is not None:
        yield c.validity.line
    for r in c.responses.values():
        for n in r.notes:
            yield f"note: {n}"
        for d in r.doubts:
            yield f"doubt ({ENGINES[r.engine].title}): {d}"
    cols = list(c.responses)
    width = {n: 30 if c.responses[n].errors and n == "kubo" else 20 for n in cols}
    yield f"{'':<28}" + "".join(f"{ENGINES[n].title:>{width[n]}}" for n in cols)
    keys = dict.fromkeys(k for r in c.responses.values() for k in r.values)
    for key in keys:
        # the registry's pieces, then those an input adds (--crossed: pair_skew, crossed, total_full)
        pieces = dict.fromkeys([*observables.get(key).pieces,
                                *(p for r in c.responses.values() for p in r.values.get(key, {}))])
        for piece in pieces:
            cells = [c.responses[n].value(key, piece) for n in cols]
            if all(x is None for x in cells):
                continue
            row = []
            for n, x in zip(cols, cells):
                err = c.responses[n].error(key, piece)
                txt = "-" if x is None else (f"{x:.10g}" + (f" +- {err:.0e}" if err and n == "kubo" else ""))
                row.append(f"{txt:>{width[n]}}")
            yield f"{key + '.' + piece:<28}" + "".join(row)
    if c.disagreements:
        for d in c.disagreements:
            yield f"warning: engines disagree on {d}"
    elif len(c.responses) > 1:
        yield f"engines agree on all {c.checked} numbers they share"
    if len(c.responses) == 1 and c.unavailable:
        yield f"note: {c.single_engine_note()}"
