"""Skew scattering on pairs of impurities: the crossed W^2 pairings of the golden rule (docs/pair_skew.md).

The golden-rule rate l -> j with T = U + U G0 U + U G0 U G0 U, G0 = (eF - H0 + i0)^-1, has at order
W^2 three pairings besides the non-crossing ones of :func:`.subleading.golden_rule_rates`: in
2 Re<T1* T3> the crossed pair (13)(24) and in <T2* T2> the crossed pair (U_a G0 U_b)*(U_b G0 U_a).
Their antisymmetric part (docs/pair_skew.md, Eq. P5), written with projectors (gauge free), is

    w^pair_{j<-l} = (2 pi/hbar) 2 pi W^2 sum_q w_q Im Tr[ P_l P_j P_q R(k_q + k_l - k_j)
                                                       + P_l P_j R(k_q + k_j - k_l) P_q
                                                       - P_l P_q P_j R(k_l + k_j - k_q) ],

q on the Fermi shell, R(K) = PV (eF - H(K))^-1 = adj(eF - H(K))/D(K), D = det(eF - H(K)).

Inner (q) integral, exact up to the FFT of a smooth function (Eq. P7). On a circle of radius k_q,
|K|^2 = s(theta) = A + B cos(theta - phi0), and for an isotropic model D depends on |K|^2 only.
Its zeros are the Fermi radii, s_f = k_f^2, so 1/D(s) = sum_f 1/(D'_f (s - s_f)) + Rg(s) with Rg
smooth (identically zero when D is a polynomial in s whose roots are all Fermi radii: massive
Dirac, Rashba ferromagnet). With the numerator N(psi) = sum_n c_n e^{i n psi} (FFT),
    PV int dpsi e^{i n psi}/(a + B cos psi) = 2 pi z^|n| / (sgn(a) sqrt(a^2 - B^2))   (|a| > B,
        z = (-a + sgn(a) sqrt(a^2 - B^2))/B),
                                            = (2 pi/B) sin(|n| psi0)/sin(psi0)        (|a| < B,
        a = -B cos psi0, the Glauert integral: the principal value, both poles inside),
and the smooth remainder N Rg goes to the trapezoid rule. No pole is approached numerically.

Outer integral (Eq. P8): the rate from (circle a, angle 0) to (circle b, angle phi), omega_ab(phi),
is integrated against 1 and e^{-i phi} over [0, 2 pi] split at its singular angles (phi = 0, pi, and
the tangencies |Q(phi)| = k_q +- k_f, where omega has 1/sqrt(phi - phi_t) edges on one side), with
Gauss-Legendre on each piece after phi = phi_L + (phi_R - phi_L) sin^2(pi t/2), which makes those
edges smooth. For an isotropic model the leading g is a pure first harmonic on each circle,
g_c(theta) = Re[G_c e^{i theta}], and the driving term of Eq. 35 needs only the moments
Omega_ab(n) = int dphi/(2 pi) omega_ab(phi) e^{-i n phi}, n = 0, 1:
    b(c, theta) = -sum_c' W_c' { Re[G_c' Omega_c'c(1) e^{i theta}] - g_c(theta) Omega_cc'(0) },
W_c = the circle's density of states (sum of its node weights). Then the engine: g_pair = J0^-1(-b)
(:class:`.collision.J0Solver`), sigma_yx^pair = -e sum w g_pair v_y, <s_a>^pair = sum w g_pair s_a.
Order W^0: rate ~ W^2, J0 ~ W, g ~ 1/W (docs/pair_skew.md, section 3).
"""
from __future__ import annotations

import time

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .collision import J0Solver
from .gauge import RandomGauge
from .leading import leading_distribution
from .shell import Shell, ShellFactory

__all__ = ["Circle", "fermi_circles", "pv_kernel", "pair_rate", "rate_moments", "pair_skew_terms",
           "pair_skew_response"]

#: |s - s_f| below this (relative to s_f) is bridged by interpolation in the remainder Rg (cancellation)
_NEAR_POLE = 1e-6


