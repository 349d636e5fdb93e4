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
from .parsing import hbar

v = sp.Symbol("v", positive=True)
M = sp.Symbol("M", positive=True)
xi = M / eF
lam_k = sp.sqrt(hbar**2 * v**2 * k**2 + M**2)
xi_k = M / lam_k
rho = eF / (2 * sp.pi * hbar**2 * v**2)
tau = hbar / (sp.pi * W * rho)
S_F = sp.sqrt(1 - xi**2)


def printed():
    """{equation: (quantity, printed expression(s), component labels)}."""
    return {
        "70": ("R^d (band-diagonal Berry connection, theta components of ++, --)",
               ((1 + xi_k) / (2 * k), (1 - xi_k) / (2 * k)), ("++", "--")),
        "71/92-93": ("R^{+-} (interband Berry connection, k and theta components)",
                     (sp.I * xi_k * hbar * v / (2 * lam_k), hbar * v / (2 * lam_k)), ("k", "theta")),
        "73": ("Omega_z^+ (Berry curvature, upper band)", -xi_k * (1 - xi_k**2) / (2 * k**2), ()),
        "74": ("sigma_yx^int", e**2 / (4 * sp.pi * hbar) * M / eF, ()),
        "76": ("1/tau_tr", (1 + 3 * xi**2) / (2 * tau), ()),
        "77": ("beta^+ (theta component)", 1 / tau * hbar * v / eF * xi * S_F, ()),
        "78": ("sigma_yx^ext", e**2 / (2 * sp.pi * hbar) * M / eF * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "81": ("n^sj coefficient of e E.thetahat (per delta)", 2 * hbar * v / eF * xi * S_F / (1 + 3 * xi**2), ()),
        "82": ("sigma_yx^sj", e**2 / (2 * sp.pi * hbar) * M / eF * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "85": ("sigma_yx^sk", e**2 / (2 * sp.pi * hbar) * M / eF * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2), ()),
        "86": ("sigma_yx total", 4 * e**2 / (2 * sp.pi * hbar) * M / eF * (1 + xi**2) / (1 + 3 * xi**2) ** 2, ()),
        "88-89": ("s^{++} (x, y) / sin a at angle theta", None, ()),
        "90": ("<s_y>^Edel (E x zhat = -yhat)", -e * tau * v * rho * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "96": ("<s_x>^int", e * M * hbar * v * rho / (2 * eF**2), ()),
        "98": ("gamma^{++} (k component)", -1 / tau * hbar / eF * xi * S_F, ()),
        "99": ("<s_x>^ext", e * hbar * v * rho * M / eF**2 * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "101": ("<s_x>^sj", e * hbar * v * rho * M / eF**2 * (1 - xi**2) / (1 + 3 * xi**2), ()),
        "103": ("<s_x>^sk", e * hbar * rho * v * xi / eF * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2), ()),
        "104": ("<s_x> total (W^0)", 4 * e * hbar * v * rho * M / eF**2 * (1 + xi**2) / (1 + 3 * xi**2) ** 2, ()),
    }
