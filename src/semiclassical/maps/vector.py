"""The closed form of a map, vectorized over whole Fermi-circle scenarios.

Per point, the closed-form engine finds the Fermi circles (root finding, ~4 ms) and substitutes
numbers into SymPy expressions (``xreplace`` + ``evalf``, 0.1 s for the TI surface, about 2 s for the
Rashba ferromagnet's two circles). Here instead:

1. every point is classified at once with numpy: which closed-form radius branch k(eF, parameters)
   of each band (:func:`fermi.radius_expressions`) is a real, positive root of eps_m(k) = eF there, the
   sign of the band velocity on it, which bands are filled at k = 0, and the sign pattern of the
   parameters (the sign case);
2. for each class one representative point gets the exact scenario (:meth:`Derivation.scenario`),
   whose circles are matched to the branches; if the classification disagrees with it, that class is
   evaluated point by point instead (said in map.json ``problems``);
3. the class's closed forms (circle symbols -> eF and the parameters, Eqs. of the derivation's
   ``leading``, ``skew`` and ``operator`` pieces, with the harmonics of n^(-1) of several circles) are
   lambdified once and evaluated on the arrays of the class's points.

The Fermi-sea pieces of the spin density and of operator observables (<s>^int, Eq. 57) are a radial
adaptive quadrature per point (:func:`derivation.sea_integral`, 1e-12 relative), as in the engine:
they are *not* vectorized and dominate the cost of a large map (docs/maps.md has the figures).
sigma_yx's intrinsic piece has a closed form and is vectorized. Declines (returns None, and the map
runs the closed-form engine per point): anisotropic models, correlated or magnetic disorder, the
paper-route skew readings (mirror shells), magnetization angles on the grid.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp

from ..derivation import sea_integral, singly_filled_intervals
from ..engines.closed_form import _ROUNDING_ULPS, derivation_for
from ..errors import SemiclassicalError
from ..fermi import W as W_sym
from ..fermi import eF as eF_sym
from ..fermi import radius_expressions
from ..model import e as e_sym
from ..model import k as k_sym
from ..observables import W0_PIECES, operator_matrix
from ..parsing import hbar as hbar_sym
from .arrays import blockwise, chunks, evaluate
from .compute import evaluate_point, model_of, problem_at

__all__ = ["closed_form_columns", "ClosedBlocks", "closed_form_arrays"]


def _total(pieces: dict, c: slice) -> np.ndarray:
    """The sum of the W^0 pieces at the points ``c``, 0 where it is rounding of their sizes (as the
    engine's total)."""
    total = sum(pieces[p][c] for p in W0_PIECES)
    size = sum(np.abs(pieces[p][c]) for p in W0_PIECES)
    return np.where(np.abs(total) <= _ROUNDING_ULPS * np.finfo(float).eps * size, 0.0, total)


def _arrays(model, points):
    """{name: float array} of eF, every parameter (defaults filled), hbar, W, e over ``points``."""
    names = dict.fromkeys(n for p in points for n in p)
    base = {"hbar": 1.0, "e": 1.0, **model.values}
    return {n: np.array([float(p.get(n, base.get(n, np.nan))) for p in points]) for n in {*names, *base}}


def _radius_part(z):
    """A candidate radius: the real part where the imaginary part is rounding (1e-10), else NaN."""
    return np.where(np.abs(z.imag) <= 1e-10 * (1 + np.abs(z.real)), z.real, np.nan)


def _classify(D, arr, n):
    """Per point, one row of small integers (vectorized): for each closed-form radius branch of each
    band 0 (not a circle) or 2 + sign of the band velocity there; then 1/0 for each band filled at k = 0.
    Points with equal rows share a Fermi-circle scenario; ``branches`` names the columns."""
    cov = D.model.covariance
    at = {eF_sym: arr["eF"], **{s: arr[name] for name, s in D.model.symbols.items()}}
    columns, branches = [], []
    for band in (1, -1):
        energy = cov.d0 + band * cov.dnorm
        cands = radius_expressions(D.bs, band)
        for kr in evaluate(cands, at, n, accept=_radius_part) if cands else []:
            eps, slope = evaluate([energy, sp.diff(energy, k_sym)], {**at, k_sym: kr}, n)
            columns.append(lambda c, kr=kr, eps=eps, slope=slope: np.where(
                (kr[c] > 0) & (np.abs(eps[c] - arr["eF"][c]) <= 1e-8 * (1 + np.abs(arr["eF"][c]))),
                2 + np.nan_to_num(np.sign(slope[c])), 0))
            branches.append(band)
        (bottom,) = evaluate([energy], {**at, k_sym: np.zeros(n)}, n)
        columns.append(lambda c, bottom=bottom: bottom[c] < arr["eF"][c])
        branches.append(None)
    with np.errstate(invalid="ignore"):
        return blockwise(columns, n, np.int8).T, branches


def classes(codes) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of ``codes``, the index of each point's row): ``np.unique(codes, axis=0,
    return_inverse=True)``, on one integer per row (codes are 0..3, base 4) instead of a row sort, and
    for up to 10 columns by counting (np.bincount) instead of sorting."""
    codes = np.asarray(codes)
    n, width = codes.shape
    if width > 15:
        rows, inverse = np.unique(codes, axis=0, return_inverse=True)
        return rows, np.asarray(inverse).ravel()
    weights = 4 ** np.arange(width - 1, -1, -1, dtype=np.int32)   # first column most significant:
    keys = np.empty(n, np.int32)                                   # the rows in np.unique's order
    for c in chunks(n):
        keys[c] = codes[c].astype(np.int32) @ weights
    if width <= 10:
        present = np.flatnonzero(np.bincount(keys, minlength=1))
        lookup = np.zeros(4**width, np.int16 if len(present) < 2**15 else np.int64)
        lookup[present] = np.arange(len(present))
        uniq, inverse = present, lookup[keys]
    else:
        uniq, inverse = np.unique(keys, return_inverse=True)
    return (uniq[:, None] // weights) % 4, np.asarray(inverse).ravel()


def _take(arr: dict, idx, n: int) -> dict:
    """The arrays of ``arr`` at the points ``idx`` (``arr`` itself when that is every point in order)."""
    return arr if len(idx) == n else {name: a[idx] for name, a in arr.items()}


def fermi_circle_classes(model, skew_reading, arr, points) -> list[tuple[np.ndarray, list]]:
    """[(point indices, sorted (band, velocity sign) of its circles)] of each class, vectorized: first
    the sign case of the parameters (one derivation each), then :func:`_classify` and :func:`classes`.
    Sign cases in the order of their first point, classes in :func:`classes`'s order."""
    n = len(points)
    signs = blockwise([lambda c, a=arr[name]: np.sign(a[c]) + 1 for name in model.parameters] or [lambda c: 0],
                      n, np.int8).T
    cases, inverse = classes(signs)
    groups = []
    for idx in sorted(_members(inverse, len(cases)), key=lambda m: m[0]):
        D0 = derivation_for(model, skew_reading, points[idx[0]])
        codes, branches = _classify(D0, _take(arr, idx, n), len(idx))
        kinds, which = classes(codes)
        for row, sel in zip(kinds, _members(which, len(kinds))):
            groups.append((idx[sel], sorted((b, int(c) - 2) for b, c in zip(branches, row) if b is not None and c)))
    return groups


