"""Kubo-Streda assembly: ladder vertex and the Fermi-surface term sigma^I.

Bastin formula (linear response of an observable A to E_x through the current J = -e v_x;
derived from the Lehmann form of the Kubo formula, per unit area, Tr includes int d^2k/(2pi)^2):

    K(A, J) = i hbar int deps f(eps) Tr[A dG^R/deps J delta(eps - H) - A delta(eps - H) J dG^A/deps],

split as in Streda / Crepieux-Bruno (PRB 64, 014416) into K = K^I + K^II with, at T = 0,

    K^I  = (hbar/4pi) Tr[2 A G^R J G^A - A G^R J G^R - A G^A J G^A]     at eps = eF,
    K^II = (hbar/4pi) int deps f Tr[A G^R J dG^R - A dG^R J G^R - (R -> A)]   (module fermi_sea).

sigma_ij = K(J_i, J_j) with J = -e v; the spin density per unit E_x is <s_a> = K(s_a, J_x).
Disorder averaging in the non-crossing approximation: the retarded-advanced bubble gets the
ladder, J -> J~ = J + W int G^R J~ G^A. For white noise the correction is a constant 2x2 matrix
C = sum_b c_b sigma_b solving (1 - W K) c = W S (kernel K_ab, source S_a from ``bubbles``).
The RR and AA bubbles are left bare, as in Sinitsyn et al. PRB 75, 045315 (2007): a ladder on
G^R G^R (or G^A G^A) has no pinched poles, so its corrections are O(W) and do not reach the
W^0 pieces.
"""
from __future__ import annotations

import numpy as np

from .bubbles import OBSERVABLES


def ladder_coefficients(K: np.ndarray, S: np.ndarray, W: float) -> np.ndarray:
    """c (4,) with C = sum_b c_b sigma_b = W int G^R (J + C) G^A (white-noise ladder sum)."""
    return np.linalg.solve(np.eye(4) - W * K, W * S)


def fermi_surface_term(integrals: dict, W: float, hbar: float, ladder: bool = True) -> dict:
    """K^I for every observable: {name: {"bare": ..., "ladder": ..., "value": ..., "imag": ...}}.

    bare = (hbar/4pi) F (the undressed RA, RR and AA bubbles together), ladder =
    (hbar/4pi) 2 sum_b O_b c_b (the vertex correction of the RA bubble). Imaginary parts vanish
    analytically (Hermitian operators, G^A = G^R^dagger); their size is a quadrature diagnostic.
    ``ladder=False`` drops the vertex correction (bare bubble only).
    """
    c = ladder_coefficients(integrals["K"], integrals["S"], W) if ladder else np.zeros(4)
    lad_all = integrals["O"] @ c
    pref = hbar / (4 * np.pi)
    out = {}
    for i, name in enumerate(OBSERVABLES):
        bare = pref * integrals["F"][i]
        lad = 2 * pref * lad_all[i]
        out[name] = {"bare": bare.real, "ladder": lad.real, "value": (bare + lad).real,
                     "imag": abs(bare.imag) + abs(lad.imag)}
    out["vertex"] = c
    return out
