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
from .compute import evaluate_point, model_of, problem_at

__all__ = ["closed_form_columns", "ClosedBlocks", "closed_form_arrays"]


#: lambdified closed forms of this process, by (expression, arguments): each is compiled once
_COMPILED: dict = {}


def _fn(expr, args):
    """A numpy function of ``args`` for ``expr`` (a constant broadcast to the arrays' shape)."""
    expr = sp.sympify(expr)
    key = (expr, tuple(args))
    if key not in _COMPILED:
        _COMPILED[key] = sp.lambdify(args, expr, "numpy", cse=True)
    f = _COMPILED[key]
    return lambda *xs: np.broadcast_to(np.asarray(f(*xs), complex), np.shape(xs[0]))


def _real(z):
    """Real part; NaN where the imaginary part is not rounding (the engine raises there)."""
    z = np.asarray(z, complex)
    return np.where(np.abs(z.imag) <= 1e-9 * np.maximum(1.0, np.abs(z.real)), z.real, np.nan)


def _total(pieces: dict) -> np.ndarray:
    total = sum(pieces[p] for p in W0_PIECES)
    size = sum(np.abs(pieces[p]) for p in W0_PIECES)
    return np.where(np.abs(total) <= _ROUNDING_ULPS * np.finfo(float).eps * size, 0.0, total)


def _arrays(model, points):
    """{name: float array} of eF, every parameter (defaults filled), hbar, W, e over ``points``."""
    names = dict.fromkeys(n for p in points for n in p)
    base = {"hbar": 1.0, "e": 1.0, **model.values}
    return {n: np.array([float(p.get(n, base.get(n, np.nan))) for p in points]) for n in {*names, *base}}


def _classify(D, arr, n):
    """Per point, one row of small integers (vectorized): for each closed-form radius branch of each
    band 0 (not a circle) or 2 + sign of the band velocity there; then 1/0 for each band filled at k = 0.
    Points with equal rows share a Fermi-circle scenario; ``branches`` names the columns."""
    cov = D.model.covariance
    params = list(D.model.symbols.values())
    pvals = [arr[name] for name in D.model.symbols]
    codes, branches = [], []
    for band in (1, -1):
        energy = cov.d0 + band * cov.dnorm
        eps = _fn(energy, (k_sym, *params))
        slope = _fn(sp.diff(energy, k_sym), (k_sym, *params))
        for cand in radius_expressions(D.bs, band):
            with np.errstate(all="ignore"):
                kc = _fn(cand, (eF_sym, *params))(arr["eF"].astype(complex), *(p.astype(complex) for p in pvals))
                kr = kc.real
                ok = (np.abs(kc.imag) <= 1e-10 * (1 + np.abs(kr))) & (kr > 0)
                ok &= np.abs(_real(eps(kr, *pvals)) - arr["eF"]) <= 1e-8 * (1 + np.abs(arr["eF"]))
                vs = np.nan_to_num(np.sign(_real(slope(kr, *pvals))))
            codes.append(np.where(ok, 2 + vs, 0).astype(np.int8))
            branches.append(band)
        with np.errstate(all="ignore"):
            codes.append((_real(eps(np.zeros(n), *pvals)) < arr["eF"]).astype(np.int8))
        branches.append(None)
    return np.stack(codes, axis=1), branches


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


