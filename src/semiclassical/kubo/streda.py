"""Kubo-Streda assembly: ladder vertex and the Fermi-surface term sigma^I.

Bastin formula (linear response of an observable A to E_x through the current J = -e v_x;
derived from the Lehmann form of the Kubo formula, per unit area, Tr includes int d^2k/(2pi)^2):

    chi(A, J) = i hbar int deps f(eps) Tr[A dG^R/deps J delta(eps - H) - A delta(eps - H) J dG^A/deps],

split as in Streda / Crepieux-Bruno (PRB 64, 014416) into chi = K^I + K^II with, at T = 0,

    K^I  = (hbar/4pi) Tr[2 A G^R J G^A - A G^R J G^R - A G^A J G^A]     at eps = eF,
    K^II = (hbar/4pi) int deps f Tr[A G^R J dG^R - A dG^R J G^R - (R -> A)]   (module fermi_sea).

sigma_ij = chi(J_i, J_j) with J = -e v; the spin density per unit E_x is <s_a> = chi(s_a, J_x).
Signs checked: the Drude part of K^I is positive, and for eF in a gap K^II gives
sigma_yx = (e^2/hbar) sum_k Omega n_FD (Eq. 72, the semiclassical anomalous velocity
-k_dot x Omega with hbar k_dot = -e E), e.g. sgn(M) e^2/(4 pi hbar) for the paper's model.
Disorder averaging in the non-crossing approximation: the retarded-advanced bubble gets the
ladder, J -> J~ = J + W int G^R J~ G^A (a correlated kernel W(|k - k'|): module ``kernel``). For white noise the correction is a constant 2x2 matrix
C = sum_b c_b sigma_b solving (1 - W K) c = W S (kernel K_ab, source S_a from ``bubbles``);
magnetic point impurities make it (1 - W T K) c = W T S (T the rung map, ``impurities`` Eq. M3);
its particle-number zero mode is fixed by conservation (:func:`conserving_ladder`). Dressing
J on the right sums the same ladder as dressing A on the left (the spin vertex), so a k-dependent
observable A (module ``operators``) needs no vertex of its own: it is contracted with the dressed J.
The RR and AA bubbles are left bare, as in Sinitsyn et al. PRB 75, 045315 (2007): a ladder on
G^R G^R (or G^A G^A) has no pinched poles, so its corrections are O(W) and do not reach the
W^0 pieces.
"""
from __future__ import annotations

import numpy as np

from .operators import BASE

__all__ = ["ladder_coefficients", "conserving_ladder", "fermi_surface_term"]


def ladder_coefficients(K: np.ndarray, S: np.ndarray, W: float) -> np.ndarray:
    """c (4,) with C = sum_b c_b sigma_b = W int G^R (J + C) G^A: the plain ladder solve."""
    return np.linalg.solve(np.eye(4) - W * K, W * S)


