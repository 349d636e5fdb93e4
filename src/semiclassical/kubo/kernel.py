"""Scalar correlated disorder <U_q U_-q> = W c(q), q = |k - k'|, in the Kubo engine.

White noise (c = 1) makes the Born self-energy and the ladder vertex k-independent 2x2 matrices
(modules ``self_energy``, ``streda``). A q-dependent kernel makes both k-dependent:

* Born self-energy (non-self-consistent), anti-Hermitian part, at any k (on or off the shell):

      Gamma(k) = pi sum_n int d^2k'/(2pi)^2 W(|k - k'|) delta(eF - eps_n(k')) P_n(k'),       (G1)

  an exact contour integral over the Fermi points k' (angular trapezoid, refined until it
  converges), evaluated at every quadrature node. Its real part only renormalises eF and the
  band parameters at O(W) and is dropped, as for white noise (``real_part="drop"``): W^0 pieces
  and 1/W coefficients do not depend on it.
* Ladder vertex C(k) = int d^2k'/(2pi)^2 W(|k - k'|) G^R(k') [J(k') + C(k')] G^A(k').       (L1)
  C is smooth in k on the scale of the kernel (1/d, q_s), while G^R G^A peaks with width
  Gamma/v at the Fermi radii. C is therefore represented on a coarse radial basis (piecewise
  Lagrange polynomials at Gauss-Legendre nodes k_c, :class:`VertexBasis`), and (L1) is solved by
  product integration: with g(k') = W(|k - k'|) C(k') ~ sum_c g(k_c) L_c(k'),

      C(k_c, th) = (1/(2pi)^2) int dth' sum_c' W(k_c, k_c', th - th') [mu_c'(th) C(k_c', th') + nu_c'(th')],

  mu_c' = int k'dk' L_c'(k') 1/2 Tr[sigma_a G^R sigma_b G^A], nu_c' = int k'dk' L_c' 1/2 Tr[sigma_a G^R J G^A]
  (module ``bubbles``, exact radial rules through the peaks). For white noise (c = 1) the basis
  functions sum to 1 and this is exactly the constant-vertex equation of ``streda``.
* Angular harmonics. For a rotationally covariant model, H(R_a k) = U_a H(k) U_a^+ with
  U_a = exp(-i J a sigma_z / 2) (winding J, found numerically by :func:`covariance_winding`), the
  vertex in the co-rotating frame, C~(th) = R(th)^-1 C(th) (R rotates the sigma_x, sigma_y
  components by J th), obeys a convolution in angle. In the basis z = V^-1 x where R(a) is
  diag(1, e^{iJa}, e^{-iJa}, 1) (phases n_p = 0, J, -J, 0), each angular harmonic m decouples:

      z_m[c, p] = (1/2pi) sum_c' W_{m + n_p}(k_c, k_c') [mu^ z_m + nu^_m][c', p],                (L2)
      W_l(k, k') = (1/2pi) int dphi W(sqrt(k^2 + k'^2 - 2 k k' cos phi)) e^{-i l phi}

  (Gaussian: W_l = W e^{-(k^2 + k'^2) d^2/2} I_l(k k' d^2)), computed by an FFT in phi refined
  until it converges. Only harmonics the source reaches are solved (m = +-1 for E along x); the
  particle-number zero mode of the ladder (eigenvalue 1 - O(W), ``streda.conserving_ladder``)
  lies in m = 0, which the source does not reach, so the conserving and the plain ladder agree.
  Anisotropic models would couple the harmonics; the engine says so and stops.

The NCA skew-scattering (W^0) part of sigma_yx comes from the same ladder: nothing separate.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from .contour import fermi_points, ray_hamiltonian
from .linalg2 import SIGMA, bands
from .radial import RadialOptions, gauss_legendre

__all__ = ["rotation", "covariance_winding", "VertexBasis", "PER_PANEL", "vertex_basis", "trapezoid_harmonics",
           "CorrelatedKernel"]

#: z-basis of the Pauli components (x_0, x_x, x_y, x_z): columns are eigenvectors of a rotation of
#: (x_x, x_y) by an angle a, with eigenvalues e^{i n_p a}, n_p = (0, J, -J, 0) (module docstring)
_V = np.array([[1, 0, 0, 0], [0, 1, 1, 0], [0, -1j, 1j, 0], [0, 0, 0, 1]]) / np.array([1, 2 ** .5, 2 ** .5, 1])
_V_INV = np.linalg.inv(_V)
_PHASE_SIGN = np.array([0, 1, -1, 0])


def rotation(angle: np.ndarray) -> np.ndarray:
    """R(a) (..., 4, 4) on Pauli components: U X U^+ for U = exp(-i a sigma_z/2)."""
    c, s = np.cos(angle), np.sin(angle)
    r = np.zeros(np.shape(angle) + (4, 4))
    r[..., 0, 0] = r[..., 3, 3] = 1.0
    r[..., 1, 1], r[..., 1, 2], r[..., 2, 1], r[..., 2, 2] = c, -s, s, c
    return r


def _pauli(h):
    return np.einsum("aij,...ji->...a", SIGMA, h).real / 2


def covariance_winding(model: NumericModel, k_ref: float, tol: float = 1e-10):
    """The winding J with H(R_a k) = U_a H(k) U_a^+ (U_a = exp(-i J a sigma_z/2)) at test points,
    or None for a model that is not rotationally covariant about sigma_z."""
    rng = np.random.default_rng(7)
    k = k_ref * rng.uniform(0.2, 2.0, 6)
    th = rng.uniform(0, 2 * np.pi, 6)
    a = rng.uniform(0.3, 2.5, 6)
    h0 = _pauli(model.h(k * np.cos(th), k * np.sin(th)))
    h1 = _pauli(model.h(k * np.cos(th + a), k * np.sin(th + a)))
    scale = np.abs(h0).max() + 1e-300
    for j in sorted(range(-6, 7), key=abs):
        if np.abs(np.einsum("nab,nb->na", rotation(j * a), h0) - h1).max() <= tol * scale:
            return j
    return None


@dataclass(frozen=True)
class VertexBasis:
    """Piecewise Lagrange basis on [0, edges[-1]): ``nodes`` (P, n) Gauss-Legendre nodes per panel."""

    edges: np.ndarray
    nodes: np.ndarray

    @property
    def size(self) -> int:
        return self.nodes.size

    def values(self, k: np.ndarray):
        """(panel index (n,), -1 outside the basis' support; Lagrange values (n, n_per_panel))."""
        k = np.asarray(k, float)
        panel = np.searchsorted(self.edges, k, side="right") - 1
        inside = (panel >= 0) & (panel < len(self.edges) - 1)
        panel = np.where(inside, panel, -1)
        x = self.nodes[np.maximum(panel, 0)]  # (n, m)
        m = x.shape[1]
        # l_i(k) = prod_{j != i} (k - x_j) / (x_i - x_j): the numerator from prefix and suffix
        # products of (k - x_j), so that k on a node needs no division by zero
        diff = k[:, None] - x
        ones = np.ones((len(k), 1))
        before = np.cumprod(np.concatenate([ones, diff[:, :-1]], axis=1), axis=1)
        after = np.cumprod(np.concatenate([ones, diff[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        gaps = self.nodes[:, :, None] - self.nodes[:, None, :]
        gaps[:, np.arange(m), np.arange(m)] = 1.0
        lag = before * after / gaps.prod(axis=2)[np.maximum(panel, 0)]
        return panel, lag * inside[:, None]


def _scales(shape, k_ref, q_top):
    """(ell, reach): the q where c drops by half of its maximum (inf if never), and the q beyond
    which c < 1e-17 max c on the rest of [0, q_top] (inf if none): the kernel's resolution and range."""
    q = np.concatenate([[0.0], np.geomspace(1e-6 * k_ref, q_top, 4000)])
    c = np.abs(shape(q))
    top = c.max() + 1e-300
    drop = np.nonzero(np.abs(c - c[0]) >= 0.5 * top)[0]
    ell = float(q[drop[0]]) if len(drop) else np.inf
    big = np.nonzero(c >= 1e-17 * top)[0]
    reach = float(q[min(big[-1] + 1, len(q) - 1)]) if big[-1] + 1 < len(q) else np.inf
    return ell, reach


#: Gauss-Legendre nodes per panel of the vertex basis (before RadialOptions.refine)
PER_PANEL = 16


def vertex_basis(shape, k_ref: float, r_max: float, cutoff: float, opts: RadialOptions) -> VertexBasis:
    """Panels for the vertex C(k): uniform, of length min(k_ref/2, 2 ell) up to r_max + 10 ell
    (r_max + k_ref for a kernel broader than k_ref), then doubling, up to the kernel's reach
    (r_max + reach) or the kernel cutoff; opts.n(PER_PANEL) nodes per panel (refined with the radial rule)."""
    ell, reach = _scales(shape, k_ref, cutoff + r_max)
    top = min(cutoff, r_max + reach)
    h = min(0.5 * k_ref, 2 * ell)
    uniform = min(top, r_max + (10 * ell if ell < k_ref else k_ref))
    edges = list(np.linspace(0.0, uniform, max(1, int(np.ceil(uniform / h))) + 1))
    while edges[-1] < top:
        edges.append(min(2 * edges[-1], top))
    x, _ = gauss_legendre(opts.n(PER_PANEL))
    a, b = np.array(edges[:-1]), np.array(edges[1:])
    nodes = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x[None]
    return VertexBasis(np.array(edges), nodes)


def trapezoid_harmonics(shape, k: np.ndarray, keep: int, tol: float = 1e-14, n_max: int = 256):
    """(W_l(k_i, k_j)/W for l = 0 .. keep, last relative change): the trapezoid rule in phi (exact for
    a band-limited integrand, geometric for a smooth c(q)) doubled from 64 nodes until the harmonics
    change by less than ``tol`` relative to W_0's largest value, or ``n_max`` nodes."""
    kk = k[:, None] ** 2 + k[None] ** 2
    kp = 2 * k[:, None] * k[None]
    n, prev = 64, None
    while True:
        phi = 2 * np.pi * np.arange(n) / n
        vals = shape(np.sqrt(np.maximum(kk[..., None] - kp[..., None] * np.cos(phi), 0)))
        w_l = np.moveaxis(np.fft.rfft(vals, axis=-1).real / n, -1, 0)[:keep + 1]
        if prev is not None:
            change = float(np.abs(w_l - prev).max() / (np.abs(w_l[0]).max() + 1e-300))
            if change <= tol or n >= n_max:
                return w_l, change
        prev, n = w_l, 2 * n


class CorrelatedKernel:
    """Everything a q-dependent kernel adds at one (model, eF): Gamma(k) (G1), the vertex basis,
    the angular harmonics W_l and the ladder solve (L2). ``shape`` is c(q) = W(q)/W."""

    def __init__(self, model: NumericModel, eF: float, disorder, k_ref: float, cutoff: float,
                 opts: RadialOptions):
        self.shape = lambda qs: disorder.correlation(qs) / disorder.W
        self._exact_harmonics = disorder.harmonic_table
        self.model, self.eF = model, eF
        self.winding = covariance_winding(model, k_ref)
        if self.winding is None:
            raise SemiclassicalError(
                f"the Kubo-Streda engine takes {disorder.describe()} for rotationally covariant models "
                "only (the ladder is solved in angular harmonics); this model is not covariant")
        self._gamma_contour()
        r_max = float(self.contour[0].max()) if self.contour[0].size else k_ref
        disorder.check_shape(2 * r_max)
        self._basis_args = (k_ref, r_max, cutoff)
        self.basis = vertex_basis(self.shape, k_ref, r_max, cutoff, opts)
        self._harmonics, self._mode_cache = None, {}
        self._variants = {opts: self}

    def for_options(self, opts: RadialOptions) -> "CorrelatedKernel":
        """The same kernel with the vertex basis of another radial resolution (the refined rule of
        the engine's error estimate refines the basis too); Gamma's contour is shared."""
        if opts not in self._variants:
            other = copy.copy(self)
            other.basis = vertex_basis(self.shape, *self._basis_args, opts)
            other._harmonics, other._mode_cache = None, {}
            self._variants[opts] = other
        return self._variants[opts]

    def momentum_rate(self) -> float:
        """max |d ln c/dq| over the momentum transfers between Fermi points, q <= 2 r_max: the
        inverse momentum scale on which the kernel varies (Gaussian: 2 k_F d^2; white noise: 0).
        The Laurent series in W converges on the energy scale |d eps/dk| / rate (the broadened
        peaks, width Gamma/v, must stay narrow on it); the engine's W ladder respects it."""
        q = np.linspace(0.0, 2 * self._basis_args[1], 2001)
        c = self.shape(q)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.abs(np.gradient(c, q)) / np.abs(c)
        return float(np.max(rate[np.isfinite(rate)], initial=0.0))

    # ---------------------------------------------------------------- Gamma (G1)
    def _gamma_contour(self, n: int = 64, tol: float = 1e-14, n_max: int = 256):
        """Contour points k' with weights pi (2pi/N)/(2pi)^2 k'/|d eps/dk| P_n(k'), N doubled until
        Gamma at probe points (the Fermi radii of one ray, 0, twice the largest radius) converges
        (geometrically for a smooth c(q); a cusp at q = 0, screened Coulomb, converges like 1/N^2:
        the last relative change is kept in ``gamma_change``)."""
        prev, self.n_gamma, self.gamma_change = None, n, 0.0
        while True:
            fp = fermi_points(self.model, self.eF, n)
            h, _ = ray_hamiltonian(self.model, fp.k, fp.theta[:, None])
            _, proj = bands(h)
            p = np.take_along_axis(proj, fp.band[..., None, None, None], axis=2)[:, :, 0]
            wt = np.pi * (2 * np.pi / n) / (2 * np.pi) ** 2 * fp.k / np.abs(fp.slope)
            kx, ky = (fp.k * np.cos(fp.theta)[:, None]).ravel(), (fp.k * np.sin(fp.theta)[:, None]).ravel()
            self.contour = (np.hypot(kx, ky), kx, ky, (wt[..., None, None] * p).reshape(-1, 4))
            if not fp.count:
                return
            probe = np.concatenate([fp.k[0], [0.0, 2 * fp.k.max()]])
            val = self.gamma_at(probe, 0 * probe)
            if prev is not None:
                self.gamma_change = float(np.abs(val - prev).max() / np.abs(val).max())
                if self.gamma_change <= tol or n >= n_max:
                    self.n_gamma = n
                    return
            prev, n = val, 2 * n

    def gamma_at(self, kx, ky, chunk: int = 4000) -> np.ndarray:
        """Gamma(k)/W (..., 2, 2), Hermitian, at the points (kx, ky) (G1)."""
        kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
        _, cx, cy, wp = self.contour
        fx, fy = kx.ravel(), ky.ravel()
        out = np.zeros((fx.size, 4), complex)
        if wp.size:
            for s in range(0, fx.size, chunk):
                q = np.hypot(fx[s:s + chunk, None] - cx[None], fy[s:s + chunk, None] - cy[None])
                out[s:s + chunk] = self.shape(q) @ wp
        return out.reshape(kx.shape + (2, 2))

    def sigma(self, W: float):
        """Sigma^R(k) = -i W Gamma(k)/W as a callable of (kx, ky) (real part dropped, module docstring)."""
        return lambda kx, ky: -1j * W * self.gamma_at(kx, ky)

    # ---------------------------------------------------------------- ladder (L2)
    def harmonics(self, tol: float = 1e-14, n_max: int = 256, keep: int = 12) -> np.ndarray:
        """W_l(k_c, k_c')/W for l = 0 .. keep (array (keep+1, n, n)), trapezoid in phi doubled until
        they change by less than tol (relative to W_0's largest value); n_max bounds the memory
        (n^2 n_max values). A cusp of c(q) at q = 0 (screened Coulomb) converges only
        algebraically: the last change is reported (``self.phi_change``)."""
        if self._harmonics is None:
            self._harmonics, self.phi_change = trapezoid_harmonics(self.shape, self.basis.nodes.ravel(), keep,
                                                                   tol, n_max)
        return self._harmonics

    def harmonic(self, l: int) -> np.ndarray:
        """W_l(k_c, k_c')/W (n, n): in closed form where the disorder knows it (the Gaussian's Bessel
        functions, only the orders the ladder reaches: the trapezoid was 2/3 of a Gaussian point's
        time; tests/test_kubo_disorder.py checks the two agree), else from :meth:`harmonics`."""
        k = self.basis.nodes.ravel()
        key = ("exact", l)            # per vertex basis: _mode_cache is reset with it
        if key in self._mode_cache:
            return self._mode_cache[key]
        exact = self._exact_harmonics((l,), k, k)
        if exact is not None:
            self.phi_change = 0.0
            self._mode_cache[key] = exact[0]
            return exact[0]
        w_l = self.harmonics()
        if l >= len(w_l):
            raise SemiclassicalError(f"kernel harmonic {l} beyond the {len(w_l) - 1} resolved")
        return w_l[l]

    def _modes(self, l: int):
        """W_l = Q diag(lam) Q^T (symmetric), only |lam| > 1e-15 max|W_0|: the kernel's numerical rank
        (a few tens for a Gaussian, 1 for white noise), which makes (L2) small."""
        cache = self._mode_cache
        if l not in cache:
            w = self.harmonic(l)
            lam, q = np.linalg.eigh(w)
            # rank relative to W_0's largest value (W_l <= W_0 pointwise: |cos l phi| <= 1, c >= 0)
            if "w0_max" not in cache:
                cache["w0_max"] = float(np.abs(self.harmonic(0)).max())
            keep = np.abs(lam) > 1e-15 * cache["w0_max"]
            cache[l] = (lam[keep], q[:, keep])
        return cache[l]

    def _solve_harmonic(self, m: int, W: float, mu: np.ndarray, nu: np.ndarray) -> np.ndarray:
        """z_m (n, 4) of (L2) in the kernel's eigenmodes: z_p = (W/2pi) Q_p t_p with
        t_p = lam_p Q_p^T [sum_q mu_pq z_q + nu_p], a system of the kernel's rank per component."""
        modes = [self._modes(abs(m + self.winding * n)) for n in _PHASE_SIGN]
        sizes = [len(lam) for lam, _ in modes]
        off = np.concatenate([[0], np.cumsum(sizes)])
        f = W / (2 * np.pi)
        mat = np.eye(off[-1], dtype=complex)
        rhs = np.zeros(off[-1], complex)
        for p, (lam_p, q_p) in enumerate(modes):
            rows = slice(off[p], off[p + 1])
            rhs[rows] = lam_p * (q_p.T @ nu[:, p])
            for r, (_, q_r) in enumerate(modes):
                mat[rows, off[r]:off[r + 1]] -= f * lam_p[:, None] * (q_p.T @ (mu[:, p, r, None] * q_r))
        t = np.linalg.solve(mat, rhs) if off[-1] else rhs
        return f * np.stack([q_p @ t[off[p]:off[p + 1]] for p, (_, q_p) in enumerate(modes)], axis=1)

    def solve(self, rays: dict, W: float, ladder: str):
        """The vertex contraction sum_b O_ib C_b over rays and basis (as ``integrals["O"] @ c`` of
        white noise), the vertex per ray and basis node (in the lab frame) and ladder info.

        ``rays``: per-ray radial integrals K (N, n, 4, 4), S (N, n, 4), O (N, 6, n, 4) and angles
        theta (N,) of a uniform grid."""
        theta = rays["theta"]
        n_rays, nb = len(theta), self.basis.size
        if ladder == "none":
            return np.zeros(rays["O"].shape[1], complex), np.zeros((n_rays, nb, 4)), {}
        rot = rotation(self.winding * theta)           # R_j (N, 4, 4)
        rot_inv = np.swapaxes(rot, -1, -2)
        # frame-rotated moments, averaged over rays (equal on every ray for a covariant model)
        mu = _V_INV @ (rot_inv[:, None] @ rays["K"] @ rot[:, None]).mean(axis=0) @ _V
        nu = np.einsum("jpb,jcb->jcp", _V_INV @ rot_inv, rays["S"])
        nu_m = np.fft.fft(nu, axis=0) / n_rays        # harmonic m = index (mod N)
        size = np.abs(nu_m).max(axis=(1, 2))
        # harmonics m >= 0 the source reaches; m < 0 follow from the Hermiticity of the vertex
        # (real Pauli components: z_{p,-m} = conj z_{pbar,m}, pbar swaps the phases +J and -J)
        solved = [i for i in range(n_rays // 2 + 1) if size[i] > 1e-13 * size.max()] if size.max() > 0 else []
        z = np.zeros((n_rays, nb, 4), complex)
        ms = []
        for i in solved:
            z[i] = self._solve_harmonic(i, W, mu, nu_m[i])
            if 0 < i < n_rays - i:
                z[n_rays - i] = np.conj(z[i][:, [0, 2, 1, 3]])
            ms.append(i)
        z_rays = np.fft.ifft(z, axis=0) * n_rays       # sum_m z_m e^{i m theta_j}
        vertex = np.einsum("jab,bp,jcp->jca", rot, _V, z_rays)
        lad = np.einsum("jicb,jcb->i", rays["O"], vertex) * (2 * np.pi / n_rays) / (2 * np.pi) ** 2
        return lad, vertex, {"harmonics": ms, "winding": self.winding, "basis_nodes": nb,
                             "gamma_angles": self.n_gamma, "gamma_change": self.gamma_change,
                             "phi_change": self.phi_change}
