"""Closed form of the pair-skew (crossed) Hall conductivity of massive Dirac fermions (docs/pair_skew.md, sec. 6).

H = v(kx sy - ky sx) + M sz (the catalogue's ``ti-surface``, v = hbar = e = 1), 0 < M < eF, white
noise W. Everything is done in SymPy from Eq. P5 of docs/pair_skew.md:

1. projectors P = (1 + n.sigma)/2 of the three Fermi-circle states l (angle 0), j (angle phi = 2t),
   q (angle theta); the resolvent R(K) = (eF + (-Ky, Kx, M).sigma)/(k^2 - |K|^2) (adj/det);
2. the three traces of Eq. P5, Im Tr, as trigonometric polynomials in psi, the angle of q measured
   from the shift Q of each term: c_n = the Fourier coefficients;
3. the inner principal value by the Glauert kernel (every shifted circle cuts the Fermi circle for
   this model): PV int e^{i n psi}/(a + B cos psi) = (2 pi/B) U_{|n|-1}(-a/B), 0 for n = 0;
4. J = int dphi/(2 pi) omega(phi) sin(phi) (the only moment of a one-circle rate), a polynomial
   integral in (sin t, cos t);
5. sigma^pair = e^2 tau_tr^2 v_F^2 rho^2 J/2 (Eq. P10), tau_tr and rho of the model.

``closed_form()`` returns sigma^pair(eF, M) and the non-crossing total sigma^NCA of Sinitsyn et al.
(the toolkit's own derived Eq. 86 agrees with it: tests/test_paper_ti.py); ``main`` prints both,
their ratio against Ado et al.'s 2M^2/(eF^2 + M^2), and the quadrature engine at a few points.

    python derivations/pair_skew_check.py
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = ["closed_form", "rate", "main"]

t, psi = sp.symbols("t psi", real=True)
k, M, eps, W = sp.symbols("k M epsilon W", positive=True)
_S = [sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -sp.I], [sp.I, 0]]), sp.Matrix([[1, 0], [0, -1]])]


def _mat(a0, a):
    return a0 * sp.eye(2) + sum((ai * s for ai, s in zip(a, _S)), sp.zeros(2))


def _proj(angle):
    """Upper-band projector at k e(angle): n = (-k sin, k cos, M)/eps."""
    return _mat(sp.Rational(1, 2), [-k * sp.sin(angle) / (2 * eps), k * sp.cos(angle) / (2 * eps), M / (2 * eps)])


def _im_trace(*mats):
    prod = sp.eye(2)
    for m in mats:
        prod = prod * m
    return sp.expand(sp.im(sp.expand((prod[0, 0] + prod[1, 1]))))


def _inner(num, a, B):
    """PV int_0^{2 pi} dpsi num(psi)/(-(a + B cos psi)) by the Glauert kernel (|a| < |B|)."""
    z = sp.Symbol("z")
    expr = sp.expand(num.subs({sp.cos(psi): (z + 1 / z) / 2, sp.sin(psi): (z - 1 / z) / (2 * sp.I)}))
    expr = sp.expand(expr * z**6)
    poly = sp.Poly(expr, z)
    out = 0
    x = -a / B
    for (deg,), c in poly.terms():
        n = abs(deg - 6)
        if n == 0:
            continue
        out += c * (2 * sp.pi / B) * sp.chebyshevu(n - 1, x)
    return -sp.expand(out)


@lru_cache(maxsize=None)
def rate():
    """omega(phi = 2t): the antisymmetric pair-skew rate from angle 0 to angle 2t (Eq. P5)."""
    Pl, Pj = _proj(0), _proj(2 * t)
    rho = eps / (2 * sp.pi)                       # k/(2 pi |d eps/dk|), d eps/dk = k/eps
    total = 0
    # shifts Q of the three terms (signed length along a unit vector u), K = sgn k e(theta) + Q
    u1, u3 = (sp.sin(t), -sp.cos(t)), (sp.cos(t), sp.sin(t))
    terms = [(0, 2 * k * sp.sin(t), u1, 1, 1), (1, -2 * k * sp.sin(t), u1, 1, 1),
             (2, 2 * k * sp.cos(t), u3, -1, -1)]
    for term, qs, u, sgn, sign in terms:
        uperp = (-u[1], u[0])
        ex, ey = (sp.cos(psi) * u[0] + sp.sin(psi) * uperp[0], sp.cos(psi) * u[1] + sp.sin(psi) * uperp[1])
        theta_cos, theta_sin = ex, ey              # e(theta) in components
        Kx, Ky = sgn * k * ex + qs * u[0], sgn * k * ey + qs * u[1]
        Rn = _mat(eps, [-Ky, Kx, M])
        Pq = _mat(sp.Rational(1, 2), [-k * theta_sin / (2 * eps), k * theta_cos / (2 * eps), M / (2 * eps)])
        if term == 0:
            num = _im_trace(Pl, Pj, Pq, Rn)
        elif term == 1:
            num = _im_trace(Pl, Pj, Rn, Pq)
        else:
            num = _im_trace(Pl, Pq, Pj, Rn)
        # |K|^2 - k^2 = qs^2 + 2 sgn k qs cos(psi): a = qs^2, B = 2 sgn k qs
        total += sign * _inner(num, qs**2, 2 * sgn * k * qs)
    # omega = (2 pi/hbar) 2 pi W^2 rho int dtheta/(2 pi) (...)
    return sp.expand((2 * sp.pi) * 2 * sp.pi * W**2 * rho / (2 * sp.pi) * total)


@lru_cache(maxsize=None)
def closed_form():
    """(sigma^pair, sigma^NCA) as functions of eps = eF and M (v = hbar = e = 1)."""
    om = rate()
    # J = int_0^{2 pi} dphi/(2 pi) omega sin(phi) = (1/pi) int_0^pi dt omega(2t) sin(2t)
    integrand = sp.expand(sp.expand_trig(om * sp.sin(2 * t)))
    integrand = sp.expand(sp.together(integrand))
    J = sp.integrate(integrand, (t, 0, sp.pi)) / sp.pi
    J = sp.simplify(J.subs(k, sp.sqrt(eps**2 - M**2)))
    rho = eps / (2 * sp.pi)
    tau_tr = 2 * eps**2 / (sp.pi * W * rho * (eps**2 + 3 * M**2))     # 1/tau_tr = pi W rho (eps^2+3M^2)/(2 eps^2)
    vF = sp.sqrt(eps**2 - M**2) / eps
    sigma_pair = sp.simplify(tau_tr**2 * vF**2 * rho**2 * J / 2)
    sigma_nca = 2 * eps * M * (eps**2 + M**2) / (sp.pi * (eps**2 + 3 * M**2) ** 2) / 1
    return sigma_pair, sigma_nca


def main():
    sp_pair, sp_nca = closed_form()
    print("sigma_pair =", sp.factor(sp_pair))
    print("(sigma_NCA + sigma_pair)/sigma_NCA =", sp.factor(sp.simplify(1 + sp_pair / sp_nca)))
    from semiclassical.catalogue import numeric_model
    from semiclassical.quadrature.pair_skew import pair_skew_response
    for x in (1.2, 2.0, 4.0):
        num = pair_skew_response(numeric_model("ti-surface", v=1.0, M=0.5), 0.5 * x)["sigma_yx"]
        cf = float(sp_pair.subs({eps: 0.5 * x, M: 0.5}))
        print(f"eF/M = {x}: closed form {cf:.15g}, quadrature {num:.15g}, difference {cf - num:.1e}")


if __name__ == "__main__":
    main()


def brute_force_rate(model, eF: float, circles, a: int, b: int, phi: float, eta: float, *, L: float,
                     h: float, W: float = 1.0, chunk: int = 200) -> float:
    """The antisymmetric crossed rate from its definition, independent of Eq. P5's delta/PV split.

    Finite broadening G^{R/A}(p) = (eF -+ i eta - H(p))^-1 on a Cartesian grid (spacing h, box
    [-L, L]^2) and the two crossed pairings as printed in docs/pair_skew.md, Eqs. P2-P3:
        (X_jl - X_lj)/2 = Re[<l|j> int <j|G^R(p) G^R(p + k_l - k_j) - (R -> A)|l>],
        (D_jl - D_lj)/2 = (1/2) int [conj(<j|G^R(p)|l>) <j|G^R(k_l + k_j - p)|l> - (R -> A)],
    rate = (2 pi/hbar) W^2 (sum of both). Eq. P5 is its eta -> 0 limit.
    """
    import numpy as np

    def green(px, py, s):
        A = (eF + 1j * s * eta) * np.eye(2) - model.h(px, py)
        det = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] * A[..., 1, 0]
        inv = np.empty_like(A)
        inv[..., 0, 0], inv[..., 1, 1] = A[..., 1, 1], A[..., 0, 0]
        inv[..., 0, 1], inv[..., 1, 0] = -A[..., 0, 1], -A[..., 1, 0]
        return inv / det[..., None, None]

    ca, cb = circles[a], circles[b]
    kl = np.array([ca.k, 0.0])
    kj = cb.k * np.array([np.cos(phi), np.sin(phi)])
    ul = np.linalg.eigh(model.h(np.array(kl[0]), np.array(kl[1])))[1][:, ca.band]
    uj = np.linalg.eigh(model.h(np.array(kj[0]), np.array(kj[1])))[1][:, cb.band]
    olj = np.vdot(ul, uj)
    x = np.arange(-L, L + h / 2, h)
    total = 0.0
    for start in range(0, x.size, chunk):
        px, py = np.meshgrid(x[start:start + chunk], x, indexing="ij")
        acc = 0.0
        for s in (1, -1):
            g = green(px, py, s)
            gs = green(px + kl[0] - kj[0], py + kl[1] - kj[1], s)
            gd = green(kl[0] + kj[0] - px, kl[1] + kj[1] - py, s)
            x_part = np.einsum("o,...op,...pr,r->...", np.conj(uj), g, gs, ul)
            d_part = np.conj(np.einsum("o,...op,p->...", np.conj(uj), g, ul)) * \
                np.einsum("o,...op,p->...", np.conj(uj), gd, ul)
            acc = acc + s * (np.real(olj * x_part.sum()) + 0.5 * d_part.sum())
        total += acc
    integral = np.real(total) * h * h / (2 * np.pi) ** 2
    return float((2 * np.pi / float(model.hbar)) * W**2 * integral)
