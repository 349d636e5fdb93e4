"""Kubo-Streda X and Psi diagrams (two crossed impurity lines), white noise, W -> 0, in real space.

Beyond the ladder (NCA) of ``engine``, the diagrams with two crossed impurity lines contribute to
the Fermi-surface term K^I = (hbar/2pi) Tr<A G^R J G^A> (module ``streda``) at order W^0, the order
of skew scattering (Ado, Dmitriev, Ostrovsky, Titov, EPL 111, 37004 (2015)). With ladder-dressed
vertices A~, J~ at both ends and the four impurity vertices of two lines a, b (docs/crossed_diagrams.md
section 2), the three crossed diagrams are (Eqs. C1-C3; k4 fixed by momentum conservation)

    X     = W^2 sum Tr[G^A_1 A~ G^R_1  G^R_2  G^R_3 J~ G^A_3  G^A_{1+3-2}],
    Psi_R = W^2 sum Tr[G^A_1 A~ G^R_1  G^R_2 G^R_{2+4-1}  G^R_4 J~ G^A_4],
    Psi_A = W^2 sum Tr[G^A_1 A~ G^R_1  G^R_4 J~ G^A_4  G^A_{4+2-1} G^A_2].

As W -> 0 each pinched pair (momenta 1 and 3 or 4) becomes (pi/(W gamma_n)) delta(eF - eps_n) P_n X P_n
(gamma_n = <n|Gamma|n>/W, Gamma = -Im Sigma^R, module ``self_energy``), the two W of the lines cancel
the two 1/W, and the free momentum runs over clean Green's functions: the W^0 limit (Eq. C4). The
momentum sums are convolutions, so in real space (r = separation of the two impurities) each diagram is
one integral over the plane (Eqs. C5, C6):

    X     = int d^2r Tr[Phi_A(-r) G^R(r) Phi_J(-r) G^A(r)],
    Psi_R = int d^2r Tr[Phi_A(r) G^R(-r) G^R(r) Phi_J(-r)],
    Psi_A = int d^2r Tr[Phi_A(r) Phi_J(-r) G^A(r) G^A(-r)],

    Phi_X(r) = sum_n int d^2k/(2pi)^2 (pi/gamma_n) delta(eF - eps_n) P_n X~ P_n e^{ik.r},

G^R(r) the clean real-space Green's function (module ``greens_r``), G^A(r) = G^R(-r)^+. Phi is a
finite sum of Bessel functions J_l(k_F r) e^{il theta_r} (angular harmonics of the on-shell vertex,
Eq. C9). The angle theta_r is integrated by the trapezoid rule (exact for the trigonometric
polynomial the integrand is), the radius on Gauss-Legendre panels. At large r the integrand is a sum of
e^{iqr}/r terms (q = sums of +-k_F): conditionally convergent. It is cut off by a smooth window
w(r/R) (1 for r < R/2, C-infinity step to 0 at R), which leaves errors ~ R^-p from the non-oscillating
part (p = 1, 2, ...) and super-algebraically small ones from the oscillating part; R = R0 2^j,
j = 0..n_R-1, all on one grid, extrapolated to R -> infinity by Richardson in 1/R (Eq. C10).

The vertex dressing at W -> 0 (white noise): X~ = X + c.sigma with c = L(X) + L(c),
L(Y) = sum_n int d^2k/(2pi)^2 (pi/gamma_n) delta(eF - eps_n) P_n Y P_n (the pinched ladder, Eq. C11).

Scope: rotationally covariant models (winding J, module ``kernel``) with H polynomial in |k| along a
ray (the whole isotropic catalogue), white-noise disorder, T = 0, eF crossing at least one band.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import jv

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .contour import fermi_points, ray_hamiltonian
from .greens_r import RealSpaceGreen
from .kernel import covariance_winding
from .linalg2 import SIGMA, bands, dagger, mul2
from .operators import Operators
from .radial import gauss_legendre
from .self_energy import gamma_matrix

__all__ = ["CrossedSettings", "crossed_response", "DIAGRAMS"]

DIAGRAMS = ("X", "Psi_R", "Psi_A")


@dataclass(frozen=True)
class CrossedSettings:
    """Numerical choices of :func:`crossed_response`.

    n_fermi     angles on each Fermi circle (harmonics of the on-shell vertex, Eq. C9; checked);
    n_angle     trapezoid points in theta_r; None: 2 l_max + 2|J| + 2, one more than the highest
                harmonic of the integrand (l_max: of Phi, J: of G), so the rule is exact;
    r_window    R0 in units of the longest beat length 2 pi / q_min (q_min the smallest nonzero
                |k_a - k_b|, or k_min for one circle): the first window radius;
    n_r         number of window radii R0 2^j (Richardson order n_r - 1 in 1/R);
    panel       radial panel length in units of 2 pi / (4 k_max) (one period of the fastest term);
    n_gl        Gauss-Legendre nodes per radial panel;
    refine      factor of every resolution for the error estimate (panel, nodes, angles).
    """

    n_fermi: int = 64
    n_angle: int | None = None
    r_window: float = 12.0
    n_r: int = 4
    panel: float = 1.0
    n_gl: int = 16
    refine: float = 2.0


def _window(x):
    """w(x): 1 for x <= 1/2, 0 for x >= 1, C-infinity in between (Eq. C10)."""
    y = np.clip(2.0 * (1.0 - x), 0.0, 1.0)     # 0 at x = 1, 1 at x = 1/2
    with np.errstate(divide="ignore", over="ignore"):
        f = np.where(y > 0, np.exp(-1.0 / np.where(y > 0, y, 1.0)), 0.0)
        g = np.where(y < 1, np.exp(-1.0 / np.where(y < 1, 1.0 - y, 1.0)), 0.0)
    return f / (f + g)


class _Point:
    """One (model, eF): Fermi circles, winding, Gamma, dressed on-shell vertices, G^R(r)."""

    def __init__(self, model: NumericModel, eF: float, settings: CrossedSettings):
        self.model, self.eF, self.settings = model, eF, settings
        fp = fermi_points(model, eF, settings.n_fermi)
        if fp.count == 0:
            raise SemiclassicalError(f"eF = {eF:g} crosses no band: the crossed diagrams need a Fermi surface")
        if np.ptp(fp.k, axis=0).max() > 1e-9 * fp.k.max():
            raise SemiclassicalError("the crossed diagrams need rotationally covariant (circular) Fermi contours")
        self.fp = fp
        self.radii = fp.k[0]
        self.k_ref = float(self.radii.max())
        self.J = covariance_winding(model, self.k_ref)
        if self.J is None:
            raise SemiclassicalError("the crossed diagrams need a rotationally covariant model")
        self.gamma, _ = gamma_matrix(model, eF)   # Gamma / W
        self.green = RealSpaceGreen(model, eF, self.J, self.k_ref)
        found, ours = np.array(self.green.fermi_radii), self.radii
        if len(found) != len(ours) or np.abs(found - ours).max() > 1e-8 * self.k_ref:
            raise SemiclassicalError(f"Fermi radii disagree ({found} vs {ours}): polynomial fit of H failed")
        self._on_shell()

    def _on_shell(self):
        fp, model = self.fp, self.model
        h, _ = ray_hamiltonian(model, fp.k, fp.theta[:, None])
        _, proj = bands(h)
        self.proj = np.take_along_axis(proj, fp.band[..., None, None, None], axis=2)[:, :, 0]  # (N, R, 2, 2)
        gam = np.einsum("nrij,ji->nr", self.proj, self.gamma).real
        self.weight = np.pi / gam                                                               # pi / gamma_n
        kx, ky = fp.k * np.cos(fp.theta)[:, None], fp.k * np.sin(fp.theta)[:, None]
        self.ops = Operators(model)
        self.a, self.jx = self.ops.at(kx, ky)               # (N, R, A, 2, 2), (N, R, 2, 2)

    def ladder_map(self):
        """L_ab = 1/2 Tr[sigma_a L(sigma_b)] (4x4) of the pinched ladder (Eq. C11)."""
        p = self.proj
        x = np.einsum("nrij,bjk,nrkl->nrbil", p, SIGMA, p)                # P sigma_b P
        y = self.fp.contour_sum(self.weight[..., None, None, None] * x)    # (4, 2, 2)
        return 0.5 * np.einsum("aij,bji->ab", SIGMA, y)

    def dressed(self, op):
        """X~ = X + c.sigma at the Fermi points (Eq. C11); op (N, R, 2, 2). Returns (X~, c)."""
        p = self.proj
        pop = self.weight[..., None, None] * mul2(p, op, p)
        s = 0.5 * np.einsum("aij,ji->a", SIGMA, self.fp.contour_sum(pop))
        size = np.abs(self.fp.contour_sum(np.abs(pop))).max()      # the source's rounding scale
        if size == 0.0:          # the vertex has no on-shell part (sigma_x without spin-orbit coupling)
            return op, np.zeros(4, complex)
        s = np.where(np.abs(s) <= 1e-13 * size, 0.0, s)   # components that vanish by symmetry
        lmat = self.ladder_map()
        c, *_ = np.linalg.lstsq(np.eye(4) - lmat, s, rcond=1e-10)
        resid = np.abs((np.eye(4) - lmat) @ c - s).max() / size
        if resid > 1e-8:
            raise SemiclassicalError(f"the pinched ladder has no solution for this vertex (residual {resid:.2g})")
        return op + np.einsum("a,aij->ij", c, SIGMA), c

    def phi_harmonics(self, op):
        """Per circle: (radius, harmonics l, coefficients (L, 2, 2)) of Phi (Eq. C9)."""
        p = self.proj
        f = (self.fp.k / np.abs(self.fp.slope) * self.weight)[..., None, None] * (p @ op @ p)  # (N, R, 2, 2)
        n = f.shape[0]
        coef = np.fft.fft(f, axis=0) / n                         # f_l = mean f e^{-il theta}
        ell = np.fft.fftfreq(n, 1.0 / n).astype(int)
        top = np.abs(coef).max()
        keep = np.abs(coef).reshape(n, -1).max(axis=1) > 1e-15 * top
        if np.any(keep & (np.abs(ell) >= n // 4)):
            raise SemiclassicalError("on-shell vertex harmonics not resolved: raise n_fermi")
        out = []
        for c in range(f.shape[1]):
            kc = np.abs(coef[:, c]).reshape(n, -1).max(axis=1) > 1e-15 * top
            out.append((float(self.radii[c]), ell[kc], coef[kc, c]))
        return out


def _phi(harm, r, theta):
    """Phi(r, theta_r) (len(r), len(theta), 2, 2) = sum_l f_l i^l J_l(k r) e^{il theta} / (2 pi) (Eq. C9).

    Each matrix entry is one product (radii x harmonics) @ (harmonics x angles): summing the harmonics
    term by term built a full (r, theta, 2, 2) temporary per harmonic (a third of a crossed point's time)."""
    rad, ang = [], []
    for k, ell, coef in harm:
        for l, c in zip(ell, coef):
            rad.append((1j ** l) * jv(l, k * r) / (2 * np.pi))
            ang.append(np.exp(1j * l * theta)[:, None, None] * c)       # (theta, 2, 2)
    if not rad:
        return np.zeros((len(r), len(theta), 2, 2), complex)
    radial = np.array(rad).T                                             # (r, L)
    angular = np.array(ang).reshape(len(rad), -1)                        # (L, theta * 4)
    return (radial @ angular).reshape(len(r), len(theta), 2, 2)


def _radial_grid(r_max, k_max, settings: CrossedSettings, refine=1.0):
    """Gauss-Legendre nodes and weights on [0, r_max]: geometric panels towards 0, then panels of
    length settings.panel x 2 pi/(4 k_max) / refine."""
    h = settings.panel * 2 * np.pi / (4 * k_max) / refine
    n = max(4, int(round(settings.n_gl * (1 if refine == 1 else 1.25))))
    x, w = gauss_legendre(n)
    edges = list(h * 2.0 ** -np.arange(12, 0, -1)) + list(np.arange(1, int(np.ceil(r_max / h)) + 1) * h)
    edges = np.array([0.0] + edges)
    lo, hi = edges[:-1, None], edges[1:, None]
    return (0.5 * (lo + hi) + 0.5 * (hi - lo) * x).ravel(), (0.5 * (hi - lo) * w).ravel()


def _trace4(a, b, c, d):
    """Tr[A B C D] over stacks of 2x2 matrices (entries written out, linalg2.mul2: numpy's matmul over a
    stack of 2x2 matrices was most of a crossed point's time)."""
    ab, cd = mul2(a, b), mul2(c, d)
    return (ab * np.swapaxes(cd, -1, -2)).sum(axis=(-2, -1))


def _integrands(pt: _Point, harm_a, harm_j, r, theta):
    """Angle-integrated integrands of X, Psi_R, Psi_A per radius (Eqs. C5, C6), each r dr-ready:
    returns (3, len(r)) complex = r int dtheta_r Tr[...]."""
    rad = pt.green.radial(r)
    g = pt.green.matrix(r, theta, rad=rad)
    g_minus = pt.green.matrix(r, theta + np.pi, rad=rad)
    ga, ga_minus = dagger(g_minus), dagger(g)          # G^A(r) = G^R(-r)^+, G^A(-r) = G^R(r)^+
    pa_minus = [_phi(h, r, theta + np.pi) for h in harm_a]
    pa = [_phi(h, r, theta) for h in harm_a]
    pjm = _phi(harm_j, r, theta + np.pi)
    out = []
    for pam, pap in zip(pa_minus, pa):
        x = _trace4(pam, g, pjm, ga)
        psr = _trace4(pap, g_minus, g, pjm)
        psa = _trace4(pap, pjm, ga, ga_minus)
        out.append(np.stack([x, psr, psa]).mean(axis=-1) * 2 * np.pi * r)
    return out


def _richardson(values, radii):
    """(limit, error) of values(R) = v + sum_p c_p R^-p through all R (Eq. C10); the error is the
    change when the smallest R is left out."""
    values, radii = np.asarray(values), np.asarray(radii, float)

    def fit(v, rr):
        n = len(rr)
        mat = (rr[:, None] / rr.max()) ** -np.arange(n)[None]
        return np.linalg.solve(mat, v)[0]

    full = fit(values, radii)
    return full, abs(full - fit(values[1:], radii[1:]))


def _evaluate(pt: _Point, harm_a, harm_j, settings: CrossedSettings, refine=1.0):
    radii = pt.radii
    k_max, k_min = float(radii.max()), float(radii.min())
    beats = np.abs(np.subtract.outer(radii, radii))
    beats = beats[beats > 1e-6 * k_max]
    q_min = min(k_min, float(beats.min())) if beats.size else k_min
    r0 = settings.r_window * 2 * np.pi / q_min
    rs = r0 * 2.0 ** np.arange(settings.n_r)
    r, wr = _radial_grid(rs[-1], k_max, settings, refine)
    # a vertex with no harmonics at all (d_perp = 0: spin is conserved, the interband parts vanish)
    # adds nothing to l_max
    l_max = max((int(np.abs(ell).max()) for h in [*harm_a, harm_j] for _, ell, _ in h if np.size(ell)), default=0)
    n_angle = settings.n_angle or 2 * l_max + 2 * abs(pt.J) + 2
    n_angle = int(round(n_angle * refine))
    theta = 2 * np.pi * np.arange(n_angle) / n_angle
    vals = []
    for block in np.array_split(np.arange(len(r)), max(1, len(r) // 2048)):
        vals.append(_integrands(pt, harm_a, harm_j, r[block], theta))
    per_op = [np.concatenate([v[i] for v in vals], axis=1) for i in range(len(harm_a))]
    windows = np.stack([_window(r / R) for R in rs])     # (n_r, len r)
    out = []
    for integ in per_op:
        sums = np.einsum("jr,dr->dj", windows * wr, integ)   # (3, n_r)
        out.append((sums, rs))
    return out


def crossed_response(model: NumericModel, eF: float, settings: CrossedSettings | None = None) -> dict:
    """The W^0 crossed-diagram (X + Psi) contributions to sigma_yx and <s_x>, <s_y> per unit E_x.

    ``model`` as for :func:`semiclassical.kubo.engine.kubo_response` (a NumericModel, e.g.
    ``catalogue.numeric_model("ti-surface", M=0.5)``); white-noise disorder, whose strength drops
    out of the W^0 limit (docs/crossed_diagrams.md Eq. C4). Units of the model (hbar, e): sigma in
    e^2/hbar. Returns {"sigma_yx": {"X", "Psi", "crossed", "error", ...}, "spin_density": {"x": {...},
    "y": {...}}, "meta": {...}}; crossed = X + Psi (Psi = Psi_R + Psi_A), error = window
    extrapolation + quadrature-refinement estimate of crossed.
    """
    settings = settings or CrossedSettings()
    if isinstance(eF, bool) or not isinstance(eF, (int, float)) or not math.isfinite(eF):
        raise SemiclassicalError(f"eF must be a finite number, got {eF!r}")
    t0 = time.perf_counter()
    pt = _Point(model, float(eF), settings)
    names = pt.ops.names
    jx_dressed, c_j = pt.dressed(pt.jx)
    targets = {"sigma_yx": names.index("j_y"), "x": names.index("s_x"), "y": names.index("s_y")}
    harm_a, vertices = [], {"j_x": c_j.real.tolist()}
    for key, i in targets.items():
        a_dressed, c_a = pt.dressed(pt.a[:, :, i])
        vertices[key] = c_a.real.tolist()
        harm_a.append(pt.phi_harmonics(a_dressed))
    harm_j = pt.phi_harmonics(jx_dressed)
    pref = model.hbar / (2 * np.pi)
    base = _evaluate(pt, harm_a, harm_j, settings)
    fine = _evaluate(pt, harm_a, harm_j, settings, refine=settings.refine)
    blocks, diag = {}, {}
    for key, (b, f) in zip(targets, zip(base, fine)):
        (sums, rs), (sums_f, _) = b, f
        # rows: X, Psi_R, Psi_A, and their sum (extrapolated as one: X and Psi alone can carry
        # ln R terms that cancel in the sum, docs/crossed_diagrams.md section 5)
        sums = np.vstack([sums, sums.sum(axis=0)]) * pref
        sums_f = np.vstack([sums_f, sums_f.sum(axis=0)]) * pref
        lim, err = np.array([_richardson(v, rs) for v in sums]).T
        lim_f = np.array([_richardson(v, rs)[0] for v in sums_f])
        error = np.abs(err) + np.abs(lim_f - lim)
        psi_err = float(np.abs(_richardson(sums[1] + sums[2], rs)[1]) + np.abs(lim_f[1] + lim_f[2] - lim[1] - lim[2]))
        blocks[key] = {"X": float(lim[0].real), "Psi": float((lim[1] + lim[2]).real),
                       "crossed": float(lim[3].real), "error": float(error[3]),
                       "error_X": float(error[0]), "error_Psi": psi_err,
                       "Psi_R": float(lim[1].real), "Psi_A": float(lim[2].real)}
        diag[key] = {"imag": float(abs(lim[3].imag)),
                     "window_values": sums[3].real.tolist(),
                     "refined_change": float(abs(lim_f[3] - lim[3])),
                     "window_error": float(abs(err[3]))}
    return {
        "sigma_yx": blocks["sigma_yx"],
        "spin_density": {"x": blocks["x"], "y": blocks["y"]},
        "meta": {
            "method": "X and Psi diagrams (two crossed impurity lines), white noise, W -> 0 limit taken "
                      "analytically (pinched pairs on shell, clean G in between), real-space integral over "
                      "the impurity separation, windowed and extrapolated R -> infinity "
                      "(docs/crossed_diagrams.md)",
            "eF": float(eF),
            "winding": pt.J,
            "fermi_radii": pt.radii.tolist(),
            "gamma_per_W": {"re": pt.gamma.real.tolist(), "im": pt.gamma.imag.tolist()},
            "vertex_corrections": vertices,
            "ray_angle": pt.green.phi,
            "window_radii": base[0][1].tolist(),
            "diagnostics": diag,
            "settings": asdict(settings),
            "seconds": time.perf_counter() - t0,
        },
    }
