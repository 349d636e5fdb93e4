"""Kubo-Streda response of a two-band model at one parameter point, extrapolated to W -> 0.

``kubo_response(model, eF, W)`` returns the anomalous Hall conductivity sigma_yx, the
longitudinal sigma_xx and the current-induced spin density <s_x>, <s_y>, <s_z> per unit E_x
(E along x), each split into its 1/W piece (Drude / Edelstein, reported at the given W) and its
W^0 piece ("total", the quantity the semiclassical theory predicts). Conventions as in
conventions.md: charge -e, j = -e v, sigma_yx = j_y/E_x, spin = model.spin (Pauli, no hbar/2),
per unit area, spin degeneracy 1.

Pipeline (one module per step):
  contour      Fermi radii on an angular grid;
  self_energy  Born Sigma^R = W (R - i Gamma), Gamma exact on the contour, R dropped or cut off;
  bubbles      RA / RR / AA bubbles, ladder kernel and source at finite W;
  streda       ladder vertex and the Fermi-surface term K^I;
  fermi_sea    the Fermi-sea term K^II (its W^0 piece is its clean value);
  extrapolation  W X(W) through W_j = W0 2^-j -> 1/W and W^0 coefficients with error estimates.

A caveat that is physics, not numerics: a W^0 piece of a component that also has a 1/W piece
(sigma_xx; <s_y> for the paper's model) is not fixed by the Born/NCA level alone: O(W)
renormalisations of Gamma (Born vs self-consistent Born) or of eF (the real part of Sigma) shift
a/W by O(W^0). The engine reports it (the "total" of such components) but flags it in ``meta``;
W^0 pieces of components without a 1/W piece (sigma_yx and <s_x> for isotropic models) are
scheme independent, which the tests check.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bubbles import OBSERVABLES, fermi_surface_bubbles
from .contour import _SEARCH, fermi_points, ray_hamiltonian
from .extrapolation import extrapolate
from .fermi_sea import fermi_sea_clean
from .linalg2 import bands, energies
from .radial import RadialOptions
from .self_energy import gamma_matrix, real_part_per_w
from .streda import fermi_surface_term

PIECES = ("bare", "ladder")


@dataclass(frozen=True)
class KuboSettings:
    """Numerical choices of the Kubo engine (all have defaults that reach ~1e-9 relative).

    eta        Gamma_max / E_scale at the largest W of the extrapolation ladder (E_scale: the
               smaller of hbar v_F k_F and the band splitting on the Fermi contour);
    n_w        number of disorder strengths W0 2^-j, j = 0..n_w-1;
    real_part  "drop" (Re Sigma = 0) or "cutoff" (Re Sigma from |k| < cutoff);
    cutoff     momentum cutoff of the disorder integrals (ladder kernel and Re Sigma), in units
               of the largest Fermi radius (the log-divergent sigma_0/sigma_z channels of Dirac
               models need one; W^0 results must not depend on it);
    n_theta    initial angular points (doubled until the trapezoid rule converges to theta_tol);
    radial     radial quadrature resolution.
    """

    eta: float = 4e-3
    n_w: int = 5
    real_part: str = "drop"
    cutoff: float = 50.0
    n_theta: int = 16
    theta_tol: float = 1e-10
    max_theta: int = 1024
    radial: RadialOptions = field(default_factory=RadialOptions)
    error_refine: float = 1.5


def _k_ref(model, eF, fp):
    if fp.count:
        return float(fp.k.max())
    # no Fermi surface: the scale where the bands depart from their k = 0 values
    h = model.h(_SEARCH, 0 * _SEARCH)
    e = energies(h)
    dev = np.max(np.abs(e - e[0]), axis=-1)
    target = 0.5 * (abs(eF) + abs(e[0, 1] - e[0, 0])) + 1e-300
    hit = np.nonzero(dev >= target)[0]
    return float(_SEARCH[hit[0]]) if len(hit) else 1.0


def _energy_scale(model, fp):
    """min over the contour of (|d eps/dk| k_F, band splitting): the scale Gamma must stay below."""
    h, _ = ray_hamiltonian(model, fp.k, fp.theta[:, None])
    e = energies(h)
    split = e[..., 1] - e[..., 0]
    return float(np.min(np.minimum(np.abs(fp.slope) * fp.k, split)))


def _surface_values(model, eF, sigma_per_w, W, fp, k_ref, settings, opts, every=1):
    """K^I pieces for every observable at one W (optionally from every other angle)."""
    b = fermi_surface_bubbles(model, eF, W * sigma_per_w, fp, k_ref, opts,
                              kernel_cutoff=settings.cutoff * k_ref)
    full = fermi_surface_term(b.integrated(1), W, model.hbar)
    half = fermi_surface_term(b.integrated(2), W, model.hbar)
    return full, half, b.nodes


def _flatten(term):
    return np.array([[term[o][p] for p in PIECES] for o in OBSERVABLES])  # (5, 3)


def _scales(values, model, v_ref):
    """Per-observable magnitude scale: currents share one (at least e^2/hbar), spins share one
    (at least the current scale / (e v_ref), the spin-current conversion of the paper's model)."""
    mag = np.abs(values).max(axis=1)
    cur = max(mag[0], mag[1], model.e ** 2 / model.hbar)
    spin = max(mag[2:].max(), cur / (model.e * v_ref))
    return np.array([cur, cur, spin, spin, spin])


def kubo_response(model: NumericModel, eF: float, W: float = 1.0,
                  settings: KuboSettings | None = None) -> dict:
    """Kubo-Streda sigma_yx, sigma_xx and spin density at Fermi energy eF, weak-disorder limit.

    ``W`` (the white-noise strength, <U U> = W delta) only sets the value at which 1/W pieces
    ("drude", "edelstein") are reported; W^0 pieces ("total") are W-independent by construction.
    Returns {"sigma_yx": {...}, "sigma_xx": {...}, "spin_density": {"x","y","z": {...}},
    "extrapolation_error": {...}, "meta": {...}} (units: hbar, e of the model).
    """
    settings = settings or KuboSettings()
    if not (isinstance(eF, (int, float)) and math.isfinite(eF)):
        raise SemiclassicalError(f"eF must be a finite number, got {eF!r}")
    if not (W > 0 and math.isfinite(W)):
        raise SemiclassicalError(f"the disorder strength W must be positive, got W = {W!r}")
    if settings.real_part not in ("drop", "cutoff"):
        raise SemiclassicalError("real_part must be 'drop' or 'cutoff'")
    t0 = time.perf_counter()
    gamma, fp_g = gamma_matrix(model, eF)
    k_ref = _k_ref(model, eF, fp_g)
    sigma_per_w = -1j * gamma
    if settings.real_part == "cutoff":
        sigma_per_w = sigma_per_w + real_part_per_w(model, eF, settings.cutoff * k_ref)
    gmax = float(np.max(np.linalg.eigvalsh(gamma))) if fp_g.count else 0.0
    if gmax > 0:
        e_scale = _energy_scale(model, fp_g)
        w0 = settings.eta * e_scale / gmax
    else:
        e_scale, w0 = float("nan"), W
    ws = w0 * 2.0 ** -np.arange(settings.n_w)
    v_ref = e_scale / (model.hbar * k_ref) if gmax > 0 else abs(eF) / (model.hbar * k_ref) or 1.0

    # angular resolution: double until N and N/2 agree, at the smallest W (sharpest peaks)
    n_theta = settings.n_theta
    while True:
        fp = fermi_points(model, eF, n_theta)
        full, half, _ = _surface_values(model, eF, sigma_per_w, ws[-1], fp, k_ref, settings,
                                        settings.radial)
        sea, surf = fermi_sea_clean(model, eF, fp, k_ref, settings.radial)
        vf, vh = _flatten(full), _flatten(half)
        sea_full = sea.sum(0) + surf.sum(0)
        sea_half = 2 * (sea[::2].sum(0) + surf[::2].sum(0))
        scale = _scales(np.column_stack([vf.sum(axis=1), sea_full]), model, v_ref)
        d_surf = np.abs(vf - vh).sum(axis=1) / scale
        d_sea = np.abs(sea_full - sea_half) / scale
        theta_change = float(max(d_surf.max(), d_sea.max()))
        import os
        if os.environ.get("KUBO_DEBUG"): print("theta", n_theta, d_surf, d_sea, np.abs(vf - vh), scale)
        if theta_change <= settings.theta_tol or n_theta >= settings.max_theta:
            break
        n_theta *= 2
    fermi_sea = sea_full
    theta_err_sea = np.abs(sea_full - sea_half)

    series = np.empty((settings.n_w, 5, len(PIECES)))
    imag = np.zeros(5)
    nodes = []
    t_w = []
    for j, w in enumerate(ws):
        tj = time.perf_counter()
        if j == settings.n_w - 1:
            term = full
        else:
            term, _, nn = _surface_values(model, eF, sigma_per_w, w, fp, k_ref, settings,
                                          settings.radial)
            nodes.append(nn)
        series[j] = _flatten(term)
        imag = np.maximum(imag, [term[o]["imag"] for o in OBSERVABLES])
        t_w.append(time.perf_counter() - tj)

    # radial-quadrature error: refine every radial rule at the smallest W
    fine = settings.radial.scaled(settings.error_refine)
    term_f, _, _ = _surface_values(model, eF, sigma_per_w, ws[-1], fp, k_ref, settings, fine)
    radial_err = np.abs(_flatten(term_f) - series[-1]).sum(axis=1)  # (5,) in X units at W_min
    sea_f, surf_f = fermi_sea_clean(model, eF, fp, k_ref, fine)
    radial_err_sea = np.abs(sea_f.sum(0) + surf_f.sum(0) - fermi_sea)

    # extrapolation, piece by piece
    results = {}
    for i, name in enumerate(OBSERVABLES):
        pieces = {p: extrapolate(ws, series[:, i, k]) for k, p in enumerate(PIECES)}
        tot = extrapolate(ws, series[:, i, :].sum(axis=1))
        # a quadrature error eps at W_min propagates to the W^0 piece with the Richardson
        # amplification (sum of |weights|), bounded here by a generous factor 2^n_w
        amp = 2.0 ** settings.n_w
        q0 = amp * radial_err[i] + theta_err_sea[i] + radial_err_sea[i]
        qm1 = amp * radial_err[i] * ws[-1]
        results[name] = {
            "pieces": {p: v["zeroth"] for p, v in pieces.items()},
            "inverse_coefficient": tot["inverse"],
            "zeroth": tot["zeroth"] + fermi_sea[i],
            "fermi_sea": fermi_sea[i],
            "err_zeroth": tot["zeroth_error"] + q0,
            "err_inverse_coefficient": tot["inverse_error"] + qm1,
        }

    def block(name, inverse_key):
        r = results[name]
        out = {"total": r["zeroth"],
               inverse_key: r["inverse_coefficient"] / W,
               inverse_key + "_coefficient": r["inverse_coefficient"],
               "fermi_surface": r["pieces"]["bare"],
               "ladder": r["pieces"]["ladder"],
               "fermi_sea": r["fermi_sea"]}
        return out

    def err(name, inverse_key):
        r = results[name]
        return {"total": r["err_zeroth"], inverse_key: r["err_inverse_coefficient"] / W}

    elapsed = time.perf_counter() - t0
    return {
        "sigma_yx": block("j_y", "drude"),
        "sigma_xx": block("j_x", "drude"),
        "spin_density": {a: block("s_" + a, "edelstein") for a in "xyz"},
        "extrapolation_error": {
            "sigma_yx": err("j_y", "drude"),
            "sigma_xx": err("j_x", "drude"),
            "spin_density": {a: err("s_" + a, "edelstein") for a in "xyz"},
        },
        "meta": {
            "method": "Kubo-Streda, Born self-energy, ladder (NCA) on the RA bubble, bare RR/AA, "
                      "clean Fermi-sea term; W^0 and 1/W pieces by Richardson extrapolation in W",
            "eF": eF,
            "W": W,
            "W_ladder": ws.tolist(),
            "gamma_per_W": gamma.tolist() if False else [[complex(z) for z in row] for row in gamma],
            "gamma_over_energy_scale": (ws * gmax / e_scale).tolist() if gmax > 0 else None,
            "energy_scale": e_scale,
            "k_ref": k_ref,
            "fermi_points_per_ray": fp.count,
            "n_theta": n_theta,
            "theta_change": theta_change,
            "radial_error_at_smallest_W": dict(zip(OBSERVABLES, radial_err.tolist())),
            "imaginary_part_max": dict(zip(OBSERVABLES, imag.tolist())),
            "series": {o: (series[:, i, :].sum(axis=1)).tolist() for i, o in enumerate(OBSERVABLES)},
            "settings": {k: (asdict(v) if hasattr(v, "__dataclass_fields__") else v)
                         for k, v in asdict(settings).items()},
            "nodes_per_W": nodes,
            "seconds": elapsed,
            "seconds_per_W": t_w,
            "scheme_dependent": [name for name in ("sigma_xx", "spin_density.x", "spin_density.y",
                                                   "spin_density.z", "sigma_yx")
                                 if _has_inverse(results, name)],
        },
    }


def _has_inverse(results, name):
    key = {"sigma_xx": "j_x", "sigma_yx": "j_y", "spin_density.x": "s_x",
           "spin_density.y": "s_y", "spin_density.z": "s_z"}[name]
    r = results[key]
    scale = max(abs(results["j_x"]["inverse_coefficient"]), abs(results["s_x"]["inverse_coefficient"]),
                abs(results["s_y"]["inverse_coefficient"]), 1e-300)
    tol = 1e-6 * scale if key.startswith("j") else 1e-6 * scale
    return abs(r["inverse_coefficient"]) > max(tol, 10 * r["err_inverse_coefficient"])