def closed_form_arrays(model, D, sc, arr, observables, operators, sea_pieces: bool = True):
    """{(key, piece): array} of the closed forms of scenario ``sc`` at the points of ``arr``.

    ``sea_pieces=False`` leaves the per-point Fermi-sea quadratures out (NaN, and NaN totals of
    those observables): the vectorized part alone, as the benchmark times it."""
    rep = {n: float(a[0]) for n, a in arr.items()}
    subs = D.circle_substitution(sc, rep)
    pargs = (eF_sym, *D.model.symbols.values())
    pv = [arr["eF"], *(arr[n] for n in D.model.symbols)]
    num = {s: _real(_fn(x, pargs)(*pv)) for s, x in subs.items()}
    num.update({W_sym: arr["W"], e_sym: arr["e"], hbar_sym: arr["hbar"]})
    for name, s in D.model.symbols.items():
        num[s] = arr[name]

    def val(expr, at):
        expr = sp.sympify(expr)
        syms = sorted(expr.free_symbols, key=str)
        missing = [s for s in syms if s not in at]
        if missing:
            raise SemiclassicalError(f"vectorized closed form: no value for {missing}")
        return _real(_fn(expr, syms)(*(at[s] for s in syms)) if syms else np.full(len(arr["eF"]), complex(expr)))

    lead, sk = D.leading(sc), D.skew(sc)
    at_lead = {**num, **{g: val(x, num) for g, x in lead.get("harmonics", {}).items()}}
    at_skew = {**num, **{g: val(x, num) for g, x in sk.get("harmonics", {}).items()}}
    out = {}
    sigma = {"intrinsic": val(lead["sigma_yx_intrinsic"], num),
             "extrinsic": val(lead.get("sigma_yx_extrinsic", 0), at_lead),
             "side_jump": val(lead.get("sigma_yx_side_jump", 0), at_lead),
             "skew": val(sk["sigma_yx_skew"], at_skew)}
    sigma["total"] = _total(sigma)
    out["sigma_yx"] = sigma
    out["sigma_xx"] = {"drude": val(lead.get("sigma_xx_drude", 0), at_lead)}
    args, funcs = D.intrinsic_spin_functions()
    sizes = D.intrinsic_spin_sizes()[-1]
    n = len(arr["eF"])
    if not sea_pieces:
        point = intervals = None
    else:
        point = [[arr[a.name][i] if a.name in arr else None for a in args[1:]] for i in range(n)]
        # each point's own radii bound its singly filled intervals (the class fixes only their order)
        radii = [_radii(D, sc, arr, j) for j in range(len(sc.circles))]
        intervals = [singly_filled_intervals(dataclasses.replace(sc, circles=tuple(
            (b, s, float(radii[j][i])) for j, (b, s, _) in enumerate(sc.circles)))) for i in range(n)]

    def sea(f, g):      # per point: adaptive radial quadrature (not vectorized; see module docstring)
        if not sea_pieces:
            return np.full(n, np.nan)
        return np.array([sum(sea_integral(lambda x: float(np.real(f(x, *point[i]))), lo, hi,
                                          size=lambda x: float(np.real(g(x, *point[i]))))
                             for lo, hi in intervals[i]) for i in range(n)])

    for i, ax in enumerate("xy"):
        d = {"edelstein": val(lead.get(f"s{ax}_edelstein", 0), at_lead), "intrinsic": sea(funcs[-1][i], sizes[i]),
             "extrinsic": val(lead.get(f"s{ax}_extrinsic", 0), at_lead),
             "side_jump": val(lead.get(f"s{ax}_side_jump", 0), at_lead), "skew": val(sk[f"s{ax}_skew"], at_skew)}
        d["total"] = _total(d)
        out[f"spin_density.{ax}"] = d
    for key, (op, leading) in operators.items():
        o = D.operator(sc, op)
        _, f, g = D.operator_sea(op)
        d = {leading: val(o["leading"], at_lead), "extrinsic": val(o["extrinsic"], at_lead),
             "side_jump": val(o["side_jump"], at_lead), "skew": val(o["skew"], at_skew),
             "intrinsic": sea(f[-1], g[-1])}
        d["total"] = _total(d)
        out[key] = d
    J = model.magnetization
    if J is not None and J in arr:
        # torque = J m x <sigma> with m = z (no angles on a vectorized map): (-J s_y, J s_x, 0)
        sx, sy = out["spin_density.x"], out["spin_density.y"]
        out["torque.x"] = {p: -arr[J] * sy[p] for p in sy}
        out["torque.y"] = {p: arr[J] * sx[p] for p in sx}
        out["torque.z"] = {p: 0.0 * sx[p] for p in sx}
    return {(key, piece): np.broadcast_to(np.asarray(v, float), (n,)) for key, d in out.items() for piece, v in d.items()}


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
    signs = np.stack([np.sign(arr[nm]) for nm in model.parameters], axis=1) if model.parameters else np.zeros((len(points), 0))
    groups: dict = {}
    by_sign: dict = {}
    for i, s in enumerate(map(tuple, signs)):
        by_sign.setdefault(s, []).append(i)
    for s, idx in by_sign.items():
        idx = np.asarray(idx)
        D0 = derivation_for(model, spec.skew_reading, points[idx[0]])
        codes, branches = _classify(D0, {nm: a[idx] for nm, a in arr.items()}, len(idx))
        rows, inverse = np.unique(codes, axis=0, return_inverse=True)
        for r, row in enumerate(rows):
            circles = sorted((b, int(c) - 2) for b, c in zip(branches, row) if b is not None and c)
            groups[(s, r)] = (idx[np.asarray(inverse).ravel() == r], circles)
    columns: dict = {}
    results = []
    for idx, circles in groups.values():
        sub = {nm: a[idx] for nm, a in arr.items()}
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
            for j, (band, _, _) in enumerate(sc.circles):
                res[("circle", f"{band}:{j}")] = _radii(D, sc, sub, j)
            cols = list(res)
            data = np.stack([res[k] for k in cols], axis=1)
            cache.save_block("closed_form", key, data, ["\t".join(k) for k in cols], len(idx))
        else:
            data, names = cached
            cols = [tuple(x.split("\t")) for x in names]
        for k in cols:
            columns.setdefault(k, len(columns))
        results.append((idx, cols, data))
    blocks.columns = list(columns)
    blocks.data = np.full((len(points), len(columns)), np.nan)
    for idx, cols, data in results:
        blocks.data[np.ix_(idx, [columns[k] for k in cols])] = data
    return blocks


def _radii(D, sc, arr, j):
    rep = {n: float(a[0]) for n, a in arr.items()}
    subs = D.circle_substitution(sc, rep)
    p = sc.shell.circles[j].point
    pargs = (eF_sym, *D.model.symbols.values())
    return _real(_fn(subs[p.k], pargs)(arr["eF"], *(arr[n] for n in D.model.symbols)))