def _members(inverse, count) -> list[np.ndarray]:
    """The point indices of each of ``count`` classes (ascending): all of them for one class, else one
    stable sort (a radix sort for ``classes``'s int16 indices)."""
    if count == 1:
        return [np.arange(len(inverse))]
    order = np.argsort(inverse, kind="stable")
    return np.split(order, np.cumsum(np.bincount(inverse, minlength=count))[:-1])


class ClosedBlocks:
    """The closed-form numbers of every point: per-point records built from the class arrays."""

    def __init__(self, model, observables, n):
        from .. import observables as registry

        self.columns: list[tuple[str, str]] = []
        self.data = np.full((n, 0), np.nan)
        # the engine's order: the problem's observables, then the torque (added after the engine ran)
        self.order = (*observables, *(f"torque.{a}" for a in "xyz"))
        self.pieces = {key: registry.get("spin_density.x" if key.startswith("torque.") else key, model).pieces
                       for key in self.order}
        self.problems: list[dict] = []
        self.records: dict[int, dict] = {}   # points evaluated one by one (a class the vector path declined)

    def record(self, i: int) -> dict:
        """The closed-form record of point ``i``, shaped like :func:`compute.evaluate_point`'s."""
        if i in self.records:
            return self.records[i]
        got, circles = {}, []
        for (key, piece), x in zip(self.columns, self.data[i]):
            if key == "circle":
                if np.isfinite(x):
                    circles.append({"band": int(piece.split(":")[0]), "kF": float(x)})
            else:
                got.setdefault(key, {})[piece] = float(x) if np.isfinite(x) else None
        values = {key: {p: got[key].get(p) for p in self.pieces[key]} for key in self.order if key in got}
        return {"values": values, "meta": {"circles": circles}}