class Circle:
    """One Fermi circle: band, radius k, density of states W (sum of node weights), and the data of
    its pole in 1/D(s): s_f = k^2, D'_f = dD/ds there (Jacobi's formula with dH/dk)."""

    def __init__(self, model: NumericModel, eF: float, band: int, k: float, dos: float):
        self.band, self.k, self.dos = int(band), float(k), float(dos)
        self.s = self.k**2
        adj, _ = _resolvent(model, eF, np.array([self.k]), np.array([0.0]))
        hx, _ = model.dh(np.array([self.k]), np.array([0.0]))
        # dD/dk along x = Tr[adj d(eF - H)/dk] = -Tr[adj H_x]; dD/ds = (dD/dk)/(2k)
        self.dds = float(-np.real(np.einsum("...ab,...ba->...", adj, hx))[0] / (2 * self.k))


def fermi_circles(model: NumericModel, shell: Shell) -> list[Circle]:
    """The shell's contours as :class:`Circle` s; refuses contours that are not circles."""
    if not all(ct.is_circle for ct in shell.contours):
        raise SemiclassicalError("pair skew scattering is implemented for isotropic models (circular Fermi "
                                 "contours) only")
    return [Circle(model, shell.energy, ct.band, ct.k[0], ct.weight.sum()) for ct in shell.contours]


def _resolvent(model: NumericModel, eF: float, kx, ky):
    """adj(eF - H(K)) and det(eF - H(K)) (real) at arrays K: R(K) = adj/det off the shell."""
    a = eF * np.eye(2) - model.h(kx, ky)
    adj = np.empty_like(a)
    adj[..., 0, 0], adj[..., 1, 1] = a[..., 1, 1], a[..., 0, 0]
    adj[..., 0, 1], adj[..., 1, 0] = -a[..., 0, 1], -a[..., 1, 0]
    det = np.real(a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0])
    return adj, det


def _projector(model: NumericModel, band: int, kx, ky):
    """P = |u><u| of ``band`` (0 lower, 1 upper) at K (gauge free): (1 +- d.sigma/|d|)/2 from H = d0 + d.sigma
    itself, exact and without a stack of eigh calls (which took a fifth of a three-circle pair skew)."""
    h = model.h(kx, ky)
    half_trace = 0.5 * (h[..., 0, 0] + h[..., 1, 1])
    dvec = h - half_trace[..., None, None] * np.eye(2)           # d.sigma
    dd = np.sqrt(np.abs(dvec[..., 0, 0]) ** 2 + np.abs(dvec[..., 0, 1]) ** 2)
    sign = 1.0 if band == 1 else -1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 0.5 * (np.eye(2) + sign * dvec / dd[..., None, None])
    touching = dd == 0.0
    if np.any(touching):          # d = 0 (a band touching): any unit vector, as eigh gives
        _, vec = model.eigh(np.broadcast_to(kx, dd.shape)[touching], np.broadcast_to(ky, dd.shape)[touching])
        u = vec[..., :, band]
        out[touching] = u[..., :, None] * np.conj(u)[..., None, :]
    return out