def conserving_ladder(K: np.ndarray, S: np.ndarray, F_n: complex, O_n: np.ndarray, W: float):
    """Ladder vertex with its particle-number zero mode fixed by conservation.

    The Ward identity G^R - G^A = G^R (Sigma^R - Sigma^A) G^A makes X0 = Sigma^R - Sigma^A an
    eigenvector of W K (of W T K for magnetic impurities, Sigma = M(int G)) with eigenvalue 1 when
    Sigma is self-consistent: 1 - W K is singular, the
    source has no component along that mode (int Tr[J (G^R - G^A)] is a total derivative), and
    the mode's amplitude is fixed by particle-number conservation: a uniform field does not
    change the density, K^I(n, J) = (hbar/4pi)[F_n + 2 O_n.c] = 0 (K^II(n, J) = 0 identically).
    With the Born Sigma the eigenvalue is 1 - O(W) instead of 1; inverting it would amplify the
    O(W) violation of the Ward identity into O(1) errors of the vertex (and O(1/W) errors of
    responses that couple to the density channel, e.g. <s_z> of a tilted cone) and roundoff
    into noise. Here that mode is deflated: the smallest eigenvalue of 1 - W K is treated as
    zero and its amplitude chosen to conserve particle number. For rotationally covariant
    models the mode decouples by symmetry and this equals the plain solve.

    Returns (c, info) with info = {"eigenvalue": smallest |eigenvalue| of 1 - W K,
    "ward_residual": |source projection on the mode| / |source|}.
    """
    mat = np.eye(4) - W * K
    lam, vec = np.linalg.eig(mat)
    i0 = int(np.argmin(np.abs(lam)))
    left = np.linalg.inv(vec)
    b = W * S
    proj = left @ b
    coef = np.where(np.arange(4) == i0, 0.0, proj / np.where(np.arange(4) == i0, 1.0, lam))
    c_p = vec @ coef
    x0 = vec[:, i0]
    denom = O_n @ x0
    c0 = -(0.5 * F_n + O_n @ c_p) / denom if abs(denom) > 0 else 0.0
    info = {"eigenvalue": float(abs(lam[i0])),
            "ward_residual": float(abs(proj[i0]) / max(np.linalg.norm(b), 1e-300))}
    return c_p + c0 * x0, info


def fermi_surface_term(integrals: dict, W: float, hbar: float, ladder: str = "conserving",
                       kernel=None, rung=None, names=BASE) -> dict:
    """K^I for every operator ``names`` (the rows of the bubbles, :class:`~.operators.Operators`): {name: {"bare": ..., "ladder": ..., "value": ..., "imag": ...}}.

    bare = (hbar/4pi) F (the undressed RA, RR and AA bubbles together), ladder =
    (hbar/4pi) 2 sum_b O_b c_b (the vertex correction of the RA bubble). Imaginary parts vanish
    analytically (Hermitian operators, G^A = G^R^dagger); their size is a quadrature diagnostic.
    ``ladder``: "conserving" (default, see :func:`conserving_ladder`), "plain" (direct solve of
    the Born ladder) or "none" (bare bubbles only). With a correlated ``kernel``
    (:class:`semiclassical.kubo.kernel.CorrelatedKernel`, ``integrals`` from ``Bubbles.rays``) the
    vertex is k-dependent and solved in angular harmonics (kernel Eq. L2); "conserving" and
    "plain" coincide there (the zero mode is not reached by the source). Magnetic point impurities
    (``rung``, the 4x4 T of :mod:`semiclassical.kubo.impurities`, Eq. M3) solve c = W T (S + K c):
    the same solves with K -> T K, S -> T S.
    """
    info = {}
    if kernel is not None:
        lad_all, c, info = kernel.solve(integrals, W, ladder)
        return _assemble(integrals["F"], lad_all, c, info, hbar, names)
    K, S = integrals["K"], integrals["S"]
    if rung is not None:
        K, S = rung @ K, rung @ S
    if ladder == "conserving":
        n = names.index("n")
        c, info = conserving_ladder(K, S, integrals["F"][n], integrals["O"][n], W)
    elif ladder == "plain":
        c = ladder_coefficients(K, S, W)
    elif ladder == "none":
        c = np.zeros(4)
    else:
        raise ValueError("ladder must be 'conserving', 'plain' or 'none'")
    return _assemble(integrals["F"], integrals["O"] @ c, c, info, hbar, names)


def _assemble(F, lad_all, c, info, hbar, names):
    """{observable: bare, ladder, value, imag} from the bare bubbles F and the vertex contraction."""
    pref = hbar / (4 * np.pi)
    out = {}
    for i, name in enumerate(names):
        bare = pref * F[i]
        lad = 2 * pref * lad_all[i]
        out[name] = {"bare": bare.real, "ladder": lad.real, "value": (bare + lad).real,
                     "imag": abs(bare.imag) + abs(lad.imag)}
    out["vertex"] = c
    out["ladder_info"] = info
    return out