#: marks a Fermi-sea piece in :func:`closed_form_arrays`'s plan (a per-point quadrature)
_SEA = "sea"


def _named(exprs: dict, at: dict, n: int) -> dict:
    """{name: array} of the expressions ``exprs`` ({name: expression}), as one batch."""
    return dict(zip(exprs, evaluate(list(exprs.values()), at, n)))


def closed_form_arrays(model, D, sc, arr, observables, operators, sea_pieces: bool = True):
    """{(key, piece): array} of the closed forms of scenario ``sc`` at the points of ``arr``, then
    ``("circle", "band:j")``: the radius of each circle.

    Evaluated in batches, each one lambdified function (:func:`.arrays.evaluate`): the circle
    variables of the class (k_F, rho, half-angle cosines: ``Derivation.circle_substitution``), the
    harmonics of n^(-1) and of the skew distribution (several circles), then every piece at once
    (the leading and the skew pieces apart if their harmonics share a name). ``sea_pieces=False`` leaves the per-point Fermi-sea quadratures out (NaN, and NaN
    totals of those observables): the vectorized part alone, as the benchmark times it."""
    n = len(arr["eF"])
    subs = D.circle_substitution(sc, {name: float(a[0]) for name, a in arr.items()})
    params = {s: arr[name] for name, s in D.model.symbols.items()}
    num = {**_named(subs, {eF_sym: arr["eF"], **params}, n), W_sym: arr["W"], e_sym: arr["e"], hbar_sym: arr["hbar"],
           **params}
    lead, sk = D.leading(sc), D.skew(sc)
    h_lead, h_skew = lead.get("harmonics", {}), sk.get("harmonics", {})
    if set(h_lead).isdisjoint(h_skew):     # one batch for every piece (and one for both sets of harmonics)
        both = {**num, **_named({**h_lead, **h_skew}, num, n)}
        at = {"num": both, "lead": both, "skew": both}
    else:
        at = {"num": num, "lead": {**num, **_named(h_lead, num, n)}, "skew": {**num, **_named(h_skew, num, n)}}
    args, funcs = D.intrinsic_spin_functions()
    sizes = D.intrinsic_spin_sizes()[-1]
    # the plan: key -> piece -> (expression, which values it reads) or (_SEA, integrand, size), in the
    # engine's order of pieces
    plan = {"sigma_yx": {"intrinsic": (lead["sigma_yx_intrinsic"], "num"),
                         "extrinsic": (lead.get("sigma_yx_extrinsic", 0), "lead"),
                         "side_jump": (lead.get("sigma_yx_side_jump", 0), "lead"),
                         "skew": (sk["sigma_yx_skew"], "skew")},
            "sigma_xx": {"drude": (lead.get("sigma_xx_drude", 0), "lead")}}
    for i, ax in enumerate("xy"):
        plan[f"spin_density.{ax}"] = {"edelstein": (lead.get(f"s{ax}_edelstein", 0), "lead"),
                                      "intrinsic": (_SEA, funcs[-1][i], sizes[i]),
                                      "extrinsic": (lead.get(f"s{ax}_extrinsic", 0), "lead"),
                                      "side_jump": (lead.get(f"s{ax}_side_jump", 0), "lead"),
                                      "skew": (sk[f"s{ax}_skew"], "skew")}
    for key, (op, leading) in operators.items():
        o = D.operator(sc, op)
        _, f, g = D.operator_sea(op)
        plan[key] = {leading: (o["leading"], "lead"), "extrinsic": (o["extrinsic"], "lead"),
                     "side_jump": (o["side_jump"], "lead"), "skew": (o["skew"], "skew"),
                     "intrinsic": (_SEA, f[-1], g[-1])}
    radii = [num[sc.shell.circles[j].point.k] for j in range(len(sc.circles))]
    got = {}
    for values in {id(v): v for v in at.values()}.values():
        todo = [(key, piece) for key, d in plan.items() for piece, src in d.items()
                if src[0] is not _SEA and at[src[1]] is values]
        got.update(zip(todo, evaluate([plan[key][piece][0] for key, piece in todo], values, n)))
    if sea_pieces:
        sea = _sea_quadrature(D, sc, arr, radii, args)
        got.update({(key, piece): sea(src[1], src[2]) for key, d in plan.items() for piece, src in d.items()
                    if src[0] is _SEA})
    missing = np.broadcast_to(np.nan, (n,))        # the sea pieces left out: read-only, no memory
    out = {key: {piece: got.get((key, piece), missing) for piece in d} for key, d in plan.items()}
    summed = [key for key in out if key != "sigma_xx"]
    for key, total in zip(summed, blockwise([lambda c, d=out[key]: _total(d, c) for key in summed], n)):
        out[key]["total"] = total
    J = model.magnetization
    if J is not None and J in arr:
        # torque = J m x <sigma> with m = z (no angles on a vectorized map): (-J s_y, J s_x, 0)
        sx, sy, Jv = out["spin_density.x"], out["spin_density.y"], arr[J]
        rows = iter(blockwise([lambda c, s=sy[p]: -Jv[c] * s[c] for p in sy] +
                              [lambda c, s=sx[p]: Jv[c] * s[c] for p in sx], n))
        out["torque.x"] = {p: next(rows) for p in sy}
        out["torque.y"] = {p: next(rows) for p in sx}
        # 0 * s_x: NaN where s_x is not finite; one read-only zero (no memory) where it is finite throughout
        out["torque.z"] = {p: np.broadcast_to(0.0, (n,)) if np.isfinite(np.sum(sx[p])) else 0.0 * sx[p] for p in sx}
    res = {(key, piece): np.broadcast_to(np.asarray(v, float), (n,)) for key, d in out.items() for piece, v in d.items()}
    res.update({("circle", f"{band}:{j}"): radii[j] for j, (band, _, _) in enumerate(sc.circles)})
    return res


