"""Kubo-Streda at temperature T > 0: the independent check of docs/temperature.md.

The Bastin-Streda split (module ``streda``) holds at any distribution f(eps):

* the Fermi-surface term K^I is int deps (-df/deps) K^I(eps), with K^I(eps) the T = 0 term at eF = eps
  (its W^0 piece extrapolated W -> 0 at each energy, :func:`semiclassical.kubo.kubo_response`, minus its
  Fermi-sea term): a convolution, taken here with the same Gauss rules of -df/deps between band
  features as the semiclassical pieces (:func:`semiclassical.engines.thermal.thermal_average`);
* the Fermi-sea term is K^II = int deps f(eps) k^II(eps) with the energy-resolved sea integrand
  k^II(eps) = -hbar sum_k Im Tr[P_1 A P_0 B] [2 (delta(eps - eps_0) - delta(eps - eps_1))/(eps_0 - eps_1)^2
  + (delta'(eps - eps_0) + delta'(eps - eps_1))/(eps_0 - eps_1)] (the partial fractions of module
  ``fermi_sea``, before any integration over eps). Integrating f against it state by state
  (int f delta(eps - a) = f(a), int f delta'(eps - a) = -f'(a)) gives the k integral
  :func:`fermi_sea_thermal`, with the Fermi function itself in the integrand:

      K^II(T, mu) = -hbar int d^2k/(2pi)^2 Im Tr[P_1 A P_0 B]
                    [2 (f(eps_0) - f(eps_1))/(eps_0 - eps_1)^2 + (-f'(eps_0) - f'(eps_1))/(eps_0 - eps_1)].

  It is never written as the convolution of its T = 0 value, so comparing the sum with the
  semiclassical pieces convolved with -df/deps checks the by-parts statement of the Fermi-sea
  pieces (docs/temperature.md, section 2) rather than repeating it.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .contour import fermi_points
from .engine import KuboSettings, kubo_response
from .linalg2 import bands
from .operators import Operators, pair_trace
from .radial import RadialOptions, radial_rule

__all__ = ["fermi_sea_thermal", "kubo_response_thermal", "BREAK_OFFSETS"]

#: radii where eps_n = mu + x T for these x are panel edges of the radial rule (the Fermi functions'
#: steps have width T there)
BREAK_OFFSETS = (-30.0, -12.0, -6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 12.0, 30.0)
_LABELS = {"j_y": ("sigma_yx",), "s_x": ("spin_density", "x"), "s_y": ("spin_density", "y"),
           "s_z": ("spin_density", "z")}


def _window(x):
    """-df/deps times T: 1/(4 cosh^2(x/2)), x = (eps - mu)/T (no overflow at large |x|)."""
    x = np.minimum(np.abs(x), 700.0)
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2


def _fermi(x):
    return 0.5 * (1.0 - np.tanh(0.5 * x))


def _sea(model: NumericModel, mu: float, T: float, n_theta: int, opts: RadialOptions) -> np.ndarray:
    theta = 2 * np.pi * np.arange(n_theta) / n_theta
    breaks = []
    for x in BREAK_OFFSETS:
        try:
            breaks.append(fermi_points(model, mu + x * T, n_theta).k)
        except SemiclassicalError:      # an energy on a band extremum: no break there
            continue
    k_ref = max([float(b.max()) for b in breaks if b.size], default=1.0)
    fac = (2 * np.pi / n_theta) / (2 * np.pi) ** 2
    ops = Operators(model)
    out = np.zeros(len(ops))
    for j, th in enumerate(theta):
        ks = sorted({float(b[j, r]) for b in breaks for r in range(b.shape[1])})
        k, w = radial_rule(k_ref, breaks=ks, opts=opts)
        kx, ky = k * np.cos(th), k * np.sin(th)
        e, proj = bands(model.h(kx, ky))
        obs, jx = ops.at(kx, ky)
        im = pair_trace(proj, obs, jx)
        gap = e[:, 0] - e[:, 1]
        x0, x1 = (e[:, 0] - mu) / T, (e[:, 1] - mu) / T
        kernel = 2.0 * (_fermi(x0) - _fermi(x1)) / gap**2 + (_window(x0) + _window(x1)) / (T * gap)
        out += -model.hbar * fac * np.einsum("n,nA->A", w * k * kernel, im)
    return out


def fermi_sea_thermal(model: NumericModel, mu: float, T: float, n_theta: int = 16,
                      opts: RadialOptions = RadialOptions()) -> tuple[np.ndarray, np.ndarray]:
    """K^II at (T, mu) for every A of :class:`.operators.Operators` (j_x, j_y, s_x, s_y, s_z, n, then the model's operators), B = j_x (module docstring), and its error
    estimate (n_theta against 2 n_theta angles, the radial rules against 1.5 times as many nodes)."""
    if not (math.isfinite(T) and T > 0):
        raise SemiclassicalError(f"T = {T} must be positive and finite")
    base = _sea(model, mu, T, n_theta, opts)
    err = np.abs(_sea(model, mu, T, 2 * n_theta, opts) - base) + np.abs(_sea(model, mu, T, n_theta, opts.scaled(1.5)) - base)
    return base, err


def kubo_response_thermal(model: NumericModel, mu: float, T: float, W: float = 1.0, features=(),
                          settings: KuboSettings | None = None, disorder=None, rtol: float = 1e-8) -> dict:
    """The Kubo-Streda W^0 totals at (T, mu): K^I convolved with -df/deps (W -> 0 at each energy), plus
    K^II with the Fermi functions in its k integral. ``features``: band energies where K^I(eps) has kinks.

    Returns {"sigma_yx": {"total", "fermi_surface", "fermi_sea"}, "spin_density": {a: ...},
    "error": {same}, "meta": {"engine_calls", "seconds", ...}}.
    """
    from ..engines.thermal import thermal_average

    t0 = time.perf_counter()
    rows = [Operators(model).index(o) for o in _LABELS]

    def pick(r, path):
        for p in path:
            r = r[p]
        return r

    def surface(eps):
        r = kubo_response(model, float(eps), W, settings, disorder)
        vals = [pick(r, path)["total"] - pick(r, path)["fermi_sea"] for path in _LABELS.values()]
        errs = [pick(r["extrapolation_error"], path)["total"] for path in _LABELS.values()]
        return vals, errs

    surf, surf_err, info = thermal_average(surface, mu, T, features, rtol=rtol, groups=[0, 1, 1, 1])
    sea, sea_err = fermi_sea_thermal(model, mu, T)
    out: dict = {"sigma_yx": {}, "spin_density": {}, "error": {"sigma_yx": {}, "spin_density": {}}}
    for i, (o, path) in enumerate(_LABELS.items()):
        node = out if len(path) == 1 else out["spin_density"]
        enode = out["error"] if len(path) == 1 else out["error"]["spin_density"]
        name = path[-1]
        s, q = float(surf[i]), float(sea[rows[i]])
        node[name] = {"total": s + q, "fermi_surface": s, "fermi_sea": q}
        enode[name] = {"total": float(surf_err[i] + sea_err[rows[i]]), "fermi_surface": float(surf_err[i]),
                       "fermi_sea": float(sea_err[rows[i]])}
    out["meta"] = {"T": T, "mu": mu, "engine_calls": info["calls"], "pieces": info["pieces"],
                   "converged": info["converged"], "seconds": time.perf_counter() - t0}
    return out
