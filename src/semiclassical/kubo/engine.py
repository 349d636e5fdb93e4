"""Kubo-Streda response of a two-band model at one parameter point, extrapolated to W -> 0.

``kubo_response(model, eF, W)`` returns the anomalous Hall conductivity sigma_yx, the
longitudinal sigma_xx, the current-induced spin density <s_x>, <s_y>, <s_z> and <O> for every
operator observable of ``model.operators`` (spin_hall.<a>, observables.<name>: chi(O, J_x), module
``operators``) per unit E_x (E along x), each split into its 1/W piece (Drude / Edelstein, reported at the given W) and its
W^0 piece ("total", the quantity the semiclassical theory predicts). Conventions as in
conventions.md: charge -e, j = -e v, sigma_yx = j_y/E_x, spin = model.spin (Pauli, no hbar/2),
per unit area, spin degeneracy 1.

Pipeline (one module per step):
  contour        Fermi radii on an angular grid;
  operators      the operators A of every response, evaluated on the integrands' nodes;
  self_energy    Born Sigma^R = W (R - i Gamma), Gamma exact on the contour, R dropped or cut off;
  impurities     magnetic point impurities: Gamma -> M(Gamma) and the rung T of every ladder step
                 (Eqs. M1-M3; W -> 0 scales W and W_m together);
  kernel         a correlated kernel W(q) = W c(q): Gamma(k) at every node, the vertex C(k) on a
                 radial basis, the ladder in angular harmonics (W -> 0 scales W, c fixed);
  bubbles        bare Fermi-surface bubbles, ladder kernel and source at finite W;
  streda         ladder vertex (zero mode fixed by particle conservation) and the term K^I;
  fermi_sea      the Fermi-sea term K^II (its W^0 piece is its clean value);
  extrapolation  W X(W) through W_j = W0 2^-j -> 1/W and W^0 coefficients with error estimates.

Physics caveat (not numerics): the W^0 piece of a component that also has a 1/W piece
(sigma_xx always; <s_y> for the paper's model) is not fixed at the Born/NCA level: O(W)
renormalisations of Gamma (Born vs self-consistent Born) or of eF (the real part of Sigma) shift
a/W by O(W^0). It is reported ("total") but listed in meta["scheme_dependent"]. W^0 pieces of
components without a 1/W piece (sigma_yx and <s_x> of rotationally covariant models) are
scheme independent; the tests check that.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from threadpoolctl import threadpool_limits

from .. import observables
from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .bubbles import fermi_surface_bubbles
from .contour import SEARCH_GRID, fermi_points, ray_hamiltonian, touching_radius
from .extrapolation import extrapolate, noise_amplification
from .fermi_sea import fermi_sea_clean
from .linalg2 import energies
from .operators import BASE, Operators, divergent_sea, ladder_cutoff_slope
from .radial import RadialOptions
from .impurities import apply_rung, rung_matrix
from .kernel import CorrelatedKernel
from .self_energy import gamma_matrix, real_part_per_w
from .streda import fermi_surface_term

__all__ = ["PIECES", "KuboSettings", "kubo_response", "kubo_clean_limit"]

#: K^I pieces extrapolated separately: undressed bubbles and the ladder vertex correction.
PIECES = ("bare", "ladder")
_CURRENTS = ("j_x", "j_y")


@dataclass(frozen=True)
class KuboSettings:
    """Numerical choices of the Kubo engine; the defaults reach ~1e-9 relative on W^0 pieces.

    eta           Gamma_max / E_scale at the largest W of the ladder (E_scale: the smaller of
                  |d eps/dk| k_F and the band splitting on the Fermi contour);
    n_w           number of disorder strengths W0 2^-j, j = 0..n_w-1;
    real_part     "drop" (Re Sigma = 0) or "cutoff" (Re Sigma from |k| < cutoff);
    cutoff        momentum cutoff of the disorder integrals (ladder kernel and Re Sigma) in units
                  of the largest Fermi radius; the logarithmically divergent sigma_0/sigma_z
                  channels of Dirac models need one; W^0 results must not depend on it;
    outer_cutoff  cutoff of every k integral (units of the largest Fermi radius), None = all k.
                  Needed only for models whose integrands concentrate on rays at large k
                  (hexagonal warping: the gap stops growing along cos 3 theta = 0);
    ladder        "conserving" (zero mode fixed by particle conservation), "plain", "none";
    broadening    "born" (white-noise disorder, Sigma = Born self-energy) or "scalar" (a
                  phenomenological Sigma = -i W, no ladder: W -> 0 is the clean limit, whose
                  W^0 piece is the intrinsic Berry-curvature response, Eq. 72 / Eq. 74);
    n_theta       initial angular points, doubled until the trapezoid rule changes by less than
                  theta_tol (relative to the natural scale of each response);
    radial        radial quadrature resolution; error_refine: refinement used for the estimate.
    """

    eta: float = 1e-2
    n_w: int = 6
    real_part: str = "drop"
    cutoff: float = 50.0
    outer_cutoff: float | None = None
    ladder: str = "conserving"
    broadening: str = "born"
    n_theta: int = 16
    theta_tol: float = 1e-10
    max_theta: int = 1024
    radial: RadialOptions = field(default_factory=RadialOptions)
    error_refine: float = 1.5


def _k_ref(model, eF, fp):
    """The momentum scale: the largest Fermi radius, else where the bands leave their k=0 values."""
    if fp.count:
        return float(fp.k.max())
    e = energies(model.h(SEARCH_GRID, 0 * SEARCH_GRID))
    dev = np.max(np.abs(e - e[0]), axis=-1)
    target = 0.5 * (abs(eF) + abs(e[0, 1] - e[0, 0])) + 1e-300
    hit = np.nonzero(dev >= target)[0]
    return float(SEARCH_GRID[hit[0]]) if len(hit) else 1.0


def _energy_scale(model, fp):
    """The energy scale Gamma must stay below for the W expansion to converge fast: the smallest
    of |d eps/dk| k_F and the band splitting on the Fermi contour, and the distance from eF to
    any band extremum along the rays (band edges, the rim of a Mexican hat): the responses vary
    on that scale, and Re Sigma ~ W log(cutoff) shifts eF towards it."""
    h, _ = ray_hamiltonian(model, fp.k, fp.theta[:, None])
    e = energies(h)
    scale = float(np.min(np.minimum(np.abs(fp.slope) * fp.k, e[..., 1] - e[..., 0])))
    grid = energies(model.h(np.outer(np.cos(fp.theta), SEARCH_GRID),
                            np.outer(np.sin(fp.theta), SEARCH_GRID)))  # (N, M, 2)
    d = np.diff(grid, axis=1)
    turn = np.sign(d[:, :-1]) * np.sign(d[:, 1:]) < 0  # interior extrema along each ray
    extrema = np.concatenate([grid[:, 1:-1][turn], grid[:, 0].ravel()])  # and k = 0
    return min(scale, float(np.min(np.abs(extrema - fp.eF))))


class _Point:
    """Everything fixed at one (model, eF, settings): self-energy per W, scales, cutoffs."""

    def __init__(self, model: NumericModel, eF: float, settings: "KuboSettings", disorder=None):
        self.model, self.eF, self.settings = model, eF, settings
        self.ops = Operators(model)
        # a correlated kernel matters for the Born self-energy and the ladder only: the clean
        # limit (broadening "scalar") has neither
        born = disorder is not None and settings.broadening == "born"
        self.kernel = None
        if born and not (disorder.is_white_noise or disorder.is_magnetic):
            self._correlated(disorder)
            return
        # magnetic point impurities: every rung is the map M of module ``impurities`` (Eq. M1)
        self.rung = rung_matrix(disorder) if born else None
        gamma, fp = gamma_matrix(model, eF)
        self.gamma = apply_rung(self.rung, gamma)  # Eq. M2
        if settings.broadening == "scalar":
            self.gamma = np.eye(2, dtype=complex)
        self.has_surface = fp.count > 0
        self.k_ref = _k_ref(model, eF, fp)
        self.sigma_per_w = -1j * self.gamma
        if settings.real_part == "cutoff":
            self.sigma_per_w = self.sigma_per_w + apply_rung(self.rung, real_part_per_w(
                model, eF, settings.cutoff * self.k_ref))
        # |Sigma|/W (largest singular value, Re Sigma included): sets the W ladder
        self.gmax = float(np.linalg.norm(self.sigma_per_w, 2)) if self.has_surface else 0.0
        self._scales(fp)

    def _correlated(self, disorder):
        """Sigma^R(k) = -i W Gamma(k)/W of a kernel W c(q) (module ``kernel``, Eq. G1)."""
        model, eF, settings = self.model, self.eF, self.settings
        if settings.real_part != "drop":
            raise SemiclassicalError("a correlated disorder kernel takes real_part='drop' only (Re Sigma "
                                     "renormalises at O(W); W^0 pieces do not depend on it)")
        fp = fermi_points(model, eF, 16)
        self.has_surface = fp.count > 0
        self.k_ref = _k_ref(model, eF, fp)
        self.kernel = CorrelatedKernel(model, eF, disorder, self.k_ref, settings.cutoff * self.k_ref,
                                       settings.radial)
        on_shell = self.kernel.gamma_at(fp.k * np.cos(fp.theta)[:, None], fp.k * np.sin(fp.theta)[:, None])
        self.gamma = on_shell[0, 0] if self.has_surface else np.zeros((2, 2), complex)
        self.sigma_per_w = None
        # the largest |Sigma|/W on the Fermi contours sets the W ladder, as for white noise
        self.gmax = float(np.linalg.norm(on_shell, 2, axis=(-2, -1)).max()) if self.has_surface else 0.0
        self._scales(fp)
        rate = self.kernel.momentum_rate()
        if self.has_surface and rate > 0:
            # measured (TI, k_F d = 3): with e_scale alone the W^0 fit missed by 2e-5 relative
            self.ladder_scale = min(self.e_scale, float(np.abs(fp.slope).min()) / rate)

    def _scales(self, fp):
        settings, model, eF = self.settings, self.model, self.eF
        self.ladder = "none" if settings.broadening == "scalar" else settings.ladder
        self.e_scale = _energy_scale(model, fp) if self.has_surface else float("nan")
        self.ladder_scale = self.e_scale  # Gamma_max / ladder_scale = eta at the largest W
        self.v_ref = (self.e_scale if self.has_surface else abs(eF) or 1.0) / (model.hbar * self.k_ref)
        self.kernel_cutoff = settings.cutoff * self.k_ref
        self.outer = None if settings.outer_cutoff is None else settings.outer_cutoff * self.k_ref
        self._operator_norms(fp)

    def ladder_ws(self, W):
        if self.gmax > 0:
            w0 = self.settings.eta * self.ladder_scale / self.gmax
        else:
            # no Fermi surface: Sigma^R(eF) = 0 (real part dropped), and K^I is O(W) through the RA
            # ladder alone, whose rung W K grows like W rho/delta near a band edge at distance delta;
            # at W itself that series was not asymptotic (a band edge 1e-3 away, W = 0.01: a spurious
            # 1/W coefficient 0.93 +- 0.05, docs/model_space.md), so the ladder runs 10^-6 lower
            w0 = 1e-6 * W
        return w0 * 2.0 ** -np.arange(self.settings.n_w)

    def surface(self, W, fp, opts):
        """K^I (all observables, pieces) at one W from all angles and from every other angle."""
        if self.kernel is not None:
            kern = self.kernel.for_options(opts)
            b = fermi_surface_bubbles(self.model, self.eF, kern.sigma(W), fp, self.k_ref, opts,
                                      kernel_cutoff=self.kernel_cutoff, outer_cutoff=self.outer,
                                      basis=kern.basis, ops=self.ops)
            names = self.ops.names
            full = fermi_surface_term(b.rays(1), W, self.model.hbar, self.ladder, kern, names=names)
            half = fermi_surface_term(b.rays(2), W, self.model.hbar, self.ladder, kern, names=names)
            return full, half, b.nodes
        b = fermi_surface_bubbles(self.model, self.eF, W * self.sigma_per_w, fp, self.k_ref, opts,
                                  kernel_cutoff=self.kernel_cutoff, outer_cutoff=self.outer, ops=self.ops)
        names = self.ops.names
        full = fermi_surface_term(b.integrated(1), W, self.model.hbar, self.ladder, rung=self.rung, names=names)
        half = fermi_surface_term(b.integrated(2), W, self.model.hbar, self.ladder, rung=self.rung, names=names)
        return full, half, b.nodes

    def sea(self, fp, opts):
        # K^II depends on the disorder (white or correlated) only at O(W): its W^0 piece is the
        # clean value, the same for every kernel
        sea, surf = fermi_sea_clean(self.model, self.eF, fp, self.k_ref, opts, upper=self.outer,
                                    ops=self.ops)
        return sea.sum(0) + surf.sum(0), 2 * (sea[::2].sum(0) + surf[::2].sum(0))

    def scales(self, values):
        """Natural magnitude per operator: currents share one (>= e^2/hbar), spin and density
        share one (>= current scale / (e v_ref), the spin-current conversion of Dirac models), and
        every further operator O has its own, >= |O|_ref times the spin scale: the response of a
        unit-norm operator scaled by O's largest spectral norm on the Fermi contours and the ring
        |k| = k_ref (``o_ref``; a velocity operator then gets ~ the current scale / e)."""
        mag = np.abs(values)
        n_base = len(BASE)
        cur = max(mag[0], mag[1], self.model.e ** 2 / self.model.hbar)
        spin = max(mag[2:n_base].max(), cur / (self.model.e * self.v_ref))
        own = np.maximum(mag[n_base:], self.o_ref[n_base:] * spin)
        return np.concatenate([[cur, cur], np.full(n_base - 2, spin), own])

    def _operator_norms(self, fp):
        """``o_ref``: each operator's largest spectral norm on the Fermi points and on |k| = k_ref
        (1 for an operator that vanishes there, whose response is then measured in spin units)."""
        th = 2 * np.pi * np.arange(16) / 16
        kx, ky = self.k_ref * np.cos(th), self.k_ref * np.sin(th)
        if fp.count:
            kx = np.concatenate([kx, (fp.k * np.cos(fp.theta)[:, None]).ravel()])
            ky = np.concatenate([ky, (fp.k * np.sin(fp.theta)[:, None]).ravel()])
        norms = self.ops.reference_norms(kx, ky)
        self.o_ref = np.where(norms > 0, norms, 1.0)


def _flatten(term, names):
    return np.array([[term[o][p] for p in PIECES] for o in names])  # (operators, pieces)


def kubo_response(model: NumericModel, eF: float, W: float = 1.0,
                  settings: KuboSettings | None = None, disorder=None) -> dict:
    """Kubo-Streda sigma_yx, sigma_xx and spin density at Fermi energy eF, weak-disorder limit.

    ``W`` (the white-noise strength, <U U> = W delta) only sets the value at which 1/W pieces
    ("drude", "edelstein") are reported; W^0 pieces ("total") do not depend on it.
    ``disorder`` (a :class:`semiclassical.disorder.Disorder`; default: white noise of strength W)
    sets the kernel <U_q U_-q> = W c(q); its own W replaces ``W``. The extrapolation W -> 0 scales
    the whole kernel (W_j c(q), shape c fixed); white noise takes the constant-vertex path as before,
    and so do magnetic point impurities (their weights w_ab scaled together, w/W fixed: module
    ``impurities``; Re Sigma dropped as for white noise, an O(W) renormalisation).
    Returns {"sigma_yx": {...}, "sigma_xx": {...}, "spin_density": {"x","y","z": {...}},
    "extrapolation_error": {...}, "meta": {...}} in the units of the model (hbar, e).
    Each block: total (W^0), drude/edelstein (1/W piece at W) and its coefficient, and the
    W^0 pieces fermi_surface (bare bubbles), ladder (vertex correction), fermi_sea (sigma^II).
    """
    # one BLAS thread: the engine's matrices are small (eigh of 2x2 blocks, ladder systems of the
    # kernel's rank, tens to a few hundred), where threads only add synchronisation; with a second
    # process on the two cores a Gaussian-kernel point took 5-6 s with OpenBLAS's 2 threads and
    # 1.9 s with one (benchmarks/disorder_bench.py)
    with threadpool_limits(limits=1, user_api="blas"):
        return _kubo_response(model, eF, W, settings, disorder)


def _kubo_response(model, eF, W, settings, disorder) -> dict:
    settings = settings or KuboSettings()
    if isinstance(eF, bool) or not isinstance(eF, (int, float)) or not math.isfinite(eF):
        raise SemiclassicalError(f"eF must be a finite number, got {eF!r}")
    if isinstance(W, bool) or not isinstance(W, (int, float)) or not (math.isfinite(W) and W > 0):
        raise SemiclassicalError(f"the disorder strength W must be a positive number, got W = {W!r}")
    if settings.real_part not in ("drop", "cutoff"):
        raise SemiclassicalError("real_part must be 'drop' or 'cutoff'")
    if settings.ladder not in ("conserving", "plain", "none"):
        raise SemiclassicalError("ladder must be 'conserving', 'plain' or 'none'")
    if settings.broadening not in ("born", "scalar"):
        raise SemiclassicalError("broadening must be 'born' or 'scalar'")
    if disorder is not None:
        W = disorder.W
    t0 = time.perf_counter()
    pt = _Point(model, float(eF), settings, disorder)
    # an unbounded operator whose sea diverges: declined (said in "declined"), the others answered
    declined = divergent_sea(pt.ops, pt.eF, pt.k_ref) if pt.outer is None else {}
    if declined:
        model = replace(model, operators={k: v for k, v in model.operators.items() if k not in declined})
        pt = _Point(model, float(eF), settings, disorder)
    ws = pt.ladder_ws(W)
    names = pt.ops.names

    # angular resolution: double until the N- and N/2-point rules agree, at the smallest W
    n_theta, previous_change = settings.n_theta, math.inf
    while True:
        fp = fermi_points(model, eF, n_theta)
        full, half, _ = pt.surface(ws[-1], fp, settings.radial)
        sea_full, sea_half = pt.sea(fp, settings.radial)
        vf, vh = _flatten(full, names), _flatten(half, names)
        scale = pt.scales(vf.sum(axis=1) + sea_full)
        theta_change = float(max((np.abs(vf - vh).sum(axis=1) / scale).max(),
                                 (np.abs(sea_full - sea_half) / scale).max()))
        if theta_change <= settings.theta_tol or n_theta >= settings.max_theta:
            break
        if n_theta >= 128 and theta_change > previous_change / 4:
            # not converging (the trapezoid rule of a smooth integrand gains far more per doubling):
            # the profile found this on rings where the bands touch, where the doublings ran past
            # 180 s; there the engine says why, elsewhere it stops and doubts its numbers
            _refuse_on_touching_ring(model)
            break
        previous_change = theta_change
        n_theta *= 2
    fermi_sea = sea_full
    theta_err_sea = np.abs(sea_full - sea_half)
    theta_err_surface = np.abs(vf - vh).sum(axis=1)  # N vs N/2 at the smallest W (an upper bound)

    series = np.empty((settings.n_w, len(names), len(PIECES)))
    imag = np.zeros(len(names))
    ladder_info, nodes, t_w = [], [], []
    for j, w in enumerate(ws):
        tj = time.perf_counter()
        if j == settings.n_w - 1:
            term, nn = full, None
        else:
            term, _, nn = pt.surface(w, fp, settings.radial)
        series[j] = _flatten(term, names)
        imag = np.maximum(imag, [term[o]["imag"] for o in names])
        ladder_info.append(term["ladder_info"])
        nodes.append(nn)
        t_w.append(time.perf_counter() - tj)

    # radial-quadrature error: refine every radial rule at the smallest W (sharpest peaks)
    fine = settings.radial.scaled(settings.error_refine)
    term_f, _, _ = pt.surface(ws[-1], fp, fine)
    radial_err = np.abs(_flatten(term_f, names) - series[-1]).sum(axis=1)
    radial_err_sea = np.abs(pt.sea(fp, fine)[0] - fermi_sea)

    results = {}
    amp_m1, amp_0 = noise_amplification(ws)  # Richardson amplification of quadrature errors
    for i, name in enumerate(names):
        pieces = {p: extrapolate(ws, series[:, i, k]) for k, p in enumerate(PIECES)}
        tot = extrapolate(ws, series[:, i, :].sum(axis=1))
        results[name] = {
            "pieces": {p: v["zeroth"] for p, v in pieces.items()},
            "inverse_coefficient": tot["inverse"],
            "zeroth": tot["zeroth"] + fermi_sea[i],
            "fermi_sea": fermi_sea[i],
            "err_zeroth": tot["zeroth_error"] + amp_0 * (radial_err[i] + theta_err_surface[i])
                          + theta_err_sea[i] + radial_err_sea[i],
            "err_inverse_coefficient": tot["inverse_error"]
                                       + amp_m1 * (radial_err[i] + theta_err_surface[i]),
        }
    inverse_scale = pt.scales(np.array([r["inverse_coefficient"] for r in results.values()]))
    cutoff_dependent = _ladder_cutoff_dependent(pt, full["vertex"], results)
    declined.update(cutoff_dependent)

    def block(name, inverse_key):
        r = results[name]
        return {"total": r["zeroth"],
                inverse_key: r["inverse_coefficient"] / W,
                inverse_key + "_coefficient": r["inverse_coefficient"],
                "fermi_surface": r["pieces"]["bare"],
                "ladder": r["pieces"]["ladder"],
                "fermi_sea": r["fermi_sea"]}

    def err(name, inverse_key):
        r = results[name]
        return {"total": r["err_zeroth"], inverse_key: r["err_inverse_coefficient"] / W}

    # a W^0 total is scheme dependent exactly when the observable has a 1/W piece (module docstring)
    scheme_dependent = [
        pt.ops.label(o) for i, o in enumerate(names) if o != "n"
        and abs(results[o]["inverse_coefficient"]) > max(
            1e-8 * inverse_scale[i], 10 * results[o]["err_inverse_coefficient"])]
    tree = {"sigma_yx": block("j_y", "drude"), "sigma_xx": block("j_x", "drude"),
            "spin_density": {a: block("s_" + a, "edelstein") for a in "xyz"}}
    errors = {"sigma_yx": err("j_y", "drude"), "sigma_xx": err("j_x", "drude"),
              "spin_density": {a: err("s_" + a, "edelstein") for a in "xyz"}}
    for key in pt.ops.keys:  # operator observables under their dotted paths (spin_hall/z, observables/<name>)
        if key in declined:
            continue
        leading = observables.get(key).leading
        _place(tree, key, block(key, leading))
        _place(errors, key, err(key, leading))
    return {
        **tree,
        "extrapolation_error": errors,
        "declined": declined,
        "meta": {
            "method": "Kubo-Streda (Bastin) at T=0; Born self-energy; ladder (NCA) vertex on the "
                      "RA bubble, zero mode fixed by particle conservation; bare RR/AA; clean "
                      "Fermi-sea term; 1/W and W^0 pieces by Richardson extrapolation in W",
            "eF": float(eF),
            "W": float(W),
            "W_ladder": ws.tolist(),
            "gamma_per_W": {"re": pt.gamma.real.tolist(), "im": pt.gamma.imag.tolist()},
            "sigma_over_energy_scale": (ws * pt.gmax / pt.ladder_scale).tolist() if pt.gmax else None,
            "energy_scale": pt.e_scale,
            "k_ref": pt.k_ref,
            "fermi_points_per_ray": fp.count,
            "n_theta": n_theta,
            "theta_change": theta_change,
            "theta_converged": theta_change <= settings.theta_tol,
            "radial_error_at_smallest_W": dict(zip(names, radial_err.tolist())),
            "imaginary_part_max": dict(zip(names, imag.tolist())),
            "density_response": {"total": float(results["n"]["zeroth"]),
                                 "inverse_coefficient": float(results["n"]["inverse_coefficient"])},
            "ladder_info": ladder_info,
            "series": {o: series[:, i, :].sum(axis=1).tolist() for i, o in enumerate(names)},
            "settings": asdict(settings),
            "nodes_per_W": nodes,
            "seconds": time.perf_counter() - t0,
            "seconds_per_W": t_w,
            "scheme_dependent": scheme_dependent,
        },
    }


def _ladder_cutoff_dependent(pt: _Point, c, results) -> dict[str, str]:
    """{name: why} for the operators whose W^0 ladder term depends on the kernel cutoff (constant
    vertex c of white noise or magnetic vertices; a correlated kernel's vertex vanishes beyond its
    range) by more than its error estimate, without falling as the cutoff grows
    (``operators.ladder_cutoff_slope``: a tail that falls converges, and the engine's cutoff then costs
    what it costs the base operators). The engine declines them and answers the others."""
    ops = pt.ops
    if not ops.keys or pt.kernel is not None or pt.ladder == "none" or not pt.has_surface:
        return {}
    slope = ladder_cutoff_slope(ops, pt.eF, np.asarray(c), pt.kernel_cutoff, pt.model.hbar)
    scale = pt.scales(np.array([r["zeroth"] for r in results.values()]))
    return {ops.names[i]: (
        f"the Kubo-Streda engine cannot answer {ops.names[i]}: its ladder (vertex) term depends on the "
        f"momentum cutoff of the disorder integrals (d/d ln cutoff = {slope[1, i]:.2g} at "
        f"{pt.kernel_cutoff:.3g}): the operator grows too fast for this model's bands")
        for i in range(len(BASE), len(ops))
        if slope[1, i] > max(10 * results[ops.names[i]]["err_zeroth"], 1e-8 * scale[i], slope[0, i] / 3)}


def _refuse_on_touching_ring(model: NumericModel) -> None:
    """One clear line where the bands touch away from k = 0 (contour.touching_radius)."""
    ring = touching_radius(model)
    if ring is not None:
        raise SemiclassicalError(
            f"the bands touch at k = {ring:.6g} (|d| = 0 there, away from k = 0) and the Kubo-Streda angular "
            "integrals do not converge with this ring present; the other engines answer where they can")


def _place(tree: dict, key: str, value: dict) -> None:
    """Put ``value`` at the dotted path ``key`` of a nested map (``spin_hall.z`` -> tree["spin_hall"]["z"])."""
    *head, last = key.split(".")
    for part in head:
        tree = tree.setdefault(part, {})
    tree[last] = value


def kubo_clean_limit(model: NumericModel, eF: float, settings: KuboSettings | None = None) -> dict:
    """The clean limit of the Kubo-Streda formula: constant broadening Sigma = -i eta, no
    disorder vertex, eta -> 0. Its W^0 ("total") pieces are the intrinsic responses
    (sigma_yx -> (e^2/hbar) sum_k Omega n_FD, Eq. 72, i.e. Eq. 74 for the paper's model; the
    intrinsic spin density, Eq. 96); its 1/eta pieces are Drude/Edelstein terms with
    hbar/tau = 2 eta. ``W`` in the result means eta (reported at eta = 1)."""
    from dataclasses import replace

    settings = replace(settings or KuboSettings(), broadening="scalar", ladder="none")
    return kubo_response(model, eF, 1.0, settings)
