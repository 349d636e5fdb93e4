"""Every engine at temperature T > 0: the thermal convolution of its T = 0 answers (docs/temperature.md).

Each piece of the paper's response is linear in the equilibrium distribution. The Fermi-surface pieces
(Drude/Edelstein n_E^(-1), Eq. 52's extrinsic, side-jump and skew terms) are built from elastic
collision integrals (Eqs. 30-38), which conserve energy, so each energy shell solves its own Boltzmann
equation and the response at (T, mu) is sum over shells of -df/deps times the T = 0 response at
eF = eps. The Fermi-sea pieces (Berry curvature, Eq. 72; s^int, Eq. 57) are sum_k f(eps_k) X(k) =
int deps f(eps) dX_0/deps = int deps (-df/deps) X_0(eps) by parts. So every number at (T, mu) is

    X(T, mu) = int deps (-df/deps) X_0(eps),    -df/deps = 1/(4T cosh^2((eps - mu)/2T)),

with X_0(eps) the engine's own T = 0 number at eF = eps. This module does that integral once for every
engine (``convolve``, called by :class:`~.base.Engine` for any problem with T > 0):

* the variable is x = (eps - mu)/T, the weight w(x) = 1/(4 cosh^2(x/2)) on |x| <= WINDOW (the neglected
  tail has weight 2/(1 + e^WINDOW) < 1e-17);
* the window is cut at the band features (band energies at k = 0, band extrema; :func:`band_features`),
  where the T = 0 numbers have kinks; on each piece a Gauss rule for the weight w restricted to that
  piece (:func:`window_rule`, from its Jacobi matrix) integrates X_0 (smooth there) with few nodes, all
  interior, so no node sits on a band edge where a closed form is singular;
* adaptive: each piece is integrated with n and n + 2 nodes, the difference is its error estimate, and
  the piece with the largest estimate is split at its weighted median until the sum is below
  ``rtol`` times the size of each observable (the largest magnitude among its W^0 pieces, as in
  :mod:`.compare`) plus NOISE_MARGIN times the engine's own errors at the nodes (no rule resolves
  numbers below their noise: Kubo's W -> 0 extrapolation, the quadrature's angular sums);
* the error of each number is that estimate plus the weighted engine errors at the nodes plus the tail.

One engine object answers every node; the closed form's :class:`~semiclassical.derivation.Derivation`
is cached per scenario (``closed_form.derivation_for``) and the numeric model is lambdified once.
"""
from __future__ import annotations

import dataclasses
import math
import time
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.special import expit

from .. import observables
from ..errors import SemiclassicalError
from .problem import Problem
from .result import Response

__all__ = ["WINDOW", "RTOL", "MAX_CALLS", "NOISE_MARGIN", "window_rule", "band_features", "thermal_average", "convolve"]

#: the window |eps - mu| <= WINDOW T; outside it the weight is below e^-WINDOW = 4e-18
WINDOW = 40.0
#: relative accuracy requested from the energy integral (relative to each observable's size)
RTOL = 1e-9
#: at most this many engine calls per point; a point that needs more says so in its doubts
MAX_CALLS = 400
#: the two rules' difference is accepted down to this many times the engines' own (weighted) errors
NOISE_MARGIN = 4.0
#: nodes of the two rules on a piece, by the weight the piece carries
_ORDERS = ((1e-3, (5, 7)), (1e-9, (2, 3)), (0.0, (1, 2)))


def _mass(a: float, b: float) -> float:
    """int_a^b w(x) dx = F(b) - F(a), F the logistic function (exact, also in the far tails)."""
    if b <= 0:
        return float(expit(b) - expit(a))
    return float(expit(-a) - expit(-b))


def _median(a: float, b: float) -> float:
    """The point that halves the weight on [a, b]."""
    lo, hi = expit(a), expit(b)
    mid = 0.5 * (lo + hi)
    if 0.0 < mid < 1.0 and hi - lo > 1e-12 * mid:
        x = math.log(mid / (1.0 - mid))
        if a < x < b:
            return x
    return 0.5 * (a + b)


