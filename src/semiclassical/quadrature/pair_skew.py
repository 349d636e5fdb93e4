"""Skew scattering on pairs of impurities: the crossed W^2 pairings of the golden rule (docs/pair_skew.md).

The golden-rule rate l -> j with T = U + U G0 U + U G0 U G0 U, G0 = (eF - H0 + i0)^-1, has at order
W^2 three pairings besides the non-crossing ones of :func:`.subleading.golden_rule_rates`: in
2 Re<T1* T3> the crossed pair (13)(24) and in <T2* T2> the crossed pair (U_a G0 U_b)*(U_b G0 U_a).
Their antisymmetric part (docs/pair_skew.md, Eq. P5) is

    w^pair_{j<-l} = (2 pi/hbar) 2 pi W^2 sum_q w_q Im[ <l|j><j|q><q|P(k_q + k_l - k_j)|l>
                                                    + <l|j><j|P(k_q + k_j - k_l)|q><q|l>
                                                    - <l|q><q|j><j|P(k_l + k_j - k_q)|l> ],

q on the Fermi shell, P(K) = PV (eF - H(K))^-1 the principal-value resolvent at an off-shell
momentum. The only singularities are the simple poles of P along the q circle, where the shifted
momentum K(theta_q) crosses a Fermi circle; they are removed analytically (Eq. P7): with
F(theta) = N(theta)/det(theta) and residues r_p = N(theta_p)/det'(theta_p),
    PV int F dtheta = int [F - sum_p r_p cot((theta - theta_p)/2)/2] dtheta,
because PV int_0^{2 pi} cot((theta - theta_p)/2) dtheta = 0; the remainder is smooth and periodic,
integrated by the trapezoid rule on a grid offset by half a step from the shell's (the poles of
same-circle terms sit exactly on shell angles, hence midway between inner nodes).
det'(theta) comes from Jacobi's formula with dH/dk (no finite differences).

Isotropy (rotational covariance) is used for speed only: the rate, a gauge-invariant scalar, depends
on (circle of l, circle of j, theta_j - theta_l); it is computed for l at the first angle of each
circle and rotated. Models whose contours are not circles are refused.

The driving term and its response reuse the engine: b = source of the antisymmetric rate acting on
the leading g (:func:`.subleading.rate_source`), g_pair = J0^-1(-b) (:class:`.collision.J0Solver`),
sigma_yx^pair = -e sum w g_pair v_y, <s_a>^pair = sum w g_pair s_a (Eq. 52, 63 with n -> n^pair).
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
from .subleading import rate_source

__all__ = ["pair_rates", "pair_skew_terms", "pair_skew_response"]

_CHUNK = 64          # j states per vectorized block (memory ~ chunk x n_inner x 2 x 2 complex)


def _resolvent(model: NumericModel, eF: float, kx, ky):
    """adj(eF - H(K)) and det(eF - H(K)) (real), K arrays of any shape: P(K) = adj/det off the shell."""
    a = eF * np.eye(2) - model.h(kx, ky)
    adj = np.empty_like(a)
    adj[..., 0, 0], adj[..., 1, 1] = a[..., 1, 1], a[..., 0, 0]
    adj[..., 0, 1], adj[..., 1, 0] = -a[..., 0, 1], -a[..., 1, 0]
    det = np.real(a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0])
    return adj, det


def _ddet(model: NumericModel, adj, kx, ky, dkx, dky):
    """d det(eF - H(K(theta)))/d theta = Tr[adj dA], dA = -(H_x dKx + H_y dKy) (Jacobi's formula)."""
    hx, hy = model.dh(kx, ky)
    da = -(hx * dkx[..., None, None] + hy * dky[..., None, None])
    return np.real(np.einsum("...ab,...ba->...", adj, da))


def _projector(model: NumericModel, band: int, kx, ky):
    """|q><q| of ``band`` at K: gauge free (an eigenvector and its conjugate)."""
    _, vec = model.eigh(kx, ky)
    u = vec[..., :, band]
    return u[..., :, None] * np.conj(u)[..., None, :]


def _numerators(model, eF, term, ui, uj, oij, band, kq, kx, ky, Qx, Qy, sgn):
    """(N, det, det') of one term at angles theta (shape (nj, m)): K = sgn k_q e(theta) + Q.

    term 0: <i|j><j|Pi adj|i>,  term 1: <i|j><j|adj Pi|i>,  term 2: <j|adj|i><i|Pi|j>
    (the three crossed pieces of Eq. P5 with P = adj/det; ``oij`` = <i|j>).
    """
    Kx, Ky = sgn * kx + Qx, sgn * ky + Qy
    adj, det = _resolvent(model, eF, Kx, Ky)
    pi = _projector(model, band, kx, ky)
    bi, bj = np.conj(ui), np.conj(uj)            # bras <i| (orb,), <j| (nj, orb)
    pi = np.broadcast_to(pi, adj.shape)
    if term == 0:
        num = oij[:, None] * np.einsum("jo,jmop,jmpr,r->jm", bj, pi, adj, ui, optimize=True)
    elif term == 1:
        num = oij[:, None] * np.einsum("jo,jmop,jmpr,r->jm", bj, adj, pi, ui, optimize=True)
    else:
        num = (np.einsum("jo,jmop,p->jm", bj, adj, ui, optimize=True)
               * np.einsum("o,jmop,jp->jm", bi, pi, uj, optimize=True))
    ddet = _ddet(model, adj, Kx, Ky, -sgn * ky, sgn * kx)
    return num, det, ddet


def _inner_pv(model, eF, term, ui, uj, oij, band, kq, theta, Qx, Qy, sgn, radii):
    """PV int_0^2pi dtheta N/det for every j (rows), the poles subtracted (module docstring)."""
    c, s = np.cos(theta), np.sin(theta)
    nj = Qx.size
    kx = np.broadcast_to(kq * c, (nj, theta.size))
    ky = np.broadcast_to(kq * s, (nj, theta.size))
    num, det, _ = _numerators(model, eF, term, ui, uj, oij, band, kq, kx, ky, Qx[:, None], Qy[:, None], sgn)
    f = num / det
    # poles: |sgn k_q e + Q|^2 = k_f^2  <=>  cos(theta - phi) = (k_f^2 - k_q^2 - Q^2)/(2 sgn k_q |Q|)
    qabs = np.hypot(Qx, Qy)
    phi = np.arctan2(Qy, Qx)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (radii[None, :] ** 2 - kq**2 - qabs[:, None] ** 2) / (2 * sgn * kq * qabs[:, None])
    ok = np.abs(x) < 1.0
    ac = np.arccos(np.clip(x, -1.0, 1.0))
    tp = np.concatenate([phi[:, None] + ac, phi[:, None] - ac], axis=1)      # (nj, 2 nf)
    okp = np.concatenate([ok, ok], axis=1)
    if np.any(okp):
        pk = np.cos(tp), np.sin(tp)
        num_p, det_p, dd = _numerators(model, eF, term, ui, uj, oij, band, kq, kq * pk[0], kq * pk[1],
                                       Qx[:, None], Qy[:, None], sgn)
        # Newton-polish the pole on det itself (radii are numeric roots)
        for _ in range(2):
            step = np.where(okp, det_p / np.where(okp, dd, 1.0), 0.0)
            tp = tp - step
            pk = np.cos(tp), np.sin(tp)
            num_p, det_p, dd = _numerators(model, eF, term, ui, uj, oij, band, kq, kq * pk[0], kq * pk[1],
                                           Qx[:, None], Qy[:, None], sgn)
        r = np.where(okp, num_p / np.where(okp, dd, 1.0), 0.0)
        # absent poles (|x| >= 1) get r = 0; park them midway between inner nodes so 0 x cot stays 0
        tp = np.where(okp, tp, theta[0] + np.pi / theta.size)
        cot = 0.5 / np.tan(0.5 * (theta[None, None, :] - tp[:, :, None]))
        f = f - np.einsum("jp,jpt->jt", r, cot)
    return f.sum(axis=1) * (2 * np.pi / theta.size)


def pair_rates(shell: Shell, model: NumericModel, W: float, hbar: float, n_inner: int | None = None):
    """R[j, i]: antisymmetric pair-skew rate i -> j (per unit weight w_j), Eq. P5, shape (n, n).

    Also returns the asymmetry max|R + R^T|/max|R| (exact antisymmetry is an identity of Eq. P5; its
    violation measures the inner quadrature error).
    """
    if not all(ct.is_circle for ct in shell.contours):
        raise SemiclassicalError("pair skew scattering is implemented for isotropic models (circular Fermi "
                                 "contours) only")
    n, N = shell.size, shell.n_theta
    M = N if n_inner is None else int(n_inner)
    eF = shell.energy
    theta0 = shell.contours[0].theta[0]
    # inner grid offset by half a shell step: same-circle poles sit on shell angles
    theta_in = theta0 + np.pi / N + 2 * np.pi * np.arange(M) / M if M == N else \
        theta0 + np.pi / M + 2 * np.pi * np.arange(M) / M
    radii = np.array([ct.k[0] for ct in shell.contours])
    kx, ky = shell.k * np.cos(shell.theta), shell.k * np.sin(shell.theta)
    u = shell.own
    R = np.zeros((n, n))
    node = np.zeros((len(shell.contours), N), int)         # node[c, m]: index of angle m on circle c
    node[shell.contour_id, shell.theta_index] = np.arange(n)
    pre = (2 * np.pi / hbar) * 2 * np.pi * W**2
    for ci, ct in enumerate(shell.contours):
        i = int(node[ci, 0])
        ui = u[i]
        row = np.zeros(n, complex)
        for start in range(0, n, _CHUNK):
            js = np.arange(start, min(start + _CHUNK, n))
            uj = u[js]
            oij = np.conj(ui) @ uj.T                           # <i|j>
            acc = np.zeros(js.size, complex)
            for cq, cqt in enumerate(shell.contours):
                wq = cqt.weight[0] * N / (2 * np.pi)          # sum_q w_q F = wq int dtheta F
                kq, bq = cqt.k[0], cqt.band
                for term, (Qx, Qy, sgn, sign) in enumerate((
                        (kx[i] - kx[js], ky[i] - ky[js], 1.0, 1.0),
                        (kx[js] - kx[i], ky[js] - ky[i], 1.0, 1.0),
                        (kx[i] + kx[js], ky[i] + ky[js], -1.0, -1.0))):
                    # Q = 0 (term 0, 1: j = i; term 2: backscattering on one circle) makes every q a
                    # pole; the antisymmetric rate vanishes there by symmetry (docs/pair_skew.md, 4)
                    live = np.hypot(Qx, Qy) > 1e-9 * max(kq, 1e-300)
                    if not np.any(live):
                        continue
                    val = _inner_pv(model, eF, term, ui, uj[live], oij[live], bq, kq, theta_in,
                                    Qx[live], Qy[live], sgn, radii)
                    acc[live] += sign * wq * val
            row[js] = acc
        R_row = pre * np.imag(row)
        # rotate: R[(c_j, m_j), (c_i, m_i)] = R_row[(c_j, m_j - m_i)]
        for m in range(N):
            R[:, node[ci, m]] = R_row[node[shell.contour_id, (shell.theta_index - m) % N]]
    scale = max(np.abs(R).max(), 1e-300)
    return R, float(np.abs(R + R.T).max() / scale)


def pair_skew_terms(model: NumericModel, eF: float, W: float, n_theta: int, *,
                    gauge: RandomGauge | None = None, field=(1.0, 0.0), n_inner: int | None = None) -> dict:
    """sigma_yx^pair, <s>^pair at one resolution (n_theta shell angles, n_inner inner angles)."""
    hbar, e = float(model.hbar), float(model.e)
    factory = ShellFactory(model, n_theta, gauge=gauge, theta0=np.pi / (7.0 * n_theta))
    shell = factory.get(eF)
    if shell.size == 0:
        return {"current": np.zeros(2), "spin": np.zeros(3), "asymmetry": 0.0, "shell": shell}
    solver = J0Solver(shell, W, hbar)
    g = leading_distribution(solver, e, field)
    R, asym = pair_rates(shell, model, W, hbar, n_inner)
    b = rate_source(R, shell.weight, g)
    g_pair = solver.solve(-b)
    cur = -e * shell.integrate(g_pair, shell.own_velocity())
    spin = shell.integrate(g_pair, shell.own_spin())
    return {"current": cur, "spin": spin, "asymmetry": asym, "shell": shell, "g_pair": g_pair,
            "source": b, "rates": R, "removed": solver.last_removed / max(solver.last_magnitude, 1e-300)}


def _observables(r: dict) -> np.ndarray:
    """(sigma_yx, <s_x>, <s_y>) of one resolution."""
    return np.array([r["current"][1], r["spin"][0], r["spin"][1]])


def pair_skew_response(model: NumericModel, eF: float, W: float = 1.0, *, n_theta: int = 64,
                       gauge_seed: int | None = 0) -> dict:
    """The W^0 pair-skew pieces of sigma_yx and <sigma_x,y> per unit E_x (docs/pair_skew.md, Eq. P9).

    Resolutions N, 2N, 4N (N = ``n_theta``). The error of one resolution is c/N to high accuracy
    (docs/pair_skew.md, section 5: the antisymmetric rate has an odd 1/angle singularity at forward
    and backward scattering on one circle, whose excluded node costs the trapezoid rule one order),
    so the result is the Richardson value 2 x(4N) - x(2N) and ``error`` the largest change of that
    value from the (N, 2N) pair: an upper estimate (it is the error of the coarser pair).
    ``meta``: raw values per resolution, timing, the antisymmetry check of the rates.
    """
    t0 = time.perf_counter()
    gauge = RandomGauge(gauge_seed)
    ns = [n_theta, 2 * n_theta, 4 * n_theta]
    runs = [pair_skew_terms(model, eF, W, n, gauge=gauge) for n in ns]
    x = [_observables(r) for r in runs]
    rich_coarse, rich = 2 * x[1] - x[0], 2 * x[2] - x[1]
    err = float(np.max(np.abs(rich - rich_coarse)))
    return {"sigma_yx": float(rich[0]),
            "spin_density": {"x": float(rich[1]), "y": float(rich[2])},
            "error": err,
            "meta": {"n_theta": ns, "eF": float(eF), "W": float(W),
                     "raw": [{"n_theta": n, "sigma_yx": float(v[0]), "spin_density": {"x": float(v[1]), "y": float(v[2])}}
                             for n, v in zip(ns, x)],
                     "richardson_coarse": {"sigma_yx": float(rich_coarse[0])},
                     "asymmetry": max(r["asymmetry"] for r in runs), "seconds": time.perf_counter() - t0,
                     "principal_value": "poles of P(K) subtracted analytically (cot kernel), trapezoid on the "
                                        "smooth remainder, inner grid offset by half a step"}}
