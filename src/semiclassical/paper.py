"""The paper's printed equations for the TI example (Sec. VI): COMPARISON TARGETS ONLY.

Nothing in the pipeline reads these; ``reproduce`` sets them beside the derived forms.
Symbols: xi = M/eF, lambda = eF on the Fermi circle, rho = eF/(2 pi hbar^2 v^2),
1/tau = pi W rho/hbar (below Eq. 76). Vectors are (k, theta) polar or (x, y) components as
stated per entry; E = xhat, per unit E_x.
"""
from __future__ import annotations

import sympy as sp

from .fermi import W, eF
from .model import e, k
from .parsing import PAULI, hbar, kx, ky

__all__ = ["v", "M", "xi", "lam_k", "xi_k", "rho", "tau", "S_F", "theta", "S_k", "H68", "printed"]

v = sp.Symbol("v", positive=True)
M = sp.Symbol("M", positive=True)
xi = M / eF
lam_k = sp.sqrt(hbar**2 * v**2 * k**2 + M**2)
xi_k = M / lam_k
rho = eF / (2 * sp.pi * hbar**2 * v**2)
tau = hbar / (sp.pi * W * rho)
S_F = sp.sqrt(1 - xi**2)
theta = sp.Symbol("theta", real=True)
S_k = sp.sqrt(1 - xi_k**2)


H68 = hbar * v * (kx * PAULI["sy"] - ky * PAULI["sx"]) + M * PAULI["sz"]


def printed():
    """{equation: (quantity, printed expression(s), component labels)}."""
    return {
        "68": ("H (the input Hamiltonian), matrix entries", tuple(H68), ("11", "12", "21", "22")),
        "69": ("eigenvalues eps^{+-} and eigenvectors |u^+>, |u^->",
               (lam_k, -lam_k, sp.exp(-sp.I * theta) * sp.sqrt(1 + xi_k) / sp.sqrt(2), sp.I * sp.sqrt(1 - xi_k) / sp.sqrt(2),
                sp.exp(-sp.I * theta) * sp.sqrt(1 - xi_k) / sp.sqrt(2), -sp.I * sp.sqrt(1 + xi_k) / sp.sqrt(2)),
               ("eps+", "eps-", "u+_1", "u+_2", "u-_1", "u-_2")),
        "70": ("R^d (band-diagonal Berry connection, theta components of ++, --)",
               ((1 + xi_k) / (2 * k), (1 - xi_k) / (2 * k)), ("++", "--")),
        "71/92-93": ("R^{+-} (interband Berry connection, k and theta components)",
                     (sp.I * xi_k * hbar * v / (2 * lam_k), hbar * v / (2 * lam_k)), ("k", "theta")),
        "73": ("Omega_z^+ (Berry curvature, upper band)", -xi_k * (1 - xi_k**2) / (2 * k**2), ()),
        "74": ("sigma_yx^int", e**2 / (4 * sp.pi * hbar) * M / eF, ()),
        "76": ("1/tau_tr", (1 + 3 * xi**2) / (2 * tau), ()),
        "77": ("beta^+ (theta component)", 1 / tau * hbar * v / eF * xi * S_F, ()),
        "78": ("sigma_yx^ext", e**2 / (2 * sp.pi * hbar) * M / eF * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "80": ("v_y^{++} (band velocity, y component)", v * S_k * sp.sin(theta), ()),
        "81": ("n^sj coefficient of e E.thetahat (per delta)", 2 * hbar * v / eF * xi * S_F / (1 + 3 * xi**2), ()),
        "82": ("sigma_yx^sj", e**2 / (2 * sp.pi * hbar) * M / eF * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "84": ("n^sk coefficients of e E.thetahat delta(eF - eps^+) (++, --)",
               (sp.Rational(3, 2) * hbar * v / eF * xi * (1 - xi**2) ** sp.Rational(3, 2) / (1 + 3 * xi**2) ** 2,
                -sp.Rational(3, 2) * hbar * v / eF * xi * (1 - xi**2) ** sp.Rational(3, 2) / (1 + 3 * xi**2) ** 2),
               ("++", "--")),
        "85": ("sigma_yx^sk", e**2 / (2 * sp.pi * hbar) * M / eF * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2), ()),
        "86": ("sigma_yx total", 4 * e**2 / (2 * sp.pi * hbar) * M / eF * (1 + xi**2) / (1 + 3 * xi**2) ** 2, ()),
        "88-89": ("s^{++} (spin of the upper band, x and y components)", (-S_k * sp.sin(theta), S_k * sp.cos(theta)),
                  ("x", "y")),
        "90": ("<s_y>^Edel (E x zhat = -yhat)", -e * tau * v * rho * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "94-95": ("s^{-+} (interband spin, x and y components, Eq. 69 gauge)",
                  (xi_k * sp.sin(theta) + sp.I * sp.cos(theta), -(xi_k * sp.cos(theta) - sp.I * sp.sin(theta))),
                  ("x", "y")),
        "96": ("<s_x>^int", e * M * hbar * v * rho / (2 * eF**2), ()),
        "98": ("gamma^{++} (k component)", -1 / tau * hbar / eF * xi * S_F, ()),
        "99": ("<s_x>^ext", e * hbar * v * rho * M / eF**2 * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "101": ("<s_x>^sj", e * hbar * v * rho * M / eF**2 * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "103": ("<s_x>^sk", e * hbar * rho * v * xi / eF * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2), ()),
        "104": ("<s_x> total (W^0)", 4 * e * hbar * v * rho * M / eF**2 * (1 + xi**2) / (1 + 3 * xi**2) ** 2, ()),
        "105": ("torque (2M/hbar) m x <s>, s = (hbar/2) sigma: coefficients of m x (z x E) and m x E",
                (-e * tau * eF * M * rho / (2 * sp.pi * hbar**2 * v) * (1 - xi**2) / (1 + 3 * xi**2),
                 2 * e / (sp.pi * hbar * v) * M**2 / eF * (1 + xi**2) / (1 + 3 * xi**2) ** 2),
                ("m x (z x E)", "m x E")),
    }