def _sea_quadrature(D, sc, arr, radii, args):
    """sea(f, g): per point the adaptive radial quadrature of a Fermi-sea piece (not vectorized; see
    the module docstring) over the point's own singly filled intervals."""
    n = len(arr["eF"])
    point = [[arr[a.name][i] if a.name in arr else None for a in args[1:]] for i in range(n)]
    # each point's own radii bound its singly filled intervals (the class fixes only their order)
    intervals = [singly_filled_intervals(dataclasses.replace(sc, circles=tuple(
        (b, s, float(radii[j][i])) for j, (b, s, _) in enumerate(sc.circles)))) for i in range(n)]

    def sea(f, g):
        return np.array([sum(sea_integral(lambda x: float(np.real(f(x, *point[i]))), lo, hi,
                                          size=lambda x: float(np.real(g(x, *point[i]))))
                             for lo, hi in intervals[i]) for i in range(n)])
    return sea


#: a circle with 1 - |cos a| below this is evaluated by the engine, point by point: the forms hold
#: 1 - cos a and the like, which keep about -log10(1 - |cos a|) fewer digits in double precision
#: (engines/closed_form.CIRCLE_DIGITS; profile cases 395, 531)
NEAR_POLE = 1e-4


def _near_a_pole(D, arr, cols, data) -> np.ndarray:
    """Mask of the class's points where a Fermi circle lies within NEAR_POLE of a pole of the Bloch
    sphere (cos a = d_z/|d| = +-1: a tiny circle next to a band edge)."""
    expr = sp.sympify(D.bs.radial["C"])
    params = [(s.name, s) for s in sorted(expr.free_symbols - {k_sym}, key=str)]     # parameters, hbar
    cos_a = sp.lambdify((k_sym, *(s for _, s in params)), expr, "numpy")
    near = np.zeros(data.shape[0], bool)
    for j, col in enumerate(cols):
        if col[0] == "circle":
            with np.errstate(all="ignore"):
                c = np.broadcast_to(cos_a(data[:, j], *(arr[name] for name, _ in params)), near.shape)
            near |= 1.0 - np.abs(c) < NEAR_POLE
    return near