@lru_cache(maxsize=4096)
def window_rule(a: float, b: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss rule for w(x) = 1/(4 cosh^2(x/2)) on [a, b].

    From the Jacobi matrix of the weight (Lanczos on a discretization by Gauss-Legendre panels of
    width <= 1, 20 nodes each, which integrates w to rounding: its poles are at x = +-i pi): exact
    for polynomials of degree 2n - 1 against w, nodes strictly inside (a, b), weights positive and
    summing to int_a^b w.
    """
    m = max(1, math.ceil(b - a))
    t, s = np.polynomial.legendre.leggauss(20)
    edges = np.linspace(a, b, m + 1)
    half = 0.5 * np.diff(edges)[:, None]
    x = (edges[:-1, None] + half * (t + 1)).ravel()
    wd = (half * s).ravel() * 0.25 / np.cosh(0.5 * x) ** 2
    center, width = 0.5 * (a + b), 0.5 * (b - a)
    y = (x - center) / width                       # Lanczos on [-1, 1]: well scaled at any [a, b]
    q = np.sqrt(wd / wd.sum())
    basis, alpha, beta = [q], [], []
    prev, b_prev = np.zeros_like(q), 0.0
    for _ in range(n):
        v = y * q - b_prev * prev
        alpha.append(q @ v)
        v -= alpha[-1] * q
        for u in basis:                            # full reorthogonalization (n is small)
            v -= (u @ v) * u
        b_prev = float(np.linalg.norm(v))
        beta.append(b_prev)
        prev, q = q, v / (b_prev or 1.0)
        basis.append(q)
    J = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)
    nodes, vecs = np.linalg.eigh(J)
    return center + width * nodes, _mass(a, b) * vecs[0] ** 2


def _features_covariant(problem: Problem) -> tuple[list[float], list]:
    from ..fermi_scan import scan
    from ..model import k

    model, values = problem.model, problem.values
    cov = model.covariance
    subs = {s: values[n] for n, s in model.symbols.items() if n in values}
    d0 = sp.sympify(cov.d0).xreplace(subs)
    dnorm2 = sp.expand(sp.sympify(cov.dperp**2 + cov.dz**2).xreplace(subs))
    f0, f2 = sp.lambdify(k, d0, "numpy"), sp.lambdify(k, dnorm2, "numpy")
    at0 = [float(f0(0.0)) + m * math.sqrt(max(float(f2(0.0)), 0.0)) for m in (1, -1)]
    try:
        bands, circles = scan(d0, dnorm2, problem.eF), True
    except SemiclassicalError:          # mu on a band feature: fine at T > 0, no circles to report
        bands, circles = scan(d0, dnorm2, problem.eF + 1.0 + abs(problem.eF)), False
    ext = [e for xs in bands.extrema.values() for _, e in xs]
    out = [{"band": b, "kF": kc, "electron_like": s > 0} for b, s, kc in bands.circles] if circles else []
    return sorted(set(at0 + ext)), out


def _features_rays(problem: Problem, n_rays: int = 32) -> list[float]:
    """Band energies at k = 0 and the extremal energies of the radial extrema along n_rays rays (the band
    minima, maxima and saddles that bound the ray extrema; quadrature.contours finds the same extrema)."""
    from ..quadrature.bands import band_energies, radial_slope
    from ..quadrature.contours import angle_grid, auto_kmax, radial_grid

    model = problem.numeric_model
    theta = angle_grid(n_rays, 0.5 * 2 * np.pi / n_rays)
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    grid = radial_grid(auto_kmax(model, problem.eF), 512)[None, :]
    out = list(band_energies(model, 0.0, 0.0).ravel())
    slope = radial_slope(model, grid * c, grid * s)
    for m in (0, 1):
        rows, cols = np.nonzero(slope[:, :-1, m] * slope[:, 1:, m] < 0)
        if not len(rows):
            continue
        lo, hi, s_lo = grid[0, cols].copy(), grid[0, cols + 1].copy(), slope[rows, cols, m]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            left = np.sign(radial_slope(model, mid * c[rows, 0], mid * s[rows, 0])[..., m]) == np.sign(s_lo)
            lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
        kk = 0.5 * (lo + hi)
        e = band_energies(model, kk * c[rows, 0], kk * s[rows, 0])[..., m]
        out += [float(e.min()), float(e.max())]
    return sorted(set(float(x) for x in out))


def band_features(problem: Problem) -> tuple[list[float], list]:
    """(energies where the T = 0 numbers may have kinks, Fermi circles at eps = mu if known).

    Covariant models: the band energies at k = 0 and every band extremum of :func:`fermi_scan.scan`
    (exact). Other models: the same from the numeric H along rays (:func:`_features_rays`).
    """
    if problem.model.is_covariant:
        return _features_covariant(problem)
    return _features_rays(problem), []


def _pieces(mu: float, T: float, features) -> list[tuple[float, float]]:
    cuts = sorted(x for x in ((e - mu) / T for e in features) if -WINDOW < x < WINDOW)
    edges = [-WINDOW, *cuts, WINDOW]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b - a > 1e-9]


def thermal_average(X, mu: float, T: float, features=(), *, rtol: float = RTOL, groups=None,
                    max_calls: int = MAX_CALLS):
    """int deps (-df/deps) X(eps) over |eps - mu| <= WINDOW T, piecewise between ``features``, adaptive.

    ``X(eps)`` returns (values, errors): 1-d arrays (NaN where a number is not computed), the errors
    absolute. ``groups`` (ints per component, or a callable giving them once X has been called) sets the size each tolerance is relative to: the largest
    magnitude within a component's group. Returns (value, error, info) with info the number of calls,
    of pieces, and whether the tolerance was met.
    """
    calls = [0]

    def run(a, b):
        mass = _mass(a, b)
        n1, n2 = next(orders for floor, orders in _ORDERS if mass >= floor)
        out = []
        for n in (n1, n2):
            xs, ws = window_rule(a, b, n)
            vals, errs = zip(*(X(mu + T * x) for x in xs))
            calls[0] += n
            vals, errs = np.array(vals, float), np.nan_to_num(np.array(errs, float))
            out.append((ws @ vals, ws @ errs, np.nanmax(np.abs(vals), axis=0, initial=0.0)))
        (q1, _, s1), (q2, e2, s2) = out
        return {"ab": (a, b), "q": q2, "node_err": e2, "est": np.nan_to_num(np.abs(q2 - q1)),
                "size": np.maximum(s1, s2)}

    def tol(pieces):
        size = np.max([p["size"] for p in pieces], axis=0)
        if groups is not None:
            g = np.asarray(groups() if callable(groups) else groups)
            size = np.array([size[g == gi].max() for gi in g])
        return rtol * size, size

    pieces = [run(a, b) for a, b in _pieces(mu, T, features)]
    converged = True
    while True:
        tolerance, size = tol(pieces)
        # two rules cannot agree better than the engine's own numbers (Kubo's W -> 0 extrapolation,
        # the quadrature's angular sums): NOISE_MARGIN times their weighted error is resolved enough
        tolerance = tolerance + NOISE_MARGIN * np.sum([p["node_err"] for p in pieces], axis=0)
        est = np.sum([p["est"] for p in pieces], axis=0)
        if np.all(est <= tolerance):
            break
        if calls[0] >= max_calls:
            converged = False
            break
        # split the piece whose estimate is worst relative to the tolerance
        worst = max(range(len(pieces)), key=lambda i: float(np.max(pieces[i]["est"] / np.maximum(tolerance, 1e-300))))
        a, b = pieces.pop(worst)["ab"]
        m = _median(a, b)
        pieces += [run(a, m), run(m, b)]
    value = np.sum([p["q"] for p in pieces], axis=0)
    tail = 2.0 * _mass(WINDOW, math.inf) * size * 2.0    # weight outside the window, |X| up to twice its size
    error = est + np.sum([p["node_err"] for p in pieces], axis=0) + tail
    return value, error, {"calls": calls[0], "pieces": len(pieces), "converged": converged,
                          "tail_bound": float(np.max(tail, initial=0.0))}


def _at_energy(problem: Problem, eps: float) -> Problem:
    """The T = 0 problem at eF = eps (same model, disorder, observables; the numeric model shared)."""
    sub = dataclasses.replace(problem, values={**problem.values, "eF": float(eps)}, T=0.0)
    if "numeric_model" in problem.__dict__:
        sub.__dict__["numeric_model"] = problem.numeric_model    # H(k) does not depend on eF
    return sub


def convolve(engine, problem: Problem, evaluate) -> Response:
    """The engine's :class:`Response` at (T, mu = eF): every number convolved with -df/deps.

    ``evaluate(problem)`` is the engine's T = 0 answer. Errors: quadrature estimate + the engine's own
    errors averaged with the weights + the window's tail (module docstring).
    """
    T, mu = problem.T, problem.eF
    if not (math.isfinite(T) and T > 0):
        raise SemiclassicalError(f"T = {T} must be a positive finite number here")
    t0 = time.perf_counter()
    if not problem.model.is_covariant:
        problem.numeric_model                   # noqa: B018 (lambdified once, shared by every node)
    features, circles = band_features(problem)
    layout: list[tuple[str, str]] = []
    first: list[Response] = []
    doubts: dict[str, None] = {}
    scheme: dict[str, None] = {}

    def X(eps):
        r = evaluate(_at_energy(problem, eps))
        if not layout:
            first.append(r)
            layout.extend((key, p) for key, pieces in r.values.items() for p in pieces)
        doubts.update(dict.fromkeys(r.doubts))
        scheme.update(dict.fromkeys(r.scheme_dependent))
        vals = [r.value(key, p) for key, p in layout]
        return ([np.nan if v is None else v for v in vals], [r.error(key, p) for key, p in layout])

    def group(key, piece):
        obs = problem.observable(key)
        return f"{key}:{piece}" if piece == obs.leading else key

    def groups():
        names = {g: i for i, g in enumerate(dict.fromkeys(group(k, p) for k, p in layout))}
        return [names[group(k, p)] for k, p in layout]

    value, error, info = thermal_average(X, mu, T, features, groups=groups)
    values: dict[str, dict] = {}
    errors: dict[str, dict] = {}
    for (key, piece), v, e in zip(layout, value, error):
        ok = math.isfinite(v)
        values.setdefault(key, {})[piece] = float(v) if ok else None
        errors.setdefault(key, {})[piece] = float(e) if ok else None
    for key in values:                   # keep each observable's piece order
        order = observables.get(key, problem.model).pieces
        values[key] = {p: values[key].get(p) for p in order}
        errors[key] = {p: errors[key].get(p) for p in order}
    calls = info["calls"]
    window = f"|eps - mu| <= {WINDOW:g} T"
    meta = {"T": T, "mu": mu, "window": window, "engine_calls": calls, "pieces": info["pieces"],
            "breakpoints": [e for e in features if abs(e - mu) < WINDOW * T],
            "tail_bound": info["tail_bound"], "seconds": time.perf_counter() - t0,
            "rule": "Gauss rules of the weight -df/deps per piece between band features, n and n + 2 nodes"}
    if "circles" in first[0].meta:
        meta["circles"] = circles           # at eps = mu (the T = 0 Fermi circles of the chemical potential)
    if "skew_reading" in first[0].meta:
        meta["skew_reading"] = first[0].meta["skew_reading"]
    out_doubts = list(doubts)[:5]
    if not info["converged"]:
        out_doubts.append(f"the thermal energy integral did not reach {RTOL:g} relative within {MAX_CALLS} "
                          "engine calls; its error estimate is included")
    note = (f"T = {T:g}, mu = {mu:g}: every number is int deps (-df/deps) X(eps) of the engine's T = 0 numbers over "
            f"{window} ({calls} engine calls on {info['pieces']} pieces between band features; docs/temperature.md)")
    return Response(engine.name, values, errors, meta=meta, notes=[note], doubts=out_doubts,
                    scheme_dependent=tuple(scheme))