def pv_kernel(n: np.ndarray, a: np.ndarray, B: np.ndarray) -> np.ndarray:
    """PV int_0^{2 pi} e^{i n psi}/(a + B cos psi) dpsi for n >= 0, B > 0 (module docstring).

    ``n`` (m,), ``a`` and ``B`` (..., 1): result (..., m). |a| = B exactly (tangency) is not finite.
    """
    n = np.asarray(n)
    out = np.empty(np.broadcast(n, a, B).shape)
    inside = np.broadcast_to(np.abs(a) < B, out.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        psi0 = np.arccos(np.clip(-a / B, -1.0, 1.0))
        s0 = np.sin(psi0)
        # sin(n psi0)/sin(psi0) -> n cos(n psi0)/cos(psi0) at psi0 = 0, pi (tangency from inside)
        ratio = np.where(s0 > 1e-12, np.sin(n * psi0) / np.where(s0 > 1e-12, s0, 1.0),
                         n * np.cos(n * psi0) / np.cos(psi0))
        glauert = (2 * np.pi / B) * ratio
        root = np.sqrt(np.maximum(a * a - B * B, 0.0))
        sg = np.sign(a)
        # the small root (-a + sg root)/B without cancellation (the Poisson branch only: inside, where
        # root = 0, this would be -B/a, larger than 1, and overflow in z^n)
        z = np.where(inside, 0.0, B / (-a - sg * root))
        poisson = 2 * np.pi * z**n / (sg * root)
    out[...] = np.where(inside, glauert, poisson)
    return out


def _complex_kernel(n: np.ndarray, a: np.ndarray, B: np.ndarray) -> np.ndarray:
    """int_0^{2 pi} e^{i n psi}/(a + B cos psi) dpsi for complex a (no pole on the path), n >= 0:
    4 pi z^n/(B (z - 1/z)), z the root of w^2 + (2a/B) w + 1 inside the unit circle (residues)."""
    root = np.sqrt(a * a - B * B + 0j)
    # the large root w/B without cancellation, the small one z = B/w (their product is 1): for
    # B << |a| (K's circle nearly through the origin of Q, a tiny Fermi circle) (-a + root)/B rounded
    # to 0 and 1/z to nan (profile case 531); B (z - 1/z) = B z - w is finite as B -> 0
    w = np.where(np.abs(-a + root) > np.abs(-a - root), -a + root, -a - root)
    z = B / w
    return 4 * np.pi * z**n / (B * z - w)


class Poles:
    """1/D(s) = sum_r 1/(D'_r (s - s_r)) + Rg(s) on s = |K|^2 >= 0 (module docstring).

    When D(s) is a polynomial in s (every catalogue model: d0, d_z, |d_perp|^2 polynomials in k^2)
    its roots are all poles: the Fermi radii (real, replaced by the contours' own values) and the
    others (negative or complex, e.g. the other band's root when only one band is occupied); Rg = 0,
    ``exact`` is True. Otherwise only the Fermi poles are taken and Rg goes to the trapezoid rule.
    """

    def __init__(self, model: NumericModel, eF: float, circles: list[Circle], smax: float):
        self.real = [(c.s, c.dds) for c in circles]
        self.complex: list[tuple[complex, complex]] = []
        self.exact = False
        grid = 0.5 * smax * (1 - np.cos(np.pi * (np.arange(41) + 0.5) / 41))      # Chebyshev on [0, smax]
        _, d = _resolvent(model, eF, np.sqrt(grid), np.zeros_like(grid))
        x = grid / smax
        for deg in range(1, 9):
            coef = np.polynomial.polynomial.polyfit(x, d, deg)
            if np.max(np.abs(np.polynomial.polynomial.polyval(x, coef) - d)) > 1e-10 * np.max(np.abs(d)):
                continue
            roots = np.polynomial.polynomial.polyroots(coef) * smax
            dcoef = np.polynomial.polynomial.polyder(coef) / smax
            fermi = [c.s for c in circles]
            others = []
            for r in roots:
                near = [f for f in fermi if abs(r - f) < 1e-6 * smax]
                if near:
                    continue
                if abs(r.imag) < 1e-9 * smax and 0.0 <= r.real <= smax:
                    return          # a real root in range that is no Fermi circle: keep the safe route
                others.append((complex(r), complex(np.polynomial.polynomial.polyval(r / smax, dcoef))))
            if len(others) + len(fermi) != deg:
                return
            self.complex, self.exact = others, True
            return

    def remainder(self, model, eF, s, circles):
        return np.zeros_like(s) if self.exact else _remainder(model, eF, s, circles)


def _remainder(model: NumericModel, eF: float, s: np.ndarray, circles: list[Circle]) -> np.ndarray:
    """Rg(s) = 1/D(s) - sum_f 1/(D'_f (s - s_f)): smooth; near a pole bridged linearly (cancellation)."""
    def raw(x):
        _, d = _resolvent(model, eF, np.sqrt(np.maximum(x, 0.0)), np.zeros_like(x))
        out = 1.0 / d
        for c in circles:
            out = out - 1.0 / (c.dds * (x - c.s))
        return out

    out = np.empty_like(s)
    near = np.zeros(s.shape, bool)
    for c in circles:
        near |= np.abs(s - c.s) < _NEAR_POLE * c.s
    out[~near] = raw(s[~near])
    for c in circles:
        sel = near & (np.abs(s - c.s) < _NEAR_POLE * c.s)
        if np.any(sel):
            h = 2 * _NEAR_POLE * c.s
            lo, hi = raw(np.array([c.s - h])), raw(np.array([c.s + h]))
            out[sel] = lo + (hi - lo) * (s[sel] - (c.s - h)) / (2 * h)
    return out


def pair_rate(model: NumericModel, eF: float, circles: list[Circle], a: int, b: int, phi: np.ndarray,
              W: float, n_inner: int = 64) -> np.ndarray:
    """omega_ab(phi): antisymmetric pair-skew rate from (circle a, angle 0) to (circle b, angle phi),
    per unit weight of the final state (Eq. P5), at an array of angles ``phi``; shape (n_phi,)."""
    hbar = float(model.hbar)
    phi = np.asarray(phi, float)
    ca, cb = circles[a], circles[b]
    poles = _poles(model, eF, circles)
    kix, kiy = ca.k, 0.0
    kjx, kjy = cb.k * np.cos(phi), cb.k * np.sin(phi)
    pl = _projector(model, ca.band, np.array(kix), np.array(kiy))             # (2, 2)
    pj = _projector(model, cb.band, kjx, kjy)                                 # (nphi, 2, 2)
    plj = np.einsum("ab,jbc->jac", pl, pj)                                    # P_l P_j
    psi = 2 * np.pi * np.arange(n_inner) / n_inner
    nabs = np.minimum(np.arange(n_inner), n_inner - np.arange(n_inner))       # |n| of the FFT bins
    acc = np.zeros(phi.shape)
    for cq in circles:
        for term, (Qx, Qy, sgn, sign) in enumerate(((kix - kjx, kiy - kjy, 1.0, 1.0),
                                                    (kjx - kix, kjy - kiy, 1.0, 1.0),
                                                    (kix + kjx, kiy + kjy, -1.0, -1.0))):
            qabs = np.hypot(Qx, Qy)
            # K = sgn k_q e(theta) + Q, |K|^2 = A + B cos(theta - phi0), B = 2 k_q |Q| >= 0
            phi0 = np.arctan2(Qy, Qx) + (np.pi if sgn < 0 else 0.0)
            A, Bm = cq.k**2 + qabs**2, 2 * cq.k * qabs
            theta = phi0[:, None] + psi[None, :]
            qx, qy = cq.k * np.cos(theta), cq.k * np.sin(theta)
            Kx, Ky = sgn * qx + Qx[:, None], sgn * qy + Qy[:, None]
            adj, _ = _resolvent(model, eF, Kx, Ky)
            pq = _projector(model, cq.band, qx, qy)
            if term == 0:
                num = np.einsum("jab,jmbc,jmca->jm", plj, pq, adj, optimize=True)
            elif term == 1:
                num = np.einsum("jab,jmbc,jmca->jm", plj, adj, pq, optimize=True)
            else:
                num = np.einsum("ab,jmbc,jcd,jmda->jm", pl, pq, pj, adj, optimize=True)
            coef = np.fft.fft(num, axis=1) / n_inner                           # N = sum_n c_n e^{i n psi}
            val = np.zeros(phi.shape, complex)
            for sf, dds in poles.real:
                ker = pv_kernel(nabs[None, :], (A - sf)[:, None], Bm[:, None])
                val += np.sum(coef * ker, axis=1) / dds
            for sf, dds in poles.complex:
                ker = _complex_kernel(nabs[None, :], (A - sf)[:, None], Bm[:, None])
                val += np.sum(coef * ker, axis=1) / dds
            if not poles.exact:
                s = A[:, None] + Bm[:, None] * np.cos(psi)[None, :]
                val += (2 * np.pi / n_inner) * np.sum(num * _remainder(model, eF, s, circles), axis=1)
            acc += sign * cq.dos / (2 * np.pi) * np.imag(val)
    return (2 * np.pi / hbar) * 2 * np.pi * W**2 * acc


def _poles(model: NumericModel, eF: float, circles: list[Circle]) -> Poles:
    """The :class:`Poles` of 1/D on |K| <= 3 max k_F (|k_q + Q| never exceeds it), cached per call."""
    key = (id(model), float(eF), tuple(c.k for c in circles))
    if key not in _POLE_CACHE:
        _POLE_CACHE.clear()
        _POLE_CACHE[key] = Poles(model, eF, circles, (3.05 * max(c.k for c in circles)) ** 2)
    return _POLE_CACHE[key]


_POLE_CACHE: dict = {}


def _breakpoints(circles: list[Circle], a: int, b: int) -> np.ndarray:
    """Singular angles of omega_ab in [0, 2 pi]: 0, pi, and |Q(phi)| = k_q + k_f or |k_q - k_f|."""
    ka, kb = circles[a].k, circles[b].k
    pts = [0.0, np.pi, 2 * np.pi]
    radii = [c.k for c in circles]
    for kq in radii:
        # |Q| = k_q: the shifted circle passes through K = 0, where 1/D feels the poles of D at
        # s <= 0 (negative or complex roots): analytic there, but sharply peaked; split to resolve it
        for kf in radii + [0.0]:
            for qt in (kq + kf, abs(kq - kf)):
                for sg in (1.0, -1.0):       # |k_a e0 -+ k_b e(phi)|^2 = ka^2 + kb^2 -+ 2 ka kb cos(phi)
                    x = sg * (ka**2 + kb**2 - qt**2) / (2 * ka * kb)
                    if abs(x) <= 1.0:
                        t = np.arccos(x)
                        pts += [t, 2 * np.pi - t]
    pts = np.array(pts)
    # a tangency at forward or backward scattering (|x| = 1 up to rounding) is the point 0 or pi itself
    for anchor in (0.0, np.pi, 2 * np.pi):
        pts[np.abs(pts - anchor) < 1e-6] = anchor
    pts = np.unique(pts)
    return pts[np.concatenate([[True], np.diff(pts) > 1e-12])]


def rate_moments(model: NumericModel, eF: float, circles: list[Circle], W: float, n_gauss: int = 24,
                 n_inner: int = 64) -> np.ndarray:
    """Omega[a, b, n] = int dphi/(2 pi) omega_ab(phi) e^{-i n phi}, n = 0, 1 (complex), Eq. P8."""
    nc = len(circles)
    out = np.zeros((nc, nc, 2), complex)
    t, wt = np.polynomial.legendre.leggauss(n_gauss)
    t, wt = 0.5 * (t + 1.0), 0.5 * wt                                          # on [0, 1]
    # phi = L + (R - L) sin^2(pi t/2): dphi = (R - L)(pi/2) sin(pi t) dt, smooth at sqrt edges
    for a in range(nc):
        for b in range(nc):
            bp = _breakpoints(circles, a, b)
            L, R = bp[:-1, None], bp[1:, None]
            phi = (L + (R - L) * np.sin(0.5 * np.pi * t) ** 2).ravel()
            jac = ((R - L) * 0.5 * np.pi * np.sin(np.pi * t) * wt).ravel()
            om = pair_rate(model, eF, circles, a, b, phi, W, n_inner)
            if a == b:
                # one circle: omega_aa(phi) = -omega_aa(-phi) exactly (antisymmetry + isotropy), so only
                # the sine moment survives; its 1/phi edges at 0, pi would leave rounding in the others
                out[a, b, 1] = -1j * np.sum(jac * om * np.sin(phi)) / (2 * np.pi)
                continue
            for n in (0, 1):
                out[a, b, n] = np.sum(jac * om * np.exp(-1j * n * phi)) / (2 * np.pi)
    return out


def pair_skew_terms(model: NumericModel, eF: float, W: float, *, n_gauss: int = 24, n_inner: int = 64,
                    n_theta: int = 32, gauge: RandomGauge | None = None, field=(1.0, 0.0)) -> dict:
    """sigma^pair (2,) and <s>^pair (3,) per unit field at one resolution (n_gauss Gauss nodes per
    outer piece, n_inner FFT angles), on a shell of n_theta angles (exact for first harmonics)."""
    hbar, e = float(model.hbar), float(model.e)
    shell = ShellFactory(model, n_theta, gauge=gauge).get(eF)
    if shell.size == 0:
        return {"current": np.zeros(2), "spin": np.zeros(3), "harmonic_residual": 0.0}
    circles = fermi_circles(model, shell)
    solver = J0Solver(shell, W, hbar)
    g = leading_distribution(solver, e, field)
    # G_c of g_c(theta) = Re[G_c e^{i theta}], and how far g is from a pure first harmonic
    G = np.zeros(len(circles), complex)
    resid = 0.0
    for c in range(len(circles)):
        sel = shell.contour_id == c
        G[c] = 2 * np.mean(g[sel] * np.exp(-1j * shell.theta[sel]))
        fit = np.real(G[c] * np.exp(1j * shell.theta[sel]))
        resid = max(resid, float(np.max(np.abs(g[sel] - fit)) / max(np.max(np.abs(g)), 1e-300)))
    om = rate_moments(model, eF, circles, W, n_gauss, n_inner)
    b = np.zeros(shell.size)
    for c in range(len(circles)):
        sel = shell.contour_id == c
        th = shell.theta[sel]
        for c2, circ in enumerate(circles):
            b[sel] -= circ.dos * (np.real(G[c2] * om[c2, c, 1] * np.exp(1j * th)) - g[sel] * np.real(om[c, c2, 0]))
    g_pair = solver.solve(-b)
    return {"current": -e * shell.integrate(g_pair, shell.own_velocity()),
            "spin": shell.integrate(g_pair, shell.own_spin()), "harmonic_residual": resid,
            "moments": om, "circles": [(c.band, c.k, c.dos) for c in circles],
            "removed": solver.last_removed / max(solver.last_magnitude, 1e-300)}


def _observables(r: dict) -> np.ndarray:
    """(sigma_yx, <s_x>, <s_y>) of one resolution."""
    return np.array([r["current"][1], r["spin"][0], r["spin"][1]])


def pair_skew_response(model: NumericModel, eF: float, W: float = 1.0, *, n_gauss: int = 24,
                       n_inner: int = 64, gauge_seed: int | None = 0) -> dict:
    """The W^0 pair-skew pieces of sigma_yx and <sigma_x,y> per unit E_x (docs/pair_skew.md, Eq. P9).

    Computed at (n_gauss, n_inner) and at twice both; the finer is returned and ``error`` is the
    largest change (sigma_yx, <s_x>, <s_y>), floored at 1e-13 of the result's size (rounding).
    ``meta``: both resolutions, timing, the circles, how far g is from one harmonic.
    """
    t0 = time.perf_counter()
    gauge = RandomGauge(gauge_seed)
    coarse = pair_skew_terms(model, eF, W, n_gauss=n_gauss, n_inner=n_inner, gauge=gauge)
    fine = pair_skew_terms(model, eF, W, n_gauss=2 * n_gauss, n_inner=2 * n_inner, gauge=gauge)
    x0, x1 = _observables(coarse), _observables(fine)
    err = float(max(np.max(np.abs(x1 - x0)), 1e-13 * np.max(np.abs(x1))))
    if fine["harmonic_residual"] > 1e-8:
        raise SemiclassicalError(f"leading distribution is not one angular harmonic (residual "
                                 f"{fine['harmonic_residual']:.1e}): the model is not isotropic")
    return {"sigma_yx": float(x1[0]),
            "spin_density": {"x": float(x1[1]), "y": float(x1[2])},
            "error": err,
            "meta": {"eF": float(eF), "W": float(W), "n_gauss": [n_gauss, 2 * n_gauss],
                     "n_inner": [n_inner, 2 * n_inner],
                     "coarse": {"sigma_yx": float(x0[0]), "spin_density": {"x": float(x0[1]), "y": float(x0[2])}},
                     "circles": fine.get("circles", []), "harmonic_residual": fine["harmonic_residual"],
                     "seconds": time.perf_counter() - t0,
                     "principal_value": "exact: poles of 1/D(|K|^2) in partial fractions, Glauert/Poisson "
                                        "kernels on the FFT of the numerator; smooth remainder by trapezoid"}}