def closed_form_columns(ref, spec, points, cache):
    """:class:`ClosedBlocks` of every point (classes cached as blocks), or None where not vectorizable."""
    from ..torque import ANGLES

    model = model_of(ref)
    if not model.is_covariant or any(a in p for p in points[:1] for a in ANGLES):
        return None
    rep = problem_at(ref, points[0], spec.skew_reading)
    if not rep.disorder.is_white_noise or spec.skew_reading != "T":
        return None
    if any(p.get("T", 0.0) for p in points):
        return None                     # T > 0: the thermal convolution of the per-point engine (engines/thermal.py)
    arr = _arrays(model, points)
    if "W" not in points[0]:
        arr["W"] = np.full(len(points), rep.W)
    if not (arr["W"] > 0).all() or not all(np.isfinite(a).all() for a in arr.values()):
        return None                     # the engine's own clear line per point, through the per-point path
    obs = set(rep.observables)
    blocks = ClosedBlocks(model, rep.observables, len(points))
    groups = fermi_circle_classes(model, spec.skew_reading, arr, points)
    columns: dict = {}
    results = []
    for idx, circles in groups:
        sub = _take(arr, idx, len(points))
        gpoints = [points[i] for i in idx]
        key = cache.block_key("closed_form", gpoints, [])
        try:
            problem = problem_at(ref, gpoints[0], spec.skew_reading)
            D = derivation_for(model, spec.skew_reading, problem.values)
            sc = D.scenario(problem.values)
            if sorted(sc.spec) != circles:
                raise ValueError("the classification disagrees with the exact scenario")
        except (SemiclassicalError, ValueError):
            for i in idx:       # that class point by point, through the engine itself
                rec = evaluate_point(ref, points[i], "closed_form", spec.skew_reading)
                blocks.records[i] = rec
                if "error" in rec:
                    blocks.problems.append({"point": points[i], "engine": "closed_form", "error": rec["error"]})
            continue
        ops = {k: (operator_matrix(problem.observable(k), D.model), problem.observable(k).leading)
               for k in problem.operator_observables}
        cached = cache.load_block("closed_form", key)
        if cached is None:
            res = closed_form_arrays(model, D, sc, sub, obs, ops)
            cols = list(res)
            data = np.stack([res[k] for k in cols], axis=1)
            cache.save_block("closed_form", key, data, ["\t".join(k) for k in cols], len(idx))
        else:
            data, names = cached
            cols = [tuple(x.split("\t")) for x in names]
        for k in cols:
            columns.setdefault(k, len(columns))
        results.append((idx, cols, data))
        for i in idx[_near_a_pole(D, sub, cols, data)]:
            # the class's double-precision forms lose digits there: the engine, from 40-digit circle values
            blocks.records[i] = evaluate_point(ref, points[i], "closed_form", spec.skew_reading)
    blocks.columns = list(columns)
    blocks.data = np.full((len(points), len(columns)), np.nan)
    for idx, cols, data in results:
        blocks.data[np.ix_(idx, [columns[k] for k in cols])] = data
    return blocks
