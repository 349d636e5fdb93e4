"""Massive-Dirac pair-skew closed form against Ado et al. and the quadrature (docs/pair_skew.md, sec. 6, 8, 10).

The closed form itself is derived by the package, :mod:`semiclassical.skew.pair_closed` (Eq. P5 ->
P10 from the model's projectors and resolvent, any signs and band); this script takes it for the
catalogue's ``ti-surface`` (H = hbar v (kx sy - ky sx) + M sz) at v = hbar = e = 1, 0 < M < eF, and

* ``closed_form()`` returns sigma^pair(eF, M) and the non-crossing total sigma^NCA of Sinitsyn et al.
  (a comparison target; the toolkit's own derived Eq. 86 agrees with it: tests/test_paper_ti.py);
* ``main`` prints both, their ratio against Ado et al.'s 2M^2/(eF^2 + M^2), and the quadrature engine
  at a few points;
* ``brute_force_rate`` is the independent finite-broadening check of Eq. P5 (section 8).

    python derivations/pair_skew_check.py
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = ["closed_form", "main", "brute_force_rate"]

eps, M = sp.symbols("epsilon M", positive=True)


@lru_cache(maxsize=None)
def closed_form():
    """(sigma^pair, sigma^NCA) as functions of eps = eF and M (v = hbar = e = 1), sigma^pair from the package."""
    from semiclassical import catalogue
    from semiclassical.engines.closed_form import derivation_for
    from semiclassical.fermi import eF
    from semiclassical.model import e
    from semiclassical.parsing import hbar
    from semiclassical.skew.pair_closed import pair_skew_closed

    model = catalogue.get("ti-surface")
    base = model.resolve_values({"v": 1.0, "M": 0.5})
    D = derivation_for(model, "T", base)
    point = {**base, "eF": 1.0}                  # the scenario eF > M > 0 (one circle, band +)
    sc = D.scenario(point)
    pair = D.explicit(pair_skew_closed(D.bs, sc.shell, D.corr)["sigma_yx"], sc, point)
    p = D.model.parameters
    sigma_pair = sp.factor(pair.subs({p["v"]: 1, hbar: 1, e: 1}).subs({eF: eps, p["M"]: M}))
    sigma_nca = 2 * eps * M * (eps**2 + M**2) / (sp.pi * (eps**2 + 3 * M**2) ** 2)
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
